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
 *   -- share: pct = n / total    a share column, hidden with its count or denominator
 *   -- column: n | 件数 | cases  display labels (Japanese | English)
 *   -- pivot: district, problem, n    long -> wide crosstab (row key, column key, count)
 *   -- totals: yes               the pivot gets a total row and column (only where
 *                                every case counts in exactly one cell)
 *   -- total-row: yes            the result's last row is a total of the rows above
 *
 * Parameter types: int, real, text, date (YYYY-MM-DD, checked).  Values are
 * bound with sqlite3_bind_* as :name, never pasted into SQL.
 *
 * SQL functions kasane adds: label(ja, en) picks the label for --lang;
 * fy(date) gives the fiscal year (April..March) of an ISO date. */
#ifndef KASANE_QUERY_H
#define KASANE_QUERY_H

#include <sqlite3.h>
#include <stdbool.h>

#include "kasane/table.h"
#include "kasane/util.h"

typedef enum ks_param_type { KS_PARAM_INT, KS_PARAM_REAL, KS_PARAM_TEXT, KS_PARAM_DATE } ks_param_type;

typedef struct ks_param {
    char *name;        /* without the colon */
    ks_param_type type;/* checked before binding */
    char *def;         /* default value text, NULL when required */
    char *help;        /* what it means, may be NULL */
} ks_param;

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
    char *sql;         /* the whole file (SQLite ignores the comment header) */
    unsigned sql_line; /* line where the statement starts, for messages */
} ks_query;

/* Parses a query file's text; `name` and `path` are copied.  Header errors
 * are reported as path:line. */
ks_query *ks_query_parse(const char *name, const char *path, const char *text, ks_error *err);
ks_query *ks_query_load(const char *path, ks_error *err);
void ks_query_free(ks_query *q);

/* Finds NAME (or NAME.sql) along the search path: --dir, then
 * $KASANE_QUERY_PATH (colon-separated), then the built-in queries directory.
 * A NAME containing '/' or ending in .sql that exists is read directly. */
ks_query *ks_query_find(const char *name, const char *dir, ks_error *err);

/* Lists every query on the search path (sorted by name, first one wins). */
int ks_query_list(const char *dir, ks_query ***out, size_t *n, ks_error *err);
void ks_query_list_free(ks_query **v, size_t n);

/* The built-in queries directory (compiled in: the source tree's queries/). */
const char *ks_query_builtin_dir(void);

typedef enum ks_lang { KS_LANG_JA, KS_LANG_EN } ks_lang;

/* Opens the database for analysis: read-only, extension loading off, the
 * label()/fy() functions, and an authorizer that allows reading only (no
 * writes, ATTACH, PRAGMA, temp tables, transactions).
 * With consent_only (row-level output), unqualified case tables and views on
 * this connection hold only cases with consent; *excluded (may be NULL) gets
 * how many cases were left out. */
int ks_analysis_open(const char *path, ks_lang lang, bool consent_only, int64_t *excluded, sqlite3 **out,
                     ks_error *err);

typedef struct ks_binding {
    const char *name;  /* parameter name */
    const char *value; /* its text */
} ks_binding;

/* Runs the query with the bindings into a new table: typed columns, count and
 * share roles, labels for the language, the pivot if declared.  Missing or
 * unknown parameters are usage errors listing the expected ones. */
int ks_query_exec(sqlite3 *db, const ks_query *q, const ks_binding *b, size_t nb, ks_lang lang,
                  ks_table **out, ks_error *err);

/* 1 when the query's result will have a count column (declared, or named n
 * or n_*), 0 when it is row-level, negative when it does not prepare. */
int ks_query_columns_aggregate(sqlite3 *db, const ks_query *q, ks_error *err);

/* true when the table has a count column (an aggregate result). */
bool ks_table_is_aggregate(const ks_table *t);

#endif
