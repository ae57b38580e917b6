/* rkey.c: record keys (rkey.h). */
#include "rkey.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

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

/* ---- in memory ---- */

typedef struct unit_keys {
    int64_t *id;   /* [n] ascending */
    uint16_t *key; /* [n] */
    size_t n, cap; /* used, allocated */
} unit_keys;

struct ks_rkeys {
    unit_keys u[4]; /* by ks_rkey_unit (index 0 unused) */
};

void ks_rkeys_free(ks_rkeys *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < KS_ARRAY_LEN(k->u); i++) {
        free(k->u[i].id);
        free(k->u[i].key);
    }
    free(k);
}

static void unit_push(unit_keys *u, int64_t id, uint16_t key)
{
    if (u->n == u->cap) {
        u->cap = u->cap ? 2 * u->cap : 1024;
        u->id = ks_realloc(u->id, ks_mul(u->cap, sizeof *u->id));
        u->key = ks_realloc(u->key, ks_mul(u->cap, sizeof *u->key));
    }
    u->id[u->n] = id;
    u->key[u->n++] = key;
}

int ks_rkeys_load(sqlite3 *db, const char *schema, ks_rkeys **out, ks_error *err)
{
    *out = NULL;
    int have = 0;
    /* a failed read is not "no record keys" (new keys would be drawn for
     * every unit, and the noise of every published cell would change) */
    int rc = ks_db_has_table(db, schema, "record_key", "its record keys", &have, err);
    if (rc || !have)
        return rc;
    char sql[160];
    sqlite3_stmt *st = NULL;
    int step;
    /* the primary key's order: unit, then id ascending */
    snprintf(sql, sizeof sql, "SELECT unit, id, rkey FROM \"%s\".record_key ORDER BY unit, id", schema);
    if ((rc = ks_db_prepare(db, sql, &st, err)))
        return rc;
    ks_rkeys *k = ks_calloc(1, sizeof *k);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t unit = sqlite3_column_int64(st, 0);
        if (unit >= KS_RKEY_CASE && unit <= KS_RKEY_HOUSEHOLD)
            unit_push(&k->u[unit], sqlite3_column_int64(st, 1),
                      (uint16_t)(sqlite3_column_int64(st, 2) % KS_RKEY_RANGE));
    }
    if (step != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: reading the record keys: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    if (rc) {
        ks_rkeys_free(k);
        return rc;
    }
    *out = k;
    return 0;
}

bool ks_rkeys_get(const ks_rkeys *k, ks_rkey_unit unit, int64_t id, uint16_t *key)
{
    if (!k || unit < KS_RKEY_CASE || unit > KS_RKEY_HOUSEHOLD)
        return false;
    const unit_keys *u = &k->u[unit];
    /* case ids are the rowids, dense in load order: where none were
     * deleted, id - first is the index, and a scan of a million cases
     * skips a million binary searches (a fifth of the guide's build) */
    if (u->n && id >= u->id[0]) {
        uint64_t off = (uint64_t)id - (uint64_t)u->id[0]; /* person ids span all of int64 */
        if (off < u->n && u->id[off] == id) {
            if (key)
                *key = u->key[off];
            return true;
        }
    }
    size_t lo = 0, hi = u->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (u->id[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == u->n || u->id[lo] != id)
        return false;
    if (key)
        *key = u->key[lo];
    return true;
}

size_t ks_rkeys_count(const ks_rkeys *k, ks_rkey_unit unit)
{
    return k && unit >= KS_RKEY_CASE && unit <= KS_RKEY_HOUSEHOLD ? k->u[unit].n : 0;
}
