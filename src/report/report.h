/* report.h: `kasane report` — a trend summary of one period for coordinators
 * and the coordination council (重層的支援体制推進会議), built as one result
 * (publish.h): every table of the report, and a document (doc.h) that lays
 * out the sections, their text and charts, and shows the tables.  Published
 * through the writer table (write.h), that is one self-contained HTML file
 * (inline CSS and SVG, no script, A4 print), or Markdown or plain text
 * carrying the same tables; table, csv, tsv and json write the report's
 * tables alone, one after another (with --out, one file each).
 *
 * Disclosure: every number comes from a ks_table that went through
 * ks_suppress with the database's threshold (totals declared only where the
 * cells partition the cases), is checked with ks_suppress_check as it
 * joins the result, and is audited with all the others by ks_publish
 * before a byte is written; charts are drawn from the suppressed tables,
 * never from raw counts (svg.h).  Statistics (trend tests, rate ratios,
 * Wilson intervals, Kaplan-Meier) are computed from the raw counts and
 * shown only next to published counts.
 *
 * Determinism: the same database and options give the same bytes: no clock
 * is read (the only time shown is the database's meta last_import), every
 * ordering has a tie-break, and numbers are printed with fixed decimals.
 *
 * Periods (ks_period_parse):
 *   2025-10            one calendar month
 *   2025Q3             a calendar quarter (Jul-Sep 2025)
 *   FY2025Q3           a fiscal quarter (fiscal year April-March: Oct-Dec 2025)
 *   FY2025             a fiscal year (Apr 2025 - Mar 2026)
 *   2025               a calendar year
 *   2025-04..2026-03   a range of whole months (at most 120)
 * The comparison period has the same length: `last-year` (default) is the
 * same months a year earlier, `previous` the months just before.
 *
 * Ownership: the caller owns the result ks_report_build returns; nothing
 * else is kept.  Errors: 0 or a negative KS_E* code with the message in
 * err; -KS_ESAFETY if a table would show a count the threshold hides (a
 * bug: nothing is returned then). */
#ifndef KASANE_REPORT_H
#define KASANE_REPORT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "lang.h"
#include "publish.h"
#include "table.h"
#include "util.h"

typedef enum ks_report_compare {
    KS_REPORT_LAST_YEAR, /* the same months a year earlier (前年同期) */
    KS_REPORT_PREVIOUS,  /* the months just before (前期) */
} ks_report_compare;

/* How a period was written (its name in the report follows it). */
typedef enum ks_period_kind {
    KS_PERIOD_MONTH,
    KS_PERIOD_QUARTER,  /* calendar quarter */
    KS_PERIOD_FQUARTER, /* fiscal quarter */
    KS_PERIOD_FY,
    KS_PERIOD_YEAR,
    KS_PERIOD_RANGE,
} ks_period_kind;

typedef struct ks_period {
    int first;           /* first month as year * 12 + (month - 1) */
    int last;            /* last month, inclusive */
    ks_period_kind kind; /* how it was written */
} ks_period;

/* Parses one of the forms above; -KS_EUSAGE with a message naming them. */
int ks_period_parse(const char *s, ks_period *out, ks_error *err);
/* The comparison period: same length, a year earlier or just before. */
ks_period ks_period_compare(ks_period p, ks_report_compare c);
/* Appends the period's name: "2025年度（2025年4月〜2026年3月）" or
 * "FY2025 (Apr 2025 to Mar 2026)". */
void ks_period_name(ks_buf *out, ks_period p, ks_lang lang);
/* Appends "2025-04" for a month index. */
void ks_month_iso(ks_buf *out, int month);
/* Months in the period. */
int ks_period_months(ks_period p);

typedef struct ks_report_opts {
    ks_period period;          /* the report period */
    ks_report_compare compare; /* the comparison period */
    const char *district;      /* one district (code, Japanese or English name), NULL = all */
    ks_lang lang;              /* labels and text */
} ks_report_opts;

typedef struct ks_report_info {
    int k;             /* threshold applied */
    size_t tables;     /* tables in the report */
    size_t suppressed; /* hidden cells over all tables */
    size_t cases;      /* new cases in the period */
} ks_report_info;

/* Builds the report from an analysis connection (ks_analysis_open) as a
 * new result, *out (the caller's: ks_publish it, then ks_result_free): its
 * tables, protected by the sections' rules, and its document.  `info` may
 * be NULL. */
int ks_report_build(sqlite3 *db, const ks_report_opts *o, ks_result **out, ks_report_info *info, ks_error *err);

/* The closure curve the report draws for a Kaplan-Meier estimate: points
 * (xs[i], ys[i]) with ys = 1 - S(x) at x = 0, step, 2 step, ... up to x_max,
 * coarsened for disclosure control: a grid point is skipped while fewer than
 * k closures (events) happened since the last drawn point, and the curve ends
 * before the first grid point with fewer than k cases still at risk (time >
 * x).  time[i] >= 0, event[i] 1 for a closure, 0 censored.  Writes at most
 * cap points (the first is always (0, 0)) and returns how many. */
size_t ks_report_km_points(const double *time, const int *event, size_t n, int k, double step, double x_max,
                           double *xs, double *ys, size_t cap);

#endif
