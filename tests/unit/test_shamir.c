/* test_shamir.c: GF(256), Shamir's secret sharing and shares of the key.
 *
 * Known values: FIPS-197 section 4.2 gives {57}*{83} = {c1} and
 * {57}*{13} = {fe}, and {53}*{ca} = {01} (section 5.1.1's inverse example);
 * every product is also compared with a reference built here from a
 * different method (log/antilog tables of the generator {03}).  The keys'
 * fingerprints and the chain's checksum are Python's hashlib values (at
 * "shares of the key"); the share sizes are counted by hand from
 * docs/keys.md.  Secrecy is checked exhaustively over one byte: the value
 * (t = 2) or pair of values (t = 3) that t - 1 shares take is uniformly
 * distributed whatever the secret. */
#include "shamir.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

static ks_buf tmpdir; /* this test's scratch directory */

static char *tmp_path(const char *name)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s/%s", tmpdir.buf, name);
    return ks_buf_detach(&b, NULL);
}

/* ---- GF(256) ------------------------------------------------------------- */

/* log/antilog tables of {03}, a generator of the field's units: an
 * independent way to multiply. */
static void ref_tables(uint8_t lg[256], uint8_t ex[255])
{
    unsigned v = 1;
    for (int i = 0; i < 255; i++) {
        ex[i] = (uint8_t)v;
        lg[v] = (uint8_t)i;
        unsigned v2 = v << 1; /* v * {03} = v * {02} ^ v */
        if (v2 & 0x100)
            v2 ^= 0x11b;
        v = v2 ^ v;
    }
}

static void test_gf256(void)
{
    KS_CHECK_INT(ks_gf256_mul(0x57, 0x83), 0xc1);
    KS_CHECK_INT(ks_gf256_mul(0x57, 0x13), 0xfe);
    KS_CHECK_INT(ks_gf256_mul(0x53, 0xca), 0x01);
    KS_CHECK_INT(ks_gf256_mul(0x02, 0x80), 0x1b); /* x * x^7 = x^8 = x^4+x^3+x+1 */
    KS_CHECK_INT(ks_gf256_inv(0x53), 0xca);
    KS_CHECK_INT(ks_gf256_inv(0), 0);
    KS_CHECK_INT(ks_gf256_inv(1), 1);

    uint8_t lg[256] = {0}, ex[255];
    ref_tables(lg, ex);
    int mismatches = 0;
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 256; b++) {
            int want = (a && b) ? ex[(lg[a] + lg[b]) % 255] : 0;
            mismatches += ks_gf256_mul((uint8_t)a, (uint8_t)b) != want;
        }
    KS_CHECK_INT(mismatches, 0);

    /* Every nonzero element has exactly one inverse, and inv finds it. */
    int bad_inv = 0;
    for (int a = 1; a < 256; a++) {
        int found = 0, which = -1;
        for (int b = 1; b < 256; b++)
            if (ks_gf256_mul((uint8_t)a, (uint8_t)b) == 1) {
                found++;
                which = b;
            }
        bad_inv += found != 1 || ks_gf256_inv((uint8_t)a) != which;
    }
    KS_CHECK_INT(bad_inv, 0);
}

/* ---- Shamir over bytes --------------------------------------------------- */

enum { SECRET_LEN = 16 };

/* Interpolates at 0 through the shares listed in idx (0-based). */
static int join_subset(const uint8_t *shares, const int *idx, int k, uint8_t *out)
{
    uint8_t xs[8];
    const uint8_t *ys[8];
    for (int i = 0; i < k; i++) {
        xs[i] = (uint8_t)(idx[i] + 1);
        ys[i] = shares + (size_t)idx[i] * SECRET_LEN;
    }
    return ks_shamir_interpolate(xs, ys, k, SECRET_LEN, 0, out, NULL);
}

/* Calls fn for every k-subset of 0..n-1 (k <= 7). */
static void each_subset(int n, int k, const uint8_t *shares, const uint8_t *secret, int *ok, int *total)
{
    for (unsigned mask = 0; mask < (1u << n); mask++) {
        if (__builtin_popcount(mask) != k)
            continue;
        int idx[8], m = 0;
        for (int i = 0; i < n; i++)
            if (mask & (1u << i))
                idx[m++] = i;
        uint8_t got[SECRET_LEN];
        if (join_subset(shares, idx, k, got) == 0 && memcmp(got, secret, SECRET_LEN) == 0)
            ++*ok;
        ++*total;
    }
}

static void test_split_join(void)
{
    uint8_t secret[SECRET_LEN], shares[7 * SECRET_LEN];
    for (int i = 0; i < SECRET_LEN; i++)
        secret[i] = (uint8_t)(0xa5 ^ (i * 37));
    int wrong_full = 0, right_short = 0, cases = 0;
    for (int t = 1; t <= 5; t++)
        for (int n = t; n <= 7; n++) {
            ks_error err = {0};
            KS_CHECK_INT(ks_shamir_split(secret, SECRET_LEN, t, n, shares, &err), 0);
            int ok = 0, total = 0;
            each_subset(n, t, shares, secret, &ok, &total);
            wrong_full += total - ok;
            cases += total;
            if (t >= 2) { /* t - 1 shares: the odds of 16 right bytes are 2^-128 */
                ok = total = 0;
                each_subset(n, t - 1, shares, secret, &ok, &total);
                right_short += ok;
            }
        }
    KS_CHECK_INT(wrong_full, 0);
    KS_CHECK_INT(right_short, 0);
    KS_CHECK_INT(cases, 238); /* sum over t = 1..5, n = t..7 of C(n, t): 28 + 56 + 70 + 56 + 28 */

    /* By hand: f(x) = 42 + 01 x gives f(1) = 43, f(2) = 40; back to 42 at 0. */
    uint8_t xs[2] = {1, 2}, y1 = 0x43, y2 = 0x40, s = 0;
    const uint8_t *ys[2] = {&y1, &y2};
    KS_CHECK_INT(ks_shamir_interpolate(xs, ys, 2, 1, 0, &s, NULL), 0);
    KS_CHECK_INT(s, 0x42);
    uint8_t coef[2] = {0x42, 0x01};
    KS_CHECK_INT(ks_shamir_eval(coef, 2, 1), 0x43);
    KS_CHECK_INT(ks_shamir_eval(coef, 2, 2), 0x40);

    ks_error err = {0};
    KS_CHECK_INT(ks_shamir_split(secret, 1, 3, 2, shares, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_shamir_split(secret, 1, 0, 2, shares, &err), -KS_EUSAGE);
    xs[1] = 1;
    KS_CHECK_INT(ks_shamir_interpolate(xs, ys, 2, 1, 0, &s, &err), -KS_EUSAGE); /* duplicate x */
}

/* For t = 2: whatever the secret s and the share's x, each value y of the one
 * share comes from exactly one of the 256 coefficients, so y says nothing
 * about s. */
static void test_secrecy_t2(void)
{
    int uneven = 0;
    for (int s = 0; s < 256; s++)
        for (int x = 1; x < 256; x++) {
            int count[256] = {0};
            for (int a = 0; a < 256; a++) {
                uint8_t coef[2] = {(uint8_t)s, (uint8_t)a};
                count[ks_shamir_eval(coef, 2, (uint8_t)x)]++;
            }
            for (int y = 0; y < 256; y++)
                uneven += count[y] != 1;
        }
    KS_CHECK_INT(uneven, 0);
}

/* For t = 3: two shares at x1, x2 take each pair of values (y1, y2) for
 * exactly one of the 65536 coefficient pairs, whatever s. */
static void check_pair_t3(int s, uint8_t x1, uint8_t x2, int *uneven)
{
    uint8_t *count = ks_calloc(65536, 1);
    for (int a1 = 0; a1 < 256; a1++)
        for (int a2 = 0; a2 < 256; a2++) {
            uint8_t coef[3] = {(uint8_t)s, (uint8_t)a1, (uint8_t)a2};
            unsigned y1 = ks_shamir_eval(coef, 3, x1), y2 = ks_shamir_eval(coef, 3, x2);
            count[y1 << 8 | y2]++;
        }
    for (int i = 0; i < 65536; i++)
        *uneven += count[i] != 1;
    free(count);
}

static void test_secrecy_t3(void)
{
    int uneven = 0;
    for (int s = 0; s < 256; s += 1)
        check_pair_t3(s, 1, 2, &uneven);
    static const uint8_t pairs[][2] = {{3, 200}, {7, 255}, {16, 17}};
    static const int secrets[] = {0x00, 0x5a, 0xff};
    for (size_t p = 0; p < KS_ARRAY_LEN(pairs); p++)
        for (size_t s = 0; s < KS_ARRAY_LEN(secrets); s++)
            check_pair_t3(secrets[s], pairs[p][0], pairs[p][1], &uneven);
    KS_CHECK_INT(uneven, 0);
}

/* ---- shares of the key --------------------------------------------------- */

/* The two keys of these tests, as file bytes (pseudo.h): the 32-byte key
 * 00 01 .. 1f, and the 3-epoch chain whose epochs are 00..1f, 20..3f and
 * 40..5f (so the first is the chain's epoch 0), with its checksum from
 * Python's hashlib:
 *   body = b'kasane-keychain\x01' + bytes([3]) + bytes(range(96))
 *   hashlib.blake2b(body, digest_size=16).hexdigest()
 * Their fingerprints (pseudo.h, same recipe as test_pseudo.c):
 *   hashlib.blake2b(b'kasane key fingerprint v1', digest_size=32,
 *                   key=bytes(range(64, 96))).digest()[:16].hex() */
enum { CHAIN3_BYTES = 16 + 1 + 3 * 32 + 16 }; /* 129 */
static const char fp_key[] = "bdac23fe9f61a53521fb91d1dfd1348e";   /* the 32-byte key, epoch 0 */
static const char fp_chain[] = "09a5e63afc1a47e8d4073c8d745682c4"; /* the chain: epoch 2's key */

static size_t key_file(int chain, uint8_t out[CHAIN3_BYTES])
{
    if (!chain) {
        for (int i = 0; i < 32; i++)
            out[i] = (uint8_t)i;
        return 32;
    }
    static const char sum[] = "69529dbcea68bd6788815a54dda81c16";
    memcpy(out, "kasane-keychain\1", 16);
    out[16] = 3;
    for (int i = 0; i < 96; i++)
        out[17 + i] = (uint8_t)i;
    for (int i = 0; i < 16; i++) {
        unsigned v = 0;
        sscanf(sum + 2 * i, "%2x", &v);
        out[113 + i] = (uint8_t)v;
    }
    return CHAIN3_BYTES;
}

static ks_key *test_key(int chain)
{
    uint8_t b[CHAIN3_BYTES];
    ks_error err = {0};
    ks_key *k = ks_key_parse(b, key_file(chain, b), "test key", &err);
    if (!k)
        fprintf(stderr, "test key: %s\n", err.msg);
    KS_CHECK(k != NULL);
    return k;
}

/* Whether k (may be NULL) is the key of file bytes want[0..n). */
static int key_is(const ks_key *k, const uint8_t *want, size_t n)
{
    uint8_t got[KS_KEY_FILE_MAX];
    return k && ks_key_serialise(k, got) == n && memcmp(got, want, n) == 0;
}

/* Joins, returning 1 when the result is the key of want[0..n); *rc gets
 * the status.  The joined key is freed. */
static int joins_to(const ks_share *set, int k, const uint8_t *want, size_t n, int *bad, int *rc, ks_error *err)
{
    ks_key *got = (ks_key *)1; /* must be overwritten */
    *rc = ks_share_join(set, k, &got, bad, err);
    int ok = *rc == 0 && key_is(got, want, n);
    if (*rc != 0)
        KS_CHECK(got == NULL);
    if (*rc == 0)
        ks_key_free(got);
    return ok;
}

static void hex16(const char *hex, uint8_t out[16])
{
    for (int i = 0; i < 16; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* The share tests, on the 32-byte key (v1) or the chain (v2). */
static void check_key_shares(int chain)
{
    uint8_t file[CHAIN3_BYTES], fp[KS_SHARE_FP_BYTES];
    size_t flen = key_file(chain, file);
    ks_key *key = test_key(chain);
    if (!key)
        return;
    /* the fingerprint known answers, through pseudo.h */
    KS_CHECK_STR(ks_key_fingerprint(key), chain ? fp_chain : fp_key);
    hex16(chain ? fp_chain : fp_key, fp);

    ks_share sh[5], set[5], other[5];
    ks_error err = {0};
    int bad[5], rc;
    KS_CHECK_INT(ks_share_split_key(key, 3, 5, sh, &err), 0);
    for (int i = 0; i < 5; i++) {
        KS_CHECK_INT(sh[i].version, chain ? 2 : 1);
        KS_CHECK_INT(sh[i].epochs, chain ? 3 : 1);
        KS_CHECK_INT(sh[i].ct_len, chain ? 129 + 16 : 32 + 16);
        KS_CHECK_INT(sh[i].x, i + 1);
        KS_CHECK_INT(sh[i].t, 3);
        KS_CHECK_INT(sh[i].n, 5);
        KS_CHECK(memcmp(sh[i].fp, fp, sizeof fp) == 0);
        KS_CHECK(memcmp(sh[i].ct, sh[0].ct, sh[0].ct_len) == 0);
        /* no key in clear: not epoch 0's, not (chain) epoch 2's */
        KS_CHECK(memmem(sh[i].ct, sh[i].ct_len, file + (chain ? 17 : 0) + 4, 8) == NULL);
        KS_CHECK(!chain || memmem(sh[i].ct, sh[i].ct_len, file + 17 + 64 + 4, 8) == NULL);
    }
    /* Every subset of 3, 4 or 5, in reverse order too. */
    int joined = 0, subsets = 0;
    for (unsigned mask = 0; mask < 32; mask++) {
        int k = 0;
        if (__builtin_popcount(mask) < 3)
            continue;
        for (int i = 4; i >= 0; i--)
            if (mask & (1u << i))
                set[k++] = sh[i];
        int anybad = 0;
        int ok = joins_to(set, k, file, flen, bad, &rc, &err);
        for (int i = 0; i < k; i++)
            anybad |= bad[i];
        joined += ok && !anybad;
        subsets++;
    }
    KS_CHECK_INT(subsets, 16); /* C(5,3) + C(5,4) + C(5,5) */
    KS_CHECK_INT(joined, 16);

    /* Too few (every pair), duplicates. */
    int short_ok = 0;
    for (int a = 0; a < 5; a++)
        for (int b = a + 1; b < 5; b++) {
            set[0] = sh[a], set[1] = sh[b];
            short_ok += joins_to(set, 2, file, flen, bad, &rc, &err);
            KS_CHECK_INT(rc, -KS_EUSAGE);
            KS_CHECK(strstr(err.msg, "2 shares given, 3 needed") != NULL);
        }
    KS_CHECK_INT(short_ok, 0);
    set[0] = sh[0], set[1] = sh[1], set[2] = sh[1];
    KS_CHECK(!joins_to(set, 3, file, flen, bad, &rc, &err));
    KS_CHECK_INT(rc, -KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "given twice") != NULL);

    /* Another key's share in the set: an unrelated key, and the other of
     * the two keys here (the chain and its own epoch 0), either way round. */
    uint8_t key2[KS_KEY_BYTES];
    memset(key2, 0x77, sizeof key2);
    ks_key *k2 = ks_key_parse(key2, sizeof key2, "key2", &err), *sibling = test_key(!chain);
    KS_CHECK_INT(ks_share_split_key(k2, 3, 5, other, &err), 0);
    set[0] = sh[0], set[1] = sh[1], set[2] = other[2];
    KS_CHECK(!joins_to(set, 3, file, flen, bad, &rc, &err));
    KS_CHECK_INT(rc, -KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "different keys") != NULL);
    KS_CHECK_INT(ks_share_split_key(sibling, 3, 5, other, &err), 0);
    KS_CHECK_INT(other[0].version, chain ? 1 : 2);
    for (int first = 0; first < 2; first++) {
        set[0] = first ? other[0] : sh[0], set[1] = sh[1], set[2] = other[2];
        KS_CHECK(!joins_to(set, 3, file, flen, bad, &rc, &err));
        KS_CHECK_INT(rc, -KS_EUSAGE);
        KS_CHECK(strstr(err.msg, "different keys") != NULL);
        KS_CHECK(strstr(err.msg, fp_key) != NULL && strstr(err.msg, fp_chain) != NULL);
    }
    ks_key_free(k2);
    ks_key_free(sibling);
    /* Two splits of the same key do not mix either: W differs. */
    KS_CHECK_INT(ks_share_split_key(key, 3, 5, other, &err), 0);
    set[0] = sh[0], set[1] = sh[1], set[2] = other[2];
    KS_CHECK(!joins_to(set, 3, file, flen, bad, &rc, &err));
    KS_CHECK_INT(rc, -KS_ESAFETY);

    /* Tampering with exactly t shares: an authentication failure, never a
     * key.  The wrapping is altered in every copy (one altered copy beside
     * intact ones is below); so are n, the epochs (v2) and the version. */
    static const char *const where[] = {"w", "ct", "nonce", "n", "tag", "epochs", "version", "fp"};
    for (int what = 0; what < 8; what++)
        for (int bit = 0; bit < 8; bit += 3) {
            if (what == 5 && !chain)
                continue; /* v1 has no epochs byte: 1 is implied (and checked below) */
            set[0] = sh[0], set[1] = sh[2], set[2] = sh[4];
            for (int i = 0; i < 3; i++) {
                if (what == 0 && i == 1)
                    set[i].w[5] ^= (uint8_t)(1u << bit);
                else if (what == 1)
                    set[i].ct[bit * 5] ^= (uint8_t)(1u << bit);
                else if (what == 2)
                    set[i].nonce[bit] ^= (uint8_t)(1u << bit);
                else if (what == 3) /* W interpolates as before, the AD differs */
                    set[i].n = 6;
                else if (what == 4)
                    set[i].ct[set[i].ct_len - 1 - bit] ^= 0x10;
                else if (what == 5)
                    set[i].epochs = (uint8_t)(bit == 0 ? 2 : 3 + bit); /* 2, 6, 9 */
                else if (what == 6) /* read as the other format */
                    set[i].version = chain ? 1 : 2, set[i].epochs = chain ? 1 : 2;
                else if (what == 7) /* relabelled as the sibling key's */
                    hex16(chain ? fp_key : fp_chain, set[i].fp);
            }
            err = (ks_error){0};
            int ok = joins_to(set, 3, file, flen, bad, &rc, &err);
            if (rc != -KS_ESAFETY)
                fprintf(stderr, "%s: tampered %s bit %d: rc %d %s\n", chain ? "chain" : "key", where[what], bit,
                        rc, err.msg);
            KS_CHECK(!ok);
            KS_CHECK_INT(rc, -KS_ESAFETY);
            KS_CHECK_STR(err.msg, "the shares do not reconstruct the key: one is wrong or altered");
        }
    /* Not a share at all: a v1 share of 2 epochs, a v2 share of 1. */
    set[0] = sh[0], set[1] = sh[2], set[2] = sh[4];
    set[1].epochs = chain ? 1 : 2;
    KS_CHECK_INT(ks_share_join(set, 3, &k2, bad, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "share 2 is not a valid share") != NULL);

    /* One share's copy of the wrapping altered, the others intact: W (from
     * its intact W bytes) opens the intact copy, and the share is named. */
    for (int field = 0; field < 3; field++) {
        if (field == 2 && !chain)
            continue;
        set[0] = sh[0], set[1] = sh[2], set[2] = sh[4];
        if (field == 0)
            set[1].ct[set[1].ct_len - 1] ^= 0x80;
        else if (field == 1)
            set[1].nonce[0] ^= 0x01;
        else
            set[1].epochs = 4;
        KS_CHECK(joins_to(set, 3, file, flen, bad, &rc, &err));
        KS_CHECK(!bad[0] && bad[1] && !bad[2]);
    }

    /* With more than t shares, the bad one is named and the key still comes back. */
    for (int victim = 0; victim < 5; victim++)
        for (int field = 0; field < 3; field++) {
            memcpy(set, sh, sizeof set);
            if (field == 0)
                set[victim].w[31] ^= 0x40;
            else if (field == 1)
                set[victim].ct[0] ^= 0x01;
            else
                set[victim].nonce[23] ^= 0x02;
            KS_CHECK(joins_to(set, 5, file, flen, bad, &rc, &err));
            for (int i = 0; i < 5; i++)
                KS_CHECK_INT(bad[i], i == victim);
        }
    ks_key_free(key);
}

static void test_key_shares(void)
{
    check_key_shares(0);
    check_key_shares(1);
}

/* ---- the printable form -------------------------------------------------- */

/* RFC 4648 base32 decoding, bit by bit, of the share lines' characters. */
static size_t ref_b32(const char *s, size_t n, uint8_t *out)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t bit = 0;
    memset(out, 0, 400);
    for (size_t i = 0; i < n; i++) {
        int v = (int)(strchr(alpha, s[i]) - alpha);
        for (int b = 4; b >= 0; b--, bit++)
            if ((v >> b) & 1)
                out[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
    }
    return bit / 8;
}

/* The share's characters from its text (the words between line number and checksum). */
static size_t data_chars(const char *text, char *out, int *lines)
{
    size_t n = 0;
    *lines = 0;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (!(l[0] >= '0' && l[0] <= '9'))
            continue;
        ++*lines;
        const char *e = strchr(l, '\n');
        const char *last = e - 1;
        while (*last != ' ')
            last--; /* the checksum is the last word */
        for (const char *p = l + 2; p < last; p++)
            if (*p != ' ')
                out[n++] = *p;
    }
    return n;
}

/* Field by field (ks_share's unused ct bytes and padding do not count). */
static int share_eq(const ks_share *a, const ks_share *b)
{
    return a->version == b->version && memcmp(a->fp, b->fp, sizeof a->fp) == 0 && a->t == b->t && a->n == b->n
           && a->x == b->x && memcmp(a->w, b->w, sizeof a->w) == 0 && memcmp(a->nonce, b->nonce, sizeof a->nonce) == 0
           && a->epochs == b->epochs && a->ct_len == b->ct_len && memcmp(a->ct, b->ct, a->ct_len) == 0;
}

/* The binary layout of docs/keys.md, checked on the decoded lines: v1 is
 * version, fp, t, n, x, W share, nonce, ct; v2 has the epochs byte before ct. */
static void check_layout(const uint8_t *bin, const ks_share *s)
{
    size_t ct_at = s->version == 2 ? 77 : 76;
    KS_CHECK_INT(bin[0], s->version);
    KS_CHECK(memcmp(bin + 1, s->fp, 16) == 0);
    KS_CHECK_INT(bin[17], s->t);
    KS_CHECK_INT(bin[18], s->n);
    KS_CHECK_INT(bin[19], s->x);
    KS_CHECK(memcmp(bin + 20, s->w, 32) == 0);
    KS_CHECK(memcmp(bin + 52, s->nonce, 24) == 0);
    if (s->version == 2)
        KS_CHECK_INT(bin[76], s->epochs);
    KS_CHECK(memcmp(bin + ct_at, s->ct, s->ct_len) == 0);
}

/* Formats s into text and checks the text: it starts with head, and its
 * share lines hold nchars base32 characters on nlines lines, which decode
 * (by the reference decoder) to nbytes bytes in docs/keys.md's layout. */
static void check_formatted(const ks_share *s, ks_buf *text, const char *head, size_t nchars, int nlines,
                            int nbytes)
{
    ks_share_format(s, text);
    KS_CHECK(strncmp(text->buf, head, strlen(head)) == 0);
    char chars[800];
    uint8_t bin[400];
    int lines = 0;
    size_t nc = data_chars(text->buf, chars, &lines);
    KS_CHECK_INT(nc, nchars);
    KS_CHECK_INT(lines, nlines);
    KS_CHECK_INT(ref_b32(chars, nc, bin), nbytes);
    check_layout(bin, s);
}

/* A copy of text with the first `from` replaced by `to`. */
static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    KS_CHECK(at != NULL);
    ks_buf b;
    ks_buf_init(&b);
    if (!at) {
        ks_buf_adds(&b, text);
        return ks_buf_detach(&b, NULL);
    }
    ks_buf_add(&b, text, (size_t)(at - text));
    ks_buf_adds(&b, to);
    ks_buf_adds(&b, at + strlen(from));
    return ks_buf_detach(&b, NULL);
}

static void test_text(void)
{
    ks_key *key = test_key(0);
    if (!key)
        return;
    ks_share sh[3], back;
    ks_error err = {0};
    KS_CHECK_INT(ks_share_split_key(key, 2, 3, sh, &err), 0);
    ks_buf text;
    ks_buf_init(&text);
    /* The lines hold the binary share in RFC 4648 base32: 124 bytes, 199 characters. */
    check_formatted(&sh[1], &text,
                    "kasane key share v1\nfingerprint: bdac23fe9f61a53521fb91d1dfd1348e\n"
                    "share: 2 of 3 (any 2 reconstruct)\n\n01  ",
                    199, 10, 124);

    /* Round trip, and in lower case with other spacing. */
    KS_CHECK_INT(ks_share_parse(text.buf, text.len, "s2", &back, &err), 0);
    KS_CHECK(share_eq(&back, &sh[1]));
    char *lower = ks_strdup(text.buf);
    for (char *p = strstr(lower, "\n01"); *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    ks_buf spaced;
    ks_buf_init(&spaced);
    ks_buf_adds(&spaced, "# custodian: the office safe\n");
    for (const char *p = lower; *p; p++) {
        ks_buf_addc(&spaced, *p);
        if (*p == '\n')
            ks_buf_adds(&spaced, "\n  ");
    }
    memset(&back, 0, sizeof back);
    KS_CHECK_INT(ks_share_parse(spaced.buf, spaced.len, "s2", &back, &err), 0);
    KS_CHECK(share_eq(&back, &sh[1]));

    /* One character changed on share line 03: that line is named. */
    char *typo = ks_strdup(text.buf);
    char *l3 = strstr(typo, "\n03  ") + 5;
    *l3 = *l3 == 'A' ? 'B' : 'A';
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "s2", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "s2:7: share line 03 does not match its checksum") != NULL);
    /* A character left out. */
    free(typo);
    typo = ks_strdup(text.buf);
    l3 = strstr(typo, "\n05  ") + 5;
    memmove(l3, l3 + 1, strlen(l3));
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "s2", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "share line 05 does not match its checksum") != NULL);
    /* A line missing. */
    free(typo);
    typo = ks_strdup(text.buf);
    char *l4 = strstr(typo, "\n04  ") + 1, *l5 = strstr(typo, "\n05  ") + 1;
    memmove(l4, l5, strlen(l5) + 1);
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "s2", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "where share line 04 belongs") != NULL);
    /* A header that does not match the lines. */
    free(typo);
    typo = ks_strdup(text.buf);
    char *hx = strstr(typo, "share: 2") + 7;
    *hx = '3';
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "s2", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "does not match the share lines") != NULL);
    /* Not a share at all, a share of a format to come. */
    KS_CHECK_INT(ks_share_parse("hello\n", 6, "x", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "not a kasane key share") != NULL);
    free(typo);
    typo = replaced(text.buf, "share v1", "share v3");
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "s2", &back, &err), -KS_EDATA);
    KS_CHECK_STR(err.msg, "s2: a share of format v3 (this kasane reads v1 and v2)");
    /* A v1 header over lines whose version byte says 3: formatted under
     * a "v2" header (without an epochs line) in v1's layout, then given v1's
     * header. */
    free(typo);
    ks_share odd = sh[1];
    odd.version = 3;
    ks_buf_reset(&text);
    ks_share_format(&odd, &text);
    KS_CHECK(strstr(text.buf, "epochs:") == NULL);
    char *t1 = replaced(text.buf, "share v2\n", "share v1\n");
    typo = ks_strdup(t1);
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "s2", &back, &err), -KS_EDATA);
    KS_CHECK_STR(err.msg, "s2: the header says format v1, the share lines hold format 3");

    free(t1);
    free(typo);
    free(lower);
    ks_buf_release(&spaced);
    ks_buf_release(&text);
    ks_key_free(key);
}

/* v2: the chain's share, 222 bytes: 76 as v1, the epochs byte, and the
 * 129-byte chain file wrapped with its 16-byte tag; 1776 bits are 356
 * base32 characters (355.2 rounded up), 17 lines of 20 and one of 16. */
static void test_text_v2(void)
{
    ks_key *key = test_key(1);
    if (!key)
        return;
    ks_share sh[3], back;
    ks_error err = {0};
    KS_CHECK_INT(ks_share_split_key(key, 2, 3, sh, &err), 0);
    ks_buf text;
    ks_buf_init(&text);
    /* the layout check reads the epochs byte, bin[76], against sh[2]'s 3 */
    KS_CHECK_INT(sh[2].epochs, 3);
    check_formatted(&sh[2], &text,
                    "kasane key share v2\nfingerprint: 09a5e63afc1a47e8d4073c8d745682c4\n"
                    "share: 3 of 3 (any 2 reconstruct)\nepochs: 3\n\n01  ",
                    356, 18, 222);
    KS_CHECK(strstr(text.buf, "\n18  ") != NULL && strstr(text.buf, "\n19  ") == NULL);

    /* Round trip; then the text joins with another share's text. */
    KS_CHECK_INT(ks_share_parse(text.buf, text.len, "c3", &back, &err), 0);
    KS_CHECK(share_eq(&back, &sh[2]));
    ks_share pair[2];
    ks_buf t1;
    ks_buf_init(&t1);
    ks_share_format(&sh[0], &t1);
    KS_CHECK_INT(ks_share_parse(t1.buf, t1.len, "c1", &pair[0], &err), 0);
    pair[1] = back;
    uint8_t file[CHAIN3_BYTES];
    size_t flen = key_file(1, file);
    int bad[2], rc;
    KS_CHECK(joins_to(pair, 2, file, flen, bad, &rc, &err));

    /* The header's epochs must agree: another count wants another number
     * of lines ... */
    char *typo = replaced(text.buf, "epochs: 3", "epochs: 4");
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "c3", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "c3: share line 19 is missing (a share has 21; is 'epochs: 4' in the header right?)")
             != NULL);
    free(typo);
    typo = replaced(text.buf, "epochs: 3\n", "");
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "c3", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "expected 'epochs: E'") != NULL);
    free(typo);
    typo = replaced(text.buf, "epochs: 3", "epochs: 1");
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "c3", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "expected 'epochs: E'") != NULL);
    /* ... and lines whose epochs byte says 4 under a header that says 3 */
    free(typo);
    ks_share odd = sh[2];
    odd.epochs = 4;
    ks_buf_reset(&text);
    ks_share_format(&odd, &text);
    typo = replaced(text.buf, "epochs: 4", "epochs: 3");
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "c3", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "epochs 3) does not match the share lines (fingerprint "
                             "09a5e63afc1a47e8d4073c8d745682c4, share 3 of 3, any 2, epochs 4)") != NULL);
    /* a v2 share's lines under a v1 header: v1 wants 10 lines */
    free(typo);
    ks_buf_reset(&text);
    ks_share_format(&sh[2], &text);
    char *v1 = replaced(text.buf, "share v2", "share v1");
    typo = replaced(v1, "epochs: 3\n", "");
    KS_CHECK_INT(ks_share_parse(typo, strlen(typo), "c3", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "share line 10 has too many characters") != NULL);

    free(v1);
    free(typo);
    ks_buf_release(&t1);
    ks_buf_release(&text);
    ks_key_free(key);
}

/* The largest share: a chain of KS_KEY_EPOCHS_MAX = 32 epochs, whose file is
 * 16 + 1 + 1024 + 16 = 1057 bytes; the share 76 + 1 + 1057 + 16 = 1150
 * bytes, 1840 base32 characters, 92 lines.  Through text and back, and
 * joined from any 3 of 4. */
static void test_largest(void)
{
    ks_error err = {0};
    ks_key *k = test_key(0);
    for (int e = 1; k && e < KS_KEY_EPOCHS_MAX; e++) {
        ks_key *next = ks_key_extend(k, &err);
        ks_key_free(k);
        k = next;
    }
    KS_CHECK(k != NULL);
    if (!k)
        return;
    KS_CHECK_INT(ks_key_epochs(k), 32);
    uint8_t file[KS_KEY_FILE_MAX];
    size_t flen = ks_key_serialise(k, file);
    KS_CHECK_INT(flen, 1057);
    ks_share sh[4], back[4];
    KS_CHECK_INT(ks_share_split_key(k, 3, 4, sh, &err), 0);
    ks_buf text;
    ks_buf_init(&text);
    for (int i = 0; i < 4; i++) {
        ks_buf_reset(&text);
        ks_share_format(&sh[i], &text);
        KS_CHECK(strstr(text.buf, "\nepochs: 32\n") != NULL);
        KS_CHECK(strstr(text.buf, "\n92  ") != NULL && strstr(text.buf, "\n93  ") == NULL);
        char chars[2000];
        int lines = 0;
        KS_CHECK_INT(data_chars(text.buf, chars, &lines), 1840);
        KS_CHECK_INT(lines, 92);
        KS_CHECK_INT(ks_share_parse(text.buf, text.len, "big", &back[i], &err), 0);
        KS_CHECK(share_eq(&back[i], &sh[i]));
    }
    int bad[4], rc, joined = 0;
    for (int skip = 0; skip < 4; skip++) {
        ks_share set[3];
        for (int i = 0, m = 0; i < 4; i++)
            if (i != skip)
                set[m++] = back[i];
        joined += joins_to(set, 3, file, flen, bad, &rc, &err);
    }
    KS_CHECK_INT(joined, 4);
    ks_buf_release(&text);
    ks_key_free(k);
}

/* ---- files --------------------------------------------------------------- */

static char *slurp(const char *rel, size_t *len)
{
    const char *src = getenv("KASANE_SOURCE_DIR");
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s/%s", src ? src : ".", rel);
    FILE *f = fopen(b.buf, "rb");
    if (!f)
        fprintf(stderr, "cannot open %s\n", b.buf);
    KS_CHECK(f != NULL);
    ks_buf_reset(&b);
    char chunk[4096];
    size_t n;
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ks_buf_add(&b, chunk, n);
    if (f)
        fclose(f);
    ks_buf_addc(&b, '\0');
    b.len--;
    return ks_buf_detach(&b, len);
}

static void test_files(void)
{
    char *kpath = tmp_path("key");
    unlink(kpath);
    ks_error err = {0};
    static const char data[] = "a share's text\n";
    mode_t old = umask(0);
    KS_CHECK_INT(ks_share_write_new(kpath, data, sizeof data - 1, &err), 0);
    umask(old);
    struct stat st;
    KS_CHECK(stat(kpath, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == (off_t)sizeof data - 1);
    KS_CHECK_INT(ks_share_write_new(kpath, data, sizeof data - 1, &err), -KS_ESAFETY); /* never overwritten */
    KS_CHECK(strstr(err.msg, "already exists") != NULL);
    unlink(kpath);
    free(kpath);

    /* Shares made by kasane before v2 (tests/data/shares-v1/README.md) still
     * parse and join, any two, to the key they were made of, whose
     * fingerprint Python's hashlib gave. */
    ks_share v1[3], set[2];
    for (int i = 0; i < 3; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "tests/data/shares-v1/share-%d.txt", i + 1);
        size_t len = 0;
        char *text = slurp(rel, &len);
        KS_CHECK_INT(ks_share_parse(text, len, rel, &v1[i], &err), 0);
        KS_CHECK_INT(v1[i].version, 1);
        KS_CHECK_INT(v1[i].x, i + 1);
        free(text);
    }
    size_t klen = 0;
    char *kbytes = slurp("tests/data/shares-v1/key", &klen);
    KS_CHECK_INT(klen, 32);
    int joined = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            if (a == b)
                continue;
            set[0] = v1[a], set[1] = v1[b];
            ks_key *k = NULL;
            int bad[2];
            if (ks_share_join(set, 2, &k, bad, &err) == 0 && key_is(k, (const uint8_t *)kbytes, klen)
                && strcmp(ks_key_fingerprint(k), "04ab435f40c9d6915815a95a1f189616") == 0)
                joined++;
            ks_key_free(k);
        }
    KS_CHECK_INT(joined, 6);
    free(kbytes);
}

int main(void)
{
    ks_error err = {0};
    if (ks_crypto_init(&err) < 0)
        return 1;
    ks_test_scratch_tmpdir("test_shamir", &tmpdir);
    test_gf256();
    test_split_join();
    test_secrecy_t2();
    test_secrecy_t3();
    test_key_shares();
    test_text();
    test_text_v2();
    test_largest();
    test_files();
    rmdir(tmpdir.buf);
    ks_buf_release(&tmpdir);
    return ks_test_report();
}
