/* test_psort.c: the external pseudonym sort against qsort + unique on the
 * same data, across many runs (small runs force the merge), with repeats
 * inside and across runs; records sharing a key; the empty case; temporary files
 * leave nothing behind. */
#include "psort.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"

typedef uint8_t ps_t[KS_PSEUDO_BYTES];

/* reference order, written from psort.h's definition: signed row id, then
 * the other 8 bytes */
static int ref_cmp(const void *a, const void *b)
{
    int64_t x = ks_pseudo_rowid(a), y = ks_pseudo_rowid(b);
    if (x != y)
        return x < y ? -1 : 1;
    return memcmp((const uint8_t *)a + 8, (const uint8_t *)b + 8, 8);
}

typedef struct sink {
    ps_t *v;        /* everything emitted */
    size_t n, cap;  /* used, allocated */
    size_t calls;   /* emit calls */
    size_t stop_at; /* fail the call that would pass this many (0: never) */
} sink;

static int collect(void *ctx, const ps_t *ps, size_t n, ks_error *err)
{
    sink *k = ctx;
    k->calls++;
    if (k->stop_at && k->n + n >= k->stop_at)
        return ks_error_set(err, KS_EIO, "stop");
    if (k->n + n > k->cap) {
        k->cap = (k->n + n) * 2;
        k->v = ks_realloc(k->v, k->cap * sizeof *k->v);
    }
    memcpy(k->v + k->n, ps, n * sizeof *ps);
    k->n += n;
    return 0;
}

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void check_sort(size_t total, size_t run, const char *tmpdir)
{
    ps_t *in = ks_malloc(total * sizeof *in);
    uint64_t st = total * 7 + run;
    for (size_t i = 0; i < total; i++) {
        if (i % 3 == 2) { /* a repeat of anything earlier: same run or not */
            memcpy(in[i], in[ks_test_rand64(&st) % i], sizeof *in);
            continue;
        }
        uint64_t a = ks_test_rand64(&st), b = ks_test_rand64(&st);
        memcpy(in[i], &a, 8);
        memcpy(in[i] + 8, &b, 8);
    }
    ks_psort *s = ks_psort_new(run);
    ks_error err = {0};
    int rc = 0;
    for (size_t i = 0; i < total && !rc; i++)
        rc = ks_psort_add(s, in[i], &err);
    KS_CHECK_INT(rc, 0);
    if (run && total > 2 * run)
        KS_CHECK(ks_psort_runs(s) >= 2);
    size_t files = files_in(tmpdir);
    KS_CHECK_INT(files, 0); /* runs are unlinked as soon as they are made */
    sink k = {0};
    uint64_t distinct = 99;
    KS_CHECK_INT(ks_psort_finish(s, collect, &k, &distinct, &err), 0);
    ks_psort_free(s);

    qsort(in, total, sizeof *in, ref_cmp);
    size_t m = 0;
    for (size_t i = 0; i < total; i++)
        if (m == 0 || memcmp(in[m - 1], in[i], sizeof *in) != 0)
            memcpy(in[m++], in[i], sizeof *in);
    KS_CHECK_INT(distinct, m);
    KS_CHECK_INT(k.n, m);
    KS_CHECK(k.n == m && (m == 0 || memcmp(k.v, in, m * sizeof *in) == 0));
    KS_CHECK(m < total || total < 3); /* the data really repeated */
    free(k.v);
    free(in);
}

/* Records sharing their first 8 bytes are all emitted, adjacent, ordered by
 * the rest (the caller decides what such a pair means). */
static void check_same_key(size_t run)
{
    ps_t a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9};
    ps_t b = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 1}; /* same key, smaller rest */
    ps_t c = {9, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 1}; /* another key */
    ks_psort *s = ks_psort_new(run);
    ks_error err = {0};
    KS_CHECK_INT(ks_psort_add(s, a, &err), 0);
    KS_CHECK_INT(ks_psort_add(s, c, &err), 0);
    KS_CHECK_INT(ks_psort_add(s, a, &err), 0);
    KS_CHECK_INT(ks_psort_add(s, b, &err), 0);
    sink k = {0};
    uint64_t distinct;
    KS_CHECK_INT(ks_psort_finish(s, collect, &k, &distinct, &err), 0);
    KS_CHECK_INT(distinct, 3);
    /* row ids: 0x0807060504030201 for a and b, 0x0807060504030209 for c */
    KS_CHECK(k.n == 3 && memcmp(k.v[0], b, 16) == 0 && memcmp(k.v[1], a, 16) == 0 && memcmp(k.v[2], c, 16) == 0);
    ks_psort_free(s);
    free(k.v);
}

int main(void)
{
    ks_buf dir;
    ks_test_scratch_tmpdir("test_psort", &dir);

    check_sort(0, 0, dir.buf);
    check_sort(1, 0, dir.buf);
    check_sort(5000, 0, dir.buf);       /* one run, in memory */
    check_sort(50000, 997, dir.buf);    /* ~50 runs on file, odd run size */
    check_sort(4096, 1024, dir.buf);    /* runs exactly full */
    check_same_key(0);                  /* inside a run */
    check_same_key(2);                  /* across runs */

    /* an emit error stops the merge and is returned */
    ks_psort *s = ks_psort_new(100);
    ks_error err = {0};
    uint64_t st = 5;
    for (int i = 0; i < 5000; i++) {
        uint64_t a = ks_test_rand64(&st), b = ks_test_rand64(&st);
        ps_t p;
        memcpy(p, &a, 8);
        memcpy(p + 8, &b, 8);
        ks_psort_add(s, p, &err);
    }
    sink k = {.stop_at = 2048};
    uint64_t distinct;
    KS_CHECK(ks_psort_finish(s, collect, &k, &distinct, &err) < 0);
    KS_CHECK_INT(k.n, 1024);
    ks_psort_free(s);
    free(k.v);

    KS_CHECK_INT(files_in(dir.buf), 0);
    rmdir(dir.buf);
    ks_buf_release(&dir);
    return ks_test_report();
}
