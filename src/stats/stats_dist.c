/* stats_dist.c: GSL's distribution functions, their NaN on failure turned
 * into a warning (stats_dist.h). */
#include "stats_dist.h"

#include <gsl/gsl_cdf.h>
#include <math.h>

#include "util.h"

static double checked(double v, const char *fn, double a, double b)
{
    if (isnan(v))
        ks_warn("GSL's %s(%g, %g) failed to compute; the value is left empty", fn, a, b);
    return v;
}

static int prob_ok(double p) { return p > 0 && p < 1; }

double ks_dist_t_quantile(double p, double df)
{
    if (!prob_ok(p) || !(df > 0))
        return NAN;
    return checked(gsl_cdf_tdist_Pinv(p, df), "gsl_cdf_tdist_Pinv", p, df);
}

double ks_dist_t_upper(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    return checked(gsl_cdf_tdist_Q(t, df), "gsl_cdf_tdist_Q", t, df);
}

double ks_dist_chisq_upper(double x, double df)
{
    if (isnan(x) || !(df > 0))
        return NAN;
    return checked(gsl_cdf_chisq_Q(x, df), "gsl_cdf_chisq_Q", x, df);
}

double ks_dist_norm_quantile(double p)
{
    if (!prob_ok(p))
        return NAN;
    return checked(gsl_cdf_ugaussian_Pinv(p), "gsl_cdf_ugaussian_Pinv", p, 0);
}

double ks_dist_norm_upper(double z)
{
    if (isnan(z))
        return NAN;
    return checked(gsl_cdf_ugaussian_Q(z), "gsl_cdf_ugaussian_Q", z, 0);
}

double ks_dist_norm_upper_quantile(double q)
{
    if (!prob_ok(q))
        return NAN;
    return checked(gsl_cdf_ugaussian_Qinv(q), "gsl_cdf_ugaussian_Qinv", q, 0);
}
