/* ref.h: reading the reference files that tests/ref/ R scripts write: "name value"
 * lines (%.17g, NaN for NA) and the CSV data sets beside them.  Shared by the
 * unit tests that compare against R; static functions, included once per test. */
#ifndef KASANE_TEST_REF_H
#define KASANE_TEST_REF_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- reference values: "name value" lines, written by R with %.17g ---- */

typedef struct ref_entry {
    char *name;   /* e.g. "infert1.est.2" */
    double value; /* NAN for R's NA */
} ref_entry;

typedef struct ref_table {
    ref_entry *e; /* sorted by name */
    size_t n;     /* entries */
} ref_table;

static int ref_cmp(const void *a, const void *b)
{
    return strcmp(((const ref_entry *)a)->name, ((const ref_entry *)b)->name);
}

static const char *source_dir(void)
{
    const char *d = getenv("KASANE_SOURCE_DIR");
    return d ? d : ".";
}

static void ref_load(ref_table *t)
{
    char path[4096], line[512];
    snprintf(path, sizeof path, "%s/tests/ref/stats_model_ref.txt", source_dir());
    FILE *f = fopen(path, "r");
    t->e = NULL;
    t->n = 0;
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        KS_CHECK(f != NULL);
        return;
    }
    size_t cap = 0;
    while (fgets(line, sizeof line, f)) {
        char *sp = strchr(line, ' ');
        if (line[0] == '#' || !sp)
            continue;
        *sp = '\0';
        if (t->n == cap) {
            cap = cap ? 2 * cap : 1024;
            t->e = ks_realloc(t->e, cap * sizeof *t->e);
        }
        char *v = sp + 1;
        t->e[t->n].name = ks_strdup(line);
        t->e[t->n].value = strncmp(v, "NA", 2) == 0 ? NAN : strtod(v, NULL);
        t->n++;
    }
    fclose(f);
    qsort(t->e, t->n, sizeof *t->e, ref_cmp);
}

static void ref_free(ref_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->e[i].name);
    free(t->e);
}

static double ref_get(const ref_table *t, const char *fmt, ...) KS_PRINTF(2, 3);
static double ref_get(const ref_table *t, const char *fmt, ...)
{
    char name[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof name, fmt, ap);
    va_end(ap);
    ref_entry key = {name, 0};
    const ref_entry *e = t->e ? bsearch(&key, t->e, t->n, sizeof *t->e, ref_cmp) : NULL;
    if (!e) {
        fprintf(stderr, "reference value '%s' missing\n", name);
        ks_test_checks++;
        ks_test_failures++;
        return NAN;
    }
    return e->value;
}

/* got agrees with want to `rel` relatively or `abs_tol` absolutely; NaN only
 * matches NaN (R's NA). */
static void check_near(double got, double want, double rel, double abs_tol, const char *what,
                       const char *name, size_t idx)
{
    ks_test_checks++;
    int ok = isnan(want) ? isnan(got)
                         : (fabs(got - want) <= rel * fabs(want) || fabs(got - want) <= abs_tol);
    if (!ok) {
        ks_test_failures++;
        fprintf(stderr, "%s.%s[%zu] = %.17g, want %.17g\n", name, what, idx, got, want);
    }
}

#define REL 1e-6
#define ABS_FLOOR 1e-12 /* for values that are zero up to rounding */

/* ---- CSV written by R: a header, then numbers ---- */

typedef struct csv_table {
    size_t nrow;  /* data rows */
    size_t ncol;  /* columns */
    char **names; /* ncol header names */
    double *v;    /* nrow x ncol, row-major */
} csv_table;

static void csv_load(csv_table *c, const char *file)
{
    char path[4096], line[8192];
    snprintf(path, sizeof path, "%s/tests/ref/data/%s", source_dir(), file);
    memset(c, 0, sizeof *c);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        KS_CHECK(f != NULL);
        return;
    }
    size_t cap = 0;
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        for (char *s = line;;) {
            char *comma = strchr(s, ',');
            size_t len = comma ? (size_t)(comma - s) : strlen(s);
            c->names = ks_realloc(c->names, (c->ncol + 1) * sizeof *c->names);
            c->names[c->ncol++] = ks_strndup(s, len);
            if (!comma)
                break;
            s = comma + 1;
        }
    }
    while (fgets(line, sizeof line, f)) {
        if (c->nrow == cap) {
            cap = cap ? 2 * cap : 64;
            c->v = ks_realloc(c->v, cap * c->ncol * sizeof *c->v);
        }
        char *s = line;
        for (size_t j = 0; j < c->ncol; j++) {
            c->v[c->nrow * c->ncol + j] = strtod(s, &s);
            if (*s == ',')
                s++;
        }
        c->nrow++;
    }
    fclose(f);
}

static void csv_free(csv_table *c)
{
    for (size_t j = 0; j < c->ncol; j++)
        free(c->names[j]);
    free(c->names);
    free(c->v);
}

static double csv_at(const csv_table *c, size_t i, size_t j)
{
    return c->v[i * c->ncol + j];
}

#endif
