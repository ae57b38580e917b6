/* attack-crosstab: completes the hidden cells of a crosstab from its
 * margins and its printed test (the attack of tests/attack/a2010-crosstab.sh).
 *
 * Every completion of the hidden cells that the printed row and column
 * totals allow is enumerated (a "<K" cell holds 1..K-1, an "x" cell any
 * count the margins leave room for) and kept when its Pearson chi-squared
 * agrees with what is printed: the statistic itself (JSON gives it to full
 * precision), or only its p class (<0.001, <0.01, <0.05, n.s.).  One
 * completion left is a recovered table.
 *
 * stdin: "R C K", R lines of C cells and the row total, one line of the C
 * column totals and the grand total (tokens: a count, "x" or "<K"), then
 * "chi2 VALUE DF", "class CLASS DF" or "none".  A hidden row or column
 * total is unknown: that line's cells are bounded only by the other margins
 * (the grand total must be shown).
 * stdout: "completions N" (N saturates at 2; "?" when the search gave up),
 * and with one completion "solution v1 v2 ..." for the hidden cells in row
 * order.  Exit 1 on malformed input or hidden margins. */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAXD = 64, MAXH = 256 };
static const long NODE_LIMIT = 20000000;

typedef struct search {
    int R, C, K;
    long cell[MAXD][MAXD], rt[MAXD], ct[MAXD], n;
    int rk[MAXD], ck[MAXD]; /* the row (column) total is shown */
    int nh, hr[MAXH], hc[MAXH], lo[MAXH], last_r[MAXH], last_c[MAXH];
    long rrem[MAXD], crem[MAXD], nrem; /* what the shown margins leave */
    int mode; /* 0 none, 1 chi2, 2 class */
    double chi2;
    char cls[16];
    int df;
    long nodes, found;
    long sol[MAXH], cur[MAXH];
} search;

static const char *p_class(double p)
{
    return p < 0.001 ? "<0.001" : p < 0.01 ? "<0.01" : p < 0.05 ? "<0.05" : "n.s.";
}

static int matches(search *s)
{
    if (s->mode == 0)
        return 1;
    /* a hidden margin is the sum of its completed cells */
    for (int i = 0; i < s->R; i++)
        if (!s->rk[i]) {
            s->rt[i] = 0;
            for (int j = 0; j < s->C; j++)
                s->rt[i] += s->cell[i][j];
        }
    for (int j = 0; j < s->C; j++)
        if (!s->ck[j]) {
            s->ct[j] = 0;
            for (int i = 0; i < s->R; i++)
                s->ct[j] += s->cell[i][j];
        }
    double x2 = 0;
    for (int i = 0; i < s->R; i++)
        for (int j = 0; j < s->C; j++) {
            if (!s->rt[i] || !s->ct[j])
                continue;
            double e = (double)s->rt[i] * (double)s->ct[j] / (double)s->n, d = (double)s->cell[i][j] - e;
            x2 += d * d / e;
        }
    if (s->mode == 1)
        return fabs(x2 - s->chi2) <= 1e-6 * (s->chi2 > 1 ? s->chi2 : 1);
    return strcmp(p_class(gsl_cdf_chisq_Q(x2, s->df)), s->cls) == 0;
}

static void dfs(search *s, int h)
{
    if (s->found > 1 || s->nodes > NODE_LIMIT)
        return;
    s->nodes++;
    if (h == s->nh) {
        long left = s->n;
        for (int i = 0; i < s->R; i++)
            for (int j = 0; j < s->C; j++)
                left -= s->cell[i][j];
        if (left)
            return;
        for (int i = 0; i < s->R; i++)
            if (s->rk[i] && s->rrem[i])
                return;
        for (int j = 0; j < s->C; j++)
            if (s->ck[j] && s->crem[j])
                return;
        if (matches(s)) {
            if (s->found++ == 0)
                memcpy(s->sol, s->cur, sizeof s->sol);
        }
        return;
    }
    int i = s->hr[h], j = s->hc[h];
    long hi = s->rk[i] && s->ck[j] ? (s->rrem[i] < s->crem[j] ? s->rrem[i] : s->crem[j])
              : s->rk[i] ? s->rrem[i] : s->ck[j] ? s->crem[j] : s->nrem;
    if (hi > s->nrem)
        hi = s->nrem;
    if (s->lo[h] && hi > s->K - 1)
        hi = s->K - 1;
    long from = s->lo[h];
    if (s->last_r[h] && s->rk[i])
        from = hi = s->rrem[i];
    if (s->last_c[h] && s->ck[j] && (from > s->crem[j] || hi < s->crem[j]))
        return;
    if (s->last_c[h] && s->ck[j])
        from = hi = s->crem[j];
    if (from > s->nrem)
        return;
    if (s->lo[h] && (from < 1 || hi > s->K - 1))
        return;
    for (long v = from; v <= hi; v++) {
        s->cell[i][j] = v;
        s->cur[h] = v;
        s->rrem[i] -= v;
        s->crem[j] -= v;
        s->nrem -= v;
        dfs(s, h + 1);
        s->rrem[i] += v;
        s->crem[j] += v;
        s->nrem += v;
    }
}

static int token(char *t, long *v)
{
    if (t[0] == 'x' || t[0] == '<')
        return t[0] == '<' ? 2 : 1;
    *v = atol(t);
    return 0;
}

int main(void)
{
    static search s;
    if (scanf("%d %d %d", &s.R, &s.C, &s.K) != 3 || s.R < 1 || s.C < 1 || s.R > MAXD || s.C > MAXD)
        return 1;
    char t[64];
    for (int i = 0; i <= s.R; i++)
        for (int j = 0; j <= s.C; j++) {
            long v = 0;
            if (scanf("%63s", t) != 1)
                return 1;
            int kind = token(t, &v);
            if (i == s.R || j == s.C) { /* a margin */
                if (kind && i == s.R && j == s.C)
                    return 1;
                if (i == s.R && j == s.C)
                    s.n = v;
                else if (i == s.R)
                    s.ct[j] = v, s.ck[j] = !kind;
                else
                    s.rt[i] = v, s.rk[i] = !kind;
                continue;
            }
            if (kind) {
                if (s.nh == MAXH)
                    return 1;
                s.hr[s.nh] = i;
                s.hc[s.nh] = j;
                s.lo[s.nh] = kind == 2;
                s.nh++;
            } else {
                s.cell[i][j] = v;
            }
        }
    if (scanf("%15s", t) == 1) {
        if (strcmp(t, "chi2") == 0 && scanf("%lf %d", &s.chi2, &s.df) == 2)
            s.mode = 1;
        else if (strcmp(t, "class") == 0 && scanf("%15s %d", s.cls, &s.df) == 2)
            s.mode = 2;
    }
    for (int i = 0; i < s.R; i++)
        s.rrem[i] = s.rt[i];
    for (int j = 0; j < s.C; j++)
        s.crem[j] = s.ct[j];
    s.nrem = s.n;
    for (int i = 0; i < s.R; i++)
        for (int j = 0; j < s.C; j++) {
            int is_h = 0;
            for (int h = 0; h < s.nh; h++)
                is_h |= s.hr[h] == i && s.hc[h] == j;
            if (!is_h) {
                s.rrem[i] -= s.cell[i][j];
                s.crem[j] -= s.cell[i][j];
                s.nrem -= s.cell[i][j];
            }
        }
    for (int h = 0; h < s.nh; h++) {
        s.last_r[h] = s.last_c[h] = 1;
        for (int g = h + 1; g < s.nh; g++) {
            s.last_r[h] &= s.hr[g] != s.hr[h];
            s.last_c[h] &= s.hc[g] != s.hc[h];
        }
    }
    if (s.nh == 0) {
        printf("completions 1\nsolution\n");
        return 0;
    }
    dfs(&s, 0);
    if (s.nodes > NODE_LIMIT && s.found < 2) {
        printf("completions ?\n");
        return 0;
    }
    printf("completions %ld\n", s.found > 2 ? 2 : s.found);
    if (s.found == 1) {
        printf("solution");
        for (int h = 0; h < s.nh; h++)
            printf(" %ld", s.sol[h]);
        printf("\n");
    }
    return 0;
}
