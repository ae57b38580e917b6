#!/usr/bin/env bash
# t0180-rekey: `kasane rekey` moves a database to a new key epoch without the
# raw data (epoch.h).  Checked against a control database that never
# rekeyed (the same imports with the old key throughout):
#   - every stored pseudonym changes, the content does not; every library
#     query and an ad-hoc person-unit query print exactly what they printed
#     before (the record keys moved with their persons and households);
#   - a later import with the new key links to the same persons, households
#     and cases as the control's import with the old key (one bijection of
#     ids over case_id, the same summary);
#   - the attack: whoever holds only the OLD key imports the same files into
#     a database of their own and looks for its pseudonyms in the rekeyed
#     one: none are found (with kasane-weak's rekey-pseudonyms, which leaves
#     the pseudonyms as they were, every one is);
#   - the old key is refused for imports and threshold changes ("retired"),
#     nothing written; a second rekey makes epoch 2; destroying a retired
#     key's file is recorded and leaves the database working;
#   - refusals: a wrong old key, an existing --new file, a destroyed key;
#     an I/O error in the rekey's commit leaves the database as it was and
#     removes the new key file.
. "$(dirname "$0")/lib.sh"

gen --rows 3000 --seed 180 --months 24 -o a.csv
gen --rows 4000 --seed 180 --months 30 -o b.csv
keygen k0
expect_exit 0 "$KASANE" import -q --db x.db --key k0 a.csv
cp x.db y.db # the control: never rekeyed

# what the analysts see, before
outputs()
{
    local db=$1 q
    for q in $(ls "$KASANE_SOURCE_DIR"/queries/*.sql); do
        q=$(basename "$q" .sql)
        "$KASANE" query run "$q" --db "$db" --format csv 2>/dev/null || echo "query $q failed"
    done
    "$KASANE" query sql "SELECT person_id, district FROM v_case" --db "$db" --format csv 2>/dev/null ||
        echo "ad hoc failed"
    "$KASANE" query sql "SELECT household_id, household_type FROM v_case WHERE household_id IS NOT NULL" \
        --db "$db" --format csv 2>/dev/null || echo "ad hoc failed"
}
outputs x.db >before.txt
assert_file_lacks before.txt "failed" "every query runs"

# ---- the rekey --------------------------------------------------------------------------------
expect_exit 0 "$KASANE" rekey --old k0 --new k1 --db x.db
assert_file_contains "$LAST_OUT" "epoch 0 -> 1" "the summary names the epochs"
assert_eq "$(mode k1)" 600 "the new key's mode"
assert_eq "$(stat -c %s k1)" $((16 + 1 + 2 * 32 + 16)) "the new key is a chain of two epochs"
assert_eq "$(sql x.db 'PRAGMA integrity_check')" ok "integrity_check after the rekey"
fp0=$(sql y.db "SELECT value FROM meta WHERE key = 'key_fingerprint'")
fp1=$(sql x.db "SELECT value FROM meta WHERE key = 'key_fingerprint'")
[ "$fp0" != "$fp1" ] || fail "the database's key fingerprint did not change"
assert_eq "$(sql x.db "SELECT epoch || ' ' || fingerprint || ' ' || (retired_at IS NOT NULL) FROM key_epoch ORDER BY epoch" | tr '\n' ';')" \
    "0 $fp0 1;1 $fp1 0;" "key_epoch: epoch 0 retired, epoch 1 current"
assert_eq "$(sql x.db "SELECT event || ' ' || key_fingerprint FROM audit ORDER BY audit_id DESC LIMIT 1")" "rekey $fp1" \
    "the audit row"
persons=$(sql y.db "SELECT count(*) FROM person")
households=$(sql y.db "SELECT count(*) FROM household")
assert_file_contains "$LAST_OUT" "moved 3000 cases, $persons persons, $households households" "the counts"
# no key material in the database: neither key's bytes in any form
for k in k0 k1; do
    hex=$(od -An -tx1 $k | tr -d ' \n')
    sqlite3 x.db .dump | tr -d "'" | tr 'A-F' 'a-f' | grep -q "${hex:0:32}" && fail "key bytes of $k in the database"
done

# every pseudonym changed; the content did not
for t in person household case_record; do
    assert_eq "$(sqlite3 x.db "ATTACH 'y.db' AS y; SELECT count(*) FROM main.$t a JOIN y.$t b ON a.pseudonym = b.pseudonym")" \
        0 "$t pseudonyms shared with the control"
done
assert_eq "$(sqlite3 x.db "ATTACH 'y.db' AS y; SELECT count(*) FROM main.person a JOIN y.person b USING (person_id)")" 0 \
    "person ids shared with the control"
dump_table x.db case_record pseudonym case_key person_id household_id row_hash >x-cases.txt
dump_table y.db case_record pseudonym case_key person_id household_id row_hash >y-cases.txt
assert_same_file x-cases.txt y-cases.txt "case content after the rekey"
outputs x.db >after.txt
assert_same_file before.txt after.txt "every query's output after the rekey (the same noise)"

# ---- a later import links ---------------------------------------------------------------------
expect_exit 0 "$KASANE" import --db x.db --key k1 b.csv
cp "$LAST_OUT" x-import.txt
expect_exit 0 "$KASANE" import --db y.db --key k0 b.csv
for l in "rows read" inserted updated unchanged rejected persons households; do
    assert_eq "$(summary_get "$l" x-import.txt)" "$(summary_get "$l")" "import after the rekey: $l"
done
# one bijection between the two databases' person (household) ids, over case_id
for id in person_id household_id; do
    assert_eq "$(sqlite3 x.db "ATTACH 'y.db' AS y;
        SELECT count(DISTINCT a.$id) || ' ' || count(DISTINCT b.$id) || ' ' ||
               count(DISTINCT coalesce(a.$id, '') || ':' || coalesce(b.$id, ''))
        FROM main.case_record a JOIN y.case_record b USING (case_id)")" \
        "$(sql y.db "SELECT count(DISTINCT $id) || ' ' || count(DISTINCT $id) || ' ' || count(DISTINCT coalesce($id, ''))
                     FROM case_record")" "$id: a bijection with the control's"
done
dump_table x.db case_record pseudonym case_key person_id household_id row_hash batch_id >x-cases.txt
dump_table y.db case_record pseudonym case_key person_id household_id row_hash batch_id >y-cases.txt
assert_same_file x-cases.txt y-cases.txt "case content after the next import"

# ---- the attack: the old key alone --------------------------------------------------------------
# The holder of k0 (a leaked old key) imports the same files into a database
# of their own: their pseudonyms are what k0 computes from the identifiers.
expect_exit 0 "$KASANE" import -q --db attacker.db --key k0 a.csv
expect_exit 0 "$KASANE" import -q --db attacker.db --key k0 b.csv
linked()
{
    sqlite3 "$1" "ATTACH 'attacker.db' AS t;
        SELECT (SELECT count(*) FROM main.person a JOIN t.person b ON a.pseudonym = b.pseudonym) +
               (SELECT count(*) FROM main.case_record a JOIN t.case_record b ON a.pseudonym = b.pseudonym)"
}
assert_eq "$(linked y.db)" "$(( $(sql y.db 'SELECT count(*) FROM person') + 4000 ))" \
    "the old key links every person and case of the control (the attack works)"
assert_eq "$(linked x.db)" 0 "the old key links nothing in the rekeyed database"
if [ -n "${KASANE_WEAK_BIN:-}" ]; then
    cp y.db w.db
    KASANE_WEAKEN=rekey-pseudonyms expect_exit 0 "$KASANE_WEAK_BIN" rekey --old k0 --new kw --db w.db
    [ "$(linked w.db)" -gt 0 ] || fail "kasane-weak (rekey-pseudonyms): the attack should link"
    note "kasane-weak rekey-pseudonyms: the old key links $(linked w.db) pseudonyms"
fi

# ---- the old key is refused ---------------------------------------------------------------------
before=$(sha x.db)
expect_exit 3 "$KASANE" import --db x.db --key k0 b.csv
assert_file_contains "$LAST_ERR" "is epoch 0 of this database, retired by 'kasane rekey'" "import with the old key"
assert_file_contains "$LAST_ERR" "use the current key (epoch 1, fingerprint $fp1)" "the message names the current key"
expect_exit 3 "$KASANE" threshold --db x.db --key k0 7
assert_file_contains "$LAST_ERR" "retired by 'kasane rekey'" "threshold with the old key"
expect_exit 3 "$KASANE" rekey --old k0 --new k9 --db x.db
[ -e k9 ] && fail "a refused rekey wrote a key file"
assert_eq "$(sha x.db)" "$before" "the database after the refusals"

# ---- refusals that change nothing ---------------------------------------------------------------
keygen other
expect_exit 3 "$KASANE" rekey --old other --new k9 --db x.db
assert_file_contains "$LAST_ERR" "this is not the key the database was built with" "another key"
[ -e k9 ] && fail "a refused rekey wrote a key file"
echo "not a key" >taken
expect_exit 3 "$KASANE" rekey --old k1 --new taken --db x.db
assert_file_contains "$LAST_ERR" "'taken' already exists" "an existing --new file"
assert_eq "$(cat taken)" "not a key" "the existing file is untouched"
assert_eq "$(sha x.db)" "$before" "the database after the refusals"

# an I/O error while the rekey commits: the database as it was, the new key gone
if [ -n "${KASANE_FAULTSHIM:-}" ]; then
    mkdir -p fdb && cp x.db fdb/x.db
    # (the sanitizer build: the shim comes before ASan's runtime)
    LD_PRELOAD=$KASANE_FAULTSHIM ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" KS_FAULT_DIR=$PWD/fdb KS_FAULT_CALL=fdatasync:1:EIO \
        expect_exit 4 "$KASANE" rekey --old k1 --new fdb-new.key --db fdb/x.db
    assert_file_contains "$LAST_ERR" "the database is unchanged and 'fdb-new.key' was removed" "the message"
    [ -e fdb-new.key ] && fail "the new key file was left behind"
    assert_eq "$(sql fdb/x.db "SELECT value FROM meta WHERE key = 'key_fingerprint'")" "$fp1" "still epoch 1"
    assert_eq "$(sql fdb/x.db 'PRAGMA integrity_check')" ok "integrity_check after the failed rekey"
    expect_exit 0 "$KASANE" import -q --db fdb/x.db --key k1 b.csv
    assert_eq "$(summary_get unchanged)" 4000 "the old key still imports after the failed rekey"
fi

# ---- a second rekey, destroying the retired keys -------------------------------------------------
expect_exit 0 "$KASANE" rekey --old k1 --new k2 --db x.db
assert_file_contains "$LAST_OUT" "epoch 1 -> 2" "the second rekey"
assert_eq "$(stat -c %s k2)" $((16 + 1 + 3 * 32 + 16)) "a chain of three epochs"
expect_exit 0 "$KASANE" import -q --db x.db --key k2 b.csv
assert_eq "$(summary_get unchanged)" 4000 "the same export under epoch 2: every row unchanged"
expect_exit 3 "$KASANE" import --db x.db --key k1 b.csv
assert_file_contains "$LAST_ERR" "is epoch 1 of this database" "epoch 1 is retired too"
expect_exit 0 "$KASANE" key destroy --key k0 --db x.db --yes
assert_file_contains "$LAST_OUT" "retired epoch 0" "destroying a retired key says so"
[ -e k0 ] && fail "the retired key file is still there"
assert_eq "$(sql x.db "SELECT count(*) FROM meta WHERE key = 'key_destroyed'")" 0 "the database's key is not destroyed"
expect_exit 0 "$KASANE" import -q --db x.db --key k2 b.csv
assert_eq "$(sql x.db "SELECT group_concat(event, ' ') FROM audit")" \
    "import rekey import rekey import key-destroy import" "the audit trail"
# the current key destroyed: no rekey either
expect_exit 0 "$KASANE" key destroy --key k2 --db x.db --yes
keep=$(sha x.db)
cp k1 k1-copy
expect_exit 3 "$KASANE" rekey --old k1-copy --new k3 --db x.db
[ -e k3 ] && fail "a refused rekey wrote a key file"
assert_eq "$(sha x.db)" "$keep" "nothing written after the destruction"

pass
