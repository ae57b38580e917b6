/* test_shamir.c: GF(256), Shamir's secret sharing and shares of the key.
 *
 * Known values: FIPS-197 section 4.2 gives {57}*{83} = {c1} and
 * {57}*{13} = {fe}, and {53}*{ca} = {01} (section 5.1.1's inverse example);
 * every product is also compared with a reference built here from a
 * different method (log/antilog tables of the generator {03}).  The
 * fingerprint of the key 00 01 .. 1f is Python's hashlib value quoted in
 * test_pseudo.c.  Secrecy is checked exhaustively over one byte: the value
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

static void test_key_shares(void)
{
    uint8_t key[KS_KEY_BYTES], got[KS_KEY_BYTES], fp[KS_SHARE_FP_BYTES];
    char hex[33];
    for (int i = 0; i < KS_KEY_BYTES; i++)
        key[i] = (uint8_t)i;
    ks_share_fingerprint(key, fp);
    sodium_bin2hex(hex, sizeof hex, fp, sizeof fp);
    KS_CHECK_STR(hex, "bdac23fe9f61a53521fb91d1dfd1348e");

    ks_share sh[5], set[5];
    ks_error err = {0};
    int bad[5];
    KS_CHECK_INT(ks_share_split_key(key, 3, 5, sh, &err), 0);
    for (int i = 0; i < 5; i++) {
        KS_CHECK_INT(sh[i].x, i + 1);
        KS_CHECK_INT(sh[i].t, 3);
        KS_CHECK_INT(sh[i].n, 5);
        KS_CHECK(memcmp(sh[i].fp, fp, sizeof fp) == 0);
        KS_CHECK(memcmp(sh[i].ct, sh[0].ct, sizeof sh[0].ct) == 0);
        KS_CHECK(memmem(sh[i].ct, sizeof sh[i].ct, key + 4, 8) == NULL); /* not in clear */
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
        memset(got, 0, sizeof got);
        int rc = ks_share_join(set, k, got, bad, &err);
        int anybad = 0;
        for (int i = 0; i < k; i++)
            anybad |= bad[i];
        joined += rc == 0 && memcmp(got, key, sizeof key) == 0 && !anybad;
        subsets++;
    }
    KS_CHECK_INT(subsets, 16); /* C(5,3) + C(5,4) + C(5,5) */
    KS_CHECK_INT(joined, 16);

    /* Too few, duplicates. */
    KS_CHECK_INT(ks_share_join(sh, 2, got, bad, &err), -KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "2 shares given, 3 needed") != NULL);
    set[0] = sh[0], set[1] = sh[1], set[2] = sh[1];
    KS_CHECK_INT(ks_share_join(set, 3, got, bad, &err), -KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "given twice") != NULL);

    /* Another key's share in the set. */
    uint8_t key2[KS_KEY_BYTES];
    ks_share other[5];
    memset(key2, 0x77, sizeof key2);
    KS_CHECK_INT(ks_share_split_key(key2, 3, 5, other, &err), 0);
    set[0] = sh[0], set[1] = sh[1], set[2] = other[2];
    KS_CHECK_INT(ks_share_join(set, 3, got, bad, &err), -KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "different keys") != NULL);
    /* Two splits of the same key do not mix either: W differs. */
    KS_CHECK_INT(ks_share_split_key(key, 3, 5, other, &err), 0);
    set[0] = sh[0], set[1] = sh[1], set[2] = other[2];
    KS_CHECK_INT(ks_share_join(set, 3, got, bad, &err), -KS_ESAFETY);

    /* Tampering with exactly t shares: an authentication failure, never a
     * key.  The wrapping is altered in every copy (one altered copy beside
     * intact ones is below). */
    static const char *const where[] = {"w", "ct", "nonce", "n"};
    for (int what = 0; what < 4; what++)
        for (int bit = 0; bit < 8; bit += 3) {
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
            }
            memset(got, 0xee, sizeof got);
            err = (ks_error){0};
            int rc = ks_share_join(set, 3, got, bad, &err);
            if (rc != -KS_ESAFETY)
                fprintf(stderr, "tampered %s bit %d: rc %d\n", where[what], bit, rc);
            KS_CHECK_INT(rc, -KS_ESAFETY);
            KS_CHECK_STR(err.msg, "the shares do not reconstruct the key: one is wrong or altered");
            KS_CHECK(memcmp(got, key, sizeof key) != 0);
        }
    /* One share's copy of the wrapping altered, the others intact: W (from
     * its intact W bytes) opens the intact copy, and the share is named. */
    for (int field = 0; field < 2; field++) {
        set[0] = sh[0], set[1] = sh[2], set[2] = sh[4];
        if (field == 0)
            set[1].ct[47] ^= 0x80;
        else
            set[1].nonce[0] ^= 0x01;
        KS_CHECK_INT(ks_share_join(set, 3, got, bad, &err), 0);
        KS_CHECK(memcmp(got, key, sizeof key) == 0);
        KS_CHECK(!bad[0] && bad[1] && !bad[2]);
    }

    /* With more than t shares, the bad one is named and the key still comes back. */
    for (int victim = 0; victim < 5; victim++)
        for (int field = 0; field < 2; field++) {
            memcpy(set, sh, sizeof set);
            if (field == 0)
                set[victim].w[31] ^= 0x40;
            else
                set[victim].ct[0] ^= 0x01;
            KS_CHECK_INT(ks_share_join(set, 5, got, bad, &err), 0);
            KS_CHECK(memcmp(got, key, sizeof key) == 0);
            for (int i = 0; i < 5; i++)
                KS_CHECK_INT(bad[i], i == victim);
        }
}

/* ---- the printable form -------------------------------------------------- */

/* RFC 4648 base32 decoding, bit by bit, of the share lines' characters. */
static size_t ref_b32(const char *s, size_t n, uint8_t *out)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    size_t bit = 0;
    memset(out, 0, 200);
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

static void test_text(void)
{
    uint8_t key[KS_KEY_BYTES];
    for (int i = 0; i < KS_KEY_BYTES; i++)
        key[i] = (uint8_t)i;
    ks_share sh[3], back;
    ks_error err = {0};
    KS_CHECK_INT(ks_share_split_key(key, 2, 3, sh, &err), 0);
    ks_buf text;
    ks_buf_init(&text);
    ks_share_format(&sh[1], &text);
    static const char head[] = "kasane key share v1\nfingerprint: bdac23fe9f61a53521fb91d1dfd1348e\n"
                               "share: 2 of 3 (any 2 reconstruct)\n\n01  ";
    KS_CHECK(strncmp(text.buf, head, sizeof head - 1) == 0);

    /* The lines hold the binary share in RFC 4648 base32: 124 bytes, 199 characters. */
    char chars[400];
    uint8_t bin[200];
    int lines = 0;
    size_t nc = data_chars(text.buf, chars, &lines);
    KS_CHECK_INT(KS_SHARE_BYTES, 124);
    KS_CHECK_INT(nc, 199);
    KS_CHECK_INT(lines, 10);
    KS_CHECK_INT(ref_b32(chars, nc, bin), 124);
    KS_CHECK(memcmp(bin, &sh[1], KS_SHARE_BYTES) == 0);
    KS_CHECK_INT(bin[0], 1); /* version */
    KS_CHECK(memcmp(bin + 1, sh[1].fp, 16) == 0);
    KS_CHECK_INT(bin[17], 2); /* t */
    KS_CHECK_INT(bin[18], 3); /* n */
    KS_CHECK_INT(bin[19], 2); /* x */

    /* Round trip, and in lower case with other spacing. */
    KS_CHECK_INT(ks_share_parse(text.buf, text.len, "s2", &back, &err), 0);
    KS_CHECK(memcmp(&back, &sh[1], sizeof back) == 0);
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
    KS_CHECK(memcmp(&back, &sh[1], sizeof back) == 0);

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
    /* Not a share at all. */
    KS_CHECK_INT(ks_share_parse("hello\n", 6, "x", &back, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "not a kasane key share") != NULL);

    free(typo);
    free(lower);
    ks_buf_release(&spaced);
    ks_buf_release(&text);
}

/* ---- files --------------------------------------------------------------- */

static void test_files(void)
{
    char *kpath = tmp_path("key"), *jpath = tmp_path("joined");
    unlink(kpath);
    unlink(jpath);
    uint8_t key[KS_KEY_BYTES], got[KS_KEY_BYTES], fp[KS_SHARE_FP_BYTES];
    for (int i = 0; i < KS_KEY_BYTES; i++)
        key[i] = (uint8_t)i;
    ks_error err = {0};
    mode_t old = umask(0);
    KS_CHECK_INT(ks_share_write_new(kpath, key, sizeof key, &err), 0);
    umask(old);
    struct stat st;
    KS_CHECK(stat(kpath, &st) == 0 && (st.st_mode & 0777) == 0600);
    KS_CHECK_INT(ks_share_write_new(kpath, key, sizeof key, &err), -KS_ESAFETY); /* never overwritten */
    KS_CHECK(strstr(err.msg, "already exists") != NULL);

    KS_CHECK_INT(ks_share_read_key(kpath, got, fp, &err), 0);
    KS_CHECK(memcmp(got, key, sizeof key) == 0);
    ks_key *k = ks_key_load(kpath, &err);
    KS_CHECK(k != NULL);
    char hex[33];
    sodium_bin2hex(hex, sizeof hex, fp, sizeof fp);
    if (k)
        KS_CHECK_STR(ks_key_fingerprint(k), hex);
    ks_key_free(k);
    /* The loader's checks apply: a readable key is refused. */
    chmod(kpath, 0644);
    KS_CHECK_INT(ks_share_read_key(kpath, got, fp, &err), -KS_ESAFETY);
    free(kpath);
    free(jpath);
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
    test_files();
    ks_buf_release(&tmpdir);
    return ks_test_report();
}
