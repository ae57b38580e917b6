/* test.h: a tiny unit-test harness.  Each check prints the failing location and
 * the values; main() returns ks_test_report(), non-zero when anything failed. */
#ifndef KASANE_TEST_H
#define KASANE_TEST_H

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int ks_test_checks;
static int ks_test_failures;

#define KS_CHECK(cond)                                                              \
    do {                                                                            \
        ks_test_checks++;                                                           \
        if (!(cond)) {                                                              \
            ks_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                           \
    } while (0)

#define KS_CHECK_INT(got, want)                                                     \
    do {                                                                            \
        long long g_ = (long long)(got), w_ = (long long)(want);                    \
        ks_test_checks++;                                                           \
        if (g_ != w_) {                                                             \
            ks_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__,    \
                    #got, g_, w_);                                                  \
        }                                                                           \
    } while (0)

#define KS_CHECK_STR(got, want)                                                     \
    do {                                                                            \
        const char *g_ = (got), *w_ = (want);                                       \
        ks_test_checks++;                                                           \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                                    \
            ks_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = \"%s\", want \"%s\"\n", __FILE__,          \
                    __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");        \
        }                                                                           \
    } while (0)

/* Relative tolerance, falling back to absolute near zero. */
#define KS_CHECK_DBL(got, want, tol)                                                \
    do {                                                                            \
        double g_ = (got), w_ = (want);                                             \
        double s_ = fabs(w_) > 1.0 ? fabs(w_) : 1.0;                                \
        ks_test_checks++;                                                           \
        if (!(fabs(g_ - w_) <= (tol) * s_)) {                                       \
            ks_test_failures++;                                                     \
            fprintf(stderr, "%s:%d: %s = %.12g, want %.12g (tol %g)\n", __FILE__,   \
                    __LINE__, #got, g_, w_, (double)(tol));                         \
        }                                                                           \
    } while (0)

/* splitmix64: a reproducible stream of 64-bit values for randomised tests. */
static inline uint64_t ks_test_rand64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Makes $KASANE_TEST_TMP/<name>_<pid> (or under /tmp), mode 0700, into
 * *dir (initialised here; the caller releases it), and points $TMPDIR at it,
 * so that the temporary files of the code under test land where the test
 * can look. */
static inline void ks_test_scratch_tmpdir(const char *name, ks_buf *dir)
{
    const char *base = getenv("KASANE_TEST_TMP");
    ks_buf_init(dir);
    ks_buf_adds(dir, base && *base ? base : "/tmp");
    mkdir(dir->buf, 0700); /* may exist already */
    ks_buf_addf(dir, "/%s_%ld", name, (long)getpid());
    KS_CHECK(mkdir(dir->buf, 0700) == 0 || errno == EEXIST);
    setenv("TMPDIR", dir->buf, 1);
}

static inline int ks_test_report(void)
{
    fprintf(stderr, "%d checks, %d failed\n", ks_test_checks, ks_test_failures);
    return ks_test_failures != 0;
}

#endif
