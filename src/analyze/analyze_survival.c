/* analyze_survival.c: `kasane analyze survival GROUP [--times 30,90,180,365]`.
 *
 * Time from consultation to closure in days.  An event is a case closed or
 * suspended (終結 or 中断) on its closed_date; an ongoing case is censored at
 * the last date the database knows (the latest consult or closed date of
 * any case), so a recent case counts as "still open after so many days".
 * Kaplan-Meier by group with Greenwood's variance and log-type 95% intervals
 * (survfit's defaults), the median with its interval, the curve at the given
 * times (as summary(fit, times, extend = TRUE)), and the log-rank test.
 *
 * Disclosure: the summary is a table with a total row and the additive
 * columns events + censored = n, so disclosure control protects events and
 * censored counts of every group; medians are hidden with the group's n or
 * events.  At each curve point n.risk and n.event (events since the previous
 * time) are count columns and the survival estimate and interval are hidden
 * with either, so no printed point rests on fewer than k people.  Since S(t)
 * carries every earlier event, a point is also hidden while the events since
 * the last printed point number 1 to k-1 (else two printed points would give
 * the hidden interval's events by their ratio).
 *
 * The two tables are one publication (issue 9: 313 hidden counts came back
 * from them by addition and subtraction).  A group's curve counts are
 * printed only when its summary row is (else the curve's events add up to
 * the hidden summary count) and when no difference of its nested counts is
 * 1..k-1 (curve_leaks); otherwise the whole curve of the group is hidden.
 * The log-rank test of a summary with a hidden count is printed as its p
 * class only: its statistic is an equation in the observed events.
 * tests/attack/a2040-survival.sh.
 *
 * Under the cell key method (analyze.h) the two tables hold only counts,
 * each perturbed by its own cases' record keys: events, censored and n per
 * group, and at each --times point the cases still at risk and the events
 * since the previous point.  The Kaplan-Meier estimate, its interval, the
 * median, the expected events and the log-rank test are not printed: each
 * is a function of every case's own time (S(t) is a product over every day
 * with an event of 1 - d/n), which the published counts do not carry, and
 * computed from the true data it would give true counts back beside the
 * perturbed ones (S(t) = 17/20 names both).  A curve from the published
 * counts alone would be a life table over the printed intervals, a
 * different and biased estimator; so the estimates are left out rather than
 * replaced (emit_cellkey). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "codes.h"
#include "date.h"
#include "stats_surv.h"
#include "weaken.h"

#define DAY_EXPR "CAST(julianday(c.consult_date) - 2440587.5 AS INTEGER)"
#define CLOSED_EXPR "CAST(julianday(c.closed_date) - 2440587.5 AS INTEGER)"

typedef struct sv_scan {
    const ks_an_var *v;  /* group variable, NULL for all */
    bool drop_unknown;   /* leave out 不明 */
    int64_t last;        /* day of the last date in the database */
    double *time;        /* [n] days */
    int *event;          /* [n] 1 closed or suspended */
    int *group;          /* [n] level index */
    uint64_t *key;       /* [n] record key (cell key method, else 0) */
    size_t n;            /* cases kept */
    size_t cap;          /* allocated */
    uint64_t nkey;       /* the kept cases' keys' sum */
    ks_an_n missing;     /* group missing */
    ks_an_n unknown;     /* group 不明 */
    ks_an_n no_close;    /* closed or suspended without a closed date */
} sv_scan;

static int sv_row(void *ud, const int64_t *val, const bool *null)
{
    sv_scan *s = ud;
    int g = 0;
    if (s->v) {
        int li = null[3] ? -1 : ks_an_var_index(s->v, s->v->kind == KS_AN_BINARY ? val[3] != 0 : val[3]);
        if (li < 0) {
            ks_an_n_add(&s->missing, val[4]);
            return 0;
        }
        if (s->drop_unknown && s->v->lev[li].unknown) {
            ks_an_n_add(&s->unknown, val[4]);
            return 0;
        }
        g = li;
    }
    double t;
    int ev;
    if (val[0] == KS_STATUS_ONGOING) {
        t = (double)(s->last - val[1]);
        ev = 0;
    } else if (null[2]) {
        ks_an_n_add(&s->no_close, val[4]);
        return 0;
    } else {
        t = (double)(val[2] - val[1]);
        ev = 1;
    }
    if (t < 0)
        t = 0; /* a case consulted after the last date cannot happen; be safe */
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->time = ks_realloc(s->time, ks_mul(s->cap, sizeof *s->time));
        s->event = ks_realloc(s->event, ks_mul(s->cap, sizeof *s->event));
        s->group = ks_realloc(s->group, ks_mul(s->cap, sizeof *s->group));
        s->key = ks_realloc(s->key, ks_mul(s->cap, sizeof *s->key));
    }
    s->time[s->n] = t;
    s->event[s->n] = ev;
    s->group[s->n] = g;
    s->key[s->n] = (uint64_t)val[4]; /* the case's record key (ks_an_scan) */
    s->nkey += (uint64_t)val[4];
    s->n++;
    return 0;
}

/* --times: ascending whole days. */
static int parse_times(const char *spec, double **out, size_t *n, ks_error *err)
{
    *out = NULL;
    *n = 0;
    const char *p = spec;
    while (*p) {
        char *end;
        double t = strtod(p, &end);
        if (end == p || !(t >= 0) || t > 36500 || t != floor(t) || (*end && *end != ',') ||
            (*n && t <= (*out)[*n - 1])) {
            free(*out);
            *out = NULL;
            return ks_error_set(err, KS_EUSAGE, "--times takes ascending whole days, e.g. 30,90,180,365, not '%s'",
                                spec);
        }
        *out = ks_realloc(*out, ks_mul(*n + 1, sizeof **out));
        (*out)[(*n)++] = t;
        p = *end ? end + 1 : end;
    }
    if (!*n)
        return ks_error_set(err, KS_EUSAGE, "--times needs at least one time");
    return 0;
}

/* The curve at time t, as summary.survfit(times = t, extend = TRUE). */
typedef struct km_point {
    double n_risk;  /* at risk at t (time >= t) */
    double surv;    /* S(t) */
    double lower;   /* 95% interval */
    double upper;   /* upper end */
} km_point;

static km_point km_at(const ks_km_curve *c, double t)
{
    km_point p = {0, 1, 1, 1};
    for (size_t i = 0; i < c->n_rows && c->rows[i].time <= t; i++) {
        p.surv = c->rows[i].surv;
        p.lower = c->rows[i].lower;
        p.upper = c->rows[i].upper;
    }
    for (size_t i = 0; i < c->n_rows; i++)
        if (c->rows[i].time >= t) {
            p.n_risk = c->rows[i].n_risk;
            break;
        }
    return p;
}

static double events_between(const ks_km_curve *c, double lo, double hi, bool first)
{
    double e = 0;
    for (size_t i = 0; i < c->n_rows; i++)
        if ((first || c->rows[i].time > lo) && c->rows[i].time <= hi)
            e += c->rows[i].n_event;
    return e;
}

/* Columns of the summary table. */
enum { S_GROUP, S_CODE, S_EVENTS, S_CENS, S_N, S_EXP, S_MED, S_MLO, S_MHI };
/* Columns of the curve table. */
enum { V_GROUP, V_CODE, V_TIME, V_RISK, V_EVENT, V_SURV, V_LO, V_HI };

static void summary_row(ks_table *t, size_t row, const char *label, const char *code, const ks_km_curve *c,
                        double expected)
{
    ks_table_set_text(t, row, S_GROUP, label, NULL);
    ks_table_set_text(t, row, S_CODE, code, NULL);
    ks_table_set_int(t, row, S_EVENTS, (int64_t)c->n_events, NULL);
    ks_table_set_int(t, row, S_CENS, (int64_t)(c->n - c->n_events), NULL);
    ks_table_set_int(t, row, S_N, (int64_t)c->n, NULL);
    ks_an_set_real(t, row, S_EXP, expected, NULL);
    ks_an_set_real(t, row, S_MED, c->median, NULL);
    ks_an_set_real(t, row, S_MLO, c->median_lo, NULL);
    ks_an_set_real(t, row, S_MHI, c->median_hi, NULL);
}

static bool sum_hidden(const ks_table *t, size_t row, size_t col)
{
    return ks_table_cell(t, row, col)->kind == KS_CELL_SUPPRESSED;
}

static bool small_count(double x, int k)
{
    double m = fabs(x);
    return m > 0.5 && m < (double)k - 0.5;
}

/* Whether a group's curve counts, printed in full, would give a count below
 * k by subtraction (the two tables are one publication: the summary's n and
 * events are a group's totals, the curve's at-risk and event counts split
 * them by time).  The differences checked: each interval's events; the
 * cases leaving the risk set between two points (n before the first);
 * those less the interval's events (the censored, up to the events on the
 * two boundary days); the events after the last point (the summary's
 * events less the intervals'); and the at-risk count at the last point
 * less those.  Any of them 1..k-1 hides the group's whole curve. */
static bool curve_leaks(const ks_km_curve *c, const km_point *pts, const double *evs, size_t n, int k)
{
    double prev = (double)c->n, sum_ev = 0;
    for (size_t i = 0; i < n; i++) {
        double left = prev - pts[i].n_risk;
        if (small_count(evs[i], k) || small_count(pts[i].n_risk, k) || small_count(left, k) ||
            small_count(left - evs[i], k))
            return true;
        prev = pts[i].n_risk;
        sum_ev += evs[i];
    }
    double tail = (double)c->n_events - sum_ev;
    return n > 0 && (small_count(tail, k) || small_count(pts[n - 1].n_risk - tail, k));
}

/* The state one survival analysis passes from step to step;
 * ks_analyze_survival owns everything here and releases it once, at its
 * `done:`. */
typedef struct sv_run {
    ks_an *a;            /* the analysis (borrowed) */
    ks_an_var *v;        /* group variable, NULL for all (owned) */
    sv_scan s;           /* the cases kept (time, event and group owned) */
    double *times;       /* [ntimes] --times, ascending days (owned) */
    size_t ntimes;       /* entries of times */
    ks_km km;            /* one curve per group (owned) */
    ks_km all;           /* all cases together: one curve (owned) */
    ks_logrank lr;       /* the log-rank test, when have_lr (owned) */
    bool have_lr;        /* the groups were tested */
    bool links;          /* the two tables are suppressed together (not weakened) */
    size_t tr;           /* the summary's total row */
    ks_table *sum;       /* the summary per group (owned) */
    ks_table *curve;     /* the curves at the times (owned) */
    ks_table *test;      /* the log-rank test (owned) */
    ks_an_excl ex;       /* cases left out and why */
    char *nnote;         /* the n footer of every table (owned) */
    ks_buf lrnote;       /* why there is no log-rank test, for the summary's notes */
} sv_run;

/* GROUP: `all`, or a variable that gives a case one value (groups of a
 * multi-response variable would overlap) */
static int group_variable(sv_run *r, const char *group, ks_error *err)
{
    if (strcmp(group, "all") == 0)
        return 0;
    if (!(r->v = ks_an_var_new(r->a, group, false, err)))
        return -err->code;
    if (r->v->kind == KS_AN_SET)
        return ks_error_set(err, KS_EUSAGE,
                            "'%s' gives a case several values, so groups would overlap; use the main problem "
                            "(problem) or a yes/no variable such as problem:hikikomori",
                            r->v->name);
    return 0;
}

/* Every case's time and event, censored at the database's last date, with
 * the footer of what was left out; refuses a selection of fewer than k. */
static int scan_cases(sv_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    sv_scan *s = &r->s;
    ks_date last;
    if (!a->last_date || ks_date_parse(a->last_date, strlen(a->last_date), &last) != KS_DATE_OK)
        return ks_error_set(err, KS_EDATA, "the database has no cases");
    s->v = v;
    s->drop_unknown = a->opts.drop_unknown;
    s->last = ks_date_days(last);
    const char *exprs[4] = {"c.status_id", DAY_EXPR, CLOSED_EXPR, v ? v->expr : "0"};
    int rc;
    if ((rc = ks_an_scan(a, exprs, 4, NULL, sv_row, s, err)))
        return rc;
    if (v)
        ks_an_excl_var(a, &r->ex, v, s->missing, s->unknown);
    ks_an_excl_add(a, &r->ex, s->no_close,
                   KS_AN_L(a, "終結・中断で終結日なし", "closed or suspended with no closed date"));
    r->nnote = ks_an_note_n(a, (ks_an_n){(int64_t)s->n, s->nkey}, KS_AN_L(a, "件", "cases"), &r->ex);
    if (s->n == 0)
        return ks_error_set(err, KS_EDATA, "no cases to analyse (%s)", r->nnote);
    if ((int64_t)s->n < a->k)
        return ks_error_set(err, KS_ESAFETY, "fewer than k=%d cases in the selection: no survival curve", a->k);
    return 0;
}

/* Kaplan-Meier per group and for all cases, and the log-rank test of two
 * groups or more (a failed test is a note, not an error). */
static int fit_curves(sv_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const sv_scan *s = &r->s;
    int rc;
    if ((rc = ks_km_fit(s->time, s->event, r->v ? s->group : NULL, s->n, KS_KM_CONF_LOG, &r->km, err)) ||
        (rc = ks_km_fit(s->time, s->event, NULL, s->n, KS_KM_CONF_LOG, &r->all, err)))
        return rc;
    if (r->v && r->km.n_curves >= 2) {
        ks_error lerr = {0};
        if (ks_logrank_test(s->time, s->event, s->group, s->n, &r->lr, &lerr) == 0)
            r->have_lr = true;
        else
            ks_buf_addf(&r->lrnote, KS_AN_L(a, "ログランク検定なし: %s", "no log-rank test: %s"), lerr.msg);
    } else if (r->v) {
        ks_buf_adds(&r->lrnote,
                    KS_AN_L(a, "群が1つだけのためログランク検定なし", "a single group: no log-rank test"));
    }
    return 0;
}

/* The summary's columns: events + censored = n are counts, the expected
 * events and the median are hidden with a group's n or events. */
static ks_table *summary_table(ks_an *a, const ks_an_var *v)
{
    ks_table *sum = ks_table_new();
    ks_table_add_column(sum, "group", v ? v->label : KS_AN_L(a, "群", "group"), KS_COL_TEXT, NULL);
    ks_table_add_column(sum, "code", KS_AN_L(a, "コード", "code"), KS_COL_TEXT, NULL);
    ks_table_add_column(sum, "events", KS_AN_L(a, "終結・中断", "events"), KS_COL_INT, NULL);
    ks_table_add_column(sum, "censored", KS_AN_L(a, "継続中(打切り)", "censored"), KS_COL_INT, NULL);
    ks_table_add_column(sum, "n", KS_AN_L(a, "件数", "n"), KS_COL_INT, NULL);
    ks_an_col(sum, "expected", KS_AN_L(a, "期待事象数", "expected events"), KS_COL_REAL, 1, NULL);
    ks_an_col(sum, "median", KS_AN_L(a, "中央値(日)", "median (days)"), KS_COL_REAL, 1, NULL);
    ks_an_col(sum, "median_lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 1, NULL);
    ks_an_col(sum, "median_upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 1, NULL);
    for (size_t j = S_EVENTS; j <= S_N; j++)
        ks_table_set_count(sum, j, NULL);
    for (size_t j = S_EXP; j <= S_MHI; j++)
        ks_table_set_share(sum, j, S_N, S_EVENTS, NULL);
    return sum;
}

/* summary per group, with a total row */
static int emit_summary(sv_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    ks_table *sum = r->sum = summary_table(a, v);
    for (size_t g = 0; v && g < r->km.n_curves; g++) {
        const ks_km_curve *c = &r->km.curves[g];
        double e = NAN;
        for (size_t i = 0; r->have_lr && i < r->lr.n_groups; i++)
            if (r->lr.group[i] == c->group)
                e = r->lr.expected[i];
        size_t row = ks_table_add_row(sum);
        summary_row(sum, row, v->lev[c->group].label, v->lev[c->group].code, c, e);
    }
    r->tr = ks_table_add_row(sum);
    summary_row(sum, r->tr, KS_AN_L(a, "全体", "all"), "all", &r->all.curves[0],
                r->have_lr ? r->all.curves[0].n_events : NAN);
    int rc;
    if ((rc = ks_table_set_totals(sum, v ? (long)r->tr : -1, S_N, err)))
        return rc;
    const char *snotes[3];
    size_t nsn = 0;
    char cens[300];
    snprintf(cens, sizeof cens,
             KS_AN_L(a, "事象 = 終結または中断 (終結日); 継続中は %s に打切り; 中央値: 生存率が 0.5 以下になる最初の日数 "
                        "(空欄 = 未到達)",
                     "event = closed or suspended (on the closed date); ongoing cases censored at %s; median: first "
                     "day the curve reaches 0.5 (empty = not reached)"),
             a->last_date);
    snotes[nsn++] = cens;
    if (r->lrnote.len)
        snotes[nsn++] = r->lrnote.buf;
    return ks_an_emit(a, "summary", KS_AN_L(a, "終結までの日数: 群別", "Days to closure by group"), sum, r->nnote, snotes,
                      nsn, err);
}

/* The curve's columns: at-risk and event counts, and the estimate and its
 * interval hidden with either. */
static ks_table *curve_table(ks_an *a, const ks_an_var *v)
{
    ks_table *curve = ks_table_new();
    ks_table_add_column(curve, "group", v ? v->label : KS_AN_L(a, "群", "group"), KS_COL_TEXT, NULL);
    ks_table_add_column(curve, "code", KS_AN_L(a, "コード", "code"), KS_COL_TEXT, NULL);
    ks_table_add_column(curve, "time", KS_AN_L(a, "日数", "days"), KS_COL_INT, NULL);
    ks_table_add_column(curve, "n_risk", KS_AN_L(a, "リスク集合", "at risk"), KS_COL_INT, NULL);
    ks_table_add_column(curve, "n_event", KS_AN_L(a, "期間内の事象", "events since previous"), KS_COL_INT, NULL);
    ks_an_col(curve, "surv", KS_AN_L(a, "未終結の割合", "still open"), KS_COL_REAL, 4, NULL);
    ks_an_col(curve, "lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 4, NULL);
    ks_an_col(curve, "upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 4, NULL);
    ks_table_set_count(curve, V_RISK, NULL);
    ks_table_set_count(curve, V_EVENT, NULL);
    for (size_t j = V_SURV; j <= V_HI; j++)
        ks_table_set_share(curve, j, V_RISK, V_EVENT, NULL);
    return curve;
}

/* One group's rows of the curve (g: its curve in src; pts and evs: scratch
 * of ntimes entries); returns whether its counts were hidden whole. */
static bool curve_group(sv_run *r, const ks_km *src, size_t g, km_point *pts, double *evs)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    ks_table *curve = r->curve;
    const ks_km_curve *c = &src->curves[g];
    for (size_t i = 0; i < r->ntimes; i++) {
        pts[i] = km_at(c, r->times[i]);
        evs[i] = events_between(c, i ? r->times[i - 1] : 0, r->times[i], i == 0);
    }
    /* the group's row of the summary, as printed */
    size_t srow = v ? g : r->tr;
    bool hide_counts = r->links && (sum_hidden(r->sum, srow, S_EVENTS) || sum_hidden(r->sum, srow, S_CENS) ||
                                    sum_hidden(r->sum, srow, S_N));
    if (r->links && !hide_counts)
        hide_counts = curve_leaks(c, pts, evs, r->ntimes, a->k);
    double since = 0; /* events since the last point printed */
    for (size_t i = 0; i < r->ntimes; i++) {
        km_point p = pts[i];
        double ev = evs[i];
        since += ev;
        size_t row = ks_table_add_row(curve);
        ks_table_set_text(curve, row, V_GROUP, v ? v->lev[c->group].label : KS_AN_L(a, "全体", "all"), NULL);
        ks_table_set_text(curve, row, V_CODE, v ? v->lev[c->group].code : "all", NULL);
        ks_table_set_int(curve, row, V_TIME, (int64_t)r->times[i], NULL);
        ks_table_set_int(curve, row, V_RISK, (int64_t)p.n_risk, NULL);
        ks_table_set_int(curve, row, V_EVENT, (int64_t)ev, NULL);
        ks_an_set_real(curve, row, V_SURV, p.surv, NULL);
        ks_an_set_real(curve, row, V_LO, p.lower, NULL);
        ks_an_set_real(curve, row, V_HI, p.upper, NULL);
        if (hide_counts) {
            for (size_t j = V_RISK; j <= V_HI; j++)
                ks_table_suppress(curve, row, j, KS_WHY_LINKED, NULL);
            continue;
        }
        /* S(t) carries every event before t: next to the last point
         * printed it gives away the events in between, so a point is
         * printed only when those are none or at least k (the k rule
         * then hides the points whose own counts are below k) */
        bool small = (p.n_risk > 0 && p.n_risk < a->k) || (ev > 0 && ev < a->k);
        if (since > 0 && since < a->k) {
            for (size_t j = V_SURV; j <= V_HI; j++)
                ks_table_suppress(curve, row, j, KS_WHY_LINKED, NULL);
        } else if (!small) {
            since = 0;
        }
    }
    return hide_counts;
}

/* the curves at the times asked for */
static int emit_curve(sv_run *r, ks_error *err)
{
    ks_an *a = r->a;
    r->curve = curve_table(a, r->v);
    const ks_km *src = r->v ? &r->km : &r->all;
    km_point *pts = ks_calloc(r->ntimes ? r->ntimes : 1, sizeof *pts);
    double *evs = ks_calloc(r->ntimes ? r->ntimes : 1, sizeof *evs);
    size_t ncurves_hidden = 0;
    for (size_t g = 0; g < src->n_curves; g++)
        ncurves_hidden += curve_group(r, src, g, pts, evs);
    free(pts);
    free(evs);
    const char *cnotes[2] = {KS_AN_L(a, "Kaplan–Meier 推定, Greenwood 分散による log 型 95%信頼区間; 期間内の事象: 前の時点より後からこの時点まで; "
                                        "リスク集合か事象が k 未満の点は非表示",
                                     "Kaplan-Meier estimate with Greenwood log-type 95% intervals; events since previous: after "
                                     "the previous time up to this one; a point whose at-risk or event count is below k "
                                     "is hidden")};
    size_t ncn = 1;
    char chid[300];
    if (ncurves_hidden) {
        snprintf(chid, sizeof chid,
                 KS_AN_L(a, "%zu 群の曲線は件数ごと非表示: 要約表で件数が秘匿されているか、時点間の件数の差が k 未満になるため",
                         "%zu group(s) have their whole curve hidden: a count of theirs is hidden in the summary, or "
                         "a difference between their counts would be below k"),
                 ncurves_hidden);
        cnotes[ncn++] = chid;
    }
    return ks_an_emit(a, "curve", KS_AN_L(a, "未終結の割合 (指定日数)", "Share still open at given days"), r->curve,
                      r->nnote, cnotes, ncn, err);
}

/* the log-rank test, when the groups were tested */
static int emit_logrank(sv_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_logrank *lr = &r->lr;
    ks_table *test = r->test = ks_table_new();
    ks_table_add_column(test, "test", KS_AN_L(a, "検定", "test"), KS_COL_TEXT, NULL);
    ks_an_col(test, "chisq", KS_AN_L(a, "χ²", "chi2"), KS_COL_REAL, 3, NULL);
    ks_table_add_column(test, "df", KS_AN_L(a, "自由度", "df"), KS_COL_INT, NULL);
    ks_an_col(test, "p", "p", KS_COL_REAL, -1, NULL);
    ks_table_add_column(test, "p_class", KS_AN_L(a, "p の階級", "p class"), KS_COL_TEXT, NULL);
    /* the log-rank statistic is sum (O - E)' V^-1 (O - E) over the groups'
     * observed events: with one of those hidden it is an equation in it,
     * so it is printed only as its p class (as crosstab's tests) */
    bool lr_class = false;
    for (size_t i = 0; i < ks_table_nrows(r->sum) && r->links; i++)
        lr_class = lr_class || sum_hidden(r->sum, i, S_EVENTS) || sum_hidden(r->sum, i, S_CENS) ||
                   sum_hidden(r->sum, i, S_N);
    size_t row = ks_table_add_row(test);
    ks_table_set_text(test, row, 0, "logrank", NULL);
    if (!lr_class) {
        ks_an_set_real(test, row, 1, lr->chisq, NULL);
        ks_an_set_real(test, row, 3, lr->p, NULL);
    }
    ks_table_set_int(test, row, 2, lr->df, NULL);
    ks_table_set_text(test, row, 4,
                      !isfinite(lr->p) ? "" : lr->p < 0.001 ? "<0.001" : lr->p < 0.01 ? "<0.01" : lr->p < 0.05 ? "<0.05"
                                                                                                       : "n.s.",
                      NULL);
    const char *tnotes[2] = {KS_AN_L(a, "ログランク検定 (survdiff, rho = 0)", "log-rank test (survdiff, rho = 0)"),
                             KS_AN_L(a, "要約表に秘匿した件数があるため p の階級だけを表示", "a count of the summary is hidden: only the p class is printed")};
    return ks_an_emit(a, "logrank", KS_AN_L(a, "ログランク検定", "Log-rank test"), test, r->nnote, tnotes,
                      lr_class ? 2 : 1, err);
}

/* ---- the cell key method ---- */

/* A group's counts under the cell key method, true with their keys' sums. */
typedef struct ck_group {
    ks_an_n n;      /* cases */
    ks_an_n events; /* of which events */
} ck_group;

/* The summary of perturbed counts: one row per group whose published n is
 * above 0, then all; the estimates empty (see the top).  listed[g] says
 * which groups got a row. */
static int ck_summary(sv_run *r, const ck_group *grp, const ck_group *all, size_t ng, bool *listed, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    ks_table *sum = r->sum = summary_table(a, v);
    for (size_t g = 0; g <= ng; g++) {
        const ck_group *c = g < ng ? &grp[g] : all;
        if (g < ng && (!v || ks_an_count(a, c->n.n, c->n.key) <= 0))
            continue;
        if (g < ng)
            listed[g] = true;
        size_t row = ks_table_add_row(sum);
        if (g == ng)
            r->tr = row;
        ks_table_set_text(sum, row, S_GROUP, g < ng ? v->lev[g].label : KS_AN_L(a, "全体", "all"), NULL);
        ks_table_set_text(sum, row, S_CODE, g < ng ? v->lev[g].code : "all", NULL);
        ks_table_set_int(sum, row, S_EVENTS, ks_an_count(a, c->events.n, c->events.key), NULL);
        ks_table_set_int(sum, row, S_CENS, ks_an_count(a, c->n.n - c->events.n, c->n.key - c->events.key), NULL);
        ks_table_set_int(sum, row, S_N, ks_an_count(a, c->n.n, c->n.key), NULL);
    }
    int rc;
    if ((rc = ks_table_set_totals(sum, v ? (long)r->tr : -1, S_N, err)))
        return rc;
    char cens[300];
    snprintf(cens, sizeof cens,
             KS_AN_L(a, "事象 = 終結または中断 (終結日); 継続中は %s に打切り",
                     "event = closed or suspended (on the closed date); ongoing cases censored at %s"),
             a->last_date);
    const char *snotes[2] = {cens, KS_AN_L(a, "セルキー法: Kaplan–Meier 推定・中央値・期待事象数・ログランク検定は各件の日数から計算する"
                                              "ため表示しません (撹乱前の件数を明かすため)",
                                           "cell key method: the Kaplan-Meier estimates, medians, expected events and "
                                           "the log-rank test are not shown: they are computed from every case's own "
                                           "time and would give the true counts back")};
    return ks_an_emit(a, "summary", KS_AN_L(a, "終結までの日数: 群別", "Days to closure by group"), sum, r->nnote, snotes,
                      2, err);
}

/* The curve's perturbed counts at the times: at risk (time >= t) and the
 * events since the previous time (the first from day 0), per listed group. */
static int ck_curve(sv_run *r, const bool *listed, size_t ng, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    const sv_scan *s = &r->s;
    ks_table *curve = r->curve = curve_table(a, v);
    for (size_t g = 0; g < ng; g++) {
        if (v && !listed[g])
            continue;
        for (size_t i = 0; i < r->ntimes; i++) {
            double t = r->times[i], t0 = i ? r->times[i - 1] : -1;
            ks_an_n risk = {0, 0}, ev = {0, 0};
            for (size_t c = 0; c < s->n; c++) {
                if (v && (size_t)s->group[c] != g)
                    continue;
                if (s->time[c] >= t)
                    ks_an_n_add(&risk, (int64_t)s->key[c]);
                if (s->event[c] && s->time[c] > t0 && s->time[c] <= t)
                    ks_an_n_add(&ev, (int64_t)s->key[c]);
            }
            size_t row = ks_table_add_row(curve);
            ks_table_set_text(curve, row, V_GROUP, v ? v->lev[g].label : KS_AN_L(a, "全体", "all"), NULL);
            ks_table_set_text(curve, row, V_CODE, v ? v->lev[g].code : "all", NULL);
            ks_table_set_int(curve, row, V_TIME, (int64_t)t, NULL);
            ks_table_set_int(curve, row, V_RISK, ks_an_count(a, risk.n, risk.key), NULL);
            ks_table_set_int(curve, row, V_EVENT, ks_an_count(a, ev.n, ev.key), NULL);
        }
    }
    const char *cnotes[1] = {KS_AN_L(a, "リスク集合: その日数以上の件; 期間内の事象: 前の時点より後からこの時点まで; 未終結の割合は表示しません (要約表の注)",
                                     "at risk: cases open at least that many days; events since previous: after the "
                                     "previous time up to this one; the share still open is not shown (see the summary)")};
    return ks_an_emit(a, "curve", KS_AN_L(a, "未終結の割合 (指定日数)", "Share still open at given days"), curve, r->nnote,
                      cnotes, 1, err);
}

/* The analysis under the cell key method: counts only (see the top). */
static int emit_cellkey(sv_run *r, ks_error *err)
{
    const sv_scan *s = &r->s;
    size_t ng = r->v ? r->v->nlev : 1;
    ck_group *grp = ks_calloc(ng, sizeof *grp);
    ck_group all = {{0, 0}, {0, 0}};
    bool *listed = ks_calloc(ng, sizeof *listed);
    for (size_t c = 0; c < s->n; c++) {
        ck_group *g = &grp[r->v ? (size_t)s->group[c] : 0];
        ks_an_n_add(&g->n, (int64_t)s->key[c]);
        ks_an_n_add(&all.n, (int64_t)s->key[c]);
        if (s->event[c]) {
            ks_an_n_add(&g->events, (int64_t)s->key[c]);
            ks_an_n_add(&all.events, (int64_t)s->key[c]);
        }
    }
    int rc = ck_summary(r, grp, &all, ng, listed, err);
    if (rc == 0)
        rc = ck_curve(r, listed, ng, err);
    free(grp);
    free(listed);
    return rc;
}

int ks_analyze_survival(ks_an *a, const char *group, ks_error *err)
{
    sv_run r = {.a = a, .links = !ks_weakened("survival-links")};
    ks_an_excl_init(&r.ex);
    ks_buf_init(&r.lrnote);
    int rc = 0;
    if ((rc = parse_times(a->opts.times ? a->opts.times : "30,90,180,365", &r.times, &r.ntimes, err)))
        goto done;
    if ((rc = group_variable(&r, group, err)))
        goto done;
    if ((rc = scan_cases(&r, err)))
        goto done;
    if (a->cellkey) {
        rc = emit_cellkey(&r, err);
        goto done;
    }
    if ((rc = fit_curves(&r, err)))
        goto done;
    if ((rc = emit_summary(&r, err)))
        goto done;
    if ((rc = emit_curve(&r, err)))
        goto done;
    if (r.have_lr)
        rc = emit_logrank(&r, err);
done:
    ks_table_free(r.sum);
    ks_table_free(r.curve);
    ks_table_free(r.test);
    ks_km_release(&r.km);
    ks_km_release(&r.all);
    ks_logrank_release(&r.lr);
    free(r.times);
    free(r.s.time);
    free(r.s.event);
    free(r.s.group);
    free(r.s.key);
    free(r.nnote);
    ks_buf_release(&r.lrnote);
    ks_an_excl_release(&r.ex);
    ks_an_var_free(r.v);
    return rc;
}
