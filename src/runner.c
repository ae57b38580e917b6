/* runner.c: one query file (or ad-hoc SQL) -> one ks_table.
 *
 * Rows are gathered first and the table built after, because a column's type
 * is only known from its values (SQLite declares none for expressions). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kasane/date.h"
#include "kasane/query.h"
#include "kasane/text.h"

typedef struct value {
    int type;     /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
    int64_t i;    /* integer */
    double r;     /* float */
    char *s;      /* text, owned */
} value;

typedef struct grid {
    char **names; /* column names [ncols] */
    size_t ncols;
    value *v;     /* row-major [nrows * ncols] */
    size_t nrows, cap;
} grid;

static void grid_release(grid *g)
{
    for (size_t i = 0; i < g->nrows * g->ncols; i++)
        free(g->v[i].s);
    free(g->v);
    for (size_t i = 0; i < g->ncols; i++)
        free(g->names[i]);
    free(g->names);
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

static int bind_one(sqlite3_stmt *st, int idx, const ks_param *p, const char *v, const char *qname,
                    ks_error *err)
{
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
        char iso[11];
        if (ks_date_parse(v, strlen(v), &d) != KS_DATE_OK)
            return ks_error_set(err, KS_EUSAGE, "%s: parameter '%s' must be a date (YYYY-MM-DD)", qname, p->name);
        ks_date_format(d, iso);
        sqlite3_bind_text(st, idx, iso, -1, SQLITE_TRANSIENT);
        return 0;
    }
    default:
        sqlite3_bind_text(st, idx, v, -1, SQLITE_TRANSIENT);
        return 0;
    }
}

static int bind_all(sqlite3_stmt *st, const ks_query *q, const ks_binding *b, size_t nb, ks_error *err)
{
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
        rc = bind_one(st, i, p, v, q->name, err);
    }
    ks_buf_release(&msg);
    return rc;
}

static int fetch(sqlite3 *db, const ks_query *q, const ks_binding *b, size_t nb, grid *g, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = 0;
    if (sqlite3_prepare_v2(db, q->sql, -1, &st, &tail) != SQLITE_OK || !st) {
        const char *m = st ? sqlite3_errmsg(db) : (sqlite3_errcode(db) ? sqlite3_errmsg(db) : "no SQL statement");
        int off = sqlite3_error_offset(db);
        if (off >= 0 && st == NULL && sqlite3_errcode(db)) {
            unsigned line = 1, col = 1;
            for (int i = 0; i < off && q->sql[i]; i++, col++)
                if (q->sql[i] == '\n')
                    line++, col = 0;
            rc = ks_error_set(err, sqlite3_errcode(db) == SQLITE_AUTH ? KS_ESAFETY : KS_EUSAGE, "%s:%u:%u: %s",
                              q->path ? q->path : q->name, line, col, m);
        } else {
            rc = ks_error_set(err, sqlite3_errcode(db) == SQLITE_AUTH ? KS_ESAFETY : KS_EUSAGE, "%s: %s",
                              q->path ? q->path : q->name, m);
        }
        goto done;
    }
    if (!only_trailing_comments(tail)) {
        rc = ks_error_set(err, KS_EUSAGE, "%s: one statement only (found more after the first ';')", q->name);
        goto done;
    }
    if (!sqlite3_stmt_readonly(st)) {
        rc = ks_error_set(err, KS_ESAFETY, "%s: only reading statements are allowed", q->name);
        goto done;
    }
    if ((rc = bind_all(st, q, b, nb, err)))
        goto done;
    g->ncols = (size_t)sqlite3_column_count(st);
    g->names = ks_calloc(g->ncols, sizeof *g->names);
    for (size_t c = 0; c < g->ncols; c++)
        g->names[c] = ks_strdup(sqlite3_column_name(st, (int)c));
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        value *r = grid_row(g);
        for (size_t c = 0; c < g->ncols; c++) {
            r[c].type = sqlite3_column_type(st, (int)c);
            switch (r[c].type) {
            case SQLITE_INTEGER: r[c].i = sqlite3_column_int64(st, (int)c); break;
            case SQLITE_FLOAT: r[c].r = sqlite3_column_double(st, (int)c); break;
            case SQLITE_NULL: break;
            default:
                r[c].type = SQLITE_TEXT; /* blobs (pseudonyms) are shown as hex text */
                if (sqlite3_column_type(st, (int)c) == SQLITE_BLOB) {
                    const unsigned char *p = sqlite3_column_blob(st, (int)c);
                    int n = sqlite3_column_bytes(st, (int)c);
                    char *hex = ks_malloc((size_t)n * 2 + 1);
                    for (int i = 0; i < n; i++)
                        snprintf(hex + 2 * i, 3, "%02x", p[i]);
                    hex[2 * n] = '\0';
                    r[c].s = hex;
                } else {
                    r[c].s = ks_strdup((const char *)sqlite3_column_text(st, (int)c));
                }
            }
        }
    }
    if (step != SQLITE_DONE)
        rc = ks_error_set(err, sqlite3_errcode(db) == SQLITE_AUTH ? KS_ESAFETY : KS_EIO, "%s: %s", q->name,
                          sqlite3_errmsg(db));
done:
    sqlite3_finalize(st);
    return rc;
}

static int col_index(const grid *g, const char *name)
{
    for (size_t c = 0; c < g->ncols; c++)
        if (strcmp(g->names[c], name) == 0)
            return (int)c;
    return -1;
}

static int declared_count(const ks_query *q, const char *name)
{
    for (size_t i = 0; i < q->ncounts; i++)
        if (strcmp(q->counts[i], name) == 0)
            return 1;
    return strcmp(name, "n") == 0 || strncmp(name, "n_", 2) == 0;
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
        if (t == SQLITE_TEXT)
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
    case SQLITE_TEXT: return ks_table_set_text(t, r, c, v->s, err);
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
        if (rc)
            return rc;
        ks_table_set_digits(t, (size_t)c, 1, NULL);
    }
    return 0;
}

static int build_plain(const ks_query *q, const grid *g, ks_lang lang, ks_table *t, ks_error *err)
{
    int rc = 0;
    for (size_t c = 0; c < g->ncols && !rc; c++) {
        char *label = label_for(q, g->names[c], lang);
        int idx = ks_table_add_column(t, g->names[c], label, grid_type(g, c), err);
        free(label);
        if (idx < 0)
            return idx;
        if (declared_count(q, g->names[c]))
            rc = ks_table_set_count(t, (size_t)idx, err);
    }
    if (!rc)
        rc = apply_shares(q, t, g, err);
    for (size_t r = 0; r < g->nrows && !rc; r++) {
        size_t row = ks_table_add_row(t);
        for (size_t c = 0; c < g->ncols && !rc; c++)
            rc = set_value(t, row, c, &g->v[r * g->ncols + c], err);
    }
    if (!rc && q->total_row && g->nrows > 0)
        rc = ks_table_set_totals(t, (long)g->nrows - 1, -1, err);
    return rc;
}

static const char *value_text(const value *v, char buf[32])
{
    switch (v->type) {
    case SQLITE_INTEGER: snprintf(buf, 32, "%lld", (long long)v->i); return buf;
    case SQLITE_FLOAT: snprintf(buf, 32, "%g", v->r); return buf;
    case SQLITE_TEXT: return v->s;
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

/* long (row key, column key, count) -> wide, keys in order of first appearance */
static int build_pivot(const ks_query *q, const grid *g, ks_lang lang, ks_table *t, ks_error *err)
{
    char rn[128], cn[128], nn[128];
    if (sscanf(q->pivot, " %127[^, ] , %127[^, ] , %127s", rn, cn, nn) != 3)
        return ks_error_set(err, KS_EUSAGE, "%s: pivot needs 'row, column, count'", q->name);
    int ri = col_index(g, rn), ci = col_index(g, cn), ni = col_index(g, nn);
    if (ri < 0 || ci < 0 || ni < 0)
        return ks_error_set(err, KS_EUSAGE, "%s: pivot names a column the query does not return", q->name);
    char **rk = NULL, **ck = NULL;
    size_t nr = 0, nc = 0;
    int64_t *cells = NULL;
    int rc = 0;
    for (size_t pass = 0; pass < 2 && !rc; pass++) {
        if (pass == 1)
            cells = ks_calloc(ks_mul(nr, nc) + 1, sizeof *cells);
        for (size_t r = 0; r < g->nrows; r++) {
            char b1[32], b2[32];
            const value *row = &g->v[r * g->ncols];
            const char *a = value_text(&row[ri], b1), *bb = value_text(&row[ci], b2);
            if (pass == 0) {
                if (find_key(rk, nr, a) < 0) {
                    rk = ks_realloc(rk, ks_mul(nr + 1, sizeof *rk));
                    rk[nr++] = ks_strdup(a);
                }
                if (find_key(ck, nc, bb) < 0) {
                    ck = ks_realloc(ck, ks_mul(nc + 1, sizeof *ck));
                    ck[nc++] = ks_strdup(bb);
                }
            } else {
                if (row[ni].type != SQLITE_INTEGER) {
                    rc = ks_error_set(err, KS_EUSAGE, "%s: pivot count column '%s' must hold integers", q->name, nn);
                    break;
                }
                cells[(size_t)find_key(rk, nr, a) * nc + (size_t)find_key(ck, nc, bb)] += row[ni].i;
            }
        }
    }
    if (rc)
        goto done;
    char *label = label_for(q, rn, lang);
    if ((rc = ks_table_add_column(t, rn, label, KS_COL_TEXT, err)) < 0) {
        free(label);
        goto done;
    }
    free(label);
    rc = 0;
    for (size_t c = 0; c < nc + (q->totals ? 1 : 0) && !rc; c++) {
        const char *name = c < nc ? ck[c] : (lang == KS_LANG_EN ? "Total" : "合計");
        int idx = ks_table_add_column(t, name, NULL, KS_COL_INT, err);
        rc = idx < 0 ? idx : ks_table_set_count(t, (size_t)idx, err);
    }
    for (size_t r = 0; r < nr + (q->totals ? 1 : 0) && !rc; r++) {
        size_t row = ks_table_add_row(t);
        rc = ks_table_set_text(t, row, 0, r < nr ? rk[r] : (lang == KS_LANG_EN ? "Total" : "合計"), err);
        int64_t rowsum = 0;
        for (size_t c = 0; c < nc && !rc; c++) {
            int64_t v = 0;
            if (r < nr) {
                v = cells[r * nc + c];
            } else {
                for (size_t k = 0; k < nr; k++)
                    v += cells[k * nc + c];
            }
            rowsum += v;
            rc = ks_table_set_int(t, row, c + 1, v, err);
        }
        if (q->totals && !rc)
            rc = ks_table_set_int(t, row, nc + 1, rowsum, err);
    }
    if (q->totals && !rc)
        rc = ks_table_set_totals(t, (long)nr, (long)nc + 1, err);
done:
    for (size_t i = 0; i < nr; i++)
        free(rk[i]);
    for (size_t i = 0; i < nc; i++)
        free(ck[i]);
    free(rk);
    free(ck);
    free(cells);
    return rc;
}

int ks_query_exec(sqlite3 *db, const ks_query *q, const ks_binding *b, size_t nb, ks_lang lang, ks_table **out,
                  ks_error *err)
{
    *out = NULL;
    grid g = {0};
    int rc = fetch(db, q, b, nb, &g, err);
    ks_table *t = NULL;
    if (rc == 0) {
        t = ks_table_new();
        rc = q->pivot ? build_pivot(q, &g, lang, t, err) : build_plain(q, &g, lang, t, err);
    }
    grid_release(&g);
    if (rc) {
        ks_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

bool ks_table_is_aggregate(const ks_table *t)
{
    for (size_t c = 0; c < ks_table_ncols(t); c++)
        if (ks_table_column(t, c)->is_count)
            return true;
    return false;
}

/* Whether a prepared query would be aggregate, from its column names alone
 * (used to decide on the consent filter before any row is read). */
int ks_query_columns_aggregate(sqlite3 *db, const ks_query *q, ks_error *err)
{
    if (q->pivot)
        return 1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, q->sql, -1, &st, NULL) != SQLITE_OK || !st) {
        int rc = ks_error_set(err, sqlite3_errcode(db) == SQLITE_AUTH ? KS_ESAFETY : KS_EUSAGE, "%s: %s",
                              q->path ? q->path : q->name, st ? "no statement" : sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return rc;
    }
    int agg = 0;
    for (int c = 0; c < sqlite3_column_count(st); c++)
        agg |= declared_count(q, sqlite3_column_name(st, c));
    sqlite3_finalize(st);
    return agg;
}
