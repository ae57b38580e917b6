/* test_u64set.c: the 64-bit key set behind duplicate detection and the
 * distinct person/household counts — growth by rehashing, reserve (which
 * crosses into the huge-page mapping for large tables), the zero-slot key,
 * and agreement with a sorted-array reference on many keys. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kasane/util.h"
#include "test.h"

/* splitmix64: a reproducible stream with repeats injected by the caller */
static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

typedef struct pair {
    uint64_t key;  /* the key */
    size_t idx;    /* where it occurs in the stream */
} pair;

static int by_key_then_idx(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Adds n keys (every 4th a repeat of an earlier one) to a set grown from
 * empty or reserved up front; checks each answer against a reference made by
 * sorting: a key is new at its first occurrence only. */
static void check_against_reference(size_t n, int reserve)
{
    uint64_t *keys = ks_malloc(n * sizeof *keys);
    uint64_t st = 42;
    for (size_t i = 0; i < n; i++)
        keys[i] = (i % 4 == 3) ? keys[next(&st) % i] : next(&st);
    pair *p = ks_malloc(n * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = (pair){keys[i], i};
    qsort(p, n, sizeof *p, by_key_then_idx);
    unsigned char *want = ks_calloc(n, 1);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || p[i].key != p[i - 1].key) {
            want[p[i].idx] = 1;
            distinct++;
        }

    ks_u64set s = {0};
    if (reserve)
        ks_u64set_reserve(&s, n);
    size_t cap_after_reserve = s.cap, wrong = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + 4 < n)
            ks_u64set_prefetch(&s, keys[i + 4]);
        wrong += ks_u64set_add(&s, keys[i]) != want[i];
    }
    KS_CHECK_INT(wrong, 0);
    KS_CHECK_INT(s.n, distinct);
    KS_CHECK(distinct < n && distinct > n / 2); /* the stream really repeats */
    if (reserve)
        KS_CHECK_INT(s.cap, cap_after_reserve); /* no rehash after reserving */
    KS_CHECK(s.cap >= 2 * s.n);
    size_t missing = 0; /* everything added is still there */
    for (size_t i = 0; i < n; i++)
        missing += (size_t)ks_u64set_add(&s, keys[i]);
    KS_CHECK_INT(missing, 0);
    ks_u64set_release(&s);
    KS_CHECK(s.slot == NULL && s.n == 0 && s.cap == 0);
    free(want);
    free(p);
    free(keys);
}

static void test_zero_slot(void)
{
    /* the key whose stored form is 0 (key ^ salt == 0) lives outside the table */
    const uint64_t salt = 0x9e3779b97f4a7c15ULL;
    ks_u64set s = {0};
    KS_CHECK_INT(ks_u64set_add(&s, salt), 1);
    KS_CHECK_INT(ks_u64set_add(&s, salt), 0);
    KS_CHECK_INT(ks_u64set_add(&s, 0), 1);
    KS_CHECK_INT(ks_u64set_add(&s, 0), 0);
    KS_CHECK_INT(s.n, 2);
    ks_u64set_prefetch(&s, 1); /* harmless on any table */
    ks_u64set_release(&s);
    ks_u64set_prefetch(&s, 1); /* and on an empty one */
}

static void test_reserve_large(void)
{
    /* 300,000 keys: 2^20 slots, 8 MiB, above the mapping threshold */
    ks_u64set s = {0};
    ks_u64set_reserve(&s, 300000);
    KS_CHECK_INT(s.cap, (size_t)1 << 20);
    for (uint64_t k = 1; k <= 300000; k++)
        ks_u64set_add(&s, k * 0x100000001b3ULL);
    KS_CHECK_INT(s.cap, (size_t)1 << 20);
    KS_CHECK_INT(s.n, 300000);
    KS_CHECK_INT(ks_u64set_add(&s, 7 * 0x100000001b3ULL), 0);
    ks_u64set_reserve(&s, 10); /* never shrinks */
    KS_CHECK_INT(s.cap, (size_t)1 << 20);
    ks_u64set_reserve(&s, 600000); /* grows, keeping the keys */
    KS_CHECK_INT(s.cap, (size_t)1 << 21);
    KS_CHECK_INT(ks_u64set_add(&s, 299999 * 0x100000001b3ULL), 0);
    KS_CHECK_INT(ks_u64set_add(&s, 300001 * 0x100000001b3ULL), 1);
    ks_u64set_release(&s);
}

int main(void)
{
    test_zero_slot();
    check_against_reference(20000, 0);
    check_against_reference(20000, 1);
    check_against_reference(150000, 0); /* grows through the mapping threshold */
    test_reserve_large();
    return ks_test_report();
}
