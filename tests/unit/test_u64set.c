/* test_u64set.c: the 64-bit key set (distinct unlisted partner names and
 * the like) — growth by rehashing, the zero-slot key, merging, and agreement
 * with a sorted-array reference on many keys. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "test.h"

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
 * empty; checks each answer against a reference made by sorting: a key is
 * new at its first occurrence only.  Then merges the set into another. */
static void check_against_reference(size_t n)
{
    uint64_t *keys = ks_malloc(n * sizeof *keys);
    uint64_t st = 42;
    for (size_t i = 0; i < n; i++)
        keys[i] = (i % 4 == 3) ? keys[ks_test_rand64(&st) % i] : ks_test_rand64(&st);
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
    size_t wrong = 0;
    for (size_t i = 0; i < n; i++)
        wrong += (size_t)(ks_u64set_add(&s, keys[i]) != want[i]);
    KS_CHECK_INT(wrong, 0);
    KS_CHECK_INT(s.n, distinct);
    KS_CHECK(distinct < n && distinct > n / 2); /* the stream really repeats */
    KS_CHECK(s.cap >= 2 * s.n);
    /* merge: the first half of the stream in one set, the second in another */
    ks_u64set a = {0}, b = {0};
    for (size_t i = 0; i < n; i++)
        ks_u64set_add(i < n / 2 ? &a : &b, keys[i]);
    ks_u64set_merge(&a, &b);
    KS_CHECK_INT(a.n, distinct);
    size_t fresh = 0;
    for (size_t i = 0; i < n; i++)
        fresh += (size_t)ks_u64set_add(&a, keys[i]);
    KS_CHECK_INT(fresh, 0);
    ks_u64set_release(&a);
    ks_u64set_release(&b);
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
    ks_u64set t = {0};
    KS_CHECK_INT(ks_u64set_add(&t, 7), 1);
    ks_u64set_merge(&t, &s); /* the zero-slot key goes across too */
    KS_CHECK_INT(t.n, 3);
    KS_CHECK_INT(ks_u64set_add(&t, salt), 0);
    ks_u64set_release(&t);
    ks_u64set_release(&s);
}

int main(void)
{
    test_zero_slot();
    check_against_reference(20000);
    check_against_reference(150000);
    return ks_test_report();
}
