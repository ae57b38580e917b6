/* cmd_query.c: `kasane query list | show | run | sql` */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "kasane/cli.h"
#include "kasane/db.h"
#include "kasane/output.h"
#include "kasane/query.h"
#include "kasane/render.h"

static const char help[] =
    "usage: kasane query list [--dir DIR]\n"
    "       kasane query show NAME\n"
    "       kasane query run NAME|FILE [--param name=value ...] [--db FILE] [options]\n"
    "       kasane query sql \"SELECT ...\" [--param name=value ...] [--db FILE] [options]\n\n"
    "Runs SQL query files against the pseudonymised database, read-only, with\n"
    "disclosure control on every count.  Queries are looked up in --dir DIR, then\n"
    "$KASANE_QUERY_PATH (colon-separated), then kasane's own queries/ library.\n\n"
    "A result is aggregate when it has a count column (declared in the query's\n"
    "header, or named n or n_*): counts below the threshold are hidden.  Any other\n"
    "result is row-level and refused unless --row-level is given; even then, cases\n"
    "discussed without consent (支援会議) are left out, and the footer says how many.\n\n"
    "Options:\n"
    "  --db FILE          the database (default $KASANE_DB)\n"
    "  --param NAME=VALUE bind a parameter (repeatable); types are checked\n"
    "  --dir DIR          look for queries in DIR first\n"
    "  --row-level        allow a result without a count column\n"
    "  -h, --help         this text\n";

enum { O_DB = 300, O_PARAM, O_DIR, O_ROWLEVEL };

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
    for (size_t i = 0; i < n; i++) {
        size_t r = ks_table_add_row(t);
        ks_table_set_text(t, r, 0, v[i]->name, NULL);
        ks_table_set_text(t, r, 1, o->lang == KS_LANG_EN ? v[i]->title_en : v[i]->title, NULL);
        ks_table_set_text(t, r, 2, v[i]->description, NULL);
    }
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
        printf("file: %s\n", q->path);
    for (size_t i = 0; i < q->nparams; i++)
        printf("param %s (%s)%s%s%s%s\n", q->params[i].name, types[q->params[i].type],
               q->params[i].def ? " default " : " required", q->params[i].def ? q->params[i].def : "",
               q->params[i].help ? ": " : "", q->params[i].help ? q->params[i].help : "");
    return KS_EXIT_OK;
}

int cmd_query(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, O_DB},
        {"param", required_argument, NULL, O_PARAM},
        {"dir", required_argument, NULL, O_DIR},
        {"row-level", no_argument, NULL, O_ROWLEVEL},
        {"help", no_argument, NULL, 'h'},
        KS_OUTPUT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    ks_output out;
    ks_output_init(&out);
    const char *db_opt = NULL, *dir = NULL;
    int row_level = 0;
    ks_binding *b = NULL;
    size_t nb = 0;
    ks_error err = {0};
    int c, status = KS_EXIT_OK;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int r = ks_output_option(&out, c, optarg, &err);
        if (r < 0) {
            free(b);
            return ks_cli_usage_error("query", "%s", err.msg);
        }
        if (r)
            continue;
        switch (c) {
        case O_DB: db_opt = optarg; break;
        case O_DIR: dir = optarg; break;
        case O_ROWLEVEL: row_level = 1; break;
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
        case 'h':
            printf("%s\n%s\n%s", help, ks_output_help, ks_cli_exit_help);
            free(b);
            return KS_EXIT_OK;
        default: free(b); return ks_cli_usage_error("query", "unknown option");
        }
    }
    if (optind >= argc) {
        free(b);
        return ks_cli_usage_error("query", "need a subcommand: list, show, run or sql");
    }
    const char *sub = argv[optind++];
    if (strcmp(sub, "list") == 0) {
        free(b);
        return optind == argc ? do_list(dir, &out) : ks_cli_usage_error("query", "list takes no arguments");
    }
    if (strcmp(sub, "show") != 0 && strcmp(sub, "run") != 0 && strcmp(sub, "sql") != 0) {
        free(b);
        return ks_cli_usage_error("query", "unknown subcommand '%s' (list, show, run, sql)", sub);
    }
    if (optind != argc - 1) {
        free(b);
        return ks_cli_usage_error("query", "%s takes exactly one %s", sub, strcmp(sub, "sql") ? "query name" : "SQL string");
    }
    ks_query *q = strcmp(sub, "sql") == 0 ? ks_query_parse("(sql)", NULL, argv[optind], &err)
                                          : ks_query_find(argv[optind], dir, &err);
    sqlite3 *db = NULL;
    ks_table *t = NULL;
    if (!q) {
        status = ks_cli_fail(&err);
        goto done;
    }
    if (strcmp(sub, "show") == 0) {
        status = do_show(q);
        goto done;
    }
    const char *db_path = ks_cli_db_path(db_opt);
    if (!db_path) {
        status = ks_cli_usage_error("query", "no database: give --db FILE or set KASANE_DB");
        goto done;
    }
    if (ks_analysis_open(db_path, out.lang, false, NULL, &db, &err)) {
        status = ks_cli_fail(&err);
        goto done;
    }
    int agg = ks_query_columns_aggregate(db, q, &err);
    if (agg < 0) {
        status = ks_cli_fail(&err);
        goto done;
    }
    int64_t excluded = 0;
    char note[128] = "";
    if (!agg) {
        if (!row_level) {
            ks_error_set(&err, KS_ESAFETY, "'%s' returns rows, not counts (no column named n or n_*, none declared "
                         "with '-- count:'); row-level output needs --row-level", q->name);
            status = ks_cli_fail(&err);
            goto done;
        }
        /* reopen with the consent filter: rows of cases without consent never show */
        ks_db_close(db);
        db = NULL;
        if (ks_analysis_open(db_path, out.lang, true, &excluded, &db, &err)) {
            status = ks_cli_fail(&err);
            goto done;
        }
        snprintf(note, sizeof note, "%lld case(s) without consent left out of row-level output", (long long)excluded);
    }
    if (ks_query_exec(db, q, b, nb, out.lang, &t, &err) ||
        ks_output_table(&out, db, t, note[0] ? note : NULL, NULL, 0, &err)) {
        status = ks_cli_fail(&err);
        goto done;
    }
    if (ks_close_stdout(&err))
        status = ks_cli_fail(&err);
done:
    ks_table_free(t);
    ks_db_close(db);
    ks_query_free(q);
    free(b);
    return status;
}
