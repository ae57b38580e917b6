/* guide.c: ks_guide_build -- the evidence behind the consultation-window
 * guide, protected before any writer sees it (guide.h).
 *
 * One scan of the selected cases (analyze.h's ks_an_scan, so the period,
 * the record keys and the refusal of a selection under k are analyze's)
 * tallies, per case:
 *   - for each problem, the partners' counts through ks_an_ptally: exactly
 *     what `kasane analyze partners PROBLEM` counts, so shares, rates and
 *     Wilson intervals are its numbers for the same selection and method;
 *   - per window, per window x attribute, per window x problem x attribute
 *     and per pair of windows: cases, their record keys' sum, and up to k
 *     distinct persons (the persons rule only needs to know whether there
 *     are k, so a cell keeps at most k ids and the scan stays linear).
 * Then every count becomes its published value (the cell key method,
 * always: ks_an_opts.adhoc) and only bands, share classes and rounded
 * rates leave this file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "codes.h"
#include "db.h"
#include "guide.h"
#include "holiday.h"
#include "guide_write.h"
#include "weaken.h"

/* The lowest band is k..9: a k above it would need other bands. */
enum { KMAX = 9, NPROB_MAX = 64, AGE_GROUPS = 5, HOUSEHOLDS = 6 };

/* Distinct persons of a cell, counted up to k. */
typedef struct pset {
    int n;              /* distinct ids held (<= k) */
    int64_t id[KMAX];   /* the ids */
} pset;

/* One cell of the guide: its cases, their record keys' sum, its persons. */
typedef struct gcell {
    int64_t n;     /* cases (true) */
    uint64_t key;  /* their record keys' sum */
    pset p;        /* up to k distinct persons */
} gcell;

static void pset_add(pset *s, int64_t id, int k)
{
    if (s->n >= k)
        return;
    for (int i = 0; i < s->n; i++)
        if (s->id[i] == id)
            return;
    s->id[s->n++] = id;
}

static void cell_add(gcell *c, int64_t person, int64_t key, int k)
{
    c->n++;
    c->key += (uint64_t)key;
    pset_add(&c->p, person, k);
}

/* Everything one build tallies; ks_guide_build owns it and releases it
 * once, at its `done:`. */
typedef struct gscan {
    ks_an a;              /* the analysis session (period, keys, k) */
    ks_an_var *pv;        /* partners: bit -> level (owned) */
    size_t nl;            /* partner levels */
    size_t np;            /* problem ids 1..np (codes.h) */
    size_t nd;            /* districts */
    size_t na;            /* attribute slots: age groups, households, districts */
    int k;                /* the threshold */
    ks_an_ptally *pt;     /* [np + 1] per problem id (owned) */
    gcell *w;             /* [nl] per window (owned) */
    gcell *wa;            /* [nl * na] window x attribute (owned) */
    gcell *wp;            /* [nl * (np + 1)] window x problem: persons only (owned) */
    gcell *wpa;           /* [nl * (np + 1) * na] window x problem x attribute (owned) */
    gcell *pair;          /* [nl * nl] pairs of windows, i < j (owned) */
} gscan;

static gcell *wpa_cell(gscan *s, size_t l, size_t p, size_t a)
{
    return &s->wpa[(l * (s->np + 1) + p) * s->na + a];
}

/* The attribute slots of one case: -1 where its value is blank. */
static void case_attrs(const gscan *s, const int64_t *val, const bool *null, int slot[KS_DIM_COUNT])
{
    int g = null[2] ? -1 : ks_guide_age_group_of_band((int)val[2] - 1); /* age_band_id is band + 1 */
    slot[KS_DIM_AGE] = g;
    slot[KS_DIM_HOUSEHOLD] = !null[3] && val[3] >= 1 && val[3] <= HOUSEHOLDS ? AGE_GROUPS + (int)val[3] - 1 : -1;
    slot[KS_DIM_DISTRICT] =
        !null[4] && val[4] >= 1 && (size_t)val[4] <= s->nd ? AGE_GROUPS + HOUSEHOLDS + (int)val[4] - 1 : -1;
}

/* Columns of the scan, in the order the row callback reads them. */
static const char *const scan_exprs[] = {"c.partner_mask", "c.problem_mask", "c.age_band_id", "c.household_type_id",
                                         "c.district_id",  "c.person_id",    "c.status_id",   "c.outcome_id"};

static int scan_row(void *ud, const int64_t *val, const bool *null)
{
    gscan *s = ud;
    uint64_t pmask = (uint64_t)val[0], qmask = (uint64_t)val[1];
    int64_t person = val[5], key = val[8];
    int slot[KS_DIM_COUNT];
    case_attrs(s, val, null, slot);
    size_t lv[64], m = 0;
    for (int b = 1; b < 64; b++) /* bit 0: a partner the profile does not list */
        if ((pmask >> b) & 1 && s->pv->bit_level[b] >= 0)
            lv[m++] = (size_t)s->pv->bit_level[b];
    for (size_t i = 0; i < m; i++) {
        cell_add(&s->w[lv[i]], person, key, s->k);
        for (int d = 0; d < KS_DIM_COUNT; d++)
            if (slot[d] >= 0)
                cell_add(&s->wa[lv[i] * s->na + (size_t)slot[d]], person, key, s->k);
        for (size_t j = i + 1; j < m; j++) {
            size_t x = lv[i] < lv[j] ? lv[i] : lv[j], y = lv[i] < lv[j] ? lv[j] : lv[i];
            cell_add(&s->pair[x * s->nl + y], person, key, s->k);
        }
    }
    for (size_t p = 1; p <= s->np; p++) {
        if (!((qmask >> p) & 1))
            continue;
        ks_an_ptally_add(&s->pt[p], pmask, val[6], null[7], val[7], key);
        for (size_t i = 0; i < m; i++) {
            cell_add(&s->wp[lv[i] * (s->np + 1) + p], person, key, s->k);
            for (int d = 0; d < KS_DIM_COUNT; d++)
                if (slot[d] >= 0)
                    cell_add(wpa_cell(s, lv[i], p, (size_t)slot[d]), person, key, s->k);
        }
    }
    return 0;
}

static void gscan_release(gscan *s)
{
    if (s->pt)
        for (size_t p = 0; p <= s->np; p++)
            if (s->pt[p].pv)
                ks_an_ptally_release(&s->pt[p]);
    free(s->pt);
    free(s->w);
    free(s->wa);
    free(s->wp);
    free(s->wpa);
    free(s->pair);
    ks_an_var_free(s->pv);
    ks_an_release(&s->a);
}

/* Allocates the tallies and scans the selection once. */
static int gscan_run(gscan *s, ks_error *err)
{
    if (!(s->pv = ks_an_var_new(&s->a, "partners", false, err)))
        return -err->code;
    size_t n;
    ks_codes(KS_CODE_PROBLEM, &n);
    if (n >= NPROB_MAX)
        return ks_error_set(err, KS_EIO, "too many problem codes for a mask");
    s->np = n;
    s->nl = s->pv->nlev;
    s->na = AGE_GROUPS + HOUSEHOLDS + s->nd;
    s->pt = ks_calloc(s->np + 1, sizeof *s->pt);
    for (size_t p = 1; p <= s->np; p++)
        ks_an_ptally_init(&s->pt[p], s->pv);
    s->w = ks_calloc(s->nl, sizeof *s->w);
    s->wa = ks_calloc(ks_mul(s->nl, s->na), sizeof *s->wa);
    s->wp = ks_calloc(ks_mul(s->nl, s->np + 1), sizeof *s->wp);
    s->wpa = ks_calloc(ks_mul(ks_mul(s->nl, s->np + 1), s->na), sizeof *s->wpa);
    s->pair = ks_calloc(ks_mul(s->nl, s->nl), sizeof *s->pair);
    int rc = ks_an_scan(&s->a, scan_exprs, KS_ARRAY_LEN(scan_exprs), NULL, scan_row, s, err);
    if (rc)
        return rc;
    for (size_t p = 1; p <= s->np; p++)
        ks_an_ptally_publish(&s->a, &s->pt[p]);
    return 0;
}

/* ---- from counts to bands ------------------------------------------------- */

static ks_guide_band band_of(int64_t published, int k)
{
    if (published < k)
        return KS_BAND_NONE;
    if (published < 10)
        return KS_BAND_K_9;
    if (published < 20)
        return KS_BAND_10_19;
    if (published < 50)
        return KS_BAND_20_49;
    if (published < 100)
        return KS_BAND_50_99;
    return KS_BAND_100;
}

static ks_guide_share share_of(int64_t part, int64_t whole)
{
    if (part <= 0 || whole <= 0)
        return KS_SHARE_NONE;
    double f = (double)part / (double)whole;
    return f < 0.10 ? KS_SHARE_LT10 : f < 0.30 ? KS_SHARE_10_29 : f < 0.50 ? KS_SHARE_30_49 : KS_SHARE_GE50;
}

/* The band a cell is shown with: KS_BAND_NONE unless it holds k distinct
 * persons and its published count (ks_an_count) is k or more.  *exact is
 * kasane-weak's (weaken.h "guide-bands"), 0 in kasane. */
static ks_guide_band shown_band(const gscan *s, const pset *p, int64_t published, int64_t *exact)
{
    *exact = 0;
    if (p->n < s->k && !ks_weakened("guide-persons"))
        return KS_BAND_NONE;
    if (ks_weakened("guide-bands") && published > 0) {
        *exact = published;
        return band_of(published < s->k ? s->k : published, s->k);
    }
    return band_of(published, s->k);
}

static ks_guide_band cell_band(const gscan *s, const gcell *c, int64_t *exact)
{
    return shown_band(s, &c->p, ks_an_count(&s->a, c->n, c->key), exact);
}

/* rates to 5 points: the interval outward */
static int round5(double pct, int dir)
{
    double v = pct / 5.0;
    v = dir < 0 ? floor(v + 1e-9) : dir > 0 ? ceil(v - 1e-9) : floor(v + 0.5);
    return (int)v * 5;
}

/* ---- the tree ---------------------------------------------------------------- */

/* Staff report entries (guide.h: never in the public output). */
static void omit(ks_guide *g, size_t *cap, const char *window, const char *what, const char *why)
{
    if (g->nomitted == *cap) {
        *cap = *cap ? *cap * 2 : 32;
        g->omitted = ks_realloc(g->omitted, ks_mul(*cap, sizeof *g->omitted));
    }
    g->omitted[g->nomitted++] = (ks_guide_omission){ks_strdup(window), ks_strdup(what), ks_strdup(why)};
}

/* The code and labels of attribute slot a (age groups, households, districts). */
typedef struct slot_names {
    ks_guide_dim dim;     /* the dimension */
    const char *code;     /* "40-64", "single", district code */
    const char *label_ja; /* Japanese label */
    const char *label_en; /* English label */
} slot_names;

/* Everything ks_guide_build carries between its steps. */
typedef struct gbuild {
    ks_guide *g;          /* the guide being built */
    gscan s;              /* the tallies */
    slot_names *slots;    /* [s.na] (owned; strings borrowed from codes, groups and districts) */
    char **dcode;         /* [nd] district codes (owned) */
    char **dja;           /* [nd] district Japanese names (owned) */
    char **den;           /* [nd] district English names (owned) */
    size_t omit_cap;      /* capacity of g->omitted */
    ks_date today;        /* for the assured check and the closures */
} gbuild;

static const char *dim_name(ks_guide_dim d)
{
    return d == KS_DIM_AGE ? "age" : d == KS_DIM_HOUSEHOLD ? "household" : "district";
}

/* The shown attribute values of cells[0..na), appended to *out. */
static void collect_attrs(gbuild *b, const gcell *cells, size_t stride, ks_guide_attr **out, size_t *n,
                          const char *window, const char *prefix)
{
    const gscan *s = &b->s;
    for (size_t a = 0; a < s->na; a++) {
        const gcell *c = &cells[a * stride];
        if (c->n == 0)
            continue;
        int64_t exact;
        ks_guide_band band = cell_band(s, c, &exact);
        const slot_names *sn = &b->slots[a];
        if (band == KS_BAND_NONE) {
            char what[200];
            snprintf(what, sizeof what, "%s%s:%s", prefix, dim_name(sn->dim), sn->code);
            omit(b->g, &b->omit_cap, window, what, "fewer than k persons or cases");
            b->g->n_omitted_combos++;
            continue;
        }
        *out = ks_realloc(*out, ks_mul(*n + 1, sizeof **out));
        (*out)[(*n)++] = (ks_guide_attr){sn->dim, ks_strdup(sn->code), ks_strdup(sn->label_ja),
                                         ks_strdup(sn->label_en), band, exact};
    }
}

static int cmp_problem(const void *x, const void *y)
{
    const ks_guide_problem *p = x, *q = y;
    if (p->band != q->band)
        return p->band > q->band ? -1 : 1;
    if (p->share != q->share)
        return p->share > q->share ? -1 : 1;
    return p->problem_id - q->problem_id;
}

/* One problem of window level l, when shown. */
static int window_problem(gbuild *b, ks_guide_window *w, size_t l, size_t p, ks_error *err)
{
    gscan *s = &b->s;
    const ks_an_ptally *t = &s->pt[p];
    const gcell *wp = &s->wp[l * (s->np + 1) + p];
    if (wp->n == 0)
        return 0;
    const ks_code *code = ks_code_by_id(KS_CODE_PROBLEM, (int)p);
    ks_guide_problem gp = {.problem_id = (int)p};
    gp.band = shown_band(s, &wp->p, t->cases[l], &gp.exact);
    if (gp.band == KS_BAND_NONE) {
        char what[100];
        snprintf(what, sizeof what, "problem:%s", code->code);
        omit(b->g, &b->omit_cap, w->partner->code, what, "fewer than k persons or cases");
        b->g->n_omitted_combos++;
        return 0;
    }
    gp.code = ks_strdup(code->code);
    gp.label_ja = ks_strdup(code->label_ja);
    gp.label_en = ks_strdup(code->label_en);
    gp.share = share_of(t->cases[l], t->pn);
    double rate, lo, hi;
    bool has;
    int rc = ks_an_ptally_rate(t, l, &rate, &lo, &hi, &has, err);
    if (rc)
        return rc;
    if (has && t->closed[l] >= KS_GUIDE_RATE_MIN) {
        gp.has_rate = true;
        gp.rate_pct = round5(100.0 * rate, 0);
        gp.rate_lo_pct = round5(100.0 * lo, -1);
        gp.rate_hi_pct = round5(100.0 * hi, 1);
    }
    char prefix[100];
    snprintf(prefix, sizeof prefix, "problem:%s x ", code->code);
    collect_attrs(b, wpa_cell(s, l, p, 0), 1, &gp.attrs, &gp.nattrs, w->partner->code, prefix);
    w->problems = ks_realloc(w->problems, ks_mul(w->nproblems + 1, sizeof *w->problems));
    w->problems[w->nproblems++] = gp;
    return 0;
}

/* Whether a record was checked within 12 months of today. */
static bool assured_recently(const ks_window *rec, ks_date today, int *months)
{
    if (!rec->assured) {
        *months = -1;
        return false;
    }
    int m = (today.y - rec->assured_date.y) * 12 + (today.m - rec->assured_date.m) - (today.d < rec->assured_date.d);
    *months = m;
    return m < 12 || (m == 12 && today.d == rec->assured_date.d);
}

static void check_record(gbuild *b, const ks_guide_window *w)
{
    if (!w->rec) {
        omit(b->g, &b->omit_cap, w->partner->code, "record", "no directory record in the profile (windows.csv)");
        return;
    }
    int months;
    if (assured_recently(w->rec, b->today, &months))
        return;
    char why[100];
    if (months < 0)
        snprintf(why, sizeof why, "never assured (no assured_date)");
    else
        snprintf(why, sizeof why, "not assured for %d months", months);
    omit(b->g, &b->omit_cap, w->partner->code, "record", why);
    b->g->n_unassured++;
}

/* The guide's level of a profile partner (by code: the database and the
 * profile agree on codes, ks_db_bind_profile), -1 when the database has none. */
static int partner_level(const gscan *s, const ks_partner *pa)
{
    for (size_t l = 0; l < s->nl; l++)
        if (strcmp(s->pv->lev[l].code, pa->code) == 0)
            return (int)l;
    return -1;
}

/* One window: its evidence, or nothing when it has neither record nor
 * evidence (then only the staff report names it). */
static int add_window(gbuild *b, const ks_partner *pa, int l, ks_error *err)
{
    ks_guide *g = b->g;
    gscan *s = &b->s;
    ks_guide_window w = {.partner = pa, .rec = ks_profile_window(g->profile, pa->id)};
    ks_guide_window_uuid(g->profile_name, pa->code, NULL, w.uuid); /* the HSDS service's id */
    int rc = 0;
    if (l >= 0) {
        int64_t exact;
        w.band = cell_band(s, &s->w[l], &exact);
        for (size_t p = 1; rc == 0 && p <= s->np; p++)
            rc = window_problem(b, &w, (size_t)l, p, err);
        if (rc)
            goto fail;
        if (w.nproblems) /* qsort's base may not be NULL */
            qsort(w.problems, w.nproblems, sizeof *w.problems, cmp_problem);
        collect_attrs(b, &s->wa[(size_t)l * s->na], 1, &w.attrs, &w.nattrs, pa->code, "");
    }
    if (w.band == KS_BAND_NONE && w.nproblems == 0) {
        omit(g, &b->omit_cap, pa->code, "evidence", "no evidence: fewer than k persons or cases in the period");
        if (!w.rec) {
            g->n_omitted_windows++;
            return 0; /* nothing to say about it */
        }
    }
    check_record(b, &w);
    g->windows = ks_realloc(g->windows, ks_mul(g->nwindows + 1, sizeof *g->windows));
    g->windows[g->nwindows++] = w;
    return 0;
fail:
    g->windows = ks_realloc(g->windows, ks_mul(g->nwindows + 1, sizeof *g->windows));
    g->windows[g->nwindows++] = w; /* freed with the guide */
    return rc;
}

/* A window's candidates for "usually works with". */
typedef struct wcand {
    size_t w;        /* index into g->windows */
    int64_t n;       /* the pair's published count */
} wcand;

static int cmp_cand(const void *x, const void *y)
{
    const wcand *p = x, *q = y;
    if (p->n != q->n)
        return p->n > q->n ? -1 : 1;
    return p->w < q->w ? -1 : p->w > q->w;
}

/* "usually works with": the pairs shown (k persons, published >= k), the
 * most frequent first. */
static void add_with(gbuild *b, const int *level)
{
    ks_guide *g = b->g;
    gscan *s = &b->s;
    wcand *c = ks_malloc(ks_mul(g->nwindows + 1, sizeof *c));
    for (size_t i = 0; i < g->nwindows; i++) {
        size_t nc = 0;
        for (size_t j = 0; j < g->nwindows; j++) {
            if (i == j || level[i] < 0 || level[j] < 0)
                continue;
            size_t x = (size_t)(level[i] < level[j] ? level[i] : level[j]);
            size_t y = (size_t)(level[i] < level[j] ? level[j] : level[i]);
            const gcell *pc = &s->pair[x * s->nl + y];
            if (pc->n == 0)
                continue;
            int64_t exact, pub = ks_an_count(&s->a, pc->n, pc->key);
            if (shown_band(s, &pc->p, pub, &exact) == KS_BAND_NONE) {
                if (i < j) {
                    char what[100];
                    snprintf(what, sizeof what, "with:%s", g->windows[j].partner->code);
                    omit(g, &b->omit_cap, g->windows[i].partner->code, what, "fewer than k persons or cases");
                    g->n_omitted_combos++;
                }
                continue;
            }
            c[nc++] = (wcand){j, pub};
        }
        qsort(c, nc, sizeof *c, cmp_cand);
        for (size_t k = 0; k < nc && k < KS_GUIDE_WITH_MAX; k++)
            g->windows[i].with[g->windows[i].nwith++] = c[k].w;
    }
    free(c);
}

static int add_windows(gbuild *b, ks_error *err)
{
    ks_guide *g = b->g;
    size_t n;
    const ks_partner *pa = ks_profile_partners(g->profile, &n);
    int *level = ks_malloc(ks_mul(n + 1, sizeof *level));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int l = partner_level(&b->s, &pa[i]);
        size_t before = g->nwindows;
        rc = add_window(b, &pa[i], l, err);
        if (g->nwindows > before)
            level[g->nwindows - 1] = l;
    }
    if (rc == 0)
        add_with(b, level);
    free(level);
    return rc;
}

/* Public holidays and the year-end closing from January of the build year
 * to December two years on: the page looks these up for "open now". */
static int add_closures(gbuild *b, ks_error *err)
{
    ks_guide *g = b->g;
    int y0 = b->today.y;
    int32_t d0 = ks_date_days((ks_date){(int16_t)y0, 1, 1}), d1 = ks_date_days((ks_date){(int16_t)(y0 + 2), 12, 31});
    size_t cap = 0;
    for (int32_t d = d0; d <= d1; d++) {
        ks_date day = ks_date_from_days(d);
        const char *name = NULL;
        int rc = ks_jp_holiday(day, &name, err);
        if (rc)
            return rc;
        bool yearend = ks_jp_year_end(day);
        if (!name && !yearend)
            continue;
        if (g->nclosures == cap) {
            cap = cap ? cap * 2 : 64;
            g->closures = ks_realloc(g->closures, ks_mul(cap, sizeof *g->closures));
        }
        ks_guide_closure *c = &g->closures[g->nclosures++];
        ks_date_format(day, c->date);
        c->name = name ? name : "年末年始";
        c->holiday = name != NULL;
    }
    return 0;
}

/* ---- setting up ------------------------------------------------------------- */

/* The profile (the database's unless one is named), checked against the
 * database's districts, and the attribute slots' names. */
static int load_profile(gbuild *b, sqlite3 *db, const char *name, ks_error *err)
{
    ks_guide *g = b->g;
    ks_buf v;
    ks_buf_init(&v);
    int rc = 0;
    if (!name) {
        if ((rc = ks_db_meta_get(db, "profile", &v, err)) < 0) /* 1: found, 0: not */
            goto done;
        rc = 0;
        if (!v.len) {
            rc = ks_error_set(err, KS_EUSAGE, "the database names no profile: give --profile");
            goto done;
        }
        name = v.buf;
    }
    if (!(g->profile = ks_profile_load(name, err))) {
        rc = -err->code;
        goto done;
    }
    g->profile_name = ks_strdup(ks_profile_name(g->profile));
    sqlite3_stmt *st = NULL;
    if ((rc = ks_db_prepare(db, "SELECT code, label_ja, label_en FROM district ORDER BY district_id", &st, err)))
        goto done;
    size_t nd;
    const ks_district *pd = ks_profile_districts(g->profile, &nd);
    size_t i = 0;
    b->dcode = ks_calloc(nd + 1, sizeof *b->dcode);
    b->dja = ks_calloc(nd + 1, sizeof *b->dja);
    b->den = ks_calloc(nd + 1, sizeof *b->den);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *ja = (const char *)sqlite3_column_text(st, 1);
        if (i >= nd || strcmp(ja, pd[i].name_ja) != 0)
            break;
        b->dcode[i] = ks_strdup((const char *)sqlite3_column_text(st, 0));
        b->dja[i] = ks_strdup(ja);
        b->den[i] = ks_strdup((const char *)sqlite3_column_text(st, 2));
        i++;
    }
    sqlite3_finalize(st);
    if (i != nd)
        rc = ks_error_set(err, KS_EUSAGE, "profile '%s' does not list the database's districts: wrong --profile?",
                          g->profile_name);
    b->s.nd = nd;
done:
    ks_buf_release(&v);
    return rc;
}

static void name_slots(gbuild *b)
{
    size_t ng, nh;
    const ks_guide_age_group *ag = ks_guide_age_groups(&ng);
    const ks_code *hc = ks_codes(KS_CODE_HOUSEHOLD, &nh);
    b->slots = ks_calloc(b->s.na, sizeof *b->slots);
    for (size_t i = 0; i < AGE_GROUPS && i < ng; i++)
        b->slots[i] = (slot_names){KS_DIM_AGE, ag[i].code, ag[i].label_ja, ag[i].label_en};
    for (size_t i = 0; i < HOUSEHOLDS && i < nh; i++)
        b->slots[AGE_GROUPS + i] = (slot_names){KS_DIM_HOUSEHOLD, hc[i].code, hc[i].label_ja, hc[i].label_en};
    for (size_t i = 0; i < b->s.nd; i++)
        b->slots[AGE_GROUPS + HOUSEHOLDS + i] = (slot_names){KS_DIM_DISTRICT, b->dcode[i], b->dja[i], b->den[i]};
}

/* Today in Japan, or the date the caller fixes (tests, reproducible builds). */
static int set_today(gbuild *b, const char *today, ks_error *err)
{
    if (today) {
        if (ks_date_parse(today, strlen(today), &b->today) != KS_DATE_OK)
            return ks_error_set(err, KS_EUSAGE, "--today: not a date: %s", today);
    } else {
        b->today = ks_date_jst(time(NULL), NULL);
    }
    char buf[KS_DATE_ISO_SIZE];
    ks_date_format(b->today, buf);
    b->g->built_at = ks_strdup(buf);
    if (b->today.y < KS_HOLIDAY_FIRST_YEAR || b->today.y + 2 > KS_HOLIDAY_LAST_YEAR)
        return ks_error_set(err, KS_EUSAGE, "the build date %s is outside the years the holiday rules cover", buf);
    return 0;
}

/* The period in whole months (the first and last month with cases, or the
 * options' dates): the first and last case's own days would date them. */
static int set_period(gbuild *b, const ks_guide_opts *o, ks_error *err)
{
    ks_guide *g = b->g;
    ks_an *a = &b->s.a;
    char sql[4096];
    snprintf(sql, sizeof sql,
             "SELECT min(c.consult_month) || '-01', date(max(c.consult_month) || '-01', '+1 month', '-1 day') "
             "FROM case_record c WHERE %s",
             a->where);
    sqlite3_stmt *st = NULL;
    int rc = ks_an_prepare(a, sql, &st, err);
    if (rc)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        g->period_from = ks_strdup((const char *)sqlite3_column_text(st, 0));
        g->period_to = ks_strdup((const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (!g->period_from)
        return ks_error_set(err, KS_EDATA, "no cases in the period");
    /* the options' own bounds where given (they cut months) */
    if (o->from && strcmp(o->from, g->period_from) > 0) {
        free(g->period_from);
        g->period_from = ks_strdup(o->from);
    }
    if (o->to && strcmp(o->to, g->period_to) < 0) {
        free(g->period_to);
        g->period_to = ks_strdup(o->to);
    }
    return 0;
}

/* Cases and distinct persons in the period, banded (the "how this was
 * made" page). */
static int set_totals(gbuild *b, ks_error *err)
{
    ks_an *a = &b->s.a;
    ks_guide *g = b->g;
    g->cases_band = band_of(ks_an_count(a, a->n_selected, a->key_selected), g->k);
    char sql[4096];
    snprintf(sql, sizeof sql, "SELECT DISTINCT c.person_id FROM case_record c WHERE %s", a->where);
    sqlite3_stmt *st = NULL;
    int rc = ks_an_prepare(a, sql, &st, err);
    ks_an_n persons = {0};
    while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
        int64_t key = 0;
        if (a->cellkey)
            rc = ks_an_key(a, KS_RKEY_PERSON, sqlite3_column_int64(st, 0), &key, err);
        ks_an_n_add(&persons, key);
    }
    sqlite3_finalize(st);
    g->persons_band = band_of(ks_an_count(a, persons.n, persons.key), g->k);
    return rc;
}

static int start(gbuild *b, sqlite3 *db, const ks_guide_opts *o, ks_error *err)
{
    ks_guide *g = b->g;
    int rc;
    if ((rc = set_today(b, o->today, err)) || (rc = load_profile(b, db, o->profile, err)))
        return rc;
    ks_policy pol;
    if ((rc = ks_policy_load(db, &pol, err)))
        return rc;
    g->k = pol.k;
    g->ptable_sha256 = ks_strdup(pol.ptable_sha256);
    ks_policy_release(&pol);
    if (g->k > KMAX)
        return ks_error_set(err, KS_EUSAGE, "the guide's lowest band is k..9 cases: k=%d is above 9", g->k);
    g->engine_version = ks_strdup(KASANE_VERSION);
    ks_an_filter f = {.from = o->from, .to = o->to, .fy = o->fy};
    ks_an_opts ao = {.adhoc = true};
    static const ks_output quiet = {0};
    if ((rc = ks_an_init(&b->s.a, db, &quiet, &f, &ao, err)))
        return rc;
    b->s.k = g->k;
    return 0;
}

int ks_guide_build(sqlite3 *db, const ks_guide_opts *o, ks_guide **out, ks_error *err)
{
    gbuild b = {.g = ks_calloc(1, sizeof *b.g)};
    *out = NULL;
    int rc;
    if ((rc = start(&b, db, o, err)) || (rc = set_period(&b, o, err)) || (rc = set_totals(&b, err)))
        goto done;
    if ((rc = gscan_run(&b.s, err)))
        goto done;
    name_slots(&b);
    if ((rc = add_windows(&b, err)) || (rc = add_closures(&b, err)))
        goto done;
    /* the public page says how many combinations the rule left out: to tens,
     * so that two releases do not say "one more rare combination" */
    b.g->n_omitted_combos = (b.g->n_omitted_combos + 5) / 10 * 10;
    *out = b.g;
    b.g = NULL;
done:
    ks_guide_free(b.g);
    gscan_release(&b.s);
    free(b.slots);
    for (size_t i = 0; b.dcode && i < b.s.nd; i++) {
        free(b.dcode[i]);
        free(b.dja[i]);
        free(b.den[i]);
    }
    free(b.dcode);
    free(b.dja);
    free(b.den);
    return rc;
}

static void free_attrs(ks_guide_attr *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].code);
        free(a[i].label_ja);
        free(a[i].label_en);
    }
    free(a);
}

void ks_guide_free(ks_guide *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->nwindows; i++) {
        ks_guide_window *w = &g->windows[i];
        for (size_t p = 0; p < w->nproblems; p++) {
            free(w->problems[p].code);
            free(w->problems[p].label_ja);
            free(w->problems[p].label_en);
            free_attrs(w->problems[p].attrs, w->problems[p].nattrs);
        }
        free(w->problems);
        free_attrs(w->attrs, w->nattrs);
    }
    free(g->windows);
    for (size_t i = 0; i < g->nomitted; i++) {
        free(g->omitted[i].window);
        free(g->omitted[i].what);
        free(g->omitted[i].why);
    }
    free(g->omitted);
    free(g->closures);
    free(g->profile_name);
    free(g->period_from);
    free(g->period_to);
    free(g->built_at);
    free(g->engine_version);
    free(g->ptable_sha256);
    ks_profile_free(g->profile);
    free(g);
}
