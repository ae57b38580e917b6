/* analyze_partners.c: `kasane analyze partners PROBLEM [--top N]`.
 *
 * Among the cases with PROBLEM (anywhere in their list): which partner
 * windows and agencies take part, in what share of the cases, and how often
 * the closed ones end well (解決/改善 among closed cases with a known outcome,
 * as `logit good`), with a Wilson 95% interval; then the pairs of partners on
 * the same case, with counts and lift (observed / expected if the partners
 * joined cases independently of each other).  Rows for all the cases and
 * for cases with no partner give the baseline.  A partner or pair with
 * fewer than k cases is hidden with everything computed from it.
 *
 * Under the cell key method (analyze.h) the scan sums each count's record
 * keys, publish_counts replaces every count by its published value, and
 * everything after -- shares, rates, Wilson intervals, expected counts,
 * lifts, which rows and pairs are listed and their order -- is computed
 * from those; the nested-count and pair rules are suppression's and run
 * only when the method has it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "codes.h"
#include "stats_table.h"
#include "weaken.h"

enum { DEFAULT_TOP = 20 };

typedef ks_an_ptally pt_scan; /* the tally of analyze.h, by its short local name */

void ks_an_ptally_init(ks_an_ptally *s, const ks_an_var *pv)
{
    size_t nl = pv->nlev;
    memset(s, 0, sizeof *s);
    s->pv = pv;
    s->cases = ks_calloc(nl + 2, sizeof *s->cases);
    s->closed = ks_calloc(nl + 2, sizeof *s->closed);
    s->goodn = ks_calloc(nl + 2, sizeof *s->goodn);
    s->pair = ks_calloc(ks_mul(nl, nl) + 1, sizeof *s->pair);
    s->kcases = ks_calloc(nl + 2, sizeof *s->kcases);
    s->kclosed = ks_calloc(nl + 2, sizeof *s->kclosed);
    s->kgood = ks_calloc(nl + 2, sizeof *s->kgood);
    s->kpair = ks_calloc(ks_mul(nl, nl) + 1, sizeof *s->kpair);
}

void ks_an_ptally_release(ks_an_ptally *s)
{
    free(s->cases);
    free(s->closed);
    free(s->goodn);
    free(s->pair);
    free(s->kcases);
    free(s->kclosed);
    free(s->kgood);
    free(s->kpair);
    memset(s, 0, sizeof *s);
}

static void tally(pt_scan *s, size_t i, int closed, int good, uint64_t key)
{
    s->cases[i]++;
    s->closed[i] += closed;
    s->goodn[i] += good;
    s->kcases[i] += key;
    s->kclosed[i] += closed ? key : 0;
    s->kgood[i] += good ? key : 0;
}

void ks_an_ptally_add(ks_an_ptally *s, uint64_t partner_mask, int64_t status, bool outcome_null, int64_t outcome,
                      int64_t rkey)
{
    size_t nl = s->pv->nlev;
    int closed = status == KS_STATUS_CLOSED && !outcome_null && outcome != KS_OUTCOME_UNKNOWN;
    int good = closed && ks_outcome_good((int)outcome);
    uint64_t key = (uint64_t)rkey;
    int lv[64];
    size_t m = 0;
    for (int b = 0; b < 64; b++) {
        int li = (partner_mask >> b) & 1 ? s->pv->bit_level[b] : -1;
        if (li >= 0)
            lv[m++] = li;
    }
    ks_an_n_add(&s->n, rkey);
    tally(s, nl, closed, good, key);
    if (!m)
        tally(s, nl + 1, closed, good, key);
    for (size_t i = 0; i < m; i++) {
        tally(s, (size_t)lv[i], closed, good, key);
        for (size_t j = i + 1; j < m; j++) {
            int x = lv[i] < lv[j] ? lv[i] : lv[j], y = lv[i] < lv[j] ? lv[j] : lv[i];
            s->pair[(size_t)x * nl + (size_t)y]++;
            s->kpair[(size_t)x * nl + (size_t)y] += key;
        }
    }
}

static int pt_row(void *ud, const int64_t *val, const bool *null)
{
    /* val[3]: the case's record key (ks_an_scan) */
    ks_an_ptally_add(ud, (uint64_t)val[0], val[1], null[2], val[2], val[3]);
    return 0;
}

/* Partner rows are ordered by cases, largest first; rows whose count will
 * be hidden come last in code order, because an order by a hidden count
 * tells it (four hidden rows in a strict order under k = 5 are 4, 3, 2, 1). */
typedef struct prow {
    size_t lev;     /* partner level */
    int64_t cases;  /* cases with the partner; 0 for a hidden one (sort key) */
} prow;

static int cmp_cases(const void *x, const void *y)
{
    const prow *a = x, *b = y;
    if (a->cases != b->cases)
        return a->cases > b->cases ? -1 : 1;
    return (a->lev > b->lev) - (a->lev < b->lev);
}

typedef struct ppair {
    int a;         /* partner level */
    int b;         /* partner level */
    int64_t nab;   /* cases with both */
    double exp;    /* expected */
    bool hidden;   /* its count is not published (see pair_hidden) */
} ppair;

/* Together, with A, with B and the problem's n are a 2x2 table: A without
 * B, B without A and neither follow by subtraction, so "together" is hidden
 * when it or one of them is a count below k. */
static bool pair_hidden(const pt_scan *s, int64_t nab, int64_t na, int64_t nb, int k)
{
    int64_t cell[4] = {nab, na - nab, nb - nab, s->pn - na - nb + nab};
    for (size_t i = 0; i < 4; i++)
        if (cell[i] > 0 && cell[i] < k)
            return true;
    return false;
}

static int cmp_pair(const void *x, const void *y)
{
    const ppair *p = x, *q = y;
    if (p->nab != q->nab)
        return p->nab > q->nab ? -1 : 1;
    return p->a != q->a ? p->a - q->a : p->b - q->b;
}

int ks_an_ptally_rate(const ks_an_ptally *s, size_t i, double *rate, double *lo, double *hi, bool *has,
                      ks_error *err)
{
    *has = false;
    /* perturbed, good may exceed closed: no rate then */
    if (s->closed[i] <= 0 || s->goodn[i] > s->closed[i])
        return 0;
    int rc = ks_wilson_ci(s->goodn[i], s->closed[i], 0.95, lo, hi, err);
    if (rc)
        return rc;
    *rate = (double)s->goodn[i] / (double)s->closed[i];
    *has = true;
    return 0;
}

/* Columns of the partners table. */
enum { Q_PARTNER, Q_CODE, Q_N, Q_SHARE, Q_CLOSED, Q_GOOD, Q_RATE, Q_LO, Q_HI };

static int partner_row(ks_an *a, ks_table *t, const char *label, const char *code, const pt_scan *s, size_t i,
                       ks_error *err)
{
    size_t row = ks_table_add_row(t);
    ks_table_set_text(t, row, Q_PARTNER, label, NULL);
    ks_table_set_text(t, row, Q_CODE, code, NULL);
    ks_table_set_int(t, row, Q_N, s->cases[i], NULL);
    ks_an_set_real(t, row, Q_SHARE, s->pn > 0 ? 100.0 * (double)s->cases[i] / (double)s->pn : NAN, NULL);
    ks_table_set_int(t, row, Q_CLOSED, s->closed[i], NULL);
    ks_table_set_int(t, row, Q_GOOD, s->goodn[i], NULL);
    /* The row's three counts are nested (cases >= closed >= good), so each
     * difference is a count too: open = n - closed, bad = closed - good, and
     * open + bad = n - good.  The k rule on the printed cells alone would let
     * "12 closed, 10 good" say that 2 cases ended badly; a count hidden for
     * that is hidden as a complementary cell would be ("x"). */
    int64_t n = s->cases[i], closed = s->closed[i], good = s->goodn[i];
    int k = a->k;
#define KS_SMALL(v) ((v) > 0 && (v) < k)
    bool hide_good = KS_SMALL(good) || KS_SMALL(closed - good);
    bool hide_closed = KS_SMALL(closed) || KS_SMALL(n - closed);
    if (hide_closed && !hide_good && KS_SMALL(n - good))
        hide_good = true;
#undef KS_SMALL
    if (a->suppress && !ks_weakened("partners-nested")) {
        if (hide_closed)
            ks_table_suppress(t, row, Q_CLOSED, KS_WHY_SECONDARY, NULL);
        if (hide_good)
            ks_table_suppress(t, row, Q_GOOD, KS_WHY_SECONDARY, NULL);
    }
    double rate, lo, hi;
    bool has;
    int rc = ks_an_ptally_rate(s, i, &rate, &lo, &hi, &has, err);
    if (rc)
        return rc;
    if (has) {
        ks_an_set_real(t, row, Q_RATE, rate, NULL);
        ks_an_set_real(t, row, Q_LO, lo, NULL);
        ks_an_set_real(t, row, Q_HI, hi, NULL);
    }
    (void)a;
    return 0;
}

/* The state one partners analysis passes from step to step;
 * ks_analyze_partners owns everything here and releases it once, at its
 * `done:`. */
typedef struct pt_run {
    ks_an *a;            /* the analysis (borrowed) */
    ks_an_var *pv;       /* partners (owned) */
    ks_an_var *bin;      /* problem:PROBLEM, the cases analysed (owned) */
    char *pname;         /* "problem:PROBLEM" (owned) */
    pt_scan s;           /* the counts (cases, closed, goodn and pair owned) */
    prow *order;         /* [nlev + 1] the partner rows in print order (owned) */
    ppair *pairs;        /* [np] the pairs of partners listed, most frequent first (owned) */
    size_t np;           /* entries of pairs */
    ks_table *t;         /* the partners table (owned) */
    ks_table *pt;        /* the pairs table (owned) */
    size_t t_ix;         /* the partners table's index in the result (for links) */
    size_t *lev_row;     /* [nlev] each partner's row in the partners table (owned) */
    char *nnote;         /* the n footer of both tables (owned) */
} pt_run;

/* PROBLEM as a code or label: problem:CODE resolves and checks it */
static int problem_variable(pt_run *r, const char *problem, ks_error *err)
{
    ks_buf b;
    ks_buf_init(&b);
    ks_buf_addf(&b, "problem:%s", problem);
    r->pname = ks_buf_detach(&b, NULL);
    if (!(r->bin = ks_an_var_new(r->a, r->pname, true, err)))
        return -err->code;
    return 0;
}

/* Counts the cases with the problem by partner and pair of partners in one
 * scan; refuses a selection of fewer than k such cases. */
static int count_cases(pt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    pt_scan *s = &r->s;
    ks_an_ptally_init(s, r->pv);
    const char *exprs[3] = {"c.partner_mask", "c.status_id", "c.outcome_id"};
    int rc;
    if ((rc = ks_an_scan(a, exprs, 3, r->bin->expr, pt_row, s, err)))
        return rc;
    char unit[300];
    snprintf(unit, sizeof unit, KS_AN_L(a, "件 (課題「%s」あり)", "cases with %s"), r->bin->label);
    r->nnote = ks_an_note_n(a, s->n, unit, NULL);
    if (s->n.n == 0)
        return ks_error_set(err, KS_EDATA, "no cases with %s in the selection", r->bin->label);
    if (s->n.n < a->k)
        return ks_error_set(err, KS_ESAFETY, "fewer than k=%d cases with %s in the selection: no statistics", a->k,
                            r->bin->label);
    return 0;
}

/* Every count replaced by its published value (ks_an_count: itself without
 * the cell key method), from which all the rest is computed. */
void ks_an_ptally_publish(const ks_an *a, ks_an_ptally *s)
{
    size_t nl = s->pv->nlev;
    s->pn = ks_an_count(a, s->n.n, s->n.key);
    for (size_t i = 0; i < nl + 2; i++) {
        s->cases[i] = ks_an_count(a, s->cases[i], s->kcases[i]);
        s->closed[i] = ks_an_count(a, s->closed[i], s->kclosed[i]);
        s->goodn[i] = ks_an_count(a, s->goodn[i], s->kgood[i]);
    }
    for (size_t i = 0; i < nl * nl; i++)
        s->pair[i] = ks_an_count(a, s->pair[i], s->kpair[i]);
}

/* The partners table's columns: three nested counts, the share of the
 * cases and the good rate with its interval. */
static ks_table *partners_table(ks_an *a)
{
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "partner", KS_AN_L(a, "連携先", "partner"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "code", KS_AN_L(a, "コード", "code"), KS_COL_TEXT, NULL);
    ks_table_add_column(t, "n", KS_AN_L(a, "件数", "cases"), KS_COL_INT, NULL);
    ks_an_col(t, "share_pct", KS_AN_L(a, "関与率%", "share %"), KS_COL_REAL, 1, NULL);
    ks_table_add_column(t, "n_closed", KS_AN_L(a, "終結(結果あり)", "closed"), KS_COL_INT, NULL);
    ks_table_add_column(t, "n_good", KS_AN_L(a, "解決・改善", "good"), KS_COL_INT, NULL);
    ks_an_col(t, "good_rate", KS_AN_L(a, "良好率", "good rate"), KS_COL_REAL, 3, NULL);
    ks_an_col(t, "lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 3, NULL);
    ks_an_col(t, "upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 3, NULL);
    ks_table_set_count(t, Q_N, NULL);
    ks_table_set_count(t, Q_CLOSED, NULL);
    ks_table_set_count(t, Q_GOOD, NULL);
    ks_table_set_share(t, Q_SHARE, Q_N, -1, NULL);
    for (size_t j = Q_RATE; j <= Q_HI; j++)
        ks_table_set_share(t, j, Q_GOOD, Q_CLOSED, NULL);
    return t;
}

/* The baseline rows (all cases, no partner), then each partner with cases
 * in the order of prow. */
static int emit_partners(pt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *pv = r->pv;
    const pt_scan *s = &r->s;
    size_t nl = pv->nlev;
    ks_table *t = r->t = partners_table(a);
    int rc;
    if ((rc = partner_row(a, t, KS_AN_L(a, "(全件)", "(all cases)"), "(all)", s, nl, err)) ||
        (rc = partner_row(a, t, KS_AN_L(a, "(連携先なし)", "(no partner)"), "(none)", s, nl + 1, err)))
        return rc;
    prow *order = r->order = ks_malloc(ks_mul(nl + 1, sizeof *order));
    size_t no = 0;
    for (size_t i = 0; i < nl; i++)
        if (s->cases[i])
            order[no++] = (prow){i, s->cases[i] < a->k && a->suppress && !ks_weakened("partners-nested") ? 0
                                                                                                        : s->cases[i]};
    qsort(order, no, sizeof *order, cmp_cases);
    r->lev_row = ks_calloc(nl + 1, sizeof *r->lev_row);
    for (size_t i = 0; i < no; i++) {
        r->lev_row[order[i].lev] = ks_table_nrows(t);
        if ((rc = partner_row(a, t, pv->lev[order[i].lev].label, pv->lev[order[i].lev].code, s, order[i].lev, err)))
            return rc;
    }
    const char *notes[1] = {KS_AN_L(a, "関与率: 課題のある件数に対する割合 (複数回答); 良好率: 終結し結果の記入がある件のうち解決・改善の割合, "
                                       "Wilson 95%信頼区間",
                                    "share: of the cases with the problem (a case may have several partners); good rate: "
                                    "resolved or improved among closed cases with a known outcome, Wilson 95% interval")};
    r->t_ix = ks_an_next_table(a);
    return ks_an_emit(a, "partners", KS_AN_L(a, "連携先の関与と結果", "Partners involved and outcomes"), t, r->nnote,
                      notes, 1, err);
}

/* partners on the same case, most frequent first */
static void partner_pairs(pt_run *r)
{
    const pt_scan *s = &r->s;
    size_t nl = r->pv->nlev;
    ppair *pairs = r->pairs = ks_malloc(ks_mul(nl * nl / 2 + 1, sizeof *pairs));
    size_t np = 0;
    for (size_t i = 0; i < nl; i++)
        for (size_t j = i + 1; j < nl; j++)
            /* both partners listed (perturbed, a pair may outlive a partner's row) */
            if (s->pair[i * nl + j] > 0 && s->cases[i] > 0 && s->cases[j] > 0) {
                int64_t nab = s->pair[i * nl + j];
                pairs[np] = (ppair){(int)i, (int)j, nab, (double)s->cases[i] * (double)s->cases[j] / (double)s->pn,
                                    r->a->suppress && pair_hidden(s, nab, s->cases[i], s->cases[j], r->a->k)};
                /* a ranked list of hidden counts would tell them by their
                 * places: only published pairs are ranked */
                np += !pairs[np].hidden || ks_weakened("partners-nested");
            }
    qsort(pairs, np, sizeof *pairs, cmp_pair);
    r->np = np;
}

/* The pairs table's columns: the three counts, the expected count a share
 * of with A and with B, the lift a share of together. */
static ks_table *pairs_table(ks_an *a)
{
    ks_table *pt = ks_table_new();
    ks_table_add_column(pt, "rank", KS_AN_L(a, "順位", "rank"), KS_COL_INT, NULL);
    ks_table_add_column(pt, "partner_a", KS_AN_L(a, "連携先A", "partner A"), KS_COL_TEXT, NULL);
    ks_table_add_column(pt, "partner_b", KS_AN_L(a, "連携先B", "partner B"), KS_COL_TEXT, NULL);
    ks_table_add_column(pt, "code_a", KS_AN_L(a, "コードA", "code A"), KS_COL_TEXT, NULL);
    ks_table_add_column(pt, "code_b", KS_AN_L(a, "コードB", "code B"), KS_COL_TEXT, NULL);
    ks_table_add_column(pt, "n_ab", KS_AN_L(a, "同じ件", "together"), KS_COL_INT, NULL);
    ks_table_add_column(pt, "n_a", KS_AN_L(a, "Aの件数", "with A"), KS_COL_INT, NULL);
    ks_table_add_column(pt, "n_b", KS_AN_L(a, "Bの件数", "with B"), KS_COL_INT, NULL);
    ks_an_col(pt, "expected", KS_AN_L(a, "期待値", "expected"), KS_COL_REAL, 2, NULL);
    ks_an_col(pt, "lift", KS_AN_L(a, "リフト", "lift"), KS_COL_REAL, 2, NULL);
    for (size_t j = 5; j <= 7; j++)
        ks_table_set_count(pt, j, NULL);
    ks_table_set_share(pt, 8, 6, 7, NULL);
    ks_table_set_share(pt, 9, 5, -1, NULL);
    return pt;
}

/* the first --top pairs */
static int emit_pairs(pt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *pv = r->pv;
    ks_table *pt = r->pt = pairs_table(a);
    size_t top = a->opts.top ? a->opts.top : DEFAULT_TOP;
    for (size_t i = 0; i < r->np && i < top; i++) {
        const ppair *p = &r->pairs[i];
        size_t row = ks_table_add_row(pt);
        ks_table_set_int(pt, row, 0, (int64_t)i + 1, NULL);
        ks_table_set_text(pt, row, 1, pv->lev[p->a].label, NULL);
        ks_table_set_text(pt, row, 2, pv->lev[p->b].label, NULL);
        ks_table_set_text(pt, row, 3, pv->lev[p->a].code, NULL);
        ks_table_set_text(pt, row, 4, pv->lev[p->b].code, NULL);
        ks_table_set_int(pt, row, 5, p->nab, NULL);
        ks_table_set_int(pt, row, 6, r->s.cases[p->a], NULL);
        ks_table_set_int(pt, row, 7, r->s.cases[p->b], NULL);
        ks_an_set_real(pt, row, 8, p->exp, NULL);
        ks_an_set_real(pt, row, 9, p->exp > 0 ? (double)p->nab / p->exp : NAN, NULL);
    }
    char pn[400];
    snprintf(pn, sizeof pn,
             KS_AN_L(a, "同じ相談に関わった連携先の組 (件数の多い順, 上位 %zu 組まで, --top N; 件数が秘匿となる組は載せない); リフト = 件数 ÷ (Aの件数 × Bの件数 ÷ %s の件数)",
                     "pairs of partners on the same case, most frequent first (first %zu, --top N; pairs whose count is "
                     "hidden are not listed); lift = together / (with A x with B / cases with %s)"),
             top, r->bin->label);
    const char *notes[1] = {pn};
    size_t ix = ks_an_next_table(a);
    int rc = ks_an_emit(a, "pairs", KS_AN_L(a, "一緒に関わる連携先", "Partners working together"), pt, r->nnote, notes,
                        1, err);
    /* "with A" and "with B" are the partners table's counts (analyze.h) */
    for (size_t i = 0; rc == 0 && i < r->np && i < top; i++) {
        const ppair *p = &r->pairs[i];
        ks_cell_ref ca = {ix, i, 6}, cb = {ix, i, 7};
        ks_cell_ref ta = {r->t_ix, r->lev_row[p->a], Q_N}, tb = {r->t_ix, r->lev_row[p->b], Q_N};
        if ((rc = ks_an_link(a, ta, &ca, 1, err)) == 0)
            rc = ks_an_link(a, tb, &cb, 1, err);
    }
    return rc;
}

int ks_analyze_partners(ks_an *a, const char *problem, ks_error *err)
{
    pt_run r = {.a = a};
    if (!(r.pv = ks_an_var_new(a, "partners", false, err)))
        return -err->code;
    int rc = 0;
    if ((rc = problem_variable(&r, problem, err)))
        goto done;
    if ((rc = count_cases(&r, err)))
        goto done;
    ks_an_ptally_publish(a, &r.s);
    if ((rc = emit_partners(&r, err)))
        goto done;
    partner_pairs(&r);
    rc = emit_pairs(&r, err);
done:
    ks_table_free(r.t);
    ks_table_free(r.pt);
    free(r.order);
    free(r.lev_row);
    free(r.pairs);
    ks_an_ptally_release(&r.s);
    free(r.nnote);
    free(r.pname);
    ks_an_var_free(r.bin);
    ks_an_var_free(r.pv);
    return rc;
}
