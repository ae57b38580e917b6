/* runner.c: one query file (or ad-hoc SQL) -> one ks_table.
 *
 * Rows are gathered first and the table built after, because a column's type
 * is only known from its values (SQLite declares none for expressions).
 *
 * Three ways to run (query.h, ks_run_mode).  A library query's header is
 * trusted: its count and share columns get their roles as declared.  Outside
 * the library nothing in the result is trusted, because a result cannot be
 * judged by its column names (a column named n beside `*`, a count times
 * 100, a window count, group_concat of ids): the analyst's statement picks
 * units and dimensions, and kasane wraps it so that SQLite counts distinct
 * units per group, joined to the unit's table so that made-up ids count
 * nothing; the only count is kasane's, and every dimension value must be a
 * category from a closed vocabulary.  The wrapper also sums each group's
 * record keys (rkey.h) for the cell key method, through a function that
 * exists only while the wrapper runs (adhoc_keysum).  A library query sums
 * them in its own SQL, into the keysum columns its header declares
 * (query.h); either way the sums leave the grid before the table is built
 * (grid_move_keys), so no writer can print them. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "date.h"
#include "db.h"
#include "pseudo.h"
#include "query.h"
#include "text.h"
#include "weaken.h"

typedef struct value {
    int type;     /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB (as hex in s), SQLITE_NULL */
    int64_t i;    /* integer */
    double r;     /* float */
    char *s;      /* text, owned */
} value;

typedef struct grid {
    char **names;   /* column names [ncols] */
    size_t ncols;
    value *v;       /* row-major [nrows * ncols] */
    size_t nrows, cap;
    uint64_t *ksum; /* count cells' key sums, row-major [nrows * ncols], or NULL when no cell has one */
    bool *kset;     /* whether the cell has its key sum in ksum [nrows * ncols] */
} grid;

/* One run's state: what it binds, its limits, what it tells the footer. */
typedef struct run {
    const ks_query *q;         /* the query */
    const ks_binding *b;       /* --param values [nb] */
    size_t nb;
    double timeout;            /* seconds, <= 0: none */
    size_t max_rows;           /* rows read into memory, 0: none */
    struct timespec deadline;  /* when the time budget ends */
    int timed_out;             /* the progress handler stopped SQLite */
    ks_buf snapped;            /* "from 2025-04-15 -> 2025-04-01, ..." */
} run;

static void grid_release(grid *g)
{
    for (size_t i = 0; i < g->nrows * g->ncols; i++)
        free(g->v[i].s);
    free(g->v);
    for (size_t i = 0; i < g->ncols; i++)
        free(g->names[i]);
    free(g->names);
    free(g->ksum);
    free(g->kset);
    memset(g, 0, sizeof *g);
}

static value *grid_row(grid *g)
{
    if (g->nrows == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->v = ks_realloc(g->v, ks_mul(ks_mul(g->cap, g->ncols ? g->ncols : 1), sizeof *g->v));
    }
    value *r = &g->v[g->nrows++ * g->ncols];
    memset(r, 0, g->ncols * sizeof *r);
    return r;
}

/* The time budget: SQLite calls this every few thousand VM steps. */
static int on_progress(void *ud)
{
    run *R = ud;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > R->deadline.tv_sec || (now.tv_sec == R->deadline.tv_sec && now.tv_nsec >= R->deadline.tv_nsec)) {
        R->timed_out = 1;
        return 1;
    }
    return 0;
}

/* Only comments and white space may follow the one statement. */
static int only_trailing_comments(const char *s)
{
    while (*s) {
        if (isspace((unsigned char)*s)) {
            s++;
        } else if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
        } else if (s[0] == '/' && s[1] == '*') {
            const char *e = strstr(s + 2, "*/");
            if (!e)
                return 1;
            s = e + 2;
        } else if (*s == ';') {
            s++;
        } else {
            return 0;
        }
    }
    return 1;
}

static void expected_params(const ks_query *q, ks_buf *b)
{
    if (q->nparams == 0) {
        ks_buf_adds(b, "this query takes no parameters");
        return;
    }
    ks_buf_adds(b, "expected:");
    for (size_t i = 0; i < q->nparams; i++) {
        static const char *const types[] = {"int", "real", "text", "date"};
        const ks_param *p = &q->params[i];
        ks_buf_addf(b, " %s (%s%s%s)", p->name, types[p->type], p->def ? ", default " : ", required",
                    p->def ? p->def : "");
    }
}

/* Which end of its month a date parameter snaps to: 1 the last day (to, end,
 * *_to, *_end), 0 the first (from, start, *_from, *_start, and any other). */
static int snaps_to_end(const char *name)
{
    size_t n = strlen(name);
    return strcmp(name, "to") == 0 || strcmp(name, "end") == 0 || (n > 3 && strcmp(name + n - 3, "_to") == 0) ||
           (n > 4 && strcmp(name + n - 4, "_end") == 0);
}

static int month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int bind_one(sqlite3_stmt *st, int idx, const ks_param *p, const char *v, run *R, ks_error *err)
{
    const char *qname = R->q->name;
    char *end;
    switch (p ? p->type : KS_PARAM_TEXT) {
    case KS_PARAM_INT: {
        errno = 0;
        long long x = strtoll(v, &end, 10);
        if (errno || end == v || *end)
            return ks_error_set(err, KS_EUSAGE, "%s: parameter '%s' must be an integer", qname, p->name);
        sqlite3_bind_int64(st, idx, x);
        return 0;
    }
    case KS_PARAM_REAL: {
        errno = 0;
        double x = strtod(v, &end);
        if (errno || end == v || *end)
            return ks_error_set(err, KS_EUSAGE, "%s: parameter '%s' must be a number", qname, p->name);
        sqlite3_bind_double(st, idx, x);
        return 0;
    }
    case KS_PARAM_DATE: {
        ks_date d;
        char iso[KS_DATE_ISO_SIZE], given[KS_DATE_ISO_SIZE];
        if (ks_date_parse(v, strlen(v), &d) != KS_DATE_OK)
            return ks_error_set(err, KS_EUSAGE, "%s: parameter '%s' must be a date (YYYY-MM-DD)", qname, p->name);
        ks_date_format(d, given);
        /* Whole months: tables for [D, end] and [D+1, end] would differ by
         * the cases of day D. */
        if (!ks_weakened("day-selection"))
            d.d = (int8_t)(snaps_to_end(p->name) ? month_days(d.y, d.m) : 1);
        ks_date_format(d, iso);
        if (strcmp(iso, given) != 0)
            ks_buf_addf(&R->snapped, "%s%s %s -> %s", R->snapped.len ? ", " : "", p->name, given, iso);
        sqlite3_bind_text(st, idx, iso, -1, SQLITE_TRANSIENT);
        return 0;
    }
    default:
        sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
        return 0;
    }
}

static int bind_all(sqlite3_stmt *st, run *R, ks_error *err)
{
    const ks_query *q = R->q;
    const ks_binding *b = R->b;
    size_t nb = R->nb;
    ks_buf msg;
    ks_buf_init(&msg);
    int rc = 0;
    int adhoc = q->path == NULL;
    for (size_t i = 0; i < nb && !rc; i++) {
        int known = 0;
        for (size_t j = 0; j < q->nparams; j++)
            known |= strcmp(q->params[j].name, b[i].name) == 0;
        char colon[256];
        snprintf(colon, sizeof colon, ":%s", b[i].name);
        if (!known && !(adhoc && sqlite3_bind_parameter_index(st, colon))) {
            expected_params(q, &msg);
            rc = ks_error_set(err, KS_EUSAGE, "%s: unknown parameter '%s'; %s", q->name, b[i].name, msg.buf);
        }
    }
    for (int i = 1; i <= sqlite3_bind_parameter_count(st) && !rc; i++) {
        const char *pn = sqlite3_bind_parameter_name(st, i);
        if (!pn || (pn[0] != ':' && pn[0] != '@' && pn[0] != '$')) {
            rc = ks_error_set(err, KS_EUSAGE, "%s: only named parameters (:name) can be bound", q->name);
            break;
        }
        pn++;
        const ks_param *p = NULL;
        for (size_t j = 0; j < q->nparams; j++)
            if (strcmp(q->params[j].name, pn) == 0)
                p = &q->params[j];
        if (!p && !adhoc) {
            rc = ks_error_set(err, KS_EUSAGE, "%s: the SQL uses :%s but the header declares no such param",
                              q->name, pn);
            break;
        }
        const char *v = p ? p->def : NULL;
        for (size_t j = 0; j < nb; j++)
            if (strcmp(b[j].name, pn) == 0)
                v = b[j].value;
        if (!v) {
            expected_params(q, &msg);
            if (adhoc)
                ks_buf_addf(&msg, "; give --param %s=VALUE", pn);
            rc = ks_error_set(err, KS_EUSAGE, "%s: missing parameter '%s'; %s", q->name, pn, msg.buf);
            break;
        }
        rc = bind_one(st, i, p, v, R, err);
    }
    ks_buf_release(&msg);
    return rc;
}

/* Prepares the query's one statement (sql: q->sql, or kasane's wrapper of
 * it); *stmt_len gets the length of the statement's own text. */
static int prepare_one(sqlite3 *db, const ks_query *q, const char *sql, sqlite3_stmt **out, size_t *stmt_len,
                       ks_error *err)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = 0;
    *out = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, &tail) != SQLITE_OK || !st) {
        const char *m = st ? sqlite3_errmsg(db) : (sqlite3_errcode(db) ? sqlite3_errmsg(db) : "no SQL statement");
        int off = sqlite3_error_offset(db);
        int code = sqlite3_errcode(db) == SQLITE_AUTH ? KS_ESAFETY : KS_EUSAGE;
        if (off >= 0 && st == NULL && sqlite3_errcode(db)) {
            unsigned line = 1, col = 1;
            for (int i = 0; i < off && sql[i]; i++, col++)
                if (sql[i] == '\n')
                    line++, col = 0;
            rc = ks_error_set(err, code, "%s:%u:%u: %s", q->path ? q->path : q->name, line, col, m);
        } else {
            rc = ks_error_set(err, code, "%s: %s", q->path ? q->path : q->name, m);
        }
        goto fail;
    }
    if (!only_trailing_comments(tail)) {
        rc = ks_error_set(err, KS_EUSAGE, "%s: one statement only (found more after the first ';')", q->name);
        goto fail;
    }
    if (!sqlite3_stmt_readonly(st)) {
        rc = ks_error_set(err, KS_ESAFETY, "%s: only reading statements are allowed", q->name);
        goto fail;
    }
    if (stmt_len)
        *stmt_len = (size_t)(tail - sql);
    *out = st;
    return 0;
fail:
    sqlite3_finalize(st);
    return rc;
}

/* Steps a bound statement into g: at most max_rows rows (0: no cap), each
 * text cell at most KS_QUERY_MAX_TEXT bytes.  `what` names the limit's
 * option in messages. */
static int fetch(sqlite3 *db, sqlite3_stmt *st, run *R, size_t max_rows, const char *what, grid *g, ks_error *err)
{
    const ks_query *q = R->q;
    int rc = 0;
    g->ncols = (size_t)sqlite3_column_count(st);
    g->names = ks_calloc(g->ncols, sizeof *g->names);
    for (size_t c = 0; c < g->ncols; c++)
        g->names[c] = ks_strdup(sqlite3_column_name(st, (int)c));
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (max_rows && g->nrows >= max_rows)
            return ks_error_set(err, KS_EUSAGE, "%s: the result has more than %zu %s", q->name, max_rows, what);
        value *r = grid_row(g);
        for (size_t c = 0; c < g->ncols; c++) {
            r[c].type = sqlite3_column_type(st, (int)c);
            switch (r[c].type) {
            case SQLITE_INTEGER: r[c].i = sqlite3_column_int64(st, (int)c); break;
            case SQLITE_FLOAT: r[c].r = sqlite3_column_double(st, (int)c); break;
            case SQLITE_NULL: break;
            case SQLITE_BLOB: { /* pseudonyms are shown as hex text */
                const unsigned char *p = sqlite3_column_blob(st, (int)c);
                int n = sqlite3_column_bytes(st, (int)c);
                if ((size_t)n * 2 > KS_QUERY_MAX_TEXT)
                    return ks_error_set(err, KS_EUSAGE, "%s: column '%s' holds a value longer than %d bytes",
                                        q->name, g->names[c], KS_QUERY_MAX_TEXT);
                char *hex = ks_malloc((size_t)n * 2 + 1);
                for (int i = 0; i < n; i++)
                    snprintf(hex + 2 * i, 3, "%02x", p[i]);
                hex[2 * n] = '\0';
                r[c].s = hex;
                break;
            }
            default:
                r[c].type = SQLITE_TEXT;
                if (sqlite3_column_bytes(st, (int)c) > KS_QUERY_MAX_TEXT)
                    return ks_error_set(err, KS_EUSAGE, "%s: column '%s' holds a text longer than %d bytes",
                                        q->name, g->names[c], KS_QUERY_MAX_TEXT);
                r[c].s = ks_strdup((const char *)sqlite3_column_text(st, (int)c));
            }
        }
    }
    if (step != SQLITE_DONE) {
        if (R->timed_out)
            rc = ks_error_set(err, KS_EUSAGE, "%s: stopped after %g s, the time budget (--timeout SECONDS raises it)",
                              q->name, R->timeout);
        else
            rc = ks_error_set(err, sqlite3_errcode(db) == SQLITE_AUTH ? KS_ESAFETY : KS_EIO, "%s: %s", q->name,
                              sqlite3_errmsg(db));
    }
    return rc;
}

static int col_index(const grid *g, const char *name)
{
    for (size_t c = 0; c < g->ncols; c++)
        if (strcmp(g->names[c], name) == 0)
            return (int)c;
    return -1;
}

static int is_count_name(const char *name) { return strcmp(name, "n") == 0 || strncmp(name, "n_", 2) == 0; }

/* The keysum declaration whose column is `name`, or NULL. */
static const ks_keysum *keysum_column(const ks_query *q, const char *name)
{
    for (size_t i = 0; i < q->nkeysums; i++)
        if (strcmp(q->keysums[i].column, name) == 0)
            return &q->keysums[i];
    return NULL;
}

/* A keysum column is never a count, whatever its name (n_key). */
static int declared_count(const ks_query *q, const char *name)
{
    if (keysum_column(q, name))
        return 0;
    for (size_t i = 0; i < q->ncounts; i++)
        if (strcmp(q->counts[i], name) == 0)
            return 1;
    return is_count_name(name);
}

/* "col | ja | en" -> the label for lang, or NULL. */
static char *label_for(const ks_query *q, const char *col, ks_lang lang)
{
    for (size_t i = 0; i < q->nlabels; i++) {
        const char *s = q->labels[i];
        const char *bar1 = strchr(s, '|');
        if (!bar1)
            continue;
        size_t n = (size_t)(bar1 - s);
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
        if (strlen(col) != n || strncmp(s, col, n) != 0)
            continue;
        const char *ja = bar1 + 1, *bar2 = strchr(ja, '|');
        const char *pick = lang == KS_LANG_EN && bar2 ? bar2 + 1 : ja;
        size_t len = lang == KS_LANG_EN || !bar2 ? strlen(pick) : (size_t)(bar2 - ja);
        while (len && isspace((unsigned char)*pick))
            pick++, len--;
        while (len && isspace((unsigned char)pick[len - 1]))
            len--;
        return ks_strndup(pick, len);
    }
    return NULL;
}

static ks_col_type grid_type(const grid *g, size_t c)
{
    int has_real = 0, has_int = 0;
    for (size_t r = 0; r < g->nrows; r++) {
        int t = g->v[r * g->ncols + c].type;
        if (t == SQLITE_TEXT || t == SQLITE_BLOB)
            return KS_COL_TEXT;
        has_real |= t == SQLITE_FLOAT;
        has_int |= t == SQLITE_INTEGER;
    }
    return has_real ? KS_COL_REAL : has_int ? KS_COL_INT : KS_COL_TEXT;
}

static int set_value(ks_table *t, size_t r, size_t c, const value *v, ks_error *err)
{
    switch (v->type) {
    case SQLITE_INTEGER: return ks_table_set_int(t, r, c, v->i, err);
    case SQLITE_FLOAT: return ks_table_set_real(t, r, c, v->r, err);
    case SQLITE_TEXT:
    case SQLITE_BLOB: return ks_table_set_text(t, r, c, v->s, err);
    default: return 0;
    }
}

static int apply_shares(const ks_query *q, ks_table *t, const grid *g, ks_error *err)
{
    for (size_t i = 0; i < q->nshares; i++) {
        /* "pct = n / total" */
        char col[128], num[128], den[128] = "";
        int got = sscanf(q->shares[i], " %127[^= ] = %127[^/ ] / %127s", col, num, den);
        if (got < 2)
            got = sscanf(q->shares[i], " %127[^= ] = %127s", col, num);
        if (got < 2)
            return ks_error_set(err, KS_EUSAGE, "%s: share needs 'col = count [/ denominator]'", q->name);
        int c = col_index(g, col), s = col_index(g, num), d = den[0] ? col_index(g, den) : -1;
        if (c < 0 || s < 0 || (den[0] && d < 0))
            return ks_error_set(err, KS_EUSAGE, "%s: share '%s' names a column the query does not return",
                                q->name, q->shares[i]);
        int rc = ks_table_set_share(t, (size_t)c, s, d, err);
        /* a library share of two columns is a percentage (query.h): the
         * cell key method computes it again from the perturbed counts */
        if (!rc && d >= 0)
            rc = ks_table_set_ratio(t, (size_t)c, 100.0, err);
        if (rc)
            return rc;
        ks_table_set_digits(t, (size_t)c, 1, NULL);
    }
    return 0;
}

/* The declaration of the keysum of count column c, or NULL. */
static const ks_keysum *keysum_of(const ks_query *q, const grid *g, size_t c)
{
    for (size_t i = 0; i < q->nkeysums; i++)
        if (strcmp(q->keysums[i].count, g->names[c]) == 0)
            return &q->keysums[i];
    return NULL;
}

/* With total-row, the rows above the last partition its units (query.h):
 * the total's key sum must then be the sum of theirs.  Checked wherever the
 * total and every non-zero count above it have one; a mismatch is an error
 * of the query (its keysum SQL, or its total), not something to publish. */
static int total_row_keys(const ks_query *q, const grid *g, ks_error *err)
{
    size_t last = g->nrows - 1, nc = g->ncols;
    for (size_t c = 0; c < nc; c++) {
        if (!g->kset[last * nc + c])
            continue;
        uint64_t sum = 0;
        bool all = true;
        for (size_t r = 0; r < last; r++) {
            const value *v = &g->v[r * nc + c];
            if (g->kset[r * nc + c])
                sum += g->ksum[r * nc + c];
            else if (!(v->type == SQLITE_INTEGER && v->i == 0) && v->type != SQLITE_NULL)
                all = false;
        }
        if (all && sum % KS_CELL_KEY_MOD != g->ksum[last * nc + c] % KS_CELL_KEY_MOD) {
            const ks_keysum *k = keysum_of(q, g, c);
            return ks_error_set(err, KS_EUSAGE,
                                "%s:%u: keysum '%s = %s': the total row's key sum is not the sum of the rows' "
                                "(with total-row the rows must partition the total's units)",
                                q->path ? q->path : q->name, k ? k->line : 0, g->names[c], k ? k->column : "?");
        }
    }
    return 0;
}

/* roles: the count and share roles of a library query (or kasane's own n of
 * an ad-hoc aggregate); none at row level. */
static int build_plain(const ks_query *q, const grid *g, ks_lang lang, int roles, ks_table *t, ks_error *err)
{
    int rc = 0;
    for (size_t c = 0; c < g->ncols && !rc; c++) {
        char *label = label_for(q, g->names[c], lang);
        int idx = ks_table_add_column(t, g->names[c], label, grid_type(g, c), err);
        free(label);
        if (idx < 0)
            return idx;
        if (roles && declared_count(q, g->names[c]))
            rc = ks_table_set_count(t, (size_t)idx, err);
    }
    if (!rc && roles)
        rc = apply_shares(q, t, g, err);
    for (size_t r = 0; r < g->nrows && !rc; r++) {
        size_t row = ks_table_add_row(t);
        for (size_t c = 0; c < g->ncols && !rc; c++)
            rc = set_value(t, row, c, &g->v[r * g->ncols + c], err);
        /* a count cell gets its key sum (an ad-hoc group's, a keysum
         * column's); a NULL count has none to get */
        for (size_t c = 0; c < g->ncols && !rc && roles && g->kset; c++)
            if (g->kset[r * g->ncols + c] && g->v[r * g->ncols + c].type != SQLITE_NULL)
                rc = ks_table_set_key(t, row, c, g->ksum[r * g->ncols + c], err);
    }
    if (!rc && roles && q->total_row && g->nrows > 0)
        rc = ks_table_set_totals(t, (long)g->nrows - 1, -1, err);
    if (!rc && roles && q->total_row && g->nrows > 0 && g->kset)
        rc = total_row_keys(q, g, err);
    return rc;
}

static const char *value_text(const value *v, char buf[32])
{
    switch (v->type) {
    case SQLITE_INTEGER: snprintf(buf, 32, "%lld", (long long)v->i); return buf;
    case SQLITE_FLOAT: snprintf(buf, 32, "%g", v->r); return buf;
    case SQLITE_TEXT:
    case SQLITE_BLOB: return v->s;
    default: return "(なし)";
    }
}

static int find_key(char **keys, size_t n, const char *k)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(keys[i], k) == 0)
            return (int)i;
    return -1;
}

/* A pivot's keys, in order of first appearance, and its cells. */
typedef struct pivot {
    char **rk;      /* row keys [nr] */
    size_t nr;      /* rows */
    char **ck;      /* column keys [nc] */
    size_t nc;      /* columns */
    int64_t *cells; /* row-major [nr * nc] counts */
    uint64_t *sums; /* their key sums [nr * nc] when the grid has keys, else NULL */
    bool *unkeyed;  /* [nr * nc]: a group with a non-zero count but no key sum went into the cell */
} pivot;

static void pivot_release(pivot *p)
{
    for (size_t i = 0; i < p->nr; i++)
        free(p->rk[i]);
    for (size_t i = 0; i < p->nc; i++)
        free(p->ck[i]);
    free(p->rk);
    free(p->ck);
    free(p->cells);
    free(p->sums);
    free(p->unkeyed);
}

/* The row and column keys: columns ri and ci of the grid, as text. */
static void pivot_keys(pivot *p, const grid *g, int ri, int ci)
{
    for (size_t r = 0; r < g->nrows; r++) {
        char b1[32], b2[32];
        const value *row = &g->v[r * g->ncols];
        const char *a = value_text(&row[ri], b1), *bb = value_text(&row[ci], b2);
        if (find_key(p->rk, p->nr, a) < 0) {
            p->rk = ks_realloc(p->rk, ks_mul(p->nr + 1, sizeof *p->rk));
            p->rk[p->nr++] = ks_strdup(a);
        }
        if (find_key(p->ck, p->nc, bb) < 0) {
            p->ck = ks_realloc(p->ck, ks_mul(p->nc + 1, sizeof *p->ck));
            p->ck[p->nc++] = ks_strdup(bb);
        }
    }
}

/* The cells: column ni summed by key, within the size limits. */
static int pivot_cells(pivot *p, const ks_query *q, const grid *g, int ri, int ci, int ni, const char *nn,
                       bool totals, ks_error *err)
{
    size_t ncells = ks_mul(p->nr, p->nc);
    if (ncells > KS_QUERY_MAX_GROUPS || (totals && ncells > KS_QUERY_MAX_TOTALS_CELLS))
        return ks_error_set(err, KS_EUSAGE, "%s: the pivot would have %zu x %zu cells; at most %d%s", q->name, p->nr,
                            p->nc, totals ? KS_QUERY_MAX_TOTALS_CELLS : KS_QUERY_MAX_GROUPS,
                            totals ? " with totals (protecting them takes too long beyond)" : "");
    p->cells = ks_calloc(ncells + 1, sizeof *p->cells);
    if (g->kset) {
        p->sums = ks_calloc(ncells + 1, sizeof *p->sums);
        p->unkeyed = ks_calloc(ncells + 1, sizeof *p->unkeyed);
    }
    for (size_t r = 0; r < g->nrows; r++) {
        char b1[32], b2[32];
        const value *row = &g->v[r * g->ncols];
        const char *a = value_text(&row[ri], b1), *bb = value_text(&row[ci], b2);
        if (row[ni].type != SQLITE_INTEGER)
            return ks_error_set(err, KS_EUSAGE, "%s: pivot count column '%s' must hold integers", q->name, nn);
        size_t cell = (size_t)find_key(p->rk, p->nr, a) * p->nc + (size_t)find_key(p->ck, p->nc, bb);
        p->cells[cell] += row[ni].i;
        /* groups that print alike (1 and '1') share a cell: their counts
         * and their keys add up alike */
        if (p->sums && g->kset[r * g->ncols + (size_t)ni])
            p->sums[cell] += g->ksum[r * g->ncols + (size_t)ni];
        else if (p->sums && row[ni].i != 0)
            p->unkeyed[cell] = true;
    }
    return 0;
}

/* The pivot into t: the row key column (named rn), a count column per column
 * key, and with totals a total row and column. */
static int pivot_table(const pivot *p, const ks_query *q, const char *rn, bool totals, ks_lang lang, ks_table *t,
                       ks_error *err)
{
    const char *total = lang == KS_LANG_EN ? "Total" : "合計";
    char *label = label_for(q, rn, lang);
    int rc = ks_table_add_column(t, rn, label, KS_COL_TEXT, err);
    free(label);
    if (rc < 0)
        return rc;
    rc = 0;
    for (size_t c = 0; c < p->nc + (totals ? 1 : 0) && !rc; c++) {
        const char *name = c < p->nc ? p->ck[c] : total;
        int idx = ks_table_add_column(t, name, NULL, KS_COL_INT, err);
        rc = idx < 0 ? idx : ks_table_set_count(t, (size_t)idx, err);
    }
    for (size_t r = 0; r < p->nr + (totals ? 1 : 0) && !rc; r++) {
        size_t row = ks_table_add_row(t);
        rc = ks_table_set_text(t, row, 0, r < p->nr ? p->rk[r] : total, err);
        int64_t rowsum = 0;
        uint64_t rowkey = 0;
        bool rowunkeyed = false;
        for (size_t c = 0; c < p->nc && !rc; c++) {
            int64_t v = 0;
            uint64_t key = 0; /* a total's key is its cells' (each unit counts in one cell) */
            bool unkeyed = false;
            for (size_t k = r < p->nr ? r : 0; k < (r < p->nr ? r + 1 : p->nr); k++) {
                v += p->cells[k * p->nc + c];
                key += p->sums ? p->sums[k * p->nc + c] : 0;
                unkeyed = unkeyed || (p->unkeyed && p->unkeyed[k * p->nc + c]);
            }
            rowsum += v;
            rowkey += key;
            rowunkeyed = rowunkeyed || unkeyed;
            rc = ks_table_set_int(t, row, c + 1, v, err);
            /* a cell with no group is 0 and needs no key; one with a group
             * that had none gets none (the cell key method refuses it) */
            if (!rc && p->sums && v != 0 && !unkeyed)
                rc = ks_table_set_key(t, row, c + 1, key, err);
        }
        if (totals && !rc)
            rc = ks_table_set_int(t, row, p->nc + 1, rowsum, err);
        if (totals && !rc && p->sums && rowsum != 0 && !rowunkeyed)
            rc = ks_table_set_key(t, row, p->nc + 1, rowkey, err);
    }
    if (totals && !rc)
        rc = ks_table_set_totals(t, (long)p->nr, (long)p->nc + 1, err);
    return rc;
}

/* long (row key, column key, count) -> wide, keys in order of first
 * appearance.  spec: "row, col, count"; totals: a total row and column.
 * At most KS_QUERY_MAX_GROUPS cells, and KS_QUERY_MAX_TOTALS_CELLS with
 * totals: secondary suppression grows fast with the table (a 120x120 pivot
 * took 105 s), and no published table needs more. */
static int build_pivot(const ks_query *q, const char *spec, bool totals, const grid *g, ks_lang lang, ks_table *t,
                       ks_error *err)
{
    char rn[128], cn[128], nn[128];
    if (sscanf(spec, " %127[^, ] , %127[^, ] , %127s", rn, cn, nn) != 3)
        return ks_error_set(err, KS_EUSAGE, "%s: pivot needs 'row, column, count'", q->name);
    int ri = col_index(g, rn), ci = col_index(g, cn), ni = col_index(g, nn);
    if (ri < 0 || ci < 0 || ni < 0)
        return ks_error_set(err, KS_EUSAGE, "%s: pivot names a column the query does not return", q->name);
    pivot p = {0};
    pivot_keys(&p, g, ri, ci);
    int rc = pivot_cells(&p, q, g, ri, ci, ni, nn, totals, err);
    if (!rc)
        rc = pivot_table(&p, q, rn, totals, lang, t, err);
    pivot_release(&p);
    return rc;
}

/* ---- ad-hoc aggregates ---------------------------------------------------- */

/* The closed vocabulary of text dimension values: every code and label
 * (Japanese and English) of the tables below, and kasane's own words for a
 * missing value.  Sorted for bsearch. */
typedef struct vocab {
    char **w;   /* words [n], sorted */
    size_t n, cap;
} vocab;

static const char *const vocab_tables[] = {"sex", "household_type", "intake_route", "consent", "meeting_type",
                                           "status", "outcome", "field", "partner_kind", "problem", "support",
                                           "age_band", "district", "partner", NULL};
static const char *const vocab_extra[] = {"未記入", "Not recorded", "不明", "Unknown", NULL};

static void vocab_add(vocab *v, const char *s)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->w = ks_realloc(v->w, ks_mul(v->cap, sizeof *v->w));
    }
    v->w[v->n++] = ks_strdup(s);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void vocab_release(vocab *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->w[i]);
    free(v->w);
    memset(v, 0, sizeof *v);
}

static int vocab_load(sqlite3 *db, vocab *v, ks_error *err)
{
    for (const char *const *e = vocab_extra; *e; e++)
        vocab_add(v, *e);
    ks_buf sql;
    ks_buf_init(&sql);
    int rc = 0;
    for (const char *const *t = vocab_tables; *t && !rc; t++) {
        sqlite3_stmt *st = NULL;
        ks_buf_reset(&sql);
        ks_buf_addf(&sql, "SELECT code, label_ja, label_en FROM main.\"%s\"", *t);
        if (sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
            sqlite3_finalize(st); /* a table this database lacks has no words */
            continue;
        }
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < 3; c++)
                if (sqlite3_column_type(st, c) == SQLITE_TEXT)
                    vocab_add(v, (const char *)sqlite3_column_text(st, c));
        sqlite3_finalize(st);
    }
    ks_buf_release(&sql);
    if (v->n)
        qsort(v->w, v->n, sizeof *v->w, cmp_str);
    (void)err;
    return rc;
}

static int digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int category_int(int64_t x) { return (x >= 0 && x <= 99) || (x >= 1900 && x <= 2100); }

/* NULL when v is a category; otherwise why not (for the message, which never
 * shows the value). */
static const char *not_category(const vocab *voc, const value *v)
{
    switch (v->type) {
    case SQLITE_NULL: return NULL;
    case SQLITE_INTEGER: return category_int(v->i) ? NULL : "an integer outside 0-99 and 1900-2100 (an id?)";
    case SQLITE_FLOAT: return "a real number";
    case SQLITE_BLOB: return "binary data (a pseudonym?)";
    default: break;
    }
    const char *s = v->s;
    size_t n = strlen(s);
    if (bsearch(&s, voc->w, voc->n, sizeof *voc->w, cmp_str))
        return NULL;
    if (n > 0 && n <= 4 && digits(s, n))
        return category_int(strtoll(s, NULL, 10)) ? NULL : "an integer outside 0-99 and 1900-2100 (an id?)";
    if (n == 7 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2)) { /* YYYY-MM */
        int y = atoi(s), m = atoi(s + 5);
        return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 ? NULL : "not a month";
    }
    if (n == 6 && strncmp(s, "FY", 2) == 0 && digits(s + 2, 4)) /* FY2025 */
        return category_int(atoi(s + 2)) ? NULL : "not a fiscal year";
    if (n == 10 && digits(s, 4) && strcmp(s + 4, "年度") == 0) /* 2025年度 */
        return category_int(atoi(s)) ? NULL : "not a fiscal year";
    if (n == 10 && digits(s, 4) && s[4] == '-' && digits(s + 5, 2) && s[7] == '-' && digits(s + 8, 2))
        return "an exact date";
    if (n >= 16 && strspn(s, "0123456789abcdefABCDEF") == n)
        return "hex digits (a pseudonym?)";
    if (s[0] == '[' || s[0] == '{')
        return "JSON";
    if (strchr(s, ',') || strchr(s, ';'))
        return "a list (group_concat?)";
    return "text that is not a code or label";
}

static const char adhoc_rule[] =
    "outside the library kasane does the counting: select case_id (or person_id, household_id) and the columns "
    "to group by";

/* The statement's own text, without its final ';' and trailing space. */
static char *statement_text(const char *sql, size_t len)
{
    while (len && (isspace((unsigned char)sql[len - 1]) || sql[len - 1] == ';'))
        len--;
    return ks_strndup(sql, len);
}

/* The units an ad-hoc aggregate may count. */
typedef struct adhoc_unit {
    const char *column; /* the id column the statement selects */
    const char *table;  /* the unit's table, joined so that made-up ids count nothing */
    const char *word;   /* what the footer says is counted */
    ks_rkey_unit rkey;  /* whose record keys a group's cell key sums */
} adhoc_unit;

static const adhoc_unit adhoc_units[] = {
    {"case_id", "case_record", "cases", KS_RKEY_CASE},
    {"person_id", "person", "persons", KS_RKEY_PERSON},
    {"household_id", "household", "households", KS_RKEY_HOUSEHOLD},
};

/* An ad-hoc statement's columns, sorted into its unit and the columns to
 * group by. */
typedef struct adhoc_shape {
    char **names;   /* column names [ncols] */
    int ncols;      /* columns of the statement */
    char *body;     /* the statement's text without its final ';' */
    int unit_col;   /* the unit's column, -1 when none */
    size_t ndims;   /* how many columns to group by (all but the unit's) */
} adhoc_shape;

static void adhoc_shape_release(adhoc_shape *s)
{
    for (int c = 0; c < s->ncols; c++)
        free(s->names[c]);
    free(s->names);
    free(s->body);
}

/* The header may declare nothing that only a library query may. */
static int adhoc_header_ok(const ks_query *q, ks_error *err)
{
    if (q->ncounts || q->nshares || q->totals || q->total_row || q->nkeysums)
        return ks_error_set(err, KS_ESAFETY,
                            "%s: the header declares %s, which only a library query may: %s", q->name,
                            q->ncounts      ? "'-- count:'"
                            : q->nshares    ? "'-- share:'"
                            : q->totals     ? "'-- totals:'"
                            : q->total_row ? "'-- total-row:'"
                                            : "'-- keysum:'",
                            adhoc_rule);
    return 0;
}

/* Prepares the statement (without running it) for its column names and
 * text. */
static int adhoc_shape_read(sqlite3 *db, const ks_query *q, adhoc_shape *s, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t len = 0;
    memset(s, 0, sizeof *s);
    s->unit_col = -1;
    int rc = prepare_one(db, q, q->sql, &st, &len, err);
    if (rc)
        return rc;
    s->ncols = sqlite3_column_count(st);
    s->body = statement_text(q->sql, len);
    s->names = ks_calloc((size_t)s->ncols + 1, sizeof *s->names);
    for (int c = 0; c < s->ncols; c++)
        s->names[c] = ks_strdup(sqlite3_column_name(st, c));
    sqlite3_finalize(st);
    return 0;
}

/* Sorts the columns: names apart, no count column of its own, exactly one
 * unit (its index into adhoc_units into *unit), at most KS_QUERY_MAX_DIMS to
 * group by. */
static int adhoc_classify(const ks_query *q, adhoc_shape *s, int *unit, ks_error *err)
{
    for (int c = 0; c < s->ncols; c++) {
        for (int d = 0; d < c; d++)
            if (strcmp(s->names[c], s->names[d]) == 0)
                return ks_error_set(err, KS_EUSAGE,
                                    "%s: two columns are named '%s'; name every column apart (AS ...)", q->name,
                                    s->names[c]);
        if (is_count_name(s->names[c]))
            return ks_error_set(err, KS_ESAFETY, "%s: column '%s': a count column is kasane's own n; %s", q->name,
                                s->names[c], adhoc_rule);
        int u = -1;
        for (int i = 0; i < (int)KS_ARRAY_LEN(adhoc_units); i++)
            if (strcmp(s->names[c], adhoc_units[i].column) == 0)
                u = i;
        if (u >= 0 && s->unit_col >= 0)
            return ks_error_set(err, KS_ESAFETY, "%s: columns '%s' and '%s': only one unit to count; %s", q->name,
                                s->names[s->unit_col], s->names[c], adhoc_rule);
        if (u >= 0) {
            s->unit_col = c;
            *unit = u;
        } else {
            s->ndims++;
        }
    }
    if (s->unit_col < 0)
        return ks_error_set(err, KS_ESAFETY, "%s: no unit column (case_id, person_id or household_id); %s", q->name,
                            adhoc_rule);
    if (s->ndims > KS_QUERY_MAX_DIMS)
        return ks_error_set(err, KS_ESAFETY, "%s: %zu columns to group by; at most %d in an ad-hoc aggregate",
                            q->name, s->ndims, KS_QUERY_MAX_DIMS);
    return 0;
}

/* alias."name", each '"' of the name doubled: a column name is the
 * analyst's text and must stay one identifier in the wrapper (pasted as it
 * was, a name such as  x", (SELECT ...) AS "y  added the analyst's own
 * expressions to the wrapper's columns). */
static void add_ident(ks_buf *b, const char *alias, const char *name)
{
    ks_buf_addf(b, "%s.\"", alias);
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            ks_buf_addc(b, '"');
        ks_buf_addc(b, *p);
    }
    ks_buf_addc(b, '"');
}

/* The columns to group by, as alias."name", each followed by ", ". */
static void add_dims(ks_buf *b, const adhoc_shape *s, const char *alias)
{
    for (int c = 0; c < s->ncols; c++)
        if (c != s->unit_col) {
            add_ident(b, alias, s->names[c]);
            ks_buf_adds(b, ", ");
        }
}

/* The statement wrapped to count its unit per group, into sql.  The join to
 * the unit's table makes an id that no unit has count nothing; DISTINCT
 * makes a unit count once per group however many rows the statement returns
 * for it.  With `keysum` (the name of the key-sum aggregate,
 * keysum_register) a last column sums the record keys of the same distinct
 * units.  (One DISTINCT subquery for both instead of two DISTINCT
 * aggregates was measured slower: it materialises the pairs.)  A comment
 * may end the statement's last line: the closing parenthesis goes on a line
 * of its own. */
static void adhoc_wrap(const adhoc_shape *s, const adhoc_unit *u, const char *keysum, ks_buf *sql)
{
    ks_buf_adds(sql, "SELECT ");
    add_dims(sql, s, "q");
    ks_buf_addf(sql, "count(DISTINCT u.\"%s\") AS n", u->column);
    if (keysum)
        ks_buf_addf(sql, ", %s(DISTINCT u.\"%s\")", keysum, u->column);
    ks_buf_addf(sql, " FROM (\n%s\n) AS q JOIN main.\"%s\" AS u ON u.\"%s\" = q.\"%s\"", s->body, u->table,
                u->column, u->column);
    if (s->ndims) {
        ks_buf_adds(sql, " GROUP BY ");
        for (size_t i = 0; i < s->ndims; i++)
            ks_buf_addf(sql, "%s%zu", i ? ", " : "", i + 1);
        ks_buf_adds(sql, " ORDER BY ");
        for (size_t i = 0; i < s->ndims; i++)
            ks_buf_addf(sql, "%s%zu", i ? ", " : "", i + 1);
    }
}

/* ---- record keys of a database without them -------------------------------- */

/* The library's SQL sums record keys by joining record_key on (unit, id).
 * A schema-3 database read as it is has no such table; there the library
 * still runs, its statement wrapped as the ad-hoc one is (adhoc_wrap) in a
 * WITH that names a stand-in record_key: every unit with a NULL key.  So
 * every unit still counts and every key sum is NULL (no key: the cell key
 * method refuses such a count, suppression does not need it). */
static const char nokey_cte[] =
    "WITH record_key(unit, id, rkey) AS (SELECT 1, case_id, NULL FROM main.case_record UNION ALL "
    "SELECT 2, person_id, NULL FROM main.person UNION ALL SELECT 3, household_id, NULL FROM main.household)\n"
    "SELECT * FROM (\n";

/* The length of sql's first statement without its ';': up to the first
 * ';' outside strings, quoted names and comments, or all of it. */
static size_t first_statement(const char *sql)
{
    const char *p = sql;
    while (*p && *p != ';') {
        if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
            char close = *p == '[' ? ']' : *p;
            for (p++; *p && *p != close; p++)
                ;
            if (*p)
                p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            p++;
        }
    }
    return (size_t)(p - sql);
}

/* The statement a library query runs, into sql: its own, or on a database
 * without record keys (when it sums them) wrapped with the stand-in.  (A
 * second statement after the first is refused either way: prepare_one.) */
static int library_sql(sqlite3 *db, const ks_query *q, ks_buf *sql, ks_error *err)
{
    int has = 1;
    if (q->nkeysums) {
        int rc = ks_db_has_table(db, "main", "record_key", "its record keys", &has, err);
        if (rc)
            return rc;
    }
    if (has) {
        ks_buf_adds(sql, q->sql);
        return 0;
    }
    size_t len = first_statement(q->sql);
    ks_buf_adds(sql, nokey_cte);
    ks_buf_add(sql, q->sql, len);
    /* a comment may end the statement's last line */
    ks_buf_addf(sql, "\n)%s", q->sql + len);
    return 0;
}

/* ---- the cell key of an ad-hoc group -------------------------------------- */

/* What the key-sum aggregate reads (owned by the registration: SQLite frees
 * it when the function is removed, or with the connection). */
typedef struct keysum_ud {
    const ks_rkeys *keys; /* every unit's record key (analysis.h) */
    ks_rkey_unit unit;    /* the unit the wrapper counts */
} keysum_ud;

/* Adds one distinct unit's record key to its group's sum.  Every unit of
 * the ad-hoc copy has a key (they are read in the copy's transaction); one
 * without is an error, never a cell with a made-up key. */
static void keysum_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const keysum_ud *ud = sqlite3_user_data(cx);
    uint64_t *sum = sqlite3_aggregate_context(cx, (int)sizeof *sum);
    uint16_t key = 0;
    if (!sum) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return; /* count() leaves it out too */
    if (!ks_rkeys_get(ud->keys, ud->unit, sqlite3_value_int64(argv[0]), &key)) {
        sqlite3_result_error(cx,
                             "a unit without a record key: the database's record keys are incomplete (the next "
                             "'kasane import' or 'kasane threshold' draws the missing ones)",
                             -1);
        return;
    }
    *sum += key;
}

static void keysum_final(sqlite3_context *cx)
{
    const uint64_t *sum = sqlite3_aggregate_context(cx, 0);
    sqlite3_result_int64(cx, sum ? (sqlite3_int64)(*sum % KS_RKEY_RANGE) : 0);
}

enum { KEYSUM_RANDOM_BYTES = 16, KEYSUM_NAME_SIZE = 3 + 2 * KEYSUM_RANDOM_BYTES + 1 };

/* Registers the key-sum aggregate under a name nobody can guess, "ks_" and
 * 32 hex digits from the CSPRNG, into name.  Called after the analyst's
 * statement was prepared alone: that statement could not name the function
 * (it did not exist) and its text, put into the wrapper unchanged, still
 * cannot; had it been able to, it could read keys out as a category and
 * take the noise back off.  Removed by keysum_remove after the wrapper. */
static int keysum_register(sqlite3 *db, const ks_rkeys *keys, ks_rkey_unit unit, char name[KEYSUM_NAME_SIZE],
                           ks_error *err)
{
    unsigned char r[KEYSUM_RANDOM_BYTES];
    name[0] = '\0';
    int rc = ks_crypto_init(err);
    if (rc)
        return rc;
    randombytes_buf(r, sizeof r);
    memcpy(name, "ks_", 3);
    sodium_bin2hex(name + 3, KEYSUM_NAME_SIZE - 3, r, sizeof r);
    keysum_ud *ud = ks_malloc(sizeof *ud);
    ud->keys = keys;
    ud->unit = unit;
    /* SQLite frees ud when the function is removed, or at once on failure */
    if (sqlite3_create_function_v2(db, name, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, ud, NULL, keysum_step,
                                   keysum_final, free) != SQLITE_OK) {
        name[0] = '\0';
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    }
    return 0;
}

/* Removes it again (no statement is running: the wrapper is finalised). */
static void keysum_remove(sqlite3 *db, const char *name)
{
    if (name[0])
        sqlite3_create_function_v2(db, name, 1, SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL, NULL, NULL, NULL, NULL);
}

/* Moves the key-sum columns out of the grid: target[c] is, for a key-sum
 * column c, the count column (an index into the grid as it is) whose cells
 * get its values as their key sums (g->ksum, g->kset), and -1 for every
 * other column.  The table is built from the grid, and key sums must never
 * be printed (a group's key sum is as good as its records' keys).  A
 * value must be a non-negative integer, or in a library query's keysum
 * column NULL (no key). */
static int grid_move_keys(grid *g, const ks_query *q, const int *target, ks_error *err)
{
    size_t oc = g->ncols, nc = 0;
    size_t *newcol = ks_calloc(oc, sizeof *newcol); /* old index -> new index */
    for (size_t c = 0; c < oc; c++)
        if (target[c] < 0)
            newcol[c] = nc++;
    size_t cells = ks_mul(g->nrows ? g->nrows : 1, nc ? nc : 1);
    value *v = ks_calloc(cells, sizeof *v);
    uint64_t *ksum = ks_calloc(cells, sizeof *ksum);
    bool *kset = ks_calloc(cells, sizeof *kset);
    int rc = 0;
    for (size_t r = 0; r < g->nrows; r++) {
        value *row = &g->v[r * oc];
        for (size_t c = 0; c < oc; c++) {
            if (target[c] < 0) {
                v[r * nc + newcol[c]] = row[c];
                continue;
            }
            size_t cell = r * nc + newcol[target[c]];
            const ks_keysum *k = keysum_column(q, g->names[c]);
            if (row[c].type == SQLITE_INTEGER && row[c].i >= 0) {
                ksum[cell] = (uint64_t)row[c].i;
                kset[cell] = true;
            } else if ((row[c].type != SQLITE_NULL || !k) && !rc) {
                /* NULL is no key in a keysum column, never in the wrapper's */
                rc = k ? ks_error_set(err, KS_EUSAGE,
                                      "%s:%u: keysum '%s = %s': row %zu holds a key sum that is not a "
                                      "non-negative integer",
                                      q->path ? q->path : q->name, k->line, k->count, k->column, r + 1)
                       : ks_error_set(err, KS_EIO, "%s: a group without a key sum", q->name);
            }
            free(row[c].s);
        }
    }
    for (size_t c = 0, d = 0; c < oc; c++) {
        if (target[c] < 0)
            g->names[d++] = g->names[c];
        else
            free(g->names[c]);
    }
    free(g->v);
    g->v = v;
    g->cap = g->nrows;
    g->ncols = nc;
    free(g->ksum);
    free(g->kset);
    g->ksum = ksum;
    g->kset = kset;
    free(newcol);
    return rc;
}

/* The wrapper's last column, the key sums of its n (the column before). */
static int grid_take_keys(grid *g, const ks_query *q, ks_error *err)
{
    int *target = ks_calloc(g->ncols, sizeof *target);
    for (size_t c = 0; c < g->ncols; c++)
        target[c] = -1;
    target[g->ncols - 1] = (int)g->ncols - 2;
    int rc = grid_move_keys(g, q, target, err);
    free(target);
    return rc;
}

/* A library query's keysum columns (query.h), each into its count's cells. */
static int grid_take_keysums(grid *g, const ks_query *q, ks_error *err)
{
    if (!q->nkeysums)
        return 0;
    int *target = ks_calloc(g->ncols, sizeof *target);
    int rc = 0;
    for (size_t c = 0; c < g->ncols && !rc; c++) {
        const ks_keysum *k = keysum_column(q, g->names[c]);
        target[c] = k ? col_index(g, k->count) : -1;
        if (k && target[c] < 0) /* keysums_check saw to it; never keep the column */
            rc = ks_error_set(err, KS_EUSAGE, "%s:%u: keysum '%s = %s': the query returns no column '%s'",
                              q->path ? q->path : q->name, k->line, k->count, k->column, k->count);
    }
    if (!rc)
        rc = grid_move_keys(g, q, target, err);
    free(target);
    return rc;
}

/* Before any row is read: every keysum column and its count are columns of
 * the statement (a header error at the declaration's line otherwise), each
 * once. */
static int keysums_check(const ks_query *q, sqlite3_stmt *st, ks_error *err)
{
    for (size_t i = 0; i < q->nkeysums; i++) {
        const ks_keysum *k = &q->keysums[i];
        int ncol = 0, ncount = 0;
        for (int c = 0; c < sqlite3_column_count(st); c++) {
            ncol += strcmp(sqlite3_column_name(st, c), k->column) == 0;
            ncount += strcmp(sqlite3_column_name(st, c), k->count) == 0;
        }
        const char *missing = ncol == 0 ? k->column : ncount == 0 ? k->count : NULL;
        if (missing || ncol > 1 || ncount > 1)
            return ks_error_set(err, KS_EUSAGE, "%s:%u: keysum '%s = %s': %s '%s'", q->path ? q->path : q->name,
                                k->line, k->count, k->column,
                                missing ? "the query returns no column" : "the query returns more than one column",
                                missing ? missing : ncol > 1 ? k->column : k->count);
    }
    return 0;
}

/* Every value of a column to group by must be a category. */
static int adhoc_check_values(sqlite3 *db, const ks_query *q, const grid *g, ks_error *err)
{
    vocab voc = {0};
    int rc = vocab_load(db, &voc, err);
    for (size_t r = 0; r < g->nrows && !rc; r++)
        for (size_t c = 0; c + 1 < g->ncols && !rc; c++) {
            const char *why = not_category(&voc, &g->v[r * g->ncols + c]);
            if (why)
                rc = ks_error_set(err, KS_ESAFETY,
                                  "%s: column '%s' holds %s; the columns to group by in an ad-hoc aggregate may "
                                  "hold only categories: codes and labels of code tables, districts, partners and "
                                  "age bands, integers 0-99 or 1900-2100, months (YYYY-MM), fiscal years (FY2025, "
                                  "2025年度), or NULL",
                                  q->name, g->names[c], why);
        }
    vocab_release(&voc);
    return rc;
}

/* The ad-hoc aggregate: checks the statement's shape, wraps it, counts
 * (and with keys sums each group's record keys into g->ksum), checks every
 * dimension value.  *unit gets the unit's index into adhoc_units. */
static int adhoc_fetch(sqlite3 *db, run *R, const ks_rkeys *keys, grid *g, int *unit, ks_error *err)
{
    const ks_query *q = R->q;
    int rc = adhoc_header_ok(q, err);
    if (rc)
        return rc;
    adhoc_shape s;
    sqlite3_stmt *st = NULL;
    char keysum[KEYSUM_NAME_SIZE] = "";
    ks_buf sql;
    ks_buf_init(&sql);
    if ((rc = adhoc_shape_read(db, q, &s, err)) || (rc = adhoc_classify(q, &s, unit, err)))
        goto done;
    if (keys && (rc = keysum_register(db, keys, adhoc_units[*unit].rkey, keysum, err)))
        goto done;
    adhoc_wrap(&s, &adhoc_units[*unit], keys ? keysum : NULL, &sql);
    if ((rc = prepare_one(db, q, sql.buf, &st, NULL, err)) || (rc = bind_all(st, R, err)) ||
        (rc = fetch(db, st, R, KS_QUERY_MAX_GROUPS, "groups (the most an ad-hoc aggregate may have)", g, err)))
        goto done;
    if (keys && (rc = grid_take_keys(g, q, err)))
        goto done;
    rc = adhoc_check_values(db, q, g, err);
done:
    sqlite3_finalize(st);
    keysum_remove(db, keysum);
    adhoc_shape_release(&s);
    ks_buf_release(&sql);
    return rc;
}

/* An outside file may lay out kasane's counts as a pivot of its two
 * dimensions, without totals. */
static int adhoc_pivot_ok(const ks_query *q, const grid *g, ks_error *err)
{
    char rn[128], cn[128], nn[128];
    if (sscanf(q->pivot, " %127[^, ] , %127[^, ] , %127s", rn, cn, nn) != 3 || strcmp(nn, "n") != 0 ||
        g->ncols != 3 || col_index(g, rn) < 0 || col_index(g, cn) < 0 || strcmp(rn, cn) == 0)
        return ks_error_set(err, KS_EUSAGE,
                            "%s: outside the library a pivot lays out kasane's count: '-- pivot: ROW, COLUMN, n' "
                            "with ROW and COLUMN the statement's two columns besides the unit",
                            q->name);
    return 0;
}

void ks_query_notes_release(ks_query_notes *n)
{
    free(n->dates);
    free(n->unit);
    memset(n, 0, sizeof *n);
}

int ks_query_exec(sqlite3 *db, const ks_query *q, const ks_binding *b, size_t nb, ks_lang lang, ks_run_mode mode,
                  const ks_rkeys *keys, const ks_query_limits *lim, ks_table **out, ks_query_notes *notes,
                  ks_error *err)
{
    *out = NULL;
    if (notes)
        memset(notes, 0, sizeof *notes);
    if (mode == KS_RUN_ADHOC && !keys)
        return ks_error_set(err, KS_ESAFETY,
                            "%s: this database has no record keys yet (schema 3, read as it is); ad-hoc counts are "
                            "published only through the cell key method, which needs them: the next 'kasane "
                            "import' or 'kasane threshold' adds them",
                            q->name);
    run R = {.q = q, .b = b, .nb = nb, .timeout = lim ? lim->timeout : KS_QUERY_TIMEOUT,
             .max_rows = lim ? lim->max_rows : KS_QUERY_MAX_ROWS};
    ks_buf_init(&R.snapped);
    if (R.timeout > 0) {
        clock_gettime(CLOCK_MONOTONIC, &R.deadline);
        double whole = (double)(time_t)R.timeout;
        R.deadline.tv_sec += (time_t)whole;
        R.deadline.tv_nsec += (long)((R.timeout - whole) * 1e9);
        if (R.deadline.tv_nsec >= 1000000000L)
            R.deadline.tv_sec++, R.deadline.tv_nsec -= 1000000000L;
        sqlite3_progress_handler(db, 1000, on_progress, &R);
    }
    grid g = {0};
    ks_table *t = NULL;
    sqlite3_stmt *st = NULL;
    int unit = 0, rc = 0;
    ks_buf lsql;
    ks_buf_init(&lsql);
    if (mode == KS_RUN_ADHOC) {
        rc = adhoc_fetch(db, &R, keys, &g, &unit, err);
        if (rc == 0 && q->pivot)
            rc = adhoc_pivot_ok(q, &g, err);
    } else if ((rc = library_sql(db, q, &lsql, err)) == 0 && (rc = prepare_one(db, q, lsql.buf, &st, NULL, err)) == 0 &&
               (rc = keysums_check(q, st, err)) == 0 && (rc = bind_all(st, &R, err)) == 0 &&
               (rc = fetch(db, st, &R, R.max_rows, "rows (--max-rows N raises the limit)", &g, err)) == 0) {
        rc = grid_take_keysums(&g, q, err);
    }
    sqlite3_finalize(st);
    ks_buf_release(&lsql);
    if (rc == 0) {
        t = ks_table_new();
        if (mode == KS_RUN_ROWS || !q->pivot)
            rc = build_plain(q, &g, lang, mode != KS_RUN_ROWS, t, err);
        else
            rc = build_pivot(q, q->pivot, mode == KS_RUN_LIBRARY && q->totals, &g, lang, t, err);
    }
    if (R.timeout > 0)
        sqlite3_progress_handler(db, 0, NULL, NULL);
    grid_release(&g);
    if (rc == 0 && notes) {
        if (R.snapped.len) {
            ks_buf msg;
            ks_buf_init(&msg);
            ks_buf_addf(&msg, "dates snapped to whole months: %s", R.snapped.buf);
            notes->dates = ks_buf_detach(&msg, NULL);
        }
        if (mode == KS_RUN_ADHOC)
            notes->unit = ks_strdup(adhoc_units[unit].word);
    }
    ks_buf_release(&R.snapped);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

/* Whether a prepared query would be aggregate, from its column names alone
 * (used to decide on the consent filter before any row is read). */
int ks_query_columns_aggregate(sqlite3 *db, const ks_query *q, ks_error *err)
{
    if (q->pivot)
        return 1;
    sqlite3_stmt *st = NULL;
    ks_buf sql;
    ks_buf_init(&sql);
    int rc = library_sql(db, q, &sql, err);
    if (rc == 0 && (sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL) != SQLITE_OK || !st))
        rc = ks_error_set(err, sqlite3_errcode(db) == SQLITE_AUTH ? KS_ESAFETY : KS_EUSAGE, "%s: %s",
                          q->path ? q->path : q->name, st ? "no statement" : sqlite3_errmsg(db));
    ks_buf_release(&sql);
    if (rc) {
        sqlite3_finalize(st);
        return rc;
    }
    int agg = 0;
    for (int c = 0; c < sqlite3_column_count(st); c++)
        agg |= declared_count(q, sqlite3_column_name(st, c));
    sqlite3_finalize(st);
    return agg;
}
