/* doc.h: the layout of a published document — a title, a subtitle, meta
 * lines, sections of blocks (paragraphs, list items, tables, figures,
 * cards, notes), a footer for every printed page and notes at the end.  A
 * result may carry one (ks_result_doc); the html, markdown and txt writers
 * (write.h) then write the document instead of the tables one by one.
 *
 * A TABLE or CARDS block holds no table: it names one of the result's
 * tables by its index (ks_result_add*), so the tables the audit sees are
 * exactly the tables that print, and no copy can drift from them.  A
 * FIGURE is SVG markup the stage drew from its protected tables (svg.h).
 * CARDS show a table of five columns as cards in HTML (label, this value,
 * the compared value, the change, the change in percent; the compared
 * column's label names the comparison), and as a table elsewhere.
 *
 * Ownership: a document owns its strings (every one passed in is copied);
 * the result owns its document.  Nothing here fails (checked allocation). */
#ifndef KASANE_DOC_H
#define KASANE_DOC_H

#include <stddef.h>

#include "lang.h"

typedef enum ks_doc_kind {
    KS_DOC_PARA,   /* a paragraph of plain text */
    KS_DOC_BULLET, /* a list item (consecutive ones form one list) */
    KS_DOC_TABLE,  /* one of the result's tables, with its caption */
    KS_DOC_FIGURE, /* an SVG chart (HTML only) with its caption */
    KS_DOC_CARDS,  /* one of the result's tables as cards in HTML, a table elsewhere */
    KS_DOC_NOTE,   /* a small note under a table or figure */
} ks_doc_kind;

typedef struct ks_doc_block {
    ks_doc_kind kind; /* what it is */
    char *text;       /* paragraph, item or caption text (plain UTF-8), may be NULL */
    char *id;         /* HTML id of a table or figure, NULL otherwise */
    size_t table;     /* TABLE and CARDS: the index of the result's table */
    char *svg;        /* FIGURE: the markup */
} ks_doc_block;

typedef struct ks_doc_section {
    char *id;             /* HTML id */
    char *title;          /* heading */
    ks_doc_block *blocks; /* [n] */
    size_t n;             /* blocks */
} ks_doc_section;

typedef struct ks_doc {
    ks_lang lang;             /* language of the text (HTML's lang) */
    char *title;              /* document title */
    char *subtitle;           /* the line under it */
    char **meta;              /* [nmeta] "label\tvalue" lines under the title */
    size_t nmeta;             /* lines */
    ks_doc_section *sections; /* [nsections] */
    size_t nsections;         /* sections */
    char *footer;             /* one line repeated on every printed page */
    char **footer_notes;      /* [nfooter] lines at the end of the document */
    size_t nfooter;           /* lines */
} ks_doc;

void ks_doc_init(ks_doc *d);
void ks_doc_release(ks_doc *d);

/* The title, the line under it and the language of the text. */
void ks_doc_head(ks_doc *d, ks_lang lang, const char *title, const char *subtitle);
/* Adds a "label: value" line under the title. */
void ks_doc_meta(ks_doc *d, const char *label, const char *value);
/* The line on every printed page. */
void ks_doc_footer(ks_doc *d, const char *footer);
/* Adds a line at the end of the document. */
void ks_doc_footer_note(ks_doc *d, const char *note);

/* Adds a section and returns it (valid until the next section is added). */
ks_doc_section *ks_doc_section_add(ks_doc *d, const char *id, const char *title);
/* Adds a PARA, BULLET, NOTE or FIGURE block (svg: FIGURE's markup, else
 * NULL). */
void ks_doc_add(ks_doc_section *s, ks_doc_kind kind, const char *text, const char *id, const char *svg);
/* Adds a TABLE or CARDS block showing the result's table `table`. */
void ks_doc_add_table(ks_doc_section *s, ks_doc_kind kind, const char *caption, const char *id, size_t table);

#endif
