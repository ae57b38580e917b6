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

#define KS_SHARE_HEADER "kasane key share v1"
#define KS_SHARE_AD "kasane key share v1"       /* prefix of the associated data */
#define KS_SHARE_LINE_MSG "kasane share line"   /* prefix of each line's checksum */
#define KS_FP_MSG "kasane key fingerprint v1"   /* as pseudo.c */

enum {
    KS_B32_LEN = (KS_SHARE_BYTES * 8 + 4) / 5, /* base32 characters of a share, no padding */
    KS_LINE_CHARS = 20,                        /* base32 characters a line, 4 groups of 5 */
    KS_LINE_GROUP = 5,
    KS_LINES = (KS_B32_LEN + KS_LINE_CHARS - 1) / KS_LINE_CHARS,
    KS_CHECK_CHARS = 4, /* 20 bits of BLAKE2b: a mistyped line passes with p = 2^-20 */
    KS_MAX_WORDS = 32,  /* words on a share line: more is not a share line */
    KS_AD_BYTES = sizeof KS_SHARE_AD - 1 + 1 + KS_SHARE_FP_BYTES + 2,
};

_Static_assert(KS_SHARE_W_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES, "W is the AEAD key");
_Static_assert(KS_SHARE_NONCE_BYTES == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, "nonce size");
_Static_assert(KS_SHARE_CT_BYTES == KS_KEY_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES,
               "ciphertext = key + tag");
_Static_assert(sizeof(ks_share) == KS_SHARE_BYTES, "ks_share is its binary form");

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

/* ---- the key file -------------------------------------------------------- */

void ks_share_fingerprint(const uint8_t key[KS_KEY_BYTES], uint8_t fp[KS_SHARE_FP_BYTES])
{
    unsigned char h[crypto_generichash_BYTES];
    crypto_generichash(h, sizeof h, (const unsigned char *)KS_FP_MSG, sizeof KS_FP_MSG - 1, key,
                       KS_KEY_BYTES);
    memcpy(fp, h, KS_SHARE_FP_BYTES);
    sodium_memzero(h, sizeof h);
}

static void fp_hex(const uint8_t fp[KS_SHARE_FP_BYTES], char hex[KS_FINGERPRINT_HEX])
{
    sodium_bin2hex(hex, KS_FINGERPRINT_HEX, fp, KS_SHARE_FP_BYTES);
}

/* Reads exactly n bytes and then end of file; 0 or -1 (errno EIO: size). */
static int read_exact(int fd, uint8_t *p, size_t n)
{
    for (;;) {
        uint8_t extra;
        ssize_t got = n > 0 ? read(fd, p, n) : read(fd, &extra, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return -1;
        if (n == 0) {
            if (got == 0)
                return 0;
            errno = EIO;
            return -1;
        }
        if (got == 0) {
            errno = EIO;
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
}

int ks_share_read_key(const char *path, uint8_t key[KS_KEY_BYTES], uint8_t fp[KS_SHARE_FP_BYTES],
                      ks_error *err)
{
    /* ks_key_load makes the checks (mode, size, regular file); the bytes are
     * read again here because ks_key keeps them to itself, and the two
     * fingerprints must agree (a file replaced in between would not). */
    ks_key *k = ks_key_load(path, err);
    if (!k)
        return err ? -err->code : -KS_EIO;
    int rc = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || read_exact(fd, key, KS_KEY_BYTES) != 0) {
        rc = ks_error_set(err, KS_EIO, "cannot read key file '%s': %s", path, strerror(errno));
        goto done;
    }
    ks_share_fingerprint(key, fp);
    char hex[KS_FINGERPRINT_HEX];
    fp_hex(fp, hex);
    if (strcmp(hex, ks_key_fingerprint(k)) != 0)
        rc = ks_error_set(err, KS_ESAFETY, "key file '%s' changed while it was being read", path);
done:
    if (fd >= 0)
        close(fd);
    if (rc < 0)
        sodium_memzero(key, KS_KEY_BYTES);
    ks_key_free(k);
    return rc;
}

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
    /* O_EXCL: never replace a key (it would orphan its databases) nor a share
     * (it may be another key's).  O_NOFOLLOW: nor write through a symlink. */
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
        unlink(path); /* a half-written key would block the next attempt */
    else
        sync_parent_dir(path);
    return rc;
}

/* ---- split and join ------------------------------------------------------ */

/* What the wrapping authenticates besides the key: the fingerprint, version,
 * t and n (common to all shares; x differs between them). */
static void share_ad(const ks_share *s, uint8_t ad[KS_AD_BYTES])
{
    size_t o = sizeof KS_SHARE_AD - 1;
    memcpy(ad, KS_SHARE_AD, o);
    ad[o++] = s->version;
    memcpy(ad + o, s->fp, KS_SHARE_FP_BYTES);
    o += KS_SHARE_FP_BYTES;
    ad[o++] = s->t;
    ad[o] = s->n;
}

int ks_share_split_key(const uint8_t key[KS_KEY_BYTES], int t, int n, ks_share *out, ks_error *err)
{
    if (t < 2 || n < t || n > KS_SHARE_MAX_N)
        return ks_error_set(err, KS_EUSAGE, "need 2 <= t <= n <= %d (t = %d, n = %d)", KS_SHARE_MAX_N,
                            t, n);
    int rc = ks_crypto_init(err);
    if (rc < 0)
        return rc;
    uint8_t w[KS_SHARE_W_BYTES], ws[KS_SHARE_MAX_N * KS_SHARE_W_BYTES], ad[KS_AD_BYTES];
    ks_share proto;
    memset(&proto, 0, sizeof proto);
    proto.version = KS_SHARE_VERSION;
    ks_share_fingerprint(key, proto.fp);
    proto.t = (uint8_t)t;
    proto.n = (uint8_t)n;
    crypto_aead_xchacha20poly1305_ietf_keygen(w);
    randombytes_buf(proto.nonce, sizeof proto.nonce);
    share_ad(&proto, ad);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(proto.ct, &clen, key, KS_KEY_BYTES, ad, sizeof ad, NULL,
                                               proto.nonce, w);
    if ((rc = ks_shamir_split(w, sizeof w, t, n, ws, err)) < 0)
        goto done;
    for (int i = 0; i < n; i++) {
        out[i] = proto;
        out[i].x = (uint8_t)(i + 1);
        memcpy(out[i].w, ws + (size_t)i * KS_SHARE_W_BYTES, KS_SHARE_W_BYTES);
    }
done:
    sodium_memzero(w, sizeof w);
    sodium_memzero(ws, sizeof ws);
    return rc;
}

/* The shares must belong together before any arithmetic. */
static int check_set(const ks_share *s, int k, ks_error *err)
{
    if (k < 1)
        return ks_error_set(err, KS_EUSAGE, "no shares given");
    for (int j = 0; j < k; j++) {
        if (s[j].version != KS_SHARE_VERSION || s[j].t < 2 || s[j].n < s[j].t || s[j].n > KS_SHARE_MAX_N
            || s[j].x < 1 || s[j].x > s[j].n)
            return ks_error_set(err, KS_EDATA, "share %d is not a valid v%d share", j + 1, KS_SHARE_VERSION);
        if (sodium_memcmp(s[j].fp, s[0].fp, KS_SHARE_FP_BYTES) != 0) {
            char a[KS_FINGERPRINT_HEX], b[KS_FINGERPRINT_HEX];
            fp_hex(s[0].fp, a);
            fp_hex(s[j].fp, b);
            return ks_error_set(err, KS_EUSAGE, "the shares are of different keys (fingerprints %s and %s)",
                                a, b);
        }
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

/* Interpolates W from the shares sub[0..t) and decrypts the wrapping carried
 * by share `ct_from`: 0 with the key, or -1 when it does not authenticate. */
static int try_subset(const ks_share *s, const int *sub, int t, const ks_share *ct_from,
                      uint8_t key[KS_KEY_BYTES])
{
    uint8_t xs[KS_SHARE_MAX_N], w[KS_SHARE_W_BYTES], ad[KS_AD_BYTES];
    const uint8_t *ys[KS_SHARE_MAX_N];
    for (int i = 0; i < t; i++) {
        xs[i] = s[sub[i]].x;
        ys[i] = s[sub[i]].w;
    }
    int rc = -1;
    if (ks_shamir_interpolate(xs, ys, t, sizeof w, 0, w, NULL) == 0) {
        share_ad(ct_from, ad);
        unsigned long long mlen = 0;
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(key, &mlen, NULL, ct_from->ct, sizeof ct_from->ct,
                                                       ad, sizeof ad, ct_from->nonce, w) == 0) {
            uint8_t fp[KS_SHARE_FP_BYTES];
            ks_share_fingerprint(key, fp);
            /* Only a share set made to deceive could authenticate a key of
             * another fingerprint; refuse it all the same. */
            rc = sodium_memcmp(fp, ct_from->fp, sizeof fp) == 0 ? 0 : -1;
        }
    }
    sodium_memzero(w, sizeof w);
    if (rc < 0)
        sodium_memzero(key, KS_KEY_BYTES);
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
        if (memcmp(s[j].nonce, good->nonce, sizeof good->nonce) != 0
            || memcmp(s[j].ct, good->ct, sizeof good->ct) != 0)
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

int ks_share_join(const ks_share *shares, int k, uint8_t key[KS_KEY_BYTES], int *bad, ks_error *err)
{
    int rc = check_set(shares, k, err);
    if (rc < 0)
        return rc;
    if ((rc = ks_crypto_init(err)) < 0)
        return rc;
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
                seen = memcmp(shares[sub[m]].ct, c->ct, sizeof c->ct) == 0
                       && memcmp(shares[sub[m]].nonce, c->nonce, sizeof c->nonce) == 0;
            if (seen || try_subset(shares, sub, t, c, key) != 0)
                continue;
            if (bad)
                mark_bad(shares, k, sub, t, c, bad);
            return 0;
        }
    } while (next_subset(sub, t, k));
    return ks_error_set(err, KS_ESAFETY, "the shares do not reconstruct the key: one is wrong or altered");
}

/* ---- the printable form -------------------------------------------------- */

/* The binary form: the fields back to back (ks_share is only bytes). */
static void share_pack(const ks_share *s, uint8_t out[KS_SHARE_BYTES])
{
    memcpy(out, s, KS_SHARE_BYTES);
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
    uint8_t bin[KS_SHARE_BYTES];
    char b32[KS_B32_LEN + 1], hex[KS_FINGERPRINT_HEX], chk[KS_CHECK_CHARS + 1];
    share_pack(s, bin);
    b32_encode(bin, sizeof bin, b32);
    fp_hex(s->fp, hex);
    ks_buf_addf(out, "%s\nfingerprint: %s\nshare: %d of %d (any %d reconstruct)\n\n", KS_SHARE_HEADER, hex,
                s->x, s->n, s->t);
    for (int line = 0; line < KS_LINES; line++) {
        size_t at = (size_t)line * KS_LINE_CHARS;
        size_t n = KS_B32_LEN - at < KS_LINE_CHARS ? KS_B32_LEN - at : KS_LINE_CHARS;
        ks_buf_addf(out, "%02d ", line + 1);
        for (size_t g = 0; g < n; g += KS_LINE_GROUP)
            ks_buf_addf(out, " %.*s", (int)(n - g < KS_LINE_GROUP ? n - g : KS_LINE_GROUP), b32 + at + g);
        line_check(line + 1, b32 + at, n, chk);
        ks_buf_addf(out, "  %s\n", chk);
    }
    sodium_memzero(bin, sizeof bin);
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

/* The header's three lines: version, fingerprint, "share: X of N (any T ...)". */
static int parse_header(const char **at, const char *end, int *no, const char *name, char hex[KS_FINGERPRINT_HEX],
                        int xnt[3], ks_error *err)
{
    text_line l;
    if (!next_line(at, end, no, &l) || l.n != sizeof KS_SHARE_HEADER - 1
        || strncmp(l.p, KS_SHARE_HEADER, l.n) != 0)
        return ks_error_set(err, KS_EDATA, "%s: not a kasane key share (the first line must be '%s')", name,
                            KS_SHARE_HEADER);
    const char *w[3];
    size_t wn[3];
    if (!next_line(at, end, no, &l) || words(&l, w, wn, 3) != 2 || wn[0] != 12
        || strncmp(w[0], "fingerprint:", 12) != 0 || wn[1] != 32 || strspn(w[1], "0123456789abcdefABCDEF") < 32)
        return ks_error_set(err, KS_EDATA, "%s:%d: expected 'fingerprint: ' and 32 hex digits", name, l.no);
    for (int i = 0; i < 32; i++)
        hex[i] = (char)tolower((unsigned char)w[1][i]);
    hex[32] = '\0';
    char buf[64];
    if (!next_line(at, end, no, &l) || l.n >= sizeof buf)
        return ks_error_set(err, KS_EDATA, "%s: expected 'share: X of N (any T reconstruct)'", name);
    memcpy(buf, l.p, l.n);
    buf[l.n] = '\0';
    int used = 0;
    if (sscanf(buf, "share: %d of %d (any %d reconstruct)%n", &xnt[0], &xnt[1], &xnt[2], &used) != 3
        || (size_t)used != l.n)
        return ks_error_set(err, KS_EDATA, "%s:%d: expected 'share: X of N (any T reconstruct)'", name, l.no);
    return 0;
}

/* The numbered lines into b32[0..KS_B32_LEN), each checked against its checksum. */
static int parse_lines(const char **at, const char *end, int *no, const char *name, char *b32, ks_error *err)
{
    size_t have = 0;
    text_line l;
    for (int line = 1; line <= KS_LINES; line++) {
        if (!next_line(at, end, no, &l))
            return ks_error_set(err, KS_EDATA, "%s: share line %02d is missing (a share has %d)", name, line,
                                KS_LINES);
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
                if (n == KS_LINE_CHARS || have + n == KS_B32_LEN)
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
    if (have != KS_B32_LEN)
        return ks_error_set(err, KS_EDATA, "%s: the share lines hold %zu characters, a share has %d", name,
                            have, KS_B32_LEN);
    if (next_line(at, end, no, &l))
        return ks_error_set(err, KS_EDATA, "%s:%d: unexpected text after share line %02d", name, l.no,
                            KS_LINES);
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
    int no = 0, xnt[3];
    char hex[KS_FINGERPRINT_HEX], b32[KS_B32_LEN], hex2[KS_FINGERPRINT_HEX];
    int rc = parse_header(&at, end, &no, name, hex, xnt, err);
    if (rc < 0 || (rc = parse_lines(&at, end, &no, name, b32, err)) < 0)
        return rc;
    if (b32_decode(b32, sizeof b32, (uint8_t *)out, KS_SHARE_BYTES) != 0)
        return ks_error_set(err, KS_EDATA, "%s: the share lines do not decode", name);
    if (out->version != KS_SHARE_VERSION)
        return ks_error_set(err, KS_EDATA, "%s: a share of format version %d (this kasane reads %d)", name,
                            out->version, KS_SHARE_VERSION);
    fp_hex(out->fp, hex2);
    if (strcmp(hex, hex2) != 0 || xnt[0] != out->x || xnt[1] != out->n || xnt[2] != out->t)
        return ks_error_set(err, KS_EDATA, "%s: the header (fingerprint %s, share %d of %d, any %d) does not "
                            "match the share lines (fingerprint %s, share %d of %d, any %d)", name, hex, xnt[0],
                            xnt[1], xnt[2], hex2, out->x, out->n, out->t);
    if (out->t < 2 || out->n < out->t || out->n > KS_SHARE_MAX_N || out->x < 1 || out->x > out->n)
        return ks_error_set(err, KS_EDATA, "%s: share %d of %d (any %d) is impossible", name, out->x, out->n,
                            out->t);
    return 0;
}
