#!/usr/bin/env bash
# a2100-row-hash: exact ages read from the database file, without the key.
# The file keeps only the age band (and `minor`), but schema 1 and 2 stored
# a SipHash of the whole record, exact age included, under a constant key in
# the source: rebuilding each record from its row and trying the ages of its
# band finds the one whose hash is stored (attack-rowhash, which also checks
# that one person's recovered ages move with the dates of their cases, a
# check that does not rest on the hash).  kasane's hash is keyed with its own
# subkey of the database key and covers only stored values, so the attack
# finds nothing; kasane-weak with row-hash off stores the old hash, and the
# attack finds the ages.  An old database (the weak file marked schema 2) is
# cleaned by the first writer that opens it: the old hashes are gone from the
# table and from the file's bytes, and the next import with the key recomputes
# them so that an unchanged re-export is still "unchanged".
. "$(dirname "$0")/lib.sh"

attack_db 3000 2100

# field VALUE NAME: the number after NAME in the tool's one line
field() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }' <<<"$1"; }

out=$(tool rowhash db) || fail "attack-rowhash failed on kasane's database"
echo "kasane: $out"
tried=$(field "$out" tried)
[ "$tried" -ge 2500 ] || fail "the attack could rebuild only $tried records of 3000"
assert_eq "$(field "$out" recovered)" 0 "exact ages recovered from kasane's file"

# positive control: the old hash
expect_exit 0 weak row-hash import -q --db weak.db --key key cases.csv
out=$(tool rowhash weak.db) || fail "attack-rowhash failed on the weak database"
echo "kasane-weak row-hash: $out"
rec=$(field "$out" recovered)
tried=$(field "$out" tried)
[ "$rec" -ge $((tried * 9 / 10)) ] || fail "the control recovered only $rec of $tried exact ages"
pairs=$(field "$out" of)
[ "$pairs" -ge 100 ] || fail "only $pairs pairs of one person's cases to check the ages with"
assert_eq "$(field "$out" consistent)" "$pairs" "recovered ages that agree with the dates of one person's cases"

# an old database: its hashes are the old ones (the weak build's, schema 2)
sql weak.db "UPDATE meta SET value = '2' WHERE key = 'schema_version'"
sql weak.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
sql_ro weak.db "SELECT hex(row_hash) FROM case_record" | sort >old_hashes.txt
# hashes_in FILE: how many of the old hashes FILE's bytes hold
hashes_in() { od -An -v -tx1 "$1" | tr -d ' \n' | tr a-f A-F | grep -o -F -f old_hashes.txt | wc -l; }
[ "$(hashes_in weak.db)" -ge 2900 ] || fail "setup: the old file does not hold its hashes where the scan looks"
# reading it works and says what the file gives away; it is not changed
expect_exit 0 "$KASANE" query run problems_by_district --db weak.db --format csv
assert_file_contains "$LAST_ERR" "has schema 2, whose row hashes let a reader of the file test exact ages" \
    "the reader's warning on a schema-2 database"
assert_eq "$(field "$(tool rowhash weak.db)" recovered)" "$rec" "ages recoverable after a read (nothing written)"
# the first writer upgrades and, having the key, recomputes the hashes
expect_exit 0 "$KASANE" threshold --db weak.db --key key 5
assert_file_contains "$LAST_ERR" "upgraded 'weak.db' to schema 3" "upgrade notice"
assert_file_contains "$LAST_ERR" "recomputed the row hashes of 3000 cases" "rehash notice"
out=$(tool rowhash weak.db) || fail "attack-rowhash failed on the upgraded database"
echo "upgraded: $out"
assert_eq "$(field "$out" recovered)" 0 "exact ages recovered from the upgraded file"
assert_eq "$(sql_ro weak.db "SELECT count(*) FROM meta WHERE key = 'row_hash_pending'")" 0 "no rehash pending"
assert_eq "$(sql_ro weak.db 'PRAGMA integrity_check')" ok "integrity_check after the upgrade"
# no old hash is left anywhere in the file's bytes (database, WAL)
for f in weak.db weak.db-wal; do
    [ -e "$f" ] || continue
    assert_eq "$(hashes_in "$f")" 0 "old row hashes left in the bytes of $f"
done
# recomputed from the stored columns, they equal the import's: an unchanged
# re-export is unchanged, and the hashes are those of a database kasane built
expect_exit 0 "$KASANE" import -q --db weak.db --key key cases.csv
assert_eq "$(summary_get unchanged)" 3000 "cases unchanged on re-import after the rehash"
assert_same_file <(sql_ro weak.db "SELECT hex(pseudonym), hex(row_hash) FROM case_record ORDER BY 1") \
    <(sql_ro db "SELECT hex(pseudonym), hex(row_hash) FROM case_record ORDER BY 1") "rehashed = kasane's hashes"

pass
