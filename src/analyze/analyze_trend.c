/* analyze_trend.c: `kasane analyze trend SERIES [--seasonal]`.
 *
 * Monthly counts of new consultations (by consult_month) for every level of
 * SERIES, a Poisson regression of each series on the month index (with
 * month-of-year terms under --seasonal), and the annual percent change
 * (exp(12 b) - 1) * 100 with its 95% interval.
 *
 * Overdispersion: the Pearson statistic phi * df is chi-squared on df under
 * the Poisson model; when that test rejects at 5% (and phi > 1) the series
 * is reported with the quasi-Poisson p and interval (se * sqrt(phi), t on
 * df), otherwise with the Poisson ones.  A fixed cut-off such as phi > 1.5
 * ignores how many months there are: with 72 months phi = 1.3 is already
 * clear evidence, with 12 months phi = 1.6 is not.
 *
 * Disclosure: a trend fitted to a series' monthly counts is a function of
 * every one of them; where the monthly table hides a month, the annual
 * change (which fixes sum t y_t given the total), the dispersion and the
 * p-value are equations in the hidden counts that a solver can enumerate
 * (tests/attack/a2020-trend.sh).  So the statistics use only what the
 * monthly table publishes: a series with no hidden month is fitted as it
 * is; one with hidden months is fitted with those months as one observation,
 * their sum, which the series total (the total row) minus its shown months
 * gives (stats_poisson.h: the likelihood of exactly what is published); a
 * series whose total is hidden gets no statistics.  A coarser series
 * (quarters, fiscal years) would not do: a quarter's sum with one hidden
 * month in it gives that month back by subtraction.  The all-cases row of a
 * multi-response series, whose month totals are not in the table, is fitted
 * only when no month total is below k.
 *
 * The significant list is the series with Benjamini-Hochberg q < 0.05 over
 * the series whose statistics are printed (the published family: a q-value
 * is a function of every p-value in its family), ranked by q.  Series with
 * fewer than k cases are counted but not fitted.
 *
 * Under the cell key method (analyze.h) every monthly count, series total,
 * month total and the grand total is published perturbed, each by its own
 * cells' record keys (series_sizes replaces the scan's counts by those
 * values), and every fit is made on the perturbed monthly counts the table
 * prints: the statistics are functions of the published table.  The months
 * run over the whole database (within --from/--to), not from the
 * selection's first case to its last, which would date those cases. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "stats_dist.h"
#include "stats_glm.h"
#include "stats_poisson.h"
#include "stats_table.h"
#include "weaken.h"

#define MONTH_EXPR "(CAST(substr(c.consult_month, 1, 4) AS INTEGER) * 12 + CAST(substr(c.consult_month, 6, 2) AS INTEGER) - 1)"

typedef struct tr_scan {
    const ks_an_var *v;  /* series variable, NULL for all */
    bool drop_unknown;   /* leave out 不明 levels */
    int64_t m0;          /* first month index kept */
    size_t nm;           /* months kept */
    size_t ns;           /* series */
    int64_t *cnt;        /* [ns * nm], as published after series_sizes */
    int64_t *total;      /* [nm] cases per month, as published after series_sizes */
    uint64_t *kcnt;      /* [ns * nm] record keys' sum of cnt (cell key method) */
    uint64_t *ktotal;    /* [nm] of total */
    ks_an_n n;           /* cases counted (true) */
    int64_t pn;          /* n as published */
    ks_an_n missing;     /* series value missing */
    ks_an_n unknown;     /* series value 不明, dropped */
    ks_an_n outside;     /* outside the months kept */
} tr_scan;

static int tr_row(void *ud, const int64_t *val, const bool *null)
{
    tr_scan *s = ud;
    uint64_t key = (uint64_t)val[2]; /* the case's record key (ks_an_scan) */
    if (val[0] < s->m0 || val[0] >= s->m0 + (int64_t)s->nm) {
        ks_an_n_add(&s->outside, val[2]);
        return 0;
    }
    size_t m = (size_t)(val[0] - s->m0);
    if (!s->v) {
        s->cnt[m]++;
        s->kcnt[m] += key;
        s->total[m]++;
        s->ktotal[m] += key;
        ks_an_n_add(&s->n, val[2]);
        return 0;
    }
    if (null[1]) {
        ks_an_n_add(&s->missing, val[2]);
        return 0;
    }
    bool any = false;
    if (s->v->kind == KS_AN_SET) {
        uint64_t seen = 0;
        for (int b = 0; b < 64; b++) {
            int li = ((uint64_t)val[1] >> b) & 1 ? s->v->bit_level[b] : -1;
            if (li < 0 || (seen >> li) & 1)
                continue;
            seen |= UINT64_C(1) << li;
            s->cnt[(size_t)li * s->nm + m]++;
            s->kcnt[(size_t)li * s->nm + m] += key;
            any = true;
        }
    } else {
        int li = ks_an_var_index(s->v, s->v->kind == KS_AN_BINARY ? val[1] != 0 : val[1]);
        if (li >= 0 && s->drop_unknown && s->v->lev[li].unknown) {
            ks_an_n_add(&s->unknown, val[2]);
            return 0;
        }
        if (li >= 0) {
            s->cnt[(size_t)li * s->nm + m]++;
            s->kcnt[(size_t)li * s->nm + m] += key;
            any = true;
        }
    }
    if (!any) {
        ks_an_n_add(&s->missing, val[2]);
        return 0;
    }
    s->total[m]++;
    s->ktotal[m] += key;
    ks_an_n_add(&s->n, val[2]);
    return 0;
}

static int month_of_date(const char *d)
{
    int y = 0, m = 0;
    if (!d || sscanf(d, "%4d-%2d", &y, &m) != 2)
        return -1;
    return y * 12 + m - 1;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

static void month_text(int64_t mi, char buf[16])
{
    snprintf(buf, 16, "%04d-%02d", (int)(mi / 12), (int)(mi % 12) + 1);
}

/* The hidden months of a series fitted as one sum may hold at most this
 * share of its cases.  The grouped likelihood ignores why those months are
 * hidden (their counts are small), so the visible months look larger than
 * the series is; with 5% of the cases in the sum the estimate moves by a
 * small part of its interval, with more it can go anywhere (on the demo data,
 * a series with 40 of 72 months hidden went from -2% to -84% a year). */
#define MAX_HIDDEN_SHARE 0.05

/* Columns of the trend table. */
enum { R_SERIES, R_CODE, R_N, R_PER_MONTH, R_APC, R_LO, R_HI, R_P, R_Q, R_PHI, R_MODEL, R_MARK, R_GROUPED };

typedef struct series_fit {
    size_t s;        /* series index */
    bool fitted;     /* n >= k and the fit ran */
    bool quasi;      /* quasi-Poisson chosen */
    double apc;      /* annual percent change */
    double lo;       /* 95% interval */
    double hi;       /* upper end */
    double p;        /* p of the chosen model */
    double q;        /* BH q */
    double phi;      /* Pearson dispersion */
    int64_t n;       /* cases */
    size_t row;      /* its row in the trend table */
    size_t col;      /* its column in the monthly table, 0 for none */
    size_t grouped;  /* hidden months fitted as one sum */
} series_fit;

static bool hidden(const ks_table *t, size_t row, size_t col)
{
    return ks_table_cell(t, row, col)->kind == KS_CELL_SUPPRESSED;
}

/* Fits one series and picks Poisson or quasi-Poisson (see the top).  With
 * `group` (group[m] = 0 for the hidden months, -1 for the others) the hidden
 * months enter as their sum hidden_sum; a grouped fit that cannot be made
 * (too few months shown) leaves the series unfitted with a warning. */
static int fit_series(const double *counts, const int *group, double hidden_sum, size_t nm, int first_month,
                      const char *label, series_fit *f, ks_buf *warn, ks_error *err)
{
    ks_trend tr;
    ks_error gerr = {0};
    int rc = group ? ks_poisson_trend_grouped(counts, group, nm, first_month, &hidden_sum, 1, &tr, &gerr)
                   : ks_glm_trend_monthly(counts, nm, first_month, NULL, &tr, err);
    if (rc == -KS_EDATA && group) {
        ks_buf_addf(warn, "%s%s: %s", warn->len ? "; " : "", label, gerr.msg);
        f->grouped = 0;
        return 0;
    }
    if (rc && group)
        return ks_error_set(err, -rc, "series '%s': %s", label, gerr.msg);
    if (rc)
        return ks_error_prefix(err, "series '%s': ", label);
    f->fitted = true;
    f->phi = tr.dispersion;
    double disp_p = tr.df_residual > 0 && isfinite(tr.dispersion)
                        ? ks_dist_chisq_upper(tr.dispersion * tr.df_residual, tr.df_residual)
                        : 1.0;
    f->quasi = tr.dispersion > 1 && disp_p < 0.05;
    f->apc = tr.apc;
    f->lo = f->quasi ? tr.q_apc_lo : tr.apc_lo;
    f->hi = f->quasi ? tr.q_apc_hi : tr.apc_hi;
    f->p = f->quasi ? tr.q_p : tr.p;
    if (tr.message[0])
        ks_buf_addf(warn, "%s%s: %s", warn->len ? "; " : "", label, tr.message);
    return 0;
}

/* One row of the trend table. */
static void trend_row(ks_table *t, const ks_an *a, const char *label, const char *code, const series_fit *f,
                      size_t nm)
{
    size_t row = ks_table_add_row(t);
    ks_table_set_text(t, row, R_SERIES, label, NULL);
    ks_table_set_text(t, row, R_CODE, code, NULL);
    ks_table_set_int(t, row, R_N, f->n, NULL);
    ks_an_set_real(t, row, R_PER_MONTH, (double)f->n / (double)nm, NULL);
    if (!f->fitted)
        return;
    ks_an_set_real(t, row, R_APC, f->apc, NULL);
    ks_an_set_real(t, row, R_LO, f->lo, NULL);
    ks_an_set_real(t, row, R_HI, f->hi, NULL);
    ks_an_set_real(t, row, R_P, f->p, NULL);
    ks_an_set_real(t, row, R_Q, f->q, NULL);
    ks_an_set_real(t, row, R_PHI, f->phi, NULL);
    ks_table_set_text(t, row, R_MODEL, f->quasi ? "quasi-poisson" : "poisson", NULL);
    ks_table_set_text(t, row, R_MARK, f->q < 0.05 ? (f->apc > 0 ? "up" : "down") : "", NULL);
    ks_table_set_int(t, row, R_GROUPED, (int64_t)f->grouped, NULL);
    (void)a;
}

/* The months column `col` of the monthly table hides: group[m] = 0 for them,
 * -1 for the others, *hidden_sum their sum (the series total less the months
 * shown), *ngrouped how many.  Returns group, or NULL when none is hidden. */
static const int *published_months(const ks_table *monthly, size_t col, const double *counts, size_t nm,
                                   int64_t total, int *group, double *hidden_sum, size_t *ngrouped)
{
    double shown = 0;
    size_t nh = 0;
    for (size_t m = 0; m < nm; m++) {
        if (hidden(monthly, m, col)) {
            group[m] = 0;
            nh++;
        } else {
            group[m] = -1;
            shown += counts[m];
        }
    }
    /* perturbed (method both), the total less the shown months can be
     * below 0: the hidden months are then taken as none */
    *hidden_sum = fmax((double)total - shown, 0.0);
    *ngrouped = nh;
    return nh ? group : NULL;
}

static int cmp_q(const void *x, const void *y)
{
    const series_fit *a = *(series_fit *const *)x, *b = *(series_fit *const *)y;
    return a->q < b->q ? -1 : a->q > b->q ? 1 : (a->s > b->s) - (a->s < b->s);
}

/* The state one trend analysis passes from step to step; ks_analyze_trend
 * owns everything here and releases it once, at its `done:`. */
typedef struct tr_run {
    ks_an *a;            /* the analysis (borrowed) */
    ks_an_var *v;        /* series variable, NULL for all (owned) */
    tr_scan s;           /* monthly counts (cnt and total owned) */
    int64_t lo;          /* first month index analysed */
    int64_t hi;          /* last month index analysed */
    bool single;         /* a case is in one series at most (not a multi-response variable) */
    int tcol;            /* the monthly table's total column, -1 for none */
    series_fit *fits;    /* [s.ns] one per series (owned) */
    series_fit all;      /* all cases together: the total row */
    series_fit **order;  /* [s.ns + 1] the fitted series, ranked by q at the end (owned) */
    size_t nord;         /* entries of order */
    double *pv;          /* [s.ns] p of the fitted series, in series order (owned) */
    size_t nfit;         /* entries of pv */
    double *counts;      /* [s.nm] one series' monthly counts, scratch (owned) */
    int *group;          /* [s.nm] published_months' groups, scratch (owned) */
    bool weak;           /* weakened: fit every count, hidden or not */
    ks_table *monthly;   /* the monthly counts (owned) */
    size_t monthly_ix;   /* its index in the analysis's result (for links) */
    ks_table *trend;     /* the trend table (owned) */
    ks_table *sig;       /* the significant series (owned) */
    ks_an_excl ex;       /* cases left out and why */
    ks_buf warn;         /* warnings of the fits, for the trend table's notes */
    ks_buf range;        /* the months analysed and the partial months left out */
    char *nnote;         /* the n footer of every table (owned) */
} tr_run;

/* the months: the selection's first to last, within --from/--to */
static int selection_months(tr_run *r, ks_error *err)
{
    ks_an *a = r->a;
    sqlite3_stmt *st = NULL;
    ks_buf sql;
    ks_buf_init(&sql);
    /* under the cell key method the whole database's months (see the top) */
    ks_buf_addf(&sql, "SELECT min(" MONTH_EXPR "), max(" MONTH_EXPR ") FROM case_record c WHERE %s",
                a->cellkey ? "1" : a->where);
    int rc = ks_an_prepare(a, sql.buf, &st, err);
    ks_buf_release(&sql);
    if (rc)
        return rc;
    int64_t lo = -1, hi = -1;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        lo = sqlite3_column_int64(st, 0);
        hi = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    if (lo < 0) {
        char *nn = ks_an_note_n(a, (ks_an_n){0, 0}, "cases", NULL); /* no case: nothing to perturb */
        rc = ks_error_set(err, KS_EDATA, "no cases to count (%s)", nn);
        free(nn);
        return rc;
    }
    if (a->from && month_of_date(a->from) > lo)
        lo = month_of_date(a->from);
    if (a->to && month_of_date(a->to) < hi)
        hi = month_of_date(a->to);
    /* the whole database's months under the cell key method: --fy bounds
     * them as --from/--to do (April to March), from the option alone */
    if (a->cellkey && a->fy && (int64_t)a->fy * 12 + 3 > lo)
        lo = (int64_t)a->fy * 12 + 3;
    if (a->cellkey && a->fy && (int64_t)a->fy * 12 + 14 < hi)
        hi = (int64_t)a->fy * 12 + 14;
    if (lo > hi) {
        char *nn = ks_an_note_n(a, (ks_an_n){0, 0}, "cases", NULL);
        rc = ks_error_set(err, KS_EDATA, "no cases to count (%s)", nn);
        free(nn);
        return rc;
    }
    r->lo = lo;
    r->hi = hi;
    return 0;
}

/* a month counted in part would look like a fall: the data or --to
 * stopping in its middle, or --from starting after its first day */
static void drop_partial_months(tr_run *r)
{
    const ks_an *a = r->a;
    int ly, lm, ld;
    const char *end = NULL;
    if (a->to && sscanf(a->to, "%4d-%2d-%2d", &ly, &lm, &ld) == 3 && ly * 12 + lm - 1 == r->hi &&
        ld < days_in_month(ly, lm))
        end = a->to;
    else if (a->last_date && sscanf(a->last_date, "%4d-%2d-%2d", &ly, &lm, &ld) == 3 && ly * 12 + lm - 1 == r->hi &&
             ld < days_in_month(ly, lm))
        end = a->last_date;
    if (end && r->hi > r->lo) {
        char mt[16];
        month_text(r->hi, mt);
        ks_buf_addf(&r->range, KS_AN_L(a, "%s は %s までしか含まないため除外", "%s left out: counted only up to %s"), mt, end);
        r->hi--;
    }
    if (a->from && sscanf(a->from, "%4d-%2d-%2d", &ly, &lm, &ld) == 3 && ly * 12 + lm - 1 == r->lo && ld > 1 &&
        r->hi > r->lo) {
        char mt[16];
        month_text(r->lo, mt);
        ks_buf_addf(&r->range, KS_AN_L(a, "%s%s は %s からしか含まないため除外", "%s%s left out: counted only from %s"),
                    r->range.len ? "; " : "", mt, a->from);
        r->lo++;
    }
}

/* Counts every series' cases per month in one scan, with the footer of
 * what was left out; refuses a selection too short for a trend. */
static int count_months(tr_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    tr_scan *s = &r->s;
    s->v = v;
    s->drop_unknown = a->opts.drop_unknown;
    s->m0 = r->lo;
    s->nm = (size_t)(r->hi - r->lo + 1);
    s->ns = v ? v->nlev : 1;
    if (s->nm < 6 || (a->opts.seasonal && s->nm < 24))
        return ks_error_set(err, KS_EDATA, "the selection spans %zu month(s): a trend needs at least %d", s->nm,
                            a->opts.seasonal ? 24 : 6);
    s->cnt = ks_calloc(ks_mul(s->ns, s->nm), sizeof *s->cnt);
    s->total = ks_calloc(s->nm, sizeof *s->total);
    s->kcnt = ks_calloc(ks_mul(s->ns, s->nm), sizeof *s->kcnt);
    s->ktotal = ks_calloc(s->nm, sizeof *s->ktotal);
    const char *exprs[2] = {MONTH_EXPR, v ? v->expr : "0"};
    int rc;
    if ((rc = ks_an_scan(a, exprs, 2, NULL, tr_row, s, err)))
        return rc;
    if (v)
        ks_an_excl_var(a, &r->ex, v, s->missing, s->unknown);
    ks_an_excl_add(a, &r->ex, s->outside, KS_AN_L(a, "対象月の範囲外", "outside the months analysed"));
    r->nnote = ks_an_note_n(a, s->n, KS_AN_L(a, "件 (相談月で集計)", "cases by month of consultation"), &r->ex);
    if (s->n.n == 0)
        return ks_error_set(err, KS_EDATA, "no cases to count (%s)", r->nnote);
    char m_first[16], m_last[16];
    month_text(r->lo, m_first);
    month_text(r->hi, m_last);
    if (r->range.len)
        ks_buf_adds(&r->range, "; ");
    ks_buf_addf(&r->range, KS_AN_L(a, "対象: %s〜%s (%zu か月)", "months %s to %s (%zu)"), m_first, m_last, s->nm);
    return 0;
}

/* Each series' size, and every count replaced by its published value
 * (ks_an_count: itself without the cell key method): a series' total by
 * its own key sum, not the sum of its perturbed months. */
static void series_sizes(tr_run *r)
{
    ks_an *a = r->a;
    tr_scan *s = &r->s;
    r->fits = ks_calloc(s->ns, sizeof *r->fits);
    for (size_t i = 0; i < s->ns; i++) {
        int64_t n = 0;
        uint64_t key = 0;
        for (size_t m = 0; m < s->nm; m++) {
            n += s->cnt[i * s->nm + m];
            key += s->kcnt[i * s->nm + m];
            s->cnt[i * s->nm + m] = ks_an_count(a, s->cnt[i * s->nm + m], s->kcnt[i * s->nm + m]);
        }
        r->fits[i].s = i;
        r->fits[i].n = ks_an_count(a, n, key);
    }
    for (size_t m = 0; m < s->nm; m++)
        s->total[m] = ks_an_count(a, s->total[m], s->ktotal[m]);
    s->pn = ks_an_count(a, s->n.n, s->n.key);
}

/* monthly counts, wide */
static int emit_monthly(tr_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    const tr_scan *s = &r->s;
    series_fit *fits = r->fits;
    r->single = !v || v->kind != KS_AN_SET;
    ks_table *monthly = r->monthly = ks_table_new();
    ks_table_add_column(monthly, "month", KS_AN_L(a, "相談月", "month"), KS_COL_TEXT, NULL);
    for (size_t i = 0; i < s->ns; i++) {
        if (!fits[i].n)
            continue;
        int c = ks_table_add_column(monthly, v ? v->lev[i].code : "n", v ? v->lev[i].label : KS_AN_L(a, "件数", "cases"),
                                    KS_COL_INT, NULL);
        ks_table_set_count(monthly, (size_t)c, NULL);
        fits[i].col = (size_t)c;
    }
    r->tcol = -1;
    if (v && r->single) {
        r->tcol = ks_table_add_column(monthly, "total", KS_AN_L(a, "計", "Total"), KS_COL_INT, NULL);
        ks_table_set_count(monthly, (size_t)r->tcol, NULL);
    }
    for (size_t m = 0; m <= s->nm; m++) {
        size_t row = ks_table_add_row(monthly);
        char mt[16];
        month_text(r->lo + (int64_t)m, mt);
        ks_table_set_text(monthly, row, 0, m < s->nm ? mt : KS_AN_L(a, "計", "Total"), NULL);
        size_t c = 1;
        for (size_t i = 0; i < s->ns; i++) {
            if (!fits[i].n)
                continue;
            int64_t x = m < s->nm ? s->cnt[i * s->nm + m] : fits[i].n;
            ks_table_set_int(monthly, row, c++, x, NULL);
        }
        /* one series per case: the month's cases are its row's sum (perturbed,
         * the month's own published count) */
        if (r->tcol >= 0)
            ks_table_set_int(monthly, row, (size_t)r->tcol, m < s->nm ? s->total[m] : s->pn, NULL);
    }
    int rc;
    if ((rc = ks_table_set_totals(monthly, (long)s->nm, r->tcol, err)))
        return rc;
    const char *mnotes[2] = {r->range.buf, NULL};
    size_t nmn = 1;
    if (!r->single)
        mnotes[nmn++] = KS_AN_L(a, "複数回答: 1件がその値ごとに数えられます", "multi-response: a case counts once in each of its values");
    r->monthly_ix = ks_an_next_table(a);
    return ks_an_emit(a, "monthly", KS_AN_L(a, "月別件数", "Monthly counts"), monthly, r->nnote, mnotes, nmn, err);
}

/* one Poisson fit per series, from what the monthly table shows (see
 * the top); weakened: from every count, hidden or not */
static int fit_each_series(tr_run *r, int first_month, ks_error *err)
{
    const ks_an *a = r->a;
    const tr_scan *s = &r->s;
    size_t nwithheld = 0;
    for (size_t i = 0; i < s->ns; i++) {
        series_fit *f = &r->fits[i];
        if (f->n < a->k)
            continue;
        for (size_t m = 0; m < s->nm; m++)
            r->counts[m] = (double)s->cnt[i * s->nm + m];
        const int *grp = NULL;
        double hsum = 0;
        if (!r->weak && f->col && hidden(r->monthly, s->nm, f->col)) {
            nwithheld++;
            continue;
        }
        if (!r->weak && f->col)
            grp = published_months(r->monthly, f->col, r->counts, s->nm, f->n, r->group, &hsum, &f->grouped);
        if (grp && hsum > MAX_HIDDEN_SHARE * (double)f->n) {
            nwithheld++;
            continue;
        }
        int rc = fit_series(r->counts, grp, hsum, s->nm, first_month, r->v ? r->v->lev[i].label : "all", f, &r->warn,
                            err);
        if (rc)
            return rc;
        if (f->fitted)
            r->pv[r->nfit++] = f->p;
        else
            nwithheld++;
    }
    return 0;
}

/* all cases together: the total row (not a series of the BH list) */
static int fit_all_cases(tr_run *r, int first_month, ks_error *err)
{
    const ks_an *a = r->a;
    const tr_scan *s = &r->s;
    r->all = (series_fit){.s = SIZE_MAX, .n = s->pn, .q = NAN};
    if (!(r->v && s->pn >= a->k))
        return 0;
    for (size_t m = 0; m < s->nm; m++)
        r->counts[m] = (double)s->total[m];
    const int *grp = NULL;
    double hsum = 0;
    bool ok = true;
    if (!r->weak && r->tcol >= 0) {
        ok = !hidden(r->monthly, s->nm, (size_t)r->tcol);
        grp = ok ? published_months(r->monthly, (size_t)r->tcol, r->counts, s->nm, s->pn, r->group, &hsum,
                                    &r->all.grouped)
                 : NULL;
        ok = ok && !(grp && hsum > MAX_HIDDEN_SHARE * (double)s->pn);
    } else if (!r->weak) {
        /* multi-response: the month totals are not in the table */
        for (size_t m = 0; m < s->nm; m++)
            if (s->total[m] > 0 && s->total[m] < a->k)
                ok = false;
    }
    if (ok)
        return fit_series(r->counts, grp, hsum, s->nm, first_month, "all", &r->all, &r->warn, err);
    return 0;
}

/* Benjamini-Hochberg q of the fitted series, and the list of them that is
 * ranked by q for the significant table. */
static int adjust_q(tr_run *r, ks_error *err)
{
    double *q = ks_malloc(ks_mul(r->nfit + 1, sizeof *q));
    int rc;
    if ((rc = ks_p_adjust_bh(r->pv, r->nfit, q, err))) {
        free(q);
        return rc;
    }
    r->order = ks_malloc(ks_mul(r->s.ns + 1, sizeof *r->order));
    size_t k = 0;
    for (size_t i = 0; i < r->s.ns; i++)
        if (r->fits[i].fitted) {
            r->fits[i].q = q[k++];
            r->order[r->nord++] = &r->fits[i];
        }
    free(q);
    return 0;
}

/* Every fit of the trend table and the q of the series, from the counts
 * the monthly table publishes. */
static int fit_trends(tr_run *r, ks_error *err)
{
    const tr_scan *s = &r->s;
    r->weak = ks_weakened("trend-stats");
    r->counts = ks_malloc(ks_mul(s->nm, sizeof *r->counts));
    r->group = ks_malloc(ks_mul(s->nm, sizeof *r->group));
    r->pv = ks_malloc(ks_mul(s->ns, sizeof *r->pv));
    int first_month = r->a->opts.seasonal ? (int)(r->lo % 12) + 1 : 0;
    int rc;
    if ((rc = fit_each_series(r, first_month, err)))
        return rc;
    if ((rc = fit_all_cases(r, first_month, err)))
        return rc;
    return adjust_q(r, err);
}

/* The trend table's columns: a row's figures are shares of its count, so
 * they are hidden with it. */
static ks_table *trend_table(ks_an *a, const ks_an_var *v)
{
    ks_table *trend = ks_table_new();
    ks_table_add_column(trend, "series", v ? v->label : KS_AN_L(a, "系列", "series"), KS_COL_TEXT, NULL);
    ks_table_add_column(trend, "code", KS_AN_L(a, "コード", "code"), KS_COL_TEXT, NULL);
    ks_table_add_column(trend, "n", KS_AN_L(a, "件数", "n"), KS_COL_INT, NULL);
    ks_an_col(trend, "per_month", KS_AN_L(a, "月平均", "per month"), KS_COL_REAL, 1, NULL);
    ks_an_col(trend, "apc", KS_AN_L(a, "年変化率%", "annual % change"), KS_COL_REAL, 2, NULL);
    ks_an_col(trend, "apc_lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 2, NULL);
    ks_an_col(trend, "apc_upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 2, NULL);
    ks_an_col(trend, "p", "p", KS_COL_REAL, -1, NULL);
    ks_an_col(trend, "q", "q (BH)", KS_COL_REAL, -1, NULL);
    ks_an_col(trend, "dispersion", KS_AN_L(a, "過分散φ", "dispersion"), KS_COL_REAL, 2, NULL);
    ks_table_add_column(trend, "model", KS_AN_L(a, "モデル", "model"), KS_COL_TEXT, NULL);
    ks_table_add_column(trend, "mark", KS_AN_L(a, "判定", "mark"), KS_COL_TEXT, NULL);
    ks_table_add_column(trend, "months_grouped", KS_AN_L(a, "合算した月", "months as a sum"), KS_COL_INT, NULL);
    ks_table_set_count(trend, R_N, NULL);
    for (size_t j = R_PER_MONTH; j <= R_GROUPED; j++)
        ks_table_set_share(trend, j, R_N, -1, NULL);
    return trend;
}

/* The trend table's rows: each series with cases, then all cases. */
static int trend_rows(tr_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    const tr_scan *s = &r->s;
    ks_table *trend = r->trend;
    /* each series' count is the monthly table's total-row cell: link_trend
     * declares it, and the publish step hides it here where it is hidden
     * there (or the other way round), which a reader could otherwise give
     * back by subtraction */
    for (size_t i = 0; i < s->ns; i++) {
        series_fit *f = &r->fits[i];
        if (!f->n)
            continue;
        f->row = ks_table_nrows(trend);
        trend_row(trend, a, v ? v->lev[i].label : KS_AN_L(a, "全件", "all cases"), v ? v->lev[i].code : "all", f,
                  s->nm);
    }
    if (!v)
        return 0;
    r->all.row = ks_table_nrows(trend);
    trend_row(trend, a, KS_AN_L(a, "全件", "all cases"), "(all)", &r->all, s->nm);
    size_t tr = r->all.row;
    /* the series add up to all cases unless a case can be in several */
    if (r->single)
        return ks_table_set_totals(trend, (long)tr, -1, err);
    return 0;
}

/* The links of the trend table (at index ix) to the monthly table: each
 * series' n is its column's total-row cell, all cases' n the grand total
 * (analyze.h).  trend_rows copies the hidden pattern already; the links let
 * the publish step keep the two in step and its audit count the equations. */
static int link_trend(tr_run *r, size_t ix, ks_error *err)
{
    const tr_scan *s = &r->s;
    int rc = 0;
    for (size_t i = 0; i < s->ns && rc == 0; i++) {
        const series_fit *f = &r->fits[i];
        if (!f->n)
            continue;
        ks_cell_ref whole = {ix, f->row, R_N};
        ks_cell_ref part = {r->monthly_ix, s->nm, f->col};
        rc = ks_an_link(r->a, whole, &part, 1, err);
    }
    if (rc == 0 && r->v && r->tcol >= 0) {
        ks_cell_ref whole = {ix, r->all.row, R_N};
        ks_cell_ref part = {r->monthly_ix, s->nm, (size_t)r->tcol};
        rc = ks_an_link(r->a, whole, &part, 1, err);
    }
    return rc;
}

/* The trend table with the model and the grouped months in its notes. */
static int emit_trend(tr_run *r, ks_error *err)
{
    ks_an *a = r->a;
    r->trend = trend_table(a, r->v);
    int rc;
    if ((rc = trend_rows(r, err)))
        return rc;
    const char *tnotes[5];
    size_t ntn = 0;
    char model[600];
    snprintf(model, sizeof model,
             KS_AN_L(a, "Poisson 回帰: log(月別件数) = a + b・月%s; 年変化率 = (exp(12b) − 1)×100; "
                        "Pearson の過分散検定が 5%% で有意 (φ > 1) の系列は quasi-Poisson の p と区間; "
                        "q は統計量を表示する系列の Benjamini–Hochberg 補正; k=%d 件未満の系列は推定しません",
                     "Poisson regression of monthly counts on time%s; annual %% change = (exp(12 b) - 1) x 100; "
                     "quasi-Poisson p and interval where the Pearson dispersion test rejects at 5%% (phi > 1); "
                     "q: Benjamini-Hochberg over the series with statistics shown; series with fewer than k=%d cases are "
                     "not fitted"),
             a->opts.seasonal ? KS_AN_L(a, " + 月の季節項", " + month-of-year terms") : "", a->k);
    tnotes[ntn++] = model;
    tnotes[ntn++] = KS_AN_L(a, "月別件数で秘匿した月は、その合計 (計の行 − 表示した月) だけを 1 つの観測として推定に使います"
                               " (合算した月 の列; 統計量が秘匿した件数を表さないように); 計が秘匿された系列には統計量を表示しません",
                            "months hidden in the monthly counts enter the fit only as their sum (the total row less the "
                            "months shown), as one observation (column `months as a sum`), so that no statistic carries a "
                            "hidden count; a series whose total is hidden has no statistics");
    tnotes[ntn++] = r->range.buf;
    if (r->warn.len)
        tnotes[ntn++] = r->warn.buf;
    size_t ix = ks_an_next_table(a);
    if ((rc = ks_an_emit(a, "trend", KS_AN_L(a, "傾向 (年変化率)", "Trend (annual percent change)"), r->trend,
                         r->nnote, tnotes, ntn, err)))
        return rc;
    return link_trend(r, ix, err);
}

/* the significant ones, ranked */
static int emit_significant(tr_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *v = r->v;
    qsort(r->order, r->nord, sizeof *r->order, cmp_q);
    /* no counts here (they are in the trend table), so the table prints as
     * it is: a series whose count the trend table hides has its figures
     * hidden here too */
    ks_table *sig = r->sig = ks_table_new();
    ks_table_add_column(sig, "rank", KS_AN_L(a, "順位", "rank"), KS_COL_INT, NULL);
    ks_table_add_column(sig, "series", v ? v->label : KS_AN_L(a, "系列", "series"), KS_COL_TEXT, NULL);
    ks_table_add_column(sig, "code", KS_AN_L(a, "コード", "code"), KS_COL_TEXT, NULL);
    ks_an_col(sig, "apc", KS_AN_L(a, "年変化率%", "annual % change"), KS_COL_REAL, 2, NULL);
    ks_an_col(sig, "apc_lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 2, NULL);
    ks_an_col(sig, "apc_upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 2, NULL);
    ks_an_col(sig, "q", "q (BH)", KS_COL_REAL, -1, NULL);
    size_t rank = 0;
    for (size_t i = 0; i < r->nord; i++) {
        const series_fit *f = r->order[i];
        if (!(f->q < 0.05))
            break;
        size_t row = ks_table_add_row(sig);
        ks_table_set_int(sig, row, 0, (int64_t)++rank, NULL);
        ks_table_set_text(sig, row, 1, v ? v->lev[f->s].label : KS_AN_L(a, "全件", "all cases"), NULL);
        ks_table_set_text(sig, row, 2, v ? v->lev[f->s].code : "all", NULL);
        ks_an_set_real(sig, row, 3, f->apc, NULL);
        ks_an_set_real(sig, row, 4, f->lo, NULL);
        ks_an_set_real(sig, row, 5, f->hi, NULL);
        ks_an_set_real(sig, row, 6, f->q, NULL);
        if (ks_table_cell(r->trend, f->row, R_N)->kind == KS_CELL_SUPPRESSED)
            for (size_t j = 3; j <= 6; j++)
                ks_table_suppress(sig, row, j, KS_WHY_LINKED, NULL);
    }
    const char *snotes[1] = {rank ? KS_AN_L(a, "q < 0.05 の系列 (q の小さい順)", "series with q < 0.05, by q")
                                  : KS_AN_L(a, "q < 0.05 の系列はありません", "no series has q < 0.05")};
    return ks_an_emit(a, "significant", KS_AN_L(a, "有意な傾向 (BH 補正後)", "Significant trends (BH-adjusted)"), sig,
                      r->nnote, snotes, 1, err);
}

int ks_analyze_trend(ks_an *a, const char *series, ks_error *err)
{
    tr_run r = {.a = a, .tcol = -1};
    ks_an_excl_init(&r.ex);
    ks_buf_init(&r.warn);
    ks_buf_init(&r.range);
    int rc = 0;
    if (strcmp(series, "all") != 0) {
        if (!(r.v = ks_an_var_new(a, series, false, err))) {
            rc = -err->code;
            goto done;
        }
    }
    if ((rc = selection_months(&r, err)))
        goto done;
    drop_partial_months(&r);
    if ((rc = count_months(&r, err)))
        goto done;
    series_sizes(&r);
    if ((rc = emit_monthly(&r, err)))
        goto done;
    if ((rc = fit_trends(&r, err)))
        goto done;
    if ((rc = emit_trend(&r, err)))
        goto done;
    rc = emit_significant(&r, err);
done:
    ks_table_free(r.monthly);
    ks_table_free(r.trend);
    ks_table_free(r.sig);
    free(r.fits);
    free(r.order);
    free(r.pv);
    free(r.counts);
    free(r.group);
    free(r.s.cnt);
    free(r.s.total);
    free(r.s.kcnt);
    free(r.s.ktotal);
    free(r.nnote);
    ks_buf_release(&r.warn);
    ks_buf_release(&r.range);
    ks_an_excl_release(&r.ex);
    ks_an_var_free(r.v);
    return rc;
}
