/* stats_glm.c: binomial (logit) and Poisson (log) GLMs by IRLS.
 *
 * The iteration follows R's glm.fit step for step -- the same starting values,
 * the same clamped link functions, a port of the same column-pivoting QR
 * (LINPACK dqrdc2, tolerance min(1e-7, epsilon/1000)), the same convergence
 * test and step halving -- and the summaries follow summary.glm, including
 * its habit of taking the covariance and the working weights from the last
 * weighted least-squares step rather than from the final mu.  That is what
 * lets the tests demand agreement with R to 1e-6 and name the same aliased
 * columns R marks NA. */
#include "stats_glm.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "stats_dist.h"

/* R's logit link switches to constants beyond |eta| > 30 (family.c THRESH). */
#define LOGIT_THRESH 30.0

/* A row-major n x p matrix we only read. */
typedef struct design {
    const double *x; /* element (i, j) at x[i * tda + j] */
    size_t tda;      /* row stride */
    size_t n;        /* rows */
    size_t p;        /* columns */
} design;

/* ---- family functions, as R's binomial()/poisson() define them ---- */

static double linkfun(ks_glm_family f, double mu)
{
    return f == KS_GLM_BINOMIAL ? log(mu / (1.0 - mu)) : log(mu);
}

static double linkinv(ks_glm_family f, double eta)
{
    if (f == KS_GLM_BINOMIAL) {
        double t = eta < -LOGIT_THRESH ? DBL_EPSILON
                   : eta > LOGIT_THRESH ? 1.0 / DBL_EPSILON : exp(eta);
        return t / (1.0 + t);
    }
    double mu = exp(eta);
    return mu > DBL_EPSILON ? mu : DBL_EPSILON;
}

static double mu_eta(ks_glm_family f, double eta)
{
    if (f == KS_GLM_BINOMIAL) {
        if (eta > LOGIT_THRESH || eta < -LOGIT_THRESH)
            return DBL_EPSILON;
        double opexp = 1.0 + exp(eta);
        return exp(eta) / (opexp * opexp);
    }
    double d = exp(eta);
    return d > DBL_EPSILON ? d : DBL_EPSILON;
}

static double variance(ks_glm_family f, double mu)
{
    return f == KS_GLM_BINOMIAL ? mu * (1.0 - mu) : mu;
}

static double y_log_y(double y, double mu)
{
    return y != 0.0 ? y * log(y / mu) : 0.0;
}

static double dev_resid(ks_glm_family f, double y, double mu, double w)
{
    if (f == KS_GLM_BINOMIAL)
        return 2.0 * w * (y_log_y(y, mu) + y_log_y(1.0 - y, 1.0 - mu));
    if (y > 0)
        return 2.0 * w * (y * log(y / mu) - (y - mu));
    return 2.0 * mu * w;
}

static int valid_mu(ks_glm_family f, double mu)
{
    if (!isfinite(mu) || mu <= 0)
        return 0;
    return f == KS_GLM_POISSON || mu < 1.0;
}

/* ---- pivoted Householder QR (dqrdc2's limited pivoting) ---- */

typedef struct qr {
    double *a;     /* column-major n x p; R in the upper triangle after decompose */
    double *qraux; /* p Householder scalars */
    double *work;  /* 2p: current and original column norms */
    size_t *pivot; /* pivot[k] = original column at position k */
    size_t n;      /* rows in use (rows with positive working weight) */
    size_t p;      /* columns */
    size_t rank;   /* leading columns kept */
} qr;

static double col_norm(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

/* Moves column l (and its bookkeeping) to the end, shifting the rest left. */
static void qr_rotate_to_end(qr *q, size_t l)
{
    size_t n = q->n, p = q->p;
    double *w1 = q->work, *w2 = q->work + p;
    for (size_t i = 0; i < n; i++) {
        double t = q->a[i + l * n];
        for (size_t j = l + 1; j < p; j++)
            q->a[i + (j - 1) * n] = q->a[i + j * n];
        q->a[i + (p - 1) * n] = t;
    }
    size_t pv = q->pivot[l];
    double qa = q->qraux[l], t1 = w1[l], t2 = w2[l];
    for (size_t j = l + 1; j < p; j++) {
        q->pivot[j - 1] = q->pivot[j];
        q->qraux[j - 1] = q->qraux[j];
        w1[j - 1] = w1[j];
        w2[j - 1] = w2[j];
    }
    q->pivot[p - 1] = pv;
    q->qraux[p - 1] = qa;
    w1[p - 1] = t1;
    w2[p - 1] = t2;
}

/* Columns whose norm falls below tol times their original norm once the
 * earlier columns are projected out are moved to the end: they are aliased.
 * Processing left to right is why the later of two collinear columns is the
 * one R reports as NA. */
static void qr_decompose(qr *q, double tol)
{
    size_t n = q->n, p = q->p;
    double *w1 = q->work, *w2 = q->work + p;
    for (size_t j = 0; j < p; j++) {
        q->pivot[j] = j;
        q->qraux[j] = col_norm(q->a + j * n, n);
        w1[j] = q->qraux[j];
        w2[j] = q->qraux[j] == 0 ? 1.0 : q->qraux[j];
    }
    size_t lup = n < p ? n : p;
    size_t k = p; /* columns at positions >= k are known negligible */
    for (size_t l = 0; l < lup; l++) {
        while (l < k && q->qraux[l] < w2[l] * tol) {
            qr_rotate_to_end(q, l);
            k--;
        }
        if (l + 1 == n)
            continue; /* the last row needs no reflection */
        double *al = q->a + l * n;
        double nrmxl = col_norm(al + l, n - l);
        if (nrmxl == 0)
            continue;
        if (al[l] != 0)
            nrmxl = copysign(nrmxl, al[l]);
        for (size_t i = l; i < n; i++)
            al[i] /= nrmxl;
        al[l] += 1.0;
        for (size_t j = l + 1; j < p; j++) {
            double *aj = q->a + j * n;
            double t = 0;
            for (size_t i = l; i < n; i++)
                t -= al[i] * aj[i];
            t /= al[l];
            for (size_t i = l; i < n; i++)
                aj[i] += t * al[i];
            if (q->qraux[j] == 0)
                continue;
            double r = fabs(aj[l]) / q->qraux[j];
            double tt = 1.0 - r * r;
            if (tt < 0)
                tt = 0;
            /* downdating the norm loses accuracy after a large reduction:
             * recompute it then, as dqrdc2 does */
            if (fabs(tt) < 1e-6) {
                q->qraux[j] = col_norm(aj + l + 1, n - l - 1);
                w1[j] = q->qraux[j];
            } else {
                q->qraux[j] *= sqrt(tt);
            }
        }
        q->qraux[l] = al[l];
        al[l] = -nrmxl;
    }
    q->rank = k < n ? k : n;
}

/* y := Q'y for the reflections of the first rank columns. */
static void qr_qty(const qr *q, double *y)
{
    size_t n = q->n;
    size_t ju = q->rank < n - 1 ? q->rank : n - 1;
    for (size_t j = 0; j < ju; j++) {
        if (q->qraux[j] == 0)
            continue;
        const double *aj = q->a + j * n;
        double diag = q->qraux[j]; /* the reflection's leading element */
        double t = -diag * y[j];
        for (size_t i = j + 1; i < n; i++)
            t -= aj[i] * y[i];
        t /= diag;
        y[j] += t * diag;
        for (size_t i = j + 1; i < n; i++)
            y[i] += t * aj[i];
    }
}

/* Solves R b = qty for the leading rank x rank block; 0, or -1 if R is singular. */
static int qr_solve_r(const qr *q, const double *qty, double *b)
{
    size_t n = q->n, k = q->rank;
    for (size_t j = 0; j < k; j++)
        b[j] = qty[j];
    for (size_t jj = k; jj-- > 0;) {
        double d = q->a[jj + jj * n];
        if (d == 0)
            return -1;
        b[jj] /= d;
        for (size_t i = 0; i < jj; i++)
            b[i] -= b[jj] * q->a[i + jj * n];
    }
    return 0;
}

/* (R'R)^-1 for the leading rank block (R's chol2inv), k x k row-major. */
static void qr_unscaled_cov(const qr *q, double *c)
{
    size_t n = q->n, k = q->rank;
    double *rinv = ks_calloc(k * k, sizeof *rinv); /* upper triangular */
    for (size_t j = 0; j < k; j++) {
        rinv[j * k + j] = 1.0 / q->a[j + j * n];
        for (size_t i = j; i-- > 0;) {
            double s = 0;
            for (size_t m = i + 1; m <= j; m++)
                s += q->a[i + m * n] * rinv[m * k + j];
            rinv[i * k + j] = -s / q->a[i + i * n];
        }
    }
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            double s = 0;
            for (size_t m = (i > j ? i : j); m < k; m++)
                s += rinv[i * k + m] * rinv[j * k + m];
            c[i * k + j] = s;
        }
    free(rinv);
}

/* ---- IRLS ---- */

typedef struct irls {
    ks_glm_family family; /* the model */
    design d;             /* X */
    const double *y;      /* response */
    const double *w;      /* prior weights or NULL */
    const double *off;    /* offset or NULL */
    const double *mustart; /* starting means or NULL (ks_glm_opts) */
    int maxit;            /* iteration limit */
    double eps;           /* convergence tolerance */
    double *beta;         /* p: current coefficients, original order, 0 if aliased */
    double *beta_old;     /* p: coefficients of the previous accepted step */
    double *bsol;         /* p: solution in pivoted order */
    double *eta;          /* n: linear predictor including the offset */
    double *mu;           /* n: fitted means */
    double *sw;           /* n: sqrt working weights of the last WLS, 0 when unused */
    double *z;            /* n: weighted working response of the rows in use */
    size_t *rows;         /* n: rows used in the last WLS */
    qr q;                 /* factorisation of the last WLS */
    double dev;           /* deviance at mu */
    int iter;             /* iterations done */
    int conv;             /* convergence criterion met */
    int boundary;         /* a step was halved */
} irls;

static double wt_at(const irls *s, size_t i)
{
    return s->w ? s->w[i] : 1.0;
}

static void irls_init(irls *s, ks_glm_family f, design d, const double *y, const double *w,
                      const double *off, int maxit, double eps)
{
    memset(s, 0, sizeof *s);
    s->family = f;
    s->d = d;
    s->y = y;
    s->w = w;
    s->off = off;
    s->maxit = maxit;
    s->eps = eps;
    size_t n = d.n, p = d.p;
    s->beta = ks_calloc(p, sizeof *s->beta);
    s->beta_old = ks_calloc(p, sizeof *s->beta_old);
    s->bsol = ks_calloc(p, sizeof *s->bsol);
    s->eta = ks_calloc(n, sizeof *s->eta);
    s->mu = ks_calloc(n, sizeof *s->mu);
    s->sw = ks_calloc(n, sizeof *s->sw);
    s->z = ks_calloc(n, sizeof *s->z);
    s->rows = ks_calloc(n, sizeof *s->rows);
    s->q.a = ks_calloc(ks_mul(n, p), sizeof *s->q.a);
    s->q.qraux = ks_calloc(p, sizeof *s->q.qraux);
    s->q.work = ks_calloc(ks_mul(2, p), sizeof *s->q.work);
    s->q.pivot = ks_calloc(p, sizeof *s->q.pivot);
    s->q.p = p;
}

static void irls_release(irls *s)
{
    free(s->beta);
    free(s->beta_old);
    free(s->bsol);
    free(s->eta);
    free(s->mu);
    free(s->sw);
    free(s->z);
    free(s->rows);
    free(s->q.a);
    free(s->q.qraux);
    free(s->q.work);
    free(s->q.pivot);
    memset(s, 0, sizeof *s);
}

static double irls_deviance(const irls *s)
{
    double dev = 0;
    for (size_t i = 0; i < s->d.n; i++)
        dev += dev_resid(s->family, s->y[i], s->mu[i], wt_at(s, i));
    return dev;
}

/* eta = X beta + offset, mu = linkinv(eta), dev; returns 1 if mu is valid. */
static int irls_predict(irls *s)
{
    int valid = 1;
    for (size_t i = 0; i < s->d.n; i++) {
        const double *row = s->d.x + i * s->d.tda;
        double e = s->off ? s->off[i] : 0.0;
        for (size_t j = 0; j < s->d.p; j++)
            e += row[j] * s->beta[j];
        s->eta[i] = e;
        s->mu[i] = linkinv(s->family, e);
        if (!valid_mu(s->family, s->mu[i]))
            valid = 0;
    }
    s->dev = irls_deviance(s);
    return valid;
}

/* One weighted least-squares step from the current eta/mu; the solution goes
 * to beta (aliased columns 0, as dqrls leaves them).  Returns -1 when a
 * coefficient came out non-finite (beta then untouched). */
static int irls_wls(irls *s)
{
    size_t n = s->d.n, p = s->d.p, ng = 0;
    for (size_t i = 0; i < n; i++) {
        double w = wt_at(s, i);
        s->sw[i] = 0;
        if (!(w > 0))
            continue;
        double me = mu_eta(s->family, s->eta[i]);
        if (me == 0)
            continue;
        double off = s->off ? s->off[i] : 0.0;
        double zi = (s->eta[i] - off) + (s->y[i] - s->mu[i]) / me;
        s->sw[i] = sqrt(w * me * me / variance(s->family, s->mu[i]));
        s->z[ng] = zi * s->sw[i];
        s->rows[ng++] = i;
    }
    s->q.n = ng;
    for (size_t j = 0; j < p; j++)
        for (size_t k = 0; k < ng; k++) {
            size_t i = s->rows[k];
            s->q.a[j * ng + k] = s->d.x[i * s->d.tda + j] * s->sw[i];
        }
    double tol = s->eps / 1000 < 1e-7 ? s->eps / 1000 : 1e-7;
    qr_decompose(&s->q, tol);
    qr_qty(&s->q, s->z);
    if (qr_solve_r(&s->q, s->z, s->bsol) < 0)
        return -1;
    for (size_t k = 0; k < s->q.rank; k++)
        if (!isfinite(s->bsol[k]))
            return -1;
    for (size_t j = 0; j < p; j++)
        s->beta[j] = 0;
    for (size_t k = 0; k < s->q.rank; k++)
        s->beta[s->q.pivot[k]] = s->bsol[k];
    return 0;
}

typedef int (*irls_ok_fn)(const irls *s);

static int dev_is_finite(const irls *s)
{
    return isfinite(s->dev);
}

static int mu_is_valid(const irls *s)
{
    for (size_t i = 0; i < s->d.n; i++)
        if (!valid_mu(s->family, s->mu[i]))
            return 0;
    return 1;
}

/* glm.fit's inner loops: halve the step towards the previous coefficients
 * until `ok` holds, giving up after maxit halvings. */
static int irls_halve(irls *s, irls_ok_fn ok, int have_old, ks_error *err)
{
    if (ok(s))
        return 0;
    if (!have_old)
        return ks_error_set(err, KS_EDATA,
                            "no valid set of coefficients found: the first IRLS step diverged");
    for (int ii = 1; !ok(s); ii++) {
        if (ii > s->maxit)
            return ks_error_set(err, KS_EDATA, "cannot correct the IRLS step size");
        for (size_t j = 0; j < s->d.p; j++)
            s->beta[j] = (s->beta[j] + s->beta_old[j]) / 2;
        irls_predict(s);
    }
    s->boundary = 1;
    return 0;
}

/* Starting values as binomial()/poisson()'s initialize expressions. */
static void irls_start(irls *s)
{
    for (size_t i = 0; i < s->d.n; i++) {
        double w = wt_at(s, i), y = s->y[i];
        double m = s->mustart ? s->mustart[i]
                   : s->family == KS_GLM_BINOMIAL ? (w * y + 0.5) / (w + 1.0) : y + 0.1;
        s->eta[i] = linkfun(s->family, m);
        s->mu[i] = linkinv(s->family, s->eta[i]);
    }
    s->dev = irls_deviance(s);
}

static int irls_run(irls *s, ks_error *err)
{
    irls_start(s);
    double devold = s->dev;
    int have_old = 0, iter;
    for (iter = 1; iter <= s->maxit; iter++) {
        if (irls_wls(s) < 0) {
            if (!have_old)
                return ks_error_set(err, KS_EDATA, "non-finite coefficients at IRLS iteration 1");
            break; /* glm.fit: not converged, keep the previous step */
        }
        irls_predict(s);
        int rc = irls_halve(s, dev_is_finite, have_old, err);
        if (rc == 0)
            rc = irls_halve(s, mu_is_valid, have_old, err);
        if (rc < 0)
            return rc;
        if (fabs(s->dev - devold) / (fabs(s->dev) + 0.1) < s->eps) {
            s->conv = 1;
            break;
        }
        devold = s->dev;
        memcpy(s->beta_old, s->beta, s->d.p * sizeof *s->beta);
        have_old = 1;
    }
    s->iter = iter > s->maxit ? s->maxit : iter;
    return 0;
}

/* ---- results ---- */

static const char *const glm_warning_names[] = {
    "not_converged", "fitted_boundary", "separation", "constant_y",
    "aliased",       "step_halved",     "non_integer",
};

const char *ks_glm_warning_name(unsigned bit)
{
    for (size_t k = 0; k < KS_ARRAY_LEN(glm_warning_names); k++)
        if (bit == 1u << k)
            return glm_warning_names[k];
    return NULL;
}

void ks_glm_result_release(ks_glm_result *res)
{
    if (!res)
        return;
    free(res->coef);
    free(res->cov);
    memset(res, 0, sizeof *res);
}

static void col_label(ks_buf *b, const ks_glm_opts *o, size_t j)
{
    if (o->names && o->names[j])
        ks_buf_addf(b, "'%s'", o->names[j]);
    else
        ks_buf_addf(b, "column %zu", j + 1);
}

static void msg_sep(ks_buf *b)
{
    if (b->len)
        ks_buf_adds(b, "; ");
}

static int validate(ks_glm_family family, const gsl_matrix *X, const double *y,
                    const ks_glm_opts *o, size_t *n_ok, ks_error *err)
{
    if (family != KS_GLM_BINOMIAL && family != KS_GLM_POISSON)
        return ks_error_set(err, KS_EUSAGE, "unknown glm family %d", (int)family);
    if (!X || (!y && X->size1))
        return ks_error_set(err, KS_EUSAGE, "glm needs a design matrix and a response");
    if (X->size2 == 0)
        return ks_error_set(err, KS_EUSAGE, "the design matrix has no columns");
    if (X->size1 == 0)
        return ks_error_set(err, KS_EDATA, "no observations to fit");
    if (o->maxit < 0 || o->epsilon < 0 || !isfinite(o->epsilon))
        return ks_error_set(err, KS_EUSAGE, "bad glm iteration limit or tolerance");
    *n_ok = 0;
    for (size_t i = 0; i < X->size1; i++) {
        double w = o->weights ? o->weights[i] : 1.0;
        if (!isfinite(w) || w < 0)
            return ks_error_set(err, KS_EDATA, "row %zu: weight %g is negative or not finite",
                                i + 1, w);
        if (!isfinite(y[i]))
            return ks_error_set(err, KS_EDATA, "row %zu: response is not finite", i + 1);
        if (family == KS_GLM_BINOMIAL && (y[i] < 0 || y[i] > 1))
            return ks_error_set(err, KS_EDATA,
                                "row %zu: y = %g is outside [0, 1] for the binomial family",
                                i + 1, y[i]);
        if (family == KS_GLM_POISSON && y[i] < 0)
            return ks_error_set(err, KS_EDATA,
                                "row %zu: negative count %g for the Poisson family", i + 1, y[i]);
        if (o->offset && !isfinite(o->offset[i]))
            return ks_error_set(err, KS_EDATA, "row %zu: offset is not finite", i + 1);
        for (size_t j = 0; j < X->size2; j++)
            if (!isfinite(gsl_matrix_get(X, i, j)))
                return ks_error_set(err, KS_EDATA, "row %zu, column %zu: value is not finite",
                                    i + 1, j + 1);
        if (w > 0)
            (*n_ok)++;
    }
    if (*n_ok == 0)
        return ks_error_set(err, KS_EDATA, "no observations with positive weight");
    return 0;
}

/* A column that is exactly 1 in every row plays the formula intercept. */
static int find_intercept(const gsl_matrix *X)
{
    for (size_t j = 0; j < X->size2; j++) {
        size_t i = 0;
        while (i < X->size1 && gsl_matrix_get(X, i, j) == 1.0)
            i++;
        if (i == X->size1)
            return 1;
    }
    return 0;
}

static int constant_response(const irls *s)
{
    int any0 = 0, any1 = 0, other = 0;
    for (size_t i = 0; i < s->d.n; i++) {
        if (!(wt_at(s, i) > 0))
            continue;
        if (s->y[i] == 0)
            any0 = 1;
        else if (s->y[i] == 1 && s->family == KS_GLM_BINOMIAL)
            any1 = 1;
        else
            other = 1;
    }
    return !other && !(any0 && any1);
}

/* Coefficient table, covariance and dispersion from the last WLS step, as
 * summary.glm takes them from fit$qr and fit$weights. */
static void fill_coefs(const irls *s, ks_glm_result *res)
{
    size_t p = s->d.p, k = s->q.rank;
    double *c = ks_calloc(k * k, sizeof *c);
    qr_unscaled_cov(&s->q, c);
    res->cov = ks_malloc(ks_mul(ks_mul(p, p), sizeof *res->cov));
    for (size_t m = 0; m < p * p; m++)
        res->cov[m] = NAN;
    for (size_t a = 0; a < k; a++)
        for (size_t b = 0; b < k; b++)
            res->cov[s->q.pivot[a] * p + s->q.pivot[b]] = c[a * k + b];
    free(c);

    double pearson = 0;
    for (size_t i = 0; i < s->d.n; i++) {
        if (s->sw[i] > 0) {
            double r = (s->y[i] - s->mu[i]) / mu_eta(s->family, s->eta[i]);
            pearson += s->sw[i] * s->sw[i] * r * r;
        }
    }
    double df = res->df_residual;
    res->dispersion = df > 0 ? pearson / df : NAN;
    double tq = df > 0 ? ks_dist_t_quantile(0.975, df) : NAN;

    res->coef = ks_calloc(p, sizeof *res->coef);
    for (size_t j = 0; j < p; j++) {
        ks_glm_coef *cf = &res->coef[j];
        double v = res->cov[j * p + j];
        if (isnan(v)) {
            cf->aliased = 1;
            cf->est = cf->se = cf->z = cf->p = cf->exp_est = cf->exp_lo = cf->exp_hi = NAN;
            cf->q_se = cf->q_t = cf->q_p = cf->q_exp_lo = cf->q_exp_hi = NAN;
            continue;
        }
        ks_glm_coef_infer(cf, s->beta[j], v, res->dispersion, df, tq);
    }
}

void ks_glm_coef_infer(ks_glm_coef *cf, double b, double var, double dispersion, double df, double tq)
{
    double se = sqrt(var);
    cf->est = b;
    cf->se = se;
    cf->z = b / se;
    cf->p = 2.0 * ks_dist_norm_upper(fabs(cf->z));
    cf->exp_est = exp(b);
    cf->exp_lo = exp(b - KS_Z975 * se);
    cf->exp_hi = exp(b + KS_Z975 * se);
    cf->q_se = se * sqrt(dispersion);
    cf->q_t = b / cf->q_se;
    cf->q_p = df > 0 ? 2.0 * ks_dist_t_upper(fabs(cf->q_t), df) : NAN;
    cf->q_exp_lo = exp(b - tq * cf->q_se);
    cf->q_exp_hi = exp(b + tq * cf->q_se);
}

static int null_deviance(const irls *s, int has_intercept, ks_error *err, double *out)
{
    size_t n = s->d.n;
    double dev = 0;
    if (has_intercept && s->off) {
        /* glm refits the intercept with the offset: no closed form */
        double *ones = ks_malloc(ks_mul(n, sizeof *ones));
        for (size_t i = 0; i < n; i++)
            ones[i] = 1.0;
        design d1 = {ones, 1, n, 1};
        irls s1;
        irls_init(&s1, s->family, d1, s->y, s->w, s->off, s->maxit, s->eps);
        int rc = irls_run(&s1, err);
        dev = s1.dev;
        irls_release(&s1);
        free(ones);
        if (rc < 0)
            return ks_error_prefix(err, "null model: ");
    } else if (has_intercept) {
        double sw = 0, swy = 0;
        for (size_t i = 0; i < n; i++) {
            sw += wt_at(s, i);
            swy += wt_at(s, i) * s->y[i];
        }
        for (size_t i = 0; i < n; i++)
            dev += dev_resid(s->family, s->y[i], swy / sw, wt_at(s, i));
    } else {
        for (size_t i = 0; i < n; i++)
            dev += dev_resid(s->family, s->y[i],
                             linkinv(s->family, s->off ? s->off[i] : 0.0), wt_at(s, i));
    }
    *out = dev;
    return 0;
}

/* -2 log-likelihood + 2 rank, as binomial()$aic / poisson()$aic; NAN with
 * *nonint set when the successes or counts are not whole numbers. */
static double glm_aic(const irls *s, size_t rank, int *nonint)
{
    double ll = 0;
    *nonint = 0;
    for (size_t i = 0; i < s->d.n; i++) {
        double w = wt_at(s, i), y = s->y[i], mu = s->mu[i];
        if (!(w > 0))
            continue;
        if (s->family == KS_GLM_BINOMIAL) {
            double k = nearbyint(w * y), m = nearbyint(w);
            if (fabs(w * y - k) > 1e-3)
                *nonint = 1;
            double l = lgamma(m + 1) - lgamma(k + 1) - lgamma(m - k + 1);
            if (k > 0)
                l += k * log(mu);
            if (m - k > 0)
                l += (m - k) * log1p(-mu);
            ll += l;
        } else {
            if (fabs(y - nearbyint(y)) > 1e-7 * (fabs(y) > 1 ? fabs(y) : 1))
                *nonint = 1;
            double l = y > 0 ? y * log(mu) - mu - lgamma(y + 1) : -mu;
            ll += w * l;
        }
    }
    return *nonint ? NAN : -2.0 * ll + 2.0 * (double)rank;
}

/* Separation shows as coefficients that never settle: each further Newton
 * step moves the linear predictor of the separated rows by about 1, while a
 * fit with a finite optimum moves by ~0.  Four more steps tell the two apart
 * (glm itself only notices the fitted probabilities at 0 or 1).  Runs only
 * when some fitted value is near the edge or the fit did not converge, and
 * clobbers the IRLS state, so it comes after everything else is read off. */
static int check_divergence(irls *s, ks_glm_result *res)
{
    size_t n = s->d.n, p = s->d.p;
    int edge = !s->conv;
    for (size_t i = 0; i < n && !edge; i++) {
        if (!(wt_at(s, i) > 0))
            continue;
        double mu = s->mu[i];
        if (mu < 1e-6 || (s->family == KS_GLM_BINOMIAL && mu > 1 - 1e-6))
            edge = 1;
    }
    if (!edge)
        return 0;
    double *b0 = ks_malloc(ks_mul(p, sizeof *b0));
    double *prev = ks_malloc(ks_mul(n, sizeof *prev));
    memcpy(b0, s->beta, p * sizeof *b0);
    double step = 0;
    for (int k = 0; k < 4; k++) {
        memcpy(prev, s->eta, n * sizeof *prev);
        if (irls_wls(s) < 0) {
            step = INFINITY;
            break;
        }
        irls_predict(s);
        step = 0;
        for (size_t i = 0; i < n; i++) {
            double dlt = fabs(s->eta[i] - prev[i]);
            if (wt_at(s, i) > 0 && !(dlt <= step))
                step = dlt; /* NaN counts as divergence */
        }
    }
    int diverging = step > 0.5;
    if (diverging)
        for (size_t j = 0; j < p; j++)
            if (!res->coef[j].aliased &&
                !(fabs(s->beta[j] - b0[j]) <= 1e-3 * (1 + fabs(b0[j]))))
                res->coef[j].diverging = 1;
    free(b0);
    free(prev);
    return diverging;
}

/* The labels of the diverging (or else the aliased) coefficients,
 * ", "-separated, the first after `lead`. */
static void msg_columns(ks_buf *b, const ks_glm_opts *o, const ks_glm_result *res, bool diverging, const char *lead)
{
    int first = 1;
    for (size_t j = 0; j < res->n_coef; j++) {
        if (!(diverging ? res->coef[j].diverging : res->coef[j].aliased))
            continue;
        ks_buf_adds(b, first ? lead : ", ");
        col_label(b, o, j);
        first = 0;
    }
}

static void write_messages(const irls *s, const ks_glm_opts *o, ks_glm_result *res)
{
    ks_buf b;
    ks_buf_init(&b);
    if (res->warnings & KS_GLM_W_CONSTANT_Y) {
        msg_sep(&b);
        ks_buf_adds(&b, s->family == KS_GLM_BINOMIAL
                            ? "the response takes one value only (all 0 or all 1): "
                              "coefficients diverge and are not meaningful"
                            : "every count is 0: coefficients diverge and are not meaningful");
    }
    if (res->warnings & KS_GLM_W_SEPARATION) {
        msg_sep(&b);
        ks_buf_adds(&b, s->family == KS_GLM_BINOMIAL
                            ? "(quasi-)complete separation: estimates for "
                            : "infinite estimates (a pattern with all-zero counts?) for ");
        msg_columns(&b, o, res, true, "");
        ks_buf_adds(&b, " diverge; their estimates, standard errors and p-values are not "
                        "meaningful");
    }
    if (res->warnings & KS_GLM_W_ALIASED) {
        msg_sep(&b);
        msg_columns(&b, o, res, false, "aliased (a linear combination of earlier columns, coefficient NA): ");
    }
    if (res->warnings & KS_GLM_W_NOT_CONVERGED) {
        msg_sep(&b);
        ks_buf_addf(&b, "algorithm did not converge in %d iterations", res->iterations);
    }
    if (res->warnings & KS_GLM_W_FITTED_BOUNDARY) {
        msg_sep(&b);
        ks_buf_adds(&b, s->family == KS_GLM_BINOMIAL
                            ? "fitted probabilities numerically 0 or 1 occurred"
                            : "fitted rates numerically 0 occurred");
    }
    if (res->warnings & KS_GLM_W_STEP_HALVED) {
        msg_sep(&b);
        ks_buf_adds(&b, "algorithm stopped at boundary value (step size halved)");
    }
    if (res->warnings & KS_GLM_W_NONINTEGER) {
        msg_sep(&b);
        ks_buf_adds(&b, s->family == KS_GLM_BINOMIAL
                            ? "non-integer number of successes: AIC not available"
                            : "non-integer counts: AIC not available");
    }
    size_t len = b.len < sizeof res->message - 1 ? b.len : sizeof res->message - 1;
    memcpy(res->message, b.buf, len);
    res->message[len] = '\0';
    ks_buf_release(&b);
}

/* The fit's warning bits (KS_GLM_W_*) into res. */
static void set_warnings(irls *s, int nonint, ks_glm_result *res)
{
    if (!s->conv)
        res->warnings |= KS_GLM_W_NOT_CONVERGED;
    if (s->boundary)
        res->warnings |= KS_GLM_W_STEP_HALVED;
    if (nonint)
        res->warnings |= KS_GLM_W_NONINTEGER;
    if (s->q.rank < s->d.p)
        res->warnings |= KS_GLM_W_ALIASED;
    double eps10 = 10 * DBL_EPSILON;
    for (size_t i = 0; i < s->d.n; i++) {
        double mu = s->mu[i];
        if (mu < eps10 || (s->family == KS_GLM_BINOMIAL && mu > 1 - eps10))
            res->warnings |= KS_GLM_W_FITTED_BOUNDARY;
    }
    int constant = constant_response(s);
    if (constant)
        res->warnings |= KS_GLM_W_CONSTANT_Y;
    /* a constant response diverges too; say so once, in the plainer words */
    if (check_divergence(s, res) && !constant)
        res->warnings |= KS_GLM_W_SEPARATION;
}

int ks_glm_fit(ks_glm_family family, const gsl_matrix *X, const double *y,
               const ks_glm_opts *opts, ks_glm_result *res, ks_error *err)
{
    static const ks_glm_opts defaults = {0};
    const ks_glm_opts *o = opts ? opts : &defaults;
    memset(res, 0, sizeof *res);
    size_t n_ok = 0;
    int rc = validate(family, X, y, o, &n_ok, err);
    if (rc < 0)
        return rc;

    design d = {X->data, X->tda, X->size1, X->size2};
    irls s;
    irls_init(&s, family, d, y, o->weights, o->offset, o->maxit ? o->maxit : 25,
              o->epsilon > 0 ? o->epsilon : 1e-8);
    s.mustart = o->mustart;
    rc = irls_run(&s, err);
    if (rc < 0)
        goto done;
    if (s.q.rank == 0) {
        rc = ks_error_set(err, KS_EDATA, "the design matrix has rank 0 (all columns zero)");
        goto done;
    }

    res->family = family;
    res->n_coef = d.p;
    res->rank = s.q.rank;
    res->n_obs = n_ok;
    res->has_intercept = find_intercept(X);
    res->deviance = s.dev;
    res->df_residual = (double)n_ok - (double)s.q.rank;
    res->df_null = (double)n_ok - (double)res->has_intercept;
    res->iterations = s.iter;
    res->converged = s.conv;
    fill_coefs(&s, res);
    int nonint = 0;
    res->aic = glm_aic(&s, s.q.rank, &nonint);
    rc = null_deviance(&s, res->has_intercept, err, &res->null_deviance);
    if (rc < 0)
        goto done;

    set_warnings(&s, nonint, res);
    write_messages(&s, o, res);

done:
    irls_release(&s);
    if (rc < 0)
        ks_glm_result_release(res);
    return rc;
}

/* ---- monthly trend ---- */

static const char *const month_term[13] = {
    "",        "month1",  "month2", "month3", "month4",  "month5", "month6",
    "month7",  "month8",  "month9", "month10", "month11", "month12",
};

int ks_trend_month(int first_month, size_t t)
{
    return (int)(((size_t)(first_month - 1) + t) % 12) + 1;
}

size_t ks_trend_design(int first_month, size_t n_months, int col_of_month[13])
{
    int present[13] = {0}, ref = 0;
    size_t p = 2;
    memset(col_of_month, 0, 13 * sizeof *col_of_month);
    if (first_month) {
        for (size_t t = 0; t < n_months && t < 12; t++)
            present[ks_trend_month(first_month, t)] = 1;
        for (int m = 1; m <= 12; m++) {
            if (present[m] && !ref)
                ref = m;
            else if (present[m])
                col_of_month[m] = (int)p++;
        }
    }
    return p;
}

double *ks_trend_matrix(int first_month, size_t n_months, const int col_of_month[13], size_t p)
{
    double *x = ks_calloc(ks_mul(n_months, p), sizeof *x);
    for (size_t t = 0; t < n_months; t++) {
        x[t * p] = 1.0;
        x[t * p + 1] = (double)t;
        if (first_month && col_of_month[ks_trend_month(first_month, t)])
            x[t * p + (size_t)col_of_month[ks_trend_month(first_month, t)]] = 1.0;
    }
    return x;
}

void ks_trend_fill(ks_trend *out, const ks_glm_coef *c, double dispersion, double df, double tq, double deviance)
{
    out->slope = c->est;
    out->se = c->se;
    out->p = c->p;
    out->apc = 100 * expm1(12 * c->est);
    out->apc_lo = 100 * expm1(12 * (c->est - KS_Z975 * c->se));
    out->apc_hi = 100 * expm1(12 * (c->est + KS_Z975 * c->se));
    out->dispersion = dispersion;
    out->q_se = c->q_se;
    out->q_p = c->q_p;
    out->q_apc_lo = 100 * expm1(12 * (c->est - tq * c->q_se));
    out->q_apc_hi = 100 * expm1(12 * (c->est + tq * c->q_se));
    out->df_residual = df;
    out->deviance = deviance;
}

/* log(exposure) per month, each checked positive; *off NULL without
 * exposure. */
static int trend_offset(const double *exposure, size_t n_months, double **off, ks_error *err)
{
    *off = NULL;
    if (!exposure)
        return 0;
    *off = ks_malloc(ks_mul(n_months, sizeof **off));
    for (size_t t = 0; t < n_months; t++) {
        if (!(exposure[t] > 0) || !isfinite(exposure[t]))
            return ks_error_set(err, KS_EDATA, "month %zu: exposure %g is not positive", t + 1, exposure[t]);
        (*off)[t] = log(exposure[t]);
    }
    return 0;
}

int ks_glm_trend_monthly(const double *counts, size_t n_months, int first_month,
                         const double *exposure, ks_trend *out, ks_error *err)
{
    memset(out, 0, sizeof *out);
    if (first_month < 0 || first_month > 12)
        return ks_error_set(err, KS_EUSAGE, "first month %d is not 1..12 (or 0)", first_month);
    if (n_months == 0)
        return ks_error_set(err, KS_EDATA, "the monthly series is empty");
    if (!counts)
        return ks_error_set(err, KS_EUSAGE, "no monthly counts given");

    int col_of_month[13];
    size_t p = ks_trend_design(first_month, n_months, col_of_month);
    double *x = ks_trend_matrix(first_month, n_months, col_of_month, p);
    double *off = NULL;
    const char *names[14] = {"(Intercept)", "t"};
    for (int m = 1; m <= 12; m++)
        if (col_of_month[m])
            names[col_of_month[m]] = month_term[m];
    ks_glm_result r = {0};
    int rc = trend_offset(exposure, n_months, &off, err);
    if (rc < 0)
        goto done;
    gsl_matrix_const_view v = gsl_matrix_const_view_array(x, n_months, p);
    ks_glm_opts o = {.offset = off, .names = names};
    rc = ks_glm_fit(KS_GLM_POISSON, &v.matrix, counts, &o, &r, err);
    if (rc < 0)
        goto done;
    /* intercept and month dummies are independent by construction, so any
     * aliasing means t lies in their span: the trend is not estimable even
     * when the pivoting happened to drop a dummy instead of t */
    if (r.rank < p) {
        rc = ks_error_set(err, KS_EDATA,
                          "%zu months are too few to separate a trend from the month-of-year terms",
                          n_months);
        goto done;
    }
    double df = r.df_residual;
    double tq = df > 0 ? ks_dist_t_quantile(0.975, df) : NAN;
    out->n_months = n_months;
    out->seasonal = first_month != 0;
    ks_trend_fill(out, &r.coef[1], r.dispersion, df, tq, r.deviance);
    out->warnings = r.warnings;
    memcpy(out->message, r.message, sizeof out->message);

done:
    ks_glm_result_release(&r);
    free(x);
    free(off);
    return rc;
}
