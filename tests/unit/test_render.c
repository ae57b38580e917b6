/* test_render.c: every output mode on small tables with Japanese text.
 * Expected outputs are written out by hand from the format rules in render.h
 * (RFC 4180 for csv, RFC 8259 for json, GFM for markdown, East Asian Width
 * for alignment: 東部 is two wide characters, four terminal columns). */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "suppress.h"
#include "test.h"

static const char *const notes[] = {"problems may overlap"};

static const ks_render_meta meta = {
    .last_import = "2026-11-20T10:00:00Z",
    .k = 5,
    .version = "0.1.0",
    .excluded = "2 cases without consent excluded",
    .notes = notes,
    .n_notes = 1,
};

/* 地区 / 件数 / 割合: three districts, one of them below k=5, with its share
 * linked to it; ks_suppress hides both. */
static ks_table *district_table(void)
{
    ks_table *t = ks_table_new();
    ks_error err = {0};
    KS_CHECK_INT(ks_table_add_column(t, "district", "地区", KS_COL_TEXT, &err), 0);
    KS_CHECK_INT(ks_table_add_column(t, "n", "件数", KS_COL_INT, &err), 1);
    KS_CHECK_INT(ks_table_add_column(t, "pct", "割合", KS_COL_REAL, &err), 2);
    KS_CHECK_INT(ks_table_set_count(t, 1, &err), 0);
    KS_CHECK_INT(ks_table_set_share(t, 2, 1, -1, &err), 0);
    KS_CHECK_INT(ks_table_set_digits(t, 2, 1, &err), 0);
    const char *names[] = {"東部", "三鷹駅周辺", "西部"};
    const int64_t n[] = {12, 8, 3};
    const double pct[] = {60.0, 40.0, 15.0};
    for (size_t i = 0; i < 3; i++) {
        size_t r = ks_table_add_row(t);
        KS_CHECK_INT(r, i);
        ks_table_set_text(t, r, 0, names[i], &err);
        ks_table_set_int(t, r, 1, n[i], &err);
        ks_table_set_real(t, r, 2, pct[i], &err);
    }
    ks_suppress_stats st = {0};
    KS_CHECK_INT(ks_suppress(t, 5, &st, &err), 0);
    KS_CHECK_INT(st.primary, 1);
    KS_CHECK_INT(st.linked, 1);
    return t;
}

static char *render(const ks_table *t, const ks_render_meta *m, const ks_render_opts *o, int *rc)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_error err = {0};
    *rc = ks_render_buf(&b, t, m, o, &err);
    if (*rc)
        fprintf(stderr, "render: %s\n", err.msg);
    return ks_buf_detach(&b, NULL);
}

#define RENDERS(t, m, o, want)                                              \
    do {                                                                    \
        int rc_;                                                            \
        char *got_ = render(t, m, o, &rc_);                                 \
        KS_CHECK_INT(rc_, 0);                                               \
        KS_CHECK_STR(got_, want);                                           \
        free(got_);                                                         \
    } while (0)

#define FOOTER_TAIL(p, e)                                                   \
    p "<5: a count from 1 to 4" e                                           \
    p "x: hidden, a count below 5 or a cell that would reveal one" e        \
    p "2 cases without consent excluded" e                                  \
    p "problems may overlap" e

static void test_table_mode(void)
{
    ks_table *t = district_table();
    /* widths: 地区 column 10 (三鷹駅周辺 = 5 wide chars), 件数 4, 割合 4 */
    RENDERS(t, &meta, (&(ks_render_opts){.mode = "table"}),
            "地区        件数  割合\n"
            "----------  ----  ----\n"
            "東部          12  60.0\n"
            "三鷹駅周辺     8  40.0\n"
            "西部          <5     x\n"
            "-- k=5, 2 cells suppressed, last import 2026-11-20T10:00:00Z, kasane 0.1.0\n"
            FOOTER_TAIL("-- ", "\n"));
    /* NULL opts is table mode; NULL meta is no footer and no check */
    RENDERS(t, NULL, NULL,
            "地区        件数  割合\n"
            "----------  ----  ----\n"
            "東部          12  60.0\n"
            "三鷹駅周辺     8  40.0\n"
            "西部           x     x\n");
    ks_table_free(t);
}

static void test_table_totals_and_escapes(void)
{
    ks_error err = {0};
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "district", "地区", KS_COL_TEXT, &err);
    ks_table_add_column(t, "n", "件数", KS_COL_INT, &err);
    ks_table_set_count(t, 1, &err);
    const char *names[] = {"東部", "西部", "北部", "計"};
    const int64_t n[] = {12, 3, 7, 22};
    for (size_t i = 0; i < 4; i++) {
        ks_table_add_row(t);
        ks_table_set_text(t, i, 0, names[i], &err);
        ks_table_set_int(t, i, 1, n[i], &err);
    }
    KS_CHECK_INT(ks_table_set_totals(t, 3, -1, &err), 0);
    ks_suppress_stats st = {0};
    KS_CHECK_INT(ks_suppress(t, 5, &st, &err), 0);
    /* 3 is primary; the smallest other cell of the column, 7, protects it */
    KS_CHECK_INT(st.primary, 1);
    KS_CHECK_INT(st.secondary, 1);
    ks_render_meta m = {.k = 5, .version = "0.1.0"};
    /* with totals every hidden cell is x; a rule sets the total row apart */
    RENDERS(t, &m, NULL,
            "地区  件数\n"
            "----  ----\n"
            "東部    12\n"
            "西部     x\n"
            "北部     x\n"
            "----  ----\n"
            "計      22\n"
            "-- k=5, 2 cells suppressed, kasane 0.1.0\n"
            "-- x: hidden, a count below 5 or a cell that would reveal one\n");
    ks_table_free(t);

    /* control characters cannot reach the terminal */
    t = ks_table_new();
    ks_table_add_column(t, "v", NULL, KS_COL_TEXT, &err);
    ks_table_add_row(t);
    ks_table_set_text(t, 0, 0, "a\x1b[31mb\tc\nd\xc2\x9b", &err);
    ks_table_add_row(t);
    ks_table_set_text(t, 1, 0, "\xff", &err);
    RENDERS(t, NULL, NULL,
            "v\n"
            "----------------------\n"
            "a\\x1B[31mb\\tc\\nd\\u009B\n"
            "\\xFF\n");
    ks_table_free(t);
}

static ks_table *quoting_table(void)
{
    ks_error err = {0};
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "name", "名前", KS_COL_TEXT, &err);
    ks_table_add_column(t, "n", "件数", KS_COL_INT, &err);
    ks_table_set_count(t, 1, &err);
    const char *v[] = {"a,b", "say \"hi\"", "line1\nline2", "", NULL, "東部", "x\ty\\z"};
    for (size_t i = 0; i < KS_ARRAY_LEN(v); i++) {
        ks_table_add_row(t);
        ks_table_set_text(t, i, 0, v[i], &err);
        ks_table_set_int(t, i, 1, (int64_t)(i + 1) * 10, &err);
    }
    return t;
}

static void test_csv(void)
{
    ks_table *t = quoting_table();
    ks_render_meta m = {.k = 5, .version = "0.1.0"};
    const char *body = "\"a,b\",10\r\n"
                       "\"say \"\"hi\"\"\",20\r\n"
                       "\"line1\nline2\",30\r\n"
                       "\"\",40\r\n"
                       ",50\r\n"
                       "東部,60\r\n"
                       "x\ty\\z,70\r\n";
    char want[512];
    snprintf(want, sizeof want, "name,n\r\n%s", body);
    /* no footer unless asked: csv readers take comment lines for rows */
    RENDERS(t, &m, (&(ks_render_opts){.mode = "csv"}), want);
    snprintf(want, sizeof want, "\xEF\xBB\xBF名前,件数\r\n%s", body);
    RENDERS(t, &m, (&(ks_render_opts){.mode = "csv", .bom = true, .labels = true}), want);
    snprintf(want, sizeof want, "name,n\r\n%s# k=5, 0 cells suppressed, kasane 0.1.0\r\n", body);
    RENDERS(t, &m, (&(ks_render_opts){.mode = "csv", .comments = true}), want);
    ks_table_free(t);

    t = district_table();
    RENDERS(t, &meta, (&(ks_render_opts){.mode = "csv", .comments = true}),
            "district,n,pct\r\n"
            "東部,12,60.0\r\n"
            "三鷹駅周辺,8,40.0\r\n"
            "西部,<5,x\r\n"
            "# k=5, 2 cells suppressed, last import 2026-11-20T10:00:00Z, kasane 0.1.0\r\n"
            FOOTER_TAIL("# ", "\r\n"));
    ks_table_free(t);
}

static void test_tsv(void)
{
    ks_table *t = quoting_table();
    RENDERS(t, NULL, (&(ks_render_opts){.mode = "tsv"}),
            "name\tn\n"
            "a,b\t10\n"
            "say \"hi\"\t20\n"
            "line1\\nline2\t30\n"
            "\t40\n"
            "\t50\n"
            "東部\t60\n"
            "x\\ty\\\\z\t70\n");
    ks_table_free(t);
    t = district_table();
    RENDERS(t, &meta, (&(ks_render_opts){.mode = "tsv", .comments = true, .labels = true}),
            "地区\t件数\t割合\n"
            "東部\t12\t60.0\n"
            "三鷹駅周辺\t8\t40.0\n"
            "西部\t<5\tx\n"
            "# k=5, 2 cells suppressed, last import 2026-11-20T10:00:00Z, kasane 0.1.0\n"
            FOOTER_TAIL("# ", "\n"));
    ks_table_free(t);
}

static void test_json(void)
{
    ks_table *t = district_table();
    /* reals at full precision (60, not 60.0): digits are for people */
    RENDERS(t, &meta, (&(ks_render_opts){.mode = "json"}),
            "{\"columns\":["
            "{\"name\":\"district\",\"label\":\"地区\",\"type\":\"text\",\"role\":null},"
            "{\"name\":\"n\",\"label\":\"件数\",\"type\":\"int\",\"role\":\"count\"},"
            "{\"name\":\"pct\",\"label\":\"割合\",\"type\":\"real\",\"role\":\"share\"}"
            "],\"rows\":[\n"
            "[\"東部\",12,60],\n"
            "[\"三鷹駅周辺\",8,40],\n"
            "[\"西部\",\"<5\",\"x\"]\n"
            "],\"meta\":{\"k\":5,\"suppressed_cells\":2,\"suppressed\":[[2,1],[2,2]],"
            "\"last_import\":\"2026-11-20T10:00:00Z\",\"version\":\"0.1.0\","
            "\"excluded\":\"2 cases without consent excluded\","
            "\"notes\":[\"problems may overlap\"]}}\n");
    ks_table_free(t);

    ks_error err = {0};
    t = ks_table_new();
    ks_table_add_column(t, "s", NULL, KS_COL_TEXT, &err);
    ks_table_add_column(t, "r", NULL, KS_COL_REAL, &err);
    ks_table_add_row(t);
    /* quote, backslash, LF, tab, U+0001, kanji kept, U+2028 escaped for JS */
    ks_table_set_text(t, 0, 0, "q\"b\\s\n\t\x01 東 \xe2\x80\xa8", &err);
    ks_table_set_real(t, 0, 1, 0.1, &err);
    ks_table_add_row(t);
    ks_table_set_text(t, 1, 0, "bad\xff", &err); /* invalid UTF-8 -> U+FFFD */
    ks_table_set_real(t, 1, 1, NAN, &err);
    ks_table_add_row(t); /* NULLs */
    RENDERS(t, NULL, (&(ks_render_opts){.mode = "json"}),
            "{\"columns\":["
            "{\"name\":\"s\",\"label\":null,\"type\":\"text\",\"role\":null},"
            "{\"name\":\"r\",\"label\":null,\"type\":\"real\",\"role\":null}"
            "],\"rows\":[\n"
            "[\"q\\\"b\\\\s\\n\\t\\u0001 東 \\u2028\",0.1],\n"
            "[\"bad\\ufffd\",null],\n"
            "[null,null]\n"
            "],\"meta\":{\"k\":0,\"suppressed_cells\":0,\"suppressed\":[],"
            "\"last_import\":null,\"version\":\"" KASANE_VERSION "\","
            "\"excluded\":null,\"notes\":[]}}\n");
    ks_table_free(t);

    /* an empty table is still one valid object */
    t = ks_table_new();
    ks_table_add_column(t, "n", NULL, KS_COL_INT, &err);
    RENDERS(t, (&(ks_render_meta){.k = 5, .version = "0.1.0"}), (&(ks_render_opts){.mode = "json"}),
            "{\"columns\":[{\"name\":\"n\",\"label\":null,\"type\":\"int\",\"role\":null}],"
            "\"rows\":[],\"meta\":{\"k\":5,\"suppressed_cells\":0,\"suppressed\":[],"
            "\"last_import\":null,\"version\":\"0.1.0\",\"excluded\":null,\"notes\":[]}}\n");
    ks_table_free(t);
}

static void test_markdown(void)
{
    ks_table *t = district_table();
    RENDERS(t, &meta, (&(ks_render_opts){.mode = "markdown"}),
            "| 地区       | 件数 | 割合 |\n"
            "| :--------- | ---: | ---: |\n"
            "| 東部       |   12 | 60.0 |\n"
            "| 三鷹駅周辺 |    8 | 40.0 |\n"
            "| 西部       |   <5 |    x |\n"
            "\n-- k=5, 2 cells suppressed, last import 2026-11-20T10:00:00Z, kasane 0.1.0\n"
            FOOTER_TAIL("\n-- ", "\n"));
    ks_table_free(t);

    ks_error err = {0};
    t = ks_table_new();
    ks_table_add_column(t, "v", NULL, KS_COL_TEXT, &err);
    ks_table_add_row(t);
    ks_table_set_text(t, 0, 0, "a|b\\c\nd", &err);
    RENDERS(t, NULL, (&(ks_render_opts){.mode = "markdown"}),
            "| v            |\n"
            "| :----------- |\n"
            "| a\\|b\\\\c<br>d |\n");
    ks_table_free(t);
}

static void test_footer_forms(void)
{
    ks_error err = {0};
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "n", NULL, KS_COL_INT, &err);
    ks_table_set_count(t, 0, &err);
    ks_table_add_row(t);
    ks_table_set_int(t, 0, 0, 1, &err);
    ks_table_add_row(t);
    ks_table_set_int(t, 1, 0, 9, &err);
    ks_buf b;
    ks_buf_init(&b);
    /* k = 0: nothing was applied, and the footer says so */
    ks_render_footer(&b, t, (&(ks_render_meta){.version = "0.1.0"}), "-- ", "\n");
    KS_CHECK_STR(b.buf, "-- no disclosure control, kasane 0.1.0\n");
    ks_buf_reset(&b);
    KS_CHECK_INT(ks_suppress(t, 2, NULL, &err), 0);
    /* one cell, singular; k = 2 hides exactly the 1s; notes stay on one line */
    const char *const two[] = {"line\nbreak", NULL};
    ks_render_footer(&b, t,
                     (&(ks_render_meta){.k = 2, .version = "0.1.0", .notes = two, .n_notes = 2}),
                     "# ", "\n");
    KS_CHECK_STR(b.buf, "# k=2, 1 cell suppressed, kasane 0.1.0\n"
                        "# <2: a count of 1\n"
                        "# line break\n");
    ks_buf_release(&b);
    /* no meta, no footer */
    ks_buf_init(&b);
    ks_render_footer(&b, t, NULL, "-- ", "\n");
    KS_CHECK_STR(b.buf, "");
    ks_buf_release(&b);
    ks_table_free(t);
}

static void test_safety_and_modes(void)
{
    ks_error err = {0};
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "n", NULL, KS_COL_INT, &err);
    ks_table_add_column(t, "p", NULL, KS_COL_REAL, &err);
    ks_table_set_count(t, 0, &err);
    ks_table_set_share(t, 1, 0, -1, &err);
    ks_table_add_row(t);
    ks_table_set_int(t, 0, 0, 3, &err);
    ks_table_set_real(t, 0, 1, 0.5, &err);
    ks_buf b;
    ks_buf_init(&b);
    /* a count below k never reaches the output, whatever the command did */
    KS_CHECK_INT(ks_render_buf(&b, t, &meta, NULL, &err), -KS_ESAFETY);
    KS_CHECK_INT(b.len, 0);
    KS_CHECK(strstr(err.msg, "row 1, column 'n'") != NULL);
    /* a share of a hidden count is caught too */
    ks_table_suppress(t, 0, 0, KS_WHY_PRIMARY, &err);
    KS_CHECK_INT(ks_render_buf(&b, t, &meta, NULL, &err), -KS_ESAFETY);
    KS_CHECK(strstr(err.msg, "column 'p'") != NULL);
    KS_CHECK_INT(ks_render_buf(&b, t, &meta, (&(ks_render_opts){.mode = "box"}), &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_render_buf(&b, t, NULL, (&(ks_render_opts){.mode = "box"}), &err), -KS_EUSAGE);
    KS_CHECK(strstr(err.msg, "'box'") != NULL);
    ks_buf_release(&b);
    ks_table_free(t);

    size_t n = 0;
    const ks_render_mode *modes = ks_render_modes(&n);
    KS_CHECK_INT(n, 5);
    const char *names[] = {"table", "csv", "tsv", "json", "markdown"};
    for (size_t i = 0; i < n && i < 5; i++) {
        KS_CHECK_STR(modes[i].name, names[i]);
        KS_CHECK(ks_render_mode_find(names[i]) == &modes[i]);
    }
    KS_CHECK(ks_render_mode_find("box") == NULL);
}

static void test_out_file(void)
{
    const char *tmp = getenv("KASANE_TEST_TMP");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", tmp ? tmp : "/tmp");
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/render-out.csv", dir);
    remove(path);
    ks_table *t = district_table();
    ks_error err = {0};
    KS_CHECK_INT(ks_render_file(path, t, &meta, (&(ks_render_opts){.mode = "csv"}), &err), 0);
    struct stat sb;
    KS_CHECK_INT(stat(path, &sb), 0);
    KS_CHECK_INT(sb.st_mode & 0777, 0600);
    FILE *f = fopen(path, "rb");
    char got[256] = {0};
    if (f) {
        size_t n = fread(got, 1, sizeof got - 1, f);
        got[n] = '\0';
        fclose(f);
    }
    KS_CHECK_STR(got, "district,n,pct\r\n東部,12,60.0\r\n三鷹駅周辺,8,40.0\r\n西部,<5,x\r\n");
    /* a refused render leaves the previous file alone */
    ks_table_add_row(t);
    ks_table_set_int(t, 3, 1, 2, &err);
    KS_CHECK_INT(ks_render_file(path, t, &meta, NULL, &err), -KS_ESAFETY);
    KS_CHECK_INT(stat(path, &sb), 0);
    KS_CHECK_INT(sb.st_size, (long long)strlen(got));
    remove(path);

    /* ks_render to a stream writes the same bytes */
    FILE *mem = tmpfile();
    KS_CHECK(mem != NULL);
    if (mem) {
        ks_table_set_null(t, 3, 1, &err);
        KS_CHECK_INT(ks_render(mem, t, NULL, (&(ks_render_opts){.mode = "tsv"}), &err), 0);
        rewind(mem);
        size_t n = fread(got, 1, sizeof got - 1, mem);
        got[n] = '\0';
        fclose(mem);
        KS_CHECK_STR(got, "district\tn\tpct\n東部\t12\t60.0\n三鷹駅周辺\t8\t40.0\n西部\tx\tx\n\t\t\n");
    }
    ks_table_free(t);
}

int main(void)
{
    test_table_mode();
    test_table_totals_and_escapes();
    test_csv();
    test_tsv();
    test_json();
    test_markdown();
    test_footer_forms();
    test_safety_and_modes();
    test_out_file();
    return ks_test_report();
}
