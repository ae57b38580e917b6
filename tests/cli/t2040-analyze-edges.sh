#!/usr/bin/env bash
# t2040-analyze-edges: what `kasane analyze` does at the edges -- an empty
# selection, a single category, every outcome the same, a single event, zero
# cells, fewer than k cases, bad options -- always a clear message and a
# documented exit status, never NaN printed as a number, never a crash
# (expect_exit fails on any signal); and disclosure control: no count from 1
# to k-1 is printed, and the cells table hides what the counts table hides.
. "$(dirname "$0")/lib.sh"

keygen key
DB=$T/demo.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key "$KASANE_SOURCE_DIR/datasets/demo/cases.csv"
A() { "$KASANE" analyze "$@"; }

# no_nan FILE: no NaN/nan/-nan anywhere (json must stay json; Inf is R's word
# for the top of an interval and allowed in text modes only)
no_nan()
{
    if grep -a -E -q '(^|[^A-Za-z])(-?nan|NaN)([^A-Za-z]|$)' "$1"; then
        fail "NaN printed in $1"
    fi
}

# ---- every analysis, every output mode: no NaN, no crash ------------------------
runs=(
    "crosstab district problem"
    "crosstab consent problem:dv --fy 2020"
    "crosstab age_band problems"
    "crosstab sex district --from 2020-04-03 --to 2020-04-05"
    "logit good age_band sex multi_agency n_problems problems"
    "trend problems --seasonal"
    "trend fiscal_year"
    "cooccur --unit household"
    "survival intake_route"
    "survival problem:dv --fy 2025"
    "partners dv"
)
for r in "${runs[@]}"; do
    for mode in table json csv markdown; do
        # shellcheck disable=SC2086
        expect_exit 0 A $r --db "$DB" --format $mode
        no_nan "$LAST_OUT"
    done
done
# json output is a stream of valid documents: every row line is an array
expect_exit 0 A logit good age_band sex --db "$DB" --format json
if grep -a -v -E '^(\{"columns":|\[|\],"meta":)' "$LAST_OUT" | grep -q .; then
    fail "unexpected line in json output"
fi

# ---- empty selection: exit 1 and a message naming the selection -------------------
for r in "crosstab sex district" "logit good sex" "trend all" "cooccur" "survival sex" "partners care"; do
    # shellcheck disable=SC2086
    expect_exit 1 A $r --fy 2001 --db "$DB"
    assert_file_contains "$LAST_ERR" "kasane: error: no " "empty selection message ($r)"
    [ ! -s "$LAST_OUT" ] || fail "output printed for an empty selection ($r)"
done

# ---- a single category: counts and cells, no test, a note why ----------------------
# (a --district selection goes through the cell key method, which lists every
# district, the others with 0 cases: the note names the empty rows instead)
expect_exit 0 A crosstab district sex --district 東部 --db "$DB" --lang en
assert_file_contains "$LAST_OUT" "fewer than 2 non-empty rows or columns: no test of independence" "single level note"
assert_file_lacks "$LAST_OUT" "[tests]" "tests table for a single level"

# ---- zero cells in a 2 x 2: Fisher's interval runs to Inf, json says null ----------
# (unfiltered: a filtered selection goes through the cell key method, whose
# noise, drawn from keys random at each import, would make the zero come and go;
# dv x abuse has a true zero in the whole demo database)
expect_exit 0 A crosstab problem:dv problem:abuse --db "$DB" --format json
no_nan "$LAST_OUT"
assert_file_contains "$LAST_OUT" '["fisher_exact",' "Fisher test on a 2 x 2 with small cells"

# ---- fewer than k cases: every analysis refuses (exit 3), prints nothing ------------
# 井の頭 in 2021-02 has 2 cases in the demo data (the days inside the month
# do not matter: --from/--to are rounded out to whole months)
small="--district Inokashira --from 2021-02-10 --to 2021-02-11"
for r in "crosstab sex consent" "crosstab age_band problems" "logit good sex" "trend all" "survival sex" \
    "cooccur" "partners dv"; do
    # shellcheck disable=SC2086
    expect_exit 3 A $r $small --db "$DB" --lang en
    assert_file_contains "$LAST_ERR" "fewer than k=5 cases (<5)" "refusal below k ($r)"
    assert_file_lacks "$LAST_ERR" "2 cases" "the count in the refusal ($r)"
    [ ! -s "$LAST_OUT" ] || fail "output printed for a selection below k ($r)"
done
# the same rule for the cases an analysis keeps: 5 cases in 井の頭 2021-05,
# only 4 with an outcome recorded
expect_exit 3 A crosstab sex outcome --district Inokashira --from 2021-05-01 --to 2021-05-31 --db "$DB" --lang en
assert_file_contains "$LAST_ERR" "the part of the selection this analysis uses has fewer than k=5" \
    "refusal of a subset below k"
[ ! -s "$LAST_OUT" ] || fail "output printed for a subset below k"
expect_exit 0 A crosstab sex consent --district Inokashira --from 2021-05-01 --to 2021-05-31 --db "$DB" --lang en
# --from/--to are whole months, and the footer says so
assert_file_contains "$LAST_OUT" "consulted 2021-05-01 to 2021-05-31 (rounded to whole months)" "month note"
expect_exit 0 A crosstab sex consent --district Inokashira --from 2021-05-17 --db "$DB"
assert_file_contains "$LAST_OUT" "相談日 2021-05-01 以降（月単位に丸めました）" "month note (ja, from only)"
expect_exit 0 A crosstab sex consent --to 2024-02-03 --db "$DB" --lang en
assert_file_contains "$LAST_OUT" "consulted up to 2024-02-29 (rounded to whole months)" "to: the last day of February"

# ---- crafted data: every outcome the same; a single event -----------------------------
gen --rows 400 --seed 40 -o base.csv
# plain rows only (no quoted notes), so awk -F, sees the 23 columns
awk -F, 'NR == 1 || (index($0, "\"") == 0 && NF == 23)' base.csv >plain.csv
# every case closed as 改善 on the day it came (相談日 12, 終結日 13, 状況 21, 結果 22)
awk -F, -v OFS=, 'NR > 1 { $13 = $12; $21 = "終結"; $22 = "改善" } 1' plain.csv >same.csv
expect_exit 0 "$KASANE" import -q --db same.db --key key same.csv
expect_exit 1 A logit good sex n_problems --db same.db
assert_file_contains "$LAST_ERR" "every case modelled has the same outcome" "constant outcome"
# all ongoing but one
awk -F, -v OFS=, 'NR > 2 { $13 = ""; $21 = "継続"; $22 = "" } NR == 2 { $13 = $12; $21 = "終結"; $22 = "改善" } 1' \
    plain.csv >one.csv
expect_exit 0 "$KASANE" import -q --db one.db --key key one.csv
expect_exit 0 A survival all --db one.db --format json --lang en
no_nan "$LAST_OUT"
assert_file_contains "$LAST_OUT" 'median: first day the curve reaches 0.5 (empty = not reached)' "median note"
# the one event is hidden, and so is every later point of the curve: S(t) =
# 1 - 1/n after it would say there was exactly one
expect_exit 0 A survival all --db one.db --format tsv --out one.tsv
awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             { n++; if ($h["surv"] != "x") bad = 1 } END { exit bad || n != 4 }' one.curve.tsv ||
    fail "a curve point printed after a single event"
awk -F '\t' 'NR == 2 && $3 != "x" { bad = 1 } END { exit bad }' one.summary.tsv || fail "one event printed"
expect_exit 0 A survival sex --db one.db --lang en
no_nan "$LAST_OUT"
expect_exit 3 A logit good sex --db one.db
assert_file_contains "$LAST_ERR" "fewer than k=5 cases in all" "logit on one closed case"

# ---- usage errors: exit 2 ----------------------------------------------------------------
usage=(
    "crosstab sex" "crosstab sex nothing" "crosstab sex problem:nothing" "logit" "logit good colour"
    "trend" "survival problems" "partners" "partners nothing" "frobnicate"
    "crosstab sex district --from 2025-02-30" "crosstab sex district --fy 12"
    "crosstab sex district --district Atlantis" "crosstab sex district --consent maybe"
    "logit good sex --ref sex=Z" "logit good sex --ref age_band=65-69" "survival sex --times 90,30"
    "cooccur --unit street" "crosstab sex district --simulate many"
)
for r in "${usage[@]}"; do
    # shellcheck disable=SC2086
    expect_exit 2 A $r --db "$DB"
    assert_file_contains "$LAST_ERR" "kasane analyze" "usage message ($r)"
done
expect_exit 2 A crosstab sex district
assert_file_contains "$LAST_ERR" "no database" "no database"
expect_exit 0 A --help
assert_file_contains "$LAST_OUT" "problem:CODE" "help lists the variables"

# ---- disclosure: counts and the cells that derive from them ---------------------------
# Suppression is what the whole database gets (the default policy); a
# selection built from options goes through the cell key method instead
# (t2050).  So the suppression checks run unfiltered on a small database,
# where the rows of one year of the demo data used to be selected by --fy.
gen --rows 600 --seed 41 -o small.csv
expect_exit 0 "$KASANE" import -q --db small.db --key key small.csv
expect_exit 0 A crosstab district problem --db small.db --format tsv --out xt.tsv
for f in xt.counts.tsv xt.cells.tsv xt.tests.tsv; do
    [ -f "$f" ] || fail "--out did not write $f"
    assert_eq "$(mode "$f")" 600 "mode of $f"
done
# no count from 1 to 4 in the counts table (every column but the label)
awk -F '\t' 'NR > 1 { for (i = 2; i <= NF; i++) if ($i ~ /^[1-4]$/) bad = 1 } END { exit bad }' xt.counts.tsv ||
    fail "a count below k printed"
hidden=$(awk -F '\t' 'NR > 1 { for (i = 2; i <= NF; i++) if ($i == "x") n++ } END { print n + 0 }' xt.counts.tsv)
[ "$hidden" -gt 0 ] || fail "expected hidden cells in district x problem for one year"
# a cell hidden in counts is hidden in cells (row label + column code join the two)
awk -F '\t' '
    FNR == 1 { file++ }
    file == 1 && FNR == 1 { for (i = 2; i <= NF; i++) code[i] = $i; next }
    file == 1 { for (i = 2; i <= NF; i++) if ($i == "x") hid[$1 "|" code[i]] = 1; next }
    file == 2 && FNR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
    file == 2 && (($h["row"] "|" $h["col_code"]) in hid) {
        checked++
        if ($h["row_pct"] != "x" || $h["col_pct"] != "x" || $h["adj_resid"] != "x" || $h["mark"] != "x") bad++
    }
    END { print checked + 0; exit bad > 0 }' xt.counts.tsv xt.cells.tsv >checked.txt ||
    fail "a cell hidden in the counts table shows a share or residual in the cells table"
assert_eq "$(cat checked.txt)" "$hidden" "hidden cells matched in the cells table"
# a model level with fewer than k cases is pooled, its cases stay (dropping
# them let two models' n tell how many they were): 100+ has fewer than 5
# closed cases, alone among the bands, so it is counted in the largest band;
# blank sex is a level of its own
expect_exit 0 A logit good age_band sex --db "$DB" --format tsv --comments --lang en --out lg.tsv
assert_file_lacks lg.coefficients.tsv "age_band=100+" "the 100+ band (fewer than 5 closed cases) in the model"
assert_file_contains lg.coefficients.tsv "age_band: 100+ (fewer than k together) counted in" "the note on the merged band"
assert_file_contains lg.coefficients.tsv "sex=_missing" "blank sex as a level"
expect_exit 0 A logit good n_partners --db "$DB" --format tsv --lang en --out lg0.tsv
assert_eq "$(awk -F '\t' 'NR == 2 { print $1 }' lg.fit.tsv)" "$(awk -F '\t' 'NR == 2 { print $1 }' lg0.fit.tsv)" \
    "the same n with and without the categorical predictors"
awk -F '\t' '/^#/ { next } NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["n"] != "" && $h["n"] + 0 < 5 { bad = 1 } END { exit bad }' lg.coefficients.tsv ||
    fail "a model level with fewer than k cases"
expect_exit 0 A survival intake_route --db small.db --format tsv --out sv.tsv
awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             ($h["n_risk"] ~ /^(<5|x)$/ || $h["n_event"] ~ /^(<5|x)$/) && $h["surv"] != "x" { bad = 1 }
             $h["n_risk"] ~ /^[1-4]$/ || $h["n_event"] ~ /^[1-4]$/ { bad = 1 }
             END { exit bad }' sv.curve.tsv || fail "a curve point resting on fewer than k cases printed"
# a series count hidden in the monthly table's total row is hidden in the
# trend table, and the other way round (else subtraction gives it back)
expect_exit 0 A trend problem --db small.db --format tsv --out tr.tsv --lang en
awk -F '\t' 'NR == 1 { for (i = 2; i <= NF; i++) code[i] = $i; next }
             $1 == "Total" { for (i = 2; i <= NF; i++) if (code[i] != "total") print code[i], ($i == "x") }' \
    tr.monthly.tsv | sort >hid_monthly.txt
awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["code"] != "(all)" { print $h["code"], ($h["n"] == "x" || $h["n"] == "<5") }' tr.trend.tsv |
    sort >hid_trend.txt
assert_same_file hid_monthly.txt hid_trend.txt "hidden series counts in the monthly and trend tables"
grep -q ' 1$' hid_trend.txt || fail "expected some hidden series in a small selection"
awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             $h["n"] == "x" && $h["apc"] != "x" { bad = 1 } END { exit bad }' tr.trend.tsv ||
    fail "a trend printed for a series whose count is hidden"
# notes never give a count below k either, suppressed or perturbed
for sel in "--db small.db" "--fy 2020 --district Osawa --db $DB"; do
    # shellcheck disable=SC2086
    expect_exit 0 A crosstab sex household_type $sel --lang en
    if grep -a -E -q '^-- n = .*[^0-9,<][1-4] (with|cases)' "$LAST_OUT"; then
        fail "a count below k in the footer ($sel)"
    fi
done
# a filtered crosstab (cell key method): no count from 1 to 4, nothing hidden
expect_exit 0 A crosstab district problem --fy 2021 --db "$DB" --format tsv --out xtc.tsv
awk -F '\t' 'NR > 1 { for (i = 2; i <= NF; i++) if ($i ~ /^([1-4]|x)$/) bad = 1 } END { exit bad }' xtc.counts.tsv ||
    fail "a count below k, or a hidden one, under the cell key method"
pass
