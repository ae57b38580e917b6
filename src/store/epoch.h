/* epoch.h: the key's epochs as the database records them (schema 6), and
 * `kasane rekey`'s move of a database to the next epoch.
 *
 * A database is bound to one key (pseudo.h) by the first import: meta
 * key_fingerprint holds the fingerprint of the key's newest epoch, and table
 * key_epoch one row per epoch (epoch, fingerprint, began_at, retired_at) --
 * fingerprints only, never key material.  Every pseudonym stored (case,
 * person, household) is of the newest epoch: a rekey moves them all in one
 * transaction, so the epoch of each is the database's current epoch, the row
 * of key_epoch whose retired_at is NULL (one value, not a column per row:
 * a mix of epochs cannot be committed).
 *
 * Errors: 0 or a negative KS_E* code with the message in err. */
#ifndef KASANE_EPOCH_H
#define KASANE_EPOCH_H

#include <sqlite3.h>
#include <stdint.h>

#include "pseudo.h"
#include "util.h"

/* Before writing with `key` (an import, a threshold change, a rekey, the
 * key's destruction): the database's key must not have been destroyed
 * (audit.h), and `key` must be its current key -- the newest fingerprint
 * equal to meta key_fingerprint and every earlier epoch equal to the one
 * recorded.  A key that is a retired epoch of this database is named as
 * such, with the current epoch to use instead.  `what` names the action in
 * messages ("import").  *fresh (may be NULL) is set to 1 when the database
 * is bound to no key yet (a first import), else 0.  -KS_ESAFETY when the
 * key does not fit. */
int ks_epoch_check(sqlite3 *db, const ks_key *key, const char *what, int *fresh, ks_error *err);

/* In a first import's transaction: binds the database to `key` (meta
 * key_fingerprint, one key_epoch row per epoch of the key). */
int ks_epoch_bind(sqlite3 *db, const ks_key *key, ks_error *err);

/* The epoch of this database whose fingerprint is `fp`: *epoch (or -1
 * when none) and *retired (1 when a rekey replaced it).  A database of
 * schema 5 or older (no key_epoch) answers from meta key_fingerprint. */
int ks_epoch_find(sqlite3 *db, const char *fp, int *epoch, int *retired, ks_error *err);

/* Schema 5 -> 6: epoch 0 from meta key_fingerprint (begun at the first
 * import), in the upgrade's transaction. */
int ks_epoch_backfill(sqlite3 *db, ks_error *err);

/* What a rekey did. */
typedef struct ks_rekey_stats {
    int from_epoch;     /* the database's epoch before */
    int to_epoch;       /* and after */
    int64_t cases;      /* case pseudonyms moved */
    int64_t persons;    /* person pseudonyms moved (person_id changed with them) */
    int64_t households; /* household pseudonyms moved */
} ks_rekey_stats;

/* In the caller's write transaction (BEGIN IMMEDIATE): moves every stored
 * pseudonym from `old`, the database's current key (ks_epoch_check), to
 * `next`, which must be old and one epoch more (ks_key_extend): each
 * pseudonym p becomes ks_pseudo_step(next, kind, p), so no identifier is
 * needed and an import under `next` computes the same pseudonyms.  Also
 * rewritten: person_id, household_id and case_key (the pseudonyms' first 8
 * bytes) wherever they are stored -- case_record, person, household, the
 * record keys of persons and households (kept, under their new ids: the
 * cell key noise does not change) -- the row hashes (under next's row hash
 * subkey), the indexes, meta key_fingerprint, key_epoch (old's newest
 * retired, next's begun) and an audit row "rekey".  On failure the caller
 * rolls back: nothing of it remains. */
int ks_db_rekey(sqlite3 *db, const ks_key *old, const ks_key *next, ks_rekey_stats *st, ks_error *err);

#endif
