/* audit.c: the audit table (audit.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "db.h"

int ks_audit_add(sqlite3 *db, const char *event, const char *fingerprint, const char *detail, ks_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = ks_db_prepare(db, "INSERT INTO audit(at, event, key_fingerprint, detail) VALUES(?1, ?2, ?3, ?4)", &s,
                           err);
    if (rc)
        return rc;
    char now[32];
    ks_utc_stamp(time(NULL), now);
    sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, event, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, fingerprint ? fingerprint : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, detail, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: recording '%s' in the audit table: %s", event, sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return rc;
}

/* One "import" row per import_batch row the condition selects, in words. */
static const char import_rows_sql[] =
    "INSERT INTO audit(at, event, key_fingerprint, detail) "
    "SELECT coalesce(finished_at, started_at), 'import', key_fingerprint, "
    "'batch ' || batch_id || ': ' || input_name || ' (sha256 ' || input_sha256 || ', ' || encoding || "
    "', profile ' || profile || '): ' || rows_read || ' rows read, ' || rows_inserted || "
    "' inserted, ' || rows_updated || ' updated, ' || rows_unchanged || ' unchanged, ' || "
    "rows_rejected || ' rejected' || ?2 FROM import_batch WHERE ?1 IS NULL OR batch_id = ?1 ORDER BY batch_id";

static int import_rows(sqlite3 *db, const int64_t *batch, const char *suffix, ks_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = ks_db_prepare(db, import_rows_sql, &s, err);
    if (rc)
        return rc;
    if (batch)
        sqlite3_bind_int64(s, 1, *batch);
    sqlite3_bind_text(s, 2, suffix, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: recording an import in the audit table: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return rc;
}

int ks_audit_import_batch(sqlite3 *db, int64_t batch_id, ks_error *err)
{
    return import_rows(db, &batch_id, "", err);
}

int ks_audit_backfill(sqlite3 *db, ks_error *err)
{
    return import_rows(db, NULL, " (recorded before schema 5, from import_batch)", err);
}

int ks_audit_key_destroyed(sqlite3 *db, const char *fingerprint, ks_error *err)
{
    char now[32], val[128];
    ks_utc_stamp(time(NULL), now);
    snprintf(val, sizeof val, "%s %s", now, fingerprint);
    int rc = ks_db_meta_set(db, "key_destroyed", val, err);
    if (rc == 0)
        rc = ks_audit_add(db, "key-destroy", fingerprint,
                          "the key file was overwritten and removed: no further imports; the data set is anonymous "
                          "data from now on",
                          err);
    return rc;
}

int ks_audit_check_key_alive(sqlite3 *db, const char *what, ks_error *err)
{
    ks_buf v;
    ks_buf_init(&v);
    int rc = ks_db_meta_get(db, "key_destroyed", &v, err);
    if (rc == 1)
        rc = ks_error_set(err, KS_ESAFETY,
                          "the key of this database was destroyed (%s): it holds anonymous data now, and no %s "
                          "is possible",
                          v.buf, what);
    ks_buf_release(&v);
    return rc < 0 ? rc : 0;
}
