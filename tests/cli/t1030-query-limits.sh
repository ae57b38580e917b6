#!/usr/bin/env bash
# t1030-query-limits: ad-hoc SQL cannot take the machine.  A statement that
# would run for ever stops at the time budget (--timeout, progress handler),
# a result is capped in rows (--max-rows) and in the bytes of a text cell,
# each with an error that names the limit (exit 2); and outside the library a
# pivot has no totals, so the secondary suppression of a pivot an analyst
# writes is bounded by the ad-hoc group cap.
. "$(dirname "$0")/lib.sh"

keygen key
gen --rows 1500 --seed 21 -o cases.csv
expect_exit 0 "$KASANE" import -q --db db --key key cases.csv

forever="WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT x AS case_id FROM r"
start=$(date +%s)
expect_exit 2 "$KASANE" query sql "$forever" --db db --timeout 1
assert_file_contains "$LAST_ERR" "time budget" "the error names the time budget"
assert_file_contains "$LAST_ERR" "--timeout" "the error says how to raise it"
[ $(($(date +%s) - start)) -le 15 ] || fail "the time budget of 1 s did not stop the statement within 15 s"
expect_exit 2 "$KASANE" query sql "$forever WHERE x < 0" --db db --row-level --timeout 0.5
assert_file_contains "$LAST_ERR" "time budget" "row level has the budget too"
expect_exit 2 "$KASANE" query sql "SELECT case_id FROM case_record" --db db --timeout 0
expect_exit 2 "$KASANE" query sql "SELECT case_id FROM case_record" --db db --timeout soon

expect_exit 2 "$KASANE" query sql "SELECT case_id FROM case_record" --db db --row-level --max-rows 100
assert_file_contains "$LAST_ERR" "more than 100 rows" "the row cap is named"
assert_file_contains "$LAST_ERR" "--max-rows" "the error says how to raise it"
expect_exit 0 "$KASANE" query sql "SELECT case_id FROM case_record LIMIT 100" --db db --row-level --max-rows 100 --format csv
assert_eq "$(($(wc -l <"$LAST_OUT") - 1))" 100 "a result at the cap is fine"

expect_exit 2 "$KASANE" query sql "SELECT case_id, printf('%2000s', 'x') AS t FROM case_record" --db db --row-level
assert_file_contains "$LAST_ERR" "longer than 1000 bytes" "the text cap is named"

# an outside pivot: kasane's n laid out, no totals
mkdir q
cat >q/pv.sql <<'SQL'
-- title: 地区別・年度別
-- pivot: district_id, fiscal_year, n
SELECT case_id, district_id, fiscal_year FROM case_record
SQL
expect_exit 0 "$KASANE" query run q/pv.sql --db db --format csv
! grep -q "合計" "$LAST_OUT" || fail "totals in an outside pivot"
sed -i 's/^-- pivot:.*/-- pivot: district_id, fiscal_year, n\n-- totals: yes/' q/pv.sql
expect_exit 3 "$KASANE" query run q/pv.sql --db db
pass
