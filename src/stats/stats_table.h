/* stats_table.h: statistics for contingency tables of counts (pure functions).
 *
 * Callers pass counts as int64_t arrays; an r x c table is row-major,
 * counts[i * ncol + j].  Nothing here touches the database or keeps state.
 * Every function is checked against R 4.2.2 (tests/ref/stats_table.R).
 *
 * Ownership: ks_crosstab_init fills a struct whose arrays the caller frees
 * with ks_crosstab_release (safe after a failed init, and on a zeroed struct);
 * every other function writes into plain structs or caller arrays.
 *
 * Errors: 0 or a negative KS_E* code with the message in `err`:
 *   -KS_EUSAGE  NULL pointers, a 0-row or 0-column shape, conf_level outside (0,1)
 *   -KS_EDATA   a negative count, an all-zero table (n = 0), a total above
 *               KS_STATS_MAX_TOTAL, a p-value outside [0,1] or NaN
 *
 * Undefined values: a statistic that does not exist for the data (a test on
 * a table with one non-empty row, phi with an empty margin) is NaN and
 * always comes with a flag field that is 0; a value is never NaN otherwise.
 * INFINITY is a real answer where R gives Inf (an odds ratio at the top of
 * its support, the upper end of its interval).
 *
 * Empty rows and columns: a row or column whose total is 0 is dropped from
 * every test and the number dropped is reported; the per-cell arrays keep
 * the shape as passed and hold 0 in those cells (row_total / col_total == 0
 * tells them apart).  Dropping changes nothing but df and Cramer's V: an
 * empty row adds 0 to chi-squared.  R's chisq.test instead returns NaN. */
#ifndef KASANE_STATS_TABLE_H
#define KASANE_STATS_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Largest grand total accepted: R's integer limit, and the range in which
 * log-factorials keep about 1e-6 relative accuracy for the sampler. */
#define KS_STATS_MAX_TOTAL INT64_C(2147483647)

/* Fisher's test holds its hypergeometric support, up to min margin + 1
 * doubles (80 MB and a few seconds at this limit); larger is -KS_EDATA. */
#define KS_FISHER_MAX_SUPPORT INT64_C(10000000)

/* ---- Crosstab and chi-squared ------------------------------------------ */

typedef struct ks_crosstab {
    size_t nrow;          /* rows as passed, empty ones included */
    size_t ncol;          /* columns as passed */
    int64_t n;            /* grand total */
    int64_t *row_total;   /* [nrow] */
    int64_t *col_total;   /* [ncol] */
    double *row_pct;      /* [nrow*ncol] 100 * count / row total; 0 in an empty row */
    double *col_pct;      /* [nrow*ncol] 100 * count / column total; 0 in an empty column */
    double *expected;     /* [nrow*ncol] row total * column total / n */
    double *adj_resid;    /* [nrow*ncol] (o-e)/sqrt(e(1-r/n)(1-c/n)); 0 where the
                             denominator is 0 (dropped cells, or has_test == 0) */
    size_t rows_dropped;  /* empty rows left out of the tests */
    size_t cols_dropped;  /* empty columns left out of the tests */
    size_t rows_used;     /* nrow - rows_dropped */
    size_t cols_used;     /* ncol - cols_dropped */
    int has_test;         /* 1 when rows_used >= 2 and cols_used >= 2; otherwise
                             chi2, p, g2, g2_p and cramer_v are NaN and df is 0 */
    int64_t df;           /* (rows_used - 1) * (cols_used - 1) */
    double chi2;          /* Pearson X^2, no continuity correction */
    double p;             /* upper tail of chi-squared(df) at chi2 */
    double g2;            /* likelihood ratio G^2 = 2 sum o log(o/e) */
    double g2_p;          /* upper tail of chi-squared(df) at g2 */
    double cramer_v;      /* sqrt(chi2 / (n (min(rows_used, cols_used) - 1))) */
    size_t cells_used;    /* rows_used * cols_used */
    size_t cells_lt5;     /* used cells with expected count < 5 */
    double share_lt5;     /* cells_lt5 / cells_used */
    double min_expected;  /* smallest expected count over the used cells */
    int sparse_warning;   /* Cochran's rule broken: share_lt5 > 0.2 or min_expected < 1 */
} ks_crosstab;

/* Percentages, expected counts, residuals and the chi-squared and G^2 tests
 * of independence (like chisq.test(x, correct = FALSE)). */
int ks_crosstab_init(ks_crosstab *ct, const int64_t *counts, size_t nrow, size_t ncol,
                     ks_error *err);
void ks_crosstab_release(ks_crosstab *ct);

/* Upper tail of the chi-squared distribution, Q(x; df); 1 for x <= 0. */
double ks_chisq_q(double x, double df);

/* ---- Fisher's exact test, 2 x 2 ----------------------------------------- */

typedef struct ks_fisher2x2 {
    double p;           /* two-sided: sum of P(table) <= P(observed) * (1 + 1e-7) */
    double odds_ratio;  /* conditional MLE (noncentral hypergeometric); 0 or
                           INFINITY at the ends of the support, like R */
    double ci_lo;       /* lower end of the conf_level interval (0 at the bottom) */
    double ci_hi;       /* upper end (INFINITY at the top of the support) */
    double conf_level;  /* as asked */
    int degenerate;     /* a margin is 0, so only one table is possible: p = 1,
                           odds ratio 0 and interval [0, inf] as R reports them */
} ks_fisher2x2;

/* tab = { a, b, c, d } for the table [[a, b], [c, d]], like
 * fisher.test(matrix(c(a, c, b, d), 2)).  The estimate and interval are the
 * converged roots (1e-12 in log odds); R's uniroot stops at 1.2e-4 in its own
 * scale, so fisher.test's printed values can differ in the 4th digit. */
int ks_fisher2x2_test(const int64_t tab[4], double conf_level, ks_fisher2x2 *out,
                      ks_error *err);
/* The p-value alone, without the root finding. */
int ks_fisher2x2_p(const int64_t tab[4], double *p, ks_error *err);

/* ---- Monte-Carlo exact test, r x c -------------------------------------- */

typedef struct ks_chisq_sim {
    double chi2;          /* observed Pearson X^2 (empty rows/columns dropped) */
    double p;             /* (1 + n_ge) / (b + 1), as chisq.test(simulate.p.value = TRUE) */
    uint64_t b;           /* replicates drawn */
    uint64_t n_ge;        /* replicates with X^2 >= observed X^2 * (1 - 64 DBL_EPSILON) */
    size_t rows_dropped;  /* empty rows left out */
    size_t cols_dropped;  /* empty columns left out */
} ks_chisq_sim;

/* Draws b tables with the observed margins (Patefield's algorithm, as R's
 * r2dtable) from gsl_rng_mt19937 seeded with `seed` (GSL maps seed 0 to its
 * default 4357).  The same seed gives the same p; the stream is not R's.
 * Needs at least 2 non-empty rows and columns (-KS_EDATA otherwise). */
int ks_chisq_sim_p(const int64_t *counts, size_t nrow, size_t ncol, uint64_t b,
                   unsigned long seed, ks_chisq_sim *out, ks_error *err);

/* ---- Proportions and multiple testing ----------------------------------- */

/* Wilson score interval for x successes out of n, identical to
 * prop.test(x, n, conf.level = conf_level, correct = FALSE)$conf.int. */
int ks_wilson_ci(int64_t x, int64_t n, double conf_level, double *lo, double *hi,
                 ks_error *err);

/* Benjamini-Hochberg adjusted p-values, like p.adjust(p, method = "BH").
 * out may be p itself; n = 0 is fine and writes nothing. */
int ks_p_adjust_bh(const double *p, size_t n, double *out, ks_error *err);

/* ---- Co-occurrence of two binary indicators ----------------------------- */

typedef struct ks_cooccur {
    int64_t n;         /* units */
    int64_t n_a;       /* units with A */
    int64_t n_b;       /* units with B */
    int64_t n_ab;      /* units with both: the observed count */
    double expected;   /* n_a * n_b / n, the count if A and B were independent */
    double lift;       /* n_ab / expected; NaN when has_lift == 0 */
    int has_lift;      /* 0 when expected == 0 (n_a or n_b is 0) */
    double phi;        /* (ad - bc) / sqrt(n_a n_b (n - n_a)(n - n_b)); NaN when has_phi == 0 */
    int has_phi;       /* 0 when a margin is 0 or n */
    double fisher_p;   /* two-sided Fisher p of the 2 x 2 table */
} ks_cooccur;

/* tab = { both, A only, B only, neither }, i.e. rows A yes/no, columns B yes/no. */
int ks_cooccur_table(const int64_t tab[4], ks_cooccur *out, ks_error *err);
/* The same from the counts a query gives: both, with A, with B, all units. */
int ks_cooccur_counts(int64_t n_ab, int64_t n_a, int64_t n_b, int64_t n, ks_cooccur *out,
                      ks_error *err);

#endif
