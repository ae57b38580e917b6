/* rekey.c: moving a database to its key's next epoch (epoch.h,
 * ks_db_rekey).
 *
 * Done in SQL with three functions registered on the connection for the
 * rekey only: ks_rekey_step(kind, pseudonym) -> the next epoch's pseudonym
 * (pseudo.h, ks_pseudo_step), ks_ps_rowid(pseudonym) -> its first 8 bytes
 * as the integer id (ks_pseudo_rowid), and the loader's ks_row_hash (load.h)
 * under the new key.  Nothing but 16-byte pseudonyms and stored columns
 * goes in; no identifier exists anywhere in the process.
 *
 * Person and household ids are the rowids of their tables and are stored in
 * case_record and record_key, so each moves through a map (old id -> new id,
 * new pseudonym) in the temp schema; case_key is a plain column.  The
 * secondary indexes are dropped first and built again last: case_by_key is
 * unique, and rewriting the keys in place would collide transiently. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "epoch.h"
#include "load.h"
#include "rkey.h"
#include "weaken.h"

static void fn_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const ks_key *next = sqlite3_user_data(cx);
    int kind = sqlite3_value_int(argv[0]);
    if (sqlite3_value_type(argv[1]) != SQLITE_BLOB || sqlite3_value_bytes(argv[1]) != KS_PSEUDO_BYTES ||
        kind < KS_ID_CASE || kind > KS_ID_HOUSEHOLD) {
        sqlite3_result_error(cx, "a stored pseudonym is not 16 bytes", -1);
        return;
    }
    uint8_t in[KS_PSEUDO_BYTES], out[KS_PSEUDO_BYTES];
    memcpy(in, sqlite3_value_blob(argv[1]), sizeof in);
    ks_pseudo_step(next, (ks_id_kind)kind, in, out);
    sqlite3_result_blob(cx, out, sizeof out, SQLITE_TRANSIENT);
}

static void fn_rowid(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || sqlite3_value_bytes(argv[0]) != KS_PSEUDO_BYTES) {
        sqlite3_result_error(cx, "a stored pseudonym is not 16 bytes", -1);
        return;
    }
    sqlite3_result_int64(cx, ks_pseudo_rowid(sqlite3_value_blob(argv[0])));
}

/* The functions, registered (next) or dropped (NULL); ks_row_hash is the
 * loader's (load.h). */
static int functions(sqlite3 *db, const ks_key *next, ks_error *err)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
    if (sqlite3_create_function_v2(db, "ks_rekey_step", 2, flags, (void *)next, next ? fn_step : NULL, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(db, "ks_ps_rowid", 1, flags, NULL, next ? fn_rowid : NULL, NULL, NULL, NULL) !=
            SQLITE_OK)
        return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
    return ks_loader_hash_function(db, next, err);
}

/* One entity table (person, household): new pseudonyms and ids, and its
 * record keys under the new ids.  The map old id -> new id stays in
 * temp.ks_rekey_TABLE for case_record's one pass (move_all).  *moved gets
 * the number of rows. */
static int move_entities(sqlite3 *db, const char *table, const char *id, ks_id_kind kind, ks_rkey_unit unit,
                         int64_t *moved, ks_error *err)
{
    char sql[1024];
    int rc;
#define EXEC(...)                                                                                                  \
    do {                                                                                                           \
        snprintf(sql, sizeof sql, __VA_ARGS__);                                                                    \
        if ((rc = ks_db_exec(db, sql, err)))                                                                       \
            goto done;                                                                                             \
    } while (0)
    EXEC("DROP TABLE IF EXISTS temp.ks_rekey_%s", table);
    EXEC("CREATE TEMP TABLE ks_rekey_%s(old INTEGER PRIMARY KEY, new INTEGER, ps BLOB NOT NULL)", table);
    EXEC("INSERT INTO temp.ks_rekey_%s(old, new, ps) SELECT %s, ks_ps_rowid(ks_rekey_step(%d, pseudonym)), "
         "ks_rekey_step(%d, pseudonym) FROM main.%s", table, id, (int)kind, (int)kind, table);
    *moved = sqlite3_changes64(db);
    /* two new pseudonyms with one 64-bit prefix: a 1 in 2^64 event per
     * pair, refused as an import refuses it */
    snprintf(sql, sizeof sql, "CREATE UNIQUE INDEX temp.ks_rekey_%s_new ON ks_rekey_%s(new)", table, table);
    if ((rc = ks_db_exec(db, sql, err))) {
        ks_error_set(err, KS_EIO, "two new %s pseudonyms share their first 64 bits (a 1 in 2^64 event); "
                     "nothing was changed: run the rekey again (a new key is drawn)", table);
        goto done;
    }
    EXEC("DELETE FROM main.%s", table);
    EXEC("INSERT INTO main.%s(%s, pseudonym) SELECT new, ps FROM temp.ks_rekey_%s ORDER BY new", table, id, table);
    /* the record keys stay with their units under the new ids: the cell
     * key noise of every table is what it was (rkey.h) */
    EXEC("DROP TABLE IF EXISTS temp.ks_rekey_rk");
    EXEC("CREATE TEMP TABLE ks_rekey_rk AS SELECT m.new AS id, r.rkey AS rkey FROM main.record_key r "
         "JOIN temp.ks_rekey_%s m ON m.old = r.id WHERE r.unit = %d", table, (int)unit);
    EXEC("DELETE FROM main.record_key WHERE unit = %d", (int)unit);
    EXEC("INSERT INTO main.record_key(unit, id, rkey) SELECT %d, id, rkey FROM temp.ks_rekey_rk ORDER BY id",
         (int)unit);
    EXEC("DROP TABLE temp.ks_rekey_rk");
#undef EXEC
done:
    return rc;
}

/* Every pseudonym to the next epoch: persons, households, cases, and the
 * cases' row hashes.  The case rows are rewritten in one pass (each SET
 * expression reads the row as it was), not one pass a column and another
 * for the hashes: on 1M cases five passes took ~60 % longer
 * (bench/rekey.md). */
static int move_all(sqlite3 *db, ks_rekey_stats *st, ks_error *err)
{
    int rc = move_entities(db, "person", "person_id", KS_ID_PERSON, KS_RKEY_PERSON, &st->persons, err);
    if (!rc)
        rc = move_entities(db, "household", "household_id", KS_ID_HOUSEHOLD, KS_RKEY_HOUSEHOLD, &st->households,
                           err);
    static const char person_new[] = "(SELECT new FROM temp.ks_rekey_person WHERE old = case_record.person_id)",
                      person_ps[] = "(SELECT ps FROM temp.ks_rekey_person WHERE old = case_record.person_id)",
                      household_new[] = "(SELECT new FROM temp.ks_rekey_household "
                                        "WHERE old = case_record.household_id)",
                      household_ps[] = "(SELECT ps FROM temp.ks_rekey_household WHERE old = case_record.household_id)",
                      case_ps[] = "ks_rekey_step(1, pseudonym)";
    ks_buf sql;
    ks_buf_init(&sql);
    ks_buf_addf(&sql, "UPDATE main.case_record SET person_id = %s, household_id = %s, pseudonym = %s, "
                "case_key = ks_ps_rowid(%s), row_hash = ", person_new, household_new, case_ps, case_ps);
    /* the row hashes cover the pseudonyms and are keyed by the newest
     * epoch: all of them again (this also settles a pending rehash) */
    ks_loader_hash_call(&sql, case_ps, person_ps, household_ps);
    if (!rc)
        rc = ks_db_exec(db, sql.buf, err);
    ks_buf_release(&sql);
    if (!rc)
        st->cases = sqlite3_changes64(db);
    if (!rc)
        rc = ks_db_exec(db, "DROP TABLE temp.ks_rekey_person; DROP TABLE temp.ks_rekey_household", err);
    return rc;
}

/* key_epoch, meta and the audit row. */
static int record(sqlite3 *db, const ks_key *old, const ks_key *next, const ks_rekey_stats *st, ks_error *err)
{
    sqlite3_stmt *s = NULL;
    char now[] = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE key_epoch SET retired_at = %s WHERE epoch = ?1 AND retired_at IS NULL; "
             "INSERT INTO key_epoch(epoch, fingerprint, began_at) VALUES(?2, ?3, %s)",
             now, now);
    /* two statements: prepared one after the other */
    const char *tail = sql;
    int rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        if (sqlite3_prepare_v2(db, tail, -1, &s, &tail) != SQLITE_OK)
            return ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(db));
        if (i == 0) {
            sqlite3_bind_int(s, 1, st->from_epoch);
        } else {
            sqlite3_bind_int(s, 2, st->to_epoch);
            sqlite3_bind_text(s, 3, ks_key_fingerprint(next), -1, SQLITE_STATIC);
        }
        if (sqlite3_step(s) != SQLITE_DONE || (i == 0 && sqlite3_changes(db) != 1))
            rc = ks_error_set(err, KS_EIO, "database: recording the new epoch: %s",
                              i == 0 && sqlite3_changes(db) != 1 ? "the current epoch is not recorded"
                                                                 : sqlite3_errmsg(db));
        sqlite3_finalize(s);
        s = NULL;
    }
    if (rc || (rc = ks_db_meta_set(db, "key_fingerprint", ks_key_fingerprint(next), err)))
        return rc;
    ks_buf detail;
    ks_buf_init(&detail);
    ks_buf_addf(&detail,
                "epoch %d (key %s) -> epoch %d: %" PRId64 " cases, %" PRId64 " persons, %" PRId64 " households; "
                "person and household ids changed with their pseudonyms, record keys kept",
                st->from_epoch, ks_key_fingerprint(old), st->to_epoch, st->cases, st->persons, st->households);
    rc = ks_audit_add(db, "rekey", ks_key_fingerprint(next), detail.buf, err);
    ks_buf_release(&detail);
    return rc;
}

int ks_db_rekey(sqlite3 *db, const ks_key *old, const ks_key *next, ks_rekey_stats *st, ks_error *err)
{
    memset(st, 0, sizeof *st);
    int fresh = 0, rc = 0;
    if (!ks_key_extends(next, old))
        return ks_error_set(err, KS_EUSAGE, "the new key must be the old one with one epoch more (its earlier "
                            "epochs the old key's)");
    if ((rc = ks_epoch_check(db, old, "rekey", &fresh, err)))
        return rc;
    if (fresh)
        return ks_error_set(err, KS_EUSAGE, "the database holds no pseudonyms yet (no import): nothing to rekey");
    st->from_epoch = ks_key_epochs(old) - 1;
    st->to_epoch = st->from_epoch + 1;
    int64_t rehashed = 0;
    if ((rc = functions(db, next, err)))
        return rc;
    /* t0180's control (kasane-weak): the pseudonyms stay as they were */
    bool weak = ks_weakened("rekey-pseudonyms");
    if (!(rc = ks_db_drop_indexes(db, err)))
        rc = weak ? ks_loader_rehash(db, next, &rehashed, err) : move_all(db, st, err);
    if (!rc && !(rc = ks_db_meta_delete(db, "row_hash_pending", err))) {
        rc = ks_db_build_indexes(db, err);
        if (rc && strstr(err ? err->msg : "", "UNIQUE"))
            ks_error_set(err, KS_EIO, "two new case pseudonyms share their first 64 bits (a 1 in 2^64 event); "
                         "nothing was changed: run the rekey again (a new key is drawn)");
    }
    if (!rc)
        rc = record(db, old, next, st, err);
    ks_error dropped = {0};
    functions(db, NULL, &dropped); /* nothing else may call them */
    return rc;
}
