/* suppress.h: disclosure control for result tables (threshold rule, secondary
 * suppression, and an independent audit).  docs/disclosure.md explains the
 * threat model; the rules in short:
 *
 * Primary: a count cell with 0 < value < k is hidden.  A true zero is shown,
 * as statistical offices do (e-Stat prints "-", ONS "0"): a zero says nobody
 * in that group, which names no one, and hiding every zero would wipe out
 * most sparse tables.  The zero risk the standard worries about is group
 * disclosure (a row whose total sits in one cell, so "everyone in 東部 who
 * ..."), which no threshold rule prevents; it is a documented residual risk.
 * Because zeros are always shown and never used as complements, a hidden
 * cell is never 0: the audit assumes a reader knows that (lower bound 1).
 *
 * Additive structure: a table may declare one total row and one total column
 * (ks_table_set_totals).  With a total column every row satisfies: the sum of
 * its count cells other than the total column equals its total-column cell.
 * With a total row every count column satisfies: the sum of the other rows
 * equals the total row's cell (the total row itself is a row, so the column of
 * row totals sums to the grand total, and the row of column totals sums to it
 * too).  A long (group, count) list is the case "total row, no total column".
 * Totals must really add up (multi-response tables, where one case counts in
 * several columns, must not declare them); ks_suppress refuses otherwise.
 *
 * Secondary: with totals declared, more cells are hidden until no hidden cell
 * can be worked out, in three steps repeated to a fixed point:
 *  1. every line (row or column equation) with a hidden cell gets a second;
 *  2. seeing lines as graph nodes and hidden cells as edges (a missing
 *     dimension is one free node), no hidden cell may be a bridge: a bridge
 *     is exactly a cell that follows by adding and subtracting lines, even
 *     when every line holds two hidden cells;
 *  3. no hidden cell may be pinned to one value by what a reader knows
 *     (every hidden cell >= 1, every line sum): two 1s whose line leaves 2,
 *     or the same across several lines.
 * Complements are non-total cells before totals, then the smallest non-zero
 * published value.  A total below k is itself a primary cell.
 *
 * Audit: ks_suppress_audit shares no code with steps 1 and 2.  It writes the
 * line equations over the hidden cells as a matrix and finds, with an SVD
 * (GSL), each hidden cell whose unit vector lies in the row space: exactly
 * those cells are determined.  It also gives each hidden cell's exact bounds
 * (least and greatest value over all integer tables >= 1 that agree with the
 * published cells), by maximum flow, which step 3 uses too; "pinned" is
 * lo == hi.  It assumes, as the rules guarantee, that hidden cells are >= 1.
 *
 * Not covered (docs/disclosure.md): narrow but not single-valued intervals
 * (a hidden cell known to be 1 or 2), differencing between tables, group
 * disclosure, and a reader who replays this deterministic heuristic.
 *
 * Ownership: ks_audit_init / ks_audit_release for the audit report. */
#ifndef KASANE_SUPPRESS_H
#define KASANE_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "table.h"
#include "util.h"

typedef struct ks_suppress_stats {
    size_t primary;   /* counts hidden by the threshold rule */
    size_t secondary; /* complementary cells hidden to protect them */
    size_t linked;    /* share cells hidden with their count or denominator */
} ks_suppress_stats;

/* Everything in order: checks the declared totals add up, then primary,
 * secondary (only with totals declared) and linked suppression.  k >= 1.
 * Counts must be whole and non-negative; NULL in a count column counts as a
 * published 0.
 * `stats` may be NULL; it is added to, not reset.  -KS_EUSAGE for a bad table
 * (totals that do not add up, text or negative numbers in a count column),
 * -KS_ESAFETY when no set of cells protects the table (the caller must not
 * print it). */
int ks_suppress(ks_table *t, int k, ks_suppress_stats *stats, ks_error *err);

/* The steps on their own (tests use them to build unprotected tables). */
int ks_suppress_primary(ks_table *t, int k, ks_suppress_stats *stats, ks_error *err);
int ks_suppress_secondary(ks_table *t, ks_suppress_stats *stats, ks_error *err);
int ks_suppress_links(ks_table *t, ks_suppress_stats *stats, ks_error *err);

/* The output guarantee, cheap enough to run before every print: no count cell
 * holds 0 < value < k, and no share is shown whose count or denominator is
 * hidden.  0 when it holds (or k <= 0), else -KS_ESAFETY naming the first
 * offending cell by row and column (never its value). */
int ks_suppress_check(const ks_table *t, int k, ks_error *err);

typedef struct ks_audit_cell {
    size_t row;      /* table row of the hidden count cell */
    size_t col;      /* table column */
    bool determined; /* its exact value follows linearly from published cells */
    bool pinned;     /* the derivable bounds leave a single value */
    double lo;       /* least value a reader cannot rule out (>= 1) */
    double hi;       /* greatest such value, INFINITY when unbounded */
} ks_audit_cell;

typedef struct ks_audit {
    ks_audit_cell *cells; /* [n], in row-major table order */
    size_t n;             /* hidden count cells (all of them) */
    size_t lines;         /* line equations that involve a hidden cell */
    size_t rank;          /* rank of the equations over the hidden cells */
    size_t determined;    /* cells with determined set */
    size_t pinned;        /* cells with pinned set */
} ks_audit;

void ks_audit_init(ks_audit *a);
void ks_audit_release(ks_audit *a);

/* Fills `a` (released and refilled if it held a report).  Every hidden count
 * cell is listed, also in a table without totals (where none is determined).
 * Cost: an SVD per connected block of hidden cells, cubic in its size (a
 * 7 x 22 table takes a millisecond, 3000 hidden cells in one block about
 * 20 s), plus two maximum flows per hidden cell. */
int ks_suppress_audit(const ks_table *t, ks_audit *a, ks_error *err);

/* A cell of one of several tables (those of one result, publish.h). */
typedef struct ks_cell_ref {
    size_t table; /* index among the tables */
    size_t row;   /* row in that table */
    size_t col;   /* column in that table */
} ks_cell_ref;

/* A link between published tables: `whole` is the sum of `parts` (one part:
 * the same count printed in two places).  Both are count cells. */
typedef struct ks_table_link {
    ks_cell_ref whole;  /* the sum */
    ks_cell_ref *parts; /* its addends */
    size_t nparts;      /* at least 1 */
} ks_table_link;

/* The audit across tables: every table's line equations and one equation
 * per link, over the hidden count cells of all the tables, with the same
 * rank test as ks_suppress_audit.  *determined gets how many hidden cells
 * follow linearly from what is published anywhere in them; `first` (may be
 * NULL) the first such cell.  Bounds are not computed: links break the
 * network structure the flow bounds rely on. */
int ks_suppress_audit_linked(const ks_table *const *tables, size_t ntables, const ks_table_link *links,
                             size_t nlinks, size_t *determined, ks_cell_ref *first, ks_error *err);

#endif
