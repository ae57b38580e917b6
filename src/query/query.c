/* query.c: query files — the comment header, the search path, listing. */
#include "query.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "weaken.h"

#ifndef KASANE_QUERY_DIR
#define KASANE_QUERY_DIR "queries"
#endif

const char *ks_query_builtin_dir(void) { return KASANE_QUERY_DIR; }

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ks_query_free(ks_query *q)
{
    if (!q)
        return;
    free(q->name);
    free(q->path);
    free(q->title);
    free(q->title_en);
    free(q->description);
    for (size_t i = 0; i < q->nparams; i++) {
        free(q->params[i].name);
        free(q->params[i].def);
        free(q->params[i].help);
    }
    free(q->params);
    free_list(q->counts, q->ncounts);
    free_list(q->shares, q->nshares);
    free_list(q->labels, q->nlabels);
    for (size_t i = 0; i < q->nkeysums; i++) {
        free(q->keysums[i].count);
        free(q->keysums[i].column);
    }
    free(q->keysums);
    free(q->pivot);
    free(q->sql);
    free(q->shadowed);
    free(q);
}

static char *trim_dup(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    return ks_strndup(s, n);
}

static void push(char ***v, size_t *n, char *s)
{
    *v = ks_realloc(*v, ks_mul(*n + 1, sizeof **v));
    (*v)[(*n)++] = s;
}

static int is_yes(const char *s) { return strcmp(s, "yes") == 0 || strcmp(s, "true") == 0 || strcmp(s, "1") == 0; }

/* "name type [default] [(help)]" */
static int parse_param(ks_query *q, const char *v, const char *where, ks_error *err)
{
    char *s = ks_strdup(v), *help = NULL;
    char *paren = strchr(s, '(');
    if (paren) {
        char *close = strrchr(paren, ')');
        if (close)
            *close = '\0';
        help = trim_dup(paren + 1, strlen(paren + 1));
        *paren = '\0';
    }
    char *save = NULL;
    char *name = strtok_r(s, " \t", &save), *type = strtok_r(NULL, " \t", &save);
    char *def = strtok_r(NULL, " \t", &save);
    int rc = 0;
    ks_param_type t = KS_PARAM_TEXT;
    if (!name || !type) {
        rc = ks_error_set(err, KS_EUSAGE, "%s: param needs 'name type [default]'", where);
    } else if (strcmp(type, "int") == 0) {
        t = KS_PARAM_INT;
    } else if (strcmp(type, "real") == 0) {
        t = KS_PARAM_REAL;
    } else if (strcmp(type, "date") == 0) {
        t = KS_PARAM_DATE;
    } else if (strcmp(type, "text") != 0) {
        rc = ks_error_set(err, KS_EUSAGE, "%s: unknown parameter type '%s' (int, real, text, date)", where, type);
    }
    for (const char *p = name; rc == 0 && *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            rc = ks_error_set(err, KS_EUSAGE, "%s: bad parameter name '%s'", where, name);
    if (rc == 0) {
        q->params = ks_realloc(q->params, ks_mul(q->nparams + 1, sizeof *q->params));
        ks_param *p = &q->params[q->nparams++];
        p->name = ks_strdup(name);
        p->type = t;
        p->def = def ? ks_strdup(def) : NULL;
        p->help = help;
        help = NULL;
    }
    free(help);
    free(s);
    return rc;
}

static int is_ident(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

/* "count = column[, count = column ...]" (line: the header line). */
static int parse_keysum(ks_query *q, const char *v, unsigned line, const char *where, ks_error *err)
{
    char *s = ks_strdup(v), *save = NULL;
    int rc = 0, any = 0;
    for (char *pair = strtok_r(s, ",", &save); pair && !rc; pair = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(pair, '=');
        char *count = eq ? trim_dup(pair, (size_t)(eq - pair)) : NULL;
        char *column = eq ? trim_dup(eq + 1, strlen(eq + 1)) : NULL;
        if (!eq || !is_ident(count) || !is_ident(column)) {
            rc = ks_error_set(err, KS_EUSAGE, "%s: keysum needs 'count = column' (column names), got '%s'", where,
                              pair);
            free(count);
            free(column);
            break;
        }
        q->keysums = ks_realloc(q->keysums, ks_mul(q->nkeysums + 1, sizeof *q->keysums));
        q->keysums[q->nkeysums++] = (ks_keysum){count, column, line};
        any = 1;
    }
    if (!rc && !any)
        rc = ks_error_set(err, KS_EUSAGE, "%s: keysum needs 'count = column'", where);
    free(s);
    return rc;
}

/* One "-- key: value" line of the header into q; *val is taken when kept.
 * Other keys are ordinary comments. */
static int header_key(ks_query *q, const char *key, char **val, unsigned line, const char *where, ks_error *err)
{
    char **text = strcmp(key, "title") == 0         ? &q->title
                  : strcmp(key, "title_en") == 0    ? &q->title_en
                  : strcmp(key, "description") == 0 ? &q->description
                  : strcmp(key, "pivot") == 0       ? &q->pivot
                                                    : NULL;
    if (text) {
        free(*text);
        *text = *val, *val = NULL;
    } else if (strcmp(key, "param") == 0) {
        return parse_param(q, *val, where, err);
    } else if (strcmp(key, "count") == 0) {
        char *save = NULL;
        for (char *t = strtok_r(*val, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
            push(&q->counts, &q->ncounts, ks_strdup(t));
    } else if (strcmp(key, "share") == 0) {
        push(&q->shares, &q->nshares, *val), *val = NULL;
    } else if (strcmp(key, "column") == 0) {
        push(&q->labels, &q->nlabels, *val), *val = NULL;
    } else if (strcmp(key, "totals") == 0) {
        q->totals = is_yes(*val);
    } else if (strcmp(key, "total-row") == 0) {
        q->total_row = is_yes(*val);
    } else if (strcmp(key, "keysum") == 0) {
        return parse_keysum(q, *val, line, where, err);
    }
    return 0;
}

/* One comment line of the header, c..end after its "--" (line: its number
 * for messages), into q. */
static int header_line(ks_query *q, const char *c, const char *end, unsigned line, ks_error *err)
{
    const char *colon = memchr(c, ':', (size_t)(end - c));
    if (!colon)
        return 0;
    char where[512];
    snprintf(where, sizeof where, "%s:%u", q->path ? q->path : q->name, line);
    char *key = trim_dup(c, (size_t)(colon - c));
    char *val = trim_dup(colon + 1, (size_t)(end - colon - 1));
    int rc = header_key(q, key, &val, line, where, err);
    free(key);
    free(val);
    return rc;
}

/* Whether name is one of the pivot's "row, column, count" (which: 0, 1, 2;
 * -1 for any). */
static int pivot_names(const ks_query *q, const char *name, int which)
{
    char part[3][128];
    if (!q->pivot || sscanf(q->pivot, " %127[^, ] , %127[^, ] , %127s", part[0], part[1], part[2]) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if ((which < 0 || which == i) && strcmp(part[i], name) == 0)
            return 1;
    return 0;
}

/* Whether name is in v[n]. */
static int declared(char **v, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], name) == 0)
            return 1;
    return 0;
}

/* The keysum declarations against the rest of the header (which may come
 * in any order): each names a count of the query (the pivot's count, or a
 * declared or n/n_* column without a pivot) and a column of its own. */
static int check_keysums(const ks_query *q, ks_error *err)
{
    for (size_t i = 0; i < q->nkeysums; i++) {
        const ks_keysum *k = &q->keysums[i];
        const char *where = q->path ? q->path : q->name, *why = NULL;
        bool count_ok = q->pivot ? pivot_names(q, k->count, 2)
                                 : declared(q->counts, q->ncounts, k->count) ||
                                       strcmp(k->count, "n") == 0 || strncmp(k->count, "n_", 2) == 0;
        if (!count_ok)
            why = q->pivot ? "is not the pivot's count" : "is not a declared count (-- count:, n or n_*)";
        if (why)
            return ks_error_set(err, KS_EUSAGE, "%s:%u: keysum '%s = %s': '%s' %s", where, k->line, k->count,
                                k->column, k->count, why);
        if (strcmp(k->column, k->count) == 0 || declared(q->counts, q->ncounts, k->column))
            why = "is a count";
        else if (pivot_names(q, k->column, -1))
            why = "is a column of the pivot";
        for (size_t j = 0; j < q->nshares && !why; j++) {
            char col[128], num[128], den[128] = "";
            if (sscanf(q->shares[j], " %127[^= ] = %127[^/ ] / %127s", col, num, den) < 2)
                sscanf(q->shares[j], " %127[^= ] = %127s", col, num);
            if (strcmp(col, k->column) == 0 || strcmp(num, k->column) == 0 || strcmp(den, k->column) == 0)
                why = "is named by a share";
        }
        for (size_t j = 0; j < i && !why; j++) {
            if (strcmp(q->keysums[j].column, k->column) == 0)
                why = "holds the keys of another count too";
            else if (strcmp(q->keysums[j].count, k->column) == 0)
                why = "is both a count and a keysum column";
            else if (strcmp(q->keysums[j].column, k->count) == 0)
                return ks_error_set(err, KS_EUSAGE, "%s:%u: keysum '%s = %s': '%s' is both a count and a keysum column",
                                    where, k->line, k->count, k->column, k->count);
            else if (strcmp(q->keysums[j].count, k->count) == 0)
                return ks_error_set(err, KS_EUSAGE, "%s:%u: keysum '%s = %s': count '%s' has a keysum already",
                                    where, k->line, k->count, k->column, k->count);
        }
        if (why)
            return ks_error_set(err, KS_EUSAGE, "%s:%u: keysum '%s = %s': column '%s' %s", where, k->line,
                                k->count, k->column, k->column, why);
    }
    return 0;
}

ks_query *ks_query_parse(const char *name, const char *path, const char *text, ks_error *err)
{
    ks_query *q = ks_calloc(1, sizeof *q);
    q->name = ks_strdup(name);
    q->path = path ? ks_strdup(path) : NULL;
    q->sql = ks_strdup(text);
    const char *p = text;
    unsigned line = 1;
    /* the header: comment and blank lines up to the statement */
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *s = p;
        while (s < p + len && isspace((unsigned char)*s))
            s++;
        if (s < p + len && strncmp(s, "--", 2) != 0)
            break; /* the statement starts here */
        if (s < p + len && header_line(q, s + 2, p + len, line, err)) {
            ks_query_free(q);
            return NULL;
        }
        line++;
        if (!eol)
            break;
        p = eol + 1;
    }
    q->sql_line = line;
    if (check_keysums(q, err)) {
        ks_query_free(q);
        return NULL;
    }
    if (!q->title)
        q->title = ks_strdup(q->name);
    if (!q->title_en)
        q->title_en = ks_strdup(q->title);
    if (!q->description)
        q->description = ks_strdup("");
    return q;
}

static int read_all(const char *path, ks_buf *out, ks_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ks_error_set(err, KS_EUSAGE, "cannot open '%s': %s", path, strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ks_buf_add(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return ks_error_set(err, KS_EIO, "cannot read '%s'", path);
    return 0;
}

ks_query *ks_query_load(const char *path, ks_error *err)
{
    ks_buf text;
    ks_buf_init(&text);
    ks_query *q = NULL;
    if (read_all(path, &text, err) == 0) {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        size_t n = strlen(base);
        char *name = ks_strndup(base, n > 4 && strcmp(base + n - 4, ".sql") == 0 ? n - 4 : n);
        q = ks_query_parse(name, path, text.buf, err);
        free(name);
    }
    ks_buf_release(&text);
    return q;
}

/* The search path as a list of directories, in order. */
static size_t search_dirs(const char *dir, char ***out)
{
    char **v = NULL;
    size_t n = 0;
    if (dir)
        push(&v, &n, ks_strdup(dir));
    const char *env = getenv("KASANE_QUERY_PATH");
    if (env && *env) {
        char *copy = ks_strdup(env), *save = NULL;
        for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
            push(&v, &n, ks_strdup(t));
        free(copy);
    }
    push(&v, &n, ks_strdup(ks_query_builtin_dir()));
    *out = v;
    return n;
}

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int ends_sql(const char *name)
{
    size_t len = strlen(name);
    return len > 4 && strcmp(name + len - 4, ".sql") == 0;
}

/* Whether path is a file of the built-in directory (a library query). */
static int in_library(const char *path)
{
    char *dir = realpath(ks_query_builtin_dir(), NULL), *file = realpath(path, NULL);
    int in = 0;
    if (dir && file) {
        size_t n = strlen(dir);
        in = strncmp(file, dir, n) == 0 && file[n] == '/' && !strchr(file + n + 1, '/');
    }
    free(dir);
    free(file);
    return in;
}

/* "DIR/NAME.sql" into path; name may already end in .sql. */
static void query_path(ks_buf *path, const char *dir, const char *name)
{
    ks_buf_reset(path);
    ks_buf_addf(path, "%s/%s%s", dir, name, ends_sql(name) ? "" : ".sql");
}

/* NAME.sql in each directory of the search path but the last (the
 * library's) when all_dirs is false, first found. */
static ks_query *find_in_path(const char *name, const char *dir, bool all_dirs, ks_error *err)
{
    char **dirs = NULL;
    size_t nd = search_dirs(dir, &dirs);
    ks_buf path;
    ks_buf_init(&path);
    ks_query *q = NULL;
    for (size_t i = 0; i + (all_dirs ? 0 : 1) < nd && !q; i++) {
        query_path(&path, dirs[i], name);
        if (is_file(path.buf))
            q = ks_query_load(path.buf, err);
    }
    ks_buf_release(&path);
    free_list(dirs, nd);
    return q;
}

/* The old search (weakened "shadow"): the first file found wins, the
 * library's name or not. */
static ks_query *find_first(const char *name, const char *dir, bool direct, ks_error *err)
{
    ks_query *q = direct && is_file(name) ? ks_query_load(name, err) : find_in_path(name, dir, true, err);
    if (q)
        q->library = true;
    return q;
}

/* The outside file of the library's name that a library query wins over:
 * NAME itself when given as a file, else the first in the search path
 * before the library.  Kept in q->shadowed, to say it was not run. */
static void note_shadowed(ks_query *q, const char *name, const char *dir, bool direct)
{
    ks_buf other;
    ks_buf_init(&other);
    if (direct && is_file(name)) {
        ks_buf_adds(&other, name);
    } else {
        char **dirs = NULL;
        size_t nd = search_dirs(dir, &dirs);
        for (size_t i = 0; i + 1 < nd && !other.len; i++) {
            query_path(&other, dirs[i], name);
            if (!is_file(other.buf))
                ks_buf_reset(&other);
        }
        free_list(dirs, nd);
    }
    if (other.len && !in_library(other.buf))
        q->shadowed = ks_buf_detach(&other, NULL);
    ks_buf_release(&other);
}

/* A path: only a regular file named *.sql is read, and a refusal never
 * shows what the file holds (query run ../../etc/passwd). */
static ks_query *find_file(const char *name, ks_error *err)
{
    ks_query *q = NULL;
    if (!ends_sql(name))
        ks_error_set(err, KS_EUSAGE, "'%s' is not a query file: a query file's name ends in .sql", name);
    else if (!is_file(name))
        ks_error_set(err, KS_EUSAGE, "'%s' is not a regular file", name);
    else if ((q = ks_query_load(name, err)) != NULL)
        q->library = in_library(name);
    return q;
}

/* A library name wins: only the built-in directory is asked.  Returns
 * whether the library has a file of that name (*q: it loaded, or NULL after
 * an error). */
static bool find_library(const char *name, const char *dir, bool direct, ks_query **q, ks_error *err)
{
    if (strchr(name, '/'))
        return false;
    ks_buf path;
    ks_buf_init(&path);
    query_path(&path, ks_query_builtin_dir(), name);
    bool found = is_file(path.buf);
    if (found && (*q = ks_query_load(path.buf, err)) != NULL) {
        (*q)->library = true;
        note_shadowed(*q, name, dir, direct);
    }
    ks_buf_release(&path);
    return found;
}

ks_query *ks_query_find(const char *name, const char *dir, ks_error *err)
{
    bool direct = strchr(name, '/') != NULL || ends_sql(name);
    ks_query *q = NULL;
    if (ks_weakened("shadow"))
        q = find_first(name, dir, direct, err);
    else if (!find_library(name, dir, direct, &q, err))
        q = direct ? find_file(name, err) : find_in_path(name, dir, false, err);
    if (!q && err && !err->code)
        ks_error_set(err, KS_EUSAGE, "no query named '%s'; see 'kasane query list'", name);
    return q;
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(ks_query *const *)a)->name, (*(ks_query *const *)b)->name);
}

int ks_query_list(const char *dir, ks_query ***out, size_t *n, ks_error *err)
{
    char **dirs;
    size_t nd = search_dirs(dir, &dirs);
    if (!ks_weakened("shadow") && nd > 1) {
        /* the library first: its names win over outside files */
        char *lib = dirs[nd - 1];
        memmove(dirs + 1, dirs, (nd - 1) * sizeof *dirs);
        dirs[0] = lib;
    }
    ks_query **v = NULL;
    size_t count = 0;
    int rc = 0;
    ks_buf path;
    ks_buf_init(&path);
    for (size_t i = 0; i < nd && rc == 0; i++) {
        DIR *d = opendir(dirs[i]);
        if (!d)
            continue;
        struct dirent *e;
        while ((e = readdir(d)) && rc == 0) {
            size_t len = strlen(e->d_name);
            if (len <= 4 || strcmp(e->d_name + len - 4, ".sql") != 0)
                continue;
            int dup = 0;
            for (size_t j = 0; j < count; j++)
                dup |= strncmp(v[j]->name, e->d_name, len - 4) == 0 && v[j]->name[len - 4] == '\0';
            if (dup)
                continue; /* earlier directories win */
            ks_buf_reset(&path);
            ks_buf_addf(&path, "%s/%s", dirs[i], e->d_name);
            ks_query *q = ks_query_load(path.buf, err);
            if (!q) {
                rc = -KS_EUSAGE;
                break;
            }
            q->library = in_library(path.buf);
            v = ks_realloc(v, ks_mul(count + 1, sizeof *v));
            v[count++] = q;
        }
        closedir(d);
    }
    ks_buf_release(&path);
    free_list(dirs, nd);
    if (rc) {
        ks_query_list_free(v, count);
        return rc;
    }
    if (count)
        qsort(v, count, sizeof *v, by_name);
    *out = v;
    *n = count;
    return 0;
}

void ks_query_list_free(ks_query **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ks_query_free(v[i]);
    free(v);
}
