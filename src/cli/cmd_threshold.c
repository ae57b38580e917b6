/* cmd_threshold.c: `kasane threshold --db DB [--key KEY K]` — show or set the
 * suppression threshold k.  Setting it through kasane needs the database's
 * own key.  That is not what protects k: k is a row of `meta`, and anyone who
 * can read the file can copy it and edit the copy with sqlite3.  What
 * protects it is who can read the file (docs/deployment.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "db.h"
#include "load.h"
#include "pseudo.h"

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    KS_CLI_OPT_DB_ROW,
    {"key", KS_CLI_OPT_KEY, "FILE", "the database's key (default $KASANE_KEY); needed to set k"},
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane threshold [--db FILE]\n"
             "       kasane threshold [--db FILE] --key FILE K\n\n"
             "Shows the database's suppression threshold k, or sets it to K (2..100).\n"
             "Every count from 1 to k-1 in any output is hidden.  Setting k with kasane\n"
             "needs the key the database was built with (the data officer's).  That does\n"
             "not stop someone who can read the database file: they can copy it and edit\n"
             "k in the copy with any SQLite tool.  k holds only if analysts cannot read\n"
             "the file and reach it through kasane run as its owner (docs/deployment.md).\n"
             "A stored k outside 2..100 (written around kasane) is refused (exit 3).\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

static int threshold_show(const char *db_path)
{
    ks_error err = {0};
    sqlite3 *db = NULL;
    int k, status = KS_EXIT_OK;
    if (ks_db_open(db_path, KS_DB_READ, &db, &err) || ks_db_threshold(db, &k, &err))
        status = ks_cli_fail(&err);
    else
        printf("%d\n", k);
    ks_db_close(db);
    return status;
}

/* Sets k, after checking that key_path holds the database's own key; the
 * row hashes of an older schema are brought up to date in the same
 * transaction. */
static int threshold_set(const char *db_path, const char *key_path, long k)
{
    ks_error err = {0};
    sqlite3 *db = NULL;
    ks_key *key = NULL;
    ks_buf fp;
    ks_buf_init(&fp);
    int have, status = KS_EXIT_OK;
    char val[16];
    snprintf(val, sizeof val, "%ld", k);
    if (!(key = ks_key_load(key_path, &err)) || ks_db_open(db_path, KS_DB_WRITE, &db, &err) ||
        (have = ks_db_meta_get(db, "key_fingerprint", &fp, &err)) < 0) {
        status = ks_cli_fail(&err);
    } else if (have == 0 || strcmp(fp.buf, ks_key_fingerprint(key)) != 0) {
        ks_error_set(&err, KS_ESAFETY, "this is not the key database '%s' was built with; k is unchanged", db_path);
        status = ks_cli_fail(&err);
    } else if (ks_db_exec(db, "BEGIN IMMEDIATE", &err) || ks_loader_rehash_pending(db, key, &err) ||
               ks_db_meta_set(db, "threshold", val, &err) || ks_db_exec(db, "COMMIT", &err)) {
        status = ks_cli_fail(&err);
    } else {
        printf("threshold k = %ld: counts from 1 to %ld are hidden in every output\n", k, k - 1);
    }
    ks_buf_release(&fp);
    ks_db_close(db);
    ks_key_free(key);
    return status;
}

int cmd_threshold(ks_cli_ctx *ctx, int argc, char **argv)
{
    /* no options of its own: --db, --key and --help are ks_cli_getopt's */
    if (ks_cli_getopt(ctx, &spec, argc, argv) == KS_CLI_EXIT)
        return ctx->exit;
    int status;
    if ((status = ks_cli_setup(ctx)) != KS_EXIT_OK)
        return status;
    if (optind < argc - 1)
        return ks_cli_usage_error("threshold", "at most one value");
    if (optind == argc) {
        status = threshold_show(ctx->db_path);
    } else {
        char *end;
        long k = strtol(argv[optind], &end, 10);
        /* the key only to set k, with its own message (not the setup's) */
        const char *key_path = ks_cli_key_path(ctx->key_opt);
        if (*end || k < KS_THRESHOLD_MIN || k > KS_THRESHOLD_MAX)
            return ks_cli_usage_error("threshold", "K must be a whole number from %d to %d", KS_THRESHOLD_MIN,
                                      KS_THRESHOLD_MAX);
        if (!key_path)
            return ks_cli_usage_error("threshold", "setting k needs the database's key: give --key FILE");
        status = threshold_set(ctx->db_path, key_path, k);
    }
    ks_error err = {0};
    if (status == KS_EXIT_OK && ks_close_stdout(&err))
        status = ks_cli_fail(&err);
    return status;
}
