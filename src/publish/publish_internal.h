/* publish_internal.h: what the parts of the publish step share and nothing
 * outside src/publish includes: the result's insides (publish.c builds and
 * audits it) and the document writers the writer table calls (write.c ->
 * write_html.c, write_text.c).
 *
 * Ownership: the result owns its entries, tables, links and document.
 * Errors: 0 or a negative KS_E* with err filled. */
#ifndef KASANE_PUBLISH_INTERNAL_H
#define KASANE_PUBLISH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "doc.h"
#include "publish.h"
#include "table.h"
#include "util.h"

/* One table of a result with its texts. */
typedef struct ks_entry {
    char *name;     /* machine name */
    char *title;    /* heading */
    ks_table *t;    /* the result's copy */
    char *excluded; /* note on what was left out, NULL when none */
    char **notes;   /* [n_notes] footer notes */
    size_t n_notes; /* notes */
    bool cellkey;     /* its counts went through the cell key method */
    bool nonadditive; /* and its parts no longer add up to its totals */
} ks_entry;

struct ks_result {
    ks_policy policy;     /* k, the ptable and the footer's data (owned copy) */
    ks_sdc_method method; /* what its tables get: the policy's, or cell key when ad hoc */
    bool adhoc;           /* ks_result_groups_only: rows published as all zeros are left out */
    ks_entry *v;          /* [n] tables in the order they print */
    size_t n, cap;        /* used, allocated */
    ks_table_link *links; /* [nlinks] */
    size_t nlinks, lcap;  /* used, allocated */
    ks_doc *doc;          /* the document layout, NULL when none */
};

/* The result's table that block b shows; -KS_EUSAGE when b names none. */
int ks_write_block_table(const ks_result *r, const ks_doc_block *b, const ks_table **t, ks_error *err);

/* The text of a cell as every document writer prints it: the mark "<k" for
 * a hidden count where ks_render_small_mark allows it, "x" for any other
 * hidden cell, digits for numbers (reals with the column's decimals), ""
 * for NULL. */
void ks_write_cell_text(ks_buf *out, const ks_table *t, size_t row, size_t col, int k);

/* The document d of result r as one self-contained HTML file
 * (write_html.c), or as Markdown or plain text (write_text.c); appended to
 * out.  Every table is checked (ks_suppress_check at the policy's k) before
 * it is written; -KS_ESAFETY otherwise. */
int ks_write_html(const ks_result *r, const ks_doc *d, ks_buf *out, ks_error *err);
int ks_write_text(const ks_result *r, const ks_doc *d, bool markdown, ks_buf *out, ks_error *err);

#endif
