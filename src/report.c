/* report.c: `kasane report` — gathers the cases once, builds every table,
 * protects it (ks_suppress), draws the charts from the protected tables and
 * hands the document to a writer (report_html.c, report_text.c).
 *
 * Data: one read of case_record (the columns the report needs, problem,
 * support and partner sets as the bit masks the importer stores), kept in
 * memory as a compact array; every figure is counted from it in C.  That is
 * one scan of the table instead of one per figure, which keeps a fiscal-year
 * report on a million cases within a few seconds, and it makes the tests'
 * SQL an independent check.
 *
 * Which cases count where:
 *   new cases      consult_date in the period (the unit of most sections)
 *   closed         status 終結 and closed_date in the period
 *   suspended      status 中断 and closed_date in the period
 *   ongoing at end consult_date <= period end and no closed_date up to it
 *   outcomes       cases closed (終結) in the period
 *   time to close  new cases of the period, followed to the database's last
 *                  date; 終結 is the event, 中断 and still open are censored
 *   households     households with a new case in the period, looking at all
 *                  their cases consulted up to the period end */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kasane/codes.h"
#include "kasane/date.h"
#include "kasane/db.h"
#include "kasane/report.h"
#include "kasane/stats_glm.h"
#include "kasane/stats_surv.h"
#include "kasane/stats_table.h"
#include "kasane/suppress.h"
#include "kasane/svg.h"
#include "kasane/text.h"

#define NO_DATE INT32_MAX

enum {
    TOP_PROBLEMS = 6, /* main problems with their own trend line */
    TOP_KM = 5,       /* main problems with their own closure curve */
    TOP_COOCCUR = 10, /* problems (partners) in a co-occurrence matrix */
    TOP_PAIRS = 8,    /* strongest pairs listed */
    MAX_CODE = 64,    /* code ids kept in 64-bit masks */
    CHART_W = 680,    /* chart width in px (fits A4 at 96 dpi with margins) */
    TREND_MONTHS = 36, /* months of history in trends: with 24 and month-of-year
                          terms the slope would only restate the year-on-year change */
};

typedef struct rcase {
    int32_t open;       /* consult date, days since 1970-01-01 */
    int32_t close;      /* closed (or suspended) date, NO_DATE when none */
    int32_t month;      /* consult month index (year * 12 + month - 1) */
    int16_t age;        /* whole years at consult, -1 unknown */
    int16_t agency;     /* intake agency partner id, -1 none */
    uint8_t age_band;   /* 5-year band id, 0 unknown */
    uint8_t sex;        /* sex id, 0 empty */
    uint8_t hh_type;    /* household type id, 0 empty */
    uint8_t district;   /* district id */
    uint8_t route;      /* intake route id, 0 empty */
    uint8_t meeting;    /* meeting type id, 0 empty */
    uint8_t status;     /* status id */
    uint8_t outcome;    /* outcome id, 0 empty */
    uint8_t main;       /* main problem id */
    uint8_t nprob;      /* problems listed */
    uint64_t problems;  /* bit i: problem id i */
    uint64_t supports;  /* bit i: support id i */
    uint64_t partners;  /* bit i: partner id i (0 = unlisted) */
    int64_t household;  /* household key, 0 when none */
    int64_t person;     /* person key */
} rcase;

typedef struct labels {
    char **name;  /* [n] label by id (NULL where no such id) */
    int *field;   /* [n] field id (problems, partners), 0 otherwise */
    int *kind;    /* [n] partner kind id, 0 otherwise */
    size_t n;     /* highest id + 1 */
} labels;

typedef struct rep {
    const ks_report_opts *o; /* options */
    bool en;                 /* English text */
    int k;                   /* threshold */
    char mark[16];           /* "<k" */
    rcase *c;                /* [n] cases consulted up to the period end */
    size_t n;                /* cases */
    int data_first;          /* first consult month in the database */
    int32_t data_end;        /* last date (consult or closed) in the database */
    ks_period P;             /* the period */
    ks_period C;             /* the comparison period */
    ks_period W;             /* months in trends: C's start (or TREND_MONTHS back) to P's end */
    int32_t p0, p1, c0, c1;  /* day bounds of P and C, inclusive */
    int district;            /* selected district id, 0 = all */
    labels sex, hh, route, outcome, problem, support, field, partner, pkind, district_l, meeting;
    ks_rdoc doc;             /* the document being built */
    size_t hidden;           /* suppressed cells over all tables */
    size_t ntables;          /* tables protected */
    size_t nfig;             /* figures drawn (ids) */
    int64_t n_new;           /* new cases in P */
    bool n_new_hidden;       /* that count is below k */
    int top[TOP_PROBLEMS];   /* main problems with their own trend, largest first */
    size_t ntop;             /* how many */
    bool p_total_hidden[TOP_PROBLEMS + 2]; /* this period's count hidden: top, other, all */
    bool *month_hidden;      /* [months of W] the month's total is hidden */
    ks_table *headline;      /* the headline table (borrowed from the document) */
    ks_error *err;           /* where errors go */
} rep;

#define L(ja, en_) (r->en ? (en_) : (ja))

/* ---- small helpers ---------------------------------------------------------- */

static int32_t month_day0(int month)
{
    ks_date d = {(int16_t)(month / 12), (int8_t)(month % 12 + 1), 1};
    return ks_date_days(d);
}

static bool in_p(const rep *r, const rcase *c) { return c->month >= r->P.first && c->month <= r->P.last; }
static bool in_c(const rep *r, const rcase *c) { return c->month >= r->C.first && c->month <= r->C.last; }

static const char *lab(const labels *l, int id)
{
    return id >= 0 && (size_t)id < l->n && l->name[id] ? l->name[id] : "?";
}

static void labels_release(labels *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->name[i]);
    free(l->name);
    free(l->field);
    free(l->kind);
    memset(l, 0, sizeof *l);
}

/* Reads "id, label_ja, label_en [, field, kind]" rows; English falls back to
 * Japanese where the profile has no English name. */
static int load_labels(sqlite3 *db, const char *sql, bool en, labels *l, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        if (id < 0 || id >= 4096)
            continue;
        if ((size_t)id >= l->n) {
            size_t nn = (size_t)id + 1;
            l->name = ks_realloc(l->name, ks_mul(nn, sizeof *l->name));
            l->field = ks_realloc(l->field, ks_mul(nn, sizeof *l->field));
            l->kind = ks_realloc(l->kind, ks_mul(nn, sizeof *l->kind));
            for (size_t i = l->n; i < nn; i++) {
                l->name[i] = NULL;
                l->field[i] = 0;
                l->kind[i] = 0;
            }
            l->n = nn;
        }
        const char *ja = (const char *)sqlite3_column_text(st, 1);
        const char *e = (const char *)sqlite3_column_text(st, 2);
        const char *pick = en && e && *e ? e : ja;
        free(l->name[id]);
        l->name[id] = ks_strdup(pick ? pick : "?");
        if (sqlite3_column_count(st) > 3)
            l->field[id] = sqlite3_column_int(st, 3);
        if (sqlite3_column_count(st) > 4)
            l->kind[id] = sqlite3_column_int(st, 4);
    }
    if (step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

static int32_t parse_days(const unsigned char *s)
{
    if (!s)
        return NO_DATE;
    int y = 0, m = 0, d = 0;
    for (int i = 0; i < 4; i++)
        y = y * 10 + (s[i] - '0');
    if (s[4] != '-')
        return NO_DATE;
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    ks_date dt = {(int16_t)y, (int8_t)m, (int8_t)d};
    return ks_date_days(dt);
}

static int load_cases(sqlite3 *db, rep *r, ks_error *err)
{
    static const char sql[] =
        "SELECT consult_date, closed_date, CASE WHEN minor THEN 0 WHEN age_band_id IS NULL THEN -1 ELSE max((age_band_id - 1) * 5, 18) END, ifnull(age_band_id, 0), ifnull(sex_id, 0), "
        "ifnull(household_type_id, 0), district_id, ifnull(intake_route_id, 0), ifnull(intake_agency_id, -1), "
        "ifnull(meeting_type_id, 0), status_id, ifnull(outcome_id, 0), main_problem_id, problem_mask, "
        "support_mask, partner_mask, ifnull(household_id, 0), person_id, problem_count FROM main.case_record";
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    size_t cap = 0;
    int step;
    int first = INT32_MAX;
    int32_t last = INT32_MIN;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *od = sqlite3_column_text(st, 0);
        if (!od || sqlite3_column_bytes(st, 0) < 10)
            continue;
        int32_t open = parse_days(od);
        int32_t close = sqlite3_column_bytes(st, 1) >= 10 ? parse_days(sqlite3_column_text(st, 1)) : NO_DATE;
        int month = ((od[0] - '0') * 1000 + (od[1] - '0') * 100 + (od[2] - '0') * 10 + (od[3] - '0')) * 12 +
                    (od[5] - '0') * 10 + (od[6] - '0') - 1;
        if (month < first)
            first = month;
        if (open > last)
            last = open;
        if (close != NO_DATE && close > last)
            last = close;
        int district = sqlite3_column_int(st, 6);
        if (open > r->p1 || (r->district && district != r->district))
            continue;
        if (r->n == cap) {
            cap = cap ? cap * 2 : 4096;
            r->c = ks_realloc(r->c, ks_mul(cap, sizeof *r->c));
        }
        rcase *c = &r->c[r->n++];
        c->open = open;
        c->close = close;
        c->month = month;
        int age = sqlite3_column_int(st, 2);
        c->age = (int16_t)(age < -1 || age > 150 ? -1 : age);
        c->age_band = (uint8_t)sqlite3_column_int(st, 3);
        c->sex = (uint8_t)sqlite3_column_int(st, 4);
        c->hh_type = (uint8_t)sqlite3_column_int(st, 5);
        c->district = (uint8_t)district;
        c->route = (uint8_t)sqlite3_column_int(st, 7);
        c->agency = (int16_t)sqlite3_column_int(st, 8);
        c->meeting = (uint8_t)sqlite3_column_int(st, 9);
        c->status = (uint8_t)sqlite3_column_int(st, 10);
        c->outcome = (uint8_t)sqlite3_column_int(st, 11);
        c->main = (uint8_t)sqlite3_column_int(st, 12);
        c->problems = (uint64_t)sqlite3_column_int64(st, 13);
        c->supports = (uint64_t)sqlite3_column_int64(st, 14);
        c->partners = (uint64_t)sqlite3_column_int64(st, 15);
        c->household = sqlite3_column_int64(st, 16);
        c->person = sqlite3_column_int64(st, 17);
        c->nprob = (uint8_t)sqlite3_column_int(st, 18);
    }
    if (step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    r->data_first = first == INT32_MAX ? r->P.first : first;
    r->data_end = last == INT32_MIN ? r->p1 : last;
    return rc;
}

/* ---- tables ------------------------------------------------------------------ */

static size_t col_text(ks_table *t, const char *name, const char *label)
{
    return (size_t)ks_table_add_column(t, name, label, KS_COL_TEXT, NULL);
}

static size_t col_count(ks_table *t, const char *name, const char *label)
{
    size_t c = (size_t)ks_table_add_column(t, name, label, KS_COL_INT, NULL);
    ks_table_set_count(t, c, NULL);
    return c;
}

static size_t col_real(ks_table *t, const char *name, const char *label, int digits)
{
    size_t c = (size_t)ks_table_add_column(t, name, label, KS_COL_REAL, NULL);
    ks_table_set_digits(t, c, digits, NULL);
    return c;
}

/* A share of count column `src`, over count column `den` of the row (-1: the
 * grand total, see protect). */
static size_t col_share(ks_table *t, const char *name, const char *label, size_t src, int den, int digits)
{
    size_t c = col_real(t, name, label, digits);
    ks_table_set_share(t, c, (int)src, den, NULL);
    return c;
}

static void set_i(ks_table *t, size_t r, size_t c, int64_t v) { ks_table_set_int(t, r, c, v, NULL); }
static void set_s(ks_table *t, size_t r, size_t c, const char *s) { ks_table_set_text(t, r, c, s, NULL); }
static void set_r(ks_table *t, size_t r, size_t c, double v)
{
    /* stored as printed (the column's decimals), so every format shows the
     * same digits and a rounded negative zero shows as 0 */
    int d = ks_table_column(t, c)->digits;
    if (isfinite(v) && d >= 0 && d <= 6) {
        double f = pow(10, d);
        v = round(v * f) / f;
        if (v == 0)
            v = 0;
    }
    if (isfinite(v))
        ks_table_set_real(t, r, c, v, NULL);
    else
        ks_table_set_null(t, r, c, NULL);
}

static bool hidden(const ks_table *t, size_t r, size_t c)
{
    const ks_cell *x = ks_table_cell(t, r, c);
    return x && x->kind == KS_CELL_SUPPRESSED;
}

/* The published number of a cell; NAN when hidden or empty. */
static double cell_num(const ks_table *t, size_t r, size_t c)
{
    double v;
    return ks_cell_number(ks_table_cell(t, r, c), &v) ? v : NAN;
}

static size_t count_hidden(const ks_table *t)
{
    size_t n = 0;
    for (size_t i = 0; i < ks_table_nrows(t); i++)
        for (size_t j = 0; j < ks_table_ncols(t); j++)
            n += hidden(t, i, j);
    return n;
}

/* Disclosure control for one table: the database's threshold, primary,
 * secondary (when totals are declared) and linked suppression.  A share of
 * the grand total (denominator -1) cannot be linked by ks_suppress, so it is
 * hidden here whenever that total is: the total row's cell of its source
 * column, or (tables without a total row) the period's count of new cases. */
static int suppress_all(rep *r, ks_table *t)
{
    int rc = ks_suppress(t, r->k, NULL, r->err);
    if (rc == -KS_ESAFETY) {
        /* no pattern of complements protects the table: hide every non-zero
         * count (and so every share); zeros name no one */
        for (size_t i = 0; i < ks_table_nrows(t); i++)
            for (size_t j = 0; j < ks_table_ncols(t); j++) {
                const ks_column *c = ks_table_column(t, j);
                double v = cell_num(t, i, j);
                if ((c->is_count && isfinite(v) && v != 0) || c->is_share)
                    ks_table_suppress(t, i, j, KS_WHY_SECONDARY, NULL);
            }
        rc = ks_suppress_links(t, NULL, r->err);
    }
    return rc;
}

/* The rest of protect: grand-total shares, the output check, the count. */
static int protect_end(rep *r, ks_table *t)
{
    int rc;
    long trow = ks_table_total_row(t);
    for (size_t j = 0; j < ks_table_ncols(t); j++) {
        const ks_column *c = ks_table_column(t, j);
        if (!c->is_share || c->denom >= 0)
            continue;
        bool gone = trow >= 0 ? hidden(t, (size_t)trow, (size_t)c->source) : r->n_new_hidden;
        if (!gone)
            continue;
        for (size_t i = 0; i < ks_table_nrows(t); i++)
            if (!hidden(t, i, j))
                ks_table_suppress(t, i, j, KS_WHY_LINKED, NULL);
    }
    rc = ks_suppress_check(t, r->k, r->err);
    if (rc)
        return rc;
    r->hidden += count_hidden(t);
    r->ntables++;
    return 0;
}

static int protect(rep *r, ks_table *t)
{
    int rc = suppress_all(r, t);
    return rc ? rc : protect_end(r, t);
}

static void copy_cell(ks_table *dst, size_t dr, const ks_table *src, size_t sr, size_t c)
{
    const ks_cell *x = ks_table_cell(src, sr, c);
    switch (x->kind) {
    case KS_CELL_NULL: break;
    case KS_CELL_INT: set_i(dst, dr, c, x->v.i); break;
    case KS_CELL_REAL: set_r(dst, dr, c, x->v.r); break;
    case KS_CELL_TEXT: set_s(dst, dr, c, x->v.s); break;
    case KS_CELL_SUPPRESSED: ks_table_suppress(dst, dr, c, x->v.why, NULL); break;
    }
}

typedef struct rowkey {
    int grp;     /* group: rows sort within it */
    size_t row;  /* row in the source table */
    double v;    /* published value of the key column */
    int pub;     /* 1 when published */
} rowkey;

static int by_key(const void *a, const void *b)
{
    const rowkey *x = a, *y = b;
    if (x->grp != y->grp)
        return x->grp < y->grp ? -1 : 1;
    if (x->pub != y->pub)
        return y->pub - x->pub; /* published rows first */
    if (x->pub && x->v != y->v)
        return x->v < y->v ? 1 : -1; /* larger first */
    return x->row < y->row ? -1 : x->row > y->row;
}

/* A protected table with its rows reordered: published rows by the key column
 * (largest first), hidden ones after in their original order (so the order
 * says nothing about hidden values), rows whose key is 0 dropped when asked,
 * the total row last.  Takes over and frees t. */
static ks_table *sorted(ks_table *t, size_t key, bool drop_zero, const int *grp)
{
    size_t nr = ks_table_nrows(t), nc = ks_table_ncols(t);
    long trow = ks_table_total_row(t);
    rowkey *k = ks_calloc(nr ? nr : 1, sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < nr; i++) {
        if ((long)i == trow)
            continue;
        double v = cell_num(t, i, key);
        if (drop_zero && isfinite(v) && v == 0)
            continue;
        k[m++] = (rowkey){grp ? grp[i] : 0, i, isfinite(v) ? v : 0, isfinite(v)};
    }
    qsort(k, m, sizeof *k, by_key);
    ks_table *o = ks_table_new();
    for (size_t j = 0; j < nc; j++) {
        const ks_column *c = ks_table_column(t, j);
        ks_table_add_column(o, c->name, c->label, c->type, NULL);
        ks_table_set_digits(o, j, c->digits, NULL);
    }
    for (size_t j = 0; j < nc; j++)
        if (ks_table_column(t, j)->is_count)
            ks_table_set_count(o, j, NULL);
    for (size_t j = 0; j < nc; j++) {
        const ks_column *c = ks_table_column(t, j);
        if (c->is_share)
            ks_table_set_share(o, j, c->source, c->denom, NULL);
    }
    for (size_t i = 0; i < m; i++) {
        size_t row = ks_table_add_row(o);
        for (size_t j = 0; j < nc; j++)
            copy_cell(o, row, t, k[i].row, j);
    }
    long ntrow = -1;
    if (trow >= 0) {
        size_t row = ks_table_add_row(o);
        for (size_t j = 0; j < nc; j++)
            copy_cell(o, row, t, (size_t)trow, j);
        ntrow = (long)row;
    }
    ks_table_set_totals(o, ntrow, ks_table_total_col(t), NULL);
    free(k);
    ks_table_free(t);
    return o;
}

/* Column values of rows [0, nrows) for a chart: NAN where empty. */
static void column_values(const ks_table *t, size_t col, size_t nrows, double *v, bool *hid)
{
    for (size_t i = 0; i < nrows; i++) {
        hid[i] = hidden(t, i, col);
        v[i] = cell_num(t, i, col);
    }
}

/* The mark a chart shows for a hidden cell of t: the one the table prints. */
static const char *tmark(const rep *r, const ks_table *t)
{
    return ks_table_total_row(t) >= 0 || ks_table_total_col(t) >= 0 ? "x" : r->mark;
}

static char *next_id(rep *r, const char *stem)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s%zu", stem, ++r->nfig);
    return ks_buf_detach(&b, NULL);
}

/* Draws chart ch as horizontal bars and adds it to the section as a figure;
 * frees id (the chart's id, from next_id). */
static void add_hbar(ks_rsection *sec, const ks_svg_chart *ch, char *id)
{
    ks_buf svg;
    ks_buf_init(&svg);
    ks_svg_hbar(&svg, ch);
    ks_rdoc_add(sec, KS_RB_FIGURE, ch->title, id, NULL, svg.buf);
    ks_buf_release(&svg);
    free(id);
}

/* A one-series bar chart of count column `col` of the first nr rows of t,
 * labelled by column 0; hidden cells are drawn as hidden. */
static void hbar_of_column(rep *r, ks_rsection *sec, const ks_table *t, size_t nr, size_t col, const char *title,
                           int color)
{
    const char **cats = ks_calloc(nr ? nr : 1, sizeof *cats);
    double *v = ks_calloc(nr ? nr : 1, sizeof *v);
    bool *h = ks_calloc(nr ? nr : 1, sizeof *h);
    for (size_t i = 0; i < nr; i++)
        cats[i] = ks_table_cell(t, i, 0)->v.s;
    column_values(t, col, nr, v, h);
    ks_svg_series ser = {.name = L("件数", "Cases"), .v = v, .hidden = h, .color = color};
    char *id = next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = title, .cats = cats, .ncat = nr, .series = &ser, .nseries = 1,
                       .mark = tmark(r, t), .width = CHART_W};
    add_hbar(sec, &ch, id);
    free(cats);
    free(v);
    free(h);
}

static const char *cmp_short(const rep *r)
{
    return r->o->compare == KS_REPORT_LAST_YEAR ? L("前年同期", "same period last year") : L("前期", "previous period");
}

static const char *cmp_col(const rep *r)
{
    return r->o->compare == KS_REPORT_LAST_YEAR ? L("前年同期", "Last year") : L("前期", "Previous");
}

/* "+23%" style: whole percent from 10 up, one decimal below. */
static void signed_pct(ks_buf *b, double x)
{
    if (fabs(x) >= 10)
        ks_buf_addf(b, "%+.0f%%", x);
    else
        ks_buf_addf(b, "%+.1f%%", x);
}

static void p_text(ks_buf *b, double p)
{
    if (p < 0.001)
        ks_buf_adds(b, "p < 0.001");
    else
        ks_buf_addf(b, "p = %.3f", p);
}

/* ---- 1. headline ------------------------------------------------------------ */

typedef struct counts4 {
    int64_t v[4]; /* new, closed, suspended, ongoing at end */
} counts4;

static counts4 headline_counts(const rep *r, ks_period p, int32_t d0, int32_t d1)
{
    counts4 x = {{0, 0, 0, 0}};
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->month >= p.first && c->month <= p.last)
            x.v[0]++;
        if (c->close != NO_DATE && c->close >= d0 && c->close <= d1) {
            if (c->status == KS_STATUS_CLOSED)
                x.v[1]++;
            else if (c->status == KS_STATUS_SUSPENDED)
                x.v[2]++;
        }
        if (c->open <= d1 && (c->close == NO_DATE || c->close > d1))
            x.v[3]++;
    }
    return x;
}

static int sec_headline(rep *r)
{
    counts4 a = headline_counts(r, r->P, r->p0, r->p1), b = headline_counts(r, r->C, r->c0, r->c1);
    ks_table *t = ks_table_new();
    col_text(t, "indicator", L("指標", "Indicator"));
    size_t cur = col_count(t, "n_period", L("今期", "This period"));
    size_t cmp = col_count(t, "n_compare", cmp_col(r));
    size_t dif = (size_t)ks_table_add_column(t, "change", L("増減", "Change"), KS_COL_INT, NULL);
    ks_table_set_share(t, dif, (int)cur, (int)cmp, NULL);
    size_t pct = col_share(t, "change_pct", L("増減率(%)", "Change (%)"), cur, (int)cmp, 1);
    const char *names[4] = {L("新規相談", "New cases"), L("終結", "Closed"), L("中断", "Suspended"),
                            L("期末時点の継続中", "Open at period end")};
    for (int i = 0; i < 4; i++) {
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, names[i]);
        set_i(t, row, cur, a.v[i]);
        set_i(t, row, cmp, b.v[i]);
        set_i(t, row, dif, a.v[i] - b.v[i]);
        set_r(t, row, pct, b.v[i] > 0 ? 100.0 * (double)(a.v[i] - b.v[i]) / (double)b.v[i] : NAN);
    }
    r->n_new = a.v[0];
    r->n_new_hidden = a.v[0] > 0 && a.v[0] < r->k;
    int rc = protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    /* When the comparison period ends where this one starts, open(end) =
     * open(comparison end) + new - closed - suspended (- cases with another
     * status and a closing date, normally none): with exactly one of those
     * five counts hidden it could be worked out.  A second one is then left
     * out (shown as a dash, never as a false "<k"): the comparison's open
     * count, or suspended when that is the hidden one.  Suspended and the
     * comparison's open count appear in no other table. */
    bool blanked = false;
    if (r->C.last + 1 == r->P.first) {
        size_t cells[5][2] = {{0, cur}, {1, cur}, {2, cur}, {3, cur}, {3, cmp}};
        int nh = 0, which = -1;
        for (int i = 0; i < 5; i++)
            if (hidden(t, cells[i][0], cells[i][1])) {
                nh++;
                which = i;
            }
        if (nh == 1) {
            size_t row = which == 4 ? 2 : 3, col = which == 4 ? cur : cmp;
            ks_table_set_null(t, row, col, NULL);
            ks_table_set_null(t, row, dif, NULL);
            ks_table_set_null(t, row, pct, NULL);
            blanked = true;
        }
    }
    r->headline = t;
    ks_rsection *s = ks_rdoc_section(&r->doc, "overview", L("1. 概況", "1. Overview"));
    ks_buf p;
    ks_buf_init(&p);
    double n0 = cell_num(t, 0, cur), n1 = cell_num(t, 0, cmp), ch = cell_num(t, 0, pct);
    if (isfinite(n0) && isfinite(n1) && isfinite(ch)) {
        if (r->en) {
            ks_buf_addf(&p, "%.0f new cases this period against %.0f in the %s (", n0, n1, cmp_short(r));
            signed_pct(&p, ch);
            ks_buf_adds(&p, ").");
        } else {
            ks_buf_addf(&p, "今期の新規相談は %.0f 件で、%s（%.0f 件）から ", n0, cmp_short(r), n1);
            signed_pct(&p, ch);
            ks_buf_adds(&p, " でした。");
        }
    } else {
        ks_buf_adds(&p, L("新規相談の件数は秘匿の対象です（基準未満）。", "New case counts are below the threshold and hidden."));
    }
    ks_rdoc_add(s, KS_RB_PARA, p.buf, NULL, NULL, NULL);
    ks_rdoc_add(s, KS_RB_CARDS, L("主な指標", "Headline figures"), "t-headline", t, NULL);
    ks_rdoc_add(s, KS_RB_NOTE,
                L("終結・中断は終結日が期間内のもの、継続中は期間末日に終結日がないものを数えています。",
                  "Closed and suspended count cases whose closing date falls in the period; open cases have no "
                  "closing date by the period's last day."),
                NULL, NULL, NULL);
    if (blanked)
        ks_rdoc_add(s, KS_RB_NOTE,
                    L("「—」の値は、他の値との差し引きで秘匿した件数が分かってしまうため表示していません。",
                      "A dash marks a value left out because, with the others, it would reveal a hidden count."),
                    NULL, NULL, NULL);
    ks_buf_release(&p);
    return 0;
}

/* ---- 2. monthly trend ---------------------------------------------------------- */

typedef struct idcount {
    int id;     /* code id */
    int64_t n;  /* count */
} idcount;

static int by_count(const void *a, const void *b)
{
    const idcount *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return x->id - y->id;
}

/* The ids with the largest counts (> 0), at most `max`, largest first. */
static size_t top_ids(const int64_t *count, size_t n, size_t max, int *out)
{
    idcount *v = ks_calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (idcount){(int)i, count[i]};
    qsort(v, n, sizeof *v, by_count);
    size_t m = 0;
    for (size_t i = 0; i < n && m < max; i++)
        if (v[i].n > 0)
            out[m++] = v[i].id;
    free(v);
    return m;
}

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

/* One table of monthly new cases by main problem for the given months, with
 * a total row (their sum) and a total column (all problems). */
static ks_table *month_table(rep *r, const int *months, size_t nmo, const double *m, int range0, size_t nser,
                             const int *top, size_t ntop)
{
    ks_table *t = ks_table_new();
    col_text(t, "month", L("月", "Month"));
    char name[32];
    for (size_t s = 0; s < ntop; s++) {
        snprintf(name, sizeof name, "n_p%d", top[s]);
        col_count(t, name, lab(&r->problem, top[s]));
    }
    col_count(t, "n_other", L("上記以外", "All others"));
    size_t tot = col_count(t, "n", L("計", "Total"));
    ks_buf b;
    ks_buf_init(&b);
    double *sum = ks_calloc(nser + 1, sizeof *sum);
    for (size_t i = 0; i <= nmo; i++) {
        size_t row = ks_table_add_row(t);
        ks_buf_reset(&b);
        if (i < nmo)
            ks_month_iso(&b, months[i]);
        else
            ks_buf_adds(&b, L("計", "Total"));
        set_s(t, row, 0, b.buf);
        for (size_t s = 0; s <= nser; s++) {
            double v = i < nmo ? m[(size_t)(months[i] - range0) * (nser + 1) + s] : sum[s];
            if (i < nmo)
                sum[s] += v;
            set_i(t, row, 1 + s, (int64_t)v);
        }
    }
    ks_table_set_totals(t, (long)nmo, (long)tot, NULL);
    free(sum);
    ks_buf_release(&b);
    return t;
}

/* Disclosure control for a table whose counts are copies of cells already
 * protected elsewhere (their hidden state copied too): only the links. */
static int protect_links(rep *r, ks_table *t)
{
    int rc = ks_suppress_links(t, NULL, r->err);
    if (!rc)
        rc = ks_suppress_check(t, r->k, r->err);
    if (!rc) {
        r->hidden += count_hidden(t);
        r->ntables++;
    }
    return rc;
}

/* Copies cell (sr, sc) of src, hidden state included, to (dr, dc) of dst. */
static void copy_to(ks_table *dst, size_t dr, size_t dc, const ks_table *src, size_t sr, size_t sc)
{
    const ks_cell *x = ks_table_cell(src, sr, sc);
    if (x->kind == KS_CELL_SUPPRESSED)
        ks_table_suppress(dst, dr, dc, x->v.why, NULL);
    else if (x->kind == KS_CELL_INT)
        set_i(dst, dr, dc, x->v.i);
}

static int sec_trend(rep *r)
{
    int rc = 0;
    /* counts per month over R = [min(W, C) start, P end] */
    int range0 = r->W.first < r->C.first ? r->W.first : r->C.first;
    size_t nr = (size_t)(r->P.last - range0 + 1);
    size_t nm = (size_t)ks_period_months(r->W);
    size_t np = r->problem.n;
    int64_t *pcount = ks_calloc(np ? np : 1, sizeof *pcount);
    for (size_t i = 0; i < r->n; i++)
        if (in_p(r, &r->c[i]) && r->c[i].main < np)
            pcount[r->c[i].main]++;
    r->ntop = top_ids(pcount, np, TOP_PROBLEMS, r->top);
    free(pcount);
    size_t ntop = r->ntop;
    const int *top = r->top;
    size_t *colof = ks_calloc(np ? np : 1, sizeof *colof);
    for (size_t i = 0; i < np; i++)
        colof[i] = ntop;
    for (size_t i = 0; i < ntop; i++)
        colof[top[i]] = i;
    size_t nser = ntop + 1; /* top problems + other; index nser = all */
    double *m = ks_calloc(ks_mul(nr, nser + 1), sizeof *m);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->month < range0 || c->month > r->P.last)
            continue;
        size_t s = c->main < np ? colof[c->main] : ntop;
        size_t mi = (size_t)(c->month - range0);
        m[mi * (nser + 1) + s]++;
        m[mi * (nser + 1) + nser]++;
    }
    free(colof);
    /* three month tables: this period, the comparison period, and the other
     * months of the window.  The period counts of the trend table below are
     * exactly the first two tables' total rows, so no published sum crosses
     * a table's hidden cells. */
    int *mp = ks_calloc((size_t)ks_period_months(r->P), sizeof *mp);
    int *mc = ks_calloc((size_t)ks_period_months(r->C), sizeof *mc);
    int *mr = ks_calloc(nm, sizeof *mr);
    size_t nmp = 0, nmc = 0, nmr = 0;
    for (int x = r->P.first; x <= r->P.last; x++)
        mp[nmp++] = x;
    for (int x = r->C.first; x <= r->C.last; x++)
        mc[nmc++] = x;
    for (int x = r->W.first; x <= r->W.last; x++)
        if (!(x >= r->P.first && x <= r->P.last) && !(x >= r->C.first && x <= r->C.last))
            mr[nmr++] = x;
    ks_table *tp = month_table(r, mp, nmp, m, range0, nser, top, ntop);
    ks_table *tc = month_table(r, mc, nmc, m, range0, nser, top, ntop);
    ks_table *tw = nmr ? month_table(r, mr, nmr, m, range0, nser, top, ntop) : NULL;
    ks_table *u = NULL;
    trend_row *tr = NULL;
    double *pv = NULL;
    size_t *pidx = NULL;
    ks_buf b;
    ks_buf_init(&b);
    if ((rc = protect(r, tp)) || (rc = protect(r, tc)) || (tw && (rc = protect(r, tw))))
        goto done;
    /* which month totals are hidden (sec_routes keeps quarters consistent) */
    r->month_hidden = ks_calloc(nm, sizeof *r->month_hidden);
    for (size_t i = 0; i < nmp; i++)
        if (mp[i] >= r->W.first)
            r->month_hidden[mp[i] - r->W.first] = hidden(tp, i, nser + 1);
    for (size_t i = 0; i < nmc; i++)
        if (mc[i] >= r->W.first)
            r->month_hidden[mc[i] - r->W.first] = hidden(tc, i, nser + 1);
    for (size_t i = 0; i < nmr; i++)
        r->month_hidden[mr[i] - r->W.first] = hidden(tw, i, nser + 1);
    for (size_t s = 0; s <= nser; s++)
        r->p_total_hidden[s] = hidden(tp, nmp, 1 + s);
    /* the headline's new-case counts are these tables' grand totals: if one
     * had to be hidden here (a last-resort complement), the headline must
     * not print it either (a dash, not a false "<k") */
    for (int w = 0; w < 2 && r->headline; w++) {
        const ks_table *src = w == 0 ? tp : tc;
        size_t at = w == 0 ? nmp : nmc;
        if (hidden(src, at, nser + 1) && !hidden(r->headline, 0, 1 + (size_t)w)) {
            ks_table_set_null(r->headline, 0, 1 + (size_t)w, NULL);
            ks_table_set_null(r->headline, 0, 3, NULL);
            ks_table_set_null(r->headline, 0, 4, NULL);
        }
    }

    /* trend statistics, from the counts themselves */
    tr = ks_calloc(nser + 1, sizeof *tr);
    pv = ks_calloc(nser + 1, sizeof *pv);
    pidx = ks_calloc(nser + 1, sizeof *pidx);
    double *series = ks_calloc(nm, sizeof *series);
    size_t nfit = 0;
    size_t w0 = (size_t)(r->W.first - range0);
    size_t fit0 = (size_t)(r->data_first > r->W.first ? r->data_first - r->W.first : 0);
    if (fit0 > nm)
        fit0 = nm;
    for (size_t s = 0; s <= nser; s++) {
        int64_t cur = 0, cmp = 0;
        for (size_t i = 0; i < nmp; i++)
            cur += (int64_t)m[(size_t)(mp[i] - range0) * (nser + 1) + s];
        for (size_t i = 0; i < nmc; i++)
            cmp += (int64_t)m[(size_t)(mc[i] - range0) * (nser + 1) + s];
        for (size_t mi = 0; mi < nm; mi++)
            series[mi] = m[(w0 + mi) * (nser + 1) + s];
        tr[s].cur = cur;
        tr[s].cmp = cmp;
        rate_ratio(cur, cmp, &tr[s]);
        fit_trend(r, series + fit0, nm - fit0, &tr[s]);
        if (tr[s].fitted) {
            pv[nfit] = tr[s].p;
            pidx[nfit++] = s;
        }
    }
    free(series);
    ks_p_adjust_bh(pv, nfit, pv, NULL);
    for (size_t i = 0; i < nfit; i++)
        tr[pidx[i]].p_adj = pv[i];

    /* trend table: top problems, other, all (the total row) */
    u = ks_table_new();
    col_text(u, "series", L("主たる課題", "Main problem"));
    size_t uc = col_count(u, "n_period", L("今期", "This period"));
    size_t up = col_count(u, "n_compare", cmp_col(r));
    size_t urr = col_share(u, "change_pct", L("増減率(%)", "Change (%)"), uc, (int)up, 1);
    size_t ulo = col_share(u, "change_lo", L("95%CI下限", "95% CI low"), uc, (int)up, 1);
    size_t uhi = col_share(u, "change_hi", L("95%CI上限", "95% CI high"), uc, (int)up, 1);
    size_t uapc = col_real(u, "trend_pct", L("傾向(年率%)", "Trend (%/year)"), 1);
    size_t ualo = col_real(u, "trend_lo", L("95%CI下限", "95% CI low"), 1);
    size_t uahi = col_real(u, "trend_hi", L("95%CI上限", "95% CI high"), 1);
    size_t upa = col_real(u, "p_bh", L("p(BH調整)", "p (BH)"), 3);
    for (size_t s = 0; s <= nser; s++) {
        size_t row = ks_table_add_row(u);
        set_s(u, row, 0, s < ntop ? lab(&r->problem, top[s]) : s == ntop ? L("上記以外", "All others") : L("計", "Total"));
        copy_to(u, row, uc, tp, nmp, 1 + s);
        copy_to(u, row, up, tc, nmc, 1 + s);
        set_r(u, row, urr, tr[s].rr);
        set_r(u, row, ulo, tr[s].rr_lo);
        set_r(u, row, uhi, tr[s].rr_hi);
        if (tr[s].fitted) {
            set_r(u, row, uapc, tr[s].apc);
            set_r(u, row, ualo, tr[s].apc_lo);
            set_r(u, row, uahi, tr[s].apc_hi);
            set_r(u, row, upa, tr[s].p_adj);
        }
    }
    ks_table_set_totals(u, (long)nser, -1, NULL);
    if ((rc = protect_links(r, u)))
        goto done;

    ks_rsection *sec = ks_rdoc_section(&r->doc, "trend", L("2. 新規相談の推移", "2. Trends in new cases"));
    size_t said = 0;
    size_t fit_months = nm - fit0;
    for (size_t k = 0; k <= nser; k++) {
        size_t s = k == 0 ? nser : k - 1; /* all cases first */
        size_t row = s;
        if (!tr[s].fitted || !(tr[s].p_adj < 0.05))
            continue;
        ks_buf_reset(&b);
        const char *nm_s = s == nser ? L("新規相談全体", "all new cases") : s == ntop ? L("上記以外の課題", "all other problems")
                                                                          : lab(&r->problem, top[s]);
        bool rr_ok = !hidden(u, row, urr) && isfinite(cell_num(u, row, urr));
        bool up_trend = tr[s].apc > 0;
        if (r->en) {
            if (s == nser)
                ks_buf_adds(&b, "All new cases: ");
            else
                ks_buf_addf(&b, "New cases (%s): ", nm_s);
            if (rr_ok) {
                signed_pct(&b, tr[s].rr);
                ks_buf_addf(&b, " on the %s (95%% CI ", cmp_short(r));
                signed_pct(&b, tr[s].rr_lo);
                ks_buf_adds(&b, " to ");
                signed_pct(&b, tr[s].rr_hi);
                ks_buf_adds(&b, "); ");
            }
            ks_buf_addf(&b, "%s over the last %zu months (", up_trend ? "rising" : "falling", fit_months);
            signed_pct(&b, tr[s].apc);
            ks_buf_adds(&b, " a year, 95% CI ");
            signed_pct(&b, tr[s].apc_lo);
            ks_buf_adds(&b, " to ");
            signed_pct(&b, tr[s].apc_hi);
            ks_buf_adds(&b, ", BH-adjusted ");
            p_text(&b, tr[s].p_adj);
            ks_buf_adds(&b, ").");
        } else {
            if (s == nser)
                ks_buf_addf(&b, "%sは", nm_s);
            else
                ks_buf_addf(&b, "%sの新規相談は", nm_s);
            if (rr_ok) {
                ks_buf_addf(&b, "%s比 ", cmp_short(r));
                signed_pct(&b, tr[s].rr);
                ks_buf_adds(&b, "（95%信頼区間 ");
                signed_pct(&b, tr[s].rr_lo);
                ks_buf_adds(&b, "〜");
                signed_pct(&b, tr[s].rr_hi);
                ks_buf_adds(&b, "）で、");
            }
            ks_buf_addf(&b, "過去%zuか月は%s傾向です（年率 ", fit_months, up_trend ? "増加" : "減少");
            signed_pct(&b, tr[s].apc);
            ks_buf_adds(&b, "、95%信頼区間 ");
            signed_pct(&b, tr[s].apc_lo);
            ks_buf_adds(&b, "〜");
            signed_pct(&b, tr[s].apc_hi);
            ks_buf_adds(&b, "、BH調整後 ");
            p_text(&b, tr[s].p_adj);
            ks_buf_adds(&b, "）。");
        }
        ks_rdoc_add(sec, KS_RB_BULLET, b.buf, NULL, NULL, NULL);
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
        ks_rdoc_add(sec, KS_RB_PARA, b.buf, NULL, NULL, NULL);
    }

    /* charts: the window's months, each cell read from the protected table
     * that holds it */
    {
        const char **cats = ks_calloc(nm ? nm : 1, sizeof *cats);
        double *v = ks_calloc(ks_mul(nm, nser + 1), sizeof *v);
        bool *h = ks_calloc(ks_mul(nm, nser + 1), sizeof *h);
        for (size_t mi = 0; mi < nm; mi++) {
            int x = r->W.first + (int)mi;
            const ks_table *src = tw;
            size_t row = 0;
            if (x >= r->P.first && x <= r->P.last) {
                src = tp;
                row = (size_t)(x - r->P.first);
            } else if (x >= r->C.first && x <= r->C.last) {
                src = tc;
                row = (size_t)(x - r->C.first);
            } else {
                for (size_t i = 0; i < nmr; i++)
                    if (mr[i] == x)
                        row = i;
            }
            cats[mi] = ks_table_cell(src, row, 0)->v.s;
            for (size_t s = 0; s <= nser; s++) {
                h[s * nm + mi] = hidden(src, row, 1 + s);
                v[s * nm + mi] = cell_num(src, row, 1 + s);
            }
        }
        ks_svg_series *ser = ks_calloc(nser + 1, sizeof *ser);
        for (size_t s = 0; s <= nser; s++)
            ser[s] = (ks_svg_series){.name = ks_table_column(tp, 1 + s)->label, .v = v + s * nm, .hidden = h + s * nm,
                                     .color = -1};
        size_t bf = (size_t)(r->P.first - r->W.first), bt = (size_t)(r->P.last - r->W.first + 1);
        size_t b2f = r->C.first >= r->W.first ? (size_t)(r->C.first - r->W.first) : 0;
        size_t b2t = r->C.last >= r->W.first ? (size_t)(r->C.last - r->W.first + 1) : 0;
        ks_svg_chart ch = {.cats = cats, .ncat = nm, .mark = "x", .fmt = KS_SVG_COUNT, .width = CHART_W,
                           .band_from = bf, .band_to = bt, .band2_from = b2f, .band2_to = b2t,
                           .band_label = L("今期", "This period"), .band2_label = cmp_col(r)};
        char *id = next_id(r, "f");
        ch.id = id;
        ch.title = L("月別の新規相談件数（全体）", "New cases per month (all)");
        ch.series = &ser[nser];
        ch.nseries = 1;
        ch.axis_label = L("件数", "cases");
        ks_buf svg;
        ks_buf_init(&svg);
        ks_svg_line(&svg, &ch);
        ks_rdoc_add(sec, KS_RB_FIGURE, ch.title, id, NULL, svg.buf);
        free(id);
        if (ntop > 0) {
            ks_buf_reset(&svg);
            id = next_id(r, "f");
            ch.id = id;
            ch.title = L("主たる課題別の月別新規相談件数", "New cases per month by main problem");
            ch.series = ser;
            ch.nseries = ntop;
            ks_svg_multiples(&svg, &ch, 3);
            ks_rdoc_add(sec, KS_RB_FIGURE, ch.title, id, NULL, svg.buf);
            free(id);
        }
        ks_buf_release(&svg);
        free(ser);
        free(v);
        free(h);
        free(cats);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("主たる課題別の新規相談：比較と傾向", "New cases by main problem: comparison and trend"),
                "t-trend", u, NULL);
    u = NULL;
    ks_buf_reset(&b);
    if (r->en)
        ks_buf_addf(&b, "Change: Poisson rate ratio of this period to the %s. Trend: Poisson regression of the monthly "
                        "counts over %zu months on time%s; quasi-Poisson intervals where the counts are overdispersed; "
                        "p-values adjusted for the %zu series by Benjamini-Hochberg.",
                    cmp_short(r), fit_months, fit_months >= 24 ? " with month-of-year terms" : "", nfit);
    else
        ks_buf_addf(&b, "増減率：%sに対する件数比（ポアソン）。傾向：%zuか月の月別件数を時間に回帰したポアソン回帰%s。"
                        "過分散のある系列は準ポアソンの区間。p値は%zu系列でBenjamini-Hochberg調整。",
                    cmp_short(r), fit_months, fit_months >= 24 ? "（季節項つき）" : "", nfit);
    ks_rdoc_add(sec, KS_RB_NOTE, b.buf, NULL, NULL, NULL);
    ks_rdoc_add(sec, KS_RB_TABLE, L("月別の新規相談件数：今期", "New cases per month: this period"), "t-monthly", tp, NULL);
    tp = NULL;
    ks_buf_reset(&b);
    ks_buf_addf(&b, r->en ? "New cases per month: %s" : "月別の新規相談件数：%s", cmp_short(r));
    ks_rdoc_add(sec, KS_RB_TABLE, b.buf, "t-monthly-compare", tc, NULL);
    tc = NULL;
    if (tw) {
        ks_rdoc_add(sec, KS_RB_TABLE, L("月別の新規相談件数：推移の表示期間のその他の月", "New cases per month: other months shown"),
                    "t-monthly-other", tw, NULL);
        tw = NULL;
    }
done:
    ks_table_free(tp);
    ks_table_free(tc);
    ks_table_free(tw);
    ks_table_free(u);
    ks_buf_release(&b);
    free(tr);
    free(pv);
    free(pidx);
    free(m);
    free(mp);
    free(mc);
    free(mr);
    return rc;
}

/* ---- 3. who consults ------------------------------------------------------------- */

static int age_group(int band_id)
{
    if (band_id <= 0)
        return 10; /* unknown */
    int g = (band_id - 1) / 2;
    return g > 9 ? 9 : g;
}

static int sec_who(rep *r)
{
    int rc;
    ks_rsection *sec = ks_rdoc_section(&r->doc, "who", L("3. 相談者", "3. Who consults"));
    /* age x sex */
    int64_t as[11][3] = {{0}};
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!in_p(r, c))
            continue;
        int s = c->sex == 1 ? 0 : c->sex == 2 ? 1 : 2;
        as[age_group(c->age_band)][s]++;
    }
    ks_table *t = ks_table_new();
    col_text(t, "age", L("年齢", "Age"));
    size_t cm = col_count(t, "n_m", lab(&r->sex, 1));
    size_t cf = col_count(t, "n_f", lab(&r->sex, 2));
    col_count(t, "n_other", L("その他・不明", "Other/unknown"));
    size_t ct = col_count(t, "n", L("計", "Total"));
    char buf[64];
    int64_t colsum[3] = {0, 0, 0};
    for (int g = 0; g <= 11; g++) {
        size_t row = ks_table_add_row(t);
        if (g < 9)
            snprintf(buf, sizeof buf, r->en ? "%d-%d" : "%d〜%d歳", g * 10, g * 10 + 9);
        else if (g == 9)
            snprintf(buf, sizeof buf, r->en ? "90+" : "90歳以上");
        else
            snprintf(buf, sizeof buf, "%s", g == 10 ? L("不明", "Unknown") : L("計", "Total"));
        set_s(t, row, 0, buf);
        int64_t sum = 0;
        for (int s = 0; s < 3; s++) {
            int64_t v = g <= 10 ? as[g][s] : colsum[s];
            if (g <= 10)
                colsum[s] += v;
            set_i(t, row, 1 + (size_t)s, v);
            sum += v;
        }
        set_i(t, row, ct, sum);
    }
    ks_table_set_totals(t, 11, (long)ct, NULL);
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    {
        const char *cats[10];
        double v[2][10];
        bool h[2][10];
        for (size_t g = 0; g < 10; g++)
            cats[g] = ks_table_cell(t, g, 0)->v.s;
        column_values(t, cm, 10, v[0], h[0]);
        column_values(t, cf, 10, v[1], h[1]);
        ks_svg_series ser[2] = {{.name = lab(&r->sex, 1), .v = v[0], .hidden = h[0], .color = 0},
                                {.name = lab(&r->sex, 2), .v = v[1], .hidden = h[1], .color = 3}};
        char *id = next_id(r, "f");
        ks_svg_chart ch = {.id = id, .title = L("年齢・性別（新規相談）", "Age and sex (new cases)"), .cats = cats, .ncat = 10,
                           .series = ser, .nseries = 2, .mark = tmark(r, t), .width = CHART_W};
        ks_buf svg;
        ks_buf_init(&svg);
        ks_svg_pyramid(&svg, &ch);
        ks_rdoc_add(sec, KS_RB_FIGURE, ch.title, id, NULL, svg.buf);
        ks_buf_release(&svg);
        free(id);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("年齢・性別", "Age and sex"), "t-age-sex", t, NULL);

    /* household types */
    size_t nh = r->hh.n;
    int64_t *hc = ks_calloc(nh + 1, sizeof *hc);
    for (size_t i = 0; i < r->n; i++)
        if (in_p(r, &r->c[i]))
            hc[r->c[i].hh_type < nh ? r->c[i].hh_type : 0]++;
    t = ks_table_new();
    col_text(t, "household_type", L("世帯構成", "Household"));
    size_t hn = col_count(t, "n", L("件数", "Cases"));
    size_t hp = col_share(t, "pct", L("割合(%)", "Share (%)"), hn, -1, 1);
    int64_t all = 0;
    for (size_t id = 1; id <= nh; id++) {
        size_t code = id < nh ? id : 0; /* the empty ones last */
        if (code == 0 && id != nh)
            continue;
        if (code && !r->hh.name[code])
            continue;
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, code ? lab(&r->hh, (int)code) : L("未記入", "Not recorded"));
        set_i(t, row, hn, hc[code]);
        all += hc[code];
    }
    size_t trow = ks_table_add_row(t);
    set_s(t, trow, 0, L("計", "Total"));
    set_i(t, trow, hn, all);
    for (size_t i = 0; i <= trow; i++) {
        double v = cell_num(t, i, hn);
        set_r(t, i, hp, all > 0 ? 100.0 * v / (double)all : NAN);
    }
    ks_table_set_totals(t, (long)trow, -1, NULL);
    free(hc);
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    hbar_of_column(r, sec, t, trow, hn, L("世帯構成（新規相談）", "Household type (new cases)"), 0);
    ks_rdoc_add(sec, KS_RB_TABLE, L("世帯構成", "Household type"), "t-household", t, NULL);

    /* districts side by side */
    if (r->district) {
        ks_rdoc_add(sec, KS_RB_NOTE,
                    L("地区を指定した報告のため、地区別の比較は省略しています。",
                      "This report covers one district, so the district comparison is left out."),
                    NULL, NULL, NULL);
        return 0;
    }
    size_t nd = r->district_l.n;
    int64_t(*dc)[4] = ks_calloc(nd ? nd : 1, sizeof *dc);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->district >= nd)
            continue;
        if (in_p(r, c))
            dc[c->district][0]++;
        if (in_c(r, c))
            dc[c->district][1]++;
        if (c->status == KS_STATUS_CLOSED && c->close >= r->p0 && c->close <= r->p1)
            dc[c->district][2]++;
        if (c->open <= r->p1 && (c->close == NO_DATE || c->close > r->p1))
            dc[c->district][3]++;
    }
    t = ks_table_new();
    col_text(t, "district", L("地区", "District"));
    size_t d0 = col_count(t, "n_period", L("新規（今期）", "New (this period)"));
    char lb[64];
    snprintf(lb, sizeof lb, r->en ? "New (%s)" : "新規（%s）", cmp_col(r));
    size_t d1 = col_count(t, "n_compare", lb);
    size_t dp = col_share(t, "change_pct", L("増減率(%)", "Change (%)"), d0, (int)d1, 1);
    size_t d2 = col_count(t, "n_closed", L("終結", "Closed"));
    size_t d3 = col_count(t, "n_open", L("期末継続中", "Open at end"));
    int64_t sum[4] = {0, 0, 0, 0};
    size_t rows = 0;
    for (size_t id = 1; id < nd; id++) {
        if (!r->district_l.name[id])
            continue;
        size_t row = ks_table_add_row(t);
        rows++;
        set_s(t, row, 0, lab(&r->district_l, (int)id));
        for (int j = 0; j < 4; j++)
            sum[j] += dc[id][j];
        set_i(t, row, d0, dc[id][0]);
        set_i(t, row, d1, dc[id][1]);
        set_i(t, row, d2, dc[id][2]);
        set_i(t, row, d3, dc[id][3]);
        set_r(t, row, dp, dc[id][1] > 0 ? 100.0 * (double)(dc[id][0] - dc[id][1]) / (double)dc[id][1] : NAN);
    }
    free(dc);
    size_t tr = ks_table_add_row(t);
    set_s(t, tr, 0, L("計", "Total"));
    set_i(t, tr, d0, sum[0]);
    set_i(t, tr, d1, sum[1]);
    set_i(t, tr, d2, sum[2]);
    set_i(t, tr, d3, sum[3]);
    set_r(t, tr, dp, sum[1] > 0 ? 100.0 * (double)(sum[0] - sum[1]) / (double)sum[1] : NAN);
    ks_table_set_totals(t, (long)tr, -1, NULL);
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    {
        const char **cats = ks_calloc(rows ? rows : 1, sizeof *cats);
        double *v = ks_calloc(2 * (rows ? rows : 1), sizeof *v);
        bool *h = ks_calloc(2 * (rows ? rows : 1), sizeof *h);
        for (size_t i = 0; i < rows; i++)
            cats[i] = ks_table_cell(t, i, 0)->v.s;
        column_values(t, d0, rows, v, h);
        column_values(t, d1, rows, v + rows, h + rows);
        ks_svg_series ser[2] = {{.name = L("今期", "This period"), .v = v, .hidden = h, .color = 0},
                                {.name = cmp_col(r), .v = v + rows, .hidden = h + rows, .color = 5}};
        char *id = next_id(r, "f");
        ks_svg_chart ch = {.id = id, .title = L("地区別の新規相談", "New cases by district"), .cats = cats, .ncat = rows,
                           .series = ser, .nseries = 2, .mark = tmark(r, t), .width = CHART_W};
        add_hbar(sec, &ch, id);
        free(cats);
        free(v);
        free(h);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("地区別", "By district"), "t-district", t, NULL);
    return 0;
}

/* ---- co-occurrence (problems and partners) -------------------------------------- */

typedef uint64_t (*mask_fn)(const rcase *c);
static uint64_t problems_of(const rcase *c) { return c->problems; }
static uint64_t partners_of(const rcase *c) { return c->partners; }

/* Co-occurrence of the `ntop` most frequent codes among the period's new
 * cases: a matrix table (cases with both; the diagonal holds cases with the
 * code), a heat map coloured by lift, and the strongest pairs.  Multi-response:
 * no totals, primary suppression only. */
static int cooccur(rep *r, ks_rsection *sec, mask_fn fn, const labels *l, const char *what_ja, const char *what_en,
                   const char *tid)
{
    int rc = 0;
    int64_t cnt[MAX_CODE] = {0};
    for (size_t i = 0; i < r->n; i++) {
        if (!in_p(r, &r->c[i]))
            continue;
        uint64_t mk = fn(&r->c[i]);
        for (int b = 0; b < MAX_CODE; b++)
            if (mk >> b & 1)
                cnt[b]++;
    }
    int top[TOP_COOCCUR];
    size_t nt = top_ids(cnt, l->n < MAX_CODE ? l->n : MAX_CODE, TOP_COOCCUR, top);
    if (nt < 2)
        return 0;
    int64_t both[TOP_COOCCUR][TOP_COOCCUR] = {{0}};
    for (size_t i = 0; i < r->n; i++) {
        if (!in_p(r, &r->c[i]))
            continue;
        uint64_t mk = fn(&r->c[i]);
        for (size_t a = 0; a < nt; a++) {
            if (!(mk >> top[a] & 1))
                continue;
            for (size_t b = 0; b < nt; b++)
                if (mk >> top[b] & 1)
                    both[a][b]++;
        }
    }
    ks_table *t = ks_table_new();
    col_text(t, "code", r->en ? what_en : what_ja);
    char name[32];
    for (size_t b = 0; b < nt; b++) {
        snprintf(name, sizeof name, "n_%d", top[b]);
        col_count(t, name, lab(l, top[b]));
    }
    for (size_t a = 0; a < nt; a++) {
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, lab(l, top[a]));
        for (size_t b = 0; b < nt; b++)
            set_i(t, row, 1 + b, both[a][b]);
    }
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    /* lift from published cells only */
    double n = (double)r->n_new;
    const char *rows[TOP_COOCCUR];
    char *text[TOP_COOCCUR * TOP_COOCCUR];
    double shade[TOP_COOCCUR * TOP_COOCCUR];
    bool hid[TOP_COOCCUR * TOP_COOCCUR];
    for (size_t a = 0; a < nt; a++) {
        rows[a] = lab(l, top[a]);
        for (size_t b = 0; b < nt; b++) {
            size_t at = a * nt + b;
            hid[at] = hidden(t, a, 1 + b);
            shade[at] = NAN;
            text[at] = NULL;
            double v = cell_num(t, a, 1 + b);
            if (!isfinite(v))
                continue;
            ks_buf s;
            ks_buf_init(&s);
            ks_buf_addf(&s, "%.0f", v);
            text[at] = ks_buf_detach(&s, NULL);
            double na = cell_num(t, a, 1 + a), nb = cell_num(t, b, 1 + b);
            if (a != b && isfinite(na) && isfinite(nb) && na > 0 && nb > 0 && !r->n_new_hidden && n > 0) {
                ks_cooccur co;
                if (ks_cooccur_counts((int64_t)v, (int64_t)na, (int64_t)nb, (int64_t)n, &co, NULL) == 0 && co.has_lift) {
                    double lift = co.lift > 0 ? co.lift : 1.0 / 16;
                    shade[at] = 0.5 + log2(lift) / 4;
                }
            }
        }
    }
    {
        char *id = next_id(r, "f");
        ks_buf title;
        ks_buf_init(&title);
        ks_buf_adds(&title, r->en ? what_en : what_ja);
        ks_buf_adds(&title, L("の組み合わせ（新規相談の件数、色はリフト）", ": pairs (new cases; colour = lift)"));
        static const char *const leg_ja[5] = {"0.25", "0.5", "1", "2", "4+"};
        ks_svg_heat h = {.id = id, .title = title.buf, .rows = rows, .nrow = nt, .cols = rows, .ncol = nt,
                         .text = (const char *const *)text, .shade = shade, .hidden = hid, .mark = tmark(r, t),
                         .legend = leg_ja, .legend_title = L("リフト", "Lift"), .width = CHART_W};
        ks_buf svg;
        ks_buf_init(&svg);
        ks_svg_heatmap(&svg, &h);
        ks_rdoc_add(sec, KS_RB_FIGURE, title.buf, id, NULL, svg.buf);
        ks_buf_release(&svg);
        ks_buf_release(&title);
        free(id);
    }
    for (size_t i = 0; i < nt * nt; i++)
        free(text[i]);
    /* strongest pairs: published cells only, by lift */
    typedef struct pair {
        size_t a, b;     /* matrix indices */
        double lift;     /* observed / expected */
        double expected; /* cases expected if independent */
        double n;        /* cases with both */
    } pair;
    pair pairs[TOP_COOCCUR * TOP_COOCCUR];
    size_t np = 0;
    for (size_t a = 0; a < nt; a++)
        for (size_t b = a + 1; b < nt; b++) {
            double v = cell_num(t, a, 1 + b), na = cell_num(t, a, 1 + a), nb = cell_num(t, b, 1 + b);
            if (!isfinite(v) || v <= 0 || !isfinite(na) || !isfinite(nb) || r->n_new_hidden)
                continue;
            ks_cooccur co;
            if (ks_cooccur_counts((int64_t)v, (int64_t)na, (int64_t)nb, (int64_t)n, &co, NULL) || !co.has_lift ||
                co.lift <= 1)
                continue;
            pairs[np++] = (pair){a, b, co.lift, co.expected, v};
        }
    /* insertion sort: by lift, then by position (stable, deterministic) */
    for (size_t i = 1; i < np; i++)
        for (size_t j = i; j > 0 && pairs[j].lift > pairs[j - 1].lift; j--) {
            pair tmp = pairs[j];
            pairs[j] = pairs[j - 1];
            pairs[j - 1] = tmp;
        }
    ks_table *u = ks_table_new();
    col_text(u, "a", "A");
    col_text(u, "b", "B");
    size_t un = col_count(u, "n_both", L("両方", "Both"));
    size_t ue = col_share(u, "expected", L("独立なら", "If independent"), un, -1, 1);
    size_t ul = col_share(u, "lift", L("リフト", "Lift"), un, -1, 2);
    for (size_t i = 0; i < np && i < TOP_PAIRS; i++) {
        size_t row = ks_table_add_row(u);
        set_s(u, row, 0, rows[pairs[i].a]);
        set_s(u, row, 1, rows[pairs[i].b]);
        set_i(u, row, un, (int64_t)pairs[i].n);
        set_r(u, row, ue, pairs[i].expected);
        set_r(u, row, ul, pairs[i].lift);
    }
    ks_buf cap;
    ks_buf_init(&cap);
    ks_buf_adds(&cap, r->en ? what_en : what_ja);
    ks_buf_adds(&cap, L("：組み合わせの件数", ": cases with both"));
    ks_rdoc_add(sec, KS_RB_TABLE, cap.buf, tid, t, NULL);
    if ((rc = protect(r, u))) {
        ks_table_free(u);
        ks_buf_release(&cap);
        return rc;
    }
    if (ks_table_nrows(u) > 0) {
        ks_buf_reset(&cap);
        ks_buf_adds(&cap, L("よく一緒に現れる組み合わせ（リフト上位）", "Pairs that go together most (by lift)"));
        ks_buf id;
        ks_buf_init(&id);
        ks_buf_addf(&id, "%s-pairs", tid);
        ks_rdoc_add(sec, KS_RB_TABLE, cap.buf, id.buf, u, NULL);
        ks_buf_release(&id);
    } else {
        ks_table_free(u);
    }
    ks_rdoc_add(sec, KS_RB_NOTE,
                L("リフト＝両方ある件数÷（独立なら期待される件数）。1より大きいほど一緒に現れやすい組み合わせです。",
                  "Lift = cases with both / cases expected if the two were independent; above 1 they go together."),
                NULL, NULL, NULL);
    ks_buf_release(&cap);
    return 0;
}

/* ---- 4. problems ---------------------------------------------------------------- */

static int household_section(rep *r, ks_rsection *sec);

static int sec_problems(rep *r)
{
    int rc;
    ks_rsection *sec = ks_rdoc_section(&r->doc, "problems", L("4. 課題", "4. Problems"));
    size_t np = r->problem.n < MAX_CODE ? r->problem.n : MAX_CODE;
    int64_t any[MAX_CODE] = {0}, per[6] = {0};
    int64_t sum_prob = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!in_p(r, c))
            continue;
        for (size_t b = 0; b < np; b++)
            if (c->problems >> b & 1)
                any[b]++;
        int k = c->nprob >= 5 ? 5 : c->nprob;
        per[k]++;
        sum_prob += c->nprob;
    }
    ks_table *t = ks_table_new();
    col_text(t, "problem", L("課題", "Problem"));
    col_text(t, "field", L("分野", "Field"));
    size_t pn = col_count(t, "n", L("件数(延べ)", "Cases (any)"));
    size_t pp = col_share(t, "pct", L("割合(%)", "Share (%)"), pn, -1, 1);
    for (size_t id = 1; id < np; id++) {
        if (!r->problem.name[id])
            continue;
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, lab(&r->problem, (int)id));
        set_s(t, row, 1, lab(&r->field, r->problem.field[id]));
        set_i(t, row, pn, any[id]);
        set_r(t, row, pp, r->n_new > 0 ? 100.0 * (double)any[id] / (double)r->n_new : NAN);
    }
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    t = sorted(t, pn, true, NULL);
    ks_buf b;
    ks_buf_init(&b);
    if (!r->n_new_hidden && r->n_new > 0) {
        double mean = (double)sum_prob / (double)r->n_new;
        if (r->en)
            ks_buf_addf(&b, "A new case lists %.2f problems on average. Shares add up to more than 100%% because a case "
                            "can have several problems.", mean);
        else
            ks_buf_addf(&b, "新規相談1件あたりの課題は平均 %.2f 件です。1件に複数の課題があるため、割合の合計は100%%を超えます。", mean);
        ks_rdoc_add(sec, KS_RB_PARA, b.buf, NULL, NULL, NULL);
    }
    hbar_of_column(r, sec, t, ks_table_nrows(t), pn, L("課題別の件数（延べ）", "Cases by problem (any mention)"), 0);
    ks_rdoc_add(sec, KS_RB_TABLE, L("課題の出現", "Problems"), "t-problems", t, NULL);

    /* problems per case */
    t = ks_table_new();
    col_text(t, "problems", L("課題の数", "Problems"));
    size_t qn = col_count(t, "n", L("件数", "Cases"));
    size_t qp = col_share(t, "pct", L("割合(%)", "Share (%)"), qn, -1, 1);
    int64_t all = 0;
    for (int k = 1; k <= 6; k++) {
        size_t row = ks_table_add_row(t);
        char lbl[32];
        if (k <= 4)
            snprintf(lbl, sizeof lbl, r->en ? "%d problem%s" : "%d件", k, k == 1 ? "" : "s");
        else
            snprintf(lbl, sizeof lbl, "%s", k == 5 ? L("5件以上", "5 or more") : L("計", "Total"));
        set_s(t, row, 0, lbl);
        int64_t v = k <= 5 ? per[k] : all;
        if (k == 1)
            v += per[0]; /* a case always has a main problem; count 0 (should not occur) with 1 */
        if (k <= 5)
            all += v;
        set_i(t, row, qn, v);
    }
    for (size_t i = 0; i < 6; i++) {
        double v = cell_num(t, i, qn);
        set_r(t, i, qp, all > 0 ? 100.0 * v / (double)all : NAN);
    }
    ks_table_set_totals(t, 5, -1, NULL);
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        ks_buf_release(&b);
        return rc;
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("1件あたりの課題の数", "Problems per case"), "t-problems-per-case", t, NULL);

    ks_rdoc_add(sec, KS_RB_PARA,
                L("課題の組み合わせ：上位の課題について、両方を抱える新規相談の件数です（対角は各課題の件数）。",
                  "Problems together: new cases with both problems, for the most frequent ones (the diagonal is each "
                  "problem's count)."),
                NULL, NULL, NULL);
    ks_buf_release(&b);
    if ((rc = cooccur(r, sec, problems_of, &r->problem, "課題", "Problems", "t-problem-pairs")))
        return rc;
    return household_section(r, sec);
}

/* ---- compound households ----------------------------------------------------- */

typedef struct hkey {
    int64_t household; /* household key */
    size_t idx;        /* case index */
} hkey;

static int by_household(const void *a, const void *b)
{
    const hkey *x = a, *y = b;
    if (x->household != y->household)
        return x->household < y->household ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

#define BIT(id) (UINT64_C(1) << (id))

/* Problem ids from the import contract (codes.c). */
enum { P_CARE = 1, P_DEMENTIA = 2, P_DISABILITY = 3, P_MENTAL = 4, P_CHILD = 5, P_HIKIKOMORI = 11, P_8050 = 12,
       P_DOUBLE_CARE = 13, P_YOUNG_CARER = 14 };

static int household_section(rep *r, ks_rsection *sec)
{
    /* households with a new case in the period */
    size_t nk = 0;
    hkey *k = NULL;
    int64_t *hp = NULL;
    size_t nhp = 0;
    for (size_t i = 0; i < r->n; i++)
        if (in_p(r, &r->c[i]) && r->c[i].household)
            nhp++;
    hp = ks_calloc(nhp ? nhp : 1, sizeof *hp);
    nhp = 0;
    for (size_t i = 0; i < r->n; i++)
        if (in_p(r, &r->c[i]) && r->c[i].household)
            hp[nhp++] = r->c[i].household;
    hkey *tmp = ks_calloc(nhp ? nhp : 1, sizeof *tmp);
    for (size_t i = 0; i < nhp; i++)
        tmp[i] = (hkey){hp[i], 0};
    qsort(tmp, nhp, sizeof *tmp, by_household);
    size_t nu = 0;
    for (size_t i = 0; i < nhp; i++)
        if (nu == 0 || tmp[nu - 1].household != tmp[i].household)
            hp[nu++] = tmp[i].household;
    free(tmp);
    /* all their cases up to the period end */
    for (size_t i = 0; i < r->n; i++) {
        int64_t h = r->c[i].household;
        if (!h)
            continue;
        size_t lo = 0, hi = nu;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (hp[mid] < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < nu && hp[lo] == h) {
            if ((nk & (nk - 1)) == 0)
                k = ks_realloc(k, ks_mul(nk ? nk * 2 : 1, sizeof *k));
            k[nk++] = (hkey){h, i};
        }
    }
    if (nk)
        qsort(k, nk, sizeof *k, by_household);
    int64_t only_rec[3] = {0, 0, 0}, only_link[3] = {0, 0, 0}, both[3] = {0, 0, 0}, either[3] = {0, 0, 0};
    for (size_t a = 0; a < nk;) {
        size_t e = a;
        while (e < nk && k[e].household == k[a].household)
            e++;
        bool r8050 = false, rdc = false, ryc = false;
        bool l8050 = false;
        bool dc_child = false, dc_care = false;
        bool yc = false;
        for (size_t x = a; x < e; x++) {
            const rcase *c = &r->c[k[x].idx];
            r8050 |= (c->problems & BIT(P_8050)) != 0;
            rdc |= (c->problems & BIT(P_DOUBLE_CARE)) != 0;
            ryc |= (c->problems & BIT(P_YOUNG_CARER)) != 0;
            if (c->age >= 30 && c->age <= 49 && (c->problems & (BIT(P_CHILD) | BIT(P_DOUBLE_CARE))))
                dc_child = true;
            if (c->problems & (BIT(P_CARE) | BIT(P_DEMENTIA)))
                dc_care = true;
            for (size_t y = a; y < e; y++) {
                const rcase *d = &r->c[k[y].idx];
                if (d->person == c->person)
                    continue;
                /* 8050: a parent 75+ with care or dementia, a child 40-59 withdrawn */
                if (c->age >= 75 && (c->problems & (BIT(P_CARE) | BIT(P_DEMENTIA))) && d->age >= 40 && d->age <= 59 &&
                    (d->problems & BIT(P_HIKIKOMORI)))
                    l8050 = true;
                /* young carer: someone under 18 beside a care or disability case */
                if (c->age >= 0 && c->age < 18 &&
                    (d->problems & (BIT(P_CARE) | BIT(P_DEMENTIA) | BIT(P_DISABILITY) | BIT(P_MENTAL))))
                    yc = true;
            }
        }
        bool ldc = dc_child && dc_care;
        bool f_rec[3] = {r8050, rdc, ryc}, f_link[3] = {l8050, ldc, yc};
        for (int j = 0; j < 3; j++) {
            only_rec[j] += f_rec[j] && !f_link[j];
            only_link[j] += f_link[j] && !f_rec[j];
            both[j] += f_rec[j] && f_link[j];
            either[j] += f_rec[j] || f_link[j];
        }
        a = e;
    }
    free(k);
    free(hp);
    ks_table *t = ks_table_new();
    col_text(t, "type", L("世帯の状況", "Household"));
    /* the three parts partition "either": declared as a total column, so
     * secondary suppression keeps a small overlap from being worked out */
    size_t c0 = col_count(t, "n_recorded", L("記録のみ", "Recorded only"));
    size_t c1 = col_count(t, "n_linked", L("世帯リンクのみ", "Found by links only"));
    size_t c3 = col_count(t, "n_both", L("両方", "Both"));
    size_t c2 = col_count(t, "n", L("計", "Total"));
    const char *names[3] = {L("8050（高齢の親と中高年のひきこもりの子）", "8050 (old parent, withdrawn middle-aged child)"),
                            L("ダブルケア（子育てと介護）", "Double care (child rearing and care)"),
                            L("ヤングケアラー（の可能性）", "Young carers (possible)")};
    for (int j = 0; j < 3; j++) {
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, names[j]);
        set_i(t, row, c0, only_rec[j]);
        set_i(t, row, c1, only_link[j]);
        set_i(t, row, c3, both[j]);
        set_i(t, row, c2, either[j]);
    }
    ks_table_set_totals(t, -1, (long)c2, NULL);
    int rc = protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("複合的な課題を抱える世帯（世帯数）", "Households with compound needs (households)"),
                "t-households", t, NULL);
    ks_rdoc_add(sec, KS_RB_NOTE,
                L("今期に新規相談があった世帯について、期間末までの同じ世帯番号の相談をつないで数えています。"
                  "記録＝いずれかの相談に課題（8050問題・ダブルケア・ヤングケアラー）として記録。"
                  "検出の条件：8050＝75歳以上で介護・認知症の相談と、別の人の40〜59歳でひきこもりの相談。"
                  "ダブルケア＝30〜49歳の子育て（またはダブルケア）の相談と、介護・認知症の相談。"
                  "ヤングケアラーの可能性＝18歳未満の相談と、別の人の介護・認知症・障がい・精神保健の相談。",
                  "Households with a new case this period, joining all their cases (same household number) up to "
                  "the period end. Recorded = a case lists the problem (8050, double care, young carer). Found when: 8050 = a case aged 75+ with care or dementia and another person's "
                  "case aged 40-59 with hikikomori; double care = a case aged 30-49 with child rearing (or double "
                  "care) and a care or dementia case; possible young carer = a case under 18 and another person's "
                  "case with care, dementia, disability or mental health."),
                NULL, NULL, NULL);
    return 0;
}

/* ---- 5. supports and partners -------------------------------------------------- */

static int simple_bar_table(rep *r, ks_rsection *sec, const labels *l, mask_fn fn, bool per_field, const char *col_ja,
                            const char *col_en, const char *cap_ja, const char *cap_en, const char *tid,
                            size_t chart_max)
{
    size_t nl = l->n < MAX_CODE ? l->n : MAX_CODE;
    int64_t cnt[MAX_CODE] = {0};
    for (size_t i = 0; i < r->n; i++) {
        if (!in_p(r, &r->c[i]))
            continue;
        uint64_t mk = fn(&r->c[i]);
        for (size_t b = 0; b < nl; b++)
            if (mk >> b & 1)
                cnt[b]++;
    }
    ks_table *t = ks_table_new();
    col_text(t, "name", r->en ? col_en : col_ja);
    if (per_field) {
        col_text(t, "field", L("分野", "Field"));
        col_text(t, "kind", L("種別", "Kind"));
    }
    size_t cn = col_count(t, "n", L("件数", "Cases"));
    size_t cp = col_share(t, "pct", L("割合(%)", "Share (%)"), cn, -1, 1);
    /* partners grouped by field (unlisted last), each group by count */
    int *grp = ks_calloc(nl ? nl : 1, sizeof *grp);
    size_t nrows = 0;
    for (int g = 0; g < (per_field ? 6 : 1); g++) {
        int want = g < 5 ? g + 1 : 0;
        for (size_t id = 0; id < nl; id++) {
            if (!l->name[id] || (!per_field && id == 0))
                continue;
            if (per_field) {
                int f = id == 0 ? 0 : l->field[id] >= 1 && l->field[id] <= 5 ? l->field[id] : 5;
                if (f != want)
                    continue;
            }
            size_t row = ks_table_add_row(t);
            grp[nrows++] = g;
            set_s(t, row, 0, lab(l, (int)id));
            if (per_field) {
                set_s(t, row, 1, id == 0 ? "" : lab(&r->field, l->field[id]));
                set_s(t, row, 2, id == 0 ? "" : lab(&r->pkind, l->kind[id]));
            }
            set_i(t, row, cn, cnt[id]);
            set_r(t, row, cp, r->n_new > 0 ? 100.0 * (double)cnt[id] / (double)r->n_new : NAN);
        }
    }
    int rc = protect(r, t);
    if (rc) {
        free(grp);
        ks_table_free(t);
        return rc;
    }
    t = sorted(t, cn, true, grp);
    free(grp);
    /* chart: the largest published ones, then the hidden ones as marks */
    {
        size_t nr = ks_table_nrows(t);
        rowkey *kk = ks_calloc(nr ? nr : 1, sizeof *kk);
        size_t m = 0, nh = 0;
        for (size_t i = 0; i < nr; i++) {
            double v = cell_num(t, i, cn);
            if (isfinite(v) && v > 0)
                kk[m++] = (rowkey){0, i, v, 1};
        }
        qsort(kk, m, sizeof *kk, by_key);
        if (m > chart_max)
            m = chart_max;
        for (size_t i = 0; i < nr; i++)
            if (hidden(t, i, cn))
                kk[m + nh++] = (rowkey){0, i, 0, 0};
        size_t nc = m + nh;
        const char **cats = ks_calloc(nc ? nc : 1, sizeof *cats);
        double *v = ks_calloc(nc ? nc : 1, sizeof *v);
        bool *h = ks_calloc(nc ? nc : 1, sizeof *h);
        for (size_t i = 0; i < nc; i++) {
            cats[i] = ks_table_cell(t, kk[i].row, 0)->v.s;
            v[i] = kk[i].v;
            h[i] = !kk[i].pub;
        }
        ks_svg_series ser = {.name = L("件数", "Cases"), .v = v, .hidden = h, .color = per_field ? 2 : 0};
        char *id = next_id(r, "f");
        ks_svg_chart ch = {.id = id, .title = r->en ? cap_en : cap_ja, .cats = cats, .ncat = nc, .series = &ser,
                           .nseries = 1, .mark = tmark(r, t), .width = CHART_W};
        add_hbar(sec, &ch, id);
        free(cats);
        free(v);
        free(h);
        free(kk);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, r->en ? cap_en : cap_ja, tid, t, NULL);
    return 0;
}

static uint64_t supports_of(const rcase *c) { return c->supports; }

static int sec_support(rep *r)
{
    ks_rsection *sec = ks_rdoc_section(&r->doc, "support", L("5. 支援と連携", "5. Support and partners"));
    int rc = simple_bar_table(r, sec, &r->support, supports_of, false, "支援内容", "Support",
                              "支援内容（新規相談、延べ）", "Support given (new cases, any mention)", "t-supports", 20);
    if (rc)
        return rc;
    if (r->partner.n > MAX_CODE) {
        ks_rdoc_add(sec, KS_RB_NOTE,
                    L("連携先が64を超えるプロファイルのため、連携先の集計は省略しています。",
                      "The profile has more than 64 partners; partner figures are left out."),
                    NULL, NULL, NULL);
        return 0;
    }
    rc = simple_bar_table(r, sec, &r->partner, partners_of, true, "連携先", "Partner",
                          "関わった窓口・機関（分野別、新規相談）", "Windows and agencies involved (by field, new cases)",
                          "t-partners", 15);
    if (rc)
        return rc;
    ks_rdoc_add(sec, KS_RB_PARA,
                L("一緒に関わる連携先：上位の連携先について、両方が関わった新規相談の件数です。",
                  "Partners working together: new cases in which both took part, for the most involved partners."),
                NULL, NULL, NULL);
    return cooccur(r, sec, partners_of, &r->partner, "連携先", "Partners", "t-partner-pairs");
}

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

/* Days since 1970-01-01 back to a date (the inverse of ks_date_days). */
static ks_date day_date(int32_t days)
{
    int32_t z = days + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    int32_t doe = z - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    ks_date d;
    d.d = (int8_t)(doy - (153 * mp + 2) / 5 + 1);
    d.m = (int8_t)(mp < 10 ? mp + 3 : mp - 9);
    d.y = (int16_t)(yoe + era * 400 + (d.m <= 2));
    return d;
}

static int sec_outcomes(rep *r)
{
    int rc;
    ks_rsection *sec = ks_rdoc_section(&r->doc, "outcomes", L("6. 終結と成果", "6. Closures and outcomes"));
    size_t no = r->outcome.n;
    int64_t *oc = ks_calloc(no + 1, sizeof *oc);
    size_t np = r->problem.n;
    int64_t *pc = ks_calloc(np ? np : 1, sizeof *pc);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->status != KS_STATUS_CLOSED || c->close < r->p0 || c->close > r->p1)
            continue;
        oc[c->outcome < no ? c->outcome : 0]++;
        if (c->main < np)
            pc[c->main]++;
    }
    ks_table *t = ks_table_new();
    col_text(t, "outcome", L("結果", "Outcome"));
    size_t on = col_count(t, "n", L("件数", "Cases"));
    size_t op = col_share(t, "pct", L("割合(%)", "Share (%)"), on, -1, 1);
    int64_t all = 0;
    for (size_t id = 1; id <= no; id++) {
        size_t code = id < no ? id : 0;
        if (code && !r->outcome.name[code])
            continue;
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, code ? lab(&r->outcome, (int)code) : L("未記入", "Not recorded"));
        set_i(t, row, on, oc[code]);
        all += oc[code];
    }
    size_t trow = ks_table_add_row(t);
    set_s(t, trow, 0, L("計", "Total"));
    set_i(t, trow, on, all);
    for (size_t i = 0; i <= trow; i++)
        set_r(t, i, op, all > 0 ? 100.0 * cell_num(t, i, on) / (double)all : NAN);
    ks_table_set_totals(t, (long)trow, -1, NULL);
    free(oc);
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        free(pc);
        return rc;
    }
    {
        size_t nr = trow;
        const char **cats = ks_calloc(nr ? nr : 1, sizeof *cats);
        double *v = ks_calloc(nr ? nr : 1, sizeof *v);
        bool *h = ks_calloc(nr ? nr : 1, sizeof *h);
        for (size_t i = 0; i < nr; i++)
            cats[i] = ks_table_cell(t, i, 0)->v.s;
        column_values(t, on, nr, v, h);
        ks_svg_series ser = {.name = L("件数", "Cases"), .v = v, .hidden = h, .color = 2};
        char *id = next_id(r, "f");
        ks_svg_chart ch = {.id = id, .title = L("終結した相談の結果", "Outcome of closed cases"), .cats = cats, .ncat = nr,
                           .series = &ser, .nseries = 1, .mark = tmark(r, t), .width = CHART_W};
        add_hbar(sec, &ch, id);
        free(cats);
        free(v);
        free(h);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("終結した相談（今期）の結果", "Outcome of cases closed this period"), "t-outcomes", t, NULL);

    /* good outcome (解決 or 改善) by main problem, Wilson intervals */
    int top[TOP_PROBLEMS];
    size_t ntop = top_ids(pc, np, TOP_PROBLEMS, top);
    int64_t good[TOP_PROBLEMS + 2] = {0}, closed[TOP_PROBLEMS + 2] = {0};
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->status != KS_STATUS_CLOSED || c->close < r->p0 || c->close > r->p1)
            continue;
        size_t s = ntop;
        for (size_t j = 0; j < ntop; j++)
            if (c->main == top[j])
                s = j;
        bool g = c->outcome == 1 || c->outcome == 2;
        closed[s]++;
        good[s] += g;
        closed[ntop + 1]++;
        good[ntop + 1] += g;
    }
    free(pc);
    t = ks_table_new();
    col_text(t, "problem", L("主たる課題", "Main problem"));
    size_t gc = col_count(t, "n", L("終結", "Closed"));
    size_t gg = col_count(t, "n_good", L("解決・改善", "Resolved/improved"));
    size_t go = col_count(t, "n_other", L("それ以外", "Other"));
    size_t gp = col_share(t, "pct", L("割合(%)", "Rate (%)"), gg, (int)gc, 1);
    size_t gl = col_share(t, "lo", L("95%CI下限", "95% CI low"), gg, (int)gc, 1);
    size_t gh = col_share(t, "hi", L("95%CI上限", "95% CI high"), gg, (int)gc, 1);
    for (size_t s = 0; s < ntop + 2; s++) {
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, s < ntop ? lab(&r->problem, top[s]) : s == ntop ? L("上記以外", "All others") : L("計", "Total"));
        set_i(t, row, gc, closed[s]);
        set_i(t, row, gg, good[s]);
        set_i(t, row, go, closed[s] - good[s]);
        double lo = NAN, hi = NAN;
        if (closed[s] > 0 && ks_wilson_ci(good[s], closed[s], 0.95, &lo, &hi, NULL) == 0) {
            set_r(t, row, gp, 100.0 * (double)good[s] / (double)closed[s]);
            set_r(t, row, gl, 100 * lo);
            set_r(t, row, gh, 100 * hi);
        }
    }
    ks_table_set_totals(t, (long)(ntop + 1), (long)gc, NULL);
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    {
        size_t nr = ntop + 2;
        const char *cats[TOP_PROBLEMS + 2];
        double v[TOP_PROBLEMS + 2], lo[TOP_PROBLEMS + 2], hi[TOP_PROBLEMS + 2];
        bool h[TOP_PROBLEMS + 2];
        for (size_t i = 0; i < nr; i++) {
            cats[i] = ks_table_cell(t, i, 0)->v.s;
            v[i] = cell_num(t, i, gp);
            lo[i] = cell_num(t, i, gl);
            hi[i] = cell_num(t, i, gh);
            h[i] = hidden(t, i, gp);
        }
        ks_svg_series ser = {.name = L("解決・改善の割合", "Resolved or improved"), .v = v, .hidden = h, .lo = lo, .hi = hi,
                             .color = 2};
        char *id = next_id(r, "f");
        ks_svg_chart ch = {.id = id, .title = L("解決・改善の割合（95%信頼区間）", "Resolved or improved (95% CI)"),
                           .cats = cats, .ncat = nr, .series = &ser, .nseries = 1, .mark = "x", .fmt = KS_SVG_PERCENT,
                           .width = CHART_W, .fixed_max = 100};
        add_hbar(sec, &ch, id);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("解決・改善の割合（今期に終結した相談、主たる課題別）",
                                    "Resolved or improved among cases closed this period, by main problem"),
                "t-good", t, NULL);
    ks_rdoc_add(sec, KS_RB_NOTE, L("信頼区間はWilsonの方法。", "Wilson score intervals."), NULL, NULL, NULL);
    return 0;
}

static int sec_km(rep *r, ks_rsection *sec)
{
    /* the groups of the trend table (top main problems, other, all), so the
     * case counts are the same cells as the month table's total row */
    size_t ntop = r->ntop;
    const int *top = r->top;
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += in_p(r, &r->c[i]);
    double *time = ks_calloc(n ? n : 1, sizeof *time);
    int *event = ks_calloc(n ? n : 1, sizeof *event), *group = ks_calloc(n ? n : 1, sizeof *group);
    size_t m = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!in_p(r, c))
            continue;
        int32_t end = c->close != NO_DATE ? c->close : r->data_end;
        time[m] = end > c->open ? (double)(end - c->open) : 0;
        event[m] = c->status == KS_STATUS_CLOSED && c->close != NO_DATE;
        group[m] = (int)ntop; /* other */
        for (size_t j = 0; j < ntop; j++)
            if (c->main == top[j])
                group[m] = (int)j;
        m++;
    }
    ks_table *t = ks_table_new();
    col_text(t, "group", L("主たる課題", "Main problem"));
    size_t cn = col_count(t, "n", L("件数", "Cases"));
    size_t ce = col_count(t, "n_closed", L("終結", "Closed"));
    size_t cmed = col_share(t, "median", L("中央値(日)", "Median (days)"), cn, (int)ce, 0);
    static const int days[3] = {90, 180, 365};
    size_t cd[3], cdp[3];
    for (int j = 0; j < 3; j++) {
        char nm[32], lb[64];
        snprintf(nm, sizeof nm, "n_%d", days[j]);
        snprintf(lb, sizeof lb, r->en ? "Closed by %d d" : "%d日以内の終結", days[j]);
        cd[j] = col_count(t, nm, lb);
        snprintf(nm, sizeof nm, "pct_%d", days[j]);
        snprintf(lb, sizeof lb, r->en ? "KM %d d (%%)" : "%d日時点(%%)", days[j]);
        cdp[j] = col_share(t, nm, lb, cd[j], (int)cn, 1);
    }
    size_t ng = ntop + 2;
    double **gx = ks_calloc(ng, sizeof *gx), **gy = ks_calloc(ng, sizeof *gy);
    size_t *gm = ks_calloc(ng, sizeof *gm);
    int rc = 0;
    for (size_t g = 0; g < ng; g++) {
        /* top main problems, other, then all new cases (the total row) */
        size_t cnt = 0;
        double *tt = ks_calloc(m ? m : 1, sizeof *tt);
        int *ee = ks_calloc(m ? m : 1, sizeof *ee);
        for (size_t i = 0; i < m; i++)
            if (g == ntop + 1 || group[i] == (int)g) {
                tt[cnt] = time[i];
                ee[cnt++] = event[i];
            }
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, g < ntop ? lab(&r->problem, top[g]) : g == ntop ? L("上記以外", "All others") : L("計", "Total"));
        int64_t ev = 0, by[3] = {0, 0, 0};
        for (size_t i = 0; i < cnt; i++) {
            ev += ee[i];
            for (int j = 0; j < 3; j++)
                by[j] += ee[i] && tt[i] <= days[j];
        }
        set_i(t, row, cn, (int64_t)cnt);
        set_i(t, row, ce, ev);
        for (int j = 0; j < 3; j++)
            set_i(t, row, cd[j], by[j]);
        if (cnt > 0) {
            ks_km km = {0};
            if (ks_km_fit(tt, ee, NULL, cnt, KS_KM_CONF_LOG, &km, NULL) == 0 && km.n_curves == 1) {
                const ks_km_curve *cv = &km.curves[0];
                set_r(t, row, cmed, cv->median);
                for (int j = 0; j < 3; j++) {
                    double s = 1;
                    for (size_t q = 0; q < cv->n_rows && cv->rows[q].time <= days[j]; q++)
                        s = cv->rows[q].surv;
                    set_r(t, row, cdp[j], 100 * (1 - s));
                }
            }
            ks_km_release(&km);
            gx[g] = ks_calloc(16, sizeof **gx);
            gy[g] = ks_calloc(16, sizeof **gy);
            gm[g] = ks_report_km_points(tt, ee, cnt, r->k, 30, 360, gx[g], gy[g], 16);
        }
        free(tt);
        free(ee);
    }
    free(time);
    free(event);
    free(group);
    ks_table_set_totals(t, (long)(ntop + 1), -1, NULL);
    for (size_t g = 0; g < ng; g++)
        if (r->p_total_hidden[g])
            ks_table_suppress(t, g, cn, KS_WHY_SECONDARY, NULL);
    if ((rc = protect(r, t))) {
        ks_table_free(t);
        goto done;
    }
    {
        ks_svg_curve *cv = ks_calloc(ng, sizeof *cv);
        for (size_t g = 0; g < ng; g++) {
            bool hide = hidden(t, g, cn) || hidden(t, g, ce) || !isfinite(cell_num(t, g, ce));
            cv[g] = (ks_svg_curve){.name = ks_table_cell(t, g, 0)->v.s, .x = gx[g], .y = gy[g],
                                   .n = hide ? 0 : gm[g], .hidden = hide};
        }
        char *id = next_id(r, "f");
        ks_svg_steps st = {.id = id, .title = L("終結までの日数（カプラン・マイヤー、累積終結割合）",
                                                "Days to closure (Kaplan-Meier, share closed)"),
                           .curves = cv, .ncurve = ng, .x_max = 360, .x_step = 60,
                           .x_label = L("相談開始からの日数", "days since first consultation"),
                           .y_label = L("終結した割合", "closed"), .mark = tmark(r, t), .width = CHART_W};
        ks_buf svg;
        ks_buf_init(&svg);
        ks_svg_stepcurves(&svg, &st);
        ks_rdoc_add(sec, KS_RB_FIGURE, st.title, id, NULL, svg.buf);
        ks_buf_release(&svg);
        free(id);
        free(cv);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("終結までの日数（今期の新規相談）", "Days to closure (new cases this period)"), "t-km", t,
                NULL);
    {
        char d[11];
        ks_date_format(day_date(r->data_end), d);
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
        ks_rdoc_add(sec, KS_RB_NOTE, b.buf, NULL, NULL, NULL);
        ks_buf_release(&b);
    }
done:
    for (size_t g = 0; g < ng; g++) {
        free(gx[g]);
        free(gy[g]);
    }
    free(gx);
    free(gy);
    free(gm);
    return rc;
}

/* ---- 7. intake routes ----------------------------------------------------------- */

static int sec_routes(rep *r)
{
    ks_rsection *sec = ks_rdoc_section(&r->doc, "routes", L("7. 相談経路の推移", "7. Intake routes over time"));
    /* fiscal quarters over the trend window */
    int q0 = (r->W.first - 3) / 3, q1 = (r->W.last - 3) / 3; /* quarter index from April of year 0 */
    size_t nq = (size_t)(q1 - q0 + 1);
    size_t nr = r->route.n;
    size_t ncat = nr; /* ids 1..nr-1, then "not recorded" */
    int64_t *cnt = ks_calloc(ks_mul(nq, ncat), sizeof *cnt);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->month < r->W.first || c->month > r->W.last)
            continue;
        size_t q = (size_t)((c->month - 3) / 3 - q0);
        size_t rt = c->route > 0 && c->route < nr ? c->route : 0;
        size_t col = rt ? rt - 1 : nr - 1;
        cnt[q * ncat + col]++;
    }
    ks_table *t = ks_table_new();
    col_text(t, "quarter", L("四半期", "Quarter"));
    for (size_t id = 1; id < nr; id++) {
        char nm[32];
        snprintf(nm, sizeof nm, "n_%zu", id);
        col_count(t, nm, lab(&r->route, (int)id));
    }
    col_count(t, "n_none", L("未記入", "Not recorded"));
    size_t tc = col_count(t, "n", L("計", "Total"));
    int64_t *colsum = ks_calloc(ncat, sizeof *colsum);
    for (size_t q = 0; q <= nq; q++) {
        size_t row = ks_table_add_row(t);
        char lb[48];
        if (q < nq) {
            int qi = q0 + (int)q;
            snprintf(lb, sizeof lb, r->en ? "FY%d Q%d" : "%d年度Q%d", qi / 4, qi % 4 + 1);
        } else {
            snprintf(lb, sizeof lb, "%s", L("計", "Total"));
        }
        set_s(t, row, 0, lb);
        int64_t sum = 0;
        for (size_t j = 0; j < ncat; j++) {
            int64_t v = q < nq ? cnt[q * ncat + j] : colsum[j];
            if (q < nq)
                colsum[j] += v;
            set_i(t, row, 1 + j, v);
            sum += v;
        }
        set_i(t, row, tc, sum);
    }
    free(cnt);
    free(colsum);
    ks_table_set_totals(t, (long)nq, (long)tc, NULL);
    int rc = suppress_all(r, t);
    /* a quarter's total is the sum of three month totals of the trend
     * tables: with exactly one of them hidden there, the quarter's total
     * must be hidden here too (and then protected in this table) */
    bool more = false;
    for (size_t q = 0; q < nq && !rc && r->month_hidden; q++) {
        int nh = 0;
        for (int x = 0; x < 3; x++) {
            int month = (q0 + (int)q) * 3 + 3 + x;
            if (month >= r->W.first && month <= r->W.last)
                nh += r->month_hidden[month - r->W.first];
        }
        if (nh == 1 && !hidden(t, q, tc)) {
            ks_table_suppress(t, q, tc, KS_WHY_SECONDARY, NULL);
            more = true;
        }
    }
    if (!rc && more && !(rc = ks_suppress_secondary(t, NULL, r->err)))
        rc = ks_suppress_links(t, NULL, r->err);
    if (!rc)
        rc = protect_end(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    {
        const char **cats = ks_calloc(nq, sizeof *cats);
        double *v = ks_calloc(ks_mul(nq, ncat), sizeof *v), *tot = ks_calloc(nq, sizeof *tot);
        bool *h = ks_calloc(ks_mul(nq, ncat), sizeof *h), *th = ks_calloc(nq, sizeof *th);
        ks_svg_series *ser = ks_calloc(ncat, sizeof *ser);
        for (size_t q = 0; q < nq; q++)
            cats[q] = ks_table_cell(t, q, 0)->v.s;
        for (size_t j = 0; j < ncat; j++) {
            column_values(t, 1 + j, nq, v + j * nq, h + j * nq);
            ser[j] = (ks_svg_series){.name = ks_table_column(t, 1 + j)->label, .v = v + j * nq, .hidden = h + j * nq,
                                     .color = (int)j};
        }
        column_values(t, tc, nq, tot, th);
        char *id = next_id(r, "f");
        ks_svg_chart ch = {.id = id, .title = L("相談経路別の新規相談（四半期）", "New cases by intake route (quarters)"),
                           .cats = cats, .ncat = nq, .series = ser, .nseries = ncat, .mark = "x",
                           .width = CHART_W, .totals = tot, .totals_hidden = th, .axis_label = L("件数", "cases")};
        ks_buf svg;
        ks_buf_init(&svg);
        ks_svg_stacked(&svg, &ch);
        ks_rdoc_add(sec, KS_RB_FIGURE, ch.title, id, NULL, svg.buf);
        ks_buf_release(&svg);
        free(id);
        free(cats);
        free(v);
        free(tot);
        free(h);
        free(th);
        free(ser);
    }
    ks_rdoc_add(sec, KS_RB_TABLE, L("相談経路別の新規相談（年度の四半期）", "New cases by intake route (fiscal quarters)"),
                "t-routes", t, NULL);
    ks_rdoc_add(sec, KS_RB_NOTE,
                L("斜線の部分は秘匿したセルの合計です（行の計から公表値を引いたもの）。",
                  "Hatched blocks are the sum of hidden cells (the row total less the published cells)."),
                NULL, NULL, NULL);
    return 0;
}

/* ---- 8. data quality ------------------------------------------------------------ */

static int sec_quality(rep *r)
{
    ks_rsection *sec = ks_rdoc_section(&r->doc, "quality", L("8. データの質", "8. Data quality"));
    enum { NF = 11 };
    const char *names[NF] = {L("性別", "Sex"), L("年齢（生年月日）", "Age (birth date)"), L("世帯番号", "Household number"),
                             L("世帯構成", "Household type"), L("相談経路", "Intake route"), L("受付機関", "Intake agency"),
                             L("支援内容", "Support"), L("連携先", "Partners"), L("会議", "Meeting"),
                             L("終結日（終結・中断）", "Closing date (closed/suspended)"),
                             L("結果（終結・中断）", "Outcome (closed/suspended)")};
    int64_t target[NF] = {0}, empty[NF] = {0}, unknown[NF] = {0};
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!in_p(r, c))
            continue;
        for (int f = 0; f < 9; f++)
            target[f]++;
        empty[0] += c->sex == 0;
        unknown[0] += c->sex == 4;
        empty[1] += c->age_band == 0;
        empty[2] += c->household == 0;
        empty[3] += c->hh_type == 0;
        empty[4] += c->route == 0;
        empty[5] += c->agency < 0;
        empty[6] += c->supports == 0;
        empty[7] += c->partners == 0;
        empty[8] += c->meeting == 0;
        if (c->status == KS_STATUS_CLOSED || c->status == KS_STATUS_SUSPENDED) {
            target[9]++;
            target[10]++;
            empty[9] += c->close == NO_DATE;
            empty[10] += c->outcome == 0;
            unknown[10] += c->outcome == 7;
        }
    }
    ks_table *t = ks_table_new();
    col_text(t, "field", L("項目", "Field"));
    size_t cf = col_count(t, "n_filled", L("記入あり", "Filled"));
    size_t ce = col_count(t, "n_empty", L("空欄", "Empty"));
    size_t cu = col_count(t, "n_unknown", L("不明", "Unknown"));
    size_t ct = col_count(t, "n", L("対象", "Cases"));
    size_t pe = col_share(t, "pct_empty", L("空欄(%)", "Empty (%)"), ce, (int)ct, 1);
    size_t pu = col_share(t, "pct_unknown", L("不明(%)", "Unknown (%)"), cu, (int)ct, 1);
    for (int f = 0; f < NF; f++) {
        size_t row = ks_table_add_row(t);
        set_s(t, row, 0, names[f]);
        set_i(t, row, cf, target[f] - empty[f] - unknown[f]);
        set_i(t, row, ce, empty[f]);
        set_i(t, row, cu, unknown[f]);
        set_i(t, row, ct, target[f]);
        set_r(t, row, pe, target[f] > 0 ? 100.0 * (double)empty[f] / (double)target[f] : NAN);
        set_r(t, row, pu, target[f] > 0 ? 100.0 * (double)unknown[f] / (double)target[f] : NAN);
    }
    ks_table_set_totals(t, -1, (long)ct, NULL);
    int rc = protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    ks_buf b;
    ks_buf_init(&b);
    size_t listed = 0;
    for (int f = 0; f < NF; f++) {
        double e = cell_num(t, (size_t)f, pe), u = cell_num(t, (size_t)f, pu);
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
    ks_rdoc_add(sec, KS_RB_PARA, p.buf, NULL, NULL, NULL);
    ks_rdoc_add(sec, KS_RB_TABLE, L("項目の記入状況（今期の新規相談）", "How fields are filled (new cases this period)"),
                "t-quality", t, NULL);
    ks_buf_release(&b);
    ks_buf_release(&p);
    return 0;
}

/* ---- 9. about ------------------------------------------------------------------ */

static void sec_about(rep *r)
{
    ks_rsection *sec = ks_rdoc_section(&r->doc, "about", L("9. この報告について", "9. About this report"));
    ks_buf b;
    ks_buf_init(&b);
    if (r->en)
        ks_buf_addf(&b, "Disclosure control: every count from 1 to %d is hidden (\"<%d\"); in tables with totals more "
                        "cells are hidden so that none can be worked out by subtraction (\"x\"); shares and rates of "
                        "hidden counts are hidden; charts show hidden values as hatched marks. Zeros are shown.",
                    r->k - 1, r->k);
    else
        ks_buf_addf(&b, "秘匿の方法：1〜%d件の数値は「<%d」として伏せ、合計のある表では引き算で求められないよう他のセルも伏せています（x）。"
                        "伏せた数値の割合・率も伏せ、図では斜線の印で示します。0件はそのまま表示します。",
                    r->k - 1, r->k);
    ks_rdoc_add(sec, KS_RB_BULLET, b.buf, NULL, NULL, NULL);
    ks_rdoc_add(sec, KS_RB_BULLET,
                L("新規相談＝相談日が期間内の相談。終結・中断＝終結日が期間内で状況が終結・中断のもの。"
                  "期末時点の継続中＝期間末日までに相談があり、その日までに終結日がないもの。",
                  "New cases: consultation date in the period. Closed/suspended: closing date in the period with status "
                  "closed/suspended. Open at period end: consulted by the period's last day with no closing date by "
                  "then."),
                NULL, NULL, NULL);
    ks_rdoc_add(sec, KS_RB_BULLET,
                L("年度は4月〜翌年3月。主たる課題は記録の最初に書かれた課題です。",
                  "Fiscal years run April to March. The main problem is the first problem listed in the record."),
                NULL, NULL, NULL);
    ks_rdoc_add(sec, KS_RB_BULLET,
                L("期間の差し引きで小さな集団が分かることがあるため、公表する表と期間は決まった組み合わせにしてください。",
                  "Subtracting one period or grouping from another can isolate small groups: publish a fixed set of "
                  "tables per period."),
                NULL, NULL, NULL);
    ks_buf_release(&b);
}

/* ---- the whole report -------------------------------------------------------------- */

static int find_district(sqlite3 *db, const char *name, int *id, ks_error *err)
{
    ks_buf want, got;
    ks_buf_init(&want);
    ks_buf_init(&got);
    int rc = 0;
    *id = 0;
    if (ks_text_fold_label(name, strlen(name), &want)) {
        rc = ks_error_set(err, KS_EUSAGE, "--district: not valid UTF-8");
        goto done;
    }
    sqlite3_stmt *st = NULL;
    if ((rc = ks_db_prepare(db, "SELECT district_id, code, label_ja, label_en FROM main.district ORDER BY district_id",
                            &st, err)))
        goto done;
    ks_buf names;
    ks_buf_init(&names);
    while (sqlite3_step(st) == SQLITE_ROW && !*id) {
        for (int c = 1; c <= 3 && !*id; c++) {
            const char *v = (const char *)sqlite3_column_text(st, c);
            if (!v)
                continue;
            ks_buf_reset(&got);
            if (ks_text_fold_label(v, strlen(v), &got) == 0 && strcmp(got.buf, want.buf) == 0)
                *id = sqlite3_column_int(st, 0);
        }
        const char *ja = (const char *)sqlite3_column_text(st, 2);
        ks_buf_addf(&names, "%s%s", names.len ? ", " : "", ja ? ja : "");
    }
    sqlite3_finalize(st);
    if (!*id)
        rc = ks_error_set(err, KS_EUSAGE, "no district '%s' in this database (%s)", name, names.buf);
    ks_buf_release(&names);
done:
    ks_buf_release(&want);
    ks_buf_release(&got);
    return rc;
}

static void add_meta(ks_rdoc *d, const char *label, const char *value)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s\t%s", label, value);
    d->meta = ks_realloc(d->meta, ks_mul(d->nmeta + 1, sizeof *d->meta));
    d->meta[d->nmeta++] = ks_buf_detach(&b, NULL);
}

static void add_footer_note(ks_rdoc *d, const char *s)
{
    d->footer_notes = ks_realloc(d->footer_notes, ks_mul(d->nfooter + 1, sizeof *d->footer_notes));
    d->footer_notes[d->nfooter++] = ks_strdup(s);
}

int ks_report_build(sqlite3 *db, const ks_report_opts *o, ks_buf *out, ks_report_info *info, ks_error *err)
{
    rep r0;
    rep *r = &r0;
    memset(r, 0, sizeof *r);
    r->o = o;
    r->en = o->lang == KS_LANG_EN;
    r->err = err;
    r->P = o->period;
    r->C = ks_period_compare(o->period, o->compare);
    r->p0 = month_day0(r->P.first);
    r->p1 = month_day0(r->P.last + 1) - 1;
    r->c0 = month_day0(r->C.first);
    r->c1 = month_day0(r->C.last + 1) - 1;
    ks_rdoc_init(&r->doc);
    ks_buf last;
    ks_buf_init(&last);
    int rc = ks_db_threshold(db, &r->k, err);
    if (rc)
        goto done;
    snprintf(r->mark, sizeof r->mark, "<%d", r->k);
    if (o->district && (rc = find_district(db, o->district, &r->district, err)))
        goto done;
    if (ks_db_meta_get(db, "last_import", &last, NULL) != 1)
        ks_buf_reset(&last);
    bool en = r->en;
    if ((rc = load_labels(db, "SELECT sex_id, label_ja, label_en FROM sex", en, &r->sex, err)) ||
        (rc = load_labels(db, "SELECT household_type_id, label_ja, label_en FROM household_type", en, &r->hh, err)) ||
        (rc = load_labels(db, "SELECT intake_route_id, label_ja, label_en FROM intake_route", en, &r->route, err)) ||
        (rc = load_labels(db, "SELECT outcome_id, label_ja, label_en FROM outcome", en, &r->outcome, err)) ||
        (rc = load_labels(db, "SELECT problem_id, label_ja, label_en, field_id FROM problem", en, &r->problem, err)) ||
        (rc = load_labels(db, "SELECT support_id, label_ja, label_en FROM support", en, &r->support, err)) ||
        (rc = load_labels(db, "SELECT field_id, label_ja, label_en FROM field", en, &r->field, err)) ||
        (rc = load_labels(db, "SELECT partner_kind_id, label_ja, label_en FROM partner_kind", en, &r->pkind, err)) ||
        (rc = load_labels(db, "SELECT partner_id, label_ja, label_en, ifnull(field_id, 0), ifnull(partner_kind_id, 0) "
                              "FROM partner", en, &r->partner, err)) ||
        (rc = load_labels(db, "SELECT district_id, label_ja, label_en FROM district", en, &r->district_l, err)) ||
        (rc = load_labels(db, "SELECT meeting_type_id, label_ja, label_en FROM meeting_type", en, &r->meeting, err)))
        goto done;
    if (r->route.n == 0)
        r->route.n = 1;
    if ((rc = load_cases(db, r, err)))
        goto done;
    /* trend window: from the comparison period (or TREND_MONTHS back) to the
     * period's end, not before the data starts */
    r->W.last = r->P.last;
    r->W.first = r->P.last - (TREND_MONTHS - 1);
    if (r->C.first < r->W.first)
        r->W.first = r->C.first;
    int floor_m = r->data_first < r->P.first ? r->data_first : r->P.first;
    if (r->W.first < floor_m)
        r->W.first = floor_m;
    r->W.kind = KS_PERIOD_RANGE;

    /* the document head */
    ks_buf b;
    ks_buf_init(&b);
    r->doc.lang = o->lang;
    r->doc.k = r->k;
    r->doc.last_import = last.len ? last.buf : NULL;
    r->doc.title = ks_strdup(L("相談記録の動向報告", "Case-record trend report"));
    ks_period_name(&b, r->P, o->lang);
    if (r->district) {
        ks_buf_adds(&b, L("　", " - "));
        ks_buf_adds(&b, lab(&r->district_l, r->district));
    }
    r->doc.subtitle = ks_strdup(b.buf);
    ks_buf_reset(&b);
    ks_period_name(&b, r->C, o->lang);
    ks_buf_addf(&b, r->en ? " (%s)" : "（%s）", cmp_short(r));
    add_meta(&r->doc, L("比較期間", "Compared with"), b.buf);
    add_meta(&r->doc, L("地区", "District"), r->district ? lab(&r->district_l, r->district) : L("全地区", "All districts"));
    ks_buf_reset(&b);
    ks_month_iso(&b, r->W.first);
    ks_buf_adds(&b, r->en ? " to " : "〜");
    ks_month_iso(&b, r->W.last);
    add_meta(&r->doc, L("推移の表示期間", "Trend window"), b.buf);
    add_meta(&r->doc, L("データ最終取込", "Last import"), last.len ? last.buf : L("不明", "unknown"));
    add_meta(&r->doc, L("対象", "Audience"),
             L("重層的支援体制推進会議・コーディネーター向け（集計値のみ）",
               "Coordination council and coordinators (aggregates only)"));

    if ((rc = sec_headline(r)) || (rc = sec_trend(r)) || (rc = sec_who(r)) || (rc = sec_problems(r)) ||
        (rc = sec_support(r)) || (rc = sec_outcomes(r)) ||
        (rc = sec_km(r, &r->doc.sections[r->doc.nsections - 1])) || (rc = sec_routes(r)) ||
        (rc = sec_quality(r))) {
        ks_buf_release(&b);
        goto done;
    }
    sec_about(r);

    /* footer: period, last import, threshold, hidden cells, engine */
    ks_buf_reset(&b);
    ks_period_name(&b, r->P, o->lang);
    if (r->district)
        ks_buf_addf(&b, r->en ? " - %s" : "・%s", lab(&r->district_l, r->district));
    if (r->en)
        ks_buf_addf(&b, " | last import %s | k = %d | %zu cells suppressed | kasane %s", last.len ? last.buf : "unknown",
                    r->k, r->hidden, KASANE_VERSION);
    else
        ks_buf_addf(&b, "｜最終取込 %s｜秘匿基準 k = %d｜秘匿セル %zu｜kasane %s", last.len ? last.buf : "不明", r->k,
                    r->hidden, KASANE_VERSION);
    r->doc.footer = ks_strdup(b.buf);
    ks_buf_reset(&b);
    if (r->en)
        ks_buf_addf(&b, "<%d: a count from 1 to %d. x: hidden, a count below %d or a cell that would reveal one.", r->k,
                    r->k - 1, r->k);
    else
        ks_buf_addf(&b, "<%d：1〜%d件。x：秘匿（%d件未満、またはそれを逆算できるセル）。", r->k, r->k - 1, r->k);
    add_footer_note(&r->doc, b.buf);
    add_footer_note(&r->doc, L("この報告は仮名化された相談記録の集計値だけを含み、個人を特定する情報を含みません。",
                               "This report holds aggregates of pseudonymised case records only; no identifying data."));
    ks_buf_release(&b);

    switch (o->format) {
    case KS_REPORT_HTML: rc = ks_rdoc_html(&r->doc, out, err); break;
    case KS_REPORT_MD: rc = ks_rdoc_text(&r->doc, true, out, err); break;
    case KS_REPORT_TXT: rc = ks_rdoc_text(&r->doc, false, out, err); break;
    }
    if (!rc && info) {
        info->k = r->k;
        info->tables = r->ntables;
        info->suppressed = r->hidden;
        info->cases = (size_t)r->n_new;
    }
done:
    ks_rdoc_release(&r->doc);
    ks_buf_release(&last);
    free(r->c);
    free(r->month_hidden);
    labels *all[] = {&r->sex, &r->hh, &r->route, &r->outcome, &r->problem, &r->support,
                     &r->field, &r->partner, &r->pkind, &r->district_l, &r->meeting};
    for (size_t i = 0; i < KS_ARRAY_LEN(all); i++)
        labels_release(all[i]);
    return rc;
}
