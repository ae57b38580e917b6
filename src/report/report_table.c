/* report_table.c: what every section of the report builds its tables and
 * charts with: typed columns and cells (reals stored as printed), disclosure
 * control for one table (ks_report_protect and its parts), handing a
 * protected table to the result and the document, rows sorted by
 * published values, bar charts drawn from protected tables, and the wording
 * of changes and p-values. */
#include <math.h>
#include <stdlib.h>

#include "render.h"
#include "suppress.h"
#include "svg.h"
#include "report_internal.h"

/* ---- tables ------------------------------------------------------------------ */

int64_t ks_report_pub(const rep *r, kcount c) { return ks_result_count(r->res, c.n, c.keys); }

size_t ks_report_col_text(ks_table *t, const char *name, const char *label)
{
    return (size_t)ks_table_add_column(t, name, label, KS_COL_TEXT, NULL);
}

size_t ks_report_col_count(ks_table *t, const char *name, const char *label)
{
    size_t c = (size_t)ks_table_add_column(t, name, label, KS_COL_INT, NULL);
    ks_table_set_count(t, c, NULL);
    return c;
}

size_t ks_report_col_real(ks_table *t, const char *name, const char *label, int digits)
{
    size_t c = (size_t)ks_table_add_column(t, name, label, KS_COL_REAL, NULL);
    ks_table_set_digits(t, c, digits, NULL);
    return c;
}

/* A share of count column `src`, over count column `den` of the row (-1: the
 * grand total, see protect). */
size_t ks_report_col_share(ks_table *t, const char *name, const char *label, size_t src, int den, int digits)
{
    size_t c = ks_report_col_real(t, name, label, digits);
    ks_table_set_share(t, c, (int)src, den, NULL);
    return c;
}

void ks_report_set_i(ks_table *t, size_t r, size_t c, int64_t v) { ks_table_set_int(t, r, c, v, NULL); }
void ks_report_set_s(ks_table *t, size_t r, size_t c, const char *s) { ks_table_set_text(t, r, c, s, NULL); }
void ks_report_set_r(ks_table *t, size_t r, size_t c, double v)
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

bool ks_report_hidden(const ks_table *t, size_t r, size_t c)
{
    const ks_cell *x = ks_table_cell(t, r, c);
    return x && x->kind == KS_CELL_SUPPRESSED;
}

/* The published number of a cell; NAN when hidden or empty. */
double ks_report_cell_num(const ks_table *t, size_t r, size_t c)
{
    double v;
    return ks_cell_number(ks_table_cell(t, r, c), &v) ? v : NAN;
}

static size_t count_hidden(const ks_table *t)
{
    size_t n = 0;
    for (size_t i = 0; i < ks_table_nrows(t); i++)
        for (size_t j = 0; j < ks_table_ncols(t); j++)
            n += ks_report_hidden(t, i, j);
    return n;
}

/* Disclosure control for one table: the database's threshold, primary,
 * secondary (when totals are declared) and linked suppression.  A share of
 * the grand total (denominator -1) cannot be linked by ks_suppress, so it is
 * hidden here whenever that total is: the total row's cell of its source
 * column, or (tables without a total row) the period's count of new cases. */
int ks_report_suppress_all(rep *r, ks_table *t)
{
    /* under the cell key method alone the perturbed counts are published as
     * they are: the ptable leaves none in 1..k-1, and zeros stay */
    if (!r->own_suppress && r->pert)
        return 0;
    int rc = ks_suppress(t, r->k, NULL, r->err);
    if (rc == -KS_EUSAGE && r->ck) {
        /* "both": perturbed parts that no longer add up to their perturbed
         * totals are no equations a reader can solve, so primary cells only,
         * as publish does with such a table (its fixed point) */
        r->err->code = 0;
        r->err->msg[0] = '\0';
        rc = ks_suppress_primary(t, r->k, NULL, r->err);
        if (rc == 0)
            rc = ks_suppress_links(t, NULL, r->err);
    } else if (rc == -KS_ESAFETY) {
        /* no pattern of complements protects the table: hide every non-zero
         * count (and so every share); zeros name no one */
        for (size_t i = 0; i < ks_table_nrows(t); i++)
            for (size_t j = 0; j < ks_table_ncols(t); j++) {
                const ks_column *c = ks_table_column(t, j);
                double v = ks_report_cell_num(t, i, j);
                if ((c->is_count && isfinite(v) && v != 0) || c->is_share)
                    ks_table_suppress(t, i, j, KS_WHY_SECONDARY, NULL);
            }
        rc = ks_suppress_links(t, NULL, r->err);
    }
    return rc;
}

/* The rest of protect: grand-total shares, the output check, the count. */
int ks_report_protect_end(rep *r, ks_table *t)
{
    int rc;
    long trow = ks_table_total_row(t);
    for (size_t j = 0; j < ks_table_ncols(t); j++) {
        const ks_column *c = ks_table_column(t, j);
        if (!c->is_share || c->denom >= 0)
            continue;
        bool gone = trow >= 0 ? ks_report_hidden(t, (size_t)trow, (size_t)c->source) : r->n_new_hidden;
        if (!gone)
            continue;
        for (size_t i = 0; i < ks_table_nrows(t); i++)
            if (!ks_report_hidden(t, i, j))
                ks_table_suppress(t, i, j, KS_WHY_LINKED, NULL);
    }
    rc = ks_suppress_check(t, r->k, r->err);
    if (rc)
        return rc;
    r->hidden += count_hidden(t);
    r->ntables++;
    return 0;
}

int ks_report_protect(rep *r, ks_table *t)
{
    int rc = ks_report_suppress_all(r, t);
    return rc ? rc : ks_report_protect_end(r, t);
}

/* Disclosure control for a table whose counts are copies of cells already
 * protected elsewhere (their hidden state copied too): only the links. */
int ks_report_protect_links(rep *r, ks_table *t)
{
    int rc = r->own_suppress || !r->pert ? ks_suppress_links(t, NULL, r->err) : 0;
    if (!rc)
        rc = ks_suppress_check(t, r->k, r->err);
    if (!rc) {
        r->hidden += count_hidden(t);
        r->ntables++;
    }
    return rc;
}

int ks_report_add_table(rep *r, ks_doc_section *sec, ks_doc_kind kind, const char *caption, const char *id,
                        ks_table *t, size_t *index)
{
    size_t at = 0;
    /* a converted section's counts are ks_report_pub's values: added as
     * already perturbed (under "both" publish suppresses them once more, a
     * fixed point of the report's own suppression); a section not converted
     * yet goes the protected way, which refuses under a cell-keyed method,
     * so that no true count is printed there */
    int rc = r->ck && r->pert ? ks_result_add_perturbed(r->res, id, caption, t, NULL, NULL, 0, &at, r->err)
                              : ks_result_add_protected(r->res, id, caption, t, &at, r->err);
    ks_table_free(t);
    if (rc)
        return rc;
    ks_doc_add_table(sec, kind, caption, id, at);
    if (index)
        *index = at;
    return 0;
}

static void copy_cell(ks_table *dst, size_t dr, const ks_table *src, size_t sr, size_t c)
{
    const ks_cell *x = ks_table_cell(src, sr, c);
    switch (x->kind) {
    case KS_CELL_NULL: break;
    case KS_CELL_INT: ks_report_set_i(dst, dr, c, x->v.i); break;
    case KS_CELL_REAL: ks_report_set_r(dst, dr, c, x->v.r); break;
    case KS_CELL_TEXT: ks_report_set_s(dst, dr, c, x->v.s); break;
    case KS_CELL_SUPPRESSED: ks_table_suppress(dst, dr, c, x->v.why, NULL); break;
    }
}

/* Copies cell (sr, sc) of src, hidden state included, to (dr, dc) of dst. */
void ks_report_copy_to(ks_table *dst, size_t dr, size_t dc, const ks_table *src, size_t sr, size_t sc)
{
    const ks_cell *x = ks_table_cell(src, sr, sc);
    if (x->kind == KS_CELL_SUPPRESSED)
        ks_table_suppress(dst, dr, dc, x->v.why, NULL);
    else if (x->kind == KS_CELL_INT)
        ks_report_set_i(dst, dr, dc, x->v.i);
}

int ks_report_by_key(const void *a, const void *b)
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
ks_table *ks_report_sorted(ks_table *t, size_t key, bool drop_zero, const int *grp)
{
    size_t nr = ks_table_nrows(t), nc = ks_table_ncols(t);
    long trow = ks_table_total_row(t);
    rowkey *k = ks_calloc(nr ? nr : 1, sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < nr; i++) {
        if ((long)i == trow)
            continue;
        double v = ks_report_cell_num(t, i, key);
        if (drop_zero && isfinite(v) && v == 0)
            continue;
        k[m++] = (rowkey){grp ? grp[i] : 0, i, isfinite(v) ? v : 0, isfinite(v)};
    }
    qsort(k, m, sizeof *k, ks_report_by_key);
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
void ks_report_column_values(const ks_table *t, size_t col, size_t nrows, double *v, bool *hid)
{
    for (size_t i = 0; i < nrows; i++) {
        hid[i] = ks_report_hidden(t, i, col);
        v[i] = ks_report_cell_num(t, i, col);
    }
}

/* The mark a chart shows for a hidden cell of t: the one the table prints. */
const char *ks_report_tmark(const rep *r, const ks_table *t)
{
    return ks_render_small_mark(t) ? r->mark : "x";
}

char *ks_report_next_id(rep *r, const char *stem)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s%zu", stem, ++r->nfig);
    return ks_buf_detach(&b, NULL);
}

/* Draws chart ch as horizontal bars and adds it to the section as a figure;
 * frees id (the chart's id, from next_id). */
void ks_report_add_hbar(ks_doc_section *sec, const ks_svg_chart *ch, char *id)
{
    ks_buf svg;
    ks_buf_init(&svg);
    ks_svg_hbar(&svg, ch);
    ks_doc_add(sec, KS_DOC_FIGURE, ch->title, id, svg.buf);
    ks_buf_release(&svg);
    free(id);
}

/* A one-series bar chart of count column `col` of the first nr rows of t,
 * labelled by column 0; hidden cells are drawn as hidden. */
void ks_report_hbar_of_column(rep *r, ks_doc_section *sec, const ks_table *t, size_t nr, size_t col, const char *title,
                              int color)
{
    const char **cats = ks_calloc(nr ? nr : 1, sizeof *cats);
    double *v = ks_calloc(nr ? nr : 1, sizeof *v);
    bool *h = ks_calloc(nr ? nr : 1, sizeof *h);
    for (size_t i = 0; i < nr; i++)
        cats[i] = ks_table_cell(t, i, 0)->v.s;
    ks_report_column_values(t, col, nr, v, h);
    ks_svg_series ser = {.name = L("件数", "Cases"), .v = v, .hidden = h, .color = color};
    char *id = ks_report_next_id(r, "f");
    ks_svg_chart ch = {.id = id, .title = title, .cats = cats, .ncat = nr, .series = &ser, .nseries = 1,
                       .mark = ks_report_tmark(r, t), .width = CHART_W};
    ks_report_add_hbar(sec, &ch, id);
    free(cats);
    free(v);
    free(h);
}

const char *ks_report_cmp_short(const rep *r)
{
    return r->o->compare == KS_REPORT_LAST_YEAR ? L("前年同期", "same period last year") : L("前期", "previous period");
}

const char *ks_report_cmp_col(const rep *r)
{
    return r->o->compare == KS_REPORT_LAST_YEAR ? L("前年同期", "Last year") : L("前期", "Previous");
}

/* "+23%" style: whole percent from 10 up, one decimal below. */
void ks_report_signed_pct(ks_buf *b, double x)
{
    if (fabs(x) >= 10)
        ks_buf_addf(b, "%+.0f%%", x);
    else
        ks_buf_addf(b, "%+.1f%%", x);
}

void ks_report_p_text(ks_buf *b, double p)
{
    if (p < 0.001)
        ks_buf_adds(b, "p < 0.001");
    else
        ks_buf_addf(b, "p = %.3f", p);
}

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
size_t ks_report_top_ids(const int64_t *count, size_t n, size_t max, int *out)
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
