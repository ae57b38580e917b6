/* stats_poisson.c: gamma quantiles, the exact Poisson interval and the
 * grouped Poisson trend (see src/stats/stats_poisson.h). */
#include "stats_poisson.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats_dist.h"

enum { QUANT_MAXIT = 300, BRACKET_MAXIT = 80, FIT_MAXIT = 200, HALVE_MAXIT = 40 };

/* The residual of the quantile equation at t = exp(u), increasing in u:
 * P(a, t) - p in the lower half, (1 - p) - Q(a, t) in the upper, so the
 * small tail probability is never taken as 1 minus a number near 1. */
typedef struct qeq {
    double a;     /* shape */
    double p;     /* lower-tail probability */
    bool upper;   /* solve through Q */
    double lga;   /* lgamma(a) */
} qeq;

static int qeq_eval(const qeq *q, double u, double *r, ks_error *err)
{
    double t = exp(u);
    gsl_sf_result v;
    /* GSL's series or continued fraction can run out of iterations for large
     * shapes on one side of the mode (Q above it from shape 10^6 on): the
     * complementary function then gives the residual, with an absolute error
     * of about 1e-16, still far below what the root needs */
    for (int pass = 0; pass < 2; pass++) {
        bool use_q = q->upper != (pass == 1);
        int st = use_q ? gsl_sf_gamma_inc_Q_e(q->a, t, &v) : gsl_sf_gamma_inc_P_e(q->a, t, &v);
        /* an underflow is a value of 0, which is right this far in a tail */
        if ((st == GSL_SUCCESS || st == GSL_EUNDRFLW) && isfinite(v.val)) {
            *r = use_q ? (1.0 - q->p) - v.val : v.val - q->p;
            return 0;
        }
        if (pass == 1)
            return ks_error_set(err, KS_EDATA, "incomplete gamma function (shape %.17g at %.17g) failed: %s",
                                q->a, t, gsl_strerror(st));
    }
    return ks_error_set(err, KS_EDATA, "incomplete gamma function: no result");
}

/* Where the search starts, in u = log t.  Wilson-Hilferty: (t/a)^(1/3) is
 * nearly normal; for small shapes and lower tails, P(a, t) ~ t^a /
 * Gamma(a + 1) near 0. */
static double qeq_start(const qeq *q)
{
    double z = ks_dist_norm_quantile(q->p), c = 1.0 / (9.0 * q->a);
    double w = 1.0 - c + z * sqrt(c);
    double u0 = w > 0 ? log(q->a) + 3.0 * log(w) : (log(q->p) + q->lga + log(q->a)) / q->a;
    return isfinite(u0) ? u0 : log(q->a);
}

/* A bracket [lo, hi] in u = log t with r(lo) <= 0 <= r(hi). */
typedef struct qbracket {
    double lo;    /* lower end */
    double hi;    /* upper end */
    double rlo;   /* residual at lo */
    double rhi;   /* residual at hi */
} qbracket;

/* Widens from u0 (residual r0, not 0) by doubling steps until the residual
 * changes sign. */
static int qeq_bracket(const qeq *q, double u0, double r0, qbracket *b, ks_error *err)
{
    double step = 0.5;
    int rc;
    if (r0 < 0) {
        b->lo = u0;
        b->rlo = r0;
        for (int i = 0;; i++) {
            b->hi = b->lo + step;
            if ((rc = qeq_eval(q, b->hi, &b->rhi, err)))
                return rc;
            if (b->rhi >= 0)
                return 0;
            b->lo = b->hi;
            b->rlo = b->rhi;
            step *= 2;
            if (i == BRACKET_MAXIT)
                return ks_error_set(err, KS_EDATA, "gamma quantile (p = %g, shape = %g): no upper bracket", q->p,
                                    q->a);
        }
    }
    b->hi = u0;
    b->rhi = r0;
    for (int i = 0;; i++) {
        b->lo = b->hi - step;
        if ((rc = qeq_eval(q, b->lo, &b->rlo, err)))
            return rc;
        if (b->rlo <= 0)
            return 0;
        b->hi = b->lo;
        b->rhi = b->rlo;
        step *= 2;
        if (i == BRACKET_MAXIT)
            return ks_error_set(err, KS_EDATA, "gamma quantile (p = %g, shape = %g): no lower bracket", q->p, q->a);
    }
}

/* Newton in u (dr/du = t f(t), f the gamma density) from the end (u, r) of
 * the bracket b, bisection whenever a step would leave the bracket; every
 * evaluation shrinks the bracket. */
static int qeq_refine(const qeq *q, qbracket *b, double u, double r, double *out, ks_error *err)
{
    int rc;
    for (int it = 0; it < QUANT_MAXIT; it++) {
        double d = exp(q->a * u - exp(u) - q->lga);
        double un = u - r / d;
        if (!isfinite(un) || !(un > b->lo && un < b->hi))
            un = 0.5 * (b->lo + b->hi);
        double tol = 1e-15 * fmax(1.0, fabs(un));
        if (fabs(un - u) <= tol || b->hi - b->lo <= tol) {
            *out = exp(un);
            return 0;
        }
        u = un;
        if ((rc = qeq_eval(q, u, &r, err)))
            return rc;
        if (r == 0) {
            *out = exp(u);
            return 0;
        }
        if (r < 0)
            b->lo = u;
        else
            b->hi = u;
    }
    /* the bracket holds the root: accept it when it is narrow enough */
    if (b->hi - b->lo <= 1e-12 * fmax(1.0, fabs(b->lo))) {
        *out = exp(0.5 * (b->lo + b->hi));
        return 0;
    }
    return ks_error_set(err, KS_EDATA, "gamma quantile (p = %g, shape = %g) did not converge", q->p, q->a);
}

int ks_gamma_quantile(double p, double shape, double *out, ks_error *err)
{
    *out = NAN;
    if (!(p > 0 && p < 1) || !(shape > 0) || !isfinite(shape))
        return ks_error_set(err, KS_EUSAGE, "gamma quantile: p = %g and shape = %g are out of range", p, shape);
    qeq q = {.a = shape, .p = p, .upper = p > 0.5};
    gsl_sf_result lg;
    int st = gsl_sf_lngamma_e(shape, &lg);
    if (st != GSL_SUCCESS || !isfinite(lg.val))
        return ks_error_set(err, KS_EDATA, "log gamma of %.17g failed: %s", shape, gsl_strerror(st));
    q.lga = lg.val;

    double u0 = qeq_start(&q), r0;
    int rc = qeq_eval(&q, u0, &r0, err);
    if (rc)
        return rc;
    if (r0 == 0) {
        *out = exp(u0);
        return 0;
    }
    qbracket b;
    if ((rc = qeq_bracket(&q, u0, r0, &b, err)))
        return rc;
    if (b.rlo == 0) {
        *out = exp(b.lo);
        return 0;
    }
    if (b.rhi == 0) {
        *out = exp(b.hi);
        return 0;
    }
    return r0 < 0 ? qeq_refine(&q, &b, b.lo, b.rlo, out, err) : qeq_refine(&q, &b, b.hi, b.rhi, out, err);
}

int ks_poisson_exact_ci(double x, double conf, double *lo, double *hi, ks_error *err)
{
    *lo = *hi = NAN;
    if (!(x >= 0) || !isfinite(x) || !(conf > 0 && conf < 1))
        return ks_error_set(err, KS_EUSAGE, "Poisson interval: count %g or level %g out of range", x, conf);
    double alpha = (1.0 - conf) / 2.0;
    double l = 0.0, h;
    int rc = 0;
    if (x > 0 && (rc = ks_gamma_quantile(alpha, x, &l, err)))
        return ks_error_prefix(err, "Poisson interval of %.17g: ", x);
    if ((rc = ks_gamma_quantile(1.0 - alpha, x + 1.0, &h, err)))
        return ks_error_prefix(err, "Poisson interval of %.17g: ", x);
    *lo = l;
    *hi = h;
    return 0;
}

/* ---- grouped Poisson trend ---- */

/* One observation: a known month (first = last = that month, via idx) or a
 * group of months. */
typedef struct gfit {
    size_t n;          /* months */
    size_t p;          /* parameters */
    size_t nobs;       /* observations: known months, then groups */
    const double *x;   /* [n * p] design */
    size_t *obs_of;    /* [n] observation of each month */
    double *yo;        /* [nobs] observed counts or group sums */
    double *mu_t;      /* [n] fitted mean per month */
    double *mu_o;      /* [nobs] fitted mean per observation */
    double *d;         /* [nobs * p] derivative of mu_o by theta */
} gfit;

/* Means and derivatives at theta; returns the log-likelihood (without the
 * constant), or NAN when a mean is not finite or not positive. */
static double gfit_eval(gfit *g, const double *theta)
{
    memset(g->mu_o, 0, g->nobs * sizeof *g->mu_o);
    memset(g->d, 0, g->nobs * g->p * sizeof *g->d);
    for (size_t t = 0; t < g->n; t++) {
        double eta = 0;
        for (size_t j = 0; j < g->p; j++)
            eta += g->x[t * g->p + j] * theta[j];
        double m = exp(eta);
        g->mu_t[t] = m;
        size_t o = g->obs_of[t];
        g->mu_o[o] += m;
        for (size_t j = 0; j < g->p; j++)
            g->d[o * g->p + j] += m * g->x[t * g->p + j];
    }
    double ll = 0;
    for (size_t o = 0; o < g->nobs; o++) {
        double m = g->mu_o[o];
        if (!(m > 0) || !isfinite(m))
            return NAN;
        ll += (g->yo[o] > 0 ? g->yo[o] * log(m) : 0) - m;
    }
    return ll;
}

/* The expected information sum_o d_o d_o' / mu_o into I, the score into u
 * (u may be NULL). */
static void gfit_info(const gfit *g, gsl_matrix *I, gsl_vector *u)
{
    gsl_matrix_set_zero(I);
    if (u)
        gsl_vector_set_zero(u);
    for (size_t o = 0; o < g->nobs; o++) {
        const double *d = g->d + o * g->p;
        double m = g->mu_o[o];
        for (size_t i = 0; i < g->p; i++) {
            if (u)
                *gsl_vector_ptr(u, i) += (g->yo[o] - m) / m * d[i];
            for (size_t j = 0; j < g->p; j++)
                *gsl_matrix_ptr(I, i, j) += d[i] * d[j] / m;
        }
    }
}

/* The fit's model (gfit) and Fisher scoring's work space; GSL views on
 * checked allocations (gsl_*_alloc can fail quietly). */
typedef struct gwork {
    gfit g;               /* the model; owns x and its arrays */
    double *x;            /* [n * p] design, g.x */
    double *theta;        /* [p] estimate */
    double *prev;         /* [p] estimate before the last step */
    size_t *gsize;        /* [n_groups + 1] months per group */
    double *Ibuf;         /* [p * p] storage of I */
    double *ubuf;         /* [p] storage of u */
    double *dbuf;         /* [p] storage of delta */
    gsl_matrix_view Iv;   /* information, then its inverse */
    gsl_vector_view uv;   /* score */
    gsl_vector_view dv;   /* scoring step */
} gwork;

static void gwork_init(gwork *w, size_t n_months, size_t p, size_t n_groups, int first_month,
                       const int col_of_month[13])
{
    memset(w, 0, sizeof *w);
    w->g.n = n_months;
    w->g.p = p;
    w->x = ks_trend_matrix(first_month, n_months, col_of_month, p);
    w->theta = ks_calloc(p, sizeof *w->theta);
    w->prev = ks_calloc(p, sizeof *w->prev);
    w->gsize = ks_calloc(n_groups + 1, sizeof *w->gsize);
    w->Ibuf = ks_calloc(ks_mul(p, p), sizeof *w->Ibuf);
    w->ubuf = ks_calloc(p, sizeof *w->ubuf);
    w->dbuf = ks_calloc(p, sizeof *w->dbuf);
    w->Iv = gsl_matrix_view_array(w->Ibuf, p, p);
    w->uv = gsl_vector_view_array(w->ubuf, p);
    w->dv = gsl_vector_view_array(w->dbuf, p);
    w->g.x = w->x;
    w->g.obs_of = ks_malloc(ks_mul(n_months, sizeof *w->g.obs_of));
    w->g.yo = ks_calloc(n_months + n_groups, sizeof *w->g.yo);
    w->g.mu_t = ks_calloc(n_months, sizeof *w->g.mu_t);
    w->g.mu_o = ks_calloc(n_months + n_groups, sizeof *w->g.mu_o);
    w->g.d = ks_calloc(ks_mul(n_months + n_groups, p), sizeof *w->g.d);
}

static void gwork_release(gwork *w)
{
    free(w->x);
    free(w->theta);
    free(w->prev);
    free(w->gsize);
    free(w->g.obs_of);
    free(w->g.yo);
    free(w->g.mu_t);
    free(w->g.mu_o);
    free(w->g.d);
    free(w->Ibuf);
    free(w->ubuf);
    free(w->dbuf);
}

/* The observations: each known month, then each group's sum; checks the
 * counts and groups, and puts their total in *total. */
static int gwork_observe(gwork *w, const double *y, const int *group, const double *group_sum, size_t n_groups,
                         double *total, ks_error *err)
{
    gfit *g = &w->g;
    size_t known = 0;
    for (size_t t = 0; t < g->n; t++) {
        int gi = group ? group[t] : -1;
        if (gi < -1 || gi >= (int)n_groups)
            return ks_error_set(err, KS_EUSAGE, "month %zu: group %d is not -1..%zu", t + 1, gi, n_groups);
        if (gi < 0) {
            if (!(y[t] >= 0) || !isfinite(y[t]))
                return ks_error_set(err, KS_EDATA, "month %zu: count %g is not a count", t + 1, y[t]);
            g->obs_of[t] = known;
            g->yo[known++] = y[t];
        } else {
            w->gsize[gi]++;
        }
    }
    for (size_t gi = 0; gi < n_groups; gi++)
        if (!w->gsize[gi] || !(group_sum[gi] >= 0) || !isfinite(group_sum[gi]))
            return ks_error_set(err, KS_EUSAGE, "group %zu: no months, or its sum %g is not a count", gi,
                                group_sum[gi]);
    for (size_t t = 0; t < g->n; t++)
        if (group && group[t] >= 0)
            g->obs_of[t] = known + (size_t)group[t];
    g->nobs = known + n_groups;
    double sum = 0;
    for (size_t o = 0; o < known; o++)
        sum += g->yo[o];
    for (size_t gi = 0; gi < n_groups; gi++) {
        g->yo[known + gi] = group_sum[gi];
        sum += group_sum[gi];
    }
    *total = sum;
    return 0;
}

/* Fisher scoring from a flat series of the given total, halving a step that
 * lowers the likelihood. */
static int gwork_fit(gwork *w, double total, ks_error *err)
{
    gfit *g = &w->g;
    size_t p = g->p;
    gsl_matrix *I = &w->Iv.matrix;
    gsl_vector *u = &w->uv.vector, *delta = &w->dv.vector;
    w->theta[0] = log(total / (double)g->n);
    double ll = gfit_eval(g, w->theta);
    for (int it = 0; it < FIT_MAXIT; it++) {
        gfit_info(g, I, u);
        if (gsl_linalg_cholesky_decomp1(I) != GSL_SUCCESS || gsl_linalg_cholesky_solve(I, u, delta) != GSL_SUCCESS)
            return ks_error_set(err, KS_EDATA, "the trend cannot be estimated from the months published");
        memcpy(w->prev, w->theta, p * sizeof *w->theta);
        for (size_t j = 0; j < p; j++)
            w->theta[j] += gsl_vector_get(delta, j);
        double nll = gfit_eval(g, w->theta);
        for (int h = 0; h < HALVE_MAXIT && !(nll >= ll - 1e-12 * fabs(ll)); h++) {
            for (size_t j = 0; j < p; j++)
                w->theta[j] = 0.5 * (w->theta[j] + w->prev[j]);
            nll = gfit_eval(g, w->theta);
        }
        if (!isfinite(nll))
            return ks_error_set(err, KS_EDATA, "the grouped trend fit failed (a fitted mean is not finite)");
        bool converged = true;
        for (size_t j = 0; j < p; j++)
            if (fabs(w->theta[j] - w->prev[j]) > 1e-11 * (1.0 + fabs(w->theta[j])))
                converged = false;
        if (converged)
            return 0;
        ll = nll;
    }
    return ks_error_set(err, KS_EDATA, "the grouped trend fit did not converge in %d iterations", FIT_MAXIT);
}

/* Inference at the estimate: quasi-Poisson dispersion from the Pearson
 * statistic, the slope's test and the annual percentage change into out. */
static int gwork_infer(gwork *w, ks_trend *out, ks_error *err)
{
    gfit *g = &w->g;
    gsl_matrix *I = &w->Iv.matrix;
    gfit_eval(g, w->theta);
    gfit_info(g, I, NULL);
    if (gsl_linalg_cholesky_decomp1(I) != GSL_SUCCESS || gsl_linalg_cholesky_invert(I) != GSL_SUCCESS)
        return ks_error_set(err, KS_EDATA, "the trend cannot be estimated from the months published");
    double pearson = 0, dev = 0;
    for (size_t o = 0; o < g->nobs; o++) {
        double m = g->mu_o[o], yy = g->yo[o];
        pearson += (yy - m) * (yy - m) / m;
        dev += 2.0 * ((yy > 0 ? yy * log(yy / m) : 0) - (yy - m));
    }
    double df = (double)(g->nobs - g->p);
    double phi = pearson / df;
    double tq = ks_dist_t_quantile(0.975, df);
    if (!isfinite(tq))
        return ks_error_set(err, KS_EDATA, "t quantile on %g degrees of freedom failed", df);
    ks_glm_coef c;
    ks_glm_coef_infer(&c, w->theta[1], gsl_matrix_get(I, 1, 1), phi, df, tq);
    if (!isfinite(c.se) || !isfinite(c.p))
        return ks_error_set(err, KS_EDATA, "the trend's standard error is not finite");
    ks_trend_fill(out, &c, phi, df, tq, dev);
    return 0;
}

int ks_poisson_trend_grouped(const double *y, const int *group, size_t n_months, int first_month,
                             const double *group_sum, size_t n_groups, ks_trend *out, ks_error *err)
{
    memset(out, 0, sizeof *out);
    if (first_month < 0 || first_month > 12)
        return ks_error_set(err, KS_EUSAGE, "first month %d is not 1..12 (or 0)", first_month);
    if (n_months == 0 || !y)
        return ks_error_set(err, KS_EDATA, "the monthly series is empty");
    if (n_groups && (!group || !group_sum))
        return ks_error_set(err, KS_EUSAGE, "groups without their months or sums");

    int col_of_month[13];
    size_t p = ks_trend_design(first_month, n_months, col_of_month);
    gwork w;
    gwork_init(&w, n_months, p, n_groups, first_month, col_of_month);
    double total = 0;
    int rc = gwork_observe(&w, y, group, group_sum, n_groups, &total, err);
    if (rc)
        goto done;
    if (!(total > 0)) {
        rc = ks_error_set(err, KS_EDATA, "the monthly series has no cases");
        goto done;
    }
    if (w.g.nobs <= p) {
        rc = ks_error_set(err, KS_EDATA, "%zu observations are too few for %zu parameters", w.g.nobs, p);
        goto done;
    }
    if ((rc = gwork_fit(&w, total, err)) || (rc = gwork_infer(&w, out, err)))
        goto done;
    out->n_months = n_months;
    out->seasonal = first_month != 0;
done:
    gwork_release(&w);
    return rc;
}
