/* test_encoding.c: encoding names, detection, CP932 decoding and encoding.
 * CP932 bytes are worked out by hand from the JIS X 0208 row/cell of each
 * character and the Shift_JIS arithmetic (s1 = (j1+1)/2 + 0x70; s2 = j2+0x1F,
 * +1 from 0x7F, for odd j1, else j2+0x7E), half-width kana from JIS X 0201:
 *   山 3B33 -> 8E 52   田 4544 -> 93 63   太 4240 -> 91 BE   郎 4F3A -> 98 59
 *   ヤ 2564 -> 83 84   マ 255E -> 83 7D   ダ 2540 -> 83 5F
 *   ﾔ D4  ﾏ CF  ﾀ C0  ﾞ DE */
#include "encoding.h"

#include <string.h>

#include "test.h"

#define NAME_SJIS "\x8E\x52\x93\x63\x91\xBE\x98\x59" /* 山田太郎 */
#define KANA_SJIS "\x83\x84\x83\x7D\x83\x5F"         /* ヤマダ */
#define HALF_SJIS "\xD4\xCF\xC0\xDE"                 /* ﾔﾏﾀﾞ */

static void test_names(void)
{
    static const struct {
        const char *name; /* as typed */
        ks_encoding enc;  /* expected */
    } ok[] = {
        {"utf-8", KS_ENC_UTF8}, {"UTF-8", KS_ENC_UTF8},     {"utf8", KS_ENC_UTF8},
        {"cp932", KS_ENC_CP932}, {"CP932", KS_ENC_CP932},   {"shift_jis", KS_ENC_CP932},
        {"Shift_JIS", KS_ENC_CP932}, {"sjis", KS_ENC_CP932}, {"auto", KS_ENC_AUTO},
        {"AUTO", KS_ENC_AUTO},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ks_encoding e = KS_ENC_AUTO;
        ks_error err = {0};
        KS_CHECK_INT(ks_encoding_parse(ok[i].name, &e, &err), 0);
        KS_CHECK_INT(e, ok[i].enc);
    }
    ks_error err = {0};
    ks_encoding e = KS_ENC_UTF8;
    KS_CHECK_INT(ks_encoding_parse("latin1", &e, &err), -KS_EUSAGE);
    KS_CHECK_INT(err.code, KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "latin1") != NULL);
    KS_CHECK_INT(e, KS_ENC_UTF8); /* untouched on failure */
    KS_CHECK_INT(ks_encoding_parse("", &e, NULL), -KS_EUSAGE);
    KS_CHECK_STR(ks_encoding_name(KS_ENC_UTF8), "utf-8");
    KS_CHECK_STR(ks_encoding_name(KS_ENC_CP932), "cp932");
}

static ks_encoding detect(const char *s, size_t n, bool at_eof)
{
    return ks_encoding_detect((const unsigned char *)s, n, at_eof);
}

static void test_detect(void)
{
    KS_CHECK_INT(ks_encoding_bom_len((const unsigned char *)"\xEF\xBB\xBFid", 5), 3);
    KS_CHECK_INT(ks_encoding_bom_len((const unsigned char *)"\xEF\xBB", 2), 0);
    KS_CHECK_INT(ks_encoding_bom_len((const unsigned char *)"id", 2), 0);

    const char *utf8 = "記録番号,氏名\n1,山田太郎\n";
    const char *bom = "\xEF\xBB\xBF記録番号,氏名\n";
    const char *sjis = "id,name\r\n1," NAME_SJIS "\r\n2," KANA_SJIS "," HALF_SJIS "\r\n";
    KS_CHECK_INT(detect(utf8, strlen(utf8), true), KS_ENC_UTF8);
    KS_CHECK_INT(detect(bom, strlen(bom), true), KS_ENC_UTF8);
    KS_CHECK_INT(detect(sjis, strlen(sjis), true), KS_ENC_CP932);
    KS_CHECK_INT(detect(sjis, strlen(sjis), false), KS_ENC_CP932);
    KS_CHECK_INT(detect("id,sex\n1,M\n", 11, true), KS_ENC_UTF8);
    KS_CHECK_INT(detect("", 0, true), KS_ENC_UTF8);
    /* "id,山" with 山 (E5 B1 B1) cut by the end of the sample: only valid
     * when more of the file follows */
    KS_CHECK_INT(detect("id,\xE5\xB1", 5, false), KS_ENC_UTF8);
    KS_CHECK_INT(detect("id,\xE5", 4, false), KS_ENC_UTF8);
    KS_CHECK_INT(detect("id,\xE5\xB1", 5, true), KS_ENC_CP932);
    KS_CHECK_INT(detect("id,\xF0\xA0\xAE", 6, false), KS_ENC_UTF8); /* 𠮷 cut */
    /* a continuation byte alone at the end is no cut sequence */
    KS_CHECK_INT(detect("id,\xB1", 4, false), KS_ENC_CP932);
    /* a NUL byte does not make UTF-8 look like CP932 */
    KS_CHECK_INT(detect("a\0山", 5, true), KS_ENC_UTF8);
}

static void test_cp932(void)
{
    ks_error err = {0};
    ks_decoder *d = ks_decoder_new(KS_ENC_CP932, &err);
    KS_CHECK(d != NULL);
    if (!d)
        return;
    ks_buf b;
    ks_buf_init(&b);

    const char *in = NAME_SJIS KANA_SJIS HALF_SJIS;
    KS_CHECK_INT(ks_decoder_field(d, in, strlen(in), &b), 0);
    KS_CHECK_STR(b.buf, "山田太郎ヤマダﾔﾏﾀﾞ");

    /* and back: the same bytes */
    ks_buf back;
    ks_buf_init(&back);
    KS_CHECK_INT(ks_utf8_to_cp932(b.buf, b.len, &back), 0);
    KS_CHECK_INT(back.len, strlen(in));
    KS_CHECK(back.len == strlen(in) && memcmp(back.buf, in, back.len) == 0);
    ks_buf_release(&back);

    /* pure ASCII, including 0x5C and 0x7E, stays ASCII */
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_decoder_field(d, "C:\\a~b", 6, &b), 0);
    KS_CHECK_STR(b.buf, "C:\\a~b");
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_decoder_field(d, "", 0, &b), 0);
    KS_CHECK_STR(b.buf, "");

    /* Microsoft's table: 0x8160 is FULLWIDTH TILDE U+FF5E, not WAVE DASH */
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_decoder_field(d, "\x81\x60", 2, &b), 0);
    KS_CHECK_STR(b.buf, "\uFF5E");
    /* NEC row 13: 0x8740 is CIRCLED DIGIT ONE */
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_decoder_field(d, "\x87\x40", 2, &b), 0);
    KS_CHECK_STR(b.buf, "\u2460");

    /* invalid bytes: the output keeps what it had */
    static const struct {
        const char *s; /* bytes */
        size_t n;      /* length */
    } bad[] = {
        {"\x82", 1},             /* lead byte at the end */
        {"ab\x82", 3},           /* lead byte at the end after ASCII */
        {"\x82\x20", 2},         /* trail byte below 0x40 */
        {"\x82\x7F", 2},         /* 0x7F is never a trail byte */
        {"\x80", 1},             /* unassigned single bytes */
        {"\xA0", 1},
        {"\xFD", 1},
        {"\xFF", 1},
        {NAME_SJIS "\x82", 9},
        {"a\0b", 3},             /* NUL byte */
        {"\x8E\x52\0", 3},       /* NUL byte after a kanji */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ks_buf_reset(&b);
        ks_buf_adds(&b, "kept");
        KS_CHECK_INT(ks_decoder_field(d, bad[i].s, bad[i].n, &b), -KS_EDATA);
        KS_CHECK_STR(b.buf, "kept");
    }
    /* a failure leaves no state behind */
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_decoder_field(d, "\x8E\x52", 2, &b), 0);
    KS_CHECK_STR(b.buf, "山");

    /* a field longer than one growth step */
    ks_buf big, want;
    ks_buf_init(&big);
    ks_buf_init(&want);
    for (int i = 0; i < 1000; i++) {
        ks_buf_add(&big, HALF_SJIS, 4);
        ks_buf_adds(&want, "ﾔﾏﾀﾞ");
    }
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_decoder_field(d, big.buf, big.len, &b), 0);
    KS_CHECK_STR(b.buf, want.buf);
    ks_buf_release(&big);
    ks_buf_release(&want);

    ks_buf_release(&b);
    ks_decoder_free(d);
}

static void test_utf8_decoder(void)
{
    ks_decoder *d = ks_decoder_new(KS_ENC_UTF8, NULL);
    KS_CHECK(d != NULL);
    if (!d)
        return;
    ks_buf b;
    ks_buf_init(&b);
    KS_CHECK_INT(ks_decoder_field(d, "山田 太郎", strlen("山田 太郎"), &b), 0);
    KS_CHECK_STR(b.buf, "山田 太郎");
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_decoder_field(d, NAME_SJIS, 8, &b), -KS_EDATA);
    KS_CHECK_INT(ks_decoder_field(d, "\xE5\xB1", 2, &b), -KS_EDATA);
    KS_CHECK_INT(ks_decoder_field(d, "\xC0\xAF", 2, &b), -KS_EDATA);
    KS_CHECK_INT(ks_decoder_field(d, "a\0", 2, &b), -KS_EDATA);
    KS_CHECK_INT(b.len, 0);
    ks_buf_release(&b);
    ks_decoder_free(d);
    ks_decoder_free(NULL);

    ks_error err = {0};
    KS_CHECK(ks_decoder_new(KS_ENC_AUTO, &err) == NULL);
    KS_CHECK_INT(err.code, KS_EUSAGE);
}

static void test_to_cp932(void)
{
    ks_buf b;
    ks_buf_init(&b);
    KS_CHECK_INT(ks_utf8_to_cp932("abc", 3, &b), 0);
    KS_CHECK_STR(b.buf, "abc");
    /* WAVE DASH has no CP932 code of its own; glibc maps it to 0x8160 */
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_utf8_to_cp932("\u301C", 3, &b), 0);
    KS_CHECK_STR(b.buf, "\x81\x60");
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_utf8_to_cp932("a\u2603", 4, &b), -KS_EDATA); /* snowman */
    KS_CHECK_INT(ks_utf8_to_cp932("\xE5\xB1", 2, &b), -KS_EDATA); /* not UTF-8 */
    KS_CHECK_INT(b.len, 0);
    ks_buf_release(&b);
}

int main(void)
{
    test_names();
    test_detect();
    test_cp932();
    test_utf8_decoder();
    test_to_cp932();
    return ks_test_report();
}
