/* write_text.c: a result's document as Markdown or plain text
 * (publish_internal.h).  Tables go through the render module (markdown and
 * table modes), which re-checks disclosure control; its per-table footer is
 * left out because the document ends with one footer for all tables.
 * Figures have no text form: their tables carry the same numbers. */
#include <ctype.h>
#include <string.h>

#include "publish_internal.h"
#include "render.h"
#include "text.h"

/* Renders one table without the footer render.c appends after it. */
static int text_table(ks_buf *o, const ks_result *r, const ks_doc_block *b, bool md, ks_error *err)
{
    const ks_table *t;
    int rc = ks_write_block_table(r, b, &t, err);
    if (rc)
        return rc;
    ks_render_meta meta = {.last_import = r->policy.last_import, .k = r->policy.k, .version = KASANE_VERSION};
    ks_render_opts ro = {.mode = md ? "markdown" : "table"};
    ks_buf body, foot;
    ks_buf_init(&body);
    ks_buf_init(&foot);
    if ((rc = ks_render_buf(&body, t, &meta, &ro, err))) {
        ks_error_prefix(err, "table '%s': ", b->id ? b->id : "?");
        goto done;
    }
    ks_render_footer(&foot, t, &meta, md ? "\n-- " : "-- ", "\n");
    if (foot.len <= body.len && memcmp(body.buf + body.len - foot.len, foot.buf, foot.len) == 0)
        body.len -= foot.len;
    body.buf[body.len] = '\0';
    if (b->text) {
        ks_buf_adds(o, md ? "**" : "[");
        ks_buf_adds(o, b->text);
        ks_buf_adds(o, md ? "**\n\n" : "]\n");
    }
    ks_buf_add(o, body.buf, body.len);
    ks_buf_addc(o, '\n');
done:
    ks_buf_release(&body);
    ks_buf_release(&foot);
    return rc;
}

static void underline(ks_buf *o, const char *s, char c)
{
    size_t w = ks_text_width(s, strlen(s));
    for (size_t i = 0; i < w; i++)
        ks_buf_addc(o, c);
    ks_buf_addc(o, '\n');
}

/* Markdown text: characters that would start markup are escaped. */
static void md_text(ks_buf *o, const char *s)
{
    for (const char *p = s; *p; p++) {
        /* "<" only matters before what could start an HTML tag */
        bool tag = *p == '<' && (isalpha((unsigned char)p[1]) || p[1] == '/' || p[1] == '!' || p[1] == '?');
        if (tag || strchr("\\`*_[]|#", *p))
            ks_buf_addc(o, '\\');
        ks_buf_addc(o, *p);
    }
}

static void para(ks_buf *o, const char *s, bool md)
{
    if (md)
        md_text(o, s);
    else
        ks_buf_adds(o, s);
    ks_buf_adds(o, "\n\n");
}

/* The title, the subtitle and the meta lines ("label: value"), each part
 * ending in a blank line. */
static void text_head(ks_buf *o, const ks_doc *d, bool md)
{
    if (md) {
        ks_buf_adds(o, "# ");
        md_text(o, d->title);
        ks_buf_adds(o, "\n\n**");
        md_text(o, d->subtitle);
        ks_buf_adds(o, "**\n\n");
    } else {
        ks_buf_adds(o, d->title);
        ks_buf_addc(o, '\n');
        underline(o, d->title, '=');
        ks_buf_adds(o, d->subtitle);
        ks_buf_adds(o, "\n\n");
    }
    for (size_t i = 0; i < d->nmeta; i++) {
        const char *m = d->meta[i], *tab = strchr(m, '\t');
        ks_buf line;
        ks_buf_init(&line);
        if (tab) {
            ks_buf_add(&line, m, (size_t)(tab - m));
            ks_buf_adds(&line, ": ");
            ks_buf_adds(&line, tab + 1);
        } else {
            ks_buf_adds(&line, m);
        }
        if (md) {
            ks_buf_adds(o, "- ");
            md_text(o, line.buf);
        } else {
            ks_buf_adds(o, line.buf);
        }
        ks_buf_addc(o, '\n');
        ks_buf_release(&line);
    }
    if (d->nmeta)
        ks_buf_addc(o, '\n');
}

/* A note: in italics, or indented. */
static void note(ks_buf *o, const char *s, bool md)
{
    if (md) {
        ks_buf_adds(o, "*");
        md_text(o, s);
        ks_buf_adds(o, "*\n\n");
    } else {
        ks_buf_adds(o, "  ");
        para(o, s, false);
    }
}

/* A list item; the last of consecutive ones ends the list with a blank
 * line. */
static void bullet(ks_buf *o, const ks_doc_section *s, size_t j, bool md)
{
    ks_buf_adds(o, md ? "- " : "  * ");
    if (md)
        md_text(o, s->blocks[j].text);
    else
        ks_buf_adds(o, s->blocks[j].text);
    ks_buf_addc(o, '\n');
    if (j + 1 == s->n || s->blocks[j + 1].kind != KS_DOC_BULLET)
        ks_buf_addc(o, '\n');
}

static int text_section(ks_buf *o, const ks_result *r, const ks_doc_section *s, bool md, ks_error *err)
{
    if (md) {
        ks_buf_adds(o, "## ");
        md_text(o, s->title);
        ks_buf_adds(o, "\n\n");
    } else {
        ks_buf_adds(o, s->title);
        ks_buf_addc(o, '\n');
        underline(o, s->title, '-');
        ks_buf_addc(o, '\n');
    }
    int rc = 0;
    for (size_t j = 0; j < s->n && !rc; j++) {
        const ks_doc_block *b = &s->blocks[j];
        switch (b->kind) {
        case KS_DOC_PARA: para(o, b->text, md); break;
        case KS_DOC_NOTE: note(o, b->text, md); break;
        case KS_DOC_BULLET: bullet(o, s, j, md); break;
        case KS_DOC_TABLE:
        case KS_DOC_CARDS: rc = text_table(o, r, b, md, err); break;
        case KS_DOC_FIGURE: break;
        }
    }
    return rc;
}

int ks_write_text(const ks_result *r, const ks_doc *d, bool md, ks_buf *o, ks_error *err)
{
    text_head(o, d, md);
    int rc = 0;
    for (size_t i = 0; i < d->nsections && !rc; i++)
        rc = text_section(o, r, &d->sections[i], md, err);
    if (rc)
        return rc;
    if (md) {
        ks_buf_adds(o, "---\n\n");
        para(o, d->footer, true);
        for (size_t i = 0; i < d->nfooter; i++)
            para(o, d->footer_notes[i], true);
    } else {
        ks_buf_adds(o, "----\n");
        ks_buf_adds(o, d->footer);
        ks_buf_addc(o, '\n');
        for (size_t i = 0; i < d->nfooter; i++) {
            ks_buf_adds(o, d->footer_notes[i]);
            ks_buf_addc(o, '\n');
        }
    }
    return 0;
}
