/* cmd_audit.c: `kasane audit` -- the database's audit table (audit.h). */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "publish.h"

static const ks_cli_opt opts[] = {
    KS_CLI_OUTPUT_ROWS,
    KS_CLI_OPT_DB_ROW,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane audit [--db FILE] [--format F] [--out FILE]\n\n"
             "Prints what was done to the database with its key, oldest first: every import\n"
             "(file, sha256, encoding, profile, rows read, inserted, updated, unchanged,\n"
             "rejected), every threshold or method change, the key's destruction, schema\n"
             "upgrades; each with its UTC time and the key's fingerprint (never the key).\n"
             "The rows are written in the same transaction as what they record.\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

/* The audit table as a result table (no counts about cases: nothing to protect). */
static int audit_table(sqlite3 *db, ks_table **out, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, "SELECT audit_id, at, event, key_fingerprint, detail FROM audit ORDER BY audit_id", &st,
                           err);
    if (rc)
        return rc;
    static const char *const cols[] = {"id", "at", "event", "key_fingerprint", "detail"};
    ks_table *t = ks_table_new();
    for (size_t j = 0; j < KS_ARRAY_LEN(cols); j++)
        ks_table_add_column(t, cols[j], cols[j], KS_COL_TEXT, NULL);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        size_t row = ks_table_add_row(t);
        for (int j = 0; j < 5; j++) {
            const unsigned char *v = sqlite3_column_text(st, j);
            ks_table_set_text(t, row, (size_t)j, v ? (const char *)v : "", NULL);
        }
    }
    if (step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (rc)
        ks_table_free(t);
    else
        *out = t;
    return rc;
}

int cmd_audit(ks_cli_ctx *ctx, int argc, char **argv)
{
    int c;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0)
        ;
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    if (optind != argc)
        return ks_cli_usage_error("audit", "unexpected argument '%s'", argv[optind]);
    int status = ks_cli_setup(ctx);
    if (status != KS_EXIT_OK)
        return status;
    ks_error err = {0};
    sqlite3 *db = NULL;
    ks_table *t = NULL;
    ks_result *r = NULL;
    ks_policy pol = {0};
    if (ks_db_open(ctx->db_path, KS_DB_READ, &db, &err))
        goto done;
    if (sqlite3_table_column_metadata(db, NULL, "audit", "audit_id", NULL, NULL, NULL, NULL, NULL) != SQLITE_OK) {
        ks_error_set(&err, KS_EUSAGE,
                     "'%s' has no audit table yet (schema 4): the next import or threshold change upgrades it",
                     ctx->db_path);
        goto done;
    }
    if (audit_table(db, &t, &err) || ks_policy_load(db, &pol, &err))
        goto done;
    r = ks_result_new(&pol);
    if (ks_result_add(r, "audit", "audit", t, NULL, NULL, 0, NULL, &err) || ks_publish(r, &ctx->out, 0, &err) ||
        ks_close_stdout(&err))
        goto done;
done:
    if (err.code)
        status = ks_cli_fail(&err);
    ks_result_free(r);
    ks_table_free(t);
    ks_policy_release(&pol);
    ks_db_close(db);
    return status;
}
