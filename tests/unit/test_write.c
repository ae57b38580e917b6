/* test_write: the writer table (write.h) and the document a result carries
 * (doc.h), published through ks_publish_buf.
 *
 * Every expected text is written out by hand from the writers' contracts
 * (write.h, render.h: a table-mode table is its labels, a rule of dashes per
 * column, then the rows, two spaces between columns, text left and numbers
 * right, widths in terminal columns; "<k" marks a hidden count of a table
 * without totals; "x" any other hidden cell), except the footer lines of a
 * default document, whose contract is "the table's footer lines
 * (ks_render_footer) as notes": those come from ks_render_footer. */
#include <string.h>

#include "doc.h"
#include "publish.h"
#include "render.h"
#include "test.h"
#include "write.h"

static const ks_policy policy = {.k = 5, .last_import = "2025-01-02T03:04:05Z"};

/* Area / N: A 12, B 7 (no totals: nothing to hide at k = 5). */
static ks_table *area_table(void)
{
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "area", "Area", KS_COL_TEXT, NULL);
    ks_table_add_column(t, "n", "N", KS_COL_INT, NULL);
    ks_table_set_count(t, 1, NULL);
    static const char *const g[2] = {"A", "B"};
    static const int v[2] = {12, 7};
    for (size_t i = 0; i < 2; i++) {
        size_t r = ks_table_add_row(t);
        ks_table_set_text(t, r, 0, g[i], NULL);
        ks_table_set_int(t, r, 1, v[i], NULL);
    }
    return t;
}

/* Publishes r in `mode` into out (reset first); returns ks_publish_buf's
 * result. */
static int publish(ks_result *r, const char *mode, ks_lang lang, int headings, ks_buf *out, ks_error *err)
{
    ks_output o;
    ks_output_init(&o);
    o.mode = mode;
    o.lang = lang;
    ks_buf_reset(out);
    return ks_publish_buf(r, &o, headings, out, err);
}

/* ---- the table --------------------------------------------------------------- */

static void test_writer_table(void)
{
    static const char *const names[] = {"table", "csv", "tsv", "json", "markdown", "html", "txt"};
    size_t n = 0;
    const ks_writer *w = ks_writers(&n);
    KS_CHECK_INT(n, KS_ARRAY_LEN(names));
    for (size_t i = 0; i < n && i < KS_ARRAY_LEN(names); i++) {
        KS_CHECK_STR(w[i].name, names[i]);
        KS_CHECK(ks_writer_find(names[i]) == &w[i]);
        KS_CHECK(w[i].desc && *w[i].desc && w[i].fn);
    }
    KS_CHECK(ks_writer_find("md") == ks_writer_find("markdown"));
    KS_CHECK(ks_writer_find("text") == ks_writer_find("txt"));
    KS_CHECK(ks_writer_find("pdf") == NULL);
    ks_buf b;
    ks_buf_init(&b);
    ks_writer_names(&b);
    KS_CHECK_STR(b.buf, "table, csv, tsv, json, markdown, html, txt");
    ks_buf_release(&b);

    /* --format: an alias gives the row's own name; anything else is a usage
     * error that lists the rows */
    ks_output o;
    ks_output_init(&o);
    ks_error err = {0};
    KS_CHECK_INT(ks_output_option(&o, KS_OPT_FORMAT, "md", &err), 1);
    KS_CHECK_STR(o.mode, "markdown");
    KS_CHECK_INT(ks_output_option(&o, KS_OPT_FORMAT, "html", &err), 1);
    KS_CHECK_STR(o.mode, "html");
    KS_CHECK_INT(ks_output_option(&o, KS_OPT_FORMAT, "pdf", &err), -KS_EUSAGE);
    KS_CHECK_STR(err.msg, "unknown output format 'pdf' (table, csv, tsv, json, markdown, html, txt)");
}

/* ---- a result with a document ---------------------------------------------------- */

/* One section of every kind of block; the table is the result's "t1". */
static ks_result *doc_result(size_t *index)
{
    ks_result *r = ks_result_new(&policy);
    ks_table *t = area_table();
    ks_error err = {0};
    KS_CHECK_INT(ks_result_add_protected(r, "t1", "Cap", t, index, &err), 0);
    ks_table_free(t);
    ks_doc *d = ks_result_doc(r);
    KS_CHECK(ks_result_doc(r) == d); /* one document */
    ks_doc_head(d, KS_LANG_EN, "Title", "Sub");
    ks_doc_meta(d, "Period", "2025");
    ks_doc_section *s = ks_doc_section_add(d, "s1", "One");
    ks_doc_add(s, KS_DOC_PARA, "Hello *world*", NULL, NULL);
    ks_doc_add(s, KS_DOC_BULLET, "x", NULL, NULL);
    ks_doc_add(s, KS_DOC_BULLET, "y", NULL, NULL);
    ks_doc_add_table(s, KS_DOC_TABLE, "Cap", "t1", *index);
    ks_doc_add(s, KS_DOC_NOTE, "n1", NULL, NULL);
    ks_doc_add(s, KS_DOC_FIGURE, "Fig", "f1", "<svg/>");
    ks_doc_footer(d, "Foot");
    ks_doc_footer_note(d, "fn");
    return r;
}

static void test_document(void)
{
    size_t ti = 99;
    ks_result *r = doc_result(&ti);
    KS_CHECK_INT(ti, 0);
    ks_error err = {0};
    ks_buf out;
    ks_buf_init(&out);

    /* txt: the figure has no text form */
    KS_CHECK_INT(publish(r, "txt", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK_STR(out.buf, "Title\n=====\nSub\n\nPeriod: 2025\n\n"
                          "One\n---\n\n"
                          "Hello *world*\n\n"
                          "  * x\n  * y\n\n"
                          "[Cap]\nArea   N\n----  --\nA     12\nB      7\n\n"
                          "  n1\n\n"
                          "----\nFoot\nfn\n");
    /* the alias is the same writer */
    ks_buf again;
    ks_buf_init(&again);
    KS_CHECK_INT(publish(r, "text", KS_LANG_JA, 1, &again, &err), 0);
    KS_CHECK_STR(again.buf, out.buf);

    /* markdown: the document, markup escaped, the table a pipe table */
    KS_CHECK_INT(publish(r, "md", KS_LANG_JA, 1, &out, &err), 0);
    const char *md_head = "# Title\n\n**Sub**\n\n- Period: 2025\n\n## One\n\nHello \\*world\\*\n\n- x\n- y\n\n**Cap**\n\n|";
    KS_CHECK(strncmp(out.buf, md_head, strlen(md_head)) == 0);
    /* (a delimiter cell takes at least three characters: "--:" widens N) */
    KS_CHECK(strstr(out.buf, "| Area |   N |\n| :--- | --: |\n| A    |  12 |\n| B    |   7 |\n\n*n1*\n\n"
                             "---\n\nFoot\n\nfn\n\n") != NULL);

    /* html: the language, the meta line, one list, the caption, counts
     * classed "n", the figure's markup as it is */
    KS_CHECK_INT(publish(r, "html", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK(strstr(out.buf, "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">") != NULL);
    KS_CHECK(strstr(out.buf, "<title>Title Sub</title>") != NULL);
    KS_CHECK(strstr(out.buf, "<dt>Period</dt><dd>2025</dd>") != NULL);
    KS_CHECK(strstr(out.buf, "<li><a href=\"#s1\">One</a></li>") != NULL);
    KS_CHECK(strstr(out.buf, "<p>Hello *world*</p>\n<ul class=\"findings\">\n<li>x</li>\n<li>y</li>\n</ul>\n"
                             "<table id=\"t1\"><caption>Cap</caption>") != NULL);
    KS_CHECK(strstr(out.buf, "<tr><th scope=\"row\">A</th><td class=\"n\">12</td></tr>") != NULL);
    KS_CHECK(strstr(out.buf, "<p class=\"note\">n1</p>\n<figure id=\"f1\"><figcaption>Fig</figcaption>\n<svg/></figure>\n"
                             "</section>") != NULL);
    KS_CHECK(strstr(out.buf, "<footer class=\"doc\">\n<p>Foot</p>\n<p>fn</p>\n</footer>\n</body>\n</html>\n") != NULL);

    /* the tables way ignores the document: one table, headed */
    KS_CHECK_INT(publish(r, "csv", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK_STR(out.buf, "area,n\r\nA,12\r\nB,7\r\n");

    /* the block shows the result's table, not a copy: a cell left out
     * afterwards is left out of the document */
    KS_CHECK_INT(ks_result_blank(r, ti, 1, 1, &err), 0);
    KS_CHECK_INT(publish(r, "txt", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK(strstr(out.buf, "A     12\n") != NULL);
    KS_CHECK(strstr(out.buf, "B      7") == NULL);
    KS_CHECK_INT(ks_result_blank(r, 5, 0, 0, &err), -KS_EUSAGE);

    ks_buf_release(&again);
    ks_buf_release(&out);
    ks_result_free(r);
}

/* A block that names no table of the result writes nothing. */
static void test_bad_block(void)
{
    ks_result *r = ks_result_new(&policy);
    ks_doc *d = ks_result_doc(r);
    ks_doc_head(d, KS_LANG_JA, "T", "S");
    ks_doc_footer(d, "F");
    ks_doc_add_table(ks_doc_section_add(d, "s", "S"), KS_DOC_TABLE, "c", "t9", 3);
    ks_error err = {0};
    ks_buf out;
    ks_buf_init(&out);
    KS_CHECK_INT(publish(r, "html", KS_LANG_JA, 1, &out, &err), -KS_EUSAGE);
    KS_CHECK_INT(out.len, 0);
    KS_CHECK_INT(publish(r, "txt", KS_LANG_JA, 1, &out, &err), -KS_EUSAGE);
    KS_CHECK_INT(out.len, 0);
    ks_buf_release(&out);
    ks_result_free(r);
}

/* ks_result_add_protected refuses a table that shows a count 1..k-1; a
 * hidden one prints "<5" (no totals: it can only be primary). */
static void test_protected(void)
{
    ks_result *r = ks_result_new(&policy);
    ks_table *t = area_table();
    size_t row = ks_table_add_row(t);
    ks_table_set_text(t, row, 0, "C", NULL);
    ks_table_set_int(t, row, 1, 3, NULL);
    ks_error err = {0};
    KS_CHECK_INT(ks_result_add_protected(r, "t", NULL, t, NULL, &err), -KS_ESAFETY);
    KS_CHECK(strncmp(err.msg, "table 't': ", 11) == 0);
    KS_CHECK_INT(ks_result_ntables(r), 0);
    ks_table_suppress(t, row, 1, KS_WHY_PRIMARY, NULL);
    size_t i = 9;
    KS_CHECK_INT(ks_result_add_protected(r, "t", NULL, t, &i, &err), 0);
    ks_table_free(t);
    ks_doc *d = ks_result_doc(r);
    ks_doc_head(d, KS_LANG_JA, "T", "S");
    ks_doc_footer(d, "F");
    ks_doc_add_table(ks_doc_section_add(d, "s", "S"), KS_DOC_TABLE, NULL, "t", i);
    ks_buf out;
    ks_buf_init(&out);
    KS_CHECK_INT(publish(r, "txt", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK(strstr(out.buf, "\nC     <5\n") != NULL);
    KS_CHECK_INT(publish(r, "html", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK(strstr(out.buf, "<td class=\"n hid\">&lt;5</td>") != NULL);
    ks_buf_release(&out);
    ks_result_free(r);
}

/* The document prints the tables as the publish step left them: P hides
 * its u (3 < k) and, as its complement against the total, v (12); Q, a
 * list, prints v's 12 again.  The link (P's v is Q's v) makes ks_publish
 * hide Q's copy too, before any writer runs: the document shows "x" there
 * (a secondary cell), and the audit passes. */
static void test_document_is_audited(void)
{
    ks_result *r = ks_result_new(&policy);
    ks_table *p = ks_table_new();
    ks_table_add_column(p, "g", "G", KS_COL_TEXT, NULL);
    ks_table_add_column(p, "n", "N", KS_COL_INT, NULL);
    ks_table_set_count(p, 1, NULL);
    static const char *const pg[3] = {"u", "v", "all"};
    static const int pv[3] = {3, 12, 15};
    for (size_t i = 0; i < 3; i++) {
        size_t row = ks_table_add_row(p);
        ks_table_set_text(p, row, 0, pg[i], NULL);
        ks_table_set_int(p, row, 1, pv[i], NULL);
    }
    ks_table_set_totals(p, 2, -1, NULL);
    ks_table *q = ks_table_new();
    ks_table_add_column(q, "g", "G", KS_COL_TEXT, NULL);
    ks_table_add_column(q, "n", "N", KS_COL_INT, NULL);
    ks_table_set_count(q, 1, NULL);
    static const char *const qg[2] = {"v", "w"};
    static const int qv[2] = {12, 30};
    for (size_t i = 0; i < 2; i++) {
        size_t row = ks_table_add_row(q);
        ks_table_set_text(q, row, 0, qg[i], NULL);
        ks_table_set_int(q, row, 1, qv[i], NULL);
    }
    ks_error err = {0};
    size_t ip = 9, iq = 9;
    KS_CHECK_INT(ks_result_add(r, "p", "P", p, NULL, NULL, 0, &ip, &err), 0);
    KS_CHECK_INT(ks_result_add(r, "q", "Q", q, NULL, NULL, 0, &iq, &err), 0);
    ks_cell_ref part = {.table = iq, .row = 0, .col = 1};
    KS_CHECK_INT(ks_result_link(r, (ks_cell_ref){.table = ip, .row = 1, .col = 1}, &part, 1, &err), 0);
    ks_doc *d = ks_result_doc(r);
    ks_doc_head(d, KS_LANG_JA, "T", "S");
    ks_doc_footer(d, "F");
    ks_doc_section *s = ks_doc_section_add(d, "s", "S");
    ks_doc_add_table(s, KS_DOC_TABLE, "P", "p", ip);
    ks_doc_add_table(s, KS_DOC_TABLE, "Q", "q", iq);
    ks_buf out;
    ks_buf_init(&out);
    KS_CHECK_INT(publish(r, "txt", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK(strstr(out.buf, "[P]\nG     N\n---  --\nu     x\nv     x\n---  --\nall  15\n\n") != NULL);
    KS_CHECK(strstr(out.buf, "[Q]\nG   N\n-  --\nv   x\nw  30\n\n") != NULL);
    ks_buf_release(&out);
    ks_table_free(p);
    ks_table_free(q);
    ks_result_free(r);
}

/* ---- the default document of a result without one ------------------------------ */

static void test_default_document(void)
{
    ks_result *r = ks_result_new(&policy);
    ks_table *t = area_table();
    const char *notes[1] = {"note one"};
    ks_error err = {0};
    KS_CHECK_INT(ks_result_add(r, "counts", "Counts", t, NULL, notes, 1, NULL, &err), 0);
    ks_buf out, want, foot;
    ks_buf_init(&out);
    ks_buf_init(&want);
    ks_buf_init(&foot);

    /* txt: the title, the last import and k under it, a section headed by
     * the table's title, the table, its footer lines as notes, the page
     * footer */
    KS_CHECK_INT(publish(r, "txt", KS_LANG_EN, 0, &out, &err), 0);
    ks_render_meta meta = {.last_import = policy.last_import, .k = 5, .version = KASANE_VERSION,
                           .notes = notes, .n_notes = 1};
    ks_render_footer(&foot, t, &meta, "  ", "\n\n");
    ks_buf_adds(&want, "Results\n=======\nlast import 2025-01-02T03:04:05Z | k = 5\n\n"
                       "Counts\n------\n\n"
                       "Area   N\n----  --\nA     12\nB      7\n\n");
    ks_buf_adds(&want, foot.buf);
    ks_buf_adds(&want, "----\nlast import 2025-01-02T03:04:05Z | k = 5 | kasane " KASANE_VERSION "\n");
    KS_CHECK_STR(out.buf, want.buf);
    KS_CHECK(strstr(foot.buf, "  note one\n\n") != NULL);

    /* html: Japanese by default; the section's id is the table's name */
    KS_CHECK_INT(publish(r, "html", KS_LANG_JA, 0, &out, &err), 0);
    KS_CHECK(strstr(out.buf, "<h1>集計結果</h1>\n<p class=\"sub\">最終取込 2025-01-02T03:04:05Z｜秘匿基準 k = 5</p>\n"
                             "</header>") != NULL);
    KS_CHECK(strstr(out.buf, "<section id=\"counts\">\n<h2>Counts</h2>\n<table><thead>") != NULL);
    KS_CHECK(strstr(out.buf, "<p class=\"note\">note one</p>\n</section>") != NULL);

    /* two tables: two sections, in order */
    ks_table *u = area_table();
    KS_CHECK_INT(ks_result_add(r, "more", "More", u, NULL, NULL, 0, NULL, &err), 0);
    KS_CHECK_INT(publish(r, "html", KS_LANG_JA, 1, &out, &err), 0);
    const char *a = strstr(out.buf, "<li><a href=\"#counts\">Counts</a></li>\n<li><a href=\"#more\">More</a></li>");
    const char *s1 = strstr(out.buf, "<section id=\"counts\">"), *s2 = strstr(out.buf, "<section id=\"more\">");
    KS_CHECK(a && s1 && s2 && a < s1 && s1 < s2);

    /* markdown without a document stays the tables way */
    KS_CHECK_INT(publish(r, "markdown", KS_LANG_JA, 1, &out, &err), 0);
    KS_CHECK(strncmp(out.buf, "### Counts\n\n| Area |", 20) == 0);
    ks_table_free(u);
    ks_table_free(t);
    ks_buf_release(&foot);
    ks_buf_release(&want);
    ks_buf_release(&out);
    ks_result_free(r);
}

int main(void)
{
    test_writer_table();
    test_document();
    test_bad_block();
    test_protected();
    test_document_is_audited();
    test_default_document();
    return ks_test_report();
}
