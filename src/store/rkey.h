/* rkey.h: the record keys of the cell key method (issue 12).
 *
 * Every case, person and household gets one random record key, an integer
 * uniform in 0..KS_RKEY_RANGE-1 drawn from libsodium's CSPRNG, stored in the
 * table record_key(unit, id, rkey).  A key is drawn once, when its unit
 * first appears, and kept for as long as the unit is in the database: an
 * update of a case keeps its key, so the same records always give the same
 * cell key and the same noise, however a query is phrased (repeating or
 * rephrasing a query cannot average the noise away).
 *
 * The keys are never derived from a pseudonym, the data or the key file:
 * re-keying does not reshuffle the noise, and nobody can compute a key from
 * what they know about a person.  They are never printed, and the ad-hoc
 * copy of the database (analysis.h) does not hold them.
 *
 * A cell key is the sum of its records' keys modulo the ptable's key range
 * K (cellkey.h).  KS_RKEY_RANGE is 4096, the largest key range ONS uses; a
 * ptable's K must divide it (a power of two up to 4096), so that each key
 * modulo K is uniform in 0..K-1 as well.
 *
 * Errors: 0 or a negative KS_E* with err filled. */
#ifndef KASANE_RKEY_H
#define KASANE_RKEY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "table.h"
#include "util.h"

enum { KS_RKEY_RANGE = KS_CELL_KEY_MOD }; /* 4096 (table.h) */

/* The units that carry a key (record_key.unit). */
typedef enum ks_rkey_unit {
    KS_RKEY_CASE = 1,      /* case_record.case_id */
    KS_RKEY_PERSON = 2,    /* person.person_id */
    KS_RKEY_HOUSEHOLD = 3, /* household.household_id */
} ks_rkey_unit;

/* Inside the caller's write transaction: gives every case, person and
 * household without a key a new one, and drops the keys of units no longer
 * in the database.  *added (may be NULL) gets how many keys were drawn. */
int ks_rkey_assign(sqlite3 *db, int64_t *added, ks_error *err);

/* The record keys of a database, in memory, for summing a cell's keys in C
 * (the ad-hoc connection holds no keys: analysis.h).  Read-only once
 * loaded; lookups are binary searches. */
typedef struct ks_rkeys ks_rkeys;

/* Loads every record key from `schema`.record_key on db ("main", or "src"
 * while the ad-hoc copy is being made).  *out is NULL, and 0 returned, when
 * the database has no record_key table (schema 3 read as it is). */
int ks_rkeys_load(sqlite3 *db, const char *schema, ks_rkeys **out, ks_error *err);
void ks_rkeys_free(ks_rkeys *k);
/* The key of unit `id`; false when it has none. */
bool ks_rkeys_get(const ks_rkeys *k, ks_rkey_unit unit, int64_t id, uint16_t *key);
/* How many keys of `unit` are loaded. */
size_t ks_rkeys_count(const ks_rkeys *k, ks_rkey_unit unit);

#endif
