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
 * split/interpolate; the share record (ks_share) of a key (pseudo.h: one
 * epoch or a chain) and its text form for paper.
 *
 * Errors: functions return 0 or a negative KS_E* code and fill err.  Nothing
 * here allocates anything the caller must free except ks_buf contents and
 * the key ks_share_join returns. */
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
    KS_SHARE_V1 = 1,           /* format of a share of a 32-byte key (one epoch) */
    KS_SHARE_V2 = 2,           /* format of a share of a key chain (2 epochs or more) */
    KS_SHARE_FP_BYTES = 16,    /* the key's fingerprint, binary */
    KS_SHARE_W_BYTES = 32,     /* the wrapping key W */
    KS_SHARE_NONCE_BYTES = 24, /* XChaCha20-Poly1305 nonce */
    KS_SHARE_TAG_BYTES = 16,   /* its authentication tag */
    /* the wrapped key file (ks_key_serialise) and its tag, at most */
    KS_SHARE_CT_MAX = KS_KEY_FILE_MAX + KS_SHARE_TAG_BYTES,
    KS_SHARE_MAX_N = 16, /* custodians at most (join tries subsets) */
};

/* One share, decoded.  Its binary form (docs/keys.md) is packed and
 * unpacked field by field: v1 is version, fp, t, n, x, w, nonce, ct (48
 * bytes); v2 adds the epochs byte after the nonce, and ct is the chain's
 * file bytes and the tag. */
typedef struct ks_share {
    uint8_t version;                     /* KS_SHARE_V1 or KS_SHARE_V2 */
    uint8_t fp[KS_SHARE_FP_BYTES];       /* fingerprint of the key it wraps (its newest epoch's) */
    uint8_t t;                           /* threshold: shares needed */
    uint8_t n;                           /* shares made */
    uint8_t x;                           /* this share's index, 1..n */
    uint8_t w[KS_SHARE_W_BYTES];         /* W's polynomial at x */
    uint8_t nonce[KS_SHARE_NONCE_BYTES]; /* the wrapping's nonce (same in every share) */
    uint8_t epochs;                      /* the key's epochs: 1 in v1 (implied), 2.. in v2 */
    uint16_t ct_len;                     /* bytes of ct in use: the key file's and the tag */
    uint8_t ct[KS_SHARE_CT_MAX];         /* the wrapped key (same in every share) */
} ks_share;

/* Wraps k's file bytes (ks_key_serialise) under a fresh W and splits W:
 * out[0..n) get x = 1..n.  A key of one epoch gives v1 shares, a chain v2.
 * 2 <= t <= n <= KS_SHARE_MAX_N, else -KS_EUSAGE. */
int ks_share_split_key(const ks_key *k, int t, int n, ks_share *out, ks_error *err);

/* Joins k shares (any order): they must agree on version, fingerprint, t and
 * n (-KS_EUSAGE), have distinct indices (-KS_EUSAGE) and be at least t
 * (-KS_EUSAGE).  Tries the subsets of t shares until one decrypts to a key
 * (ks_key_parse: a chain's checksum holds) of the shares' fingerprint and
 * epochs; none: -KS_ESAFETY "the shares do not reconstruct the key: one is
 * wrong or altered".  On success *key is the key (ks_key_free it) and, when
 * bad is not NULL, bad[j] = 1 for each share that does not fit the
 * reconstruction (identifiable only with more than t shares). */
int ks_share_join(const ks_share *shares, int k, ks_key **key, int *bad, ks_error *err);

/* The printable form, appended to out: a header ("kasane key share vV",
 * "fingerprint: <32 hex>", "share: X of N (any T reconstruct)", and in v2
 * "epochs: E"), then the binary share in RFC 4648 base32 (no padding), 20
 * characters a line in groups of 5, each line numbered and ended by a
 * 4-character checksum. */
void ks_share_format(const ks_share *s, ks_buf *out);

/* Parses the printable form (letters in either case, spacing free, '#'
 * lines and blank lines ignored), v1 or v2; the header must agree with the
 * binary share (version, fingerprint, x, n, t, epochs).  `name` names the
 * source in messages.  A line whose checksum fails is named: -KS_EDATA
 * "NAME:LINE: share line NN does not match its checksum ...". */
int ks_share_parse(const char *text, size_t len, const char *name, ks_share *out, ks_error *err);

/* Creates path with mode 0600 holding data[0..len) (a share's text; a key
 * is written by ks_key_write_new), refusing (-KS_ESAFETY) an existing path
 * or a symlink; synced; removed again on failure. */
int ks_share_write_new(const char *path, const void *data, size_t len, ks_error *err);

#endif
