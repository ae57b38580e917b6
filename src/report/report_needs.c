/* report_needs.c: the sections on who consults and what they need, all
 * counted over the period's new cases: 3. age, sex, household type and
 * districts, 4. problems, how they combine and compound households (8050,
 * double care, young carers), 5. supports and partners. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "stats_table.h"
#include "svg.h"
#include "weaken.h"
#include "report_internal.h"

/* ---- 3. who consults ------------------------------------------------------------- */

static int age_group(int band_id)
{
    if (band_id <= 0)
        return 10; /* unknown */
    int g = (band_id - 1) / 2;
    return g > 9 ? 9 : g;
}

/* age x sex: new cases by ten-year age group (rows) and sex, with totals;
 * unprotected, the male and female columns in *cm and *cf */
static ks_table *age_sex_table(rep *r, size_t *cm, size_t *cf)
{
    /* [11][3]: the cells, [11][0..2] the column totals, [g][3] the row
     * totals: every total is its own count of cases, published on its own */
    kcount as[12][4];
    memset(as, 0, sizeof as);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!ks_report_in_p(r, c))
            continue;
        int s = c->sex == 1 ? 0 : c->sex == 2 ? 1 : 2, g = age_group(c->age_band);
        ks_kc_add(&as[g][s], c);
        ks_kc_add(&as[g][3], c);
        ks_kc_add(&as[11][s], c);
        ks_kc_add(&as[11][3], c);
    }
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "age", L("年齢", "Age"));
    *cm = ks_report_col_count(t, "n_m", ks_report_lab(&r->sex, 1));
    *cf = ks_report_col_count(t, "n_f", ks_report_lab(&r->sex, 2));
    ks_report_col_count(t, "n_other", L("その他・不明", "Other/unknown"));
    size_t ct = ks_report_col_count(t, "n", L("計", "Total"));
    char buf[64];
    for (int g = 0; g <= 11; g++) {
        size_t row = ks_table_add_row(t);
        if (g < 9)
            snprintf(buf, sizeof buf, r->en ? "%d-%d" : "%d〜%d歳", g * 10, g * 10 + 9);
        else if (g == 9)
            snprintf(buf, sizeof buf, r->en ? "90+" : "90歳以上");
        else
            snprintf(buf, sizeof buf, "%s", g == 10 ? L("不明", "Unknown") : L("計", "Total"));
        ks_report_set_s(t, row, 0, buf);
        for (int s = 0; s < 3; s++)
            ks_report_set_i(t, row, 1 + (size_t)s, ks_report_pub(r, as[g][s]));
        ks_report_set_i(t, row, ct, ks_report_pub(r, as[g][3]));
    }
    ks_table_set_totals(t, 11, (long)ct, NULL);
    return t;
}

/* The age pyramid of the protected table's known ages. */
static void age_sex_chart(rep *r, ks_doc_section *sec, const ks_table *t, size_t cm, size_t cf)
{
    const char *cats[10];
    double v[2][10];
    bool h[2][10];
    for (size_t g = 0; g < 10; g++)
        cats[g] = ks_table_cell(t, g, 0)->v.s;
    ks_report_column_values(t, cm, 10, v[0], h[0]);
    ks_report_column_values(t, cf, 10, v[1], h[1]);
    ks_svg_series ser[2] = {{.name = ks_report_lab(&r->sex, 1), .v = v[0], .hidden = h[0], .color = 0},
                            {.name = ks_report_lab(&r->sex, 2), .v = v[1], .hidden = h[1], .color = 3}};
    char *id = ks_report_next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = L("年齢・性別（新規相談）", "Age and sex (new cases)"), .cats = cats, .ncat = 10,
                       .series = ser, .nseries = 2, .mark = ks_report_tmark(r, t), .width = CHART_W};
    ks_buf svg;
    ks_buf_init(&svg);
    ks_svg_pyramid(&svg, &ch);
    ks_doc_add(sec, KS_DOC_FIGURE, ch.title, id, svg.buf);
    ks_buf_release(&svg);
    free(id);
}

/* Age and sex: the table and its pyramid. */
static int who_age_sex(rep *r, ks_doc_section *sec)
{
    size_t cm, cf;
    ks_table *t = age_sex_table(r, &cm, &cf);
    int rc;
    if ((rc = ks_report_protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    age_sex_chart(r, sec, t, cm, cf);
    return ks_report_add_table(r, sec, KS_DOC_TABLE, L("年齢・性別", "Age and sex"), "t-age-sex", t, NULL);
}

/* household types */
static int who_households(rep *r, ks_doc_section *sec)
{
    size_t nh = r->hh.n;
    kcount *hc = ks_calloc(nh + 1, sizeof *hc);
    for (size_t i = 0; i < r->n; i++)
        if (ks_report_in_p(r, &r->c[i]))
            ks_kc_add(&hc[r->c[i].hh_type < nh ? r->c[i].hh_type : 0], &r->c[i]);
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "household_type", L("世帯構成", "Household"));
    size_t hn = ks_report_col_count(t, "n", L("件数", "Cases"));
    size_t hp = ks_report_col_share(t, "pct", L("割合(%)", "Share (%)"), hn, -1, 1);
    /* the total is the count of the listed rows' cases, published on its
     * own; the shares are of published counts */
    kcount allk = {0, 0};
    for (size_t id = 1; id <= nh; id++) {
        size_t code = id < nh ? id : 0; /* the empty ones last */
        if (code == 0 && id != nh)
            continue;
        if (code && !r->hh.name[code])
            continue;
        size_t row = ks_table_add_row(t);
        ks_report_set_s(t, row, 0, code ? ks_report_lab(&r->hh, (int)code) : L("未記入", "Not recorded"));
        ks_report_set_i(t, row, hn, ks_report_pub(r, hc[code]));
        allk.n += hc[code].n;
        allk.keys += hc[code].keys;
    }
    int64_t all = ks_report_pub(r, allk);
    size_t trow = ks_table_add_row(t);
    ks_report_set_s(t, trow, 0, L("計", "Total"));
    ks_report_set_i(t, trow, hn, all);
    for (size_t i = 0; i <= trow; i++) {
        double v = ks_report_cell_num(t, i, hn);
        ks_report_set_r(t, i, hp, all > 0 ? 100.0 * v / (double)all : NAN);
    }
    ks_table_set_totals(t, (long)trow, -1, NULL);
    free(hc);
    int rc;
    if ((rc = ks_report_protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    ks_report_hbar_of_column(r, sec, t, trow, hn, L("世帯構成（新規相談）", "Household type (new cases)"), 0);
    return ks_report_add_table(r, sec, KS_DOC_TABLE, L("世帯構成", "Household type"), "t-household", t, NULL);
}

/* The districts table's columns and rows. */
typedef struct district_cols {
    size_t d0, d1; /* new cases: this period, the comparison period */
    size_t dp;     /* change in percent */
    size_t d2, d3; /* closed in the period, open at its end */
    size_t rows;   /* district rows (the total row follows) */
} district_cols;

/* One district's counts: new cases in P, new cases in C, closed in P,
 * open at P's end. */
typedef kcount district_row[4];

/* The counts of each district id; the caller frees. */
static district_row *district_counts(const rep *r)
{
    size_t nd = r->district_l.n;
    district_row *dc = ks_calloc(nd ? nd : 1, sizeof *dc);
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (c->district >= nd)
            continue;
        if (ks_report_in_p(r, c))
            ks_kc_add(&dc[c->district][0], c);
        if (ks_report_in_c(r, c))
            ks_kc_add(&dc[c->district][1], c);
        if (c->status == KS_STATUS_CLOSED && c->close >= r->p0 && c->close <= r->p1)
            ks_kc_add(&dc[c->district][2], c);
        if (c->open <= r->p1 && (c->close == NO_DATE || c->close > r->p1))
            ks_kc_add(&dc[c->district][3], c);
    }
    return dc;
}

/* districts side by side: a row per district and a total row, unprotected */
static ks_table *district_table(rep *r, district_cols *k)
{
    size_t nd = r->district_l.n;
    district_row *dc = district_counts(r);
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "district", L("地区", "District"));
    k->d0 = ks_report_col_count(t, "n_period", L("新規（今期）", "New (this period)"));
    char lb[64];
    snprintf(lb, sizeof lb, r->en ? "New (%s)" : "新規（%s）", ks_report_cmp_col(r));
    k->d1 = ks_report_col_count(t, "n_compare", lb);
    k->dp = ks_report_col_share(t, "change_pct", L("増減率(%)", "Change (%)"), k->d0, (int)k->d1, 1);
    k->d2 = ks_report_col_count(t, "n_closed", L("終結", "Closed"));
    k->d3 = ks_report_col_count(t, "n_open", L("期末継続中", "Open at end"));
    kcount sumk[4] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
    int64_t sum[4], v[4];
    k->rows = 0;
    for (size_t id = 1; id < nd; id++) {
        if (!r->district_l.name[id])
            continue;
        size_t row = ks_table_add_row(t);
        k->rows++;
        ks_report_set_s(t, row, 0, ks_report_lab(&r->district_l, (int)id));
        for (int j = 0; j < 4; j++) {
            sumk[j].n += dc[id][j].n;
            sumk[j].keys += dc[id][j].keys;
            v[j] = ks_report_pub(r, dc[id][j]);
        }
        ks_report_set_i(t, row, k->d0, v[0]);
        ks_report_set_i(t, row, k->d1, v[1]);
        ks_report_set_i(t, row, k->d2, v[2]);
        ks_report_set_i(t, row, k->d3, v[3]);
        ks_report_set_r(t, row, k->dp, v[1] > 0 ? 100.0 * (double)(v[0] - v[1]) / (double)v[1] : NAN);
    }
    free(dc);
    /* the total: the count of the listed districts' cases, published on its own */
    for (int j = 0; j < 4; j++)
        sum[j] = ks_report_pub(r, sumk[j]);
    size_t tr = ks_table_add_row(t);
    ks_report_set_s(t, tr, 0, L("計", "Total"));
    ks_report_set_i(t, tr, k->d0, sum[0]);
    ks_report_set_i(t, tr, k->d1, sum[1]);
    ks_report_set_i(t, tr, k->d2, sum[2]);
    ks_report_set_i(t, tr, k->d3, sum[3]);
    ks_report_set_r(t, tr, k->dp, sum[1] > 0 ? 100.0 * (double)(sum[0] - sum[1]) / (double)sum[1] : NAN);
    ks_table_set_totals(t, (long)tr, -1, NULL);
    return t;
}

/* New cases by district in both periods, as paired bars. */
static void district_chart(rep *r, ks_doc_section *sec, const ks_table *t, const district_cols *k)
{
    size_t rows = k->rows;
    const char **cats = ks_calloc(rows ? rows : 1, sizeof *cats);
    double *v = ks_calloc(2 * (rows ? rows : 1), sizeof *v);
    bool *h = ks_calloc(2 * (rows ? rows : 1), sizeof *h);
    for (size_t i = 0; i < rows; i++)
        cats[i] = ks_table_cell(t, i, 0)->v.s;
    ks_report_column_values(t, k->d0, rows, v, h);
    ks_report_column_values(t, k->d1, rows, v + rows, h + rows);
    ks_svg_series ser[2] = {{.name = L("今期", "This period"), .v = v, .hidden = h, .color = 0},
                            {.name = ks_report_cmp_col(r), .v = v + rows, .hidden = h + rows, .color = 5}};
    char *id = ks_report_next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = L("地区別の新規相談", "New cases by district"), .cats = cats, .ncat = rows,
                       .series = ser, .nseries = 2, .mark = ks_report_tmark(r, t), .width = CHART_W};
    ks_report_add_hbar(sec, &ch, id);
    free(cats);
    free(v);
    free(h);
}

/* Districts: the table and its chart. */
static int who_districts(rep *r, ks_doc_section *sec)
{
    district_cols k;
    ks_table *t = district_table(r, &k);
    int rc;
    if ((rc = ks_report_protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    district_chart(r, sec, t, &k);
    return ks_report_add_table(r, sec, KS_DOC_TABLE, L("地区別", "By district"), "t-district", t, NULL);
}

int ks_report_sec_who(rep *r)
{
    int rc;
    ks_doc_section *sec = ks_doc_section_add(r->doc, "who", L("3. 相談者", "3. Who consults"));
    if ((rc = who_age_sex(r, sec)) || (rc = who_households(r, sec)))
        return rc;
    if (r->district) {
        ks_doc_add(sec, KS_DOC_NOTE,
                   L("地区を指定した報告のため、地区別の比較は省略しています。",
                     "This report covers one district, so the district comparison is left out."),
                   NULL, NULL);
        return 0;
    }
    return who_districts(r, sec);
}

/* ---- co-occurrence (problems and partners) -------------------------------------- */

typedef uint64_t (*mask_fn)(const rcase *c);
static uint64_t problems_of(const rcase *c) { return c->problems; }
static uint64_t partners_of(const rcase *c) { return c->partners; }

/* One co-occurrence matrix while it is built. */
typedef struct cooc {
    rep *r;                                 /* the report (borrowed) */
    mask_fn fn;                             /* a case's codes */
    const labels *l;                        /* their labels */
    const char *what;                       /* what the codes are, in the report's language */
    int top[TOP_COOCCUR];                   /* the codes in the matrix, most frequent first */
    size_t nt;                              /* how many */
    const char *rows[TOP_COOCCUR];          /* their labels (borrowed from l) */
    int64_t both[TOP_COOCCUR][TOP_COOCCUR]; /* new cases with codes a and b (published values) */
} cooc;

/* A pair of codes in the list of the strongest. */
typedef struct pair {
    size_t a, b;     /* matrix indices */
    double lift;     /* observed / expected */
    double expected; /* cases expected if independent */
    double n;        /* cases with both */
} pair;

/* The `ntop` most frequent codes among the period's new cases. */
static void cooccur_top(cooc *x)
{
    const rep *r = x->r;
    kcount kc[MAX_CODE];
    memset(kc, 0, sizeof kc);
    for (size_t i = 0; i < r->n; i++) {
        if (!ks_report_in_p(r, &r->c[i]))
            continue;
        uint64_t mk = x->fn(&r->c[i]);
        for (int b = 0; b < MAX_CODE; b++)
            if (mk >> b & 1)
                ks_kc_add(&kc[b], &r->c[i]);
    }
    /* chosen by the published counts: the choice names no true count */
    int64_t cnt[MAX_CODE];
    for (int b = 0; b < MAX_CODE; b++)
        cnt[b] = ks_report_pub(r, kc[b]);
    x->nt = ks_report_top_ids(cnt, x->l->n < MAX_CODE ? x->l->n : MAX_CODE, TOP_COOCCUR, x->top);
}

/* The matrix of new cases with both codes (the diagonal: with the code),
 * unprotected. */
static ks_table *cooccur_matrix(cooc *x)
{
    const rep *r = x->r;
    size_t nt = x->nt;
    /* each cell its own count of cases with its own key sum (the two
     * copies of a pair are the same count, so the same published value) */
    kcount kb[TOP_COOCCUR][TOP_COOCCUR];
    memset(kb, 0, sizeof kb);
    for (size_t i = 0; i < r->n; i++) {
        if (!ks_report_in_p(r, &r->c[i]))
            continue;
        uint64_t mk = x->fn(&r->c[i]);
        for (size_t a = 0; a < nt; a++) {
            if (!(mk >> x->top[a] & 1))
                continue;
            for (size_t b = 0; b < nt; b++)
                if (mk >> x->top[b] & 1)
                    ks_kc_add(&kb[a][b], &r->c[i]);
        }
    }
    for (size_t a = 0; a < nt; a++)
        for (size_t b = 0; b < nt; b++)
            x->both[a][b] = ks_report_pub(r, kb[a][b]);
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "code", x->what);
    char name[32];
    for (size_t b = 0; b < nt; b++) {
        snprintf(name, sizeof name, "n_%d", x->top[b]);
        ks_report_col_count(t, name, ks_report_lab(x->l, x->top[b]));
    }
    for (size_t a = 0; a < nt; a++) {
        size_t row = ks_table_add_row(t);
        ks_report_set_s(t, row, 0, ks_report_lab(x->l, x->top[a]));
        for (size_t b = 0; b < nt; b++)
            ks_report_set_i(t, row, 1 + b, x->both[a][b]);
    }
    return t;
}

/* A pair's cell, the two diagonal cells and the period's new cases make
 * a 2x2 table: A without B, B without A and neither follow by
 * subtraction ("34 with 認知症, 31 of them with 介護": 3 without).  The
 * pair's cell is hidden (both copies) when one of those is below k. */
static void hide_nested(const cooc *x, ks_table *t)
{
    const rep *r = x->r;
    /* under the cell key method alone the differences are of perturbed
     * counts, not true ones: nothing to hide */
    if (!r->own_suppress && r->pert)
        return;
    int64_t nn = r->n_new;
    for (size_t a = 0; a < x->nt && !ks_weakened("report-nested"); a++)
        for (size_t b = 0; b < x->nt; b++) {
            int64_t ab = x->both[a][b];
            int64_t cell[3] = {x->both[a][a] - ab, x->both[b][b] - ab, nn - x->both[a][a] - x->both[b][b] + ab};
            bool small = false;
            for (size_t c = 0; c < 3 && a != b; c++)
                small |= cell[c] > 0 && cell[c] < r->k;
            if (small && ab >= r->k)
                ks_table_suppress(t, a, 1 + b, KS_WHY_SECONDARY, NULL);
        }
}

/* lift from published cells only: each cell's text (NULL when not
 * published; the caller frees), shade (NAN without a lift) and hidden
 * flag, [a * nt + b] */
static void heat_cells(const cooc *x, const ks_table *t, char **text, double *shade, bool *hid)
{
    const rep *r = x->r;
    size_t nt = x->nt;
    double n = (double)r->n_new;
    for (size_t a = 0; a < nt; a++)
        for (size_t b = 0; b < nt; b++) {
            size_t at = a * nt + b;
            hid[at] = ks_report_hidden(t, a, 1 + b);
            shade[at] = NAN;
            text[at] = NULL;
            double v = ks_report_cell_num(t, a, 1 + b);
            if (!isfinite(v))
                continue;
            ks_buf s;
            ks_buf_init(&s);
            ks_buf_addf(&s, "%.0f", v);
            text[at] = ks_buf_detach(&s, NULL);
            double na = ks_report_cell_num(t, a, 1 + a), nb = ks_report_cell_num(t, b, 1 + b);
            if (a != b && isfinite(na) && isfinite(nb) && na > 0 && nb > 0 && !r->n_new_hidden && n > 0) {
                ks_cooccur co;
                if (ks_cooccur_counts((int64_t)v, (int64_t)na, (int64_t)nb, (int64_t)n, &co, NULL) == 0 && co.has_lift) {
                    double lift = co.lift > 0 ? co.lift : 1.0 / 16;
                    shade[at] = 0.5 + log2(lift) / 4;
                }
            }
        }
}

/* The heat map of the protected matrix, coloured by lift. */
static void cooccur_heatmap(const cooc *x, ks_doc_section *sec, const ks_table *t)
{
    rep *r = x->r;
    size_t nt = x->nt;
    char *text[TOP_COOCCUR * TOP_COOCCUR];
    double shade[TOP_COOCCUR * TOP_COOCCUR];
    bool hid[TOP_COOCCUR * TOP_COOCCUR];
    heat_cells(x, t, text, shade, hid);
    char *id = ks_report_next_id(r, "f");
    ks_buf title;
    ks_buf_init(&title);
    ks_buf_adds(&title, x->what);
    ks_buf_adds(&title, L("の組み合わせ（新規相談の件数、色はリフト）", ": pairs (new cases; colour = lift)"));
    static const char *const leg_ja[5] = {"0.25", "0.5", "1", "2", "4+"};
    ks_svg_heat h = {.id = id, .title = title.buf, .rows = x->rows, .nrow = nt, .cols = x->rows, .ncol = nt,
                     .text = (const char *const *)text, .shade = shade, .hidden = hid, .mark = ks_report_tmark(r, t),
                     .legend = leg_ja, .legend_title = L("リフト", "Lift"), .width = CHART_W};
    ks_buf svg;
    ks_buf_init(&svg);
    ks_svg_heatmap(&svg, &h);
    ks_doc_add(sec, KS_DOC_FIGURE, title.buf, id, svg.buf);
    ks_buf_release(&svg);
    ks_buf_release(&title);
    free(id);
    for (size_t i = 0; i < nt * nt; i++)
        free(text[i]);
}

/* strongest pairs: published cells only, by lift; returns how many are in
 * pairs */
static size_t strongest_pairs(const cooc *x, const ks_table *t, pair *pairs)
{
    const rep *r = x->r;
    double n = (double)r->n_new;
    size_t np = 0;
    for (size_t a = 0; a < x->nt; a++)
        for (size_t b = a + 1; b < x->nt; b++) {
            double v = ks_report_cell_num(t, a, 1 + b), na = ks_report_cell_num(t, a, 1 + a), nb = ks_report_cell_num(t, b, 1 + b);
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
    return np;
}

/* The table of the TOP_PAIRS strongest pairs, unprotected. */
static ks_table *pairs_table(const cooc *x, const pair *pairs, size_t np)
{
    const rep *r = x->r;
    ks_table *u = ks_table_new();
    ks_report_col_text(u, "a", "A");
    ks_report_col_text(u, "b", "B");
    size_t un = ks_report_col_count(u, "n_both", L("両方", "Both"));
    size_t ue = ks_report_col_share(u, "expected", L("独立なら", "If independent"), un, -1, 1);
    size_t ul = ks_report_col_share(u, "lift", L("リフト", "Lift"), un, -1, 2);
    for (size_t i = 0; i < np && i < TOP_PAIRS; i++) {
        size_t row = ks_table_add_row(u);
        ks_report_set_s(u, row, 0, x->rows[pairs[i].a]);
        ks_report_set_s(u, row, 1, x->rows[pairs[i].b]);
        ks_report_set_i(u, row, un, (int64_t)pairs[i].n);
        ks_report_set_r(u, row, ue, pairs[i].expected);
        ks_report_set_r(u, row, ul, pairs[i].lift);
    }
    return u;
}

/* The matrix and the pairs table into the result and the document (both
 * tables are freed here, u unshown when it has no rows) with the note on
 * lift. */
static int cooccur_tables(const cooc *x, ks_doc_section *sec, ks_table *t, ks_table *u, const char *tid)
{
    rep *r = x->r;
    int rc;
    ks_buf cap;
    ks_buf_init(&cap);
    ks_buf_adds(&cap, x->what);
    ks_buf_adds(&cap, L("：組み合わせの件数", ": cases with both"));
    if ((rc = ks_report_add_table(r, sec, KS_DOC_TABLE, cap.buf, tid, t, NULL)) || (rc = ks_report_protect(r, u))) {
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
        rc = ks_report_add_table(r, sec, KS_DOC_TABLE, cap.buf, id.buf, u, NULL);
        ks_buf_release(&id);
    } else {
        ks_table_free(u);
    }
    if (rc) {
        ks_buf_release(&cap);
        return rc;
    }
    ks_doc_add(sec, KS_DOC_NOTE,
               L("リフト＝両方ある件数÷（独立なら期待される件数）。1より大きいほど一緒に現れやすい組み合わせです。",
                 "Lift = cases with both / cases expected if the two were independent; above 1 they go together."),
               NULL, NULL);
    ks_buf_release(&cap);
    return 0;
}

/* Co-occurrence of the `ntop` most frequent codes among the period's new
 * cases: a matrix table (cases with both; the diagonal holds cases with the
 * code), a heat map coloured by lift, and the strongest pairs.  Multi-response:
 * no totals, primary suppression only. */
static int cooccur(rep *r, ks_doc_section *sec, mask_fn fn, const labels *l, const char *what_ja, const char *what_en,
                   const char *tid)
{
    cooc x = {.r = r, .fn = fn, .l = l, .what = r->en ? what_en : what_ja};
    cooccur_top(&x);
    if (x.nt < 2)
        return 0;
    ks_table *t = cooccur_matrix(&x);
    hide_nested(&x, t);
    int rc;
    if ((rc = ks_report_protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    for (size_t a = 0; a < x.nt; a++)
        x.rows[a] = ks_report_lab(l, x.top[a]);
    cooccur_heatmap(&x, sec, t);
    pair pairs[TOP_COOCCUR * TOP_COOCCUR];
    size_t np = strongest_pairs(&x, t, pairs);
    return cooccur_tables(&x, sec, t, pairs_table(&x, pairs, np), tid);
}

/* ---- 4. problems ---------------------------------------------------------------- */

static int household_section(rep *r, ks_doc_section *sec);

/* The period's new cases by problem (any mention) and by how many
 * problems they list. */
typedef struct problem_counts {
    size_t np;             /* problem ids counted (at most MAX_CODE) */
    kcount any[MAX_CODE];  /* cases listing problem id */
    kcount per[6];         /* cases listing 0..4 problems, 5 or more */
    kcount all;            /* all of them (the total row, published on its own) */
    int64_t sum_prob;      /* problems listed over all cases */
} problem_counts;

static void count_problems(const rep *r, problem_counts *pc)
{
    pc->np = r->problem.n < MAX_CODE ? r->problem.n : MAX_CODE;
    for (size_t i = 0; i < r->n; i++) {
        const rcase *c = &r->c[i];
        if (!ks_report_in_p(r, c))
            continue;
        for (size_t b = 0; b < pc->np; b++)
            if (c->problems >> b & 1)
                ks_kc_add(&pc->any[b], c);
        int k = c->nprob >= 5 ? 5 : c->nprob;
        ks_kc_add(&pc->per[k], c);
        ks_kc_add(&pc->all, c);
        pc->sum_prob += c->nprob;
    }
}

/* Problems by how many new cases list them: the mean per case, a bar
 * chart and the table, sorted. */
static int problems_table(rep *r, ks_doc_section *sec, const problem_counts *pc)
{
    int rc;
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "problem", L("課題", "Problem"));
    ks_report_col_text(t, "field", L("分野", "Field"));
    size_t pn = ks_report_col_count(t, "n", L("件数(延べ)", "Cases (any)"));
    size_t pp = ks_report_col_share(t, "pct", L("割合(%)", "Share (%)"), pn, -1, 1);
    /* under the cell key method the mean is of published counts too: the
     * problems' published counts over the published new cases */
    int64_t sum_prob = r->ck ? 0 : pc->sum_prob;
    for (size_t id = 1; id < pc->np; id++) {
        if (!r->problem.name[id])
            continue;
        size_t row = ks_table_add_row(t);
        int64_t v = ks_report_pub(r, pc->any[id]);
        if (r->ck)
            sum_prob += v;
        ks_report_set_s(t, row, 0, ks_report_lab(&r->problem, (int)id));
        ks_report_set_s(t, row, 1, ks_report_lab(&r->field, r->problem.field[id]));
        ks_report_set_i(t, row, pn, v);
        ks_report_set_r(t, row, pp, r->n_new > 0 ? 100.0 * (double)v / (double)r->n_new : NAN);
    }
    if ((rc = ks_report_protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    t = ks_report_sorted(t, pn, true, NULL);
    if (!r->n_new_hidden && r->n_new > 0) {
        ks_buf b;
        ks_buf_init(&b);
        double mean = (double)sum_prob / (double)r->n_new;
        if (r->en)
            ks_buf_addf(&b, "A new case lists %.2f problems on average. Shares add up to more than 100%% because a case "
                            "can have several problems.", mean);
        else
            ks_buf_addf(&b, "新規相談1件あたりの課題は平均 %.2f 件です。1件に複数の課題があるため、割合の合計は100%%を超えます。", mean);
        ks_doc_add(sec, KS_DOC_PARA, b.buf, NULL, NULL);
        ks_buf_release(&b);
    }
    ks_report_hbar_of_column(r, sec, t, ks_table_nrows(t), pn, L("課題別の件数（延べ）", "Cases by problem (any mention)"), 0);
    return ks_report_add_table(r, sec, KS_DOC_TABLE, L("課題の出現", "Problems"), "t-problems", t, NULL);
}

/* problems per case */
static int problems_per_case(rep *r, ks_doc_section *sec, const problem_counts *pc)
{
    int rc;
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "problems", L("課題の数", "Problems"));
    size_t qn = ks_report_col_count(t, "n", L("件数", "Cases"));
    size_t qp = ks_report_col_share(t, "pct", L("割合(%)", "Share (%)"), qn, -1, 1);
    /* each row and the total its own count, published on its own; the
     * shares are of published counts */
    int64_t all = ks_report_pub(r, pc->all);
    for (int k = 1; k <= 6; k++) {
        size_t row = ks_table_add_row(t);
        char lbl[32];
        if (k <= 4)
            snprintf(lbl, sizeof lbl, r->en ? "%d problem%s" : "%d件", k, k == 1 ? "" : "s");
        else
            snprintf(lbl, sizeof lbl, "%s", k == 5 ? L("5件以上", "5 or more") : L("計", "Total"));
        ks_report_set_s(t, row, 0, lbl);
        kcount kv = k <= 5 ? pc->per[k] : pc->all;
        if (k == 1) {
            /* a case always has a main problem; count 0 (should not occur) with 1 */
            kv.n += pc->per[0].n;
            kv.keys += pc->per[0].keys;
        }
        ks_report_set_i(t, row, qn, k <= 5 ? ks_report_pub(r, kv) : all);
    }
    for (size_t i = 0; i < 6; i++) {
        double v = ks_report_cell_num(t, i, qn);
        ks_report_set_r(t, i, qp, all > 0 ? 100.0 * v / (double)all : NAN);
    }
    ks_table_set_totals(t, 5, -1, NULL);
    if ((rc = ks_report_protect(r, t))) {
        ks_table_free(t);
        return rc;
    }
    return ks_report_add_table(r, sec, KS_DOC_TABLE, L("1件あたりの課題の数", "Problems per case"),
                               "t-problems-per-case", t, NULL);
}

int ks_report_sec_problems(rep *r)
{
    int rc;
    ks_doc_section *sec = ks_doc_section_add(r->doc, "problems", L("4. 課題", "4. Problems"));
    problem_counts pc = {.np = 0};
    count_problems(r, &pc);
    if ((rc = problems_table(r, sec, &pc)) || (rc = problems_per_case(r, sec, &pc)))
        return rc;
    ks_doc_add(sec, KS_DOC_PARA,
               L("課題の組み合わせ：上位の課題について、両方を抱える新規相談の件数です（対角は各課題の件数）。",
                 "Problems together: new cases with both problems, for the most frequent ones (the diagonal is each "
                 "problem's count)."),
               NULL, NULL);
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

/* households with a new case in the period: their keys, sorted and
 * unique, *nu of them; the caller frees */
static int64_t *households_in_period(const rep *r, size_t *nu)
{
    size_t nhp = 0;
    for (size_t i = 0; i < r->n; i++)
        if (ks_report_in_p(r, &r->c[i]) && r->c[i].household)
            nhp++;
    int64_t *hp = ks_calloc(nhp ? nhp : 1, sizeof *hp);
    nhp = 0;
    for (size_t i = 0; i < r->n; i++)
        if (ks_report_in_p(r, &r->c[i]) && r->c[i].household)
            hp[nhp++] = r->c[i].household;
    hkey *tmp = ks_calloc(nhp ? nhp : 1, sizeof *tmp);
    for (size_t i = 0; i < nhp; i++)
        tmp[i] = (hkey){hp[i], 0};
    qsort(tmp, nhp, sizeof *tmp, by_household);
    *nu = 0;
    for (size_t i = 0; i < nhp; i++)
        if (*nu == 0 || tmp[*nu - 1].household != tmp[i].household)
            hp[(*nu)++] = tmp[i].household;
    free(tmp);
    return hp;
}

/* all their cases up to the period end, sorted by household, *nk of them
 * (NULL when none); the caller frees */
static hkey *household_cases(const rep *r, const int64_t *hp, size_t nu, size_t *nk)
{
    hkey *k = NULL;
    *nk = 0;
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
            if ((*nk & (*nk - 1)) == 0)
                k = ks_realloc(k, ks_mul(*nk ? *nk * 2 : 1, sizeof *k));
            k[(*nk)++] = (hkey){h, i};
        }
    }
    if (*nk)
        qsort(k, *nk, sizeof *k, by_household);
    return k;
}

/* Households by how each compound need was found: 8050, double care,
 * young carers. */
typedef struct compound {
    kcount only_rec[3];  /* recorded as a problem, not found by the links */
    kcount only_link[3]; /* found by the links only */
    kcount both[3];      /* recorded and found */
    kcount either[3];    /* recorded or found */
} compound;

/* One household into *a when `in` (its household record key summed). */
static void hh_add(kcount *a, bool in, uint16_t hk)
{
    if (in) {
        a->n++;
        a->keys += hk;
    }
}

/* One household's cases k[a..e): which needs a case records (rec) and
 * which the links between its people show (link). */
static void household_needs(const rep *r, const hkey *k, size_t a, size_t e, bool rec[3], bool link[3])
{
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
    rec[0] = r8050;
    rec[1] = rdc;
    rec[2] = ryc;
    link[0] = l8050;
    link[1] = dc_child && dc_care;
    link[2] = yc;
}

/* The households with a new case this period, counted by need. */
static compound count_compound(const rep *r)
{
    compound n;
    memset(&n, 0, sizeof n);
    size_t nu, nk;
    int64_t *hp = households_in_period(r, &nu);
    hkey *k = household_cases(r, hp, nu, &nk);
    for (size_t a = 0; a < nk;) {
        size_t e = a;
        while (e < nk && k[e].household == k[a].household)
            e++;
        bool f_rec[3], f_link[3];
        household_needs(r, k, a, e, f_rec, f_link);
        /* households are counted with their household's record key */
        uint16_t hk = r->c[k[a].idx].hkey;
        for (int j = 0; j < 3; j++) {
            hh_add(&n.only_rec[j], f_rec[j] && !f_link[j], hk);
            hh_add(&n.only_link[j], f_link[j] && !f_rec[j], hk);
            hh_add(&n.both[j], f_rec[j] && f_link[j], hk);
            hh_add(&n.either[j], f_rec[j] || f_link[j], hk);
        }
        a = e;
    }
    free(k);
    free(hp);
    return n;
}

/* The compound households table, unprotected. */
static ks_table *compound_table(rep *r, const compound *n)
{
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "type", L("世帯の状況", "Household"));
    /* the three parts partition "either": declared as a total column, so
     * secondary suppression keeps a small overlap from being worked out */
    size_t c0 = ks_report_col_count(t, "n_recorded", L("記録のみ", "Recorded only"));
    size_t c1 = ks_report_col_count(t, "n_linked", L("世帯リンクのみ", "Found by links only"));
    size_t c3 = ks_report_col_count(t, "n_both", L("両方", "Both"));
    size_t c2 = ks_report_col_count(t, "n", L("計", "Total"));
    const char *names[3] = {L("8050（高齢の親と中高年のひきこもりの子）", "8050 (old parent, withdrawn middle-aged child)"),
                            L("ダブルケア（子育てと介護）", "Double care (child rearing and care)"),
                            L("ヤングケアラー（の可能性）", "Young carers (possible)")};
    for (int j = 0; j < 3; j++) {
        size_t row = ks_table_add_row(t);
        ks_report_set_s(t, row, 0, names[j]);
        /* each part and the total its own count, published on its own */
        ks_report_set_i(t, row, c0, ks_report_pub(r, n->only_rec[j]));
        ks_report_set_i(t, row, c1, ks_report_pub(r, n->only_link[j]));
        ks_report_set_i(t, row, c3, ks_report_pub(r, n->both[j]));
        ks_report_set_i(t, row, c2, ks_report_pub(r, n->either[j]));
    }
    ks_table_set_totals(t, -1, (long)c2, NULL);
    return t;
}

/* Compound households: the table and how its needs were found. */
static int household_section(rep *r, ks_doc_section *sec)
{
    compound n = count_compound(r);
    ks_table *t = compound_table(r, &n);
    int rc = ks_report_protect(r, t);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    if ((rc = ks_report_add_table(r, sec, KS_DOC_TABLE,
                                  L("複合的な課題を抱える世帯（世帯数）", "Households with compound needs (households)"),
                                  "t-households", t, NULL)))
        return rc;
    ks_doc_add(sec, KS_DOC_NOTE,
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
               NULL, NULL);
    return 0;
}

/* ---- 5. supports and partners -------------------------------------------------- */

/* What one bar table counts and how it is captioned. */
typedef struct bar_spec {
    const labels *l;             /* the codes' labels */
    mask_fn fn;                  /* a case's codes */
    bool per_field;              /* grouped by field, with field and kind columns (partners) */
    const char *col_ja, *col_en; /* heading of the name column */
    const char *cap_ja, *cap_en; /* caption of the chart and the table */
    const char *tid;             /* the table's id */
    size_t chart_max;            /* published bars in the chart, at most */
} bar_spec;

/* New cases by code, a row per labelled code, unprotected; the count
 * column in *cn, each row's group (field) in *grp (the caller frees). */
static ks_table *bar_table(rep *r, const bar_spec *sp, size_t *cn, int **grp)
{
    const labels *l = sp->l;
    bool per_field = sp->per_field;
    size_t nl = l->n < MAX_CODE ? l->n : MAX_CODE;
    kcount kc[MAX_CODE];
    memset(kc, 0, sizeof kc);
    for (size_t i = 0; i < r->n; i++) {
        if (!ks_report_in_p(r, &r->c[i]))
            continue;
        uint64_t mk = sp->fn(&r->c[i]);
        for (size_t b = 0; b < nl; b++)
            if (mk >> b & 1)
                ks_kc_add(&kc[b], &r->c[i]);
    }
    /* each code's published count; the shares are of the period's
     * published new cases (r->n_new) */
    int64_t cnt[MAX_CODE];
    for (size_t b = 0; b < nl; b++)
        cnt[b] = ks_report_pub(r, kc[b]);
    ks_table *t = ks_table_new();
    ks_report_col_text(t, "name", r->en ? sp->col_en : sp->col_ja);
    if (per_field) {
        ks_report_col_text(t, "field", L("分野", "Field"));
        ks_report_col_text(t, "kind", L("種別", "Kind"));
    }
    *cn = ks_report_col_count(t, "n", L("件数", "Cases"));
    size_t cp = ks_report_col_share(t, "pct", L("割合(%)", "Share (%)"), *cn, -1, 1);
    /* partners grouped by field (unlisted last), each group by count */
    *grp = ks_calloc(nl ? nl : 1, sizeof **grp);
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
            (*grp)[nrows++] = g;
            ks_report_set_s(t, row, 0, ks_report_lab(l, (int)id));
            if (per_field) {
                ks_report_set_s(t, row, 1, id == 0 ? "" : ks_report_lab(&r->field, l->field[id]));
                ks_report_set_s(t, row, 2, id == 0 ? "" : ks_report_lab(&r->pkind, l->kind[id]));
            }
            ks_report_set_i(t, row, *cn, cnt[id]);
            ks_report_set_r(t, row, cp, r->n_new > 0 ? 100.0 * (double)cnt[id] / (double)r->n_new : NAN);
        }
    }
    return t;
}

/* chart: the largest published ones, then the hidden ones as marks */
static void bar_chart(rep *r, ks_doc_section *sec, const ks_table *t, size_t cn, const bar_spec *sp)
{
    size_t nr = ks_table_nrows(t);
    rowkey *kk = ks_calloc(nr ? nr : 1, sizeof *kk);
    size_t m = 0, nh = 0;
    for (size_t i = 0; i < nr; i++) {
        double v = ks_report_cell_num(t, i, cn);
        if (isfinite(v) && v > 0)
            kk[m++] = (rowkey){0, i, v, 1};
    }
    qsort(kk, m, sizeof *kk, ks_report_by_key);
    if (m > sp->chart_max)
        m = sp->chart_max;
    for (size_t i = 0; i < nr; i++)
        if (ks_report_hidden(t, i, cn))
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
    ks_svg_series ser = {.name = L("件数", "Cases"), .v = v, .hidden = h, .color = sp->per_field ? 2 : 0};
    char *id = ks_report_next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = r->en ? sp->cap_en : sp->cap_ja, .cats = cats, .ncat = nc, .series = &ser,
                       .nseries = 1, .mark = ks_report_tmark(r, t), .width = CHART_W};
    ks_report_add_hbar(sec, &ch, id);
    free(cats);
    free(v);
    free(h);
    free(kk);
}

/* A table of new cases by code, sorted by count within groups, and its
 * bar chart. */
static int simple_bar_table(rep *r, ks_doc_section *sec, const bar_spec *sp)
{
    size_t cn;
    int *grp;
    ks_table *t = bar_table(r, sp, &cn, &grp);
    int rc = ks_report_protect(r, t);
    if (rc) {
        free(grp);
        ks_table_free(t);
        return rc;
    }
    t = ks_report_sorted(t, cn, true, grp);
    free(grp);
    bar_chart(r, sec, t, cn, sp);
    return ks_report_add_table(r, sec, KS_DOC_TABLE, r->en ? sp->cap_en : sp->cap_ja, sp->tid, t, NULL);
}

static uint64_t supports_of(const rcase *c) { return c->supports; }

int ks_report_sec_support(rep *r)
{
    ks_doc_section *sec = ks_doc_section_add(r->doc, "support", L("5. 支援と連携", "5. Support and partners"));
    bar_spec supports = {.l = &r->support, .fn = supports_of, .per_field = false, .col_ja = "支援内容",
                         .col_en = "Support", .cap_ja = "支援内容（新規相談、延べ）",
                         .cap_en = "Support given (new cases, any mention)", .tid = "t-supports", .chart_max = 20};
    int rc = simple_bar_table(r, sec, &supports);
    if (rc)
        return rc;
    if (r->partner.n > MAX_CODE) {
        ks_doc_add(sec, KS_DOC_NOTE,
                   L("連携先が64を超えるプロファイルのため、連携先の集計は省略しています。",
                     "The profile has more than 64 partners; partner figures are left out."),
                   NULL, NULL);
        return 0;
    }
    bar_spec partners = {.l = &r->partner, .fn = partners_of, .per_field = true, .col_ja = "連携先",
                         .col_en = "Partner", .cap_ja = "関わった窓口・機関（分野別、新規相談）",
                         .cap_en = "Windows and agencies involved (by field, new cases)", .tid = "t-partners",
                         .chart_max = 15};
    rc = simple_bar_table(r, sec, &partners);
    if (rc)
        return rc;
    ks_doc_add(sec, KS_DOC_PARA,
               L("一緒に関わる連携先：上位の連携先について、両方が関わった新規相談の件数です。",
                 "Partners working together: new cases in which both took part, for the most involved partners."),
               NULL, NULL);
    return cooccur(r, sec, partners_of, &r->partner, "連携先", "Partners", "t-partner-pairs");
}
