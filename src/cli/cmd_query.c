/* cmd_query.c: `kasane query list | show | run | sql` */
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

static const ks_cli_spec spec = {
    .usage = "usage: kasane query list [--dir DIR]\n"
             "       kasane query show NAME\n"
             "       kasane query run NAME|FILE.sql [--param name=value ...] [--db FILE] [options]\n"
             "       kasane query sql \"SELECT ...\" [--param name=value ...] [--db FILE] [options]\n\n"
             "Runs SQL against the pseudonymised database, read-only, with disclosure\n"
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
             "2025年度, NULL); kasane prints the number n of distinct units per group, with\n"
             "counts below the threshold hidden.  A column named n or n_*, a header's\n"
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

static int do_list(const char *dir, const ks_output *o)
{
    ks_error err = {0};
    ks_query **v = NULL;
    size_t n = 0;
    if (ks_query_list(dir, &v, &n, &err))
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

static int do_show(const ks_query *q)
{
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

/* Runs q; the connection and the way to run it follow from where q came
 * from (query.h: library and outside). */
static int run_query(const ks_query *q, const char *db_path, int row_level, const ks_binding *b, size_t nb,
                     const ks_query_limits *lim, const ks_output *out, ks_error *err)
{
    sqlite3 *db = NULL;
    ks_table *t = NULL;
    ks_query_notes qn = {0};
    ks_buf which, unit, excl_note;
    ks_buf_init(&which);
    ks_buf_init(&unit);
    ks_buf_init(&excl_note);
    int64_t excluded = 0;
    int rc = 0, k = 5;
    ks_run_mode mode = KS_RUN_ADHOC;
    if (q->library)
        ks_buf_addf(&which, "query: %s (library: %s)", q->name, q->path);
    else if (q->path)
        ks_buf_addf(&which, "query: %s (outside the library: ad-hoc rules)", q->path);
    else
        ks_buf_adds(&which, "query: ad-hoc SQL (outside the library: ad-hoc rules)");
    if (q->library || ks_weakened("adhoc-columns")) {
        /* a library query is vetted: it counts every case; kasane-weak's
         * adhoc-columns trusts any SQL's column names the same way */
        if ((rc = ks_analysis_open(db_path, out->lang, false, NULL, &db, err)))
            goto done;
        int agg = ks_query_columns_aggregate(db, q, err);
        if (agg < 0) {
            rc = agg;
            goto done;
        }
        mode = agg ? KS_RUN_LIBRARY : KS_RUN_ROWS;
    } else {
        mode = row_level ? KS_RUN_ROWS : KS_RUN_ADHOC;
    }
    if (mode == KS_RUN_ROWS && !row_level) {
        rc = ks_error_set(err, KS_ESAFETY, "'%s' returns rows, not counts; row-level output needs --row-level",
                          q->name);
        goto done;
    }
    if (mode != KS_RUN_LIBRARY) {
        /* everything else sees only the cases with consent */
        ks_db_close(db);
        db = NULL;
        rc = ks_weakened("rowlevel-names") && mode == KS_RUN_ROWS
                 ? ks_analysis_open(db_path, out->lang, true, &excluded, &db, err)
                 : ks_analysis_open_adhoc(db_path, out->lang, &excluded, &db, err);
        if (rc)
            goto done;
    }
    if ((rc = ks_db_threshold(db, &k, err)) || (rc = ks_query_exec(db, q, b, nb, out->lang, mode, lim, &t, &qn, err)))
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
    rc = ks_output_table(out, db, t, excl_note.len ? excl_note.buf : NULL, notes, nnotes, err);
done:
    ks_table_free(t);
    ks_db_close(db);
    ks_query_notes_release(&qn);
    ks_buf_release(&which);
    ks_buf_release(&unit);
    ks_buf_release(&excl_note);
    return rc;
}

int cmd_query(ks_cli_ctx *ctx, int argc, char **argv)
{
    const ks_output *out = &ctx->out;
    const char *dir = NULL;
    int row_level = 0;
    ks_query_limits lim = {.timeout = KS_QUERY_TIMEOUT, .max_rows = KS_QUERY_MAX_ROWS};
    ks_binding *b = NULL;
    size_t nb = 0;
    ks_error err = {0};
    int c, status = KS_EXIT_OK;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0) {
        char *end = NULL;
        switch (c) {
        case O_DIR: dir = optarg; break;
        case O_ROWLEVEL: row_level = 1; break;
        case O_TIMEOUT:
            lim.timeout = strtod(optarg, &end);
            if (end == optarg || *end || !(lim.timeout > 0) || lim.timeout > 86400) {
                free(b);
                return ks_cli_usage_error("query", "--timeout takes seconds (more than 0, at most 86400)");
            }
            break;
        case O_MAXROWS: {
            long long v = strtoll(optarg, &end, 10);
            if (end == optarg || *end || v < 1) {
                free(b);
                return ks_cli_usage_error("query", "--max-rows takes a positive number of rows");
            }
            lim.max_rows = (size_t)v;
            break;
        }
        case O_PARAM: {
            char *eq = strchr(optarg, '=');
            if (!eq || eq == optarg) {
                free(b);
                return ks_cli_usage_error("query", "--param takes NAME=VALUE");
            }
            *eq = '\0';
            b = ks_realloc(b, ks_mul(nb + 1, sizeof *b));
            b[nb++] = (ks_binding){optarg, eq + 1};
            break;
        }
        default: break;
        }
    }
    if (c == KS_CLI_EXIT) {
        free(b);
        return ctx->exit;
    }
    if (optind >= argc) {
        free(b);
        return ks_cli_usage_error("query", "need a subcommand: list, show, run or sql");
    }
    const char *sub = argv[optind++];
    if (strcmp(sub, "list") == 0) {
        free(b);
        return optind == argc ? do_list(dir, out) : ks_cli_usage_error("query", "list takes no arguments");
    }
    if (strcmp(sub, "show") != 0 && strcmp(sub, "run") != 0 && strcmp(sub, "sql") != 0) {
        free(b);
        return ks_cli_usage_error("query", "unknown subcommand '%s' (list, show, run, sql)", sub);
    }
    if (optind != argc - 1) {
        free(b);
        return ks_cli_usage_error("query", "%s takes exactly one %s", sub,
                                  strcmp(sub, "sql") ? "query name" : "SQL string");
    }
    ks_query *q = strcmp(sub, "sql") == 0 ? ks_query_parse("(sql)", NULL, argv[optind], &err)
                                          : ks_query_find(argv[optind], dir, &err);
    if (!q) {
        status = ks_cli_fail(&err);
        goto done;
    }
    if (q->shadowed)
        fprintf(stderr, "kasane query: '%s' is a library query: ran %s, ignored %s\n", q->name, q->path, q->shadowed);
    if (strcmp(sub, "show") == 0) {
        status = do_show(q);
        goto done;
    }
    /* only running needs the database (it opens it as the query's origin says) */
    if ((status = ks_cli_setup(ctx)) != KS_EXIT_OK)
        goto done;
    if (run_query(q, ctx->db_path, row_level, b, nb, &lim, out, &err) || ks_close_stdout(&err))
        status = ks_cli_fail(&err);
done:
    ks_query_free(q);
    free(b);
    return status;
}
