/* doc.c: the document layout a result may carry (doc.h). */
#include "doc.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void ks_doc_init(ks_doc *d) { memset(d, 0, sizeof *d); }

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ks_doc_release(ks_doc *d)
{
    for (size_t i = 0; i < d->nsections; i++) {
        ks_doc_section *s = &d->sections[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->blocks[j].text);
            free(s->blocks[j].id);
            free(s->blocks[j].svg);
        }
        free(s->blocks);
        free(s->id);
        free(s->title);
    }
    free(d->sections);
    free(d->title);
    free(d->subtitle);
    free(d->footer);
    free_strv(d->meta, d->nmeta);
    free_strv(d->footer_notes, d->nfooter);
    memset(d, 0, sizeof *d);
}

static char *dup_or_null(const char *s) { return s ? ks_strdup(s) : NULL; }

void ks_doc_head(ks_doc *d, ks_lang lang, const char *title, const char *subtitle)
{
    d->lang = lang;
    free(d->title);
    free(d->subtitle);
    d->title = dup_or_null(title);
    d->subtitle = dup_or_null(subtitle);
}

void ks_doc_meta(ks_doc *d, const char *label, const char *value)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "%s\t%s", label, value);
    d->meta = ks_realloc(d->meta, ks_mul(d->nmeta + 1, sizeof *d->meta));
    d->meta[d->nmeta++] = ks_buf_detach(&b, NULL);
}

void ks_doc_footer(ks_doc *d, const char *footer)
{
    free(d->footer);
    d->footer = dup_or_null(footer);
}

void ks_doc_footer_note(ks_doc *d, const char *note)
{
    d->footer_notes = ks_realloc(d->footer_notes, ks_mul(d->nfooter + 1, sizeof *d->footer_notes));
    d->footer_notes[d->nfooter++] = ks_strdup(note);
}

ks_doc_section *ks_doc_section_add(ks_doc *d, const char *id, const char *title)
{
    d->sections = ks_realloc(d->sections, ks_mul(d->nsections + 1, sizeof *d->sections));
    ks_doc_section *s = &d->sections[d->nsections++];
    memset(s, 0, sizeof *s);
    s->id = ks_strdup(id);
    s->title = ks_strdup(title);
    return s;
}

static ks_doc_block *add_block(ks_doc_section *s, ks_doc_kind kind, const char *text, const char *id)
{
    s->blocks = ks_realloc(s->blocks, ks_mul(s->n + 1, sizeof *s->blocks));
    ks_doc_block *b = &s->blocks[s->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->text = dup_or_null(text);
    b->id = dup_or_null(id);
    return b;
}

void ks_doc_add(ks_doc_section *s, ks_doc_kind kind, const char *text, const char *id, const char *svg)
{
    add_block(s, kind, text, id)->svg = dup_or_null(svg);
}

void ks_doc_add_table(ks_doc_section *s, ks_doc_kind kind, const char *caption, const char *id, size_t table)
{
    add_block(s, kind, caption, id)->table = table;
}
