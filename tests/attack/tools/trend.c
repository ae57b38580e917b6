/* attack-trend: recovers the hidden months of a monthly series from its
 * Poisson trend (the attack of tests/attack/a2020-trend.sh).
 *
 * For glm(y ~ t, poisson) the score equations say sum y_t = sum mu_t and
 * sum t y_t = sum t mu_t, and mu_t = exp(a + b t) is fixed by the printed
 * annual change (b = log(1 + apc/100) / 12) and the series total.  So the
 * hidden months y_h satisfy sum y_h = S (total less the months shown) and
 * sum t_h y_h = T (sum t mu_t less the shown months' sum t y_t): a knapsack
 * whose solutions a dynamic program counts.  A "<K" cell holds 1..K-1 (0 is
 * printed as 0), an "x" cell (a complement) is taken to hold at most 3K
 * (an attacker's bound that keeps the search small; a solution is checked
 * against the truth by the test, so a wrong bound only loses recoveries).
 *
 * stdin: "K TOTAL APC", then one line per month: a count, "x" or "<K".
 * stdout: "solutions N" (N saturates at 2: "2" means "more than one"), and
 * with one solution "solution y1 y2 ..." for the hidden months in order.
 * Exit 0; 1 on malformed input. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { MAX_MONTHS = 600, MAX_S = 120 };

int main(void)
{
    int k;
    double total, apc;
    if (scanf("%d %lf %lf", &k, &total, &apc) != 3 || k < 2)
        return 1;
    int y[MAX_MONTHS], hidden[MAX_MONTHS], cap[MAX_MONTHS];
    int n = 0;
    char tok[64];
    while (n < MAX_MONTHS && scanf("%63s", tok) == 1) {
        hidden[n] = tok[0] == 'x' || tok[0] == '<';
        y[n] = hidden[n] ? 0 : atoi(tok);
        cap[n] = tok[0] == '<' ? k - 1 : -1;
        n++;
    }
    if (n < 3)
        return 1;
    /* mu_t = exp(a + b t) with sum mu_t = total */
    double b = log1p(apc / 100.0) / 12.0, z = 0, tz = 0;
    for (int t = 0; t < n; t++) {
        z += exp(b * t);
        tz += t * exp(b * t);
    }
    double T = total * tz / z; /* sum t mu_t */
    long S = lround(total);
    for (int t = 0; t < n; t++)
        if (!hidden[t]) {
            S -= y[t];
            T -= (double)t * y[t];
        }
    long Ti = lround(T);
    int nh = 0, ht[MAX_MONTHS];
    for (int t = 0; t < n; t++)
        if (hidden[t])
            ht[nh++] = t;
    if (S < 0 || S > MAX_S || Ti < 0 || fabs(T - (double)Ti) > 0.05 || nh == 0) {
        printf("solutions 0\n");
        return 0;
    }
    for (int j = 0; j < nh; j++)
        if (cap[ht[j]] < 0)
            cap[ht[j]] = 3 * k < S ? 3 * k : (int)S;
    /* f[j][s][w]: ways (saturated at 2) months j.. of the hidden ones sum to s
     * with weighted sum w */
    size_t W = (size_t)Ti + 1, layer = (size_t)(S + 1) * W;
    uint8_t *f = ks_calloc(ks_mul((size_t)nh + 1, layer), 1);
    f[(size_t)nh * layer] = 1; /* nothing left: s = 0, w = 0 */
    for (int j = nh - 1; j >= 0; j--) {
        int t = ht[j];
        uint8_t *cur = f + (size_t)j * layer, *nxt = f + (size_t)(j + 1) * layer;
        int lo = cap[t] == k - 1 ? 1 : 0; /* "<K" is 1..K-1 */
        for (long s = 0; s <= S; s++)
            for (size_t w = 0; w < W; w++) {
                int c = 0;
                for (int v = lo; v <= cap[t] && v <= s && (size_t)t * (size_t)v <= w && c < 2; v++)
                    c += nxt[(size_t)(s - v) * W + (w - (size_t)t * (size_t)v)];
                cur[(size_t)s * W + w] = (uint8_t)(c > 2 ? 2 : c);
            }
    }
    int count = f[(size_t)S * W + (size_t)Ti];
    printf("solutions %d\n", count);
    if (count == 1) {
        printf("solution");
        long s = S;
        size_t w = (size_t)Ti;
        for (int j = 0; j < nh; j++) {
            int t = ht[j], lo = cap[t] == k - 1 ? 1 : 0;
            const uint8_t *nxt = f + (size_t)(j + 1) * layer;
            for (int v = lo; v <= cap[t] && v <= s && (size_t)t * (size_t)v <= w; v++)
                if (nxt[(size_t)(s - v) * W + (w - (size_t)t * (size_t)v)]) {
                    printf(" %d", v);
                    s -= v;
                    w -= (size_t)t * (size_t)v;
                    break;
                }
        }
        printf("\n");
    }
    free(f);
    return 0;
}
