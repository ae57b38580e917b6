/* write_html.c: a result's document as one self-contained HTML file
 * (publish_internal.h).
 *
 * The markup is XHTML-compatible HTML5 (every element closed, attributes
 * quoted, only the five XML entities), so an XML parser can check it; inline
 * CSS, inline SVG, no script, nothing fetched.  Printing: A4 pages, sections,
 * tables and figures kept whole where they fit, and a footer on every page
 * from an @page margin box (Chromium 131+); the same footer ends the document
 * for viewers without margin boxes.
 *
 * Classes the tests rely on: a count cell or value is class "n" (its text is
 * 0, at least k, or a hidden mark), other numbers "v". */
#include <string.h>

#include "publish_internal.h"
#include "suppress.h"
#include "svg.h"

static const char css[] =
    "@page{size:A4;margin:13mm 12mm 17mm 12mm;}\n"
    ":root{--ink:#1b1b1b;--muted:#5b6168;--rule:#d5d9de;--accent:#0b5c8f;--soft:#f2f4f6;}\n"
    "html{font-family:\"Hiragino Sans\",\"Hiragino Kaku Gothic ProN\",\"Noto Sans CJK JP\",\"Yu Gothic\","
    "Meiryo,sans-serif;color:var(--ink);font-size:10pt;line-height:1.6;"
    "-webkit-print-color-adjust:exact;print-color-adjust:exact;}\n"
    "body{margin:0 auto;max-width:186mm;padding:8mm 6mm 10mm;}\n"
    "h1{font-size:17pt;line-height:1.3;margin:0 0 1mm;}\n"
    ".sub{font-size:12pt;margin:0 0 2mm;color:var(--accent);font-weight:600;}\n"
    "dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:0 4mm;font-size:8.5pt;color:var(--muted);"
    "margin:0 0 4mm;}\n"
    "dl.meta dt{font-weight:600;}dl.meta dd{margin:0;}\n"
    "nav.toc{font-size:9pt;border:1px solid var(--rule);border-radius:2mm;padding:2mm 4mm;margin:0 0 4mm;}\n"
    "nav.toc ol{margin:0;padding-left:0;list-style:none;columns:2;}\n"
    "h2{font-size:13pt;border-bottom:2px solid var(--accent);padding-bottom:0.8mm;margin:7mm 0 3mm;"
    "break-after:avoid;page-break-after:avoid;}\n"
    "h3{font-size:10.5pt;margin:4mm 0 1.5mm;break-after:avoid;page-break-after:avoid;}\n"
    "p{margin:1.5mm 0;}\n"
    "ul.findings{margin:1.5mm 0 3mm;padding-left:5mm;}\nul.findings li{margin:1mm 0;}\n"
    "table{border-collapse:collapse;width:100%;margin:1mm 0 3mm;font-size:8.5pt;line-height:1.4;}\n"
    "caption{text-align:left;font-weight:600;font-size:9.5pt;padding-bottom:1mm;caption-side:top;}\n"
    "th,td{border-bottom:1px solid var(--rule);padding:0.9mm 1.6mm;vertical-align:top;}\n"
    "thead th{background:var(--soft);font-weight:600;text-align:left;vertical-align:bottom;}\n"
    "thead th.num{text-align:right;}\n"
    "tbody th{font-weight:normal;text-align:left;overflow-wrap:anywhere;}\n"
    "td.n,td.v{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap;}\n"
    "td.hid{color:var(--muted);background:repeating-linear-gradient(45deg,#f4f4f4 0 3px,#e6e6e6 3px 5px);}\n"
    "tr.total th,tr.total td{border-top:1.5px solid #888;font-weight:600;}\n"
    "figure{margin:2mm 0 4mm;break-inside:avoid;page-break-inside:avoid;}\n"
    "figcaption{font-weight:600;font-size:9.5pt;margin-bottom:1mm;}\n"
    "svg.chart{max-width:100%;height:auto;display:block;}\n"
    "svg text{font-family:inherit;fill:#222;}svg text.t,svg text.h{fill:#666;}\n"
    ".note{font-size:8.5pt;color:var(--muted);margin:0 0 3mm;}\n"
    ".cards{display:grid;grid-template-columns:repeat(4,1fr);gap:2.5mm;margin:2mm 0 3mm;}\n"
    ".card{border:1px solid var(--rule);border-top:3px solid var(--accent);border-radius:1.5mm;padding:2mm 3mm;"
    "break-inside:avoid;}\n"
    ".card .k{font-size:9pt;color:var(--muted);}\n"
    ".card .big{font-size:19pt;font-weight:700;line-height:1.2;}\n"
    ".card .cmp{font-size:8.5pt;color:var(--muted);}\n"
    ".up{color:#0b5c8f;}.down{color:#b0440a;}\n"
    "table,tr,.keep{break-inside:avoid;page-break-inside:avoid;}\n"
    "table.long{break-inside:auto;page-break-inside:auto;}\n"
    "footer.doc{margin-top:8mm;border-top:1px solid var(--rule);padding-top:2mm;font-size:8pt;color:var(--muted);}\n"
    "footer.doc p{margin:0.5mm 0;}\n"
    "@media print{body{padding:0;max-width:none;}a{color:inherit;text-decoration:none;}"
    "h2{break-before:auto;}}\n";

static void esc(ks_buf *o, const char *s) { ks_svg_escape(o, s); }

/* A CSS string literal ("..." with \ and " escaped, line breaks as spaces). */
static void css_string(ks_buf *o, const char *s)
{
    ks_buf_addc(o, '"');
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '"' || *p == '\\')
            ks_buf_addc(o, '\\');
        if (*p == '\n' || *p == '\r')
            ks_buf_addc(o, ' ');
        else if (*p == '<')
            ks_buf_adds(o, "\\3C "); /* keeps "</style" out of the style element */
        else if (*p == '&')
            ks_buf_adds(o, "\\26 ");
        else
            ks_buf_addc(o, *p);
    }
    ks_buf_addc(o, '"');
}

static bool is_numeric(const ks_column *c) { return c->type != KS_COL_TEXT; }

/* ' id="ID"' when the block has an id. */
static void id_attr(ks_buf *o, const ks_doc_block *b)
{
    if (b->id) {
        ks_buf_adds(o, " id=\"");
        esc(o, b->id);
        ks_buf_addc(o, '"');
    }
}

/* The result's table of block b, checked at k before a byte of it is
 * written. */
static int checked_table(const ks_result *r, const ks_doc_block *b, const ks_table **t, ks_error *err)
{
    int rc = ks_write_block_table(r, b, t, err);
    if (rc)
        return rc;
    if ((rc = ks_suppress_check(*t, r->policy.k, err)))
        return ks_error_prefix(err, "table '%s': ", b->id ? b->id : "?");
    return 0;
}

/* One body row: a text first column as the row's heading, counts "n",
 * other numbers "v" (a dash when empty), hidden cells also "hid". */
static void html_row(ks_buf *o, const ks_table *t, size_t i, int k, ks_buf *cell)
{
    size_t nc = ks_table_ncols(t);
    ks_buf_adds(o, (long)i == ks_table_total_row(t) ? "<tr class=\"total\">" : "<tr>");
    for (size_t j = 0; j < nc; j++) {
        const ks_column *c = ks_table_column(t, j);
        const ks_cell *v = ks_table_cell(t, i, j);
        ks_buf_reset(cell);
        ks_write_cell_text(cell, t, i, j, k);
        bool hid = v->kind == KS_CELL_SUPPRESSED;
        if (j == 0 && !is_numeric(c)) {
            ks_buf_adds(o, "<th scope=\"row\">");
            esc(o, cell->buf);
            ks_buf_adds(o, "</th>");
            continue;
        }
        if (c->is_count)
            ks_buf_adds(o, hid ? "<td class=\"n hid\">" : "<td class=\"n\">");
        else if (is_numeric(c))
            ks_buf_adds(o, hid ? "<td class=\"v hid\">" : "<td class=\"v\">");
        else
            ks_buf_adds(o, "<td>");
        if (is_numeric(c) && v->kind == KS_CELL_NULL)
            ks_buf_adds(o, "—");
        else
            esc(o, cell->buf);
        ks_buf_adds(o, "</td>");
    }
    ks_buf_adds(o, "</tr>\n");
}

static int html_table(ks_buf *o, const ks_result *r, const ks_doc_block *b, ks_error *err)
{
    const ks_table *t;
    int rc = checked_table(r, b, &t, err);
    if (rc)
        return rc;
    size_t nr = ks_table_nrows(t), nc = ks_table_ncols(t);
    ks_buf_adds(o, "<table");
    id_attr(o, b);
    if (nr > 14)
        ks_buf_adds(o, " class=\"long\"");
    ks_buf_adds(o, ">");
    if (b->text) {
        ks_buf_adds(o, "<caption>");
        esc(o, b->text);
        ks_buf_adds(o, "</caption>");
    }
    ks_buf_adds(o, "<thead><tr>");
    for (size_t j = 0; j < nc; j++) {
        const ks_column *c = ks_table_column(t, j);
        ks_buf_adds(o, is_numeric(c) ? "<th scope=\"col\" class=\"num\">" : "<th scope=\"col\">");
        esc(o, c->label ? c->label : c->name);
        ks_buf_adds(o, "</th>");
    }
    ks_buf_adds(o, "</tr></thead>\n<tbody>\n");
    ks_buf cell;
    ks_buf_init(&cell);
    for (size_t i = 0; i < nr; i++)
        html_row(o, t, i, r->policy.k, &cell);
    ks_buf_release(&cell);
    ks_buf_adds(o, "</tbody></table>\n");
    return 0;
}

/* Cell (i, j) of t as text, "—" when empty. */
static void card_value(ks_buf *o, const ks_table *t, size_t i, size_t j, int k, ks_buf *s)
{
    ks_buf_reset(s);
    ks_write_cell_text(s, t, i, j, k);
    esc(o, s->len ? s->buf : "—");
}

/* Cards: column 0 label, 1 this value, 2 the compared value, 3 change,
 * 4 change in percent (doc.h). */
static int html_cards(ks_buf *o, const ks_result *r, const ks_doc_block *b, ks_error *err)
{
    const ks_table *t;
    int rc = checked_table(r, b, &t, err);
    if (rc)
        return rc;
    if (ks_table_ncols(t) < 5)
        return ks_error_set(err, KS_EUSAGE, "headline table has %zu columns, not 5", ks_table_ncols(t));
    int k = r->policy.k;
    ks_buf s;
    ks_buf_init(&s);
    ks_buf_adds(o, "<div class=\"cards\"");
    id_attr(o, b);
    ks_buf_adds(o, ">\n");
    const char *cmp_label = ks_table_column(t, 2)->label;
    for (size_t i = 0; i < ks_table_nrows(t); i++) {
        ks_buf_adds(o, "<div class=\"card\"><div class=\"k\">");
        ks_buf_reset(&s);
        ks_write_cell_text(&s, t, i, 0, k);
        esc(o, s.buf);
        ks_buf_adds(o, "</div><div class=\"big n\">");
        card_value(o, t, i, 1, k, &s);
        ks_buf_adds(o, "</div><div class=\"cmp\">");
        esc(o, cmp_label ? cmp_label : "");
        ks_buf_adds(o, " <span class=\"n\">");
        card_value(o, t, i, 2, k, &s);
        ks_buf_adds(o, "</span>");
        const ks_cell *d = ks_table_cell(t, i, 4);
        double pct = 0;
        if (ks_cell_number(d, &pct))
            ks_buf_addf(o, " <span class=\"v %s\">%+.1f%%</span>", pct >= 0 ? "up" : "down", pct);
        else if (d->kind == KS_CELL_SUPPRESSED)
            ks_buf_adds(o, " <span class=\"v\">x</span>");
        ks_buf_adds(o, "</div></div>\n");
    }
    ks_buf_adds(o, "</div>\n");
    ks_buf_release(&s);
    return 0;
}

/* <!DOCTYPE> to </head>: the title, the style and the page footer. */
static void html_head(ks_buf *o, const ks_doc *d)
{
    ks_buf_adds(o, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"");
    ks_buf_adds(o, d->lang == KS_LANG_EN ? "en" : "ja");
    ks_buf_adds(o, "\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                   "<meta name=\"generator\" content=\"kasane " KASANE_VERSION "\"/>\n<title>");
    esc(o, d->title);
    ks_buf_adds(o, " ");
    esc(o, d->subtitle);
    ks_buf_adds(o, "</title>\n<style>\n");
    ks_buf_adds(o, css);
    /* the footer on every printed page */
    ks_buf_adds(o, "@page{@bottom-left{content:");
    css_string(o, d->footer);
    ks_buf_adds(o, ";font-size:7pt;color:#5b6168;}"
                   "@bottom-right{content:counter(page) \" / \" counter(pages);font-size:7pt;color:#5b6168;}}\n");
    ks_buf_adds(o, "</style>\n</head>\n");
}

/* <header> (title, subtitle, meta lines when there are any) and the table
 * of contents. */
static void html_header(ks_buf *o, const ks_doc *d)
{
    ks_buf_adds(o, "<body>\n<header>\n<h1>");
    esc(o, d->title);
    ks_buf_adds(o, "</h1>\n<p class=\"sub\">");
    esc(o, d->subtitle);
    ks_buf_adds(o, "</p>\n");
    if (d->nmeta)
        ks_buf_adds(o, "<dl class=\"meta\">\n");
    for (size_t i = 0; i < d->nmeta; i++) {
        const char *m = d->meta[i], *sep = strchr(m, '\t');
        ks_buf_adds(o, "<dt>");
        if (sep) {
            ks_buf tmp;
            ks_buf_init(&tmp);
            ks_buf_add(&tmp, m, (size_t)(sep - m));
            esc(o, tmp.buf);
            ks_buf_release(&tmp);
        }
        ks_buf_adds(o, "</dt><dd>");
        esc(o, sep ? sep + 1 : m);
        ks_buf_adds(o, "</dd>\n");
    }
    ks_buf_adds(o, d->nmeta ? "</dl>\n</header>\n<nav class=\"toc\"><ol>\n" : "</header>\n<nav class=\"toc\"><ol>\n");
    for (size_t i = 0; i < d->nsections; i++) {
        ks_buf_adds(o, "<li><a href=\"#");
        esc(o, d->sections[i].id);
        ks_buf_adds(o, "\">");
        esc(o, d->sections[i].title);
        ks_buf_adds(o, "</a></li>\n");
    }
    ks_buf_adds(o, "</ol></nav>\n");
}

/* A text block: <p>, <p class="note">, or an item of a list that the
 * first of consecutive BULLETs opens and the last closes. */
static void html_text(ks_buf *o, const ks_doc_section *s, size_t j)
{
    const ks_doc_block *b = &s->blocks[j];
    switch (b->kind) {
    case KS_DOC_PARA: ks_buf_adds(o, "<p>"); break;
    case KS_DOC_NOTE: ks_buf_adds(o, "<p class=\"note\">"); break;
    default:
        if (j == 0 || s->blocks[j - 1].kind != KS_DOC_BULLET)
            ks_buf_adds(o, "<ul class=\"findings\">\n");
        ks_buf_adds(o, "<li>");
        break;
    }
    esc(o, b->text);
    if (b->kind != KS_DOC_BULLET) {
        ks_buf_adds(o, "</p>\n");
        return;
    }
    ks_buf_adds(o, "</li>\n");
    if (j + 1 == s->n || s->blocks[j + 1].kind != KS_DOC_BULLET)
        ks_buf_adds(o, "</ul>\n");
}

static void html_figure(ks_buf *o, const ks_doc_block *b)
{
    ks_buf_adds(o, "<figure");
    id_attr(o, b);
    ks_buf_adds(o, "><figcaption>");
    esc(o, b->text);
    ks_buf_adds(o, "</figcaption>\n");
    ks_buf_adds(o, b->svg ? b->svg : "");
    ks_buf_adds(o, "</figure>\n");
}

static int html_section(ks_buf *o, const ks_result *r, const ks_doc_section *s, ks_error *err)
{
    ks_buf_adds(o, "<section id=\"");
    esc(o, s->id);
    ks_buf_adds(o, "\">\n<h2>");
    esc(o, s->title);
    ks_buf_adds(o, "</h2>\n");
    int rc = 0;
    for (size_t j = 0; j < s->n && !rc; j++) {
        const ks_doc_block *b = &s->blocks[j];
        switch (b->kind) {
        case KS_DOC_PARA:
        case KS_DOC_NOTE:
        case KS_DOC_BULLET: html_text(o, s, j); break;
        case KS_DOC_TABLE: rc = html_table(o, r, b, err); break;
        case KS_DOC_CARDS: rc = html_cards(o, r, b, err); break;
        case KS_DOC_FIGURE: html_figure(o, b); break;
        }
    }
    ks_buf_adds(o, "</section>\n");
    return rc;
}

int ks_write_html(const ks_result *r, const ks_doc *d, ks_buf *o, ks_error *err)
{
    html_head(o, d);
    html_header(o, d);
    ks_buf_adds(o, "<main>\n");
    int rc = 0;
    for (size_t i = 0; i < d->nsections && !rc; i++)
        rc = html_section(o, r, &d->sections[i], err);
    if (rc)
        return rc;
    ks_buf_adds(o, "</main>\n<footer class=\"doc\">\n<p>");
    esc(o, d->footer);
    ks_buf_adds(o, "</p>\n");
    for (size_t i = 0; i < d->nfooter; i++) {
        ks_buf_adds(o, "<p>");
        esc(o, d->footer_notes[i]);
        ks_buf_adds(o, "</p>\n");
    }
    ks_buf_adds(o, "</footer>\n</body>\n</html>\n");
    return 0;
}
