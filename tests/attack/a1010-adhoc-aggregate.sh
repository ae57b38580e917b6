#!/usr/bin/env bash
# a1010-adhoc-aggregate: an ad-hoc "aggregate" that carries rows or values
# beside its count.  The old runner judged a result by its column names, so a
# column named n made anything an aggregate: every case without consent row
# by row, a list of person ids next to a count, a window count beside each
# person, a count times 100 (a hidden 3 printed as 300), the exact date of
# the last consultation of a hidden cell.  kasane does the counting outside
# the library (runner.c, KS_RUN_ADHOC), so each of these must be refused, and
# the attempts to smuggle a value through a dimension must be refused too;
# kasane-weak with adhoc-columns (the old runner) must leak every one.
# kasane's own counts are published through the cell key method (t1040), so
# what they count is checked against the method redone from the database
# file (tests/cli/cellkey.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../cli/cellkey.sh"

attack_db 3000 5

# leaked NAME CSV: 1 when the output CSV shows what attack NAME is after
leaked()
{
    local name=$1 csv=$2 head
    head=$(head -1 "$csv" | tr -d '\r\357\273\277')
    case $name in
    rows) [[ ",$head," == *",case_id,"* ]] && [ "$(wc -l <"$csv")" -gt 1 ] ;;
    ids) tr -d '\r' <"$csv" | grep -Eq '[0-9]+,[0-9]+' && [[ $head == *ids* ]] ;;
    window) [[ ",$head," == *",person_id,"* ]] ;;
    times100) tr -d '\r' <"$csv" | awk -F, 'NR > 1 && ($NF == 100 || $NF == 200 || $NF == 300 || $NF == 400) { f = 1 } END { exit !f }' ;;
    date) tr -d '\r' <"$csv" | grep -Eq ',[0-9]{4}-[0-9]{2}-[0-9]{2}$' ;;
    esac
}

attacks=(
    "rows|SELECT 5 AS n, * FROM main.case_record WHERE consent_id = 2"
    "ids|SELECT district_id, count(*) AS n, group_concat(person_id) AS ids FROM case_record WHERE age_band_id = 20 GROUP BY 1"
    "ids|SELECT district_id, count(*) AS n, json_group_array(case_id) AS ids FROM case_record WHERE age_band_id = 20 GROUP BY 1"
    "window|SELECT count(*) OVER () AS n, person_id FROM case_record"
    "times100|SELECT district_id, age_band_id, count(*) * 100 AS n FROM case_record GROUP BY 1, 2"
    "date|SELECT district_id, age_band_id, count(*) AS n, max(consult_date) AS last FROM case_record GROUP BY 1, 2"
)
leaks_kasane=0
leaks_weak=0
for a in "${attacks[@]}"; do
    name=${a%%|*} q=${a#*|}
    LAST_RC=0
    "$KASANE" query sql "$q" --db db --format csv >k.csv 2>k.err || LAST_RC=$?
    [ "$LAST_RC" -eq 3 ] || fail "not refused (exit $LAST_RC): $q"
    grep -q "kasane does the counting" k.err || fail "the refusal does not say why: $q"
    ! leaked "$name" k.csv || leaks_kasane=$((leaks_kasane + 1))
    weak adhoc-columns query sql "$q" --db db --format csv >w.csv 2>w.err || true
    if leaked "$name" w.csv; then leaks_weak=$((leaks_weak + 1)); else note "kasane-weak did not leak: $q"; fi
done
note "attacks leaking: kasane $leaks_kasane of ${#attacks[@]}, kasane-weak (adhoc-columns) $leaks_weak"
assert_eq "$leaks_kasane" 0 "ad-hoc aggregates that leaked"
assert_eq "$leaks_weak" "${#attacks[@]}" "the attacks against the old runner (positive control)"

# values smuggled through kasane's own counting: a dimension must be a category
for q in \
    "SELECT case_id, consult_date AS d FROM case_record" \
    "SELECT case_id, closed_date AS d FROM case_record" \
    "SELECT case_id, person_id AS p FROM case_record" \
    "SELECT case_id, CAST(person_id AS TEXT) AS p FROM case_record" \
    "SELECT case_id, hex(person_id) AS p FROM case_record" \
    "SELECT case_id, duration_days * 1.0 AS d FROM case_record" \
    "SELECT case_id, duration_days + 1000 AS d FROM case_record" \
    "SELECT case_id, (SELECT group_concat(problem_id) FROM case_problem p WHERE p.case_id = c.case_id) AS l FROM case_record c" \
    "SELECT case_id, json_array(case_id) AS j FROM case_record" \
    "SELECT person_id, case_id FROM case_record" \
    "SELECT case_id, district_id, age_band_id, sex_id, household_type_id, fiscal_year FROM case_record"; do
    LAST_RC=0
    "$KASANE" query sql "$q" --db db --format csv >k.csv 2>k.err || LAST_RC=$?
    [ "$LAST_RC" -eq 3 ] || fail "not refused (exit $LAST_RC): $q ($(head -c 300 k.csv))"
done
# made-up unit ids count nothing: the count joins the unit's table
# (a made-up id has no record key either: it would fail the key sum)
ck_load
expect_exit 0 "$KASANE" query sql "SELECT case_id FROM case_record WHERE case_id <= 100 UNION ALL SELECT -5 UNION ALL SELECT 99999999 UNION ALL SELECT 1000000000" --db db --format csv
assert_eq "$(sed -n 2p "$LAST_OUT" | tr -d '\r')" "$(ck_published db "SELECT '' AS grp, count(*) AS n, sum(k.rkey) AS s
    FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id WHERE c.case_id <= 100 AND c.consent_id = 1" |
    cut -d, -f2)" "ids that are not cases count nothing (the cell key method over the real cases only)"
# what an analyst may do: categories, counted by kasane, small counts hidden
expect_exit 0 "$KASANE" query sql "SELECT c.case_id, d.label_ja AS district, c.fiscal_year AS fy, c.consult_month AS month
    FROM case_record c JOIN district d USING (district_id)" --db db --format csv
assert_eq "$(tr -d '\r' <"$LAST_OUT" | awk -F, 'NR > 1 && $4 ~ /^[1-4]$/' | wc -l)" 0 "no count below k printed"
small=$(sql_ro db "SELECT count(*) FROM (SELECT count(*) c FROM case_record WHERE consent_id = 1
    GROUP BY district_id, fiscal_year, consult_month) WHERE c BETWEEN 1 AND 4")
[ "$small" -gt 0 ] || fail "no true count in 1..4 by district and month: the check above would be empty"

# kasane-weak's adhoc-cellkey (the switch attack tests on ad-hoc differencing
# use for their positive control) publishes ad-hoc counts as library queries
# are, exact with suppression at k: the switch does what it says, and kasane
# does not do it
q="SELECT case_id, district_id FROM case_record WHERE age_band_id = 20"
sql_ro db "SELECT district_id || ',' || CASE WHEN count(*) < 5 THEN '<5' ELSE count(*) END FROM case_record
    WHERE age_band_id = 20 AND consent_id = 1 GROUP BY district_id" | sort >exact.want
grep -q '<5' exact.want || fail "no small count by district in age band 20: kasane could match the exact table by chance"
weak adhoc-cellkey query sql "$q" --db db --format csv >w.csv 2>w.err || fail "kasane-weak adhoc-cellkey failed: $(cat w.err)"
tr -d '\r' <w.csv | tail -n +2 | sort >w.got
assert_same_file w.got exact.want "kasane-weak adhoc-cellkey: exact ad-hoc counts, suppressed at k"
expect_exit 0 "$KASANE" query sql "$q" --db db --format csv
tr -d '\r' <"$LAST_OUT" | tail -n +2 | sort >k.got
! cmp -s k.got exact.want || fail "kasane published the exact ad-hoc counts"
pass
