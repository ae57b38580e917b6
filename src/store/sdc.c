/* sdc.c: the stored choice of disclosure control (sdc.h). */
#include "sdc.h"

#include <string.h>

#include "db.h"

int ks_db_sdc_get(sqlite3 *db, ks_buf *method, ks_buf *csv, ks_buf *sha256, ks_error *err)
{
    ks_buf_reset(method);
    ks_buf_reset(csv);
    ks_buf_reset(sha256);
    int rc = ks_db_meta_get(db, "sdc_method", method, err);
    if (rc < 0)
        return rc;
    if ((rc = ks_db_meta_get(db, "ptable_sha256", sha256, err)) < 0)
        return rc;
    if (rc == 0 || strcmp(sha256->buf, "default") == 0)
        return 0;
    int have = 0;
    /* a failed read is not "no stored method": the outputs would fall back
     * to the defaults instead of the council's choice */
    if ((rc = ks_db_has_table(db, "main", "sdc_ptable", "its disclosure method", &have, err)))
        return rc;
    sqlite3_stmt *st = NULL;
    if (!have)
        return ks_error_set(err, KS_EDATA, "database: ptable %s is named but not stored", sha256->buf);
    if ((rc = ks_db_prepare(db, "SELECT csv FROM sdc_ptable WHERE sha256 = ?1", &st, err)))
        return rc;
    sqlite3_bind_text(st, 1, sha256->buf, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        ks_buf_add(csv, (const char *)sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
    else
        rc = ks_error_set(err, KS_EDATA, "database: ptable %s is named but not stored", sha256->buf);
    sqlite3_finalize(st);
    return rc;
}

int ks_db_sdc_set(sqlite3 *db, const char *method, const char *csv, const char *sha256, ks_error *err)
{
    int rc = 0;
    if (method && (rc = ks_db_meta_set(db, "sdc_method", method, err)))
        return rc;
    if (!sha256)
        return 0;
    /* one ptable stored: the one in force */
    if ((rc = ks_db_exec(db, "CREATE TABLE IF NOT EXISTS sdc_ptable(sha256 TEXT PRIMARY KEY, csv TEXT NOT NULL);"
                             "DELETE FROM sdc_ptable;",
                         err)))
        return rc;
    if (csv) {
        sqlite3_stmt *st = NULL;
        if ((rc = ks_db_prepare(db, "INSERT INTO sdc_ptable(sha256, csv) VALUES(?1, ?2)", &st, err)))
            return rc;
        sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, csv, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = ks_error_set(err, KS_EIO, "database: storing the ptable: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        if (rc)
            return rc;
    }
    return ks_db_meta_set(db, "ptable_sha256", sha256, err);
}
