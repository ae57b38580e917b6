/* analyze.h: the statistics of `kasane analyze` -- crosstab, logit, trend,
 * cooccur, survival, partners -- computed with the stats_* modules from a
 * filtered selection of cases and printed through ks_output_table, so every
 * count meets the same disclosure control as `kasane query`.
 *
 * Layers: a session (ks_an) holds the read-only connection, the threshold
 * k, the output options and the selection; variables (ks_an_var) turn a name
 * typed by the analyst ("district", "problem:hikikomori") into SQL over
 * case_record and a list of levels with labels; each analysis scans the
 * selection once, aggregates in C, calls the stats_* functions and hands its
 * tables to ks_an_emit.  Analysts never write SQL: every filter and variable
 * is a named, validated option, resolved to integers or checked dates.
 *
 * Disclosure (docs/disclosure.md applies): count columns go through the k
 * rule; every statistic that describes one group (a level's coefficient, a
 * KM curve point, a series' trend) is a share of that group's count, so it
 * is hidden with it; counts written into footer notes print as "<k" below k.
 * Statistics computed over the whole table (chi-squared, log-rank) are
 * printed whatever the cells, but not when the analysis has fewer than k
 * cases in all.
 *
 * The cell key method (issue 12; publish.h, cellkey.h).  Which method an
 * analysis gets is decided once, in ks_an_init:
 *   - a selection built from options (any of --from, --to, --fy,
 *     --district, --field, --consent yes|no) is an ad-hoc table, the kind
 *     differencing attacks are made of (the same table with and without one
 *     condition), so its counts always go through the cell key method
 *     (ks_result_adhoc: suppress becomes cellkey, both stays both);
 *   - the whole database (no filter) is held to the database's own policy
 *     (`kasane threshold --method`): plain suppression by default, which
 *     prints every byte as before.
 * --drop-unknown is not a filter: it leaves out a level whose count the
 * table without it prints anyway.  (kasane-weak, weakened analyze-cellkey:
 * no analysis is made ad hoc, so the attack tests can show what
 * suppression alone leaks.)
 *
 * Under the cell key method every count an analysis publishes -- table
 * cells, margins and the counts in its footer notes -- is ks_an_count's
 * value: the true count perturbed by the sum of its units' record keys
 * (ks_an_scan hands each case's key to the row callback).  Each analysis
 * then computes its statistics FROM THOSE PUBLISHED COUNTS, or hides them
 * where they need case-level data the table does not carry; a statistic
 * computed from the true counts next to the perturbed ones would give the
 * true counts back, so none is printed.  Per analysis:
 *   crosstab  counts and margins perturbed; row/column % = perturbed cell /
 *             perturbed margin; expected counts, adjusted residuals, chi2,
 *             G2, Cramer's V, Fisher (2x2) and the Monte-Carlo p from the
 *             table of perturbed cells (its margins their sums).  Every
 *             level of both variables is listed, with or without cases, so
 *             which rows appear says nothing about the selection.
 *   partners  cases, closed and good perturbed per row, pairs' counts too;
 *             share = perturbed cases / perturbed n; good rate and its
 *             Wilson interval from perturbed good / perturbed closed (none
 *             when the perturbed good exceeds the perturbed closed); pairs'
 *             expected count and lift from the perturbed counts; rows and
 *             pairs listed and ranked by their perturbed counts (> 0).
 *   cooccur   units with A, with B, with both and the units in all
 *             perturbed; expected, lift, its interval, phi and Fisher's p
 *             from the 2x2 those four published counts define; a pair whose
 *             perturbed counts do not make a 2x2 (a negative cell) has no
 *             statistics and is outside the BH family.
 *   trend     monthly counts, series totals and month totals perturbed
 *             (each with its own key sum); the Poisson / quasi-Poisson fit
 *             of each series on its perturbed monthly counts (a function of
 *             the published table; the noise is small against monthly
 *             counts and unbiased); the months span the whole database
 *             within --from/--to/--fy, not the selection's first and last
 *             case (which would date those cases).
 *   survival  events, censored and n per group, and the at-risk and event
 *             counts at the --times, perturbed; the Kaplan-Meier estimate,
 *             its interval, the median and the log-rank test are HIDDEN:
 *             they are functions of every case's own time (S(t) is a
 *             product over each day's events and risk set), which the
 *             published table does not carry, and computed from the true
 *             data they give true counts back (S(t) = 17/20 names both).
 *   logit     the model is fitted on the covariate patterns' perturbed
 *             successes and failures (the aggregated table the fit uses,
 *             each cell perturbed by its own key sum); level counts, n and
 *             events perturbed.  Coefficients, SEs, deviance and AIC are
 *             then functions of perturbed counts only.
 * With the method `both` the analyses' own suppression rules (partners'
 * nested counts, cooccur's pairs, trend's grouped months, p classes next to
 * hidden cells) run on the perturbed counts, as ks_suppress does; a table
 * whose perturbed totals no longer add up is suppressed without them
 * (ks_an_emit).  Survival's curve links are suppression's and are not
 * applied to its perturbed counts.
 *
 * Ownership: ks_an_init/ks_an_release for the session (the connection is
 * borrowed); ks_an_var_new/ks_an_var_free for variables.  Errors: 0 or a
 * negative KS_E* code with the message in `err`: -KS_EUSAGE for bad options
 * or names, -KS_EDATA when the data cannot support the analysis (no cases,
 * one outcome value), -KS_ESAFETY when it has fewer than k cases. */
#ifndef KASANE_ANALYZE_H
#define KASANE_ANALYZE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "publish.h"
#include "rkey.h"
#include "stats_glm.h"
#include "table.h"
#include "util.h"

/* ---- session and selection ------------------------------------------------ */

typedef struct ks_an_filter {
    const char *from;     /* --from YYYY-MM-DD: consult_date >= from, NULL = none */
    const char *to;       /* --to YYYY-MM-DD: consult_date <= to, NULL = none */
    int fy;               /* --fy YEAR (April..March), 0 = none */
    const char *district; /* --district code, Japanese or English label, NULL = none */
    const char *field;    /* --field care|disability|child|poverty|other, NULL = none */
    const char *consent;  /* --consent yes|no|all, NULL = all */
} ks_an_filter;

/* Options of the individual analyses (zero = default). */
typedef struct ks_an_opts {
    uint64_t simulate;      /* crosstab: Monte-Carlo replicates, 0 = only when sparse (2000) */
    bool simulate_set;      /* --simulate given (0 turns the Monte-Carlo test off) */
    unsigned long seed;     /* crosstab: seed of the Monte-Carlo test (default 1) */
    bool drop_unknown;      /* leave out recorded 不明 values (sex U, outcome unknown) */
    const char *const *refs;/* logit: "var=level" reference choices */
    size_t n_refs;          /* entries in refs */
    int solver;             /* logit: KS_AN_SOLVER_* */
    bool seasonal;          /* trend: month-of-year terms */
    bool household;         /* cooccur: --unit household */
    size_t top;             /* cooccur/partners: rows in ranked lists, 0 = default */
    const char *times;      /* survival: "30,90,180,365" */
    bool adhoc;             /* the cell key method even without filters (the guide: public output) */
} ks_an_opts;

enum {
    KS_AN_SOLVER_AUTO = 0,   /* sparse normal equations, ks_glm_fit whenever in doubt */
    KS_AN_SOLVER_QR = 1,     /* always ks_glm_fit (R's glm.fit, pivoted QR) */
    KS_AN_SOLVER_SPARSE = 2, /* sparse normal equations unless they cannot decide */
};

typedef struct ks_an {
    sqlite3 *db;           /* read-only analysis connection (borrowed) */
    const ks_output *out;  /* output options (borrowed) */
    ks_an_opts opts;       /* per-analysis options (strings borrowed) */
    int k;                 /* the database's threshold */
    char *where;           /* SQL condition over case_record c (integers and :from/:to only) */
    const char *from;      /* bound to :from, NULL when unused */
    const char *to;        /* bound to :to */
    char *selection;       /* the filters in words, "" when none */
    int64_t n_database;    /* cases in the database */
    int64_t n_selected;    /* cases the filters keep */
    char *last_date;       /* latest consult or closed date in the database (censoring) */
    ks_result *result;     /* the tables emitted so far, published by ks_an_publish */
    int fy;                /* --fy, 0 for none (trend's months under the cell key method) */
    bool cellkey;          /* counts go through the cell key method (see the top) */
    bool suppress;         /* the method has threshold suppression (suppress or both) */
    ks_rkeys *keys;        /* the record keys, in memory (cell key method only; owned) */
    uint64_t key_database; /* sum of every case's record key (cell key method only) */
    uint64_t key_selected; /* sum of the selected cases' keys (cell key method only) */
} ks_an;

/* Opens the selection: checks and resolves the filters (district by code or
 * label, field by code or label), counts the database and the selection. */
int ks_an_init(ks_an *a, sqlite3 *db, const ks_output *out, const ks_an_filter *f,
               const ks_an_opts *opts, ks_error *err);
void ks_an_release(ks_an *a);

/* ---- variables ---------------------------------------------------------- */

typedef enum ks_an_kind {
    KS_AN_CODE,   /* one value per case: a code id or a number (levels from the data) */
    KS_AN_BINARY, /* 0/1 per case ("problem:hikikomori", "multi_agency") */
    KS_AN_SET,    /* several values per case: bits of a mask ("problems", "partners") */
    KS_AN_NUMBER, /* a number used as is in a model ("age", "n_partners") */
} ks_an_kind;

typedef struct ks_an_level {
    int64_t value;   /* the stored value (code id, year, count; 1/0 for binary) */
    char *code;      /* stable code ("65-69", "Tobu", "1") */
    char *label;     /* display label in the session's language */
    bool unknown;    /* a recorded 不明 (dropped with drop_unknown) */
} ks_an_level;

typedef struct ks_an_var {
    char *name;           /* as the analyst wrote it, normalised ("problem:hikikomori") */
    char *label;          /* column heading ("地区", "District") */
    ks_an_kind kind;      /* see above */
    char *expr;           /* SQL over case_record c: the value, or the mask for a set */
    ks_an_level *lev;     /* [nlev] levels, in code order */
    size_t nlev;          /* levels */
    int bit_level[64];    /* set: bit -> level index, -1 for none */
    const char *mask;     /* binary from a mask: the mask column, NULL otherwise */
    int mask_bit;         /* binary from a mask: the bit (expr is (mask >> bit) & 1) */
    bool numeric;         /* may be used as a number in a model */
    int64_t lut_min;      /* code: smallest value in lut */
    int *lut;             /* code: value - lut_min -> level index or -1 */
    size_t lut_n;         /* entries in lut */
} ks_an_var;

/* Parses a variable name.  `allow_number` admits the numeric ones (age,
 * n_problems, n_supports, n_partners, field_count) as numbers; without it
 * they are codes with levels from the data.  Names: see ks_an_var_help. */
ks_an_var *ks_an_var_new(ks_an *a, const char *name, bool allow_number, ks_error *err);
void ks_an_var_free(ks_an_var *v);
extern const char ks_an_var_help[];

/* Level index of a scanned value, -1 when the value has no level. */
int ks_an_var_index(const ks_an_var *v, int64_t value);
/* Finds a level by code, Japanese or English label (NFKC-casefolded), -1 if none. */
int ks_an_var_find(const ks_an_var *v, const char *text);

/* ---- scanning ------------------------------------------------------------ */

/* Called once per selected case with the values of the expressions; null[i]
 * is set for SQL NULL.  A non-zero return stops the scan and is returned.
 * val[n] (n: the number of expressions) is the case's record key under the
 * cell key method (rkey.h), 0 otherwise. */
typedef int (*ks_an_row_fn)(void *ud, const int64_t *val, const bool *null);

/* The record key of unit `id` (a case, or a household for --unit
 * household), from a->keys; -KS_ESAFETY when it has none (its counts could
 * not be perturbed). */
int ks_an_key(const ks_an *a, ks_rkey_unit unit, int64_t id, int64_t *key, ks_error *err);

/* SELECT expr... FROM case_record c WHERE <selection> [AND extra].  Under
 * the cell key method a case without a record key stops the scan
 * (-KS_ESAFETY: its counts could not be perturbed). */
int ks_an_scan(ks_an *a, const char *const *exprs, size_t n, const char *extra,
               ks_an_row_fn fn, void *ud, ks_error *err);
/* Prepares SQL that may use :from and :to and binds them. */
int ks_an_prepare(ks_an *a, const char *sql, sqlite3_stmt **st, ks_error *err);

/* ---- notes and output ------------------------------------------------------ */

/* The published value of a count n whose units' record keys sum to key:
 * perturbed under the cell key method, n itself otherwise
 * (ks_result_count).  Every count an analysis prints is this value. */
int64_t ks_an_count(const ks_an *a, int64_t n, uint64_t key);

/* A count and the sum of its units' record keys (0 without the cell key
 * method), as the scans tally them. */
typedef struct ks_an_n {
    int64_t n;    /* units */
    uint64_t key; /* their record keys' sum */
} ks_an_n;

/* One more unit with record key `key` in c. */
static inline void ks_an_n_add(ks_an_n *c, int64_t key)
{
    c->n++;
    c->key += (uint64_t)key;
}

/* ---- partners' counts (analyze partners; the guide, guide.h) --------------
 *
 * Among the cases of one problem: per partner, the cases, the closed ones
 * with a known outcome and the good ones, and per pair of partners the
 * cases with both, each with its record keys' sum.  `kasane analyze
 * partners` tallies one problem per scan; the guide tallies every problem
 * in one scan through the same functions, so both publish the same numbers
 * for the same selection and method. */
typedef struct ks_an_ptally {
    const ks_an_var *pv;  /* partners (bit -> level; borrowed) */
    ks_an_n n;            /* cases with the problem (true) */
    int64_t pn;           /* n as published (ks_an_count), after ks_an_ptally_publish */
    int64_t *cases;       /* [nlev + 2] per partner; [nlev] all, [nlev + 1] no partner */
    int64_t *closed;      /* [nlev + 2] closed with a known outcome */
    int64_t *goodn;       /* [nlev + 2] of which good */
    int64_t *pair;        /* [nlev * nlev] cases with both (i < j) */
    uint64_t *kcases;     /* [nlev + 2] record keys' sum of cases (cell key method) */
    uint64_t *kclosed;    /* [nlev + 2] of closed */
    uint64_t *kgood;      /* [nlev + 2] of good */
    uint64_t *kpair;      /* [nlev * nlev] of pair */
} ks_an_ptally;

void ks_an_ptally_init(ks_an_ptally *s, const ks_an_var *pv);
void ks_an_ptally_release(ks_an_ptally *s);
/* One case: its partner mask, status, outcome (outcome_null: blank) and
 * record key. */
void ks_an_ptally_add(ks_an_ptally *s, uint64_t partner_mask, int64_t status, bool outcome_null, int64_t outcome,
                      int64_t rkey);
/* Replaces every count by its published value (ks_an_count); all that is
 * computed afterwards comes from these. */
void ks_an_ptally_publish(const ks_an *a, ks_an_ptally *s);
/* Row i's good-outcome rate and Wilson 95% interval from the (published)
 * counts; *has is false when there is none (no closed case, or a perturbed
 * good count above the closed one). */
int ks_an_ptally_rate(const ks_an_ptally *s, size_t i, double *rate, double *lo, double *hi, bool *has,
                      ks_error *err);

/* Reasons cases were left out, in the order they were applied. */
typedef struct ks_an_excl {
    int64_t *count; /* [n] cases left out for each reason (published: ks_an_count) */
    char **why;     /* [n] the reason ("ongoing", "with 性別 missing") */
    size_t n;       /* reasons with a count above 0 */
    int64_t total;  /* cases left out (true) */
} ks_an_excl;

void ks_an_excl_init(ks_an_excl *e);
void ks_an_excl_release(ks_an_excl *e);
/* Records a reason when its count is above 0 (why is copied); the note
 * prints its published value. */
void ks_an_excl_add(ks_an *a, ks_an_excl *e, ks_an_n count, const char *why);
/* Records the two reasons a variable leaves cases out: its value blank
 * ("with VAR missing") and recorded as 不明 ("with VAR unknown"). */
void ks_an_excl_var(ks_an *a, ks_an_excl *e, const ks_an_var *v, ks_an_n missing, ks_an_n unknown);

/* A count for a note: "2,345", or "<5" when 0 < n < k. */
void ks_an_fmt_count(const ks_an *a, ks_buf *b, int64_t n);
/* The footer note "n = N <unit>; excluded: ...; selection: ...", every
 * count its published value (ks_an_count: the selection's and the
 * database's sizes too).  Counts add up (selection = n + exclusions), so
 * one count below k printed as "<5" next to exact others could be worked
 * out; when n or any exclusion is below k, the exclusions are listed
 * without their counts and the selection's size is left out.  A true n of
 * 1..k-1 always prints "n = <k": ks_an_emit refuses such an analysis. */
char *ks_an_note_n(const ks_an *a, ks_an_n n, const char *unit, const ks_an_excl *e);

/* Adds one table to the analysis's result (publish.h), after refusing a
 * selection or kept part of fewer than k cases: `t` is protected in place
 * (callers read the pattern after: a statistic beside a hidden count is
 * printed only as its class), nothing is printed yet.  Every count in `t`
 * must be ks_an_count's value: under the cell key method the table is added
 * as already perturbed (ks_result_add_perturbed), with a note saying that
 * its statistics come from the perturbed counts. */
int ks_an_emit(ks_an *a, const char *name, const char *title, ks_table *t, const char *excluded,
               const char *const *notes, size_t n_notes, ks_error *err);

/* The index in the result that the next ks_an_emit gives its table. */
size_t ks_an_next_table(const ks_an *a);

/* Declares, between tables already emitted, that count cell `whole` is the
 * sum of `parts` (one part: the same count printed twice), so that the
 * publish step hides a count wherever another table would give it back and
 * its audit counts the equation (publish.h).  A statistic computed from a
 * count is declared a share of it (table.h) and so follows it.
 *
 * The links the analyses declare, and why the others have none:
 *   trend     each series' n in the trend table is the monthly table's
 *             total-row cell of that series (and "all" its grand total);
 *   partners  the pairs table's "with A"/"with B" are partner counts of the
 *             partners table;
 *   cooccur   a problem's count is printed once per pair it is in: every
 *             copy is linked to the first;
 *   crosstab  the cells table holds no counts (shares and statistics only);
 *   survival  the curve's risk sets and interval events are not sums of the
 *             summary's cells (censoring between the points is not shown):
 *             no equation links them;
 *   logit     every level count is at least k (smaller levels are pooled),
 *             so nothing in the coefficients table is hidden to give back. */
int ks_an_link(ks_an *a, ks_cell_ref whole, const ks_cell_ref *parts, size_t nparts, ks_error *err);

/* Publishes every table the analysis emitted, in one step (ks_publish: the
 * links between them, the audit of all of them together, then a heading
 * and the table each in table/markdown modes, or FILE.NAME.EXT each with
 * --out FILE).  Nothing is printed when the analysis failed before. */
int ks_an_publish(ks_an *a, ks_error *err);

/* Table helpers: a real cell, NULL when not finite (never "NaN" on screen). */
int ks_an_set_real(ks_table *t, size_t row, size_t col, double v, ks_error *err);
/* Adds a column; count/share roles; returns its index. */
int ks_an_col(ks_table *t, const char *name, const char *label, ks_col_type type, int digits,
              ks_error *err);

/* Picks the label for the session language; the macro keeps literal
 * format strings literal, so printf checking still sees them. */
const char *ks_an_l(const ks_an *a, const char *ja, const char *en);
#define KS_AN_L(a, ja, en) ((a)->out && (a)->out->lang == KS_LANG_EN ? (en) : (ja))

/* ---- the analyses --------------------------------------------------------- */

int ks_analyze_crosstab(ks_an *a, const char *row, const char *col, ks_error *err);
int ks_analyze_logit(ks_an *a, const char *outcome, const char *const *preds, size_t npred,
                     ks_error *err);
int ks_analyze_trend(ks_an *a, const char *series, ks_error *err);
int ks_analyze_cooccur(ks_an *a, ks_error *err);
int ks_analyze_survival(ks_an *a, const char *group, ks_error *err);
int ks_analyze_partners(ks_an *a, const char *problem, ks_error *err);

/* ---- logistic regression on aggregated patterns ------------------------------- */

/* A binomial GLM on covariate patterns given as sparse rows: pattern i has
 * the nonzeros x[start[i] .. start[i+1]) at columns col[], `succ` successes
 * in `trials` trials.  The fit is that of glm(cbind(succ, fail) ~ X) on the
 * individual cases (deviance and AIC too; rows are pattern x outcome as
 * stats_glm.h advises).  The sparse solver forms X'WX over the nonzeros only,
 * which is what makes 850k cases fit in a fraction of a second; it hands the
 * problem to ks_glm_fit (R's algorithm) when it cannot be sure: a pivot below
 * 1e-8 of its diagonal (aliasing or near), fitted values within 1e-6 of 0 or
 * 1 (separation), or no convergence.  res->iterations counts IRLS steps. */
typedef struct ks_an_patterns {
    size_t n;          /* patterns */
    size_t p;          /* columns, the intercept included (column 0) */
    size_t *start;     /* [n + 1] offsets into col/x */
    uint32_t *col;     /* nonzero column indices, ascending within a pattern */
    double *x;         /* nonzero values */
    double *succ;      /* [n] successes */
    double *trials;    /* [n] trials */
} ks_an_patterns;

/* *used_sparse (may be NULL) says which solver produced the fit. */
int ks_an_logit_fit(const ks_an_patterns *pt, const char *const *names, int solver,
                    ks_glm_result *res, bool *used_sparse, ks_error *err);

#endif
