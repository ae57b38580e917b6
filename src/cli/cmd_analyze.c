/* cmd_analyze.c: `kasane analyze NAME ARGS...` — the analyses in the table below */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "analyze.h"
#include "db.h"
#include "output.h"
#include "query.h"

enum {
    O_FROM = 300,
    O_TO,
    O_FY,
    O_DISTRICT,
    O_FIELD,
    O_CONSENT,
    O_DROP_UNKNOWN,
    O_SIMULATE,
    O_SEED,
    O_REF,
    O_SOLVER,
    O_SEASONAL,
    O_UNIT,
    O_TOP,
    O_TIMES,
};

static void list_analyses(FILE *out);

static const ks_cli_opt opts[] = {
    KS_CLI_TEXT("Selection (all optional, combined with AND):\n"),
    {"from", O_FROM, "DATE", ""},
    {"to", O_TO, "DATE", "consult_date range, YYYY-MM-DD, inclusive"},
    {"fy", O_FY, "YEAR", "fiscal year (April to March)"},
    {"district", O_DISTRICT, "NAME", "code, Japanese or English label"},
    {"field", O_FIELD, "FIELD", "a problem in care|disability|child|poverty|other"},
    {"consent", O_CONSENT, "yes|no|all", "default all (aggregates include every case)"},
    {"drop-unknown", O_DROP_UNKNOWN, NULL, "also exclude recorded 不明 (sex, outcome)"},
    KS_CLI_TEXT("\nAnalysis options:\n"),
    {"simulate", O_SIMULATE, "B", ""},
    {"seed", O_SEED, "S",
     "crosstab: Monte-Carlo replicates (0 = off; default 2000 when expected counts are small) and seed "
     "(default 1)"},
    {"ref", O_REF, "VAR=LEVEL", "logit: reference level (repeatable)"},
    {"solver", O_SOLVER, "auto|qr|sparse",
     "logit: qr is R's glm.fit algorithm (dense QR); sparse uses sparse normal equations and hands over to "
     "qr on aliasing, separation or no convergence; auto (default) takes qr for small designs, else sparse"},
    {"seasonal", O_SEASONAL, NULL, "trend: month-of-year terms"},
    {"unit", O_UNIT, "case|household", "cooccur: pairs within a case (default) or a household"},
    {"top", O_TOP, "N", "cooccur/partners: rows in ranked lists (default 20)"},
    {"times", O_TIMES, "LIST", "survival: days at which to print the curve"},
    KS_CLI_OPT_DB_ROW,
    KS_CLI_OPT_HELP_ROW,
    KS_CLI_TEXT("\n"),
    KS_CLI_TEXT(ks_an_var_help),
    KS_CLI_OUTPUT_ROWS,
};

static const ks_cli_spec spec = {
    .usage = "usage: kasane analyze crosstab ROW COL [options]\n"
             "       kasane analyze logit [OUTCOME] PREDICTOR... [--ref VAR=LEVEL ...]\n"
             "       kasane analyze trend SERIES [--seasonal]\n"
             "       kasane analyze cooccur [--unit case|household] [--top N]\n"
             "       kasane analyze survival GROUP [--times 30,90,180,365]\n"
             "       kasane analyze partners PROBLEM [--top N]\n\n"
             "Statistics on the cases the filters select, printed like `kasane query`: counts\n"
             "below the threshold k are hidden, and so is every statistic of a group with\n"
             "fewer than k cases.  The footer says n, what was excluded and why.\n"
             "An analysis prints several tables, each with a footer naming it (\"table:\n"
             "NAME\"); json is one document per table; --out FILE writes each table to\n"
             "FILE with .NAME before the extension (res.csv -> res.counts.csv, ...).\n\n",
    .list = list_analyses,
    .opts = opts,
    .n_opts = KS_ARRAY_LEN(opts),
};

/* A whole number in [lo, hi]; -1 when the text is not one. */
static int parse_u64(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
    if (!s || !*s || *s == '-' || *s == '+')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static bool is_outcome_name(const char *s)
{
    return strcmp(s, "good") == 0 || strcmp(s, "resolved") == 0 || strcmp(s, "worsened") == 0;
}

static int run_crosstab(ks_an *a, int argc, char **argv, ks_error *err)
{
    return ks_analyze_crosstab(a, argv[0], argv[1], err);
}

static int run_logit(ks_an *a, int argc, char **argv, ks_error *err);

static int run_trend(ks_an *a, int argc, char **argv, ks_error *err) { return ks_analyze_trend(a, argv[0], err); }

static int run_cooccur(ks_an *a, int argc, char **argv, ks_error *err) { return ks_analyze_cooccur(a, err); }

static int run_survival(ks_an *a, int argc, char **argv, ks_error *err) { return ks_analyze_survival(a, argv[0], err); }

static int run_partners(ks_an *a, int argc, char **argv, ks_error *err) { return ks_analyze_partners(a, argv[0], err); }

/* The analyses: dispatch, the arity check and its message, and the list in
 * --help all come from here. */
typedef struct analysis {
    const char *name;  /* "crosstab" */
    const char *args;  /* its arguments as --help lists them */
    int min, max;      /* how many arguments it takes; max -1: any number */
    const char *arity; /* the usage error when the count is wrong, after the name */
    int (*fn)(ks_an *a, int argc, char **argv, ks_error *err); /* argv holds min..max arguments */
    const char *help;                                          /* for --help, wrapped there */
} analysis;

static const analysis analyses[] = {
    {"crosstab", "ROW COL", 2, 2, "takes ROW and COL", run_crosstab,
     "counts, row/column %, expected counts, adjusted residuals (+/- beyond 1.96, ++/-- beyond Bonferroni), "
     "Pearson chi2, G2, Cramer's V; Fisher's exact test for 2x2; a Monte-Carlo exact p when expected counts "
     "are small (--simulate B, --seed S).  Multi-response variables get counts only."},
    {"logit", "[OUTCOME] PREDICTOR...", 1, -1, "needs at least one predictor", run_logit,
     "logistic regression (IRLS as R's glm): coefficients, SE, odds ratios with 95% CI, Wald z and p, "
     "deviance, AIC.  OUTCOME is good (default: 解決/改善 among closed cases with a known outcome), "
     "resolved, or worsened.  Categorical predictors become dummies against the largest level, or --ref "
     "VAR=LEVEL; also `problems` (a 0/1 term per problem)."},
    {"trend", "SERIES", 1, 1, "takes one SERIES (all, problems, district, ...)", run_trend,
     "monthly counts per level of SERIES (all, problems, problem, district, intake_route, ...), Poisson "
     "regression on time, annual percent change with 95% CI; quasi-Poisson where the Pearson dispersion "
     "test rejects (p < 0.05); BH-adjusted q."},
    {"cooccur", "", 0, 0, "takes no arguments", run_cooccur,
     "problem pairs in the same case (or --unit household): observed, expected, lift, phi, Fisher p, BH q; "
     "significant pairs ranked."},
    {"survival", "GROUP", 1, 1, "takes one GROUP (or all)", run_survival,
     "time from consultation to closure (closed or suspended = event, ongoing censored at the database's "
     "last date): Kaplan-Meier median with 95% CI per group, curve at --times, log-rank test.  GROUP may "
     "be `all`."},
    {"partners", "PROBLEM", 1, 1, "takes one PROBLEM code or label", run_partners,
     "partners in cases with PROBLEM: share, good-outcome rate with a Wilson 95% CI, and the pairs that "
     "work together (count, lift)."},
};

static const analysis *find_analysis(const char *name)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(analyses); i++)
        if (strcmp(analyses[i].name, name) == 0)
            return &analyses[i];
    return NULL;
}

static int wrong_arity(const analysis *an, ks_error *err)
{
    return ks_error_set(err, KS_EUSAGE, "%s %s", an->name, an->arity);
}

/* The analyses' names: "crosstab, logit, ..." with `last` before the last. */
static void analysis_names(ks_buf *b, const char *last)
{
    for (size_t i = 0; i < KS_ARRAY_LEN(analyses); i++)
        ks_buf_addf(b, "%s%s", i == 0 ? "" : i + 1 < KS_ARRAY_LEN(analyses) ? ", " : last, analyses[i].name);
}

static void list_analyses(FILE *out)
{
    ks_buf left;
    ks_buf_init(&left);
    size_t widest = 0;
    for (size_t i = 0; i < KS_ARRAY_LEN(analyses); i++) {
        size_t w = strlen(analyses[i].name) + (*analyses[i].args ? 1 + strlen(analyses[i].args) : 0);
        if (w <= KS_CLI_HELP_LEFT_MAX && w > widest)
            widest = w;
    }
    int col = ks_cli_help_column(widest);
    fputs("Analyses:\n", out);
    for (size_t i = 0; i < KS_ARRAY_LEN(analyses); i++) {
        ks_buf_reset(&left);
        ks_buf_addf(&left, "%s%s%s", analyses[i].name, *analyses[i].args ? " " : "", analyses[i].args);
        ks_cli_help_item(out, col, left.buf, analyses[i].help);
    }
    fputc('\n', out);
    ks_buf_release(&left);
}

/* logit's first argument may name the outcome; the predictors follow. */
static int run_logit(ks_an *a, int argc, char **argv, ks_error *err)
{
    const char *outcome = "good";
    if (is_outcome_name(argv[0])) {
        outcome = argv[0];
        argv++;
        argc--;
    }
    if (argc < 1)
        return wrong_arity(find_analysis("logit"), err);
    return ks_analyze_logit(a, outcome, (const char *const *)argv, (size_t)argc, err);
}

static int run(ks_an *a, const char *what, int argc, char **argv, ks_error *err)
{
    const analysis *an = find_analysis(what);
    if (!an) {
        ks_buf names;
        ks_buf_init(&names);
        analysis_names(&names, ", ");
        int rc = ks_error_set(err, KS_EUSAGE, "unknown analysis '%s' (%s)", what, names.buf);
        ks_buf_release(&names);
        return rc;
    }
    if (argc < an->min || (an->max >= 0 && argc > an->max))
        return wrong_arity(an, err);
    return an->fn(a, argc, argv, err);
}

/* One option into the selection f and the analysis options ao (--ref
 * appended to *refs): KS_EXIT_OK, or the usage error's status. */
static int take_option(int c, ks_an_filter *f, ks_an_opts *ao, const char ***refs, size_t *nrefs)
{
    unsigned long long v;
    switch (c) {
    case O_FROM: f->from = optarg; break;
    case O_TO: f->to = optarg; break;
    case O_FY:
        if (parse_u64(optarg, 1900, 2200, &v))
            return ks_cli_usage_error("analyze", "--fy takes a fiscal year such as 2025, not '%s'", optarg);
        f->fy = (int)v;
        break;
    case O_DISTRICT: f->district = optarg; break;
    case O_FIELD: f->field = optarg; break;
    case O_CONSENT: f->consent = optarg; break;
    case O_DROP_UNKNOWN: ao->drop_unknown = true; break;
    case O_SIMULATE:
        if (parse_u64(optarg, 0, 10000000, &v))
            return ks_cli_usage_error("analyze", "--simulate takes a number of tables from 0 to 10000000");
        ao->simulate = v;
        ao->simulate_set = true;
        break;
    case O_SEED:
        if (parse_u64(optarg, 0, ULONG_MAX, &v))
            return ks_cli_usage_error("analyze", "--seed takes a non-negative whole number");
        ao->seed = (unsigned long)v;
        break;
    case O_REF:
        if (!strchr(optarg, '='))
            return ks_cli_usage_error("analyze", "--ref takes VAR=LEVEL, e.g. age_band=65-69");
        *refs = ks_realloc(*refs, ks_mul(*nrefs + 1, sizeof **refs));
        (*refs)[(*nrefs)++] = optarg;
        break;
    case O_SOLVER:
        if (strcmp(optarg, "auto") == 0)
            ao->solver = KS_AN_SOLVER_AUTO;
        else if (strcmp(optarg, "qr") == 0)
            ao->solver = KS_AN_SOLVER_QR;
        else if (strcmp(optarg, "sparse") == 0)
            ao->solver = KS_AN_SOLVER_SPARSE;
        else
            return ks_cli_usage_error("analyze", "--solver takes auto, qr or sparse");
        break;
    case O_SEASONAL: ao->seasonal = true; break;
    case O_UNIT:
        if (strcmp(optarg, "household") == 0)
            ao->household = true;
        else if (strcmp(optarg, "case") != 0)
            return ks_cli_usage_error("analyze", "--unit takes case or household");
        break;
    case O_TOP:
        if (parse_u64(optarg, 1, 100000, &v))
            return ks_cli_usage_error("analyze", "--top takes a number from 1 to 100000");
        ao->top = (size_t)v;
        break;
    case O_TIMES: ao->times = optarg; break;
    default: break;
    }
    return KS_EXIT_OK;
}

int cmd_analyze(ks_cli_ctx *ctx, int argc, char **argv)
{
    ks_an_filter f = {0};
    ks_an_opts ao = {0};
    const char **refs = NULL;
    size_t nrefs = 0;
    ks_error err = {0};
    ks_an a = {0};
    int c, status = KS_EXIT_OK;
    while ((c = ks_cli_getopt(ctx, &spec, argc, argv)) >= 0) {
        if ((status = take_option(c, &f, &ao, &refs, &nrefs)) != KS_EXIT_OK)
            goto done;
    }
    if (c == KS_CLI_EXIT) {
        status = ctx->exit;
        goto done;
    }
    if (optind >= argc) {
        ks_buf names;
        ks_buf_init(&names);
        analysis_names(&names, " or ");
        status = ks_cli_usage_error("analyze", "need an analysis: %s", names.buf);
        ks_buf_release(&names);
        goto done;
    }
    ao.refs = refs;
    ao.n_refs = nrefs;
    /* the database, opened in --lang */
    if ((status = ks_cli_setup(ctx)) != KS_EXIT_OK)
        goto done;
    if (ks_an_init(&a, ctx->db, &ctx->out, &f, &ao, &err)) {
        status = err.code == KS_EUSAGE ? ks_cli_usage_error("analyze", "%s", err.msg) : ks_cli_fail(&err);
        goto done;
    }
    const char *what = argv[optind];
    int rc = run(&a, what, argc - optind - 1, argv + optind + 1, &err);
    if (rc == 0)
        rc = ks_an_publish(&a, &err);
    if (rc) {
        status = err.code == KS_EUSAGE ? ks_cli_usage_error("analyze", "%s", err.msg) : ks_cli_fail(&err);
        goto done;
    }
    if (ks_close_stdout(&err))
        status = ks_cli_fail(&err);
done:
    ks_an_release(&a);
    free(refs);
    return status;
}
