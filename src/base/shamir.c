/* shamir.c: GF(256), Shamir's secret sharing, and shares of the key wrapped
 * with XChaCha20-Poly1305 (shamir.h; docs/keys.md for the why). */
#include "shamir.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first line of a share's text, and the prefix of its wrapping's
 * associated data, by format version (the same strings, the same length). */
#define KS_SHARE_HEADER_V1 "kasane key share v1"
#define KS_SHARE_HEADER_V2 "kasane key share v2"
#define KS_SHARE_HEADER_ANY "kasane key share v"  /* what another version's starts with */
#define KS_SHARE_LINE_MSG "kasane share line"     /* prefix of each line's checksum */

enum {
    /* version, fingerprint, t, n, x, W share, nonce: the fields before the
     * epochs byte (v2) or the wrapped key (v1) */
    KS_SHARE_FIXED = 1 + KS_SHARE_FP_BYTES + 3 + KS_SHARE_W_BYTES + KS_SHARE_NONCE_BYTES,
    KS_SHARE_BIN_MAX = KS_SHARE_FIXED + 1 + KS_SHARE_CT_MAX, /* the longest binary share (v2, most epochs) */
    KS_B32_MAX = (KS_SHARE_BIN_MAX * 8 + 4) / 5,             /* its base32 characters, no padding */
    KS_LINE_CHARS = 20,                                      /* base32 characters a line, 4 groups of 5 */
    KS_LINE_GROUP = 5,
    KS_LINES_MAX = (KS_B32_MAX + KS_LINE_CHARS - 1) / KS_LINE_CHARS,
    KS_CHECK_CHARS = 4, /* 20 bits of BLAKE2b: a mistyped line passes with p = 2^-20 */
    KS_MAX_WORDS = 32,  /* words on a share line: more is not a share line */
    /* prefix, version, fingerprint, t, n and (v2) epochs */
    KS_AD_MAX = sizeof KS_SHARE_HEADER_V2 - 1 + 1 + KS_SHARE_FP_BYTES + 2 + 1,
};

_Static_assert(KS_SHARE_W_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "W is the AEAD key");
_Static_assert(KS_SHARE_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce size");
_Static_assert(KS_SHARE_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES, "tag size");
_Static_assert(sizeof KS_SHARE_HEADER_V1 == sizeof KS_SHARE_HEADER_V2, "one prefix length");
_Static_assert(KS_SHARE_CT_MAX <= UINT16_MAX, "ct_len is 16 bits");
_Static_assert(KS_LINES_MAX <= 99, "share lines are numbered with two digits");
_Static_assert(KS_SHARE_FIXED + KS_KEY_BYTES + KS_SHARE_TAG_BYTES == 124, "v1 is 124 bytes, as ever");

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* ---- GF(256) ------------------------------------------------------------- */

/* Russian-peasant multiplication with masks instead of branches, so the time
 * taken does not depend on the (secret) operands. */
uint8_t ks_gf256_mul(uint8_t a, uint8_t b)
{
    unsigned r = 0, aa = a;
    for (int i = 0; i < 8; i++) {
        r ^= aa & (0u - ((unsigned)(b >> i) & 1u));
        aa = (aa << 1) ^ (0x11bu & (0u - ((aa >> 7) & 1u)));
    }
    return (uint8_t)r;
}

/* a^254 = a^-1 (the group of units has order 255), by a fixed chain. */
uint8_t ks_gf256_inv(uint8_t a)
{
    uint8_t r = 1, p = a;
    for (int i = 1; i < 8; i++) { /* 254 = 0b11111110 */
        p = ks_gf256_mul(p, p);   /* a^(2^i) */
        r = ks_gf256_mul(r, p);
    }
    return r;
}

/* ---- Shamir -------------------------------------------------------------- */

uint8_t ks_shamir_eval(const uint8_t *coef, int t, uint8_t x)
{
    uint8_t y = 0;
    for (int i = t - 1; i >= 0; i--)
        y = (uint8_t)(ks_gf256_mul(y, x) ^ coef[i]);
    return y;
}

int ks_shamir_split(const uint8_t *secret, size_t len, int t, int n, uint8_t *out, ks_error *err)
{
    if (t < 1 || n < t || n > KS_SHAMIR_MAX_SHARES)
        return ks_error_set(err, KS_EUSAGE, "need 1 <= t <= n <= %d shares (t = %d, n = %d)",
                            KS_SHAMIR_MAX_SHARES, t, n);
    uint8_t coef[KS_SHAMIR_MAX_SHARES];
    for (size_t i = 0; i < len; i++) {
        coef[0] = secret[i];
        randombytes_buf(coef + 1, (size_t)(t - 1));
        for (int s = 0; s < n; s++)
            out[(size_t)s * len + i] = ks_shamir_eval(coef, t, (uint8_t)(s + 1));
    }
    sodium_memzero(coef, sizeof coef);
    return 0;
}

int ks_shamir_interpolate(const uint8_t *xs, const uint8_t *const *ys, int k, size_t len,
                          uint8_t at, uint8_t *out, ks_error *err)
{
    if (k < 1 || k > KS_SHAMIR_MAX_SHARES)
        return ks_error_set(err, KS_EUSAGE, "cannot interpolate through %d points", k);
    uint8_t basis[KS_SHAMIR_MAX_SHARES]; /* Lagrange basis polynomial j at `at` */
    for (int j = 0; j < k; j++) {
        if (xs[j] == 0)
            return ks_error_set(err, KS_EUSAGE, "share index 0 is not a share");
        uint8_t num = 1, den = 1;
        for (int m = 0; m < k; m++) {
            if (m == j)
                continue;
            if (xs[m] == xs[j])
                return ks_error_set(err, KS_EUSAGE, "share index %d given twice", xs[j]);
            num = ks_gf256_mul(num, (uint8_t)(at ^ xs[m])); /* subtraction is xor */
            den = ks_gf256_mul(den, (uint8_t)(xs[j] ^ xs[m]));
        }
        basis[j] = ks_gf256_mul(num, ks_gf256_inv(den));
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t y = 0;
        for (int j = 0; j < k; j++)
            y ^= ks_gf256_mul(basis[j], ys[j][i]);
        out[i] = y;
    }
    return 0;
}

/* ---- the share's sizes -------------------------------------------------- */

static void fp_hex(const uint8_t fp[KS_SHARE_FP_BYTES], char hex[KS_FINGERPRINT_HEX])
{
    sodium_bin2hex(hex, KS_FINGERPRINT_HEX, fp, KS_SHARE_FP_BYTES);
}

/* k's fingerprint (pseudo.h's, hex) as the share's 16 bytes; 0 or -1. */
static int key_fp(const ks_key *k, uint8_t fp[KS_SHARE_FP_BYTES])
{
    size_t got = 0;
    const char *hex = ks_key_fingerprint(k);
    if (sodium_hex2bin(fp, KS_SHARE_FP_BYTES, hex, strlen(hex), NULL, &got, NULL) != 0 || got != KS_SHARE_FP_BYTES)
        return -1;
    return 0;
}

/* The bytes of the wrapped key and its tag in a share of `version` of a key
 * of `epochs`: v1 wraps the 32-byte key, v2 the chain file (pseudo.h). */
static size_t wrapped_bytes(int version, int epochs)
{
    size_t key = version == KS_SHARE_V1 ? KS_KEY_BYTES
                                        : KS_KEY_CHAIN_MAGIC_BYTES + 1 + (size_t)epochs * KS_KEY_BYTES + 16;
    return key + KS_SHARE_TAG_BYTES;
}

/* The binary share's bytes, and their base32 characters. */
static size_t share_bytes(int version, int epochs)
{
    return KS_SHARE_FIXED + (version == KS_SHARE_V2) + wrapped_bytes(version, epochs);
}

static size_t b32_chars(size_t bytes) { return (bytes * 8 + 4) / 5; }

/* ---- share files ---------------------------------------------------------- */

/* Makes the new directory entry durable; best effort (see pseudo.c). */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? ks_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : ks_strdup(".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    free(dir);
}

int ks_share_write_new(const char *path, const void *data, size_t len, ks_error *err)
{
    /* O_EXCL: never replace a share (it may be another key's) nor anything
     * else given by mistake.  O_NOFOLLOW: nor write through a symlink. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return ks_error_set(err, KS_ESAFETY, "'%s' already exists; refusing to overwrite it", path);
        return ks_error_set(err, errno == ENOENT ? KS_EUSAGE : KS_EIO, "cannot create '%s': %s", path,
                            strerror(errno));
    }
    int rc = 0;
    const uint8_t *p = data;
    size_t off = 0;
    if (fchmod(fd, 0600) != 0) { /* the umask may have cleared bits we need */
        rc = ks_error_set(err, KS_EIO, "cannot set mode 0600 on '%s': %s", path, strerror(errno));
        goto done;
    }
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = ks_error_set(err, KS_EIO, "cannot write '%s': %s", path,
                              w < 0 ? strerror(errno) : "no progress");
            goto done;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0)
        rc = ks_error_set(err, KS_EIO, "cannot sync '%s': %s", path, strerror(errno));
done:
    if (close(fd) != 0 && rc == 0)
        rc = ks_error_set(err, KS_EIO, "cannot close '%s': %s", path, strerror(errno));
    if (rc < 0)
        unlink(path); /* a half-written share would block the next split */
    else
        sync_parent_dir(path);
    return rc;
}

/* ---- split and join ------------------------------------------------------ */

/* What the wrapping authenticates besides the key: the version, fingerprint,
 * t and n, and in v2 the epochs (common to all shares; x differs between
 * them).  v1's is what it always was.  Returns its length. */
static size_t share_ad(const ks_share *s, uint8_t ad[KS_AD_MAX])
{
    const char *prefix = s->version == KS_SHARE_V1 ? KS_SHARE_HEADER_V1 : KS_SHARE_HEADER_V2;
    size_t o = sizeof KS_SHARE_HEADER_V1 - 1;
    memcpy(ad, prefix, o);
    ad[o++] = s->version;
    memcpy(ad + o, s->fp, KS_SHARE_FP_BYTES);
    o += KS_SHARE_FP_BYTES;
    ad[o++] = s->t;
    ad[o++] = s->n;
    if (s->version == KS_SHARE_V2)
        ad[o++] = s->epochs;
    return o;
}

int ks_share_split_key(const ks_key *k, int t, int n, ks_share *out, ks_error *err)
{
    if (t < 2 || n < t || n > KS_SHARE_MAX_N)
        return ks_error_set(err, KS_EUSAGE, "need 2 <= t <= n <= %d (t = %d, n = %d)", KS_SHARE_MAX_N,
                            t, n);
    int rc = ks_crypto_init(err);
    if (rc < 0)
        return rc;
    uint8_t w[KS_SHARE_W_BYTES], ws[KS_SHARE_MAX_N * KS_SHARE_W_BYTES], ad[KS_AD_MAX];
    ks_share proto;
    memset(&proto, 0, sizeof proto);
    /* the key's file bytes in secure memory, as pseudo.c keeps them */
    uint8_t *bytes = sodium_malloc(KS_KEY_FILE_MAX);
    if (!bytes)
        return ks_error_set(err, KS_EIO, "out of secure memory splitting the key");
    size_t len = ks_key_serialise(k, bytes);
    proto.epochs = (uint8_t)ks_key_epochs(k);
    proto.version = proto.epochs == 1 ? KS_SHARE_V1 : KS_SHARE_V2;
    if (len + KS_SHARE_TAG_BYTES != wrapped_bytes(proto.version, proto.epochs) || key_fp(k, proto.fp) != 0) {
        rc = ks_error_set(err, KS_EIO, "internal error: a key of %d epochs serialised to %zu bytes", proto.epochs,
                          len);
        goto done;
    }
    proto.t = (uint8_t)t;
    proto.n = (uint8_t)n;
    crypto_aead_xchacha20poly1305_ietf_keygen(w);
    randombytes_buf(proto.nonce, sizeof proto.nonce);
    size_t adlen = share_ad(&proto, ad);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(proto.ct, &clen, bytes, len, ad, adlen, NULL, proto.nonce, w);
    proto.ct_len = (uint16_t)clen;
    if ((rc = ks_shamir_split(w, sizeof w, t, n, ws, err)) < 0)
        goto done;
    for (int i = 0; i < n; i++) {
        out[i] = proto;
        out[i].x = (uint8_t)(i + 1);
        memcpy(out[i].w, ws + (size_t)i * KS_SHARE_W_BYTES, KS_SHARE_W_BYTES);
    }
done:
    sodium_free(bytes); /* wipes */
    sodium_memzero(w, sizeof w);
    sodium_memzero(ws, sizeof ws);
    return rc;
}

/* The fields a share must have to be one at all (any version). */
static int share_sane(const ks_share *s)
{
    int epochs_ok = s->version == KS_SHARE_V1   ? s->epochs == 1
                    : s->version == KS_SHARE_V2 ? s->epochs >= 2 && s->epochs <= KS_KEY_EPOCHS_MAX
                                                : 0;
    return epochs_ok && s->t >= 2 && s->n >= s->t && s->n <= KS_SHARE_MAX_N && s->x >= 1 && s->x <= s->n
           && s->ct_len > KS_SHARE_TAG_BYTES && s->ct_len <= KS_SHARE_CT_MAX;
}

/* The shares must belong together before any arithmetic.  The epochs byte
 * is not compared here: like the nonce and the wrapped key it is part of the
 * wrapping each share carries a copy of (the AD covers it), so one altered
 * copy is found and named by the join, not taken for another split. */
static int check_set(const ks_share *s, int k, ks_error *err)
{
    if (k < 1)
        return ks_error_set(err, KS_EUSAGE, "no shares given");
    for (int j = 0; j < k; j++) {
        if (!share_sane(&s[j]))
            return ks_error_set(err, KS_EDATA, "share %d is not a valid share", j + 1);
        if (sodium_memcmp(s[j].fp, s[0].fp, KS_SHARE_FP_BYTES) != 0) {
            char a[KS_FINGERPRINT_HEX], b[KS_FINGERPRINT_HEX];
            fp_hex(s[0].fp, a);
            fp_hex(s[j].fp, b);
            return ks_error_set(err, KS_EUSAGE, "the shares are of different keys (fingerprints %s and %s)",
                                a, b);
        }
        if (s[j].version != s[0].version)
            return ks_error_set(err, KS_EUSAGE, "the shares are of different formats (v%d and v%d)",
                                s[0].version, s[j].version);
        if (s[j].t != s[0].t || s[j].n != s[0].n)
            return ks_error_set(err, KS_EUSAGE, "the shares are of different splits (%d of %d and %d of %d)",
                                s[0].t, s[0].n, s[j].t, s[j].n);
        for (int m = 0; m < j; m++)
            if (s[m].x == s[j].x)
                return ks_error_set(err, KS_EUSAGE, "share %d of %d is given twice", s[j].x, s[j].n);
    }
    if (k < s[0].t)
        return ks_error_set(err, KS_EUSAGE, "%d share%s given, %d needed (any %d of the %d)", k,
                            k == 1 ? "" : "s", s[0].t, s[0].t, s[0].n);
    return 0;
}

/* Whether a and b carry the same copy of the wrapping. */
static int same_wrapping(const ks_share *a, const ks_share *b)
{
    return a->epochs == b->epochs && a->ct_len == b->ct_len && memcmp(a->nonce, b->nonce, sizeof a->nonce) == 0
           && memcmp(a->ct, b->ct, a->ct_len) == 0;
}

/* Interpolates W from the shares sub[0..t) and decrypts the wrapping carried
 * by share `ct_from` into buf (KS_KEY_FILE_MAX bytes of secure memory, wiped
 * again): 0 with *key, or -1 when it does not authenticate or is not a key
 * of the shares' fingerprint and epochs. */
static int try_subset(const ks_share *s, const int *sub, int t, const ks_share *ct_from, uint8_t *buf,
                      ks_key **key)
{
    uint8_t xs[KS_SHARE_MAX_N], w[KS_SHARE_W_BYTES], ad[KS_AD_MAX];
    const uint8_t *ys[KS_SHARE_MAX_N];
    for (int i = 0; i < t; i++) {
        xs[i] = s[sub[i]].x;
        ys[i] = s[sub[i]].w;
    }
    int rc = -1;
    if (ks_shamir_interpolate(xs, ys, t, sizeof w, 0, w, NULL) == 0) {
        size_t adlen = share_ad(ct_from, ad);
        unsigned long long mlen = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, &mlen, NULL, ct_from->ct, ct_from->ct_len, ad, adlen,
                                                       ct_from->nonce, w) == 0) {
            /* ks_key_parse checks a chain's checksum.  Only a share set made
             * to deceive could authenticate bytes that are not a key, or a
             * key of another fingerprint or epoch count; refuse them all
             * the same. */
            ks_key *k = ks_key_parse(buf, (size_t)mlen, "the joined key", NULL);
            uint8_t fp[KS_SHARE_FP_BYTES];
            if (k && ks_key_epochs(k) == ct_from->epochs && key_fp(k, fp) == 0
                && sodium_memcmp(fp, ct_from->fp, sizeof fp) == 0) {
                *key = k;
                rc = 0;
            } else {
                ks_key_free(k);
            }
        }
    }
    sodium_memzero(w, sizeof w);
    sodium_memzero(buf, KS_KEY_FILE_MAX);
    return rc;
}

/* Which shares do not fit the good subset sub: a different wrapping, or W
 * bytes off the polynomial through sub. */
static void mark_bad(const ks_share *s, int k, const int *sub, int t, const ks_share *good, int *bad)
{
    uint8_t xs[KS_SHARE_MAX_N], w[KS_SHARE_W_BYTES];
    const uint8_t *ys[KS_SHARE_MAX_N];
    for (int i = 0; i < t; i++) {
        xs[i] = s[sub[i]].x;
        ys[i] = s[sub[i]].w;
    }
    for (int j = 0; j < k; j++) {
        bad[j] = 0;
        if (!same_wrapping(&s[j], good))
            bad[j] = 1;
        else if (ks_shamir_interpolate(xs, ys, t, sizeof w, s[j].x, w, NULL) != 0
                 || sodium_memcmp(w, s[j].w, sizeof w) != 0)
            bad[j] = 1;
    }
    sodium_memzero(w, sizeof w);
}

/* The next t-subset of 0..k-1 in lexicographic order; 0 after the last. */
static int next_subset(int *sub, int t, int k)
{
    int i = t - 1;
    while (i >= 0 && sub[i] == k - t + i)
        i--;
    if (i < 0)
        return 0;
    sub[i]++;
    for (int m = i + 1; m < t; m++)
        sub[m] = sub[m - 1] + 1;
    return 1;
}

int ks_share_join(const ks_share *shares, int k, ks_key **key, int *bad, ks_error *err)
{
    *key = NULL;
    int rc = check_set(shares, k, err);
    if (rc < 0)
        return rc;
    if ((rc = ks_crypto_init(err)) < 0)
        return rc;
    uint8_t *buf = sodium_malloc(KS_KEY_FILE_MAX); /* the decrypted key file bytes */
    if (!buf)
        return ks_error_set(err, KS_EIO, "out of secure memory joining the key");
    int t = shares[0].t, sub[KS_SHARE_MAX_N];
    for (int i = 0; i < t; i++)
        sub[i] = i;
    /* At most C(16, 8) = 12870 subsets, each tried with the wrappings its
     * members carry (the same one unless a share was altered there). */
    do {
        for (int i = 0; i < t; i++) {
            const ks_share *c = &shares[sub[i]];
            int seen = 0;
            for (int m = 0; m < i && !seen; m++)
                seen = same_wrapping(&shares[sub[m]], c);
            if (seen || try_subset(shares, sub, t, c, buf, key) != 0)
                continue;
            if (bad)
                mark_bad(shares, k, sub, t, c, bad);
            goto done;
        }
    } while (next_subset(sub, t, k));
    rc = ks_error_set(err, KS_ESAFETY, "the shares do not reconstruct the key: one is wrong or altered");
done:
    sodium_free(buf);
    return rc;
}

/* ---- the printable form -------------------------------------------------- */

/* The binary form (docs/keys.md), field by field; returns its length. */
static size_t share_pack(const ks_share *s, uint8_t out[KS_SHARE_BIN_MAX])
{
    size_t o = 0;
    out[o++] = s->version;
    memcpy(out + o, s->fp, KS_SHARE_FP_BYTES);
    o += KS_SHARE_FP_BYTES;
    out[o++] = s->t;
    out[o++] = s->n;
    out[o++] = s->x;
    memcpy(out + o, s->w, KS_SHARE_W_BYTES);
    o += KS_SHARE_W_BYTES;
    memcpy(out + o, s->nonce, KS_SHARE_NONCE_BYTES);
    o += KS_SHARE_NONCE_BYTES;
    if (s->version == KS_SHARE_V2)
        out[o++] = s->epochs;
    memcpy(out + o, s->ct, s->ct_len);
    return o + s->ct_len;
}

/* The fields of in[0..len), a binary share laid out as `version` (the
 * header's: it set len) says, into out.  The version byte read may differ;
 * the caller compares. */
static void share_unpack(const uint8_t *in, size_t len, int version, ks_share *out)
{
    size_t o = 0;
    memset(out, 0, sizeof *out);
    out->version = in[o++];
    memcpy(out->fp, in + o, KS_SHARE_FP_BYTES);
    o += KS_SHARE_FP_BYTES;
    out->t = in[o++];
    out->n = in[o++];
    out->x = in[o++];
    memcpy(out->w, in + o, KS_SHARE_W_BYTES);
    o += KS_SHARE_W_BYTES;
    memcpy(out->nonce, in + o, KS_SHARE_NONCE_BYTES);
    o += KS_SHARE_NONCE_BYTES;
    out->epochs = version == KS_SHARE_V2 ? in[o++] : 1;
    out->ct_len = (uint16_t)(len - o);
    memcpy(out->ct, in + o, len - o);
}

static void b32_encode(const uint8_t *p, size_t n, char *out)
{
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | p[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32_alphabet[(acc >> bits) & 31];
        }
        acc &= (1u << bits) - 1;
    }
    if (bits > 0)
        out[o++] = b32_alphabet[(acc << (5 - bits)) & 31];
    out[o] = '\0';
}

static int b32_value(char c)
{
    c = (char)toupper((unsigned char)c);
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

/* The 4 checksum characters of share line `no` (1-based) holding chars. */
static void line_check(int no, const char *chars, size_t n, char out[KS_CHECK_CHARS + 1])
{
    crypto_generichash_state st;
    uint8_t h[16], b = (uint8_t)no;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)KS_SHARE_LINE_MSG, sizeof KS_SHARE_LINE_MSG - 1);
    crypto_generichash_update(&st, &b, 1);
    crypto_generichash_update(&st, (const unsigned char *)chars, n);
    crypto_generichash_final(&st, h, sizeof h);
    char tmp[8];
    b32_encode(h, 3, tmp); /* 24 bits -> 5 characters, of which the first 4 (20 bits) */
    memcpy(out, tmp, KS_CHECK_CHARS);
    out[KS_CHECK_CHARS] = '\0';
}

void ks_share_format(const ks_share *s, ks_buf *out)
{
    uint8_t bin[KS_SHARE_BIN_MAX];
    char b32[KS_B32_MAX + 1], hex[KS_FINGERPRINT_HEX], chk[KS_CHECK_CHARS + 1];
    size_t nb = share_pack(s, bin), nc = b32_chars(nb);
    b32_encode(bin, nb, b32);
    fp_hex(s->fp, hex);
    ks_buf_addf(out, "%s\nfingerprint: %s\nshare: %d of %d (any %d reconstruct)\n",
                s->version == KS_SHARE_V1 ? KS_SHARE_HEADER_V1 : KS_SHARE_HEADER_V2, hex, s->x, s->n, s->t);
    if (s->version == KS_SHARE_V2)
        ks_buf_addf(out, "epochs: %d\n", s->epochs);
    ks_buf_addc(out, '\n');
    for (int line = 0; (size_t)line * KS_LINE_CHARS < nc; line++) {
        size_t at = (size_t)line * KS_LINE_CHARS;
        size_t n = nc - at < KS_LINE_CHARS ? nc - at : KS_LINE_CHARS;
        ks_buf_addf(out, "%02d ", line + 1);
        for (size_t g = 0; g < n; g += KS_LINE_GROUP)
            ks_buf_addf(out, " %.*s", (int)(n - g < KS_LINE_GROUP ? n - g : KS_LINE_GROUP), b32 + at + g);
        line_check(line + 1, b32 + at, n, chk);
        ks_buf_addf(out, "  %s\n", chk);
    }
    sodium_memzero(bin, sizeof bin);
    sodium_memzero(b32, sizeof b32);
}

/* One line of text, without its end and surrounding blanks. */
typedef struct text_line {
    const char *p; /* first non-blank character */
    size_t n;      /* length without trailing blanks */
    int no;        /* line number in the file, 1-based */
} text_line;

/* The next significant line (not blank, not '#') from *at; 0 at the end. */
static int next_line(const char **at, const char *end, int *no, text_line *out)
{
    while (*at < end) {
        const char *s = *at, *e = memchr(s, '\n', (size_t)(end - s));
        if (!e)
            e = end;
        *at = e < end ? e + 1 : end;
        ++*no;
        while (s < e && isspace((unsigned char)*s))
            s++;
        while (e > s && isspace((unsigned char)e[-1]))
            e--;
        if (s == e || *s == '#')
            continue;
        out->p = s;
        out->n = (size_t)(e - s);
        out->no = *no;
        return 1;
    }
    return 0;
}

/* Splits a line into blank-separated words; returns their count (at most max). */
static int words(const text_line *l, const char **w, size_t *wn, int max)
{
    int k = 0;
    const char *p = l->p, *e = l->p + l->n;
    while (p < e && k < max) {
        while (p < e && isspace((unsigned char)*p))
            p++;
        const char *s = p;
        while (p < e && !isspace((unsigned char)*p))
            p++;
        if (p > s) {
            w[k] = s;
            wn[k++] = (size_t)(p - s);
        }
    }
    return k;
}

/* What a share's header says. */
typedef struct share_head {
    int version;                  /* KS_SHARE_V1 or KS_SHARE_V2, from the first line */
    char hex[KS_FINGERPRINT_HEX]; /* "fingerprint: ", lower case */
    int x, n, t;                  /* "share: X of N (any T reconstruct)" */
    int epochs;                   /* "epochs: E" in v2; 1 in v1 */
} share_head;

/* A header line of at most 63 characters as a string in buf[64]; 0 or -1. */
static int line_str(const text_line *l, char buf[64])
{
    if (l->n >= 64)
        return -1;
    memcpy(buf, l->p, l->n);
    buf[l->n] = '\0';
    return 0;
}

/* Whether p[0..n) are hex digits.  Bounded by n: the text need not end in
 * a NUL (strspn ran past the end of a share that ended with its
 * fingerprint; fuzz_share found it). */
static int all_hex(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)p[i]))
            return 0;
    return 1;
}

/* The header's lines: version, fingerprint, "share: X of N (any T ...)" and
 * in v2 "epochs: E". */
static int parse_header(const char **at, const char *end, int *no, const char *name, share_head *h, ks_error *err)
{
    text_line l;
    char buf[64];
    int used = 0;
    if (!next_line(at, end, no, &l))
        return ks_error_set(err, KS_EDATA, "%s: not a kasane key share (it is empty)", name);
    if (l.n == sizeof KS_SHARE_HEADER_V1 - 1 && strncmp(l.p, KS_SHARE_HEADER_V1, l.n) == 0)
        h->version = KS_SHARE_V1;
    else if (l.n == sizeof KS_SHARE_HEADER_V2 - 1 && strncmp(l.p, KS_SHARE_HEADER_V2, l.n) == 0)
        h->version = KS_SHARE_V2;
    else if (l.n < 40 && l.n > sizeof KS_SHARE_HEADER_ANY - 1
             && strncmp(l.p, KS_SHARE_HEADER_ANY, sizeof KS_SHARE_HEADER_ANY - 1) == 0)
        return ks_error_set(err, KS_EDATA, "%s: a share of format %.*s (this kasane reads v1 and v2)", name,
                            (int)(l.n - (sizeof KS_SHARE_HEADER_ANY - 2)), l.p + sizeof KS_SHARE_HEADER_ANY - 2);
    else
        return ks_error_set(err, KS_EDATA, "%s: not a kasane key share (the first line must be '%s' or '%s')",
                            name, KS_SHARE_HEADER_V1, KS_SHARE_HEADER_V2);
    const char *w[3];
    size_t wn[3];
    if (!next_line(at, end, no, &l) || words(&l, w, wn, 3) != 2 || wn[0] != 12
        || strncmp(w[0], "fingerprint:", 12) != 0 || wn[1] != 32 || !all_hex(w[1], 32))
        return ks_error_set(err, KS_EDATA, "%s:%d: expected 'fingerprint: ' and 32 hex digits", name, l.no);
    for (int i = 0; i < 32; i++)
        h->hex[i] = (char)tolower((unsigned char)w[1][i]);
    h->hex[32] = '\0';
    if (!next_line(at, end, no, &l) || line_str(&l, buf) != 0)
        return ks_error_set(err, KS_EDATA, "%s: expected 'share: X of N (any T reconstruct)'", name);
    if (sscanf(buf, "share: %d of %d (any %d reconstruct)%n", &h->x, &h->n, &h->t, &used) != 3
        || (size_t)used != l.n)
        return ks_error_set(err, KS_EDATA, "%s:%d: expected 'share: X of N (any T reconstruct)'", name, l.no);
    h->epochs = 1;
    if (h->version == KS_SHARE_V1)
        return 0;
    used = 0;
    if (!next_line(at, end, no, &l) || line_str(&l, buf) != 0 || sscanf(buf, "epochs: %d%n", &h->epochs, &used) != 1
        || (size_t)used != l.n || h->epochs < 2 || h->epochs > KS_KEY_EPOCHS_MAX)
        return ks_error_set(err, KS_EDATA, "%s: expected 'epochs: E' after the 'share:' line of a v2 share "
                            "(E from 2 to %d)", name, KS_KEY_EPOCHS_MAX);
    return 0;
}

/* The numbered lines into b32[0..nc), each checked against its checksum:
 * as many as nc characters (from the header) take. */
static int parse_lines(const char **at, const char *end, int *no, const char *name, const share_head *h, char *b32,
                       size_t nc, ks_error *err)
{
    int lines = (int)((nc + KS_LINE_CHARS - 1) / KS_LINE_CHARS);
    char hint[96] = "";
    if (h->version == KS_SHARE_V2) /* the line count follows from it */
        snprintf(hint, sizeof hint, "; is 'epochs: %d' in the header right?", h->epochs);
    size_t have = 0;
    text_line l;
    for (int line = 1; line <= lines; line++) {
        if (!next_line(at, end, no, &l))
            return ks_error_set(err, KS_EDATA, "%s: share line %02d is missing (a share has %d%s)", name, line,
                                lines, hint);
        const char *w[KS_MAX_WORDS];
        size_t wn[KS_MAX_WORDS];
        int k = words(&l, w, wn, KS_MAX_WORDS);
        char num[4] = {0};
        if (k < 3 || k == KS_MAX_WORDS || wn[0] > 3)
            return ks_error_set(err, KS_EDATA, "%s:%d: expected share line %02d: its number, groups of "
                                "characters, its checksum", name, l.no, line);
        memcpy(num, w[0], wn[0]);
        if (atoi(num) != line)
            return ks_error_set(err, KS_EDATA, "%s:%d: numbered '%s' where share line %02d belongs "
                                "(a line is missing or out of order)", name, l.no, num, line);
        char chars[KS_LINE_CHARS + 1];
        size_t n = 0;
        for (int i = 1; i < k - 1; i++)
            for (size_t c = 0; c < wn[i]; c++) {
                if (b32_value(w[i][c]) < 0)
                    return ks_error_set(err, KS_EDATA, "%s:%d: share line %02d: '%c' is not a base32 "
                                        "character (A-Z, 2-7)", name, l.no, line, w[i][c]);
                if (n == KS_LINE_CHARS || have + n == nc)
                    return ks_error_set(err, KS_EDATA, "%s:%d: share line %02d has too many characters",
                                        name, l.no, line);
                chars[n++] = (char)toupper((unsigned char)w[i][c]);
            }
        char want[KS_CHECK_CHARS + 1], got[KS_CHECK_CHARS + 1] = {0};
        line_check(line, chars, n, want);
        for (size_t c = 0; c < wn[k - 1] && c < KS_CHECK_CHARS; c++)
            got[c] = (char)toupper((unsigned char)w[k - 1][c]);
        if (wn[k - 1] != KS_CHECK_CHARS || strcmp(got, want) != 0)
            return ks_error_set(err, KS_EDATA, "%s:%d: share line %02d does not match its checksum: a "
                                "character on it is mistyped, missing or extra", name, l.no, line);
        memcpy(b32 + have, chars, n);
        have += n;
    }
    if (have != nc)
        return ks_error_set(err, KS_EDATA, "%s: the share lines hold %zu characters, a share has %zu", name,
                            have, nc);
    if (next_line(at, end, no, &l))
        return ks_error_set(err, KS_EDATA, "%s:%d: unexpected text after share line %02d%s", name, l.no,
                            lines, hint);
    return 0;
}

static int b32_decode(const char *s, size_t n, uint8_t *out, size_t outn)
{
    unsigned acc = 0;
    int bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 5) | (unsigned)b32_value(s[i]);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            if (o == outn)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return o == outn && acc == 0 ? 0 : -1; /* the padding bits must be zero */
}

int ks_share_parse(const char *text, size_t len, const char *name, ks_share *out, ks_error *err)
{
    const char *at = text, *end = text + len;
    int no = 0;
    share_head h;
    char b32[KS_B32_MAX], hex2[KS_FINGERPRINT_HEX];
    uint8_t bin[KS_SHARE_BIN_MAX];
    memset(out, 0, sizeof *out);
    int rc = parse_header(&at, end, &no, name, &h, err);
    if (rc < 0)
        return rc;
    size_t nb = share_bytes(h.version, h.epochs), nc = b32_chars(nb);
    if ((rc = parse_lines(&at, end, &no, name, &h, b32, nc, err)) < 0)
        goto done;
    if (b32_decode(b32, nc, bin, nb) != 0) {
        rc = ks_error_set(err, KS_EDATA, "%s: the share lines do not decode", name);
        goto done;
    }
    share_unpack(bin, nb, h.version, out);
    if (out->version != h.version) {
        rc = ks_error_set(err, KS_EDATA, "%s: the header says format v%d, the share lines hold format %d", name,
                          h.version, out->version);
        goto done;
    }
    fp_hex(out->fp, hex2);
    if (strcmp(h.hex, hex2) != 0 || h.x != out->x || h.n != out->n || h.t != out->t || h.epochs != out->epochs) {
        rc = ks_error_set(err, KS_EDATA, "%s: the header (fingerprint %s, share %d of %d, any %d, epochs %d) does "
                          "not match the share lines (fingerprint %s, share %d of %d, any %d, epochs %d)", name,
                          h.hex, h.x, h.n, h.t, h.epochs, hex2, out->x, out->n, out->t, out->epochs);
        goto done;
    }
    if (!share_sane(out))
        rc = ks_error_set(err, KS_EDATA, "%s: share %d of %d (any %d) is impossible", name, out->x, out->n, out->t);
done:
    sodium_memzero(b32, sizeof b32);
    sodium_memzero(bin, sizeof bin);
    if (rc < 0)
        sodium_memzero(out, sizeof *out);
    return rc;
}
