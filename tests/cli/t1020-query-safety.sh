#!/usr/bin/env bash
# t1020-query-safety: the query runner is read-only by construction, binds
# typed parameters, counts ad-hoc aggregates itself, refuses row-level output
# unless asked, never shows cases without consent outside the library, and
# applies the database's threshold, which only the key holder can change.
# Ad-hoc counts are published through the cell key method (t1040): where
# this test checks what an ad-hoc count counts, it compares it with the
# cell key method redone from the database file (cellkey.sh) over exactly
# the cases it should count.  (The attacks on these rules are tests/attack/a10*.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cellkey.sh"

keygen key
gen --rows 2000 --seed 11 -o cases.csv
expect_exit 0 "$KASANE" import -q --db db --key key cases.csv
before=$(sha db)
ck_load

# ---- read-only: every kind of write or escape is refused (exit 3), nothing changes
for stmt in \
    "DELETE FROM case_record" \
    "INSERT INTO meta VALUES('x', 'y')" \
    "UPDATE meta SET value = '1' WHERE key = 'threshold'" \
    "DROP TABLE case_record" \
    "CREATE TABLE t(x)" \
    "CREATE TEMP TABLE t AS SELECT * FROM case_record" \
    "CREATE TEMP VIEW v AS SELECT 1" \
    "ATTACH DATABASE 'other.db' AS o" \
    "PRAGMA journal_mode = DELETE" \
    "PRAGMA writable_schema = ON" \
    "SELECT load_extension('libm.so.6')" \
    "BEGIN" \
    "VACUUM INTO 'copy.db'"; do
    LAST_RC=0
    "$KASANE" query sql "$stmt" --db db --row-level >out 2>err || LAST_RC=$?
    [ "$LAST_RC" -eq 3 ] || [ "$LAST_RC" -eq 2 ] || fail "not refused (exit $LAST_RC): $stmt"
    [ "$LAST_RC" -lt 128 ] || fail "crashed: $stmt"
done
assert_eq "$(sha db)" "$before" "database unchanged by refused statements"
[ ! -e other.db ] && [ ! -e copy.db ] || fail "a refused statement created a file"
# a second statement after the first is not run
expect_exit 2 "$KASANE" query sql "SELECT case_id FROM case_record; DELETE FROM case_record" --db db
assert_file_contains "$LAST_ERR" "one statement only" "multi-statement message"
assert_eq "$(sha db)" "$before" "database unchanged"

# ---- parameters: bound, typed, listed when wrong
expect_exit 0 "$KASANE" query run cases_by_age_sex --db db --param fy=2022 --format csv
expect_exit 2 "$KASANE" query run cases_by_age_sex --db db --param fy=twenty --format csv
assert_file_contains "$LAST_ERR" "must be an integer" "typed parameter"
expect_exit 2 "$KASANE" query run cases_by_age_sex --db db --param year=2022
assert_file_contains "$LAST_ERR" "unknown parameter 'year'" "unknown parameter"
assert_file_contains "$LAST_ERR" "expected: fy (int" "expected parameters listed"
expect_exit 2 "$KASANE" query sql "SELECT case_id FROM case_record WHERE district_id = :d" --db db
assert_file_contains "$LAST_ERR" "missing parameter 'd'" "missing ad-hoc parameter"
# an injection attempt is a value, not SQL
expect_exit 0 "$KASANE" query sql "SELECT case_id FROM case_record JOIN district USING(district_id) WHERE label_ja = :d" --db db \
    --param "d=東部' OR '1'='1" --format csv
assert_eq "$(sed -n 2p "$LAST_OUT" | tr -d '\r')" "0" "injected text matched nothing"

# ---- ad hoc: kasane counts; rows only with --row-level; consent
no_consent=$(sql_ro db "SELECT count(*) FROM case_record WHERE consent_id = 2")
with_consent=$(sql_ro db "SELECT count(*) FROM case_record WHERE consent_id = 1")
[ "$no_consent" -gt 0 ] || fail "the generated data has no case without consent"
# a unit and a dimension: distinct cases per district, counted by kasane
expect_exit 0 "$KASANE" query sql "SELECT case_id, district_id FROM case_record" --db db --format csv
assert_eq "$(head -1 "$LAST_OUT" | tr -d '\r\357\273\277')" "district_id,n" "ad-hoc columns: dimensions, then kasane's n"
ck_csv_cells "$LAST_OUT" >district.got
ck_published db "SELECT c.district_id AS grp, count(*) AS n, sum(k.rkey) AS s FROM case_record c
    JOIN record_key k ON k.unit = 1 AND k.id = c.case_id WHERE c.consent_id = 1 GROUP BY c.district_id" >district.want
assert_same_file district.got district.want "ad-hoc counts are the consented cases per district (cell key method)"
# a value that is not a category, or a count of the analyst's own, is refused
expect_exit 3 "$KASANE" query sql "SELECT case_id, consult_date FROM case_record" --db db
assert_file_contains "$LAST_ERR" "exact date" "a date is not a dimension"
expect_exit 3 "$KASANE" query sql "SELECT count(*) AS n FROM case_record" --db db
assert_file_contains "$LAST_ERR" "kasane does the counting" "the refusal says what an ad-hoc aggregate is"
expect_exit 3 "$KASANE" query sql "SELECT district_id FROM case_record" --db db
assert_file_contains "$LAST_ERR" "no unit column" "a unit column is needed"
# row level: only with --row-level, and only cases with consent
expect_exit 0 "$KASANE" query sql "SELECT case_id, consent_id FROM case_record" --db db --row-level --format csv
assert_eq "$(($(wc -l <"$LAST_OUT") - 1))" "$with_consent" "row-level rows = cases with consent"
assert_eq "$(tr -d '\r' <"$LAST_OUT" | awk -F, 'NR > 1 && $2 != 1' | wc -l)" 0 "no row of a case without consent"
expect_exit 0 "$KASANE" query sql "SELECT * FROM v_case" --db db --row-level --format table
assert_file_contains "$LAST_OUT" "$no_consent case(s) without consent left out" "footer names the exclusion"
# qualified names reach the same copy: nothing without consent is there
expect_exit 0 "$KASANE" query sql "SELECT case_id FROM main.case_record" --db db --row-level --format csv
assert_eq "$(($(wc -l <"$LAST_OUT") - 1))" "$with_consent" "main.case_record holds the consented cases"
# ... and joins work
expect_exit 0 "$KASANE" query sql "SELECT c.case_id, p.problem_id FROM case_record c JOIN case_problem p USING(case_id)" \
    --db db --row-level --format csv
assert_eq "$(($(wc -l <"$LAST_OUT") - 1))" \
    "$(sql_ro db "SELECT count(*) FROM case_problem WHERE case_id IN (SELECT case_id FROM case_record WHERE consent_id = 1)")" \
    "row-level join over filtered tables"
# pseudonyms and row hashes are not in the copy
expect_exit 2 "$KASANE" query sql "SELECT pseudonym FROM person" --db db --row-level --format csv
# ad-hoc aggregates count the cases with consent; library queries count every case
expect_exit 0 "$KASANE" query sql "SELECT case_id FROM case_record" --db db --format csv
got=$(sed -n 2p "$LAST_OUT" | tr -d '\r')
assert_eq "$got" "$(ck_published db "SELECT '' AS grp, count(*) AS n, sum(k.rkey) AS s FROM case_record c
    JOIN record_key k ON k.unit = 1 AND k.id = c.case_id WHERE c.consent_id = 1" | cut -d, -f2)" \
    "ad-hoc aggregate counts the cases with consent (cell key method)"
[ $((got - with_consent)) -le "$CK_D" ] && [ $((with_consent - got)) -le "$CK_D" ] ||
    fail "ad-hoc count $got is not within $CK_D of the $with_consent cases with consent"
[ "$no_consent" -gt $((2 * CK_D)) ] || fail "too few cases without consent ($no_consent) to tell the counts apart"
expect_exit 0 "$KASANE" query run cases_by_household_type --db db --format csv
assert_eq "$(tail -1 "$LAST_OUT" | tr -d '\r' | awk -F, '{ print $2 }')" "$((no_consent + with_consent))" \
    "a library query counts every case"

# ---- the threshold: from the database, only the key holder may change it
expect_exit 0 "$KASANE" threshold --db db
assert_eq "$(cat "$LAST_OUT")" 5 "default k"
# ad hoc, the threshold is the ptable's: no count 1..k-1 is published, and
# the small true counts are there to be hidden
q="SELECT case_id, district_id FROM case_record WHERE age_band_id = 20"
expect_exit 0 "$KASANE" query sql "$q" --db db --format csv
small=$(sql_ro db "SELECT count(*) FROM (SELECT count(*) c FROM case_record WHERE age_band_id = 20 AND consent_id = 1 GROUP BY district_id) WHERE c BETWEEN 1 AND 4")
[ "$small" -gt 0 ] || fail "no true count in 1..4 among the districts of age band 20: the check would be empty"
assert_eq "$(ck_csv_cells "$LAST_OUT" | awk -F, '$2 >= 1 && $2 <= 4' | wc -l)" 0 "cells in 1..4 published"
ck_csv_cells "$LAST_OUT" >old.got
ck_published db "SELECT c.district_id AS grp, count(*) AS n, sum(k.rkey) AS s FROM case_record c
    JOIN record_key k ON k.unit = 1 AND k.id = c.case_id WHERE c.consent_id = 1 AND c.age_band_id = 20
    GROUP BY c.district_id" >old.want
assert_same_file old.got old.want "age band 20 by district (cell key method)"
keygen other.key
expect_exit 3 "$KASANE" threshold --db db --key other.key 2
assert_eq "$(sha db)" "$before" "another key cannot change k"
expect_exit 2 "$KASANE" threshold --db db 2
expect_exit 2 "$KASANE" threshold --db db --key key 1
expect_exit 0 "$KASANE" threshold --db db --key key 20
expect_exit 0 "$KASANE" query sql "$q" --db db --format csv
small20=$(sql_ro db "SELECT count(*) FROM (SELECT count(*) c FROM case_record WHERE age_band_id = 20 AND consent_id = 1 GROUP BY district_id) WHERE c BETWEEN 1 AND 19")
[ "$small20" -gt 0 ] || fail "no true count in 1..19: the check would be empty"
# kasane's default ptable for k = 20 (m = 2; datasets/ptables/README.md,
# src/publish/cellkey.h): a true 1..19 is published as 0, 20 or 21; a true
# 20..21 as 20..i+(i-20); above, within 2 of the truth.  Never 1..19.
sql_ro db "SELECT district_id || ',' || count(*) FROM case_record WHERE age_band_id = 20 AND consent_id = 1
    GROUP BY district_id" | sort >k20.true
ck_csv_cells "$LAST_OUT" >k20.got
# a district published as 0 is left out (publish.c drop_zero_rows): its
# true count is 1..19; the others joined to their true counts
assert_eq "$(awk -F, 'NR == FNR { g[$1] = 1; next } !($1 in g) && ($2 < 1 || $2 > 19) { n++ } END { print n + 0 }' \
    k20.got k20.true)" 0 "districts of age band 20 left out at k = 20 whose true count is not 1..19"
assert_eq "$(awk -F, 'NR == FNR { t[$1] = $2; next } { print $1 "," $2 ",x," t[$1] }' k20.true k20.got | awk -F, '
    { j = $2; i = $4 }
    j >= 1 && j <= 19 { bad++ }
    i <= 19 && j != 0 && j != 20 && j != 21 { bad++ }
    i >= 20 && i <= 21 && (j < 20 || j > i + (i - 20)) { bad++ }
    i >= 22 && (j < i - 2 || j > i + 2) { bad++ }
    END { print bad + 0 }')" 0 "cells at k = 20 outside what the default ptable publishes"
assert_file_contains "$LAST_OUT" "" "output"
# a threshold written around kasane (sqlite3) outside 2..100 is refused, never replaced
for bad in 1 0 101 1000 5x ""; do
    sql db "UPDATE meta SET value = '$bad' WHERE key = 'threshold'"
    expect_exit 3 "$KASANE" threshold --db db
    assert_file_contains "$LAST_ERR" "not a whole number from 2 to 100" "tampered k '$bad' refused"
    expect_exit 3 "$KASANE" query run cases_by_household_type --db db
    expect_exit 3 "$KASANE" analyze crosstab district sex --db db
done
expect_exit 0 "$KASANE" threshold --db db --key key 20
expect_exit 0 "$KASANE" threshold --db db
assert_eq "$(cat "$LAST_OUT")" 20 "the data officer repairs k"

# ---- output: csv with BOM, atomic --out with mode 0600, footer in table mode
expect_exit 0 "$KASANE" query run cases_by_household_type --db db --format csv --bom --out out.csv
assert_eq "$(head -c 3 out.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "BOM"
assert_eq "$(mode out.csv)" 600 "--out mode"
# --out never replaces a file the user made read-only, or a directory
chmod 0400 out.csv
cp out.csv out.before
expect_exit 2 "$KASANE" query run cases_by_household_type --db db --format csv --out out.csv
assert_file_contains "$LAST_ERR" "read-only: not replaced" "read-only --out refused"
assert_same_file out.csv out.before "the read-only file is unchanged"
rm -f out.counts.csv
expect_exit 0 "$KASANE" analyze crosstab district sex --db db --out out.csv
mkdir outdir
expect_exit 2 "$KASANE" query run cases_by_household_type --db db --out outdir
chmod 0400 out.counts.csv
expect_exit 2 "$KASANE" analyze crosstab district sex --db db --out out.csv
assert_file_contains "$LAST_ERR" "out.counts.csv' exists and is read-only" "analyze --out refused"
expect_exit 0 "$KASANE" threshold --db db --key key 5
expect_exit 0 "$KASANE" query run cases_by_household_type --db db
assert_file_contains "$LAST_OUT" "k=5" "footer names k"
assert_file_contains "$LAST_OUT" "kasane 0.1.0" "footer names the engine version"
assert_file_contains "$LAST_OUT" "last import" "footer names the last import"
pass
