/* test_stats_dist: the checked distribution functions against R
 * (tests/ref/stats_dist.R, R 4.2.2, values copied below) and their domain:
 * an argument outside it gives NaN, never a number. */
#include "stats_dist.h"

#include <math.h>

#include "test.h"

static void near(double got, double want, double rel)
{
    KS_CHECK(fabs(got - want) <= rel * fabs(want));
}

int main(void)
{
    near(ks_dist_t_quantile(0.975, 10), 2.22813885198627392725, 1e-12);
    near(ks_dist_t_quantile(0.975, 2.5), 3.57465484200369187917, 1e-10);
    near(ks_dist_t_upper(2.1, 7), 0.03693559810646129815, 1e-10);
    near(ks_dist_chisq_upper(3.84, 1), 0.05004352124870522361, 1e-10);
    near(ks_dist_chisq_upper(120, 97), 0.05667401703793031875, 1e-10);
    near(ks_dist_norm_quantile(0.975), 1.95996398454005360534, 1e-12);
    near(ks_dist_norm_quantile(1e-10), -6.36134090240405569716, 1e-12);
    near(ks_dist_norm_upper(3.2), 0.00068713793791584806, 1e-10);
    near(ks_dist_norm_upper_quantile(0.025 / 12), 2.86526023853213240855, 1e-12);

    KS_CHECK(isnan(ks_dist_t_quantile(0.975, 0)));
    KS_CHECK(isnan(ks_dist_t_quantile(1.0, 5)));
    KS_CHECK(isnan(ks_dist_t_quantile(0.0, 5)));
    KS_CHECK(isnan(ks_dist_t_upper(NAN, 5)));
    KS_CHECK(isnan(ks_dist_chisq_upper(3, 0)));
    KS_CHECK(isnan(ks_dist_chisq_upper(NAN, 3)));
    KS_CHECK(isnan(ks_dist_norm_quantile(1.5)));
    KS_CHECK(isnan(ks_dist_norm_upper_quantile(0)));
    KS_CHECK(isnan(ks_dist_norm_upper(NAN)));
    return ks_test_report();
}
