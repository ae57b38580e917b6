/* publish.c: one result, published in one step (publish.h): the result,
 * its links, the audit; the writers are write.c's table. */
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "publish_internal.h"
#include "render.h"
#include "weaken.h"
#include "write.h"

int ks_policy_load(sqlite3 *db, ks_policy *p, ks_error *err)
{
    memset(p, 0, sizeof *p);
    p->k = KS_DEFAULT_THRESHOLD;
    int rc = ks_db_threshold(db, &p->k, err);
    if (rc)
        return rc;
    ks_buf last;
    ks_buf_init(&last);
    if (ks_db_meta_get(db, "last_import", &last, NULL) == 1)
        p->last_import = ks_buf_detach(&last, NULL);
    ks_buf_release(&last);
    return 0;
}

void ks_policy_release(ks_policy *p)
{
    free(p->last_import);
    p->last_import = NULL;
}

ks_result *ks_result_new(const ks_policy *p)
{
    ks_result *r = ks_calloc(1, sizeof *r);
    r->policy.k = p->k;
    r->policy.last_import = p->last_import ? ks_strdup(p->last_import) : NULL;
    return r;
}

void ks_result_free(ks_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        ks_entry *e = &r->v[i];
        free(e->name);
        free(e->title);
        free(e->excluded);
        for (size_t j = 0; j < e->n_notes; j++)
            free(e->notes[j]);
        free(e->notes);
        ks_table_free(e->t);
    }
    for (size_t l = 0; l < r->nlinks; l++)
        free(r->links[l].parts);
    free(r->links);
    free(r->v);
    if (r->doc)
        ks_doc_release(r->doc);
    free(r->doc);
    ks_policy_release(&r->policy);
    free(r);
}

/* Appends a copy of t with its texts; *index (may be NULL) gets its place. */
static void add_entry(ks_result *r, const char *name, const char *title, const ks_table *t, const char *excluded,
                      const char *const *notes, size_t n_notes, size_t *index)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 4;
        r->v = ks_realloc(r->v, ks_mul(r->cap, sizeof *r->v));
    }
    ks_entry *e = &r->v[r->n];
    memset(e, 0, sizeof *e);
    e->name = ks_strdup(name);
    e->title = ks_strdup(title ? title : name);
    e->t = ks_table_copy(t);
    e->excluded = excluded ? ks_strdup(excluded) : NULL;
    e->notes = ks_calloc(n_notes ? n_notes : 1, sizeof *e->notes);
    for (size_t j = 0; j < n_notes; j++)
        e->notes[j] = ks_strdup(notes[j]);
    e->n_notes = n_notes;
    if (index)
        *index = r->n;
    r->n++;
}

int ks_result_add(ks_result *r, const char *name, const char *title, ks_table *t, const char *excluded,
                  const char *const *notes, size_t n_notes, size_t *index, ks_error *err)
{
    int rc;
    if (ks_table_is_aggregate(t) && (rc = ks_suppress(t, r->policy.k, NULL, err)))
        return rc;
    add_entry(r, name, title, t, excluded, notes, n_notes, index);
    return 0;
}

int ks_result_add_protected(ks_result *r, const char *name, const char *title, const ks_table *t, size_t *index,
                            ks_error *err)
{
    int rc = ks_suppress_check(t, r->policy.k, err);
    if (rc)
        return ks_error_prefix(err, "table '%s': ", name);
    add_entry(r, name, title, t, NULL, NULL, 0, index);
    return 0;
}

static bool ref_ok(const ks_result *r, ks_cell_ref c)
{
    if (c.table >= r->n)
        return false;
    const ks_column *col = ks_table_column(r->v[c.table].t, c.col);
    return col && col->is_count && c.row < ks_table_nrows(r->v[c.table].t);
}

int ks_result_link(ks_result *r, ks_cell_ref whole, const ks_cell_ref *parts, size_t nparts, ks_error *err)
{
    bool ok = nparts > 0 && ref_ok(r, whole);
    for (size_t p = 0; p < nparts; p++)
        ok = ok && ref_ok(r, parts[p]);
    if (!ok)
        return ks_error_set(err, KS_EUSAGE, "a link names a cell that is not a count of the result");
    if (r->nlinks == r->lcap) {
        r->lcap = r->lcap ? 2 * r->lcap : 8;
        r->links = ks_realloc(r->links, ks_mul(r->lcap, sizeof *r->links));
    }
    ks_table_link *k = &r->links[r->nlinks++];
    k->whole = whole;
    k->parts = ks_malloc(ks_mul(nparts, sizeof *parts));
    memcpy(k->parts, parts, nparts * sizeof *parts);
    k->nparts = nparts;
    return 0;
}

int ks_result_blank(ks_result *r, size_t table, size_t row, size_t col, ks_error *err)
{
    if (table >= r->n)
        return ks_error_set(err, KS_EUSAGE, "no table %zu in the result", table);
    return ks_table_set_null(r->v[table].t, row, col, err);
}

size_t ks_result_ntables(const ks_result *r) { return r->n; }

const ks_table *ks_result_table(const ks_result *r, size_t i) { return i < r->n ? r->v[i].t : NULL; }

ks_doc *ks_result_doc(ks_result *r)
{
    if (!r->doc) {
        r->doc = ks_malloc(sizeof *r->doc);
        ks_doc_init(r->doc);
    }
    return r->doc;
}

/* ---- step 1: links ---- */

static const ks_cell *ref_cell(const ks_result *r, ks_cell_ref c) { return ks_table_cell(r->v[c.table].t, c.row, c.col); }

static bool ref_hidden(const ks_result *r, ks_cell_ref c) { return ref_cell(r, c)->kind == KS_CELL_SUPPRESSED; }

static double ref_value(const ks_result *r, ks_cell_ref c)
{
    double v = 0;
    ks_cell_number(ref_cell(r, c), &v);
    return v;
}

/* One pass over the links: a link with exactly one hidden cell gives it
 * back (the whole less the other parts, or the sum of the parts), so one
 * more is hidden — the smallest non-zero published part, else the whole (a
 * zero is never a complement: a hidden cell is never 0, docs/disclosure.md).
 * Each table changed has its own secondary suppression run again.  Returns
 * how many cells it hid. */
static int links_pass(ks_result *r, size_t *hid, ks_error *err)
{
    *hid = 0;
    for (size_t l = 0; l < r->nlinks; l++) {
        const ks_table_link *k = &r->links[l];
        size_t hidden = ref_hidden(r, k->whole);
        for (size_t p = 0; p < k->nparts; p++)
            hidden += ref_hidden(r, k->parts[p]);
        if (hidden != 1)
            continue;
        const ks_cell_ref *pick = NULL;
        double best = 0;
        for (size_t p = 0; p < k->nparts; p++) {
            double v = ref_value(r, k->parts[p]);
            if (!ref_hidden(r, k->parts[p]) && v > 0 && (!pick || v < best)) {
                pick = &k->parts[p];
                best = v;
            }
        }
        if (!pick && !ref_hidden(r, k->whole) && ref_value(r, k->whole) > 0)
            pick = &k->whole;
        if (!pick)
            continue; /* every other cell is 0: the hidden one is 0 too, which a hidden cell never is */
        ks_table *t = r->v[pick->table].t;
        int rc = ks_table_suppress(t, pick->row, pick->col, KS_WHY_SECONDARY, err);
        if (!rc)
            rc = ks_suppress_secondary(t, NULL, err);
        if (!rc)
            rc = ks_suppress_links(t, NULL, err);
        if (rc)
            return rc;
        ++*hid;
    }
    return 0;
}

/* A count printed in two places prints with one mark: where a link joins a
 * hidden cell marked "x" (its table has totals or complements) to a hidden
 * copy in a table that would mark it "<k", the copy becomes a linked cell
 * ("x" too).  A "<k" copy of an "x" would tell the reader which of the x's
 * are small counts and which are complements.  Returns how many it changed. */
static size_t align_marks(ks_result *r)
{
    size_t changed = 0;
    for (size_t l = 0; l < r->nlinks; l++) {
        const ks_table_link *k = &r->links[l];
        bool x = ref_hidden(r, k->whole) && !ks_render_small_mark(r->v[k->whole.table].t);
        for (size_t p = 0; p < k->nparts && !x; p++)
            x = ref_hidden(r, k->parts[p]) && !ks_render_small_mark(r->v[k->parts[p].table].t);
        if (!x)
            continue;
        for (size_t p = 0; p <= k->nparts; p++) {
            ks_cell_ref c = p < k->nparts ? k->parts[p] : k->whole;
            ks_table *t = r->v[c.table].t;
            if (ref_hidden(r, c) && ks_render_small_mark(t)) {
                ks_table_suppress(t, c.row, c.col, KS_WHY_LINKED, NULL);
                changed++;
            }
        }
    }
    return changed;
}

int ks_publish_audit(ks_result *r, ks_error *err)
{
    int rc = 0;
    /* 1. links, to a fixed point (each pass hides at least one cell, and
     * there are finitely many) */
    if (!ks_weakened("publish-links")) {
        size_t hid;
        do {
            if ((rc = links_pass(r, &hid, err)))
                return rc;
        } while (hid > 0);
        while (align_marks(r) > 0)
            ;
    }
    /* 2. the audit of the whole result, in production: nothing is printed
     * when a hidden count follows from the tables together */
    const ks_table **tables = ks_malloc(ks_mul(r->n ? r->n : 1, sizeof *tables));
    for (size_t i = 0; i < r->n; i++)
        tables[i] = r->v[i].t;
    size_t determined = 0;
    ks_cell_ref first = {0};
    rc = ks_suppress_audit_linked(tables, r->n, r->links, r->nlinks, &determined, &first, err);
    free(tables);
    if (rc)
        return rc;
    if (determined > 0)
        return ks_error_set(err, KS_ESAFETY,
                            "the audit of this result found %zu hidden count(s) that follow from what its tables "
                            "publish together (first: table '%s', row %zu, column '%s'); nothing was printed",
                            determined, r->v[first.table].name, first.row + 1,
                            ks_table_column(r->v[first.table].t, first.col)->name);
    return 0;
}

/* Steps 1 and 2, then the writer table's row for o->mode; `to` as in
 * ks_write_job. */
static int publish(ks_result *r, const ks_output *o, int headings, ks_buf *to, ks_error *err)
{
    const ks_writer *w = ks_writer_find(o->mode ? o->mode : "table");
    if (!w)
        return ks_error_set(err, KS_EUSAGE, "unknown output format '%s'", o->mode);
    int rc = ks_publish_audit(r, err);
    if (rc)
        return rc;
    /* 3. the writer */
    ks_write_job j = {.r = r, .w = w, .o = o, .headings = headings != 0, .to = to};
    return w->fn(&j, err);
}

int ks_publish(ks_result *r, const ks_output *o, int headings, ks_error *err)
{
    return publish(r, o, headings, NULL, err);
}

int ks_publish_buf(ks_result *r, const ks_output *o, int headings, ks_buf *out, ks_error *err)
{
    return publish(r, o, headings, out, err);
}
