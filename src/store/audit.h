/* audit.h: the database's own record of what was done to it with its key
 * (issue 14): every import, every threshold or method change, the key's
 * destruction.  Rows are written inside the transaction that does the thing,
 * so the record and the change commit or roll back together.  They hold
 * fingerprints, never key material, and no identifying value (file names,
 * counts of rows, the settings).  `kasane audit` prints them.
 *
 * The key's destruction (`kasane key destroy`) is also a meta row,
 * key_destroyed = "<UTC time> <fingerprint>": an import or a threshold
 * change checks it first and refuses (the data set is anonymous data now).
 *
 * Errors: 0 or a negative KS_E* code with the message in err. */
#ifndef KASANE_AUDIT_H
#define KASANE_AUDIT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* Appends one row stamped now (UTC).  fingerprint may be NULL (""). */
int ks_audit_add(sqlite3 *db, const char *event, const char *fingerprint, const char *detail, ks_error *err);

/* The "import" row of one import batch (its file, sha256, encoding,
 * profile, counts and key fingerprint, from import_batch), in the import's
 * transaction. */
int ks_audit_import_batch(sqlite3 *db, int64_t batch_id, ks_error *err);

/* Schema 4 -> 5: one "import" row per earlier import batch, from
 * import_batch (its times, file, counts and key fingerprint). */
int ks_audit_backfill(sqlite3 *db, ks_error *err);

/* Records the key's destruction: meta key_destroyed and an audit row, in
 * the caller's transaction. */
int ks_audit_key_destroyed(sqlite3 *db, const char *fingerprint, ks_error *err);

/* -KS_ESAFETY when the database's key was destroyed ("... no further
 * imports"), naming when; `what` is the refused action ("import"). */
int ks_audit_check_key_alive(sqlite3 *db, const char *what, ks_error *err);

#endif
