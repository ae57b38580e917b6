/* text.c: UTF-8 validation, NFKC folding and display width (utf8proc).
 *
 * Every field of every row of an import passes through here, so the common
 * cases never reach utf8proc and never allocate: one validating pass (ASCII a
 * word at a time, Japanese three-byte characters in a loop of their own)
 * classifies the text; ASCII, kana and kanji (NFKC fixed points) only need
 * the white-space and case rules, and full-width ASCII and U+3000 map one to
 * one onto ASCII.  Other fields are decomposed into a stack buffer of code
 * points, composed in place and encoded straight into the caller's ks_buf.
 * test_text_fast.c holds the fast paths to utf8proc's answers. */
#include "text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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
    /* U+3000..U+30FF as a bitmap: 3001-3002, 3005-3007, 300C-300F, 3041-3096
     * and 30A1-30FE (the ranges above); test_text.c checks every bit against
     * utf8proc. */
    static const uint64_t kana[4] = {UINT64_C(0x000000000000F0E6), UINT64_C(0xFFFFFFFFFFFFFFFE),
                                     UINT64_C(0xFFFFFFFE007FFFFF), UINT64_C(0x7FFFFFFFFFFFFFFF)};
    if (cp >= 0x4E00)
        return cp <= 0x9FFF; /* CJK unified ideographs */
    if ((cp >> 8) == 0x30)
        return (kana[(cp >> 6) & 3] >> (cp & 63)) & 1; /* kana and punctuation */
    return false;
}

/* Bytes of a 64-bit word, for the ASCII fast path: a word of eight ASCII
 * bytes has no high bit set, and has_zero() finds a NUL among them (exact for
 * the question "is there one": borrows only propagate past a zero byte). */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, sizeof w); /* unaligned and alias-safe; one mov at -O2 */
    return w;
}

static inline bool has_zero(uint64_t w) { return ((w - ONES) & ~w & HIGHS) != 0; }

/* Skips the run of ASCII bytes at p[i..n), eight at a time.  Returns the
 * index of the first non-ASCII byte (or n), or SIZE_MAX on a NUL byte. */
static inline size_t skip_ascii(const unsigned char *p, size_t i, size_t n)
{
    while (n - i >= 8) {
        uint64_t w = load64(p + i);
        if (w & HIGHS)
            break;
        if (has_zero(w))
            return SIZE_MAX;
        i += 8;
    }
    while (i < n && p[i] < 0x80) {
        if (p[i] == 0)
            return SIZE_MAX;
        i++;
    }
    return i;
}

/* One code point of a three-byte sequence whose lead is E1..EC, EE or EF:
 * for those leads every continuation byte is allowed in second place (E0 and
 * ED restrict it: overlongs and surrogates), so two tag checks suffice.
 * Returns 0 when p[0..3) is not such a sequence. */
static inline int32_t utf8_plain3(const unsigned char *p)
{
    unsigned c = p[0];
    if (c - 0xE1u >= 15u || c == 0xED || ((p[1] & 0xC0) | ((p[2] & 0xC0u) << 8)) != 0x8080u)
        return 0;
    return (int32_t)(c & 0x0F) << 12 | (int32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
}

/* What folding a valid string takes, from least to most work.  The order
 * matters: a string's class is the largest class of its characters. */
typedef enum text_class {
    TEXT_STABLE, /* ASCII and nfkc_stable characters: only ASCII bytes change */
    TEXT_WIDE,   /* also full-width ASCII U+FF01..U+FF5E and U+3000, which NFKC
                  * maps one to one onto ASCII U+0021..U+007E and U+0020 */
    TEXT_OTHER,  /* anything else: utf8proc */
} text_class;

static inline text_class class_of(int32_t cp)
{
    if (nfkc_stable(cp))
        return TEXT_STABLE;
    return (uint32_t)cp - 0xFF01u < 94u || cp == 0x3000 ? TEXT_WIDE : TEXT_OTHER;
}

/* Validates s[0..n) and tells whether it is pure ASCII, in one pass.  With
 * want_class, also the text_class of its non-ASCII characters.  Accepts
 * exactly what utf8_decode accepts, minus NUL: runs of ASCII are checked a
 * word at a time and the three-byte sequences of Japanese text in a loop of
 * their own. */
static inline __attribute__((always_inline)) bool
utf8_scan(const unsigned char *p, size_t n, bool want_class, bool *ascii, text_class *cls)
{
    bool only_ascii = true;
    text_class k = TEXT_STABLE;
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            i = skip_ascii(p, i, n);
            if (i == SIZE_MAX)
                return false;
            continue;
        }
        only_ascii = false;
        int32_t cp;
        while (n - i >= 3 && (cp = utf8_plain3(p + i)) != 0) {
            if (want_class && k != TEXT_OTHER && !nfkc_stable(cp) && class_of(cp) > k)
                k = class_of(cp);
            i += 3;
        }
        if (i == n || p[i] < 0x80)
            continue;
        size_t len = utf8_decode(p + i, n - i, &cp);
        if (!len)
            return false;
        if (want_class && class_of(cp) > k)
            k = class_of(cp);
        i += len;
    }
    *ascii = only_ascii;
    if (want_class)
        *cls = k;
    return true;
}

static bool utf8_check2(const char *s, size_t n, bool *ascii, text_class *cls)
{
    return utf8_scan((const unsigned char *)s, n, true, ascii, cls);
}

static bool utf8_check(const char *s, size_t n, bool *ascii)
{
    return utf8_scan((const unsigned char *)s, n, false, ascii, NULL);
}

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

/* Folds a TEXT_WIDE string: full-width ASCII and U+3000 become the ASCII
 * characters NFKC makes of them, the other non-ASCII characters (stable ones)
 * are copied as they are, and then the ASCII rules of fold_ascii apply.  The
 * result is never longer than the input (3 bytes -> 1). */
static void fold_wide(const char *s, size_t n, fold_mode mode, ks_buf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    ks_buf_grow(out, n);
    char *start = out->buf + out->len;
    char *w = start, *kept = start; /* kept: end of the last non-space (FOLD_TRIM) */
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2; /* valid: checked by the caller */
            if (len == 3 && c == 0xEF && (p[i + 1] == 0xBC || p[i + 1] == 0xBD) &&
                (uint32_t)((p[i + 1] & 1) << 6 | (p[i + 2] & 0x3F)) - 1u < 94u) {
                /* U+FF01..U+FF5E = EF BC 81..EF BD 9E -> U+0021..U+007E */
                c = (unsigned char)(0x20 + ((p[i + 1] & 1) << 6 | (p[i + 2] & 0x3F)));
            } else if (len == 3 && c == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x80) {
                c = ' '; /* U+3000 */
            } else {
                memcpy(w, p + i, len);
                w += len;
                kept = w;
                i += len;
                continue;
            }
            i += 3;
        } else {
            i++;
        }
        if (is_ascii_space(c)) {
            if (mode == FOLD_TRIM && w != start)
                *w++ = (char)c; /* inner space: kept unless trailing */
            continue;
        }
        if (mode == FOLD_LABEL && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        *w++ = (char)c;
        kept = w;
    }
    if (mode == FOLD_TRIM)
        w = kept;
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
    bool ascii;
    text_class cls;
    if (!utf8_check2(s, n, &ascii, &cls))
        return -KS_EDATA;
    if (ascii || cls == TEXT_STABLE) { /* fold_ascii touches ASCII bytes only */
        fold_ascii(s, n, mode, out);
        return 0;
    }
    if (cls == TEXT_WIDE) {
        fold_wide(s, n, mode, out);
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
