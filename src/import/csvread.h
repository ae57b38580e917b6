/* csvread.h: a streaming RFC 4180 reader built on libcsv.
 *
 * Memory does not grow with the file: input is read in fixed blocks and only
 * the current record is held.  Each record is handed over with the physical
 * line number on which it starts (1-based, counting CRLF, LF and lone CR ends,
 * and line breaks inside quoted fields), so errors can say file:line:column.
 * Blank lines are skipped.  Fields are raw bytes in the file's encoding (see
 * encoding.h): decoding happens per field, later.
 *
 * libcsv's lenient rules apply: spaces and tabs around an unquoted field and
 * outside the quotes of a quoted one are dropped (those inside quotes are kept),
 * a line holding only spaces and tabs counts as blank, and a stray quote inside
 * an unquoted field is an ordinary character.  Only a quote still open at the
 * end of the input is an error.  This works for UTF-8 and CP932 alike: no CP932
 * trail byte is a space, tab, comma, quote, CR or LF. */
#ifndef KASANE_CSVREAD_H
#define KASANE_CSVREAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

typedef struct ks_csv_field {
    const char *data; /* raw bytes, NUL-terminated (may also contain NULs: use len) */
    size_t len;       /* byte length */
} ks_csv_field;

/* Most fields one record may have; the fields of a longer record past this
 * many are counted but not held.  The contract has 23 columns and a city's
 * export may add a few dozen of its own; 1,000 is far beyond any real export
 * (Excel users scroll sideways past column ALL) and keeps a record's field
 * table at 24 KiB, where a 100 MB line of commas would otherwise cost 25
 * bytes a comma (about 2.5 GB). */
enum { KS_CSV_MAX_FIELDS = 1000 };

typedef struct ks_csv_record {
    const ks_csv_field *fields; /* borrowed; valid until the next ks_csv_next */
    size_t nfields;             /* number of fields held (at most the reader's max_fields) */
    uint64_t dropped_fields;    /* fields past max_fields: counted, not held; 0 normally */
    uint64_t line;              /* physical line the record starts on, 1-based */
    uint64_t end_offset;        /* byte offset just past this record (for progress) */
} ks_csv_record;

typedef struct ks_csv_reader ks_csv_reader;

/* Reads from an open stream that the caller keeps owning.  `name` is used in
 * messages.  `max_field` bounds a single field's size (a field longer than it
 * makes that record an error, reported once, and is skipped without being held
 * in memory). */
ks_csv_reader *ks_csv_reader_new(FILE *in, const char *name, size_t max_field, ks_error *err);
void ks_csv_reader_free(ks_csv_reader *r);

/* Changes the most fields a record may have (default KS_CSV_MAX_FIELDS, at
 * least 1).  A record with more holds its first max_fields fields and says how
 * many more it had in dropped_fields, so memory does not grow with the number
 * of commas on a line; whoever reads it decides that it is an error. */
void ks_csv_reader_set_max_fields(ks_csv_reader *r, size_t max_fields);

/* Fetches the next record.  Returns 1 when a record was read, 0 at end of
 * input, -KS_EDATA for a malformed record that cannot be recovered (e.g. an
 * unterminated quote at end of file) and -KS_EIO for a read error; err then
 * says "name:line: ...".  A record with an oversize field is returned with
 * *oversize_field set to that field's 1-based index (0 when none) and the field
 * empty.  A UTF-8 byte-order mark at the very start of the input is skipped;
 * input that starts with a UTF-16 byte-order mark or has NUL bytes in every
 * other position (ks_encoding_looks_utf16) is refused at once with -KS_EDATA
 * ("name:1: UTF-16 is not supported; ..."): split at its 0x0A and 0x2C bytes,
 * it would give only misleading errors later. */
int ks_csv_next(ks_csv_reader *r, ks_csv_record *rec, size_t *oversize_field, ks_error *err);

/* Bytes consumed so far (for progress and ETA). */
uint64_t ks_csv_offset(const ks_csv_reader *r);

#endif
