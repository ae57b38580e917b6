/* pseudo.h: the pseudonymisation key and keyed pseudonyms (libsodium).
 *
 * A key file holds exactly 32 random bytes (crypto_kdf_KEYBYTES) and must not be
 * readable by group or others.  In memory the key and its subkeys live in
 * sodium_malloc'd, mlock'd (where the system allows) memory that is wiped on free.
 *
 * Pseudonym of an identifier = crypto_generichash (BLAKE2b), 16 bytes, of the
 * normalised identifier, keyed with a subkey derived by crypto_kdf_derive_from_key
 * under context "kasane01" and a subkey id per identifier kind, so the same string
 * as a record number and as a resident number gives unrelated pseudonyms.
 *
 * Fingerprint = first 16 bytes of BLAKE2b("kasane key fingerprint v1" keyed by the
 * key), shown as 32 hex digits.  It identifies the key without revealing it. */
#ifndef KASANE_PSEUDO_H
#define KASANE_PSEUDO_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum { KS_KEY_BYTES = 32, KS_PSEUDO_BYTES = 16, KS_FINGERPRINT_HEX = 33 };

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
 * read or write, or that is not a regular file, or whose size is not 32 bytes,
 * with a message that says how to fix it.  NULL on failure. */
ks_key *ks_key_load(const char *path, ks_error *err);
void ks_key_free(ks_key *k); /* wipes and frees; NULL is fine */
/* Overwrites the key file with random bytes, syncs, removes it and syncs
 * its directory (`kasane key destroy`).  On a copy-on-write or journaling
 * file system, an SSD's remapped blocks or a backup, older copies of the
 * bytes may survive: the overwrite removes the file's own copy, and the
 * database's record of the destruction (audit.h) makes kasane refuse the
 * key from then on; destroying every copy is the custodians' part
 * (docs/keys.md). */
int ks_key_destroy_file(const char *path, ks_error *err);

const char *ks_key_fingerprint(const ks_key *k); /* 32 hex digits */

/* out = keyed BLAKE2b-128 of id[0..n) under the subkey for `kind`.  Thread-safe
 * for concurrent readers of one key. */
void ks_pseudo(const ks_key *k, ks_id_kind kind, const void *id, size_t n,
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
