/* table.c: the result table (see table.h). */
#include "table.h"

#include <stdlib.h>
#include <string.h>

struct ks_table {
    ks_column *cols;  /* [ncols] */
    size_t ncols;     /* number of columns */
    size_t cap_cols;  /* allocated columns */
    ks_cell *cells;   /* [nrows * ncols], row-major */
    size_t nrows;     /* number of rows */
    size_t cap_rows;  /* allocated rows */
    long total_row;   /* declared total row, -1 none */
    long total_col;   /* declared total column, -1 none */
};

ks_table *ks_table_new(void)
{
    ks_table *t = ks_calloc(1, sizeof *t);
    t->total_row = -1;
    t->total_col = -1;
    return t;
}

static void cell_clear(ks_cell *c)
{
    if (c->kind == KS_CELL_TEXT)
        free(c->v.s);
    memset(c, 0, sizeof *c);
    c->kind = KS_CELL_NULL;
}

void ks_table_free(ks_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        cell_clear(&t->cells[i]);
    for (size_t j = 0; j < t->ncols; j++) {
        free(t->cols[j].name);
        free(t->cols[j].label);
    }
    free(t->cells);
    free(t->cols);
    free(t);
}

static int check_col(const ks_table *t, size_t col, ks_error *err)
{
    if (col >= t->ncols)
        return ks_error_set(err, KS_EUSAGE, "column %zu out of range (table has %zu)", col,
                            t->ncols);
    return 0;
}

static int check_cell(const ks_table *t, size_t row, size_t col, ks_error *err)
{
    if (row >= t->nrows)
        return ks_error_set(err, KS_EUSAGE, "row %zu out of range (table has %zu)", row,
                            t->nrows);
    return check_col(t, col, err);
}

int ks_table_add_column(ks_table *t, const char *name, const char *label, ks_col_type type,
                        ks_error *err)
{
    if (!name || !*name)
        return ks_error_set(err, KS_EUSAGE, "column name is empty");
    /* Cells are stored row-major with a fixed width, so the shape is fixed
     * before the first row. */
    if (t->nrows > 0)
        return ks_error_set(err, KS_EUSAGE, "column '%s' added after rows", name);
    if (t->ncols > (size_t)INT32_MAX)
        return ks_error_set(err, KS_EUSAGE, "too many columns");
    if (t->ncols == t->cap_cols) {
        t->cap_cols = t->cap_cols ? ks_mul(t->cap_cols, 2) : 8;
        t->cols = ks_realloc(t->cols, ks_mul(t->cap_cols, sizeof *t->cols));
    }
    ks_column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->name = ks_strdup(name);
    c->label = label ? ks_strdup(label) : NULL;
    c->type = type;
    c->source = -1;
    c->denom = -1;
    c->digits = -1;
    return (int)t->ncols++;
}

int ks_table_set_count(ks_table *t, size_t col, ks_error *err)
{
    int rc = check_col(t, col, err);
    if (rc)
        return rc;
    if (t->cols[col].is_share)
        return ks_error_set(err, KS_EUSAGE, "column '%s' is a share, not a count",
                            t->cols[col].name);
    t->cols[col].is_count = true;
    return 0;
}

static int check_link(const ks_table *t, size_t col, int link, const char *what, ks_error *err)
{
    if (link < 0)
        return 0;
    if ((size_t)link >= t->ncols || !t->cols[link].is_count || (size_t)link == col)
        return ks_error_set(err, KS_EUSAGE, "share column '%s': %s %d is not a count column",
                            t->cols[col].name, what, link);
    return 0;
}

int ks_table_set_share(ks_table *t, size_t col, int source, int denom, ks_error *err)
{
    int rc = check_col(t, col, err);
    if (rc)
        return rc;
    if (t->cols[col].is_count)
        return ks_error_set(err, KS_EUSAGE, "column '%s' is a count, not a share",
                            t->cols[col].name);
    /* A share without its count could not be suppressed where the count is. */
    if (source < 0)
        return ks_error_set(err, KS_EUSAGE, "share column '%s' needs a source count column",
                            t->cols[col].name);
    if ((rc = check_link(t, col, source, "source", err)) ||
        (rc = check_link(t, col, denom, "denominator", err)))
        return rc;
    t->cols[col].is_share = true;
    t->cols[col].source = source;
    t->cols[col].denom = denom;
    return 0;
}

int ks_table_set_digits(ks_table *t, size_t col, int digits, ks_error *err)
{
    int rc = check_col(t, col, err);
    if (rc)
        return rc;
    if (digits < -1 || digits > 17)
        return ks_error_set(err, KS_EUSAGE, "digits %d out of range (-1..17)", digits);
    t->cols[col].digits = digits;
    return 0;
}

int ks_table_set_totals(ks_table *t, long total_row, long total_col, ks_error *err)
{
    if (total_row < -1)
        return ks_error_set(err, KS_EUSAGE, "bad total row %ld", total_row);
    if (total_col < -1 || total_col >= (long)t->ncols)
        return ks_error_set(err, KS_EUSAGE, "bad total column %ld", total_col);
    if (total_col >= 0 && !t->cols[total_col].is_count)
        return ks_error_set(err, KS_EUSAGE, "total column '%s' is not a count column",
                            t->cols[total_col].name);
    t->total_row = total_row;
    t->total_col = total_col;
    return 0;
}

size_t ks_table_add_row(ks_table *t)
{
    if (t->nrows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? ks_mul(t->cap_rows, 2) : 16;
        t->cells = ks_realloc(t->cells, ks_mul(ks_mul(t->cap_rows, t->ncols), sizeof *t->cells));
    }
    ks_cell *row = t->cells + t->nrows * t->ncols;
    for (size_t j = 0; j < t->ncols; j++) {
        memset(&row[j], 0, sizeof row[j]);
        row[j].kind = KS_CELL_NULL;
    }
    return t->nrows++;
}

static ks_cell *cell_at(ks_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->ncols + col];
}

int ks_table_remove_row(ks_table *t, size_t row, ks_error *err)
{
    if (row >= t->nrows)
        return ks_error_set(err, KS_EUSAGE, "row %zu out of range (table has %zu)", row, t->nrows);
    if (t->total_row >= 0 || t->total_col >= 0)
        return ks_error_set(err, KS_EUSAGE, "a table with declared totals keeps its rows");
    for (size_t j = 0; j < t->ncols; j++)
        cell_clear(cell_at(t, row, j));
    memmove(cell_at(t, row, 0), cell_at(t, row, 0) + t->ncols,
            (t->nrows - row - 1) * t->ncols * sizeof *t->cells);
    t->nrows--;
    return 0;
}

int ks_table_set_null(ks_table *t, size_t row, size_t col, ks_error *err)
{
    int rc = check_cell(t, row, col, err);
    if (rc)
        return rc;
    cell_clear(cell_at(t, row, col));
    return 0;
}

int ks_table_set_int(ks_table *t, size_t row, size_t col, int64_t v, ks_error *err)
{
    int rc = check_cell(t, row, col, err);
    if (rc)
        return rc;
    ks_cell *c = cell_at(t, row, col);
    cell_clear(c);
    c->kind = KS_CELL_INT;
    c->v.i = v;
    return 0;
}

int ks_table_set_key(ks_table *t, size_t row, size_t col, uint64_t key_sum, ks_error *err)
{
    int rc = check_cell(t, row, col, err);
    if (rc)
        return rc;
    ks_cell *c = cell_at(t, row, col);
    if (!t->cols[col].is_count || c->kind != KS_CELL_INT)
        return ks_error_set(err, KS_EUSAGE, "a cell key belongs to a count (row %zu, column %zu)", row, col);
    c->keyed = true;
    c->key = (uint16_t)(key_sum % KS_CELL_KEY_MOD);
    return 0;
}

int ks_table_set_ratio(ks_table *t, size_t col, double scale, ks_error *err)
{
    int rc = check_col(t, col, err);
    if (rc)
        return rc;
    ks_column *c = &t->cols[col];
    if (!c->is_share || c->source < 0 || c->denom < 0 || !(scale > 0))
        return ks_error_set(err, KS_EUSAGE, "column '%s': a ratio is a share with a source and a denominator",
                            c->name);
    c->ratio = scale;
    return 0;
}

bool ks_table_totals_add_up(const ks_table *t)
{
    long tr = ks_table_total_row(t), tc = ks_table_total_col(t);
    size_t nr = ks_table_nrows(t), nc = ks_table_ncols(t);
    for (size_t i = 0; tc >= 0 && i < nr; i++) {
        double sum = 0, v = 0, tot = 0;
        for (size_t j = 0; j < nc; j++)
            if ((long)j != tc && ks_table_column(t, j)->is_count && ks_cell_number(ks_table_cell(t, i, j), &v))
                sum += v;
        if (ks_cell_number(ks_table_cell(t, i, (size_t)tc), &tot) && tot != sum)
            return false;
    }
    for (size_t j = 0; tr >= 0 && j < nc; j++) {
        if (!ks_table_column(t, j)->is_count)
            continue;
        double sum = 0, v = 0, tot = 0;
        for (size_t i = 0; i < nr; i++)
            if ((long)i != tr && ks_cell_number(ks_table_cell(t, i, j), &v))
                sum += v;
        if (ks_cell_number(ks_table_cell(t, (size_t)tr, j), &tot) && tot != sum)
            return false;
    }
    return true;
}

bool ks_table_key(const ks_table *t, size_t row, size_t col, uint16_t *key)
{
    if (row >= t->nrows || col >= t->ncols)
        return false;
    const ks_cell *c = &t->cells[row * t->ncols + col];
    if (c->keyed && key)
        *key = c->key;
    return c->keyed;
}

int ks_table_set_real(ks_table *t, size_t row, size_t col, double v, ks_error *err)
{
    int rc = check_cell(t, row, col, err);
    if (rc)
        return rc;
    ks_cell *c = cell_at(t, row, col);
    cell_clear(c);
    c->kind = KS_CELL_REAL;
    c->v.r = v;
    return 0;
}

int ks_table_set_text(ks_table *t, size_t row, size_t col, const char *s, ks_error *err)
{
    int rc = check_cell(t, row, col, err);
    if (rc)
        return rc;
    ks_cell *c = cell_at(t, row, col);
    /* copy first: s may point into the cell being replaced */
    char *copy = s ? ks_strdup(s) : NULL;
    cell_clear(c);
    if (copy) {
        c->kind = KS_CELL_TEXT;
        c->v.s = copy;
    }
    return 0;
}

int ks_table_suppress(ks_table *t, size_t row, size_t col, ks_suppress_why why, ks_error *err)
{
    int rc = check_cell(t, row, col, err);
    if (rc)
        return rc;
    ks_cell *c = cell_at(t, row, col);
    cell_clear(c); /* the value is gone, not merely flagged */
    c->kind = KS_CELL_SUPPRESSED;
    c->v.why = why;
    return 0;
}

size_t ks_table_nrows(const ks_table *t) { return t->nrows; }
size_t ks_table_ncols(const ks_table *t) { return t->ncols; }
long ks_table_total_row(const ks_table *t) { return t->total_row; }
long ks_table_total_col(const ks_table *t) { return t->total_col; }

const ks_column *ks_table_column(const ks_table *t, size_t col)
{
    return col < t->ncols ? &t->cols[col] : NULL;
}

const ks_cell *ks_table_cell(const ks_table *t, size_t row, size_t col)
{
    if (row >= t->nrows || col >= t->ncols)
        return NULL;
    return &t->cells[row * t->ncols + col];
}

bool ks_cell_number(const ks_cell *c, double *out)
{
    if (c->kind == KS_CELL_INT) {
        *out = (double)c->v.i;
        return true;
    }
    if (c->kind == KS_CELL_REAL) {
        *out = c->v.r;
        return true;
    }
    return false;
}

bool ks_table_is_aggregate(const ks_table *t)
{
    for (size_t c = 0; c < ks_table_ncols(t); c++)
        if (ks_table_column(t, c)->is_count)
            return true;
    return false;
}

ks_table *ks_table_copy(const ks_table *t)
{
    ks_table *c = ks_table_new();
    c->ncols = c->cap_cols = t->ncols;
    c->nrows = c->cap_rows = t->nrows;
    c->total_row = t->total_row;
    c->total_col = t->total_col;
    c->cols = ks_calloc(t->ncols ? t->ncols : 1, sizeof *c->cols);
    for (size_t j = 0; j < t->ncols; j++) {
        c->cols[j] = t->cols[j];
        c->cols[j].name = ks_strdup(t->cols[j].name);
        c->cols[j].label = t->cols[j].label ? ks_strdup(t->cols[j].label) : NULL;
    }
    size_t n = ks_mul(t->nrows, t->ncols);
    c->cells = ks_calloc(n ? n : 1, sizeof *c->cells);
    for (size_t i = 0; i < n; i++) {
        c->cells[i] = t->cells[i];
        if (t->cells[i].kind == KS_CELL_TEXT)
            c->cells[i].v.s = ks_strdup(t->cells[i].v.s);
    }
    return c;
}
