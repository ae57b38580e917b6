#!/usr/bin/env bash
# t0170-audit: the audit table and `kasane audit` (issue 14).
#  - every import and threshold change is a row, in order, with the key's
#    fingerprint and never the key; a failed import leaves none (the row
#    commits with the import);
#  - a schema 4 database is upgraded with a row per earlier import;
#  - `kasane key destroy` records the destruction, overwrites and removes
#    the key file, and the database then refuses imports and threshold
#    changes, even with a copy of the key.
. "$(dirname "$0")/lib.sh"

keygen key
gen --rows 300 --seed 170 -o a.csv
gen --rows 300 --seed 171 -o b.csv
expect_exit 0 "$KASANE" import -q --db db --key key a.csv
expect_exit 0 "$KASANE" threshold --db db --key key 7 --method cellkey
expect_exit 0 "$KASANE" import -q --db db --key key b.csv
# a failed import (--strict refuses a file with a rejected row) records nothing
printf '記録番号,宛名番号,氏名,生年月日,性別,地区,相談日,課題,本人同意,状況\nX1,1,名前,1970/1/1,宇宙人,東部,2025/4/1,介護,あり,継続\n' >bad.csv
expect_exit 1 "$KASANE" import -q --strict --db db --key key bad.csv
expect_exit 0 "$KASANE" audit --db db --format tsv
cut -f 3 "$LAST_OUT" | tail -n +2 | tr '\n' ' ' >events.txt
assert_eq "$(cat events.txt)" "import threshold import " "the audit's events in order"
FP=$(sql db "SELECT value FROM meta WHERE key = 'key_fingerprint'")
assert_eq "$(tail -n +2 "$LAST_OUT" | cut -f 4 | sort -u)" "$FP" "every row names the key's fingerprint"
assert_file_contains "$LAST_OUT" "batch 1: a.csv" "the first import's file"
assert_file_contains "$LAST_OUT" "300 rows read, 300 inserted" "its counts"
assert_file_contains "$LAST_OUT" "k = 7, method cellkey" "the threshold change"
# never the key itself (hex of its 32 bytes, as base64 or raw)
assert_file_lacks "$LAST_OUT" "$(od -An -tx1 key | tr -d ' \n')" "the key's bytes in hex"

# ---- schema 4 -> 5 ----------------------------------------------------------------------
cp db old.db
sql old.db "DROP TABLE audit; UPDATE meta SET value = '4' WHERE key = 'schema_version'"
expect_exit 2 "$KASANE" audit --db old.db
assert_file_contains "$LAST_ERR" "no audit table yet (schema 4)" "a schema 4 database is read as it is"
expect_exit 0 "$KASANE" threshold --db old.db --key key 5
assert_file_contains "$LAST_ERR" "upgraded 'old.db' to schema 5" "the upgrade notice"
expect_exit 0 "$KASANE" audit --db old.db --format tsv
assert_eq "$(tail -n +2 "$LAST_OUT" | cut -f 3 | tr '\n' ' ')" "import import upgrade upgrade threshold " "backfilled rows, upgrades (to 5, to 6), then the change"
assert_file_contains "$LAST_OUT" "(recorded before schema 5, from import_batch)" "backfilled rows say so"

# ---- the key's destruction -------------------------------------------------------------------
cp key key-copy
expect_exit 2 "$KASANE" key destroy --key key --db db
[ -f key ] || fail "key destroy without --yes removed the key"
keygen other
expect_exit 3 "$KASANE" key destroy --key other --db db --yes
[ -f other ] || fail "another database's key was destroyed"
size_before=$(stat -c %s key)
expect_exit 0 "$KASANE" key destroy --key key --db db --yes
[ ! -e key ] || fail "the key file is still there"
assert_file_contains "$LAST_OUT" "destroyed key $FP" "destroy names the fingerprint"
expect_exit 0 "$KASANE" audit --db db --format tsv
assert_eq "$(tail -n 1 "$LAST_OUT" | cut -f 3)" "key-destroy" "the destruction is the last audit row"
[ -n "$(sql db "SELECT value FROM meta WHERE key = 'key_destroyed'")" ] || fail "no key_destroyed in meta"
# a copy of the key no longer imports, nor changes the threshold
before=$(sql db "SELECT count(*) FROM case_record")
expect_exit 3 "$KASANE" import -q --db db --key key-copy b.csv
assert_file_contains "$LAST_ERR" "was destroyed" "the refusal says why"
expect_exit 3 "$KASANE" threshold --db db --key key-copy 9
assert_eq "$(sql db "SELECT count(*) FROM case_record")" "$before" "nothing imported after the destruction"
# reading goes on: the data set is anonymous data now
expect_exit 0 "$KASANE" query run cases_by_district_fy --db db --format csv
[ "$size_before" -gt 0 ] || fail "the key file was empty"
echo ok
