/* publish.h: one result, published in one step.
 *
 * A command builds a result — named tables, each with its title, notes and
 * the note on what it excluded, and the links between tables (a cell of one
 * is the sum of, or the same count as, cells of another) — and prints
 * nothing itself.  ks_publish then, for the result as a whole:
 *   1. follows the links: a count hidden in one place is hidden wherever a
 *      link would give it back (a partner cell, another addend or the sum),
 *      with each table's secondary suppression run again after a change,
 *      to a fixed point; then a count printed in two places gets one mark
 *      ("x" in both when either table marks it so, render.h);
 *   2. audits all tables together (ks_suppress_audit_linked): if any hidden
 *      count follows from what the tables publish, nothing is printed
 *      (-KS_ESAFETY);
 *   3. writes every table through the renderer (render.h) with its footer,
 *      a heading per table in table and markdown modes, or each to its own
 *      file with --out FILE (FILE.NAME.EXT).
 * Adding a table protects it at once (primary, secondary and share
 * suppression at the policy's k, as ks_suppress), in place: the caller may
 * read which cells were hidden to decide what else it publishes (a test
 * statistic next to a hidden count is a count in disguise,
 * docs/disclosure.md).  The result keeps its own copy.
 *
 * Ownership: ks_result_new / ks_result_free; tables and strings passed in
 * are copied.  Errors: 0 or a negative KS_E* with err filled. */
#ifndef KASANE_PUBLISH_H
#define KASANE_PUBLISH_H

#include <sqlite3.h>
#include <stddef.h>

#include "output.h"
#include "suppress.h"
#include "table.h"
#include "util.h"

/* What a publication is held to: the threshold, and what every footer says
 * about the data (the time of the last import). */
typedef struct ks_policy {
    int k;             /* suppression threshold */
    char *last_import; /* meta last_import, NULL when none (owned) */
} ks_policy;

/* The database's policy: its k (ks_db_threshold) and last import. */
int ks_policy_load(sqlite3 *db, ks_policy *p, ks_error *err);
void ks_policy_release(ks_policy *p);

typedef struct ks_result ks_result;

/* A result held to `p` (copied). */
ks_result *ks_result_new(const ks_policy *p);
void ks_result_free(ks_result *r);

/* Protects `t` in place when it has a count column, then adds a copy under
 * `name` (machine name: file suffix, heading, "table: NAME" note when
 * name_note) with `title`, `excluded` (may be NULL) and `notes`.  *index
 * (may be NULL) gets the table's index for links. */
int ks_result_add(ks_result *r, const char *name, const char *title, ks_table *t, const char *excluded,
                  const char *const *notes, size_t n_notes, size_t *index, ks_error *err);

/* Adds a copy of a table a stage has protected itself, by rules of its own
 * that are at least ks_suppress's (the report: where no pattern of
 * complements exists it hides every non-zero count), so that the audit
 * sees it with the rest.  Checks only that no count 1..k-1 is shown. */
int ks_result_add_protected(ks_result *r, const char *name, const ks_table *t, size_t *index, ks_error *err);

/* Declares that cell `whole` equals the sum of `parts` (copied). */
int ks_result_link(ks_result *r, ks_cell_ref whole, const ks_cell_ref *parts, size_t nparts, ks_error *err);

size_t ks_result_ntables(const ks_result *r);
/* The result's copy of table i (as it will be printed once published). */
const ks_table *ks_result_table(const ks_result *r, size_t i);

/* Steps 1 and 2 above, writing nothing: for a stage with writers of its
 * own (the report's document), which publishes what passed. */
int ks_publish_audit(ks_result *r, ks_error *err);

/* Steps 1-3 above.  `o` gives the mode, the --out path, BOM and comments.
 * With `headings`, table and markdown modes print "[NAME] TITLE" or
 * "### TITLE" before each table and every table's notes start with
 * "table: NAME" (several tables to tell apart). */
int ks_publish(ks_result *r, const ks_output *o, int headings, ks_error *err);

#endif
