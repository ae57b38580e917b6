/* cmd_analyze.c: `kasane analyze crosstab | logit | trend | cooccur | survival | partners` */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "analyze.h"
#include "cli.h"
#include "db.h"
#include "output.h"
#include "query.h"

static const char help[] =
    "usage: kasane analyze crosstab ROW COL [options]\n"
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
    "FILE with .NAME before the extension (res.csv -> res.counts.csv, ...).\n\n"
    "Analyses:\n"
    "  crosstab ROW COL   counts, row/column %, expected counts, adjusted residuals\n"
    "                     (+/- beyond 1.96, ++/-- beyond Bonferroni), Pearson chi2, G2,\n"
    "                     Cramer's V; Fisher's exact test for 2x2; a Monte-Carlo exact\n"
    "                     p when expected counts are small (--simulate B, --seed S).\n"
    "                     Multi-response variables get counts only.\n"
    "  logit [OUTCOME] PREDICTOR...\n"
    "                     logistic regression (IRLS as R's glm): coefficients, SE, odds\n"
    "                     ratios with 95% CI, Wald z and p, deviance, AIC.  OUTCOME is\n"
    "                     good (default: 解決/改善 among closed cases with a known\n"
    "                     outcome), resolved, or worsened.  Categorical predictors become\n"
    "                     dummies against the largest level, or --ref VAR=LEVEL; also\n"
    "                     `problems` (a 0/1 term per problem).\n"
    "  trend SERIES       monthly counts per level of SERIES (all, problems, problem,\n"
    "                     district, intake_route, ...), Poisson regression on time,\n"
    "                     annual percent change with 95% CI; quasi-Poisson where the\n"
    "                     Pearson dispersion test rejects (p < 0.05); BH-adjusted q.\n"
    "  cooccur            problem pairs in the same case (or --unit household): observed,\n"
    "                     expected, lift, phi, Fisher p, BH q; significant pairs ranked.\n"
    "  survival GROUP     time from consultation to closure (closed or suspended = event,\n"
    "                     ongoing censored at the database's last date): Kaplan-Meier\n"
    "                     median with 95% CI per group, curve at --times, log-rank test.\n"
    "                     GROUP may be `all`.\n"
    "  partners PROBLEM   partners in cases with PROBLEM: share, good-outcome rate with a\n"
    "                     Wilson 95% CI, and the pairs that work together (count, lift).\n\n"
    "Selection (all optional, combined with AND):\n"
    "  --from DATE --to DATE    consult_date range, YYYY-MM-DD, inclusive\n"
    "  --fy YEAR                fiscal year (April to March)\n"
    "  --district NAME          code, Japanese or English label\n"
    "  --field FIELD            a problem in care|disability|child|poverty|other\n"
    "  --consent yes|no|all     default all (aggregates include every case)\n"
    "  --drop-unknown           also exclude recorded 不明 (sex, outcome)\n\n"
    "Analysis options:\n"
    "  --simulate B --seed S    crosstab: Monte-Carlo replicates (0 = off; default 2000\n"
    "                           when expected counts are small) and seed (default 1)\n"
    "  --ref VAR=LEVEL          logit: reference level (repeatable)\n"
    "  --solver auto|qr|sparse  logit: qr is R's glm.fit algorithm (dense QR); sparse\n"
    "                           uses sparse normal equations and hands over to qr\n"
    "                           on aliasing, separation or no convergence; auto\n"
    "                           (default) takes qr for small designs, else sparse\n"
    "  --seasonal               trend: month-of-year terms\n"
    "  --unit case|household    cooccur: pairs within a case (default) or a household\n"
    "  --top N                  cooccur/partners: rows in ranked lists (default 20)\n"
    "  --times LIST             survival: days at which to print the curve\n"
    "  --db FILE                the database (default $KASANE_DB)\n"
    "  -h, --help               this text\n";

enum {
    O_DB = 300,
    O_FROM,
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

static int run(ks_an *a, const char *what, int argc, char **argv, ks_error *err)
{
    int nargs = argc;
    if (strcmp(what, "crosstab") == 0) {
        if (nargs != 2)
            return ks_error_set(err, KS_EUSAGE, "crosstab takes ROW and COL");
        return ks_analyze_crosstab(a, argv[0], argv[1], err);
    }
    if (strcmp(what, "logit") == 0) {
        const char *outcome = "good";
        if (nargs > 0 && is_outcome_name(argv[0])) {
            outcome = argv[0];
            argv++;
            nargs--;
        }
        if (nargs < 1)
            return ks_error_set(err, KS_EUSAGE, "logit needs at least one predictor");
        return ks_analyze_logit(a, outcome, (const char *const *)argv, (size_t)nargs, err);
    }
    if (strcmp(what, "trend") == 0) {
        if (nargs != 1)
            return ks_error_set(err, KS_EUSAGE, "trend takes one SERIES (all, problems, district, ...)");
        return ks_analyze_trend(a, argv[0], err);
    }
    if (strcmp(what, "cooccur") == 0) {
        if (nargs != 0)
            return ks_error_set(err, KS_EUSAGE, "cooccur takes no arguments");
        return ks_analyze_cooccur(a, err);
    }
    if (strcmp(what, "survival") == 0) {
        if (nargs != 1)
            return ks_error_set(err, KS_EUSAGE, "survival takes one GROUP (or all)");
        return ks_analyze_survival(a, argv[0], err);
    }
    if (strcmp(what, "partners") == 0) {
        if (nargs != 1)
            return ks_error_set(err, KS_EUSAGE, "partners takes one PROBLEM code or label");
        return ks_analyze_partners(a, argv[0], err);
    }
    return ks_error_set(err, KS_EUSAGE,
                        "unknown analysis '%s' (crosstab, logit, trend, cooccur, survival, partners)", what);
}

int cmd_analyze(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, O_DB},
        {"from", required_argument, NULL, O_FROM},
        {"to", required_argument, NULL, O_TO},
        {"fy", required_argument, NULL, O_FY},
        {"district", required_argument, NULL, O_DISTRICT},
        {"field", required_argument, NULL, O_FIELD},
        {"consent", required_argument, NULL, O_CONSENT},
        {"drop-unknown", no_argument, NULL, O_DROP_UNKNOWN},
        {"simulate", required_argument, NULL, O_SIMULATE},
        {"seed", required_argument, NULL, O_SEED},
        {"ref", required_argument, NULL, O_REF},
        {"solver", required_argument, NULL, O_SOLVER},
        {"seasonal", no_argument, NULL, O_SEASONAL},
        {"unit", required_argument, NULL, O_UNIT},
        {"top", required_argument, NULL, O_TOP},
        {"times", required_argument, NULL, O_TIMES},
        {"help", no_argument, NULL, 'h'},
        KS_OUTPUT_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    ks_output out;
    ks_output_init(&out);
    ks_an_filter f = {0};
    ks_an_opts ao = {0};
    const char *db_opt = NULL;
    const char **refs = NULL;
    size_t nrefs = 0;
    ks_error err = {0};
    sqlite3 *db = NULL;
    ks_an a = {0};
    int c, status = KS_EXIT_OK;
    unsigned long long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int r = ks_output_option(&out, c, optarg, &err);
        if (r < 0) {
            status = ks_cli_usage_error("analyze", "%s", err.msg);
            goto done;
        }
        if (r)
            continue;
        switch (c) {
        case O_DB: db_opt = optarg; break;
        case O_FROM: f.from = optarg; break;
        case O_TO: f.to = optarg; break;
        case O_FY:
            if (parse_u64(optarg, 1900, 2200, &v)) {
                status = ks_cli_usage_error("analyze", "--fy takes a fiscal year such as 2025, not '%s'", optarg);
                goto done;
            }
            f.fy = (int)v;
            break;
        case O_DISTRICT: f.district = optarg; break;
        case O_FIELD: f.field = optarg; break;
        case O_CONSENT: f.consent = optarg; break;
        case O_DROP_UNKNOWN: ao.drop_unknown = true; break;
        case O_SIMULATE:
            if (parse_u64(optarg, 0, 10000000, &v)) {
                status = ks_cli_usage_error("analyze", "--simulate takes a number of tables from 0 to 10000000");
                goto done;
            }
            ao.simulate = v;
            ao.simulate_set = true;
            break;
        case O_SEED:
            if (parse_u64(optarg, 0, ULONG_MAX, &v)) {
                status = ks_cli_usage_error("analyze", "--seed takes a non-negative whole number");
                goto done;
            }
            ao.seed = (unsigned long)v;
            break;
        case O_REF:
            if (!strchr(optarg, '=')) {
                status = ks_cli_usage_error("analyze", "--ref takes VAR=LEVEL, e.g. age_band=65-69");
                goto done;
            }
            refs = ks_realloc(refs, ks_mul(nrefs + 1, sizeof *refs));
            refs[nrefs++] = optarg;
            break;
        case O_SOLVER:
            if (strcmp(optarg, "auto") == 0)
                ao.solver = KS_AN_SOLVER_AUTO;
            else if (strcmp(optarg, "qr") == 0)
                ao.solver = KS_AN_SOLVER_QR;
            else if (strcmp(optarg, "sparse") == 0)
                ao.solver = KS_AN_SOLVER_SPARSE;
            else {
                status = ks_cli_usage_error("analyze", "--solver takes auto, qr or sparse");
                goto done;
            }
            break;
        case O_SEASONAL: ao.seasonal = true; break;
        case O_UNIT:
            if (strcmp(optarg, "household") == 0)
                ao.household = true;
            else if (strcmp(optarg, "case") != 0) {
                status = ks_cli_usage_error("analyze", "--unit takes case or household");
                goto done;
            }
            break;
        case O_TOP:
            if (parse_u64(optarg, 1, 100000, &v)) {
                status = ks_cli_usage_error("analyze", "--top takes a number from 1 to 100000");
                goto done;
            }
            ao.top = (size_t)v;
            break;
        case O_TIMES: ao.times = optarg; break;
        case 'h':
            printf("%s\n%s\n%s\n%s", help, ks_an_var_help, ks_output_help, ks_cli_exit_help);
            goto done;
        default: status = ks_cli_usage_error("analyze", "unknown option"); goto done;
        }
    }
    if (optind >= argc) {
        status = ks_cli_usage_error("analyze", "need an analysis: crosstab, logit, trend, cooccur, survival or partners");
        goto done;
    }
    ao.refs = refs;
    ao.n_refs = nrefs;
    const char *db_path = ks_cli_db_path(db_opt);
    if (!db_path) {
        status = ks_cli_usage_error("analyze", "no database: give --db FILE or set KASANE_DB");
        goto done;
    }
    if (ks_analysis_open(db_path, out.lang, false, NULL, &db, &err) || ks_an_init(&a, db, &out, &f, &ao, &err)) {
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
    ks_db_close(db);
    free(refs);
    return status;
}
