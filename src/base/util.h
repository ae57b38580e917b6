/* util.h: allocation, growable buffers and error reporting shared by every module.
 *
 * Ownership: a function named *_new returns an object the caller frees with the
 * matching *_free; *_init and *_release set up and tear down contents the caller
 * owns (a struct on the stack).  A `const char *` returned by a function is
 * borrowed and lives as long as the object it came from.
 *
 * Errors: library functions return 0 on success or a negative KS_E* code, and
 * describe the failure in the ks_error they were handed (which may be NULL).
 * Only the command layer (the src/cmd_ files) turns codes into exit statuses. */
#ifndef KASANE_UTIL_H
#define KASANE_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define KS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define KS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Error codes; negative in return values. */
enum {
    KS_OK = 0,
    KS_EDATA = 1,   /* bad input data: the row or file is wrong */
    KS_EUSAGE = 2,  /* bad invocation or option value */
    KS_ESAFETY = 3, /* refused because it would be unsafe (key, permissions, disclosure) */
    KS_EIO = 4,     /* file system, database or library failure */
};

/* Exit statuses of the kasane binary (documented in README and --help). */
enum {
    KS_EXIT_OK = 0,
    KS_EXIT_DATA = 1,
    KS_EXIT_USAGE = 2,
    KS_EXIT_SAFETY = 3,
    KS_EXIT_ENV = 4,
};

typedef struct ks_error {
    int code;        /* one of KS_E*, 0 when nothing is recorded */
    char msg[1024];  /* lowercase, no full stop, file:line:column first when known */
} ks_error;

/* Records a message and returns -code, so callers can `return ks_error_set(...)`. */
int ks_error_set(ks_error *err, int code, const char *fmt, ...) KS_PRINTF(3, 4);
/* Prepends context ("while importing 'x.csv': ") to an existing message. */
int ks_error_prefix(ks_error *err, const char *fmt, ...) KS_PRINTF(2, 3);
/* Maps a KS_E* code (positive or negative) to a KS_EXIT_* status. */
int ks_exit_code(int code);

/* Checked allocation: on failure these print the size asked for and exit(4);
 * a welfare-data import that runs out of memory has nothing safe to go on with. */
void *ks_malloc(size_t n);
void *ks_calloc(size_t n, size_t size);
void *ks_realloc(void *p, size_t n);
char *ks_strdup(const char *s);
char *ks_strndup(const char *s, size_t n);
/* a*b and a+b that die on overflow instead of wrapping */
size_t ks_mul(size_t a, size_t b);
size_t ks_add(size_t a, size_t b);

/* A growable byte string.  Invariant: buf is never NULL after init and
 * buf[len] == '\0', so buf can always be used as a C string. */
typedef struct ks_buf {
    char *buf;
    size_t len;
    size_t cap;
} ks_buf;

void ks_buf_init(ks_buf *b);
void ks_buf_release(ks_buf *b);
void ks_buf_reset(ks_buf *b); /* len = 0, keeps the memory */
void ks_buf_grow(ks_buf *b, size_t extra);
void ks_buf_add(ks_buf *b, const void *data, size_t n);
void ks_buf_adds(ks_buf *b, const char *s);
void ks_buf_addc(ks_buf *b, char c);
void ks_buf_addf(ks_buf *b, const char *fmt, ...) KS_PRINTF(2, 3);
void ks_buf_vaddf(ks_buf *b, const char *fmt, va_list ap) KS_PRINTF(2, 0);
/* Hands the string to the caller (who frees it) and re-initialises b. */
char *ks_buf_detach(ks_buf *b, size_t *len);

/* A set of 64-bit keys (open addressing; memory 16 bytes per key at most).
 * Zero-initialise it; release with ks_u64set_release. */
typedef struct ks_u64set {
    uint64_t *slot; /* 0 = empty; keys are stored as key ^ salt */
    size_t cap;     /* power of two */
    size_t n;       /* keys held */
    int has_zero;   /* holds the key whose stored form would be 0 */
} ks_u64set;

/* Adds key; returns 1 when it was not there before. */
int ks_u64set_add(ks_u64set *s, uint64_t key);
/* Adds every key of src to dst. */
void ks_u64set_merge(ks_u64set *dst, const ks_u64set *src);

void ks_u64set_release(ks_u64set *s);

/* Locks all of the process's memory, now and to come, into RAM (mlockall),
 * so that identifiers in its buffers can never be written to swap; done only
 * where the memory-lock limit cannot make a later allocation fail (root with
 * CAP_IPC_LOCK, or RLIMIT_MEMLOCK of 1 GiB or more) and never under the
 * sanitizers. */
typedef enum ks_memlock {
    KS_MEMLOCK_LOCKED,         /* all memory is locked */
    KS_MEMLOCK_NO_PERMISSION,  /* neither CAP_IPC_LOCK nor a large RLIMIT_MEMLOCK */
    KS_MEMLOCK_FAILED,         /* mlockall refused */
    KS_MEMLOCK_SKIPPED,        /* a sanitizer build */
} ks_memlock;
ks_memlock ks_memory_lock_all(void);

/* Writes a whole file atomically: data goes to a temporary file (mode `mode`)
 * in the same directory, which is fsync'd and renamed over `path`.  An
 * existing `path` is replaced only when it is a regular file of ours with
 * its owner's write bit set; otherwise -KS_EUSAGE and nothing is written. */
int ks_write_file_atomic(const char *path, const void *data, size_t len, int mode, ks_error *err);

/* The UTC time t (seconds since the epoch, as time(NULL) gives) as an
 * ISO 8601 stamp, "2025-04-01T09:30:00Z": four-digit year, seconds, no
 * fraction, 'Z' for UTC; 20 characters and the NUL.  Sorts as text in time
 * order, which the audit and import_batch tables rely on. */
enum { KS_UTC_STAMP_SIZE = 21 };
void ks_utc_stamp(int64_t t, char out[KS_UTC_STAMP_SIZE]);

/* Closes stdout and reports a write error (full disk, closed pipe) instead of
 * leaving a silently truncated result.  Returns 0 or -KS_EIO. */
int ks_close_stdout(ks_error *err);

/* Warnings and errors to stderr in git's style: "kasane: error: ...". */
void ks_warn(const char *fmt, ...) KS_PRINTF(1, 2);
void ks_errorf(const char *fmt, ...) KS_PRINTF(1, 2);

#endif
