/* stats_poisson.h: Poisson counts without GSL's failing inverses.
 *
 * 1. The gamma quantile and the exact (Garwood) interval of a Poisson count,
 *    as R's qgamma and poisson.test compute them.  GSL's gsl_cdf_gamma_Pinv
 *    gives up ("inverse failed to converge") for shapes from about 1,159 up,
 *    which made `analyze cooccur` abort on realistic data; here the quantile
 *    is a root of the regularised incomplete gamma function (GSL's
 *    gsl_sf_gamma_inc_P_e / _Q_e, each status checked), found by Newton's
 *    method in log t from a Wilson-Hilferty start, guarded by bisection of a
 *    bracket that always holds the root.  Relative accuracy about 1e-13
 *    (tests/unit/test_stats_poisson.c asserts 1e-10 against R).
 *
 * 2. A Poisson trend fitted to monthly counts of which some are known only
 *    as sums (the months a published table hides, whose total follows from
 *    the table's total row).  Months in one group contribute one observation,
 *    their sum, with mean the sum of their means: the likelihood of exactly
 *    what is published, so the fit is a function of published values only.
 *    Without groups it is glm(y ~ t [+ factor(month)], poisson).
 *
 * Errors: 0 or a negative KS_E* code with the message in `err`: -KS_EUSAGE
 * for arguments out of range, -KS_EDATA when a GSL routine fails or the
 * iteration does not converge (never NaN passed on silently). */
#ifndef KASANE_STATS_POISSON_H
#define KASANE_STATS_POISSON_H

#include <stddef.h>

#include "stats_glm.h"
#include "util.h"

/* t with P(shape, t) = p: the lower-tail quantile of the gamma distribution
 * with the given shape (> 0) and scale 1, for 0 < p < 1. */
int ks_gamma_quantile(double p, double shape, double *out, ks_error *err);

/* The exact two-sided interval for the mean of a Poisson count x >= 0
 * (integral or not) at confidence level conf (0 < conf < 1): lower =
 * qgamma((1 - conf)/2, x), 0 when x = 0; upper = qgamma((1 + conf)/2, x + 1). */
int ks_poisson_exact_ci(double x, double conf, double *lo, double *hi, ks_error *err);

/* Trend in a monthly series with grouped months.  group[t] is -1 when month
 * t's count y[t] is known, otherwise the index g (0..n_groups-1) of the group
 * it belongs to, whose total is group_sum[g] (y[t] is then not read; group may
 * be NULL for no groups).  first_month and the output are as for
 * ks_glm_trend_monthly (stats_glm.h), with the grouped fit's values: Fisher
 * scoring on the grouped likelihood, standard errors from its expected
 * information, Pearson dispersion over the observations (known months and
 * groups) on observations - parameters degrees of freedom. */
int ks_poisson_trend_grouped(const double *y, const int *group, size_t n_months, int first_month,
                             const double *group_sum, size_t n_groups, ks_trend *out, ks_error *err);

#endif
