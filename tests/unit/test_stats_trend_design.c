/* test_stats_trend_design: the monthly trend's design (stats_glm.h), shared
 * by ks_glm_trend_monthly and ks_poisson_trend_grouped.  Expected columns
 * worked out by hand from R's factor(month): one dummy per month of the year
 * present in the series except the lowest-numbered, in month order, after
 * the intercept and t. */
#include "stats_glm.h"

#include "test.h"

/* A calendar month is first_month shifted by t, wrapping after December. */
static void test_month(void)
{
    KS_CHECK_INT(ks_trend_month(4, 0), 4);
    KS_CHECK_INT(ks_trend_month(4, 8), 12);
    KS_CHECK_INT(ks_trend_month(4, 9), 1);
    KS_CHECK_INT(ks_trend_month(11, 2), 1);
    KS_CHECK_INT(ks_trend_month(11, 13), 12);
    KS_CHECK_INT(ks_trend_month(1, 24), 1);
}

/* No seasonal terms: intercept and t only. */
static void test_plain(void)
{
    int col[13];
    KS_CHECK_INT(ks_trend_design(0, 30, col), 2);
    for (int m = 0; m <= 12; m++)
        KS_CHECK_INT(col[m], 0);
    double *x = ks_trend_matrix(0, 3, col, 2);
    static const double want[] = {1, 0, 1, 1, 1, 2};
    for (size_t i = 0; i < 6; i++)
        KS_CHECK(x[i] == want[i]);
    free(x);
}

/* April to June: April is the reference, May and June get columns 2, 3. */
static void test_short_series(void)
{
    int col[13];
    KS_CHECK_INT(ks_trend_design(4, 3, col), 4);
    for (int m = 1; m <= 12; m++)
        KS_CHECK_INT(col[m], m == 5 ? 2 : m == 6 ? 3 : 0);
    double *x = ks_trend_matrix(4, 3, col, 4);
    static const double want[] = {
        1, 0, 0, 0, /* April: reference */
        1, 1, 1, 0, /* May */
        1, 2, 0, 1, /* June */
    };
    for (size_t i = 0; i < 12; i++)
        KS_CHECK(x[i] == want[i]);
    free(x);
}

/* November to the next December but one (26 months): every month present,
 * January is the reference however the series starts, February..December
 * get columns 2..12, and month 14 of the series (January) has no dummy. */
static void test_full_year(void)
{
    int col[13];
    KS_CHECK_INT(ks_trend_design(11, 26, col), 13);
    KS_CHECK_INT(col[1], 0);
    for (int m = 2; m <= 12; m++)
        KS_CHECK_INT(col[m], m);
    double *x = ks_trend_matrix(11, 26, col, 13);
    const double *row = x + 14 * 13; /* t = 14: January */
    KS_CHECK(row[0] == 1 && row[1] == 14);
    for (size_t j = 2; j < 13; j++)
        KS_CHECK(row[j] == 0);
    row = x + 0 * 13; /* t = 0: November, column 11 */
    for (size_t j = 2; j < 13; j++)
        KS_CHECK(row[j] == (j == 11 ? 1 : 0));
    free(x);
}

/* The figures: APC = 100 (exp(12 b) - 1), the normal CI with 1.959963984540054
 * (qnorm(0.975)), the quasi CI with the given t quantile. */
static void test_fill(void)
{
    ks_glm_coef c = {.est = 0.01, .se = 0.002, .p = 0.03, .q_se = 0.004, .q_p = 0.2};
    ks_trend t = {0};
    ks_trend_fill(&t, &c, 4.0, 10.0, 2.228138851986274, 12.5);
    KS_CHECK_DBL(t.slope, 0.01, 0);
    KS_CHECK_DBL(t.apc, 100 * (exp(0.12) - 1), 1e-12);
    KS_CHECK_DBL(t.apc_lo, 100 * (exp(12 * (0.01 - 1.959963984540054 * 0.002)) - 1), 1e-12);
    KS_CHECK_DBL(t.apc_hi, 100 * (exp(12 * (0.01 + 1.959963984540054 * 0.002)) - 1), 1e-12);
    KS_CHECK_DBL(t.q_apc_lo, 100 * (exp(12 * (0.01 - 2.228138851986274 * 0.004)) - 1), 1e-12);
    KS_CHECK_DBL(t.q_apc_hi, 100 * (exp(12 * (0.01 + 2.228138851986274 * 0.004)) - 1), 1e-12);
    KS_CHECK_DBL(t.dispersion, 4.0, 0);
    KS_CHECK_DBL(t.df_residual, 10.0, 0);
    KS_CHECK_DBL(t.deviance, 12.5, 0);
    KS_CHECK_DBL(t.se, 0.002, 0);
    KS_CHECK_DBL(t.p, 0.03, 0);
    KS_CHECK_DBL(t.q_se, 0.004, 0);
    KS_CHECK_DBL(t.q_p, 0.2, 0);
    KS_CHECK_INT(t.n_months, 0); /* left to the caller */
}

int main(void)
{
    test_month();
    test_plain();
    test_short_series();
    test_full_year();
    test_fill();
    return ks_test_report();
}
