/* table.h: an in-memory result table, the one thing every printing command
 * hands to the renderer (render.h) after disclosure control (suppress.h).
 *
 * Ownership: ks_table_new returns a table the caller frees with ks_table_free;
 * strings passed in are copied; pointers returned (columns, cells, their text)
 * are borrowed and live until the cell or table is changed or freed.
 *
 * Errors: functions return 0 (or an index >= 0 where stated) or a negative
 * KS_E* code with the message in `err`; only caller mistakes (an index out of
 * range, a column added after the first row, a bad link) can fail.
 *
 * Shape: columns first, then rows.  A new row is all NULL cells.  Column
 * roles matter to disclosure control:
 *  - a count column (is_count) holds frequencies; the k rule applies to it;
 *  - a share column (is_share) holds a share or rate computed from a count
 *    column in the same row (`source`) and optionally divided by another
 *    count column in the same row (`denom`); it is hidden wherever either is.
 * A table may declare one total row and one total column (see suppress.h):
 * the total column's cells are the sum of the row's other count cells, the
 * total row's cells are the sum of the column's other cells.
 *
 * A suppressed cell has no value any more: ks_table_suppress erases it, so no
 * renderer can print what it hid. */
#ifndef KASANE_TABLE_H
#define KASANE_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef enum ks_col_type {
    KS_COL_INT,  /* integers: right-aligned, JSON numbers */
    KS_COL_REAL, /* floating point: right-aligned, JSON numbers */
    KS_COL_TEXT, /* UTF-8 text: left-aligned, JSON strings */
} ks_col_type;

typedef struct ks_column {
    char *name;       /* machine name: csv/tsv/json header */
    char *label;      /* display label (may be Japanese), NULL when none */
    ks_col_type type; /* declared type: alignment and JSON column type */
    bool is_count;    /* frequencies: subject to the k rule */
    bool is_share;    /* share or rate derived from `source` */
    int source;       /* count column a share is computed from, -1 if none */
    int denom;        /* count column (same row) a share is divided by, -1 if none */
    int digits;       /* decimals printed for real values, -1 = shortest exact */
    double ratio;     /* > 0: the share is ratio * source / denom exactly (ks_table_set_ratio) */
} ks_column;

typedef enum ks_cell_kind {
    KS_CELL_NULL,       /* SQL NULL, or never set */
    KS_CELL_INT,        /* v.i */
    KS_CELL_REAL,       /* v.r */
    KS_CELL_TEXT,       /* v.s, owned by the table */
    KS_CELL_SUPPRESSED, /* hidden by disclosure control; v.why says why */
} ks_cell_kind;

/* Why a cell was hidden (kept for statistics and tests, never printed: an
 * output that told primary from secondary cells would narrow both down). */
typedef enum ks_suppress_why {
    KS_WHY_PRIMARY = 1,   /* a count with 0 < value < k */
    KS_WHY_SECONDARY = 2, /* hidden so a primary cell cannot be derived */
    KS_WHY_LINKED = 3,    /* a share whose count or denominator is hidden */
} ks_suppress_why;

/* Cell keys (the cell key method, src/publish/cellkey.h) are kept modulo
 * KS_CELL_KEY_MOD: every ptable key range divides it (record keys are drawn
 * in 0..KS_CELL_KEY_MOD-1, src/store/rkey.h), so the key modulo the range
 * is the same whether the sum was reduced first or not. */
enum { KS_CELL_KEY_MOD = 4096 };

typedef struct ks_cell {
    ks_cell_kind kind; /* which member of v is meaningful */
    bool keyed;        /* a count with its cell key (ks_table_set_key) */
    uint16_t key;      /* the cell key: sum of its records' keys mod KS_CELL_KEY_MOD */
    union {
        int64_t i;           /* KS_CELL_INT */
        double r;            /* KS_CELL_REAL */
        char *s;             /* KS_CELL_TEXT, NUL-terminated UTF-8 */
        ks_suppress_why why; /* KS_CELL_SUPPRESSED */
    } v;                     /* the value */
} ks_cell;

typedef struct ks_table ks_table;

ks_table *ks_table_new(void);
void ks_table_free(ks_table *t);

/* Appends a column and returns its index (>= 0).  `label` may be NULL.  The
 * column starts as a plain column: not a count, not a share, digits -1.
 * Fails (-KS_EUSAGE) once rows exist or when name is NULL or empty. */
int ks_table_add_column(ks_table *t, const char *name, const char *label, ks_col_type type,
                        ks_error *err);
/* Marks column `col` as a count column. */
int ks_table_set_count(ks_table *t, size_t col, ks_error *err);
/* Marks column `col` as a share of count column `source`, divided by count
 * column `denom` of the same row (-1 when the denominator is not in the table). */
int ks_table_set_share(ks_table *t, size_t col, int source, int denom, ks_error *err);
/* Declares that share column `col` is exactly scale * source / denom of its
 * row (a percentage: scale 100), so that it can be computed again from
 * perturbed counts (publish.h).  -KS_EUSAGE unless col is a share with a
 * denominator column and scale > 0. */
int ks_table_set_ratio(ks_table *t, size_t col, double scale, ks_error *err);
/* Decimals for real values in text modes (-1: shortest exact form). */
int ks_table_set_digits(ks_table *t, size_t col, int digits, ks_error *err);
/* Declares the total row and total column (-1: none).  The total column must
 * be a count column; rows may be added after this call. */
int ks_table_set_totals(ks_table *t, long total_row, long total_col, ks_error *err);

/* Appends a row of NULL cells and returns its index. */
size_t ks_table_add_row(ks_table *t);

/* Removes row `row` (the rows after it move up).  -KS_EUSAGE for a row out
 * of range or a declared total row (a table with totals keeps its shape). */
int ks_table_remove_row(ks_table *t, size_t row, ks_error *err);

int ks_table_set_null(ks_table *t, size_t row, size_t col, ks_error *err);
int ks_table_set_int(ks_table *t, size_t row, size_t col, int64_t v, ks_error *err);
int ks_table_set_real(ks_table *t, size_t row, size_t col, double v, ks_error *err);
/* copies s; s NULL makes the cell NULL */
int ks_table_set_text(ks_table *t, size_t row, size_t col, const char *s, ks_error *err);
/* Hides a cell: its value is freed and forgotten. */
/* Gives the integer count cell (row, col) its cell key: the sum of the
 * record keys of the units it counts (any size; kept mod KS_CELL_KEY_MOD).
 * Setting the cell's value again clears it.  -KS_EUSAGE for a cell that is
 * not an integer in a count column. */
int ks_table_set_key(ks_table *t, size_t row, size_t col, uint64_t key_sum, ks_error *err);
/* Whether every declared total is the sum of its row's or column's count
 * cells as they stand (hidden and empty cells count nothing): perturbed
 * counts (the cell key method) may not add up. */
bool ks_table_totals_add_up(const ks_table *t);
/* The cell's key in *key; false when it has none. */
bool ks_table_key(const ks_table *t, size_t row, size_t col, uint16_t *key);

int ks_table_suppress(ks_table *t, size_t row, size_t col, ks_suppress_why why, ks_error *err);

size_t ks_table_nrows(const ks_table *t);
size_t ks_table_ncols(const ks_table *t);
/* -1 when none was declared */
long ks_table_total_row(const ks_table *t);
long ks_table_total_col(const ks_table *t);
/* Borrowed; NULL when out of range. */
const ks_column *ks_table_column(const ks_table *t, size_t col);
const ks_cell *ks_table_cell(const ks_table *t, size_t row, size_t col);

/* A deep copy: columns, cells (hidden ones stay hidden), totals.  The
 * caller frees it. */
ks_table *ks_table_copy(const ks_table *t);

/* true when the table has a count column (an aggregate result). */
bool ks_table_is_aggregate(const ks_table *t);

/* A numeric cell's value as a double (INT or REAL); false for other kinds. */
bool ks_cell_number(const ks_cell *c, double *out);

#endif
