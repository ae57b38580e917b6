/* ptable-gen: writes kasane's default ptable (cellkey.h, ks_ptable_default)
 * in the canonical ONS layout, and prints its SHA-256 and, per true count
 * i, the perturbed values with their number of cell keys, the mean and the
 * variance.
 *
 *   ptable-gen K_THRESHOLD M KEY_RANGE OUT.csv
 *   ptable-gen 5 2 256 datasets/ptables/kasane-default-k5.csv
 *
 * tests/unit/test_cellkey.c checks that the shipped file equals the
 * generator's output, so a change to either shows. */
#include <stdio.h>
#include <stdlib.h>

#include "cellkey.h"
#include "util.h"

static int arg_int(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    int k, m, K;
    if (argc != 5 || arg_int(argv[1], &k) || arg_int(argv[2], &m) || arg_int(argv[3], &K)) {
        fprintf(stderr, "usage: ptable-gen K_THRESHOLD M KEY_RANGE OUT.csv\n");
        return KS_EXIT_USAGE;
    }
    ks_error err = {0};
    ks_ptable *pt = NULL;
    int rc = ks_ptable_default(k, m, K, &pt, &err);
    if (rc < 0) {
        ks_errorf("%s", err.msg);
        return ks_exit_code(rc);
    }
    ks_buf b;
    ks_buf_init(&b);
    ks_ptable_write_csv(pt, &b);
    rc = ks_write_file_atomic(argv[4], b.buf, b.len, 0644, &err);
    ks_buf_release(&b);
    if (rc < 0) {
        ks_errorf("%s", err.msg);
        ks_ptable_free(pt);
        return ks_exit_code(rc);
    }
    char hex[65];
    ks_ptable_sha256(pt, hex);
    printf("sha256 %s\nmax |pvalue| %d\n", hex, ks_ptable_max_abs_pvalue(pt));
    if (ks_ptable_check(pt, argv[4], k, &err) < 0)
        ks_errorf("%s", err.msg); /* cannot happen: the construction keeps it */
    /* Rows up to k + m + 1 differ; every later one repeats the last. */
    for (int i = 1; i <= k + m + 1; i++) {
        long s1 = 0, s2 = 0;
        printf("i=%d:", i);
        int c = 0;
        while (c < K) {
            int v = ks_ptable_pvalue(pt, i, c), n = 0;
            while (c < K && ks_ptable_pvalue(pt, i, c) == v) {
                c++;
                n++;
            }
            printf(" j=%d x%d", i + v, n);
            s1 += (long)n * v;
            s2 += (long)n * v * v;
        }
        printf("  mean %.6f variance %.6f\n", i + (double)s1 / K, (double)s2 / K - ((double)s1 / K) * ((double)s1 / K));
    }
    ks_ptable_free(pt);
    return 0;
}
