/* fuzz_util.h: what several harnesses share: writing the input to a file in
 * a private temporary directory, for the parsers that only read paths.
 *
 * The directory is made once per process (mkdtemp under $TMPDIR or /tmp)
 * and removed at exit; each call rewrites the same file, so a long run
 * leaves nothing behind and does not fill the disk.  Harness-only code:
 * one static directory name per process is the simplest correct thing for
 * libFuzzer's single-threaded loop. */
#ifndef KASANE_FUZZ_UTIL_H
#define KASANE_FUZZ_UTIL_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char ks_fuzz_dir[4096];

static inline void ks_fuzz_cleanup(void)
{
    /* the harnesses write only plain files straight into the directory */
    static const char *const names[] = {"in.csv", "key", "mapping.csv", "districts.csv", "partners.csv",
                                        "windows.csv", NULL};
    char p[4200];
    for (const char *const *n = names; *n; n++) {
        snprintf(p, sizeof p, "%s/%s", ks_fuzz_dir, *n);
        unlink(p);
    }
    snprintf(p, sizeof p, "%s/p", ks_fuzz_dir);
    for (const char *const *n = names; *n; n++) {
        char q[4300];
        snprintf(q, sizeof q, "%s/%s", p, *n);
        unlink(q);
    }
    rmdir(p);
    rmdir(ks_fuzz_dir);
}

/* The private directory (made on first use). */
static inline const char *ks_fuzz_tmpdir(void)
{
    if (ks_fuzz_dir[0])
        return ks_fuzz_dir;
    const char *t = getenv("TMPDIR");
    snprintf(ks_fuzz_dir, sizeof ks_fuzz_dir, "%s/kasane-fuzz-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(ks_fuzz_dir)) {
        perror("mkdtemp");
        abort();
    }
    atexit(ks_fuzz_cleanup);
    return ks_fuzz_dir;
}

/* Writes data[0..n) to DIR/name with the given mode (exactly: umask does
 * not apply) and returns the path in buf. */
static inline const char *ks_fuzz_write(const char *name, const uint8_t *data, size_t n, mode_t mode, char *buf,
                                        size_t size)
{
    snprintf(buf, size, "%s/%s", ks_fuzz_tmpdir(), name);
    unlink(buf);
    int fd = open(buf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) {
        perror(buf);
        abort();
    }
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, data + off, n - off);
        if (w <= 0) {
            perror(buf);
            abort();
        }
        off += (size_t)w;
    }
    fchmod(fd, mode);
    close(fd);
    return buf;
}

/* A NUL-terminated copy of the input (caller frees). */
static inline char *ks_fuzz_cstr(const uint8_t *data, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, data, n);
    s[n] = '\0';
    return s;
}

#endif
