/* encoding.h: input encodings (UTF-8 with or without BOM, CP932) and conversion
 * of single fields to UTF-8 with glibc's iconv.
 *
 * CSV structure can be parsed on the raw bytes in either encoding: every CP932
 * trail byte is >= 0x40, so commas, quotes, CR and LF are never part of a
 * double-byte character.  Fields are therefore decoded one by one after
 * splitting, and an invalid byte becomes an error of that row, not of the file. */
#ifndef KASANE_ENCODING_H
#define KASANE_ENCODING_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef enum ks_encoding {
    KS_ENC_AUTO = 0,
    KS_ENC_UTF8,
    KS_ENC_CP932,
} ks_encoding;

/* Parses "utf-8", "utf8", "cp932", "shift_jis", "sjis", "auto" (case-insensitive;
 * also "shift-jis", "windows-31j" and "ms932", all meaning CP932).
 * Returns 0 or -KS_EUSAGE. */
int ks_encoding_parse(const char *name, ks_encoding *out, ks_error *err);
const char *ks_encoding_name(ks_encoding enc); /* "utf-8" or "cp932" */

/* Length of a UTF-8 BOM at the start of buf (3) or 0. */
size_t ks_encoding_bom_len(const unsigned char *buf, size_t n);

/* True when the start of a file is UTF-16, which kasane does not read: it
 * begins with a UTF-16 byte-order mark (FF FE or FE FF), or at least a
 * quarter of the bytes at even offsets, or at odd ones, are NUL (8 or more)
 * and the other offsets hold fewer than a quarter as many (ASCII characters in UTF-16: every
 * comma, digit and line end brings a NUL).  UTF-8 and CP932 text has no NUL
 * bytes at all, and a file of nothing but NULs is not taken for UTF-16. */
bool ks_encoding_looks_utf16(const unsigned char *buf, size_t n);

/* Guesses the encoding from the first bytes of a file: UTF-8 if the sample is
 * valid UTF-8 (a multi-byte sequence cut by the end of the sample counts as
 * valid when !at_eof), else CP932.  Pure ASCII is UTF-8. */
ks_encoding ks_encoding_detect(const unsigned char *sample, size_t n, bool at_eof);

/* A field decoder; for UTF-8 it only validates. */
typedef struct ks_decoder ks_decoder;

ks_decoder *ks_decoder_new(ks_encoding enc, ks_error *err); /* NULL on failure */
void ks_decoder_free(ks_decoder *d);

/* The encoding a decoder reads (KS_ENC_UTF8 or KS_ENC_CP932).  For UTF-8 the
 * decoder only validates and copies, so callers that validate the field
 * themselves (ks_text_fold rejects exactly the same bytes, NUL included) may
 * use the bytes as they are. */
ks_encoding ks_decoder_encoding(const ks_decoder *d);

/* Appends the UTF-8 form of in[0..n) to out.  Returns 0, or -KS_EDATA if the
 * field holds a byte sequence invalid in the encoding or a NUL byte. */
int ks_decoder_field(ks_decoder *d, const char *in, size_t n, ks_buf *out);

/* Converts UTF-8 to CP932 (for tests and the data generator).  Returns 0 or
 * -KS_EDATA when a character has no CP932 form. */
int ks_utf8_to_cp932(const char *in, size_t n, ks_buf *out);

#endif
