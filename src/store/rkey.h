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
#include <stdint.h>

#include "util.h"

enum { KS_RKEY_RANGE = 4096 };

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

#endif
