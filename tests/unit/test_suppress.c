/* test_suppress.c: threshold rule, secondary suppression and the audit.
 *
 * The hand-made tables have their expected hidden cells worked out on paper
 * (the reasoning is in the comments).  The random tables are checked three
 * independent ways: by ks_suppress_audit (SVD rank test), by an exact rank
 * test written here (Gaussian elimination modulo a prime, exact for these
 * 0/+-1 network matrices, whose subdeterminants are all 0 or +-1), and for
 * small tables by a brute-force search for another integer solution (hidden
 * cells >= 1, every line equation holding) in which the hidden cell differs. */
#include "suppress.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* ---- building tables ------------------------------------------------------ */

/* A table with a text column "label" then nc count columns c0..; v is
 * nr x nc row-major (-1 = NULL); tcol is a count-column index (table column
 * tcol + 1) or -1. */
static ks_table *grid_table(size_t nr, size_t nc, const int64_t *v, long trow, long tcol)
{
    ks_error err = {0};
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "label", NULL, KS_COL_TEXT, &err);
    for (size_t c = 0; c < nc; c++) {
        char name[32];
        snprintf(name, sizeof name, "c%zu", c);
        ks_table_add_column(t, name, NULL, KS_COL_INT, &err);
        ks_table_set_count(t, c + 1, &err);
    }
    for (size_t r = 0; r < nr; r++) {
        char name[32];
        snprintf(name, sizeof name, "r%zu", r);
        ks_table_add_row(t);
        ks_table_set_text(t, r, 0, name, &err);
        for (size_t c = 0; c < nc; c++)
            if (v[r * nc + c] >= 0)
                ks_table_set_int(t, r, c + 1, v[r * nc + c], &err);
    }
    KS_CHECK_INT(ks_table_set_totals(t, trow, tcol >= 0 ? tcol + 1 : -1, &err), 0);
    return t;
}

static bool hidden(const ks_table *t, size_t r, size_t c)
{
    return ks_table_cell(t, r, c + 1)->kind == KS_CELL_SUPPRESSED;
}

/* The hidden count cells as a string "r,c r,c ..." for readable checks. */
static void hidden_list(const ks_table *t, size_t nr, size_t nc, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++)
            if (hidden(t, r, c) && len < cap)
                len += (size_t)snprintf(out + len, cap - len, "%s%zu,%zu", len ? " " : "", r, c);
}

static const ks_audit_cell *audit_at(const ks_audit *a, size_t r, size_t c)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->cells[i].row == r && a->cells[i].col == c + 1)
            return &a->cells[i];
    return NULL;
}

/* ---- hand-made tables ------------------------------------------------------ */

static void test_primary(void)
{
    /* no totals: 0 stays (a true zero), 1 and 4 go, 5 = k stays */
    const int64_t v[] = {0, 1, 4, 5, 12, -1};
    ks_table *t = grid_table(6, 1, v, -1, -1);
    ks_suppress_stats st = {0};
    ks_error err = {0};
    KS_CHECK_INT(ks_suppress(t, 5, &st, &err), 0);
    char got[256];
    hidden_list(t, 6, 1, got, sizeof got);
    KS_CHECK_STR(got, "1,0 2,0");
    KS_CHECK_INT(st.primary, 2);
    KS_CHECK_INT(st.secondary, 0); /* nothing to subtract from: no totals */
    KS_CHECK_INT(ks_table_cell(t, 0, 1)->kind, KS_CELL_INT);
    KS_CHECK_INT(ks_table_cell(t, 0, 1)->v.i, 0);
    KS_CHECK_INT(ks_table_cell(t, 5, 1)->kind, KS_CELL_NULL);
    KS_CHECK_INT(ks_suppress_check(t, 5, &err), 0);
    /* the value is gone, not merely flagged */
    KS_CHECK_INT(ks_table_cell(t, 1, 1)->v.why, KS_WHY_PRIMARY);
    ks_audit a;
    ks_audit_init(&a);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.n, 2);
    KS_CHECK_INT(a.lines, 0);
    KS_CHECK_INT(a.determined, 0);
    ks_audit_release(&a);
    ks_table_free(t);

    /* k = 1 hides nothing; k < 1 is a usage error */
    t = grid_table(6, 1, v, -1, -1);
    KS_CHECK_INT(ks_suppress(t, 1, NULL, &err), 0);
    KS_CHECK(!hidden(t, 1, 0));
    KS_CHECK_INT(ks_suppress(t, 0, NULL, &err), -KS_EUSAGE);
    ks_table_free(t);
}

static void test_check(void)
{
    ks_error err = {0};
    const int64_t v[] = {7, 3, 12};
    ks_table *t = grid_table(3, 1, v, -1, -1);
    KS_CHECK_INT(ks_suppress_check(t, 5, &err), -KS_ESAFETY);
    /* names the cell, not the value */
    KS_CHECK_STR(err.msg, "row 2, column 'c0': a count below k=5 would be printed");
    KS_CHECK_INT(ks_suppress_check(t, 3, &err), 0);
    KS_CHECK_INT(ks_suppress_check(t, 0, &err), 0);
    KS_CHECK_INT(ks_suppress_primary(t, 5, NULL, &err), 0);
    KS_CHECK_INT(ks_suppress_check(t, 5, &err), 0);
    ks_table_free(t);
}

static void test_links(void)
{
    ks_error err = {0};
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "n", NULL, KS_COL_INT, &err);
    ks_table_add_column(t, "all", NULL, KS_COL_INT, &err);
    ks_table_add_column(t, "share", NULL, KS_COL_REAL, &err);
    ks_table_add_column(t, "plain", NULL, KS_COL_REAL, &err);
    ks_table_set_count(t, 0, &err);
    ks_table_set_count(t, 1, &err);
    KS_CHECK_INT(ks_table_set_share(t, 2, 0, 1, &err), 0);
    /* links must point at count columns */
    KS_CHECK_INT(ks_table_set_share(t, 3, 2, -1, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_table_set_share(t, 3, -1, -1, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_table_set_count(t, 2, &err), -KS_EUSAGE);
    const int64_t n[] = {3, 8, 9}, all[] = {10, 20, 30};
    for (size_t i = 0; i < 3; i++) {
        ks_table_add_row(t);
        ks_table_set_int(t, i, 0, n[i], &err);
        ks_table_set_int(t, i, 1, all[i], &err);
        ks_table_set_real(t, i, 2, (double)n[i] / (double)all[i], &err);
        ks_table_set_real(t, i, 3, 1.0, &err);
    }
    /* row 1's denominator hidden by hand: share * 8 would give it back */
    ks_table_suppress(t, 1, 1, KS_WHY_SECONDARY, &err);
    ks_suppress_stats st = {0};
    KS_CHECK_INT(ks_suppress(t, 5, &st, &err), 0);
    KS_CHECK_INT(st.primary, 1);
    KS_CHECK_INT(st.linked, 2);
    KS_CHECK_INT(ks_table_cell(t, 0, 2)->kind, KS_CELL_SUPPRESSED);
    KS_CHECK_INT(ks_table_cell(t, 0, 2)->v.why, KS_WHY_LINKED);
    KS_CHECK_INT(ks_table_cell(t, 1, 2)->kind, KS_CELL_SUPPRESSED);
    KS_CHECK_INT(ks_table_cell(t, 2, 2)->kind, KS_CELL_REAL);
    KS_CHECK_INT(ks_table_cell(t, 0, 3)->kind, KS_CELL_REAL); /* not linked */
    KS_CHECK_INT(ks_suppress_check(t, 5, &err), 0);
    ks_table_free(t);
}

/* The audit flags what primary suppression alone leaves open:
 *      c0  c1 | tot
 *   A   3  10 |  13      3 < 5 is hidden, and 3 = 13 - 10 = 11 - 8
 *   B   8   9 |  17
 *   T  11  19 |  30
 * Secondary, by hand: row A has one hidden cell, its smallest other non-total
 * cell is 10; then column c0 (3 alone) takes 8, column c1 (10 alone) takes 9
 * (9 < total 19).  Every line now has two, the four cells form a cycle, and
 * x_A0 lies in [1, 10] (row: 3 + 10 = 13 - 0, column: 3 + 8 = 11). */
static void test_single_hidden_cell(void)
{
    const int64_t v[] = {3, 10, 13, 8, 9, 17, 11, 19, 30};
    ks_table *t = grid_table(3, 3, v, 2, 2);
    ks_error err = {0};
    ks_suppress_stats st = {0};
    KS_CHECK_INT(ks_suppress_primary(t, 5, &st, &err), 0);
    ks_audit a;
    ks_audit_init(&a);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.n, 1);
    KS_CHECK_INT(a.lines, 2);
    KS_CHECK_INT(a.rank, 1);
    KS_CHECK_INT(a.determined, 1);
    KS_CHECK(a.cells[0].determined);
    /* the bounds recover the hidden value itself */
    KS_CHECK(a.cells[0].pinned);
    KS_CHECK_DBL(a.cells[0].lo, 3, 0);
    KS_CHECK_DBL(a.cells[0].hi, 3, 0);

    KS_CHECK_INT(ks_suppress_secondary(t, &st, &err), 0);
    char got[256];
    hidden_list(t, 3, 3, got, sizeof got);
    KS_CHECK_STR(got, "0,0 0,1 1,0 1,1");
    KS_CHECK_INT(st.secondary, 3);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.n, 4);
    KS_CHECK_INT(a.rank, 3); /* four equations over a 4-cycle: one is redundant */
    KS_CHECK_INT(a.determined, 0);
    KS_CHECK_INT(a.pinned, 0);
    const ks_audit_cell *c = audit_at(&a, 0, 0);
    KS_CHECK(c != NULL);
    if (c) {
        KS_CHECK_DBL(c->lo, 1, 0);
        KS_CHECK_DBL(c->hi, 10, 0);
    }
    ks_audit_release(&a);
    ks_table_free(t);
}

/* "Two hidden cells in every line" is not enough.  Primary suppression at
 * k=5 hides two 2x2 blocks joined by one cell, (1,2):
 *        c0 c1 c2 c3 | tot
 *   r0    1  2  9  8 |  20
 *   r1    3  4  2  7 |  16
 *   r2    6  8  1  3 |  18
 *   r3    9  5  4  2 |  20
 *   T    19 19 16 20 |  74
 * Each row and column has 0, 2 or 3 hidden cells, yet (1,2) follows: rows 0,1
 * and columns 0,1 give x00+x01 = 3, x00+x10 = 4, x01+x11 = 6, so x10+x11 = 7
 * and x12 = (16 - 7) - 7 = 2.  The other eight lie on cycles and stay free. */
static void test_bridge(void)
{
    const int64_t v[] = {1, 2, 9, 8, 20, 3, 4, 2, 7, 16, 6, 8, 1, 3, 18,
                         9, 5, 4, 2, 20, 19, 19, 16, 20, 74};
    ks_table *t = grid_table(5, 5, v, 4, 4);
    ks_error err = {0};
    ks_suppress_stats st = {0};
    KS_CHECK_INT(ks_suppress_primary(t, 5, &st, &err), 0);
    KS_CHECK_INT(st.primary, 9);
    ks_audit a;
    ks_audit_init(&a);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.n, 9);
    KS_CHECK_INT(a.determined, 1);
    const ks_audit_cell *c = audit_at(&a, 1, 2);
    KS_CHECK(c && c->determined);
    for (size_t i = 0; i < a.n; i++)
        if (a.cells[i].row != 1 || a.cells[i].col != 3)
            KS_CHECK(!a.cells[i].determined);
    /* and secondary suppression closes it */
    KS_CHECK_INT(ks_suppress_secondary(t, &st, &err), 0);
    KS_CHECK(st.secondary > 0);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.determined, 0);
    KS_CHECK_INT(a.pinned, 0);
    ks_audit_release(&a);
    ks_table_free(t);
}

/* Long format with a total row.  1 and 1 are hidden and each has a partner
 * in its line, but with a remainder of 52 - 20 - 30 = 2 and hidden cells
 * known to be >= 1 (zeros are shown), both are 1: the bounds pin them.  The
 * smallest other cell, 20, joins them: x + y + z = 22, each in [1, 20]. */
static void test_pinned_by_bounds(void)
{
    const int64_t v[] = {1, 1, 20, 30, 52};
    ks_table *t = grid_table(5, 1, v, 4, -1);
    ks_error err = {0};
    ks_suppress_stats st = {0};
    KS_CHECK_INT(ks_suppress_primary(t, 5, &st, &err), 0);
    ks_audit a;
    ks_audit_init(&a);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.determined, 0); /* no equation isolates either */
    KS_CHECK_INT(a.pinned, 2);
    KS_CHECK_DBL(a.cells[0].lo, 1, 0);
    KS_CHECK_DBL(a.cells[0].hi, 1, 0);
    KS_CHECK_INT(ks_suppress_secondary(t, &st, &err), 0);
    char got[64];
    hidden_list(t, 5, 1, got, sizeof got);
    KS_CHECK_STR(got, "0,0 1,0 2,0");
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.pinned, 0);
    KS_CHECK_DBL(a.cells[0].hi, 20, 0);
    ks_audit_release(&a);
    ks_table_free(t);

    /* one small cell in a long list: the next smallest joins it, and the
     * total (a total cell) is never chosen while another cell will do */
    const int64_t w[] = {9, 3, 0, 40, 6, 58};
    t = grid_table(6, 1, w, 5, -1);
    KS_CHECK_INT(ks_suppress(t, 5, NULL, &err), 0);
    hidden_list(t, 6, 1, got, sizeof got);
    KS_CHECK_STR(got, "1,0 4,0");
    ks_table_free(t);
}

/* Bounds can pin a cell through several lines at once (found by the random
 * test below, k=2, total row 3 and total column 2):
 *        c0  c1 | tot  c3  c4  c5
 *   r0    0  1* |   6   0  3*  2*
 *   r1    3  0  |  11  1*  5*  2*
 *   r2    2  4* |  18  2*  8   2
 *   T     5  5* |  35  3* 16   6
 * Rows 0 and 1 give x01 + x04 + x05 = 6 and x13 + x14 + x15 = 8; columns 4
 * and 5 give x04 + x14 = 8 and x05 + x15 = 4.  Adding the rows and taking
 * away the columns: x01 + x13 = 2, so both are 1, although no single line
 * says so and no equation isolates either. */
static void test_pinned_across_lines(void)
{
    const int64_t v[] = {0, 1, 6, 0, 3, 2, 3, 0, 11, 1, 5, 2,
                         2, 4, 18, 2, 8, 2, 5, 5, 35, 3, 16, 6};
    const bool hide[] = {0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1,
                         0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0};
    ks_table *t = grid_table(4, 6, v, 3, 2);
    ks_error err = {0};
    for (size_t i = 0; i < 24; i++)
        if (hide[i])
            ks_table_suppress(t, i / 6, i % 6 + 1, KS_WHY_PRIMARY, &err);
    ks_audit a;
    ks_audit_init(&a);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.determined, 0);
    KS_CHECK_INT(a.pinned, 2);
    const ks_audit_cell *c01 = audit_at(&a, 0, 1), *c13 = audit_at(&a, 1, 3);
    KS_CHECK(c01 && c01->pinned && c01->lo == 1 && c01->hi == 1);
    KS_CHECK(c13 && c13->pinned && c13->lo == 1 && c13->hi == 1);
    /* x21 + x23 = 6 with x23 = x33 - x13 and x31 = x01 + x21: not pinned */
    const ks_audit_cell *c21 = audit_at(&a, 2, 1);
    KS_CHECK(c21 && !c21->pinned);
    KS_CHECK_INT(ks_suppress_secondary(t, NULL, &err), 0);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.determined + a.pinned, 0);
    ks_audit_release(&a);
    ks_table_free(t);
}

/* A total below k hides itself, and then everything non-zero under it:
 *   long:  1 3 0 | 4       -> 1, 3 and 4 hidden, 0 shown
 *   2x2:   A  1  0 | 1
 *          B  0  3 | 3
 *          T  1  3 | 4     -> every non-zero cell is < 5; zeros stay
 * No equation isolates a cell (A: x = total, both unknown), and nothing
 * bounds them from above. */
static void test_small_total(void)
{
    const int64_t v[] = {1, 3, 0, 4};
    ks_table *t = grid_table(4, 1, v, 3, -1);
    ks_error err = {0};
    ks_suppress_stats st = {0};
    KS_CHECK_INT(ks_suppress(t, 5, &st, &err), 0);
    char got[128];
    hidden_list(t, 4, 1, got, sizeof got);
    KS_CHECK_STR(got, "0,0 1,0 3,0");
    KS_CHECK_INT(st.secondary, 0);
    ks_audit a;
    ks_audit_init(&a);
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.determined + a.pinned, 0);
    ks_table_free(t);

    const int64_t w[] = {1, 0, 1, 0, 3, 3, 1, 3, 4};
    t = grid_table(3, 3, w, 2, 2);
    KS_CHECK_INT(ks_suppress(t, 5, NULL, &err), 0);
    hidden_list(t, 3, 3, got, sizeof got);
    KS_CHECK_STR(got, "0,0 0,2 1,1 1,2 2,0 2,1 2,2");
    KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
    KS_CHECK_INT(a.n, 7);
    KS_CHECK_INT(a.determined + a.pinned, 0);
    ks_audit_release(&a);
    ks_table_free(t);
}

static void test_bad_tables(void)
{
    ks_error err = {0};
    /* totals that do not add up (a multi-response table) are refused */
    const int64_t v[] = {3, 10, 14, 8, 9, 17, 11, 19, 31};
    ks_table *t = grid_table(3, 3, v, 2, 2);
    KS_CHECK_INT(ks_suppress(t, 5, NULL, &err), -KS_EUSAGE);
    KS_CHECK_STR(err.msg, "declared totals do not add up in row 1 (a multi-response table "
                          "must not declare totals)");
    KS_CHECK(!hidden(t, 0, 0)); /* refused before anything was hidden */
    ks_table_free(t);

    const int64_t neg[] = {3, -1, 2};
    t = grid_table(3, 1, neg, -1, -1);
    ks_table_set_int(t, 1, 1, -4, &err);
    KS_CHECK_INT(ks_suppress(t, 5, NULL, &err), -KS_EUSAGE);
    ks_table_set_text(t, 1, 1, "many", &err);
    KS_CHECK_INT(ks_suppress(t, 5, NULL, &err), -KS_EUSAGE);
    KS_CHECK_STR(err.msg, "count column 'c0' holds text in row 2");
    ks_table_free(t);

    /* shape errors */
    t = grid_table(3, 1, neg, -1, -1);
    KS_CHECK_INT(ks_table_set_totals(t, 7, -1, &err), 0);
    KS_CHECK_INT(ks_suppress(t, 5, NULL, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_table_set_totals(t, -1, 0, &err), -KS_EUSAGE); /* text column */
    KS_CHECK_INT(ks_table_add_column(t, "late", NULL, KS_COL_INT, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_table_set_int(t, 3, 0, 1, &err), -KS_EUSAGE);
    ks_table_free(t);
}

/* ---- independent checkers ---------------------------------------------------- */

#define MAXV 64
#define MAXL 32
#define PRIME 2147483647LL

typedef struct eqs {
    size_t nvar;              /* hidden cells */
    size_t vr[MAXV];          /* their rows */
    size_t vc[MAXV];          /* their count columns */
    int64_t orig[MAXV];       /* their true values */
    size_t nl;                /* lines */
    int a[MAXL][MAXV];        /* coefficients */
    int64_t b[MAXL];          /* right-hand sides */
} eqs;

/* The line equations written from the table's layout, not by suppress.c. */
static bool eqs_build(eqs *e, const ks_table *t, const int64_t *v, size_t nr, size_t nc,
                      long trow, long tcol)
{
    memset(e, 0, sizeof *e);
    int idx[16][16];
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++) {
            idx[r][c] = -1;
            if (hidden(t, r, c)) {
                if (e->nvar == MAXV)
                    return false;
                e->vr[e->nvar] = r;
                e->vc[e->nvar] = c;
                e->orig[e->nvar] = v[r * nc + c];
                idx[r][c] = (int)e->nvar++;
            }
        }
    for (int dir = 0; dir < 2; dir++) {
        if (dir == 0 ? tcol < 0 : trow < 0)
            continue;
        size_t nlines = dir == 0 ? nr : nc, len = dir == 0 ? nc : nr;
        for (size_t l = 0; l < nlines; l++) {
            if (e->nl == MAXL)
                return false;
            for (size_t x = 0; x < len; x++) {
                size_t r = dir == 0 ? l : x, c = dir == 0 ? x : l;
                int coef = (dir == 0 ? (long)c == tcol : (long)r == trow) ? -1 : 1;
                if (idx[r][c] >= 0)
                    e->a[e->nl][idx[r][c]] = coef;
                else
                    e->b[e->nl] -= coef * v[r * nc + c];
            }
            e->nl++;
        }
    }
    return true;
}

static int64_t mod_pow(int64_t b, int64_t ex)
{
    int64_t r = 1;
    b %= PRIME;
    while (ex) {
        if (ex & 1)
            r = r * b % PRIME;
        b = b * b % PRIME;
        ex >>= 1;
    }
    return r;
}

static size_t rank_modp(int64_t (*m)[MAXV], size_t rows, size_t cols)
{
    size_t rank = 0;
    for (size_t c = 0; c < cols && rank < rows; c++) {
        size_t p = rank;
        while (p < rows && m[p][c] == 0)
            p++;
        if (p == rows)
            continue;
        for (size_t k = 0; k < cols; k++) {
            int64_t tmp = m[p][k];
            m[p][k] = m[rank][k];
            m[rank][k] = tmp;
        }
        int64_t inv = mod_pow(m[rank][c], PRIME - 2);
        for (size_t r = 0; r < rows; r++) {
            if (r == rank || m[r][c] == 0)
                continue;
            int64_t f = m[r][c] * inv % PRIME;
            for (size_t k = 0; k < cols; k++)
                m[r][k] = ((m[r][k] - f * m[rank][k]) % PRIME + PRIME) % PRIME;
        }
        rank++;
    }
    return rank;
}

/* e_var lies in the row space iff appending it leaves the rank unchanged. */
static bool determined_modp(const eqs *e, size_t var)
{
    int64_t m[MAXL + 1][MAXV];
    size_t rank[2];
    for (size_t extra = 0; extra < 2; extra++) {
        for (size_t l = 0; l < e->nl; l++)
            for (size_t k = 0; k < e->nvar; k++)
                m[l][k] = (e->a[l][k] + PRIME) % PRIME;
        for (size_t k = 0; k < e->nvar; k++)
            m[e->nl][k] = k == var;
        rank[extra] = rank_modp(m, e->nl + extra, e->nvar);
    }
    return rank[0] == rank[1];
}

/* Brute force over integer solutions (hidden cells in [1, ub], every line
 * equation holding).  `var` is either held at `want` (fix) or kept away
 * from it.  1 found, 0 none, -1 gave up. */
typedef struct search {
    const eqs *e;       /* the system */
    int64_t ub;         /* upper end of every domain */
    size_t var;         /* the cell asked about */
    int64_t want;       /* its value of interest */
    bool fix;           /* true: var == want; false: var != want */
    int64_t val[MAXV];  /* current assignment */
    bool set[MAXV];     /* assigned so far */
    size_t order[MAXV]; /* assignment order, var first */
    long nodes;         /* work done */
} search;

static bool feasible(search *s)
{
    const eqs *e = s->e;
    for (size_t l = 0; l < e->nl; l++) {
        int64_t sum = 0, lo = 0, hi = 0;
        for (size_t k = 0; k < e->nvar; k++) {
            int a = e->a[l][k];
            if (!a)
                continue;
            if (s->set[k]) {
                sum += a * s->val[k];
            } else {
                lo += a > 0 ? 1 : -s->ub;
                hi += a > 0 ? s->ub : -1;
            }
        }
        int64_t need = e->b[l] - sum;
        if (need < lo || need > hi)
            return false;
    }
    return true;
}

static int dfs(search *s, size_t depth)
{
    if (++s->nodes > 2000000)
        return -1;
    if (depth == s->e->nvar)
        return 1;
    size_t k = s->order[depth];
    for (int64_t x = 1; x <= s->ub; x++) {
        if (k == s->var && (s->fix ? x != s->want : x == s->want))
            continue;
        s->val[k] = x;
        s->set[k] = true;
        int rc = feasible(s) ? dfs(s, depth + 1) : 0;
        s->set[k] = false;
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int solve(const eqs *e, size_t var, int64_t want, bool fix, int64_t ub)
{
    search s = {.e = e, .ub = ub, .var = var, .want = want, .fix = fix};
    s.order[0] = var;
    for (size_t k = 0, d = 1; k < e->nvar; k++)
        if (k != var)
            s.order[d++] = k;
    return dfs(&s, 0);
}

/* Is there a solution in which the cell differs from its true value? */
static int other_solution(const eqs *e, size_t var, int64_t ub)
{
    return solve(e, var, e->orig[var], false, ub);
}

/* ---- random tables ------------------------------------------------------------ */

typedef struct rng {
    uint64_t s; /* splitmix64 state */
} rng;

static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int64_t rng_below(rng *r, uint64_t n) { return (int64_t)(rng_next(r) % n); }

typedef struct rtab {
    size_t nr, nc;      /* full shape, totals included */
    long trow, tcol;    /* -1 none */
    int64_t v[16 * 16]; /* values */
} rtab;

/* Interior cells: a quarter zeros, many small counts, some large; totals at
 * random positions so that nothing assumes "last row, last column". */
static void rtab_make(rtab *t, rng *r, int k, int shape)
{
    size_t R = 1 + (size_t)rng_below(r, 6), C = 1 + (size_t)rng_below(r, 5);
    bool has_row = shape == 0 || shape == 2, has_col = shape == 0 || shape == 1;
    t->nr = R + has_row;
    t->nc = C + has_col;
    t->trow = has_row ? rng_below(r, t->nr) : -1;
    t->tcol = has_col ? rng_below(r, t->nc) : -1;
    memset(t->v, 0, sizeof t->v);
    for (size_t i = 0; i < t->nr; i++) {
        for (size_t j = 0; j < t->nc; j++) {
            if ((long)i == t->trow || (long)j == t->tcol)
                continue;
            int64_t u = rng_below(r, 100);
            t->v[i * t->nc + j] = u < 25 ? 0 : u < 70 ? 1 + rng_below(r, (uint64_t)k + 1)
                                                       : k + rng_below(r, 30);
        }
    }
    for (size_t i = 0; i < t->nr; i++)
        for (size_t j = 0; j < t->nc; j++) {
            int64_t *cell = &t->v[i * t->nc + j];
            if ((long)j == t->tcol && (long)i != t->trow)
                for (size_t x = 0; x < t->nc; x++)
                    *cell += (long)x == t->tcol ? 0 : t->v[i * t->nc + x];
        }
    if (t->trow >= 0)
        for (size_t j = 0; j < t->nc; j++) {
            int64_t *cell = &t->v[(size_t)t->trow * t->nc + j];
            for (size_t i = 0; i < t->nr; i++)
                *cell += (long)i == t->trow ? 0 : t->v[i * t->nc + j];
        }
}

static int64_t rtab_grand(const rtab *t)
{
    int64_t g = 0;
    for (size_t i = 0; i < t->nr; i++)
        for (size_t j = 0; j < t->nc; j++)
            if ((long)i != t->trow && (long)j != t->tcol)
                g += t->v[i * t->nc + j];
    return g;
}

static void test_random_secondary(void)
{
    static const int ks[] = {2, 3, 5, 10};
    rng r = {.s = 20261120};
    int tables = 0, brute = 0, gave_up = 0, with_secondary = 0;
    /* KASANE_SUPPRESS_RANDOM raises the count for a longer local run */
    const char *env = getenv("KASANE_SUPPRESS_RANDOM");
    int count = env ? atoi(env) : 600;
    for (int n = 0; n < count; n++) {
        rtab rt;
        int k = ks[rng_below(&r, 4)];
        rtab_make(&rt, &r, k, n % 4);
        ks_table *t = grid_table(rt.nr, rt.nc, rt.v, rt.trow, rt.tcol);
        ks_error err = {0};
        ks_suppress_stats st = {0};
        int rc = ks_suppress(t, k, &st, &err);
        KS_CHECK_INT(rc, 0);
        if (rc) {
            fprintf(stderr, "table %d: %s\n", n, err.msg);
            ks_table_free(t);
            continue;
        }
        tables++;
        with_secondary += st.secondary > 0;
        KS_CHECK_INT(ks_suppress_check(t, k, &err), 0);
        /* primary cells hidden, zeros shown, published values untouched */
        for (size_t i = 0; i < rt.nr; i++) {
            for (size_t j = 0; j < rt.nc; j++) {
                int64_t x = rt.v[i * rt.nc + j];
                const ks_cell *c = ks_table_cell(t, i, j + 1);
                if (x > 0 && x < k)
                    KS_CHECK_INT(c->kind, KS_CELL_SUPPRESSED);
                if (x == 0)
                    KS_CHECK_INT(c->kind, KS_CELL_INT);
                if (c->kind == KS_CELL_INT)
                    KS_CHECK_INT(c->v.i, x);
            }
        }
        /* the audit finds nothing, and its bounds hold the truth */
        ks_audit a;
        ks_audit_init(&a);
        KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
        KS_CHECK_INT(a.determined, 0);
        KS_CHECK_INT(a.pinned, 0);
        for (size_t i = 0; i < a.n; i++) {
            double x = (double)rt.v[a.cells[i].row * rt.nc + a.cells[i].col - 1];
            KS_CHECK(a.cells[i].lo <= x && x <= a.cells[i].hi);
        }
        if (a.determined || a.pinned)
            fprintf(stderr, "table %d (k=%d, %zux%zu, totals %ld/%ld) exposed\n", n, k, rt.nr,
                    rt.nc, rt.trow, rt.tcol);
        ks_audit_release(&a);
        /* the exact rank test agrees */
        eqs e;
        if (eqs_build(&e, t, rt.v, rt.nr, rt.nc, rt.trow, rt.tcol)) {
            for (size_t var = 0; var < e.nvar; var++)
                KS_CHECK(!determined_modp(&e, var));
            /* small tables: another integer solution exists for every cell */
            if (e.nvar > 0 && e.nvar <= 14 && e.nl > 0 && rtab_grand(&rt) <= 120) {
                brute++;
                for (size_t var = 0; var < e.nvar; var++) {
                    int found = other_solution(&e, var, rtab_grand(&rt) + 1);
                    if (found < 0)
                        gave_up++;
                    KS_CHECK(found != 0);
                    if (found == 0) {
                        fprintf(stderr, "table %d: cell %zu,%zu has one value (k=%d totals %ld/%ld)\n", n, e.vr[var],
                                e.vc[var], k, rt.trow, rt.tcol);
                        for (size_t i = 0; i < rt.nr; i++) {
                            for (size_t j = 0; j < rt.nc; j++)
                                fprintf(stderr, " %3lld%c", (long long)rt.v[i * rt.nc + j], hidden(t, i, j) ? '*' : ' ');
                            fprintf(stderr, "\n");
                        }
                    }
                }
            }
        }
        ks_table_free(t);
    }
    fprintf(stderr, "random: %d tables, %d with secondary cells, %d brute-forced, %d searches "
                    "gave up\n", tables, with_secondary, brute, gave_up);
    /* the sample must actually exercise the heuristic */
    KS_CHECK(with_secondary > 100);
    KS_CHECK(brute > 100);
}

/* The audit itself, on arbitrary hiding patterns (not produced by the
 * heuristic): it must agree with the exact rank test cell by cell, its bounds
 * must contain the true value, and a pinned cell must be pinned at it. */
static void test_random_audit(void)
{
    rng r = {.s = 4242};
    int flagged = 0, cells = 0, exact = 0;
    for (int n = 0; n < 500; n++) {
        rtab rt;
        rtab_make(&rt, &r, 5, n % 3);
        ks_table *t = grid_table(rt.nr, rt.nc, rt.v, rt.trow, rt.tcol);
        ks_error err = {0};
        for (size_t i = 0; i < rt.nr; i++)
            for (size_t j = 0; j < rt.nc; j++)
                if (rt.v[i * rt.nc + j] > 0 && rng_below(&r, 100) < 35)
                    ks_table_suppress(t, i, j + 1, KS_WHY_PRIMARY, &err);
        ks_audit a;
        ks_audit_init(&a);
        KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
        eqs e;
        if (eqs_build(&e, t, rt.v, rt.nr, rt.nc, rt.trow, rt.tcol)) {
            KS_CHECK_INT(a.n, e.nvar);
            for (size_t var = 0; var < e.nvar && var < a.n; var++) {
                KS_CHECK_INT(a.cells[var].row, e.vr[var]);
                KS_CHECK_INT(a.cells[var].col, e.vc[var] + 1);
                bool want = determined_modp(&e, var);
                KS_CHECK_INT(a.cells[var].determined, want);
                double x = (double)e.orig[var];
                KS_CHECK(a.cells[var].lo <= x && x <= a.cells[var].hi);
                if (a.cells[var].pinned)
                    KS_CHECK_DBL(a.cells[var].lo, x, 0);
                /* a determined cell is pinned at its value by the bounds too */
                if (want)
                    KS_CHECK(a.cells[var].pinned);
                flagged += want;
                cells++;
                /* small systems: the bounds are exact, checked by search */
                if (e.nvar <= 10 && rtab_grand(&rt) <= 60) {
                    const ks_audit_cell *ac = &a.cells[var];
                    int64_t lo = (int64_t)ac->lo, ub = rtab_grand(&rt) + 2;
                    if (isfinite(ac->hi) && (int64_t)ac->hi + 2 > ub)
                        ub = (int64_t)ac->hi + 2;
                    KS_CHECK(solve(&e, var, lo, true, ub) != 0);
                    if (lo > 1)
                        KS_CHECK(solve(&e, var, lo - 1, true, ub) != 1);
                    if (isfinite(ac->hi)) {
                        KS_CHECK(solve(&e, var, (int64_t)ac->hi, true, ub) != 0);
                        KS_CHECK(solve(&e, var, (int64_t)ac->hi + 1, true, ub) != 1);
                    } else {
                        /* unbounded: a value above anything in the table occurs
                         * (other cells, totals, may then need more room) */
                        KS_CHECK(solve(&e, var, ub, true, ub * (int64_t)(e.nvar + 1)) != 0);
                    }
                    KS_CHECK_INT(other_solution(&e, var, ub) == 0, ac->pinned);
                    exact++;
                }
            }
        }
        ks_audit_release(&a);
        ks_table_free(t);
    }
    fprintf(stderr, "audit: %d of %d hidden cells determined, %d bounds checked by search\n",
            flagged, cells, exact);
    KS_CHECK(exact > 200);
    KS_CHECK(flagged > 100);
    KS_CHECK(cells - flagged > 100);
}

/* Primary suppression alone on random tables with totals: the audit must
 * catch the exposures that secondary suppression exists for. */
static void test_primary_only_exposed(void)
{
    rng r = {.s = 77};
    int exposed_tables = 0;
    for (int n = 0; n < 200; n++) {
        rtab rt;
        rtab_make(&rt, &r, 5, 0);
        ks_table *t = grid_table(rt.nr, rt.nc, rt.v, rt.trow, rt.tcol);
        ks_error err = {0};
        KS_CHECK_INT(ks_suppress_primary(t, 5, NULL, &err), 0);
        ks_audit a;
        ks_audit_init(&a);
        KS_CHECK_INT(ks_suppress_audit(t, &a, &err), 0);
        exposed_tables += a.determined > 0;
        ks_audit_release(&a);
        ks_table_free(t);
    }
    KS_CHECK(exposed_tables > 50);
}

int main(void)
{
    test_primary();
    test_check();
    test_links();
    test_single_hidden_cell();
    test_bridge();
    test_pinned_by_bounds();
    test_pinned_across_lines();
    test_small_total();
    test_bad_tables();
    test_random_secondary();
    test_random_audit();
    test_primary_only_exposed();
    return ks_test_report();
}
