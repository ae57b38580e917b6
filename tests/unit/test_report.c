/* test_report.c: report periods, the disclosure-coarsened Kaplan-Meier curve,
 * and a whole report on a small hand-made database whose every expected
 * figure is counted by hand below (not taken from the program's output).
 *
 * The database (threshold k = 5), two districts 東部 (1) and 西部 (2):
 *   FY2024: 12 cases, 東部, consulted 2024-06-01, main problem 介護, closed
 *           (終結) 2024-12-01 with 解決, women aged 80-84, living alone,
 *           route 本人.
 *   FY2025: A 20 cases like those, consulted 2025-05-10, closed 2025-09-01
 *           with 改善 (114 days);
 *           B  3 cases, 東部, 2025-06-15, ひきこもり, suspended (中断)
 *           2025-08-01, no outcome, men 45-49, parent and child, route 家族;
 *           C  7 cases, 2025-07-01, 生活困窮 + 債務・家計, ongoing, men 35-39,
 *           no household type, route 民生委員; 5 in 西部, 2 in 東部.
 * The database's last date is 2025-09-01. */
#include "report.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "query.h"
#include "test.h"

/* ---- periods ------------------------------------------------------------------ */

static void test_periods(void)
{
    ks_period p;
    ks_error err = {0};
    KS_CHECK_INT(ks_period_parse("FY2025", &p, &err), 0);
    KS_CHECK_INT(p.first, 2025 * 12 + 3); /* April 2025 */
    KS_CHECK_INT(p.last, 2026 * 12 + 2);  /* March 2026 */
    KS_CHECK_INT(ks_period_parse("2025Q3", &p, &err), 0);
    KS_CHECK_INT(p.first, 2025 * 12 + 6); /* July */
    KS_CHECK_INT(p.last, 2025 * 12 + 8);  /* September */
    KS_CHECK_INT(ks_period_parse("FY2025Q3", &p, &err), 0);
    KS_CHECK_INT(p.first, 2025 * 12 + 9); /* October */
    KS_CHECK_INT(p.last, 2025 * 12 + 11); /* December */
    KS_CHECK_INT(ks_period_parse("FY2025Q4", &p, &err), 0);
    KS_CHECK_INT(p.first, 2026 * 12 + 0); /* January 2026 */
    KS_CHECK_INT(ks_period_parse("2025-10", &p, &err), 0);
    KS_CHECK_INT(p.first, 2025 * 12 + 9);
    KS_CHECK_INT(p.last, 2025 * 12 + 9);
    KS_CHECK_INT(ks_period_parse("2025", &p, &err), 0);
    KS_CHECK_INT(p.first, 2025 * 12);
    KS_CHECK_INT(p.last, 2025 * 12 + 11);
    KS_CHECK_INT(ks_period_parse("2025-04..2026-03", &p, &err), 0);
    KS_CHECK_INT(ks_period_months(p), 12);
    const char *bad[] = {"", "FY25", "2025Q5", "2025-13", "2025-4", "2026-03..2025-04", "2025-04..", "FY2025Q0",
                         "2015-01..2025-02", "20250", "2025Q3x"};
    for (size_t i = 0; i < KS_ARRAY_LEN(bad); i++)
        KS_CHECK_INT(ks_period_parse(bad[i], &p, &err), -KS_EUSAGE);

    ks_period_parse("FY2025", &p, &err);
    ks_period c = ks_period_compare(p, KS_REPORT_LAST_YEAR);
    KS_CHECK_INT(c.first, 2024 * 12 + 3);
    KS_CHECK_INT(c.last, 2025 * 12 + 2);
    ks_period_parse("2025Q3", &p, &err);
    c = ks_period_compare(p, KS_REPORT_PREVIOUS);
    KS_CHECK_INT(c.first, 2025 * 12 + 3); /* April-June */
    KS_CHECK_INT(c.last, 2025 * 12 + 5);
    ks_period_parse("2025-10", &p, &err);
    c = ks_period_compare(p, KS_REPORT_LAST_YEAR);
    KS_CHECK_INT(c.first, 2024 * 12 + 9);
    c = ks_period_compare(p, KS_REPORT_PREVIOUS);
    KS_CHECK_INT(c.first, 2025 * 12 + 8);
    /* 24 months against "last year" would overlap itself: two years back */
    ks_period_parse("2024-04..2026-03", &p, &err);
    c = ks_period_compare(p, KS_REPORT_LAST_YEAR);
    KS_CHECK_INT(c.first, 2022 * 12 + 3);
    KS_CHECK_INT(c.last, 2024 * 12 + 2);

    ks_buf b;
    ks_buf_init(&b);
    ks_period_parse("FY2025", &p, &err);
    ks_period_name(&b, p, KS_LANG_JA);
    KS_CHECK_STR(b.buf, "2025年度（2025年4月〜2026年3月）");
    ks_buf_reset(&b);
    ks_period_name(&b, p, KS_LANG_EN);
    KS_CHECK_STR(b.buf, "FY2025 (Apr 2025 to Mar 2026)");
    ks_buf_reset(&b);
    ks_period_parse("FY2025Q3", &p, &err);
    ks_period_name(&b, p, KS_LANG_JA);
    KS_CHECK_STR(b.buf, "2025年度第3四半期（2025年10月〜2025年12月）");
    ks_buf_reset(&b);
    ks_period_parse("2025Q3", &p, &err);
    ks_period_name(&b, p, KS_LANG_EN);
    KS_CHECK_STR(b.buf, "Q3 2025 (Jul 2025 to Sep 2025)");
    ks_buf_reset(&b);
    ks_period_parse("2025-10", &p, &err);
    ks_period_name(&b, p, KS_LANG_JA);
    KS_CHECK_STR(b.buf, "2025年10月");
    ks_buf_release(&b);
}

/* ---- Kaplan-Meier points ---------------------------------------------------- */

static void test_km_points(void)
{
    /* Ten cases; by hand: S(10) = 9/10 = 0.9, S(20) = 0.9 * 7/9 = 0.7,
     * S(50) = 0.7 * 5/6, S(70) = that * 4/5 = 0.46667 (40 and 80 censored).
     * k = 2, every 30 days to 120:
     *   30: 3 closures since 0, 7 still at risk     -> drawn, 1 - 0.7 = 0.3
     *   60: 1 closure since 30 (fewer than k)      -> skipped
     *   90: 2 closures since 30, 3 at risk          -> drawn, 1 - 0.46667
     *  120: 1 case still at risk (fewer than k)     -> the curve ends */
    const double t[] = {10, 20, 20, 40, 50, 70, 80, 100, 120, 200};
    const int e[] = {1, 1, 1, 0, 1, 1, 0, 1, 1, 0};
    double x[8], y[8];
    size_t n = ks_report_km_points(t, e, 10, 2, 30, 120, x, y, 8);
    KS_CHECK_INT(n, 3);
    KS_CHECK_DBL(x[0], 0, 1e-12);
    KS_CHECK_DBL(y[0], 0, 1e-12);
    KS_CHECK_DBL(x[1], 30, 1e-12);
    KS_CHECK_DBL(y[1], 0.3, 1e-12);
    KS_CHECK_DBL(x[2], 90, 1e-12);
    KS_CHECK_DBL(y[2], 1 - 0.7 * 5.0 / 6 * 4.0 / 5, 1e-12);
    /* with k = 5 nothing after 0 is drawn: at 30, 3 closures; by 90, 5
     * closures but only 3 at risk */
    n = ks_report_km_points(t, e, 10, 5, 30, 120, x, y, 8);
    KS_CHECK_INT(n, 1);
}

/* ---- a whole report on a hand-made database ------------------------------- */

static int add_cases(sqlite3 *db, int n, const char *consult, const char *closed, int district, int age_band,
                     int age, int sex, int hh, int route, int status, int outcome, int main_problem, long long pmask,
                     int nprob, int *next_id)
{
    static const char sql[] =
        "INSERT INTO case_record(case_id, case_key, pseudonym, person_id, household_id, age_band_id, minor, "
        "sex_id, household_type_id, district_id, consult_date, consult_month, fiscal_year, closed_date, "
        "duration_days, intake_route_id, intake_agency_id, consent_id, meeting_type_id, status_id, outcome_id, "
        "main_problem_id, problem_mask, support_mask, partner_mask, problem_count, support_count, partner_count, "
        "field_count, notes_present, row_hash, batch_id) VALUES(?1, ?1, x'00', ?1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, "
        "substr(?7, 1, 7), 0, ?8, NULL, ?9, 1, 1, 3, ?10, ?11, ?12, ?13, 2, 2, ?14, 1, 1, 1, 0, x'00', 1)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        sqlite3_bind_int(st, 1, (*next_id)++);
        sqlite3_bind_int(st, 2, age_band);
        sqlite3_bind_int(st, 3, age < 18); /* the database keeps only "under 18" */
        sqlite3_bind_int(st, 4, sex);
        if (hh)
            sqlite3_bind_int(st, 5, hh);
        else
            sqlite3_bind_null(st, 5);
        sqlite3_bind_int(st, 6, district);
        sqlite3_bind_text(st, 7, consult, -1, SQLITE_STATIC);
        if (closed)
            sqlite3_bind_text(st, 8, closed, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 8);
        sqlite3_bind_int(st, 9, route);
        sqlite3_bind_int(st, 10, status);
        if (outcome)
            sqlite3_bind_int(st, 11, outcome);
        else
            sqlite3_bind_null(st, 11);
        sqlite3_bind_int(st, 12, main_problem);
        sqlite3_bind_int64(st, 13, pmask);
        sqlite3_bind_int(st, 14, nprob);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static char *make_db(void)
{
    const char *tmp = getenv("KASANE_TEST_TMP");
    char dir[512];
    snprintf(dir, sizeof dir, "%s", tmp && *tmp ? tmp : "/tmp");
    mkdir(dir, 0700);
    char path[600];
    snprintf(path, sizeof path, "%s/test_report.db", dir);
    unlink(path);
    char wal[620];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    sqlite3 *db = NULL;
    ks_error err = {0};
    int rc = ks_db_open(path, KS_DB_CREATE, &db, &err);
    KS_CHECK_INT(rc, 0);
    if (rc)
        return NULL;
    int id = 1;
    rc = ks_db_exec(db,
                    "INSERT INTO district VALUES(1, 'Tobu', '東部', 'Tobu'), (2, 'Seibu', '西部', 'Seibu');"
                    "INSERT INTO partner VALUES(0, 'unlisted', '未登録の連携先', '', NULL, NULL, 0),"
                    "(1, 'houkatsu', '地域包括支援センター', 'Community General Support Center', 1, 2, 1);"
                    "INSERT OR REPLACE INTO meta VALUES('last_import', '2025-09-02T00:00:00Z');",
                    &err);
    KS_CHECK_INT(rc, 0);
    const long long CARE = 1LL << 1, HIKI = 1LL << 11, POV = 1LL << 7, DEBT = 1LL << 8;
    rc |= add_cases(db, 12, "2024-06-01", "2024-12-01", 1, 17, 82, 2, 1, 1, 2, 1, 1, CARE, 1, &id);
    rc |= add_cases(db, 20, "2025-05-10", "2025-09-01", 1, 17, 82, 2, 1, 1, 2, 2, 1, CARE, 1, &id);
    rc |= add_cases(db, 3, "2025-06-15", "2025-08-01", 1, 10, 47, 1, 3, 2, 3, 0, 11, HIKI, 1, &id);
    rc |= add_cases(db, 5, "2025-07-01", NULL, 2, 8, 37, 1, 0, 3, 1, 0, 7, POV | DEBT, 2, &id);
    rc |= add_cases(db, 2, "2025-07-01", NULL, 1, 8, 37, 1, 0, 3, 1, 0, 7, POV | DEBT, 2, &id);
    KS_CHECK_INT(rc, 0);
    ks_db_close(db);
    return ks_strdup(path);
}

/* The cells after `label` in the first markdown table row starting with it
 * after the line "**caption**", trimmed and joined with "|". */
static void md_row(const char *doc, const char *caption, const char *label, ks_buf *out)
{
    ks_buf_reset(out);
    char cap[256];
    snprintf(cap, sizeof cap, "**%s**\n", caption);
    const char *p = strstr(doc, cap);
    if (!p)
        return;
    for (p = strchr(p, '\n'); p && *p; p = strchr(p, '\n')) {
        p++;
        if (*p != '|')
            continue;
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        /* split the line into cells */
        char line[2048];
        if (len >= sizeof line)
            continue;
        memcpy(line, p, len);
        line[len] = '\0';
        char *cells[32];
        size_t nc = 0;
        char *s = line + 1;
        while (nc < 32) {
            char *bar = strchr(s, '|');
            if (!bar)
                break;
            *bar = '\0';
            while (*s == ' ')
                s++;
            char *t = s + strlen(s);
            while (t > s && t[-1] == ' ')
                *--t = '\0';
            cells[nc++] = s;
            s = bar + 1;
        }
        if (nc == 0 || strcmp(cells[0], label) != 0)
            continue;
        for (size_t i = 1; i < nc; i++) {
            if (i > 1)
                ks_buf_addc(out, '|');
            ks_buf_adds(out, cells[i]);
        }
        return;
    }
}

/* Every element whose class list holds "n" (a count) holds 0, at least k,
 * or a mark. */
static int counts_safe(const char *html, int k)
{
    int bad = 0, seen = 0;
    for (const char *p = strstr(html, "class=\""); p; p = strstr(p + 1, "class=\"")) {
        const char *v0 = p + 7, *v1 = strchr(v0, '"');
        if (!v1)
            return 0;
        bool is_n = false;
        for (const char *t = v0; t < v1;) {
            const char *e = t;
            while (e < v1 && *e != ' ')
                e++;
            is_n |= e - t == 1 && *t == 'n';
            t = e + 1;
        }
        if (!is_n)
            continue;
        const char *gt = strchr(v1, '>'), *lt = gt ? strchr(gt, '<') : NULL;
        if (!lt)
            return 0;
        char v[64];
        size_t len = (size_t)(lt - gt - 1);
        if (len >= sizeof v)
            continue;
        memcpy(v, gt + 1, len);
        v[len] = '\0';
        seen++;
        if (strcmp(v, "x") == 0 || strncmp(v, "&lt;", 4) == 0 || strcmp(v, "—") == 0)
            continue;
        char *end;
        long x = strtol(v, &end, 10);
        if (len == 0 || *end || (x > 0 && x < k)) {
            fprintf(stderr, "count element holds '%s'\n", v);
            bad++;
        }
    }
    return bad == 0 && seen > 0;
}

/* The report in one format as stdout would get it: built, then published
 * (several tables, as cmd_report publishes it). */
static int report(sqlite3 *db, const ks_report_opts *o, const char *mode, ks_buf *out, ks_report_info *info,
                  ks_error *err)
{
    ks_result *res = NULL;
    int rc = ks_report_build(db, o, &res, info, err);
    if (rc == 0) {
        ks_output po;
        ks_output_init(&po);
        po.mode = mode;
        po.lang = o->lang;
        rc = ks_publish_buf(res, &po, 1, out, err);
    }
    ks_result_free(res);
    return rc;
}

static void test_report_db(void)
{
    char *path = make_db();
    if (!path)
        return;
    sqlite3 *db = NULL;
    ks_error err = {0};
    KS_CHECK_INT(ks_analysis_open(path, KS_LANG_JA, false, NULL, &db, &err), 0);
    ks_report_opts o = {.compare = KS_REPORT_LAST_YEAR, .lang = KS_LANG_JA};
    ks_period_parse("FY2025", &o.period, &err);
    ks_buf md, row;
    ks_buf_init(&md);
    ks_buf_init(&row);
    ks_report_info info = {0};
    int rc = report(db, &o, "markdown", &md, &info, &err);
    KS_CHECK_INT(rc, 0);
    if (rc)
        fprintf(stderr, "report: %s\n", err.msg);
    KS_CHECK_INT(info.k, 5);
    KS_CHECK_INT(info.cases, 30);

    /* headline: new 30 vs 12 (+150%); closed 20 vs 12; suspended 3 (hidden)
     * vs 0; open at 2026-03-31: the 7 C cases; at 2025-03-31 none.  The
     * periods touch, so open(end) = open(start) + new - closed - suspended
     * would give the hidden 3: the comparison's open count is left out. */
    md_row(md.buf, "主な指標", "新規相談", &row);
    KS_CHECK_STR(row.buf, "30|12|18|150.0");
    md_row(md.buf, "主な指標", "終結", &row);
    KS_CHECK_STR(row.buf, "20|12|8|66.7");
    md_row(md.buf, "主な指標", "中断", &row);
    KS_CHECK(strncmp(row.buf, "<5|0|x|", 7) == 0);
    md_row(md.buf, "主な指標", "期末時点の継続中", &row);
    KS_CHECK_STR(row.buf, "7|||");

    /* household types: 単身 20, 親と子 3 (primary), 未記入 7 (the smallest
     * other non-zero cell in the column: the complement), total 30 */
    md_row(md.buf, "世帯構成", "単身", &row);
    KS_CHECK_STR(row.buf, "20|66.7");
    md_row(md.buf, "世帯構成", "親と子", &row);
    KS_CHECK_STR(row.buf, "x|x");
    md_row(md.buf, "世帯構成", "未記入", &row);
    KS_CHECK_STR(row.buf, "x|x");
    md_row(md.buf, "世帯構成", "計", &row);
    KS_CHECK_STR(row.buf, "30|100.0");

    /* districts: 東部 new 25 (20 + 3 + 2) vs 12, closed 20, open 2 (hidden,
     * then 西部's 5 as its complement); 西部 5 vs 0 */
    md_row(md.buf, "地区別", "東部", &row);
    KS_CHECK_STR(row.buf, "25|12|108.3|20|x");
    md_row(md.buf, "地区別", "西部", &row);
    KS_CHECK_STR(row.buf, "5|0||0|x");
    md_row(md.buf, "地区別", "計", &row);
    KS_CHECK_STR(row.buf, "30|12|150.0|20|7");

    /* problems per case: 23 with one, 7 with two */
    md_row(md.buf, "1件あたりの課題の数", "1件", &row);
    KS_CHECK_STR(row.buf, "23|76.7");
    md_row(md.buf, "1件あたりの課題の数", "2件", &row);
    KS_CHECK_STR(row.buf, "7|23.3");

    /* outcomes of the 20 closures: all 改善 */
    md_row(md.buf, "終結した相談（今期）の結果", "改善", &row);
    KS_CHECK_STR(row.buf, "20|100.0");
    /* good outcome 20/20; Wilson 95%: prop.test(20, 20, correct = FALSE)
     * gives [0.8388748, 1] (by hand: centre (1 + z^2/40) / (1 + z^2/20) =
     * 0.919437, half-width 0.080563) */
    md_row(md.buf, "解決・改善の割合（今期に終結した相談、主たる課題別）", "介護", &row);
    KS_CHECK_STR(row.buf, "20|20|0|100.0|83.9|100.0");

    /* the trend table: 介護 20 vs 12, 生活困窮 7 and ひきこもり 3 hidden */
    md_row(md.buf, "主たる課題別の新規相談：比較と傾向", "介護", &row);
    KS_CHECK(strncmp(row.buf, "20|12|66.7|", 11) == 0);
    md_row(md.buf, "主たる課題別の新規相談：比較と傾向", "ひきこもり", &row);
    KS_CHECK(strncmp(row.buf, "x|0|", 4) == 0);
    md_row(md.buf, "主たる課題別の新規相談：比較と傾向", "計", &row);
    KS_CHECK(strncmp(row.buf, "30|12|150.0|", 12) == 0);

    /* time to closure: the 20 介護 cases all close on day 114 */
    md_row(md.buf, "終結までの日数（今期の新規相談）", "介護", &row);
    KS_CHECK_STR(row.buf, "20|20|114|0|0.0|20|100.0|20|100.0");

    /* data quality: household type empty in the 7 C cases */
    md_row(md.buf, "項目の記入状況（今期の新規相談）", "世帯構成", &row);
    KS_CHECK_STR(row.buf, "23|7|0|30|23.3|0.0");

    /* nothing in 1..4 anywhere as a bare count */
    KS_CHECK(strstr(md.buf, "| 3 ") == NULL);

    /* HTML: well-formed, the same figures, no small count in a count element */
    ks_buf html, again;
    ks_buf_init(&html);
    ks_buf_init(&again);
    KS_CHECK_INT(report(db, &o, "html", &html, NULL, &err), 0);
    KS_CHECK_INT(report(db, &o, "html", &again, NULL, &err), 0);
    KS_CHECK(html.len == again.len && memcmp(html.buf, again.buf, html.len) == 0);
    KS_CHECK(counts_safe(html.buf, 5));
    KS_CHECK(strstr(html.buf, "<meta charset=\"utf-8\"/>") != NULL);
    KS_CHECK(strstr(html.buf, "\"Noto Sans CJK JP\"") != NULL);
    KS_CHECK(strstr(html.buf, "<script") == NULL);
    KS_CHECK(strstr(html.buf, "http://") == NULL || strstr(html.buf, "http://www.w3.org/") != NULL);
    KS_CHECK(strstr(html.buf, "<td class=\"n hid\">&lt;5</td>") != NULL);
    KS_CHECK(strstr(html.buf, "秘匿セル") != NULL);

    /* one district: 西部 has the 5 C cases only */
    o.district = "seibu";
    ks_buf_reset(&md);
    KS_CHECK_INT(report(db, &o, "markdown", &md, &info, &err), 0);
    KS_CHECK_INT(info.cases, 5);
    md_row(md.buf, "主な指標", "新規相談", &row);
    KS_CHECK_STR(row.buf, "5|0|5|");
    o.district = "北部";
    ks_buf_reset(&md);
    KS_CHECK_INT(report(db, &o, "markdown", &md, NULL, &err), -KS_EUSAGE);

    ks_buf_release(&html);
    ks_buf_release(&again);
    ks_buf_release(&md);
    ks_buf_release(&row);
    ks_db_close(db);
    unlink(path);
    free(path);
}

int main(void)
{
    umask(077); /* as kasane's main: the database is private */
    test_periods();
    test_km_points();
    test_report_db();
    return ks_test_report();
}
