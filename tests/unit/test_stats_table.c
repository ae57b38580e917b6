/* test_stats_table.c: contingency-table statistics against R.
 *
 * Expected values come from tests/ref/stats_table_ref.txt, written by
 * tests/ref/stats_table.R with R 4.2.2 from R's own functions (chisq.test,
 * fisher.test, prop.test, p.adjust, cor) and data sets (HairEyeColor,
 * infert); the file also carries the raw counts, so nothing is retyped.
 * Edge cases (empty rows, one cell, 1 x c, n = 0) are worked out by hand. */
#include "stats_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

/* ---- The reference file ------------------------------------------------- */

typedef struct ref_entry {
    char *name;  /* "hair.chi2" */
    double *v;   /* its values */
    size_t n;    /* how many */
} ref_entry;

typedef struct ref {
    ref_entry *e; /* one per non-comment line */
    size_t n;     /* entries */
} ref;

static void ref_load(ref *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(1);
    }
    memset(r, 0, sizeof *r);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        r->e = ks_realloc(r->e, (r->n + 1) * sizeof *r->e);
        ref_entry *e = &r->e[r->n++];
        char *sp = strchr(line, ' ');
        if (!sp) {
            fprintf(stderr, "bad reference line: %s", line);
            exit(1);
        }
        e->name = ks_strndup(line, (size_t)(sp - line));
        e->v = NULL;
        e->n = 0;
        char *p = sp, *end;
        for (;;) {
            double v = strtod(p, &end);
            if (end == p)
                break;
            e->v = ks_realloc(e->v, (e->n + 1) * sizeof *e->v);
            e->v[e->n++] = v;
            p = end;
        }
    }
    free(line);
    fclose(f);
}

static void ref_free(ref *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->e[i].name);
        free(r->e[i].v);
    }
    free(r->e);
}

/* The values of `prefix.key`; want_n == 0 accepts any count.  A missing or
 * malformed entry means the fixture and the test disagree: stop. */
static const double *ref_get(const ref *r, const char *prefix, const char *key, size_t want_n,
                             size_t *n)
{
    char name[128];
    snprintf(name, sizeof name, "%s.%s", prefix, key);
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->e[i].name, name) != 0)
            continue;
        if (want_n && r->e[i].n != want_n) {
            fprintf(stderr, "reference %s has %zu values, want %zu\n", name, r->e[i].n, want_n);
            exit(1);
        }
        if (n)
            *n = r->e[i].n;
        return r->e[i].v;
    }
    fprintf(stderr, "reference %s missing\n", name);
    exit(1);
}

static double ref1(const ref *r, const char *prefix, const char *key)
{
    return ref_get(r, prefix, key, 1, NULL)[0];
}

/* Relative tolerance with no absolute floor (p-values of 1e-25 must match
 * too); infinities must be equal. */
static void check_rel(double g, double w, double tol, const char *what, const char *ctx, int line)
{
    ks_test_checks++;
    int ok = isinf(w) ? g == w : fabs(g - w) <= tol * fmax(fabs(w), 1e-300);
    if (!ok) {
        ks_test_failures++;
        fprintf(stderr, "%s:%d: [%s] %s = %.17g, want %.17g (rel tol %g)\n", __FILE__, line, ctx,
                what, g, w, tol);
    }
}
#define CHECK_REL(got, want, tol) check_rel((got), (want), (tol), #got, ctx, __LINE__)

static const double TOL = 1e-6;

/* ---- Crosstab ----------------------------------------------------------- */

static int64_t *ref_counts(const ref *r, const char *ctx, size_t *nrow, size_t *ncol)
{
    const double *dim = ref_get(r, ctx, "dim", 2, NULL);
    *nrow = (size_t)dim[0];
    *ncol = (size_t)dim[1];
    const double *c = ref_get(r, ctx, "counts", *nrow * *ncol, NULL);
    int64_t *out = ks_malloc(*nrow * *ncol * sizeof *out);
    for (size_t k = 0; k < *nrow * *ncol; k++)
        out[k] = (int64_t)c[k];
    return out;
}

static void check_crosstab(const ref *r, const char *ctx)
{
    size_t nr, nc;
    int64_t *counts = ref_counts(r, ctx, &nr, &nc);
    size_t cells = nr * nc;
    ks_crosstab ct;
    ks_error err = {0, ""};
    KS_CHECK_INT(ks_crosstab_init(&ct, counts, nr, nc, &err), 0);
    KS_CHECK_INT(ct.has_test, 1);
    KS_CHECK_INT(ct.rows_dropped + ct.cols_dropped, 0);
    CHECK_REL(ct.chi2, ref1(r, ctx, "chi2"), TOL);
    KS_CHECK_INT(ct.df, (int64_t)ref1(r, ctx, "df"));
    CHECK_REL(ct.p, ref1(r, ctx, "p"), TOL);
    CHECK_REL(ct.g2, ref1(r, ctx, "g2"), TOL);
    CHECK_REL(ct.g2, ref1(r, ctx, "loglm_lrt"), TOL);
    CHECK_REL(ct.g2_p, ref1(r, ctx, "g2_p"), TOL);
    CHECK_REL(ct.cramer_v, ref1(r, ctx, "cramer_v"), TOL);
    CHECK_REL(ct.share_lt5, ref1(r, ctx, "share_lt5"), TOL);
    CHECK_REL(ct.min_expected, ref1(r, ctx, "min_expected"), TOL);
    KS_CHECK_INT(ct.sparse_warning, (int)ref1(r, ctx, "cochran_warning"));
    const double *e = ref_get(r, ctx, "expected", cells, NULL);
    const double *res = ref_get(r, ctx, "stdres", cells, NULL);
    const double *rp = ref_get(r, ctx, "row_pct", cells, NULL);
    const double *cp = ref_get(r, ctx, "col_pct", cells, NULL);
    for (size_t k = 0; k < cells; k++) {
        CHECK_REL(ct.expected[k], e[k], TOL);
        CHECK_REL(ct.adj_resid[k], res[k], TOL);
        /* a percentage of 0 is exact on both sides */
        CHECK_REL(ct.row_pct[k], rp[k], TOL);
        CHECK_REL(ct.col_pct[k], cp[k], TOL);
    }
    ks_crosstab_release(&ct);
    free(counts);
}

/* The two 7 x 22 tables are built by formula here and in the R script; the
 * totals R printed prove the formulas agree. */
static void check_big_formula(const ref *r)
{
    const char *ctx = "big";
    size_t nr, nc;
    int64_t *counts = ref_counts(r, "big", &nr, &nc);
    int64_t total = 0;
    for (int64_t i = 0; i < 7; i++)
        for (int64_t j = 0; j < 22; j++) {
            int64_t v = 4000 + (i * 7919 + j * 104729 + i * j * 31) % 5000;
            KS_CHECK_INT(counts[i * 22 + j], v);
            total += v;
        }
    CHECK_REL((double)total, ref1(r, ctx, "total"), 0);
    free(counts);
    counts = ref_counts(r, "bigmid", &nr, &nc);
    total = 0;
    for (int64_t i = 0; i < 7; i++)
        for (int64_t j = 0; j < 22; j++) {
            int64_t v = (600 + 80 * i) * (5 + j % 7) + (i * 7919 + j * 104729 + i * j * 31) % 261 -
                        130;
            KS_CHECK_INT(counts[i * 22 + j], v);
            total += v;
        }
    CHECK_REL((double)total, ref1(r, "bigmid", "total"), 0);
    free(counts);
}

/* HairEyeColor with an empty row and an empty column slipped in: the test
 * is that of the 4 x 4 table, and the empty cells hold 0. */
static void test_empty_row_col(const ref *r)
{
    const char *ctx = "hair+empty";
    size_t nr, nc;
    int64_t *hair = ref_counts(r, "hair", &nr, &nc);
    int64_t t[5 * 5] = {0};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            t[(i < 2 ? i : i + 1) * 5 + (j < 3 ? j : j + 1)] = hair[i * 4 + j];
    ks_crosstab ct;
    KS_CHECK_INT(ks_crosstab_init(&ct, t, 5, 5, NULL), 0);
    KS_CHECK_INT(ct.rows_dropped, 1);
    KS_CHECK_INT(ct.cols_dropped, 1);
    KS_CHECK_INT(ct.rows_used, 4);
    KS_CHECK_INT(ct.cols_used, 4);
    KS_CHECK_INT(ct.has_test, 1);
    KS_CHECK_INT(ct.df, 9);
    CHECK_REL(ct.chi2, ref1(r, "hair", "chi2"), TOL);
    CHECK_REL(ct.p, ref1(r, "hair", "p"), TOL);
    CHECK_REL(ct.g2, ref1(r, "hair", "g2"), TOL);
    CHECK_REL(ct.cramer_v, ref1(r, "hair", "cramer_v"), TOL);
    KS_CHECK_INT(ct.cells_used, 16);
    KS_CHECK_INT(ct.row_total[2], 0);
    KS_CHECK_INT(ct.col_total[3], 0);
    const double *e = ref_get(r, "hair", "expected", 16, NULL);
    const double *res = ref_get(r, "hair", "stdres", 16, NULL);
    for (size_t j = 0; j < 5; j++) {
        KS_CHECK(ct.expected[2 * 5 + j] == 0 && ct.row_pct[2 * 5 + j] == 0);
        KS_CHECK(ct.adj_resid[2 * 5 + j] == 0 && ct.col_pct[2 * 5 + j] == 0);
    }
    for (size_t i = 0; i < 5; i++)
        KS_CHECK(ct.expected[i * 5 + 3] == 0 && ct.col_pct[i * 5 + 3] == 0);
    CHECK_REL(ct.expected[4 * 5 + 4], e[15], TOL);
    CHECK_REL(ct.adj_resid[4 * 5 + 4], res[15], TOL);
    CHECK_REL(ct.adj_resid[0], res[0], TOL);
    ks_crosstab_release(&ct);
    free(hair);
}

static void check_all_finite(const ks_crosstab *ct)
{
    size_t cells = ct->nrow * ct->ncol;
    for (size_t k = 0; k < cells; k++)
        KS_CHECK(isfinite(ct->row_pct[k]) && isfinite(ct->col_pct[k]) &&
                 isfinite(ct->expected[k]) && isfinite(ct->adj_resid[k]));
    KS_CHECK(isfinite(ct->share_lt5) && isfinite(ct->min_expected));
}

/* Every count in one cell: after dropping, a 1 x 1 table; no test. */
static void test_one_cell(void)
{
    int64_t t[3 * 3] = {0, 0, 0, 0, 0, 0, 0, 17, 0};
    ks_crosstab ct;
    KS_CHECK_INT(ks_crosstab_init(&ct, t, 3, 3, NULL), 0);
    KS_CHECK_INT(ct.n, 17);
    KS_CHECK_INT(ct.rows_dropped, 2);
    KS_CHECK_INT(ct.cols_dropped, 2);
    KS_CHECK_INT(ct.has_test, 0);
    KS_CHECK_INT(ct.df, 0);
    KS_CHECK(isnan(ct.chi2) && isnan(ct.p) && isnan(ct.g2) && isnan(ct.g2_p) &&
             isnan(ct.cramer_v));
    KS_CHECK_DBL(ct.expected[7], 17.0, 1e-15);
    KS_CHECK_DBL(ct.row_pct[7], 100.0, 1e-15);
    KS_CHECK_DBL(ct.col_pct[7], 100.0, 1e-15);
    KS_CHECK_DBL(ct.adj_resid[7], 0.0, 0);
    KS_CHECK_DBL(ct.min_expected, 17.0, 1e-15);
    KS_CHECK_INT(ct.cells_used, 1);
    KS_CHECK_INT(ct.sparse_warning, 0);
    check_all_finite(&ct);
    ks_crosstab_release(&ct);
}

/* 1 x 4: percentages by hand, expected == observed, no test. */
static void test_one_row(void)
{
    int64_t t[4] = {1, 3, 0, 4};
    ks_crosstab ct;
    KS_CHECK_INT(ks_crosstab_init(&ct, t, 1, 4, NULL), 0);
    KS_CHECK_INT(ct.has_test, 0);
    KS_CHECK_INT(ct.cols_dropped, 1);
    KS_CHECK_INT(ct.cells_used, 3);
    KS_CHECK(isnan(ct.chi2));
    KS_CHECK_DBL(ct.row_pct[0], 12.5, 1e-15);
    KS_CHECK_DBL(ct.row_pct[1], 37.5, 1e-15);
    KS_CHECK_DBL(ct.row_pct[2], 0, 0);
    KS_CHECK_DBL(ct.row_pct[3], 50, 1e-15);
    KS_CHECK_DBL(ct.col_pct[1], 100, 1e-15);
    KS_CHECK_DBL(ct.col_pct[2], 0, 0);
    KS_CHECK_DBL(ct.expected[1], 3, 1e-15);
    KS_CHECK_DBL(ct.min_expected, 1, 1e-15);
    /* all 3 used cells (1, 3, 4) have e < 5; min 1 is not < 1 */
    KS_CHECK_INT(ct.cells_lt5, 3);
    KS_CHECK_DBL(ct.share_lt5, 1, 0);
    KS_CHECK_INT(ct.sparse_warning, 1);
    check_all_finite(&ct);
    ks_crosstab_release(&ct);
}

static void test_crosstab_errors(void)
{
    ks_crosstab ct;
    ks_error err = {0, ""};
    int64_t zero[4] = {0, 0, 0, 0};
    KS_CHECK_INT(ks_crosstab_init(&ct, zero, 2, 2, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "empty") != NULL);
    KS_CHECK(ct.expected == NULL && ct.row_total == NULL);
    ks_crosstab_release(&ct); /* harmless after a failure */
    int64_t neg[4] = {1, -2, 3, 4};
    KS_CHECK_INT(ks_crosstab_init(&ct, neg, 2, 2, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "row 1, column 2") != NULL);
    KS_CHECK_INT(ks_crosstab_init(&ct, zero, 0, 2, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_crosstab_init(&ct, NULL, 2, 2, &err), -KS_EUSAGE);
    int64_t huge[2] = {KS_STATS_MAX_TOTAL, 1};
    KS_CHECK_INT(ks_crosstab_init(&ct, huge, 1, 2, &err), -KS_EDATA);
    ks_crosstab_release(&ct);
    /* chi-squared tail: Q(3.841459, 1) = 0.05 (qchisq(0.95, 1) = 3.841459) */
    KS_CHECK_DBL(ks_chisq_q(3.8414588206941236, 1), 0.05, 1e-12);
    KS_CHECK_DBL(ks_chisq_q(0, 4), 1, 0);
    KS_CHECK(isnan(ks_chisq_q(1, 0)));
}

/* ---- Fisher ------------------------------------------------------------- */

/* fisher.test's own estimate and interval stop at uniroot's tol
 * (.Machine$double.eps^0.25 = 1.22e-4) in the variable it solves for,
 * t = OR when OR < 1 and t = 1/OR otherwise. */
static void check_uniroot(double g, double w, const char *what, const char *ctx, int line)
{
    ks_test_checks++;
    int ok;
    if (isinf(w) || w == 0)
        ok = g == w;
    else
        ok = fabs((g <= 1 ? g : 1 / g) - (w <= 1 ? w : 1 / w)) <= 1.25e-4;
    if (!ok) {
        ks_test_failures++;
        fprintf(stderr, "%s:%d: [%s] %s = %.17g, fisher.test says %.17g\n", __FILE__, line, ctx,
                what, g, w);
    }
}

static void check_fisher(const ref *r, const char *name)
{
    char ctx[64];
    snprintf(ctx, sizeof ctx, "fisher.%s", name);
    const double *tab = ref_get(r, ctx, "tab", 4, NULL);
    int64_t t[4] = {(int64_t)tab[0], (int64_t)tab[1], (int64_t)tab[2], (int64_t)tab[3]};
    const double *rv = ref_get(r, ctx, "r", 3, NULL);
    const double *conv = ref_get(r, ctx, "conv", 3, NULL);
    const double *conv90 = ref_get(r, ctx, "conv90", 2, NULL);
    ks_fisher2x2 f;
    ks_error err = {0, ""};
    KS_CHECK_INT(ks_fisher2x2_test(t, 0.95, &f, &err), 0);
    CHECK_REL(f.p, ref1(r, ctx, "p"), TOL);
    CHECK_REL(f.odds_ratio, conv[0], TOL);
    CHECK_REL(f.ci_lo, conv[1], TOL);
    CHECK_REL(f.ci_hi, conv[2], TOL);
    check_uniroot(f.odds_ratio, rv[0], "odds ratio", ctx, __LINE__);
    check_uniroot(f.ci_lo, rv[1], "ci_lo", ctx, __LINE__);
    check_uniroot(f.ci_hi, rv[2], "ci_hi", ctx, __LINE__);
    KS_CHECK(!isnan(f.p) && !isnan(f.odds_ratio) && !isnan(f.ci_lo) && !isnan(f.ci_hi));
    KS_CHECK(f.ci_lo <= f.odds_ratio && f.odds_ratio <= f.ci_hi);
    double p;
    KS_CHECK_INT(ks_fisher2x2_p(t, &p, NULL), 0);
    KS_CHECK(p == f.p);
    KS_CHECK_INT(ks_fisher2x2_test(t, 0.90, &f, &err), 0);
    CHECK_REL(f.ci_lo, conv90[0], TOL);
    CHECK_REL(f.ci_hi, conv90[1], TOL);
    KS_CHECK_DBL(f.conf_level, 0.90, 0);
}

static void test_fisher(const ref *r)
{
    static const char *const names[] = {"infert", "tea",    "convictions", "zero_b",
                                        "zero_diag", "small1", "small2", "small3",
                                        "small4", "moderate", "degenerate", "large"};
    for (size_t i = 0; i < KS_ARRAY_LEN(names); i++)
        check_fisher(r, names[i]);

    const char *ctx = "fisher edge";
    ks_fisher2x2 f;
    ks_error err = {0, ""};
    int64_t degen[4] = {0, 5, 0, 7};
    KS_CHECK_INT(ks_fisher2x2_test(degen, 0.95, &f, &err), 0);
    KS_CHECK_INT(f.degenerate, 1);
    int64_t tea[4] = {3, 1, 1, 3};
    KS_CHECK_INT(ks_fisher2x2_test(tea, 0.95, &f, &err), 0);
    KS_CHECK_INT(f.degenerate, 0);
    /* the 3-vs-1 tea table by hand: P = C(4,3)C(4,1)/C(8,4) = 16/70, the two
     * tables at least as extreme each side give (1 + 16 + 16 + 1) / 70 */
    CHECK_REL(f.p, 34.0 / 70.0, 1e-12);
    int64_t zero[4] = {0, 0, 0, 0};
    KS_CHECK_INT(ks_fisher2x2_test(zero, 0.95, &f, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "empty") != NULL);
    int64_t neg[4] = {1, 2, -1, 4};
    KS_CHECK_INT(ks_fisher2x2_test(neg, 0.95, &f, &err), -KS_EDATA);
    KS_CHECK_INT(ks_fisher2x2_test(tea, 1.0, &f, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_fisher2x2_test(tea, NAN, &f, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_fisher2x2_test(NULL, 0.95, &f, &err), -KS_EUSAGE);
    /* 12,000,001 possible tables: over the documented limit */
    int64_t huge[4] = {6000000, 6000000, 6000000, 6000000};
    KS_CHECK_INT(ks_fisher2x2_test(huge, 0.95, &f, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "too large") != NULL);
}

/* ---- Monte-Carlo -------------------------------------------------------- */

/* The simulated p against the exact p of the X^2 ordering (full
 * enumeration in R), within 4 standard errors, and reproducible by seed. */
static void check_mc(const ref *r, const char *name)
{
    char ctx[64];
    snprintf(ctx, sizeof ctx, "mc.%s", name);
    size_t nr, nc;
    int64_t *counts = ref_counts(r, ctx, &nr, &nc);
    const uint64_t B = 20000;
    ks_chisq_sim s1, s2, s3;
    ks_error err = {0, ""};
    KS_CHECK_INT(ks_chisq_sim_p(counts, nr, nc, B, 12345, &s1, &err), 0);
    KS_CHECK_INT(ks_chisq_sim_p(counts, nr, nc, B, 12345, &s2, &err), 0);
    KS_CHECK_INT(ks_chisq_sim_p(counts, nr, nc, B, 777, &s3, &err), 0);
    CHECK_REL(s1.chi2, ref1(r, ctx, "chi2"), TOL);
    KS_CHECK(s1.p == s2.p && s1.n_ge == s2.n_ge);
    KS_CHECK_INT(s1.b, B);
    KS_CHECK_DBL(s1.p, (1.0 + (double)s1.n_ge) / (B + 1.0), 1e-15);
    double exact = ref1(r, ctx, "exact_chisq_p");
    double se = sqrt(exact * (1 - exact) / (double)B);
    fprintf(stderr, "%s: simulated p %.5f and %.5f, exact %.5f, R's simulated %.5f, se %.5f\n",
            ctx, s1.p, s3.p, exact, ref1(r, ctx, "r_sim_p"), se);
    KS_CHECK(fabs(s1.p - exact) <= 4 * se);
    KS_CHECK(fabs(s3.p - exact) <= 4 * se);
    /* R's own simulated p: two independent estimates */
    KS_CHECK(fabs(s1.p - ref1(r, ctx, "r_sim_p")) <= 4 * sqrt(2.0) * se);
    free(counts);
}

static void test_mc(const ref *r)
{
    check_mc(r, "sparse23");
    check_mc(r, "sparse33");
    check_mc(r, "t22");

    const char *ctx = "mc large";
    size_t nr, nc;
    ks_chisq_sim s;
    ks_error err = {0, ""};
    /* X^2 = 38209 on 126 df: no table with these margins comes near */
    int64_t *big = ref_counts(r, "big", &nr, &nc);
    KS_CHECK_INT(ks_chisq_sim_p(big, nr, nc, 200, 1, &s, &err), 0);
    KS_CHECK_INT(s.n_ge, 0);
    CHECK_REL(s.p, 1.0 / 201.0, 1e-15);
    CHECK_REL(s.chi2, ref1(r, "big", "chi2"), TOL);
    free(big);
    /* with expected counts near 3000 the chi-squared approximation is
     * excellent, so the simulated p must sit near R's asymptotic p */
    int64_t *mid = ref_counts(r, "bigmid", &nr, &nc);
    const uint64_t B = 2000;
    KS_CHECK_INT(ks_chisq_sim_p(mid, nr, nc, B, 2, &s, &err), 0);
    double pa = ref1(r, "bigmid", "p");
    fprintf(stderr, "bigmid: simulated p %.4f, asymptotic %.4f\n", s.p, pa);
    KS_CHECK(fabs(s.p - pa) <= 4 * sqrt(pa * (1 - pa) / (double)B) + 0.01);
    free(mid);

    /* empty rows and columns are dropped, as R requires for simulation */
    int64_t t[3 * 4] = {3, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0, 4};
    KS_CHECK_INT(ks_chisq_sim_p(t, 3, 4, 20000, 9, &s, &err), 0);
    KS_CHECK_INT(s.rows_dropped, 1);
    KS_CHECK_INT(s.cols_dropped, 1);
    CHECK_REL(s.chi2, ref1(r, "mc.sparse23", "chi2"), TOL);
    int64_t one_row[3] = {1, 2, 3};
    KS_CHECK_INT(ks_chisq_sim_p(one_row, 1, 3, 100, 1, &s, &err), -KS_EDATA);
    int64_t one_col[6] = {0, 1, 0, 2, 0, 3};
    KS_CHECK_INT(ks_chisq_sim_p(one_col, 3, 2, 100, 1, &s, &err), -KS_EDATA);
    KS_CHECK_INT(ks_chisq_sim_p(t, 3, 4, 0, 1, &s, &err), -KS_EUSAGE);
    int64_t zero[4] = {0, 0, 0, 0};
    KS_CHECK_INT(ks_chisq_sim_p(zero, 2, 2, 100, 1, &s, &err), -KS_EDATA);
}

/* ---- Wilson, BH, co-occurrence ------------------------------------------ */

static void test_wilson(const ref *r)
{
    const char *ctx = "wilson";
    int n = (int)ref1(r, "wilson", "n_cases");
    for (int i = 1; i <= n; i++) {
        char key[16];
        snprintf(key, sizeof key, "%d", i);
        for (int level = 0; level < 2; level++) {
            const double *w = ref_get(r, level ? "wilson90" : "wilson", key, 4, NULL);
            double lo = -1, hi = -1;
            KS_CHECK_INT(ks_wilson_ci((int64_t)w[0], (int64_t)w[1], level ? 0.90 : 0.95, &lo,
                                      &hi, NULL), 0);
            CHECK_REL(lo, w[2], 1e-12);
            CHECK_REL(hi, w[3], 1e-12);
        }
    }
    double lo, hi;
    ks_error err = {0, ""};
    KS_CHECK_INT(ks_wilson_ci(0, 0, 0.95, &lo, &hi, &err), -KS_EDATA);
    KS_CHECK_INT(ks_wilson_ci(3, 2, 0.95, &lo, &hi, &err), -KS_EDATA);
    KS_CHECK_INT(ks_wilson_ci(-1, 2, 0.95, &lo, &hi, &err), -KS_EDATA);
    KS_CHECK_INT(ks_wilson_ci(1, 2, 0, &lo, &hi, &err), -KS_EUSAGE);
}

static void test_bh(const ref *r)
{
    const char *ctx = "bh";
    size_t n;
    const double *p = ref_get(r, "bh", "p", 0, &n);
    const double *want = ref_get(r, "bh", "adj", n, NULL);
    double *out = ks_malloc(n * sizeof *out);
    KS_CHECK_INT(ks_p_adjust_bh(p, n, out, NULL), 0);
    for (size_t i = 0; i < n; i++)
        CHECK_REL(out[i], want[i], 1e-12);
    /* in place */
    memcpy(out, p, n * sizeof *out);
    KS_CHECK_INT(ks_p_adjust_bh(out, n, out, NULL), 0);
    for (size_t i = 0; i < n; i++)
        CHECK_REL(out[i], want[i], 1e-12);
    KS_CHECK_INT(ks_p_adjust_bh(NULL, 0, NULL, NULL), 0);
    double bad[2] = {0.5, NAN};
    ks_error err = {0, ""};
    KS_CHECK_INT(ks_p_adjust_bh(bad, 2, out, &err), -KS_EDATA);
    bad[1] = 1.5;
    KS_CHECK_INT(ks_p_adjust_bh(bad, 2, out, &err), -KS_EDATA);
    /* one p-value is its own adjustment */
    double one = 0.03;
    KS_CHECK_INT(ks_p_adjust_bh(&one, 1, &one, NULL), 0);
    KS_CHECK_DBL(one, 0.03, 0);
    free(out);
}

static void check_cooc(const ref *r, const char *name)
{
    char ctx[64];
    snprintf(ctx, sizeof ctx, "cooc.%s", name);
    const double *tab = ref_get(r, ctx, "tab", 4, NULL);
    int64_t t[4] = {(int64_t)tab[0], (int64_t)tab[1], (int64_t)tab[2], (int64_t)tab[3]};
    ks_cooccur c, d;
    KS_CHECK_INT(ks_cooccur_table(t, &c, NULL), 0);
    KS_CHECK_INT(c.n_ab, t[0]);
    KS_CHECK_INT(c.n_a, t[0] + t[1]);
    KS_CHECK_INT(c.n_b, t[0] + t[2]);
    KS_CHECK_INT(c.n, t[0] + t[1] + t[2] + t[3]);
    KS_CHECK(c.has_lift && c.has_phi);
    CHECK_REL(c.expected, ref1(r, ctx, "expected"), 1e-12);
    CHECK_REL(c.lift, ref1(r, ctx, "lift"), 1e-12);
    CHECK_REL(c.phi, ref1(r, ctx, "phi"), 1e-10);
    CHECK_REL(c.fisher_p, ref1(r, ctx, "fisher_p"), TOL);
    KS_CHECK_INT(ks_cooccur_counts(c.n_ab, c.n_a, c.n_b, c.n, &d, NULL), 0);
    KS_CHECK(c.n == d.n && c.n_a == d.n_a && c.n_b == d.n_b && c.n_ab == d.n_ab);
    KS_CHECK(c.expected == d.expected && c.lift == d.lift && c.phi == d.phi);
    KS_CHECK(c.fisher_p == d.fisher_p && c.has_phi == d.has_phi && c.has_lift == d.has_lift);
}

static void test_cooccur(const ref *r)
{
    check_cooc(r, "pos");
    check_cooc(r, "none");
    check_cooc(r, "neg");
    /* nobody has B: nothing to expect, no correlation */
    ks_cooccur c;
    ks_error err = {0, ""};
    KS_CHECK_INT(ks_cooccur_counts(0, 10, 0, 50, &c, &err), 0);
    KS_CHECK_INT(c.has_lift, 0);
    KS_CHECK_INT(c.has_phi, 0);
    KS_CHECK(isnan(c.lift) && isnan(c.phi));
    KS_CHECK_DBL(c.expected, 0, 0);
    KS_CHECK_DBL(c.fisher_p, 1, 0);
    /* everybody has A: lift defined (1), phi not */
    KS_CHECK_INT(ks_cooccur_counts(5, 20, 5, 20, &c, &err), 0);
    KS_CHECK_INT(c.has_lift, 1);
    KS_CHECK_DBL(c.lift, 1, 1e-15);
    KS_CHECK_INT(c.has_phi, 0);
    KS_CHECK_INT(ks_cooccur_counts(6, 5, 10, 20, &c, &err), -KS_EDATA);
    KS_CHECK_INT(ks_cooccur_counts(1, 15, 10, 20, &c, &err), -KS_EDATA);
    KS_CHECK_INT(ks_cooccur_counts(0, 0, 0, 0, &c, &err), -KS_EDATA);
}

int main(void)
{
    const char *src = getenv("KASANE_SOURCE_DIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/ref/stats_table_ref.txt", src ? src : ".");
    ref r;
    ref_load(&r, path);

    check_crosstab(&r, "hair");
    check_crosstab(&r, "infert");
    check_crosstab(&r, "sparse33");
    check_crosstab(&r, "big");
    check_crosstab(&r, "bigmid");
    check_big_formula(&r);
    test_empty_row_col(&r);
    test_one_cell();
    test_one_row();
    test_crosstab_errors();
    test_fisher(&r);
    test_mc(&r);
    test_wilson(&r);
    test_bh(&r);
    test_cooccur(&r);

    ref_free(&r);
    return ks_test_report();
}
