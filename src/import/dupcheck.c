/* dupcheck.c: duplicate record ids in bounded memory (dupcheck.h). */
#include "dupcheck.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "psort.h"

enum { LINE_BITS = 40 }; /* a position is file << 40 | line */

struct ks_dupcheck {
    const ks_key *key;          /* the import key, or NULL */
    unsigned char own[crypto_shorthash_KEYBYTES]; /* random key when there is none */
    ks_psort *log;              /* (hash, position) of the rows of this pass */
    uint64_t file;              /* current file index, shifted into place */
    uint64_t *later;            /* positions of the duplicates, sorted (second pass) */
    size_t nlater, cap;         /* used, allocated */
    int second;                 /* the duplicates are known: check, do not log */
    int failed;                 /* logging failed: err says why */
    ks_error err;               /* the logging failure */
};

ks_dupcheck *ks_dupcheck_new(const ks_key *key)
{
    ks_dupcheck *d = ks_calloc(1, sizeof *d);
    d->key = key;
    if (!key)
        randombytes_buf(d->own, sizeof d->own);
    d->log = ks_psort_new(0);
    return d;
}

void ks_dupcheck_free(ks_dupcheck *d)
{
    if (!d)
        return;
    ks_psort_free(d->log);
    free(d->later);
    sodium_memzero(d->own, sizeof d->own);
    free(d);
}

void ks_dupcheck_file(ks_dupcheck *d, uint32_t file_index) { d->file = (uint64_t)file_index << LINE_BITS; }

size_t ks_dupcheck_known(const ks_dupcheck *d) { return d->nlater; }

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int ks_dupcheck_row(ks_dupcheck *d, const void *id, size_t n, uint64_t line)
{
    uint64_t pos = d->file | (line & ((UINT64_C(1) << LINE_BITS) - 1));
    if (d->second)
        return bsearch(&pos, d->later, d->nlater, sizeof *d->later, cmp_u64) != NULL;
    if (d->failed)
        return 0;
    uint64_t h;
    if (d->key) {
        h = ks_pseudo_dupkey(d->key, id, n);
    } else {
        unsigned char out[crypto_shorthash_BYTES];
        crypto_shorthash(out, id, n, d->own);
        memcpy(&h, out, sizeof h);
    }
    /* the record: hash (little endian, the sort key), then the position big
     * endian, so that equal hashes come out in file order */
    uint8_t rec[KS_PSEUDO_BYTES];
    memcpy(rec, &h, 8);
    for (int i = 0; i < 8; i++)
        rec[8 + i] = (uint8_t)(pos >> (56 - 8 * i));
    if (ks_psort_add(d->log, rec, &d->err) < 0)
        d->failed = 1;
    return 0;
}

typedef struct scan {
    ks_dupcheck *d;     /* collects the later positions */
    uint64_t last;      /* hash of the previous record */
    int have_last;      /* last is set */
} scan;

static int collect(void *ctx, const uint8_t (*rec)[KS_PSEUDO_BYTES], size_t n, ks_error *err)
{
    (void)err;
    scan *s = ctx;
    ks_dupcheck *d = s->d;
    for (size_t i = 0; i < n; i++) {
        uint64_t h, pos = 0;
        memcpy(&h, rec[i], 8);
        for (int b = 0; b < 8; b++)
            pos = pos << 8 | rec[i][8 + b];
        if (s->have_last && h == s->last) { /* seen at an earlier position */
            if (d->nlater == d->cap) {
                d->cap = d->cap ? 2 * d->cap : 64;
                d->later = ks_realloc(d->later, ks_mul(d->cap, sizeof *d->later));
            }
            d->later[d->nlater++] = pos;
        }
        s->last = h;
        s->have_last = 1;
    }
    return 0;
}

int ks_dupcheck_finish(ks_dupcheck *d, ks_error *err)
{
    if (d->second)
        return 0; /* nothing new can turn up: every duplicate is rejected */
    if (d->failed) {
        *err = d->err;
        return -KS_EIO;
    }
    scan s = {.d = d};
    uint64_t distinct;
    int rc = ks_psort_finish(d->log, collect, &s, &distinct, err);
    ks_psort_free(d->log);
    d->log = NULL;
    if (rc)
        return rc;
    if (d->nlater == 0)
        return 0;
    qsort(d->later, d->nlater, sizeof *d->later, cmp_u64);
    d->second = 1;
    return 1;
}
