/* psort.c: external sort of 16-byte pseudonyms (psort.h). */
#include "psort.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { DEFAULT_RUN = 1 << 18, EMIT_CHUNK = 1024, READ_BUFFER = 64 * 1024 };

typedef uint8_t ps_t[KS_PSEUDO_BYTES];

struct ks_psort {
    ps_t *buf;          /* the run being gathered */
    ps_t *tmp;          /* radix sort scratch, as large as buf */
    size_t n, cap;      /* entries in buf, its size */
    FILE **runs;        /* sorted runs written out (unlinked files) */
    size_t nruns, rcap; /* used, allocated */
};

/* The sort key: ks_pseudo_rowid with its sign bit flipped, so that unsigned
 * order is the signed order of the row ids. */
static uint64_t key(const uint8_t *p)
{
    uint64_t v; /* ks_pseudo_rowid's little-endian load, without its call */
    memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v ^ (UINT64_C(1) << 63);
}

static int cmp(const uint8_t *a, const uint8_t *b)
{
    uint64_t x = key(a), y = key(b);
    if (x != y)
        return x < y ? -1 : 1;
    return memcmp(a + 8, b + 8, KS_PSEUDO_BYTES - 8);
}

ks_psort *ks_psort_new(size_t run_entries)
{
    ks_psort *s = ks_calloc(1, sizeof *s);
    s->cap = run_entries ? run_entries : DEFAULT_RUN;
    s->buf = ks_malloc(ks_mul(s->cap, sizeof *s->buf));
    s->tmp = ks_malloc(ks_mul(s->cap, sizeof *s->tmp));
    return s;
}

void ks_psort_free(ks_psort *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nruns; i++)
        if (s->runs[i])
            fclose(s->runs[i]);
    free(s->runs);
    free(s->buf);
    free(s->tmp);
    free(s);
}

size_t ks_psort_runs(const ks_psort *s) { return s->nruns; }

/* Sorts buf[0..n) as cmp() orders (LSD radix on the key: eight stable
 * byte passes, the last with the sign flipped; then equal keys by their
 * other bytes), then drops adjacent repeats. */
static void sort_run(ks_psort *s)
{
    ps_t *src = s->buf, *dst = s->tmp;
    for (int byte = 0; byte < 8; byte++) {
        const uint8_t flip = byte == 7 ? 0x80 : 0;
        size_t count[256] = {0};
        for (size_t i = 0; i < s->n; i++)
            count[src[i][byte] ^ flip]++;
        size_t at = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < s->n; i++)
            memcpy(dst[count[src[i][byte] ^ flip]++], src[i], KS_PSEUDO_BYTES);
        ps_t *t = src;
        src = dst;
        dst = t;
    }
    /* eight passes: the run is back in buf, in key order.  Records with
     * equal keys (repeats, and the rare records that differ after the key)
     * are put in order of their other bytes by insertion: such groups are a
     * handful of records at most. */
    for (size_t i = 1; i < s->n; i++)
        for (size_t j = i; j > 0 && key(s->buf[j - 1]) == key(s->buf[j]) &&
                           memcmp(s->buf[j - 1] + 8, s->buf[j] + 8, KS_PSEUDO_BYTES - 8) > 0;
             j--) {
            ps_t t;
            memcpy(t, s->buf[j], sizeof t);
            memcpy(s->buf[j], s->buf[j - 1], sizeof t);
            memcpy(s->buf[j - 1], t, sizeof t);
        }
    size_t m = 0;
    for (size_t i = 0; i < s->n; i++)
        if (m == 0 || memcmp(s->buf[m - 1], s->buf[i], KS_PSEUDO_BYTES) != 0)
            memcpy(s->buf[m++], s->buf[i], KS_PSEUDO_BYTES);
    s->n = m;
}

/* An unlinked temporary file in $TMPDIR (or /tmp), mode 0600. */
static FILE *temp_file(ks_error *err)
{
    const char *dir = getenv("TMPDIR");
    ks_buf path;
    ks_buf_init(&path);
    ks_buf_addf(&path, "%s/kasane-sort-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path.buf);
    if (fd < 0) {
        ks_error_set(err, KS_EIO, "cannot create a temporary file in '%s': %s", dir && *dir ? dir : "/tmp",
                     strerror(errno));
        ks_buf_release(&path);
        return NULL;
    }
    unlink(path.buf); /* gone when closed, whatever happens */
    ks_buf_release(&path);
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        close(fd);
        ks_error_set(err, KS_EIO, "cannot open a temporary file: %s", strerror(errno));
    }
    return f;
}

/* Sorts the gathered run and writes it to a new temporary file. */
static int spill(ks_psort *s, ks_error *err)
{
    sort_run(s);
    FILE *f = temp_file(err);
    if (!f)
        return -KS_EIO;
    if (fwrite(s->buf, sizeof *s->buf, s->n, f) != s->n || fflush(f) != 0) {
        int e = errno;
        fclose(f);
        const char *dir = getenv("TMPDIR");
        return ks_error_set(err, KS_EIO, "cannot write a temporary file in '%s' ($TMPDIR): %s",
                            dir && *dir ? dir : "/tmp", strerror(e));
    }
    if (s->nruns == s->rcap) {
        s->rcap = s->rcap ? 2 * s->rcap : 8;
        s->runs = ks_realloc(s->runs, ks_mul(s->rcap, sizeof *s->runs));
    }
    s->runs[s->nruns++] = f;
    s->n = 0;
    return 0;
}

int ks_psort_add(ks_psort *s, const uint8_t ps[KS_PSEUDO_BYTES], ks_error *err)
{
    if (s->n == s->cap) { /* a failed spill leaves the run full: the next add tries again */
        int rc = spill(s, err);
        if (rc)
            return rc;
    }
    memcpy(s->buf[s->n++], ps, KS_PSEUDO_BYTES);
    return 0;
}

/* ---- the merge ---- */

typedef struct source {
    FILE *f;      /* a run on file, or NULL for the run still in memory */
    size_t at;    /* next entry of the in-memory run */
    ps_t head;    /* the source's current smallest entry */
} source;

/* Moves src to its next entry: 1, or 0 when it is exhausted (-1 on a read error). */
static int advance(const ks_psort *s, source *src)
{
    if (!src->f) {
        if (src->at == s->n)
            return 0;
        memcpy(src->head, s->buf[src->at++], KS_PSEUDO_BYTES);
        return 1;
    }
    /* one record per call: the unlocked form skips the stream lock that
     * fread takes every time (the stream is this thread's alone) */
    size_t got = fread_unlocked(src->head, KS_PSEUDO_BYTES, 1, src->f);
    if (got == 1)
        return 1;
    return ferror(src->f) ? -1 : 0;
}

/* Restores the min-heap property below position i. */
static void sift_down(source *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cmp(h[l].head, h[m].head) < 0)
            m = l;
        if (r < n && cmp(h[r].head, h[m].head) < 0)
            m = r;
        if (m == i)
            return;
        source t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

int ks_psort_finish(ks_psort *s, ks_psort_emit emit, void *ctx, uint64_t *distinct, ks_error *err)
{
    *distinct = 0;
    sort_run(s); /* the last run stays in memory */
    size_t nsrc = 0;
    source *h = ks_calloc(s->nruns + 1, sizeof *h);
    char **bufs = ks_calloc(s->nruns + 1, sizeof *bufs);
    ps_t *out = ks_malloc(EMIT_CHUNK * sizeof *out);
    size_t nout = 0;
    int rc = 0;
    for (size_t i = 0; i <= s->nruns && !rc; i++) {
        source src = {.f = i < s->nruns ? s->runs[i] : NULL};
        if (src.f) {
            bufs[i] = ks_malloc(READ_BUFFER);
            setvbuf(src.f, bufs[i], _IOFBF, READ_BUFFER);
            rewind(src.f);
        }
        int a = advance(s, &src);
        if (a < 0)
            rc = ks_error_set(err, KS_EIO, "cannot read back a temporary file");
        else if (a > 0)
            h[nsrc++] = src;
    }
    for (size_t i = nsrc / 2; i-- > 0;)
        sift_down(h, nsrc, i);
    ps_t last;
    int have_last = 0;
    while (!rc && nsrc > 0) {
        const uint8_t *p = h[0].head;
        if (!have_last || memcmp(last, p, KS_PSEUDO_BYTES) != 0) {
            memcpy(last, p, KS_PSEUDO_BYTES);
            have_last = 1;
            memcpy(out[nout++], p, KS_PSEUDO_BYTES);
            (*distinct)++;
            if (nout == EMIT_CHUNK) {
                rc = emit(ctx, (const ps_t *)out, nout, err);
                nout = 0;
                if (rc)
                    break;
            }
        }
        int a = advance(s, &h[0]);
        if (a < 0) {
            rc = ks_error_set(err, KS_EIO, "cannot read back a temporary file");
            break;
        }
        if (a == 0)
            h[0] = h[--nsrc];
        sift_down(h, nsrc, 0);
    }
    if (!rc && nout)
        rc = emit(ctx, (const ps_t *)out, nout, err);
    for (size_t i = 0; i < s->nruns; i++) { /* the files go with their buffers */
        fclose(s->runs[i]);
        s->runs[i] = NULL;
        free(bufs[i]);
    }
    free(bufs);
    free(out);
    free(h);
    return rc;
}
