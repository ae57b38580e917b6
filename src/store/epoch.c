/* epoch.c: the key's epochs in the database (epoch.h); the rekey itself is
 * rekey.c. */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "epoch.h"

int ks_epoch_find(sqlite3 *db, const char *fp, int *epoch, int *retired, ks_error *err)
{
    *epoch = -1;
    *retired = 0;
    int has = 0, rc = ks_db_has_table(db, "main", "key_epoch", NULL, &has, err); /* schema 6 */
    if (rc)
        return rc;
    sqlite3_stmt *s = NULL;
    rc = ks_db_prepare(db, has ? "SELECT epoch, retired_at IS NOT NULL FROM key_epoch WHERE fingerprint = ?1"
                               : "SELECT 0, 0 FROM meta WHERE key = 'key_fingerprint' AND value = ?1",
                       &s, err);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, fp, -1, SQLITE_STATIC);
    int step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *epoch = sqlite3_column_int(s, 0);
        *retired = sqlite3_column_int(s, 1);
    } else if (step != SQLITE_DONE) {
        rc = ks_error_set(err, KS_EIO, "database: reading its key epochs: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(s);
    return rc;
}

/* The current epoch's number and fingerprint, for messages. */
static void current_epoch(sqlite3 *db, int *epoch, ks_buf *fp)
{
    sqlite3_stmt *s = NULL;
    *epoch = -1;
    if (sqlite3_prepare_v2(db, "SELECT epoch, fingerprint FROM key_epoch WHERE retired_at IS NULL", -1, &s, NULL) ==
            SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW) {
        *epoch = sqlite3_column_int(s, 0);
        ks_buf_adds(fp, (const char *)sqlite3_column_text(s, 1));
    }
    sqlite3_finalize(s);
}

/* The message for a key that is not the database's current one. */
static int wrong_key(sqlite3 *db, const ks_key *key, const char *have, const char *what, ks_error *err)
{
    int epoch = -1, retired = 0;
    int rc = ks_epoch_find(db, ks_key_fingerprint(key), &epoch, &retired, err);
    if (rc)
        return rc;
    if (epoch >= 0 && retired) {
        int cur = -1;
        ks_buf cfp;
        ks_buf_init(&cfp);
        current_epoch(db, &cur, &cfp);
        rc = ks_error_set(err, KS_ESAFETY,
                          "the key given (%s) is epoch %d of this database, retired by 'kasane rekey'; use the "
                          "current key (epoch %d, fingerprint %s): no %s with a retired key, nothing was written",
                          ks_key_fingerprint(key), epoch, cur, cfp.len ? cfp.buf : have, what);
        ks_buf_release(&cfp);
        return rc;
    }
    return ks_error_set(err, KS_ESAFETY,
                        "this is not the key the database was built with (it was built with %s, the key given is "
                        "%s)%s; nothing was written",
                        have, ks_key_fingerprint(key),
                        strcmp(what, "import") == 0 ? ": importing with another key would split every person in two"
                                                    : "");
}

/* Every epoch of key below its newest must be the database's epoch of that
 * number: a chain whose newest key fits but whose past does not was not
 * made from this database's key by `kasane rekey`. */
static int check_chain(sqlite3 *db, const ks_key *key, ks_error *err)
{
    int has = 0, rc = ks_db_has_table(db, "main", "key_epoch", NULL, &has, err); /* schema 6 */
    if (rc || !has)
        return rc;
    sqlite3_stmt *s = NULL;
    if ((rc = ks_db_prepare(db, "SELECT epoch, fingerprint FROM key_epoch ORDER BY epoch", &s, err)))
        return rc;
    int n = 0, step;
    while (rc == 0 && (step = sqlite3_step(s)) == SQLITE_ROW) {
        int e = sqlite3_column_int(s, 0);
        const char *fp = (const char *)sqlite3_column_text(s, 1);
        if (e != n || e >= ks_key_epochs(key) || !fp || strcmp(fp, ks_key_epoch_fingerprint(key, e)) != 0)
            rc = ks_error_set(err, KS_ESAFETY,
                              "the key given has the database's newest fingerprint but not its earlier epochs "
                              "(epoch %d): it was not made from this database's key by 'kasane rekey'; nothing "
                              "was written",
                              n);
        n++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: reading its key epochs: %s", sqlite3_errmsg(db));
    if (rc == 0 && n != ks_key_epochs(key))
        rc = ks_error_set(err, KS_ESAFETY,
                          "the key given has %d epochs, the database records %d: nothing was written",
                          ks_key_epochs(key), n);
    sqlite3_finalize(s);
    return rc;
}

int ks_epoch_check(sqlite3 *db, const ks_key *key, const char *what, int *fresh, ks_error *err)
{
    ks_buf v;
    ks_buf_init(&v);
    int rc = ks_db_meta_get(db, "key_fingerprint", &v, err);
    if (fresh)
        *fresh = rc == 0;
    if (rc == 1) {
        rc = ks_audit_check_key_alive(db, what, err);
        if (rc == 0 && strcmp(v.buf, ks_key_fingerprint(key)) != 0)
            rc = wrong_key(db, key, v.buf, what, err);
        else if (rc == 0)
            rc = check_chain(db, key, err);
    }
    ks_buf_release(&v);
    return rc < 0 ? rc : 0;
}

int ks_epoch_bind(sqlite3 *db, const ks_key *key, ks_error *err)
{
    int rc = ks_db_meta_set(db, "key_fingerprint", ks_key_fingerprint(key), err);
    sqlite3_stmt *s = NULL;
    if (rc || (rc = ks_db_prepare(db,
                                  "INSERT INTO key_epoch(epoch, fingerprint, began_at, retired_at) VALUES(?1, ?2, "
                                  "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), CASE WHEN ?1 < ?3 THEN "
                                  "strftime('%Y-%m-%dT%H:%M:%SZ', 'now') END)",
                                  &s, err)))
        return rc;
    /* a chain's earlier epochs are recorded as retired at once: this
     * database never held their pseudonyms */
    int n = ks_key_epochs(key);
    for (int e = 0; e < n && rc == 0; e++) {
        sqlite3_bind_int(s, 1, e);
        sqlite3_bind_text(s, 2, ks_key_epoch_fingerprint(key, e), -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, n - 1);
        if (sqlite3_step(s) != SQLITE_DONE)
            rc = ks_error_set(err, KS_EIO, "database: recording the key's epochs: %s", sqlite3_errmsg(db));
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return rc;
}

int ks_epoch_backfill(sqlite3 *db, ks_error *err)
{
    return ks_db_exec(db,
                      "INSERT OR IGNORE INTO key_epoch(epoch, fingerprint, began_at) "
                      "SELECT 0, value, coalesce((SELECT min(started_at) FROM import_batch), "
                      "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) FROM meta WHERE key = 'key_fingerprint'",
                      err);
}
