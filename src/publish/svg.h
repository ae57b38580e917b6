/* svg.h: small static SVG charts drawn by kasane itself for the HTML report
 * (bars, grouped and stacked bars, lines and small multiples, a population
 * pyramid, a heat map and step curves for Kaplan-Meier estimates).
 *
 * Disclosure: charts are drawn from tables that have already been through
 * disclosure control (report.c reads the suppressed ks_table cells).  A value
 * flagged hidden is never drawn as a value: no bar length, point height,
 * colour or number shows it.  It appears as a hatched grey mark carrying the
 * table's mark text ("<5" or "x").  A stacked bar whose total is published
 * shows the sum of its hidden segments as one hatched block (that sum follows
 * from published cells anyway; secondary suppression makes sure it is the sum
 * of at least two hidden cells).
 *
 * Output: one <svg> element appended to `out`, well-formed XML (XHTML-safe:
 * every text escaped, every element closed), no scripts, no external
 * references, no fonts of its own (it inherits the page's font stack).
 * Numbers are printed with fixed decimals, so the same input gives the same
 * bytes.  Every id inside the chart starts with the chart's `id`, which must be
 * unique within the document (inline SVGs share the page's id namespace).
 *
 * Text classes, which the report's tests rely on:
 *   n  a count (always 0 or >= k after disclosure control)
 *   v  a value that is not a count (a percentage, days)
 *   t  an axis tick
 *   h  the mark of a hidden value
 *   l  a label or legend text
 *
 * Ownership: every input is borrowed for the call; nothing is kept. */
#ifndef KASANE_SVG_H
#define KASANE_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* How values are written next to bars and in cells. */
typedef enum ks_svg_fmt {
    KS_SVG_COUNT,   /* "%.0f", class n */
    KS_SVG_PERCENT, /* "%.1f%%", class v */
} ks_svg_fmt;

typedef struct ks_svg_series {
    const char *name;    /* legend text (and panel title in small multiples) */
    const double *v;     /* [ncat] values; ignored where hidden */
    const bool *hidden;  /* [ncat] true = suppressed, never drawn; NULL = none hidden */
    const double *lo;    /* [ncat] lower interval ends (hbar only), NULL = no intervals */
    const double *hi;    /* [ncat] upper interval ends */
    int color;           /* palette index 0..7, -1 = the series' position */
} ks_svg_series;

typedef struct ks_svg_chart {
    const char *id;               /* unique id prefix within the document */
    const char *title;            /* accessible name, written as <title> */
    const char *const *cats;      /* [ncat] category labels (long ones wrap) */
    size_t ncat;                  /* categories */
    const ks_svg_series *series;  /* [nseries] */
    size_t nseries;               /* series */
    const char *mark;             /* text for a hidden value ("<5", "x") */
    ks_svg_fmt fmt;               /* value format */
    double width;                 /* drawing width in px (height follows) */
    const char *axis_label;       /* value axis caption, NULL = none */
    size_t band_from;             /* categories [band_from, band_to) are shaded: */
    size_t band_to;               /*   the report period; equal = no band */
    size_t band2_from;            /* a second, lighter band: the comparison period */
    size_t band2_to;              /* equal = none */
    const char *band_label;       /* legend text for the band, NULL = none */
    const char *band2_label;      /* legend text for the second band */
    const double *totals;         /* stacked: [ncat] bar totals, NULL = none */
    const bool *totals_hidden;    /* stacked: [ncat] total suppressed */
    double fixed_max;             /* > 0: the value axis runs to this (percent charts: 100) */
} ks_svg_chart;

/* Horizontal bars, one row per category; grouped when nseries > 1; whiskers
 * when the series has lo/hi.  Value labels after each bar. */
void ks_svg_hbar(ks_buf *out, const ks_svg_chart *c);

/* Vertical stacked bars: one bar per category, one segment per series.
 * With c->totals, the total is written on top and hidden segments show as
 * one hatched block of height total - published (see above). */
void ks_svg_stacked(ks_buf *out, const ks_svg_chart *c);

/* Lines over the categories (months), one per series, on one panel; a
 * hidden point breaks the line and shows as a hatched mark on the baseline. */
void ks_svg_line(ks_buf *out, const ks_svg_chart *c);

/* Small multiples: one small line panel per series, `per_row` panels a row,
 * each with its own value axis (counts differ by orders of magnitude). */
void ks_svg_multiples(ks_buf *out, const ks_svg_chart *c, size_t per_row);

/* Population pyramid: categories are bands from youngest (bottom) to oldest
 * (top); series[0] grows to the left, series[1] to the right, one scale. */
void ks_svg_pyramid(ks_buf *out, const ks_svg_chart *c);

typedef struct ks_svg_heat {
    const char *id;                 /* unique id prefix */
    const char *title;              /* accessible name */
    const char *const *rows;        /* [nrow] row labels */
    size_t nrow;                    /* rows */
    const char *const *cols;        /* [ncol] column labels */
    size_t ncol;                    /* columns */
    const char *const *text;        /* [nrow*ncol] cell text (a count), NULL entry = blank */
    const double *shade;            /* [nrow*ncol] colour in [0,1] (0.5 = neutral), NAN = none */
    const bool *hidden;             /* [nrow*ncol] suppressed cells, NULL = none */
    const char *mark;               /* hidden-cell text */
    const char *const *legend;      /* [5] texts under swatches at shade 0, .25, .5, .75, 1; NULL = none */
    const char *legend_title;       /* caption of the legend, NULL = none */
    double width;                   /* drawing width in px */
} ks_svg_heat;

/* A matrix of cells coloured on a diverging scale (0 orange, 0.5 white,
 * 1 blue) with their text; hidden cells are hatched and carry the mark. */
void ks_svg_heatmap(ks_buf *out, const ks_svg_heat *h);

typedef struct ks_svg_curve {
    const char *name;  /* legend text */
    const double *x;   /* [n] times, ascending, x[0] = 0 */
    const double *y;   /* [n] values in [0, 1] from x[i] until x[i+1] */
    size_t n;          /* points; 0 with hidden = not drawn */
    bool hidden;       /* the whole curve is suppressed: legend shows the mark */
} ks_svg_curve;

typedef struct ks_svg_steps {
    const char *id;              /* unique id prefix */
    const char *title;           /* accessible name */
    const ks_svg_curve *curves;  /* [ncurve] */
    size_t ncurve;               /* curves */
    double x_max;                /* right end of the time axis */
    double x_step;               /* tick spacing on the time axis */
    const char *x_label;         /* time axis caption */
    const char *y_label;         /* value axis caption (values drawn as percent) */
    const char *mark;            /* legend text for a hidden curve */
    double width;                /* drawing width in px */
} ks_svg_steps;

/* Step curves (a Kaplan-Meier estimate is constant between event times),
 * y drawn as 0..100%. */
void ks_svg_stepcurves(ks_buf *out, const ks_svg_steps *s);

/* Appends s with &, <, >, " escaped (and control characters dropped), for
 * XML text and attribute values. */
void ks_svg_escape(ks_buf *out, const char *s);

/* Splits s into lines of at most max_cols display columns (CJK = 2), at
 * character boundaries, preferring a break after a space, "・", "、" or "／".
 * Appends each line to out followed by '\n'; returns the number of lines. */
size_t ks_svg_wrap(ks_buf *out, const char *s, size_t max_cols);

#endif
