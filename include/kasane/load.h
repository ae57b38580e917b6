/* load.h: writing ks_records into the database (the last pipeline stage).
 * The caller owns the transaction; the loader only prepares and steps. */
#ifndef KASANE_LOAD_H
#define KASANE_LOAD_H

#include <sqlite3.h>
#include <stdint.h>

#include "kasane/record.h"
#include "kasane/util.h"

typedef enum ks_load_result {
    KS_LOAD_INSERTED,
    KS_LOAD_UPDATED,
    KS_LOAD_UNCHANGED,
} ks_load_result;

typedef struct ks_loader ks_loader;

/* `fresh`: the database holds no case yet, so no row needs looking up. */
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
