/* test_text.c: UTF-8 validation, NFKC folding and display width.
 * Expected strings are written from the Unicode standard (NFKC of full-width
 * forms, half-width katakana, squared era names), not taken from the code. */
#include "text.h"

#include <string.h>

#include "test.h"

typedef int (*fold_fn)(const char *, size_t, ks_buf *);

/* Folds s (with explicit length, so NUL bytes can be tested) into a fresh
 * result; returns the status and leaves the text in b. */
static int run(fold_fn f, ks_buf *b, const char *s, size_t n)
{
    ks_buf_reset(b);
    return f(s, n, b);
}

#define FOLDS(f, in, want)                                                   \
    do {                                                                     \
        KS_CHECK_INT(run(f, &b, in, strlen(in)), 0);                         \
        KS_CHECK_STR(b.buf, want);                                           \
    } while (0)

static void test_person_keys(void)
{
    ks_buf b;
    ks_buf_init(&b);
    /* the contract's three spellings of one person */
    FOLDS(ks_text_fold_key, "山田\u3000太郎", "山田太郎");
    FOLDS(ks_text_fold_key, "山田 太郎", "山田太郎");
    FOLDS(ks_text_fold_key, " 山田太郎 ", "山田太郎");
    FOLDS(ks_text_fold_key, "\u3000山田\t太郎\u3000", "山田太郎");
    /* NO-BREAK SPACE and EN SPACE are white space too */
    FOLDS(ks_text_fold_key, "山田\u00A0太郎\u2002", "山田太郎");
    /* ASCII names keep their case: keys are not labels */
    FOLDS(ks_text_fold_key, " Yamada  Taro ", "YamadaTaro");
    /* half-width katakana with a voiced mark: ﾔﾏﾀﾞ -> ヤマダ (U+30C0 composed) */
    FOLDS(ks_text_fold_key, "ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ");
    /* kanji variants stay apart: 髙 U+9AD9 and 﨑 U+FA11 have no decomposition */
    FOLDS(ks_text_fold_key, "髙﨑", "髙﨑");
    ks_buf_release(&b);
}

static void test_fold(void)
{
    ks_buf b;
    ks_buf_init(&b);
    FOLDS(ks_text_fold, "", "");
    FOLDS(ks_text_fold, "   ", "");
    FOLDS(ks_text_fold, " abc ", "abc");
    FOLDS(ks_text_fold, "\t abc \r\n", "abc");
    FOLDS(ks_text_fold, "a b", "a b");
    /* U+3000 trimmed at both ends, and inside it becomes U+0020 (NFKC) */
    FOLDS(ks_text_fold, "\u3000山田\u3000太郎\u3000", "山田 太郎");
    /* full-width ASCII letters, digits and punctuation */
    FOLDS(ks_text_fold, "ＡＢＣ１２３", "ABC123");
    FOLDS(ks_text_fold, "２０２５－０４－０１", "2025-04-01");
    FOLDS(ks_text_fold, "令和７年４月１日", "令和7年4月1日");
    FOLDS(ks_text_fold, "ﾔﾏﾀﾞ", "ヤマダ");
    /* か + combining voiced sound mark composes to が */
    FOLDS(ks_text_fold, "か\u3099", "が");
    /* compatibility characters: circled digit, parenthesised 株, squared era */
    FOLDS(ks_text_fold, "①", "1");
    FOLDS(ks_text_fold, "㈱", "(株)");
    FOLDS(ks_text_fold, "㍻30年", "平成30年");
    /* full-width tilde (CP932 0x8160) becomes ASCII ~ */
    FOLDS(ks_text_fold, "\uFF5E", "~");
    /* more code points than the stack buffer holds: 200 x ㍻ -> 400 */
    {
        ks_buf in, want;
        ks_buf_init(&in);
        ks_buf_init(&want);
        for (int i = 0; i < 200; i++) {
            ks_buf_adds(&in, "㍻");
            ks_buf_adds(&want, "平成");
        }
        KS_CHECK_INT(run(ks_text_fold, &b, in.buf, in.len), 0);
        KS_CHECK_STR(b.buf, want.buf);
        ks_buf_release(&in);
        ks_buf_release(&want);
    }
    /* functions append, they do not reset */
    ks_buf_reset(&b);
    ks_buf_adds(&b, "x=");
    KS_CHECK_INT(ks_text_fold("Ａ", strlen("Ａ"), &b), 0);
    KS_CHECK_STR(b.buf, "x=A");
    KS_CHECK_INT(ks_text_fold(" B", 2, &b), 0);
    KS_CHECK_STR(b.buf, "x=AB");
    ks_buf_release(&b);
}

static void test_labels(void)
{
    ks_buf b;
    ks_buf_init(&b);
    FOLDS(ks_text_fold_label, "ＳＥＸ ", "sex");
    FOLDS(ks_text_fold_label, "Sex", "sex");
    FOLDS(ks_text_fold_label, "ｓｅｘ", "sex");
    FOLDS(ks_text_fold_label, " S e x ", "sex");
    FOLDS(ks_text_fold_label, "性\u3000別", "性別");
    FOLDS(ks_text_fold_label, "Record_ID", "record_id");
    FOLDS(ks_text_fold_label, "ＤＶ", "dv");
    FOLDS(ks_text_fold_label, "８０５０問題", "8050問題");
    /* NFKC_Casefold drops default-ignorables: ZERO WIDTH SPACE, a stray BOM */
    FOLDS(ks_text_fold_label, "\uFEFF記録\u200B番号", "記録番号");
    /* beyond ASCII: Greek capital sigma folds to small sigma */
    FOLDS(ks_text_fold_label, "Σ", "σ");
    ks_buf_release(&b);
}

static void test_invalid(void)
{
    static const struct {
        const char *s; /* bytes */
        size_t n;      /* length */
    } bad[] = {
        {"\xC0\xAF", 2},         /* overlong '/' */
        {"\xE0\x80\xAF", 3},     /* overlong '/' in three bytes */
        {"\xF0\x80\x80\xAF", 4}, /* overlong '/' in four bytes */
        {"\x80", 1},             /* lone continuation byte */
        {"a\xBF" "b", 3},        /* continuation byte between ASCII */
        {"\xE5\xB1", 2},         /* 山 cut short */
        {"\xE5\xB1" "a", 3},     /* 山 cut short, then ASCII */
        {"\xF0\xA0\xAE", 3},     /* 𠮷 cut short */
        {"\xED\xA0\x80", 3},     /* surrogate U+D800 */
        {"\xED\xBF\xBF", 3},     /* surrogate U+DFFF */
        {"\xF4\x90\x80\x80", 4}, /* U+110000 */
        {"\xF5\x80\x80\x80", 4}, /* F5 never starts a sequence */
        {"\xFF", 1},
        {"a\0b", 3},             /* NUL byte */
        {"山\0", 4},             /* NUL byte after a kanji */
    };
    ks_buf b;
    ks_buf_init(&b);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        KS_CHECK(!ks_utf8_valid(bad[i].s, bad[i].n));
        KS_CHECK_INT(run(ks_text_fold, &b, bad[i].s, bad[i].n), -KS_EDATA);
        KS_CHECK_INT(run(ks_text_fold_key, &b, bad[i].s, bad[i].n), -KS_EDATA);
        KS_CHECK_INT(run(ks_text_fold_label, &b, bad[i].s, bad[i].n), -KS_EDATA);
    }
    /* well-formed extremes */
    KS_CHECK(ks_utf8_valid("", 0));
    KS_CHECK(ks_utf8_valid("\x7F", 1));
    KS_CHECK(ks_utf8_valid("\xC2\x80", 2));         /* U+0080 */
    KS_CHECK(ks_utf8_valid("\xED\x9F\xBF", 3));     /* U+D7FF, just below surrogates */
    KS_CHECK(ks_utf8_valid("\xEE\x80\x80", 3));     /* U+E000, just above */
    KS_CHECK(ks_utf8_valid("\xF0\xA0\xAE\xB7", 4)); /* 𠮷 U+20BB7 */
    KS_CHECK(ks_utf8_valid("\xF4\x8F\xBF\xBF", 4)); /* U+10FFFF */
    KS_CHECK(ks_utf8_valid("山田太郎", strlen("山田太郎")));
    ks_buf_release(&b);
}

static size_t width(const char *s) { return ks_text_width(s, strlen(s)); }

static void test_width(void)
{
    KS_CHECK_INT(width(""), 0);
    KS_CHECK_INT(width("abc"), 3);
    KS_CHECK_INT(width("山田"), 4);
    KS_CHECK_INT(width("山a"), 3);
    KS_CHECK_INT(width("ﾔﾏﾀﾞ"), 4);       /* half-width: 1 each, the voiced mark too */
    KS_CHECK_INT(width("ヤマダ"), 6);
    KS_CHECK_INT(width("ＡＢ"), 4);         /* full-width Latin */
    KS_CHECK_INT(width("\u3000"), 2);
    KS_CHECK_INT(width("e\u0301"), 1);      /* combining acute accent: 0 */
    KS_CHECK_INT(width("\xF0\xA0\xAE\xB7"), 2);
    KS_CHECK_INT(ks_text_width("a\xFF" "b", 3), 3); /* an invalid byte counts 1 */
    KS_CHECK_INT(ks_text_width("\xE5\xB1", 2), 2);  /* a cut sequence: 1 per byte */
}

int main(void)
{
    test_person_keys();
    test_fold();
    test_labels();
    test_invalid();
    test_width();
    return ks_test_report();
}
