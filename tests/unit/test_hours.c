/* test_hours: opening hours (src/base/hours.h).  Expected spans, columns and
 * texts are worked out by hand from the strings below; which days are
 * holidays comes from the Cabinet Office's list (tests/ref/holidays/, as in
 * test_holiday.c), and the year-end closing 12/29-1/3 from the law
 * (行政機関の休日に関する法律), not from holiday.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hours.h"
#include "test.h"

static ks_date D(int y, int m, int d) { return (ks_date){(int16_t)y, (int8_t)m, (int8_t)d}; }

static int parse(ks_hours *h, const char *text, ks_holiday_policy pol)
{
    ks_error err = {0};
    int col = -1;
    int rc = ks_hours_parse(h, text, pol, &col, &err);
    if (rc < 0)
        fprintf(stderr, "'%s': %s\n", text, err.msg);
    KS_CHECK_INT(rc, 0);
    KS_CHECK_INT(col, 0);
    return rc;
}

/* Weekdays Mon..Fri 8:30-17:15 and Saturday 9:00-12:00, in minutes. */
static void check_office(const ks_hours *h)
{
    KS_CHECK_INT(h->n, 6);
    if (h->n != 6)
        return;
    for (int d = 0; d < 5; d++) {
        KS_CHECK_INT(h->spans[d].weekday, d);
        KS_CHECK_INT(h->spans[d].start, 8 * 60 + 30);
        KS_CHECK_INT(h->spans[d].end, 17 * 60 + 15);
    }
    KS_CHECK_INT(h->spans[5].weekday, 5);
    KS_CHECK_INT(h->spans[5].start, 9 * 60);
    KS_CHECK_INT(h->spans[5].end, 12 * 60);
}

static void test_forms(void)
{
    const char *office[] = {
        "月-金 8:30-17:15; 土 9:00-12:00",
        "Mon-Fri 8:30-17:15; Sat 9:00-12:00",
        "月〜金 8:30〜17:15；土 9:00～12:00",
        "月～金　８：３０－１７：１５；　土　９：００−１２：００", /* full width throughout */
        "月曜-金曜 8:30-17:15; 土曜日 09:00-12:00",
        "MON-friday 8:30 - 17:15 ; sat 9:00-12:00 ;",
        "土 9:00-12:00; 月-金 8:30-17:15",         /* rule order does not matter */
        "Mon-Fri 8:30-17:15, Sat 9:00-12:00",     /* the English canonical text */
        "月〜金 8:30〜17:15、土 9:00〜12:00",     /* the Japanese canonical text */
        "月・火・水・木・金 8:30-17:15; 土 9:00-12:00",
        "Mon,Tue,Wed-Fri 8:30-17:15;Sat 9:00-12:00",
    };
    for (size_t i = 0; i < KS_ARRAY_LEN(office); i++) {
        ks_hours h;
        if (parse(&h, office[i], KS_HOLIDAYS_CLOSED) == 0)
            check_office(&h);
        KS_CHECK_INT(h.holidays, KS_HOLIDAYS_CLOSED);
        ks_hours_release(&h);
    }

    /* two spans a day on two listed days, sorted by weekday then start */
    const char *lunch[] = {"月・水 13:00-17:00,9:00-12:00", "Mon,Wed 9:00-12:00, 13:00-17:00",
                           "月、水 9:00-12:00・13:00-17:00", "Mon,Wed 9:00-12:00 & 13:00-17:00"};
    for (size_t i = 0; i < KS_ARRAY_LEN(lunch); i++) {
        ks_hours h;
        parse(&h, lunch[i], KS_HOLIDAYS_OPEN);
        KS_CHECK_INT(h.n, 4);
        KS_CHECK_INT(h.holidays, KS_HOLIDAYS_OPEN);
        if (h.n == 4) {
            const int want[4][3] = {{0, 540, 720}, {0, 780, 1020}, {2, 540, 720}, {2, 780, 1020}};
            for (int k = 0; k < 4; k++) {
                KS_CHECK_INT(h.spans[k].weekday, want[k][0]);
                KS_CHECK_INT(h.spans[k].start, want[k][1]);
                KS_CHECK_INT(h.spans[k].end, want[k][2]);
            }
        }
        ks_hours_release(&h);
    }

    ks_hours h;
    parse(&h, "日 0:00-24:00", KS_HOLIDAYS_CLOSED);
    KS_CHECK_INT(h.n, 1);
    if (h.n == 1) {
        KS_CHECK_INT(h.spans[0].weekday, 6);
        KS_CHECK_INT(h.spans[0].start, 0);
        KS_CHECK_INT(h.spans[0].end, 1440);
    }
    ks_hours_release(&h);

    /* adjacent spans touch without overlapping */
    parse(&h, "火 9:00-12:00,12:00-13:00", KS_HOLIDAYS_CLOSED);
    KS_CHECK_INT(h.n, 2);
    ks_hours_release(&h);

    /* empty: hours unknown */
    parse(&h, "", KS_HOLIDAYS_CLOSED);
    KS_CHECK_INT(h.n, 0);
    ks_hours_release(&h);
    parse(&h, " \xE3\x80\x80 ", KS_HOLIDAYS_CLOSED);
    KS_CHECK_INT(h.n, 0);
    ks_hours_release(&h);
}

/* text must fail at column `col` (counted by hand, in characters) with a
 * message containing `want`. */
static void expect_error(const char *text, int col, const char *want)
{
    ks_hours h;
    ks_error err = {0};
    int got = -1;
    int rc = ks_hours_parse(&h, text, KS_HOLIDAYS_CLOSED, &got, &err);
    KS_CHECK_INT(rc, -KS_EDATA);
    KS_CHECK_INT(err.code, KS_EDATA);
    if (got != col)
        fprintf(stderr, "'%s': column %d, want %d (%s)\n", text, got, col, err.msg);
    KS_CHECK_INT(got, col);
    char head[32];
    snprintf(head, sizeof head, "character %d: ", col);
    KS_CHECK(strncmp(err.msg, head, strlen(head)) == 0);
    if (!strstr(err.msg, want))
        fprintf(stderr, "'%s': message '%s' lacks '%s'\n", text, err.msg, want);
    KS_CHECK(strstr(err.msg, want) != NULL);
    KS_CHECK_INT(h.n, 0);
    ks_hours_release(&h);
}

static void test_errors(void)
{
    /* 月1 -2 金3 _4 8 5 :6 3 7 0 8 -9 1 10 7 11 1 12 5 13 */
    expect_error("月-金 8:30-1715", 10, "one or two digits");
    expect_error("月-金 8:30", 9, "expected a dash");
    expect_error("火-月 9:00-17:00", 3, "runs forward");
    /* ';' is 19, the space 20, X 21 */
    expect_error("Mon-Fri 9:00-17:00; Xyz 9:00-12:00", 21, "expected a day");
    expect_error("月 17:00-9:00", 9, "closing time must be after");
    expect_error("月 9:00-9:00", 8, "closing time must be after");
    expect_error("月 9:00-25:00", 8, "0:00 to 24:00");
    expect_error("月 9:60-12:00", 3, "0:00 to 24:00");
    expect_error("月 24:30-12:00", 3, "0:00 to 24:00");
    expect_error("月 9-12", 4, "expected ':'");
    expect_error("月 9:0-12:00", 6, "two digits of minutes");
    expect_error("9:00-17:00", 1, "expected a day");
    expect_error("月・", 3, "expected a day");
    expect_error("Mond 9:00-17:00", 1, "expected a day");
    expect_error("月 9:00-12:00 x", 14, "expected ';'");
    expect_error("月・月 9:00-12:00", 3, "given twice");
    /* the second rule's Wednesday span overlaps the first: 16:00 starts at 19 */
    expect_error("月-金 9:00-17:00; 水 16:00-18:00", 19, "overlap on Wed");
    expect_error("月 9:00-12:00;;", 14, "expected a day");
    /* full width throughout: the column counts characters, not bytes;
     * 月1 〜2 金3 　4 ８5 ：6 ３7 ０8 −9 １10 ７11 ：12 １13 ５14 ；15 土16 　17 ９18 ：19 ０20 ０21 */
    expect_error("月〜金　８：３０−１７：１５；土　９：００", 22, "expected a dash");
    expect_error("月〜金　８：３０−１７：１５；土　９：６０−１２：００", 18, "0:00 to 24:00");

    ks_hours h;
    ks_error err = {0};
    int col = -1;
    KS_CHECK_INT(ks_hours_parse(&h, "月 9:00-12:00 \xff", KS_HOLIDAYS_CLOSED, &col, &err), -KS_EDATA);
    KS_CHECK(col >= 1);
    ks_hours_release(&h);
}

static void test_policy_words(void)
{
    KS_CHECK_INT(ks_holiday_policy_parse(""), KS_HOLIDAYS_CLOSED);
    KS_CHECK_INT(ks_holiday_policy_parse("closed"), KS_HOLIDAYS_CLOSED);
    KS_CHECK_INT(ks_holiday_policy_parse("祝日休み"), KS_HOLIDAYS_CLOSED);
    KS_CHECK_INT(ks_holiday_policy_parse(" OPEN "), KS_HOLIDAYS_OPEN);
    KS_CHECK_INT(ks_holiday_policy_parse("祝日も開所"), KS_HOLIDAYS_OPEN);
    KS_CHECK_INT(ks_holiday_policy_parse("yearend_closed"), KS_HOLIDAYS_YEAREND_CLOSED);
    KS_CHECK_INT(ks_holiday_policy_parse("年末年始休み"), KS_HOLIDAYS_YEAREND_CLOSED);
    KS_CHECK_INT(ks_holiday_policy_parse("sometimes"), -1);
    KS_CHECK_STR(ks_holiday_policy_code(KS_HOLIDAYS_CLOSED), "closed");
    KS_CHECK_STR(ks_holiday_policy_code(KS_HOLIDAYS_OPEN), "open");
    KS_CHECK_STR(ks_holiday_policy_code(KS_HOLIDAYS_YEAREND_CLOSED), "yearend_closed");
}

static bool open_at(const ks_hours *h, ks_date d, int hh, int mm)
{
    ks_error err = {0};
    bool o = ks_hours_open_at(h, d, hh * 60 + mm, &err);
    KS_CHECK_INT(err.code, 0);
    return o;
}

static bool open_on(const ks_hours *h, ks_date d)
{
    ks_error err = {0};
    bool o = ks_hours_open_on(h, d, &err);
    KS_CHECK_INT(err.code, 0);
    return o;
}

static void test_open(void)
{
    ks_hours h;
    parse(&h, "月-金 8:30-17:15; 土 9:00-12:00", KS_HOLIDAYS_CLOSED);
    /* 2026-05-07 is a Thursday (2026-01-01 was a Thursday, and May 7 is 126 days later) */
    ks_date thu = D(2026, 5, 7);
    KS_CHECK(open_on(&h, thu));
    KS_CHECK(!open_at(&h, thu, 8, 29));
    KS_CHECK(open_at(&h, thu, 8, 30));
    KS_CHECK(open_at(&h, thu, 17, 14));
    KS_CHECK(!open_at(&h, thu, 17, 15)); /* the span ends at 17:15 */
    KS_CHECK(!open_at(&h, thu, 23, 59));
    KS_CHECK(!open_at(&h, thu, 0, 0));
    /* Saturday 2026-05-09: the morning only; Sunday 2026-05-10 closed */
    KS_CHECK(open_at(&h, D(2026, 5, 9), 9, 0));
    KS_CHECK(open_at(&h, D(2026, 5, 9), 11, 59));
    KS_CHECK(!open_at(&h, D(2026, 5, 9), 12, 0));
    KS_CHECK(!open_at(&h, D(2026, 5, 9), 14, 0));
    KS_CHECK(!open_on(&h, D(2026, 5, 10)));
    /* 2026-05-06 (Wed) is the 振替休日 for 憲法記念日 on Sunday 5/3; the day after is open */
    KS_CHECK(!open_on(&h, D(2026, 5, 6)));
    KS_CHECK(!open_at(&h, D(2026, 5, 6), 10, 0));
    KS_CHECK(open_at(&h, D(2026, 5, 7), 10, 0));
    /* 成人の日 2027-01-11 (the second Monday: Jan 1 2027 is a Friday); Tuesday open */
    KS_CHECK(!open_on(&h, D(2027, 1, 11)));
    KS_CHECK(!open_at(&h, D(2027, 1, 11), 10, 0));
    KS_CHECK(open_at(&h, D(2027, 1, 12), 10, 0));
    /* 勤労感謝の日 2026-11-23, a Monday */
    KS_CHECK(!open_at(&h, D(2026, 11, 23), 10, 0));
    KS_CHECK(open_at(&h, D(2026, 11, 24), 10, 0));
    ks_error err = {0};
    KS_CHECK(ks_hours_closed_day(&h, D(2026, 11, 23), &err));
    KS_CHECK(!ks_hours_closed_day(&h, D(2026, 11, 24), &err));
    /* the year end: Mon 12/28 open, 12/29 .. 1/3 closed, Mon 1/4 open */
    KS_CHECK(open_on(&h, D(2026, 12, 28)));
    for (int d = 29; d <= 31; d++)
        KS_CHECK(!open_on(&h, D(2026, 12, d)));
    for (int d = 1; d <= 3; d++)
        KS_CHECK(!open_on(&h, D(2027, 1, d)));
    KS_CHECK(open_on(&h, D(2027, 1, 4)));
    KS_CHECK(!err.code);

    /* "open": the weekly rules on every day */
    h.holidays = KS_HOLIDAYS_OPEN;
    KS_CHECK(open_at(&h, D(2026, 11, 23), 10, 0));
    KS_CHECK(open_at(&h, D(2026, 5, 6), 10, 0));
    KS_CHECK(open_at(&h, D(2026, 12, 29), 10, 0)); /* a Tuesday */
    KS_CHECK(open_at(&h, D(2027, 1, 2), 10, 0));   /* a Saturday */
    KS_CHECK(!open_on(&h, D(2027, 1, 3)));         /* Sunday: no rule */
    KS_CHECK(!ks_hours_closed_day(&h, D(2027, 1, 1), &err));
    /* "yearend_closed": holidays by the weekly rules, 12/29-1/3 closed */
    h.holidays = KS_HOLIDAYS_YEAREND_CLOSED;
    KS_CHECK(open_at(&h, D(2026, 11, 23), 10, 0));
    KS_CHECK(open_at(&h, D(2027, 1, 11), 10, 0));
    KS_CHECK(!open_at(&h, D(2026, 12, 29), 10, 0));
    KS_CHECK(!open_at(&h, D(2027, 1, 1), 10, 0));
    KS_CHECK(open_at(&h, D(2027, 1, 4), 10, 0));
    KS_CHECK(ks_hours_closed_day(&h, D(2026, 12, 31), &err));
    KS_CHECK(!ks_hours_closed_day(&h, D(2026, 11, 23), &err));
    KS_CHECK(!err.code);

    /* dates outside holiday.h's years, and non-dates: false and -KS_EUSAGE */
    h.holidays = KS_HOLIDAYS_CLOSED;
    ks_error e2 = {0};
    KS_CHECK(!ks_hours_open_on(&h, D(2021, 5, 6), &e2));
    KS_CHECK_INT(e2.code, KS_EUSAGE);
    ks_error e3 = {0};
    KS_CHECK(!ks_hours_open_at(&h, D(2026, 2, 30), 600, &e3));
    KS_CHECK_INT(e3.code, KS_EUSAGE);
    ks_hours_release(&h);

    /* unknown hours: never open, not an error */
    ks_hours none;
    parse(&none, "", KS_HOLIDAYS_OPEN);
    ks_error e4 = {0};
    KS_CHECK(!ks_hours_open_on(&none, D(2026, 5, 7), &e4));
    KS_CHECK(!ks_hours_open_at(&none, D(2026, 5, 7), 600, &e4));
    KS_CHECK_INT(e4.code, 0);
    ks_hours_release(&none);
}

/* Every day of 2024-2027 for a window open all week, all day: closed exactly
 * on the listed holidays and 12/29-1/3 under "closed"; exactly 12/29-1/3
 * under "yearend_closed"; never under "open". */
static void test_every_holiday(void)
{
    const char *srcdir = getenv("KASANE_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/ref/holidays/jp-2024-2027.txt", srcdir ? srcdir : ".");
    FILE *f = fopen(path, "r");
    KS_CHECK(f != NULL);
    char listed[200][11];
    size_t n = 0;
    char line[256];
    while (f && n < 200 && fgets(line, sizeof line, f)) {
        if (strlen(line) < 12)
            continue;
        memcpy(listed[n], line, 10);
        listed[n][10] = '\0';
        n++;
    }
    if (f)
        fclose(f);
    KS_CHECK_INT(n, 75);

    ks_hours h;
    parse(&h, "Mon-Sun 0:00-24:00", KS_HOLIDAYS_CLOSED);
    int closed = 0, checked = 0;
    for (int y = 2024; y <= 2027; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
                int len = mdays[m - 1] + (m == 2 && y % 4 == 0);
                if (d > len)
                    continue;
                char iso[11];
                snprintf(iso, sizeof iso, "%04d-%02d-%02d", y, m, d);
                bool holiday = false;
                for (size_t i = 0; i < n; i++)
                    holiday |= strcmp(listed[i], iso) == 0;
                bool year_end = (m == 12 && d >= 29) || (m == 1 && d <= 3);
                ks_date dt = D(y, m, d);
                h.holidays = KS_HOLIDAYS_CLOSED;
                bool o = open_on(&h, dt);
                if (o == (holiday || year_end))
                    fprintf(stderr, "%s: open=%d under 'closed'\n", iso, o);
                KS_CHECK(o == !(holiday || year_end));
                KS_CHECK(open_at(&h, dt, 12, 0) == o);
                closed += !o;
                h.holidays = KS_HOLIDAYS_YEAREND_CLOSED;
                KS_CHECK(open_on(&h, dt) == !year_end);
                h.holidays = KS_HOLIDAYS_OPEN;
                KS_CHECK(open_on(&h, dt));
                checked++;
            }
    KS_CHECK_INT(checked, 366 + 365 + 365 + 365);
    /* 75 holidays plus 6 year-end days per winter (4 years: 1/1-1/3 of 2024
     * and 12/29-1/3 three times, 12/29-12/31 of 2027), less 1/1 counted in both */
    KS_CHECK_INT(closed, 75 + 3 + 6 * 3 + 3 - 4);
    ks_hours_release(&h);
}

static void check_text(const char *in, const char *ja, const char *en)
{
    ks_hours h;
    parse(&h, in, KS_HOLIDAYS_CLOSED);
    char *tja = ks_hours_text(&h, "ja");
    char *ten = ks_hours_text(&h, "en");
    KS_CHECK_STR(tja, ja);
    KS_CHECK_STR(ten, en);
    /* both texts read back to the same rules */
    const char *texts[] = {tja, ten};
    for (int k = 0; k < 2; k++) {
        ks_hours back;
        parse(&back, texts[k], KS_HOLIDAYS_CLOSED);
        KS_CHECK_INT(back.n, h.n);
        for (size_t i = 0; i < h.n && i < back.n; i++) {
            KS_CHECK_INT(back.spans[i].weekday, h.spans[i].weekday);
            KS_CHECK_INT(back.spans[i].start, h.spans[i].start);
            KS_CHECK_INT(back.spans[i].end, h.spans[i].end);
        }
        ks_hours_release(&back);
    }
    free(tja);
    free(ten);
    ks_hours_release(&h);
}

static void test_text(void)
{
    check_text("月-金 8:30-17:15; 土 9:00-12:00", "月〜金 8:30〜17:15、土 9:00〜12:00",
               "Mon-Fri 8:30-17:15, Sat 9:00-12:00");
    check_text("Mon,Wed,Fri 13:00-16:00,9:00-12:00", "月・水・金 9:00〜12:00・13:00〜16:00",
               "Mon,Wed,Fri 9:00-12:00 & 13:00-16:00");
    check_text("木 13:00-17:00; 月-水,金 9:00-17:00", "月〜水・金 9:00〜17:00、木 13:00〜17:00",
               "Mon-Wed,Fri 9:00-17:00, Thu 13:00-17:00");
    check_text("土・日 10:00-12:00", "土・日 10:00〜12:00", "Sat,Sun 10:00-12:00");
    check_text("月-日 0:00-24:00", "月〜日 0:00〜24:00", "Mon-Sun 0:00-24:00");
    check_text("", "", "");
}

int main(void)
{
    test_forms();
    test_errors();
    test_policy_words();
    test_open();
    test_every_holiday();
    test_text();
    return ks_test_report();
}
