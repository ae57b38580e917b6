/* import.c: the import driver — files in, one transaction out.
 *
 * Two threads share the work, because two cores is what the target machines
 * have: the reader thread reads, decodes and normalises (libcsv, iconv, NFKC,
 * SHA-256 of the input); the calling thread writes into SQLite.  They
 * exchange fixed-size batches through a small ring.  Between the two stages
 * sits pseudonymisation (three keyed BLAKE2b a row, a quarter of all the
 * CPU time of the reading side), which either thread may do, claiming a
 * published batch's rows CLAIM_ROWS at a time: the loader before it loads a
 * batch, the reader whenever the ring is full (instead of waiting for the
 * loader).  So the hashing goes to whichever thread would otherwise wait:
 * all of it to the loader while the reader is the slower, as much as evens
 * them out when the loader is. */
#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "import.h"
#include "audit.h"
#include "epoch.h"
#include "load.h"
#include "rkey.h"

enum { BATCH_ROWS = 1024, RING = 4, SAMPLE = 64 * 1024, CLAIM_ROWS = 32, HASH_BUFFER = 1 << 20 };

typedef struct item {
    ks_record rec;      /* the normalised row; pseudonyms once hashed */
    ks_idents ids;      /* its identifiers until hashed (then wiped) */
    uint8_t hash[16];   /* row hash of rec: detects unchanged re-imports */
    uint64_t line;      /* physical line, for duplicate reports */
} item;

typedef struct batch {
    item items[BATCH_ROWS];      /* accepted rows */
    size_t n;                    /* used items */
    ks_reject rejects[BATCH_ROWS]; /* rows the reader rejected */
    size_t nrej;                 /* used rejects */
    uint64_t rows;               /* data rows read into this batch */
    uint64_t offset;             /* bytes of input consumed at its end */
    int last;                    /* the reader is done after this batch */
    atomic_size_t claimed;       /* rows handed out for pseudonymising */
    atomic_size_t hashed;        /* rows pseudonymised and row-hashed */
} batch;

/* State shared by the two threads of one file. */
typedef struct pipe_state {
    pthread_mutex_t mu;          /* guards the fields below */
    pthread_cond_t cv;           /* signalled on every change */
    batch *ring[RING];           /* RING batches, reused */
    size_t head, tail;           /* produced, consumed counters */
    int stop;                    /* the loader failed: reader must quit */
    /* reader side, read-only for the loader until `last` is seen */
    ks_csv_reader *csv;          /* the file's records */
    ks_normaliser *norm;         /* row -> record */
    size_t max_field;            /* bytes */
    const ks_key *key;           /* loading (not validating): rows need pseudonyms and a hash */
    ks_error err;                /* the reader's failure, if any */
    int rc;                      /* the reader's result */
    double reader_wait;          /* seconds the reader waited for a free batch */
    double loader_wait;          /* seconds the loader waited for a full one */
} pipe_state;

/* ---- SHA-256 of the input, computed as the reader reads it ---- */

/* OpenSSL's SHA-256, not libsodium's: libsodium ships portable C (about
 * 200 MB/s here), OpenSSL uses the CPU's SHA extensions (about 2 GB/s), and
 * the digest is taken over every byte of files of hundreds of megabytes. */
typedef struct hashing_file {
    FILE *raw;                              /* the real file */
    EVP_MD_CTX *sha;                        /* running SHA-256 */
    char *buf;                              /* the hashing stream's 1 MiB buffer */
    uint64_t bytes;                         /* bytes read so far */
} hashing_file;

static ssize_t hashing_read(void *cookie, char *buf, size_t size)
{
    hashing_file *h = cookie;
    size_t n = fread(buf, 1, size, h->raw);
    if (n == 0 && ferror(h->raw))
        return -1;
    EVP_DigestUpdate(h->sha, buf, n);
    h->bytes += n;
    return (ssize_t)n;
}

static double elapsed(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- reader thread ---- */

/* One wait on the ring's condition (mutex held), its time added to *waited:
 * KASANE_TIMING reports which thread waited for the other. */
static void wait_timed(pipe_state *p, double *waited)
{
    struct timespec w0;
    clock_gettime(CLOCK_MONOTONIC, &w0);
    pthread_cond_wait(&p->cv, &p->mu);
    *waited += elapsed(&w0);
}

/* Pseudonymises and row-hashes rows of a published batch, CLAIM_ROWS at a
 * time, until none is left unclaimed; wakes the loader when the last row is
 * done.  Run by both threads on the same batch. */
static void pseudonymise_share(pipe_state *p, batch *b)
{
    const size_t n = b->n;
    size_t i;
    while ((i = atomic_fetch_add(&b->claimed, CLAIM_ROWS)) < n) {
        size_t end = i + CLAIM_ROWS < n ? i + CLAIM_ROWS : n;
        for (size_t j = i; j < end; j++) {
            item *it = &b->items[j];
            ks_idents_pseudonymise(p->key, &it->ids, it->rec.case_ps, it->rec.person_ps, it->rec.household_ps);
            ks_case_row_hash(p->key, &it->rec, it->hash);
        }
        if (atomic_fetch_add(&b->hashed, end - i) + (end - i) == n) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void *reader_main(void *arg)
{
    pipe_state *p = arg;
    int done = 0;
    while (!done) {
        pthread_mutex_lock(&p->mu);
        while (p->head - p->tail == RING && !p->stop) {
            /* The loader is behind.  Rather than wait, pseudonymise rows of
             * a batch it has not reached, newest first (it is working from
             * the oldest). */
            batch *todo = NULL;
            for (size_t k = p->head; !todo && k-- > p->tail;)
                if (atomic_load(&p->ring[k % RING]->claimed) < p->ring[k % RING]->n)
                    todo = p->ring[k % RING];
            if (todo) {
                pthread_mutex_unlock(&p->mu);
                pseudonymise_share(p, todo);
                pthread_mutex_lock(&p->mu);
                continue;
            }
            wait_timed(p, &p->reader_wait);
        }
        int stop = p->stop;
        batch *b = p->ring[p->head % RING];
        pthread_mutex_unlock(&p->mu);
        if (stop)
            break;
        b->n = b->nrej = 0;
        b->rows = 0;
        b->last = 0;
        while (b->n < BATCH_ROWS && b->nrej < BATCH_ROWS) {
            ks_csv_record rec;
            size_t oversize = 0;
            int r = ks_csv_next(p->csv, &rec, &oversize, &p->err);
            if (r <= 0) {
                p->rc = r;
                done = 1;
                break;
            }
            b->rows++;
            item *it = &b->items[b->n];
            if (ks_normalise(p->norm, &rec, oversize, &it->rec, p->key ? &it->ids : NULL,
                             &b->rejects[b->nrej])) {
                b->nrej++;
                continue;
            }
            it->line = rec.line;
            b->n++;
        }
        b->offset = ks_csv_offset(p->csv);
        b->last = done;
        atomic_store(&b->claimed, p->key ? 0 : b->n);
        atomic_store(&b->hashed, p->key ? 0 : b->n);
        pthread_mutex_lock(&p->mu);
        p->head++;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

/* ---- progress ---- */

typedef struct progress {
    int on;            /* print at all */
    struct timespec t0;/* start of this file */
    double last;       /* seconds at the last print */
    off_t size;        /* file size, for percent and ETA */
} progress;


static void progress_show(progress *pg, uint64_t rows, uint64_t offset, int final)
{
    if (!pg->on)
        return;
    double t = elapsed(&pg->t0);
    if (!final && t - pg->last < 0.25)
        return;
    pg->last = t;
    double rate = t > 0 ? (double)rows / t : 0;
    double frac = pg->size > 0 ? (double)offset / (double)pg->size : 0;
    double eta = frac > 0.01 ? t / frac - t : 0;
    fprintf(stderr, "\r  %llu rows  %.0f rows/s  %3.0f%%  ETA %d:%02d ", (unsigned long long)rows, rate,
            frac * 100, (int)eta / 60, (int)eta % 60);
    if (final)
        fputc('\n', stderr);
}

/* The steps after the last row is read (persons and households, indexes,
 * commit) take up to half of an import: each gets its own line instead of
 * a progress line standing at 100%. */
static void stage_begin(const progress *pg, struct timespec *t0, const char *what)
{
    if (!pg->on)
        return;
    clock_gettime(CLOCK_MONOTONIC, t0);
    fprintf(stderr, "  %s ...", what);
}

static void stage_end(const progress *pg, const struct timespec *t0)
{
    if (pg->on)
        fprintf(stderr, " %.1f s\n", elapsed(t0));
}

/* ---- rejects ---- */

typedef struct reject_list {
    ks_reject *v;      /* all rejects, in file order per file */
    const char **file; /* file name of each */
    size_t n, cap;     /* used, allocated */
} reject_list;

static void rejects_add(reject_list *l, const ks_reject *r, const char *file)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = ks_realloc(l->v, ks_mul(l->cap, sizeof *l->v));
        l->file = ks_realloc(l->file, ks_mul(l->cap, sizeof *l->file));
    }
    l->v[l->n] = *r;
    l->file[l->n++] = file;
}

/* The report names positions and reasons, never a value from the input. */
static int rejects_write(const reject_list *l, const char *path, ks_error *err)
{
    ks_buf out;
    ks_buf_init(&out);
    ks_buf_adds(&out, "file,line,column,field,reason,message\n");
    for (size_t i = 0; i < l->n; i++) {
        const ks_reject *r = &l->v[i];
        const char *base = strrchr(l->file[i], '/');
        char msg[160];
        ks_buf_addf(&out, "\"%s\",%llu,%d,%s,%s,\"%s\"\n", base ? base + 1 : l->file[i],
                    (unsigned long long)r->line, r->column,
                    r->field >= 0 ? ks_field_name((ks_field)r->field) : "", ks_reason_code(r->reason),
                    ks_reject_message(r, msg, sizeof msg));
    }
    int rc = ks_write_file_atomic(path, out.buf, out.len, 0600, err);
    ks_buf_release(&out);
    return rc;
}

/* Writes the rejects report of an import about to commit; on failure the
 * message says that nothing was imported. */
static int write_rejects_or_say(const reject_list *l, const char *path, ks_error *err)
{
    int rc = rejects_write(l, path, err);
    if (rc)
        ks_error_prefix(err, "the rejects report could not be written, so nothing was imported: ");
    return rc;
}

/* ---- one file ---- */

/* Opens an input without waiting: a FIFO or device would block open(2) or
 * never end, so only a regular file is read (ks_import refuses the others
 * before it locks anything; this catches one swapped in since). */
static FILE *open_input(const char *path, struct stat *sb, ks_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        ks_error_set(err, KS_EUSAGE, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        ks_error_set(err, KS_EUSAGE, "'%s' is not a regular file", path);
        close(fd);
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    FILE *f = fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0 ? fdopen(fd, "rb") : NULL;
    if (!f) {
        ks_error_set(err, KS_EIO, "cannot read '%s': %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

static int same_time(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

/* The contract: a file commits whole or not at all.  A file truncated,
 * rewritten or replaced while it was read would commit the part read, so
 * after the last row its identity and size are compared with those at the
 * start (and, when they are known, with the bytes actually read): any
 * difference fails the import.  Says what changed in *why. */
static int input_changed(FILE *f, const char *path, const struct stat *before, uint64_t bytes_read, int counted,
                         char *why, size_t len)
{
    struct stat now, named;
    if (fstat(fileno(f), &now) != 0 || now.st_size != before->st_size) {
        snprintf(why, len, "its size went from %lld to %lld bytes", (long long)before->st_size,
                 (long long)now.st_size);
        return 1;
    }
    if (!same_time(now.st_mtim, before->st_mtim) || !same_time(now.st_ctim, before->st_ctim)) {
        snprintf(why, len, "it was written to");
        return 1;
    }
    if (stat(path, &named) != 0 || named.st_ino != before->st_ino || named.st_dev != before->st_dev) {
        snprintf(why, len, "another file took its name");
        return 1;
    }
    if (counted && bytes_read != (uint64_t)before->st_size) {
        snprintf(why, len, "%llu of its %lld bytes were read", (unsigned long long)bytes_read,
                 (long long)before->st_size);
        return 1;
    }
    return 0;
}

typedef struct run_ctx {
    const ks_import_opts *o;  /* options */
    sqlite3 *db;              /* NULL when validating */
    ks_loader *loader;        /* NULL when validating */
    ks_import_stats *st;      /* running totals */
    reject_list *rej;         /* collected rejects */
    ks_dupcheck *dups;        /* duplicate record ids of this import, all files */
    ks_u64set unlisted_names; /* hashes of the distinct unlisted partner names, all files */
    char **sha;               /* per file: SHA-256 (hex) of its first read, or NULL */
} run_ctx;

static int batch_begin(run_ctx *c, const char *file, const char *enc, int64_t *id, ks_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = ks_db_prepare(c->db, "INSERT INTO import_batch(started_at, input_name, input_sha256, encoding, "
                                  "key_fingerprint, engine_version, profile) VALUES(?1, ?2, '', ?3, ?4, ?5, ?6)",
                           &s, err);
    if (rc)
        return rc;
    char now[32];
    ks_utc_stamp(time(NULL), now);
    const char *base = strrchr(file, '/');
    sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, base ? base + 1 : file, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, enc, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, ks_key_fingerprint(c->o->key), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, KASANE_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, ks_profile_name(c->o->profile), -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    *id = sqlite3_last_insert_rowid(c->db);
    return rc;
}

/* What one file's rows became: the import_batch row's counters. */
typedef struct file_counts {
    uint64_t read;      /* data rows read */
    uint64_t inserted;  /* new cases */
    uint64_t updated;   /* cases that changed */
    uint64_t unchanged; /* cases as they were */
    uint64_t rejected;  /* rows rejected */
} file_counts;

static int batch_end(run_ctx *c, int64_t id, const char *sha_hex, const file_counts *n, ks_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = ks_db_prepare(c->db, "UPDATE import_batch SET finished_at = ?1, input_sha256 = ?2, rows_read = ?3, "
                                  "rows_inserted = ?4, rows_updated = ?5, rows_unchanged = ?6, rows_rejected = ?7 "
                                  "WHERE batch_id = ?8", &s, err);
    if (rc)
        return rc;
    char now[32];
    ks_utc_stamp(time(NULL), now);
    sqlite3_bind_text(s, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, sha_hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, (sqlite3_int64)n->read);
    sqlite3_bind_int64(s, 4, (sqlite3_int64)n->inserted);
    sqlite3_bind_int64(s, 5, (sqlite3_int64)n->updated);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)n->unchanged);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)n->rejected);
    sqlite3_bind_int64(s, 8, id);
    if (sqlite3_step(s) != SQLITE_DONE)
        rc = ks_error_set(err, KS_EIO, "database: %s", sqlite3_errmsg(c->db));
    sqlite3_finalize(s);
    if (rc)
        return rc;
    /* the audit row commits with the batch (audit.h) */
    return ks_audit_import_batch(c->db, id, err);
}

/* The input's encoding from its first SAMPLE bytes; -KS_EIO when they
 * cannot be read (a read error taken for the end of the file would guess
 * from a short sample, t0140). */
static int detect(FILE *f, ks_encoding forced, const char *path, ks_encoding *out, ks_error *err)
{
    *out = forced;
    if (forced != KS_ENC_AUTO)
        return 0;
    unsigned char *buf = ks_malloc(SAMPLE);
    size_t n = fread(buf, 1, SAMPLE, f);
    int eof = n < SAMPLE;
    int rc = 0;
    if (ferror(f))
        rc = ks_error_set(err, KS_EIO, "read error on '%s': %s", path, strerror(errno));
    else
        *out = ks_encoding_bom_len(buf, n) ? KS_ENC_UTF8 : ks_encoding_detect(buf, n, eof);
    free(buf);
    rewind(f);
    return rc;
}

static void add_unknown_columns(ks_import_stats *st, const ks_header *h)
{
    for (size_t i = 0; i < h->nunknown; i++) {
        int dup = 0;
        for (size_t j = 0; j < st->nunknown_columns; j++)
            dup |= strcmp(st->unknown_columns[j], h->unknown[i]) == 0;
        if (dup)
            continue;
        st->unknown_columns = ks_realloc(st->unknown_columns, ks_mul(st->nunknown_columns + 2, sizeof(char *)));
        st->unknown_columns[st->nunknown_columns++] = ks_strdup(h->unknown[i]);
        st->unknown_columns[st->nunknown_columns] = NULL;
    }
}

/* One input file on its way in: what file_open opens and file_release
 * releases, whatever happened in between. */
typedef struct file_run {
    const char *path;    /* the input, as named */
    FILE *raw;           /* the file, unbuffered */
    FILE *in;            /* the hashing stream over raw (loading only), else NULL */
    hashing_file hf;     /* its state */
    struct stat sb;      /* the file as opened: size, times, inode (input_changed) */
    ks_encoding enc;     /* detected or forced */
    ks_decoder *dec;     /* bytes -> UTF-8 */
    ks_header hdr;       /* the mapped header row */
    int have_hdr;        /* hdr holds something to release */
    ks_normaliser *norm; /* row -> record */
    pipe_state p;        /* the reader thread's ring and state */
} file_run;

/* Opens the file, detects its encoding, sets up the SHA-256 stream (when
 * loading), the decoder and the CSV reader, reads and maps the header, and
 * makes the normaliser: everything the reader thread needs. */
static int file_open(run_ctx *c, file_run *f, uint32_t file_index, ks_error *err)
{
    const ks_import_opts *o = c->o;
    if (!(f->raw = open_input(f->path, &f->sb, err)))
        return -err->code;
    /* Unbuffered: its readers ask for large blocks (the hashing stream
     * below, 1 MiB; the CSV reader, 64 KiB), which then go straight to
     * read(2) instead of through stdio's 4 KiB buffer, copied once more. */
    setvbuf(f->raw, NULL, _IONBF, 0);
    int rc = detect(f->raw, o->encoding, f->path, &f->enc, err);
    if (rc)
        return rc;
    ks_dupcheck_file(c->dups, file_index);
    snprintf(c->st->encoding, sizeof c->st->encoding, "%s", ks_encoding_name(f->enc));
    f->p.key = c->db ? o->key : NULL;
    if (c->db) { /* the audit row records the input's SHA-256 */
        f->hf.raw = f->raw;
        f->hf.sha = EVP_MD_CTX_new();
        if (!f->hf.sha || !EVP_DigestInit_ex(f->hf.sha, EVP_sha256(), NULL) ||
            !(f->in = fopencookie(&f->hf, "rb", (cookie_io_functions_t){.read = hashing_read})))
            return ks_error_set(err, KS_EIO, "cannot read '%s'", f->path);
        /* one read(2) of 1 MiB per refill, straight into this buffer
         * (glibc ignores the size unless it is given the buffer) */
        f->hf.buf = ks_malloc(HASH_BUFFER);
        setvbuf(f->in, f->hf.buf, _IOFBF, HASH_BUFFER);
    }
    if (!(f->dec = ks_decoder_new(f->enc, err)))
        return -KS_EIO;
    f->p.max_field = o->max_field ? o->max_field : (size_t)1 << 20;
    if (!(f->p.csv = ks_csv_reader_new(f->in ? f->in : f->raw, f->path, f->p.max_field, err)))
        return -KS_EIO;
    ks_csv_record rec;
    size_t oversize = 0;
    int r = ks_csv_next(f->p.csv, &rec, &oversize, err);
    if (r < 0)
        return r;
    if (r == 0)
        return ks_error_set(err, KS_EDATA, "%s: empty file: no header row", f->path);
    rc = ks_header_parse(&rec, f->dec, o->mapping, f->path, &f->hdr, err);
    if (rc)
        return rc;
    f->have_hdr = 1;
    add_unknown_columns(c->st, &f->hdr);
    f->norm = ks_normaliser_new(&f->hdr, f->dec, o->key, o->profile, c->dups);
    if (o->list_unlisted)
        ks_normaliser_tally(f->norm, &c->st->unlisted_names);
    f->p.norm = f->norm;
    return 0;
}

/* Loads one published batch: its rejects, then its rows into the loader
 * (after helping with their pseudonyms), counted into *n. */
static int load_batch(run_ctx *c, file_run *f, batch *b, file_counts *n, ks_error *err)
{
    pipe_state *p = &f->p;
    if (p->key) { /* help with its pseudonyms, then wait for the reader's share */
        pseudonymise_share(p, b);
        pthread_mutex_lock(&p->mu);
        while (atomic_load(&b->hashed) < b->n)
            wait_timed(p, &p->loader_wait);
        pthread_mutex_unlock(&p->mu);
    }
    n->read += b->rows;
    for (size_t i = 0; i < b->nrej; i++) {
        rejects_add(c->rej, &b->rejects[i], f->path);
        c->st->by_reason[b->rejects[i].reason]++;
        n->rejected++;
    }
    for (size_t i = 0; i < b->n; i++) {
        int res = KS_LOAD_INSERTED;
        if (c->loader && (res = ks_loader_put(c->loader, &b->items[i].rec, b->items[i].hash, err)) < 0)
            return res;
        if (b->items[i].rec.notes_present)
            c->st->notes_rows++;
        n->inserted += res == KS_LOAD_INSERTED;
        n->updated += res == KS_LOAD_UPDATED;
        n->unchanged += res == KS_LOAD_UNCHANGED;
    }
    return 0;
}

/* Runs the two threads over the file (the top of this file): the reader
 * thread fills the ring, this one loads each batch in turn, until the
 * reader's last batch or the first error, after which the reader is told
 * to stop and joined. */
static int load_file(run_ctx *c, file_run *f, file_counts *n, ks_error *err)
{
    pipe_state *p = &f->p;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < RING; i++)
        p->ring[i] = ks_calloc(1, sizeof(batch));
    pthread_t tid;
    if (pthread_create(&tid, NULL, reader_main, p) != 0)
        return ks_error_set(err, KS_EIO, "cannot start the reader thread");
    pthread_setname_np(tid, "kasane-reader"); /* tells the threads apart in top and perf */

    progress pg = {.on = c->o->progress, .size = f->sb.st_size};
    clock_gettime(CLOCK_MONOTONIC, &pg.t0);
    int rc = 0, last = 0;
    while (!last && rc == 0) {
        pthread_mutex_lock(&p->mu);
        while (p->head == p->tail)
            wait_timed(p, &p->loader_wait);
        batch *b = p->ring[p->tail % RING];
        pthread_mutex_unlock(&p->mu);
        rc = load_batch(c, f, b, n, err);
        last = b->last;
        progress_show(&pg, n->read, b->offset, 0);
        pthread_mutex_lock(&p->mu);
        p->tail++;
        if (rc)
            p->stop = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    pthread_join(tid, NULL);
    if (getenv("KASANE_TIMING")) /* which thread bounds the load (bench/README.md) */
        fprintf(stderr, "timing: %s: reader waited %.2f s for the loader, loader %.2f s for the reader\n", f->path,
                p->reader_wait, p->loader_wait);
    progress_show(&pg, n->read, (uint64_t)f->sb.st_size, 1);
    if (rc == 0 && p->rc < 0) {
        rc = p->rc;
        *err = p->err;
    }
    return rc;
}

/* After the last row: the file must not have changed while it was read
 * (nor since the first read, when it is read twice), then its counts go
 * into the totals and its audit row is finished. */
static int file_finish(run_ctx *c, file_run *f, uint32_t file_index, int64_t batch_id, const file_counts *n,
                       ks_error *err)
{
    char why[128];
    if (input_changed(f->raw, f->path, &f->sb, f->hf.bytes, c->db != NULL, why, sizeof why))
        return ks_error_set(err, KS_EDATA, "'%s' changed while it was being imported (%s): nothing was imported; "
                            "import it again once it is complete", f->path, why);
    c->st->rows_read += n->read;
    c->st->inserted += n->inserted;
    c->st->updated += n->updated;
    c->st->unchanged += n->unchanged;
    c->st->rejected += n->rejected;
    const ks_quality *q = ks_normaliser_quality(f->norm);
    for (int k = 0; k < KS_F_COUNT; k++) {
        c->st->quality.empty[k] += q->empty[k];
        c->st->quality.unknown[k] += q->unknown[k];
    }
    uint64_t distinct;
    c->st->unlisted += ks_normaliser_unlisted(f->norm, &distinct);
    ks_normaliser_unlisted_names(f->norm, &c->unlisted_names);
    c->st->unlisted_distinct = c->unlisted_names.n;
    if (!c->db)
        return 0;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    char hex[EVP_MAX_MD_SIZE * 2 + 1];
    EVP_DigestFinal_ex(f->hf.sha, digest, &dlen);
    sodium_bin2hex(hex, sizeof hex, digest, dlen);
    /* a second pass (duplicates) relies on reading the same bytes again */
    char *prev = c->sha[file_index];
    if (prev && strcmp(prev, hex) != 0)
        return ks_error_set(err, KS_EDATA, "'%s' changed while it was being imported (it was read twice, "
                            "and its SHA-256 differs): nothing was imported", f->path);
    if (!prev)
        c->sha[file_index] = ks_strdup(hex);
    return batch_end(c, batch_id, hex, n, err);
}

/* Frees what file_open and load_file made (the reader thread is joined by
 * then); the ring's identifiers are wiped. */
static void file_release(file_run *f)
{
    pipe_state *p = &f->p;
    if (p->ring[0]) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        for (int i = 0; i < RING; i++) {
            if (!p->ring[i])
                continue;
            for (size_t j = 0; j < BATCH_ROWS; j++)
                ks_idents_release(&p->ring[i]->items[j].ids);
            sodium_memzero(p->ring[i], sizeof(batch));
            free(p->ring[i]);
        }
    }
    ks_normaliser_free(f->norm);
    if (f->have_hdr)
        ks_header_release(&f->hdr);
    ks_csv_reader_free(p->csv);
    ks_decoder_free(f->dec);
    if (f->in)
        fclose(f->in);
    free(f->hf.buf); /* after the stream that used it */
    EVP_MD_CTX_free(f->hf.sha);
    if (f->raw)
        fclose(f->raw);
}

static int import_file(run_ctx *c, const char *path, uint32_t file_index, ks_error *err)
{
    file_run f;
    memset(&f, 0, sizeof f);
    f.path = path;
    file_counts n = {0};
    int64_t batch_id = 0;
    int rc = file_open(c, &f, file_index, err);
    if (!rc && c->db)
        rc = batch_begin(c, path, ks_encoding_name(f.enc), &batch_id, err);
    if (!rc) {
        if (c->loader)
            ks_loader_set_batch(c->loader, batch_id);
        c->st->batch_id = batch_id;
        rc = load_file(c, &f, &n, err);
    }
    if (!rc)
        rc = file_finish(c, &f, file_index, batch_id, &n, err);
    file_release(&f);
    return rc;
}

/* ---- the whole import ---- */

/* With KASANE_TIMING set, phase times go to stderr (bench/ uses them). */
static void phase(const char *what)
{
    static const char *const env = "KASANE_TIMING";
    if (!getenv(env))
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    fprintf(stderr, "timing: %-22s %.3f\n", what, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
}

void ks_import_stats_release(ks_import_stats *s)
{
    ks_name_tally_release(&s->unlisted_names);
    for (size_t i = 0; i < s->nunknown_columns; i++)
        free(s->unknown_columns[i]);
    free(s->unknown_columns);
    s->unknown_columns = NULL;
    s->nunknown_columns = 0;
}

static int count_cases(sqlite3 *db, int64_t *n, ks_error *err)
{
    sqlite3_stmt *s = NULL;
    *n = 0;
    /* 1 or 0, all pass_begin needs: a count reads the whole case_by_key
     * index (20 MB per million cases) into the page cache, which was the
     * peak memory of a re-import (bench/README.md, "Re-import") */
    int rc = ks_db_prepare(db, "SELECT EXISTS (SELECT 1 FROM case_record)", &s, err);
    if (rc)
        return rc;
    /* a read error here must stop the import: taken for "empty", it made a
     * re-import load every row again as a new case (t0140) */
    if (sqlite3_step(s) == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    else
        rc = ks_error_set(err, KS_EIO, "database: reading its cases: %s", sqlite3_errmsg(db));
    sqlite3_finalize(s);
    return rc;
}

/* Opens the target of one pass: the database (a new one is built aside),
 * its transaction, and the loader.  Nothing when validating. */
static int pass_begin(const ks_import_opts *o, int created, ks_db_build *build, sqlite3 **db, int *in_tx,
                      ks_loader **loader, ks_error *err)
{
    int rc = 0, fresh_key = 0;
    if (!o->db_path)
        return 0;
    if (!*db && (rc = created ? ks_db_build_open(o->db_path, build, db, err)
                              : ks_db_open(o->db_path, KS_DB_CREATE, db, err)))
        return rc;
    /* the database's current key (epoch.h), before anything is written */
    if ((rc = ks_epoch_check(*db, o->key, "import", &fresh_key, err)))
        return rc;
    /* Another import holds the write lock for the whole of its run, so
     * waiting long for it helps no one; `threshold`, the only other writer,
     * holds it for milliseconds.  Say who holds it rather than SQLite's bare
     * "database is locked" after 10 s. */
    sqlite3_busy_timeout(*db, 2000);
    char *msg = NULL;
    int brc = sqlite3_exec(*db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    sqlite3_busy_timeout(*db, 10000);
    if (brc != SQLITE_OK) {
        rc = (brc & 0xff) == SQLITE_BUSY
                 ? ks_error_set(err, KS_EUSAGE, "another import (or 'kasane threshold') is writing to '%s' right "
                                "now; nothing was imported: run this import again when it has finished", o->db_path)
                 : ks_error_set(err, KS_EIO, "database '%s': %s", o->db_path, msg ? msg : sqlite3_errmsg(*db));
        sqlite3_free(msg);
        return rc;
    }
    *in_tx = 1;
    if (fresh_key && (rc = ks_epoch_bind(*db, o->key, err)))
        return rc;
    /* a database upgraded to schema 3 gets its row hashes back before any
     * row is compared with them */
    if ((rc = ks_loader_rehash_pending(*db, o->key, err)))
        return rc;
    if ((rc = ks_db_bind_profile(*db, o->profile, err)))
        return rc;
    int64_t existing;
    if ((rc = count_cases(*db, &existing, err)))
        return rc;
    /* Into an empty database, build the secondary indexes once at the end. */
    if (existing == 0 && (rc = ks_db_drop_indexes(*db, err)))
        return rc;
    *loader = ks_loader_new(*db, existing == 0, err);
    return *loader ? 0 : -KS_EIO;
}

/* Undoes a pass that found duplicates, so that the next starts from the
 * same state: no loader, the transaction rolled back (a new database: its
 * staging file emptied), no statistics, no rejects. */
static int pass_undo(int created, ks_db_build *build, sqlite3 **db, int *in_tx, ks_loader **loader,
                     ks_import_stats *st, reject_list *rej, ks_error *err)
{
    ks_loader_free(*loader);
    *loader = NULL;
    int rc = 0;
    if (*db) {
        if (created) {
            rc = ks_db_build_restart(build, db, err);
        } else if (*in_tx) {
            rc = ks_db_exec(*db, "ROLLBACK", err);
        }
        *in_tx = 0;
    }
    ks_import_stats_release(st);
    memset(st, 0, sizeof *st);
    free(rej->v);
    free(rej->file);
    memset(rej, 0, sizeof *rej);
    return rc;
}

/* Every input is a regular file, checked before anything is locked or
 * written: a FIFO with no writer would block the import for ever while it
 * held the database's write lock, and an input is read twice when record
 * ids repeat, which a pipe cannot be. */
static int check_inputs(const char *const *files, size_t nfiles, ks_error *err)
{
    for (size_t i = 0; i < nfiles; i++) {
        struct stat sb;
        if (stat(files[i], &sb) != 0)
            return ks_error_set(err, KS_EUSAGE, "cannot open '%s': %s", files[i], strerror(errno));
        if (!S_ISREG(sb.st_mode))
            return ks_error_set(err, KS_EUSAGE, "'%s' is %s, not a regular file: kasane reads only files, because "
                                "it checks that an input did not change while it was read and may read it "
                                "twice; save it to a file first", files[i],
                                S_ISFIFO(sb.st_mode) ? "a pipe (FIFO)" : S_ISDIR(sb.st_mode) ? "a directory"
                                : S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode) ? "a device" : "a special file");
    }
    return 0;
}

/* Bytes free to this user on the file system of `dir` (root may use the
 * reserve), or -1. */
static double free_bytes(const char *dir)
{
    struct statvfs v;
    if (statvfs(dir, &v) != 0)
        return -1;
    return (double)(geteuid() == 0 ? v.f_bfree : v.f_bavail) * (double)v.f_frsize;
}

/* SQLite says "database or disk is full" whichever of its files filled the
 * disk: the database (or its WAL, or the staging file) in the database's
 * directory, or its temporary sort files in $TMPDIR.  Called before the
 * failed import's files are removed, the database's side still holds what
 * it wrote, so a directory with room left was not the one that filled; the
 * temporary files are gone by now.  The message then names the directory
 * that filled and what to do. */
static void explain_full(const char *db_path, ks_error *err)
{
    if (!err || !strstr(err->msg, "database or disk is full"))
        return;
    char *copy = ks_strdup(db_path);
    const char *dbdir = dirname(copy);
    const char *tmp = getenv("SQLITE_TMPDIR");
    if (!tmp || !*tmp)
        tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    double fdb = free_bytes(dbdir), ftmp = free_bytes(tmp);
    struct stat a, b;
    int same = stat(dbdir, &a) == 0 && stat(tmp, &b) == 0 && a.st_dev == b.st_dev;
    const double room = 4.0 * 1024 * 1024; /* more than SQLite needs for its next pages */
    ks_buf m;
    ks_buf_init(&m);
    if (fdb >= 0 && fdb < room)
        ks_buf_addf(&m, "the database's directory '%s'%s is full (%.0f MiB free)", dbdir,
                    same ? " (and the temporary directory, on the same file system)" : "", fdb / 1048576.0);
    else if (same)
        /* one file system with room now: the database's pages or the sort
         * files (gone now) filled it; which of the two, SQLite does not say */
        ks_buf_addf(&m, "the file system of the database's directory '%s' and of the temporary directory '%s' "
                    "($TMPDIR, where SQLite sorts) filled up during the import (%.0f MiB free now that the failed "
                    "import's files are gone): make room there, or give TMPDIR a directory on another file "
                    "system", dbdir, tmp, fdb / 1048576.0);
    else
        ks_buf_addf(&m, "the temporary directory '%s' ($TMPDIR, where SQLite sorts) filled up: give TMPDIR a "
                    "directory with room (%.0f MiB free there now that the failed import's sort files are gone; "
                    "the database's directory '%s' has %.0f MiB)", tmp, ftmp / 1048576.0, dbdir,
                    fdb / 1048576.0);
    ks_error_prefix(err, "%s: ", m.buf);
    ks_buf_release(&m);
    free(copy);
}

/* One import: the target database and what the passes over the input
 * gathered. */
typedef struct import_run {
    const ks_import_opts *o; /* options */
    ks_import_stats *st;     /* the summary being filled */
    reject_list rej;         /* every reject, in file order */
    sqlite3 *db;             /* the target (the staging file when created) */
    ks_loader *loader;       /* loads rows into db */
    ks_db_build build;       /* the staging file of a new database */
    int created;             /* no database existed: it is built aside */
    int in_tx;               /* db's transaction is open */
    int rejects_written;     /* the rejects report went out before the commit */
} import_run;

/* Reads every file into the open transaction: one pass, or two when the
 * first finds duplicate record ids — the second knows them and rejects
 * them where the first could not (dupcheck.h). */
static int read_passes(import_run *r, const char *const *files, size_t nfiles, ks_error *err)
{
    const ks_import_opts *o = r->o;
    run_ctx c = {.o = o, .st = r->st, .rej = &r->rej, .dups = ks_dupcheck_new(o->key),
                 .sha = ks_calloc(nfiles ? nfiles : 1, sizeof(char *))};
    int rc = 0;
    for (int pass = 1; rc == 0; pass++) {
        if ((rc = pass_begin(o, r->created, &r->build, &r->db, &r->in_tx, &r->loader, err)))
            break;
        c.db = r->db;
        c.loader = r->loader;
        for (size_t i = 0; i < nfiles && rc == 0; i++)
            rc = import_file(&c, files[i], (uint32_t)i, err);
        ks_u64set_release(&c.unlisted_names);
        if (rc)
            break;
        phase("files read");
        rc = ks_dupcheck_finish(c.dups, err);
        phase("duplicates checked");
        if (rc <= 0)
            break;
        phase("duplicates found: second pass");
        if (o->progress) /* the progress line is about to start again from 0% */
            fprintf(stderr, "%zu row(s) repeat an earlier record_id: reading the input again to reject them\n",
                    ks_dupcheck_known(c.dups));
        if (pass == 2) { /* cannot happen: the second pass only rejects */
            rc = ks_error_set(err, KS_EIO, "duplicate record ids changed between two passes over the input");
            break;
        }
        rc = pass_undo(r->created, &r->build, &r->db, &r->in_tx, &r->loader, r->st, &r->rej, err);
    }
    ks_dupcheck_free(c.dups);
    for (size_t i = 0; i < nfiles; i++)
        free(c.sha[i]);
    free(c.sha);
    return rc;
}

/* Finishes what the passes loaded — persons and households, indexes, the
 * rejects report, the commit — and publishes a new database.  Its steps run in this
 * order, each with its progress line, so they stay in one place. */
static int commit_import(import_run *r, ks_error *err)
{
    const ks_import_opts *o = r->o;
    int rc;
    if (r->st->inserted + r->st->updated > 0) {
        /* "last import" in every output footer: only moves when the data
         * changed, so an identical re-import leaves query results identical */
        char now[32];
        ks_utc_stamp(time(NULL), now);
        if ((rc = ks_db_meta_set(r->db, "last_import", now, err)))
            return rc;
    }
    phase("rows read");
    progress pg = {.on = o->progress};
    struct timespec t0;
    if (r->created)
        ks_db_build_writeback(&r->build);
    stage_begin(&pg, &t0, "persons and households");
    if ((rc = ks_loader_finish(r->loader, err)))
        return rc;
    stage_end(&pg, &t0);
    ks_loader_seen(r->loader, &r->st->persons, &r->st->households); /* counted while merging */
    phase("rows loaded");
    stage_begin(&pg, &t0, "indexes");
    if ((rc = ks_db_build_indexes(r->db, err)))
        return rc;
    stage_end(&pg, &t0);
    phase("indexes built");
    stage_begin(&pg, &t0, "record keys");
    if ((rc = ks_rkey_assign(r->db, NULL, err)))
        return rc;
    stage_end(&pg, &t0);
    phase("record keys");
    if (r->created)
        ks_db_build_writeback(&r->build);
    ks_loader_free(r->loader);
    r->loader = NULL;
    /* The rejects report goes out before the commit: one that cannot be
     * written fails an import that has not happened yet, instead of
     * following an import that has (exit 4 then would call a committed
     * import failed).  A commit that fails after it leaves the report of
     * this attempt, as for a --strict refusal. */
    if (o->rejects_path && r->rej.n > 0 && (rc = write_rejects_or_say(&r->rej, o->rejects_path, err)))
        return rc;
    r->rejects_written = 1;
    stage_begin(&pg, &t0, r->created ? "writing to disk" : "committing");
    if ((rc = ks_db_exec(r->db, "COMMIT", err)))
        return rc;
    r->in_tx = 0;
    phase("committed");
    if (r->created) {
        if ((rc = ks_db_build_publish(&r->build, &r->db, err)))
            return rc;
    } else {
        /* fold what it can of the WAL back into the main file; PASSIVE,
         * so a reader holding a snapshot is never waited for */
        sqlite3_wal_checkpoint_v2(r->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    r->st->committed = 1;
    stage_end(&pg, &t0);
    phase("published");
    return 0;
}

/* Leaves the database as it was unless the import committed (a failed new
 * one is deleted, not rolled back: "as it was" is not there), writes the
 * rejects report if the commit did not, and keeps the first rejects for the
 * summary.  Returns rc, or the report's failure. */
static int import_end(import_run *r, int rc, ks_error *err)
{
    const ks_import_opts *o = r->o;
    if (rc && o->db_path)
        explain_full(o->db_path, err);
    /* the database's errors name it: "database 'x.db': disk I/O error", not
     * SQLite's words alone (t0140's fault sweep) */
    if (rc && ks_db_error_name(o->db_path, err)) {
        size_t n = strlen(err->msg);
        snprintf(err->msg + n, sizeof err->msg - n, "; nothing was imported");
    }
    ks_loader_free(r->loader);
    if (r->created) {
        if (rc)
            ks_db_build_abandon(&r->build, &r->db);
    } else {
        if (r->in_tx)
            sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
        ks_db_close(r->db);
    }
    if (o->rejects_path && !r->rejects_written && (rc == 0 || rc == -KS_EDATA) && r->rej.n > 0) {
        ks_error werr = {0};
        if (rejects_write(&r->rej, o->rejects_path, &werr) < 0 && rc == 0)
            rc = ks_error_set(err, KS_EIO, "%s", werr.msg);
    }
    ks_import_stats *st = r->st;
    for (size_t i = 0; i < r->rej.n && st->nfirst < KS_ARRAY_LEN(st->first); i++) {
        st->first[st->nfirst] = r->rej.v[i];
        st->first_file[st->nfirst++] = r->rej.file[i];
    }
    free(r->rej.v);
    free(r->rej.file);
    return rc;
}

int ks_import(const ks_import_opts *o, const char *const *files, size_t nfiles, ks_import_stats *st,
              ks_error *err)
{
    memset(st, 0, sizeof *st);
    phase("start");
    int rc = check_inputs(files, nfiles, err);
    if (rc)
        return rc;
    struct stat sb;
    /* No database yet: build it aside and rename it into place (db.h). */
    import_run r = {.o = o, .st = st, .build = {.lock_fd = -1},
                    .created = o->db_path && stat(o->db_path, &sb) != 0 && errno == ENOENT};
    rc = read_passes(&r, files, nfiles, err);
    if (!rc && o->strict && st->rejected > 0)
        rc = ks_error_set(err, KS_EDATA, "%llu row(s) rejected and --strict given: nothing was imported",
                          (unsigned long long)st->rejected);
    if (!rc && r.db)
        rc = commit_import(&r, err);
    return import_end(&r, rc, err);
}
