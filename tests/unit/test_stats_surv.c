/* test_stats_surv.c: Kaplan-Meier and log-rank against R's survival package
 * (tests/ref/stats_model.R wrote the reference values and data), edge cases. */
#include "stats_surv.h"

#include <stdarg.h>
#include <stdlib.h>

#include "test.h"

#include "ref.h"

/* ---- survival data sets: time, event, group ---- */

typedef struct surv_set {
    csv_table csv; /* the file */
    double *time;  /* n */
    int *event;    /* n */
    int *group;    /* n */
    size_t n;      /* records */
} surv_set;

static void surv_set_load(surv_set *s, const char *file)
{
    csv_load(&s->csv, file);
    s->n = s->csv.nrow;
    s->time = ks_malloc(s->n * sizeof *s->time);
    s->event = ks_malloc(s->n * sizeof *s->event);
    s->group = ks_malloc(s->n * sizeof *s->group);
    for (size_t i = 0; i < s->n; i++) {
        s->time[i] = csv_at(&s->csv, i, 0);
        s->event[i] = (int)csv_at(&s->csv, i, 1);
        s->group[i] = (int)csv_at(&s->csv, i, 2);
    }
}

static void surv_set_free(surv_set *s)
{
    free(s->time);
    free(s->event);
    free(s->group);
    csv_free(&s->csv);
}

static void compare_km(const ref_table *ref, const char *set, const surv_set *s, ks_km_conf conf)
{
    ks_km km;
    ks_error err = {0};
    int rc = ks_km_fit(s->time, s->event, s->group, s->n, conf, &km, &err);
    KS_CHECK_INT(rc, 0);
    if (rc < 0)
        return;
    const char *ct = ks_km_conf_name(conf);
    char name[64];
    for (size_t g = 0; g < km.n_curves; g++) {
        const ks_km_curve *c = &km.curves[g];
        snprintf(name, sizeof name, "%s.%s.g%zu", set, ct, g + 1);
        double nrows = ref_get(ref, "%s.nrows", name);
        KS_CHECK_INT(c->n_rows, nrows);
        if ((double)c->n_rows != nrows)
            continue;
        /* R writes a one-row vector without an index suffix */
#define ROWREF(field, i) \
    (c->n_rows == 1 ? ref_get(ref, "%s." field, name) : ref_get(ref, "%s." field ".%zu", name, i))
        for (size_t i = 0; i < c->n_rows; i++) {
            const ks_km_row *r = &c->rows[i];
            size_t k = i + 1;
            check_near(r->time, ROWREF("time", k), 0, 0, "time", name, k);
            check_near(r->n_risk, ROWREF("n_risk", k), 0, 0, "n_risk", name, k);
            check_near(r->n_event, ROWREF("n_event", k), 0, 0, "n_event", name, k);
            check_near(r->n_censor, ROWREF("n_censor", k), 0, 0, "n_censor", name, k);
            check_near(r->surv, ROWREF("surv", k), REL, ABS_FLOOR, "surv", name, k);
            double se = ROWREF("se_log", k);
            if (isinf(se))
                KS_CHECK(isinf(r->se_log));
            else
                check_near(r->se_log, se, REL, ABS_FLOOR, "se_log", name, k);
            check_near(r->std_err, ROWREF("std_err", k), REL, ABS_FLOOR, "std_err", name, k);
            check_near(r->lower, ROWREF("lower", k), REL, ABS_FLOOR, "lower", name, k);
            check_near(r->upper, ROWREF("upper", k), REL, ABS_FLOOR, "upper", name, k);
        }
#undef ROWREF
        check_near((double)c->n, ref_get(ref, "%s.records", name), 0, 0, "records", name, 0);
        check_near((double)c->n_events, ref_get(ref, "%s.events", name), 0, 0, "events", name, 0);
        check_near(c->median, ref_get(ref, "%s.median", name), REL, 0, "median", name, 0);
        check_near(c->median_lo, ref_get(ref, "%s.median_lo", name), REL, 0, "median_lo", name,
                   0);
        check_near(c->median_hi, ref_get(ref, "%s.median_hi", name), REL, 0, "median_hi", name,
                   0);
    }
    ks_km_release(&km);
}

static void compare_logrank(const ref_table *ref, const char *set, const surv_set *s)
{
    ks_logrank lr;
    ks_error err = {0};
    int rc = ks_logrank_test(s->time, s->event, s->group, s->n, &lr, &err);
    KS_CHECK_INT(rc, 0);
    if (rc < 0)
        return;
    char name[64];
    snprintf(name, sizeof name, "%s.logrank", set);
    size_t k = lr.n_groups;
    for (size_t g = 0; g < k; g++) {
        check_near(lr.observed[g], ref_get(ref, "%s.obs.%zu", name, g + 1), 0, 0, "obs", name,
                   g + 1);
        check_near(lr.expected[g], ref_get(ref, "%s.exp.%zu", name, g + 1), REL, 0, "exp", name,
                   g + 1);
        for (size_t h = 0; h < k; h++)
            check_near(lr.var[g * k + h], ref_get(ref, "%s.var.%zu", name, g * k + h + 1), REL,
                       ABS_FLOOR, "var", name, g * k + h + 1);
    }
    check_near(lr.chisq, ref_get(ref, "%s.chisq", name), REL, 0, "chisq", name, 0);
    check_near(lr.df, ref_get(ref, "%s.df", name), 0, 0, "df", name, 0);
    check_near(lr.p, ref_get(ref, "%s.p", name), REL, 1e-6, "p", name, 0);
    ks_logrank_release(&lr);
}

static void test_reference(const ref_table *ref)
{
    const char *sets[] = {"lung", "ovarian", "veteran"};
    const size_t groups[] = {2, 2, 4};
    for (size_t k = 0; k < KS_ARRAY_LEN(sets); k++) {
        surv_set s;
        char file[64];
        snprintf(file, sizeof file, "%s.csv", sets[k]);
        surv_set_load(&s, file);
        KS_CHECK(s.n > 0);
        for (int conf = KS_KM_CONF_LOG; conf <= KS_KM_CONF_LOGLOG; conf++)
            compare_km(ref, sets[k], &s, (ks_km_conf)conf);
        ks_logrank lr;
        ks_error err = {0};
        if (ks_logrank_test(s.time, s.event, s.group, s.n, &lr, &err) == 0)
            KS_CHECK_INT(lr.n_groups, groups[k]);
        ks_logrank_release(&lr);
        compare_logrank(ref, sets[k], &s);
        surv_set_free(&s);
    }
    /* S = 0.5 exactly over a flat stretch: the median is the midpoint */
    surv_set s;
    surv_set_load(&s, "flat.csv");
    compare_km(ref, "flat", &s, KS_KM_CONF_LOG);
    surv_set_free(&s);
}

static void test_edge_cases(void)
{
    ks_km km;
    ks_logrank lr;
    ks_error err = {0};
    double t[8] = {0};
    int e[8] = {0}, g[8] = {0};

    /* empty input */
    KS_CHECK_INT(ks_km_fit(t, e, NULL, 0, KS_KM_CONF_LOG, &km, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "no observations") != NULL);
    KS_CHECK_INT(ks_logrank_test(t, e, g, 0, &lr, &err), -KS_EDATA);

    /* one observation with one event: S drops to 0, se is Inf, the CI is NA;
     * R: survfit(Surv(5, 1) ~ 1) prints median 5, 0.95LCL NA, 0.95UCL NA */
    t[0] = 5;
    e[0] = 1;
    KS_CHECK_INT(ks_km_fit(t, e, NULL, 1, KS_KM_CONF_LOG, &km, &err), 0);
    KS_CHECK_INT(km.n_curves, 1);
    KS_CHECK_INT(km.curves[0].n_rows, 1);
    KS_CHECK_DBL(km.curves[0].rows[0].surv, 0.0, 0);
    KS_CHECK(isinf(km.curves[0].rows[0].se_log));
    KS_CHECK(isnan(km.curves[0].rows[0].std_err));
    KS_CHECK(isnan(km.curves[0].rows[0].lower) && isnan(km.curves[0].rows[0].upper));
    KS_CHECK_DBL(km.curves[0].median, 5.0, 0);
    KS_CHECK(isnan(km.curves[0].median_lo) && isnan(km.curves[0].median_hi));
    KS_CHECK_INT(km.curves[0].n_events, 1);
    ks_km_release(&km);

    /* R: survfit(Surv(c(1,2,2,3,4), c(1,0,1,1,1)) ~ 1): surv .8 .6 .3 0,
     * std.err .2236068 .3651484 .7958224 Inf, lower .51612576 .29331643
     * .06305448 NA, median 3, 0.95LCL 2, 0.95UCL NA */
    double t5[] = {4, 2, 1, 3, 2};
    int e5[] = {1, 0, 1, 1, 1};
    KS_CHECK_INT(ks_km_fit(t5, e5, NULL, 5, KS_KM_CONF_LOG, &km, &err), 0);
    const ks_km_curve *c = &km.curves[0];
    KS_CHECK_INT(c->n_rows, 4);
    const double surv5[] = {0.8, 0.6, 0.3, 0.0}, se5[] = {0.2236068, 0.3651484, 0.7958224};
    const double lo5[] = {0.51612576, 0.29331643, 0.06305448};
    for (size_t i = 0; i < 4 && c->n_rows == 4; i++) {
        KS_CHECK_DBL(c->rows[i].surv, surv5[i], 1e-12);
        if (i < 3) {
            KS_CHECK_DBL(c->rows[i].se_log, se5[i], 1e-7);
            KS_CHECK_DBL(c->rows[i].lower, lo5[i], 1e-8);
            KS_CHECK_DBL(c->rows[i].upper, 1.0, 0);
        }
    }
    KS_CHECK(c->n_rows == 4 && c->rows[1].n_censor == 1 && c->rows[1].n_event == 1);
    KS_CHECK_DBL(c->median, 3.0, 0);
    KS_CHECK_DBL(c->median_lo, 2.0, 0);
    KS_CHECK(isnan(c->median_hi));
    ks_km_release(&km);

    /* everyone censored: S stays 1, no median */
    double tc[] = {3, 1, 2};
    int ec[] = {0, 0, 0};
    KS_CHECK_INT(ks_km_fit(tc, ec, NULL, 3, KS_KM_CONF_LOGLOG, &km, &err), 0);
    KS_CHECK_INT(km.curves[0].n_rows, 3);
    KS_CHECK_DBL(km.curves[0].rows[2].surv, 1.0, 0);
    KS_CHECK(isnan(km.curves[0].rows[2].lower)); /* log-log has no interval at S = 1 */
    KS_CHECK(isnan(km.curves[0].median));
    ks_km_release(&km);

    /* bad input */
    double tb[] = {1, -2};
    int eb[] = {1, 1};
    KS_CHECK_INT(ks_km_fit(tb, eb, NULL, 2, KS_KM_CONF_LOG, &km, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "row 2") != NULL);
    tb[1] = 2;
    eb[1] = 2;
    KS_CHECK_INT(ks_km_fit(tb, eb, NULL, 2, KS_KM_CONF_LOG, &km, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "event") != NULL);
    KS_CHECK_INT(ks_km_fit(tb, e5, NULL, 2, (ks_km_conf)7, &km, &err), -KS_EUSAGE);

    /* log-rank: a single group is an error, not a chi-square of 0 */
    KS_CHECK_INT(ks_logrank_test(t5, e5, NULL, 5, &lr, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "two groups") != NULL);
    KS_CHECK(lr.observed == NULL);
    int g5[] = {7, 7, 7, 7, 7};
    KS_CHECK_INT(ks_logrank_test(t5, e5, g5, 5, &lr, &err), -KS_EDATA);
    /* two groups but no events */
    int g2[] = {1, 2, 1};
    KS_CHECK_INT(ks_logrank_test(tc, ec, g2, 3, &lr, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "no events") != NULL);
    /* both deaths at the one time: the variance is 0 */
    double tt[] = {1, 1};
    int et[] = {1, 1}, gt[] = {1, 2};
    KS_CHECK_INT(ks_logrank_test(tt, et, gt, 2, &lr, &err), -KS_EDATA);
    KS_CHECK(strstr(err.msg, "singular") != NULL);

    /* one event in two groups of two, by hand: at t=1 n=4, d=1, group 1 has 2
     * at risk: E1 = 0.5, V11 = 1*3/(16*3)*2*2 = 0.25, chisq = 0.5^2/0.25 = 1 */
    double th[] = {1, 2, 3, 4};
    int eh[] = {1, 0, 0, 0}, gh[] = {1, 1, 2, 2};
    KS_CHECK_INT(ks_logrank_test(th, eh, gh, 4, &lr, &err), 0);
    KS_CHECK_DBL(lr.expected[0], 0.5, 1e-12);
    KS_CHECK_DBL(lr.expected[1], 0.5, 1e-12);
    KS_CHECK_DBL(lr.var[0], 0.25, 1e-12);
    KS_CHECK_DBL(lr.var[1], -0.25, 1e-12);
    KS_CHECK_DBL(lr.chisq, 1.0, 1e-12);
    KS_CHECK_INT(lr.df, 1);
    KS_CHECK_DBL(lr.p, 0.31731050786291404, 1e-9); /* pchisq(1, 1, lower = FALSE) */
    KS_CHECK_INT(lr.group[0], 1);
    KS_CHECK_INT(lr.n[1], 2);
    ks_logrank_release(&lr);

    ks_km_conf cf;
    KS_CHECK_INT(ks_km_conf_parse("log-log", &cf, &err), 0);
    KS_CHECK_INT(cf, KS_KM_CONF_LOGLOG);
    KS_CHECK_INT(ks_km_conf_parse("logit", &cf, &err), -KS_EUSAGE);
    KS_CHECK_STR(ks_km_conf_name(KS_KM_CONF_PLAIN), "plain");
}

int main(void)
{
    ref_table ref;
    ref_load(&ref);
    test_reference(&ref);
    test_edge_cases();
    ref_free(&ref);
    return ks_test_report();
}
