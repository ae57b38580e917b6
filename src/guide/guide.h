/* guide.h: the consultation-window guide (issue 13) -- which windows and
 * agencies fit which problems and attributes, derived from the case data
 * and published to ANYONE (`kasane directory build|lookup`).
 *
 * Data flow: ks_guide_build reads the profile's window records
 * (window.h) and scans the database once; it returns a ks_guide, a plain
 * tree of ALREADY-PROTECTED values -- bands, share classes, rounded rates --
 * from which every writer (guide_site.c: the static site; guide_hsds.c:
 * Open Referral HSDS 3.0 JSON; guide_csv.c: CSV for Excel; cmd_directory's
 * lookup: the usual output modes) only formats.  No writer sees a count:
 * the true and perturbed counts stay inside guide.c, so a writer cannot
 * leak one by mistake.
 *
 * Disclosure (docs/directory.md says it in full):
 *  - every count is the cell key method's published value (the database's
 *    ptable, or the default one when the database has none), whatever the
 *    database's method: the guide is the most public output kasane has;
 *  - a count is shown only as a band (ks_guide_band: 5-9, 10-19, 20-49,
 *    50-99, 100+ cases over the period), never as a number; a published
 *    value of 0 (true 0, or 1..k-1 rounded down by the ptable) shows
 *    nothing;
 *  - a window x problem, window x attribute or window x problem x attribute
 *    cell, and a pair of windows, is shown only when it holds at least k
 *    distinct PERSONS (true count) and its published case count is >= k;
 *  - shares are classes (under 10%, 10-29%, 30-49%, 50% or more) of
 *    published counts; the good-outcome rate and its Wilson 95% interval
 *    come from published counts (analyze partners' code), only when the
 *    published closed count is at least KS_GUIDE_RATE_MIN, rounded to 5
 *    points (interval outward).
 *
 * Ownership: ks_guide_build returns a tree the caller frees with
 * ks_guide_free; every string in it is owned by the tree.  Errors: 0 or a
 * negative KS_E* code with the message in err. */
#ifndef KASANE_GUIDE_H
#define KASANE_GUIDE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "profile.h"
#include "util.h"
#include "window.h"

enum {
    KS_GUIDE_RATE_MIN = 20, /* published closed cases needed for a good-outcome rate */
    KS_GUIDE_WITH_MAX = 3,  /* windows listed as "usually works with" */
};

/* Bands of a case count over the period.  KS_BAND_NONE: nothing shown. */
typedef enum ks_guide_band {
    KS_BAND_NONE = 0,
    KS_BAND_K_9,     /* k..9 (5-9件 with k = 5) */
    KS_BAND_10_19,
    KS_BAND_20_49,
    KS_BAND_50_99,
    KS_BAND_100,     /* 100 or more */
    KS_BAND_COUNT
} ks_guide_band;

/* Share classes of a window in the cases with a problem. */
typedef enum ks_guide_share {
    KS_SHARE_NONE = 0,
    KS_SHARE_LT10,   /* under 10% (1割未満) */
    KS_SHARE_10_29,  /* 10-29% (1〜3割) */
    KS_SHARE_30_49,  /* 30-49% (3〜5割) */
    KS_SHARE_GE50,   /* 50% or more (5割以上) */
    KS_SHARE_COUNT
} ks_guide_share;

/* The attribute dimensions a person can choose on the page. */
typedef enum ks_guide_dim {
    KS_DIM_AGE = 0,   /* age group (ks_guide_age_groups) */
    KS_DIM_HOUSEHOLD, /* household type (codes.h KS_CODE_HOUSEHOLD) */
    KS_DIM_DISTRICT,  /* district of the profile */
    KS_DIM_COUNT
} ks_guide_dim;

/* Age groups of the guide: unions of the 5-year bands (date.h). */
typedef struct ks_guide_age_group {
    const char *code;     /* "40-64" */
    const char *label_ja; /* "40〜64歳" */
    const char *label_en; /* "40 to 64" */
    int band_lo;          /* first 5-year band (ks_age_band index) */
    int band_hi;          /* last 5-year band, inclusive */
    int age_lo;           /* first age in years */
    int age_hi;           /* last age in years, -1 for no upper end */
} ks_guide_age_group;

/* The groups, in order; *n receives the count. */
const ks_guide_age_group *ks_guide_age_groups(size_t *n);
/* The group of a 5-year band, or -1. */
int ks_guide_age_group_of_band(int band);
/* Parses "50-54" (a band: its group), "40-64" (a group), or a plain age
 * "52"; returns the group index or -1. */
int ks_guide_age_parse(const char *text);

/* A value of one attribute dimension shown for a window (or a window and
 * a problem): the combination has >= k persons. */
typedef struct ks_guide_attr {
    ks_guide_dim dim;  /* which dimension */
    char *code;        /* "40-64", "single", "Tobu" */
    char *label_ja;    /* "40〜64歳", "単身", "東部" */
    char *label_en;    /* "40 to 64", "Living alone", "Tobu" */
    ks_guide_band band;/* cases with it */
    int64_t exact;     /* 0; kasane-weak with "guide-bands" only: the published count (attack tests) */
} ks_guide_attr;

/* What the evidence says about one window for one problem. */
typedef struct ks_guide_problem {
    int problem_id;        /* codes.h KS_CODE_PROBLEM */
    char *code;            /* "hikikomori" */
    char *label_ja;        /* "ひきこもり" */
    char *label_en;        /* "Hikikomori (social withdrawal)" */
    ks_guide_band band;    /* the window's cases with the problem */
    int64_t exact;         /* 0; kasane-weak with "guide-bands" only: the published count (attack tests) */
    ks_guide_share share;  /* of all cases with the problem, the window's part */
    bool has_rate;         /* a good-outcome rate is shown */
    int rate_pct;          /* good outcomes among closed with a known outcome, to 5 points */
    int rate_lo_pct;       /* Wilson 95% lower end, rounded down to 5 points */
    int rate_hi_pct;       /* Wilson 95% upper end, rounded up to 5 points */
    ks_guide_attr *attrs;  /* [nattrs] attribute values shown with this problem */
    size_t nattrs;         /* entries of attrs */
} ks_guide_problem;

/* One window or agency: its directory record and its evidence. */
typedef struct ks_guide_window {
    const ks_partner *partner;  /* profile entry (borrowed from the guide's profile) */
    const ks_window *rec;       /* directory record, NULL when the profile has none (borrowed) */
    char uuid[37];              /* its HSDS service id (ks_guide_window_uuid: stable across builds) */
    ks_guide_band band;         /* all its cases in the period */
    ks_guide_problem *problems; /* [nproblems] problems shown, most cases first */
    size_t nproblems;           /* entries of problems */
    ks_guide_attr *attrs;       /* [nattrs] attribute values shown over all its cases */
    size_t nattrs;              /* entries of attrs */
    size_t with[KS_GUIDE_WITH_MAX]; /* indexes into ks_guide.windows it usually works with */
    size_t nwith;               /* entries of with */
} ks_guide_window;

/* What the build left out, for staff (kasane directory build --staff-report);
 * never written into the public output. */
typedef struct ks_guide_omission {
    char *window;    /* partner code, or "" for the whole guide */
    char *what;      /* "window", "problem:hikikomori", "problem:hikikomori x age:40-64", "with:houkatsu" */
    char *why;       /* "no evidence", "fewer than k persons", "not assured for 14 months", "no record" */
} ks_guide_omission;

/* A day the windows' usual hours do not apply: a public holiday or the
 * year-end closing, listed for the page's "open now" (it has no rules of
 * its own: the C code decides, the page looks up). */
typedef struct ks_guide_closure {
    char date[11];     /* "2027-01-11" */
    const char *name;  /* "成人の日", "年末年始" (static) */
    bool holiday;      /* a public holiday (else year-end only) */
} ks_guide_closure;

typedef struct ks_guide {
    ks_profile *profile;       /* the profile the windows come from (owned) */
    char *profile_name;        /* "mitaka" */
    char *period_from;         /* first consult date covered, "2024-04-01" */
    char *period_to;           /* last, "2025-03-31" */
    char *built_at;            /* build date "2026-12-07" (KASANE_BUILD_DATE or today) */
    char *engine_version;      /* KASANE_VERSION */
    char *ptable_sha256;       /* the ptable the counts went through */
    int k;                     /* the database's threshold (persons rule and bands) */
    ks_guide_band cases_band;  /* cases in the period, banded */
    ks_guide_band persons_band;/* distinct persons in the period, banded */
    ks_guide_window *windows;  /* [nwindows] every partner of the profile with a record or evidence, profile order */
    size_t nwindows;           /* entries of windows */
    ks_guide_closure *closures;/* [nclosures] closures from the build year to two years on */
    size_t nclosures;          /* entries of closures */
    ks_guide_omission *omitted;/* [nomitted] for staff only */
    size_t nomitted;           /* entries of omitted */
    size_t n_omitted_windows;  /* counts for the public "how this was made" page */
    size_t n_omitted_combos;   /* combinations under the persons rule, rounded to tens (public) */
    size_t n_unassured;        /* records not assured for more than 12 months */
} ks_guide;

typedef struct ks_guide_opts {
    const char *profile;  /* profile name or directory; NULL = the database's */
    const char *from;     /* period start YYYY-MM-DD, NULL = first case */
    const char *to;       /* period end YYYY-MM-DD, NULL = last case */
    int fy;               /* fiscal year instead of from/to, 0 = none */
    const char *today;    /* "YYYY-MM-DD" for the assured-date check, NULL = today */
} ks_guide_opts;

/* Builds the guide from the database (read-only connection). */
int ks_guide_build(sqlite3 *db, const ks_guide_opts *opts, ks_guide **out, ks_error *err);
void ks_guide_free(ks_guide *g);

/* Labels (static strings).  lang: "ja" or "en". */
const char *ks_guide_band_label(ks_guide_band b, int k, const char *lang);
const char *ks_guide_share_label(ks_guide_share s, const char *lang);

/* ---- the lookup: the one definition the terminal and the page share ----
 *
 * A window fits a choice when
 *   - it shows evidence for the problem (a ks_guide_problem entry), and
 *   - for each attribute chosen, its record's 対象 admits it: age group
 *     within [age_min, age_max] (overlap), household type in its
 *     households list (empty list: any), district in its residence list
 *     (empty: the whole city); a window without a record admits all, and
 *   - with open_now, its record's hours say open at `at` (hours.h); with
 *     open_on, open at some time on at_date (the terminal's --open-on;
 *     the page has "open now" only).
 * Fitting windows are ordered by: the number of chosen attributes its
 * evidence shows WITH the problem (more first), then the problem's band
 * (higher first), then the share class (higher first), then profile order.
 * guide_site.js implements exactly this; tests/browser checks the two
 * agree. */
typedef struct ks_guide_query {
    int problem_id;   /* required */
    int age_group;    /* index into ks_guide_age_groups, -1 = any */
    int household;    /* household_type id, 0 = any */
    int district;     /* district id, 0 = any */
    bool open_now;    /* only windows open at at_date, at_minute */
    bool open_on;     /* only windows open at some time on at_date */
    ks_date at_date;  /* the clock for open_now */
    int at_minute;    /* minutes after midnight */
} ks_guide_query;

typedef struct ks_guide_hit {
    size_t window;           /* index into ks_guide.windows */
    const ks_guide_problem *problem; /* the window's evidence for the problem */
    int matched;             /* chosen attributes its evidence shows with the problem */
} ks_guide_hit;

/* Fills *hits (malloc'ed, caller frees) with the fitting windows in order. */
int ks_guide_lookup(const ks_guide *g, const ks_guide_query *q, ks_guide_hit **hits, size_t *n, ks_error *err);

#endif
