/* psort.h: the distinct pseudonyms of one import, in key order, in bounded
 * memory — an external sort of 16-byte records (pseudonyms, or dupcheck.h's
 * hash-and-position records).
 *
 * An import meets each person and household once per case and must insert
 * the new ones into person and household, whose keys are the pseudonyms'
 * first 8 bytes (ks_pseudo_rowid): in key order, so that the B-trees are
 * appended to.  Keeping every pseudonym in memory would make the import's
 * memory grow with the file; instead they are gathered in runs of
 * `run_entries`, each sorted (LSD radix on the key), deduplicated and
 * written to an unlinked temporary file (mode 0600, in $TMPDIR or /tmp), and
 * the runs are merged at the end.  The files hold pseudonyms only — what the
 * database itself holds — never an identifier.
 *
 * Order: by ks_pseudo_rowid (signed) of the first 8 bytes, then the other 8
 * bytes; equal records are emitted once.  Records that share their first 8
 * bytes but differ after them are all emitted, next to each other: for
 * pseudonyms that is a prefix collision the caller must refuse (load.c), for
 * the duplicate finder's (hash, position) records it is a duplicate id. */
#ifndef KASANE_PSORT_H
#define KASANE_PSORT_H

#include <stddef.h>
#include <stdint.h>

#include "pseudo.h"
#include "util.h"

typedef struct ks_psort ks_psort;

/* run_entries: pseudonyms kept in memory before a run is written out
 * (0: 262144, i.e. 4 MiB). */
ks_psort *ks_psort_new(size_t run_entries);
void ks_psort_free(ks_psort *s);

/* Adds one pseudonym (repeats are fine).  Fails only on a temporary-file
 * write error. */
int ks_psort_add(ks_psort *s, const uint8_t ps[KS_PSEUDO_BYTES], ks_error *err);

/* Receives the distinct pseudonyms in order, n at a time; nonzero stops. */
typedef int (*ks_psort_emit)(void *ctx, const uint8_t (*ps)[KS_PSEUDO_BYTES], size_t n, ks_error *err);

/* Merges everything added and hands it to emit; *distinct counts what was
 * emitted.  Call once; add nothing after. */
int ks_psort_finish(ks_psort *s, ks_psort_emit emit, void *ctx, uint64_t *distinct, ks_error *err);

/* Temporary files written so far (for tests and KASANE_TIMING). */
size_t ks_psort_runs(const ks_psort *s);

#endif
