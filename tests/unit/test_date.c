/* test_date.c: every accepted date form, every kind of rejection, day
 * counts, ages, fiscal years and age bands.  Gregorian equivalents of era
 * dates are worked out by hand: Reiwa N = 2018+N, Heisei N = 1988+N,
 * Showa N = 1925+N, Taisho N = 1911+N. */
#include "date.h"

#include <string.h>

#include "text.h"
#include "test.h"

static ks_date mk(int y, int m, int d)
{
    ks_date r = {(int16_t)y, (int8_t)m, (int8_t)d};
    return r;
}

/* parses s and checks the result against y-m-d */
static void expect_date(const char *s, int y, int m, int d, int line)
{
    ks_date got = {0, 0, 0};
    ks_date_err e = ks_date_parse(s, strlen(s), &got);
    char buf[11];
    ks_date_format(got, buf);
    char want[11];
    ks_date_format(mk(y, m, d), want);
    if (e != KS_DATE_OK || strcmp(buf, want) != 0)
        fprintf(stderr, "line %d: '%s' -> %s (%s), want %s\n", line, s, buf,
                ks_date_err_code(e), want);
    KS_CHECK_INT(e, KS_DATE_OK);
    KS_CHECK_STR(buf, want);
}

static void expect_err(const char *s, ks_date_err want, int line)
{
    ks_date got = {0, 0, 0};
    ks_date_err e = ks_date_parse(s, strlen(s), &got);
    if (e != want)
        fprintf(stderr, "line %d: '%s' -> %s, want %s\n", line, s, ks_date_err_code(e),
                ks_date_err_code(want));
    KS_CHECK_INT(e, want);
}

#define OK(s, y, m, d) expect_date(s, y, m, d, __LINE__)
#define BAD(s, e) expect_err(s, e, __LINE__)

static void test_forms(void)
{
    /* Gregorian */
    OK("2025-04-01", 2025, 4, 1);
    OK("2025/4/1", 2025, 4, 1);
    OK("2025/04/01", 2025, 4, 1);
    OK("2025.4.1", 2025, 4, 1);
    OK("20250401", 2025, 4, 1);
    OK("2025年4月1日", 2025, 4, 1);
    OK("2025年12月31日", 2025, 12, 31);
    /* era letters, either case, any of the three separators, padded */
    OK("R7.4.1", 2025, 4, 1);
    OK("r7.4.1", 2025, 4, 1);
    OK("R7/4/1", 2025, 4, 1);
    OK("R07.04.01", 2025, 4, 1);
    OK("R7-4-1", 2025, 4, 1);
    OK("H30.12.3", 2018, 12, 3);
    OK("h30.12.3", 2018, 12, 3);
    OK("S45.1.2", 1970, 1, 2);
    OK("s45.1.2", 1970, 1, 2);
    /* era names */
    OK("令和7年4月1日", 2025, 4, 1);
    OK("平成30年12月3日", 2018, 12, 3);
    OK("昭和45年1月2日", 1970, 1, 2);
    OK("令和元年5月1日", 2019, 5, 1);
    OK("R元.5.1", 2019, 5, 1);
    OK("平成元年1月8日", 1989, 1, 8);
    OK("令和 7年 4月 1日", 2025, 4, 1);
    /* era boundaries, both sides */
    OK("平成31年4月30日", 2019, 4, 30);
    OK("H31.4.30", 2019, 4, 30);
    OK("昭和64年1月7日", 1989, 1, 7);
    OK("S1.12.25", 1926, 12, 25);
    /* Taisho, for the oldest clients (an extension of the contract) */
    OK("T14.3.1", 1925, 3, 1);
    OK("大正15年12月24日", 1926, 12, 24);
    OK("大正元年7月30日", 1912, 7, 30);
    /* Excel date-times: the time is ignored */
    OK("2025/4/1 0:00", 2025, 4, 1);
    OK("2025-04-01 23:59:59", 2025, 4, 1);
    /* leap days */
    OK("2024-02-29", 2024, 2, 29);
    OK("2000-02-29", 2000, 2, 29);
    OK("R6.2.29", 2024, 2, 29);
    /* range ends */
    OK("1900-01-01", 1900, 1, 1);
    OK("2100-12-31", 2100, 12, 31);
}

/* full-width digits and separators are folded by ks_text_fold first */
static void test_full_width(void)
{
    static const char *const in[] = {
        "２０２５－０４－０１", "２０２５／４／１", "２０２５０４０１",
        "Ｒ７．４．１", "令和７年４月１日", "令和　７年４月１日",
        "\u3000２０２５年４月１日\u3000", "㋿7年4月1日",
    };
    ks_buf b;
    ks_buf_init(&b);
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        ks_buf_reset(&b);
        KS_CHECK_INT(ks_text_fold(in[i], strlen(in[i]), &b), 0);
        expect_date(b.buf, 2025, 4, 1, __LINE__);
    }
    ks_buf_release(&b);
}

static void test_rejects(void)
{
    /* impossible in the calendar */
    BAD("2025-02-30", KS_DATE_IMPOSSIBLE);
    BAD("2023-02-29", KS_DATE_IMPOSSIBLE);
    BAD("1900-02-29", KS_DATE_IMPOSSIBLE); /* century, not a leap year */
    BAD("2025-13-01", KS_DATE_IMPOSSIBLE);
    BAD("2025-00-10", KS_DATE_IMPOSSIBLE);
    BAD("2025-04-00", KS_DATE_IMPOSSIBLE);
    BAD("2025-04-31", KS_DATE_IMPOSSIBLE);
    BAD("20251301", KS_DATE_IMPOSSIBLE);
    BAD("2025年2月30日", KS_DATE_IMPOSSIBLE);
    BAD("R7.2.29", KS_DATE_IMPOSSIBLE); /* 2025 */
    BAD("令和7年13月1日", KS_DATE_IMPOSSIBLE);
    /* outside the era named */
    BAD("平成32年1月1日", KS_DATE_ERA_RANGE);
    BAD("平成31年5月1日", KS_DATE_ERA_RANGE);
    BAD("令和元年4月1日", KS_DATE_ERA_RANGE);
    BAD("R1.4.30", KS_DATE_ERA_RANGE);
    BAD("R0.5.1", KS_DATE_ERA_RANGE);
    BAD("昭和64年1月8日", KS_DATE_ERA_RANGE);
    BAD("平成元年1月7日", KS_DATE_ERA_RANGE);
    BAD("S1.12.24", KS_DATE_ERA_RANGE);
    BAD("平成100年1月1日", KS_DATE_ERA_RANGE);
    /* outside 1900..2100 */
    BAD("1899-12-31", KS_DATE_YEAR_RANGE);
    BAD("2101-01-01", KS_DATE_YEAR_RANGE);
    BAD("18991231", KS_DATE_YEAR_RANGE);
    BAD("R83.1.1", KS_DATE_YEAR_RANGE); /* 2101: Reiwa has no end yet */
    /* not a date form */
    static const char *const garbage[] = {
        "", "garbage", "unknown", "不明", "2025", "2025-04", "2025-4/1", "2025/4-1",
        "25/4/1", "2025-04-01x", "2025-004-01", "2025040", "202504011", "2025年4月1",
        "2025年4月", "X7.4.1", "R7", "R7.4", "R.4.1", "令和7年", "令和年4月1日",
        "明治45年1月1日", "2025/4/1 24:00", "2025/4/1 0:0", "2025/4/1 ", "2025-04-01T00:00",
        "４月１日", "-2025-04-01", " 2025-04-01",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
        expect_err(garbage[i], KS_DATE_FORMAT, __LINE__);
    /* a length shorter than the string is respected */
    ks_date d;
    KS_CHECK_INT(ks_date_parse("2025-04-01junk", 10, &d), KS_DATE_OK);
    KS_CHECK_INT(ks_date_parse("2025-04-01", 9, &d), KS_DATE_IMPOSSIBLE); /* day 0 */
}

static void test_names(void)
{
    KS_CHECK_STR(ks_date_err_code(KS_DATE_FORMAT), "bad_date_format");
    KS_CHECK_STR(ks_date_err_code(KS_DATE_IMPOSSIBLE), "impossible_date");
    KS_CHECK_STR(ks_date_err_code(KS_DATE_ERA_RANGE), "era_out_of_range");
    KS_CHECK_STR(ks_date_err_code(KS_DATE_YEAR_RANGE), "year_out_of_range");
    KS_CHECK(strlen(ks_date_err_message(KS_DATE_IMPOSSIBLE)) > 0);
}

static void test_arithmetic(void)
{
    KS_CHECK_INT(ks_date_days(mk(1970, 1, 1)), 0);
    KS_CHECK_INT(ks_date_days(mk(1969, 12, 31)), -1);
    KS_CHECK_INT(ks_date_days(mk(2000, 3, 1)), 11017);  /* 30 years + 7 leap days + 60 */
    KS_CHECK_INT(ks_date_days(mk(2025, 4, 1)), 20179);  /* 55*365 + 14 + 90 */
    KS_CHECK_INT(ks_date_days(mk(2019, 5, 1)), 18017);  /* 49*365 + 12 + 120 */
    KS_CHECK_INT(ks_date_days(mk(2024, 3, 1)) - ks_date_days(mk(2024, 2, 28)), 2);
    KS_CHECK_INT(ks_date_days(mk(2025, 3, 1)) - ks_date_days(mk(2025, 2, 28)), 1);
    KS_CHECK_INT(ks_date_days(mk(2001, 1, 1)) - ks_date_days(mk(2000, 1, 1)), 366);
    KS_CHECK_INT(ks_date_days(mk(1901, 1, 1)) - ks_date_days(mk(1900, 1, 1)), 365);

    char buf[11];
    ks_date_format(mk(2025, 4, 1), buf);
    KS_CHECK_STR(buf, "2025-04-01");
    ks_date_format(mk(1926, 12, 25), buf);
    KS_CHECK_STR(buf, "1926-12-25");

    KS_CHECK_INT(ks_date_cmp(mk(2025, 4, 1), mk(2025, 4, 1)), 0);
    KS_CHECK_INT(ks_date_cmp(mk(2025, 4, 1), mk(2025, 4, 2)), -1);
    KS_CHECK_INT(ks_date_cmp(mk(2025, 5, 1), mk(2025, 4, 30)), 1);
    KS_CHECK_INT(ks_date_cmp(mk(2024, 12, 31), mk(2025, 1, 1)), -1);
}

static void test_ages(void)
{
    ks_date b = mk(1990, 4, 1);
    KS_CHECK_INT(ks_age_years(b, mk(2025, 3, 31)), 34);
    KS_CHECK_INT(ks_age_years(b, mk(2025, 4, 1)), 35);
    KS_CHECK_INT(ks_age_years(b, mk(2025, 4, 2)), 35);
    KS_CHECK_INT(ks_age_years(b, mk(1990, 4, 1)), 0);
    KS_CHECK(ks_age_years(b, mk(1990, 3, 31)) < 0);
    /* born on 29 February: a year older on 1 March in common years */
    ks_date leap = mk(2000, 2, 29);
    KS_CHECK_INT(ks_age_years(leap, mk(2001, 2, 28)), 0);
    KS_CHECK_INT(ks_age_years(leap, mk(2001, 3, 1)), 1);
    KS_CHECK_INT(ks_age_years(leap, mk(2004, 2, 28)), 3);
    KS_CHECK_INT(ks_age_years(leap, mk(2004, 2, 29)), 4);
    KS_CHECK_INT(ks_age_years(leap, mk(2025, 2, 28)), 24);
    KS_CHECK_INT(ks_age_years(leap, mk(2025, 3, 1)), 25);

    KS_CHECK_INT(ks_age_band(0), 0);
    KS_CHECK_INT(ks_age_band(4), 0);
    KS_CHECK_INT(ks_age_band(5), 1);
    KS_CHECK_INT(ks_age_band(64), 12);
    KS_CHECK_INT(ks_age_band(65), 13);
    KS_CHECK_INT(ks_age_band(99), 19);
    KS_CHECK_INT(ks_age_band(100), 20);
    KS_CHECK_INT(ks_age_band(123), 20);
    KS_CHECK_INT(ks_age_band(-1), -1);
    KS_CHECK_STR(ks_age_band_label(0), "0-4");
    KS_CHECK_STR(ks_age_band_label(1), "5-9");
    KS_CHECK_STR(ks_age_band_label(13), "65-69");
    KS_CHECK_STR(ks_age_band_label(19), "95-99");
    KS_CHECK_STR(ks_age_band_label(20), "100+");
    KS_CHECK(ks_age_band_label(21) == NULL);
    KS_CHECK(ks_age_band_label(-1) == NULL);

    KS_CHECK_INT(ks_fiscal_year(mk(2026, 3, 31)), 2025);
    KS_CHECK_INT(ks_fiscal_year(mk(2026, 4, 1)), 2026);
    KS_CHECK_INT(ks_fiscal_year(mk(2025, 1, 15)), 2024);
    KS_CHECK_INT(ks_fiscal_year(mk(2025, 12, 31)), 2025);
}

/* Clock times by hand: 2025-01-01 is day 20089 (55*365 + 14 leap days),
 * so 2025-01-01T00:00 JST = 2024-12-31T15:00Z = 20088*86400 + 15*3600 =
 * 1735657200; t = -1 is 1969-12-31T23:59:59Z = 1970-01-01 08:59 JST. */
static void test_clock(void)
{
    int minute = -1;
    KS_CHECK_INT(ks_date_cmp(ks_date_jst(0, &minute), mk(1970, 1, 1)), 0);
    KS_CHECK_INT(minute, 9 * 60);
    KS_CHECK_INT(ks_date_cmp(ks_date_jst(1735657200, &minute), mk(2025, 1, 1)), 0);
    KS_CHECK_INT(minute, 0);
    KS_CHECK_INT(ks_date_cmp(ks_date_jst(1735657199, &minute), mk(2024, 12, 31)), 0);
    KS_CHECK_INT(minute, 23 * 60 + 59);
    KS_CHECK_INT(ks_date_cmp(ks_date_jst(-1, &minute), mk(1970, 1, 1)), 0);
    KS_CHECK_INT(minute, 8 * 60 + 59);
    KS_CHECK_INT(ks_date_cmp(ks_date_jst(-9 * 3600 - 1, &minute), mk(1969, 12, 31)), 0);
    KS_CHECK_INT(minute, 23 * 60 + 59);
    KS_CHECK_INT(ks_date_cmp(ks_date_jst(1735657200 + 86399, NULL), mk(2025, 1, 1)), 0);

    char stamp[KS_UTC_STAMP_SIZE];
    ks_utc_stamp(0, stamp);
    KS_CHECK_STR(stamp, "1970-01-01T00:00:00Z");
    ks_utc_stamp(1735657199, stamp);
    KS_CHECK_STR(stamp, "2024-12-31T14:59:59Z");
}

int main(void)
{
    test_forms();
    test_full_width();
    test_rejects();
    test_names();
    test_arithmetic();
    test_ages();
    test_clock();
    return ks_test_report();
}
