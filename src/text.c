/* text.c: UTF-8 validation, NFKC folding and display width (utf8proc).
 *
 * Every field of every row of an import passes through here, so the common
 * case (a pure ASCII field, where NFKC is the identity) never reaches utf8proc
 * and never allocates; other fields are decomposed into a stack buffer of code
 * points, composed in place and encoded straight into the caller's ks_buf. */
#include "kasane/text.h"

#include <stdlib.h>
#include <utf8proc.h>

/* Code points decomposed on the stack before falling back to the heap: a
 * field of 128 characters covers names, labels and dates with room to spare. */
enum { TEXT_STACK_CPS = 128 };

typedef enum fold_mode {
    FOLD_TRIM,  /* NFKC, trim leading and trailing white space */
    FOLD_KEY,   /* NFKC, remove all white space */
    FOLD_LABEL, /* NFKC_Casefold, remove all white space */
} fold_mode;

/* Decodes one well-formed UTF-8 sequence at s[0..n) (Unicode Table 3-7: no
 * overlongs, no surrogates, nothing above U+10FFFF).  Returns its length, or
 * 0 when the bytes there are not a well-formed sequence. */
static size_t utf8_decode(const unsigned char *s, size_t n, int32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* below is an overlong form */
        else if (c == 0xED)
            hi = 0x9F; /* above are the surrogates D800..DFFF */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* beyond U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    int32_t v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if (i > 1 && (s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

/* Code points that NFKC and case folding leave alone, that compose with
 * nothing in these ranges and that are not white space: the kana, the CJK
 * unified ideographs and common Japanese punctuation, which make up almost all
 * of a Japanese case record.  Deliberately excluded: U+3000 (becomes a space),
 * U+3099-U+309C (voicing marks, which compose with kana or are compatibility
 * forms), U+309F and U+30FF (compatibility ligatures), the half-width forms and
 * the CJK compatibility ideographs (U+F900...). */
static bool nfkc_stable(int32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) ||  /* CJK unified ideographs */
           (cp >= 0x3041 && cp <= 0x3096) ||  /* hiragana */
           (cp >= 0x30A1 && cp <= 0x30FE) ||  /* katakana, ・ ー ヽ ヾ */
           (cp >= 0x3001 && cp <= 0x3002) ||  /* 、。 */
           (cp >= 0x3005 && cp <= 0x3007) ||  /* 々 〆 〇 */
           (cp >= 0x300C && cp <= 0x300F);    /* 「」『』 */
}

/* Validates s[0..n) and tells whether it is pure ASCII, in one pass.  With
 * `stable` non-NULL, also whether every non-ASCII character is NFKC-stable
 * (then only the ASCII bytes can change under folding). */
static bool utf8_check2(const char *s, size_t n, bool *ascii, bool *stable)
{
    const unsigned char *p = (const unsigned char *)s;
    bool only_ascii = true;
    size_t i = 0;
    while (i < n) {
        if (p[i] - 1u < 0x7Fu) { /* 0x01..0x7F: NUL wraps round and fails */
            i++;
            continue;
        }
        if (p[i] == 0)
            return false;
        int32_t cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (!len)
            return false;
        only_ascii = false;
        if (stable && *stable && !nfkc_stable(cp))
            *stable = false;
        i += len;
    }
    *ascii = only_ascii;
    return true;
}

static bool utf8_check(const char *s, size_t n, bool *ascii) { return utf8_check2(s, n, ascii, NULL); }

bool ks_utf8_valid(const char *s, size_t n)
{
    bool ascii;
    return utf8_check(s, n, &ascii);
}

static bool is_ascii_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r'); /* \t \n \v \f \r */
}

/* White space as text.h defines it: ASCII control white space or Zs.  After
 * NFKC only U+0020 and U+1680 (Ogham space mark) are left of the Zs class. */
static bool is_space_cp(int32_t cp)
{
    if (cp < 0x80)
        return is_ascii_space((unsigned char)cp);
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* Pure ASCII (and text whose other characters are nfkc_stable) is already NFKC (and NFKC_Casefold is plain lower-casing), so
 * only the white-space rule and the case need applying. */
static void fold_ascii(const char *s, size_t n, fold_mode mode, ks_buf *out)
{
    if (mode == FOLD_TRIM) {
        size_t a = 0, b = n;
        while (a < b && is_ascii_space((unsigned char)s[a]))
            a++;
        while (b > a && is_ascii_space((unsigned char)s[b - 1]))
            b--;
        ks_buf_add(out, s + a, b - a);
        return;
    }
    ks_buf_grow(out, n);
    char *w = out->buf + out->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_ascii_space(c))
            continue;
        if (mode == FOLD_LABEL && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        *w++ = (char)c;
    }
    out->len = (size_t)(w - out->buf);
    out->buf[out->len] = '\0';
}

/* Encodes cps[a..b) into out, dropping white space when asked. */
static void emit_cps(const int32_t *cps, size_t a, size_t b, bool drop_space, ks_buf *out)
{
    ks_buf_grow(out, ks_mul(b - a, 4));
    utf8proc_uint8_t *w = (utf8proc_uint8_t *)out->buf + out->len;
    for (size_t i = a; i < b; i++) {
        if (drop_space && is_space_cp(cps[i]))
            continue;
        w += utf8proc_encode_char(cps[i], w);
    }
    out->len = (size_t)((char *)w - out->buf);
    out->buf[out->len] = '\0';
}

static int fold_unicode(const char *s, size_t n, fold_mode mode, ks_buf *out)
{
    utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT;
    if (mode == FOLD_LABEL) /* NFKC_Casefold also drops default-ignorables (ZWSP, BOM) */
        opts |= UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    int32_t stack[TEXT_STACK_CPS];
    int32_t *cps = stack;
    int rc = 0;
    utf8proc_ssize_t cap = TEXT_STACK_CPS;
    utf8proc_ssize_t len;
    for (;;) {
        len = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cps, cap, opts);
        if (len < 0) {
            rc = -KS_EDATA;
            goto done;
        }
        if (len <= cap)
            break;
        /* Compatibility decompositions can expand (U+FDFA is 18 letters):
         * retry once with exactly the room utf8proc asked for. */
        if (cps != stack)
            free(cps);
        cap = len;
        cps = ks_malloc(ks_mul((size_t)cap, sizeof *cps));
    }
    len = utf8proc_normalize_utf32(cps, len, opts);
    if (len < 0) {
        rc = -KS_EDATA;
        goto done;
    }
    size_t a = 0, b = (size_t)len;
    if (mode == FOLD_TRIM) {
        while (a < b && is_space_cp(cps[a]))
            a++;
        while (b > a && is_space_cp(cps[b - 1]))
            b--;
    }
    emit_cps(cps, a, b, mode != FOLD_TRIM, out);
done:
    if (cps != stack)
        free(cps);
    return rc;
}

static int fold(const char *s, size_t n, fold_mode mode, ks_buf *out)
{
    bool ascii, stable = true;
    if (!utf8_check2(s, n, &ascii, &stable))
        return -KS_EDATA;
    if (ascii || stable) { /* fold_ascii touches ASCII bytes only */
        fold_ascii(s, n, mode, out);
        return 0;
    }
    return fold_unicode(s, n, mode, out);
}

int ks_text_fold(const char *s, size_t n, ks_buf *out) { return fold(s, n, FOLD_TRIM, out); }

int ks_text_fold_key(const char *s, size_t n, ks_buf *out) { return fold(s, n, FOLD_KEY, out); }

int ks_text_fold_label(const char *s, size_t n, ks_buf *out) { return fold(s, n, FOLD_LABEL, out); }

size_t ks_text_width(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t width = 0, i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            /* utf8proc gives control characters width 0, printable ASCII 1 */
            width += p[i] >= 0x20 && p[i] < 0x7F;
            i++;
            continue;
        }
        int32_t cp;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (!len) {
            width++; /* an invalid byte most likely shows as one replacement glyph */
            i++;
            continue;
        }
        int w = utf8proc_charwidth(cp);
        width += w > 0 ? (size_t)w : 0;
        i += len;
    }
    return width;
}
