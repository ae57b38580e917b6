/* rkey.c: record keys (rkey.h). */
#include "rkey.h"

#include <sodium.h>

#include "db.h"

/* rkey(): one key from the CSPRNG.  Registered for the statement below only
 * and dropped after it, so no other statement on the connection can call it. */
static void fn_rkey(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int64(cx, (sqlite3_int64)randombytes_uniform(KS_RKEY_RANGE));
}

/* The units and their tables: id column, table. */
static const struct {
    ks_rkey_unit unit; /* record_key.unit */
    const char *table; /* where the units are */
    const char *id;    /* their id column */
} units[] = {
    {KS_RKEY_CASE, "case_record", "case_id"},
    {KS_RKEY_PERSON, "person", "person_id"},
    {KS_RKEY_HOUSEHOLD, "household", "household_id"},
};

/* Two counts from one row. */
static int count2(sqlite3 *db, const char *sql, int64_t *a, int64_t *b, ks_error *err)
{
    sqlite3_stmt *st = NULL;
    int rc = ks_db_prepare(db, sql, &st, err);
    if (rc)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *a = sqlite3_column_int64(st, 0);
        *b = sqlite3_column_int64(st, 1);
    } else {
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

int ks_rkey_assign(sqlite3 *db, int64_t *added, ks_error *err)
{
    if (sodium_init() < 0)
        return ks_error_set(err, KS_EIO, "libsodium failed to initialise");
    int rc = 0;
    int64_t n = 0;
    if (sqlite3_create_function_v2(db, "ks_rkey", 0, SQLITE_UTF8, NULL, fn_rkey, NULL, NULL, NULL) != SQLITE_OK)
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    for (size_t u = 0; u < KS_ARRAY_LEN(units) && rc == 0; u++) {
        char sql[512];
        int64_t held = 0, units_n = 0;
        snprintf(sql, sizeof sql, "SELECT (SELECT count(*) FROM record_key WHERE unit = %d), (SELECT count(*) FROM %s)",
                 (int)units[u].unit, units[u].table);
        if ((rc = count2(db, sql, &held, &units_n, err)))
            break;
        /* new units: one key each, in id order.  The anti-join is needed only
         * when some keys are held already (a re-import); a fresh database
         * takes every unit in one pass. */
        if (held == 0)
            snprintf(sql, sizeof sql, "INSERT INTO record_key(unit, id, rkey) SELECT %d, %s, ks_rkey() FROM %s ORDER BY %s",
                     (int)units[u].unit, units[u].id, units[u].table, units[u].id);
        else
            snprintf(sql, sizeof sql,
                     "INSERT INTO record_key(unit, id, rkey) SELECT %d, t.%s, ks_rkey() FROM %s t WHERE NOT EXISTS "
                     "(SELECT 1 FROM record_key k WHERE k.unit = %d AND k.id = t.%s) ORDER BY t.%s",
                     (int)units[u].unit, units[u].id, units[u].table, (int)units[u].unit, units[u].id, units[u].id);
        if (held < units_n && (rc = ks_db_exec(db, sql, err)))
            break;
        int64_t drawn = held < units_n ? sqlite3_changes64(db) : 0;
        n += drawn;
        /* keys of units gone (imports never remove a unit today; a future
         * deletion must not leave keys behind) */
        if (held + drawn > units_n) {
            snprintf(sql, sizeof sql,
                     "DELETE FROM record_key WHERE unit = %d AND NOT EXISTS (SELECT 1 FROM %s t WHERE t.%s = record_key.id)",
                     (int)units[u].unit, units[u].table, units[u].id);
            rc = ks_db_exec(db, sql, err);
        }
    }
    sqlite3_create_function_v2(db, "ks_rkey", 0, SQLITE_UTF8, NULL, NULL, NULL, NULL, NULL);
    if (rc == 0 && added)
        *added = n;
    return rc;
}
