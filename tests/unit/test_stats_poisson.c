/* test_stats_poisson: the gamma quantile and the exact Poisson interval
 * against R (tests/ref/stats_poisson.R -> stats_poisson_ref.txt, R 4.2.2),
 * including the counts from 1,159 up where gsl_cdf_gamma_Pinv fails; and the
 * grouped Poisson trend against ks_glm_trend_monthly (no groups) and against
 * properties derived by hand. */
#include "stats_poisson.h"

#include <gsl/gsl_errno.h>
#include <stdbool.h>
#include <gsl/gsl_sf_gamma.h>

#include "test.h"

typedef struct refv {
    char name[96]; /* "garwood.0.95.1159.lower" */
    double v;      /* the value */
} refv;

static refv *load_ref(size_t *n)
{
    char path[4096], line[256];
    const char *src = getenv("KASANE_SOURCE_DIR");
    snprintf(path, sizeof path, "%s/tests/ref/stats_poisson_ref.txt", src ? src : ".");
    FILE *f = fopen(path, "r");
    KS_CHECK(f != NULL);
    refv *r = NULL;
    size_t cap = 0;
    *n = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 128;
            r = ks_realloc(r, cap * sizeof *r);
        }
        if (sscanf(line, "%95s %lf", r[*n].name, &r[*n].v) == 2)
            (*n)++;
    }
    if (f)
        fclose(f);
    return r;
}

static double get(const refv *r, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(r[i].name, name) == 0)
            return r[i].v;
    fprintf(stderr, "reference '%s' missing\n", name);
    KS_CHECK(0);
    return NAN;
}

static void check_rel(double got, double want, double rel, const char *what)
{
    ks_test_checks++;
    bool ok = want == 0 ? got == 0 : fabs(got - want) <= rel * fabs(want);
    if (!ok) {
        ks_test_failures++;
        fprintf(stderr, "%s = %.17g, want %.17g (rel %.3g)\n", what, got, want, fabs(got - want) / fabs(want));
    }
}

static void test_garwood(const refv *r, size_t n)
{
    static const double xs[] = {0, 1, 2, 5, 10, 100, 1158, 1159, 1160, 2353, 1e5, 1e6};
    static const char *const confs[] = {"0.95", "0.99", "0.9"};
    for (size_t c = 0; c < 3; c++)
        for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
            double lo, hi;
            ks_error err = {0};
            int rc = ks_poisson_exact_ci(xs[i], strtod(confs[c], NULL), &lo, &hi, &err);
            KS_CHECK_INT(rc, 0);
            char name[96];
            snprintf(name, sizeof name, "garwood.%s.%.0f.lower", confs[c], xs[i]);
            check_rel(lo, get(r, n, name), 1e-10, name);
            snprintf(name, sizeof name, "garwood.%s.%.0f.upper", confs[c], xs[i]);
            check_rel(hi, get(r, n, name), 1e-10, name);
        }
}

static void test_quantile(const refv *r, size_t n)
{
    static const char *const ps[] = {"1e-10", "0.0001", "0.5", "0.9999"};
    static const char *const shapes[] = {"0.5", "1", "3.5", "1159", "2e+06"};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 5; j++) {
            double q;
            ks_error err = {0};
            KS_CHECK_INT(ks_gamma_quantile(strtod(ps[i], NULL), strtod(shapes[j], NULL), &q, &err), 0);
            char name[96];
            snprintf(name, sizeof name, "qgamma.%s.%s", ps[i], shapes[j]);
            check_rel(q, get(r, n, name), 1e-10, name);
        }
    /* shape 1 is the exponential distribution: t = -log(1 - p), by hand */
    double q;
    ks_error err = {0};
    KS_CHECK_INT(ks_gamma_quantile(0.25, 1.0, &q, &err), 0);
    check_rel(q, -log(0.75), 1e-13, "exponential quantile");
    /* the definition: P(a, q) = p, for every count of the pair that aborted */
    for (double a = 1150; a <= 1170; a++) {
        KS_CHECK_INT(ks_gamma_quantile(0.025, a, &q, &err), 0);
        KS_CHECK_DBL(gsl_sf_gamma_inc_P(a, q), 0.025, 1e-13);
        KS_CHECK_INT(ks_gamma_quantile(0.975, a + 1, &q, &err), 0);
        KS_CHECK_DBL(gsl_sf_gamma_inc_Q(a + 1, q), 0.025, 1e-13);
    }
    /* out of range: an error, never NaN */
    KS_CHECK_INT(ks_gamma_quantile(0, 2, &q, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_gamma_quantile(1, 2, &q, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_gamma_quantile(0.5, 0, &q, &err), -KS_EUSAGE);
    KS_CHECK_INT(ks_gamma_quantile(0.5, NAN, &q, &err), -KS_EUSAGE);
    double lo, hi;
    KS_CHECK_INT(ks_poisson_exact_ci(-1, 0.95, &lo, &hi, &err), -KS_EUSAGE);
    KS_CHECK(isnan(lo) && isnan(hi));
    KS_CHECK_INT(ks_poisson_exact_ci(3, 1.0, &lo, &hi, &err), -KS_EUSAGE);
}

static void test_grouped(void)
{
    /* no groups: the grouped fit is glm(y ~ t, poisson) */
    double y[24];
    for (size_t t = 0; t < 24; t++)
        y[t] = (double)(3 + (t * 7) % 5 + t / 4);
    ks_trend a, b;
    ks_error err = {0};
    KS_CHECK_INT(ks_glm_trend_monthly(y, 24, 0, NULL, &a, &err), 0);
    KS_CHECK_INT(ks_poisson_trend_grouped(y, NULL, 24, 0, NULL, 0, &b, &err), 0);
    KS_CHECK_DBL(b.slope, a.slope, 1e-8);
    KS_CHECK_DBL(b.se, a.se, 1e-7);
    KS_CHECK_DBL(b.apc, a.apc, 1e-7);
    KS_CHECK_DBL(b.deviance, a.deviance, 1e-7);
    KS_CHECK_DBL(b.dispersion, a.dispersion, 1e-6);
    KS_CHECK_DBL(b.p, a.p, 1e-7);
    KS_CHECK_DBL(b.q_p, a.q_p, 1e-7);
    /* seasonal, too */
    KS_CHECK_INT(ks_glm_trend_monthly(y, 24, 4, NULL, &a, &err), 0);
    KS_CHECK_INT(ks_poisson_trend_grouped(y, NULL, 24, 4, NULL, 0, &b, &err), 0);
    KS_CHECK_DBL(b.slope, a.slope, 1e-8);
    KS_CHECK_DBL(b.se, a.se, 1e-7);

    /* a flat series stays flat when any of its months are grouped: with
     * y = 6 everywhere, b = 0 is the MLE (the score is 0 there) */
    double flat[12];
    int grp[12];
    for (size_t t = 0; t < 12; t++) {
        flat[t] = 6;
        grp[t] = t == 2 || t == 3 || t == 9 ? 0 : -1;
    }
    double gs = 18;
    KS_CHECK_INT(ks_poisson_trend_grouped(flat, grp, 12, 0, &gs, 1, &b, &err), 0);
    KS_CHECK(fabs(b.slope) < 1e-12);
    KS_CHECK(fabs(b.apc) < 1e-9);
    /* groups of single months are the months themselves */
    for (size_t t = 0; t < 24; t++)
        grp[t % 12] = -1;
    int g2[24];
    double sums[3];
    for (size_t t = 0; t < 24; t++)
        g2[t] = -1;
    g2[1] = 0, g2[7] = 1, g2[20] = 2;
    sums[0] = y[1], sums[1] = y[7], sums[2] = y[20];
    KS_CHECK_INT(ks_glm_trend_monthly(y, 24, 0, NULL, &a, &err), 0);
    KS_CHECK_INT(ks_poisson_trend_grouped(y, g2, 24, 0, sums, 3, &b, &err), 0);
    KS_CHECK_DBL(b.slope, a.slope, 1e-8);
    KS_CHECK_DBL(b.se, a.se, 1e-7);
    /* the values in grouped months are never read: only their sums */
    double z[24];
    memcpy(z, y, sizeof z);
    g2[1] = g2[2] = 0, g2[7] = g2[8] = 1;
    sums[0] = y[1] + y[2], sums[1] = y[7] + y[8];
    KS_CHECK_INT(ks_poisson_trend_grouped(y, g2, 24, 0, sums, 3, &a, &err), 0);
    z[1] = z[2] = z[7] = z[8] = 1e9;
    KS_CHECK_INT(ks_poisson_trend_grouped(z, g2, 24, 0, sums, 3, &b, &err), 0);
    KS_CHECK(a.slope == b.slope && a.se == b.se && a.dispersion == b.dispersion);
    /* bad groups */
    g2[3] = 5;
    KS_CHECK_INT(ks_poisson_trend_grouped(y, g2, 24, 0, sums, 3, &b, &err), -KS_EUSAGE);
}

int main(void)
{
    gsl_set_error_handler_off();
    size_t n;
    refv *r = load_ref(&n);
    KS_CHECK(n >= 90);
    test_garwood(r, n);
    test_quantile(r, n);
    test_grouped();
    free(r);
    return ks_test_report();
}
