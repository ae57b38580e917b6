/* encoding.c: encoding names, detection and per-field decoding to UTF-8.
 *
 * CP932 is converted with glibc's iconv ("CP932", Microsoft's table, the one
 * Excel writes).  What that table does, observed with glibc 2.36:
 *  - 0x5C is U+005C and 0x7E is U+007E, so ASCII bytes are ASCII characters
 *    and a pure ASCII field needs no conversion at all;
 *  - 0x8160 ～ is U+FF5E (full-width tilde; NFKC later makes it "~"),
 *    0x815C ― is U+2015, 0x8161 ∥ is U+2225, 0x817C － is U+FF0D,
 *    0x8191/0x8192/0x81CA are U+FFE0/U+FFE1/U+FFE2 (full-width ¢ £ ¬);
 *  - NEC and IBM extensions (0x8740 ①, 0xED40 纊, 0xFA40 ⅰ) convert, the
 *    user-defined area 0xF040.. becomes private-use characters U+E000..;
 *  - 0x80, 0xA0, 0xFD..0xFF, a lead byte at the end of a field and a lead
 *    byte followed by a byte outside 0x40..0xFC (0x82 0x20, 0x82 0x7F) are
 *    rejected (EILSEQ/EINVAL);
 *  - the other way, U+301C 〜 and U+FF5E both become 0x8160, U+2014 and
 *    U+2015 both 0x815C, and U+00A5 ¥ becomes 0x5C: not every round trip
 *    UTF-8 -> CP932 -> UTF-8 gives back the same code points. */
#include "encoding.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "text.h"

struct ks_decoder {
    ks_encoding enc; /* KS_ENC_UTF8 or KS_ENC_CP932, never AUTO */
    iconv_t cd;      /* CP932 -> UTF-8 converter; (iconv_t)-1 for UTF-8 */
};

static const struct {
    const char *name;    /* accepted spelling, compared case-insensitively */
    ks_encoding enc;     /* what it means */
} enc_names[] = {
    {"auto", KS_ENC_AUTO},
    {"utf-8", KS_ENC_UTF8},
    {"utf8", KS_ENC_UTF8},
    {"cp932", KS_ENC_CP932},
    {"shift_jis", KS_ENC_CP932},
    {"shift-jis", KS_ENC_CP932},
    {"sjis", KS_ENC_CP932},
    {"windows-31j", KS_ENC_CP932},
    {"ms932", KS_ENC_CP932},
};

int ks_encoding_parse(const char *name, ks_encoding *out, ks_error *err)
{
    if (name) {
        for (size_t i = 0; i < KS_ARRAY_LEN(enc_names); i++) {
            if (strcasecmp(name, enc_names[i].name) == 0) {
                *out = enc_names[i].enc;
                return 0;
            }
        }
    }
    return ks_error_set(err, KS_EUSAGE, "unknown encoding '%s' (expected utf-8, cp932 or auto)",
                        name ? name : "");
}

const char *ks_encoding_name(ks_encoding enc)
{
    switch (enc) {
    case KS_ENC_UTF8: return "utf-8";
    case KS_ENC_CP932: return "cp932";
    default: return "auto";
    }
}

size_t ks_encoding_bom_len(const unsigned char *buf, size_t n)
{
    return n >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF ? 3 : 0;
}

bool ks_encoding_looks_utf16(const unsigned char *buf, size_t n)
{
    if (n >= 2 && ((buf[0] == 0xFF && buf[1] == 0xFE) || (buf[0] == 0xFE && buf[1] == 0xFF)))
        return true;
    size_t nul[2] = {0, 0}; /* NUL bytes at even and at odd offsets */
    for (size_t i = 0; i < n; i++)
        nul[i & 1] += buf[i] == 0;
    size_t units = n / 2; /* bytes at each parity, give or take one */
    /* at least 8 NULs: one stray NUL in a tiny file is a bad row, not UTF-16
     * (a UTF-16 case-record header alone brings a NUL with each of its 12
     * or more commas) */
    for (int p = 0; p < 2; p++)
        if (nul[p] >= 8 && nul[p] * 4 >= units && nul[1 - p] * 4 < nul[p])
            return true;
    return false;
}

/* Bytes at the end of s[0..n) that start a multi-byte UTF-8 sequence the
 * sample cut short (a lead byte and fewer continuation bytes than it needs). */
static size_t utf8_cut_tail(const unsigned char *s, size_t n)
{
    size_t i = n, cont = 0;
    while (cont < 3 && i > 0 && (s[i - 1] & 0xC0) == 0x80) {
        i--;
        cont++;
    }
    if (i == 0)
        return 0;
    unsigned char lead = s[i - 1];
    size_t need = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 && lead <= 0xEF ? 3
                : lead >= 0xC2 && lead <= 0xDF ? 2 : 0;
    return need > cont + 1 ? cont + 1 : 0;
}

/* Length of the well-formed UTF-8 multi-byte sequence at p (2..4), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
    size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || len > n || p[0] > 0xF4)
        return 0;
    return ks_utf8_valid((const char *)p, len) ? len : 0;
}

/* Counts well-formed multi-byte UTF-8 characters and bytes that start no
 * such character.  Japanese CP932 text almost never forms valid UTF-8 (its
 * lead bytes 0x81-0x9F are UTF-8 continuation bytes), so a sample that is
 * overwhelmingly valid UTF-8 is UTF-8 even if one row holds broken bytes:
 * those become an error of that row, not a wrong guess for the whole file. */
ks_encoding ks_encoding_detect(const unsigned char *sample, size_t n, bool at_eof)
{
    if (ks_encoding_bom_len(sample, n))
        return KS_ENC_UTF8;
    if (!at_eof)
        n -= utf8_cut_tail(sample, n);
    size_t valid = 0, invalid = 0;
    for (size_t i = 0; i < n;) {
        if (sample[i] < 0x80) {
            i++;
            continue;
        }
        size_t len = utf8_seq(sample + i, n - i);
        if (len) {
            valid++;
            i += len;
        } else {
            invalid++;
            i++;
        }
    }
    if (invalid == 0)
        return KS_ENC_UTF8;
    return valid >= 8 * invalid ? KS_ENC_UTF8 : KS_ENC_CP932;
}

ks_decoder *ks_decoder_new(ks_encoding enc, ks_error *err)
{
    if (enc != KS_ENC_UTF8 && enc != KS_ENC_CP932) {
        ks_error_set(err, KS_EUSAGE, "a field decoder needs utf-8 or cp932, not '%s'",
                     ks_encoding_name(enc));
        return NULL;
    }
    iconv_t cd = (iconv_t)-1;
    if (enc == KS_ENC_CP932) {
        cd = iconv_open("UTF-8", "CP932");
        if (cd == (iconv_t)-1) {
            ks_error_set(err, KS_EIO, "cannot convert from cp932: iconv_open: %s", strerror(errno));
            return NULL;
        }
    }
    ks_decoder *d = ks_malloc(sizeof *d);
    d->enc = enc;
    d->cd = cd;
    return d;
}

void ks_decoder_free(ks_decoder *d)
{
    if (!d)
        return;
    if (d->cd != (iconv_t)-1)
        iconv_close(d->cd);
    free(d);
}

ks_encoding ks_decoder_encoding(const ks_decoder *d) { return d->enc; }

static bool is_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

/* Runs in[0..n) through cd and appends the result to out; on failure out is
 * left as it was.  `ratio` is the worst-case growth, so one allocation
 * normally suffices; E2BIG still grows and retries for safety. */
static int iconv_append(iconv_t cd, const char *in, size_t n, size_t ratio, ks_buf *out)
{
    size_t start = out->len;
    char *ip = (char *)in; /* iconv's prototype is not const-correct */
    size_t il = n;
    int rc = 0;
    iconv(cd, NULL, NULL, NULL, NULL); /* forget state left by an earlier failure */
    ks_buf_grow(out, ks_add(ks_mul(n, ratio), 4));
    for (;;) {
        char *op = out->buf + out->len;
        size_t ol = out->cap - out->len - 1; /* keep room for the terminating NUL */
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        out->len = (size_t)(op - out->buf);
        if (r != (size_t)-1)
            break;
        if (errno != E2BIG) { /* EILSEQ: invalid/unmappable, EINVAL: cut short */
            rc = -KS_EDATA;
            out->len = start;
            goto done;
        }
        ks_buf_grow(out, ks_add(ks_mul(il, ratio), 16));
    }
done:
    out->buf[out->len] = '\0';
    return rc;
}

int ks_decoder_field(ks_decoder *d, const char *in, size_t n, ks_buf *out)
{
    if (d->enc == KS_ENC_UTF8) {
        if (!ks_utf8_valid(in, n)) /* also rejects NUL */
            return -KS_EDATA;
        ks_buf_add(out, in, n);
        return 0;
    }
    /* A CP932 trail byte is never 0x00, so memchr finds only real NULs. */
    if (memchr(in, '\0', n))
        return -KS_EDATA;
    if (is_ascii(in, n)) {
        ks_buf_add(out, in, n);
        return 0;
    }
    /* one CP932 byte (half-width kana) becomes at most 3 UTF-8 bytes */
    return iconv_append(d->cd, in, n, 3, out);
}

int ks_utf8_to_cp932(const char *in, size_t n, ks_buf *out)
{
    if (!ks_utf8_valid(in, n))
        return -KS_EDATA;
    if (is_ascii(in, n)) {
        ks_buf_add(out, in, n);
        return 0;
    }
    iconv_t cd = iconv_open("CP932", "UTF-8");
    if (cd == (iconv_t)-1)
        return -KS_EIO;
    /* every character that has a CP932 form takes no more bytes there */
    int rc = iconv_append(cd, in, n, 1, out);
    iconv_close(cd);
    return rc;
}
