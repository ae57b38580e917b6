/* csvread.c: a streaming CSV reader on libcsv that knows its line numbers.
 *
 * How line numbers are kept right.  libcsv reports fields and row ends but not
 * where a row began, and guessing its quoted state from the bytes would mean
 * writing a second CSV parser beside it.  So the reader splits the input into
 * physical lines itself (a line ends at LF, CRLF or a lone CR) and feeds libcsv
 * one line, or one block-sized piece of a long line, at a time.  A record can
 * only begin at the start of a physical line, because libcsv ends rows only at
 * CR or LF.  After a line's terminator has been fed, exactly one of three things
 * is true: libcsv ended a row on it; the line was blank (libcsv is between rows,
 * p.quoted == 0); or the terminator fell inside a quoted field (p.quoted == 1)
 * and the record goes on.  So the record's start line is the number of the first
 * line fed while no record was open.  This uses only libcsv's documented
 * callbacks and the `quoted` member of its public struct.
 *
 * Memory.  Input is read in fixed KS_CSV_BLOCK-byte blocks; only the current
 * record's fields are kept, in one arena reused from record to record.  libcsv
 * buffers the field it is parsing; after every piece fed, a field that is
 * already longer than max_field is cut back to its last few bytes (the ones
 * libcsv may still strip), so that buffer stays below max_field + KS_CSV_BLOCK
 * however long the field is.  Known limit: a run of more than max_field spaces
 * or tabs that libcsv may still trim is held until the field ends (once; the
 * buffer is reused, never multiplied).  A record keeps at most max_fields
 * fields: past that, fields are only counted (each one held costs 24 bytes
 * of table besides its bytes, so a line of commas would otherwise grow
 * memory by 25 bytes a comma).
 *
 * Leniency (libcsv's non-strict mode, chosen on purpose): spaces and tabs
 * around an unquoted field and between a closing quote and the comma are
 * dropped, a stray quote inside an unquoted field is kept as a character, and
 * text right after a closing quote reopens the quoted field (up to the next
 * quote, commas and line breaks included; line numbers still follow libcsv's
 * reading because they come from its own state).  Excel never writes these;
 * values are validated and trimmed later anyway.  Only a quote left open at the
 * end of the file is an error here, because then the rest of the file has been
 * swallowed into one field. */
#include "csvread.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"

#define KS_CSV_UNKNOWN SIZE_MAX /* nl_at/cr_at: not searched yet in this block */

#if CSV_MAJOR != 3
#error "csvread.c relies on the libcsv 3.x csv_parser struct (quoted, entry_buf, entry_pos, spaces)"
#endif

enum {
    KS_CSV_BLOCK = 64 * 1024, /* bytes per read; also the largest piece fed to libcsv */
    KS_CSV_GROW = 4096,       /* libcsv's first field buffer growth step */
};

struct ks_csv_reader {
    FILE *in;                 /* input stream, owned by the caller */
    char *name;               /* input name for messages */
    size_t max_field;         /* longest field kept, in bytes */
    size_t max_fields;        /* most fields a record keeps; more are only counted */
    struct csv_parser p;      /* libcsv state */
    unsigned char *block;     /* read buffer of KS_CSV_BLOCK bytes */
    size_t blen;              /* valid bytes in block */
    size_t bpos;              /* first byte of block not yet fed */
    size_t nl_at;             /* next '\n' at or after bpos (blen when none), cached */
    size_t cr_at;             /* next '\r' at or after bpos (blen when none), cached */
    uint64_t offset;          /* input bytes consumed, BOM included */
    uint64_t line;            /* physical line of the next byte to feed, 1-based */
    uint64_t rec_line;        /* line on which the record being assembled began */
    int at_line_start;        /* the next byte fed begins a physical line */
    int in_record;            /* a quoted field stays open past the last line end */
    int pending_cr;           /* a line ended with '\r' at a block's end: a '\n' next belongs to it */
    int started;              /* the first block has been read and its BOM skipped */
    int status;               /* sticky: 1 while reading, 0 after end of input, or the error */
    ks_error failure;         /* the error that stopped reading, repeated on later calls */
    ks_buf arena;             /* current record's field bytes, each followed by a NUL */
    size_t *offs;             /* arena offset of each field */
    ks_csv_field *fields;     /* current record's fields, returned to the caller */
    size_t nfields;           /* fields in the current record so far */
    uint64_t dropped;         /* fields of the current record past max_fields */
    size_t fcap;              /* capacity of offs and fields */
    int row_done;             /* libcsv ended a row during the last feed */
    int cut;                  /* the field being parsed was found oversize and cut */
    size_t oversize;          /* 1-based index of the first oversize field, 0 if none */
};

/* libcsv's field callback: keep the field (or an empty one in its place when
 * it is too long) in the arena. */
static void on_field(void *s, size_t len, void *data)
{
    ks_csv_reader *r = data;
    if (r->nfields == r->max_fields) {
        /* only counted: the record is an error anyway, and holding its
         * fields is what would make memory grow with the line */
        r->dropped++;
        r->cut = 0;
        return;
    }
    if (r->nfields == r->fcap) {
        r->fcap = r->fcap ? ks_mul(r->fcap, 2) : 32;
        r->offs = ks_realloc(r->offs, ks_mul(r->fcap, sizeof *r->offs));
        r->fields = ks_realloc(r->fields, ks_mul(r->fcap, sizeof *r->fields));
    }
    /* A record's fields together are capped too (twice the longest field,
     * plus room for the ordinary ones): 1,000 fields of max_field bytes
     * would otherwise hold a gigabyte.  The field that crosses the cap is
     * kept empty and reported like an oversize one (field_too_long). */
    int over = r->cut || len > r->max_field || r->arena.len + len > 2 * r->max_field + 65536;
    r->cut = 0;
    if (over && !r->oversize)
        r->oversize = r->nfields + 1;
    if (over || !s)
        len = 0;
    r->offs[r->nfields] = r->arena.len;
    r->fields[r->nfields].len = len;
    r->nfields++;
    /* Field and its terminating NUL go in with one copy (CSV_APPEND_NULL makes
     * s[len] a NUL).  This runs for every field of the file, so the arena is
     * only grown (ks_buf_grow: room for need bytes and the buffer's own NUL)
     * when it is actually short, and appended to in place. */
    size_t need = len + 1;
    if (r->arena.cap - r->arena.len <= need)
        ks_buf_grow(&r->arena, need);
    char *w = r->arena.buf + r->arena.len;
    if (len)
        memcpy(w, s, len);
    w[len] = '\0';
    r->arena.len += need;
    r->arena.buf[r->arena.len] = '\0';
}

static void on_row(int c, void *data)
{
    ks_csv_reader *r = data;
    r->row_done = 1;
}

ks_csv_reader *ks_csv_reader_new(FILE *in, const char *name, size_t max_field, ks_error *err)
{
    ks_csv_reader *r = ks_calloc(1, sizeof *r);
    if (csv_init(&r->p, CSV_APPEND_NULL) != 0) {
        ks_error_set(err, KS_EIO, "%s: cannot initialise the csv parser", name);
        free(r);
        return NULL;
    }
    /* ks_realloc never returns NULL (it exits), so libcsv cannot half-fail. */
    csv_set_realloc_func(&r->p, ks_realloc);
    csv_set_free_func(&r->p, free);
    /* libcsv's default 128-byte step is far too small for long fields; feed()
     * raises the step as the buffer grows. */
    csv_set_blk_size(&r->p, KS_CSV_GROW);
    r->in = in;
    r->name = ks_strdup(name);
    r->max_field = max_field;
    r->max_fields = KS_CSV_MAX_FIELDS;
    r->block = ks_malloc(KS_CSV_BLOCK);
    r->line = 1;
    r->at_line_start = 1;
    r->status = 1;
    ks_buf_init(&r->arena);
    return r;
}

void ks_csv_reader_free(ks_csv_reader *r)
{
    if (!r)
        return;
    csv_free(&r->p);
    free(r->name);
    free(r->block);
    ks_buf_release(&r->arena);
    free(r->offs);
    free(r->fields);
    free(r);
}

uint64_t ks_csv_offset(const ks_csv_reader *r) { return r->offset; }

void ks_csv_reader_set_max_fields(ks_csv_reader *r, size_t max_fields)
{
    r->max_fields = max_fields ? max_fields : 1;
}

/* Reads the next block.  Returns 1 with data, 0 at end of input, or -KS_EIO. */
static int fill_block(ks_csv_reader *r, ks_error *err)
{
    r->blen = fread(r->block, 1, KS_CSV_BLOCK, r->in);
    r->bpos = 0;
    if (r->blen == 0) {
        if (ferror(r->in))
            return ks_error_set(err, KS_EIO, "%s:%llu: read error: %s", r->name,
                                (unsigned long long)r->line, strerror(errno));
        return 0;
    }
    if (!r->started) {
        r->started = 1;
        if (r->blen >= 3 && memcmp(r->block, "\xEF\xBB\xBF", 3) == 0) {
            r->bpos = 3;
            r->offset = 3;
        } else if (ks_encoding_looks_utf16(r->block, r->blen)) {
            r->blen = 0; /* none of it is fed */
            return ks_error_set(err, KS_EDATA, "%s:1: UTF-16 is not supported; save the file as UTF-8 or "
                                "Shift_JIS (CP932) (this file has a UTF-16 byte-order mark or NUL bytes "
                                "between its characters)", r->name);
        }
    }
    r->nl_at = r->cr_at = KS_CSV_UNKNOWN; /* new bytes: search afresh */
    return 1;
}

/* Feeds bytes to libcsv, then cuts an oversize field short (see the top). */
static int feed(ks_csv_reader *r, const void *s, size_t n, ks_error *err)
{
    if (csv_parse(&r->p, s, n, on_field, on_row, r) != n)
        return ks_error_set(err, KS_EIO, "%s:%llu: csv parser: %s", r->name,
                            (unsigned long long)r->line, csv_strerror(csv_error(&r->p)));
    /* Grow libcsv's buffer by half its size rather than by a fixed step, so a
     * long (but allowed) field costs a few reallocs, not thousands. */
    if (r->p.entry_size / 2 > r->p.blk_size)
        csv_set_blk_size(&r->p, r->p.entry_size / 2);
    /* libcsv may still strip the last `spaces` bytes (trailing blanks) and, after
     * a closing quote, the quote itself; what comes before them is certainly
     * field content, so more than max_field of it means the field is too long.
     * Those last spaces + 1 bytes are kept so that libcsv's own bookkeeping
     * stays consistent when it strips them. */
    size_t pos = r->p.entry_pos, keep = r->p.spaces + 1;
    if (pos > keep && pos - keep > r->max_field) {
        memmove(r->p.entry_buf, r->p.entry_buf + (pos - keep), keep);
        r->p.entry_pos = keep;
        r->cut = 1;
    }
    return 0;
}

/* Position of the next '\n' or '\r' at or after bpos, or blen.  Each byte is
 * searched once per block: the last hit of each kind is remembered. */
static size_t next_eol(ks_csv_reader *r)
{
    const unsigned char *b = r->block;
    if (r->nl_at == KS_CSV_UNKNOWN || r->nl_at < r->bpos) {
        const unsigned char *q = memchr(b + r->bpos, '\n', r->blen - r->bpos);
        r->nl_at = q ? (size_t)(q - b) : r->blen;
    }
    if (r->cr_at == KS_CSV_UNKNOWN || r->cr_at < r->bpos) {
        const unsigned char *q = memchr(b + r->bpos, '\r', r->blen - r->bpos);
        r->cr_at = q ? (size_t)(q - b) : r->blen;
    }
    return r->nl_at < r->cr_at ? r->nl_at : r->cr_at;
}

/* Feeds the rest of the current physical line that is in the block. */
static int feed_piece(ks_csv_reader *r, ks_error *err)
{
    if (r->at_line_start) {
        if (!r->in_record)
            r->rec_line = r->line;
        r->at_line_start = 0;
    }
    size_t t = next_eol(r), end = r->blen;
    int ended = t < r->blen;
    if (ended) {
        end = t + 1;
        if (r->block[t] == '\r') {
            if (end < r->blen && r->block[end] == '\n')
                end++;
            else if (end == r->blen)
                r->pending_cr = 1;
        }
    }
    int rc = feed(r, r->block + r->bpos, end - r->bpos, err);
    if (rc < 0)
        return rc;
    r->offset += end - r->bpos;
    r->bpos = end;
    if (ended) {
        r->line++;
        r->at_line_start = 1;
        /* A terminator outside quotes always ends a row or a blank line, so an
         * open record here means a quoted field spans the line break. */
        r->in_record = !r->row_done && r->p.quoted;
    }
    return 0;
}

/* End of input: finish a last line that has no terminator, then check that
 * no quoted field is left open.  Returns 1 if that produced a record. */
static int finish(ks_csv_reader *r, ks_error *err)
{
    if (!r->at_line_start) {
        /* A line end of our own, rather than csv_fini, so the same state test
         * as for every other line tells a complete record from an open quote. */
        int rc = feed(r, "\n", 1, err);
        if (rc < 0)
            return rc;
        r->at_line_start = 1;
        r->in_record = !r->row_done && r->p.quoted;
        if (r->row_done)
            return 1;
    }
    if (r->in_record)
        return ks_error_set(err, KS_EDATA,
                            "%s:%llu: unterminated quoted field: a '\"' opened in the record "
                            "starting on this line is not closed before the end of the file",
                            r->name, (unsigned long long)r->rec_line);
    return 0;
}

static void hand_over(ks_csv_reader *r, ks_csv_record *rec, size_t *oversize_field)
{
    for (size_t i = 0; i < r->nfields; i++)
        r->fields[i].data = r->arena.buf + r->offs[i];
    rec->fields = r->fields;
    rec->nfields = r->nfields;
    rec->dropped_fields = r->dropped;
    rec->line = r->rec_line;
    rec->end_offset = r->offset;
    if (oversize_field)
        *oversize_field = r->oversize;
}

int ks_csv_next(ks_csv_reader *r, ks_csv_record *rec, size_t *oversize_field, ks_error *err)
{
    int rc = 0;
    if (oversize_field)
        *oversize_field = 0;
    if (r->status <= 0) {
        if (r->status < 0 && err)
            *err = r->failure;
        return r->status;
    }
    ks_buf_reset(&r->arena);
    r->nfields = 0;
    r->dropped = 0;
    r->oversize = 0;
    r->row_done = 0;
    for (;;) {
        if (r->bpos == r->blen) {
            rc = fill_block(r, err);
            if (rc < 0)
                goto done;
            if (rc == 0) {
                rc = finish(r, err);
                if (rc == 1) {
                    hand_over(r, rec, oversize_field);
                    r->status = 0; /* the next call reports end of input */
                    return 1;
                }
                goto done;
            }
            if (r->pending_cr) {
                r->pending_cr = 0;
                if (r->block[r->bpos] == '\n') {
                    /* The LF of a CRLF split across blocks: same line end. */
                    rc = feed(r, "\n", 1, err);
                    if (rc < 0)
                        goto done;
                    r->bpos++;
                    r->offset++;
                    continue;
                }
            }
        }
        rc = feed_piece(r, err);
        if (rc < 0)
            goto done;
        if (r->row_done) {
            hand_over(r, rec, oversize_field);
            return 1;
        }
    }
done:
    r->status = rc; /* 0 at end of input, or the error, from now on */
    if (rc < 0) {
        if (err)
            r->failure = *err;
        else
            ks_error_set(&r->failure, -rc, "%s: reading stopped after an error", r->name);
    }
    return rc;
}
