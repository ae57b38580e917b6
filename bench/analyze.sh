#!/usr/bin/env bash
# bench/analyze.sh BUILD_DIR: how long `kasane analyze` takes, from the SQLite
# file to the printed result, next to R and Python doing the same analysis
# from the same file:
#
#   logit     15-predictor logistic regression of the good outcome over the
#             closed cases with a known outcome (age_band sex household_type
#             district intake_route n_partners multi_agency field_count and
#             seven problem:CODE dummies: 50 coefficients)
#   crosstab  district x main problem with Pearson chi-squared, G2 and
#             adjusted residuals (7 x 12: the generator's main problems), and
#             district x problems, the multi-response 7 x 22 count table
#   km        Kaplan-Meier by main problem (median with CI, curve at 30, 90,
#             180, 365 days) and the log-rank test
#
# against  R: RSQLite + glm / chisq.test / survfit + survdiff
#          Python: sqlite3 + pandas + statsmodels GLM / scipy chi2_contingency
#                  / statsmodels SurvfuncRight + survdiff
# on 1,000,000 synthetic cases (kasane-gen --rows 1000000 --seed 1, imported
# once into BUILD_DIR/bench-analyze/, not timed), alternating the three tools
# within each round, BENCH_ROUNDS rounds (3); prints every run, the medians
# and the ratios to kasane.  A reference that is not installed is skipped
# (Debian: r-base-core r-cran-rsqlite r-cran-survival; python3-statsmodels).
# Environment: BENCH_ROWS (1000000), BENCH_ROUNDS (3), BENCH_SEED (1),
# BENCH_PYTHON (python3 with statsmodels; /usr/bin/python3 is tried too).
set -euo pipefail

. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_setup "${1:?usage: bench/analyze.sh BUILD_DIR}" bench-analyze
rounds=${BENCH_ROUNDS:-3}

db=$dir/cases-$rows-s$seed.db
if [ ! -s "$db" ]; then
    csv=$dir/cases.csv
    echo "generating and importing $rows rows (seed $seed) into $db"
    "$gen" --rows "$rows" --seed "$seed" -o "$csv"
    "$kasane" keygen -o "$dir/bench.key" >/dev/null
    rm -f "$db.tmp" "$db.tmp-wal" "$db.tmp-shm"
    "$kasane" import -q --db "$db.tmp" --key "$dir/bench.key" "$csv" >/dev/null
    mv "$db.tmp" "$db"
    rm -f "$csv" "$dir/bench.key" "$db.tmp-wal" "$db.tmp-shm" "$db.tmp.rejects.csv"
fi

# ---- the references ------------------------------------------------------------
have_r=0
if command -v Rscript >/dev/null && Rscript -e 'suppressMessages({library(RSQLite); library(survival)})' >/dev/null 2>&1; then
    have_r=1
else
    echo "note: R with RSQLite and survival not found: R skipped"
fi
py=
for p in "${BENCH_PYTHON:-python3}" /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import statsmodels, pandas, scipy' >/dev/null 2>&1; then
        py=$p
        break
    fi
done
[ -n "$py" ] || echo "note: python3 with statsmodels, pandas and scipy not found: Python skipped"

cat >"$dir/bench.R" <<'EOF'
suppressPackageStartupMessages({ library(RSQLite); library(survival) })
args <- commandArgs(TRUE); task <- args[1]
con <- dbConnect(SQLite(), args[2], flags = SQLITE_RO)
bit <- function(m, i) bitwAnd(as.integer(m), as.integer(2^i)) != 0
if (task == "logit") {
  d <- dbGetQuery(con, "SELECT age_band_id, sex_id, household_type_id, district_id, intake_route_id,
    partner_count, support_mask, field_count, problem_mask, outcome_id FROM case_record
    WHERE status_id = 2 AND outcome_id IS NOT NULL AND outcome_id <> 7 AND age_band_id IS NOT NULL
      AND sex_id IS NOT NULL AND household_type_id IS NOT NULL AND intake_route_id IS NOT NULL")
  d$good <- as.numeric(d$outcome_id %in% c(1, 2))
  for (v in c("age_band_id", "sex_id", "household_type_id", "district_id", "intake_route_id"))
    d[[v]] <- factor(d[[v]])
  d$multi_agency <- as.numeric(d$partner_count >= 2 | bit(d$support_mask, 6))
  for (p in c(11, 1, 2, 7, 8, 3, 4)) d[[paste0("p", p)]] <- as.numeric(bit(d$problem_mask, p))
  fit <- glm(good ~ age_band_id + sex_id + household_type_id + district_id + intake_route_id +
               partner_count + multi_agency + field_count + p11 + p1 + p2 + p7 + p8 + p3 + p4,
             family = binomial, data = d)
  s <- summary(fit)
  print(cbind(s$coefficients, exp(confint.default(fit))))
  print(c(deviance = deviance(fit), null = fit$null.deviance, aic = AIC(fit), iter = fit$iter))
} else if (task == "crosstab") {
  d <- dbGetQuery(con, "SELECT district_id, main_problem_id FROM case_record")
  x <- table(d$district_id, d$main_problem_id)
  ct <- chisq.test(x, correct = FALSE)
  print(x); print(ct); print(round(ct$stdres, 2)); print(round(100 * prop.table(x, 1), 1))
  e <- ct$expected; o <- x[x > 0]; print(2 * sum(o * log(o / e[x > 0])))
  # schema 2 stores a case's problems as the bits of problem_mask (the
  # case_problem view expands them in SQL, slowly): expand them here, by column
  m <- dbGetQuery(con, "SELECT district_id, problem_mask FROM case_record")
  ids <- dbGetQuery(con, "SELECT problem_id FROM problem ORDER BY problem_id")$problem_id
  print(sapply(ids, function(i) tapply((m$problem_mask %/% 2^i) %% 2, m$district_id, sum)))
} else {
  d <- dbGetQuery(con, "SELECT status_id, julianday(consult_date) AS c, julianday(closed_date) AS e,
    main_problem_id AS g FROM case_record")
  last <- dbGetQuery(con, "SELECT max(max(julianday(consult_date)), max(julianday(closed_date))) FROM case_record")[[1]]
  d <- d[d$status_id == 1 | !is.na(d$e), ]
  d$time <- ifelse(d$status_id == 1, last - d$c, d$e - d$c)
  d$event <- as.numeric(d$status_id != 1)
  fit <- survfit(Surv(time, event) ~ g, data = d)
  print(fit); print(summary(fit, times = c(30, 90, 180, 365), extend = TRUE))
  print(survdiff(Surv(time, event) ~ g, data = d))
}
EOF

cat >"$dir/bench.py" <<'EOF'
import sqlite3, sys
import numpy as np, pandas as pd
import statsmodels.api as sm
from scipy.stats import chi2_contingency
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.duration.survfunc import survdiff
task, path = sys.argv[1], sys.argv[2]
con = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
if task == "logit":
    d = pd.read_sql_query("""SELECT age_band_id, sex_id, household_type_id, district_id, intake_route_id,
        partner_count, support_mask, field_count, problem_mask, outcome_id FROM case_record
        WHERE status_id = 2 AND outcome_id IS NOT NULL AND outcome_id <> 7 AND age_band_id IS NOT NULL
          AND sex_id IS NOT NULL AND household_type_id IS NOT NULL AND intake_route_id IS NOT NULL""", con)
    y = d.outcome_id.isin([1, 2]).astype(float)
    X = pd.get_dummies(d[["age_band_id", "sex_id", "household_type_id", "district_id", "intake_route_id"]]
                       .astype("category"), drop_first=True, dtype=float)
    X["partner_count"] = d.partner_count.astype(float)
    X["multi_agency"] = ((d.partner_count.values >= 2) | (((d.support_mask.values >> 6) & 1) == 1)).astype(float)
    X["field_count"] = d.field_count.astype(float)
    for p in (11, 1, 2, 7, 8, 3, 4):
        X["p%d" % p] = ((d.problem_mask.values >> p) & 1).astype(float)
    fit = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit()
    print(fit.summary()); print(np.exp(fit.conf_int()))
elif task == "crosstab":
    d = pd.read_sql_query("SELECT district_id, main_problem_id FROM case_record", con)
    x = pd.crosstab(d.district_id, d.main_problem_id)
    chi2, p, dof, e = chi2_contingency(x.values, correction=False)
    g2, gp, _, _ = chi2_contingency(x.values, correction=False, lambda_="log-likelihood")
    n = x.values.sum(); r = x.values.sum(1, keepdims=True) / n; c = x.values.sum(0, keepdims=True) / n
    res = (x.values - e) / np.sqrt(e * (1 - r) * (1 - c))
    print(x); print(chi2, p, dof, g2, gp); print(np.round(res, 2)); print((100 * x.div(x.sum(1), axis=0)).round(1))
    # problems are the bits of problem_mask (schema 2): expand them with numpy
    m = pd.read_sql_query("SELECT district_id, problem_mask FROM case_record", con)
    ids = pd.read_sql_query("SELECT problem_id FROM problem ORDER BY problem_id", con).problem_id
    bits = pd.DataFrame({i: (m.problem_mask.values >> i) & 1 for i in ids})
    print(bits.groupby(m.district_id.values).sum())
else:
    d = pd.read_sql_query("""SELECT status_id, julianday(consult_date) AS c, julianday(closed_date) AS e,
        main_problem_id AS g FROM case_record""", con)
    last = max(d.c.max(), d.e.max())
    d = d[(d.status_id == 1) | d.e.notna()]
    time = np.where(d.status_id == 1, last - d.c, d.e - d.c)
    event = (d.status_id != 1).astype(int).values
    for g in sorted(d.g.unique()):
        sel = (d.g == g).values
        sf = SurvfuncRight(time[sel], event[sel])
        lo, hi = sf.quantile_ci(0.5)
        idx = np.searchsorted(sf.surv_times, [30, 90, 180, 365], side="right") - 1
        print(g, sel.sum(), event[sel].sum(), sf.quantile(0.5), lo, hi,
              [sf.surv_prob[i] if i >= 0 else 1.0 for i in idx])
    print(survdiff(time, event, d.g.values))
EOF

logit_args="age_band sex household_type district intake_route n_partners multi_agency field_count problem:hikikomori problem:care problem:dementia problem:poverty problem:debt problem:disability problem:mental_health"
kasane_task()
{
    case $1 in
    logit) "$kasane" analyze logit good $logit_args --db "$db" ;;
    crosstab) "$kasane" analyze crosstab district problem --db "$db" &&
              "$kasane" analyze crosstab district problems --db "$db" ;;
    km) "$kasane" analyze survival problem --db "$db" ;;
    esac
}
r_task() { Rscript "$dir/bench.R" "$1" "$db"; }
py_task() { "$py" "$dir/bench.py" "$1" "$db"; }

elapsed=
timed()
{
    local t0 t1 rc=0
    t0=$(date +%s%N)
    "$@" >"$dir/last.out" 2>"$dir/last.err" || rc=$?
    t1=$(date +%s%N)
    elapsed=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    if [ $rc -ne 0 ]; then
        cat "$dir/last.err" >&2
        die "'$*' failed"
    fi
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "database: $db ($rows cases, $(sqlite3 "$db" 'SELECT count(*) FROM case_record WHERE status_id = 2') closed)"
echo "kasane: $("$kasane" --version)   R: $( [ $have_r = 1 ] && Rscript -e 'cat(R.version.string)' 2>/dev/null || echo skipped)   python: $( [ -n "$py" ] && "$py" -c 'import sys, statsmodels; print(sys.version.split()[0], "statsmodels", statsmodels.__version__)' || echo skipped)   cpus: $(nproc)"
echo

declare -A times
for round in $(seq 1 "$rounds"); do
    for task in logit crosstab km; do
        timed kasane_task $task
        times[kasane_$task]+=" $elapsed"
        line="round $round  $task  kasane $elapsed s"
        if [ $have_r = 1 ]; then
            timed r_task $task
            times[r_$task]+=" $elapsed"
            line+="  R $elapsed s"
        fi
        if [ -n "$py" ]; then
            timed py_task $task
            times[py_$task]+=" $elapsed"
            line+="  python $elapsed s"
        fi
        echo "$line"
    done
done

echo
printf '%-9s %10s %10s %10s %8s %8s\n' task kasane R python R/kas py/kas
for task in logit crosstab km; do
    # shellcheck disable=SC2086
    k=$(median ${times[kasane_$task]})
    r=-; p=-; rr=-; pr=-
    # shellcheck disable=SC2086
    [ $have_r = 1 ] && r=$(median ${times[r_$task]}) && rr=$(awk -v a="$r" -v b="$k" 'BEGIN { printf "%.1f", a / b }')
    # shellcheck disable=SC2086
    [ -n "$py" ] && p=$(median ${times[py_$task]}) && pr=$(awk -v a="$p" -v b="$k" 'BEGIN { printf "%.1f", a / b }')
    printf '%-9s %10s %10s %10s %8s %8s\n' "$task" "$k" "$r" "$p" "$rr" "$pr"
done
echo "(medians of $rounds rounds, seconds of wall time from the database file to the printed result)"
