/* cmd_key_destroy.c: `kasane key destroy --key KEY --db DB` -- when a data set
 * becomes anonymous data, its key is destroyed and the database records it
 * and refuses further imports (audit.h).  Dispatched from cmd_key.c. */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "commands.h"
#include "db.h"
#include "epoch.h"
#include "pseudo.h"

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    {"key", KS_CLI_OPT_KEY, "FILE", "the key to destroy (default $KASANE_KEY)"},
    {"yes", 'y', NULL, "do it (without --yes nothing is changed: this cannot be undone)"},
    KS_CLI_OPT_DB_ROW,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane key destroy --key FILE --db FILE --yes\n\n"
             "For when a data set is turned into anonymous data: records the destruction in\n"
             "the database (time and fingerprint, in the audit table), then overwrites the key\n"
             "file with random bytes and removes it.  From then on the database refuses every\n"
             "import and threshold change.  Copies of the key elsewhere (backups, shares on\n"
             "paper) are the custodians' to destroy (docs/keys.md).\n\n"
             "Given the key of an epoch that 'kasane rekey' retired, it destroys that file and\n"
             "records it; the database goes on with its current key.\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

/* Records the destruction in one transaction.  The database's current key:
 * meta key_destroyed and its audit row, and no imports from then on.  A key
 * of a retired epoch (kasane rekey): an audit row only -- the database goes
 * on with its current key.  *retired_epoch gets the epoch so destroyed, or
 * -1. */
static int record(const char *db_path, const ks_key *key, int *retired_epoch, ks_error *err)
{
    sqlite3 *db = NULL;
    int epoch = -1, retired = 0;
    *retired_epoch = -1;
    int rc = ks_db_open(db_path, KS_DB_WRITE, &db, err);
    if (rc == 0)
        rc = ks_epoch_find(db, ks_key_fingerprint(key), &epoch, &retired, err);
    if (rc == 0 && epoch < 0)
        rc = ks_error_set(err, KS_ESAFETY, "this is not a key of database '%s' (not its current key nor a retired "
                          "one); nothing changed", db_path);
    if (rc == 0 && !retired)
        rc = ks_epoch_check(db, key, "second destruction", NULL, err);
    if (rc == 0 && (rc = ks_db_exec(db, "BEGIN IMMEDIATE", err)) == 0) {
        if (retired) {
            char detail[256];
            snprintf(detail, sizeof detail,
                     "the key file of retired epoch %d was overwritten and removed; the database keeps its current "
                     "key", epoch);
            rc = ks_audit_add(db, "key-destroy", ks_key_fingerprint(key), detail, err);
        } else {
            rc = ks_audit_key_destroyed(db, ks_key_fingerprint(key), err);
        }
        if (rc == 0)
            rc = ks_db_exec(db, "COMMIT", err);
        if (rc)
            ks_db_exec(db, "ROLLBACK", NULL);
    }
    if (rc == 0 && retired)
        *retired_epoch = epoch;
    ks_db_close(db);
    return rc;
}

int cmd_key_destroy(ks_cli_ctx *ctx, int argc, char **argv)
{
    int c;
    bool yes = false;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0)
        if (c == 'y')
            yes = true;
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    if (optind != argc)
        return ks_cli_usage_error("key destroy", "unexpected argument '%s'", argv[optind]);
    const char *key_path = ks_cli_key_path(ctx->key_opt), *db_path = ks_cli_db_path(ctx->db_opt);
    if (!key_path || !db_path)
        return ks_cli_usage_error("key destroy", "needs --key FILE and --db FILE");
    if (!yes)
        return ks_cli_usage_error("key destroy", "this cannot be undone: add --yes to destroy '%s'", key_path);
    ks_error err = {0};
    ks_key *key = NULL;
    int status = KS_EXIT_OK;
    int retired = -1;
    if (ks_crypto_init(&err) || !(key = ks_key_load(key_path, &err)) || record(db_path, key, &retired, &err))
        status = ks_cli_fail(&err);
    else if (ks_key_destroy_file(key_path, &err)) {
        /* recorded, but the file is still there: say so plainly */
        ks_error_prefix(&err, "the database records the key as destroyed, but ");
        status = ks_cli_fail(&err);
    } else if (retired >= 0)
        printf("destroyed key %s, retired epoch %d of '%s' ('%s' overwritten and removed); the database goes on "
               "with its current key\n", ks_key_fingerprint(key), retired, db_path, key_path);
    else
        printf("destroyed key %s ('%s' overwritten and removed); '%s' refuses imports from now on\n",
               ks_key_fingerprint(key), key_path, db_path);
    ks_key_free(key);
    if (status == KS_EXIT_OK && ks_close_stdout(&err))
        status = ks_cli_fail(&err);
    return status;
}
