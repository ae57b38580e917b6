/* guide_lookup.c: ks_guide_lookup, the one definition of "which windows fit"
 * (guide.h).  site.js implements the same rule over the data the page
 * carries; tests/browser checks the two agree. */
#include <stdlib.h>
#include <string.h>

#include "codes.h"
#include "guide.h"

/* Whether the record's 対象 admits the chosen attributes (no record: all). */
static bool admits(const ks_window *rec, const ks_guide_query *q)
{
    if (!rec)
        return true;
    if (q->age_group >= 0) {
        size_t ng;
        const ks_guide_age_group *g = &ks_guide_age_groups(&ng)[q->age_group];
        int lo = rec->age_min < 0 ? 0 : rec->age_min, hi = rec->age_max < 0 ? 1000 : rec->age_max;
        int glo = g->age_lo, ghi = g->age_hi < 0 ? 1000 : g->age_hi;
        if (hi < glo || ghi < lo)
            return false;
    }
    if (q->household > 0 && rec->households && !(rec->households & (1u << q->household)))
        return false;
    if (q->district > 0 && rec->districts && !(rec->districts & (1ull << q->district)))
        return false;
    return true;
}

/* The chosen attributes the evidence shows with the problem. */
static int matched(const ks_guide *g, const ks_guide_problem *p, const ks_guide_query *q)
{
    size_t ng, nd;
    const ks_guide_age_group *ag = ks_guide_age_groups(&ng);
    const ks_district *d = ks_profile_districts(g->profile, &nd);
    const ks_code *h = q->household > 0 ? ks_code_by_id(KS_CODE_HOUSEHOLD, q->household) : NULL;
    int m = 0;
    for (size_t i = 0; i < p->nattrs; i++) {
        const ks_guide_attr *a = &p->attrs[i];
        if (a->dim == KS_DIM_AGE && q->age_group >= 0 && strcmp(a->code, ag[q->age_group].code) == 0)
            m++;
        else if (a->dim == KS_DIM_HOUSEHOLD && h && strcmp(a->code, h->code) == 0)
            m++;
        else if (a->dim == KS_DIM_DISTRICT && q->district > 0 && (size_t)q->district <= nd &&
                 strcmp(a->label_ja, d[q->district - 1].name_ja) == 0)
            m++;
    }
    return m;
}

static int cmp_hit(const void *x, const void *y)
{
    const ks_guide_hit *a = x, *b = y;
    if (a->matched != b->matched)
        return a->matched > b->matched ? -1 : 1;
    if (a->problem->band != b->problem->band)
        return a->problem->band > b->problem->band ? -1 : 1;
    if (a->problem->share != b->problem->share)
        return a->problem->share > b->problem->share ? -1 : 1;
    return a->window < b->window ? -1 : a->window > b->window;
}

int ks_guide_lookup(const ks_guide *g, const ks_guide_query *q, ks_guide_hit **hits, size_t *n, ks_error *err)
{
    *hits = ks_malloc(ks_mul(g->nwindows + 1, sizeof **hits));
    *n = 0;
    for (size_t i = 0; i < g->nwindows; i++) {
        const ks_guide_window *w = &g->windows[i];
        const ks_guide_problem *p = NULL;
        for (size_t j = 0; j < w->nproblems && !p; j++)
            if (w->problems[j].problem_id == q->problem_id)
                p = &w->problems[j];
        if (!p || !admits(w->rec, q))
            continue;
        if (q->open_now || q->open_on) {
            /* unknown hours cannot be called open */
            ks_error e = {0};
            bool open = w->rec && (q->open_now ? ks_hours_open_at(&w->rec->hours, q->at_date, q->at_minute, &e)
                                               : ks_hours_open_on(&w->rec->hours, q->at_date, &e));
            if (!open) {
                if (e.code)
                    return ks_error_set(err, KS_EUSAGE, "%s", e.msg);
                continue;
            }
        }
        (*hits)[(*n)++] = (ks_guide_hit){i, p, matched(g, p, q)};
    }
    qsort(*hits, *n, sizeof **hits, cmp_hit);
    return 0;
}
