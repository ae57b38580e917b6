/* write.h: the writer table — every form a published result can take, one
 * row each, done once (SQLite's qrf spec is the model: one spec, one call).
 * --format names a row (ks_output_option), --help lists the rows, and
 * ks_publish hands the audited result to the row's function.
 *
 *  table, csv, tsv, json   every table of the result in that render mode
 *                          (render.h), one after another ("the tables way")
 *  markdown (md)           a result with a document: the document as
 *                          Markdown; otherwise the tables way
 *  html                    one self-contained HTML file (inline CSS and SVG,
 *                          no script): the result's document, or a default
 *                          one (a section per table: its title as heading,
 *                          the table, its footer lines as notes)
 *  txt (text)              the same document as plain text
 * A new output form is a row here and, when it writes documents, a writer
 * beside write_html.c and write_text.c.
 *
 * The tables way with --out and several tables (headings) writes
 * FILE.NAME.EXT per table, saying so on stderr; everything else is one
 * stream: stdout, or --out FILE written atomically with mode 0600.  A
 * writer writes nothing when it fails (the whole output is built first),
 * except that the per-table files written before a failure stay.
 *
 * Errors: 0 or a negative KS_E* with err filled. */
#ifndef KASANE_WRITE_H
#define KASANE_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "output.h"
#include "util.h"

typedef struct ks_result ks_result;
typedef struct ks_writer ks_writer;

/* One call of a writer. */
typedef struct ks_write_job {
    const ks_result *r; /* the result, audited (ks_publish_audit) */
    const ks_writer *w; /* the row that writes it */
    const ks_output *o; /* --out, --bom, --comments, --lang */
    bool headings;      /* several tables to tell apart: a heading and a "table: NAME" note each */
    ks_buf *to;         /* not NULL: the output is appended here as stdout would get it (--out ignored) */
} ks_write_job;

struct ks_writer {
    const char *name;                                /* --format NAME */
    const char *alias;                               /* another name --format takes, NULL when none */
    const char *desc;                                /* one line for --help */
    int (*fn)(const ks_write_job *j, ks_error *err); /* writes the whole result */
};

/* The row called `name` (or with that alias), NULL when none. */
const ks_writer *ks_writer_find(const char *name);
/* All rows, in --help order; *n gets the count. */
const ks_writer *ks_writers(size_t *n);
/* Appends "table, csv, ..., txt" (the rows' names) for messages. */
void ks_writer_names(ks_buf *out);

#endif
