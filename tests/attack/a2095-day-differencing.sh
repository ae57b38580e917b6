#!/usr/bin/env bash
# a2095-day-differencing: two selections that differ by one day.  A table for
# consultations from day D on, minus the same table from D+1 on, is the
# cases of day D -- usually one or two cases, each cell of the difference a
# count below k although every published cell is large.  The attack runs
# crosstab, survival and partners with --from D and --from D+1 (D in the
# middle of a month, with a case on it) and subtracts every count published
# in both.  kasane rounds --from/--to out to whole months, so the two outputs
# must be byte-identical and nothing is recovered; kasane-weak with
# day-selection off uses the days, and the difference of its crosstab gives
# exactly the district and sex of the day's cases wherever the cell is
# published on both days (checked against the database file with sqlite3).
# Issue 12: a --from selection now goes through the cell key method too;
# kasane's two runs select the same cases and so get the same noise (the
# outputs stay byte-identical).  The positive control turns analyze-cellkey
# off as well as day-selection, so that its differences are the day's cases.
. "$(dirname "$0")/lib.sh"

attack_db 3000 2095

# days in the middle of a month with one or two cases
sql_ro db "SELECT consult_date FROM case_record WHERE CAST(substr(consult_date, 9, 2) AS INT) BETWEEN 5 AND 25
           GROUP BY consult_date HAVING count(*) BETWEEN 1 AND 2 ORDER BY consult_date LIMIT 8 OFFSET 20" >days.txt
[ "$(wc -l <days.txt)" -ge 6 ] || fail "too few days with one or two cases"

# diffs A B: for each table written by both runs (A.NAME.csv, B.NAME.csv),
# "NAME|row label|column|difference" for every count cell published in both
# whose value differs (rows joined by their first field, the row's label, and
# its occurrence: a curve has several rows per group)
diffs()
{
    local a=$1 b=$2 f name
    for f in "$a".*.csv; do
        name=${f#"$a".}
        name=${name%.csv}
        [ -f "$b.$name.csv" ] || continue
        tr -d '\r' <"$f" >x.a
        tr -d '\r' <"$b.$name.csv" >x.b
        awk -F, -v t="$name" 'FNR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
            NR == FNR { r = $1 "#" ra[$1]++; for (i = 2; i <= NF; i++) v[r "|" i] = $i; next }
            { r = $1 "#" rb[$1]++
              for (i = 2; i <= NF; i++) { key = r "|" i
                  if ((key in v) && v[key] ~ /^[0-9]+$/ && $i ~ /^[0-9]+$/ && v[key] != $i)
                      print t "|" $1 "|" h[i] "|" v[key] - $i } }' x.a x.b
    done
}

# run BIN-PREFIX OUT DAY ANALYSIS...: writes OUT.NAME.csv for every table
run()
{
    local out=$2 day=$3
    shift 3
    if [ "$1" = weak ]; then
        shift
        expect_exit 0 weak day-selection,analyze-cellkey analyze "$@" --from "$day" --db db --lang en --format csv --out "$out.csv"
    else
        shift
        expect_exit 0 "$KASANE" analyze "$@" --from "$day" --db db --lang en --format csv --out "$out.csv"
    fi
}

analyses=("crosstab district sex" "survival sex" "partners hikikomori")
found_kasane=0
found_weak=0
exact_weak=0
pairs=0
while read -r day; do
    next=$(date -u -d "$day +1 day" +%F)
    for a in "${analyses[@]}"; do
        rm -f k1.* k2.* w1.* w2.*
        # shellcheck disable=SC2086
        run kasane k1 "$day" kasane $a
        # shellcheck disable=SC2086
        run kasane k2 "$next" kasane $a
        for f in k1.*.csv; do
            assert_same_file "$f" "k2.${f#k1.}" "kasane: --from $day and --from $next ($a)"
        done
        found_kasane=$((found_kasane + $(diffs k1 k2 | wc -l)))
        # shellcheck disable=SC2086
        run weak w1 "$day" weak $a
        # shellcheck disable=SC2086
        run weak w2 "$next" weak $a
        diffs w1 w2 >d.txt
        found_weak=$((found_weak + $(wc -l <d.txt)))
        pairs=$((pairs + 1))
        if [ "$a" = "crosstab district sex" ]; then
            # the day's cases by district and sex, from the difference of the counts
            awk -F'|' '$1 == "counts" && $2 != "Total" && $3 != "total" { print $2 "|" $3 "|" $4 }' d.txt | sort >got.txt
            sql_ro db "SELECT d.label_en || '|' || s.code || '|' || count(*) FROM case_record c
                       JOIN district d USING (district_id) JOIN sex s USING (sex_id)
                       WHERE consult_date = '$day' GROUP BY d.label_en, s.code ORDER BY 1" | sort >truth.txt
            # every difference is right (a cell hidden on either day gives none)
            [ -z "$(comm -23 got.txt truth.txt)" ] || fail "kasane-weak: a difference that is not a case of $day"
            exact_weak=$((exact_weak + $(comm -12 got.txt truth.txt | wc -l)))
        fi
    done
done <days.txt

note "$pairs pairs of selections one day apart: count differences kasane $found_kasane," \
    "kasane-weak (day-selection off) $found_weak; $exact_weak cells of single days recovered exactly by kasane-weak"
[ "$found_kasane" -eq 0 ] || fail "kasane's outputs differ between consecutive days"
[ "$exact_weak" -ge 6 ] || fail "the positive control recovered only $exact_weak cells of single days"
pass
