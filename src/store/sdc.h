/* sdc.h: the data officer's choice of disclosure control, stored in the
 * database beside k (`kasane threshold --method M --ptable FILE|default`):
 * meta sdc_method ("suppress", "cellkey" or "both"; none = suppress) and
 * meta ptable_sha256 ("default" for kasane's default ptable for k), with the
 * ptable itself, in its canonical form, in table sdc_ptable.  Analysts read
 * it; only threshold writes it (with the key).
 *
 * Errors: 0 or a negative KS_E* with err filled. */
#ifndef KASANE_SDC_H
#define KASANE_SDC_H

#include <sqlite3.h>

#include "util.h"

/* Reads the setting: *method gets the method's name ("" when none is
 * stored), *csv the stored ptable's canonical text ("" for the default),
 * *sha256 its hash ("default" or "" when none). */
int ks_db_sdc_get(sqlite3 *db, ks_buf *method, ks_buf *csv, ks_buf *sha256, ks_error *err);

/* Stores it, inside the caller's write transaction: `method` NULL keeps
 * the stored one; `csv` NULL with `sha256` "default" selects the default
 * ptable, `csv` and `sha256` both NULL keep the stored ptable. */
int ks_db_sdc_set(sqlite3 *db, const char *method, const char *csv, const char *sha256, ks_error *err);

#endif
