/* load.h: writing ks_records into the database (the last pipeline stage).
 * The caller owns the transaction; the loader only prepares and steps. */
#ifndef KASANE_LOAD_H
#define KASANE_LOAD_H

#include <sqlite3.h>
#include <stdint.h>

#include "pseudo.h"
#include "record.h"
#include "util.h"

typedef enum ks_load_result {
    KS_LOAD_INSERTED,
    KS_LOAD_UPDATED,
    KS_LOAD_UNCHANGED,
} ks_load_result;

typedef struct ks_loader ks_loader;

/* The row hash that tells an unchanged re-import from a changed one: a
 * SipHash under the key's own subkey of exactly the values case_record
 * stores of r (the exact age only as `minor`, the lists as their masks), so
 * the file cannot be used to test a value it does not hold.  Thread-safe. */
void ks_case_row_hash(const ks_key *k, const ks_record *r, uint8_t out[16]);

/* Recomputes every case's row hash from its stored columns under k (for a
 * database whose hashes were cleared by the schema 3 upgrade); the result
 * equals what ks_case_row_hash gives the record that was stored.  Inside the
 * caller's transaction; *n gets the number of cases. */
int ks_loader_rehash(sqlite3 *db, const ks_key *k, int64_t *n, ks_error *err);
/* The same row hash as SQL, for a statement that rewrites every case at
 * once (rekey): ks_loader_hash_function registers ks_row_hash on db under
 * k (NULL drops it), and ks_loader_hash_call appends to out the call that
 * hashes the current row of case_record with the three pseudonyms given
 * as SQL expressions (the case's, its person's, its household's or NULL)
 * in place of the stored ones.  A date that does not parse is an SQL
 * error. */
int ks_loader_hash_function(sqlite3 *db, const ks_key *k, ks_error *err);
void ks_loader_hash_call(ks_buf *out, const char *case_ps, const char *person_ps, const char *household_ps);
/* ks_loader_rehash when meta "row_hash_pending" says the hashes were
 * cleared, then clears the mark; nothing otherwise.  In the caller's
 * transaction, with the database's key (checked by the caller). */
int ks_loader_rehash_pending(sqlite3 *db, const ks_key *k, ks_error *err);

/* `fresh`: the database holds no case yet, so no row needs looking up.
 * Otherwise the connection's page cache is set to 8 MiB (load.c says why),
 * and an update rewrites only the indexes whose columns it changes; when
 * many do, the loader drops case_person or case_household inside the
 * caller's transaction and builds it again in ks_loader_finish. */
ks_loader *ks_loader_new(sqlite3 *db, int fresh, ks_error *err);
void ks_loader_free(ks_loader *l);

/* Rows written from now on carry this import_batch id (ids only grow). */
void ks_loader_set_batch(ks_loader *l, int64_t batch_id);

/* Inserts, updates or leaves the case; returns a ks_load_result (>= 0) or a
 * negative error. */
int ks_loader_put(ks_loader *l, const ks_record *r, const uint8_t row_hash[16], ks_error *err);

/* Writes what is still buffered (child rows, new persons and households).
 * Call once after the last put, inside the transaction. */
int ks_loader_finish(ks_loader *l, ks_error *err);

/* Distinct persons and households among the rows put (after finish). */
void ks_loader_seen(ks_loader *l, uint64_t *persons, uint64_t *households);

#endif
