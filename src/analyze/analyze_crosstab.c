/* analyze_crosstab.c: `kasane analyze crosstab ROW COL`.
 *
 * Three tables: `counts` (wide, with a total row and column, so disclosure
 * control adds secondary suppression), `cells` (one line per cell: count,
 * row and column percentages, expected count, adjusted standardised residual
 * and a marker for the cells that drive the association) and `tests`
 * (Pearson chi-squared, G^2, Cramer's V, Fisher's exact test for 2 x 2, a
 * Monte-Carlo p for sparse larger tables).
 *
 * The cells table repeats the margins as count columns and declares every
 * derived value a share of the cell count and a margin, and it is given the
 * suppression pattern of the counts table before printing: a cell or margin
 * hidden there (primary or secondary) is hidden here with everything computed
 * from it, so the two tables together reveal no more than the counts alone.
 *
 * Multi-response variables (problems, supports, partners, fields): a case
 * counts in every one of its columns, so cells are not independent
 * observations and the tests are refused rather than printed with a caveat;
 * the note points to problem:CODE (yes/no) or the main problem instead. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "stats_dist.h"
#include "stats_table.h"
#include "weaken.h"

enum { DEFAULT_SIM_B = 2000 };

typedef struct xt_scan {
    const ks_an_var *r;  /* row variable */
    const ks_an_var *c;  /* column variable */
    bool drop_unknown;   /* leave out recorded 不明 */
    int64_t *cell;       /* [r->nlev * c->nlev] */
    int64_t *rcases;     /* [r->nlev] cases per row level */
    int64_t *ccases;     /* [c->nlev] cases per column level */
    uint64_t *cell_key;  /* [r->nlev * c->nlev] record keys' sum of each cell (cell key method) */
    uint64_t *rkey;      /* [r->nlev] of each row level */
    uint64_t *ckey;      /* [c->nlev] of each column level */
    ks_an_n n;           /* cases counted */
    ks_an_n miss_r;      /* row value missing */
    ks_an_n miss_c;      /* column value missing */
    ks_an_n unk_r;       /* row 不明, dropped */
    ks_an_n unk_c;       /* column 不明, dropped */
} xt_scan;

/* The levels of one case: a list of indices (several for a set). */
static size_t case_levels(const ks_an_var *v, int64_t val, bool drop_unknown, int *out, int *unknown)
{
    size_t n = 0;
    *unknown = 0;
    if (v->kind == KS_AN_SET) {
        uint64_t m = (uint64_t)val;
        uint64_t seen = 0; /* two bits may map to one level (fields) */
        for (int b = 0; b < 64; b++) {
            int li = (m >> b) & 1 ? v->bit_level[b] : -1;
            if (li < 0 || (seen >> li) & 1)
                continue;
            seen |= UINT64_C(1) << li;
            out[n++] = li;
        }
        return n;
    }
    int li = ks_an_var_index(v, v->kind == KS_AN_BINARY ? (val != 0) : val);
    if (li < 0)
        return 0;
    if (drop_unknown && v->lev[li].unknown) {
        *unknown = 1;
        return 0;
    }
    out[0] = li;
    return 1;
}

static int xt_row(void *ud, const int64_t *val, const bool *null)
{
    xt_scan *s = ud;
    int rl[64], cl[64], unk;
    uint64_t key = (uint64_t)val[2]; /* the case's record key (ks_an_scan) */
    size_t nr = null[0] ? 0 : case_levels(s->r, val[0], s->drop_unknown, rl, &unk);
    if (!nr) {
        ks_an_n_add(!null[0] && unk ? &s->unk_r : &s->miss_r, val[2]);
        return 0;
    }
    size_t nc = null[1] ? 0 : case_levels(s->c, val[1], s->drop_unknown, cl, &unk);
    if (!nc) {
        ks_an_n_add(!null[1] && unk ? &s->unk_c : &s->miss_c, val[2]);
        return 0;
    }
    ks_an_n_add(&s->n, val[2]);
    for (size_t i = 0; i < nr; i++) {
        s->rcases[rl[i]]++;
        s->rkey[rl[i]] += key;
        for (size_t j = 0; j < nc; j++) {
            size_t x = (size_t)rl[i] * s->c->nlev + (size_t)cl[j];
            s->cell[x]++;
            s->cell_key[x] += key;
        }
    }
    for (size_t j = 0; j < nc; j++) {
        s->ccases[cl[j]]++;
        s->ckey[cl[j]] += key;
    }
    return 0;
}

/* Indices of the levels printed: those with cases; under the cell key
 * method every level (but 不明 with --drop-unknown), so that which rows
 * appear says nothing about the selection (analyze.h). */
static size_t used_levels(const ks_an *a, const ks_an_var *v, const int64_t *cases, size_t *idx)
{
    size_t m = 0;
    for (size_t i = 0; i < v->nlev; i++)
        if (a->cellkey ? !(a->opts.drop_unknown && v->lev[i].unknown && v->kind != KS_AN_SET) : cases[i] > 0)
            idx[m++] = i;
    return m;
}

typedef struct xt {
    ks_an *a;            /* session */
    const ks_an_var *r;  /* row variable */
    const ks_an_var *c;  /* column variable */
    size_t nr;           /* used rows */
    size_t nc;           /* used columns */
    size_t *ri;          /* [nr] level index of each used row */
    size_t *ci;          /* [nc] level index of each used column */
    int64_t *cnt;        /* [nr * nc] compact counts, as published (ks_an_count) */
    int64_t *rn;         /* [nr] row margin (cases in the row), as published */
    int64_t *cn;         /* [nc] column margin, as published */
    int64_t n;           /* cases, as published */
    bool multi;          /* a multi-response variable is involved */
} xt;

/* The wide count table; margins are declared totals only where they add up. */
static ks_table *counts_table(const xt *x, ks_error *err)
{
    ks_an *a = x->a;
    ks_table *t = ks_table_new();
    char head[256];
    snprintf(head, sizeof head, "%s × %s", x->r->label, x->c->label);
    ks_table_add_column(t, x->r->name, head, KS_COL_TEXT, err);
    for (size_t j = 0; j < x->nc; j++) {
        const ks_an_level *l = &x->c->lev[x->ci[j]];
        int col = ks_table_add_column(t, l->code, l->label, KS_COL_INT, err);
        ks_table_set_count(t, (size_t)col, err);
    }
    bool rset = x->r->kind == KS_AN_SET, cset = x->c->kind == KS_AN_SET;
    int tc = ks_table_add_column(t, cset ? "n_cases" : "total", ks_an_l(a, cset ? "実件数" : "計", cset ? "cases" : "Total"),
                                 KS_COL_INT, err);
    ks_table_set_count(t, (size_t)tc, err);
    for (size_t i = 0; i < x->nr; i++) {
        size_t row = ks_table_add_row(t);
        ks_table_set_text(t, row, 0, x->r->lev[x->ri[i]].label, err);
        for (size_t j = 0; j < x->nc; j++)
            ks_table_set_int(t, row, j + 1, x->cnt[i * x->nc + j], err);
        ks_table_set_int(t, row, (size_t)tc, x->rn[i], err);
    }
    size_t tr = ks_table_add_row(t);
    ks_table_set_text(t, tr, 0, ks_an_l(a, rset ? "実件数" : "計", rset ? "cases" : "Total"), err);
    for (size_t j = 0; j < x->nc; j++)
        ks_table_set_int(t, tr, j + 1, x->cn[j], err);
    ks_table_set_int(t, tr, (size_t)tc, x->n, err);
    /* a row total adds up only when every case is in one column, and so on */
    if (ks_table_set_totals(t, rset ? -1 : (long)tr, cset ? -1 : tc, err)) {
        ks_table_free(t);
        return NULL;
    }
    return t;
}

static bool hidden(const ks_table *t, size_t i, size_t j)
{
    return ks_table_cell(t, i, j)->kind == KS_CELL_SUPPRESSED;
}

/* Columns of the cells table. */
enum { C_ROW, C_COL, C_RPCT, C_CPCT, C_EXP, C_RES, C_MARK, C_RCODE, C_CCODE };

/* Hides a derived cell (printed "x": it is not a count). */
static void hide(ks_table *t, size_t row, size_t col)
{
    ks_table_suppress(t, row, col, KS_WHY_LINKED, NULL);
}

/* The cells table holds no counts (they are in the counts table) and so goes
 * through ks_output_table as a plain table: what it must hide is worked out
 * here, from the counts table as printed.  A hidden cell hides its
 * percentages, residual and mark (each gives the count back); a hidden
 * margin hides the percentages and expected counts that divide by it. */
static ks_table *cells_table(const xt *x, const ks_table *counts, const ks_crosstab *ct, double zb,
                             ks_error *err)
{
    ks_an *a = x->a;
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "row", x->r->label, KS_COL_TEXT, err);
    ks_table_add_column(t, "col", x->c->label, KS_COL_TEXT, err);
    ks_an_col(t, "row_pct", KS_AN_L(a, "行%", "row %"), KS_COL_REAL, 1, err);
    ks_an_col(t, "col_pct", KS_AN_L(a, "列%", "column %"), KS_COL_REAL, 1, err);
    ks_an_col(t, "expected", KS_AN_L(a, "期待度数", "expected"), KS_COL_REAL, 2, err);
    ks_an_col(t, "adj_resid", KS_AN_L(a, "調整済み残差", "adj. residual"), KS_COL_REAL, 2, err);
    ks_table_add_column(t, "mark", KS_AN_L(a, "判定", "mark"), KS_COL_TEXT, err);
    ks_table_add_column(t, "row_code", KS_AN_L(a, "行コード", "row code"), KS_COL_TEXT, err);
    ks_table_add_column(t, "col_code", KS_AN_L(a, "列コード", "column code"), KS_COL_TEXT, err);
    size_t tr = x->nr, tc = x->nc + 1; /* margins' positions in the counts table */
    for (size_t i = 0; i < x->nr; i++) {
        for (size_t j = 0; j < x->nc; j++) {
            size_t row = ks_table_add_row(t);
            int64_t o = x->cnt[i * x->nc + j];
            ks_table_set_text(t, row, C_ROW, x->r->lev[x->ri[i]].label, err);
            ks_table_set_text(t, row, C_COL, x->c->lev[x->ci[j]].label, err);
            ks_table_set_text(t, row, C_RCODE, x->r->lev[x->ri[i]].code, err);
            ks_table_set_text(t, row, C_CCODE, x->c->lev[x->ci[j]].code, err);
            ks_an_set_real(t, row, C_RPCT, x->rn[i] ? 100.0 * (double)o / (double)x->rn[i] : NAN, err);
            ks_an_set_real(t, row, C_CPCT, x->cn[j] ? 100.0 * (double)o / (double)x->cn[j] : NAN, err);
            /* a row or column with no (published) case is not in the test:
             * no expected count or residual (only the cell key method lists them) */
            if (ct && ct->has_test && ct->row_total[i] > 0 && ct->col_total[j] > 0) {
                double e = ct->expected[i * x->nc + j], r = ct->adj_resid[i * x->nc + j];
                ks_an_set_real(t, row, C_EXP, e, err);
                ks_an_set_real(t, row, C_RES, r, err);
                const char *m = r > zb ? "++" : r > 1.959963984540054 ? "+" : r < -zb ? "--"
                                : r < -1.959963984540054 ? "-" : "";
                ks_table_set_text(t, row, C_MARK, m, err);
            }
            bool hc = hidden(counts, i, j + 1), hr = hidden(counts, i, tc), hcol = hidden(counts, tr, j + 1);
            if (hc || hr)
                hide(t, row, C_RPCT);
            if (hc || hcol)
                hide(t, row, C_CPCT);
            if (hr || hcol)
                hide(t, row, C_EXP);
            if (hc || hr || hcol) {
                hide(t, row, C_RES);
                hide(t, row, C_MARK);
            }
        }
    }
    return t;
}

/* Columns of the tests table. */
enum { T_TEST, T_STAT, T_DF, T_P, T_PCLASS, T_EST, T_LO, T_HI };

/* The class of a p-value, the only form in which a test of a table with
 * hidden cells is printed (see classes_only). */
static const char *p_class(double p)
{
    return !isfinite(p) ? "" : p < 0.001 ? "<0.001" : p < 0.01 ? "<0.01" : p < 0.05 ? "<0.05" : "n.s.";
}

/* With classes_only the statistic, the p-value and the estimates are left
 * empty: the test row keeps its name, df and p class. */
static size_t test_row(ks_table *t, const char *name, double stat, int64_t df, double p, bool classes_only,
                       ks_error *err)
{
    size_t row = ks_table_add_row(t);
    ks_table_set_text(t, row, T_TEST, name, err);
    if (!classes_only) {
        ks_an_set_real(t, row, T_STAT, stat, err);
        ks_an_set_real(t, row, T_P, p, err);
    }
    if (df >= 0)
        ks_table_set_int(t, row, T_DF, df, err);
    ks_table_set_text(t, row, T_PCLASS, p_class(p), err);
    return row;
}

/* Estimates (Cramér's V, the odds ratio and its interval) of a row, unless
 * only classes are printed. */
static void test_est(ks_table *t, size_t row, double est, double lo, double hi, bool classes_only, ks_error *err)
{
    if (classes_only)
        return;
    ks_an_set_real(t, row, T_EST, est, err);
    ks_an_set_real(t, row, T_LO, lo, err);
    ks_an_set_real(t, row, T_HI, hi, err);
}

/* A test of a table with hidden cells: chi-squared, G^2, V and the odds
 * ratio are exact functions of every cell, so with the published margins
 * each printed digit is one more equation in the hidden cells (an attacker
 * enumerating the completions the margins allow recovered 145 of 158
 * tables).  Such a test is printed only as its p class (<0.001, <0.01,
 * <0.05, n.s.), which the completions share by the thousand; a table with
 * nothing hidden prints everything.  tests/attack/a2010-crosstab.sh. */
static int tests_table(xt *x, const ks_crosstab *ct, bool classes_only, ks_table **out, ks_buf *note,
                       ks_error *err)
{
    ks_an *a = x->a;
    ks_table *t = ks_table_new();
    ks_table_add_column(t, "test", KS_AN_L(a, "検定", "test"), KS_COL_TEXT, err);
    ks_an_col(t, "statistic", KS_AN_L(a, "統計量", "statistic"), KS_COL_REAL, 3, err);
    ks_table_add_column(t, "df", KS_AN_L(a, "自由度", "df"), KS_COL_INT, err);
    ks_an_col(t, "p", "p", KS_COL_REAL, -1, err);
    ks_table_add_column(t, "p_class", KS_AN_L(a, "p の階級", "p class"), KS_COL_TEXT, err);
    ks_an_col(t, "estimate", KS_AN_L(a, "推定値", "estimate"), KS_COL_REAL, 4, err);
    ks_an_col(t, "lower", KS_AN_L(a, "95%下限", "95% lower"), KS_COL_REAL, 4, err);
    ks_an_col(t, "upper", KS_AN_L(a, "95%上限", "95% upper"), KS_COL_REAL, 4, err);
    int rc = 0;
    bool co = classes_only;
    test_row(t, "pearson_chi2", ct->chi2, ct->df, ct->p, co, err);
    test_row(t, "likelihood_ratio", ct->g2, ct->df, ct->g2_p, co, err);
    size_t r = test_row(t, "cramers_v", NAN, -1, NAN, co, err);
    if (!co)
        ks_an_set_real(t, r, T_EST, ct->cramer_v, err);
    if (ct->rows_used == 2 && ct->cols_used == 2) {
        /* the 2 x 2 of the non-empty rows and columns */
        int64_t tab[4];
        size_t k = 0;
        for (size_t i = 0; i < x->nr; i++)
            for (size_t j = 0; j < x->nc; j++)
                if (ct->row_total[i] > 0 && ct->col_total[j] > 0)
                    tab[k++] = x->cnt[i * x->nc + j];
        ks_fisher2x2 f;
        if ((rc = ks_fisher2x2_test(tab, 0.95, &f, err)))
            goto done;
        r = test_row(t, "fisher_exact", NAN, -1, f.p, co, err);
        test_est(t, r, f.odds_ratio, f.ci_lo, f.ci_hi, co, err);
        ks_buf_adds(note, "; Fisher: conditional maximum-likelihood odds ratio (first row/column vs second) with "
                          "its exact 95% interval");
    } else if ((a->opts.simulate_set && a->opts.simulate > 0) || (!a->opts.simulate_set && ct->sparse_warning)) {
        uint64_t b = a->opts.simulate_set ? a->opts.simulate : DEFAULT_SIM_B;
        unsigned long seed = a->opts.seed ? a->opts.seed : 1;
        ks_chisq_sim sim;
        if ((rc = ks_chisq_sim_p(x->cnt, x->nr, x->nc, b, seed, &sim, err)))
            goto done;
        test_row(t, "monte_carlo", sim.chi2, -1, sim.p, co, err);
        ks_buf_addf(note, "; Monte-Carlo exact test: %llu tables drawn with the observed margins, seed %lu "
                          "(--simulate B --seed S)",
                    (unsigned long long)b, seed);
    }
done:
    if (rc)
        ks_table_free(t);
    else
        *out = t;
    return rc;
}

/* The state one crosstab passes from step to step; ks_analyze_crosstab owns
 * everything here and releases it once, at its `done:`. */
typedef struct xt_run {
    ks_an *a;            /* the analysis (borrowed) */
    ks_an_var *rv;       /* row variable (owned) */
    ks_an_var *cv;       /* column variable (owned) */
    xt_scan s;           /* counts by level (cell, rcases and ccases owned) */
    xt x;                /* the used rows and columns (arrays owned) */
    ks_crosstab ct;      /* the tests, when test_ok (owned) */
    bool test_ok;        /* the table can be tested (one value per case, 2 x 2 or more, k cases) */
    double zb;           /* Bonferroni bound of the residuals, INFINITY without a test */
    ks_table *counts;    /* the wide counts (owned) */
    ks_table *cells;     /* one line per cell (owned) */
    ks_table *tests;     /* the tests of independence (owned) */
    ks_an_excl ex;       /* cases left out and why */
    ks_buf tnote;        /* why there is no test, then the tests table's first note */
    ks_buf sparse;       /* the small expected counts warning */
    char *nnote;         /* the n footer of every table (owned) */
} xt_run;

/* Counts every case into its cells in one scan, with the footer of what
 * was left out. */
static int count_cells(xt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_an_var *rv = r->rv, *cv = r->cv;
    xt_scan *s = &r->s;
    s->r = rv;
    s->c = cv;
    s->drop_unknown = a->opts.drop_unknown;
    s->cell = ks_calloc(ks_mul(rv->nlev ? rv->nlev : 1, cv->nlev ? cv->nlev : 1), sizeof *s->cell);
    s->rcases = ks_calloc(rv->nlev ? rv->nlev : 1, sizeof *s->rcases);
    s->ccases = ks_calloc(cv->nlev ? cv->nlev : 1, sizeof *s->ccases);
    s->cell_key = ks_calloc(ks_mul(rv->nlev ? rv->nlev : 1, cv->nlev ? cv->nlev : 1), sizeof *s->cell_key);
    s->rkey = ks_calloc(rv->nlev ? rv->nlev : 1, sizeof *s->rkey);
    s->ckey = ks_calloc(cv->nlev ? cv->nlev : 1, sizeof *s->ckey);
    const char *ex2[2] = {rv->expr, cv->expr};
    int rc;
    if ((rc = ks_an_scan(a, ex2, 2, NULL, xt_row, s, err)))
        return rc;
    ks_an_excl_var(a, &r->ex, rv, s->miss_r, s->unk_r);
    ks_an_excl_var(a, &r->ex, cv, s->miss_c, s->unk_c);
    if (s->n.n == 0) {
        char *nn = ks_an_note_n(a, s->n, "cases", &r->ex);
        rc = ks_error_set(err, KS_EDATA, "no cases to tabulate (%s)", nn);
        free(nn);
        return rc;
    }
    r->nnote = ks_an_note_n(a, s->n, KS_AN_L(a, "件", "cases"), &r->ex);
    return 0;
}

/* The compact table of the levels printed (used_levels), their margins,
 * every count as published: everything after is computed from these. */
static void compact_table(xt_run *r)
{
    const xt_scan *s = &r->s;
    const ks_an_var *rv = r->rv, *cv = r->cv;
    ks_an *a = r->a;
    xt *x = &r->x;
    x->a = a;
    x->r = rv;
    x->c = cv;
    x->n = ks_an_count(a, s->n.n, s->n.key);
    x->multi = rv->kind == KS_AN_SET || cv->kind == KS_AN_SET;
    x->ri = ks_malloc(ks_mul(rv->nlev, sizeof *x->ri));
    x->ci = ks_malloc(ks_mul(cv->nlev, sizeof *x->ci));
    x->nr = used_levels(a, rv, s->rcases, x->ri);
    x->nc = used_levels(a, cv, s->ccases, x->ci);
    x->cnt = ks_malloc(ks_mul(ks_mul(x->nr, x->nc), sizeof *x->cnt) + 1);
    x->rn = ks_malloc(ks_mul(x->nr, sizeof *x->rn) + 1);
    x->cn = ks_malloc(ks_mul(x->nc, sizeof *x->cn) + 1);
    for (size_t i = 0; i < x->nr; i++) {
        x->rn[i] = ks_an_count(a, s->rcases[x->ri[i]], s->rkey[x->ri[i]]);
        for (size_t j = 0; j < x->nc; j++) {
            size_t c = x->ri[i] * cv->nlev + x->ci[j];
            x->cnt[i * x->nc + j] = ks_an_count(a, s->cell[c], s->cell_key[c]);
        }
    }
    for (size_t j = 0; j < x->nc; j++)
        x->cn[j] = ks_an_count(a, s->ccases[x->ci[j]], s->ckey[x->ci[j]]);
}

/* Whether the table can be tested, and if not the note that says why; the
 * tests themselves when it can. */
static int plan_tests(xt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const xt *x = &r->x;
    r->test_ok = !x->multi && x->nr >= 2 && x->nc >= 2 && r->s.n.n >= a->k;
    if (x->multi) {
        ks_buf_addf(&r->tnote, "%s",
                    KS_AN_L(a, "複数回答の変数を含むため、1件が複数のセルに数えられ、セルは独立ではありません。"
                               "χ²検定は行いません(problem:CODE のような あり/なし の変数か主な課題で検定できます)",
                            "multi-response variable: a case counts in several cells, which are then not "
                            "independent, so no chi-squared test is computed (test problem:CODE yes/no, or the "
                            "main problem, instead)"));
    } else if (r->s.n.n < a->k) {
        ks_buf_addf(&r->tnote, KS_AN_L(a, "件数が k=%d 未満のため検定を行いません", "fewer than k=%d cases: no tests"),
                    a->k);
    } else if (x->nr < 2 || x->nc < 2) {
        ks_buf_addf(&r->tnote,
                    KS_AN_L(a, "%s の水準が1つだけのため検定できません", "%s has a single level: no test of independence"),
                    x->nr < 2 ? r->rv->label : r->cv->label);
    }
    if (!r->test_ok)
        return 0;
    /* perturbed, every count can be 0: nothing to test (never without the
     * cell key method, whose rows and columns all hold cases) */
    int64_t total = 0;
    for (size_t i = 0; i < x->nr * x->nc; i++)
        total += x->cnt[i];
    if (total == 0) {
        r->test_ok = false;
        ks_buf_adds(&r->tnote, KS_AN_L(a, "空でない行または列が2未満のため検定できません",
                                       "fewer than 2 non-empty rows or columns: no test of independence"));
        return 0;
    }
    int rc = ks_crosstab_init(&r->ct, x->cnt, x->nr, x->nc, err);
    if (rc == 0 && !r->ct.has_test) {
        /* levels with no case in the selection dropped left fewer than 2 x 2 */
        r->test_ok = false;
        ks_buf_adds(&r->tnote, KS_AN_L(a, "空でない行または列が2未満のため検定できません",
                                       "fewer than 2 non-empty rows or columns: no test of independence"));
    }
    return rc;
}

/* counts first: its suppression pattern carries over to the cells table */
static int emit_counts(xt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    if (!(r->counts = counts_table(&r->x, err)))
        return -err->code;
    const char *notes[3];
    size_t nn = 0;
    if (r->tnote.len)
        notes[nn++] = r->tnote.buf;
    if (r->x.multi)
        notes[nn++] = KS_AN_L(a, "複数回答: 1件がその値ごとに数えられます。実件数は1件を1回だけ数えます",
                              "multi-response: a case counts once in each of its values; 'cases' counts it once");
    return ks_an_emit(a, "counts", KS_AN_L(a, "度数", "Counts"), r->counts, r->nnote, notes, nn, err);
}

/* the cells table, hidden where the counts table as printed is */
static int emit_cells(xt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_crosstab *ct = &r->ct;
    r->zb = INFINITY;
    if (r->test_ok && ct->has_test) {
        /* Bonferroni over the cells tested: ++/-- survive the multiplicity */
        r->zb = ks_dist_norm_upper_quantile(0.025 / (double)ct->cells_used);
    }
    if (!(r->cells = cells_table(&r->x, r->counts, r->test_ok ? ct : NULL, r->zb, err)))
        return -err->code;
    const char *cnotes[2];
    size_t ncn = 0;
    char resnote[400];
    if (r->test_ok && ct->has_test) {
        snprintf(resnote, sizeof resnote,
                 KS_AN_L(a, "判定: +/- は調整済み残差 |r| > 1.96 (5%%)、++/-- は Bonferroni 補正後も有意 (|r| > %.2f, %zu セル)",
                         "mark: +/- adjusted residual |r| > 1.96 (5%%); ++/-- also beyond the Bonferroni bound "
                         "|r| > %.2f over %zu cells"),
                 r->zb, ct->cells_used);
        cnotes[ncn++] = resnote;
    }
    if (r->tnote.len)
        cnotes[ncn++] = r->tnote.buf;
    return ks_an_emit(a, "cells", KS_AN_L(a, "セル: 割合・期待度数・残差", "Cells: percentages, expected counts, residuals"),
                      r->cells, r->nnote, cnotes, ncn, err);
}

/* The tests, printed whole or as p classes (see tests_table), when the
 * table could be tested. */
static int emit_tests(xt_run *r, ks_error *err)
{
    ks_an *a = r->a;
    const ks_crosstab *ct = &r->ct;
    if (!r->test_ok)
        return 0; /* plan_tests' note says why */
    /* any cell of the counts table hidden, as printed (primary or complement) */
    bool classes_only = false;
    for (size_t i = 0; i < ks_table_nrows(r->counts) && !ks_weakened("crosstab-tests"); i++)
        for (size_t j = 1; j < ks_table_ncols(r->counts); j++)
            classes_only = classes_only || hidden(r->counts, i, j);
    ks_buf_reset(&r->tnote);
    if (classes_only)
        ks_buf_adds(&r->tnote, KS_AN_L(a, "度数の表に秘匿したセルがあるため、検定は p の階級だけを表示します (統計量・p 値・"
                                          "推定値は秘匿したセルの式になり、逆算できるため)",
                                       "the counts table has hidden cells, so the tests print only their p class: the "
                                       "statistics, p-values and estimates are equations in the hidden cells"));
    else
        ks_buf_addf(&r->tnote, "Cramér's V = %.4f", ct->cramer_v);
    int rc;
    if ((rc = tests_table(&r->x, ct, classes_only, &r->tests, &r->tnote, err)))
        return rc;
    const char *tn[3];
    size_t ntn = 0;
    tn[ntn++] = r->tnote.buf;
    if (ct->sparse_warning) {
        ks_buf_addf(&r->sparse,
                    KS_AN_L(a, "期待度数 5 未満のセルが %.0f%% (最小 %.2f):χ² 近似は不正確な可能性があります",
                            "%.0f%% of expected counts are below 5 (smallest %.2f): the chi-squared approximation may "
                            "be poor; rely on the exact or Monte-Carlo p"),
                    100.0 * ct->share_lt5, ct->min_expected);
        tn[ntn++] = r->sparse.buf;
    }
    return ks_an_emit(a, "tests", KS_AN_L(a, "独立性の検定", "Tests of independence"), r->tests, r->nnote, tn, ntn,
                      err);
}

int ks_analyze_crosstab(ks_an *a, const char *row, const char *col, ks_error *err)
{
    xt_run r = {.a = a};
    r.rv = ks_an_var_new(a, row, false, err);
    r.cv = r.rv ? ks_an_var_new(a, col, false, err) : NULL;
    ks_an_excl_init(&r.ex);
    ks_buf_init(&r.tnote);
    ks_buf_init(&r.sparse);
    int rc = 0;
    if (!r.cv) {
        rc = -err->code;
        goto done;
    }
    if ((rc = count_cells(&r, err)))
        goto done;
    compact_table(&r);
    if ((rc = plan_tests(&r, err)))
        goto done;
    if ((rc = emit_counts(&r, err)))
        goto done;
    if ((rc = emit_cells(&r, err)))
        goto done;
    rc = emit_tests(&r, err);
done:
    ks_crosstab_release(&r.ct);
    ks_table_free(r.counts);
    ks_table_free(r.cells);
    ks_table_free(r.tests);
    free(r.s.cell);
    free(r.s.rcases);
    free(r.s.ccases);
    free(r.s.cell_key);
    free(r.s.rkey);
    free(r.s.ckey);
    free(r.x.ri);
    free(r.x.ci);
    free(r.x.cnt);
    free(r.x.rn);
    free(r.x.cn);
    free(r.nnote);
    ks_buf_release(&r.tnote);
    ks_buf_release(&r.sparse);
    ks_an_excl_release(&r.ex);
    ks_an_var_free(r.rv);
    ks_an_var_free(r.cv);
    return rc;
}
