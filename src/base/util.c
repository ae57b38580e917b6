/* util.c: checked allocation, ks_buf, ks_error and small I/O helpers. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int ks_error_set(ks_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return -code;
}

int ks_error_prefix(ks_error *err, const char *fmt, ...)
{
    if (!err)
        return 0;
    /* Build the new message in a ks_buf, then cut it to fit: truncation of a
     * long message is acceptable, a compiler warning about it is not. */
    ks_buf b;
    ks_buf_init(&b);
    va_list ap;
    va_start(ap, fmt);
    ks_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    ks_buf_adds(&b, err->msg);
    size_t n = b.len < sizeof err->msg - 1 ? b.len : sizeof err->msg - 1;
    memcpy(err->msg, b.buf, n);
    err->msg[n] = '\0';
    ks_buf_release(&b);
    return -err->code;
}

int ks_exit_code(int code)
{
    switch (code < 0 ? -code : code) {
    case KS_OK: return KS_EXIT_OK;
    case KS_EDATA: return KS_EXIT_DATA;
    case KS_EUSAGE: return KS_EXIT_USAGE;
    case KS_ESAFETY: return KS_EXIT_SAFETY;
    default: return KS_EXIT_ENV;
    }
}

static void die_oom(size_t n)
{
    fprintf(stderr, "kasane: fatal: out of memory allocating %zu bytes\n", n);
    exit(KS_EXIT_ENV);
}

void *ks_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die_oom(n);
    return p;
}

void *ks_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        die_oom(ks_mul(n, size));
    return p;
}

void *ks_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        die_oom(n);
    return q;
}

char *ks_strndup(const char *s, size_t n)
{
    char *d = ks_malloc(ks_add(n, 1));
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ks_strdup(const char *s) { return ks_strndup(s, strlen(s)); }

size_t ks_mul(size_t a, size_t b)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r)) {
        fprintf(stderr, "kasane: fatal: size overflow: %zu * %zu\n", a, b);
        exit(KS_EXIT_ENV);
    }
    return r;
}

size_t ks_add(size_t a, size_t b)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        fprintf(stderr, "kasane: fatal: size overflow: %zu + %zu\n", a, b);
        exit(KS_EXIT_ENV);
    }
    return r;
}

static char ks_buf_empty[1];

void ks_buf_init(ks_buf *b)
{
    b->buf = ks_buf_empty; /* shared empty string until the first write */
    b->len = b->cap = 0;
}

void ks_buf_release(ks_buf *b)
{
    if (b->cap)
        free(b->buf);
    ks_buf_init(b);
}

void ks_buf_reset(ks_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->buf[0] = '\0';
}

void ks_buf_grow(ks_buf *b, size_t extra)
{
    size_t need = ks_add(ks_add(b->len, extra), 1);
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = ks_mul(cap, 2);
    if (b->cap) {
        b->buf = ks_realloc(b->buf, cap);
    } else {
        b->buf = ks_malloc(cap);
        b->buf[0] = '\0';
    }
    b->cap = cap;
}

void ks_buf_add(ks_buf *b, const void *data, size_t n)
{
    ks_buf_grow(b, n);
    memcpy(b->buf + b->len, data, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

void ks_buf_adds(ks_buf *b, const char *s) { ks_buf_add(b, s, strlen(s)); }

void ks_buf_addc(ks_buf *b, char c) { ks_buf_add(b, &c, 1); }

void ks_buf_vaddf(ks_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return;
    ks_buf_grow(b, (size_t)n);
    vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void ks_buf_addf(ks_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ks_buf_vaddf(b, fmt, ap);
    va_end(ap);
}

char *ks_buf_detach(ks_buf *b, size_t *len)
{
    char *s = b->cap ? b->buf : ks_strdup("");
    if (len)
        *len = b->len;
    ks_buf_init(b);
    return s;
}

int ks_write_file_atomic(const char *path, const void *data, size_t len, int mode, ks_error *err)
{
    /* rename() replaces whatever is there, a file the user made read-only to
     * keep it included: look first.  Ownership and the write bit are checked,
     * not access(2), which says yes to root for any file. */
    struct stat sb;
    if (lstat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode))
            return ks_error_set(err, KS_EUSAGE, "'%s' exists and is not a regular file: not replaced", path);
        if (sb.st_uid != geteuid() || !(sb.st_mode & S_IWUSR))
            return ks_error_set(err, KS_EUSAGE, "'%s' exists and is %s: not replaced", path,
                                sb.st_uid != geteuid() ? "another user's" : "read-only");
    }
    ks_buf tmp;
    ks_buf_init(&tmp);
    ks_buf_addf(&tmp, "%s.tmp.XXXXXX", path);
    int rc = 0;
    int fd = mkstemp(tmp.buf);
    if (fd < 0) {
        rc = ks_error_set(err, KS_EIO, "cannot create '%s': %s", tmp.buf, strerror(errno));
        goto done;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            rc = ks_error_set(err, KS_EIO, "cannot write '%s': %s", path, strerror(errno));
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (rc == 0 && fchmod(fd, (mode_t)mode) != 0)
        rc = ks_error_set(err, KS_EIO, "cannot set mode of '%s': %s", path, strerror(errno));
    if (rc == 0 && fsync(fd) != 0)
        rc = ks_error_set(err, KS_EIO, "cannot sync '%s': %s", path, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = ks_error_set(err, KS_EIO, "cannot close '%s': %s", path, strerror(errno));
    if (rc == 0 && rename(tmp.buf, path) != 0)
        rc = ks_error_set(err, KS_EIO, "cannot rename onto '%s': %s", path, strerror(errno));
    if (rc != 0)
        unlink(tmp.buf);
done:
    ks_buf_release(&tmp);
    return rc;
}

int ks_close_stdout(ks_error *err)
{
    if (fflush(stdout) != 0 || ferror(stdout))
        return ks_error_set(err, KS_EIO, "cannot write standard output: %s", strerror(errno));
    if (fclose(stdout) != 0)
        return ks_error_set(err, KS_EIO, "cannot close standard output: %s", strerror(errno));
    return 0;
}

void ks_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kasane: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void ks_errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kasane: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- ks_u64set ---- */

#define U64SET_SALT 0x9e3779b97f4a7c15ULL

void ks_u64set_release(ks_u64set *s)
{
    free(s->slot);
    memset(s, 0, sizeof *s);
}

static size_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

/* Rehashes into a table of cap slots (a power of two, > 2 * n). */
static void u64set_resize(ks_u64set *s, size_t cap)
{
    uint64_t *t = ks_calloc(cap, sizeof *t);
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->slot[i])
            continue;
        size_t j = mix(s->slot[i]) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = s->slot[i];
    }
    free(s->slot);
    s->slot = t;
    s->cap = cap;
}

void ks_u64set_merge(ks_u64set *dst, const ks_u64set *src)
{
    for (size_t i = 0; i < src->cap; i++)
        if (src->slot[i])
            ks_u64set_add(dst, src->slot[i] ^ U64SET_SALT);
    if (src->has_zero) /* the key stored as 0 is the salt itself */
        ks_u64set_add(dst, U64SET_SALT);
}

int ks_u64set_add(ks_u64set *s, uint64_t key)
{
    uint64_t v = key ^ U64SET_SALT;
    if (v == 0) {
        int fresh = !s->has_zero;
        s->has_zero = 1;
        s->n += (size_t)fresh;
        return fresh;
    }
    if ((s->n + 1) * 2 > s->cap)
        u64set_resize(s, s->cap ? ks_mul(s->cap, 2) : 1024);
    size_t j = mix(v) & (s->cap - 1);
    while (s->slot[j]) {
        if (s->slot[j] == v)
            return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slot[j] = v;
    s->n++;
    return 1;
}


/* ---- locking the process's memory ---- */

/* CAP_IPC_LOCK lifts RLIMIT_MEMLOCK.  Asked of the kernel directly
 * (capget), to need no libcap. */
static int have_ipc_lock(void)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capget, &h, d) != 0)
        return 0;
    return (d[CAP_IPC_LOCK / 32].effective >> (CAP_IPC_LOCK % 32)) & 1;
}

ks_memlock ks_memory_lock_all(void)
{
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    (void)have_ipc_lock;
    return KS_MEMLOCK_SKIPPED; /* the sanitizers' shadow memory is not ours to pin */
#else
    /* With MCL_FUTURE every later mapping counts against the limit, and one
     * beyond it fails: only lock where the limit cannot bite (the import's
     * memory is bounded, ~50 MiB, but a 1 MiB field or a deep SQLite sort
     * may briefly take more). */
    struct rlimit rl;
    int room = getrlimit(RLIMIT_MEMLOCK, &rl) == 0 &&
               (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= (rlim_t)1 << 30);
    if (!room && !have_ipc_lock())
        return KS_MEMLOCK_NO_PERMISSION;
    /* MCL_ONFAULT: pages are locked as they are touched, not all at once */
    if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0)
        return KS_MEMLOCK_FAILED;
    return KS_MEMLOCK_LOCKED;
#endif
}

void ks_utc_stamp(int64_t t, char out[KS_UTC_STAMP_SIZE])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, KS_UTC_STAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        out[0] = '\0'; /* a year beyond 9999: no stamp rather than a cut one */
}
