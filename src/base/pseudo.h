/* pseudo.h: the pseudonymisation key and keyed pseudonyms (libsodium).
 *
 * A key has one or more *epochs* (docs/keys.md, "Rekeying").  A key file
 * holds either exactly 32 random bytes (crypto_kdf_KEYBYTES): a key of one
 * epoch, as `kasane keygen` writes it; or a key chain, as `kasane rekey`
 * writes it:
 *
 *   16 bytes  "kasane-keychain" and the format version, 1
 *    1 byte   n, the number of epochs (1..KS_KEY_EPOCHS_MAX)
 *   32 n      the keys of epochs 0..n-1, each 32 random bytes
 *   16 bytes  BLAKE2b-128 (unkeyed) of everything before it: a damaged or
 *             cut file is refused, not read as another key
 *
 * Either must not be readable by group or others.  In memory the keys and
 * their subkeys live in sodium_malloc'd, mlock'd (where the system allows)
 * memory that is wiped on free.
 *
 * Pseudonym of an identifier under epoch 0 = crypto_generichash (BLAKE2b),
 * 16 bytes, of the normalised identifier, keyed with a subkey derived by
 * crypto_kdf_derive_from_key from epoch 0's key under context "kasane01" and
 * a subkey id per identifier kind, so the same string as a record number and
 * as a resident number gives unrelated pseudonyms.  Under epoch e >= 1 it is
 * BLAKE2b-128 of the epoch e-1 pseudonym, keyed with epoch e's subkey for the
 * kind (context "kasaneR1"): a rekey turns every stored pseudonym into the
 * next epoch's without the identifiers, and an import under the chain
 * computes the same from the identifier.
 *
 * Fingerprint of a 32-byte key = first 16 bytes of BLAKE2b("kasane key
 * fingerprint v1" keyed by the key), shown as 32 hex digits.  It identifies
 * the key without revealing it.  A key's fingerprint is its newest epoch's;
 * the database records every epoch's (store/epoch.h).  The duplicate finder
 * and the row hash use the newest epoch's key, so a rekey makes the old
 * key useless against the row hashes as well. */
#ifndef KASANE_PSEUDO_H
#define KASANE_PSEUDO_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum { KS_KEY_BYTES = 32, KS_PSEUDO_BYTES = 16, KS_FINGERPRINT_HEX = 33 };
/* Epochs a key chain may hold: a rekey a year for decades.  The largest key
 * file is then KS_KEY_FILE_MAX bytes. */
enum { KS_KEY_EPOCHS_MAX = 32, KS_KEY_CHAIN_MAGIC_BYTES = 16 };
enum { KS_KEY_FILE_MAX = KS_KEY_CHAIN_MAGIC_BYTES + 1 + KS_KEY_EPOCHS_MAX * KS_KEY_BYTES + 16 };

typedef enum ks_id_kind {
    KS_ID_CASE = 1,      /* record_id -> case key */
    KS_ID_PERSON = 2,    /* resident_id, or normalised name + birth date */
    KS_ID_HOUSEHOLD = 3, /* household_id */
} ks_id_kind;
enum { KS_ID_KINDS = KS_ID_HOUSEHOLD }; /* how many kinds */

typedef struct ks_key ks_key;

/* Initialises libsodium (idempotent).  Returns 0 or -KS_EIO. */
int ks_crypto_init(ks_error *err);

/* Creates a new key file with mode 0600 (refuses to overwrite an existing file).
 * Writes the fingerprint (hex, NUL-terminated) to fp_hex. */
int ks_key_generate(const char *path, char fp_hex[KS_FINGERPRINT_HEX], ks_error *err);

/* Loads a key file.  Refuses (-KS_ESAFETY) a file that group or others can
 * read or write, or that is not a regular file, or that is neither 32 bytes
 * nor a well-formed key chain, with a message that says how to fix it.
 * NULL on failure. */
ks_key *ks_key_load(const char *path, ks_error *err);
void ks_key_free(ks_key *k); /* wipes and frees; NULL is fine */

/* The key from a key file's bytes (what ks_key_load reads; what a share
 * wraps): `name` names the source in messages.  NULL on failure. */
ks_key *ks_key_parse(const uint8_t *bytes, size_t n, const char *name, ks_error *err);
/* The key file's bytes of k into out (KS_KEY_FILE_MAX bytes at most), their
 * number returned: 32 for one epoch, the chain form for more.  The caller
 * wipes out (sodium_memzero) when done. */
size_t ks_key_serialise(const ks_key *k, uint8_t out[KS_KEY_FILE_MAX]);
/* Creates `path` holding k's file bytes: mode 0600, never over an existing
 * file or through a symlink, synced with its directory; removed again when
 * anything fails (-KS_ESAFETY for an existing file, -KS_EIO otherwise). */
int ks_key_write_new(const char *path, const ks_key *k, ks_error *err);
/* A new key: k's epochs and one more, fresh from the CSPRNG (`kasane
 * rekey`).  -KS_EUSAGE (NULL) when k already has KS_KEY_EPOCHS_MAX. */
ks_key *ks_key_extend(const ks_key *k, ks_error *err);
/* 1 when next is k with one epoch more (as ks_key_extend makes it: k's
 * epochs unchanged, then one), else 0. */
int ks_key_extends(const ks_key *next, const ks_key *k);
/* How many epochs k has (1..KS_KEY_EPOCHS_MAX); its newest is epochs - 1. */
int ks_key_epochs(const ks_key *k);
/* The fingerprint of epoch e's key alone (32 hex digits); e < epochs. */
const char *ks_key_epoch_fingerprint(const ks_key *k, int e);
/* Overwrites the key file with random bytes, syncs, removes it and syncs
 * its directory (`kasane key destroy`).  On a copy-on-write or journaling
 * file system, an SSD's remapped blocks or a backup, older copies of the
 * bytes may survive: the overwrite removes the file's own copy, and the
 * database's record of the destruction (audit.h) makes kasane refuse the
 * key from then on; destroying every copy is the custodians' part
 * (docs/keys.md). */
int ks_key_destroy_file(const char *path, ks_error *err);

const char *ks_key_fingerprint(const ks_key *k); /* 32 hex digits */

/* out = the pseudonym of id[0..n) under k's newest epoch: keyed BLAKE2b-128
 * under epoch 0's subkey for `kind`, then one step per later epoch (above).
 * Thread-safe for concurrent readers of one key. */
void ks_pseudo(const ks_key *k, ks_id_kind kind, const void *id, size_t n,
               uint8_t out[KS_PSEUDO_BYTES]);
/* out = the newest epoch's step applied to the previous epoch's pseudonym
 * `in` (in and out may be the same): what `kasane rekey` does to every
 * stored pseudonym.  k must have 2 epochs or more (aborts otherwise: a caller
 * bug). */
void ks_pseudo_step(const ks_key *k, ks_id_kind kind, const uint8_t in[KS_PSEUDO_BYTES],
                    uint8_t out[KS_PSEUDO_BYTES]);

/* The folded identifiers of one row between normalisation and
 * pseudonymisation, which may run on another thread (import.c balances the
 * hashing between its two threads).  In memory only; ks_idents_pseudonymise
 * wipes them once hashed, ks_idents_release wipes the whole buffer. */
typedef struct ks_idents {
    ks_buf buf;              /* record id, person key, household id, back to back */
    size_t len[KS_ID_KINDS]; /* their lengths, by ks_id_kind - 1; 0 for KS_ID_HOUSEHOLD: no household */
} ks_idents;

/* Wipes what ids holds and empties it, keeping the memory (reset), or
 * freeing it (release). */
void ks_idents_reset(ks_idents *ids);
void ks_idents_release(ks_idents *ids);

/* The three pseudonyms of ids into case_ps, person_ps, household_ps (the
 * last only when a household id was given), then wipes ids.  Thread-safe for
 * concurrent callers sharing k. */
void ks_idents_pseudonymise(const ks_key *k, ks_idents *ids, uint8_t case_ps[KS_PSEUDO_BYTES],
                            uint8_t person_ps[KS_PSEUDO_BYTES], uint8_t household_ps[KS_PSEUDO_BYTES]);

/* A 64-bit keyed SipHash-2-4 of a folded record id under its own subkey, for
 * finding duplicate records within one import before the (slower, possibly
 * deferred) pseudonyms are computed.  With k NULL (validating without a key)
 * a fixed key stands in.  Never stored. */
uint64_t ks_pseudo_dupkey(const ks_key *k, const void *id, size_t n);

/* The 128-bit row hash (SipHash-2-4-128) of `data` under its own subkey of
 * the database key: stored in case_record.row_hash to tell an unchanged
 * re-import, so that a reader of the file without the key cannot test
 * guesses against it. */
void ks_pseudo_rowhash(const ks_key *k, const void *data, size_t n, uint8_t out[16]);

/* The first 8 bytes of a pseudonym as a signed 64-bit integer (little endian):
 * used as the INTEGER PRIMARY KEY of cases, persons and households so that
 * lookups are B-tree rowid seeks.  The full 16 bytes are stored beside it to
 * detect the (2^-64 per pair) collision of the short form. */
int64_t ks_pseudo_rowid(const uint8_t p[KS_PSEUDO_BYTES]);

#endif
