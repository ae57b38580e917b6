/* report_internal.h: what the parts of `kasane report` share, and nothing
 * outside them includes: the cases in memory, the state of one report being
 * built, the table and chart helpers (report_table.c) and the sections.
 *
 * Data flows one way: report.c reads the database into a rep (cases and
 * labels); each section (report_trend.c, report_needs.c, report_outcomes.c)
 * counts from it into protected tables it adds to the result (rep.res) and
 * into the result's document (rep.doc: text, charts, and blocks that show
 * those tables); report.c hands the result to its caller, which publishes
 * it (publish.h).  A section never calls report.c, and report_table.c calls
 * no section.
 *
 * Ownership: a rep owns its cases and labels (report.c releases them) and
 * the result until report.c hands it over; a table passed to
 * ks_report_add_table or ks_report_sorted is freed by it; char * and
 * ks_table * results are the caller's.  Errors: 0 or a negative KS_E* code
 * with the message in rep.err. */
#ifndef KASANE_REPORT_INTERNAL_H
#define KASANE_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "publish.h"
#include "report.h"
#include "svg.h"
#include "table.h"
#include "util.h"

#define NO_DATE INT32_MAX

enum {
    TOP_PROBLEMS = 6, /* main problems with their own trend line */
    TOP_KM = 5,       /* main problems with their own closure curve */
    TOP_COOCCUR = 10, /* problems (partners) in a co-occurrence matrix */
    TOP_PAIRS = 8,    /* strongest pairs listed */
    MAX_CODE = 64,    /* code ids kept in 64-bit masks */
    CHART_W = 680,    /* chart width in px (fits A4 at 96 dpi with margins) */
    TREND_MONTHS = 36, /* months of history in trends: with 24 and month-of-year
                          terms the slope would only restate the year-on-year change */
};

typedef struct rcase {
    int32_t open;       /* consult date, days since 1970-01-01 */
    int32_t close;      /* closed (or suspended) date, NO_DATE when none */
    int32_t month;      /* consult month index (year * 12 + month - 1) */
    int16_t age;        /* whole years at consult, -1 unknown */
    int16_t agency;     /* intake agency partner id, -1 none */
    uint8_t age_band;   /* 5-year band id, 0 unknown */
    uint8_t sex;        /* sex id, 0 empty */
    uint8_t hh_type;    /* household type id, 0 empty */
    uint8_t district;   /* district id */
    uint8_t route;      /* intake route id, 0 empty */
    uint8_t meeting;    /* meeting type id, 0 empty */
    uint8_t status;     /* status id */
    uint8_t outcome;    /* outcome id, 0 empty */
    uint8_t main;       /* main problem id */
    uint8_t nprob;      /* problems listed */
    uint64_t problems;  /* bit i: problem id i */
    uint64_t supports;  /* bit i: support id i */
    uint64_t partners;  /* bit i: partner id i (0 = unlisted) */
    int64_t household;  /* household key, 0 when none */
    int64_t person;     /* person key */
    uint16_t key;       /* record key (rkey.h), 0 unless the cell key method is in use */
    uint16_t hkey;      /* its household's record key, 0 without a household or the cell key method */
} rcase;

/* A count of cases with the sum of their record keys: what the cell key
 * method perturbs (ks_result_count). */
typedef struct kcount {
    int64_t n;     /* cases */
    uint64_t keys; /* sum of their record keys */
} kcount;

static inline void ks_kc_add(kcount *a, const rcase *c)
{
    a->n++;
    a->keys += c->key;
}

typedef struct labels {
    char **name;  /* [n] label by id (NULL where no such id) */
    int *field;   /* [n] field id (problems, partners), 0 otherwise */
    int *kind;    /* [n] partner kind id, 0 otherwise */
    size_t n;     /* highest id + 1 */
} labels;

typedef struct rep {
    const ks_report_opts *o; /* options */
    bool en;                 /* English text */
    int k;                   /* threshold */
    char mark[16];           /* "<k" */
    rcase *c;                /* [n] cases consulted up to the period end */
    size_t n;                /* cases */
    int data_first;          /* first consult month in the database */
    int32_t data_end;        /* last date (consult or closed) in the database */
    ks_period P;             /* the period */
    ks_period C;             /* the comparison period */
    ks_period W;             /* months in trends: C's start (or TREND_MONTHS back) to P's end */
    int32_t p0, p1, c0, c1;  /* day bounds of P and C, inclusive */
    int district;            /* selected district id, 0 = all */
    labels sex, hh, route, outcome, problem, support, field, partner, pkind, district_l, meeting;
    ks_result *res;          /* the result being built: every table of the report */
    ks_doc *doc;             /* its document (owned by res) */
    size_t hidden;           /* suppressed cells over all tables */
    size_t ntables;          /* tables protected */
    size_t nfig;             /* figures drawn (ids) */
    int64_t n_new;           /* new cases in P */
    bool n_new_hidden;       /* that count is below k */
    int top[TOP_PROBLEMS];   /* main problems with their own trend, largest first */
    size_t ntop;             /* how many */
    bool p_total_hidden[TOP_PROBLEMS + 2]; /* this period's count hidden: top, other, all */
    bool *month_hidden;      /* [months of W] the month's total is hidden */
    size_t headline;         /* the headline table's index in res, SIZE_MAX before it is added */
    bool ck;                 /* the result's method perturbs counts (cellkey or both) */
    bool own_suppress;       /* the report suppresses its tables itself (suppress or both) */
    bool pert;               /* the section being built publishes perturbed counts (converted) */
    const char *ptable_sha;  /* the ptable's SHA-256 (borrowed from the policy), named under the cell key method */
    ks_error *err;           /* where errors go */
} rep;

/* The text in the report's language; needs `r` (a rep *) in scope. */
#define L(ja, en_) (r->en ? (en_) : (ja))

/* ---- the cases ------------------------------------------------------------- */

/* A new case of the period P, of the comparison period C. */
static inline bool ks_report_in_p(const rep *r, const rcase *c)
{
    return c->month >= r->P.first && c->month <= r->P.last;
}

static inline bool ks_report_in_c(const rep *r, const rcase *c)
{
    return c->month >= r->C.first && c->month <= r->C.last;
}

/* The label of code id, "?" when there is none. */
static inline const char *ks_report_lab(const labels *l, int id)
{
    return id >= 0 && (size_t)id < l->n && l->name[id] ? l->name[id] : "?";
}

/* ---- tables and charts (report_table.c) ------------------------------------- */

/* The published value of a count: n itself under suppression, n plus the
 * ptable's noise for its key sum under the cell key method. */
int64_t ks_report_pub(const rep *r, kcount c);

/* Columns: text, count, real with `digits` decimals, and a share of count
 * column src over count column den of the row (-1: the grand total). */
size_t ks_report_col_text(ks_table *t, const char *name, const char *label);
size_t ks_report_col_count(ks_table *t, const char *name, const char *label);
size_t ks_report_col_real(ks_table *t, const char *name, const char *label, int digits);
size_t ks_report_col_share(ks_table *t, const char *name, const char *label, size_t src, int den, int digits);
/* Cells; reals are stored as printed (see report_table.c). */
void ks_report_set_i(ks_table *t, size_t r, size_t c, int64_t v);
void ks_report_set_s(ks_table *t, size_t r, size_t c, const char *s);
void ks_report_set_r(ks_table *t, size_t r, size_t c, double v);
/* Cell (r, c) is suppressed. */
bool ks_report_hidden(const ks_table *t, size_t r, size_t c);
/* The published number of a cell; NAN when hidden or empty. */
double ks_report_cell_num(const ks_table *t, size_t r, size_t c);
/* Copies cell (sr, sc) of src, hidden state included, to (dr, dc) of dst. */
void ks_report_copy_to(ks_table *dst, size_t dr, size_t dc, const ks_table *src, size_t sr, size_t sc);

/* Disclosure control: ks_report_protect = ks_report_suppress_all then
 * ks_report_protect_end (grand-total shares, the output check, the count of
 * tables and hidden cells); ks_report_protect_links for a table of copied,
 * already protected cells. */
int ks_report_suppress_all(rep *r, ks_table *t);
int ks_report_protect_end(rep *r, ks_table *t);
int ks_report_protect(rep *r, ks_table *t);
int ks_report_protect_links(rep *r, ks_table *t);
/* Hands protected table t (freed here) to the result under `id` with its
 * caption, and shows it in sec as a TABLE or CARDS block; *index (may be
 * NULL) gets its index in the result. */
int ks_report_add_table(rep *r, ks_doc_section *sec, ks_doc_kind kind, const char *caption, const char *id,
                        ks_table *t, size_t *index);

/* A row's sort key (ks_report_sorted and the bar charts); qsort with
 * ks_report_by_key: by group, published first, larger first, then row. */
typedef struct rowkey {
    int grp;     /* group: rows sort within it */
    size_t row;  /* row in the source table */
    double v;    /* published value of the key column */
    int pub;     /* 1 when published */
} rowkey;

int ks_report_by_key(const void *a, const void *b);
/* The protected table t with its rows sorted by column key; frees t. */
ks_table *ks_report_sorted(ks_table *t, size_t key, bool drop_zero, const int *grp);
/* The ids with the largest counts (> 0), at most `max`, largest first. */
size_t ks_report_top_ids(const int64_t *count, size_t n, size_t max, int *out);

/* Charts: column values (NAN where empty) and hidden flags of rows
 * [0, nrows), the mark for hidden cells of t, a new figure id ("f1", ...),
 * a bar chart added as a figure (frees id), a one-series bar chart of a
 * count column labelled by column 0. */
void ks_report_column_values(const ks_table *t, size_t col, size_t nrows, double *v, bool *hid);
const char *ks_report_tmark(const rep *r, const ks_table *t);
char *ks_report_next_id(rep *r, const char *stem);
void ks_report_add_hbar(ks_doc_section *sec, const ks_svg_chart *ch, char *id);
void ks_report_hbar_of_column(rep *r, ks_doc_section *sec, const ks_table *t, size_t nr, size_t col, const char *title,
                              int color);

/* Words: the comparison period in a sentence and as a column heading,
 * "+23%" style percentages, "p = 0.012" / "p < 0.001". */
const char *ks_report_cmp_short(const rep *r);
const char *ks_report_cmp_col(const rep *r);
void ks_report_signed_pct(ks_buf *b, double x);
void ks_report_p_text(ks_buf *b, double p);

/* ---- the sections, in report order -------------------------------------------- */

/* report_trend.c */
int ks_report_sec_headline(rep *r); /* 1. overview (must run first: sets n_new) */
int ks_report_sec_trend(rep *r);    /* 2. monthly trends (sets top, month_hidden) */
/* report_needs.c */
int ks_report_sec_who(rep *r);      /* 3. who consults */
int ks_report_sec_problems(rep *r); /* 4. problems, co-occurrence, households */
int ks_report_sec_support(rep *r);  /* 5. supports and partners */
/* report_outcomes.c */
int ks_report_sec_outcomes(rep *r);                /* 6. outcomes */
int ks_report_sec_km(rep *r, ks_doc_section *sec);    /* 6. time to closure, into sec */
/* report_trend.c */
int ks_report_sec_routes(rep *r);   /* 7. intake routes (after sec_trend) */
/* report_outcomes.c */
int ks_report_sec_quality(rep *r);  /* 8. data quality */

#endif
