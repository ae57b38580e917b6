/* write.c: the writer table (write.h): the tables way, the document way
 * (write_html.c, write_text.c) with the default document of a result that
 * has none, and where the bytes go. */
#include "write.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publish_internal.h"
#include "render.h"

/* ---- where the bytes go ---------------------------------------------------- */

/* FILE.ext -> FILE.NAME.ext (FILE.NAME without an extension). */
static char *out_name(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    ks_buf b;
    ks_buf_init(&b);
    if (dot && dot != (slash ? slash + 1 : path)) {
        ks_buf_add(&b, path, (size_t)(dot - path));
        ks_buf_addf(&b, ".%s%s", name, dot);
    } else {
        ks_buf_addf(&b, "%s.%s", path, name);
    }
    return ks_buf_detach(&b, NULL);
}

/* Whether the output is one stream (stdout, the job's buffer) rather than
 * files: the tables way then heads each table instead of splitting. */
static bool one_stream(const ks_write_job *j) { return j->to || !j->o->out_path; }

/* Writes b: to the job's buffer, to stdout, to --out, or (name given) to
 * --out's FILE.NAME.EXT, saying so on stderr. */
static int emit(const ks_write_job *j, const char *name, const ks_buf *b, ks_error *err)
{
    if (j->to) {
        ks_buf_add(j->to, b->buf, b->len);
        return 0;
    }
    if (!j->o->out_path) {
        if (fwrite(b->buf, 1, b->len, stdout) != b->len || fflush(stdout) != 0)
            return ks_error_set(err, KS_EIO, "cannot write the result: %s", strerror(errno));
        return 0;
    }
    char *path = name ? out_name(j->o->out_path, name) : ks_strdup(j->o->out_path);
    int rc = ks_write_file_atomic(path, b->buf, b->len, 0600, err);
    if (rc == 0 && name)
        fprintf(stderr, "kasane: wrote %s\n", path);
    free(path);
    return rc;
}

/* ---- the tables way ---------------------------------------------------------- */

/* A cell-keyed table's own notes (publish.h): the method with the ptable's
 * hash, so that an auditor can reproduce every figure from the database,
 * and the statistical offices' note when its parts no longer add up. */
typedef struct ck_notes {
    char method[200];  /* the method and hash */
    char additive[200]; /* the note on totals, "" when none */
} ck_notes;

static size_t cellkey_notes(const ks_result *r, const ks_entry *e, ks_lang lang, ck_notes *c, const char **all)
{
    if (!e->cellkey)
        return 0;
    bool ja = lang != KS_LANG_EN;
    snprintf(c->method, sizeof c->method,
             ja ? "秘匿処理: セルキー法 (ptable SHA-256 %s)" : "disclosure control: cell key method (ptable SHA-256 %s)",
             r->policy.ptable_sha256);
    snprintf(c->additive, sizeof c->additive, "%s",
             ja ? "内訳の計と合計は一致しない場合があります (セルごとに撹乱しているため)"
                : "parts may not add up to the totals (each cell is perturbed on its own)");
    all[0] = c->method;
    if (!e->nonadditive)
        return 1;
    all[1] = c->additive;
    return 2;
}

/* Table i in the writer's render mode with its footer; with headings the
 * notes start with "table: NAME". */
static int render_entry(ks_buf *out, const ks_write_job *j, size_t i, ks_error *err)
{
    const ks_result *r = j->r;
    const ks_entry *e = &r->v[i];
    const char **all = ks_malloc(ks_mul(e->n_notes + 3, sizeof *all));
    char first[96];
    ck_notes ck;
    size_t n = 0;
    if (j->headings) {
        snprintf(first, sizeof first, "table: %s", e->name);
        all[n++] = first;
    }
    for (size_t k = 0; k < e->n_notes; k++)
        all[n++] = e->notes[k];
    n += cellkey_notes(r, e, j->o->lang, &ck, all + n);
    ks_render_meta meta = {.last_import = r->policy.last_import, .k = r->policy.k, .version = KASANE_VERSION,
                           .excluded = e->excluded, .notes = all, .n_notes = n};
    ks_render_opts ro = {.mode = j->w->name, .bom = j->o->bom, .comments = j->o->comments};
    int rc = ks_render_buf(out, e->t, &meta, &ro, err);
    free(all);
    return rc;
}

/* Every table, one after another: on one stream each headed "[NAME] TITLE"
 * (table) or "### TITLE" (markdown) when there are several; to --out with
 * several, each its own file. */
static int write_tables(const ks_write_job *j, ks_error *err)
{
    const ks_result *r = j->r;
    bool split = j->headings && !one_stream(j);
    ks_buf b;
    ks_buf_init(&b);
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const ks_entry *e = &r->v[i];
        if (split)
            ks_buf_reset(&b);
        else if (j->headings && strcmp(j->w->name, "table") == 0)
            ks_buf_addf(&b, "%s[%s] %s\n", i ? "\n" : "", e->name, e->title);
        else if (j->headings && strcmp(j->w->name, "markdown") == 0)
            ks_buf_addf(&b, "%s### %s\n\n", i ? "\n" : "", e->title);
        rc = render_entry(&b, j, i, err);
        if (rc == 0 && split)
            rc = emit(j, e->name, &b, err);
    }
    if (rc == 0 && !split)
        rc = emit(j, NULL, &b, err);
    ks_buf_release(&b);
    return rc;
}

/* ---- the document way -------------------------------------------------------- */

/* Adds table i's footer lines (render.h: k, hidden cells, last import,
 * version, the marks, what was excluded, its notes) as notes. */
static void footer_notes(ks_doc_section *s, const ks_result *r, size_t i, ks_lang lang)
{
    const ks_entry *e = &r->v[i];
    const char **all = ks_malloc(ks_mul(e->n_notes + 2, sizeof *all));
    size_t n = 0;
    for (size_t k = 0; k < e->n_notes; k++)
        all[n++] = e->notes[k];
    ck_notes ck;
    n += cellkey_notes(r, e, lang, &ck, all + n);
    ks_render_meta meta = {.last_import = r->policy.last_import, .k = r->policy.k, .version = KASANE_VERSION,
                           .excluded = e->excluded, .notes = all, .n_notes = n};
    ks_buf foot;
    ks_buf_init(&foot);
    ks_render_footer(&foot, e->t, &meta, "", "\n");
    for (char *line = foot.buf, *nl; line && *line; line = nl + 1) {
        if (!(nl = strchr(line, '\n')))
            break;
        *nl = '\0';
        ks_doc_add(s, KS_DOC_NOTE, line, NULL, NULL);
    }
    ks_buf_release(&foot);
    free(all);
}

/* The document of a result that has none: a section per table (its name as
 * id, its title as heading) with the table and its footer lines as notes;
 * the title says what it is, the line under it and the page footer give
 * the last import and k. */
static void default_doc(const ks_write_job *j, ks_doc *d)
{
    const ks_result *r = j->r;
    bool en = j->o->lang == KS_LANG_EN;
    const char *last = r->policy.last_import ? r->policy.last_import : en ? "unknown" : "不明";
    ks_buf b;
    ks_buf_init(&b);
    if (en)
        ks_buf_addf(&b, "last import %s | k = %d", last, r->policy.k);
    else
        ks_buf_addf(&b, "最終取込 %s｜秘匿基準 k = %d", last, r->policy.k);
    ks_doc_init(d);
    ks_doc_head(d, j->o->lang, en ? "Results" : "集計結果", b.buf);
    ks_buf_addf(&b, en ? " | kasane %s" : "｜kasane %s", KASANE_VERSION);
    ks_doc_footer(d, b.buf);
    for (size_t i = 0; i < r->n; i++) {
        ks_doc_section *s = ks_doc_section_add(d, r->v[i].name, r->v[i].title);
        ks_doc_add_table(s, KS_DOC_TABLE, NULL, NULL, i);
        footer_notes(s, r, i, j->o->lang);
    }
    ks_buf_release(&b);
}

enum doc_form { DOC_HTML, DOC_MARKDOWN, DOC_TXT };

/* The result's document, or the default one, in one form, as one stream. */
static int write_doc(const ks_write_job *j, enum doc_form form, ks_error *err)
{
    ks_doc def;
    const ks_doc *d = j->r->doc;
    if (!d) {
        default_doc(j, &def);
        d = &def;
    }
    ks_buf b;
    ks_buf_init(&b);
    int rc = form == DOC_HTML ? ks_write_html(j->r, d, &b, err) : ks_write_text(j->r, d, form == DOC_MARKDOWN, &b, err);
    if (rc == 0)
        rc = emit(j, NULL, &b, err);
    ks_buf_release(&b);
    if (d == &def)
        ks_doc_release(&def);
    return rc;
}

static int write_html(const ks_write_job *j, ks_error *err) { return write_doc(j, DOC_HTML, err); }

static int write_txt(const ks_write_job *j, ks_error *err) { return write_doc(j, DOC_TXT, err); }

/* Markdown is both: a document when the result has one, else its tables
 * as pipe tables (as a query or an analysis always printed them). */
static int write_markdown(const ks_write_job *j, ks_error *err)
{
    return j->r->doc ? write_doc(j, DOC_MARKDOWN, err) : write_tables(j, err);
}

/* ---- the table ----------------------------------------------------------------- */

static const ks_writer writers[] = {
    {"table", NULL, "aligned columns for the terminal", write_tables},
    {"csv", NULL, "RFC 4180, CRLF line ends; --bom for Excel", write_tables},
    {"tsv", NULL, "tab separated; \\t \\n \\\\ escaped in values", write_tables},
    {"json", NULL, "one object per table: columns, rows, meta", write_tables},
    {"markdown", "md", "pipe tables; a report as a document", write_markdown},
    {"html", NULL, "one self-contained HTML document", write_html},
    {"txt", "text", "a plain-text document", write_txt},
};

const ks_writer *ks_writer_find(const char *name)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(writers); i++)
        if (strcmp(writers[i].name, name) == 0 || (writers[i].alias && strcmp(writers[i].alias, name) == 0))
            return &writers[i];
    return NULL;
}

const ks_writer *ks_writers(size_t *n)
{
    *n = KS_ARRAY_LEN(writers);
    return writers;
}

void ks_writer_names(ks_buf *out)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(writers); i++)
        ks_buf_addf(out, "%s%s", i ? ", " : "", writers[i].name);
}

/* ---- what the document writers share -------------------------------------------- */

int ks_write_block_table(const ks_result *r, const ks_doc_block *b, const ks_table **t, ks_error *err)
{
    if (b->table >= r->n)
        return ks_error_set(err, KS_EUSAGE, "block '%s' shows table %zu of a result of %zu", b->id ? b->id : "?",
                            b->table, r->n);
    *t = r->v[b->table].t;
    return 0;
}

void ks_write_cell_text(ks_buf *out, const ks_table *t, size_t row, size_t col, int k)
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
