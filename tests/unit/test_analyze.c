/* test_analyze.c: the parts of `kasane analyze` below the command line --
 * the pattern logit (both solvers) against R's glm on the data sets of
 * tests/ref/stats_model.R, the fall-back to R's algorithm on aliasing and
 * separation, filters and variables on a fresh database, count formatting.
 * End-to-end agreement with R is tests/cli/t2010-analyze-ref.sh. */
#include "analyze.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "profile.h"
#include "query.h"
#include "test.h"

#include "ref.h"

/* ---- patterns from the R data sets (y, w, off, then the model matrix) ---- */

static void patterns_from_csv(const csv_table *c, ks_an_patterns *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->n = c->nrow;
    pt->p = c->ncol - 3;
    pt->start = ks_malloc((pt->n + 1) * sizeof *pt->start);
    pt->col = ks_malloc(pt->n * pt->p * sizeof *pt->col + 1);
    pt->x = ks_malloc(pt->n * pt->p * sizeof *pt->x + 1);
    pt->succ = ks_malloc(pt->n * sizeof *pt->succ + 1);
    pt->trials = ks_malloc(pt->n * sizeof *pt->trials + 1);
    size_t nnz = 0;
    for (size_t i = 0; i < pt->n; i++) {
        pt->start[i] = nnz;
        for (size_t j = 0; j < pt->p; j++) {
            double x = csv_at(c, i, 3 + j);
            if (x != 0) {
                pt->col[nnz] = (uint32_t)j;
                pt->x[nnz++] = x;
            }
        }
        double w = csv_at(c, i, 1);
        pt->trials[i] = w;
        pt->succ[i] = nearbyint(csv_at(c, i, 0) * w);
    }
    pt->start[pt->n] = nnz;
}

static void patterns_free(ks_an_patterns *pt)
{
    free(pt->start);
    free(pt->col);
    free(pt->x);
    free(pt->succ);
    free(pt->trials);
}

static void compare_coefs(const ref_table *ref, const char *name, const ks_glm_result *r)
{
    for (size_t j = 0; j < r->n_coef; j++) {
        const ks_glm_coef *c = &r->coef[j];
        size_t k = j + 1;
        check_near(c->est, ref_get(ref, "%s.est.%zu", name, k), REL, ABS_FLOOR, "est", name, k);
        check_near(c->se, ref_get(ref, "%s.se.%zu", name, k), REL, ABS_FLOOR, "se", name, k);
        check_near(c->p, ref_get(ref, "%s.p.%zu", name, k), REL, 1e-6, "p", name, k);
        check_near(c->exp_lo, ref_get(ref, "%s.exp_lo.%zu", name, k), REL, 0, "exp_lo", name, k);
        check_near(c->exp_hi, ref_get(ref, "%s.exp_hi.%zu", name, k), REL, 0, "exp_hi", name, k);
    }
}

/* infert: one row per woman, so pattern x outcome rows are glm's own rows and
 * deviance, null deviance and AIC must match too; both solvers. */
static void test_infert(const ref_table *ref)
{
    csv_table c;
    csv_load(&c, "infert1.csv");
    ks_an_patterns pt;
    patterns_from_csv(&c, &pt);
    int solvers[2] = {KS_AN_SOLVER_SPARSE, KS_AN_SOLVER_QR};
    for (int s = 0; s < 2; s++) {
        ks_glm_result r;
        bool sparse = !solvers[s];
        ks_error err = {0};
        KS_CHECK_INT(ks_an_logit_fit(&pt, NULL, solvers[s], &r, &sparse, &err), 0);
        KS_CHECK(sparse == (solvers[s] == KS_AN_SOLVER_SPARSE));
        compare_coefs(ref, "infert1", &r);
        check_near(r.deviance, ref_get(ref, "infert1.deviance"), REL, 0, "deviance", "infert1", (size_t)s);
        check_near(r.null_deviance, ref_get(ref, "infert1.null_deviance"), REL, 0, "null_deviance", "infert1",
                   (size_t)s);
        check_near(r.aic, ref_get(ref, "infert1.aic"), REL, 0, "aic", "infert1", (size_t)s);
        KS_CHECK_INT(r.warnings, 0);
        ks_glm_result_release(&r);
    }
    patterns_free(&pt);
    csv_free(&c);
}

/* esoph: grouped binomial (cases out of totals), fitted as kasane's logit
 * fits patterns: against R's glm on one row per person (esoph_cases), which
 * it matches in the standard errors too, since each group starts where its
 * people would start one by one; R's grouped fit (esoph, used by
 * test_stats_glm) differs from that in the 5th digit of the SEs. */
static void test_esoph(const ref_table *ref)
{
    csv_table c;
    csv_load(&c, "esoph.csv");
    ks_an_patterns pt;
    patterns_from_csv(&c, &pt);
    ks_glm_result r;
    bool sparse = false;
    ks_error err = {0};
    KS_CHECK_INT(ks_an_logit_fit(&pt, NULL, KS_AN_SOLVER_SPARSE, &r, &sparse, &err), 0);
    KS_CHECK(sparse);
    compare_coefs(ref, "esoph_cases", &r);
    ks_glm_result_release(&r);
    patterns_free(&pt);
    csv_free(&c);
}

/* Aliased columns and separation: the sparse solver must hand over, and R's
 * warnings must come out. */
static void test_fallback(void)
{
    static const struct {
        const char *file;  /* data set */
        unsigned warning;  /* bit expected */
    } cases[] = {
        {"aliased.csv", KS_GLM_W_ALIASED},
        {"separation.csv", KS_GLM_W_SEPARATION},
        {"quasi_separation.csv", KS_GLM_W_SEPARATION},
    };
    for (size_t i = 0; i < KS_ARRAY_LEN(cases); i++) {
        csv_table c;
        csv_load(&c, cases[i].file);
        ks_an_patterns pt;
        patterns_from_csv(&c, &pt);
        ks_glm_result r;
        bool sparse = true;
        ks_error err = {0};
        KS_CHECK_INT(ks_an_logit_fit(&pt, NULL, KS_AN_SOLVER_SPARSE, &r, &sparse, &err), 0);
        KS_CHECK(!sparse);
        if (!(r.warnings & cases[i].warning))
            fprintf(stderr, "%s: warnings %#x, message '%s'\n", cases[i].file, r.warnings, r.message);
        KS_CHECK(r.warnings & cases[i].warning);
        KS_CHECK(r.message[0] != '\0');
        ks_glm_result_release(&r);
        patterns_free(&pt);
        csv_free(&c);
    }
}

/* A larger design of dummies (40 columns, 3000 patterns): both solvers give
 * the same fit, and the effects planted are found. */
static void test_solvers_agree(void)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    enum { NPAT = 3000, NVAR = 4, NLEV = 11, P = 1 + NVAR * (NLEV - 1) };
    ks_an_patterns pt = {0};
    pt.n = NPAT;
    pt.p = P;
    pt.start = ks_malloc((NPAT + 1) * sizeof *pt.start);
    pt.col = ks_malloc(NPAT * (NVAR + 1) * sizeof *pt.col);
    pt.x = ks_malloc(NPAT * (NVAR + 1) * sizeof *pt.x);
    pt.succ = ks_malloc(NPAT * sizeof *pt.succ);
    pt.trials = ks_malloc(NPAT * sizeof *pt.trials);
    double beta[P];
    beta[0] = -0.5;
    for (size_t j = 1; j < P; j++)
        beta[j] = 0.1 * ((double)(j % 7) - 3.0); /* -0.3 .. 0.3 */
    size_t nnz = 0;
    for (size_t i = 0; i < NPAT; i++) {
        pt.start[i] = nnz;
        pt.col[nnz] = 0;
        pt.x[nnz++] = 1;
        double eta = beta[0];
        for (size_t v = 0; v < NVAR; v++) {
            size_t l = gsl_rng_uniform_int(rng, NLEV); /* 0 = reference */
            if (l) {
                size_t col = 1 + v * (NLEV - 1) + (l - 1);
                pt.col[nnz] = (uint32_t)col;
                pt.x[nnz++] = 1;
                eta += beta[col];
            }
        }
        unsigned m = 20 + (unsigned)gsl_rng_uniform_int(rng, 200);
        pt.trials[i] = m;
        pt.succ[i] = gsl_ran_binomial(rng, 1.0 / (1.0 + exp(-eta)), m);
    }
    pt.start[NPAT] = nnz;
    ks_glm_result a, b;
    bool sa = false, sb = true;
    ks_error err = {0};
    KS_CHECK_INT(ks_an_logit_fit(&pt, NULL, KS_AN_SOLVER_SPARSE, &a, &sa, &err), 0);
    KS_CHECK_INT(ks_an_logit_fit(&pt, NULL, KS_AN_SOLVER_QR, &b, &sb, &err), 0);
    KS_CHECK(sa && !sb);
    KS_CHECK_DBL(a.deviance, b.deviance, 1e-10);
    KS_CHECK_DBL(a.null_deviance, b.null_deviance, 1e-10);
    KS_CHECK_DBL(a.aic, b.aic, 1e-10);
    KS_CHECK_INT(a.iterations, b.iterations);
    size_t near = 0;
    for (size_t j = 0; j < P; j++) {
        KS_CHECK_DBL(a.coef[j].est, b.coef[j].est, 1e-8);
        KS_CHECK_DBL(a.coef[j].se, b.coef[j].se, 1e-8);
        KS_CHECK_DBL(a.coef[j].p, b.coef[j].p, 1e-8);
        /* ~660k trials: every planted effect within 4 SE */
        near += fabs(a.coef[j].est - beta[j]) < 4 * a.coef[j].se;
    }
    KS_CHECK_INT(near, P);
    ks_glm_result_release(&a);
    ks_glm_result_release(&b);
    patterns_free(&pt);
    gsl_rng_free(rng);
}

/* ---- counts in notes ------------------------------------------------------ */

static void check_fmt(int k, int64_t n, const char *want)
{
    ks_an a;
    memset(&a, 0, sizeof a);
    a.k = k;
    ks_buf b;
    ks_buf_init(&b);
    ks_an_fmt_count(&a, &b, n);
    KS_CHECK_STR(b.buf, want);
    ks_buf_release(&b);
}

static void test_fmt_count(void)
{
    check_fmt(5, 0, "0");
    check_fmt(5, 1, "<5");
    check_fmt(5, 4, "<5");
    check_fmt(5, 5, "5");
    check_fmt(5, 999, "999");
    check_fmt(5, 2345, "2,345");
    check_fmt(5, 1000000, "1,000,000");
    check_fmt(10, 9, "<10");
    check_fmt(1, 1, "1");
}

/* ---- filters and variables on an empty database with the mitaka profile ---- */

static void test_filters_and_vars(void)
{
    umask(077); /* as main() sets it: the database is private from its first byte */
    const char *tmp = getenv("KASANE_TEST_TMP");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", tmp ? tmp : "/tmp");
    snprintf(path, sizeof path, "%s/test_analyze.db", dir);
    char mk[4300];
    snprintf(mk, sizeof mk, "mkdir -p '%s'", dir);
    KS_CHECK_INT(system(mk), 0);
    unlink(path);
    ks_error err = {0};
    sqlite3 *db = NULL;
    KS_CHECK_INT(ks_db_open(path, KS_DB_CREATE, &db, &err), 0);
    ks_profile *prof = ks_profile_load("mitaka", &err);
    KS_CHECK(prof != NULL);
    if (prof)
        KS_CHECK_INT(ks_db_bind_profile(db, prof, &err), 0);
    ks_profile_free(prof);
    ks_db_close(db);
    KS_CHECK_INT(ks_analysis_open(path, KS_LANG_JA, false, NULL, &db, &err), 0);
    if (!db)
        return;
    ks_output out;
    ks_output_init(&out);
    ks_an a;

    /* district by Japanese label, English label or code, any case */
    const char *names[] = {"東部", "tobu", "Tobu"};
    for (size_t i = 0; i < KS_ARRAY_LEN(names); i++) {
        ks_an_filter f = {.district = names[i]};
        KS_CHECK_INT(ks_an_init(&a, db, &out, &f, NULL, &err), 0);
        KS_CHECK(a.where && strstr(a.where, "c.district_id = 1") != NULL);
        KS_CHECK_INT(a.n_selected, 0);
        KS_CHECK_INT(a.n_database, 0);
        ks_an_release(&a);
    }
    /* field 介護: problems care (1), dementia (2) and 8050 (12) -> mask 4102 */
    ks_an_filter ff = {.field = "介護", .fy = 2024, .consent = "no"};
    KS_CHECK_INT(ks_an_init(&a, db, &out, &ff, NULL, &err), 0);
    KS_CHECK(strstr(a.where, "(c.problem_mask & 4102) != 0") != NULL);
    KS_CHECK(strstr(a.where, "c.fiscal_year = 2024") != NULL);
    KS_CHECK(strstr(a.where, "c.consent_id = 2") != NULL);
    KS_CHECK(strstr(a.selection, "2024") != NULL);
    ks_an_release(&a);

    /* every bad filter is a usage error, nothing is opened */
    const ks_an_filter bad[] = {
        {.district = "nowhere"}, {.field = "sports"},     {.from = "2025/04/01"},
        {.from = "2025-13-01"},  {.to = "2025-02-30"},    {.from = "2025-05-01", .to = "2025-04-01"},
        {.consent = "maybe"},    {.fy = 1850},
    };
    for (size_t i = 0; i < KS_ARRAY_LEN(bad); i++) {
        memset(&err, 0, sizeof err);
        KS_CHECK_INT(ks_an_init(&a, db, &out, &bad[i], NULL, &err), -KS_EUSAGE);
        KS_CHECK(a.where == NULL);
    }

    /* variables */
    KS_CHECK_INT(ks_an_init(&a, db, &out, NULL, NULL, &err), 0);
    ks_an_var *v = ks_an_var_new(&a, "problem:ひきこもり", false, &err);
    KS_CHECK(v != NULL);
    if (v) {
        KS_CHECK_STR(v->name, "problem:hikikomori");
        KS_CHECK(v->kind == KS_AN_BINARY);
        KS_CHECK(strstr(v->expr, ">> 11") != NULL);
        KS_CHECK_INT(v->nlev, 2);
    }
    ks_an_var_free(v);
    v = ks_an_var_new(&a, "problems", false, &err);
    KS_CHECK(v && v->kind == KS_AN_SET && v->nlev == 22);
    if (v) {
        KS_CHECK_STR(v->lev[v->bit_level[11]].code, "hikikomori");
        KS_CHECK_INT(v->bit_level[0], -1);
    }
    ks_an_var_free(v);
    /* a partner's bit stands for its field: 地域包括支援センター (1) is care */
    v = ks_an_var_new(&a, "partner_field", false, &err);
    KS_CHECK(v && v->kind == KS_AN_SET);
    if (v) {
        KS_CHECK_STR(v->lev[v->bit_level[1]].code, "care");
        KS_CHECK_INT(v->bit_level[0], -1); /* unlisted has no field */
    }
    ks_an_var_free(v);
    v = ks_an_var_new(&a, "age_band", false, &err);
    KS_CHECK(v && v->kind == KS_AN_CODE);
    if (v) {
        KS_CHECK_INT(ks_an_var_find(v, "65〜69歳"), 13);
        KS_CHECK_INT(ks_an_var_find(v, "65-69"), 13);
        KS_CHECK_INT(ks_an_var_index(v, 14), 13);
        KS_CHECK_INT(ks_an_var_index(v, 99), -1);
    }
    ks_an_var_free(v);
    v = ks_an_var_new(&a, "sex", false, &err);
    KS_CHECK(v && v->nlev == 4 && v->lev[3].unknown && !v->lev[0].unknown);
    ks_an_var_free(v);
    v = ks_an_var_new(&a, "n_partners", true, &err);
    KS_CHECK(v && v->kind == KS_AN_NUMBER);
    ks_an_var_free(v);
    v = ks_an_var_new(&a, "fy", false, &err);
    KS_CHECK(v && strcmp(v->name, "fiscal_year") == 0 && v->nlev == 0); /* no cases, no years */
    ks_an_var_free(v);
    const char *badv[] = {"foo", "problem:zzz", "colour:red", ""};
    for (size_t i = 0; i < KS_ARRAY_LEN(badv); i++) {
        memset(&err, 0, sizeof err);
        KS_CHECK(ks_an_var_new(&a, badv[i], false, &err) == NULL);
        KS_CHECK_INT(err.code, KS_EUSAGE);
    }
    ks_an_release(&a);
    ks_db_close(db);
    unlink(path);
}

int main(void)
{
    ref_table ref;
    ref_load(&ref);
    test_infert(&ref);
    test_esoph(&ref);
    test_fallback();
    test_solvers_agree();
    test_fmt_count();
    test_filters_and_vars();
    ref_free(&ref);
    return ks_test_report();
}
