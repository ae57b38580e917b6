/* render.c: output modes for result tables (see render.h). */
#include "render.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "suppress.h"
#include "text.h"

struct ks_render_ctx {
    const ks_table *t;              /* what is printed */
    const ks_render_meta *meta;     /* NULL: no footer */
    const ks_render_opts *opts;     /* never NULL inside a mode */
    int k;                          /* meta->k, or 0 */
    char small[24];                 /* "<k", the mark of a hidden count */
    bool only_primary;              /* every hidden count is primary: "<k" is true of each */
};

/* ---- values as text ------------------------------------------------------ */

static bool col_numeric(const ks_column *c) { return c->type != KS_COL_TEXT; }

static const char *col_title(const ks_column *c, bool labels)
{
    return labels && c->label ? c->label : c->name;
}

/* The shortest %g form that reads back as the same double. */
static void add_real_exact(ks_buf *b, double r)
{
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, r);
        if (strtod(tmp, NULL) == r)
            break;
    }
    ks_buf_adds(b, tmp);
}

static void add_real(ks_buf *b, double r, int digits)
{
    if (isnan(r))
        ks_buf_adds(b, "NaN");
    else if (isinf(r))
        ks_buf_adds(b, r > 0 ? "Inf" : "-Inf");
    else if (digits >= 0)
        ks_buf_addf(b, "%.*f", digits, r);
    else
        add_real_exact(b, r);
}

/* A table with totals may hide complements anywhere, and a command may hide
 * a count for what it would let a reader subtract (nested counts, linked
 * tables): see render.h. */
bool ks_render_small_mark(const ks_table *t)
{
    if (ks_table_total_row(t) >= 0 || ks_table_total_col(t) >= 0)
        return false;
    for (size_t j = 0; j < ks_table_ncols(t); j++) {
        if (!ks_table_column(t, j)->is_count)
            continue;
        for (size_t i = 0; i < ks_table_nrows(t); i++) {
            const ks_cell *c = ks_table_cell(t, i, j);
            if (c->kind == KS_CELL_SUPPRESSED && c->v.why != KS_WHY_PRIMARY)
                return false;
        }
    }
    return true;
}

static const char *hidden_mark(const ks_render_ctx *cx, size_t col)
{
    const ks_column *c = ks_table_column(cx->t, col);
    return c->is_count && cx->k > 0 && cx->only_primary ? cx->small : "x";
}

/* Appends the unescaped text of a cell; NULL is empty. */
static void add_cell(ks_buf *b, const ks_render_ctx *cx, size_t i, size_t j)
{
    const ks_cell *c = ks_table_cell(cx->t, i, j);
    switch (c->kind) {
    case KS_CELL_NULL: break;
    case KS_CELL_INT: ks_buf_addf(b, "%" PRId64, c->v.i); break;
    case KS_CELL_REAL: add_real(b, c->v.r, ks_table_column(cx->t, j)->digits); break;
    case KS_CELL_TEXT: ks_buf_adds(b, c->v.s); break;
    case KS_CELL_SUPPRESSED: ks_buf_adds(b, hidden_mark(cx, j)); break;
    }
}

/* Length of the UTF-8 sequence at s (1 for an invalid byte) and its code
 * point (-1 when invalid). */
static size_t next_char(const char *s, size_t n, int32_t *cp)
{
    utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cp);
    if (len <= 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)len;
}

/* Text for a terminal or a markdown file: control characters (C0, DEL, C1)
 * and invalid bytes become visible escapes, so data cannot move the cursor or
 * recolour the screen.  `br` replaces line breaks when given (markdown). */
static void add_visible(ks_buf *b, const char *s, const char *br, bool md)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t len = next_char(s + i, n - i, &cp);
        if (cp < 0) {
            ks_buf_addf(b, "\\x%02X", (unsigned char)s[i]);
        } else if (br && (cp == '\n' || cp == '\r')) {
            if (!(cp == '\r' && i + 1 < n && s[i + 1] == '\n'))
                ks_buf_adds(b, br);
        } else if (cp == '\n') {
            ks_buf_adds(b, "\\n");
        } else if (cp == '\r') {
            ks_buf_adds(b, "\\r");
        } else if (cp == '\t') {
            ks_buf_adds(b, "\\t");
        } else if (cp < 0x20 || cp == 0x7F) {
            ks_buf_addf(b, "\\x%02X", (unsigned)cp);
        } else if (cp >= 0x80 && cp < 0xA0) {
            ks_buf_addf(b, "\\u%04X", (unsigned)cp);
        } else if (md && (cp == '|' || cp == '\\')) {
            ks_buf_addc(b, '\\');
            ks_buf_addc(b, (char)cp);
        } else {
            ks_buf_add(b, s + i, len);
        }
        i += len;
    }
}

/* ---- footer --------------------------------------------------------------- */

static void footer_line(ks_buf *out, const char *prefix, const char *text, const char *eol)
{
    ks_buf_adds(out, prefix);
    add_visible(out, text, " ", false); /* a note must stay on its line */
    ks_buf_adds(out, eol);
}

void ks_render_footer(ks_buf *out, const ks_table *t, const ks_render_meta *meta,
                      const char *prefix, const char *eol)
{
    if (!meta)
        return;
    ks_render_ctx cx = {.t = t, .meta = meta, .k = meta->k > 0 ? meta->k : 0, .only_primary = ks_render_small_mark(t)};
    snprintf(cx.small, sizeof cx.small, "<%d", cx.k);
    size_t hidden = 0;
    bool mark_small = false, mark_x = false;
    for (size_t i = 0; i < ks_table_nrows(t); i++) {
        for (size_t j = 0; j < ks_table_ncols(t); j++) {
            if (ks_table_cell(t, i, j)->kind != KS_CELL_SUPPRESSED)
                continue;
            hidden++;
            if (hidden_mark(&cx, j) == cx.small)
                mark_small = true;
            else
                mark_x = true;
        }
    }
    ks_buf line;
    ks_buf_init(&line);
    if (cx.k > 0)
        ks_buf_addf(&line, "k=%d, %zu %s suppressed", cx.k, hidden, hidden == 1 ? "cell" : "cells");
    else if (hidden > 0)
        ks_buf_addf(&line, "no threshold, %zu %s suppressed", hidden, hidden == 1 ? "cell" : "cells");
    else
        ks_buf_adds(&line, "no disclosure control");
    if (meta->last_import)
        ks_buf_addf(&line, ", last import %s", meta->last_import);
    ks_buf_addf(&line, ", kasane %s", meta->version ? meta->version : KASANE_VERSION);
    footer_line(out, prefix, line.buf, eol);

    ks_buf_reset(&line);
    if (mark_small) {
        if (cx.k == 2)
            ks_buf_addf(&line, "%s: a count of 1", cx.small);
        else
            ks_buf_addf(&line, "%s: a count from 1 to %d", cx.small, cx.k - 1);
        footer_line(out, prefix, line.buf, eol);
    }
    ks_buf_reset(&line);
    if (mark_x && cx.k > 0) {
        ks_buf_addf(&line, "x: hidden, a count below %d or a cell that would reveal one", cx.k);
        footer_line(out, prefix, line.buf, eol);
    } else if (mark_x) {
        footer_line(out, prefix, "x: hidden", eol);
    }
    ks_buf_release(&line);
    if (meta->excluded)
        footer_line(out, prefix, meta->excluded, eol);
    for (size_t n = 0; n < meta->n_notes; n++)
        if (meta->notes[n])
            footer_line(out, prefix, meta->notes[n], eol);
}

/* ---- aligned modes: table and markdown ----------------------------------- */

typedef struct grid {
    size_t nrows;  /* data rows */
    size_t ncols;  /* columns */
    char **text;   /* [(nrows + 1) * ncols], row 0 is the header, escaped */
    size_t *width; /* [(nrows + 1) * ncols] display width of each */
    size_t *colw;  /* [ncols] column width */
} grid;

static void grid_init(grid *g, const ks_render_ctx *cx, bool md, size_t minw)
{
    g->nrows = ks_table_nrows(cx->t);
    g->ncols = ks_table_ncols(cx->t);
    size_t n = ks_mul(ks_add(g->nrows, 1), g->ncols);
    g->text = ks_calloc(n ? n : 1, sizeof *g->text);
    g->width = ks_calloc(n ? n : 1, sizeof *g->width);
    g->colw = ks_calloc(g->ncols ? g->ncols : 1, sizeof *g->colw);
    ks_buf raw, vis;
    ks_buf_init(&raw);
    ks_buf_init(&vis);
    for (size_t r = 0; r <= g->nrows; r++) {
        for (size_t j = 0; j < g->ncols; j++) {
            ks_buf_reset(&raw);
            if (r == 0)
                ks_buf_adds(&raw, col_title(ks_table_column(cx->t, j), true));
            else
                add_cell(&raw, cx, r - 1, j);
            add_visible(&vis, raw.buf, md ? "<br>" : NULL, md);
            size_t at = r * g->ncols + j;
            g->width[at] = ks_text_width(vis.buf, vis.len);
            g->text[at] = ks_buf_detach(&vis, NULL);
            if (g->width[at] > g->colw[j])
                g->colw[j] = g->width[at];
        }
    }
    for (size_t j = 0; j < g->ncols; j++)
        if (g->colw[j] < minw)
            g->colw[j] = minw;
    ks_buf_release(&raw);
    ks_buf_release(&vis);
}

static void grid_release(grid *g)
{
    for (size_t i = 0; i < (g->nrows + 1) * g->ncols; i++)
        free(g->text[i]);
    free(g->text);
    free(g->width);
    free(g->colw);
}

static void add_spaces(ks_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ks_buf_addc(b, ' ');
}

static void add_padded(ks_buf *b, const grid *g, size_t r, size_t j, bool right)
{
    size_t at = r * g->ncols + j, pad = g->colw[j] - g->width[at];
    if (right)
        add_spaces(b, pad);
    ks_buf_adds(b, g->text[at]);
    if (!right)
        add_spaces(b, pad);
}

static void trim_line(ks_buf *b, size_t line_start)
{
    while (b->len > line_start && b->buf[b->len - 1] == ' ')
        b->buf[--b->len] = '\0';
}

static void table_rule(ks_buf *out, const grid *g)
{
    for (size_t j = 0; j < g->ncols; j++) {
        if (j)
            ks_buf_adds(out, "  ");
        for (size_t d = 0; d < g->colw[j]; d++)
            ks_buf_addc(out, '-');
    }
    ks_buf_addc(out, '\n');
}

static void render_table(ks_buf *out, const ks_render_ctx *cx)
{
    grid g;
    grid_init(&g, cx, false, 1);
    long trow = ks_table_total_row(cx->t);
    for (size_t r = 0; g.ncols && r <= g.nrows; r++) {
        if (r > 1 && (long)(r - 1) == trow)
            table_rule(out, &g); /* the total row stands apart */
        size_t start = out->len;
        for (size_t j = 0; j < g.ncols; j++) {
            if (j)
                ks_buf_adds(out, "  ");
            add_padded(out, &g, r, j, col_numeric(ks_table_column(cx->t, j)));
        }
        trim_line(out, start);
        ks_buf_addc(out, '\n');
        if (r == 0)
            table_rule(out, &g);
    }
    grid_release(&g);
    ks_render_footer(out, cx->t, cx->meta, "-- ", "\n");
}

static void render_markdown(ks_buf *out, const ks_render_ctx *cx)
{
    grid g;
    grid_init(&g, cx, true, 3); /* a delimiter cell needs room for ":--" */
    for (size_t r = 0; g.ncols && r <= g.nrows; r++) {
        ks_buf_addc(out, '|');
        for (size_t j = 0; j < g.ncols; j++) {
            ks_buf_addc(out, ' ');
            add_padded(out, &g, r, j, col_numeric(ks_table_column(cx->t, j)));
            ks_buf_adds(out, " |");
        }
        ks_buf_addc(out, '\n');
        if (r > 0)
            continue;
        ks_buf_addc(out, '|');
        for (size_t j = 0; j < g.ncols; j++) {
            bool right = col_numeric(ks_table_column(cx->t, j));
            ks_buf_adds(out, right ? " " : " :");
            for (size_t d = 1; d < g.colw[j]; d++)
                ks_buf_addc(out, '-');
            ks_buf_adds(out, right ? ": |" : " |");
        }
        ks_buf_addc(out, '\n');
    }
    grid_release(&g);
    if (cx->meta) {
        ks_buf foot;
        ks_buf_init(&foot);
        ks_render_footer(&foot, cx->t, cx->meta, "\n-- ", "\n");
        ks_buf_add(out, foot.buf, foot.len);
        ks_buf_release(&foot);
    }
}

/* ---- delimited modes: csv and tsv ---------------------------------------- */

static void csv_field(ks_buf *out, const char *s, bool is_text)
{
    /* an empty string is "" so that it differs from NULL, which is empty */
    bool quote = is_text && !*s;
    for (const char *p = s; *p && !quote; p++)
        quote = *p == ',' || *p == '"' || *p == '\r' || *p == '\n';
    if (!quote) {
        ks_buf_adds(out, s);
        return;
    }
    ks_buf_addc(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            ks_buf_addc(out, '"');
        ks_buf_addc(out, *p);
    }
    ks_buf_addc(out, '"');
}

static void tsv_field(ks_buf *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '\\': ks_buf_adds(out, "\\\\"); break;
        case '\t': ks_buf_adds(out, "\\t"); break;
        case '\n': ks_buf_adds(out, "\\n"); break;
        case '\r': ks_buf_adds(out, "\\r"); break;
        default: ks_buf_addc(out, *p); break;
        }
    }
}

static void render_delimited(ks_buf *out, const ks_render_ctx *cx, bool csv)
{
    const char *eol = csv ? "\r\n" : "\n";
    size_t nrows = ks_table_nrows(cx->t), ncols = ks_table_ncols(cx->t);
    if (csv && cx->opts->bom)
        ks_buf_adds(out, "\xEF\xBB\xBF");
    ks_buf v;
    ks_buf_init(&v);
    for (size_t r = 0; ncols && r <= nrows; r++) {
        for (size_t j = 0; j < ncols; j++) {
            if (j)
                ks_buf_addc(out, csv ? ',' : '\t');
            ks_buf_reset(&v);
            bool is_text = r == 0;
            if (r == 0) {
                ks_buf_adds(&v, col_title(ks_table_column(cx->t, j), cx->opts->labels));
            } else {
                add_cell(&v, cx, r - 1, j);
                is_text = ks_table_cell(cx->t, r - 1, j)->kind == KS_CELL_TEXT;
            }
            if (csv)
                csv_field(out, v.buf, is_text);
            else
                tsv_field(out, v.buf);
        }
        ks_buf_adds(out, eol);
    }
    ks_buf_release(&v);
    if (cx->opts->comments)
        ks_render_footer(out, cx->t, cx->meta, "# ", eol);
}

static void render_csv(ks_buf *out, const ks_render_ctx *cx) { render_delimited(out, cx, true); }
static void render_tsv(ks_buf *out, const ks_render_ctx *cx) { render_delimited(out, cx, false); }

/* ---- json ------------------------------------------------------------------ */

static void json_string(ks_buf *out, const char *s)
{
    size_t n = strlen(s);
    ks_buf_addc(out, '"');
    for (size_t i = 0; i < n;) {
        int32_t cp;
        size_t len = next_char(s + i, n - i, &cp);
        if (cp < 0)
            ks_buf_adds(out, "\\ufffd"); /* JSON text must be valid UTF-8 */
        else if (cp == '"')
            ks_buf_adds(out, "\\\"");
        else if (cp == '\\')
            ks_buf_adds(out, "\\\\");
        else if (cp == '\n')
            ks_buf_adds(out, "\\n");
        else if (cp == '\r')
            ks_buf_adds(out, "\\r");
        else if (cp == '\t')
            ks_buf_adds(out, "\\t");
        else if (cp < 0x20 || cp == 0x2028 || cp == 0x2029) /* the last two break JS */
            ks_buf_addf(out, "\\u%04x", (unsigned)cp);
        else
            ks_buf_add(out, s + i, len);
        i += len;
    }
    ks_buf_addc(out, '"');
}

static void json_string_or_null(ks_buf *out, const char *s)
{
    if (s)
        json_string(out, s);
    else
        ks_buf_adds(out, "null");
}

static void json_cell(ks_buf *out, const ks_render_ctx *cx, size_t i, size_t j)
{
    const ks_cell *c = ks_table_cell(cx->t, i, j);
    switch (c->kind) {
    case KS_CELL_NULL: ks_buf_adds(out, "null"); break;
    case KS_CELL_INT: ks_buf_addf(out, "%" PRId64, c->v.i); break;
    case KS_CELL_REAL:
        if (isfinite(c->v.r))
            add_real_exact(out, c->v.r);
        else
            ks_buf_adds(out, "null");
        break;
    case KS_CELL_TEXT: json_string(out, c->v.s); break;
    case KS_CELL_SUPPRESSED: json_string(out, hidden_mark(cx, j)); break;
    }
}

static void render_json(ks_buf *out, const ks_render_ctx *cx)
{
    static const char *const types[] = {"int", "real", "text"};
    size_t nrows = ks_table_nrows(cx->t), ncols = ks_table_ncols(cx->t);
    ks_buf_adds(out, "{\"columns\":[");
    for (size_t j = 0; j < ncols; j++) {
        const ks_column *c = ks_table_column(cx->t, j);
        ks_buf_adds(out, j ? ",{\"name\":" : "{\"name\":");
        json_string(out, c->name);
        ks_buf_adds(out, ",\"label\":");
        json_string_or_null(out, c->label);
        ks_buf_addf(out, ",\"type\":\"%s\",\"role\":", types[c->type]);
        ks_buf_adds(out, c->is_count ? "\"count\"}" : c->is_share ? "\"share\"}" : "null}");
    }
    ks_buf_adds(out, "],\"rows\":[");
    for (size_t i = 0; i < nrows; i++) {
        ks_buf_adds(out, i ? ",\n[" : "\n[");
        for (size_t j = 0; j < ncols; j++) {
            if (j)
                ks_buf_addc(out, ',');
            json_cell(out, cx, i, j);
        }
        ks_buf_addc(out, ']');
    }
    ks_buf_adds(out, nrows ? "\n],\"meta\":{" : "],\"meta\":{");
    const ks_render_meta *m = cx->meta;
    size_t hidden = 0;
    ks_buf list;
    ks_buf_init(&list);
    for (size_t i = 0; i < nrows; i++)
        for (size_t j = 0; j < ncols; j++)
            if (ks_table_cell(cx->t, i, j)->kind == KS_CELL_SUPPRESSED)
                ks_buf_addf(&list, "%s[%zu,%zu]", hidden++ ? "," : "", i, j);
    ks_buf_addf(out, "\"k\":%d,\"suppressed_cells\":%zu,\"suppressed\":[%s]", cx->k, hidden,
                list.buf);
    ks_buf_release(&list);
    ks_buf_adds(out, ",\"last_import\":");
    json_string_or_null(out, m ? m->last_import : NULL);
    ks_buf_adds(out, ",\"version\":");
    json_string(out, m && m->version ? m->version : KASANE_VERSION);
    ks_buf_adds(out, ",\"excluded\":");
    json_string_or_null(out, m ? m->excluded : NULL);
    ks_buf_adds(out, ",\"notes\":[");
    for (size_t n = 0, first = 1; m && n < m->n_notes; n++) {
        if (!m->notes[n])
            continue;
        if (!first)
            ks_buf_addc(out, ',');
        first = 0;
        json_string(out, m->notes[n]);
    }
    ks_buf_adds(out, "]}}\n");
}

/* ---- the mode table -------------------------------------------------------- */

static const ks_render_mode ks_modes[] = {
    {"table", "aligned columns for the terminal (default)", render_table},
    {"csv", "RFC 4180, CRLF line ends; --bom for Excel", render_csv},
    {"tsv", "tab separated; \\t \\n \\\\ escaped in values", render_tsv},
    {"json", "one object: columns, rows, meta", render_json},
    {"markdown", "GitHub pipe table", render_markdown},
};

const ks_render_mode *ks_render_mode_find(const char *name)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(ks_modes); i++)
        if (strcmp(ks_modes[i].name, name) == 0)
            return &ks_modes[i];
    return NULL;
}

const ks_render_mode *ks_render_modes(size_t *n)
{
    *n = KS_ARRAY_LEN(ks_modes);
    return ks_modes;
}

int ks_render_buf(ks_buf *out, const ks_table *t, const ks_render_meta *meta,
                  const ks_render_opts *opts, ks_error *err)
{
    static const ks_render_opts defaults = {0};
    if (!opts)
        opts = &defaults;
    const char *name = opts->mode ? opts->mode : "table";
    const ks_render_mode *mode = ks_render_mode_find(name);
    if (!mode)
        return ks_error_set(err, KS_EUSAGE,
                            "unknown output mode '%s' (expected table, csv, tsv, json or markdown)",
                            name);
    ks_render_ctx cx = {.t = t, .meta = meta, .opts = opts, .only_primary = ks_render_small_mark(t)};
    cx.k = meta && meta->k > 0 ? meta->k : 0;
    snprintf(cx.small, sizeof cx.small, "<%d", cx.k);
    /* the last line of defence: whatever the command did, a small count
     * does not reach the output */
    int rc = ks_suppress_check(t, cx.k, err);
    if (rc)
        return rc;
    mode->fn(out, &cx);
    return 0;
}

int ks_render(FILE *fp, const ks_table *t, const ks_render_meta *meta, const ks_render_opts *opts,
              ks_error *err)
{
    ks_buf b;
    ks_buf_init(&b);
    int rc = ks_render_buf(&b, t, meta, opts, err);
    if (rc == 0 && (fwrite(b.buf, 1, b.len, fp) != b.len || fflush(fp) != 0))
        rc = ks_error_set(err, KS_EIO, "cannot write the result: %s", strerror(errno));
    ks_buf_release(&b);
    return rc;
}

int ks_render_file(const char *path, const ks_table *t, const ks_render_meta *meta,
                   const ks_render_opts *opts, ks_error *err)
{
    ks_buf b;
    ks_buf_init(&b);
    int rc = ks_render_buf(&b, t, meta, opts, err);
    if (rc == 0)
        rc = ks_write_file_atomic(path, b.buf, b.len, 0600, err);
    ks_buf_release(&b);
    return rc;
}
