/* cmd_query.c: `kasane query list | show | run | sql` — the verbs in the table below */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "output.h"
#include "query.h"
#include "render.h"
#include "weaken.h"

enum { O_PARAM = 300, O_DIR, O_ROWLEVEL, O_TIMEOUT, O_MAXROWS };

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    KS_CLI_OPT_DB_ROW,
    {"param", O_PARAM, "NAME=VALUE", "bind a parameter (repeatable); types are checked"},
    {"dir", O_DIR, "DIR", "look for queries outside the library in DIR first"},
    {"row-level", O_ROWLEVEL, NULL, "print the rows (of cases with consent) as returned"},
    {"timeout", O_TIMEOUT, "SECONDS", "stop a query after SECONDS (default 60)"},
    {"max-rows", O_MAXROWS, "N", "refuse a result of more than N rows (default 100000)"},
    KS_CLI_OPT_HELP_ROW,
    KS_CLI_OUTPUT_ROWS,
};

/* What the options asked for. */
typedef struct query_opts {
    const char *dir;     /* --dir: outside queries looked up there first */
    int row_level;       /* --row-level */
    ks_query_limits lim; /* --timeout, --max-rows */
    ks_binding *b;       /* --param values [nb], owned */
    size_t nb;           /* how many */
} query_opts;

static int verb_list(ks_cli_ctx *ctx, const query_opts *o, const ks_query *q);
static int verb_show(ks_cli_ctx *ctx, const query_opts *o, const ks_query *q);
static int verb_run(ks_cli_ctx *ctx, const query_opts *o, const ks_query *q);

/* The sub-verbs: dispatch, the argument check and its message, the usage
 * lines of --help and the lists in the errors all come from here. */
typedef struct verb {
    const char *name;  /* "run" */
    const char *usage; /* what follows "kasane query NAME" in the usage lines */
    const char *arg;   /* its one argument, as the arity error names it; NULL: it takes none */
    bool sql;          /* that argument is SQL text, not a query's name or file */
    int (*fn)(ks_cli_ctx *ctx, const query_opts *o, const ks_query *q); /* q: NULL without arg */
} verb;

static const verb verbs[] = {
    {"list", "[--dir DIR]", NULL, false, verb_list},
    {"show", "NAME", "query name", false, verb_show},
    {"run", "NAME|FILE.sql [--param name=value ...] [--db FILE] [options]", "query name", false, verb_run},
    {"sql", "\"SELECT ...\" [--param name=value ...] [--db FILE] [options]", "SQL string", true, verb_run},
};

static void usage_lines(FILE *out)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(verbs); i++)
        fprintf(out, "%s kasane query %s %s\n", i ? "      " : "usage:", verbs[i].name, verbs[i].usage);
    fputc('\n', out);
}

/* The verbs' names, "list, show, run, sql"; `last` between the last two. */
static void verb_names(ks_buf *b, const char *last)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(verbs); i++)
        ks_buf_addf(b, "%s%s", i == 0 ? "" : i + 1 < KS_ARRAY_LEN(verbs) ? ", " : last, verbs[i].name);
}

static const ks_cli_spec spec = {
    .usage_lines = usage_lines,
    .usage = "Runs SQL against the pseudonymised database, read-only, with disclosure\n"
             "control on every count.\n\n"
             "Library queries (kasane's own queries/) are vetted: they count every case and\n"
             "their headers declare their count columns.  A library name always runs the\n"
             "library file; a file of that name elsewhere is ignored (and named on stderr).\n"
             "Other names are looked up in --dir DIR, then $KASANE_QUERY_PATH\n"
             "(colon-separated); a path is read only if it names a regular FILE.sql.\n\n"
             "Everything outside the library (query sql, other files) is ad hoc and sees\n"
             "only the cases with consent: cases discussed without consent (支援会議) are\n"
             "not in ad-hoc results at all, and the footer says how many.  kasane does the\n"
             "counting: the SQL returns one unit column, case_id, person_id or household_id,\n"
             "and up to 4 columns to group by, whose values must be categories (codes and\n"
             "labels, integers 0-99 or 1900-2100, months YYYY-MM, fiscal years FY2025 or\n"
             "2025年度, NULL); kasane prints the number n of distinct units per group,\n"
             "published through the cell key method whatever the database's method: each\n"
             "count is perturbed by the ptable the data officer set (the footer names it by\n"
             "SHA-256), the same set of units always gets the same noise, and no count\n"
             "below the threshold is published.  A column named n or n_*, a header's\n"
             "count:/share:/totals:/total-row:, or any other value is refused (exit 3).\n"
             "With --row-level the rows are printed as the SQL returns them.\n\n"
             "Date parameters snap to whole months: from/start/*_from to the first day,\n"
             "to/end/*_to to the last day of their month (the footer says so).\n\n"
             "Limits (exit 2): --timeout SECONDS of SQL (default 60); --max-rows N rows of\n"
             "a result (default 100000); 1000 bytes in a text cell; 10000 groups of an\n"
             "ad-hoc aggregate or cells of a pivot, 2500 cells of a pivot with totals.\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

static int verb_list(ks_cli_ctx *ctx, const query_opts *qo, const ks_query *unused)
{
    (void)unused;
    const ks_output *o = &ctx->out;
    ks_error err = {0};
    ks_query **v = NULL;
    size_t n = 0;
    if (ks_query_list(qo->dir, &v, &n, &err))
        return ks_cli_fail(&err);
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "name", o->lang == KS_LANG_EN ? "name" : "名前", KS_COL_TEXT, NULL);
    ks_table_add_column(t, "title", o->lang == KS_LANG_EN ? "title" : "題名", KS_COL_TEXT, NULL);
    ks_table_add_column(t, "description", o->lang == KS_LANG_EN ? "description" : "説明", KS_COL_TEXT, NULL);
    ks_table_add_column(t, "source", o->lang == KS_LANG_EN ? "source" : "種別", KS_COL_TEXT, NULL);
    ks_buf src;
    ks_buf_init(&src);
    for (size_t i = 0; i < n; i++) {
        size_t r = ks_table_add_row(t);
        ks_table_set_text(t, r, 0, v[i]->name, NULL);
        ks_table_set_text(t, r, 1, o->lang == KS_LANG_EN ? v[i]->title_en : v[i]->title, NULL);
        ks_table_set_text(t, r, 2, v[i]->description, NULL);
        ks_buf_reset(&src);
        if (v[i]->library)
            ks_buf_adds(&src, "library");
        else
            ks_buf_addf(&src, "outside: %s", v[i]->path);
        ks_table_set_text(t, r, 3, src.buf, NULL);
    }
    ks_buf_release(&src);
    ks_render_opts ro = {.mode = o->mode};
    int status = ks_render(stdout, t, NULL, &ro, &err) ? ks_cli_fail(&err) : KS_EXIT_OK;
    ks_table_free(t);
    ks_query_list_free(v, n);
    return status;
}

static int verb_show(ks_cli_ctx *ctx, const query_opts *o, const ks_query *q)
{
    (void)ctx;
    (void)o;
    static const char *const types[] = {"int", "real", "text", "date"};
    printf("%s — %s\n%s\n%s\n", q->name, q->title, q->title_en, q->description);
    if (q->path)
        printf("file: %s (%s)\n", q->path, q->library ? "library" : "outside the library: ad-hoc rules");
    for (size_t i = 0; i < q->nparams; i++)
        printf("param %s (%s)%s%s%s%s\n", q->params[i].name, types[q->params[i].type],
               q->params[i].def ? " default " : " required", q->params[i].def ? q->params[i].def : "",
               q->params[i].help ? ": " : "", q->params[i].help ? q->params[i].help : "");
    return KS_EXIT_OK;
}

/* "<k" for 0 < n < k, the number otherwise. */
static void fmt_count(ks_buf *b, int64_t n, int k)
{
    if (n > 0 && n < k)
        ks_buf_addf(b, "<%d", k);
    else
        ks_buf_addf(b, "%lld", (long long)n);
}

/* The connection q runs on, and how it runs, follow from where q came from
 * (query.h: library and outside).  *excluded: the cases without consent
 * that the connection leaves out.  *keys: an ad-hoc aggregate's record keys
 * (NULL otherwise, and for a database without them); the caller frees them
 * after closing *db. */
static int query_connect(const ks_query *q, const char *db_path, int row_level, ks_lang lang, sqlite3 **db,
                         ks_run_mode *mode, int64_t *excluded, ks_rkeys **keys, ks_error *err)
{
    int rc;
    *mode = KS_RUN_ADHOC;
    if (q->library || ks_weakened("adhoc-columns")) {
        /* a library query is vetted: it counts every case; kasane-weak's
         * adhoc-columns trusts any SQL's column names the same way */
        if ((rc = ks_analysis_open(db_path, lang, false, NULL, db, err)))
            return rc;
        int agg = ks_query_columns_aggregate(*db, q, err);
        if (agg < 0)
            return agg;
        *mode = agg ? KS_RUN_LIBRARY : KS_RUN_ROWS;
    } else {
        *mode = row_level ? KS_RUN_ROWS : KS_RUN_ADHOC;
    }
    if (*mode == KS_RUN_ROWS && !row_level)
        return ks_error_set(err, KS_ESAFETY, "'%s' returns rows, not counts; row-level output needs --row-level",
                            q->name);
    if (*mode == KS_RUN_LIBRARY)
        return 0;
    /* everything else sees only the cases with consent */
    ks_db_close(*db);
    *db = NULL;
    return ks_weakened("rowlevel-names") && *mode == KS_RUN_ROWS
               ? ks_analysis_open(db_path, lang, true, excluded, db, err)
               : ks_analysis_open_adhoc(db_path, lang, excluded, *mode == KS_RUN_ADHOC ? keys : NULL, db, err);
}

/* Runs q and prints its table, with the footer's notes: which query, the
 * unit an ad-hoc aggregate counted, snapped dates, and the cases without
 * consent left out.  An ad-hoc aggregate is published through the cell key
 * method (kasane-weak's "adhoc-cellkey": by the database's method, as
 * library queries are, for the attack tests' positive controls). */
static int run_query(const ks_query *q, const char *db_path, const query_opts *o, const ks_output *out,
                     ks_error *err)
{
    sqlite3 *db = NULL;
    ks_rkeys *keys = NULL;
    ks_table *t = NULL;
    ks_query_notes qn = {0};
    ks_buf which, unit, excl_note;
    ks_buf_init(&which);
    ks_buf_init(&unit);
    ks_buf_init(&excl_note);
    int64_t excluded = 0;
    int rc = 0, k = KS_DEFAULT_THRESHOLD;
    ks_run_mode mode;
    if (q->library)
        ks_buf_addf(&which, "query: %s (library: %s)", q->name, q->path);
    else if (q->path)
        ks_buf_addf(&which, "query: %s (outside the library: ad-hoc rules)", q->path);
    else
        ks_buf_adds(&which, "query: ad-hoc SQL (outside the library: ad-hoc rules)");
    if ((rc = query_connect(q, db_path, o->row_level, out->lang, &db, &mode, &excluded, &keys, err)) ||
        (rc = ks_db_threshold(db, &k, err)) ||
        (rc = ks_query_exec(db, q, o->b, o->nb, out->lang, mode, keys, &o->lim, &t, &qn, err)))
        goto done;
    if (mode == KS_RUN_ROWS) {
        fmt_count(&excl_note, excluded, k);
        ks_buf_adds(&excl_note, " case(s) without consent left out of row-level output");
    }
    if (qn.unit) {
        ks_buf_addf(&unit, "n = distinct %s (consented cases only: ", qn.unit);
        fmt_count(&unit, excluded, k);
        ks_buf_adds(&unit, " without consent are not in ad-hoc results)");
    }
    const char *notes[3];
    size_t nnotes = 0;
    notes[nnotes++] = which.buf;
    if (unit.len)
        notes[nnotes++] = unit.buf;
    if (qn.dates)
        notes[nnotes++] = qn.dates;
    const char *excl = excl_note.len ? excl_note.buf : NULL;
    if (mode == KS_RUN_ADHOC && !ks_weakened("adhoc-cellkey"))
        rc = ks_output_table_adhoc(out, db, t, excl, notes, nnotes, err);
    else
        rc = ks_output_table(out, db, t, excl, notes, nnotes, err);
done:
    ks_table_free(t);
    ks_db_close(db);
    ks_rkeys_free(keys); /* after the connection: the key-sum function may point at them */
    ks_query_notes_release(&qn);
    ks_buf_release(&which);
    ks_buf_release(&unit);
    ks_buf_release(&excl_note);
    return rc;
}

static int verb_run(ks_cli_ctx *ctx, const query_opts *o, const ks_query *q)
{
    /* only running needs the database (it opens it as the query's origin says) */
    int status = ks_cli_setup(ctx);
    if (status != KS_EXIT_OK)
        return status;
    ks_error err = {0};
    if (run_query(q, ctx->db_path, o, &ctx->out, &err) || ks_close_stdout(&err))
        return ks_cli_fail(&err);
    return KS_EXIT_OK;
}

/* One option of the command's own into o: KS_EXIT_OK, or the status of the
 * usage error it printed. */
static int query_option(int c, query_opts *o)
{
    char *end = NULL;
    switch (c) {
    case O_DIR: o->dir = optarg; break;
    case O_ROWLEVEL: o->row_level = 1; break;
    case O_TIMEOUT:
        o->lim.timeout = strtod(optarg, &end);
        if (end == optarg || *end || !(o->lim.timeout > 0) || o->lim.timeout > 86400)
            return ks_cli_usage_error("query", "--timeout takes seconds (more than 0, at most 86400)");
        break;
    case O_MAXROWS: {
        long long v = strtoll(optarg, &end, 10);
        if (end == optarg || *end || v < 1)
            return ks_cli_usage_error("query", "--max-rows takes a positive number of rows");
        o->lim.max_rows = (size_t)v;
        break;
    }
    case O_PARAM: {
        char *eq = strchr(optarg, '=');
        if (!eq || eq == optarg)
            return ks_cli_usage_error("query", "--param takes NAME=VALUE");
        *eq = '\0';
        o->b = ks_realloc(o->b, ks_mul(o->nb + 1, sizeof *o->b));
        o->b[o->nb++] = (ks_binding){optarg, eq + 1};
        break;
    }
    default: break;
    }
    return KS_EXIT_OK;
}

/* The verb named argv[optind], its argument checked: NULL after printing
 * the usage error. */
static const verb *find_verb(int argc, char **argv)
{
    ks_buf names;
    ks_buf_init(&names);
    const verb *v = NULL;
    if (optind >= argc) {
        verb_names(&names, " or ");
        ks_cli_usage_error("query", "need a subcommand: %s", names.buf);
        goto done;
    }
    const char *sub = argv[optind++];
    for (size_t i = 0; i < KS_ARRAY_LEN(verbs) && !v; i++)
        if (strcmp(sub, verbs[i].name) == 0)
            v = &verbs[i];
    if (!v) {
        verb_names(&names, ", ");
        ks_cli_usage_error("query", "unknown subcommand '%s' (%s)", sub, names.buf);
    } else if (!v->arg && optind != argc) {
        ks_cli_usage_error("query", "%s takes no arguments", v->name);
        v = NULL;
    } else if (v->arg && optind != argc - 1) {
        ks_cli_usage_error("query", "%s takes exactly one %s", v->name, v->arg);
        v = NULL;
    }
done:
    ks_buf_release(&names);
    return v;
}

int cmd_query(ks_cli_ctx *ctx, int argc, char **argv)
{
    query_opts o = {.lim = {.timeout = KS_QUERY_TIMEOUT, .max_rows = KS_QUERY_MAX_ROWS}};
    ks_query *q = NULL;
    ks_error err = {0};
    int c = KS_CLI_DONE, status = KS_EXIT_OK;
    while (status == KS_EXIT_OK && (c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0)
        status = query_option(c, &o);
    if (status != KS_EXIT_OK)
        goto done;
    if (c == KS_CLI_EXIT) {
        status = ctx->exit;
        goto done;
    }
    const verb *v = find_verb(argc, argv);
    if (!v) {
        status = KS_EXIT_USAGE;
        goto done;
    }
    if (v->arg) {
        q = v->sql ? ks_query_parse("(sql)", NULL, argv[optind], &err) : ks_query_find(argv[optind], o.dir, &err);
        if (!q) {
            status = ks_cli_fail(&err);
            goto done;
        }
        if (q->shadowed)
            fprintf(stderr, "kasane query: '%s' is a library query: ran %s, ignored %s\n", q->name, q->path,
                    q->shadowed);
    }
    status = v->fn(ctx, &o, q);
done:
    ks_query_free(q);
    free(o.b);
    return status;
}
