/* test_publish: one result published in one step (publish.h), and the
 * audit across linked tables (ks_suppress_audit_linked).
 *
 * The planted leak: two tables print the same count (a link with one part).
 * Table A hides it as a complement of its 3 (< k = 5); table B, a plain
 * list without totals, prints it (10 >= k, so B alone has nothing to hide).
 * A reader reads the 10 off B and then the 3 off A's row.  The audit must
 * find it, and ks_publish must refuse when the links are not
 * followed (kasane-weak's "publish-links", set here through KASANE_WEAKEN:
 * this test links the weak flavour); followed, the cell is hidden in B too
 * and the result publishes.  The expected cells are worked out by hand from
 * the tables below. */
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "publish.h"
#include "render.h"
#include "suppress.h"
#include "table.h"
#include "test.h"

/* A: 3 x 3 counts with a total row and column:
 *        x   y  total
 *   r1   3  10   13
 *   r2   8  12   20
 *   tot 11  22   33      -> 3 is primary; 10, 8, 12 and the totals around
 *                           are what secondary suppression has to work with */
static ks_table *table_a(void)
{
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "g", NULL, KS_COL_TEXT, NULL);
    for (int j = 0; j < 3; j++) {
        ks_table_add_column(t, j == 0 ? "x" : j == 1 ? "y" : "total", NULL, KS_COL_INT, NULL);
        ks_table_set_count(t, (size_t)j + 1, NULL);
    }
    static const int v[3][3] = {{3, 10, 13}, {8, 12, 20}, {11, 22, 33}};
    static const char *const g[3] = {"r1", "r2", "total"};
    for (size_t i = 0; i < 3; i++) {
        size_t r = ks_table_add_row(t);
        ks_table_set_text(t, r, 0, g[i], NULL);
        for (size_t j = 0; j < 3; j++)
            ks_table_set_int(t, r, j + 1, v[i][j], NULL);
    }
    ks_table_set_totals(t, 2, 3, NULL);
    return t;
}

/* B: a list, no totals: A's r1/y count 10 (row 0) and an unrelated 40.
 * A's secondary suppression (suppress.h: complements are non-total cells
 * first, then the smallest) hides, by hand: r1 x (3, primary), r1 y (10,
 * row r1's second), r2 x (8, column x's second), r2 y (12, row r2's
 * second); the totals stay. */
static ks_table *table_b(void)
{
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "what", NULL, KS_COL_TEXT, NULL);
    ks_table_add_column(t, "n", NULL, KS_COL_INT, NULL);
    ks_table_set_count(t, 1, NULL);
    size_t r = ks_table_add_row(t);
    ks_table_set_text(t, r, 0, "r1 y", NULL);
    ks_table_set_int(t, r, 1, 10, NULL);
    r = ks_table_add_row(t);
    ks_table_set_text(t, r, 0, "other", NULL);
    ks_table_set_int(t, r, 1, 40, NULL);
    return t;
}

static bool hidden(const ks_table *t, size_t i, size_t j) { return ks_table_cell(t, i, j)->kind == KS_CELL_SUPPRESSED; }

/* The audit on its own: A protected, B with the 3 published (never added
 * through a result, so never protected), linked. */
static void test_audit_finds_shared_cell(void)
{
    ks_table *a = table_a(), *b = table_b();
    ks_error err = {0};
    KS_CHECK_INT(ks_suppress(a, 5, NULL, &err), 0);
    KS_CHECK(hidden(a, 0, 1) && hidden(a, 0, 2) && hidden(a, 1, 1) && hidden(a, 1, 2));
    KS_CHECK(!hidden(a, 0, 3) && !hidden(a, 2, 1) && !hidden(a, 2, 2));
    const ks_table *ts[2] = {a, b};
    ks_cell_ref part = {.table = 1, .row = 0, .col = 1};
    ks_table_link link = {.whole = {.table = 0, .row = 0, .col = 2}, .parts = &part, .nparts = 1};
    size_t det = 99;
    ks_cell_ref first = {0};
    /* without the link, A alone gives nothing back */
    KS_CHECK_INT(ks_suppress_audit_linked(ts, 2, NULL, 0, &det, &first, &err), 0);
    KS_CHECK_INT(det, 0);
    /* with it, the 10 is known, and A's lines give the other three: 3 =
     * 13 - 10, 8 = 11 - 3, 12 = 20 - 8 */
    KS_CHECK_INT(ks_suppress_audit_linked(ts, 2, &link, 1, &det, &first, &err), 0);
    KS_CHECK_INT(det, 4);
    KS_CHECK_INT(first.table, 0);
    KS_CHECK_INT(first.row, 0);
    KS_CHECK_INT(first.col, 1);
    /* hidden in B as well, the link says only "equal": nothing follows */
    KS_CHECK_INT(ks_table_suppress(b, 0, 1, KS_WHY_SECONDARY, &err), 0);
    KS_CHECK_INT(ks_suppress_audit_linked(ts, 2, &link, 1, &det, &first, &err), 0);
    KS_CHECK_INT(det, 0);
    ks_table_free(a);
    ks_table_free(b);
}

/* A sum link that repeats one of A's own lines (column x: 11 = 3 + 8)
 * adds nothing: the audit still finds no hidden cell determined. */
static void test_redundant_link(void)
{
    ks_table *a = table_a();
    ks_error err = {0};
    KS_CHECK_INT(ks_suppress(a, 5, NULL, &err), 0);
    const ks_table *ts[1] = {a};
    ks_cell_ref parts[2] = {{0, 0, 1}, {0, 1, 1}};
    ks_table_link link = {.whole = {0, 2, 1}, .parts = parts, .nparts = 2};
    size_t det = 99;
    KS_CHECK_INT(ks_suppress_audit_linked(ts, 1, &link, 1, &det, NULL, &err), 0);
    KS_CHECK_INT(det, 0);
    ks_table_free(a);
}

/* ks_publish: refuses the planted leak when links are not followed; hides
 * B's copy of the 3 when they are. */
static void test_publish(int follow)
{
    if (follow)
        unsetenv("KASANE_WEAKEN");
    else
        setenv("KASANE_WEAKEN", "publish-links", 1);
    ks_policy pol = {.k = 5, .last_import = NULL};
    ks_result *r = ks_result_new(&pol);
    ks_table *a = table_a(), *b = table_b();
    ks_error err = {0};
    size_t ia = 9, ib = 9;
    KS_CHECK_INT(ks_result_add(r, "a", "A", a, NULL, NULL, 0, &ia, &err), 0);
    KS_CHECK(hidden(a, 0, 1) && hidden(a, 0, 2)); /* protected in place on adding */
    KS_CHECK_INT(ks_result_add(r, "b", "B", b, NULL, NULL, 0, &ib, &err), 0);
    KS_CHECK(!hidden(b, 0, 1)); /* 10 >= k: B alone hides nothing */
    ks_cell_ref part = {.table = ib, .row = 0, .col = 1};
    KS_CHECK_INT(ks_result_link(r, (ks_cell_ref){.table = ia, .row = 0, .col = 2}, &part, 1, &err), 0);
    ks_output o;
    ks_output_init(&o);
    o.mode = "csv";
    char path[] = "/tmp/kasane-test-publish-XXXXXX";
    int fd = mkstemp(path);
    KS_CHECK(fd >= 0);
    o.out_path = path;
    int rc = ks_publish(r, &o, 0, &err);
    if (follow) {
        KS_CHECK_INT(rc, 0);
        KS_CHECK(hidden(ks_result_table(r, ib), 0, 1)); /* B's copy of the 10 */
        KS_CHECK(!hidden(ks_result_table(r, ib), 1, 1)); /* the 40 stays */
    } else {
        KS_CHECK_INT(rc, -KS_ESAFETY);
        KS_CHECK(strstr(err.msg, "follow from what its tables publish together") != NULL);
    }
    unlink(path);
    close(fd);
    ks_result_free(r);
    ks_table_free(a);
    ks_table_free(b);
}

/* One count, two marks: A hides its 3 as "x" (A has totals: a hidden cell
 * may be a complement), a list B prints the same 3 and would mark it "<5"
 * on its own.  Linked, B's copy must print "x" too: a "<5" copy would tell
 * which of A's x's is the small count.  With B alone, "<5" stays. */
static void test_one_mark(void)
{
    unsetenv("KASANE_WEAKEN");
    ks_policy pol = {.k = 5, .last_import = NULL};
    for (int linked = 0; linked < 2; linked++) {
        ks_result *r = ks_result_new(&pol);
        ks_table *a = table_a(), *b = table_b();
        ks_error err = {0};
        KS_CHECK_INT(ks_table_set_int(b, 0, 1, 3, &err), 0); /* B's first row: A's r1 x */
        size_t ia = 9, ib = 9;
        KS_CHECK_INT(ks_result_add(r, "a", "A", a, NULL, NULL, 0, &ia, &err), 0);
        KS_CHECK_INT(ks_result_add(r, "b", "B", b, NULL, NULL, 0, &ib, &err), 0);
        KS_CHECK(ks_render_small_mark(ks_result_table(r, ib))); /* alone: "<5" */
        KS_CHECK(!ks_render_small_mark(ks_result_table(r, ia))); /* totals: "x" */
        if (linked) {
            ks_cell_ref part = {.table = ib, .row = 0, .col = 1};
            KS_CHECK_INT(ks_result_link(r, (ks_cell_ref){.table = ia, .row = 0, .col = 1}, &part, 1, &err), 0);
        }
        KS_CHECK_INT(ks_publish_audit(r, &err), 0);
        const ks_table *pb = ks_result_table(r, ib);
        KS_CHECK(hidden(pb, 0, 1));
        KS_CHECK(!hidden(pb, 1, 1));
        KS_CHECK(ks_render_small_mark(pb) == !linked);
        ks_result_free(r);
        ks_table_free(a);
        ks_table_free(b);
    }
}

int main(void)
{
    test_one_mark();
    test_audit_finds_shared_cell();
    test_redundant_link();
    test_publish(0);
    test_publish(1);
    return ks_test_report();
}
