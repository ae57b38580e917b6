/* cmd_rekey.c: `kasane rekey --old KEY --new KEY --db DB` -- moves a
 * database to a new key epoch without the raw data (epoch.h, pseudo.h,
 * docs/keys.md).
 *
 * Order of work, so that no failure or kill can strand the database
 * without a key that opens it: the new key file is written (and synced)
 * first; then the database moves in one transaction that records the new
 * epoch's fingerprint.  Killed in between, the database is unchanged and
 * the new file holds a key nothing uses: a second run with the same --new
 * recognises it (it extends --old by one epoch the database has never
 * seen) and uses it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "db.h"
#include "epoch.h"
#include "pseudo.h"

enum { O_OLD = 300, O_NEW };

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Options:\n"),
    {"old", O_OLD, "FILE", "the database's current key"},
    {"new", O_NEW, "FILE", "where to write the new key (mode 0600; never over another file)"},
    KS_CLI_OPT_DB_ROW,
    KS_CLI_OPT_HELP_ROW,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane rekey --old FILE --new FILE [--db FILE]\n\n"
             "Moves the database to a new key epoch: draws a new random key, writes the key\n"
             "chain (the old key's epochs and the new one) to the --new file, and turns every\n"
             "stored pseudonym into the new epoch's (a keyed hash of the old pseudonym under\n"
             "the new key) in one transaction, recorded in the audit table.  No identifier is\n"
             "needed.  Later imports with the new key link to the same persons, households and\n"
             "cases; the old key is refused from then on, and on its own it no longer links\n"
             "anything new.  Person and household ids change with their pseudonyms.\n\n"
             "Afterwards: destroy the old key file (kasane key destroy --key OLD --db DB\n"
             "--yes) and split the new key for custody again (docs/keys.md).  The new key\n"
             "holds the old one inside it: whoever has it can still link what the old key\n"
             "could.\n\n",
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

/* The new key: an existing --new file left by a rekey of this database that
 * was stopped before its commit (it extends old by one epoch the database
 * does not know) is used again; otherwise a fresh one is drawn and written. */
static ks_key *new_key(sqlite3 *db, const ks_key *old, const char *path, ks_error *err)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) {
            ks_error_set(err, KS_EIO, "cannot check '%s': %s", path, strerror(errno));
            return NULL;
        }
        ks_key *next = ks_key_extend(old, err);
        if (next && ks_key_write_new(path, next, err)) {
            ks_key_free(next);
            return NULL;
        }
        return next;
    }
    ks_error why = {0};
    ks_key *left = ks_key_load(path, &why);
    int epoch = -1, retired = 0, fits = left && ks_key_extends(left, old);
    if (fits && ks_epoch_find(db, ks_key_fingerprint(left), &epoch, &retired, err)) {
        ks_key_free(left);
        return NULL;
    }
    if (fits && epoch < 0) {
        ks_warn("'%s' holds the new key of a rekey that did not finish (fingerprint %s): using it", path,
                ks_key_fingerprint(left));
        return left;
    }
    ks_key_free(left);
    ks_error_set(err, KS_ESAFETY, "'%s' already exists%s; nothing changed: choose another path for the new key",
                 path, fits ? " and holds a key this database has had already" : "");
    return NULL;
}

/* After a failed transaction: does the database hold the new epoch (a
 * commit that reported an error but reached the disk)?  1 yes, 0 no, -1
 * cannot tell. */
static int moved_anyway(const char *db_path, const ks_key *next)
{
    sqlite3 *db = NULL;
    ks_error e = {0};
    ks_buf fp;
    ks_buf_init(&fp);
    int r = -1;
    if (ks_db_open(db_path, KS_DB_READ, &db, &e) == 0 && ks_db_meta_get(db, "key_fingerprint", &fp, &e) == 1)
        r = strcmp(fp.buf, ks_key_fingerprint(next)) == 0;
    ks_buf_release(&fp);
    ks_db_close(db);
    return r;
}

/* The transaction: begin, move, commit. */
static int rekey_db(sqlite3 *db, const char *db_path, const ks_key *old, const ks_key *next, ks_rekey_stats *st,
                    ks_error *err)
{
    sqlite3_busy_timeout(db, 2000);
    char *msg = NULL;
    int brc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    if (brc != SQLITE_OK) {
        int rc = (brc & 0xff) == SQLITE_BUSY
                     ? ks_error_set(err, KS_EUSAGE, "an import (or 'kasane threshold') is writing to '%s' right now; "
                                    "run the rekey again when it has finished", db_path)
                     : ks_error_set(err, KS_EIO, "database '%s': %s", db_path, msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return rc;
    }
    int rc = ks_db_rekey(db, old, next, st, err);
    if (rc == 0)
        rc = ks_db_exec(db, "COMMIT", err);
    if (rc) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        if (!ks_db_error_name(db_path, err))
            ks_error_prefix(err, "database '%s': ", db_path);
    }
    return rc;
}

static void report(const char *db_path, const char *old_path, const char *new_path, const ks_key *next,
                   const ks_rekey_stats *st)
{
    printf("rekeyed '%s': epoch %d -> %d, key %s\n"
           "  moved %lld cases, %lld persons, %lld households (person and household ids changed)\n"
           "new key: '%s' (mode 0600): use it for every later import\n"
           "the old key '%s' is refused from now on; destroy it:\n"
           "  kasane key destroy --key %s --db %s --yes\n"
           "and split the new key for custody again (kasane key split; docs/keys.md)\n",
           db_path, st->from_epoch, st->to_epoch, ks_key_fingerprint(next), (long long)st->cases,
           (long long)st->persons, (long long)st->households, new_path, old_path, old_path, db_path);
}

int cmd_rekey(ks_cli_ctx *ctx, int argc, char **argv)
{
    const char *old_path = NULL, *new_path = NULL;
    int c;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0) {
        if (c == O_OLD)
            old_path = optarg;
        else if (c == O_NEW)
            new_path = optarg;
    }
    if (c == KS_CLI_EXIT)
        return ctx->exit;
    if (optind != argc)
        return ks_cli_usage_error("rekey", "unexpected argument '%s'", argv[optind]);
    const char *db_path = ks_cli_db_path(ctx->db_opt);
    if (!old_path || !new_path || !db_path)
        return ks_cli_usage_error("rekey", "needs --old FILE, --new FILE and --db FILE");
    ks_error err = {0};
    ks_key *old = NULL, *next = NULL;
    sqlite3 *db = NULL;
    ks_rekey_stats st = {0};
    int status = KS_EXIT_OK, fresh = 0;
    if (ks_crypto_init(&err) || !(old = ks_key_load(old_path, &err)) ||
        ks_db_open(db_path, KS_DB_WRITE, &db, &err) || ks_epoch_check(db, old, "rekey", &fresh, &err)) {
        ks_db_error_name(db_path, &err);
        goto fail;
    }
    if (fresh) {
        ks_error_set(&err, KS_EUSAGE, "database '%s' holds no pseudonyms yet (no import): nothing to rekey", db_path);
        goto fail;
    }
    if (!(next = new_key(db, old, new_path, &err)))
        goto fail;
    if (rekey_db(db, db_path, old, next, &st, &err) == 0) {
        report(db_path, old_path, new_path, next, &st);
        goto done;
    }
    ks_db_close(db);
    db = NULL;
    /* the new key goes only if the database certainly does not use it */
    int moved = moved_anyway(db_path, next);
    if (moved == 1) {
        ks_warn("%s; but the database did move to the new key %s: keep '%s'", err.msg, ks_key_fingerprint(next),
                new_path);
        goto done;
    }
    if (moved == 0 && unlink(new_path) == 0)
        ks_error_prefix(&err, "the database is unchanged and '%s' was removed: ", new_path);
    else
        ks_error_prefix(&err, "keep both '%s' and '%s' until 'kasane audit --db %s' shows which one the database "
                        "uses: ", old_path, new_path, db_path);
fail:
    status = ks_cli_fail(&err);
done:
    ks_db_close(db);
    ks_key_free(old);
    ks_key_free(next);
    if (status == KS_EXIT_OK && ks_close_stdout(&err))
        status = ks_cli_fail(&err);
    return status;
}
