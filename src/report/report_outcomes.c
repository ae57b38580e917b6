/* report_outcomes.c: 6. closures and outcomes (rates with Wilson intervals)
 * and time to closure (Kaplan-Meier, with the coarsened curve of
 * ks_report_km_points), and 8. data quality. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "date.h"
#include "stats_surv.h"
#include "weaken.h"
#include "stats_table.h"
#include "suppress.h"
#include "svg.h"
#include "report_internal.h"

/* ---- 6. outcomes ---------------------------------------------------------------- */

typedef struct tev {
    double t; /* time */
    int e;    /* 1 = event */
} tev;

static int by_time(const void *a, const void *b)
{
    const tev *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return y->e - x->e;
}

size_t ks_report_km_points(const double *time, const int *event, size_t n, int k, double step, double x_max,
                           double *xs, double *ys, size_t cap)
{
    if (cap == 0 || n == 0 || !(step > 0))
        return 0;
    tev *v = ks_malloc(ks_mul(n, sizeof *v));
    for (size_t i = 0; i < n; i++)
        v[i] = (tev){time[i], event[i] != 0};
    qsort(v, n, sizeof *v, by_time);
    size_t m = 0, i = 0;
    xs[m] = 0;
    ys[m++] = 0;
    double surv = 1;
    int64_t ev_total = 0, ev_drawn = 0;
    for (double g = step; g <= x_max + 1e-9 && m < cap; g += step) {
        /* Kaplan-Meier through every distinct time up to g */
        while (i < n && v[i].t <= g) {
            size_t j = i;
            double d = 0;
            while (j < n && v[j].t == v[i].t) {
                d += v[j].e;
                j++;
            }
            surv *= 1 - d / (double)(n - i); /* n - i at risk at v[i].t */
            ev_total += (int64_t)d;
            i = j;
        }
        int64_t at_risk = (int64_t)(n - i);
        if (at_risk < k)
            break;
        int64_t ev = ev_total - ev_drawn;
        if (ev > 0 && ev < k)
            continue; /* too few closures for a step of its own: merge with the next */
        xs[m] = g;
        ys[m++] = 1 - surv;
        ev_drawn = ev_total;
    }
    free(v);
    return m;
}

/* The outcome of this period's closed cases: a table with its total row
 * and a bar chart.  Also counts each main problem among them into pc
 * (the top problems of the next table). */
static int outcomes_table(rep *r, ks_doc_section *sec, kcount *pc, size_t np)
{
    size_t no = r->outcome.n;
    /* [no]: the total, the count of the listed rows' cases, published on
     * its own; the shares are of published counts */
    kcount *oc = ks_calloc(no + 1, sizeof *oc);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->status != KS_STATUS_CLOSED || c->close < r->p0 || c->close > r->p1)
            continue;
        size_t code = c->outcome < no ? c->outcome : 0;
        ks_kc_add(&oc[code], c);
        if (code == 0 || r->outcome.name[code])
            ks_kc_add(&oc[no], c);
        if (c->main < np)
            ks_kc_add(&pc[c->main], c);
    }
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "outcome", L("結果", "Outcome"));
    size_t on = ks_report_col_count(t, "n", L("件数", "Cases"));
    size_t op = ks_report_col_share(t, "pct", L("割合(%)", "Share (%)"), on, -1, 1);
    for (size_t id = 1; id <= no; id++) {
        size_t code = id < no ? id : 0;
        if (code && !r->outcome.name[code])
            continue;
        size_t row = ks_table_add_row(t);
        ks_report_set_s(t, row, 0, code ? ks_report_lab(&r->outcome, (int)code) : L("未記入", "Not recorded"));
        ks_report_set_i(t, row, on, ks_report_pub(r, oc[code]));
    }
    int64_t all = ks_report_pub(r, oc[no]);
    size_t trow = ks_table_add_row(t);
    ks_report_set_s(t, trow, 0, L("計", "Total"));
    ks_report_set_i(t, trow, on, all);
    for (size_t i = 0; i <= trow; i++)
        ks_report_set_r(t, i, op, all > 0 ? 100.0 * ks_report_cell_num(t, i, on) / (double)all : NAN);
    ks_table_set_totals(t, (long)trow, -1, NULL);
    free(oc);
    int rc = ks_report_protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    size_t nr = trow;
    const char **cats = ks_calloc(nr ? nr : 1, sizeof *cats);
    double *v = ks_calloc(nr ? nr : 1, sizeof *v);
    bool *h = ks_calloc(nr ? nr : 1, sizeof *h);
    for (size_t i = 0; i < nr; i++)
        cats[i] = ks_table_cell(t, i, 0)->v.s;
    ks_report_column_values(t, on, nr, v, h);
    ks_svg_series ser = {.name = L("件数", "Cases"), .v = v, .hidden = h, .color = 2};
    char *id = ks_report_next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = L("終結した相談の結果", "Outcome of closed cases"), .cats = cats, .ncat = nr,
                       .series = &ser, .nseries = 1, .mark = ks_report_tmark(r, t), .width = CHART_W};
    ks_report_add_hbar(sec, &ch, id);
    free(cats);
    free(v);
    free(h);
    return ks_report_add_table(r, sec, KS_DOC_TABLE, L("終結した相談（今期）の結果", "Outcome of cases closed this period"),
                               "t-outcomes", t, NULL);
}

/* The good-outcome rates' chart: each group's rate with its interval, a
 * hidden rate hatched. */
static void good_chart(rep *r, ks_doc_section *sec, const ks_table *t, size_t nr, size_t gp, size_t gl, size_t gh)
{
    const char *cats[TOP_PROBLEMS + 2];
    double v[TOP_PROBLEMS + 2], lo[TOP_PROBLEMS + 2], hi[TOP_PROBLEMS + 2];
    bool h[TOP_PROBLEMS + 2];
    for (size_t i = 0; i < nr; i++) {
        cats[i] = ks_table_cell(t, i, 0)->v.s;
        v[i] = ks_report_cell_num(t, i, gp);
        lo[i] = ks_report_cell_num(t, i, gl);
        hi[i] = ks_report_cell_num(t, i, gh);
        h[i] = ks_report_hidden(t, i, gp);
    }
    ks_svg_series ser = {.name = L("解決・改善の割合", "Resolved or improved"), .v = v, .hidden = h, .lo = lo, .hi = hi,
                         .color = 2};
    char *id = ks_report_next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = L("解決・改善の割合（95%信頼区間）", "Resolved or improved (95% CI)"),
                       .cats = cats, .ncat = nr, .series = &ser, .nseries = 1, .mark = "x", .fmt = KS_SVG_PERCENT,
                       .width = CHART_W, .fixed_max = 100};
    ks_report_add_hbar(sec, &ch, id);
}

/* Good outcome (解決 or 改善, ks_outcome_good) among this period's closed
 * cases by main problem — the top problems by pc, the others, all — with
 * Wilson intervals, a table and its chart. */
static int good_table(rep *r, ks_doc_section *sec, const int64_t *pc, size_t np)
{
    int top[TOP_PROBLEMS];
    size_t ntop = ks_report_top_ids(pc, np, TOP_PROBLEMS, top);
    /* closed, good and other: each its own count of cases with its own key
     * sum, published on its own (other is counted, not closed minus good);
     * the rates and Wilson intervals are of the published counts */
    kcount kg[TOP_PROBLEMS + 2], kc[TOP_PROBLEMS + 2], ko[TOP_PROBLEMS + 2];
    memset(kg, 0, sizeof kg);
    memset(kc, 0, sizeof kc);
    memset(ko, 0, sizeof ko);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->status != KS_STATUS_CLOSED || c->close < r->p0 || c->close > r->p1)
            continue;
        size_t s = ntop;
        for (size_t j = 0; j < ntop; j++)
            if (c->main == top[j])
                s = j;
        bool g = ks_outcome_good(c->outcome);
        ks_kc_add(&kc[s], c);
        ks_kc_add(&kc[ntop + 1], c);
        ks_kc_add(g ? &kg[s] : &ko[s], c);
        ks_kc_add(g ? &kg[ntop + 1] : &ko[ntop + 1], c);
    }
    int64_t good[TOP_PROBLEMS + 2], closed[TOP_PROBLEMS + 2], other[TOP_PROBLEMS + 2];
    for (size_t s = 0; s < ntop + 2; s++) {
        good[s] = ks_report_pub(r, kg[s]);
        closed[s] = ks_report_pub(r, kc[s]);
        other[s] = ks_report_pub(r, ko[s]);
    }
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "problem", L("主たる課題", "Main problem"));
    size_t gc = ks_report_col_count(t, "n", L("終結", "Closed"));
    size_t gg = ks_report_col_count(t, "n_good", L("解決・改善", "Resolved/improved"));
    size_t go = ks_report_col_count(t, "n_other", L("それ以外", "Other"));
    size_t gp = ks_report_col_share(t, "pct", L("割合(%)", "Rate (%)"), gg, (int)gc, 1);
    size_t gl = ks_report_col_share(t, "lo", L("95%CI下限", "95% CI low"), gg, (int)gc, 1);
    size_t gh = ks_report_col_share(t, "hi", L("95%CI上限", "95% CI high"), gg, (int)gc, 1);
    for (size_t s = 0; s < ntop + 2; s++) {
        size_t row = ks_table_add_row(t);
        ks_report_set_s(t, row, 0, s < ntop ? ks_report_lab(&r->problem, top[s]) : s == ntop ? L("上記以外", "All others") : L("計", "Total"));
        ks_report_set_i(t, row, gc, closed[s]);
        ks_report_set_i(t, row, gg, good[s]);
        ks_report_set_i(t, row, go, other[s]);
        double lo = NAN, hi = NAN;
        /* no rate where the published good exceeds the published closed */
        if (closed[s] > 0 && good[s] <= closed[s] && ks_wilson_ci(good[s], closed[s], 0.95, &lo, &hi, NULL) == 0) {
            ks_report_set_r(t, row, gp, 100.0 * (double)good[s] / (double)closed[s]);
            ks_report_set_r(t, row, gl, 100 * lo);
            ks_report_set_r(t, row, gh, 100 * hi);
        }
    }
    ks_table_set_totals(t, (long)(ntop + 1), (long)gc, NULL);
    int rc = ks_report_protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    good_chart(r, sec, t, ntop + 2, gp, gl, gh);
    if ((rc = ks_report_add_table(r, sec, KS_DOC_TABLE,
                                  L("解決・改善の割合（今期に終結した相談、主たる課題別）",
                                    "Resolved or improved among cases closed this period, by main problem"),
                                  "t-good", t, NULL)))
        return rc;
    ks_doc_add(sec, KS_DOC_NOTE, L("信頼区間はWilsonの方法。", "Wilson score intervals."), NULL, NULL);
    return 0;
}

int ks_report_sec_outcomes(rep *r)
{
    ks_doc_section *sec = ks_doc_section_add(r->doc, "outcomes", L("6. 終結と成果", "6. Closures and outcomes"));
    size_t np = r->problem.n;
    kcount *kpc = ks_calloc(np ? np : 1, sizeof *kpc);
    int64_t *pc = ks_calloc(np ? np : 1, sizeof *pc);
    int rc = outcomes_table(r, sec, kpc, np);
    /* the top problems chosen by published counts */
    for (size_t i = 0; i < np; i++)
        pc[i] = ks_report_pub(r, kpc[i]);
    if (!rc)
        rc = good_table(r, sec, pc, np);
    free(kpc);
    free(pc);
    return rc;
}

/* Days to closure: the new cases of the period, their groups, the table
 * and the points of each group's curve. */
typedef struct km_state {
    double *time;   /* [m] days from opening to closure or censoring */
    int *event;     /* [m] closed (1) or censored (0) */
    int *group;     /* [m] index into the top problems, ntop = other */
    size_t m;       /* new cases of the period */
    ks_table *t;    /* the table (owned until added to the document) */
    size_t cn, ce;  /* its columns: cases, closed */
    size_t cmed;    /* median days */
    size_t cd[3];   /* closed by 90, 180, 365 days */
    size_t cdp[3];  /* the Kaplan-Meier share closed at those days */
    size_t ng;      /* rows: the top problems, other, all */
    double **gx, **gy; /* [ng] each curve's points */
    size_t *gm;     /* [ng] points per curve */
} km_state;

static const int km_days[3] = {90, 180, 365};

/* The period's new cases as (time, event, group): the groups of the trend
 * table (top main problems, other, all), so the case counts are the same
 * cells as the month table's total row. */
static void km_cases(rep *r, km_state *k)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += ks_report_in_p(r, &r->c[i]);
    k->time = ks_calloc(n ? n : 1, sizeof *k->time);
    k->event = ks_calloc(n ? n : 1, sizeof *k->event);
    k->group = ks_calloc(n ? n : 1, sizeof *k->group);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!ks_report_in_p(r, c))
            continue;
        int32_t end = c->close != NO_DATE ? c->close : r->data_end;
        k->time[k->m] = end > c->open ? (double)(end - c->open) : 0;
        k->event[k->m] = c->status == KS_STATUS_CLOSED && c->close != NO_DATE;
        k->group[k->m] = (int)r->ntop; /* other */
        for (size_t j = 0; j < r->ntop; j++)
            if (c->main == r->top[j])
                k->group[k->m] = (int)j;
        k->m++;
    }
}

static void km_columns(rep *r, km_state *k)
{
    ks_table *t = k->t = ks_table_new();
    ks_report_col_text(t, "group", L("主たる課題", "Main problem"));
    k->cn = ks_report_col_count(t, "n", L("件数", "Cases"));
    k->ce = ks_report_col_count(t, "n_closed", L("終結", "Closed"));
    k->cmed = ks_report_col_share(t, "median", L("中央値(日)", "Median (days)"), k->cn, (int)k->ce, 0);
    for (int j = 0; j < 3; j++) {
        char nm[32], lb[64];
        snprintf(nm, sizeof nm, "n_%d", km_days[j]);
        snprintf(lb, sizeof lb, r->en ? "Closed by %d d" : "%d日以内の終結", km_days[j]);
        k->cd[j] = ks_report_col_count(t, nm, lb);
        snprintf(nm, sizeof nm, "pct_%d", km_days[j]);
        snprintf(lb, sizeof lb, r->en ? "KM %d d (%%)" : "%d日時点(%%)", km_days[j]);
        k->cdp[j] = ks_report_col_share(t, nm, lb, k->cd[j], (int)k->cn, 1);
    }
}

/* One group's row (top main problems, other, then all new cases: the
 * total row) and its curve's points. */
static void km_group_row(rep *r, km_state *k, size_t g)
{
    ks_table *t = k->t;
    size_t ntop = r->ntop, cnt = 0;
    double *tt = ks_calloc(k->m ? k->m : 1, sizeof *tt);
    int *ee = ks_calloc(k->m ? k->m : 1, sizeof *ee);
    for (size_t i = 0; i < k->m; i++)
        if (g == ntop + 1 || k->group[i] == (int)g) {
            tt[cnt] = k->time[i];
            ee[cnt++] = k->event[i];
        }
    size_t row = ks_table_add_row(t);
    ks_report_set_s(t, row, 0, g < ntop ? ks_report_lab(&r->problem, r->top[g]) : g == ntop ? L("上記以外", "All others") : L("計", "Total"));
    int64_t ev = 0, by[3] = {0, 0, 0};
    for (size_t i = 0; i < cnt; i++) {
        ev += ee[i];
        for (int j = 0; j < 3; j++)
            by[j] += ee[i] && tt[i] <= km_days[j];
    }
    ks_report_set_i(t, row, k->cn, (int64_t)cnt);
    ks_report_set_i(t, row, k->ce, ev);
    for (int j = 0; j < 3; j++)
        ks_report_set_i(t, row, k->cd[j], by[j]);
    if (cnt > 0) {
        ks_km km = {0};
        if (ks_km_fit(tt, ee, NULL, cnt, KS_KM_CONF_LOG, &km, NULL) == 0 && km.n_curves == 1) {
            const ks_km_curve *cv = &km.curves[0];
            ks_report_set_r(t, row, k->cmed, cv->median);
            for (int j = 0; j < 3; j++) {
                double s = 1;
                for (size_t q = 0; q < cv->n_rows && cv->rows[q].time <= km_days[j]; q++)
                    s = cv->rows[q].surv;
                ks_report_set_r(t, row, k->cdp[j], 100 * (1 - s));
            }
        }
        ks_km_release(&km);
        k->gx[g] = ks_calloc(16, sizeof **k->gx);
        k->gy[g] = ks_calloc(16, sizeof **k->gy);
        k->gm[g] = ks_report_km_points(tt, ee, cnt, r->k, 30, 360, k->gx[g], k->gy[g], 16);
    }
    free(tt);
    free(ee);
}

/* Disclosure control of the table.  n >= closed >= closed by 365 >= by
 * 180 >= by 90 in each row: every difference of two of them printed is a
 * count too (open cases, closed in an interval), so the later of a pair
 * whose difference is 1..k-1 is hidden, and suppression runs again until no
 * printed pair gives one (each round hides a cell more, so it ends). */
static int km_protect(rep *r, km_state *k)
{
    ks_table *t = k->t;
    ks_table_set_totals(t, (long)(r->ntop + 1), -1, NULL);
    for (size_t g = 0; g < k->ng; g++)
        if (r->p_total_hidden[g])
            ks_table_suppress(t, g, k->cn, KS_WHY_SECONDARY, NULL);
    size_t chain[5] = {k->cn, k->ce, k->cd[2], k->cd[1], k->cd[0]};
    int rc;
    for (int round = 0;; round++) {
        if ((rc = ks_report_suppress_all(r, t)))
            return rc;
        bool more = false;
        for (size_t g = 0; g < k->ng && !ks_weakened("report-nested"); g++) {
            double last = NAN;
            for (int j = 0; j < 5; j++) {
                if (ks_report_hidden(t, g, chain[j]))
                    continue;
                double v = ks_report_cell_num(t, g, chain[j]);
                if (isfinite(last) && last - v > 0 && last - v < r->k) {
                    ks_table_suppress(t, g, chain[j], KS_WHY_SECONDARY, NULL);
                    more = true;
                    continue;
                }
                last = v;
            }
        }
        if (!more || round > 50)
            break;
    }
    return ks_report_protect_end(r, t);
}

/* The curves, a group's hidden when its cases or closures are. */
static void km_chart(rep *r, ks_doc_section *sec, const km_state *k)
{
    const ks_table *t = k->t;
    ks_svg_curve *cv = ks_calloc(k->ng, sizeof *cv);
    for (size_t g = 0; g < k->ng; g++) {
        bool hide = ks_report_hidden(t, g, k->cn) || ks_report_hidden(t, g, k->ce) ||
                    !isfinite(ks_report_cell_num(t, g, k->ce));
        cv[g] = (ks_svg_curve){.name = ks_table_cell(t, g, 0)->v.s, .x = k->gx[g], .y = k->gy[g],
                               .n = hide ? 0 : k->gm[g], .hidden = hide};
    }
    char *id = ks_report_next_id(r, "f");
    ks_svg_steps st = {.id = id, .title = L("終結までの日数（カプラン・マイヤー、累積終結割合）",
                                            "Days to closure (Kaplan-Meier, share closed)"),
                       .curves = cv, .ncurve = k->ng, .x_max = 360, .x_step = 60,
                       .x_label = L("相談開始からの日数", "days since first consultation"),
                       .y_label = L("終結した割合", "closed"), .mark = ks_report_tmark(r, t), .width = CHART_W};
    ks_buf svg;
    ks_buf_init(&svg);
    ks_svg_stepcurves(&svg, &st);
    ks_doc_add(sec, KS_DOC_FIGURE, st.title, id, svg.buf);
    ks_buf_release(&svg);
    free(id);
    free(cv);
}

static void km_note(rep *r, ks_doc_section *sec)
{
    char d[11];
    ks_date_format(ks_date_from_days(r->data_end), d);
    ks_buf b;
    ks_buf_init(&b);
    if (r->en)
        ks_buf_addf(&b, "Kaplan-Meier: closure (終結) is the event; suspended cases and cases still open on %s (the "
                        "database's last date) are censored. The curve is drawn every 30 days, only while at "
                        "least %d cases remain and with at least %d closures per step.", d, r->k, r->k);
    else
        ks_buf_addf(&b, "カプラン・マイヤー法：終結をイベントとし、中断と %s（データの最終日）時点で継続中の相談は打ち切り。"
                        "曲線は30日ごとに、追跡中の相談が%d件以上、1段あたりの終結が%d件以上の区間のみ描いています。",
                    d, r->k, r->k);
    ks_doc_add(sec, KS_DOC_NOTE, b.buf, NULL, NULL);
    ks_buf_release(&b);
}

int ks_report_sec_km(rep *r, ks_doc_section *sec)
{
    if (r->ck) {
        /* as analyze survival: the curve, the median and the shares closed
         * are functions of every case's own time, which published counts do
         * not carry, and from the true data they would give true counts back */
        ks_doc_add(sec, KS_DOC_NOTE,
                   L("セルキー法では、終結までの日数（カプラン・マイヤー曲線・中央値）は各相談の日数を要するため掲載していません。",
                     "Under the cell key method the days to closure (Kaplan-Meier curve, median) are not shown: they "
                     "need every case's own time, which the published counts do not carry."),
                   NULL, NULL);
        return 0;
    }
    km_state k = {0};
    km_cases(r, &k);
    km_columns(r, &k);
    k.ng = r->ntop + 2;
    k.gx = ks_calloc(k.ng, sizeof *k.gx);
    k.gy = ks_calloc(k.ng, sizeof *k.gy);
    k.gm = ks_calloc(k.ng, sizeof *k.gm);
    for (size_t g = 0; g < k.ng; g++)
        km_group_row(r, &k, g);
    free(k.time);
    free(k.event);
    free(k.group);
    int rc = km_protect(r, &k);
    if (rc) {
        ks_table_free(k.t);
    } else {
        km_chart(r, sec, &k);
        rc = ks_report_add_table(r, sec, KS_DOC_TABLE,
                                 L("終結までの日数（今期の新規相談）", "Days to closure (new cases this period)"), "t-km",
                                 k.t, NULL);
        if (!rc)
            km_note(r, sec);
    }
    for (size_t g = 0; g < k.ng; g++) {
        free(k.gx[g]);
        free(k.gy[g]);
    }
    free(k.gx);
    free(k.gy);
    free(k.gm);
    return rc;
}

/* ---- 8. data quality ------------------------------------------------------------ */

/* One function, 90 lines: the section reads top to bottom as the document
 * does (the counts, the table of empty and unknown fields, its notes), and
 * its parts share the counts it reads once. */
int ks_report_sec_quality(rep *r)
{
    ks_doc_section *sec = ks_doc_section_add(r->doc, "quality", L("8. データの質", "8. Data quality"));
    /* the rows: the fields every case should have, then the two a closed
     * or suspended case should have */
    enum { Q_SEX, Q_AGE, Q_HOUSEHOLD, Q_HH_TYPE, Q_ROUTE, Q_AGENCY, Q_SUPPORT, Q_PARTNERS, Q_MEETING, Q_CLOSE_DATE,
           Q_OUTCOME, NF, Q_EVERY_CASE = Q_CLOSE_DATE };
    const char *names[NF] = {
        [Q_SEX] = L("性別", "Sex"),
        [Q_AGE] = L("年齢（生年月日）", "Age (birth date)"),
        [Q_HOUSEHOLD] = L("世帯番号", "Household number"),
        [Q_HH_TYPE] = L("世帯構成", "Household type"),
        [Q_ROUTE] = L("相談経路", "Intake route"),
        [Q_AGENCY] = L("受付機関", "Intake agency"),
        [Q_SUPPORT] = L("支援内容", "Support"),
        [Q_PARTNERS] = L("連携先", "Partners"),
        [Q_MEETING] = L("会議", "Meeting"),
        [Q_CLOSE_DATE] = L("終結日（終結・中断）", "Closing date (closed/suspended)"),
        [Q_OUTCOME] = L("結果（終結・中断）", "Outcome (closed/suspended)"),
    };
    /* per field: the cases it applies to, those filled, empty, unknown;
     * each its own count of cases with its own key sum, published on its
     * own (filled is counted, not target minus the others) */
    kcount target[NF], filled[NF], empty[NF], unknown[NF];
    memset(target, 0, sizeof target);
    memset(filled, 0, sizeof filled);
    memset(empty, 0, sizeof empty);
    memset(unknown, 0, sizeof unknown);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!ks_report_in_p(r, c))
            continue;
        /* 0 filled, 1 empty, 2 unknown */
        int st[NF];
        st[Q_SEX] = c->sex == 0 ? 1 : c->sex == KS_SEX_UNKNOWN ? 2 : 0;
        st[Q_AGE] = c->age_band == 0;
        st[Q_HOUSEHOLD] = c->household == 0;
        st[Q_HH_TYPE] = c->hh_type == 0;
        st[Q_ROUTE] = c->route == 0;
        st[Q_AGENCY] = c->agency < 0;
        st[Q_SUPPORT] = c->supports == 0;
        st[Q_PARTNERS] = c->partners == 0;
        st[Q_MEETING] = c->meeting == 0;
        int nf = Q_EVERY_CASE;
        if (c->status == KS_STATUS_CLOSED || c->status == KS_STATUS_SUSPENDED) {
            st[Q_CLOSE_DATE] = c->close == NO_DATE;
            st[Q_OUTCOME] = c->outcome == 0 ? 1 : c->outcome == KS_OUTCOME_UNKNOWN ? 2 : 0;
            nf = NF;
        }
        for (int f = 0; f < nf; f++) {
            ks_kc_add(&target[f], c);
            ks_kc_add(st[f] == 0 ? &filled[f] : st[f] == 1 ? &empty[f] : &unknown[f], c);
        }
    }
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "field", L("項目", "Field"));
    size_t cf = ks_report_col_count(t, "n_filled", L("記入あり", "Filled"));
    size_t ce = ks_report_col_count(t, "n_empty", L("空欄", "Empty"));
    size_t cu = ks_report_col_count(t, "n_unknown", L("不明", "Unknown"));
    size_t ct = ks_report_col_count(t, "n", L("対象", "Cases"));
    size_t pe = ks_report_col_share(t, "pct_empty", L("空欄(%)", "Empty (%)"), ce, (int)ct, 1);
    size_t pu = ks_report_col_share(t, "pct_unknown", L("不明(%)", "Unknown (%)"), cu, (int)ct, 1);
    for (int f = 0; f < NF; f++) {
        size_t row = ks_table_add_row(t);
        int64_t tg = ks_report_pub(r, target[f]), em = ks_report_pub(r, empty[f]), un = ks_report_pub(r, unknown[f]);
        ks_report_set_s(t, row, 0, names[f]);
        ks_report_set_i(t, row, cf, ks_report_pub(r, filled[f]));
        ks_report_set_i(t, row, ce, em);
        ks_report_set_i(t, row, cu, un);
        ks_report_set_i(t, row, ct, tg);
        /* shares of the published counts */
        ks_report_set_r(t, row, pe, tg > 0 ? 100.0 * (double)em / (double)tg : NAN);
        ks_report_set_r(t, row, pu, tg > 0 ? 100.0 * (double)un / (double)tg : NAN);
    }
    ks_table_set_totals(t, -1, (long)ct, NULL);
    int rc = ks_report_protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    ks_buf b;
    ks_buf_init(&b);
    size_t listed = 0;
    for (int f = 0; f < NF; f++) {
        double e = ks_report_cell_num(t, (size_t)f, pe), u = ks_report_cell_num(t, (size_t)f, pu);
        double s = (isfinite(e) ? e : 0) + (isfinite(u) ? u : 0);
        if (!isfinite(e) || s < 10)
            continue;
        ks_buf_adds(&b, listed ? L("、", ", ") : "");
        ks_buf_addf(&b, r->en ? "%s (%.1f%%)" : "%s（%.1f%%）", names[f], s);
        listed++;
    }
    ks_buf p;
    ks_buf_init(&p);
    if (listed)
        ks_buf_addf(&p, r->en ? "Often empty or unknown (10%% or more): %s." : "空欄・不明が1割以上の項目：%s。", b.buf);
    else
        ks_buf_adds(&p, L("空欄・不明が1割を超える項目はありません。", "No field is empty or unknown in 10% or more of cases."));
    ks_doc_add(sec, KS_DOC_PARA, p.buf, NULL, NULL);
    ks_buf_release(&b);
    ks_buf_release(&p);
    return ks_report_add_table(r, sec, KS_DOC_TABLE,
                               L("項目の記入状況（今期の新規相談）", "How fields are filled (new cases this period)"),
                               "t-quality", t, NULL);
}
