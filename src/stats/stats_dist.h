/* stats_dist.h: the distribution functions kasane's statistics use, from
 * GSL, with their failures made visible.
 *
 * GSL's error handler is off for the whole program (main.c), so a GSL
 * routine that fails returns NaN instead of aborting.  These wrappers turn
 * that NaN, for arguments that are valid, into a kasane warning naming the
 * routine and its arguments, and return NaN, which every writer prints as an
 * empty value: one failed interval does not cost the analysis, and it never
 * passes for a number.  Arguments outside the domain (df <= 0, p outside
 * (0, 1), NaN in) return NaN without a warning — the caller's "not
 * computable". */
#ifndef KASANE_STATS_DIST_H
#define KASANE_STATS_DIST_H

/* qnorm(0.975): the normal quantile of every 95% interval */
#define KS_Z975 1.959963984540054

double ks_dist_t_quantile(double p, double df);  /* gsl_cdf_tdist_Pinv */
double ks_dist_t_upper(double t, double df);     /* gsl_cdf_tdist_Q */
double ks_dist_chisq_upper(double x, double df); /* gsl_cdf_chisq_Q */
double ks_dist_norm_quantile(double p);          /* gsl_cdf_ugaussian_Pinv */
double ks_dist_norm_upper(double z);             /* gsl_cdf_ugaussian_Q */
double ks_dist_norm_upper_quantile(double q);    /* gsl_cdf_ugaussian_Qinv */

#endif
