/* query.h: query files (queries/NAME.sql) and running SQL safely against the
 * pseudonymised database.
 *
 * A query file starts with a comment header of "-- key: value" lines:
 *
 *   -- title: 地区別・年度別の相談件数
 *   -- title_en: Cases by district and fiscal year
 *   -- description: one line saying what the query answers
 *   -- param: fy int 2025 (fiscal year, April to March)   name, type, default
 *   -- param: district text                                 no default = required
 *   -- count: n                  a count column (also: any column named n or n_*)
 *   -- share: pct = n / total    a share column, hidden with its count or denominator;
 *                                with a denominator it is 100 * n / total (one
 *                                decimal), computed again from perturbed counts
 *   -- column: n | 件数 | cases  display labels (Japanese | English)
 *   -- pivot: district, problem, n    long -> wide crosstab (row key, column key, count)
 *   -- totals: yes               the pivot gets a total row and column (only where
 *                                every case counts in exactly one cell)
 *   -- total-row: yes            the result's last row is a total of the rows above
 *   -- keysum: n = n_key         n_key holds the sum of the record keys (rkey.h) of
 *                                exactly the units counted in n: n's cell key for
 *                                the cell key method (library queries only)
 *
 * Parameter types: int, real, text, date (YYYY-MM-DD, checked).  Values are
 * bound with sqlite3_bind_* as :name, never pasted into SQL.  A date snaps to
 * whole months (selections to the day would let two tables be differenced
 * into the cases of one day): a parameter named from, start or *_from,
 * *_start binds the first day of its month, one named to, end or *_to, *_end
 * the last day; any other date the first day.
 *
 * Keysums.  A library query gives each count its cell key (table.h,
 * ks_table_set_key) in a column of its own: "-- keysum: COUNT = COLUMN"
 * (several pairs separated by commas, or several lines), COUNT a declared
 * count column (for a pivot: the pivot's count), COLUMN the integer sum of
 * the record keys of the units COUNT counts in that row (NULL: no key; the
 * cell key method then refuses a non-zero count).  The runner moves each
 * value into its count cell's key and drops the column: a keysum column is
 * never printed, never a count or a dimension, whatever its name.  A pivot
 * cell gets the key of its group (of its groups, summed); a total of a
 * pivot with totals the sum of its cells' keys; with total-row, the total
 * row's key must be the sum of the rows' keys (the rows partition its
 * units), or the query fails.  Errors name the declaration's path:line:
 * a COUNT that is not a count, a COLUMN that is a count, a dimension or
 * declared twice (when the file is parsed), a COLUMN or COUNT the statement
 * does not return, a value that is not a non-negative integer (when it
 * runs).
 *
 * Library and outside.  A library query is a file of the built-in directory
 * (ks_query_builtin_dir): vetted, its header's count/share/totals roles are
 * trusted and it counts every case.  Everything else — `query sql`, a file
 * from --dir, $KASANE_QUERY_PATH or a path — is outside the library and runs
 * under the ad-hoc rules (KS_RUN_ADHOC): on a connection holding only the
 * cases with consent (ks_analysis_open_adhoc), its SQL returns one unit
 * column (case_id, person_id or household_id) and up to four dimensions, and
 * kasane does the counting, published through the cell key method whatever
 * the database's method (publish.h, ks_result_adhoc).  A library name always
 * finds the library file.
 *
 * SQL functions kasane adds: label(ja, en) picks the label for --lang;
 * fy(date) gives the fiscal year (April..March) of an ISO date;
 * good_outcome(outcome_id) is 1 for 解決 or 改善 (ks_outcome_good), else 0. */
#ifndef KASANE_QUERY_H
#define KASANE_QUERY_H

#include <sqlite3.h>
#include <stdbool.h>

#include "analysis.h"
#include "lang.h"
#include "rkey.h"
#include "table.h"
#include "util.h"

typedef enum ks_param_type { KS_PARAM_INT, KS_PARAM_REAL, KS_PARAM_TEXT, KS_PARAM_DATE } ks_param_type;

typedef struct ks_param {
    char *name;        /* without the colon */
    ks_param_type type;/* checked before binding */
    char *def;         /* default value text, NULL when required */
    char *help;        /* what it means, may be NULL */
} ks_param;

typedef struct ks_keysum {
    char *count;   /* the count column whose cells get the keys */
    char *column;  /* the column holding their key sums (dropped from the table) */
    unsigned line; /* the header line declaring it, for messages */
} ks_keysum;

typedef struct ks_query {
    char *name;        /* file name without .sql; "(sql)" for ad-hoc */
    char *path;        /* where it was read from, NULL for ad-hoc */
    char *title;       /* Japanese title */
    char *title_en;    /* English title */
    char *description; /* one line */
    ks_param *params;  /* [nparams] */
    size_t nparams;
    char **counts;     /* declared count column names [ncounts] */
    size_t ncounts;
    char **shares;     /* "col=num/den" declarations [nshares] */
    size_t nshares;
    char **labels;     /* "col|ja|en" declarations [nlabels] */
    size_t nlabels;
    char *pivot;       /* "row,col,count" or NULL */
    bool totals;       /* pivot with totals */
    bool total_row;    /* last row is a total */
    ks_keysum *keysums;/* "count = column" declarations [nkeysums] */
    size_t nkeysums;
    char *sql;         /* the whole file (SQLite ignores the comment header) */
    unsigned sql_line; /* line where the statement starts, for messages */
    bool library;      /* read from the built-in directory (vetted) */
    char *shadowed;    /* an outside file of the same name that was ignored, or NULL */
} ks_query;

/* Parses a query file's text; `name` and `path` are copied.  Header errors
 * are reported as path:line. */
ks_query *ks_query_parse(const char *name, const char *path, const char *text, ks_error *err);
ks_query *ks_query_load(const char *path, ks_error *err);
void ks_query_free(ks_query *q);

/* Finds NAME (or NAME.sql).  A library name (a file NAME.sql in the built-in
 * directory) always gives the library file; an outside file of that name in
 * --dir, $KASANE_QUERY_PATH (colon-separated) or, for NAME.sql, the current
 * directory is ignored and named in q->shadowed.  Other names are looked up
 * in --dir, then $KASANE_QUERY_PATH.  A NAME containing '/' (or NAME.sql
 * that is not a library name) is read directly, and only when it ends in
 * .sql and is a regular file: otherwise a usage error that names the file
 * and never shows what it holds. */
ks_query *ks_query_find(const char *name, const char *dir, ks_error *err);

/* Lists every query: the library's, then outside files whose names the
 * library does not hold (sorted by name; q->library tells which). */
int ks_query_list(const char *dir, ks_query ***out, size_t *n, ks_error *err);
void ks_query_list_free(ks_query **v, size_t n);

/* The built-in queries directory (compiled in: the source tree's queries/). */
const char *ks_query_builtin_dir(void);


/* How a query is run (ks_query_exec). */
typedef enum ks_run_mode {
    KS_RUN_LIBRARY, /* a vetted library query: its header's roles as declared */
    KS_RUN_ADHOC,   /* outside the library: kasane counts distinct units per dimensions */
    KS_RUN_ROWS,    /* row-level (--row-level): rows as returned, no count roles */
} ks_run_mode;

/* Resource limits.  Each ends the query with a usage error (exit 2) that
 * names the limit; the first two can be raised by options. */
enum {
    KS_QUERY_TIMEOUT = 60,          /* seconds of SQL (--timeout) */
    KS_QUERY_MAX_ROWS = 100000,     /* rows of a result read into memory (--max-rows) */
    KS_QUERY_MAX_TEXT = 1000,       /* bytes of one text cell */
    KS_QUERY_MAX_GROUPS = 10000,    /* groups of an ad-hoc aggregate; cells of a pivot */
    KS_QUERY_MAX_TOTALS_CELLS = 2500, /* cells of a pivot with totals (secondary suppression time) */
    KS_QUERY_MAX_DIMS = 4,          /* dimensions of an ad-hoc aggregate */
};

typedef struct ks_query_limits {
    double timeout;  /* seconds; <= 0: none */
    size_t max_rows; /* 0: none */
} ks_query_limits;

typedef struct ks_binding {
    const char *name;  /* parameter name */
    const char *value; /* its text */
} ks_binding;

/* What a run says about itself beyond the table (footer notes), owned. */
typedef struct ks_query_notes {
    char *dates;     /* "dates snapped to whole months: ...", or NULL */
    char *unit;      /* KS_RUN_ADHOC: the unit counted ("distinct cases"), or NULL */
} ks_query_notes;
void ks_query_notes_release(ks_query_notes *n);

/* Runs the query with the bindings into a new table: typed columns, labels
 * for the language, the pivot if declared, and
 *  - KS_RUN_LIBRARY: count and share roles as the header declares them, and
 *    the count cells' keys from the keysum columns (dropped; see Keysums);
 *  - KS_RUN_ADHOC: the statement wrapped so that SQLite counts distinct units
 *    per combination of the other columns (the dimensions), whose values
 *    must be categories (codes, labels, small integers, years, months,
 *    fiscal years); a header declaring count/share/totals/total-row/keysum, a
 *    column named n or n_*, no unit column or more than four dimensions are
 *    refused (KS_ESAFETY) with the reason.  Every n cell, in the plain
 *    layout and in a pivot's, gets its cell key (table.h, ks_table_set_key):
 *    the sum of the record keys `keys` holds for the group's distinct units
 *    (a pivot cell with no group is 0, without a key), for the cell key
 *    method of the publish step (publish.h, ks_result_adhoc).  The sum is
 *    computed by an aggregate function that exists only while the wrapper
 *    runs, under a random name, so the analyst's SQL cannot call it; it is
 *    never a column of the table.  A unit without a key is an error, and
 *    `keys` NULL (a schema-3 database read as it is) is refused (KS_ESAFETY);
 *  - KS_RUN_ROWS: the rows, no roles (keysum columns dropped all the same).
 * `keys` is only read in KS_RUN_ADHOC (NULL for the other modes).
 * `lim` may be NULL (the defaults).  Missing or unknown parameters are usage
 * errors listing the expected ones.  *notes (may be NULL) gets the notes. */
int ks_query_exec(sqlite3 *db, const ks_query *q, const ks_binding *b, size_t nb, ks_lang lang, ks_run_mode mode,
                  const ks_rkeys *keys, const ks_query_limits *lim, ks_table **out, ks_query_notes *notes,
                  ks_error *err);

/* 1 when the query's result will have a count column (declared, or named n
 * or n_*; a keysum column is none), 0 when it is row-level, negative when it does not prepare.  Only
 * library queries are trusted with it (and kasane-weak's "adhoc-columns"). */
int ks_query_columns_aggregate(sqlite3 *db, const ks_query *q, ks_error *err);

#endif
