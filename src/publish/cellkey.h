/* cellkey.h: the cell key method's lookup table (ptable) and the
 * perturbation of one count, as ONS's cell-key-perturbation 3.1.0 does it
 * (github.com/ONSdigital/cell-key-perturbation, create_perturbed_table.py).
 *
 * The method: every record carries a fixed random key in 0..K-1 (K, the key
 * range, is 256 or 4096); a cell's key is the sum of its records' keys mod K
 * (ckey); the cell's count n gives the ptable row pcv (n itself up to 750,
 * then 501..750 again, period 250); the published count is
 * n + pvalue(pcv, ckey).  The same set of records always gets the same
 * noise, however a query is phrased.
 *
 * ptable formats that ks_ptable_parse reads (it tells them apart by their
 * header line; a UTF-8 BOM and CRLF or LF line ends are accepted):
 *  - ONS: CSV with the columns pcv, ckey, pvalue (by name, in any order,
 *    names quoted or not; other columns ignored), one integer per field.
 *  - sdcTools ptable::pt_export for counts, ';'-separated, fields padded
 *    with spaces, numbers possibly in scientific notation: TauArgus layout
 *    i;j;p;v;p_int_ub or SAS layout i;j;p;v;p_int_lb;p_int_ub.  It is turned
 *    into the ONS layout for key range K exactly as cellKey would apply it
 *    with record keys r/K: for pcv 1..750 and ckey c, the row block is
 *    i = min(pcv, max i) and the pvalue is the v of the first row (file
 *    order) of that block with c/K < p_int_ub.  For K a power of two, c/K is
 *    exact, so the two programs perturb every cell alike.
 *
 * What is refused (so that a loaded ptable always covers every cell and a
 * published count is never negative), with name:line:column:
 *  - both formats: an unknown header; a number that does not parse;
 *    |pvalue| > 750;
 *  - ONS: pcv outside 0..750 (pcv > 750 is never looked up); a negative
 *    ckey or one >= 4096; a row with pcv 0 and pvalue other than 0 (a true
 *    zero stays zero); a repeated (pcv, ckey) pair (pandas would publish the
 *    cell twice); any missing (pcv, ckey) for pcv 1..750, ckey 0..K-1, where
 *    K = max ckey + 1 (ONS would silently use 0 there);
 *  - sdcTools: a magnitude table (a 'type' column); i, j or v not an
 *    integer, v != j - i, j < 0; i > 501 (pcv 501..750 stand for every
 *    count above 500, so a row block above 501 could never be honoured);
 *    the blocks of one i not together, a block missing among 1..max i;
 *    intervals that do not run contiguously from 0 to 1 (within 1e-7), a p
 *    that is not p_int_ub - p_int_lb; an i = 0 row with v other than 0.
 * The key range is 2..4096.  `key_range` in parse/load: 0 takes it from an
 * ONS file (max ckey + 1) and uses 256 for an sdcTools file; otherwise an
 * ONS file must have exactly that range and an sdcTools file is converted
 * for it.
 *
 * Identity: ks_ptable_write_csv writes the canonical form (the ONS layout,
 * unquoted header "pcv,ckey,pvalue", LF, pcv 1..750 outer, ckey 0..K-1
 * inner, no pcv 0 rows) and ks_ptable_sha256 hashes it, so a table has one
 * hash whatever file it came from (ONS with or without quotes and CR,
 * either sdcTools layout).  ONS's own ptable_10_5_rule.csv hashes to
 * 03e170da750345f76098bc974ebc7261b48da12d8bdc18a3f07e4bb68af521be.
 *
 * The default ptable (ks_ptable_default, shipped as
 * datasets/ptables/kasane-default-k5.csv): parameters k (threshold), m
 * (spread) and K.  Counts of ckeys per perturbed value j, for a true count i:
 *  - i >= k + m: Binomial(2m, 1/2) - m around i: K * C(2m, m + v) / 4^m
 *    ckeys give j = i + v, v in -m..m.  Mean i, variance m/2.
 *  - k <= i < k + m: the same with m' = i - k instead of m, so that no j
 *    falls below k.  Mean i, variance (i - k)/2 (0 at i = k).
 *  - 1 <= i < k: j in {0, k, k+1} only, so no value in 1..k-1 is ever
 *    published: b = (i*K) mod k ckeys give k+1, a = (i*K - b*(k+1))/k
 *    give k, the rest give 0.  Mean exactly i (a*k + b*(k+1) = i*K);
 *    variance about i*(k-i), the least any unbiased table can have there.
 *  - i = 0 has no row (pvalue 0, as ONS): a zero stays zero.
 * Within a row, ckeys are given out in ascending j (ckeys 0.. get the
 * smallest j), as sdcTools' intervals do.  Every probability is a whole
 * number of 1/K, every mean is exact, and |j - i| <= D = max(m, k), or
 * max(m, k - 1) when K is a multiple of k (no row then needs k + 1).
 * Requires 4^m | K (so the binomial counts are whole), k*k - 1 <= K (so
 * a >= 0), m <= 6 and k + m <= 501.
 * Everything is integer arithmetic: the same parameters give the same bytes
 * on every machine.
 *
 * Ownership: ks_ptable_parse / _load / _default return an object freed with
 * ks_ptable_free.  Errors: 0 or a negative KS_E* (KS_EUSAGE for a bad file
 * or parameter, KS_EIO for a read failure) with err filled. */
#ifndef KASANE_CELLKEY_H
#define KASANE_CELLKEY_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define KS_PTABLE_MAX_PCV 750        /* rows pcv 1..750 (ONS) */
#define KS_PTABLE_MAX_KEY_RANGE 4096 /* ONS uses 256 (census) or 4096 (admin) */
#define KS_PTABLE_MAX_SDC_I 501      /* largest sdcTools i that maps onto pcv rows */

typedef struct ks_ptable ks_ptable;

/* Reads a ptable held in memory (text[0..len), need not be NUL-terminated);
 * `name` is used in messages. */
int ks_ptable_parse(const char *name, const char *text, size_t len, int key_range, ks_ptable **out, ks_error *err);
/* Reads a ptable file (at most 256 MiB). */
int ks_ptable_load(const char *path, int key_range, ks_ptable **out, ks_error *err);
/* The default ptable described above. */
int ks_ptable_default(int k, int m, int key_range, ks_ptable **out, ks_error *err);
void ks_ptable_free(ks_ptable *pt);
/* A copy. */
ks_ptable *ks_ptable_dup(const ks_ptable *pt);

/* K: cell keys and record keys are 0..K-1. */
int ks_ptable_key_range(const ks_ptable *pt);
/* Where the table came from: "ons", "sdctools-tauargus", "sdctools-sas" or
 * "kasane-default k=5 m=2" (for metadata; not part of the hash). */
const char *ks_ptable_source(const ks_ptable *pt);
/* pvalue of row pcv (1..750) and ckey (0..K-1); 0 outside, as ONS's left
 * join gives 0 where no row matches (pcv 0, the empty cell). */
int ks_ptable_pvalue(const ks_ptable *pt, int64_t pcv, int64_t ckey);
/* The largest |pvalue|. */
int ks_ptable_max_abs_pvalue(const ks_ptable *pt);
/* Whether the table keeps the threshold promise by itself: -KS_EUSAGE
 * naming the first (pcv, ckey) that publishes a negative count or one in
 * 1..k-1 (k <= 1: negatives only).  Loading does not refuse such tables,
 * because ONS's do it (its threshold step hides them) and the reference
 * tests use one; a caller that publishes without a threshold step should
 * refuse them.  pcv + pvalue is exactly what a count n = pcv publishes, and
 * a count above 750 publishes more than its pcv does. */
int ks_ptable_check(const ks_ptable *pt, const char *name, int k, ks_error *err);

/* ONS's row for a count n >= 0: n when n <= 750, else ((n-1) mod 250) + 501.
 * The constants are ONS's, fixed whatever the table holds. */
int64_t ks_cellkey_pcv(int64_t n);
/* The cell key: the sum of the cell's record keys mod K.  Summing keys in
 * 0..K-1 in a uint64_t cannot wrap before 2^52 records. */
int64_t ks_ptable_ckey(const ks_ptable *pt, uint64_t key_sum);
/* The published count n + pvalue(pcv(n), key_sum mod K), n >= 0 (0 stays
 * 0); negative only with a table ks_ptable_check refuses.  No threshold is
 * applied here:
 * ONS then hides counts below its threshold; that is the caller's policy. */
int64_t ks_ptable_perturb(const ks_ptable *pt, int64_t n, uint64_t key_sum);

/* Appends the canonical form to out. */
void ks_ptable_write_csv(const ks_ptable *pt, ks_buf *out);
/* SHA-256 of the canonical form, lowercase hex and a NUL. */
void ks_ptable_sha256(const ks_ptable *pt, char hex[65]);

#endif
