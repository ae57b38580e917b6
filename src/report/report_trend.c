/* report_trend.c: the sections that compare over time: 1. the overview (new,
 * closed, suspended and open cases against the comparison period), 2. monthly
 * trends by main problem (rate ratios, Poisson trends, the month tables) and
 * 7. intake routes by fiscal quarter, whose totals must stay consistent with
 * the month totals of section 2. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "stats_glm.h"
#include "stats_table.h"
#include "suppress.h"
#include "svg.h"
#include "weaken.h"
#include "report_internal.h"

/* ---- 1. headline ------------------------------------------------------------ */

typedef struct counts4 {
    int64_t v[4]; /* new, closed, suspended, ongoing at end (published values) */
} counts4;

/* Each indicator is its own count of cases with its own key sum, published
 * on its own (ks_report_pub). */
static counts4 headline_counts(const rep *r, ks_period p, int32_t d0, int32_t d1)
{
    kcount k[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->month >= p.first && c->month <= p.last)
            ks_kc_add(&k[0], c);
        if (c->close != NO_DATE && c->close >= d0 && c->close <= d1) {
            if (c->status == KS_STATUS_CLOSED)
                ks_kc_add(&k[1], c);
            else if (c->status == KS_STATUS_SUSPENDED)
                ks_kc_add(&k[2], c);
        }
        if (c->open <= d1 && (c->close == NO_DATE || c->close > d1))
            ks_kc_add(&k[3], c);
    }
    counts4 x;
    for (int i = 0; i < 4; i++)
        x.v[i] = ks_report_pub(r, k[i]);
    return x;
}

/* The headline table's columns after the indicator's name. */
typedef struct headline_cols {
    size_t cur, cmp; /* count columns: this period, the comparison period */
    size_t dif;      /* change in cases (a share of cur over cmp) */
    size_t pct;      /* change in percent */
} headline_cols;

/* The four indicators of both periods with their change, unprotected; sets
 * r->n_new. */
static ks_table *headline_table(rep *r, headline_cols *k)
{
    counts4 a = headline_counts(r, r->P, r->p0, r->p1), b = headline_counts(r, r->C, r->c0, r->c1);
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "indicator", L("指標", "Indicator"));
    k->cur = ks_report_col_count(t, "n_period", L("今期", "This period"));
    k->cmp = ks_report_col_count(t, "n_compare", ks_report_cmp_col(r));
    k->dif = (size_t)ks_table_add_column(t, "change", L("増減", "Change"), KS_COL_INT, NULL);
    ks_table_set_share(t, k->dif, (int)k->cur, (int)k->cmp, NULL);
    k->pct = ks_report_col_share(t, "change_pct", L("増減率(%)", "Change (%)"), k->cur, (int)k->cmp, 1);
    const char *names[4] = {L("新規相談", "New cases"), L("終結", "Closed"), L("中断", "Suspended"),
                            L("期末時点の継続中", "Open at period end")};
    for (int i = 0; i < 4; i++) {
        size_t row = ks_table_add_row(t);
        ks_report_set_s(t, row, 0, names[i]);
        ks_report_set_i(t, row, k->cur, a.v[i]);
        ks_report_set_i(t, row, k->cmp, b.v[i]);
        ks_report_set_i(t, row, k->dif, a.v[i] - b.v[i]);
        ks_report_set_r(t, row, k->pct, b.v[i] > 0 ? 100.0 * (double)(a.v[i] - b.v[i]) / (double)b.v[i] : NAN);
    }
    r->n_new = a.v[0];
    r->n_new_hidden = a.v[0] > 0 && a.v[0] < r->k;
    return t;
}

/* When the comparison period ends where this one starts, open(end) =
 * open(comparison end) + new - closed - suspended (- cases with another
 * status and a closing date, normally none): with exactly one of those
 * five counts hidden it could be worked out.  A second one is then left
 * out (shown as a dash, never as a false "<k"): the comparison's open
 * count, or suspended when that is the hidden one.  Suspended and the
 * comparison's open count appear in no other table.  True when a value
 * was left out. */
static bool blank_derivable(const rep *r, ks_table *t, const headline_cols *k)
{
    if (r->C.last + 1 != r->P.first)
        return false;
    size_t cells[5][2] = {{0, k->cur}, {1, k->cur}, {2, k->cur}, {3, k->cur}, {3, k->cmp}};
    int nh = 0, which = -1;
    for (int i = 0; i < 5; i++)
        if (ks_report_hidden(t, cells[i][0], cells[i][1])) {
            nh++;
            which = i;
        }
    if (nh != 1)
        return false;
    size_t row = which == 4 ? 2 : 3, col = which == 4 ? k->cur : k->cmp;
    ks_table_set_null(t, row, col, NULL);
    ks_table_set_null(t, row, k->dif, NULL);
    ks_table_set_null(t, row, k->pct, NULL);
    return true;
}

/* Section 1 of the document: a sentence on new cases, the headline cards
 * (the result takes t: r->headline is its index) and the notes. */
static int headline_section(rep *r, ks_table *t, const headline_cols *k, bool blanked)
{
    ks_doc_section *s = ks_doc_section_add(r->doc, "overview", L("1. 概況", "1. Overview"));
    ks_buf p;
    ks_buf_init(&p);
    double n0 = ks_report_cell_num(t, 0, k->cur), n1 = ks_report_cell_num(t, 0, k->cmp);
    double ch = ks_report_cell_num(t, 0, k->pct);
    if (isfinite(n0) && isfinite(n1) && isfinite(ch)) {
        if (r->en) {
            ks_buf_addf(&p, "%.0f new cases this period against %.0f in the %s (", n0, n1, ks_report_cmp_short(r));
            ks_report_signed_pct(&p, ch);
            ks_buf_adds(&p, ").");
        } else {
            ks_buf_addf(&p, "今期の新規相談は %.0f 件で、%s（%.0f 件）から ", n0, ks_report_cmp_short(r), n1);
            ks_report_signed_pct(&p, ch);
            ks_buf_adds(&p, " でした。");
        }
    } else {
        ks_buf_adds(&p, L("新規相談の件数は秘匿の対象です（基準未満）。", "New case counts are below the threshold and hidden."));
    }
    ks_doc_add(s, KS_DOC_PARA, p.buf, NULL, NULL);
    ks_buf_release(&p);
    int rc = ks_report_add_table(r, s, KS_DOC_CARDS, L("主な指標", "Headline figures"), "t-headline", t, &r->headline);
    if (rc)
        return rc;
    ks_doc_add(s, KS_DOC_NOTE,
               L("終結・中断は終結日が期間内のもの、継続中は期間末日に終結日がないものを数えています。",
                 "Closed and suspended count cases whose closing date falls in the period; open cases have no "
                 "closing date by the period's last day."),
               NULL, NULL);
    if (blanked)
        ks_doc_add(s, KS_DOC_NOTE,
                   L("「—」の値は、他の値との差し引きで秘匿した件数が分かってしまうため表示していません。",
                     "A dash marks a value left out because, with the others, it would reveal a hidden count."),
                   NULL, NULL);
    return 0;
}

int ks_report_sec_headline(rep *r)
{
    headline_cols k;
    ks_table *t = headline_table(r, &k);
    int rc = ks_report_protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    bool blanked = blank_derivable(r, t, &k);
    return headline_section(r, t, &k, blanked);
}

/* ---- 2. monthly trend ---------------------------------------------------------- */

typedef struct trend_row {
    int64_t cur, cmp;     /* new cases in P and C */
    double rr, rr_lo, rr_hi; /* change vs C in percent and its 95% CI, NAN if none */
    double apc, apc_lo, apc_hi; /* annual percent change and its 95% CI */
    double p;             /* trend p (quasi-Poisson when overdispersed) */
    double p_adj;         /* BH-adjusted */
    bool fitted;          /* a trend was estimated */
} trend_row;

/* Change between two equal-length periods as a Poisson rate ratio:
 * log(cur / cmp) with se sqrt(1/cur + 1/cmp), fitted as a GLM with a period
 * indicator so the interval is the one glm + confint.default give. */
static void rate_ratio(int64_t cur, int64_t cmp, trend_row *t)
{
    t->rr = t->rr_lo = t->rr_hi = NAN;
    if (cur <= 0 || cmp <= 0)
        return;
    double x[4] = {1, 0, 1, 1}, y[2] = {(double)cmp, (double)cur};
    gsl_matrix_const_view v = gsl_matrix_const_view_array(x, 2, 2);
    ks_glm_result g = {0};
    if (ks_glm_fit(KS_GLM_POISSON, &v.matrix, y, NULL, &g, NULL) == 0 && g.n_coef == 2 && !g.warnings) {
        t->rr = (g.coef[1].exp_est - 1) * 100;
        t->rr_lo = (g.coef[1].exp_lo - 1) * 100;
        t->rr_hi = (g.coef[1].exp_hi - 1) * 100;
    }
    ks_glm_result_release(&g);
}

/* Poisson regression of the monthly counts on time (month-of-year terms when
 * two years or more are in the window); quasi-Poisson inference when the
 * counts are overdispersed. */
static void fit_trend(const rep *r, const double *series, size_t nm, trend_row *t)
{
    t->fitted = false;
    t->apc = t->apc_lo = t->apc_hi = t->p = t->p_adj = NAN;
    double total = 0;
    size_t nonzero = 0;
    for (size_t i = 0; i < nm; i++) {
        total += series[i];
        nonzero += series[i] > 0;
    }
    if (nm < 12 || total < 2.0 * r->k || nonzero < 3)
        return;
    int first_month = nm >= 24 ? r->W.first % 12 + 1 : 0;
    ks_trend tr;
    if (ks_glm_trend_monthly(series, nm, first_month, NULL, &tr, NULL) != 0 || tr.warnings)
        return;
    bool over = tr.dispersion > 1;
    t->apc = tr.apc;
    t->apc_lo = over ? tr.q_apc_lo : tr.apc_lo;
    t->apc_hi = over ? tr.q_apc_hi : tr.apc_hi;
    t->p = over ? tr.q_p : tr.p;
    t->fitted = isfinite(t->p);
}

/* Section 2 while it is built: the month counts, the three month tables
 * and the comparison and trend of each series.  The series are the top
 * main problems (r->top), "all others" and, last, all new cases. */
typedef struct trend_state {
    rep *r;                 /* the report (borrowed) */
    int range0;             /* first month counted: the earlier of W's and C's start */
    size_t nm;              /* months in the window W */
    size_t nser;            /* top problems + other; series index nser = all */
    double *m;              /* [month - range0][nser + 1] new cases, owned */
    uint64_t *km;           /* the same cells' sums of record keys, owned */
    int *mp, *mc, *mr;      /* months of P, of C, the other months of W; owned */
    size_t nmp, nmc, nmr;   /* how many of each */
    ks_table *tp, *tc, *tw; /* their month tables (tw NULL when nmr is 0); owned until added to the document */
    trend_row *tr;          /* [nser + 1] comparison and trend per series, owned */
    size_t fit0;            /* first month of W a trend is fitted to (the data's start) */
    size_t nfit;            /* series with a trend */
    size_t nwithheld;       /* series left unfitted for a hidden month */
    ks_table *u;            /* the trend table; owned until added to the document */
    size_t urr;             /* its change column */
} trend_state;

/* The main problems with their own trend: the most frequent among this
 * period's new cases (sets r->top and r->ntop). */
static void choose_top(rep *r)
{
    size_t np = r->problem.n;
    kcount *kc = ks_calloc(np ? np : 1, sizeof *kc);
    int64_t *pcount = ks_calloc(np ? np : 1, sizeof *pcount);
    for (size_t i = 0; i < r->n; i++)
        if (ks_report_in_p(r, &r->c[i]) && r->c[i].main < np)
            ks_kc_add(&kc[r->c[i].main], &r->c[i]);
    /* chosen by the published counts: the choice names no true count */
    for (size_t i = 0; i < np; i++)
        pcount[i] = ks_report_pub(r, kc[i]);
    r->ntop = ks_report_top_ids(pcount, np, TOP_PROBLEMS, r->top);
    free(pcount);
    free(kc);
}

/* counts per month over R = [min(W, C) start, P end] */
static void count_months(trend_state *x)
{
    const rep *r = x->r;
    x->range0 = r->W.first < r->C.first ? r->W.first : r->C.first;
    size_t nr = (size_t)(r->P.last - x->range0 + 1);
    x->nm = (size_t)ks_period_months(r->W);
    size_t np = r->problem.n, ntop = r->ntop;
    size_t *colof = ks_calloc(np ? np : 1, sizeof *colof);
    for (size_t i = 0; i < np; i++)
        colof[i] = ntop;
    for (size_t i = 0; i < ntop; i++)
        colof[r->top[i]] = i;
    x->nser = ntop + 1;
    size_t nser = x->nser;
    x->m = ks_calloc(ks_mul(nr, nser + 1), sizeof *x->m);
    x->km = ks_calloc(ks_mul(nr, nser + 1), sizeof *x->km);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->month < x->range0 || c->month > r->P.last)
            continue;
        size_t s = c->main < np ? colof[c->main] : ntop;
        size_t mi = (size_t)(c->month - x->range0);
        x->m[mi * (nser + 1) + s]++;
        x->m[mi * (nser + 1) + nser]++;
        x->km[mi * (nser + 1) + s] += c->key;
        x->km[mi * (nser + 1) + nser] += c->key;
    }
    free(colof);
}

/* One table of monthly new cases by main problem for the given months, with
 * a total row (their sum) and a total column (all problems). */
static ks_table *month_table(const trend_state *x, const int *months, size_t nmo)
{
    rep *r = x->r;
    size_t nser = x->nser;
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "month", L("月", "Month"));
    char name[32];
    for (size_t s = 0; s < r->ntop; s++) {
        snprintf(name, sizeof name, "n_p%d", r->top[s]);
        ks_report_col_count(t, name, ks_report_lab(&r->problem, r->top[s]));
    }
    ks_report_col_count(t, "n_other", L("上記以外", "All others"));
    size_t tot = ks_report_col_count(t, "n", L("計", "Total"));
    ks_buf b;
    ks_buf_init(&b);
    /* each month's cell and each total (the count of the months' cases)
     * published on its own */
    kcount *sum = ks_calloc(nser + 1, sizeof *sum);
    for (size_t i = 0; i <= nmo; i++) {
        size_t row = ks_table_add_row(t);
        ks_buf_reset(&b);
        if (i < nmo)
            ks_month_iso(&b, months[i]);
        else
            ks_buf_adds(&b, L("計", "Total"));
        ks_report_set_s(t, row, 0, b.buf);
        for (size_t s = 0; s <= nser; s++) {
            kcount v = sum[s];
            if (i < nmo) {
                size_t at = (size_t)(months[i] - x->range0) * (nser + 1) + s;
                v.n = (int64_t)x->m[at];
                v.keys = x->km[at];
                sum[s].n += v.n;
                sum[s].keys += v.keys;
            }
            ks_report_set_i(t, row, 1 + s, ks_report_pub(r, v));
        }
    }
    ks_table_set_totals(t, (long)nmo, (long)tot, NULL);
    free(sum);
    ks_buf_release(&b);
    return t;
}

/* three month tables: this period, the comparison period, and the other
 * months of the window.  The period counts of the trend table below are
 * exactly the first two tables' total rows, so no published sum crosses
 * a table's hidden cells. */
static void make_month_tables(trend_state *x)
{
    const rep *r = x->r;
    x->mp = ks_calloc((size_t)ks_period_months(r->P), sizeof *x->mp);
    x->mc = ks_calloc((size_t)ks_period_months(r->C), sizeof *x->mc);
    x->mr = ks_calloc(x->nm, sizeof *x->mr);
    for (int m = r->P.first; m <= r->P.last; m++)
        x->mp[x->nmp++] = m;
    for (int m = r->C.first; m <= r->C.last; m++)
        x->mc[x->nmc++] = m;
    for (int m = r->W.first; m <= r->W.last; m++)
        if (!(m >= r->P.first && m <= r->P.last) && !(m >= r->C.first && m <= r->C.last))
            x->mr[x->nmr++] = m;
    x->tp = month_table(x, x->mp, x->nmp);
    x->tc = month_table(x, x->mc, x->nmc);
    x->tw = x->nmr ? month_table(x, x->mr, x->nmr) : NULL;
}

/* which month totals are hidden (sec_routes keeps quarters consistent) */
static void record_hidden_months(const trend_state *x)
{
    rep *r = x->r;
    size_t nser = x->nser;
    r->month_hidden = ks_calloc(x->nm, sizeof *r->month_hidden);
    for (size_t i = 0; i < x->nmp; i++)
        if (x->mp[i] >= r->W.first)
            r->month_hidden[x->mp[i] - r->W.first] = ks_report_hidden(x->tp, i, nser + 1);
    for (size_t i = 0; i < x->nmc; i++)
        if (x->mc[i] >= r->W.first)
            r->month_hidden[x->mc[i] - r->W.first] = ks_report_hidden(x->tc, i, nser + 1);
    for (size_t i = 0; i < x->nmr; i++)
        r->month_hidden[x->mr[i] - r->W.first] = ks_report_hidden(x->tw, i, nser + 1);
    for (size_t s = 0; s <= nser; s++)
        r->p_total_hidden[s] = ks_report_hidden(x->tp, x->nmp, 1 + s);
}

/* Section 1's sentence quotes the headline's new-case counts: when they are
 * blanked after it was written, it must stop quoting them too. */
static void unquote_overview(rep *r)
{
    for (size_t i = 0; i < r->doc->nsections; i++) {
        ks_doc_section *sec = &r->doc->sections[i];
        if (strcmp(sec->id, "overview") != 0)
            continue;
        for (size_t b = 0; b < sec->n; b++)
            if (sec->blocks[b].kind == KS_DOC_PARA) {
                free(sec->blocks[b].text);
                sec->blocks[b].text = ks_strdup(L("新規相談の件数は秘匿の対象です。", "New case counts are hidden."));
                return;
            }
    }
}

/* the headline's new-case counts are these tables' grand totals: if one
 * had to be hidden here (a last-resort complement), the headline must
 * not print it either (a dash, not a false "<k") */
static void hide_headline_totals(const trend_state *x)
{
    rep *r = x->r;
    const ks_table *head = ks_result_table(r->res, r->headline);
    for (int w = 0; w < 2 && head; w++) {
        const ks_table *src = w == 0 ? x->tp : x->tc;
        size_t at = w == 0 ? x->nmp : x->nmc;
        if (ks_report_hidden(src, at, x->nser + 1) && !ks_report_hidden(head, 0, 1 + (size_t)w)) {
            ks_result_blank(r->res, r->headline, 0, 1 + (size_t)w, NULL);
            ks_result_blank(r->res, r->headline, 0, 3, NULL);
            ks_result_blank(r->res, r->headline, 0, 4, NULL);
            unquote_overview(r);
        }
    }
}

/* Whether month m's cell of series s is hidden in whichever of the three
 * month tables shows month m. */
static bool month_cell_hidden(const trend_state *x, int m, size_t s)
{
    for (size_t i = 0; i < x->nmp; i++)
        if (x->mp[i] == m)
            return ks_report_hidden(x->tp, i, 1 + s);
    for (size_t i = 0; i < x->nmc; i++)
        if (x->mc[i] == m)
            return ks_report_hidden(x->tc, i, 1 + s);
    for (size_t i = 0; i < x->nmr && x->tw; i++)
        if (x->mr[i] == m)
            return ks_report_hidden(x->tw, i, 1 + s);
    return false;
}

/* A trend is a function of every month it is fitted to: with a month
 * hidden in the month tables above, its annual change and p are
 * equations in that month's count (analyze trend's a2020 recovers
 * sparse series month by month from them).  The report fits a series
 * only when all of its months are shown; analyze trend, for analysts,
 * fits the hidden months as their published sum instead. */
static bool series_has_hidden_month(const trend_state *x, size_t s)
{
    bool any_hidden = false;
    for (size_t mi = x->fit0; mi < x->nm && !ks_weakened("report-trend"); mi++)
        any_hidden = any_hidden || month_cell_hidden(x, x->r->W.first + (int)mi, s);
    return any_hidden;
}

/* Series s's counts in P and C, its rate ratio and, when all its months
 * are shown, its trend. */
static void series_stats(trend_state *x, size_t s, double *series)
{
    size_t nser = x->nser, nm = x->nm;
    size_t w0 = (size_t)(x->r->W.first - x->range0);
    trend_row *t = &x->tr[s];
    /* from the published counts: the periods' totals as the month tables
     * print them, the trend fitted to the published months */
    kcount cur = {0, 0}, cmp = {0, 0};
    for (size_t i = 0; i < x->nmp; i++) {
        size_t at = (size_t)(x->mp[i] - x->range0) * (nser + 1) + s;
        cur.n += (int64_t)x->m[at];
        cur.keys += x->km[at];
    }
    for (size_t i = 0; i < x->nmc; i++) {
        size_t at = (size_t)(x->mc[i] - x->range0) * (nser + 1) + s;
        cmp.n += (int64_t)x->m[at];
        cmp.keys += x->km[at];
    }
    for (size_t mi = 0; mi < nm; mi++) {
        size_t at = (w0 + mi) * (nser + 1) + s;
        series[mi] = (double)ks_report_pub(x->r, (kcount){(int64_t)x->m[at], x->km[at]});
    }
    t->cur = ks_report_pub(x->r, cur);
    t->cmp = ks_report_pub(x->r, cmp);
    rate_ratio(t->cur, t->cmp, t);
    if (series_has_hidden_month(x, s)) {
        t->fitted = false;
        t->apc = t->apc_lo = t->apc_hi = t->p = t->p_adj = NAN;
        x->nwithheld++;
    } else {
        fit_trend(x->r, series + x->fit0, nm - x->fit0, t);
    }
}

/* trend statistics, from the counts themselves */
static void trend_stats(trend_state *x)
{
    const rep *r = x->r;
    size_t nser = x->nser;
    x->tr = ks_calloc(nser + 1, sizeof *x->tr);
    double *pv = ks_calloc(nser + 1, sizeof *pv);
    size_t *pidx = ks_calloc(nser + 1, sizeof *pidx);
    double *series = ks_calloc(x->nm, sizeof *series);
    x->fit0 = (size_t)(r->data_first > r->W.first ? r->data_first - r->W.first : 0);
    if (x->fit0 > x->nm)
        x->fit0 = x->nm;
    for (size_t s = 0; s <= nser; s++) {
        series_stats(x, s, series);
        if (x->tr[s].fitted) {
            pv[x->nfit] = x->tr[s].p;
            pidx[x->nfit++] = s;
        }
    }
    free(series);
    ks_p_adjust_bh(pv, x->nfit, pv, NULL);
    for (size_t i = 0; i < x->nfit; i++)
        x->tr[pidx[i]].p_adj = pv[i];
    free(pv);
    free(pidx);
}

/* trend table: top problems, other, all (the total row) */
static int trend_table(trend_state *x)
{
    rep *r = x->r;
    ks_table *u = x->u = ks_table_new();
    ks_report_col_text(u, "series", L("主たる課題", "Main problem"));
    size_t uc = ks_report_col_count(u, "n_period", L("今期", "This period"));
    size_t up = ks_report_col_count(u, "n_compare", ks_report_cmp_col(r));
    size_t urr = x->urr = ks_report_col_share(u, "change_pct", L("増減率(%)", "Change (%)"), uc, (int)up, 1);
    size_t ulo = ks_report_col_share(u, "change_lo", L("95%CI下限", "95% CI low"), uc, (int)up, 1);
    size_t uhi = ks_report_col_share(u, "change_hi", L("95%CI上限", "95% CI high"), uc, (int)up, 1);
    size_t uapc = ks_report_col_real(u, "trend_pct", L("傾向(年率%)", "Trend (%/year)"), 1);
    size_t ualo = ks_report_col_real(u, "trend_lo", L("95%CI下限", "95% CI low"), 1);
    size_t uahi = ks_report_col_real(u, "trend_hi", L("95%CI上限", "95% CI high"), 1);
    size_t upa = ks_report_col_real(u, "p_bh", L("p(BH調整)", "p (BH)"), 3);
    size_t ntop = r->ntop;
    for (size_t s = 0; s <= x->nser; s++) {
        const trend_row *t = &x->tr[s];
        size_t row = ks_table_add_row(u);
        ks_report_set_s(u, row, 0, s < ntop ? ks_report_lab(&r->problem, r->top[s]) : s == ntop ? L("上記以外", "All others") : L("計", "Total"));
        ks_report_copy_to(u, row, uc, x->tp, x->nmp, 1 + s);
        ks_report_copy_to(u, row, up, x->tc, x->nmc, 1 + s);
        ks_report_set_r(u, row, urr, t->rr);
        ks_report_set_r(u, row, ulo, t->rr_lo);
        ks_report_set_r(u, row, uhi, t->rr_hi);
        if (t->fitted) {
            ks_report_set_r(u, row, uapc, t->apc);
            ks_report_set_r(u, row, ualo, t->apc_lo);
            ks_report_set_r(u, row, uahi, t->apc_hi);
            ks_report_set_r(u, row, upa, t->p_adj);
        }
    }
    ks_table_set_totals(u, (long)x->nser, -1, NULL);
    return ks_report_protect_links(r, u);
}

/* What the sentence on one series says. */
typedef struct finding {
    const trend_row *t; /* the series' comparison and trend */
    const char *name;   /* the series in the sentence */
    bool all;           /* the series of all new cases */
    bool rr_ok;         /* its change against the comparison period is published */
    size_t months;      /* months its trend was fitted to */
} finding;

/* The English sentence on a series: its change against the comparison
 * period when published, and its trend. */
static void finding_en(const rep *r, ks_buf *b, const finding *f)
{
    const trend_row *t = f->t;
    if (f->all)
        ks_buf_adds(b, "All new cases: ");
    else
        ks_buf_addf(b, "New cases (%s): ", f->name);
    if (f->rr_ok) {
        ks_report_signed_pct(b, t->rr);
        ks_buf_addf(b, " on the %s (95%% CI ", ks_report_cmp_short(r));
        ks_report_signed_pct(b, t->rr_lo);
        ks_buf_adds(b, " to ");
        ks_report_signed_pct(b, t->rr_hi);
        ks_buf_adds(b, "); ");
    }
    ks_buf_addf(b, "%s over the last %zu months (", t->apc > 0 ? "rising" : "falling", f->months);
    ks_report_signed_pct(b, t->apc);
    ks_buf_adds(b, " a year, 95% CI ");
    ks_report_signed_pct(b, t->apc_lo);
    ks_buf_adds(b, " to ");
    ks_report_signed_pct(b, t->apc_hi);
    ks_buf_adds(b, ", BH-adjusted ");
    ks_report_p_text(b, t->p_adj);
    ks_buf_adds(b, ").");
}

/* The same sentence in Japanese. */
static void finding_ja(const rep *r, ks_buf *b, const finding *f)
{
    const trend_row *t = f->t;
    if (f->all)
        ks_buf_addf(b, "%sは", f->name);
    else
        ks_buf_addf(b, "%sの新規相談は", f->name);
    if (f->rr_ok) {
        ks_buf_addf(b, "%s比 ", ks_report_cmp_short(r));
        ks_report_signed_pct(b, t->rr);
        ks_buf_adds(b, "（95%信頼区間 ");
        ks_report_signed_pct(b, t->rr_lo);
        ks_buf_adds(b, "〜");
        ks_report_signed_pct(b, t->rr_hi);
        ks_buf_adds(b, "）で、");
    }
    ks_buf_addf(b, "過去%zuか月は%s傾向です（年率 ", f->months, t->apc > 0 ? "増加" : "減少");
    ks_report_signed_pct(b, t->apc);
    ks_buf_adds(b, "、95%信頼区間 ");
    ks_report_signed_pct(b, t->apc_lo);
    ks_buf_adds(b, "〜");
    ks_report_signed_pct(b, t->apc_hi);
    ks_buf_adds(b, "、BH調整後 ");
    ks_report_p_text(b, t->p_adj);
    ks_buf_adds(b, "）。");
}

/* A bullet for each series with a significant trend (all cases first),
 * else a sentence saying there is none; and how many series were left
 * unfitted. */
static void trend_findings(const trend_state *x, ks_doc_section *sec)
{
    const rep *r = x->r;
    size_t nser = x->nser, ntop = r->ntop, fit_months = x->nm - x->fit0;
    size_t said = 0;
    ks_buf b;
    ks_buf_init(&b);
    for (size_t k = 0; k <= nser; k++) {
        size_t s = k == 0 ? nser : k - 1; /* all cases first */
        size_t row = s;
        if (!x->tr[s].fitted || !(x->tr[s].p_adj < 0.05))
            continue;
        ks_buf_reset(&b);
        const char *nm_s = s == nser ? L("新規相談全体", "all new cases") : s == ntop ? L("上記以外の課題", "all other problems")
                                                                          : ks_report_lab(&r->problem, r->top[s]);
        bool rr_ok = !ks_report_hidden(x->u, row, x->urr) && isfinite(ks_report_cell_num(x->u, row, x->urr));
        finding f = {.t = &x->tr[s], .name = nm_s, .all = s == nser, .rr_ok = rr_ok, .months = fit_months};
        if (r->en)
            finding_en(r, &b, &f);
        else
            finding_ja(r, &b, &f);
        ks_doc_add(sec, KS_DOC_BULLET, b.buf, NULL, NULL);
        said++;
    }
    if (!said) {
        ks_buf_reset(&b);
        if (r->en)
            ks_buf_addf(&b, "No series shows a significant rise or fall over the last %zu months (BH-adjusted p < 0.05).",
                        fit_months);
        else
            ks_buf_addf(&b, "過去%zuか月の月別件数に、有意な増加・減少傾向（BH調整後 p < 0.05）を示した系列はありません。",
                        fit_months);
        ks_doc_add(sec, KS_DOC_PARA, b.buf, NULL, NULL);
    }
    if (x->nwithheld) {
        ks_buf_reset(&b);
        if (r->en)
            ks_buf_addf(&b, "%zu series with a month hidden in the monthly tables have no trend estimate: a trend "
                            "fitted to a hidden count would let it be worked out.", x->nwithheld);
        else
            ks_buf_addf(&b, "月別件数の表で秘匿した月がある %zu 系列は、傾向を推定していません（秘匿した件数が推定値から"
                            "逆算されないように）。", x->nwithheld);
        ks_doc_add(sec, KS_DOC_PARA, b.buf, NULL, NULL);
    }
    ks_buf_release(&b);
}

/* charts: the window's months, each cell read from the protected table
 * that holds it (cats[mi], and v and h as [series][month]) */
static void window_cells(const trend_state *x, const char **cats, double *v, bool *h)
{
    const rep *r = x->r;
    size_t nm = x->nm;
    for (size_t mi = 0; mi < nm; mi++) {
        int m = r->W.first + (int)mi;
        const ks_table *src = x->tw;
        size_t row = 0;
        if (m >= r->P.first && m <= r->P.last) {
            src = x->tp;
            row = (size_t)(m - r->P.first);
        } else if (m >= r->C.first && m <= r->C.last) {
            src = x->tc;
            row = (size_t)(m - r->C.first);
        } else {
            for (size_t i = 0; i < x->nmr; i++)
                if (x->mr[i] == m)
                    row = i;
        }
        cats[mi] = ks_table_cell(src, row, 0)->v.s;
        for (size_t s = 0; s <= x->nser; s++) {
            h[s * nm + mi] = ks_report_hidden(src, row, 1 + s);
            v[s * nm + mi] = ks_report_cell_num(src, row, 1 + s);
        }
    }
}

/* The line chart of all new cases over the window, then small multiples
 * of the top problems, both with this period and the comparison marked. */
static void trend_charts(const trend_state *x, ks_doc_section *sec)
{
    rep *r = x->r;
    size_t nm = x->nm, nser = x->nser;
    const char **cats = ks_calloc(nm ? nm : 1, sizeof *cats);
    double *v = ks_calloc(ks_mul(nm, nser + 1), sizeof *v);
    bool *h = ks_calloc(ks_mul(nm, nser + 1), sizeof *h);
    window_cells(x, cats, v, h);
    ks_svg_series *ser = ks_calloc(nser + 1, sizeof *ser);
    for (size_t s = 0; s <= nser; s++)
        ser[s] = (ks_svg_series){.name = ks_table_column(x->tp, 1 + s)->label, .v = v + s * nm, .hidden = h + s * nm,
                                 .color = -1};
    size_t bf = (size_t)(r->P.first - r->W.first), bt = (size_t)(r->P.last - r->W.first + 1);
    size_t b2f = r->C.first >= r->W.first ? (size_t)(r->C.first - r->W.first) : 0;
    size_t b2t = r->C.last >= r->W.first ? (size_t)(r->C.last - r->W.first + 1) : 0;
    ks_svg_chart ch = {.cats = cats, .ncat = nm, .mark = "x", .fmt = KS_SVG_COUNT, .width = CHART_W,
                       .band_from = bf, .band_to = bt, .band2_from = b2f, .band2_to = b2t,
                       .band_label = L("今期", "This period"), .band2_label = ks_report_cmp_col(r)};
    char *id = ks_report_next_id(r, "f");
    ch.id = id;
    ch.title = L("月別の新規相談件数（全体）", "New cases per month (all)");
    ch.series = &ser[nser];
    ch.nseries = 1;
    ch.axis_label = L("件数", "cases");
    ks_buf svg;
    ks_buf_init(&svg);
    ks_svg_line(&svg, &ch);
    ks_doc_add(sec, KS_DOC_FIGURE, ch.title, id, svg.buf);
    free(id);
    if (r->ntop > 0) {
        ks_buf_reset(&svg);
        id = ks_report_next_id(r, "f");
        ch.id = id;
        ch.title = L("主たる課題別の月別新規相談件数", "New cases per month by main problem");
        ch.series = ser;
        ch.nseries = r->ntop;
        ks_svg_multiples(&svg, &ch, 3);
        ks_doc_add(sec, KS_DOC_FIGURE, ch.title, id, svg.buf);
        free(id);
    }
    ks_buf_release(&svg);
    free(ser);
    free(v);
    free(h);
    free(cats);
}

/* The trend table, its method note and the month tables, handed to the
 * result and the document (each freed there: x's pointers to them are
 * cleared). */
static int trend_tables(trend_state *x, ks_doc_section *sec)
{
    rep *r = x->r;
    size_t fit_months = x->nm - x->fit0;
    int rc = ks_report_add_table(r, sec, KS_DOC_TABLE,
                                 L("主たる課題別の新規相談：比較と傾向", "New cases by main problem: comparison and trend"),
                                 "t-trend", x->u, NULL);
    x->u = NULL;
    if (rc)
        return rc;
    ks_buf b;
    ks_buf_init(&b);
    if (r->en)
        ks_buf_addf(&b, "Change: Poisson rate ratio of this period to the %s. Trend: Poisson regression of the monthly "
                        "counts over %zu months on time%s; quasi-Poisson intervals where the counts are overdispersed; "
                        "p-values adjusted for the %zu series by Benjamini-Hochberg.",
                    ks_report_cmp_short(r), fit_months, fit_months >= 24 ? " with month-of-year terms" : "", x->nfit);
    else
        ks_buf_addf(&b, "増減率：%sに対する件数比（ポアソン）。傾向：%zuか月の月別件数を時間に回帰したポアソン回帰%s。"
                        "過分散のある系列は準ポアソンの区間。p値は%zu系列でBenjamini-Hochberg調整。",
                    ks_report_cmp_short(r), fit_months, fit_months >= 24 ? "（季節項つき）" : "", x->nfit);
    ks_doc_add(sec, KS_DOC_NOTE, b.buf, NULL, NULL);
    rc = ks_report_add_table(r, sec, KS_DOC_TABLE, L("月別の新規相談件数：今期", "New cases per month: this period"),
                             "t-monthly", x->tp, NULL);
    x->tp = NULL;
    ks_buf_reset(&b);
    ks_buf_addf(&b, r->en ? "New cases per month: %s" : "月別の新規相談件数：%s", ks_report_cmp_short(r));
    if (!rc)
        rc = ks_report_add_table(r, sec, KS_DOC_TABLE, b.buf, "t-monthly-compare", x->tc, NULL);
    x->tc = NULL;
    if (!rc && x->tw)
        rc = ks_report_add_table(r, sec, KS_DOC_TABLE,
                                 L("月別の新規相談件数：推移の表示期間のその他の月", "New cases per month: other months shown"),
                                 "t-monthly-other", x->tw, NULL);
    x->tw = NULL;
    ks_buf_release(&b);
    return rc;
}

int ks_report_sec_trend(rep *r)
{
    trend_state x = {.r = r};
    choose_top(r);
    count_months(&x);
    make_month_tables(&x);
    int rc;
    if ((rc = ks_report_protect(r, x.tp)) || (rc = ks_report_protect(r, x.tc)) ||
        (x.tw && (rc = ks_report_protect(r, x.tw))))
        goto done;
    record_hidden_months(&x);
    hide_headline_totals(&x);
    trend_stats(&x);
    if ((rc = trend_table(&x)))
        goto done;
    ks_doc_section *sec = ks_doc_section_add(r->doc, "trend", L("2. 新規相談の推移", "2. Trends in new cases"));
    trend_findings(&x, sec);
    trend_charts(&x, sec);
    rc = trend_tables(&x, sec);
done:
    ks_table_free(x.tp);
    ks_table_free(x.tc);
    ks_table_free(x.tw);
    ks_table_free(x.u);
    free(x.tr);
    free(x.m);
    free(x.km);
    free(x.mp);
    free(x.mc);
    free(x.mr);
    return rc;
}

/* ---- 7. intake routes ----------------------------------------------------------- */

/* Section 7 while it is built: fiscal quarters over the trend window. */
typedef struct routes_state {
    rep *r;      /* the report (borrowed) */
    int q0;      /* first quarter, counted from April of year 0 */
    size_t nq;   /* quarters */
    size_t nr;   /* route ids + 1 (r->route.n) */
    size_t ncat; /* columns of counts: ids 1..nr-1, then "not recorded" */
    size_t tc;   /* the total column */
} routes_state;

/* New cases per quarter and route, [quarter][category] with the total row
 * (quarter nq) and column (category ncat): every total its own count of
 * cases, published on its own.  The caller frees. */
static kcount *count_routes(const routes_state *x)
{
    const rep *r = x->r;
    size_t w = x->ncat + 1;
    kcount *cnt = ks_calloc(ks_mul(x->nq + 1, w), sizeof *cnt);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->month < r->W.first || c->month > r->W.last)
            continue;
        size_t q = (size_t)((c->month - 3) / 3 - x->q0);
        size_t rt = c->route > 0 && c->route < x->nr ? c->route : 0;
        size_t col = rt ? rt - 1 : x->nr - 1;
        ks_kc_add(&cnt[q * w + col], c);
        ks_kc_add(&cnt[q * w + x->ncat], c);
        ks_kc_add(&cnt[x->nq * w + col], c);
        ks_kc_add(&cnt[x->nq * w + x->ncat], c);
    }
    return cnt;
}

/* The quarters-by-route table with a total row and column, unprotected;
 * sets x->tc. */
static ks_table *routes_table(routes_state *x)
{
    rep *r = x->r;
    size_t nq = x->nq, ncat = x->ncat;
    kcount *cnt = count_routes(x);
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "quarter", L("四半期", "Quarter"));
    for (size_t id = 1; id < x->nr; id++) {
        char nm[32];
        snprintf(nm, sizeof nm, "n_%zu", id);
        ks_report_col_count(t, nm, ks_report_lab(&r->route, (int)id));
    }
    ks_report_col_count(t, "n_none", L("未記入", "Not recorded"));
    size_t tc = x->tc = ks_report_col_count(t, "n", L("計", "Total"));
    for (size_t q = 0; q <= nq; q++) {
        size_t row = ks_table_add_row(t);
        char lb[48];
        if (q < nq) {
            int qi = x->q0 + (int)q;
            snprintf(lb, sizeof lb, r->en ? "FY%d Q%d" : "%d年度Q%d", qi / 4, qi % 4 + 1);
        } else {
            snprintf(lb, sizeof lb, "%s", L("計", "Total"));
        }
        ks_report_set_s(t, row, 0, lb);
        for (size_t j = 0; j <= ncat; j++)
            ks_report_set_i(t, row, j < ncat ? 1 + j : tc, ks_report_pub(r, cnt[q * (ncat + 1) + j]));
    }
    free(cnt);
    ks_table_set_totals(t, (long)nq, (long)tc, NULL);
    return t;
}

/* Disclosure control of the routes table, consistent with the month
 * tables of section 2. */
static int protect_routes(const routes_state *x, ks_table *t)
{
    rep *r = x->r;
    int rc = ks_report_suppress_all(r, t);
    /* a quarter's total is the sum of three month totals of the trend
     * tables: with exactly one of them hidden there, the quarter's total
     * must be hidden here too (and then protected in this table) */
    bool more = false;
    for (size_t q = 0; q < x->nq && !rc && r->month_hidden; q++) {
        int nh = 0;
        for (int m = 0; m < 3; m++) {
            int month = (x->q0 + (int)q) * 3 + 3 + m;
            if (month >= r->W.first && month <= r->W.last)
                nh += r->month_hidden[month - r->W.first];
        }
        if (nh == 1 && !ks_report_hidden(t, q, x->tc)) {
            ks_table_suppress(t, q, x->tc, KS_WHY_SECONDARY, NULL);
            more = true;
        }
    }
    if (!rc && more && !(rc = ks_suppress_secondary(t, NULL, r->err)))
        rc = ks_suppress_links(t, NULL, r->err);
    if (!rc)
        rc = ks_report_protect_end(r, t);
    return rc;
}

/* The stacked bar chart of the protected table, a bar per quarter. */
static void routes_chart(const routes_state *x, ks_doc_section *sec, const ks_table *t)
{
    rep *r = x->r;
    size_t nq = x->nq, ncat = x->ncat;
    const char **cats = ks_calloc(nq, sizeof *cats);
    double *v = ks_calloc(ks_mul(nq, ncat), sizeof *v), *tot = ks_calloc(nq, sizeof *tot);
    bool *h = ks_calloc(ks_mul(nq, ncat), sizeof *h), *th = ks_calloc(nq, sizeof *th);
    ks_svg_series *ser = ks_calloc(ncat, sizeof *ser);
    for (size_t q = 0; q < nq; q++)
        cats[q] = ks_table_cell(t, q, 0)->v.s;
    for (size_t j = 0; j < ncat; j++) {
        ks_report_column_values(t, 1 + j, nq, v + j * nq, h + j * nq);
        ser[j] = (ks_svg_series){.name = ks_table_column(t, 1 + j)->label, .v = v + j * nq, .hidden = h + j * nq,
                                 .color = (int)j};
    }
    ks_report_column_values(t, x->tc, nq, tot, th);
    char *id = ks_report_next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = L("相談経路別の新規相談（四半期）", "New cases by intake route (quarters)"),
                       .cats = cats, .ncat = nq, .series = ser, .nseries = ncat, .mark = "x",
                       .width = CHART_W, .totals = tot, .totals_hidden = th, .axis_label = L("件数", "cases")};
    ks_buf svg;
    ks_buf_init(&svg);
    ks_svg_stacked(&svg, &ch);
    ks_doc_add(sec, KS_DOC_FIGURE, ch.title, id, svg.buf);
    ks_buf_release(&svg);
    free(id);
    free(cats);
    free(v);
    free(tot);
    free(h);
    free(th);
    free(ser);
}

int ks_report_sec_routes(rep *r)
{
    ks_doc_section *sec = ks_doc_section_add(r->doc, "routes", L("7. 相談経路の推移", "7. Intake routes over time"));
    /* fiscal quarters over the trend window */
    int q0 = (r->W.first - 3) / 3, q1 = (r->W.last - 3) / 3; /* quarter index from April of year 0 */
    routes_state x = {.r = r, .q0 = q0, .nq = (size_t)(q1 - q0 + 1), .nr = r->route.n, .ncat = r->route.n};
    ks_table *t = routes_table(&x);
    int rc = protect_routes(&x, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    routes_chart(&x, sec, t);
    if ((rc = ks_report_add_table(r, sec, KS_DOC_TABLE,
                                  L("相談経路別の新規相談（年度の四半期）", "New cases by intake route (fiscal quarters)"),
                                  "t-routes", t, NULL)))
        return rc;
    ks_doc_add(sec, KS_DOC_NOTE,
               L("斜線の部分は秘匿したセルの合計です（行の計から公表値を引いたもの）。",
                 "Hatched blocks are the sum of hidden cells (the row total less the published cells)."),
               NULL, NULL);
    return 0;
}
