#!/usr/bin/env bash
# t0010-import-basic: a generated file imports whole; importing it again
# changes nothing (not even the analytic results); a changed row is updated in
# place, never duplicated.
. "$(dirname "$0")/lib.sh"

ROWS=3000
gen --rows $ROWS --seed 10 -o in.csv
keygen key
DB=$T/cases.db

# ---- first import -----------------------------------------------------------
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv
assert_eq "$(summary_get 'rows read')" $ROWS "rows read"
assert_eq "$(summary_get inserted)" $ROWS "inserted on first import"
assert_eq "$(summary_get updated)" 0 "updated on first import"
assert_eq "$(summary_get unchanged)" 0 "unchanged on first import"
assert_eq "$(summary_get rejected)" 0 "rejected on first import"
assert_file_lacks "$LAST_OUT" "no changes" "first import must not say 'no changes'"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record')" $ROWS "case_record rows"
assert_eq "$(sql "$DB" 'SELECT count(DISTINCT case_id) FROM case_record')" $ROWS "distinct case ids"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM import_batch')" 1 "import_batch rows"
assert_eq "$(sql "$DB" "SELECT rows_read || '/' || rows_inserted || '/' || rows_rejected FROM import_batch")" \
    "$ROWS/$ROWS/0" "import_batch counters"
# memory locked against swap exactly where the system allows it (util.h):
# CAP_IPC_LOCK (bit 14 of CapEff) or a memory-lock limit of 1 GiB or more
mem=$(grep '^memory: ' "$LAST_OUT" || true)
cap=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
lim=$(ulimit -l)
can=0
{ [ $(((0x$cap >> 14) & 1)) = 1 ] || [ "$lim" = unlimited ] || [ "$lim" -ge 1048576 ]; } && can=1
case "$mem" in
"memory: not locked (sanitizer build)") ;;
"memory: locked in RAM"*) [ $can = 1 ] || fail "memory locked where the limit could bite: $mem" ;;
"memory: not locked (needs CAP_IPC_LOCK"*) [ $can = 0 ] || fail "memory not locked though it could be: $mem" ;;
*) fail "no or unknown memory line in the summary: '$mem'" ;;
esac
# the audit row's SHA-256 is the input's (the file is larger than the 1 MiB
# the import reads at a time)
[ "$(stat -c %s in.csv)" -gt $((1 << 20)) ] || fail "setup: in.csv should exceed one read buffer"
assert_eq "$(sql "$DB" 'SELECT input_sha256 FROM import_batch')" "$(sha in.csv)" "input_sha256 of the import"
# every case has at least one problem (problems is required), none points nowhere
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record WHERE case_id NOT IN (SELECT case_id FROM case_problem)')" \
    0 "cases without a problem"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_problem WHERE case_id NOT IN (SELECT case_id FROM case_record)')" \
    0 "orphan case_problem rows"
assert_eq "$(sql "$DB" 'PRAGMA integrity_check')" ok "integrity_check"

# The analytic picture the re-import must leave byte for byte as it is:
# aggregates, and ordered dumps of the case tables (case_record without
# batch_id, which names the last import that changed a case).
analytics()
{
    sql "$1" "
SELECT 'district', d.code, count(*) FROM case_record c JOIN district d USING(district_id) GROUP BY d.code ORDER BY d.code;
SELECT 'problem', p.code, count(*) FROM case_problem cp JOIN problem p USING(problem_id) GROUP BY p.code ORDER BY p.code;
SELECT 'age_band', ifnull(a.code, '-'), count(*) FROM case_record c LEFT JOIN age_band a USING(age_band_id) GROUP BY 2 ORDER BY 2;
SELECT 'status', s.code, count(*) FROM case_record c JOIN status s USING(status_id) GROUP BY s.code ORDER BY s.code;
SELECT 'outcome', ifnull(o.code, '-'), count(*) FROM case_record c LEFT JOIN outcome o USING(outcome_id) GROUP BY 2 ORDER BY 2;
SELECT 'duration', count(duration_days), sum(duration_days), min(duration_days), max(duration_days) FROM case_record;
SELECT 'duration_by_district', district_id, count(duration_days), sum(duration_days) FROM case_record GROUP BY district_id ORDER BY district_id;
SELECT 'fiscal_year', fiscal_year, count(*) FROM case_record GROUP BY fiscal_year ORDER BY fiscal_year;
SELECT 'problems_per_case', n, count(*) FROM (SELECT count(*) AS n FROM case_problem GROUP BY case_id) GROUP BY n ORDER BY n;
SELECT 'persons', count(*) FROM person;
SELECT 'households', count(*) FROM household;
SELECT 'meta', key, value FROM meta ORDER BY key;
"
    dump_table "$1" case_record batch_id
    local t
    for t in case_problem case_support case_partner person household; do
        dump_table "$1" $t
    done
}
analytics "$DB" >before.txt
# the dump really holds the data (a silently empty dump would compare equal)
assert_eq "$(grep -c '^case_record|' before.txt)" $ROWS "case lines in the dump"
[ "$(grep -c '^district|' before.txt)" -ge 2 ] || fail "cases fall in fewer than 2 districts"
[ "$(grep -c '^problem|' before.txt)" -ge 5 ] || fail "fewer than 5 problem codes used"

# ---- identical re-import: no changes ---------------------------------------
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv
assert_eq "$(summary_get 'rows read')" $ROWS "rows read on re-import"
assert_eq "$(summary_get inserted)" 0 "inserted on re-import"
assert_eq "$(summary_get updated)" 0 "updated on re-import"
assert_eq "$(summary_get unchanged)" $ROWS "unchanged on re-import"
assert_eq "$(summary_get rejected)" 0 "rejected on re-import"
assert_file_contains "$LAST_OUT" "no changes" "re-import summary"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record')" $ROWS "case_record rows after re-import"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM import_batch')" 2 "import_batch rows after re-import"
assert_eq "$(sql "$DB" 'SELECT rows_unchanged FROM import_batch WHERE batch_id = (SELECT max(batch_id) FROM import_batch)')" \
    $ROWS "batch 2 rows_unchanged"
# batch_id says which import last changed a case: still the first for all
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record WHERE batch_id != (SELECT min(batch_id) FROM import_batch)')" \
    0 "cases touched by the identical re-import"
analytics "$DB" >after.txt
assert_same_file before.txt after.txt "analytic results after an identical re-import"

# ---- one row changed: updated in place --------------------------------------
# The first unquoted 23-field record that is closed (終結) and improved (改善)
# with empty notes becomes suspended (中断) and worsened (悪化).
line=$(awk -F, 'NR > 1 && index($0, "\"") == 0 && NF == 23 && $21 == "終結" && $22 == "改善" && $23 == "" { print NR; exit }' in.csv)
[ -n "$line" ] || fail "no closed/improved row to modify in the generated file"
sed "${line}s/,終結,改善,\$/,中断,悪化,/" in.csv >changed.csv
{ diff in.csv changed.csv || true; } >copy.diff
assert_eq "$(grep -c '^>' copy.diff)" 1 "lines changed in the copy"
assert_eq "$(grep -c '^<' copy.diff)" 1 "lines replaced in the copy"

count_of() { sql "$DB" "SELECT count(*) FROM case_record JOIN $1 USING(${1}_id) WHERE code = '$2'"; }
closed0=$(count_of status closed)
susp0=$(count_of status suspended)
impr0=$(count_of outcome improved)
wors0=$(count_of outcome worsened)

expect_exit 0 "$KASANE" import -q --db "$DB" --key key changed.csv
assert_eq "$(summary_get inserted)" 0 "inserted after one change"
assert_eq "$(summary_get updated)" 1 "updated after one change"
assert_eq "$(summary_get unchanged)" $((ROWS - 1)) "unchanged after one change"
assert_eq "$(summary_get rejected)" 0 "rejected after one change"
assert_file_lacks "$LAST_OUT" "no changes" "an import that changed a row"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record')" $ROWS "case_record rows after the update (no duplicate)"
assert_eq "$(sql "$DB" 'SELECT count(DISTINCT pseudonym) FROM case_record')" $ROWS "distinct case pseudonyms"
assert_eq "$(count_of status closed)" $((closed0 - 1)) "closed cases after the update"
assert_eq "$(count_of status suspended)" $((susp0 + 1)) "suspended cases after the update"
assert_eq "$(count_of outcome improved)" $((impr0 - 1)) "improved cases after the update"
assert_eq "$(count_of outcome worsened)" $((wors0 + 1)) "worsened cases after the update"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record WHERE batch_id = (SELECT max(batch_id) FROM import_batch)')" \
    1 "cases marked with the updating batch"
assert_eq "$(sql "$DB" "SELECT rows_updated || '/' || rows_unchanged FROM import_batch WHERE batch_id = (SELECT max(batch_id) FROM import_batch)")" \
    "1/$((ROWS - 1))" "batch 3 counters"
# the updated case kept its identity: same case_id, person, district, dates
analytics "$DB" >changed.txt
diff <(grep '^case_record|' before.txt) <(grep '^case_record|' changed.txt) >case.diff || true
assert_eq "$(grep -c '^<' case.diff)" 1 "case lines changed (old)"
assert_eq "$(grep -c '^>' case.diff)" 1 "case lines changed (new)"
old_id=$(grep '^<' case.diff | cut -d'|' -f2)
new_id=$(grep '^>' case.diff | cut -d'|' -f2)
assert_eq "$new_id" "$old_id" "case_id of the updated case"
# and only status, outcome and the row hash changed in it
cols=$(sql "$DB" "SELECT group_concat(name, '|') FROM (SELECT name FROM pragma_table_info('case_record') WHERE name != 'batch_id' ORDER BY cid)")
changed_cols=$(awk -F'|' -v cols="table|$cols" '
    BEGIN { n = split(cols, name, "|") }
    /^</ { sub(/^< /, ""); split($0, a, "|") }
    /^>/ { sub(/^> /, ""); split($0, b, "|") }
    END { for (i = 2; i <= n; i++) if (a[i] != b[i]) printf "%s ", name[i] }' case.diff)
assert_eq "$changed_cols" "status_id outcome_id row_hash " "columns changed by the update"
assert_same_file <(grep -E '^(case_problem|case_support|case_partner|person|household)\|' before.txt) \
    <(grep -E '^(case_problem|case_support|case_partner|person|household)\|' changed.txt) \
    "child tables after a status/outcome change"
assert_eq "$(sql "$DB" 'PRAGMA integrity_check')" ok "integrity_check after the update"

# the changed file again: now nothing changes
expect_exit 0 "$KASANE" import -q --db "$DB" --key key changed.csv
assert_eq "$(summary_get unchanged)" $ROWS "unchanged when the changed file comes again"
assert_file_contains "$LAST_OUT" "no changes" "second import of the changed file"

pass
