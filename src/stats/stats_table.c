/* stats_table.c: contingency-table statistics; see stats_table.h.
 *
 * GSL's default error handler aborts the process, and installing another
 * one would be global state, so only the _e special functions are used and
 * the root solver is always handed a valid bracket and finite values. */
#include "stats_table.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>

#include "stats_dist.h"

/* Below exp(-746) a double is 0, so such terms are skipped, not computed. */
#define LOG_UNDERFLOW (-746.0)

/* ---- Shared checks ----------------------------------------------------- */

/* Validates an r x c table and fills its margins (zeroed by the caller). */
static int table_margins(const int64_t *counts, size_t nrow, size_t ncol, int64_t *row_total,
                         int64_t *col_total, int64_t *n, ks_error *err)
{
    if (!counts)
        return ks_error_set(err, KS_EUSAGE, "no counts given");
    if (nrow == 0 || ncol == 0)
        return ks_error_set(err, KS_EUSAGE, "table has %zu rows and %zu columns", nrow, ncol);
    int64_t total = 0;
    for (size_t i = 0; i < nrow; i++) {
        for (size_t j = 0; j < ncol; j++) {
            int64_t v = counts[i * ncol + j];
            if (v < 0)
                return ks_error_set(err, KS_EDATA, "negative count %lld in row %zu, column %zu",
                                    (long long)v, i + 1, j + 1);
            if (v > KS_STATS_MAX_TOTAL - total)
                return ks_error_set(err, KS_EDATA, "table total exceeds %lld",
                                    (long long)KS_STATS_MAX_TOTAL);
            total += v;
            row_total[i] += v;
            col_total[j] += v;
        }
    }
    if (total == 0)
        return ks_error_set(err, KS_EDATA, "table is empty: every count is 0");
    *n = total;
    return 0;
}

static int check_conf_level(double conf_level, ks_error *err)
{
    if (!(conf_level > 0.0 && conf_level < 1.0))
        return ks_error_set(err, KS_EUSAGE, "confidence level %g is not between 0 and 1",
                            conf_level);
    return 0;
}

double ks_chisq_q(double x, double df)
{
    if (isnan(x) || !(df > 0.0))
        return NAN;
    if (x <= 0.0)
        return 1.0;
    gsl_sf_result r;
    int status = gsl_sf_gamma_inc_Q_e(df / 2.0, x / 2.0, &r);
    if (status == GSL_EUNDRFLW)
        return 0.0; /* a statistic that far out: p is below the smallest double */
    return r.val;
}

static double lnfact(int64_t n)
{
    gsl_sf_result r;
    /* n <= KS_STATS_MAX_TOTAL fits an unsigned int; lnfact_e cannot fail there */
    gsl_sf_lnfact_e((unsigned int)n, &r);
    return r.val;
}

/* ---- Crosstab ---------------------------------------------------------- */

void ks_crosstab_release(ks_crosstab *ct)
{
    if (!ct)
        return;
    free(ct->row_total);
    free(ct->col_total);
    free(ct->row_pct);
    free(ct->col_pct);
    free(ct->expected);
    free(ct->adj_resid);
    memset(ct, 0, sizeof *ct);
}

/* Percentages, expected counts and adjusted residuals, cell by cell. */
static void crosstab_cells(ks_crosstab *ct, const int64_t *counts)
{
    double n = (double)ct->n;
    for (size_t i = 0; i < ct->nrow; i++) {
        double r = (double)ct->row_total[i];
        for (size_t j = 0; j < ct->ncol; j++) {
            size_t k = i * ct->ncol + j;
            double o = (double)counts[k];
            double c = (double)ct->col_total[j];
            ct->row_pct[k] = r > 0 ? 100.0 * o / r : 0.0;
            ct->col_pct[k] = c > 0 ? 100.0 * o / c : 0.0;
            double e = r * c / n;
            ct->expected[k] = e;
            /* the variance of o - e under independence given both margins */
            double v = e * (1.0 - r / n) * (1.0 - c / n);
            ct->adj_resid[k] = v > 0 ? (o - e) / sqrt(v) : 0.0;
        }
    }
}

/* Chi-squared, G^2 and the sparseness summary over the non-empty cells. */
static void crosstab_tests(ks_crosstab *ct, const int64_t *counts)
{
    double chi2 = 0, g2 = 0, min_e = INFINITY;
    size_t lt5 = 0;
    for (size_t i = 0; i < ct->nrow; i++) {
        if (ct->row_total[i] == 0)
            continue;
        for (size_t j = 0; j < ct->ncol; j++) {
            if (ct->col_total[j] == 0)
                continue;
            size_t k = i * ct->ncol + j;
            double o = (double)counts[k], e = ct->expected[k];
            chi2 += (o - e) * (o - e) / e;
            if (o > 0)
                g2 += o * log(o / e);
            if (e < 5.0)
                lt5++;
            if (e < min_e)
                min_e = e;
        }
    }
    ct->cells_used = ct->rows_used * ct->cols_used;
    ct->cells_lt5 = lt5;
    ct->share_lt5 = (double)lt5 / (double)ct->cells_used;
    ct->min_expected = min_e;
    ct->sparse_warning = ct->share_lt5 > 0.2 || min_e < 1.0;

    ct->has_test = ct->rows_used >= 2 && ct->cols_used >= 2;
    if (!ct->has_test) {
        ct->df = 0;
        ct->chi2 = ct->p = ct->g2 = ct->g2_p = ct->cramer_v = NAN;
        return;
    }
    ct->df = (int64_t)(ct->rows_used - 1) * (int64_t)(ct->cols_used - 1);
    ct->chi2 = chi2;
    ct->p = ks_chisq_q(chi2, (double)ct->df);
    /* rounding can leave a tiny negative sum when o == e everywhere */
    ct->g2 = g2 > 0 ? 2.0 * g2 : 0.0;
    ct->g2_p = ks_chisq_q(ct->g2, (double)ct->df);
    size_t k = ct->rows_used < ct->cols_used ? ct->rows_used : ct->cols_used;
    ct->cramer_v = sqrt(chi2 / ((double)ct->n * (double)(k - 1)));
}

int ks_crosstab_init(ks_crosstab *ct, const int64_t *counts, size_t nrow, size_t ncol,
                     ks_error *err)
{
    if (!ct)
        return ks_error_set(err, KS_EUSAGE, "no crosstab to fill");
    memset(ct, 0, sizeof *ct);
    if (!counts || nrow == 0 || ncol == 0) /* reports the usage error */
        return table_margins(counts, nrow, ncol, NULL, NULL, NULL, err);
    size_t cells = ks_mul(nrow, ncol);
    ct->nrow = nrow;
    ct->ncol = ncol;
    ct->row_total = ks_calloc(nrow, sizeof *ct->row_total);
    ct->col_total = ks_calloc(ncol, sizeof *ct->col_total);
    int rc = table_margins(counts, nrow, ncol, ct->row_total, ct->col_total, &ct->n, err);
    if (rc)
        goto done;
    ct->row_pct = ks_calloc(cells, sizeof *ct->row_pct);
    ct->col_pct = ks_calloc(cells, sizeof *ct->col_pct);
    ct->expected = ks_calloc(cells, sizeof *ct->expected);
    ct->adj_resid = ks_calloc(cells, sizeof *ct->adj_resid);
    for (size_t i = 0; i < nrow; i++)
        ct->rows_dropped += ct->row_total[i] == 0;
    for (size_t j = 0; j < ncol; j++)
        ct->cols_dropped += ct->col_total[j] == 0;
    ct->rows_used = nrow - ct->rows_dropped;
    ct->cols_used = ncol - ct->cols_dropped;
    crosstab_cells(ct, counts);
    crosstab_tests(ct, counts);
done:
    if (rc)
        ks_crosstab_release(ct);
    return rc;
}

/* ---- Fisher's exact test, 2 x 2 ----------------------------------------- */

/* The conditional distribution of the [1,1] cell given all margins: the
 * (noncentral) hypergeometric over lo..hi.  logd holds the central log
 * density up to a constant, built by the ratio recurrence outward from the
 * mode: each entry then carries only a local rounding error, where
 * log-factorial differences of totals in the millions lose ~1e-9. */
typedef struct hyper {
    int64_t lo;    /* smallest possible [1,1] count */
    int64_t hi;    /* largest possible [1,1] count */
    int64_t x;     /* observed [1,1] count */
    size_t len;    /* hi - lo + 1 */
    double *logd;  /* [len] log P(lo + i) + constant, 0 at the mode */
} hyper;

/* Ctx of the root-finding functions: the distribution tilted by psi = log(odds ratio). */
typedef struct hyper_fn {
    const hyper *h;  /* the central distribution */
    double target;   /* value the function must reach: the observed x or alpha */
} hyper_fn;

static int hyper_init(hyper *h, const int64_t tab[4], ks_error *err)
{
    memset(h, 0, sizeof *h);
    if (!tab)
        return ks_error_set(err, KS_EUSAGE, "no 2x2 table given");
    int64_t rt[2] = {0, 0}, ctot[2] = {0, 0}, n = 0;
    int rc = table_margins(tab, 2, 2, rt, ctot, &n, err);
    if (rc)
        return rc;
    /* R's names: m, nn column totals, k the first row total */
    int64_t m = ctot[0], nn = ctot[1], k = rt[0];
    h->x = tab[0];
    h->lo = k - nn > 0 ? k - nn : 0;
    h->hi = k < m ? k : m;
    if (h->hi - h->lo + 1 > KS_FISHER_MAX_SUPPORT)
        return ks_error_set(err, KS_EDATA,
                            "fisher test on %lld possible tables is too large (limit %lld)",
                            (long long)(h->hi - h->lo + 1), (long long)KS_FISHER_MAX_SUPPORT);
    h->len = (size_t)(h->hi - h->lo + 1);
    h->logd = ks_malloc(ks_mul(h->len, sizeof *h->logd));
    int64_t mode = (int64_t)floor(((double)k + 1) * ((double)m + 1) / ((double)n + 2));
    if (mode < h->lo)
        mode = h->lo;
    if (mode > h->hi)
        mode = h->hi;
    double *d = h->logd - h->lo; /* d[s] for s in lo..hi */
    d[mode] = 0.0;
    for (int64_t s = mode; s < h->hi; s++)
        d[s + 1] = d[s] + log(((double)(k - s) * (double)(m - s)) /
                              ((double)(s + 1) * (double)(nn - k + s + 1)));
    for (int64_t s = mode; s > h->lo; s--)
        d[s - 1] = d[s] + log(((double)s * (double)(nn - k + s)) /
                              ((double)(k - s + 1) * (double)(m - s + 1)));
    return 0;
}

static void hyper_release(hyper *h)
{
    free(h->logd);
    memset(h, 0, sizeof *h);
}

/* The largest tilted log weight logd[i] + psi * i, for normalising. */
static double hyper_max(const hyper *h, double psi)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < h->len; i++) {
        double w = h->logd[i] + psi * (double)i;
        if (w > mx)
            mx = w;
    }
    return mx;
}

/* Sums the weights of the tilted distribution: in total, times (s - lo),
 * and over s <= x and s >= x.  Indexing by i = s - lo instead of s only
 * changes the constant that normalising removes. */
typedef struct hyper_sums {
    double total; /* sum of weights */
    double first; /* sum of i * weight */
    double le_x;  /* weights of s <= x */
    double ge_x;  /* weights of s >= x */
} hyper_sums;

static hyper_sums hyper_sum(const hyper *h, double psi)
{
    hyper_sums r = {0, 0, 0, 0};
    double mx = hyper_max(h, psi);
    size_t ix = (size_t)(h->x - h->lo);
    for (size_t i = 0; i < h->len; i++) {
        double w = h->logd[i] + psi * (double)i - mx;
        if (w < LOG_UNDERFLOW)
            continue;
        double e = exp(w);
        r.total += e;
        r.first += (double)i * e;
        if (i <= ix)
            r.le_x += e;
        if (i >= ix)
            r.ge_x += e;
    }
    return r;
}

/* E[X](psi) - x: increasing in psi. */
static double fn_mean(double psi, void *p)
{
    const hyper_fn *f = p;
    hyper_sums s = hyper_sum(f->h, psi);
    return (double)f->h->lo + s.first / s.total - f->target;
}

/* P(X <= x; psi) - alpha: decreasing in psi. */
static double fn_lower_tail(double psi, void *p)
{
    const hyper_fn *f = p;
    hyper_sums s = hyper_sum(f->h, psi);
    return s.le_x / s.total - f->target;
}

/* P(X >= x; psi) - alpha: increasing in psi. */
static double fn_upper_tail(double psi, void *p)
{
    const hyper_fn *f = p;
    hyper_sums s = hyper_sum(f->h, psi);
    return s.ge_x / s.total - f->target;
}

/* Root in psi of a monotone fn with a root known to exist (x strictly
 * inside the support).  The bracket grows by doubling from 0 until the sign
 * changes, so gsl_root_fsolver_set always gets a valid one. */
static int solve_psi(double (*fn)(double, void *), hyper_fn *ctx, int increasing, double *root,
                     ks_error *err)
{
    double f0 = fn(0.0, ctx);
    if (f0 == 0.0) {
        *root = 0.0;
        return 0;
    }
    /* the root lies to the right when fn is below 0 and rising, or above 0 and falling */
    double dir = ((f0 < 0) == (increasing != 0)) ? 1.0 : -1.0;
    double a = 0.0, b = dir, fb = fn(b, ctx);
    while ((fb < 0) == (f0 < 0) && fb != 0.0) {
        if (fabs(b) > 1e4)
            return ks_error_set(err, KS_EIO, "fisher test: no odds ratio root below exp(1e4)");
        a = b;
        b *= 2.0;
        fb = fn(b, ctx);
    }
    if (fb == 0.0) {
        *root = b;
        return 0;
    }
    gsl_function F = {fn, ctx};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return ks_error_set(err, KS_EIO, "fisher test: cannot allocate the root solver");
    int rc = 0;
    gsl_root_fsolver_set(s, &F, a < b ? a : b, a < b ? b : a);
    for (int iter = 0;; iter++) {
        if (iter == 500) {
            rc = ks_error_set(err, KS_EIO, "fisher test: odds ratio did not converge");
            break;
        }
        if (gsl_root_fsolver_iterate(s) != GSL_SUCCESS) {
            rc = ks_error_set(err, KS_EIO, "fisher test: root solver failed");
            break;
        }
        double lo = gsl_root_fsolver_x_lower(s), hi = gsl_root_fsolver_x_upper(s);
        if (gsl_root_test_interval(lo, hi, 1e-12, 0.0) == GSL_SUCCESS)
            break;
    }
    *root = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    return rc;
}

/* R's two-sided p: probabilities of tables at most as likely as the
 * observed one, the 1e-7 relative slack absorbing rounding between ties. */
static double hyper_p_two_sided(const hyper *h)
{
    double mx = hyper_max(h, 0.0);
    double dobs = exp(h->logd[h->x - h->lo] - mx) * (1.0 + 1e-7);
    double total = 0, tail = 0;
    for (size_t i = 0; i < h->len; i++) {
        double w = h->logd[i] - mx;
        double e = w < LOG_UNDERFLOW ? 0.0 : exp(w);
        total += e;
        if (e <= dobs)
            tail += e;
    }
    double p = tail / total;
    return p > 1.0 ? 1.0 : p;
}

int ks_fisher2x2_p(const int64_t tab[4], double *p, ks_error *err)
{
    if (!p)
        return ks_error_set(err, KS_EUSAGE, "no place for the p-value");
    hyper h;
    int rc = hyper_init(&h, tab, err);
    if (rc)
        goto done;
    *p = h.len == 1 ? 1.0 : hyper_p_two_sided(&h);
done:
    hyper_release(&h);
    return rc;
}

/* Conditional MLE of the odds ratio: E[X](psi) = x (R's mle()). */
static int fisher_mle(const hyper *h, double *or, ks_error *err)
{
    if (h->x == h->lo) {
        *or = 0.0;
        return 0;
    }
    if (h->x == h->hi) {
        *or = INFINITY;
        return 0;
    }
    hyper_fn ctx = {h, (double)h->x};
    double psi = 0.0; /* set by solve_psi on success; -O3 cannot see that */
    int rc = solve_psi(fn_mean, &ctx, 1, &psi, err);
    if (rc == 0)
        *or = exp(psi);
    return rc;
}

/* Interval ends: P(X >= x; lower) = alpha and P(X <= x; upper) = alpha
 * (R's ncp.L and ncp.U). */
static int fisher_ci(const hyper *h, double alpha, double *lo, double *hi, ks_error *err)
{
    int rc = 0;
    double psi = 0.0; /* set by solve_psi on success; -O3 cannot see that */
    *lo = 0.0;
    *hi = INFINITY;
    if (h->x > h->lo) {
        hyper_fn ctx = {h, alpha};
        rc = solve_psi(fn_upper_tail, &ctx, 1, &psi, err);
        if (rc)
            return rc;
        *lo = exp(psi);
    }
    if (h->x < h->hi) {
        hyper_fn ctx = {h, alpha};
        rc = solve_psi(fn_lower_tail, &ctx, 0, &psi, err);
        if (rc)
            return rc;
        *hi = exp(psi);
    }
    return 0;
}

int ks_fisher2x2_test(const int64_t tab[4], double conf_level, ks_fisher2x2 *out, ks_error *err)
{
    if (!out)
        return ks_error_set(err, KS_EUSAGE, "no fisher result to fill");
    memset(out, 0, sizeof *out);
    int rc = check_conf_level(conf_level, err);
    if (rc)
        return rc;
    hyper h;
    rc = hyper_init(&h, tab, err);
    if (rc)
        goto done;
    out->conf_level = conf_level;
    if (h.len == 1) {
        /* R's answers for a table with an empty margin */
        out->degenerate = 1;
        out->p = 1.0;
        out->odds_ratio = 0.0;
        out->ci_lo = 0.0;
        out->ci_hi = INFINITY;
        goto done;
    }
    out->p = hyper_p_two_sided(&h);
    rc = fisher_mle(&h, &out->odds_ratio, err);
    if (rc)
        goto done;
    rc = fisher_ci(&h, (1.0 - conf_level) / 2.0, &out->ci_lo, &out->ci_hi, err);
done:
    hyper_release(&h);
    return rc;
}

/* ---- Monte-Carlo exact test --------------------------------------------- */

/* One hypergeometric draw: the successes among `draws` units taken without
 * replacement from `pool` units of which `succ` are successes.  Inversion
 * that starts at the mode and walks outward, always to the likelier
 * neighbour, as Patefield's AS 159 does: O(standard deviation) steps. */
static int64_t rhyper_mode(gsl_rng *rng, int64_t pool, int64_t succ, int64_t draws)
{
    int64_t fail = pool - succ;
    int64_t lo = draws - fail > 0 ? draws - fail : 0;
    int64_t hi = draws < succ ? draws : succ;
    if (lo == hi)
        return lo;
    int64_t mode = (int64_t)floor(((double)draws + 1) * ((double)succ + 1) / ((double)pool + 2));
    if (mode < lo)
        mode = lo;
    if (mode > hi)
        mode = hi;
    double pmode = exp(lnfact(succ) - lnfact(mode) - lnfact(succ - mode) + lnfact(fail) -
                       lnfact(draws - mode) - lnfact(fail - draws + mode) - lnfact(pool) +
                       lnfact(draws) + lnfact(pool - draws));
    for (;;) {
        double u = gsl_rng_uniform(rng);
        if (u < pmode)
            return mode;
        u -= pmode;
        int64_t up = mode, dn = mode;
        double pup = pmode, pdn = pmode;
        for (;;) {
            /* P(s+1)/P(s) and P(s-1)/P(s) of the hypergeometric */
            double nup = up < hi ? pup * ((double)(succ - up) * (double)(draws - up)) /
                                           ((double)(up + 1) * (double)(fail - draws + up + 1))
                                 : 0.0;
            double ndn = dn > lo ? pdn * ((double)dn * (double)(fail - draws + dn)) /
                                           ((double)(succ - dn + 1) * (double)(draws - dn + 1))
                                 : 0.0;
            if (nup == 0.0 && ndn == 0.0)
                break; /* rounding left u beyond the mass: draw again */
            if (nup >= ndn) {
                up++;
                pup = nup;
                if (u < pup)
                    return up;
                u -= pup;
            } else {
                dn--;
                pdn = ndn;
                if (u < pdn)
                    return dn;
                u -= pdn;
            }
        }
    }
}

/* The margins, observed counts and expected counts of the table without
 * its empty rows and columns, which is what is simulated. */
typedef struct sim_table {
    size_t nr;         /* non-empty rows */
    size_t nc;         /* non-empty columns */
    int64_t n;         /* grand total */
    int64_t *rows;     /* [nr] row totals */
    int64_t *cols;     /* [nc] column totals */
    int64_t *obs;      /* [nr*nc] observed counts */
    double *expected;  /* [nr*nc] */
} sim_table;

static void sim_table_release(sim_table *t)
{
    free(t->rows);
    free(t->cols);
    free(t->obs);
    free(t->expected);
    memset(t, 0, sizeof *t);
}

static double chisq_stat(const int64_t *x, const double *e, size_t cells)
{
    double s = 0;
    for (size_t k = 0; k < cells; k++) {
        double d = (double)x[k] - e[k];
        s += d * d / e[k];
    }
    return s;
}

/* Fills x with a random table with t's margins (colrem is scratch [nc]). */
static void sim_draw(gsl_rng *rng, const sim_table *t, int64_t *x, int64_t *colrem)
{
    memcpy(colrem, t->cols, t->nc * sizeof *colrem);
    int64_t left = t->n; /* units in the rows not yet filled */
    for (size_t i = 0; i + 1 < t->nr; i++) {
        int64_t need = t->rows[i]; /* still to place in row i */
        int64_t pool = left;       /* units of the remaining rows in columns j.. */
        for (size_t j = 0; j + 1 < t->nc; j++) {
            int64_t v = rhyper_mode(rng, pool, colrem[j], need);
            x[i * t->nc + j] = v;
            pool -= colrem[j];
            colrem[j] -= v;
            need -= v;
        }
        x[i * t->nc + t->nc - 1] = need;
        colrem[t->nc - 1] -= need;
        left -= t->rows[i];
    }
    memcpy(x + (t->nr - 1) * t->nc, colrem, t->nc * sizeof *colrem);
}

static int sim_table_init(sim_table *t, const int64_t *counts, size_t nrow, size_t ncol,
                          size_t *rows_dropped, size_t *cols_dropped, ks_error *err)
{
    memset(t, 0, sizeof *t);
    if (!counts || nrow == 0 || ncol == 0) /* reports the usage error */
        return table_margins(counts, nrow, ncol, NULL, NULL, NULL, err);
    int64_t *rt = ks_calloc(nrow, sizeof *rt), *ct = ks_calloc(ncol, sizeof *ct);
    int rc = table_margins(counts, nrow, ncol, rt, ct, &t->n, err);
    if (rc)
        goto done;
    t->rows = ks_calloc(nrow, sizeof *t->rows);
    t->cols = ks_calloc(ncol, sizeof *t->cols);
    for (size_t i = 0; i < nrow; i++)
        if (rt[i] > 0)
            t->rows[t->nr++] = rt[i];
    for (size_t j = 0; j < ncol; j++)
        if (ct[j] > 0)
            t->cols[t->nc++] = ct[j];
    *rows_dropped = nrow - t->nr;
    *cols_dropped = ncol - t->nc;
    if (t->nr < 2 || t->nc < 2) {
        rc = ks_error_set(err, KS_EDATA,
                          "exact test needs 2 non-empty rows and columns, table has %zu x %zu",
                          t->nr, t->nc);
        goto done;
    }
    size_t cells = ks_mul(t->nr, t->nc), k = 0;
    t->obs = ks_malloc(ks_mul(cells, sizeof *t->obs));
    t->expected = ks_malloc(ks_mul(cells, sizeof *t->expected));
    for (size_t i = 0; i < nrow; i++) {
        if (rt[i] == 0)
            continue;
        for (size_t j = 0; j < ncol; j++) {
            if (ct[j] == 0)
                continue;
            t->obs[k] = counts[i * ncol + j];
            t->expected[k] = (double)rt[i] * (double)ct[j] / (double)t->n;
            k++;
        }
    }
done:
    free(rt);
    free(ct);
    if (rc)
        sim_table_release(t);
    return rc;
}

int ks_chisq_sim_p(const int64_t *counts, size_t nrow, size_t ncol, uint64_t b,
                   unsigned long seed, ks_chisq_sim *out, ks_error *err)
{
    if (!out)
        return ks_error_set(err, KS_EUSAGE, "no simulation result to fill");
    memset(out, 0, sizeof *out);
    if (b == 0)
        return ks_error_set(err, KS_EUSAGE, "number of simulated tables must be positive");
    sim_table t;
    int64_t *x = NULL, *colrem = NULL;
    gsl_rng *rng = NULL;
    int rc = sim_table_init(&t, counts, nrow, ncol, &out->rows_dropped, &out->cols_dropped, err);
    if (rc)
        goto done;
    size_t cells = t.nr * t.nc;
    x = ks_malloc(ks_mul(cells, sizeof *x));
    colrem = ks_malloc(ks_mul(t.nc, sizeof *colrem));
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
        rc = ks_error_set(err, KS_EIO, "cannot allocate the random number generator");
        goto done;
    }
    gsl_rng_set(rng, seed);
    out->chi2 = chisq_stat(t.obs, t.expected, cells);
    /* R's almost.1: sums in another order must still count as ties */
    double threshold = out->chi2 * (1.0 - 64.0 * DBL_EPSILON);
    for (uint64_t r = 0; r < b; r++) {
        sim_draw(rng, &t, x, colrem);
        if (chisq_stat(x, t.expected, cells) >= threshold)
            out->n_ge++;
    }
    out->b = b;
    out->p = (1.0 + (double)out->n_ge) / ((double)b + 1.0);
done:
    if (rng)
        gsl_rng_free(rng);
    free(x);
    free(colrem);
    sim_table_release(&t);
    return rc;
}

/* ---- Proportions and multiple testing ----------------------------------- */

int ks_wilson_ci(int64_t x, int64_t n, double conf_level, double *lo, double *hi,
                 ks_error *err)
{
    if (!lo || !hi)
        return ks_error_set(err, KS_EUSAGE, "no place for the interval");
    int rc = check_conf_level(conf_level, err);
    if (rc)
        return rc;
    if (n <= 0)
        return ks_error_set(err, KS_EDATA, "proportion of %lld trials", (long long)n);
    if (x < 0 || x > n)
        return ks_error_set(err, KS_EDATA, "%lld successes out of %lld trials", (long long)x,
                            (long long)n);
    /* prop.test's expressions, in its order, so the results agree to the last bits */
    double dn = (double)n;
    double z = ks_dist_norm_quantile((1.0 + conf_level) / 2.0);
    double z22n = z * z / (2.0 * dn);
    double pc = (double)x / dn;
    double half = z * sqrt(pc * (1.0 - pc) / dn + z22n / (2.0 * dn));
    double pu = pc >= 1.0 ? 1.0 : (pc + z22n + half) / (1.0 + 2.0 * z22n);
    double pl = pc <= 0.0 ? 0.0 : (pc + z22n - half) / (1.0 + 2.0 * z22n);
    *lo = pl > 0.0 ? pl : 0.0;
    *hi = pu < 1.0 ? pu : 1.0;
    return 0;
}

/* A p-value and where it came from, for sorting. */
typedef struct p_index {
    double p; /* the p-value */
    size_t i; /* its position in the input */
} p_index;

/* Descending p; ties by position, so the order does not depend on qsort. */
static int p_index_desc(const void *va, const void *vb)
{
    const p_index *a = va, *b = vb;
    if (a->p != b->p)
        return a->p < b->p ? 1 : -1;
    return (a->i > b->i) - (a->i < b->i);
}

int ks_p_adjust_bh(const double *p, size_t n, double *out, ks_error *err)
{
    if (n == 0)
        return 0;
    if (!p || !out)
        return ks_error_set(err, KS_EUSAGE, "no p-values given");
    for (size_t k = 0; k < n; k++)
        if (!(p[k] >= 0.0 && p[k] <= 1.0))
            return ks_error_set(err, KS_EDATA, "p-value %zu is %g, not in [0, 1]", k + 1, p[k]);
    p_index *v = ks_malloc(ks_mul(n, sizeof *v));
    for (size_t k = 0; k < n; k++)
        v[k] = (p_index){p[k], k};
    qsort(v, n, sizeof *v, p_index_desc);
    /* p.adjust: cummin of n/i * p from the largest p down, capped at 1 */
    double run = INFINITY;
    for (size_t k = 0; k < n; k++) {
        double rank = (double)(n - k);
        double adj = (double)n / rank * v[k].p;
        if (adj < run)
            run = adj;
        out[v[k].i] = run < 1.0 ? run : 1.0;
    }
    free(v);
    return 0;
}

/* ---- Co-occurrence ------------------------------------------------------ */

int ks_cooccur_table(const int64_t tab[4], ks_cooccur *out, ks_error *err)
{
    if (!out)
        return ks_error_set(err, KS_EUSAGE, "no co-occurrence result to fill");
    memset(out, 0, sizeof *out);
    double p;
    int rc = ks_fisher2x2_p(tab, &p, err); /* also validates the counts */
    if (rc)
        return rc;
    int64_t a = tab[0], b = tab[1], c = tab[2], d = tab[3];
    out->n = a + b + c + d;
    out->n_a = a + b;
    out->n_b = a + c;
    out->n_ab = a;
    out->fisher_p = p;
    out->expected = (double)out->n_a * (double)out->n_b / (double)out->n;
    out->has_lift = out->expected > 0;
    out->lift = out->has_lift ? (double)a / out->expected : NAN;
    out->has_phi = out->n_a > 0 && out->n_a < out->n && out->n_b > 0 && out->n_b < out->n;
    if (out->has_phi) {
        /* exact in int64: a + d <= 2^31 bounds a*d by 2^60; doubles would cancel */
        double num = (double)(a * d - b * c);
        double den = sqrt((double)out->n_a * (double)out->n_b * (double)(out->n - out->n_a) *
                          (double)(out->n - out->n_b));
        out->phi = num / den;
    } else {
        out->phi = NAN;
    }
    return 0;
}

int ks_cooccur_counts(int64_t n_ab, int64_t n_a, int64_t n_b, int64_t n, ks_cooccur *out,
                      ks_error *err)
{
    if (n_ab < 0 || n_ab > n_a || n_ab > n_b || n_a > n || n_b > n ||
        n_a + n_b - n_ab > n)
        return ks_error_set(err, KS_EDATA,
                            "inconsistent counts: %lld with both, %lld with A, %lld with B, "
                            "%lld in all",
                            (long long)n_ab, (long long)n_a, (long long)n_b, (long long)n);
    int64_t tab[4] = {n_ab, n_a - n_ab, n_b - n_ab, n - n_a - n_b + n_ab};
    return ks_cooccur_table(tab, out, err);
}
