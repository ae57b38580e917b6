#!/usr/bin/env bash
# a2090-small-selection: an analysis of fewer than k cases.  Every count in
# it is hidden, but its zeros are shown, so the table still says where the
# few cases are: which sex x consent cells hold one, in which months a
# series has one (trend prints the months from the selection's first case to
# its last).  The attack picks selections of 1..k-1 cases (a district in one
# month; a district, fiscal year and no consent), runs every analysis on
# them, and reads the non-zero cells; it also picks selections of k or more
# cases of which fewer than k have an outcome, for crosstab sex x outcome.
# The truth comes from the database file itself (sqlite3).  kasane must exit
# 3 and print nothing (no file with --out) for every analysis; kasane-weak
# with small-selection off prints the tables, and the attack recovers the
# cells and months of the few cases.
# Issue 12: these selections, built from options, now go through the cell
# key method, whose noise would blur the positive control (a small cell
# published as 0); kasane still refuses them all, and the positive control
# turns analyze-cellkey off as well, to show what the refusal prevents.
. "$(dirname "$0")/lib.sh"

attack_db 3000 2090

# month selections: "DISTRICT|YYYY-MM" with 1..4 cases
sql_ro db "SELECT d.code || '|' || substr(consult_date, 1, 7) FROM case_record c JOIN district d USING (district_id)
           GROUP BY d.code, substr(consult_date, 1, 7) HAVING count(*) BETWEEN 1 AND 4
           ORDER BY count(*), 1 LIMIT 12" >months.txt
# year selections without consent, spanning 6 months or more (what trend needs)
sql_ro db "SELECT d.code || '|' || fiscal_year FROM case_record c JOIN district d USING (district_id)
           WHERE consent_id = 2 GROUP BY d.code, fiscal_year HAVING count(*) BETWEEN 1 AND 4
             AND (CAST(substr(max(consult_date), 1, 4) AS INT) * 12 + CAST(substr(max(consult_date), 6, 2) AS INT))
               - (CAST(substr(min(consult_date), 1, 4) AS INT) * 12 + CAST(substr(min(consult_date), 6, 2) AS INT)) >= 5
           ORDER BY 1" >years.txt
# month selections of 5+ cases of which 1..4 have an outcome
sql_ro db "SELECT d.code || '|' || substr(consult_date, 1, 7) FROM case_record c JOIN district d USING (district_id)
           GROUP BY d.code, substr(consult_date, 1, 7) HAVING count(*) >= 5 AND count(outcome_id) BETWEEN 1 AND 4
           ORDER BY 1 LIMIT 6" >subsets.txt
[ "$(wc -l <months.txt)" -ge 8 ] || fail "too few small month selections in the generated data"
[ "$(wc -l <years.txt)" -ge 2 ] || fail "too few small year selections in the generated data"
[ "$(wc -l <subsets.txt)" -ge 3 ] || fail "too few small outcome subsets in the generated data"

# month_args DISTRICT YYYY-MM: the selection's options, in the array sel
month_args()
{
    sel=(--district "$1" --from "$2-01" --to "$(date -u -d "$2-01 +1 month -1 day" +%F)")
}

# cells_of FILE: the non-zero cells of a crosstab counts CSV (without the
# totals), "ROW|COLUMN" per line: where the few cases are
cells_of()
{
    tr -d '\r' <"$1" | awk -F, 'NR == 1 { for (i = 2; i <= NF; i++) h[i] = $i; next }
        $1 != "Total" { for (i = 2; i < NF; i++) if ($i != "0") print $1 "|" h[i] }' | sort
}

# months_of FILE: the months with a case in a trend monthly CSV
months_of()
{
    tr -d '\r' <"$1" | awk -F, 'NR > 1 && $1 != "Total" && $2 != "0" { print $1 }' | sort
}

# refused ARGS...: kasane refuses the analysis and writes nothing
refused()
{
    rm -rf out && mkdir out
    expect_exit 3 "$KASANE" analyze "$@" --db db --lang en --format csv --out out/r.csv
    assert_file_contains "$LAST_ERR" "fewer than k=5 cases (<5)" "refusal ($*)"
    [ ! -s "$LAST_OUT" ] || fail "kasane printed something for fewer than k cases: $*"
    [ -z "$(ls out)" ] || fail "kasane wrote a file for fewer than k cases: $*"
}

analyses=("crosstab sex consent" "crosstab age_band problems" "logit good sex" "trend all" "survival sex"
    "cooccur" "partners hikikomori")
runs=0
recovered_kasane=0
recovered_weak=0
while IFS='|' read -r district month; do
    month_args "$district" "$month"
    for a in "${analyses[@]}"; do
        # shellcheck disable=SC2086
        refused $a "${sel[@]}"
        runs=$((runs + 1))
    done
    # the truth: where the cases are (rows with a sex recorded, as crosstab counts them)
    sql_ro db "SELECT DISTINCT s.label_en || '|' || co.code FROM case_record c JOIN district d USING (district_id)
               JOIN sex s USING (sex_id) JOIN consent co USING (consent_id)
               WHERE d.code = '$district' AND substr(consult_date, 1, 7) = '$month'" | sort >truth.txt
    [ -s truth.txt ] || continue
    rm -rf out && mkdir out
    expect_exit 0 weak small-selection,analyze-cellkey analyze crosstab sex consent "${sel[@]}" --db db --lang en --format csv --out out/w.csv
    cells_of out/w.counts.csv >got.txt
    assert_same_file got.txt truth.txt "kasane-weak's non-zero cells are those of the few cases ($district $month)"
    recovered_weak=$((recovered_weak + $(wc -l <truth.txt)))
done <months.txt

while IFS='|' read -r district fy; do
    for a in "${analyses[@]}"; do
        # shellcheck disable=SC2086
        refused $a --district "$district" --fy "$fy" --consent no
        runs=$((runs + 1))
    done
    sql_ro db "SELECT DISTINCT substr(consult_date, 1, 7) FROM case_record c JOIN district d USING (district_id)
               WHERE d.code = '$district' AND fiscal_year = $fy AND consent_id = 2" | sort >truth.txt
    rm -rf out && mkdir out
    expect_exit 0 weak small-selection,analyze-cellkey analyze trend all --district "$district" --fy "$fy" --consent no --db db \
        --lang en --format csv --out out/w.csv
    months_of out/w.monthly.csv >got.txt
    assert_same_file got.txt truth.txt "kasane-weak's months are those of the few cases ($district $fy)"
    recovered_weak=$((recovered_weak + $(wc -l <truth.txt)))
done <years.txt

# the analysed part of a selection: closed cases with an outcome
while IFS='|' read -r district month; do
    month_args "$district" "$month"
    refused crosstab sex outcome "${sel[@]}"
    runs=$((runs + 1))
    sql_ro db "SELECT DISTINCT s.label_en || '|' || o.code FROM case_record c JOIN district d USING (district_id)
               JOIN sex s USING (sex_id) JOIN outcome o USING (outcome_id)
               WHERE d.code = '$district' AND substr(consult_date, 1, 7) = '$month'" | sort >truth.txt
    [ -s truth.txt ] || continue
    rm -rf out && mkdir out
    expect_exit 0 weak small-selection,analyze-cellkey analyze crosstab sex outcome "${sel[@]}" --db db --lang en --format csv --out out/w.csv
    cells_of out/w.counts.csv >got.txt
    assert_same_file got.txt truth.txt "kasane-weak's non-zero cells are those of the few closed cases ($district $month)"
    recovered_weak=$((recovered_weak + $(wc -l <truth.txt)))
done <subsets.txt

note "$runs analyses of fewer than k cases: kasane refused them all ($recovered_kasane cells or months recovered);" \
    "kasane-weak (small-selection off) gave away $recovered_weak cells and months of the few cases"
[ "$recovered_weak" -ge 15 ] || fail "the positive control recovered only $recovered_weak cells and months"
pass
