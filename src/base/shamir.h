/* shamir.h: split custody of the pseudonymisation key -- Shamir's secret
 * sharing over GF(256) on an authenticated wrapping of the key (docs/keys.md).
 *
 * The key is not shared directly: a random 32-byte wrapping key W encrypts it
 * (XChaCha20-Poly1305, libsodium), W is split into n shares of which any t
 * reconstruct it, and every share carries the same ciphertext.  Joining
 * interpolates W and decrypts, so a wrong or altered share gives an
 * authentication failure rather than a wrong key.
 *
 * Three layers, lowest first: GF(256) arithmetic (AES polynomial 0x11b,
 * table-free, no secret-dependent branches or indices); byte-wise Shamir
 * split/interpolate; the share record (ks_share), its text form for paper,
 * and the key files it is made from and written back to.
 *
 * Errors: functions return 0 or a negative KS_E* code and fill err.  Nothing
 * here allocates anything the caller must free except ks_buf contents. */
#ifndef KASANE_SHAMIR_H
#define KASANE_SHAMIR_H

#include <stddef.h>
#include <stdint.h>

#include "pseudo.h"
#include "util.h"

/* ---- GF(256), x^8 + x^4 + x^3 + x + 1 ----------------------------------- */

uint8_t ks_gf256_mul(uint8_t a, uint8_t b);
/* The multiplicative inverse (a^254); 0 for 0. */
uint8_t ks_gf256_inv(uint8_t a);

/* ---- Shamir over bytes --------------------------------------------------- */

enum { KS_SHAMIR_MAX_SHARES = 255 }; /* x = 1..255 */

/* coef[0] + coef[1] x + ... + coef[t-1] x^(t-1) at x (Horner). */
uint8_t ks_shamir_eval(const uint8_t *coef, int t, uint8_t x);

/* Splits secret[0..len) into n shares, any t of which reconstruct it:
 * out[i*len .. (i+1)*len) is share x = i + 1.  The coefficients come from
 * libsodium's randombytes_buf and are wiped.  1 <= t <= n <= 255, else
 * -KS_EUSAGE. */
int ks_shamir_split(const uint8_t *secret, size_t len, int t, int n, uint8_t *out, ks_error *err);

/* Lagrange interpolation through the k points (xs[j], ys[j][i]) of each byte
 * i, evaluated at `at` (0: the secret), into out[0..len).  The xs must be
 * distinct and nonzero, else -KS_EUSAGE. */
int ks_shamir_interpolate(const uint8_t *xs, const uint8_t *const *ys, int k, size_t len,
                          uint8_t at, uint8_t *out, ks_error *err);

/* ---- a share of the key -------------------------------------------------- */

enum {
    KS_SHARE_VERSION = 1,
    KS_SHARE_FP_BYTES = 16,                      /* the key's fingerprint, binary */
    KS_SHARE_W_BYTES = 32,                       /* the wrapping key W */
    KS_SHARE_NONCE_BYTES = 24,                   /* XChaCha20-Poly1305 nonce */
    KS_SHARE_CT_BYTES = KS_KEY_BYTES + 16,       /* the wrapped key and its tag */
    KS_SHARE_MAX_N = 16,                         /* custodians at most (join tries subsets) */
    /* version, fingerprint, t, n, x, W share, nonce, ciphertext */
    KS_SHARE_BYTES = 1 + KS_SHARE_FP_BYTES + 3 + KS_SHARE_W_BYTES + KS_SHARE_NONCE_BYTES
                     + KS_SHARE_CT_BYTES,
};

/* One share, decoded.  Only byte arrays, so the binary form is these fields
 * back to back in this order. */
typedef struct ks_share {
    uint8_t version;                       /* KS_SHARE_VERSION */
    uint8_t fp[KS_SHARE_FP_BYTES];         /* fingerprint of the key it wraps */
    uint8_t t;                             /* threshold: shares needed */
    uint8_t n;                             /* shares made */
    uint8_t x;                             /* this share's index, 1..n */
    uint8_t w[KS_SHARE_W_BYTES];           /* W's polynomial at x */
    uint8_t nonce[KS_SHARE_NONCE_BYTES];   /* the wrapping's nonce (same in every share) */
    uint8_t ct[KS_SHARE_CT_BYTES];         /* the wrapped key (same in every share) */
} ks_share;

/* The key file's 32 bytes (after ks_key_load's checks: regular file, mode,
 * size) and its fingerprint, binary.  key must be wiped by the caller. */
int ks_share_read_key(const char *path, uint8_t key[KS_KEY_BYTES], uint8_t fp[KS_SHARE_FP_BYTES],
                      ks_error *err);

/* The fingerprint of key as pseudo.h defines it, binary. */
void ks_share_fingerprint(const uint8_t key[KS_KEY_BYTES], uint8_t fp[KS_SHARE_FP_BYTES]);

/* Wraps key under a fresh W and splits W: out[0..n) get x = 1..n.
 * 2 <= t <= n <= KS_SHARE_MAX_N, else -KS_EUSAGE. */
int ks_share_split_key(const uint8_t key[KS_KEY_BYTES], int t, int n, ks_share *out, ks_error *err);

/* Joins k shares (any order): they must agree on version, fingerprint, t and
 * n (-KS_EUSAGE), have distinct indices (-KS_EUSAGE) and be at least t
 * (-KS_EUSAGE).  Tries the subsets of t shares until one decrypts; none:
 * -KS_ESAFETY "the shares do not reconstruct the key: one is wrong or
 * altered".  On success key holds the key (its fingerprint checked against
 * the shares') and, when bad is not NULL, bad[j] = 1 for each share that does
 * not fit the reconstruction (identifiable only with more than t shares). */
int ks_share_join(const ks_share *shares, int k, uint8_t key[KS_KEY_BYTES], int *bad,
                  ks_error *err);

/* The printable form, appended to out: a header ("kasane key share v1",
 * "fingerprint: <32 hex>", "share: X of N (any T reconstruct)"), then the
 * binary share in RFC 4648 base32 (no padding), 20 characters a line in
 * groups of 5, each line numbered and ended by a 4-character checksum. */
void ks_share_format(const ks_share *s, ks_buf *out);

/* Parses the printable form (letters in either case, spacing free, '#'
 * lines and blank lines ignored).  `name` names the source in messages.  A
 * line whose checksum fails is named: -KS_EDATA "NAME: line N: ...". */
int ks_share_parse(const char *text, size_t len, const char *name, ks_share *out, ks_error *err);

/* Creates path with mode 0600 holding data[0..len), refusing (-KS_ESAFETY)
 * an existing path or a symlink; synced; removed again on failure. */
int ks_share_write_new(const char *path, const void *data, size_t len, ks_error *err);

#endif
