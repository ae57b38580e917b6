/* stats_glm.h: logistic and Poisson regression by IRLS, computed the way R's
 * glm.fit and summary.glm compute them (R 4.2), plus a monthly-trend helper.
 *
 * Ownership: ks_glm_fit and ks_glm_trend_monthly fill a result struct the
 * caller owns; ks_glm_result_release frees its contents (safe after a failed
 * fit and on a zeroed struct).  Input arrays are borrowed, never kept.
 *
 * Errors (negative return, message in the ks_error): -KS_EUSAGE for a bad
 * call (no columns, unknown family), -KS_EDATA for data that cannot be fitted
 * (no observations, NaN/Inf, y outside the family's range, negative weights,
 * a design of rank 0, a step R would also give up on).  Problems R reports as
 * warnings are not errors: the fit is returned with bits set in `warnings`
 * and the same facts in words in `message`; callers must show them.
 *
 * Data layout: X is n x p with the intercept column supplied by the caller
 * (a column that is exactly 1 in every row counts as the intercept, which
 * decides the null deviance as glm's formula intercept does).  Binomial y is
 * the proportion of successes in [0,1] and the weights the number of trials,
 * as glm(cbind(s, f) ~ ...) or glm(y ~ ..., weights = n) take them; Poisson y
 * is a count.  To make 850k rows fast, collapse rows with the same covariate
 * pattern: either one row per pattern (y = successes/trials, w = trials) or,
 * to reproduce the row-level deviance and AIC exactly, one row per pattern
 * and outcome (y = 1, w = k1 and y = 0, w = k0).  Coefficients and standard
 * errors are identical either way; deviance and AIC differ by a constant. */
#ifndef KASANE_STATS_GLM_H
#define KASANE_STATS_GLM_H

#include <stddef.h>

#include <gsl/gsl_matrix.h>

#include "util.h"

typedef enum ks_glm_family {
    KS_GLM_BINOMIAL = 0, /* logit link, variance mu(1-mu) */
    KS_GLM_POISSON = 1,  /* log link, variance mu */
} ks_glm_family;

/* Warning bits in ks_glm_result.warnings. */
enum {
    KS_GLM_W_NOT_CONVERGED = 1u << 0,   /* R: "algorithm did not converge" */
    KS_GLM_W_FITTED_BOUNDARY = 1u << 1, /* R: "fitted probabilities numerically 0 or 1
                                           occurred" / "fitted rates numerically 0 occurred" */
    KS_GLM_W_SEPARATION = 1u << 2,      /* some coefficients diverge: (quasi-)complete
                                           separation, or a pattern with all-zero counts;
                                           their estimates and SEs mean nothing */
    KS_GLM_W_CONSTANT_Y = 1u << 3,      /* every y is 0 (or every y is 1): nothing to fit */
    KS_GLM_W_ALIASED = 1u << 4,         /* rank deficient: aliased columns get NAN (R: NA) */
    KS_GLM_W_STEP_HALVED = 1u << 5,     /* R: "algorithm stopped at boundary value" */
    KS_GLM_W_NONINTEGER = 1u << 6,      /* non-integer successes or counts: AIC is NAN */
};

/* Stable short name of one warning bit ("not_converged", ...), NULL if unknown. */
const char *ks_glm_warning_name(unsigned bit);

typedef struct ks_glm_opts {
    const double *weights;    /* prior weights (counts, trials), NULL for all 1 */
    const double *offset;     /* added to the linear predictor (log exposure), NULL for 0 */
    const char *const *names; /* p column names for messages, NULL for "column N" */
    int maxit;                /* IRLS iteration limit, 0 for glm's 25 */
    double epsilon;           /* convergence tolerance, 0 for glm's 1e-8 */
    const double *mustart;    /* starting means (glm's mustart), NULL for the family's initialize;
                               * rows that stand for several cases with one outcome start where
                               * those cases would start one by one: (y + 0.5) / 2 */
} ks_glm_opts;

typedef struct ks_glm_coef {
    double est;      /* coefficient b; NAN when aliased */
    double se;       /* sqrt of the diagonal of (X'WX)^-1 (dispersion 1) */
    double z;        /* b / se */
    double p;        /* two-sided normal p, as summary.glm for binomial/Poisson */
    double exp_est;  /* exp(b): odds ratio (binomial) or rate ratio (Poisson) */
    double exp_lo;   /* exp(b - 1.959963984540054 se), as exp(confint.default()) */
    double exp_hi;   /* exp(b + 1.959963984540054 se) */
    double q_se;     /* quasi-likelihood se: se * sqrt(dispersion) */
    double q_t;      /* b / q_se */
    double q_p;      /* two-sided t p on df_residual, as summary.glm for quasi families */
    double q_exp_lo; /* exp(b - qt(0.975, df_residual) q_se) */
    double q_exp_hi; /* exp(b + qt(0.975, df_residual) q_se) */
    int aliased;     /* 1 when the column is a linear combination of earlier ones */
    int diverging;   /* 1 when the estimate keeps moving (see KS_GLM_W_SEPARATION) */
} ks_glm_coef;

typedef struct ks_glm_result {
    ks_glm_family family; /* the family fitted */
    size_t n_coef;        /* p, the number of columns of X */
    ks_glm_coef *coef;    /* n_coef entries in column order */
    double *cov;          /* n_coef x n_coef row-major (X'WX)^-1; NAN in aliased rows/cols */
    size_t rank;          /* numerical rank of X (pivoted QR, tolerance 1e-11) */
    size_t n_obs;         /* rows with positive weight */
    int has_intercept;    /* a column of ones was found */
    double deviance;      /* residual deviance */
    double null_deviance; /* deviance of the intercept-only (or offset-only) model */
    double df_residual;   /* n_obs - rank */
    double df_null;       /* n_obs - has_intercept */
    double aic;           /* as AIC(glm fit); NAN when y is not integral (quasi has none) */
    double dispersion;    /* Pearson: sum(w (y-mu)^2 / V(mu)) / df_residual, NAN if df 0 */
    int iterations;       /* IRLS iterations used (glm's $iter) */
    int converged;        /* 1 when the deviance criterion was met */
    unsigned warnings;    /* KS_GLM_W_* bits */
    char message[1024];   /* the warnings in words, "; "-separated, "" when none */
} ks_glm_result;

/* Fits y ~ X.  On success returns 0 (possibly with warnings set); on error a
 * negative KS_E* code with res left released. */
int ks_glm_fit(ks_glm_family family, const gsl_matrix *X, const double *y,
               const ks_glm_opts *opts, ks_glm_result *res, ks_error *err);
void ks_glm_result_release(ks_glm_result *res);

/* Trend in a monthly count series: Poisson (and quasi-Poisson) regression of
 * counts on month index t = 0..n-1, with month-of-year dummies when
 * first_month (the calendar month of counts[0], 1..12) is given; 0 means no
 * seasonal terms.  The dummies are those of R's factor(month): one per month
 * present in the series except the lowest-numbered, the reference.  With
 * exposure (e.g. open cases per month, all > 0) the model has offset
 * log(exposure) and the trend is in the rate.
 *
 * Annual percent change = (exp(12 b) - 1) * 100.  The Poisson 95% CI uses
 * the normal quantile (confint.default); the quasi-Poisson CI uses the
 * t quantile on df_residual, the distribution summary.glm uses for the quasi
 * p-value, so CI and p-value always agree. */
typedef struct ks_trend {
    size_t n_months;    /* length of the series */
    int seasonal;       /* 1 when month-of-year terms were in the model */
    double slope;       /* b: log rate ratio per month */
    double se;          /* Poisson se of b */
    double p;           /* Poisson two-sided p for b = 0 */
    double apc;         /* annual percent change */
    double apc_lo;      /* Poisson 95% CI, normal quantile */
    double apc_hi;      /* upper end */
    double dispersion;  /* Pearson dispersion phi; > 1 means overdispersion */
    double q_se;        /* se * sqrt(phi) */
    double q_p;         /* quasi-Poisson p, t on df_residual */
    double q_apc_lo;    /* quasi-Poisson 95% CI, t quantile */
    double q_apc_hi;    /* upper end */
    double df_residual; /* n_months - rank */
    double deviance;    /* residual deviance of the Poisson fit */
    unsigned warnings;  /* KS_GLM_W_* bits of the underlying fit */
    char message[1024]; /* the warnings in words */
} ks_trend;

int ks_glm_trend_monthly(const double *counts, size_t n_months, int first_month,
                         const double *exposure, ks_trend *out, ks_error *err);

/* The design of a monthly trend, shared by ks_glm_trend_monthly and
 * ks_poisson_trend_grouped: columns intercept and t = 0..n-1, then with
 * first_month (1..12) a dummy for each month of the year present but the
 * lowest, in month order (R's factor(month)).  col_of_month[m] gets month
 * m's column (0: none); returns the number of columns p. */
size_t ks_trend_design(int first_month, size_t n_months, int col_of_month[13]);
/* The calendar month (1..12) of month t of a series starting in first_month. */
int ks_trend_month(int first_month, size_t t);
/* The design matrix, n_months x p row-major, allocated (free() it). */
double *ks_trend_matrix(int first_month, size_t n_months, const int col_of_month[13], size_t p);
/* A trend's figures from the coefficient of t (c), the dispersion, the
 * residual df with tq = qt(0.975, df), and the deviance; leaves n_months,
 * seasonal, warnings and message alone. */
void ks_trend_fill(ks_trend *out, const ks_glm_coef *c, double dispersion, double df, double tq, double deviance);

/* Fills a coefficient's inference from its estimate b and variance var:
 * Wald z and p, exp(b) with the normal 95% interval, and the quasi-family
 * SE, t, p (t with df) and interval (quantile tq = qt(0.975, df)). */
void ks_glm_coef_infer(ks_glm_coef *cf, double b, double var, double dispersion, double df, double tq);

#endif
