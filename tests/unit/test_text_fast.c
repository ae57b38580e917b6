/* test_text_fast.c: the fast paths of text.c (word-at-a-time ASCII, the
 * three-byte loop, the nfkc_stable bitmap, the full-width ASCII fold) against
 * straightforward references written here: a validator transcribed from
 * Unicode Table 3-7 ("Well-Formed UTF-8 Byte Sequences") and folds done by
 * utf8proc_map itself with the white-space rules of text.h applied to its
 * output.  Inputs are edge cases plus many pseudo-random strings (fixed seed). */
#include "encoding.h"
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "test.h"

/* ---- references ---- */

/* Unicode Table 3-7, byte by byte; NUL is refused as well (text.h). */
static bool ref_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c == 0)
            return false;
        if (c <= 0x7F) {
            i++;
            continue;
        }
        size_t more;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1;
        } else if (c == 0xE0) {
            more = 2;
            lo = 0xA0;
        } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
            more = 2;
        } else if (c == 0xED) {
            more = 2;
            hi = 0x9F;
        } else if (c == 0xF0) {
            more = 3;
            lo = 0x90;
        } else if (c >= 0xF1 && c <= 0xF3) {
            more = 3;
        } else if (c == 0xF4) {
            more = 3;
            hi = 0x8F;
        } else {
            return false;
        }
        if (n - i <= more || s[i + 1] < lo || s[i + 1] > hi)
            return false;
        for (size_t k = 2; k <= more; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                return false;
        i += more + 1;
    }
    return true;
}

enum { REF_TRIM, REF_KEY, REF_LABEL };

static bool ref_space(int32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= '\t' && cp <= '\r');
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* NFKC (NFKC_Casefold for labels) by utf8proc_map on the whole string, then
 * trimming (REF_TRIM) or removal (REF_KEY, REF_LABEL) of white space. */
static int ref_fold(const char *s, size_t n, int mode, ks_buf *out)
{
    utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    if (mode == REF_LABEL)
        opts |= UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    utf8proc_uint8_t *res = NULL;
    utf8proc_ssize_t len = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &res, opts);
    if (len < 0)
        return -1;
    int32_t cps[1024];
    size_t ncp = 0;
    for (utf8proc_ssize_t i = 0; i < len && ncp < 1024;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(res + i, len - i, &cp);
        i += k;
        cps[ncp++] = cp;
    }
    free(res);
    size_t a = 0, b = ncp;
    if (mode == REF_TRIM) {
        while (a < b && ref_space(cps[a]))
            a++;
        while (b > a && ref_space(cps[b - 1]))
            b--;
    }
    for (size_t i = a; i < b; i++) {
        if (mode != REF_TRIM && ref_space(cps[i]))
            continue;
        utf8proc_uint8_t enc[4];
        ks_buf_add(out, enc, (size_t)utf8proc_encode_char(cps[i], enc));
    }
    return 0;
}

/* ---- generators ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void) { return ks_test_rand64(&rng_state); } /* fixed seed: failures reproduce */

static size_t rnd_below(size_t n) { return (size_t)(rnd() % n); }

static void add_cp(ks_buf *b, int32_t cp)
{
    utf8proc_uint8_t enc[4];
    ks_buf_add(b, enc, (size_t)utf8proc_encode_char(cp, enc));
}

/* Bytes that sit on the edges of Table 3-7, for random invalid input. */
static const unsigned char edge_bytes[] = {
    0x00, 0x01, 0x20, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
    0xDF, 0xE0, 0xE1, 0xE3, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF,
};

/* A random byte string: ASCII runs of any length (so the eight-byte path
 * starts and stops at every alignment), valid sequences and edge bytes. */
static void random_bytes(ks_buf *b)
{
    ks_buf_reset(b);
    size_t parts = rnd_below(8);
    for (size_t p = 0; p < parts; p++) {
        switch (rnd_below(6)) {
        case 0: { /* ASCII run */
            size_t k = rnd_below(20);
            for (size_t i = 0; i < k; i++)
                ks_buf_addc(b, (char)(0x20 + rnd_below(0x5F)));
            break;
        }
        case 1: /* kana or kanji */
            add_cp(b, rnd_below(2) ? (int32_t)(0x3041 + rnd_below(0x56)) : (int32_t)(0x4E00 + rnd_below(0x5200)));
            break;
        case 2: { /* any scalar value */
            int32_t cp;
            do
                cp = (int32_t)(1 + rnd_below(0x10FFFF));
            while (cp >= 0xD800 && cp <= 0xDFFF);
            add_cp(b, cp);
            break;
        }
        default:
            ks_buf_addc(b, (char)edge_bytes[rnd_below(sizeof edge_bytes)]);
            break;
        }
    }
}

/* Pieces of text that exercise every class of the fold. */
static const char *const pieces[] = {
    "a", "Z", "7", " ", "\t", "\r\n", "-", "/", ";",            /* ASCII */
    "\xE3\x80\x80",                                             /* U+3000 */
    "\xEF\xBC\xA1", "\xEF\xBD\x9A", "\xEF\xBC\x8F", "\xEF\xBD\x9E", /* Ａ ｚ ／ ～ */
    "\xEF\xBC\x80" /* U+FF00 unassigned */, "\xEF\xBD\x9F" /* U+FF5F ｟ */,
    "\xEF\xBD\xA0" /* U+FF60 ｠ */, "\xEF\xBD\xA1" /* U+FF61 ｡ */,
    "山", "田", "髙", "﨑", "あ", "ア", "ー", "ヽ", "ヾ", "、", "。", "々", "〆", "「", "』",
    "ﾔ", "ﾀﾞ", "\xE3\x82\x99" /* U+3099 */, "\xCC\x81" /* U+0301 */, "ゟ", "ヿ",
    "\xC2\xA0" /* NBSP */, "\xE2\x80\x8B" /* ZWSP */, "\xEF\xBB\xBF" /* BOM */,
    "\xE1\x9A\x80" /* U+1680 */, "①", "㍻", "Å", "\xF0\x9F\x98\x80" /* U+1F600 */,
};

static void random_text(ks_buf *b)
{
    ks_buf_reset(b);
    size_t k = rnd_below(10);
    for (size_t i = 0; i < k; i++) {
        if (rnd_below(4) == 0)
            add_cp(b, (int32_t)(0xFF01 + rnd_below(94))); /* any full-width ASCII */
        else
            ks_buf_adds(b, pieces[rnd_below(sizeof pieces / sizeof *pieces)]);
    }
}

/* ---- checks ---- */

typedef int (*fold_fn)(const char *, size_t, ks_buf *);
static const fold_fn folds[3] = {ks_text_fold, ks_text_fold_key, ks_text_fold_label};

/* All three folds of s[0..n) agree with the references; returns the number
 * of disagreements (so a failing input is reported once, with its bytes). */
static int check_folds(const char *s, size_t n)
{
    int bad = 0;
    bool valid = ref_valid((const unsigned char *)s, n);
    ks_buf got, want;
    ks_buf_init(&got);
    ks_buf_init(&want);
    if (ks_utf8_valid(s, n) != valid)
        bad++;
    for (int m = 0; m < 3; m++) {
        ks_buf_reset(&got);
        ks_buf_reset(&want);
        int rc = folds[m](s, n, &got);
        if (!valid) {
            bad += rc != -KS_EDATA;
            continue;
        }
        ref_fold(s, n, m, &want);
        bad += rc != 0 || got.len != want.len || (want.len && memcmp(got.buf, want.buf, want.len) != 0);
    }
    if (bad) {
        fprintf(stderr, "disagreement on %zu bytes:", n);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %02X", (unsigned char)s[i]);
        fprintf(stderr, "\n");
    }
    ks_buf_release(&got);
    ks_buf_release(&want);
    return bad;
}

static void test_validator_edges(void)
{
    static const struct {
        const char *s; /* bytes */
        size_t n;      /* length (NULs inside) */
        bool valid;    /* by Table 3-7, hand-checked */
    } cases[] = {
        {"", 0, true},
        {"abcdefgh", 8, true},
        {"abcdefghi", 9, true},
        {"abcdefg\0", 8, false},         /* NUL in the last byte of a word */
        {"\0bcdefgh", 8, false},         /* ... and in the first */
        {"abcdefghijklmno\0", 16, false},
        {"abcdefghijklmnop\0", 17, false}, /* NUL in the byte-wise tail */
        {"\x7F\x7F\x7F\x7F\x7F\x7F\x7F\x7F", 8, true},
        {"\xC2\x80", 2, true},           /* U+0080 */
        {"\xC1\xBF", 2, false},          /* overlong U+007F */
        {"\xC0\x80", 2, false},          /* overlong NUL */
        {"\xE0\xA0\x80", 3, true},       /* U+0800 */
        {"\xE0\x9F\xBF", 3, false},      /* overlong U+07FF */
        {"\xE1\x80\x80", 3, true},       /* U+1000 */
        {"\xEC\xBF\xBF", 3, true},       /* U+CFFF */
        {"\xED\x9F\xBF", 3, true},       /* U+D7FF */
        {"\xED\xA0\x80", 3, false},      /* U+D800 surrogate */
        {"\xED\xBF\xBF", 3, false},      /* U+DFFF surrogate */
        {"\xEE\x80\x80", 3, true},       /* U+E000 */
        {"\xEF\xBF\xBF", 3, true},       /* U+FFFF */
        {"\xEF\xBF", 2, false},          /* cut short */
        {"\xE3\x81\x82\xE3\x81", 5, false}, /* あ then a cut one */
        {"\xE3\x41\x82", 3, false},      /* second byte not a continuation */
        {"\xE3\x81\xC2", 3, false},      /* third byte not a continuation */
        {"\xE3\x81\x00", 3, false},
        {"\xF0\x90\x80\x80", 4, true},   /* U+10000 */
        {"\xF0\x8F\xBF\xBF", 4, false},  /* overlong U+FFFF */
        {"\xF4\x8F\xBF\xBF", 4, true},   /* U+10FFFF */
        {"\xF4\x90\x80\x80", 4, false},  /* U+110000 */
        {"\xF5\x80\x80\x80", 4, false},
        {"\xFF", 1, false},
        {"\x80", 1, false},              /* lone continuation */
        {"abcdefgh\x80", 9, false},      /* ... right after a clean word */
        {"\xE3\x81\x82\xE3\x81\x84xxxxxxxxx\xE3\x81\x86", 18, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        KS_CHECK_INT(ref_valid((const unsigned char *)cases[i].s, cases[i].n), cases[i].valid);
        KS_CHECK_INT(ks_utf8_valid(cases[i].s, cases[i].n), cases[i].valid);
        KS_CHECK_INT(check_folds(cases[i].s, cases[i].n), 0);
    }
}

static void test_validator_random(void)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_decoder *d = ks_decoder_new(KS_ENC_UTF8, NULL);
    int bad = 0, valid = 0;
    for (int it = 0; it < 200000; it++) {
        random_bytes(&b);
        bool want = ref_valid((const unsigned char *)b.buf, b.len);
        valid += want;
        bad += ks_utf8_valid(b.buf, b.len) != want;
        ks_buf out;
        ks_buf_init(&out);
        bad += (ks_decoder_field(d, b.buf, b.len, &out) == 0) != want;
        ks_buf_release(&out);
    }
    KS_CHECK_INT(bad, 0);
    /* the generator must produce both kinds in quantity to mean anything */
    KS_CHECK(valid > 20000 && valid < 180000);
    ks_decoder_free(d);
    ks_buf_release(&b);
}

/* Every code point of the kana block and around the full-width forms and the
 * ideograph range, alone and between ASCII, in all three folds: pins the
 * nfkc_stable bitmap and the full-width mapping to utf8proc's answers. */
static void test_fold_blocks(void)
{
    static const int32_t ranges[][2] = {
        {0x3000, 0x30FF}, {0x3100, 0x3110}, {0x2FF0, 0x2FFF}, {0xFF00, 0xFFEF},
        {0x4DF0, 0x4E10}, {0x9FF0, 0xA010}, {0xF900, 0xF910}, {0x00A0, 0x00C0},
    };
    int bad = 0;
    ks_buf b;
    ks_buf_init(&b);
    for (size_t r = 0; r < sizeof ranges / sizeof *ranges; r++) {
        for (int32_t cp = ranges[r][0]; cp <= ranges[r][1]; cp++) {
            ks_buf_reset(&b);
            add_cp(&b, cp);
            bad += check_folds(b.buf, b.len);
            ks_buf_reset(&b);
            ks_buf_adds(&b, " Ab ");
            add_cp(&b, cp);
            ks_buf_adds(&b, "\xE3\x80\x80" "c ");
            add_cp(&b, cp);
            bad += check_folds(b.buf, b.len);
        }
    }
    KS_CHECK_INT(bad, 0);
    ks_buf_release(&b);
}

static void test_fold_random(void)
{
    ks_buf b;
    ks_buf_init(&b);
    int bad = 0;
    for (int it = 0; it < 100000; it++) {
        random_text(&b);
        bad += check_folds(b.buf, b.len);
    }
    /* and random bytes, valid or not */
    for (int it = 0; it < 50000; it++) {
        random_bytes(&b);
        bad += check_folds(b.buf, b.len);
    }
    KS_CHECK_INT(bad, 0);
    ks_buf_release(&b);
}

/* Results written out by hand from the NFKC tables (full-width forms map to
 * ASCII, U+3000 to U+0020), for the full-width path in particular. */
static void test_fold_wide_examples(void)
{
    static const struct {
        fold_fn f;        /* which fold */
        const char *in;   /* input */
        const char *want; /* expected */
    } cases[] = {
        {ks_text_fold, "\xE3\x80\x80ＡＢＣ　１２３\xE3\x80\x80", "ABC 123"},
        {ks_text_fold, "相談対応／つなぎ", "相談対応/つなぎ"},
        {ks_text_fold, "　", ""},
        {ks_text_fold, "ｘ　", "x"},
        {ks_text_fold_key, "山田　Ｔａｒｏ", "山田Taro"},
        {ks_text_fold_label, "ＳＥＸ", "sex"},
        {ks_text_fold_label, "Ｃｏｎｓｕｌｔａｔｉｏｎ　相談", "consultation相談"},
        {ks_text_fold_label, "～＼｀", "~\\`"},
    };
    ks_buf b;
    ks_buf_init(&b);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ks_buf_reset(&b);
        KS_CHECK_INT(cases[i].f(cases[i].in, strlen(cases[i].in), &b), 0);
        KS_CHECK_STR(b.buf, cases[i].want);
    }
    /* folds append: what was in the buffer stays */
    ks_buf_reset(&b);
    ks_buf_adds(&b, "x:");
    KS_CHECK_INT(ks_text_fold(" ＡＢ ", strlen(" ＡＢ "), &b), 0);
    KS_CHECK_STR(b.buf, "x:AB");
    ks_buf_release(&b);
}

int main(void)
{
    test_validator_edges();
    test_validator_random();
    test_fold_blocks();
    test_fold_wide_examples();
    test_fold_random();
    return ks_test_report();
}
