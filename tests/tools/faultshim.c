/* faultshim.c: an LD_PRELOAD library that makes the file system misbehave
 * on cue, for the CLI tests (never linked into kasane).
 *
 *   KS_FAULT_ENOSPC_DIR=DIR
 *       every write to a file opened (open, openat, mkstemp, fopen) under DIR
 *       fails with ENOSPC, as on a full disk: write, pwrite, pwrite64,
 *       fwrite.  What SQLite and kasane's external sort put in $TMPDIR goes
 *       through these.
 *   KS_FAULT_TRUNCATE=PATH:AFTER:TO
 *       once AFTER bytes of PATH have been read (read, fread), PATH is
 *       truncated to TO bytes: a file cut short while it is imported,
 *       deterministically.
 *   KS_FAULT_CALL=KIND:N:ERRNO
 *       the Nth call (1-based, counted in this process) of KIND fails once
 *       with ERRNO (ENOSPC or EIO, by name or number); every other call goes
 *       through.  ERRNO KILL instead kills the process with SIGKILL at that
 *       call, before it is made (after writing KS_FAULT_COUNT): a crash at a
 *       chosen point.  KIND and the functions it counts:
 *           write      write, fwrite (one call each, whatever the size)
 *           pwrite     pwrite, pwrite64
 *           fsync      fsync
 *           fdatasync  fdatasync (what SQLite calls to sync on Linux)
 *           rename     rename, renameat, renameat2 (counted when either
 *                      path is in the directory below)
 *           read       read, fread, pread, pread64
 *           mmap       mmap, mmap64 of a file (anonymous maps never count)
 *           any        all of the above, in one count
 *       A failed write/read/mmap returns -1 (MAP_FAILED, fwrite/fread 0)
 *       with errno set and does nothing.
 *   KS_FAULT_DIR=DIR
 *       counts (and fails) only calls on files whose path, made absolute
 *       lexically at open, is DIR or under it: the database's directory
 *       and the input's can be told apart.  Unset: every file the process
 *       opened through open, open64, openat, openat64, mkstemp, mkstemp64,
 *       fopen or fopen64, and every rename.  Descriptors it did not open
 *       (stdin, stdout, stderr, pipes) never count.
 *   KS_FAULT_COUNT=FILE
 *       at exit, writes FILE: one line "KIND COUNT" per kind (any last),
 *       then "fired KIND N FUNCTION PATH" if the fault fired.  A test runs
 *       once with it to learn the range of N to sweep.
 *   KS_FAULT_TRACE=FILE
 *       appends one line per counted call to FILE as it is made:
 *       "N KIND FUNCTION PATH", N its number among all kinds (any's): where
 *       in a run a commit's write, sync or rename is.
 *
 * Interposes only what kasane and SQLite call through the PLT (nm -D: SQLite
 * calls open64, read, pread64, write, pwrite64, fdatasync, mmap64,
 * ftruncate64, unlink; kasane read, fread, write, fwrite, fsync, rename,
 * renameat2, open, mkstemp, fopen); glibc's internal calls (fread's own
 * read, fclose's write of a stream's buffer, fputs) are not seen, so the
 * stdio functions are wrapped where it matters.  State is per process:
 * this is a test tool. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

enum { MAX_FD = 65536, PATH_MAX_SHIM = 4096 };

enum { FD_FULL = 1, FD_COUNTED = 2 }; /* bits of fd_flags */

enum kind { K_WRITE, K_PWRITE, K_FSYNC, K_FDATASYNC, K_RENAME, K_READ, K_MMAP, K_ANY, K_NKINDS };

static const char *const kind_names[K_NKINDS] = {"write", "pwrite", "fsync", "fdatasync",
                                                 "rename", "read",   "mmap",  "any"};

static atomic_uchar fd_flags[MAX_FD]; /* FD_FULL | FD_COUNTED per descriptor */
static atomic_ullong bytes_seen;      /* bytes of the truncation target read */
static atomic_int truncated;          /* the truncation happened */
static atomic_ullong counts[K_NKINDS]; /* calls seen per kind */
static atomic_int fired;              /* the KS_FAULT_CALL fault happened */
static char fired_what[PATH_MAX_SHIM + 64]; /* "KIND N FUNCTION PATH" of it */

/* KS_FAULT_CALL and KS_FAULT_DIR, parsed once (idempotent: a race parses twice) */
static atomic_int cfg_ready;
static int cfg_kind = -1;           /* KIND, or -1: no fault */
static unsigned long long cfg_nth;  /* N */
static int cfg_errno;               /* ERRNO, or 0: KILL */
static char cfg_dir[PATH_MAX_SHIM]; /* KS_FAULT_DIR, or "" */
static int trace_fd = -1;           /* KS_FAULT_TRACE, open for appending, or -1 */

/* real_NAME: the next definition of NAME (libc's, or a sanitizer's), looked
 * up once. */
#define REAL(name)                                                                                                 \
    static __typeof__(name) *real_##name;                                                                          \
    if (!real_##name)                                                                                              \
    real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

static int parse_errno(const char *s)
{
    if (strcmp(s, "ENOSPC") == 0)
        return ENOSPC;
    if (strcmp(s, "EIO") == 0)
        return EIO;
    int e = atoi(s);
    return e > 0 ? e : EIO;
}

static void config(void)
{
    if (atomic_load(&cfg_ready))
        return;
    const char *spec = getenv("KS_FAULT_CALL");
    if (spec && *spec) {
        const char *c1 = strchr(spec, ':');
        const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (c1 && c2) {
            for (int k = 0; k < K_NKINDS; k++)
                if ((size_t)(c1 - spec) == strlen(kind_names[k]) && strncmp(spec, kind_names[k], (size_t)(c1 - spec)) == 0)
                    cfg_kind = k;
            cfg_nth = strtoull(c1 + 1, NULL, 10);
            cfg_errno = strcmp(c2 + 1, "KILL") == 0 ? 0 : parse_errno(c2 + 1);
        }
        if (cfg_kind < 0 || cfg_nth == 0) {
            static const char msg[] = "faultshim: KS_FAULT_CALL must be KIND:N:ERRNO or KIND:N:KILL (N >= 1)\n";
            REAL(write);
            (void)!real_write(2, msg, sizeof msg - 1);
            abort();
        }
    }
    const char *d = getenv("KS_FAULT_DIR");
    if (d && *d && strlen(d) < sizeof cfg_dir) {
        memcpy(cfg_dir, d, strlen(d) + 1);
        size_t n = strlen(cfg_dir);
        while (n > 1 && cfg_dir[n - 1] == '/')
            cfg_dir[--n] = '\0';
    }
    const char *t = getenv("KS_FAULT_TRACE");
    if (t && *t && trace_fd < 0) {
        REAL(open);
        trace_fd = real_open(t, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    }
    atomic_store(&cfg_ready, 1);
}

/* path made absolute against dirfd (AT_FDCWD: the working directory),
 * lexically, into out; "" when it cannot be. */
static void absolute(int dirfd, const char *path, char *out, size_t size)
{
    out[0] = '\0';
    if (!path)
        return;
    if (path[0] == '/') {
        snprintf(out, size, "%s", path);
        return;
    }
    char base[PATH_MAX_SHIM];
    if (dirfd == AT_FDCWD) {
        if (!getcwd(base, sizeof base))
            return;
    } else {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
        ssize_t n = readlink(link, base, sizeof base - 1);
        if (n < 0)
            return;
        base[n] = '\0';
    }
    const char *p = path;
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    snprintf(out, size, "%s/%s", base, p);
}

static int in(const char *dir, const char *abs)
{
    size_t n = strlen(dir);
    return n > 0 && strncmp(abs, dir, n) == 0 && (abs[n] == '/' || abs[n] == '\0');
}

static int enospc_under(const char *path)
{
    const char *d = getenv("KS_FAULT_ENOSPC_DIR");
    if (!d || !*d || !path)
        return 0;
    size_t n = strlen(d);
    return strncmp(path, d, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* Is the path (relative to dirfd) one whose calls count? */
static int counted_path(int dirfd, const char *path)
{
    config();
    if (!cfg_dir[0])
        return path != NULL;
    char abs[PATH_MAX_SHIM];
    absolute(dirfd, path, abs, sizeof abs);
    return in(cfg_dir, abs);
}

static void mark_at(int fd, int dirfd, const char *path)
{
    if (fd < 0 || fd >= MAX_FD)
        return;
    unsigned char f = 0;
    if (enospc_under(path))
        f |= FD_FULL;
    if (counted_path(dirfd, path))
        f |= FD_COUNTED;
    atomic_store(&fd_flags[fd], f);
}

static void mark(int fd, const char *path) { mark_at(fd, AT_FDCWD, path); }

static void unmark(int fd)
{
    if (fd >= 0 && fd < MAX_FD)
        atomic_store(&fd_flags[fd], 0);
}

static int is_full(int fd) { return fd >= 0 && fd < MAX_FD && (atomic_load(&fd_flags[fd]) & FD_FULL); }

/* fileno without touching errno (it sets EBADF for a stream with no
 * descriptor, such as fopencookie's, which would mask the caller's errno) */
static int fd_of(FILE *f)
{
    int e = errno;
    int fd = f ? fileno(f) : -1;
    errno = e;
    return fd;
}

static int is_counted(int fd) { return fd >= 0 && fd < MAX_FD && (atomic_load(&fd_flags[fd]) & FD_COUNTED); }

/* The file a call is on, into where: path, or what fd is open on. */
static void where_of(int fd, const char *path, char *where, size_t size)
{
    where[0] = '\0';
    if (path) {
        snprintf(where, size, "%s", path);
    } else if (fd >= 0) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t r = readlink(link, where, size - 1);
        where[r > 0 ? r : 0] = '\0';
    }
}

static void write_counts(void);

/* Counts one call of kind k (fn, on what) and says whether it is the one to
 * fail: then errno is set.  The one to kill never returns. */
static int hit(enum kind k, const char *fn, int fd, const char *path)
{
    config();
    int e = errno;
    unsigned long long n = atomic_fetch_add(&counts[k], 1) + 1;
    unsigned long long na = atomic_fetch_add(&counts[K_ANY], 1) + 1;
    char where[PATH_MAX_SHIM];
    if (trace_fd >= 0) {
        char line[PATH_MAX_SHIM + 64];
        where_of(fd, path, where, sizeof where);
        int len = snprintf(line, sizeof line, "%llu %s %s %s\n", na, kind_names[k], fn, where);
        REAL(write);
        (void)!real_write(trace_fd, line, len < (int)sizeof line ? (size_t)len : sizeof line - 1);
    }
    errno = e; /* readlink, the trace's write */
    if (cfg_kind < 0)
        return 0;
    unsigned long long at = cfg_kind == K_ANY ? na : n;
    if ((cfg_kind != K_ANY && cfg_kind != (int)k) || at != cfg_nth || atomic_exchange(&fired, 1))
        return 0;
    where_of(fd, path, where, sizeof where);
    snprintf(fired_what, sizeof fired_what, "%s %llu %s %s", kind_names[cfg_kind], cfg_nth, fn, where);
    if (cfg_errno == 0) { /* KILL: no destructor runs, so the counts first */
        write_counts();
        kill(getpid(), SIGKILL);
    }
    errno = cfg_errno;
    return 1;
}

static int hit_fd(enum kind k, const char *fn, int fd) { return is_counted(fd) && hit(k, fn, fd, NULL); }

/* KS_FAULT_COUNT: written at exit (or at a KILL), through the real calls
 * (not counted). */
__attribute__((destructor)) static void write_counts(void)
{
    const char *path = getenv("KS_FAULT_COUNT");
    if (!path || !*path)
        return;
    REAL(open);
    REAL(write);
    REAL(close);
    int fd = real_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char buf[PATH_MAX_SHIM + 512];
    size_t len = 0;
    for (int k = 0; k < K_NKINDS; k++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %llu\n", kind_names[k], atomic_load(&counts[k]));
    if (atomic_load(&fired))
        len += (size_t)snprintf(buf + len, sizeof buf - len, "fired %s\n", fired_what);
    if (len > sizeof buf)
        len = sizeof buf;
    (void)!real_write(fd, buf, len);
    real_close(fd);
}

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

/* ---- opening and closing: which descriptors count ---- */

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
    mark_at(fd, dirfd, path);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    REAL(openat64);
    mode_t mode = 0;
    OPEN_MODE(mode, flags);
    int fd = real_openat64(dirfd, path, flags, mode);
    mark_at(fd, dirfd, path);
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

FILE *fopen(const char *path, const char *how)
{
    REAL(fopen);
    FILE *f = real_fopen(path, how);
    if (f)
        mark(fd_of(f), path);
    return f;
}

FILE *fopen64(const char *path, const char *how)
{
    REAL(fopen64);
    FILE *f = real_fopen64(path, how);
    if (f)
        mark(fd_of(f), path);
    return f;
}

int close(int fd)
{
    REAL(close);
    unmark(fd);
    return real_close(fd);
}

int fclose(FILE *f)
{
    REAL(fclose);
    if (f)
        unmark(fd_of(f));
    return real_fclose(f);
}

/* ---- writing ---- */

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(write);
    if (hit_fd(K_WRITE, "write", fd))
        return -1;
    if (is_full(fd) && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite);
    if (hit_fd(K_PWRITE, "pwrite", fd))
        return -1;
    if (is_full(fd) && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(pwrite64);
    if (hit_fd(K_PWRITE, "pwrite64", fd))
        return -1;
    if (is_full(fd) && n > 0) {
        errno = ENOSPC;
        return -1;
    }
    return real_pwrite64(fd, buf, n, off);
}

size_t fwrite(const void *buf, size_t size, size_t n, FILE *f)
{
    REAL(fwrite);
    int fd = fd_of(f);
    if (hit_fd(K_WRITE, "fwrite", fd)) {
        /* as a stream whose write failed: its error indicator set */
        f->_flags |= 0x20; /* _IO_ERR_SEEN */
        return 0;
    }
    if (is_full(fd) && size * n > 0) {
        errno = ENOSPC;
        return 0;
    }
    return real_fwrite(buf, size, n, f);
}

int fsync(int fd)
{
    REAL(fsync);
    if (hit_fd(K_FSYNC, "fsync", fd))
        return -1;
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(fdatasync);
    if (hit_fd(K_FDATASYNC, "fdatasync", fd))
        return -1;
    return real_fdatasync(fd);
}

/* ---- renaming ---- */

static int rename_hit(const char *fn, int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    if (!counted_path(olddirfd, oldpath) && !counted_path(newdirfd, newpath))
        return 0;
    return hit(K_RENAME, fn, -1, newpath);
}

int rename(const char *oldpath, const char *newpath)
{
    REAL(rename);
    if (rename_hit("rename", AT_FDCWD, oldpath, AT_FDCWD, newpath))
        return -1;
    return real_rename(oldpath, newpath);
}

int renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
    REAL(renameat);
    if (rename_hit("renameat", olddirfd, oldpath, newdirfd, newpath))
        return -1;
    return real_renameat(olddirfd, oldpath, newdirfd, newpath);
}

int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
    REAL(renameat2);
    if (rename_hit("renameat2", olddirfd, oldpath, newdirfd, newpath))
        return -1;
    return real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

/* ---- mapping ---- */

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    REAL(mmap);
    if (!(flags & MAP_ANONYMOUS) && hit_fd(K_MMAP, "mmap", fd))
        return MAP_FAILED;
    return real_mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    REAL(mmap64);
    if (!(flags & MAP_ANONYMOUS) && hit_fd(K_MMAP, "mmap64", fd))
        return MAP_FAILED;
    return real_mmap64(addr, len, prot, flags, fd, off);
}

/* ---- reading, and the truncation ---- */

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
    if (hit_fd(K_READ, "read", fd))
        return -1;
    ssize_t r = real_read(fd, buf, n);
    count_read(fd, r);
    return r;
}

size_t fread(void *buf, size_t size, size_t n, FILE *f)
{
    REAL(fread);
    int fd = fd_of(f);
    if (hit_fd(K_READ, "fread", fd)) {
        f->_flags |= 0x20; /* _IO_ERR_SEEN: ferror() says so, as after a failed read */
        return 0;
    }
    size_t r = real_fread(buf, size, n, f);
    if (fd >= 0)
        count_read(fd, (ssize_t)(r * size));
    return r;
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    REAL(pread);
    if (hit_fd(K_READ, "pread", fd))
        return -1;
    return real_pread(fd, buf, n, off);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
    REAL(pread64);
    if (hit_fd(K_READ, "pread64", fd))
        return -1;
    return real_pread64(fd, buf, n, off);
}
