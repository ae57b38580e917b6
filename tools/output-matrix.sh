#!/usr/bin/env bash
# tools/output-matrix.sh: every output of every command over a matrix of
# options, for showing that a refactoring changed no byte of what kasane
# prints.
#
#   tools/output-matrix.sh prepare BUILD DIR   two databases in DIR (the demo
#                                              data, and 20,000 generated cases)
#   tools/output-matrix.sh run KASANE DIR OUT  every output into OUT/, one file
#                                              per command (stdout, stderr and
#                                              exit status)
#   diff -r OUT1 OUT2                          then compare two runs
#
# Prepare once, then run the old and the new binary on the same databases:
# the footers carry the databases' last import time, so two runs on two
# preparations differ.  The matrix: every library query in every format;
# every analysis with selections and formats; the report over periods,
# comparisons, districts, languages and formats; error paths and refusals
# (bad options, unknown names, selections under k, ad-hoc values); both
# databases.
set -euo pipefail

mode=${1:?usage: output-matrix.sh prepare BUILD DIR | run KASANE DIR OUT}
case $mode in
prepare)
    build=${2:?BUILD}
    dir=${3:?DIR}
    mkdir -p "$dir"
    rm -f "$dir"/*.db "$dir"/key
    "$build/kasane" keygen -o "$dir/key" >/dev/null
    here=$(cd "$(dirname "$0")/.." && pwd)
    "$build/kasane" import -q --db "$dir/demo.db" --key "$dir/key" "$here/datasets/demo/cases.csv" >/dev/null
    "$build/kasane-gen" --rows 20000 --seed 4242 -o "$dir/gen.csv"
    "$build/kasane" import -q --db "$dir/gen.db" --key "$dir/key" "$dir/gen.csv" >/dev/null || true
    echo "prepared $dir/demo.db and $dir/gen.db"
    ;;
run)
    kasane=${2:?KASANE}
    dir=${3:?DIR}
    out=${4:?OUT}
    rm -rf "$out"
    mkdir -p "$out"
    n=0
    # one NAME ARGS...: runs kasane ARGS, keeps stdout, stderr and status
    one()
    {
        local name=$1
        shift
        local rc=0
        "$kasane" "$@" >"$out/$name.out" 2>"$out/$name.err" || rc=$?
        echo "$rc" >"$out/$name.rc"
        n=$((n + 1))
    }
    for db in demo gen; do
        D=$dir/$db.db
        for q in $("$kasane" query list | awk 'NR > 0 && $1 ~ /^[a-z_]+$/ { print $1 }'); do
            for f in table csv tsv json markdown; do
                one "$db.query.$q.$f" query run "$q" --db "$D" --format "$f"
            done
            one "$db.query.$q.en" query run "$q" --db "$D" --lang en
        done
        one "$db.sql.adhoc" query sql "SELECT case_id, district_id, sex_id FROM case_record" --db "$D" --format csv
        one "$db.sql.rowlevel" query sql --row-level "SELECT age_band_id, district_id FROM case_record LIMIT 50" --db "$D"
        for sel in "" "--fy 2024" "--district 東部" "--field care" "--consent yes"; do
            s=${sel// /_}
            s=${s:-all}
            one "$db.an.crosstab.$s" analyze crosstab district sex $sel --db "$D"
            one "$db.an.crosstab2.$s" analyze crosstab main_problem household_type $sel --db "$D" --format json
            one "$db.an.logit.$s" analyze logit district sex age_band $sel --db "$D"
            one "$db.an.logitp.$s" analyze logit good problems $sel --db "$D" --format csv
            one "$db.an.trend.$s" analyze trend problems $sel --db "$D"
            one "$db.an.trend2.$s" analyze trend district --seasonal $sel --db "$D" --format json
            one "$db.an.cooccur.$s" analyze cooccur $sel --db "$D"
            one "$db.an.cooccurh.$s" analyze cooccur --unit household $sel --db "$D" --format csv
            one "$db.an.survival.$s" analyze survival main_problem $sel --db "$D"
            one "$db.an.survivala.$s" analyze survival all $sel --db "$D" --format json
            one "$db.an.partners.$s" analyze partners 8050 $sel --db "$D"
        done
        for period in FY2024 FY2025 2025 2025Q3 FY2025Q1 2025-10 2024-04..2025-09; do
            for cmp in last-year previous; do
                for dist in "" 東部; do
                    for lang in ja en; do
                        for f in html md txt; do
                            p=${period//./_}
                            one "$db.report.$p.$cmp.${dist:-all}.$lang.$f" report --period "$period" \
                                --compare "$cmp" ${dist:+--district "$dist"} --lang "$lang" --format "$f" --db "$D"
                        done
                    done
                done
            done
        done
        # error paths and refusals: bad options and values, unknown names,
        # selections of fewer than k cases, ad-hoc SQL that is not a count
        one "$db.err.an-unknown-var" analyze crosstab nosuch sex --db "$D"
        one "$db.err.an-arity" analyze crosstab district --db "$D"
        one "$db.err.an-from" analyze crosstab district sex --from 2025-13-01 --db "$D"
        one "$db.err.an-order" analyze crosstab district sex --from 2025-05-01 --to 2025-01-01 --db "$D"
        one "$db.err.an-fy" analyze crosstab district sex --fy 1800 --db "$D"
        one "$db.err.an-consent" analyze crosstab district sex --consent maybe --db "$D"
        one "$db.err.an-district" analyze crosstab district sex --district nowhere --db "$D"
        one "$db.err.an-small" analyze crosstab district sex --from 2025-04-01 --to 2025-04-30 --district 大沢 --field other --db "$D"
        one "$db.err.trend-short" analyze trend all --fy 2025 --db "$D"
        one "$db.err.logit-ref" analyze logit district sex --ref sex=nosuch --db "$D"
        one "$db.err.survival-times" analyze survival all --times abc --db "$D"
        one "$db.err.cooccur-unit" analyze cooccur --unit street --db "$D"
        one "$db.err.partners-problem" analyze partners nosuch --db "$D"
        one "$db.err.query-unknown" query run nosuch --db "$D"
        one "$db.err.query-param" query run cases_by_district_fy --param nosuch=1 --db "$D"
        one "$db.err.sql-value" query sql "SELECT case_id, consult_date FROM case_record" --db "$D"
        one "$db.err.sql-write" query sql "DELETE FROM case_record" --db "$D"
        one "$db.err.report-period" report --period FY20x5 --format txt --db "$D"
        one "$db.err.report-district" report --period FY2025 --district nowhere --format txt --db "$D"
        one "$db.err.report-empty" report --period FY2010 --format txt --db "$D"
    done
    echo "$n outputs in $out"
    ;;
*)
    echo "usage: output-matrix.sh prepare BUILD DIR | run KASANE DIR OUT" >&2
    exit 2
    ;;
esac
