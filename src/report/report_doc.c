/* report_doc.c: the report's document model (sections of paragraphs, tables
 * and figures) shared by the HTML and text writers. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "report.h"

void ks_rdoc_init(ks_rdoc *d) { memset(d, 0, sizeof *d); }

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ks_rdoc_release(ks_rdoc *d)
{
    for (size_t i = 0; i < d->nsections; i++) {
        ks_rsection *s = &d->sections[i];
        for (size_t j = 0; j < s->n; j++) {
            free(s->blocks[j].text);
            free(s->blocks[j].id);
            free(s->blocks[j].svg);
            ks_table_free(s->blocks[j].table);
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

ks_rsection *ks_rdoc_section(ks_rdoc *d, const char *id, const char *title)
{
    d->sections = ks_realloc(d->sections, ks_mul(d->nsections + 1, sizeof *d->sections));
    ks_rsection *s = &d->sections[d->nsections++];
    memset(s, 0, sizeof *s);
    s->id = ks_strdup(id);
    s->title = ks_strdup(title);
    return s;
}

void ks_rdoc_add(ks_rsection *s, ks_rblock_kind kind, const char *text, const char *id, ks_table *table,
                 const char *svg)
{
    s->blocks = ks_realloc(s->blocks, ks_mul(s->n + 1, sizeof *s->blocks));
    ks_rblock *b = &s->blocks[s->n++];
    b->kind = kind;
    b->text = text ? ks_strdup(text) : NULL;
    b->id = id ? ks_strdup(id) : NULL;
    b->table = table;
    b->svg = svg ? ks_strdup(svg) : NULL;
}

void ks_report_cell_text(ks_buf *out, const ks_table *t, size_t row, size_t col, int k)
{
    const ks_cell *c = ks_table_cell(t, row, col);
    const ks_column *cl = ks_table_column(t, col);
    if (!c || !cl)
        return;
    switch (c->kind) {
    case KS_CELL_NULL: break;
    case KS_CELL_INT: ks_buf_addf(out, "%" PRId64, c->v.i); break;
    case KS_CELL_REAL:
        if (!isfinite(c->v.r))
            break;
    {
        size_t at = out->len;
        ks_buf_addf(out, "%.*f", cl->digits >= 0 ? cl->digits : 2, c->v.r);
        /* "-0.0" is zero: drop the sign */
        if (out->buf[at] == '-' && strspn(out->buf + at + 1, "0.") == out->len - at - 1)
            memmove(out->buf + at, out->buf + at + 1, out->len-- - at);
        break;
    }
    case KS_CELL_TEXT: ks_buf_adds(out, c->v.s); break;
    case KS_CELL_SUPPRESSED: {
        /* the same rule as render.c: "<k" only where it can only be primary */
        if (cl->is_count && k > 0 && ks_render_small_mark(t))
            ks_buf_addf(out, "<%d", k);
        else
            ks_buf_adds(out, "x");
        break;
    }
    }
}
