/* publish.c: one result, published in one step (publish.h): the result,
 * its links, the audit; the writers are write.c's table. */
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sdc.h"
#include "publish_internal.h"
#include "render.h"
#include "weaken.h"
#include "write.h"

static const char *const method_names[] = {[KS_SDC_SUPPRESS] = "suppress", [KS_SDC_CELLKEY] = "cellkey",
                                           [KS_SDC_BOTH] = "both"};

const char *ks_sdc_method_name(ks_sdc_method m)
{
    return (size_t)m < KS_ARRAY_LEN(method_names) ? method_names[m] : NULL;
}

int ks_sdc_method_parse(const char *name)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(method_names); i++)
        if (strcmp(name, method_names[i]) == 0)
            return (int)i;
    return -1;
}

/* The spread of kasane's default ptable (datasets/ptables/README.md). */
enum { DEFAULT_SPREAD = 2, DEFAULT_KEY_RANGE = 256 };

/* The method and ptable of p from the database: the stored ptable, or the
 * default for p->k. */
static int policy_sdc(sqlite3 *db, ks_policy *p, ks_error *err)
{
    ks_buf method, csv, sha;
    ks_buf_init(&method);
    ks_buf_init(&csv);
    ks_buf_init(&sha);
    int rc = ks_db_sdc_get(db, &method, &csv, &sha, err);
    if (rc == 0 && method.len) {
        int m = ks_sdc_method_parse(method.buf);
        if (m < 0)
            rc = ks_error_set(err, KS_EDATA, "database: unknown disclosure control method '%s'", method.buf);
        else
            p->method = (ks_sdc_method)m;
    }
    if (rc == 0 && csv.len)
        rc = ks_ptable_parse("the database's ptable", csv.buf, csv.len, 0, &p->ptable, err);
    else if (rc == 0) {
        /* the default: key range 256 as ONS's census, 4096 where k needs
         * it (k^2 - 1 keys); none above (k > 64), and only a cell-keyed
         * output then fails (ks_result_add) */
        p->ptable_default = true;
        ks_error ignored = {0};
        if (ks_ptable_default(p->k, DEFAULT_SPREAD, DEFAULT_KEY_RANGE, &p->ptable, &ignored) != 0)
            ks_ptable_default(p->k, DEFAULT_SPREAD, KS_PTABLE_MAX_KEY_RANGE, &p->ptable, &ignored);
    }
    if (rc == 0 && p->ptable)
        ks_ptable_sha256(p->ptable, p->ptable_sha256);
    ks_buf_release(&method);
    ks_buf_release(&csv);
    ks_buf_release(&sha);
    return rc;
}

int ks_policy_load(sqlite3 *db, ks_policy *p, ks_error *err)
{
    memset(p, 0, sizeof *p);
    p->k = KS_DEFAULT_THRESHOLD;
    int rc = ks_db_threshold(db, &p->k, err);
    if (rc == 0)
        rc = policy_sdc(db, p, err);
    if (rc) {
        ks_policy_release(p);
        return rc;
    }
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
    ks_ptable_free(p->ptable);
    p->ptable = NULL;
}

ks_result *ks_result_new(const ks_policy *p)
{
    ks_result *r = ks_calloc(1, sizeof *r);
    r->policy = *p;
    r->policy.last_import = p->last_import ? ks_strdup(p->last_import) : NULL;
    r->policy.ptable = p->ptable ? ks_ptable_dup(p->ptable) : NULL;
    r->method = p->method;
    return r;
}

void ks_result_groups_only(ks_result *r) { r->adhoc = true; }

void ks_result_adhoc(ks_result *r)
{
    if (r->method == KS_SDC_SUPPRESS)
        r->method = KS_SDC_CELLKEY;
}

ks_sdc_method ks_result_method(const ks_result *r) { return r->method; }

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

/* ---- the cell key method ---- */

/* Whether a count cell was changed by the perturbation: [rows * cols]. */
static int perturb_counts(const ks_result *r, ks_table *t, const char *name, bool *changed, ks_error *err)
{
    size_t nr = ks_table_nrows(t), nc = ks_table_ncols(t);
    for (size_t j = 0; j < nc; j++) {
        if (!ks_table_column(t, j)->is_count)
            continue;
        for (size_t i = 0; i < nr; i++) {
            const ks_cell *c = ks_table_cell(t, i, j);
            if (c->kind != KS_CELL_INT)
                continue;
            uint16_t key;
            int64_t v = c->v.i;
            if (!ks_table_key(t, i, j, &key)) {
                if (v == 0)
                    continue; /* no records, no key: a zero stays zero (docs/disclosure.md) */
                return ks_error_set(err, KS_ESAFETY,
                                    "table '%s', row %zu, column '%s': a count without a cell key cannot be published "
                                    "by the cell key method; nothing was printed",
                                    name, i + 1, ks_table_column(t, j)->name);
            }
            int64_t p = ks_ptable_perturb(r->policy.ptable, v, key);
            if (p < 0)
                p = 0; /* ks_ptable_check refuses such tables when they are set; never print a negative count */
            changed[i * nc + j] = p != v;
            int rc = ks_table_set_int(t, i, j, p, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* Shares after the perturbation: a declared ratio from the perturbed
 * counts; any other share of a changed count hidden (it was computed from
 * the true count). */
static void perturb_shares(ks_table *t, const bool *changed)
{
    size_t nr = ks_table_nrows(t), nc = ks_table_ncols(t);
    for (size_t j = 0; j < nc; j++) {
        const ks_column *col = ks_table_column(t, j);
        if (!col->is_share || col->source < 0)
            continue;
        size_t src = (size_t)col->source;
        for (size_t i = 0; i < nr; i++) {
            const ks_cell *c = ks_table_cell(t, i, j);
            if (c->kind == KS_CELL_NULL || c->kind == KS_CELL_TEXT || c->kind == KS_CELL_SUPPRESSED)
                continue;
            bool moved = changed[i * nc + src] || (col->denom >= 0 && changed[i * nc + (size_t)col->denom]);
            if (!moved)
                continue;
            if (col->ratio > 0) {
                double num = 0, den = 0;
                ks_cell_number(ks_table_cell(t, i, src), &num);
                ks_cell_number(ks_table_cell(t, i, (size_t)col->denom), &den);
                if (den > 0)
                    ks_table_set_real(t, i, j, col->ratio * num / den, NULL);
                else
                    ks_table_set_null(t, i, j, NULL);
            } else {
                ks_table_suppress(t, i, j, KS_WHY_LINKED, NULL);
            }
        }
    }
}

/* An ad-hoc table lists only groups that have units: a row there whose
 * counts are all published as 0 says "1 to k-1 of them", as much as a "<k"
 * (a true zero is never a row).  Such rows are left out, so that a
 * published 0 and a missing row both mean "0 to k-1" (docs/disclosure.md,
 * zeros).  Tables with totals keep their rows. */
static void drop_zero_rows(ks_table *t)
{
    bool dims = false;
    for (size_t j = 0; j < ks_table_ncols(t); j++)
        dims = dims || !ks_table_column(t, j)->is_count;
    /* without a dimension the one row is the total, there whatever it holds */
    if (!dims || ks_table_total_row(t) >= 0 || ks_table_total_col(t) >= 0)
        return;
    for (size_t i = ks_table_nrows(t); i-- > 0;) {
        bool all_zero = true, any = false;
        for (size_t j = 0; j < ks_table_ncols(t) && all_zero; j++) {
            const ks_cell *c = ks_table_cell(t, i, j);
            if (!ks_table_column(t, j)->is_count)
                continue;
            any = true;
            all_zero = c->kind == KS_CELL_INT && c->v.i == 0;
        }
        if (any && all_zero)
            ks_table_remove_row(t, i, NULL);
    }
}

/* The cell key method on t in place; *nonadditive when its totals no
 * longer add up. */
static int cellkey_table(const ks_result *r, ks_table *t, const char *name, bool *nonadditive, ks_error *err)
{
    size_t n = ks_mul(ks_table_nrows(t), ks_table_ncols(t));
    bool *changed = ks_calloc(n ? n : 1, sizeof *changed);
    int rc = perturb_counts(r, t, name, changed, err);
    if (rc == 0) {
        perturb_shares(t, changed);
        *nonadditive = !ks_table_totals_add_up(t);
    }
    free(changed);
    return rc;
}

bool ks_result_cellkey(const ks_result *r) { return r->method != KS_SDC_SUPPRESS; }

int64_t ks_result_count(const ks_result *r, int64_t n, uint64_t key_sum)
{
    if (!ks_result_cellkey(r) || !r->policy.ptable)
        return n;
    int64_t p = ks_ptable_perturb(r->policy.ptable, n, key_sum);
    return p < 0 ? 0 : p;
}

static int add_table(ks_result *r, const char *name, const char *title, ks_table *t, const char *excluded,
                     const char *const *notes, size_t n_notes, size_t *index, bool perturbed, ks_error *err)
{
    int rc;
    bool cellkey = r->method != KS_SDC_SUPPRESS && ks_table_is_aggregate(t);
    bool nonadditive = false;
    if (cellkey && !r->policy.ptable)
        return ks_error_set(err, KS_ESAFETY,
                            "the cell key method needs a ptable: kasane's default covers k up to 64 (k is %d); the "
                            "data officer sets one with 'kasane threshold --ptable FILE'",
                            r->policy.k);
    if (cellkey && perturbed)
        nonadditive = !ks_table_totals_add_up(t);
    if (cellkey && !perturbed && (rc = cellkey_table(r, t, name, &nonadditive, err)))
        return rc;
    if (cellkey && r->adhoc)
        drop_zero_rows(t);
    /* suppression: the method's own, or what the ptable leaves (a custom
     * ptable checked by threshold publishes nothing in 1..k-1, so this is
     * the check that it did) */
    /* perturbed parts that no longer add up are no equations a reader can
     * solve, so "both" suppresses primary cells only then (and the ptable
     * check of threshold leaves none in practice) */
    if (ks_table_is_aggregate(t) && r->method != KS_SDC_CELLKEY &&
        (rc = cellkey && nonadditive ? ks_suppress_primary(t, r->policy.k, NULL, err)
                                     : ks_suppress(t, r->policy.k, NULL, err)))
        return rc;
    if (cellkey && (rc = ks_suppress_check(t, r->policy.k, err)))
        return ks_error_prefix(err, "table '%s' after the cell key method: ", name);
    add_entry(r, name, title, t, excluded, notes, n_notes, index);
    if (cellkey) {
        ks_entry *e = &r->v[r->n - 1];
        e->cellkey = true;
        e->nonadditive = nonadditive;
    }
    return 0;
}

int ks_result_add(ks_result *r, const char *name, const char *title, ks_table *t, const char *excluded,
                  const char *const *notes, size_t n_notes, size_t *index, ks_error *err)
{
    return add_table(r, name, title, t, excluded, notes, n_notes, index, false, err);
}

int ks_result_add_perturbed(ks_result *r, const char *name, const char *title, ks_table *t, const char *excluded,
                            const char *const *notes, size_t n_notes, size_t *index, ks_error *err)
{
    return add_table(r, name, title, t, excluded, notes, n_notes, index, true, err);
}

int ks_result_add_protected(ks_result *r, const char *name, const char *title, const ks_table *t, size_t *index,
                            ks_error *err)
{
    /* a stage that protects its tables itself (the report) protects them by
     * suppression of true counts: under a cell-keyed method that would
     * publish what the data officer chose not to */
    if (r->method != KS_SDC_SUPPRESS && ks_table_is_aggregate(t))
        return ks_error_set(err, KS_ESAFETY,
                            "table '%s': this output protects its counts by threshold suppression only and does not "
                            "carry cell keys yet, but the database's method is '%s'; nothing was printed (the data "
                            "officer can set 'kasane threshold --method suppress')",
                            name, ks_sdc_method_name(r->method));
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
