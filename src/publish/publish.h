/* publish.h: one result, published in one step.
 *
 * A command builds a result — named tables, each with its title, notes and
 * the note on what it excluded, the links between tables (a cell of one is
 * the sum of, or the same count as, cells of another), and optionally a
 * document layout (doc.h: sections of text, figures and blocks that show
 * the result's tables) — and prints nothing itself.  ks_publish then, for
 * the result as a whole:
 *   1. follows the links: a count hidden in one place is hidden wherever a
 *      link would give it back (a partner cell, another addend or the sum),
 *      with each table's secondary suppression run again after a change,
 *      to a fixed point; then a count printed in two places gets one mark
 *      ("x" in both when either table marks it so, render.h);
 *   2. audits all tables together (ks_suppress_audit_linked): if any hidden
 *      count follows from what the tables publish, nothing is printed
 *      (-KS_ESAFETY);
 *   3. writes the result through the writer table (write.h) row that
 *      --format names: every table in a render mode, or the document (the
 *      result's own, or a default one of a section per table) as HTML,
 *      Markdown or text.
 * Adding a table protects it at once (primary, secondary and share
 * suppression at the policy's k, as ks_suppress), in place: the caller may
 * read which cells were hidden to decide what else it publishes (a test
 * statistic next to a hidden count is a count in disguise,
 * docs/disclosure.md).  The result keeps its own copy, and a document's
 * blocks show that copy: what is audited is what prints.
 *
 * Ownership: ks_result_new / ks_result_free; tables and strings passed in
 * are copied; the result owns its document.  Errors: 0 or a negative KS_E*
 * with err filled. */
#ifndef KASANE_PUBLISH_H
#define KASANE_PUBLISH_H

#include <sqlite3.h>
#include <stddef.h>

#include "cellkey.h"
#include "doc.h"
#include "output.h"
#include "suppress.h"
#include "table.h"
#include "util.h"

/* How counts are protected (the data officer's choice, `kasane threshold
 * --method`): threshold suppression, the cell key method, or both (cell
 * key, then suppression of what the perturbed table still needs). */
typedef enum ks_sdc_method {
    KS_SDC_SUPPRESS = 0, /* primary, secondary and linked suppression at k (the default) */
    KS_SDC_CELLKEY = 1,  /* every count perturbed through the ptable (cellkey.h) */
    KS_SDC_BOTH = 2,     /* perturbed, then suppressed */
} ks_sdc_method;

/* What a publication is held to: the threshold, the method and ptable, and
 * what every footer says about the data (the time of the last import). */
typedef struct ks_policy {
    int k;                  /* suppression threshold */
    char *last_import;      /* meta last_import, NULL when none (owned) */
    ks_sdc_method method;   /* for the library's tables and the report */
    ks_ptable *ptable;      /* the database's ptable, or kasane's default for k (owned) */
    char ptable_sha256[65]; /* its hash (cellkey.h), named in every cell-keyed footer */
    bool ptable_default;    /* ptable is the default (none stored) */
} ks_policy;

/* The method's name as `threshold --method` takes it; NULL for none. */
const char *ks_sdc_method_name(ks_sdc_method m);
/* -1 for an unknown name. */
int ks_sdc_method_parse(const char *name);

/* The database's policy: its k (ks_db_threshold), its method and ptable
 * (ks_db_sdc_get; kasane's default ptable for k when none is stored) and
 * last import. */
int ks_policy_load(sqlite3 *db, ks_policy *p, ks_error *err);
void ks_policy_release(ks_policy *p);

typedef struct ks_result ks_result;

/* A result held to `p` (copied). */
ks_result *ks_result_new(const ks_policy *p);
void ks_result_free(ks_result *r);

/* An ad-hoc result (an analyst's own SQL, a selection built from options):
 * its counts always go through the cell key method, whatever the database's
 * method (suppress becomes cell key, both stays both).  Call before adding
 * tables. */
void ks_result_adhoc(ks_result *r);
/* The result's tables list only groups that have units (an ad-hoc query's
 * aggregate): under the cell key method a row published as all zeros is left
 * out, since its being there would say "1 to k-1" (publish.c,
 * drop_zero_rows).  Not for tables that list every level whatever the data
 * (analyses), whose rows say nothing and may be linked by position. */
void ks_result_groups_only(ks_result *r);

/* The method this result's tables get. */
ks_sdc_method ks_result_method(const ks_result *r);
/* Whether the result's counts go through the cell key method. */
bool ks_result_cellkey(const ks_result *r);

/* For a producer that computes statistics from the counts it publishes (an
 * analysis): the published value of a count n whose records' keys sum to
 * key_sum — ks_ptable_perturb under the cell key method, n otherwise.  A
 * table built from these values is added with ks_result_add_perturbed. */
int64_t ks_result_count(const ks_result *r, int64_t n, uint64_t key_sum);

/* As ks_result_add for a table whose counts are already ks_result_count's
 * values (its cells carry no keys): not perturbed again; suppressed as the
 * method says, noted as cell-keyed. */
int ks_result_add_perturbed(ks_result *r, const char *name, const char *title, ks_table *t, const char *excluded,
                            const char *const *notes, size_t n_notes, size_t *index, ks_error *err);

/* Cell key method (when the result's method has it): every count cell is
 * published as ks_ptable_perturb(value, its cell key) (table.h,
 * ks_table_set_key); a count without a key is refused (-KS_ESAFETY), except
 * 0, a cell with no records.  A share whose column declares a ratio of
 * counts (ks_table_set_ratio) is computed again from the perturbed counts;
 * every other share or statistic of a perturbed count is hidden (it was
 * computed from the true count and would give it back).  A table whose
 * perturbed parts no longer add up to its perturbed totals says so in its
 * footer, and every cell-keyed table names the method and the ptable's hash.
 *
 * Protects `t` in place when it has a count column, then adds a copy under
 * `name` (machine name: file suffix, heading, "table: NAME" note when
 * name_note) with `title`, `excluded` (may be NULL) and `notes`.  *index
 * (may be NULL) gets the table's index for links. */
int ks_result_add(ks_result *r, const char *name, const char *title, ks_table *t, const char *excluded,
                  const char *const *notes, size_t n_notes, size_t *index, ks_error *err);

/* Adds a copy of a table a stage has protected itself, by rules of its own
 * that are at least ks_suppress's (the report: where no pattern of
 * complements exists it hides every non-zero count), under `name` with
 * `title` (NULL: the name), so that the audit sees it with the rest.
 * Checks only that no count 1..k-1 is shown (-KS_ESAFETY). */
int ks_result_add_protected(ks_result *r, const char *name, const char *title, const ks_table *t, size_t *index,
                            ks_error *err);

/* Leaves cell (row, col) of the result's table `table` out (NULL, printed
 * as a dash or empty): for a stage that learns after adding a table that a
 * value of it would give back a count hidden elsewhere (the report's
 * headline, when a month table had to hide its grand total).  Only ever
 * removes what prints. */
int ks_result_blank(ks_result *r, size_t table, size_t row, size_t col, ks_error *err);

/* Declares that cell `whole` equals the sum of `parts` (copied). */
int ks_result_link(ks_result *r, ks_cell_ref whole, const ks_cell_ref *parts, size_t nparts, ks_error *err);

size_t ks_result_ntables(const ks_result *r);
/* The result's copy of table i (as it will be printed once published). */
const ks_table *ks_result_table(const ks_result *r, size_t i);

/* The result's document layout, created empty on the first call: a result
 * with one is written as that document by html, markdown and txt. */
ks_doc *ks_result_doc(ks_result *r);

/* Steps 1 and 2 above, writing nothing. */
int ks_publish_audit(ks_result *r, ks_error *err);

/* Steps 1-3 above.  `o` gives the writer (o->mode, a name of the writer
 * table), the --out path, BOM, comments and the language of a default
 * document.  With `headings` (several tables to tell apart), the tables
 * way prints "[NAME] TITLE" (table) or "### TITLE" (markdown) before each
 * table and every table's notes start with "table: NAME"; with --out each
 * table goes to FILE.NAME.EXT. */
int ks_publish(ks_result *r, const ks_output *o, int headings, ks_error *err);
/* The same, appending to `out` what stdout would get (--out is ignored). */
int ks_publish_buf(ks_result *r, const ks_output *o, int headings, ks_buf *out, ks_error *err);

#endif
