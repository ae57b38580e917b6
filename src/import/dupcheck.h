/* dupcheck.h: duplicate record ids within one import, in bounded memory.
 *
 * A record id seen at an earlier row of the same import (any of its files)
 * makes the row a duplicate_record reject.  Answering "seen before?" for
 * every row from memory would need every id so far in memory: 16 bytes a row,
 * growing with the file.  Instead every row that reaches the check is logged
 * as (keyed 64-bit SipHash of its folded record id, its position: file and
 * line) into an external sort (psort.h: sorted runs on unlinked 0600 temporary
 * files — keyed hashes and positions, never an id).  After the last file the
 * log is merged: a record whose hash appeared at an earlier position is a
 * duplicate.  None, the normal case: the import is complete.  Some: the import
 * starts over (import.c), and this time rejects exactly those rows where the
 * check stands in the row — the same rows, for the same reason, with the same
 * counts as a set of every id seen so far would have given.  Memory: the
 * positions of the duplicates found, 8 bytes each.
 *
 * The hash is keyed by a subkey of the import key (ks_pseudo_dupkey), or by
 * a random key of this process when validating without one, so that the
 * temporary files cannot be matched against guessed record ids. */
#ifndef KASANE_DUPCHECK_H
#define KASANE_DUPCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "pseudo.h"
#include "util.h"

typedef struct ks_dupcheck ks_dupcheck;

ks_dupcheck *ks_dupcheck_new(const ks_key *key);
void ks_dupcheck_free(ks_dupcheck *d);

/* The rows that follow belong to the file with this index (0, 1, ...). */
void ks_dupcheck_file(ks_dupcheck *d, uint32_t file_index);

/* 1 when the row at `line` of the current file is a known duplicate (second
 * pass); otherwise logs it (first pass) and returns 0. */
int ks_dupcheck_row(ks_dupcheck *d, const void *id, size_t n, uint64_t line);

/* After the last file of a pass: 0 when no row was a duplicate, 1 when some
 * were (their positions are kept: run the pass again), negative on error
 * (a temporary file could not be written or read). */
int ks_dupcheck_finish(ks_dupcheck *d, ks_error *err);

/* Duplicates known (after a finish that returned 1). */
size_t ks_dupcheck_known(const ks_dupcheck *d);

#endif
