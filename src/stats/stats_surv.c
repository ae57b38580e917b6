/* stats_surv.c: Kaplan-Meier curves and the log-rank test.
 *
 * The formulas and the edge rules (NA intervals at S = 0, Inf standard error
 * once everybody has had the event, the median's flat-segment midpoint, the
 * groups with no expected events left out of the chi-square) are those of
 * the survival package 3.5 (survfitKM, survfit_confint, print.survfit's
 * survmean, survdiff), so that the tests can hold both to 1e-6. */
#include "stats_surv.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_dist.h"

typedef struct rec {
    double time; /* follow-up time */
    int event;   /* 1 event, 0 censored */
    size_t g;    /* index of the group label */
} rec;

/* Records validated, grouped and sorted. */
typedef struct surv_data {
    rec *r;        /* n records */
    size_t n;      /* records */
    int *labels;   /* k distinct group labels, ascending */
    size_t *count; /* k records per group */
    size_t k;      /* groups */
} surv_data;

static int int_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* LSD radix sort of the records by time (the bit pattern of a non-negative
 * double orders like the value), then, when by_group, a stable counting
 * sort by group: group-major, time-minor.  It replaced qsort, which took
 * about half the time of a Kaplan-Meier fit on a million cases; a byte that
 * every key shares (most of a double's high bytes) costs no pass. */
static void rec_sort(rec *r, size_t n, int by_group, size_t k)
{
    if (n < 2)
        return;
    rec *tmp = ks_malloc(ks_mul(n, sizeof *tmp));
    rec *src = r, *dst = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++) {
            uint64_t bits;
            memcpy(&bits, &src[i].time, sizeof bits);
            count[((bits >> shift) & 0xFF) + 1]++;
        }
        int same = 0;
        for (int b = 1; b <= 256; b++)
            same |= count[b] == n;
        if (same)
            continue;
        for (int b = 1; b <= 256; b++)
            count[b] += count[b - 1];
        for (size_t i = 0; i < n; i++) {
            uint64_t bits;
            memcpy(&bits, &src[i].time, sizeof bits);
            dst[count[(bits >> shift) & 0xFF]++] = src[i];
        }
        rec *t = src;
        src = dst;
        dst = t;
    }
    if (by_group && k > 1) {
        size_t *start = ks_calloc(k + 1, sizeof *start);
        for (size_t i = 0; i < n; i++)
            start[src[i].g + 1]++;
        for (size_t g = 1; g <= k; g++)
            start[g] += start[g - 1];
        for (size_t i = 0; i < n; i++)
            dst[start[src[i].g]++] = src[i];
        free(start);
        rec *t = src;
        src = dst;
        dst = t;
    }
    if (src != r)
        memcpy(r, src, n * sizeof *r);
    free(tmp);
}

static void surv_data_release(surv_data *sd)
{
    free(sd->r);
    free(sd->labels);
    free(sd->count);
    memset(sd, 0, sizeof *sd);
}

static int surv_data_init(surv_data *sd, const double *time, const int *event, const int *group,
                          size_t n, ks_error *err)
{
    memset(sd, 0, sizeof *sd);
    if (n == 0)
        return ks_error_set(err, KS_EDATA, "no observations");
    if (!time || !event)
        return ks_error_set(err, KS_EUSAGE, "survival analysis needs times and event flags");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(time[i]) || time[i] < 0)
            return ks_error_set(err, KS_EDATA, "row %zu: time %g is negative or not finite",
                                i + 1, time[i]);
        if (event[i] != 0 && event[i] != 1)
            return ks_error_set(err, KS_EDATA, "row %zu: event %d is not 0 or 1", i + 1,
                                event[i]);
    }
    /* distinct labels through a hash set, then sort only those (few) */
    ks_u64set seen = {0};
    size_t k = 0, cap = 16;
    sd->labels = ks_malloc(ks_mul(cap, sizeof *sd->labels));
    for (size_t i = 0; i < n; i++) {
        int label = group ? group[i] : 0;
        if (!ks_u64set_add(&seen, (uint64_t)(int64_t)label))
            continue;
        if (k == cap)
            sd->labels = ks_realloc(sd->labels, ks_mul(cap *= 2, sizeof *sd->labels));
        sd->labels[k++] = label;
    }
    ks_u64set_release(&seen);
    qsort(sd->labels, k, sizeof *sd->labels, int_cmp);
    sd->k = k;
    sd->count = ks_calloc(k, sizeof *sd->count);
    sd->r = ks_malloc(ks_mul(n, sizeof *sd->r));
    sd->n = n;
    for (size_t i = 0; i < n; i++) {
        int label = group ? group[i] : 0;
        const int *hit = bsearch(&label, sd->labels, k, sizeof *sd->labels, int_cmp);
        /* + 0.0 turns -0.0 into +0.0, whose bits rec_sort orders first */
        sd->r[i] = (rec){time[i] + 0.0, event[i], (size_t)(hit - sd->labels)};
        sd->count[sd->r[i].g]++;
    }
    return 0;
}

/* ---- Kaplan-Meier ---- */

static const char *const km_conf_names[] = {"log", "plain", "log-log"};

const char *ks_km_conf_name(ks_km_conf c)
{
    return (unsigned)c < KS_ARRAY_LEN(km_conf_names) ? km_conf_names[c] : "?";
}

int ks_km_conf_parse(const char *s, ks_km_conf *out, ks_error *err)
{
    for (size_t k = 0; s && k < KS_ARRAY_LEN(km_conf_names); k++)
        if (strcmp(s, km_conf_names[k]) == 0) {
            *out = (ks_km_conf)k;
            return 0;
        }
    return ks_error_set(err, KS_EUSAGE, "unknown confidence interval type '%s' "
                        "(use log, plain or log-log)", s ? s : "");
}

/* survfit_confint for one point; NAN where survfit has NA. */
static void km_interval(ks_km_conf conf, double s, double se, double *lo, double *hi)
{
    *lo = *hi = NAN;
    switch (conf) {
    case KS_KM_CONF_PLAIN: {
        double se2 = se * s * KS_Z975;
        if (isnan(se2))
            return; /* S = 0 with infinite se: R's pmax/pmin keep the NaN */
        *lo = fmax(s - se2, 0);
        *hi = fmin(s + se2, 1);
        return;
    }
    case KS_KM_CONF_LOG:
        if (s == 0)
            return;
        *lo = exp(log(s) - KS_Z975 * se);
        *hi = fmin(exp(log(s) + KS_Z975 * se), 1);
        return;
    case KS_KM_CONF_LOGLOG: {
        if (s == 0 || s == 1)
            return;
        double se2 = KS_Z975 * se / log(s);
        *lo = exp(-exp(log(-log(s)) - se2));
        *hi = exp(-exp(log(-log(s)) + se2));
        return;
    }
    }
}

enum { KM_SURV, KM_LOWER, KM_UPPER };

static double km_value(const ks_km_row *r, int which)
{
    return which == KM_SURV ? r->surv : which == KM_LOWER ? r->lower : r->upper;
}

/* print.survfit's median (survmean's minmin): the first time the curve is
 * <= 0.5; if it sits at exactly 0.5 there, the midpoint between that time and
 * the first later time where it is lower.  NA values are skipped. */
static double km_median(const ks_km_curve *c, int which)
{
    const double tol = sqrt(DBL_EPSILON);
    size_t i0 = c->n_rows;
    for (size_t i = 0; i < c->n_rows; i++) {
        double y = km_value(&c->rows[i], which);
        if (!isnan(y) && y < 0.5 + tol) {
            i0 = i;
            break;
        }
    }
    if (i0 == c->n_rows)
        return NAN;
    double y0 = km_value(&c->rows[i0], which);
    if (fabs(y0 - 0.5) < tol) {
        for (size_t i = i0 + 1; i < c->n_rows; i++) {
            double y = km_value(&c->rows[i], which);
            if (!isnan(y) && y < y0)
                return (c->rows[i0].time + c->rows[i].time) / 2;
        }
    }
    return c->rows[i0].time;
}

/* One curve from the group's records r[0..m), sorted by time. */
static void km_curve(const rec *r, size_t m, ks_km_conf conf, ks_km_curve *c)
{
    c->rows = ks_calloc(m, sizeof *c->rows);
    c->n = m;
    double s = 1, v = 0;
    size_t nrisk = m;
    for (size_t i = 0; i < m;) {
        size_t d = 0, cz = 0, j = i;
        for (; j < m && r[j].time == r[i].time; j++) {
            if (r[j].event)
                d++;
            else
                cz++;
        }
        if (d > 0) {
            s *= (double)(nrisk - d) / (double)nrisk;
            /* Greenwood; d == nrisk divides by zero and gives Inf, as survfit */
            v += (double)d / ((double)nrisk * (double)(nrisk - d));
        }
        ks_km_row *row = &c->rows[c->n_rows++];
        row->time = r[i].time;
        row->n_risk = (double)nrisk;
        row->n_event = (double)d;
        row->n_censor = (double)cz;
        row->surv = s;
        row->se_log = sqrt(v);
        row->std_err = s > 0 ? s * row->se_log : NAN;
        km_interval(conf, s, row->se_log, &row->lower, &row->upper);
        c->n_events += d;
        nrisk -= d + cz;
        i = j;
    }
    c->median = km_median(c, KM_SURV);
    c->median_lo = km_median(c, KM_LOWER);
    c->median_hi = km_median(c, KM_UPPER);
}

void ks_km_release(ks_km *km)
{
    if (!km)
        return;
    for (size_t g = 0; g < km->n_curves; g++)
        free(km->curves[g].rows);
    free(km->curves);
    memset(km, 0, sizeof *km);
}

int ks_km_fit(const double *time, const int *event, const int *group, size_t n,
              ks_km_conf conf_type, ks_km *out, ks_error *err)
{
    memset(out, 0, sizeof *out);
    if ((unsigned)conf_type >= KS_ARRAY_LEN(km_conf_names))
        return ks_error_set(err, KS_EUSAGE, "unknown confidence interval type %d",
                            (int)conf_type);
    surv_data sd;
    int rc = surv_data_init(&sd, time, event, group, n, err);
    if (rc < 0)
        goto done;
    rec_sort(sd.r, sd.n, 1, sd.k);
    out->conf_type = conf_type;
    out->curves = ks_calloc(sd.k, sizeof *out->curves);
    out->n_curves = sd.k;
    size_t start = 0;
    for (size_t g = 0; g < sd.k; g++) {
        out->curves[g].group = sd.labels[g];
        km_curve(sd.r + start, sd.count[g], conf_type, &out->curves[g]);
        start += sd.count[g];
    }

done:
    surv_data_release(&sd);
    return rc;
}

/* ---- log-rank ---- */

void ks_logrank_release(ks_logrank *lr)
{
    if (!lr)
        return;
    free(lr->group);
    free(lr->n);
    free(lr->observed);
    free(lr->expected);
    free(lr->var);
    memset(lr, 0, sizeof *lr);
}

/* Solves a x = b (m x m row-major, destroyed) by Gaussian elimination with
 * partial pivoting; -1 when singular. */
static int solve_small(double *a, double *b, size_t m)
{
    for (size_t c = 0; c < m; c++) {
        size_t piv = c;
        for (size_t r = c + 1; r < m; r++)
            if (fabs(a[r * m + c]) > fabs(a[piv * m + c]))
                piv = r;
        if (a[piv * m + c] == 0)
            return -1;
        if (piv != c) {
            for (size_t j = 0; j < m; j++) {
                double t = a[c * m + j];
                a[c * m + j] = a[piv * m + j];
                a[piv * m + j] = t;
            }
            double t = b[c];
            b[c] = b[piv];
            b[piv] = t;
        }
        for (size_t r = c + 1; r < m; r++) {
            double f = a[r * m + c] / a[c * m + c];
            for (size_t j = c; j < m; j++)
                a[r * m + j] -= f * a[c * m + j];
            b[r] -= f * b[c];
        }
    }
    for (size_t c = m; c-- > 0;) {
        for (size_t j = c + 1; j < m; j++)
            b[c] -= a[c * m + j] * b[j];
        b[c] /= a[c * m + c];
    }
    return 0;
}

/* Observed, expected and the hypergeometric variance, summed over event times. */
static void logrank_sums(const surv_data *sd, ks_logrank *lr)
{
    size_t k = sd->k;
    double *risk = ks_calloc(k, sizeof *risk);
    double *dg = ks_calloc(k, sizeof *dg);
    double *leave = ks_calloc(k, sizeof *leave);
    for (size_t g = 0; g < k; g++)
        risk[g] = (double)sd->count[g];
    double nrisk = (double)sd->n;
    for (size_t i = 0; i < sd->n;) {
        size_t j = i;
        double d = 0;
        for (; j < sd->n && sd->r[j].time == sd->r[i].time; j++) {
            dg[sd->r[j].g] += sd->r[j].event;
            leave[sd->r[j].g] += 1;
            d += sd->r[j].event;
        }
        if (d > 0) {
            for (size_t g = 0; g < k; g++) {
                lr->observed[g] += dg[g];
                lr->expected[g] += d * risk[g] / nrisk;
            }
            if (nrisk > 1) {
                double kt = d * (nrisk - d) / (nrisk * nrisk * (nrisk - 1));
                for (size_t a = 0; a < k; a++)
                    for (size_t b = 0; b < k; b++)
                        lr->var[a * k + b] +=
                            kt * risk[a] * ((a == b ? nrisk : 0) - risk[b]);
            }
        }
        for (size_t g = 0; g < k; g++) {
            risk[g] -= leave[g];
            nrisk -= leave[g];
            dg[g] = leave[g] = 0;
        }
        i = j;
    }
    free(risk);
    free(dg);
    free(leave);
}

/* The statistic over the groups use[1..m-1] (use[0], dropped, makes V
 * singular otherwise): chisq = (O - E)' V^-1 (O - E) on m - 1 df. */
static int logrank_chisq(ks_logrank *out, const size_t *use, size_t m, ks_error *err)
{
    size_t k = out->n_groups, mm = m - 1;
    double *a = ks_malloc(ks_mul(ks_mul(mm, mm), sizeof *a));
    double *b = ks_malloc(ks_mul(mm, sizeof *b));
    double *diff = ks_malloc(ks_mul(mm, sizeof *diff));
    int rc = 0;
    for (size_t r = 0; r < mm; r++) {
        size_t gr = use[r + 1];
        b[r] = out->observed[gr] - out->expected[gr];
        for (size_t c = 0; c < mm; c++)
            a[r * mm + c] = out->var[gr * k + use[c + 1]];
    }
    memcpy(diff, b, mm * sizeof *diff);
    if (solve_small(a, b, mm) < 0) {
        rc = ks_error_set(err, KS_EDATA, "the log-rank variance matrix is singular (every event time tied?)");
    } else {
        out->chisq = 0;
        for (size_t r = 0; r < mm; r++)
            out->chisq += b[r] * diff[r];
        out->df = (int)mm;
        out->p = ks_dist_chisq_upper(out->chisq, (double)mm);
    }
    free(a);
    free(b);
    free(diff);
    return rc;
}

int ks_logrank_test(const double *time, const int *event, const int *group, size_t n,
                    ks_logrank *out, ks_error *err)
{
    memset(out, 0, sizeof *out);
    size_t *use = NULL;
    surv_data sd;
    int rc = surv_data_init(&sd, time, event, group, n, err);
    if (rc < 0)
        goto done;
    size_t k = sd.k;
    if (k < 2) {
        rc = ks_error_set(err, KS_EDATA,
                          "the log-rank test needs at least two groups, found only one");
        goto done;
    }
    rec_sort(sd.r, sd.n, 0, sd.k);
    out->n_groups = k;
    out->group = ks_malloc(ks_mul(k, sizeof *out->group));
    memcpy(out->group, sd.labels, k * sizeof *out->group);
    out->n = ks_malloc(ks_mul(k, sizeof *out->n));
    memcpy(out->n, sd.count, k * sizeof *out->n);
    out->observed = ks_calloc(k, sizeof *out->observed);
    out->expected = ks_calloc(k, sizeof *out->expected);
    out->var = ks_calloc(ks_mul(k, k), sizeof *out->var);
    logrank_sums(&sd, out);

    /* survdiff leaves out groups nobody expects an event in, then drops the
     * first remaining one: O - E sums to zero, so V is singular otherwise */
    use = ks_malloc(ks_mul(k, sizeof *use));
    size_t m = 0;
    double total = 0;
    for (size_t g = 0; g < k; g++) {
        total += out->observed[g];
        if (out->expected[g] > 0)
            use[m++] = g;
    }
    if (m < 2)
        rc = ks_error_set(err, KS_EDATA, total == 0
                          ? "no events: the log-rank test has nothing to compare"
                          : "fewer than two groups have anyone at risk at an event time");
    else
        rc = logrank_chisq(out, use, m, err);

done:
    free(use);
    surv_data_release(&sd);
    if (rc < 0)
        ks_logrank_release(out);
    return rc;
}
