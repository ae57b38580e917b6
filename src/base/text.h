/* text.h: Unicode normalisation and display width (utf8proc).
 *
 * What is folded, and why (the import contract, shared/spec/case-records.md):
 *  - NFKC: full-width ASCII letters and digits (ＡＢＣ１２３), half-width katakana
 *    (ﾔﾏﾀﾞ), circled and compatibility characters fold to one form, so that the
 *    same value typed on different machines compares equal.
 *  - trimming: leading and trailing white space, ASCII and U+3000 (ideographic
 *    space) alike, after NFKC (which already maps U+3000 to U+0020).
 *  - person keys additionally lose every white-space character inside the value
 *    (U+0020, U+3000, tabs, U+00A0 ... anything utf8proc classes as Zs, plus
 *    ASCII control white space), so 山田　太郎, 山田 太郎 and 山田太郎 are one person.
 *  - labels (header names and code values) are NFKC-casefolded, so `Sex`, `SEX`
 *    and `ｓｅｘ` match, and internal white space is removed as for keys.
 *    As in Unicode's NFKC_Casefold, default-ignorable characters (U+200B zero
 *    width space, a stray U+FEFF BOM) are dropped from labels.
 * Nothing else is changed: kanji variants (髙/高, 﨑/崎) are NOT folded, since
 * NFKC keeps them apart and guessing would merge different people.
 *
 * All functions append to `out` (they do not reset it) and return 0, or
 * -KS_EDATA when the input is not valid UTF-8 (out is then unspecified). */
#ifndef KASANE_TEXT_H
#define KASANE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* true when s[0..n) is well-formed UTF-8 (no overlongs, surrogates or NUL bytes) */
bool ks_utf8_valid(const char *s, size_t n);

/* NFKC, then trim: the form every stored value and every date is parsed from */
int ks_text_fold(const char *s, size_t n, ks_buf *out);

/* NFKC, then remove every white-space character: person-key input (names) */
int ks_text_fold_key(const char *s, size_t n, ks_buf *out);

/* NFKC_Casefold, then remove every white-space character: header names and
 * code labels are compared in this form */
int ks_text_fold_label(const char *s, size_t n, ks_buf *out);

/* Display columns of a UTF-8 string in a terminal: East Asian wide and
 * full-width characters count 2, combining marks 0 (utf8proc_charwidth).
 * Invalid bytes count 1 each. */
size_t ks_text_width(const char *s, size_t n);

#endif
