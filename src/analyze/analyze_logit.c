/* analyze_logit.c: `kasane analyze logit [OUTCOME] PREDICTOR...`.
 *
 * The population is the closed cases (status 終結) with a known outcome; the
 * response is 1 for 解決/改善 (`good`), 解決 (`resolved`) or 悪化 (`worsened`).
 * Cases are collapsed to covariate patterns in one scan (a hash of the
 * predictor values), and the model is fitted on pattern x outcome rows, which
 * gives the coefficients, deviance and AIC of the case-level glm.
 *
 * Solvers: ks_glm_fit is R's glm.fit (pivoted Householder QR), O(rows p^2)
 * per iteration on a dense matrix: several seconds for 300k patterns and 50
 * columns.  The sparse solver accumulates X'WX over the nonzeros only (a row
 * of dummies has ~15 of them) and solves by Cholesky, the same IRLS steps
 * from the same start with the same convergence test.  Normal equations lose
 * accuracy when X'WX is near singular, and R's warnings (aliasing,
 * separation, fitted 0/1, no convergence) come from ks_glm_fit's own checks,
 * so whenever the sparse fit meets any of those it hands over to ks_glm_fit.
 * tests/cli/t2010 checks both solvers against R.
 *
 * Under the cell key method (analyze.h) the model is fitted on the
 * perturbed pattern table: each pattern's successes and failures are
 * perturbed by their own cases' record keys (perturb_patterns), before the
 * levels are counted, pooled and the design built.  The fit's sufficient
 * statistics are that table, so the coefficients, their SEs, the deviance
 * and AIC, the level counts (sums of perturbed cells, never 1..k-1) and the
 * fit's n and events are all functions of perturbed counts; the noise is
 * unbiased, its variance grows with the number of small patterns. */
#include <float.h>
#include <gsl/gsl_matrix.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "codes.h"
#include "stats_dist.h"
#include "stats_glm.h"
#include "weaken.h"

#define LOGIT_THRESH 30.0

/* ---- the sparse IRLS ------------------------------------------------------- */

/* binomial()'s link functions with R's clamping (family.c) */
static double linkinv(double eta)
{
    double t = eta < -LOGIT_THRESH ? DBL_EPSILON : eta > LOGIT_THRESH ? 1.0 / DBL_EPSILON : exp(eta);
    return t / (1.0 + t);
}

static double mu_eta(double eta)
{
    if (eta > LOGIT_THRESH || eta < -LOGIT_THRESH)
        return DBL_EPSILON;
    double opexp = 1.0 + exp(eta);
    return exp(eta) / (opexp * opexp);
}

static double dev_resid(double y, double mu, double w)
{
    return -2.0 * w * (y > 0 ? log(mu) : log1p(-mu));
}

/* Rows of the fit: pattern x outcome, so y is 0 or 1 and w a count. */
typedef struct sp_rows {
    size_t n;          /* rows */
    size_t *pat;       /* [n] pattern of the row */
    double *y;         /* [n] 0 or 1 */
    double *w;         /* [n] cases */
} sp_rows;

static void rows_build(const ks_an_patterns *pt, sp_rows *r)
{
    r->pat = ks_malloc(ks_mul(2 * pt->n + 1, sizeof *r->pat));
    r->y = ks_malloc(ks_mul(2 * pt->n + 1, sizeof *r->y));
    r->w = ks_malloc(ks_mul(2 * pt->n + 1, sizeof *r->w));
    r->n = 0;
    for (size_t i = 0; i < pt->n; i++) {
        if (pt->succ[i] > 0) {
            r->pat[r->n] = i;
            r->y[r->n] = 1;
            r->w[r->n++] = pt->succ[i];
        }
        if (pt->trials[i] - pt->succ[i] > 0) {
            r->pat[r->n] = i;
            r->y[r->n] = 0;
            r->w[r->n++] = pt->trials[i] - pt->succ[i];
        }
    }
}

static void rows_release(sp_rows *r)
{
    free(r->pat);
    free(r->y);
    free(r->w);
}

/* In-place Cholesky of the lower triangle of a (p x p row-major); returns -1
 * when a pivot falls below 1e-8 of its diagonal: near-aliasing, which the QR
 * path judges the way R does. */
static int cholesky(double *a, size_t p)
{
    for (size_t j = 0; j < p; j++) {
        double d0 = a[j * p + j];
        double d = d0;
        for (size_t k = 0; k < j; k++)
            d -= a[j * p + k] * a[j * p + k];
        if (!(d0 > 0) || !(d > 1e-8 * d0))
            return -1;
        double l = sqrt(d);
        a[j * p + j] = l;
        for (size_t i = j + 1; i < p; i++) {
            double s = a[i * p + j];
            for (size_t k = 0; k < j; k++)
                s -= a[i * p + k] * a[j * p + k];
            a[i * p + j] = s / l;
        }
    }
    return 0;
}

/* Solves L L' x = b in place. */
static void chol_solve(const double *l, size_t p, double *b)
{
    for (size_t i = 0; i < p; i++) {
        double s = b[i];
        for (size_t k = 0; k < i; k++)
            s -= l[i * p + k] * b[k];
        b[i] = s / l[i * p + i];
    }
    for (size_t i = p; i-- > 0;) {
        double s = b[i];
        for (size_t k = i + 1; k < p; k++)
            s -= l[k * p + i] * b[k];
        b[i] = s / l[i * p + i];
    }
}

/* (L L')^-1 into cov (full, row-major). */
static void chol_inverse(const double *l, size_t p, double *cov)
{
    double *e = ks_malloc(ks_mul(p, sizeof *e));
    for (size_t j = 0; j < p; j++) {
        for (size_t i = 0; i < p; i++)
            e[i] = i == j;
        chol_solve(l, p, e);
        for (size_t i = 0; i < p; i++)
            cov[i * p + j] = e[i];
    }
    free(e);
}

static double row_eta(const ks_an_patterns *pt, size_t i, const double *beta)
{
    double e = 0;
    for (size_t k = pt->start[i]; k < pt->start[i + 1]; k++)
        e += pt->x[k] * beta[pt->col[k]];
    return e;
}

/* The arrays of one sparse IRLS; irls_init allocates them, irls_release
 * frees them. */
typedef struct sp_irls {
    size_t p;          /* design columns */
    sp_rows r;         /* the rows of the fit */
    double *a;         /* [p * p] X'WX, then its Cholesky factor (lower triangle) */
    double *b;         /* [p] X'Wz, then the new coefficients */
    double *beta;      /* [p] coefficients */
    double *eta;       /* [r.n] linear predictor per row */
    double *mu;        /* [r.n] fitted probability per row */
    double *wlast;     /* [r.n] the last step's working weights (they give the standard errors) */
    double *peta;      /* [pt->n] linear predictor per pattern */
} sp_irls;

static void irls_init(const ks_an_patterns *pt, sp_irls *w)
{
    size_t p = w->p = pt->p;
    rows_build(pt, &w->r);
    w->a = ks_malloc(ks_mul(ks_mul(p, p), sizeof *w->a));
    w->b = ks_malloc(ks_mul(p, sizeof *w->b));
    w->beta = ks_calloc(p, sizeof *w->beta);
    w->eta = ks_malloc(ks_mul(w->r.n + 1, sizeof *w->eta));
    w->mu = ks_malloc(ks_mul(w->r.n + 1, sizeof *w->mu));
    w->wlast = ks_malloc(ks_mul(w->r.n + 1, sizeof *w->wlast));
    w->peta = ks_malloc(ks_mul(pt->n + 1, sizeof *w->peta));
}

static void irls_release(sp_irls *w)
{
    free(w->a);
    free(w->b);
    free(w->beta);
    free(w->eta);
    free(w->mu);
    free(w->wlast);
    free(w->peta);
    rows_release(&w->r);
}

/* binomial()$initialize for the cases one by one: a pattern x outcome
 * row of w cases with outcome y starts where each of its cases would,
 * (y + 0.5) / 2, not at (w y + 0.5) / (w + 1), so the IRLS steps (and
 * the last step's weights, which give the standard errors) are R's on
 * the case-level data.  Returns the starting deviance. */
static double irls_start(sp_irls *w)
{
    const sp_rows *r = &w->r;
    double dev = 0;
    for (size_t i = 0; i < r->n; i++) {
        double m = (r->y[i] + 0.5) / 2.0;
        w->eta[i] = log(m / (1.0 - m));
        w->mu[i] = linkinv(w->eta[i]);
        dev += dev_resid(r->y[i], w->mu[i], r->w[i]);
    }
    return dev;
}

/* One step's normal equations: the lower triangle of X'WX into a and X'Wz
 * into b, over the nonzeros of each row. */
static void normal_equations(const ks_an_patterns *pt, sp_irls *w)
{
    const sp_rows *r = &w->r;
    size_t p = w->p;
    memset(w->a, 0, p * p * sizeof *w->a);
    memset(w->b, 0, p * sizeof *w->b);
    for (size_t i = 0; i < r->n; i++) {
        double me = mu_eta(w->eta[i]);
        double z = w->eta[i] + (r->y[i] - w->mu[i]) / me;
        double wt = r->w[i] * me * me / (w->mu[i] * (1.0 - w->mu[i]));
        w->wlast[i] = wt;
        size_t s0 = pt->start[r->pat[i]], s1 = pt->start[r->pat[i] + 1];
        for (size_t k = s0; k < s1; k++) {
            double wx = wt * pt->x[k];
            size_t ck = pt->col[k];
            w->b[ck] += wx * z;
            double *arow = w->a + ck * p;
            for (size_t m = s0; m <= k; m++)
                arow[pt->col[m]] += wx * pt->x[m];
        }
    }
}

/* The rows' eta and mu at the new beta; returns the deviance. */
static double irls_update(const ks_an_patterns *pt, sp_irls *w)
{
    const sp_rows *r = &w->r;
    for (size_t i = 0; i < pt->n; i++)
        w->peta[i] = row_eta(pt, i, w->beta);
    double dev = 0;
    for (size_t i = 0; i < r->n; i++) {
        w->eta[i] = w->peta[r->pat[i]];
        w->mu[i] = linkinv(w->eta[i]);
        dev += dev_resid(r->y[i], w->mu[i], r->w[i]);
    }
    return dev;
}

/* The converged fit as ks_glm_fit would report it: the covariance from the
 * last step's factor, deviances, AIC, dispersion and each coefficient's
 * inference. */
static void sparse_result(const sp_irls *w, double dev, int iter, ks_glm_result *res)
{
    const sp_rows *r = &w->r;
    size_t p = w->p;
    memset(res, 0, sizeof *res);
    res->family = KS_GLM_BINOMIAL;
    res->n_coef = p;
    res->rank = p;
    res->n_obs = r->n;
    res->has_intercept = 1;
    res->deviance = dev;
    res->df_residual = (double)r->n - (double)p;
    res->df_null = (double)r->n - 1.0;
    res->iterations = iter;
    res->converged = 1;
    res->cov = ks_malloc(ks_mul(ks_mul(p, p), sizeof *res->cov));
    chol_inverse(w->a, p, res->cov);
    double sw = 0, swy = 0, ll = 0, pearson = 0;
    for (size_t i = 0; i < r->n; i++) {
        sw += r->w[i];
        swy += r->w[i] * r->y[i];
        ll += r->w[i] * (r->y[i] > 0 ? log(w->mu[i]) : log1p(-w->mu[i]));
        double me = mu_eta(w->eta[i]), rr = (r->y[i] - w->mu[i]) / me;
        pearson += w->wlast[i] * rr * rr;
    }
    double mu0 = swy / sw;
    res->null_deviance = 0;
    for (size_t i = 0; i < r->n; i++)
        res->null_deviance += dev_resid(r->y[i], mu0, r->w[i]);
    res->aic = -2.0 * ll + 2.0 * (double)p;
    double df = res->df_residual;
    res->dispersion = df > 0 ? pearson / df : NAN;
    double tq = df > 0 ? ks_dist_t_quantile(0.975, df) : NAN;
    res->coef = ks_calloc(p, sizeof *res->coef);
    for (size_t j = 0; j < p; j++) {
        ks_glm_coef_infer(&res->coef[j], w->beta[j], res->cov[j * p + j], res->dispersion, df, tq);
    }
}

/* 0: fitted; 1: cannot decide (the caller uses ks_glm_fit). */
static int sparse_fit(const ks_an_patterns *pt, ks_glm_result *res)
{
    size_t p = pt->p;
    sp_irls w;
    irls_init(pt, &w);
    int undecided = 1, iter = 0, conv = 0;
    double dev = irls_start(&w);
    double devold = dev;
    for (iter = 1; iter <= 25; iter++) {
        normal_equations(pt, &w);
        if (cholesky(w.a, p) < 0)
            goto done;
        chol_solve(w.a, p, w.b);
        for (size_t j = 0; j < p; j++) {
            if (!isfinite(w.b[j]))
                goto done;
            w.beta[j] = w.b[j];
        }
        dev = irls_update(pt, &w);
        if (!isfinite(dev))
            goto done;
        if (fabs(dev - devold) / (fabs(dev) + 0.1) < 1e-8) {
            conv = 1;
            break;
        }
        devold = dev;
    }
    if (!conv)
        goto done;
    for (size_t i = 0; i < w.r.n; i++)
        if (w.mu[i] < 1e-6 || w.mu[i] > 1 - 1e-6)
            goto done; /* separation or near it: ks_glm_fit's checks decide */

    undecided = 0;
    sparse_result(&w, dev, iter, res);
done:
    irls_release(&w);
    return undecided;
}

/* The same rows, densely, through R's algorithm. */
static int dense_fit(const ks_an_patterns *pt, const char *const *names, ks_glm_result *res, ks_error *err)
{
    sp_rows r;
    rows_build(pt, &r);
    int rc;
    if (r.n == 0) {
        rc = ks_error_set(err, KS_EDATA, "no observations to fit");
        goto done;
    }
    gsl_matrix *x = gsl_matrix_calloc(r.n, pt->p);
    if (!x) {
        rc = ks_error_set(err, KS_EIO, "out of memory for a %zu x %zu design matrix", r.n, pt->p);
        goto done;
    }
    for (size_t i = 0; i < r.n; i++)
        for (size_t k = pt->start[r.pat[i]]; k < pt->start[r.pat[i] + 1]; k++)
            gsl_matrix_set(x, i, pt->col[k], pt->x[k]);
    /* case-level starting means, as sparse_fit */
    double *ms = ks_malloc(ks_mul(r.n + 1, sizeof *ms));
    for (size_t i = 0; i < r.n; i++)
        ms[i] = (r.y[i] + 0.5) / 2.0;
    ks_glm_opts o = {.weights = r.w, .names = names, .mustart = ms};
    rc = ks_glm_fit(KS_GLM_BINOMIAL, x, r.y, &o, res, err);
    free(ms);
    gsl_matrix_free(x);
done:
    rows_release(&r);
    return rc;
}

int ks_an_logit_fit(const ks_an_patterns *pt, const char *const *names, int solver, ks_glm_result *res,
                    bool *used_sparse, ks_error *err)
{
    if (used_sparse)
        *used_sparse = false;
    if (!pt || pt->p == 0 || pt->n == 0)
        return ks_error_set(err, KS_EDATA, "no observations to fit");
    /* small problems go straight to R's algorithm (same answer, R's words) */
    double work = (double)pt->n * (double)pt->p * (double)pt->p;
    bool try_sparse = solver == KS_AN_SOLVER_SPARSE || (solver == KS_AN_SOLVER_AUTO && work > 2e7);
    if (try_sparse && sparse_fit(pt, res) == 0) {
        if (used_sparse)
            *used_sparse = true;
        return 0;
    }
    return dense_fit(pt, names, res, err);
}

/* ---- the analysis ---------------------------------------------------------- */

typedef struct term {
    ks_an_var *v;      /* the predictor */
    size_t col0;       /* first design column */
    size_t ncol;       /* design columns */
    int ref;           /* code: reference level; -1 otherwise */
    int64_t *lev_n;    /* code/set: cases per level */
    size_t *lev_col;   /* code/set: design column of a level, SIZE_MAX for none */
    uint64_t set_mask; /* set: bits that map to a level */
    size_t ex;         /* index of its column in the scan */
    int bit;           /* binary from a mask: the bit to take, -1 otherwise */
    int pool;          /* code: the level standing for the pooled small levels, -1 for none */
    int merged;        /* code: the level the small levels were merged into, -1 for none */
    bool dropped;      /* binary: left out, one side has fewer than k cases */
    ks_buf pooled;     /* code: the codes of the small levels, for the note */
    size_t nl;         /* levels: v->nlev, and for a code one more, "not recorded" (index v->nlev) */
} term;

/* Covariate patterns: open addressing over int64 keys of m values. */
typedef struct pat_hash {
    size_t m;          /* values per key */
    size_t cap;        /* slots, a power of two */
    size_t n;          /* patterns */
    int64_t *keys;     /* [cap * m] */
    uint64_t *hash;    /* [cap] hash of the key, compared before the key */
    int64_t *succ;     /* [cap] successes */
    int64_t *trials;   /* [cap] cases */
    uint64_t *ksucc;   /* [cap] record keys' sum of the successes (cell key method) */
    uint64_t *kfail;   /* [cap] of the failures */
    uint8_t *used;     /* [cap] slot in use */
} pat_hash;

static uint64_t hash_key(const int64_t *k, size_t m)
{
    uint64_t h = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < m; i++) {
        h ^= (uint64_t)k[i] + 0x9E3779B97F4A7C15u + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9u;
        h ^= h >> 31;
    }
    return h;
}

static void ph_init(pat_hash *h, size_t m)
{
    h->m = m ? m : 1;
    h->cap = 1024;
    h->n = 0;
    h->keys = ks_malloc(ks_mul(h->cap, h->m * sizeof *h->keys));
    h->hash = ks_malloc(ks_mul(h->cap, sizeof *h->hash));
    h->succ = ks_calloc(h->cap, sizeof *h->succ);
    h->trials = ks_calloc(h->cap, sizeof *h->trials);
    h->ksucc = ks_calloc(h->cap, sizeof *h->ksucc);
    h->kfail = ks_calloc(h->cap, sizeof *h->kfail);
    h->used = ks_calloc(h->cap, 1);
}

static void ph_release(pat_hash *h)
{
    free(h->keys);
    free(h->hash);
    free(h->succ);
    free(h->trials);
    free(h->ksucc);
    free(h->kfail);
    free(h->used);
}

static size_t ph_slot(const pat_hash *h, const int64_t *key, uint64_t hv)
{
    size_t i = (size_t)hv & (h->cap - 1);
    while (h->used[i] && (h->hash[i] != hv || memcmp(h->keys + i * h->m, key, h->m * sizeof *key) != 0))
        i = (i + 1) & (h->cap - 1);
    return i;
}

static void ph_grow(pat_hash *h)
{
    pat_hash g;
    g.m = h->m;
    g.cap = h->cap * 2;
    g.n = h->n;
    g.keys = ks_malloc(ks_mul(g.cap, g.m * sizeof *g.keys));
    g.hash = ks_malloc(ks_mul(g.cap, sizeof *g.hash));
    g.succ = ks_calloc(g.cap, sizeof *g.succ);
    g.trials = ks_calloc(g.cap, sizeof *g.trials);
    g.ksucc = ks_calloc(g.cap, sizeof *g.ksucc);
    g.kfail = ks_calloc(g.cap, sizeof *g.kfail);
    g.used = ks_calloc(g.cap, 1);
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->used[i])
            continue;
        size_t s = ph_slot(&g, h->keys + i * h->m, h->hash[i]);
        memcpy(g.keys + s * g.m, h->keys + i * h->m, h->m * sizeof *g.keys);
        g.hash[s] = h->hash[i];
        g.succ[s] = h->succ[i];
        g.trials[s] = h->trials[i];
        g.ksucc[s] = h->ksucc[i];
        g.kfail[s] = h->kfail[i];
        g.used[s] = 1;
    }
    ph_release(h);
    *h = g;
}

static void ph_add(pat_hash *h, const int64_t *key, int y, uint64_t rkey)
{
    if (2 * (h->n + 1) > h->cap)
        ph_grow(h);
    uint64_t hv = hash_key(key, h->m);
    size_t s = ph_slot(h, key, hv);
    if (!h->used[s]) {
        h->used[s] = 1;
        h->hash[s] = hv;
        memcpy(h->keys + s * h->m, key, h->m * sizeof *key);
        h->n++;
    }
    h->trials[s]++;
    h->succ[s] += y;
    if (y)
        h->ksucc[s] += rkey;
    else
        h->kfail[s] += rkey;
}

/* Adds `trials` cases of which `succ` have the outcome. */
static void ph_add_n(pat_hash *h, const int64_t *key, int64_t succ, int64_t trials, uint64_t ksucc,
                     uint64_t kfail)
{
    if (2 * (h->n + 1) > h->cap)
        ph_grow(h);
    uint64_t hv = hash_key(key, h->m);
    size_t s = ph_slot(h, key, hv);
    if (!h->used[s]) {
        h->used[s] = 1;
        h->hash[s] = hv;
        memcpy(h->keys + s * h->m, key, h->m * sizeof *key);
        h->n++;
    }
    h->trials[s] += trials;
    h->succ[s] += succ;
    h->ksucc[s] += ksucc;
    h->kfail[s] += kfail;
}

typedef struct lg_scan {
    term *terms;         /* predictors */
    size_t nterms;       /* predictors */
    int64_t yes_ids[2];  /* outcome ids counted as 1 (0 = unused) */
    int64_t unknown_id;  /* the 不明 outcome */
    bool drop_unknown;   /* leave out 不明 predictor levels */
    pat_hash h;          /* patterns */
    int64_t *key;        /* [nterms] scratch */
    size_t nex;          /* the scan's expressions: val[nex] is the case's record key */
    ks_an_n kept;        /* cases put into the patterns (true) */
    ks_an_n ongoing;     /* excluded: status 継続 */
    ks_an_n suspended;   /* excluded: status 中断 */
    ks_an_n no_outcome;  /* excluded: closed, outcome empty */
    ks_an_n unk_outcome; /* excluded: closed, outcome 不明 */
    ks_an_n *missing;    /* [nterms] excluded: predictor missing */
    ks_an_n *unknown;    /* [nterms] excluded: predictor 不明 */
} lg_scan;

static int lg_row(void *ud, const int64_t *val, const bool *null)
{
    lg_scan *s = ud;
    int64_t rkey = val[s->nex];
    if (val[0] != KS_STATUS_CLOSED) {
        ks_an_n_add(val[0] == KS_STATUS_ONGOING ? &s->ongoing : &s->suspended, rkey);
        return 0;
    }
    if (null[1]) {
        ks_an_n_add(&s->no_outcome, rkey);
        return 0;
    }
    if (val[1] == s->unknown_id) {
        ks_an_n_add(&s->unk_outcome, rkey);
        return 0;
    }
    int y = val[1] == s->yes_ids[0] || (s->yes_ids[1] && val[1] == s->yes_ids[1]);
    for (size_t t = 0; t < s->nterms; t++) {
        const term *tm = &s->terms[t];
        const ks_an_var *v = tm->v;
        int64_t x = val[tm->ex];
        if (null[tm->ex] && v->kind == KS_AN_CODE && !ks_weakened("logit-drop")) {
            /* not recorded is a level of its own: leaving such cases out
             * would let two models' n differ by how many they are */
            s->key[t] = (int64_t)v->nlev;
            continue;
        }
        if (null[tm->ex]) {
            ks_an_n_add(&s->missing[t], rkey);
            return 0;
        }
        if (tm->bit >= 0)
            x = ((uint64_t)x >> tm->bit) & 1;
        if (v->kind == KS_AN_CODE) {
            int li = ks_an_var_index(v, x);
            if (li < 0) {
                ks_an_n_add(&s->missing[t], rkey);
                return 0;
            }
            if (s->drop_unknown && v->lev[li].unknown) {
                ks_an_n_add(&s->unknown[t], rkey);
                return 0;
            }
            s->key[t] = li;
        } else if (v->kind == KS_AN_SET) {
            s->key[t] = (int64_t)((uint64_t)x & tm->set_mask);
        } else if (v->kind == KS_AN_BINARY) {
            s->key[t] = x != 0;
        } else {
            s->key[t] = x;
        }
    }
    ph_add(&s->h, s->key, y, (uint64_t)rkey);
    ks_an_n_add(&s->kept, rkey);
    return 0;
}

static void terms_free(term *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ks_an_var_free(t[i].v);
        free(t[i].lev_n);
        free(t[i].lev_col);
        ks_buf_release(&t[i].pooled);
    }
    free(t);
}

/* n, events and the cases of every level over the patterns in use. */
static void tally(term *terms, size_t nt, const pat_hash *h, int64_t *n, int64_t *events)
{
    *n = *events = 0;
    for (size_t t = 0; t < nt; t++)
        memset(terms[t].lev_n, 0, terms[t].nl * sizeof *terms[t].lev_n);
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->used[i])
            continue;
        const int64_t *key = h->keys + i * h->m;
        *n += h->trials[i];
        *events += h->succ[i];
        for (size_t t = 0; t < nt; t++) {
            const ks_an_var *v = terms[t].v;
            if (v->kind == KS_AN_CODE) {
                terms[t].lev_n[key[t]] += h->trials[i];
            } else if (v->kind == KS_AN_SET) {
                for (int b = 0; b < 64; b++)
                    if (((uint64_t)key[t] >> b) & 1)
                        terms[t].lev_n[v->bit_level[b]] += h->trials[i];
            } else if (v->kind == KS_AN_BINARY && key[t]) {
                terms[t].lev_n[0] += h->trials[i];
            }
        }
    }
}

static bool below(const ks_an *a, int64_t x)
{
    return x > 0 && x < a->k;
}

/* The first term for which a pattern sits in a group of 1..k-1 cases, -1 if none. */
static int small_level(const ks_an *a, const term *terms, size_t nt, const int64_t *key, int64_t n)
{
    for (size_t t = 0; t < nt; t++) {
        const ks_an_var *v = terms[t].v;
        const int64_t *ln = terms[t].lev_n;
        if (v->kind == KS_AN_CODE && below(a, ln[key[t]]))
            return (int)t;
        if (v->kind == KS_AN_BINARY && below(a, key[t] ? ln[0] : n - ln[0]))
            return (int)t;
        if (v->kind == KS_AN_SET) {
            uint64_t lm = 0; /* the pattern's levels (sets have at most 64) */
            for (int b = 0; b < 64; b++)
                if (((uint64_t)key[t] >> b) & 1)
                    lm |= UINT64_C(1) << v->bit_level[b];
            for (size_t l = 0; l < v->nlev && l < 64; l++) {
                bool has = (lm >> l) & 1;
                if (below(a, has ? ln[l] : (ln[l] ? n - ln[l] : 0)))
                    return (int)t;
            }
        }
    }
    return -1;
}

/* the sparse solver accumulates the lower triangle: keep columns ascending */
static void sort_columns(ks_an_patterns *pt)
{
    for (size_t i = 0; i < pt->n; i++)
        for (size_t k = pt->start[i] + 1; k < pt->start[i + 1]; k++)
            for (size_t m = k; m > pt->start[i] && pt->col[m - 1] > pt->col[m]; m--) {
                uint32_t tc = pt->col[m];
                double tx = pt->x[m];
                pt->col[m] = pt->col[m - 1];
                pt->x[m] = pt->x[m - 1];
                pt->col[m - 1] = tc;
                pt->x[m - 1] = tx;
            }
}

/* The sparse rows of the design, one per covariate pattern in use. */
static void build_patterns(const term *terms, size_t nt, const pat_hash *h, size_t p, ks_an_patterns *pt)
{
    pt->n = h->n;
    pt->p = p;
    pt->start = ks_malloc(ks_mul(pt->n + 1, sizeof *pt->start));
    pt->succ = ks_malloc(ks_mul(pt->n + 1, sizeof *pt->succ));
    pt->trials = ks_malloc(ks_mul(pt->n + 1, sizeof *pt->trials));
    size_t cap = ks_mul(pt->n + 1, 8), nnz = 0, ip = 0;
    pt->col = ks_malloc(ks_mul(cap, sizeof *pt->col));
    pt->x = ks_malloc(ks_mul(cap, sizeof *pt->x));
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->used[i])
            continue;
        const int64_t *key = h->keys + i * h->m;
        if (nnz + p + 1 > cap) {
            cap = ks_mul(cap, 2) + p;
            pt->col = ks_realloc(pt->col, ks_mul(cap, sizeof *pt->col));
            pt->x = ks_realloc(pt->x, ks_mul(cap, sizeof *pt->x));
        }
        pt->start[ip] = nnz;
        pt->col[nnz] = 0;
        pt->x[nnz++] = 1.0;
        for (size_t t = 0; t < nt; t++) {
            const term *tm = &terms[t];
            const ks_an_var *v = tm->v;
            if (v->kind == KS_AN_CODE) {
                if (tm->lev_col[key[t]] != SIZE_MAX) {
                    pt->col[nnz] = (uint32_t)tm->lev_col[key[t]];
                    pt->x[nnz++] = 1.0;
                }
            } else if (v->kind == KS_AN_SET) {
                /* ascending columns: levels are numbered in bit order for sets */
                size_t c0 = nnz;
                for (int b = 0; b < 64; b++)
                    if (((uint64_t)key[t] >> b) & 1 && tm->lev_col[v->bit_level[b]] != SIZE_MAX) {
                        uint32_t cc = (uint32_t)tm->lev_col[v->bit_level[b]];
                        bool dup = false;
                        for (size_t q = c0; q < nnz; q++)
                            dup |= pt->col[q] == cc;
                        if (!dup) {
                            pt->col[nnz] = cc;
                            pt->x[nnz++] = 1.0;
                        }
                    }
            } else if (key[t] != 0 && tm->ncol) {
                pt->col[nnz] = (uint32_t)tm->col0;
                pt->x[nnz++] = (double)key[t];
            }
        }
        pt->succ[ip] = (double)h->succ[i];
        pt->trials[ip] = (double)h->trials[i];
        ip++;
    }
    pt->start[ip] = nnz;
    sort_columns(pt);
}

/* Small levels are pooled, not dropped (issue 9: dropping their cases let
 * the difference to a model without the variable give their number and
 * outcomes).  The levels of a categorical term with 1..k-1 cases become one
 * level, 「その他（k未満）」, standing at the first of them; when those
 * together are still fewer than k they join the largest level instead.
 * Every case stays in the model.  The patterns are re-keyed into a new
 * table (merged levels make equal keys). */
static void pool_levels(const ks_an *a, term *terms, size_t nt, pat_hash *h)
{
    bool any = false;
    int **map = ks_calloc(nt ? nt : 1, sizeof *map);
    for (size_t t = 0; t < nt; t++) {
        term *tm = &terms[t];
        const ks_an_var *v = tm->v;
        if (v->kind != KS_AN_CODE)
            continue;
        int64_t pooled = 0;
        int first = -1, largest = -1;
        for (size_t l = 0; l < tm->nl; l++) {
            if (tm->lev_n[l] > 0 && tm->lev_n[l] < a->k) {
                pooled += tm->lev_n[l];
                if (first < 0)
                    first = (int)l;
                ks_buf_addf(&tm->pooled, "%s%s", tm->pooled.len ? ", " : "", l < v->nlev ? v->lev[l].code : "_missing");
            }
            if (largest < 0 || tm->lev_n[l] > tm->lev_n[largest])
                largest = (int)l;
        }
        if (first < 0)
            continue;
        int to = pooled >= a->k ? first : largest;
        if (to == first)
            tm->pool = first;
        else
            tm->merged = largest;
        map[t] = ks_malloc(ks_mul(tm->nl, sizeof *map[t]));
        for (size_t l = 0; l < tm->nl; l++)
            map[t][l] = tm->lev_n[l] > 0 && tm->lev_n[l] < a->k ? to : (int)l;
        any = true;
    }
    if (any) {
        pat_hash g;
        ph_init(&g, h->m);
        int64_t *key = ks_malloc(ks_mul(h->m ? h->m : 1, sizeof *key));
        for (size_t i = 0; i < h->cap; i++) {
            if (!h->used[i])
                continue;
            memcpy(key, h->keys + i * h->m, h->m * sizeof *key);
            for (size_t t = 0; t < nt; t++)
                if (map[t])
                    key[t] = map[t][key[t]];
            ph_add_n(&g, key, h->succ[i], h->trials[i], h->ksucc[i], h->kfail[i]);
        }
        free(key);
        ph_release(h);
        *h = g;
    }
    for (size_t t = 0; t < nt; t++)
        free(map[t]);
    free(map);
}

/* Chooses the reference of each categorical term: --ref, else the largest level. */
static int choose_refs(ks_an *a, term *terms, size_t nt, ks_error *err)
{
    for (size_t r = 0; r < a->opts.n_refs; r++) {
        const char *spec = a->opts.refs[r];
        const char *eq = strchr(spec, '=');
        char *name = ks_strndup(spec, (size_t)(eq - spec));
        ks_an_var *v = ks_an_var_new(a, name, true, err);
        free(name);
        if (!v)
            return -err->code;
        term *t = NULL;
        for (size_t i = 0; i < nt; i++)
            if (strcmp(terms[i].v->name, v->name) == 0 && terms[i].v->kind == KS_AN_CODE)
                t = &terms[i];
        ks_an_var_free(v);
        if (!t)
            return ks_error_set(err, KS_EUSAGE, "--ref %s: not a categorical predictor of this model", spec);
        int li = ks_an_var_find(t->v, eq + 1);
        if (li < 0 || t->lev_n[li] == 0)
            return ks_error_set(err, KS_EUSAGE, "--ref %s: no such level among the cases modelled", spec);
        if (t->lev_n[li] < a->k)
            return ks_error_set(err, KS_ESAFETY,
                                "--ref %s: the reference level has fewer than k=%d cases; choose a larger one",
                                spec, a->k);
        t->ref = li;
    }
    for (size_t i = 0; i < nt; i++) {
        term *t = &terms[i];
        if (t->v->kind != KS_AN_CODE || t->ref >= 0)
            continue;
        for (size_t l = 0; l < t->nl; l++)
            if (t->ref < 0 || t->lev_n[l] > t->lev_n[t->ref])
                t->ref = (int)l;
    }
    return 0;
}

/* A level's code and label, the pooled level's own. */
static const char *lev_code(const term *tm, size_t l)
{
    return (int)l == tm->pool ? "_other" : l == tm->v->nlev ? "_missing" : tm->v->lev[l].code;
}

static const char *lev_label(const ks_an *a, const term *tm, size_t l)
{
    return (int)l == tm->pool ? KS_AN_L(a, "その他（k未満）", "other (fewer than k each)")
           : l == tm->v->nlev ? KS_AN_L(a, "未記入", "not recorded")
                              : tm->v->lev[l].label;
}

/* Columns of the coefficients table. */
enum { K_COEF, K_TERM, K_LEVEL, K_N, K_EST, K_SE, K_Z, K_P, K_OR, K_LO, K_HI };

static ks_table *coef_table(ks_an *a)
{
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "coef", KS_AN_L(a, "係数", "coef"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "term", KS_AN_L(a, "説明変数", "term"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "level", KS_AN_L(a, "水準", "level"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "n", KS_AN_L(a, "件数", "n"), KS_COL_INT, NULL);
    ks_an_col(t, "estimate", KS_AN_L(a, "推定値", "estimate"), KS_COL_REAL, 4, NULL);
    ks_an_col(t, "se", KS_AN_L(a, "標準誤差", "SE"), KS_COL_REAL, 4, NULL);
    ks_an_col(t, "z", "z", KS_COL_REAL, 2, NULL);
    ks_an_col(t, "p", "p", KS_COL_REAL, -1, NULL);
    ks_an_col(t, "odds_ratio", KS_AN_L(a, "オッズ比", "odds ratio"), KS_COL_REAL, 3, NULL);
    ks_an_col(t, "or_lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 3, NULL);
    ks_an_col(t, "or_upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 3, NULL);
    ks_table_set_count(t, K_N, NULL);
    for (size_t j = K_EST; j <= K_HI; j++)
        ks_table_set_share(t, j, K_N, -1, NULL);
    return t;
}

static void coef_values(ks_table *t, size_t row, const ks_glm_coef *cf)
{
    if (cf->aliased)
        return; /* NA: the note names the column */
    ks_an_set_real(t, row, K_EST, cf->est, NULL);
    ks_an_set_real(t, row, K_SE, cf->se, NULL);
    ks_an_set_real(t, row, K_Z, cf->z, NULL);
    ks_an_set_real(t, row, K_P, cf->p, NULL);
    ks_an_set_real(t, row, K_OR, cf->exp_est, NULL);
    ks_an_set_real(t, row, K_LO, cf->exp_lo, NULL);
    ks_an_set_real(t, row, K_HI, cf->exp_hi, NULL);
}

/* A contrast whose other side has fewer than k cases says as much about them. */
static void hide_stats(ks_table *t, size_t row)
{
    for (size_t j = K_EST; j <= K_HI; j++)
        ks_table_suppress(t, row, j, KS_WHY_LINKED, NULL);
}

/* The coefficients table: the intercept, then each term's reference level
 * and dummies (or its one column); refs gets "var=level" of the references. */
static ks_table *coef_rows(ks_an *a, const term *terms, size_t nt, const char *const *names,
                           const ks_glm_result *res, int64_t n, ks_buf *refs, ks_buf *small)
{
    ks_table *coefs = coef_table(a);
    size_t row = ks_table_add_row(coefs);
    ks_table_set_text(coefs, row, K_COEF, "(Intercept)", NULL);
    ks_table_set_text(coefs, row, K_TERM, KS_AN_L(a, "切片", "(Intercept)"), NULL);
    coef_values(coefs, row, &res->coef[0]);
    for (size_t t = 0; t < nt; t++) {
        const term *tm = &terms[t];
        const ks_an_var *v = tm->v;
        if (v->kind == KS_AN_CODE || v->kind == KS_AN_SET) {
            if (tm->ref >= 0) {
                row = ks_table_add_row(coefs);
                char key[256];
                snprintf(key, sizeof key, "%s=%s", v->name, lev_code(tm, (size_t)tm->ref));
                ks_table_set_text(coefs, row, K_COEF, key, NULL);
                ks_table_set_text(coefs, row, K_TERM, v->label, NULL);
                char lab[256];
                snprintf(lab, sizeof lab, KS_AN_L(a, "%s (基準)", "%s (reference)"), lev_label(a, tm, (size_t)tm->ref));
                ks_table_set_text(coefs, row, K_LEVEL, lab, NULL);
                ks_table_set_int(coefs, row, K_N, tm->lev_n[tm->ref], NULL);
                ks_table_set_real(coefs, row, K_OR, 1.0, NULL);
                if (refs->len)
                    ks_buf_adds(refs, ", ");
                ks_buf_addf(refs, "%s=%s", v->name, lev_code(tm, (size_t)tm->ref));
            }
            for (size_t l = 0; l < tm->nl; l++) {
                if (tm->lev_col[l] == SIZE_MAX)
                    continue;
                row = ks_table_add_row(coefs);
                ks_table_set_text(coefs, row, K_COEF, names[tm->lev_col[l]], NULL);
                ks_table_set_text(coefs, row, K_TERM, v->label, NULL);
                ks_table_set_text(coefs, row, K_LEVEL, lev_label(a, tm, l), NULL);
                ks_table_set_int(coefs, row, K_N, tm->lev_n[l], NULL);
                coef_values(coefs, row, &res->coef[tm->lev_col[l]]);
                if (tm->lev_n[l] < a->k || (v->kind == KS_AN_SET && n - tm->lev_n[l] < a->k)) {
                    hide_stats(coefs, row);
                    ks_buf_addf(small, "%s%s", small->len ? ", " : "", names[tm->lev_col[l]]);
                }
            }
        } else if (tm->ncol) {
            row = ks_table_add_row(coefs);
            ks_table_set_text(coefs, row, K_COEF, names[tm->col0], NULL);
            ks_table_set_text(coefs, row, K_TERM, v->label, NULL);
            if (v->kind == KS_AN_BINARY) {
                ks_table_set_text(coefs, row, K_LEVEL, KS_AN_L(a, "あり (なし=基準)", "yes (vs no)"), NULL);
                ks_table_set_int(coefs, row, K_N, tm->lev_n[0], NULL);
            } else {
                ks_table_set_text(coefs, row, K_LEVEL, KS_AN_L(a, "1増えるごと", "per unit"), NULL);
            }
            coef_values(coefs, row, &res->coef[tm->col0]);
            if (v->kind == KS_AN_BINARY && (tm->lev_n[0] < a->k || n - tm->lev_n[0] < a->k)) {
                hide_stats(coefs, row);
                ks_buf_addf(small, "%s%s", small->len ? ", " : "", names[tm->col0]);
            }
        }
    }
    return coefs;
}

/* The one-row table of the fit; degrees of freedom are case-level, as glm
 * on one row per case gives them. */
static ks_table *fit_table(ks_an *a, const char *what, int64_t n, int64_t events, size_t npat,
                           const ks_glm_result *res, bool sparse)
{
    ks_table *fit = ks_table_new();
    ks_table_add_column(fit, "n", KS_AN_L(a, "件数", "n"), KS_COL_INT, NULL);
    ks_table_add_column(fit, "events", what, KS_COL_INT, NULL);
    ks_table_add_column(fit, "patterns", KS_AN_L(a, "共変量パターン", "patterns"), KS_COL_INT, NULL);
    ks_table_add_column(fit, "coefficients", KS_AN_L(a, "係数の数", "coefficients"), KS_COL_INT, NULL);
    ks_an_col(fit, "deviance", KS_AN_L(a, "残差逸脱度", "deviance"), KS_COL_REAL, 3, NULL);
    ks_table_add_column(fit, "df_residual", KS_AN_L(a, "残差自由度", "df"), KS_COL_INT, NULL);
    ks_an_col(fit, "null_deviance", KS_AN_L(a, "帰無逸脱度", "null deviance"), KS_COL_REAL, 3, NULL);
    ks_table_add_column(fit, "df_null", KS_AN_L(a, "帰無自由度", "null df"), KS_COL_INT, NULL);
    ks_an_col(fit, "aic", "AIC", KS_COL_REAL, 3, NULL);
    ks_an_col(fit, "lr_chi2", KS_AN_L(a, "尤度比χ²", "LR chi2"), KS_COL_REAL, 3, NULL);
    ks_table_add_column(fit, "lr_df", KS_AN_L(a, "自由度", "LR df"), KS_COL_INT, NULL);
    ks_an_col(fit, "lr_p", "p", KS_COL_REAL, -1, NULL);
    ks_table_add_column(fit, "iterations", KS_AN_L(a, "反復", "iterations"), KS_COL_INT, NULL);
    ks_table_add_column(fit, "solver", KS_AN_L(a, "解法", "solver"), KS_COL_TEXT, NULL);
    ks_table_set_count(fit, 0, NULL);
    ks_table_set_count(fit, 1, NULL);
    size_t row = ks_table_add_row(fit);
    ks_table_set_int(fit, row, 0, n, NULL);
    ks_table_set_int(fit, row, 1, events, NULL);
    ks_table_set_int(fit, row, 2, (int64_t)npat, NULL);
    ks_table_set_int(fit, row, 3, (int64_t)res->rank, NULL);
    ks_an_set_real(fit, row, 4, res->deviance, NULL);
    /* case-level degrees of freedom, as glm on one row per case gives them */
    ks_table_set_int(fit, row, 5, n - (int64_t)res->rank, NULL);
    ks_an_set_real(fit, row, 6, res->null_deviance, NULL);
    ks_table_set_int(fit, row, 7, n - 1, NULL);
    ks_an_set_real(fit, row, 8, res->aic, NULL);
    double lr = res->null_deviance - res->deviance;
    int64_t lrdf = (int64_t)res->rank - 1;
    ks_an_set_real(fit, row, 9, lr, NULL);
    ks_table_set_int(fit, row, 10, lrdf, NULL);
    ks_an_set_real(fit, row, 11, lrdf > 0 ? ks_dist_chisq_upper(lr > 0 ? lr : 0, (double)lrdf) : NAN, NULL);
    ks_table_set_int(fit, row, 12, res->iterations, NULL);
    ks_table_set_text(fit, row, 13, sparse ? "sparse" : "qr", NULL);
    return fit;
}

/* The state one logit analysis passes from step to step; ks_analyze_logit
 * owns everything here and releases it once, at its `done:`. */
typedef struct lg_run {
    ks_an *a;              /* the analysis (borrowed) */
    term *terms;           /* [npred] the predictors (owned) */
    size_t nt;             /* terms made so far */
    lg_scan s;             /* the scan and its patterns (key, missing, unknown, h owned) */
    const char **exprs;    /* [nt + 2] the scan's columns, each once (owned; the strings borrowed) */
    const char *what;      /* the outcome in words (static) */
    int64_t n;             /* cases modelled */
    int64_t events;        /* cases modelled with the outcome */
    size_t p;              /* design columns, the intercept included */
    char **names;          /* [pt.p] column names (owned) */
    ks_an_patterns pt;     /* the design (owned) */
    ks_glm_result res;     /* the fit (owned) */
    bool sparse;           /* the sparse solver made the fit */
    ks_table *coefs;       /* the coefficients table (owned) */
    ks_table *fit;         /* the fit table (owned) */
    ks_an_excl ex;         /* cases left out and why */
    ks_buf warn;           /* the fit's warning, for both tables' notes */
    ks_buf refs;           /* "var=level" of the reference levels */
    ks_buf small;          /* the columns hidden for a side with fewer than k cases */
    ks_buf constant;       /* the terms with no column, the same for every case */
    char *nnote;           /* the n footer of every table (owned) */
} lg_run;

/* One term per predictor, none named twice. */
static int make_terms(lg_run *r, const char *const *preds, size_t npred, ks_error *err)
{
    for (size_t i = 0; i < npred; i++) {
        ks_an_var *v = ks_an_var_new(r->a, preds[i], true, err);
        if (!v)
            return -err->code;
        for (size_t j = 0; j < r->nt; j++)
            if (strcmp(r->terms[j].v->name, v->name) == 0) {
                int rc = ks_error_set(err, KS_EUSAGE, "predictor '%s' given twice", v->name);
                ks_an_var_free(v);
                return rc;
            }
        term *tm = &r->terms[r->nt];
        tm->v = v;
        tm->ref = -1;
        tm->pool = tm->merged = -1;
        ks_buf_init(&tm->pooled);
        tm->nl = v->nlev + (v->kind == KS_AN_CODE ? 1 : 0);
        tm->lev_n = ks_calloc(tm->nl ? tm->nl : 1, sizeof *tm->lev_n);
        tm->lev_col = ks_malloc(ks_mul(tm->nl ? tm->nl : 1, sizeof *tm->lev_col));
        for (int b = 0; b < 64; b++)
            if (v->kind == KS_AN_SET && v->bit_level[b] >= 0)
                tm->set_mask |= UINT64_C(1) << b;
        r->nt++;
    }
    return 0;
}

/* The outcome ids that count as 1; returns the outcome in words. */
static const char *outcome_ids(const ks_an *a, const char *outcome, lg_scan *s)
{
    if (strcmp(outcome, "good") == 0) {
        s->yes_ids[0] = KS_OUTCOME_RESOLVED; /* ks_outcome_good's two */
        s->yes_ids[1] = KS_OUTCOME_IMPROVED;
        return KS_AN_L(a, "解決・改善", "resolved or improved");
    }
    if (strcmp(outcome, "resolved") == 0) {
        s->yes_ids[0] = KS_OUTCOME_RESOLVED;
        return KS_AN_L(a, "解決", "resolved");
    }
    s->yes_ids[0] = KS_OUTCOME_WORSENED;
    return KS_AN_L(a, "悪化", "worsened");
}

/* Collapses the cases to covariate patterns in one scan. */
static int scan_patterns(lg_run *r, const char *outcome, ks_error *err)
{
    lg_scan *s = &r->s;
    size_t nt = r->nt;
    s->terms = r->terms;
    s->nterms = nt;
    s->drop_unknown = r->a->opts.drop_unknown;
    s->unknown_id = KS_OUTCOME_UNKNOWN;
    r->what = outcome_ids(r->a, outcome, s);
    s->key = ks_calloc(nt ? nt : 1, sizeof *s->key);
    s->missing = ks_calloc(nt ? nt : 1, sizeof *s->missing);
    s->unknown = ks_calloc(nt ? nt : 1, sizeof *s->unknown);
    ph_init(&s->h, nt);
    /* each column once: seven problem:CODE terms read problem_mask once and
     * take their bits here, which saves SQLite most of its work per row */
    r->exprs = ks_malloc(ks_mul(nt + 2, sizeof *r->exprs));
    size_t nex = 0;
    r->exprs[nex++] = "c.status_id";
    r->exprs[nex++] = "c.outcome_id";
    for (size_t t = 0; t < nt; t++) {
        const ks_an_var *v = r->terms[t].v;
        const char *e = v->mask ? v->mask : v->expr;
        r->terms[t].bit = v->mask ? v->mask_bit : -1;
        size_t j = 0;
        while (j < nex && strcmp(r->exprs[j], e) != 0)
            j++;
        if (j == nex)
            r->exprs[nex++] = e;
        r->terms[t].ex = j;
    }
    s->nex = nex;
    return ks_an_scan(r->a, r->exprs, nex, NULL, lg_row, s, err);
}

/* Under the cell key method, each pattern's successes and failures become
 * their published values (see the top); a pattern left with none goes. */
static void perturb_patterns(lg_run *r)
{
    ks_an *a = r->a;
    pat_hash *h = &r->s.h;
    if (!a->cellkey)
        return;
    for (size_t i = 0; i < h->cap; i++) {
        if (!h->used[i])
            continue;
        int64_t succ = ks_an_count(a, h->succ[i], h->ksucc[i]);
        int64_t fail = ks_an_count(a, h->trials[i] - h->succ[i], h->kfail[i]);
        h->succ[i] = succ;
        h->trials[i] = succ + fail;
        if (h->trials[i] == 0) {
            h->used[i] = 0; /* nothing looks a pattern up after the scan */
            h->n--;
        }
    }
}

/* The footer's exclusions: the cases the scan left out, and why. */
static void scan_exclusions(lg_run *r)
{
    ks_an *a = r->a;
    const lg_scan *s = &r->s;
    ks_an_excl_add(a, &r->ex, s->ongoing, KS_AN_L(a, "継続中", "ongoing"));
    ks_an_excl_add(a, &r->ex, s->suspended, KS_AN_L(a, "中断", "suspended"));
    ks_an_excl_add(a, &r->ex, s->no_outcome, KS_AN_L(a, "終結で結果未記入", "closed with no outcome recorded"));
    ks_an_excl_add(a, &r->ex, s->unk_outcome, KS_AN_L(a, "終結で結果「不明」", "closed with outcome 不明 (unknown)"));
    for (size_t t = 0; t < r->nt; t++)
        ks_an_excl_var(a, &r->ex, r->terms[t].v, s->missing[t], s->unknown[t]);
}

/* the old rule: a small level's cases leave the model */
static void drop_small_levels(lg_run *r)
{
    ks_an *a = r->a;
    term *terms = r->terms;
    size_t nt = r->nt;
    pat_hash *h = &r->s.h;
    int64_t *small_out = ks_calloc(nt ? nt : 1, sizeof *small_out);
    for (bool changed = true; changed;) {
        tally(terms, nt, h, &r->n, &r->events);
        changed = false;
        for (size_t i = 0; i < h->cap; i++) {
            if (!h->used[i])
                continue;
            int t = small_level(a, terms, nt, h->keys + i * h->m, r->n);
            if (t < 0)
                continue;
            small_out[t] += h->trials[i];
            h->used[i] = 0;
            h->n--;
            changed = true;
        }
    }
    for (size_t t = 0; t < nt; t++) {
        char why[300];
        snprintf(why, sizeof why, KS_AN_L(a, "%s の k 未満の水準", "in a level of %s with fewer than k cases"),
                 terms[t].v->label);
        ks_an_excl_add(a, &r->ex, (ks_an_n){small_out[t], 0}, why); /* weakened only: no keys kept */
    }
    free(small_out);
}

/* Level sizes.  A level (or a yes/no side) with fewer than k cases would
 * get a coefficient about those few people, and its count, hidden, could
 * be worked out from n and the other levels: such cases leave the model,
 * as an analyst would merge or drop the level, until every level left
 * has k or more. */
static int settle_levels(lg_run *r, ks_error *err)
{
    ks_an *a = r->a;
    term *terms = r->terms;
    size_t nt = r->nt;
    tally(terms, nt, &r->s.h, &r->n, &r->events);
    if (r->n > 0 && r->n < a->k) {
        /* before anything else: "all of them" about fewer than k cases would tell their outcome */
        return ks_error_set(err, KS_ESAFETY, "fewer than k=%d cases in all: no model", a->k);
    }
    if (ks_weakened("logit-drop")) {
        drop_small_levels(r);
    } else {
        pool_levels(a, terms, nt, &r->s.h);
        tally(terms, nt, &r->s.h, &r->n, &r->events);
        /* a yes/no side or a value of a multi-response variable with fewer
         * than k cases: the term (or that value's column) is left out, its
         * cases stay */
        for (size_t t = 0; t < nt; t++)
            if (terms[t].v->kind == KS_AN_BINARY && (below(a, terms[t].lev_n[0]) || below(a, r->n - terms[t].lev_n[0])))
                terms[t].dropped = true;
    }
    return 0;
}

/* The n footer, and no model of no cases, of fewer than k, or of an
 * outcome that fewer than k have or lack. */
static int check_cases(lg_run *r, ks_error *err)
{
    ks_an *a = r->a;
    int64_t n = r->n, events = r->events;
    const ks_an_excl *ex = &r->ex;
    /* under the cell key method n is the perturbed patterns' sum: the note
     * gives the cases modelled as their own published count */
    r->nnote = ks_an_note_n(a, a->cellkey ? r->s.kept : (ks_an_n){n, 0},
                            KS_AN_L(a, "件(終結・結果記入あり)", "closed cases with a known outcome"), ex);
    if (n == 0)
        return ks_error_set(err, KS_EDATA, "no closed cases with a known outcome%s in the selection (%s)",
                            ex->n && strstr(ex->why[ex->n - 1], "k") ? " left once small levels are left out" : "",
                            r->nnote);
    if (n < a->k)
        return ks_error_set(err, KS_ESAFETY, "fewer than k=%d cases in all: no model", a->k);
    if (events == 0 || events == n)
        return ks_error_set(err, KS_EDATA,
                            "every case modelled has the same outcome (%s: %s): nothing to model (%s)", r->what,
                            events ? "all" : "none", r->nnote);
    if (events < a->k || n - events < a->k)
        return ks_error_set(err, KS_ESAFETY,
                            "fewer than k=%d cases %s: a model would describe those few cases; no fit", a->k,
                            n < a->k ? "in all" : events < a->k ? "with the outcome" : "without the outcome");
    return 0;
}

/* design columns: intercept, then each term's */
static void design_columns(lg_run *r)
{
    const ks_an *a = r->a;
    int64_t n = r->n;
    size_t p = 1;
    for (size_t t = 0; t < r->nt; t++) {
        term *tm = &r->terms[t];
        tm->col0 = p;
        for (size_t l = 0; l < tm->nl; l++)
            tm->lev_col[l] = SIZE_MAX;
        if (tm->v->kind == KS_AN_CODE) {
            for (size_t l = 0; l < tm->nl; l++)
                if (tm->lev_n[l] > 0 && (int)l != tm->ref)
                    tm->lev_col[l] = p++;
        } else if (tm->v->kind == KS_AN_SET) {
            /* a value every case has would be the intercept again */
            for (size_t l = 0; l < tm->v->nlev; l++)
                if (tm->lev_n[l] > 0 && tm->lev_n[l] < n &&
                    (ks_weakened("logit-drop") || (!below(a, tm->lev_n[l]) && !below(a, n - tm->lev_n[l]))))
                    tm->lev_col[l] = p++;
        } else if (tm->v->kind == KS_AN_NUMBER || (!tm->dropped && tm->lev_n[0] > 0 && tm->lev_n[0] < n)) {
            p++;
        }
        tm->ncol = p - tm->col0;
        if (tm->ncol == 0)
            ks_buf_addf(&r->constant, "%s%s", r->constant.len ? ", " : "", tm->v->name);
    }
    r->p = p;
}

/* The name of every design column: "(Intercept)", var=CODE, var. */
static void column_names(lg_run *r)
{
    char **names = r->names = ks_calloc(r->p, sizeof *names);
    names[0] = ks_strdup("(Intercept)");
    for (size_t t = 0; t < r->nt; t++) {
        const term *tm = &r->terms[t];
        if (tm->v->kind == KS_AN_CODE || tm->v->kind == KS_AN_SET) {
            for (size_t l = 0; l < tm->nl; l++)
                if (tm->lev_col[l] != SIZE_MAX) {
                    ks_buf b;
                    ks_buf_init(&b);
                    ks_buf_addf(&b, "%s=%s", tm->v->name, lev_code(tm, l));
                    names[tm->lev_col[l]] = ks_buf_detach(&b, NULL);
                }
        } else if (tm->ncol) {
            names[tm->col0] = ks_strdup(tm->v->name);
        }
    }
}

/* The note on levels pooled, merged or left out for having fewer than k. */
static void pooling_note(const lg_run *r, ks_buf *pooln)
{
    const ks_an *a = r->a;
    for (size_t t = 0; t < r->nt; t++) {
        const term *tm = &r->terms[t];
        if (tm->pool >= 0)
            ks_buf_addf(pooln, KS_AN_L(a, "%s%s: %s を「その他（k未満）」にまとめました", "%s%s: %s pooled into 'other (fewer than k each)'"),
                        pooln->len ? "; " : "", tm->v->name, tm->pooled.buf);
        else if (tm->merged >= 0)
            ks_buf_addf(pooln, KS_AN_L(a, "%s%s: %s (合わせても k 未満) を %s に含めました", "%s%s: %s (fewer than k together) counted in %s"),
                        pooln->len ? "; " : "", tm->v->name, tm->pooled.buf, lev_code(tm, (size_t)tm->merged));
        else if (tm->dropped)
            ks_buf_addf(pooln, KS_AN_L(a, "%s%s: 一方が k 未満のため説明変数から除外 (事例は残る)", "%s%s: one side has fewer than k cases, left out of the model (its cases stay)"),
                        pooln->len ? "; " : "", tm->v->name);
        else if (tm->v->kind == KS_AN_SET)
            for (size_t l = 0; l < tm->v->nlev; l++)
                if (tm->lev_n[l] > 0 && tm->lev_col[l] == SIZE_MAX && tm->lev_n[l] < r->n)
                    ks_buf_addf(pooln, KS_AN_L(a, "%s%s=%s: k 未満の側があるため列なし", "%s%s=%s: fewer than k on one side, no column"),
                                pooln->len ? "; " : "", tm->v->name, tm->v->lev[l].code);
    }
}

/* The coefficients table with the model, the fit's warning and what was
 * pooled, left out or hidden in its notes. */
static int emit_coefficients(lg_run *r, ks_error *err)
{
    ks_an *a = r->a;
    r->coefs = coef_rows(a, r->terms, r->nt, (const char *const *)r->names, &r->res, r->n, &r->refs, &r->small);
    const char *notes[7];
    size_t nn = 0;
    char model[512];
    snprintf(model, sizeof model,
             KS_AN_L(a, "目的変数: %s = 1; オッズ比と Wald 95%%信頼区間 (exp(b ± 1.96 SE)); 基準: %s",
                     "outcome: %s = 1; odds ratios with Wald 95%% intervals (exp(b ± 1.96 SE)); reference levels: %s"),
             r->what, r->refs.len ? r->refs.buf : "-");
    notes[nn++] = model;
    if (r->res.message[0]) {
        ks_buf_addf(&r->warn, KS_AN_L(a, "警告: %s", "warning: %s"), r->res.message);
        notes[nn++] = r->warn.buf;
    }
    char constnote[600];
    if (r->constant.len) {
        snprintf(constnote, sizeof constnote,
                 KS_AN_L(a, "全件で同じ値のため除外: %s", "the same for every case modelled, left out: %s"), r->constant.buf);
        notes[nn++] = constnote;
    }
    ks_buf pooln;
    ks_buf_init(&pooln);
    pooling_note(r, &pooln);
    if (pooln.len)
        notes[nn++] = pooln.buf;
    char smallnote[1200];
    if (r->small.len) {
        snprintf(smallnote, sizeof smallnote,
                 KS_AN_L(a, "k=%d 件未満の群との比較のため係数を非表示: %s (水準をまとめるか変数を外してください)",
                         "coefficients hidden because one side of the contrast has fewer than k=%d cases: %s "
                         "(merge levels or leave the variable out)"),
                 a->k, r->small.buf);
        notes[nn++] = smallnote;
    }
    int rc = ks_an_emit(a, "coefficients", KS_AN_L(a, "ロジスティック回帰: 係数", "Logistic regression: coefficients"),
                        r->coefs, r->nnote, notes, nn, err);
    ks_buf_release(&pooln);
    return rc;
}

/* The fit table, with the solver in its notes. */
static int emit_fit(lg_run *r, ks_error *err)
{
    ks_an *a = r->a;
    r->fit = fit_table(a, r->what, r->n, r->events, r->pt.n, &r->res, r->sparse);
    const char *fnotes[2];
    size_t nf = 0;
    if (r->warn.len)
        fnotes[nf++] = r->warn.buf;
    fnotes[nf++] = KS_AN_L(a, "解法: qr = R の glm.fit と同じ QR 分解, sparse = 疎な正規方程式 (同じ IRLS)",
                           "solver: qr = R's glm.fit algorithm (pivoted QR); sparse = the same IRLS on sparse normal "
                           "equations");
    return ks_an_emit(a, "fit", KS_AN_L(a, "ロジスティック回帰: 適合度", "Logistic regression: fit"), r->fit, r->nnote,
                      fnotes, nf, err);
}

int ks_analyze_logit(ks_an *a, const char *outcome, const char *const *preds, size_t npred, ks_error *err)
{
    lg_run r = {.a = a};
    r.terms = ks_calloc(npred ? npred : 1, sizeof *r.terms);
    ks_an_excl_init(&r.ex);
    ks_buf_init(&r.constant);
    ks_buf_init(&r.warn);
    ks_buf_init(&r.refs);
    ks_buf_init(&r.small);
    int rc = 0;
    if ((rc = make_terms(&r, preds, npred, err)))
        goto done;
    if ((rc = scan_patterns(&r, outcome, err)))
        goto done;
    scan_exclusions(&r);
    perturb_patterns(&r);
    if ((rc = settle_levels(&r, err)))
        goto done;
    if ((rc = check_cases(&r, err)))
        goto done;
    if ((rc = choose_refs(a, r.terms, r.nt, err)))
        goto done;
    design_columns(&r);
    column_names(&r);
    build_patterns(r.terms, r.nt, &r.s.h, r.p, &r.pt);
    if ((rc = ks_an_logit_fit(&r.pt, (const char *const *)r.names, a->opts.solver, &r.res, &r.sparse, err)))
        goto done;
    if ((rc = emit_coefficients(&r, err)))
        goto done;
    rc = emit_fit(&r, err);
done:
    ks_table_free(r.coefs);
    ks_table_free(r.fit);
    ks_glm_result_release(&r.res);
    if (r.names)
        for (size_t j = 0; j < r.pt.p; j++)
            free(r.names[j]);
    free(r.names);
    free(r.pt.start);
    free(r.pt.col);
    free(r.pt.x);
    free(r.pt.succ);
    free(r.pt.trials);
    free(r.exprs);
    ph_release(&r.s.h);
    free(r.s.key);
    free(r.s.missing);
    free(r.s.unknown);
    terms_free(r.terms, r.nt);
    free(r.nnote);
    ks_buf_release(&r.warn);
    ks_buf_release(&r.refs);
    ks_buf_release(&r.small);
    ks_buf_release(&r.constant);
    ks_an_excl_release(&r.ex);
    return rc;
}
