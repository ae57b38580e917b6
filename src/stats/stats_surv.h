/* stats_surv.h: Kaplan-Meier curves and the log-rank test for right-censored
 * data, computed as R's survival package (3.5) computes survfit(),
 * print.survfit() and survdiff(rho = 0).
 *
 * Ownership: ks_km_fit and ks_logrank_test fill a struct the caller owns;
 * ks_km_release / ks_logrank_release free its contents (safe on a zeroed or
 * failed result).  Input arrays are borrowed, never kept.
 *
 * Input: time[i] >= 0 (finite), event[i] 0 (censored) or 1 (event), and an
 * optional group[i] label (any int; groups come out in ascending label order,
 * as R orders the levels of a numeric group).  Times are compared exactly:
 * survival's timefix (merging times that differ by rounding only) is not
 * applied, so pass whole days.  Errors return -KS_EDATA (no observations,
 * bad time or event, a single group for the log-rank test) or -KS_EUSAGE. */
#ifndef KASANE_STATS_SURV_H
#define KASANE_STATS_SURV_H

#include <stddef.h>

#include "util.h"

/* Confidence interval for S(t), survfit's conf.type. */
typedef enum ks_km_conf {
    KS_KM_CONF_LOG = 0,    /* "log" (survfit's default): exp(log S -+ z se) */
    KS_KM_CONF_PLAIN = 1,  /* "plain": S -+ z S se, clipped to [0, 1] */
    KS_KM_CONF_LOGLOG = 2, /* "log-log": on log(-log S) */
} ks_km_conf;

const char *ks_km_conf_name(ks_km_conf c); /* "log", "plain", "log-log" */
/* 0 and *out set, or -KS_EUSAGE for an unknown name. */
int ks_km_conf_parse(const char *s, ks_km_conf *out, ks_error *err);

/* One row per distinct time in the group (event or censoring), like the
 * rows of a survfit object; rows with n_event == 0 are censoring-only. */
typedef struct ks_km_row {
    double time;     /* the time */
    double n_risk;   /* at risk just before time */
    double n_event;  /* events at time */
    double n_censor; /* censored at time */
    double surv;     /* Kaplan-Meier S(time) */
    double se_log;   /* Greenwood se of log S (survfit's $std.err); Inf once S = 0 */
    double std_err;  /* se of S = S * se_log (summary.survfit's std.err); NAN when S = 0 */
    double lower;    /* 95% CI of S; NAN where survfit gives NA (S = 0, or S = 1 for log-log) */
    double upper;    /* upper end, same rule */
} ks_km_row;

typedef struct ks_km_curve {
    int group;          /* group label (0 when no groups were given) */
    size_t n;           /* records */
    size_t n_events;    /* events */
    ks_km_row *rows;    /* n_rows rows in time order */
    size_t n_rows;      /* distinct times */
    double median;      /* median survival as print.survfit; NAN if S stays above 0.5 */
    double median_lo;   /* 95% CI of the median from the lower curve; NAN if not reached */
    double median_hi;   /* from the upper curve; NAN if not reached */
} ks_km_curve;

typedef struct ks_km {
    ks_km_curve *curves;  /* one per group, ascending label */
    size_t n_curves;      /* groups */
    ks_km_conf conf_type; /* the CI type used */
} ks_km;

/* Kaplan-Meier by group (group may be NULL for one curve), 95% intervals.
 * Median: the first time S <= 0.5; when S is exactly 0.5 (within 1.5e-8)
 * over a flat stretch, the midpoint between its start and the next time S
 * drops -- print.survfit's rule; the CI limits apply it to the lower and
 * upper curves. */
int ks_km_fit(const double *time, const int *event, const int *group, size_t n,
              ks_km_conf conf_type, ks_km *out, ks_error *err);
void ks_km_release(ks_km *km);

typedef struct ks_logrank {
    size_t n_groups;  /* k */
    int *group;       /* k labels, ascending */
    size_t *n;        /* k records per group */
    double *observed; /* k observed events */
    double *expected; /* k expected events under equal hazards */
    double *var;      /* k x k row-major variance of observed - expected */
    double chisq;     /* (O-E)' V^-1 (O-E) over groups with expected > 0, first dropped */
    int df;           /* groups with expected > 0, minus 1 */
    double p;         /* upper tail of chi-square(df) */
} ks_logrank;

/* Log-rank test across groups, survdiff(rho = 0).  Needs at least two groups
 * with subjects at risk at some event time. */
int ks_logrank_test(const double *time, const int *event, const int *group, size_t n,
                    ks_logrank *out, ks_error *err);
void ks_logrank_release(ks_logrank *lr);

#endif
