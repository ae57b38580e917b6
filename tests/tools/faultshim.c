/* faultshim.c: an LD_PRELOAD library that makes the file system misbehave
 * on cue, for the CLI tests (never linked into kasane).
 *
 *   KS_FAULT_ENOSPC_DIR=DIR
 *       every write to a file opened (open, openat, mkstemp) under DIR fails
 *       with ENOSPC, as on a full disk: write, pwrite, pwrite64, fwrite.
 *       What SQLite and kasane's external sort put in $TMPDIR goes through
 *       these.
 *   KS_FAULT_TRUNCATE=PATH:AFTER:TO
 *       once AFTER bytes of PATH have been read (read, fread), PATH is
 *       truncated to TO bytes: a file cut short while it is imported,
 *       deterministically.
 *
 * Interposes only what kasane and SQLite call through the PLT; glibc's
 * internal calls (fread's own read) are not seen, so fread is wrapped too.
 * State is per process and single-purpose: this is a test tool. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { MAX_FD = 65536 };

static atomic_uchar full_fd[MAX_FD]; /* 1: writes to this fd fail with ENOSPC */
static atomic_ullong bytes_seen;     /* bytes of the truncation target read */
static atomic_int truncated;         /* the truncation happened */

static const char *enospc_dir(void)
{
    const char *d = getenv("KS_FAULT_ENOSPC_DIR");
    return d && *d ? d : NULL;
}

static int under_dir(const char *path)
{
    const char *d = enospc_dir();
    if (!d || !path)
        return 0;
    size_t n = strlen(d);
    return strncmp(path, d, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static void mark(int fd, const char *path)
{
    if (fd >= 0 && fd < MAX_FD)
        atomic_store(&full_fd[fd], (unsigned char)under_dir(path));
}

static int is_full(int fd) { return fd >= 0 && fd < MAX_FD && atomic_load(&full_fd[fd]); }

/* real_NAME: the next definition of NAME (libc's), looked up once. */
#define REAL(name)                                                                                                 \
    static __typeof__(name) *real_##name;                                                                          \
    if (!real_##name)                                                                                              \
    real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

/* mode = the third argument of an open(2) that may create, as libc reads it */
#define OPEN_MODE(mode, flags)                                                                                     \
    do {                                                                                                           \
        if ((flags) & (O_CREAT | O_TMPFILE)) {                                                                     \
            va_list ap_;                                                                                           \
            va_start(ap_, flags);                                                                                  \
            (mode) = (mode_t)va_arg(ap_, int);                                                                     \
            va_end(ap_);                                                                                           \
        }                                                                                                          \
    } while (0)

int open(const char *path, int flags, ...)
{
    REAL(open);
    mode_t mode = 0;
    OPEN_MODE(mode, flags);
    int fd = real_open(path, flags, mode);
    mark(fd, path);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    REAL(open64);
    mode_t mode = 0;
    OPEN_MODE(mode, flags);
    int fd = real_open64(path, flags, mode);
    mark(fd, path);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    REAL(openat);
    mode_t mode = 0;
    OPEN_MODE(mode, flags);
    int fd = real_openat(dirfd, path, flags, mode);
    mark(fd, path);
    return fd;
}

int mkstemp(char *tmpl)
{
    REAL(mkstemp);
    int fd = real_mkstemp(tmpl);
    mark(fd, tmpl);
    return fd;
}

int mkstemp64(char *tmpl)
{
    REAL(mkstemp64);
    int fd = real_mkstemp64(tmpl);
    mark(fd, tmpl);
    return fd;
}

int close(int fd)
{
    REAL(close);
    if (fd >= 0 && fd < MAX_FD)
        atomic_store(&full_fd[fd], 0);
    return real_close(fd);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (is_full(fd) && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (is_full(fd) && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite64);
    if (is_full(fd) && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite64(fd, buf, n, off);
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
    REAL(fwrite);
    if (is_full(fileno(f)) && size * n > 0) {
        errno = ENOSPC;
        return 0;
    }
    return real_fwrite(buf, size, n, f);
}

/* ---- truncation ---- */

/* After n more bytes read from fd: truncates the target once it has been
 * read past AFTER. */
static void count_read(int fd, ssize_t n)
{
    const char *spec = getenv("KS_FAULT_TRUNCATE");
    if (!spec || n <= 0 || atomic_load(&truncated))
        return;
    char path[4096];
    const char *c1 = strchr(spec, ':');
    if (!c1 || (size_t)(c1 - spec) >= sizeof path)
        return;
    memcpy(path, spec, (size_t)(c1 - spec));
    path[c1 - spec] = '\0';
    unsigned long long after = strtoull(c1 + 1, NULL, 10);
    const char *c2 = strchr(c1 + 1, ':');
    long long to = c2 ? strtoll(c2 + 1, NULL, 10) : 0;
    struct stat a, b;
    if (fstat(fd, &a) != 0 || stat(path, &b) != 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
        return;
    if (atomic_fetch_add(&bytes_seen, (unsigned long long)n) + (unsigned long long)n >= after &&
        !atomic_exchange(&truncated, 1))
        (void)truncate(path, to);
}

ssize_t read(int fd, void *buf, size_t n)
{
    REAL(read);
    ssize_t r = real_read(fd, buf, n);
    count_read(fd, r);
    return r;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
    REAL(fread);
    size_t r = real_fread(buf, size, n, f);
    int fd = fileno(f);
    if (fd >= 0)
        count_read(fd, (ssize_t)(r * size));
    return r;
}
