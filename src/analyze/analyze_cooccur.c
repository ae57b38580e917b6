/* analyze_cooccur.c: `kasane analyze cooccur [--unit case|household]`.
 *
 * Every pair of problems (A, B): how many units (cases, or households: the
 * union of the problems of the household's cases) have both, against the
 * n_A n_B / n expected if the two were independent; lift = observed /
 * expected, phi, the two-sided Fisher p of the 2 x 2 table, and the
 * Benjamini-Hochberg q.
 *
 * Disclosure: every statistic of a pair but the expected count is a function
 * of n_AB, n_A and n_B (and n); with one of them hidden it is that count in
 * disguise (lift = n_AB n / (n_A n_B) gives n_A back from a shown n_AB), so
 * a pair's statistics are shown only when all three counts are.  Those pairs
 * are the published family: the BH adjustment and the ranking run over them
 * alone, because a q-value is a function of the ranks and p-values of every
 * pair in its family, and a hidden pair placed in the ranking by its lift
 * would show its lift's position.  Pairs outside the family follow the
 * ranked ones in code order.  The family does not depend on --top: q-values
 * are the same whatever the length of the list.
 *
 * Ranking: the pairs with q < 0.05 and lift > 1, by the lower end of the
 * lift's 95% interval (the exact Poisson interval of the count with both,
 * over the expected count).  Lift alone puts rare pairs on top (two problems
 * of 30 cases that meet 3 times have lift 100); phi favours pairs of common
 * problems (介護 is in a quarter of all households, so any problem of the old
 * correlates with it).  The lower bound asks for a lift that is both large
 * and well supported, which brings the household patterns the coordinators
 * look for -- 8050 (介護/認知症 with ひきこもり), double care (子育て + 介護),
 * young carers -- to the top.
 * tests/cli/t2030 checks that on generated data.
 *
 * Under the cell key method (analyze.h) every count is the published
 * (perturbed) one -- a case's record key, or with --unit household the
 * household's -- and each pair's statistics come from the 2 x 2 table that
 * its four published counts (both, with A, with B, all units) define; a
 * pair whose published counts make no 2 x 2 (a negative cell: the noise of
 * each count is its own) has no statistics and is outside the family.
 * The hiding of statistics next to counts below k is suppression's and
 * runs only when the method has it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "stats_poisson.h"
#include "stats_table.h"
#include "weaken.h"

enum { DEFAULT_TOP = 20 };

/* household id -> union of problem masks */
typedef struct hh_map {
    size_t cap;       /* slots, a power of two */
    size_t n;         /* households */
    int64_t *id;      /* [cap] household id */
    uint64_t *mask;   /* [cap] problems of the household */
    int64_t *key;     /* [cap] the household's record key (cell key method) */
    uint8_t *used;    /* [cap] slot in use */
} hh_map;

static size_t hh_slot(const hh_map *h, int64_t id)
{
    uint64_t x = (uint64_t)id * 0x9E3779B97F4A7C15u;
    size_t i = (size_t)(x ^ (x >> 29)) & (h->cap - 1);
    while (h->used[i] && h->id[i] != id)
        i = (i + 1) & (h->cap - 1);
    return i;
}

static void hh_alloc(hh_map *h, size_t cap)
{
    h->cap = cap;
    h->n = 0;
    h->id = ks_malloc(ks_mul(cap, sizeof *h->id));
    h->mask = ks_calloc(cap, sizeof *h->mask);
    h->key = ks_calloc(cap, sizeof *h->key);
    h->used = ks_calloc(cap, 1);
}

static void hh_release(hh_map *h)
{
    free(h->id);
    free(h->mask);
    free(h->key);
    free(h->used);
}

static void hh_add(hh_map *h, int64_t id, uint64_t mask, int64_t key)
{
    if (2 * (h->n + 1) > h->cap) {
        hh_map g;
        hh_alloc(&g, h->cap * 2);
        for (size_t i = 0; i < h->cap; i++)
            if (h->used[i]) {
                size_t s = hh_slot(&g, h->id[i]);
                g.used[s] = 1;
                g.id[s] = h->id[i];
                g.mask[s] = h->mask[i];
                g.key[s] = h->key[i];
                g.n++;
            }
        hh_release(h);
        *h = g;
    }
    size_t s = hh_slot(h, id);
    if (!h->used[s]) {
        h->used[s] = 1;
        h->id[s] = id;
        h->key[s] = key;
        h->n++;
    }
    h->mask[s] |= mask;
}

typedef struct co_scan {
    const ks_an_var *v;   /* problems (bit -> level) */
    bool household;       /* unit household */
    const ks_an *a;       /* the session, for the households' keys (cell key method) */
    ks_error *err;        /* where a missing household key is reported */
    hh_map hh;            /* households */
    ks_an_n no_household; /* cases without a household, excluded */
    ks_an_n n;            /* units (true) */
    int64_t pn;           /* units, as published */
    int64_t *na;          /* [nlev] units with the problem */
    int64_t *nab;         /* [nlev * nlev] units with both (i < j) */
    uint64_t *ka;         /* [nlev] record keys' sum of na (cell key method) */
    uint64_t *kab;        /* [nlev * nlev] of nab */
} co_scan;

static void count_unit(co_scan *s, uint64_t mask, int64_t key)
{
    int lv[64];
    size_t m = 0;
    uint64_t seen = 0;
    for (int b = 0; b < 64; b++) {
        int li = (mask >> b) & 1 ? s->v->bit_level[b] : -1;
        if (li < 0 || (seen >> li) & 1)
            continue;
        seen |= UINT64_C(1) << li;
        lv[m++] = li;
    }
    ks_an_n_add(&s->n, key);
    size_t nl = s->v->nlev;
    for (size_t i = 0; i < m; i++) {
        s->na[lv[i]]++;
        s->ka[lv[i]] += (uint64_t)key;
        for (size_t j = i + 1; j < m; j++) {
            int x = lv[i] < lv[j] ? lv[i] : lv[j], y = lv[i] < lv[j] ? lv[j] : lv[i];
            s->nab[(size_t)x * nl + (size_t)y]++;
            s->kab[(size_t)x * nl + (size_t)y] += (uint64_t)key;
        }
    }
}

/* val: the mask, the household id, the case's key (ks_an_scan) */
static int co_row(void *ud, const int64_t *val, const bool *null)
{
    co_scan *s = ud;
    int64_t case_key = val[2], hh_key = 0;
    if (!s->household) {
        count_unit(s, (uint64_t)val[0], case_key);
        return 0;
    }
    if (null[1]) {
        ks_an_n_add(&s->no_household, case_key);
        return 0;
    }
    /* a household count sums households' keys, not their cases' */
    int rc;
    if (s->a->cellkey && (rc = ks_an_key(s->a, KS_RKEY_HOUSEHOLD, val[1], &hh_key, s->err)))
        return rc;
    hh_add(&s->hh, val[1], (uint64_t)val[0], hh_key);
    return 0;
}

typedef struct pair {
    int a;          /* level of A */
    int b;          /* level of B */
    ks_cooccur co;  /* the statistics */
    double q;       /* BH q */
    double lift_lo; /* lower 95% bound of the lift */
    double lift_hi; /* upper 95% bound */
    bool sig;       /* q < 0.05 and lift > 1 */
    bool table;     /* the published counts make a 2 x 2 (always, unperturbed) */
    bool shown;     /* n_ab, n_a and n_b all shown: the statistics are */
    bool family;    /* in the BH family and the ranking (= shown) */
} pair;

static int cmp_rank(const void *x, const void *y)
{
    const pair *p = x, *r = y;
    if (p->family != r->family)
        return p->family ? -1 : 1;
    if (!p->family)
        return p->a != r->a ? p->a - r->a : p->b - r->b;
    if (p->sig != r->sig)
        return p->sig ? -1 : 1;
    if (p->lift_lo != r->lift_lo)
        return p->lift_lo > r->lift_lo ? -1 : 1;
    return p->a != r->a ? p->a - r->a : p->b - r->b;
}

/* Columns of the pairs table. */
enum { P_RANK, P_A, P_B, P_CA, P_CB, P_NAB, P_NA, P_NB, P_EXP, P_LIFT, P_LO, P_HI, P_PHI, P_P, P_Q, P_MARK };

/* The state one co-occurrence analysis passes from step to step;
 * ks_analyze_cooccur owns everything here and releases it once, at its
 * `done:`. */
typedef struct co_run {
    ks_an *a;            /* the analysis (borrowed) */
    ks_an_var *v;        /* problems (owned) */
    co_scan s;           /* the units' counts (na, nab and hh owned) */
    pair *pairs;         /* [np] every pair of problems present, ranked at the end (owned) */
    size_t np;           /* entries of pairs */
    double *pv;          /* [np + 1] p of the family, then its q (owned) */
    size_t nfam;         /* pairs in the BH family */
    size_t nsig;         /* pairs with q < 0.05 and lift > 1 */
    ks_table *t;         /* the pairs table (owned) */
    ks_an_excl ex;       /* cases left out and why */
    char *nnote;         /* the n footer of the table (owned) */
} co_run;

/* Counts the units (cases, or households once all their cases are in) with
 * each problem and each pair, with the footer of what was left out;
 * refuses a selection of fewer than k units. */
static int count_units(co_run *r, ks_error *err)
{
    ks_an *a = r->a;
    co_scan *s = &r->s;
    size_t nl = r->v->nlev;
    s->v = r->v;
    s->household = a->opts.household;
    s->a = a;
    s->err = err;
    s->na = ks_calloc(nl, sizeof *s->na);
    s->nab = ks_calloc(ks_mul(nl, nl), sizeof *s->nab);
    s->ka = ks_calloc(nl, sizeof *s->ka);
    s->kab = ks_calloc(ks_mul(nl, nl), sizeof *s->kab);
    if (s->household)
        hh_alloc(&s->hh, 1024);
    const char *exprs[2] = {"c.problem_mask", "c.household_id"};
    int rc;
    if ((rc = ks_an_scan(a, exprs, 2, NULL, co_row, s, err)))
        return rc;
    if (s->household)
        for (size_t i = 0; i < s->hh.cap; i++)
            if (s->hh.used[i])
                count_unit(s, s->hh.mask[i], s->hh.key[i]);
    ks_an_excl_add(a, &r->ex, s->no_household, KS_AN_L(a, "世帯番号なし", "cases without a household number"));
    r->nnote = ks_an_note_n(a, s->n, s->household ? KS_AN_L(a, "世帯", "households") : KS_AN_L(a, "件", "cases"),
                            &r->ex);
    if (s->n.n == 0)
        return ks_error_set(err, KS_EDATA, "no %s to count (%s)", s->household ? "households" : "cases", r->nnote);
    if (s->n.n < a->k)
        return ks_error_set(err, KS_ESAFETY, "fewer than k=%d %s in the selection: no statistics", a->k,
                            s->household ? "households" : "cases");
    return 0;
}

/* Every count replaced by its published value (ks_an_count: itself without
 * the cell key method), from which all the rest is computed. */
static void publish_counts(co_run *r)
{
    ks_an *a = r->a;
    co_scan *s = &r->s;
    size_t nl = r->v->nlev;
    s->pn = ks_an_count(a, s->n.n, s->n.key);
    for (size_t i = 0; i < nl; i++)
        s->na[i] = ks_an_count(a, s->na[i], s->ka[i]);
    for (size_t i = 0; i < nl * nl; i++)
        s->nab[i] = ks_an_count(a, s->nab[i], s->kab[i]);
}

/* every pair of problems present */
static int pair_counts(co_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const co_scan *s = &r->s;
    size_t nl = r->v->nlev;
    r->pairs = ks_malloc(ks_mul(nl * nl / 2 + 1, sizeof *r->pairs));
    for (size_t i = 0; i < nl; i++)
        for (size_t j = i + 1; j < nl; j++) {
            if (!s->na[i] || !s->na[j])
                continue;
            pair *p = &r->pairs[r->np];
            p->a = (int)i;
            p->b = (int)j;
            int64_t nab = s->nab[i * nl + j];
            /* perturbed counts need not make a 2 x 2 (a negative cell):
             * such a pair is listed with its counts only (see the top) */
            bool table = nab <= s->na[i] && nab <= s->na[j] && s->na[i] <= s->pn && s->na[j] <= s->pn &&
                         s->na[i] + s->na[j] - nab <= s->pn;
            int rc;
            if (!table) {
                p->co = (ks_cooccur){.n_ab = nab, .n_a = s->na[i], .n_b = s->na[j], .expected = NAN,
                                     .lift = NAN, .phi = NAN, .fisher_p = NAN};
            } else if ((rc = ks_cooccur_counts(nab, s->na[i], s->na[j], s->pn, &p->co, err))) {
                return rc;
            }
            int64_t c3[3] = {p->co.n_ab, p->co.n_a, p->co.n_b};
            p->table = table;
            p->shown = table;
            for (int c = 0; c < 3 && a->suppress; c++)
                if (c3[c] > 0 && c3[c] < a->k)
                    p->shown = false;
            /* weakened: every pair in the family, hidden or not (the old BH) */
            p->family = p->shown || (table && ks_weakened("cooccur-bh"));
            r->np++;
        }
    return 0;
}

/* BH over the published family only, the lift intervals of the family,
 * then the ranking (cmp_rank). */
static int rank_pairs(co_run *r, ks_error *err)
{
    const ks_an_var *v = r->v;
    r->pv = ks_malloc(ks_mul(r->np + 1, sizeof *r->pv));
    for (size_t i = 0; i < r->np; i++)
        if (r->pairs[i].family)
            r->pv[r->nfam++] = r->pairs[i].co.fisher_p;
    int rc;
    if ((rc = ks_p_adjust_bh(r->pv, r->nfam, r->pv, err)))
        return rc;
    for (size_t i = 0, f = 0; i < r->np; i++) {
        pair *p = &r->pairs[i];
        p->q = p->family ? r->pv[f++] : NAN;
        p->sig = p->family && p->q < 0.05 && p->co.has_lift && p->co.lift > 1;
        /* exact Poisson interval of the observed count, over the expected one */
        p->lift_lo = p->lift_hi = NAN;
        if (p->family && p->co.has_lift) {
            double lo, hi;
            if ((rc = ks_poisson_exact_ci((double)p->co.n_ab, 0.95, &lo, &hi, err))) {
                ks_error_prefix(err, "pair %s-%s: ", v->lev[p->a].code, v->lev[p->b].code);
                return rc;
            }
            p->lift_lo = lo / p->co.expected;
            p->lift_hi = hi / p->co.expected;
        }
        r->nsig += p->sig;
    }
    qsort(r->pairs, r->np, sizeof *r->pairs, cmp_rank);
    return 0;
}

/* The pairs table's columns: the three counts, the expected count a share
 * of n_A and n_B, every other statistic a share of n_AB. */
static ks_table *pairs_table(ks_an *a)
{
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "rank", KS_AN_L(a, "順位", "rank"), KS_COL_INT, NULL);
    ks_table_add_column(t, "problem_a", KS_AN_L(a, "課題A", "problem A"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "problem_b", KS_AN_L(a, "課題B", "problem B"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "code_a", KS_AN_L(a, "コードA", "code A"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "code_b", KS_AN_L(a, "コードB", "code B"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "n_ab", KS_AN_L(a, "両方", "both"), KS_COL_INT, NULL);
    ks_table_add_column(t, "n_a", KS_AN_L(a, "Aあり", "with A"), KS_COL_INT, NULL);
    ks_table_add_column(t, "n_b", KS_AN_L(a, "Bあり", "with B"), KS_COL_INT, NULL);
    ks_an_col(t, "expected", KS_AN_L(a, "期待値", "expected"), KS_COL_REAL, 2, NULL);
    ks_an_col(t, "lift", KS_AN_L(a, "リフト", "lift"), KS_COL_REAL, 2, NULL);
    ks_an_col(t, "lift_lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 2, NULL);
    ks_an_col(t, "lift_upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 2, NULL);
    ks_an_col(t, "phi", "phi", KS_COL_REAL, 3, NULL);
    ks_an_col(t, "p", "p (Fisher)", KS_COL_REAL, -1, NULL);
    ks_an_col(t, "q", "q (BH)", KS_COL_REAL, -1, NULL);
    ks_table_add_column(t, "mark", KS_AN_L(a, "判定", "mark"), KS_COL_TEXT, NULL);
    for (size_t j = P_NAB; j <= P_NB; j++)
        ks_table_set_count(t, j, NULL);
    ks_table_set_share(t, P_EXP, P_NA, P_NB, NULL);
    for (size_t j = P_LIFT; j <= P_MARK; j++)
        ks_table_set_share(t, j, P_NAB, -1, NULL);
    return t;
}

/* One pair's row, at rank i + 1. */
static void pair_row(ks_table *t, const ks_an_var *v, const pair *p, size_t i)
{
    size_t row = ks_table_add_row(t);
    ks_table_set_int(t, row, P_RANK, (int64_t)i + 1, NULL);
    ks_table_set_text(t, row, P_A, v->lev[p->a].label, NULL);
    ks_table_set_text(t, row, P_B, v->lev[p->b].label, NULL);
    ks_table_set_text(t, row, P_CA, v->lev[p->a].code, NULL);
    ks_table_set_text(t, row, P_CB, v->lev[p->b].code, NULL);
    ks_table_set_int(t, row, P_NAB, p->co.n_ab, NULL);
    ks_table_set_int(t, row, P_NA, p->co.n_a, NULL);
    ks_table_set_int(t, row, P_NB, p->co.n_b, NULL);
    ks_an_set_real(t, row, P_EXP, p->co.expected, NULL);
    ks_an_set_real(t, row, P_LIFT, p->co.has_lift ? p->co.lift : NAN, NULL);
    ks_an_set_real(t, row, P_LO, p->lift_lo, NULL);
    ks_an_set_real(t, row, P_HI, p->lift_hi, NULL);
    ks_an_set_real(t, row, P_PHI, p->co.has_phi ? p->co.phi : NAN, NULL);
    ks_an_set_real(t, row, P_P, p->co.fisher_p, NULL);
    ks_an_set_real(t, row, P_Q, p->q, NULL);
    bool sig = p->sig;
    bool neg = p->family && p->q < 0.05 && p->co.has_lift && p->co.lift < 1;
    ks_table_set_text(t, row, P_MARK, sig ? "+" : neg ? "-" : "", NULL);
    /* a statistic of a pair with a hidden count is that count in disguise */
    if (p->table && !p->shown)
        for (size_t j = P_LIFT; j <= P_MARK; j++)
            ks_table_suppress(t, row, j, KS_WHY_LINKED, NULL);
}

/* A problem's count is printed once in every listed pair it is in: each
 * copy is linked to the first (analyze.h), so that the count is hidden in
 * all places or in none. */
static int link_copies(co_run *r, size_t ix, size_t top, ks_error *err)
{
    size_t nl = r->v->nlev;
    ks_cell_ref *first = ks_malloc(ks_mul(nl + 1, sizeof *first));
    bool *seen = ks_calloc(nl + 1, sizeof *seen);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->np && i < top; i++) {
        const pair *p = &r->pairs[i];
        const int lev[2] = {p->a, p->b};
        for (int side = 0; side < 2 && rc == 0; side++) {
            ks_cell_ref c = {ix, i, side ? P_NB : P_NA};
            if (!seen[lev[side]]) {
                seen[lev[side]] = true;
                first[lev[side]] = c;
            } else {
                rc = ks_an_link(r->a, first[lev[side]], &c, 1, err);
            }
        }
    }
    free(first);
    free(seen);
    return rc;
}

/* the first --top pairs, with how they were tested and ranked */
static int emit_pairs(co_run *r, ks_error *err)
{
    ks_an *a = r->a;
    r->t = pairs_table(a);
    size_t top = a->opts.top ? a->opts.top : DEFAULT_TOP;
    for (size_t i = 0; i < r->np && i < top; i++)
        pair_row(r->t, r->v, &r->pairs[i], i);
    char how[700];
    snprintf(how, sizeof how,
             KS_AN_L(a, "%zu 組の課題ペアを検定 (Fisher 正確検定, 両側)、q < 0.05 かつリフト > 1 の %zu 組をリフトの 95%%下限の"
                        "大きい順に上から表示 (+: 有意に多い, -: 有意に少ない)、上位 %zu 組まで (--top N); リフトの区間は"
                        "両方ありの件数の正確な Poisson 区間 ÷ 期待値; 件数のいずれかが秘匿されたペアは統計量を表示せず、"
                        "BH 補正 (q) と順位は件数がすべて表示される %zu 組だけで計算 (秘匿された件数が q や順位から"
                        "分からないように); それ以外のペアは順位のあとにコード順",
                     "%zu pairs tested (two-sided Fisher exact test); the %zu with q < 0.05 and lift > 1 come first, "
                     "ranked by the lower 95%% bound of the lift (+: together more often than chance, -: less often); "
                     "first %zu shown (--top N); lift interval: exact Poisson interval of the count with both, over "
                     "the expected count; a pair with a hidden count has no statistics, and the BH q and the ranking "
                     "run over the %zu pairs whose counts are all shown (so that neither carries a hidden count); "
                     "the other pairs follow in code order"),
             r->np, r->nsig, top, r->nfam);
    const char *notes[2] = {how,
                            r->s.household ? KS_AN_L(a, "単位: 世帯 (世帯内のすべての相談の課題をまとめる)",
                                                     "unit: household (the problems of all its cases together)")
                                           : KS_AN_L(a, "単位: 相談1件", "unit: case")};
    size_t ix = ks_an_next_table(a);
    int rc = ks_an_emit(a, "pairs", KS_AN_L(a, "課題の同時発生", "Problem co-occurrence"), r->t, r->nnote, notes, 2, err);
    if (rc == 0)
        rc = link_copies(r, ix, top, err);
    return rc;
}

int ks_analyze_cooccur(ks_an *a, ks_error *err)
{
    co_run r = {.a = a};
    if (!(r.v = ks_an_var_new(a, "problems", false, err)))
        return -err->code;
    ks_an_excl_init(&r.ex);
    int rc = 0;
    if ((rc = count_units(&r, err)))
        goto done;
    publish_counts(&r);
    if ((rc = pair_counts(&r, err)))
        goto done;
    if ((rc = rank_pairs(&r, err)))
        goto done;
    rc = emit_pairs(&r, err);
done:
    ks_table_free(r.t);
    free(r.pairs);
    free(r.pv);
    free(r.s.na);
    free(r.s.nab);
    free(r.s.ka);
    free(r.s.kab);
    if (r.s.household)
        hh_release(&r.s.hh);
    free(r.nnote);
    ks_an_excl_release(&r.ex);
    ks_an_var_free(r.v);
    return rc;
}
