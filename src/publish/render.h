/* render.h: prints one table in one of the table modes (like the SQLite
 * shell's aModeInfo).  The writer table (write.h) renders every table
 * through here: table, csv, tsv, json and markdown one table after another,
 * and html and txt documents use it or its cell rule (ks_render_small_mark)
 * for each table they show.  --format and --help list the writer table,
 * not these modes.
 *
 * Ownership: nothing is kept; strings in the meta and opts structs are
 * borrowed for the call.  Errors: 0 or a negative KS_E* code in `err`.
 *
 * Safety: when meta is given with k > 0, the table is checked with
 * ks_suppress_check first and nothing is printed (-KS_ESAFETY) if a count
 * below k or the share of a hidden count would appear.  Pass meta whenever
 * the table holds counts from case records; meta NULL means no check and no
 * footer (for listings such as profiles or modes).
 *
 * Modes (header: label in table/markdown, name in csv/tsv unless opts.labels):
 *  table     aligned columns; widths in terminal columns (東部 is 4), numbers
 *            right-aligned, text left; a rule above a declared total row;
 *            control characters shown escaped (\n, \t, \x1B) so data cannot
 *            drive the terminal; footer lines start with "-- ".
 *  csv       RFC 4180 with CRLF; a field is quoted only when it holds a comma,
 *            quote, CR or LF, and an empty string is "" while NULL is empty;
 *            opts.bom puts a UTF-8 BOM first (Excel otherwise reads CP932).
 *            The footer is NOT printed unless opts.comments: csv readers take
 *            "# ..." lines for data rows, so it is opt-in ("# " lines, after
 *            the data).  Commands may print ks_render_footer to stderr instead.
 *  tsv       tab separated, LF; \, tab, LF and CR in values are written as
 *            \\, \t, \n, \r; footer as for csv.
 *  json      {"columns":[{"name","label","type","role"}...],"rows":[[...]...],
 *            "meta":{...}}, one row per line; strings escaped per RFC 8259
 *            (UTF-8 kept, invalid bytes become U+FFFD); reals at full
 *            precision whatever the column's digits; NaN/Inf and NULL are
 *            null; a hidden cell is the marker string ("<5" or "x", never a
 *            number, so a consumer cannot sum it by mistake) and meta lists
 *            every hidden cell as [row, column] (0-based) under "suppressed".
 *  markdown  GitHub pipe table, padded; | and \ escaped, line breaks as <br>;
 *            footer lines after a blank line, one paragraph each.
 *
 * Hidden cells print as "<k" (e.g. "<5") when the table declares no totals
 * and the cell is a count: it can only be a primary cell, 1..k-1.  In a table
 * with totals, and in share columns, they print as "x" (e-Stat's 秘匿 mark): a
 * secondary cell may hold any value, and marking primary and secondary cells
 * differently would let a reader narrow both down. */
#ifndef KASANE_RENDER_H
#define KASANE_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "table.h"
#include "util.h"

typedef struct ks_render_meta {
    const char *last_import;  /* time of the last import (ISO 8601), NULL if unknown */
    int k;                    /* threshold applied; 0 = no disclosure control */
    const char *version;      /* engine version, NULL = this build's KASANE_VERSION */
    const char *excluded;     /* note on rows left out ("3 cases without consent"), or NULL */
    const char *const *notes; /* free notes, one footer line each */
    size_t n_notes;           /* entries in notes */
} ks_render_meta;

typedef struct ks_render_opts {
    const char *mode; /* mode name, NULL = "table" */
    bool bom;         /* csv: start with a UTF-8 byte order mark for Excel */
    bool comments;    /* csv/tsv: append the footer as "# " lines */
    bool labels;      /* csv/tsv: header shows labels instead of names */
} ks_render_opts;

typedef struct ks_render_ctx ks_render_ctx;

typedef struct ks_render_mode {
    const char *name;                                 /* as given to --mode */
    const char *desc;                                 /* one line for --help */
    void (*fn)(ks_buf *out, const ks_render_ctx *cx); /* appends the rendering */
} ks_render_mode;

/* NULL when there is no such mode. */
const ks_render_mode *ks_render_mode_find(const char *name);
/* All modes, in --help order; *n gets the count. */
const ks_render_mode *ks_render_modes(size_t *n);

/* Appends the rendering to out.  -KS_EUSAGE for an unknown mode. */
int ks_render_buf(ks_buf *out, const ks_table *t, const ks_render_meta *meta,
                  const ks_render_opts *opts, ks_error *err);
/* Renders and writes to fp; a short write is -KS_EIO. */
int ks_render(FILE *fp, const ks_table *t, const ks_render_meta *meta, const ks_render_opts *opts,
              ks_error *err);
/* --out: renders, then writes `path` atomically with mode 0600 (results are
 * about people even when aggregated; the caller may widen it deliberately). */
int ks_render_file(const char *path, const ks_table *t, const ks_render_meta *meta,
                   const ks_render_opts *opts, ks_error *err);

/* Whether "<k" may mark the table's hidden counts: only when each of them
 * can only be primary (no totals, none hidden as a complement or for a
 * difference a reader could take).  Otherwise every hidden cell prints as
 * "x": a false "<k" would mislead, and marking primary cells apart from the
 * others would narrow both down.  Every writer (render.c, the document
 * writers of write.h) decides with this. */
bool ks_render_small_mark(const ks_table *t);

/* The footer lines alone, each as prefix + text + eol (e.g. "-- ", "\n"). */
void ks_render_footer(ks_buf *out, const ks_table *t, const ks_render_meta *meta,
                      const char *prefix, const char *eol);

#endif
