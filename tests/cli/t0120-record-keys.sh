#!/usr/bin/env bash
# t0120-record-keys: the record keys of the cell key method (src/store/rkey.h).
# Every case, person and household gets one key in 0..4095 at import; a key
# stays with its unit when the case is re-imported changed; keys come from
# the CSPRNG, not from the data or the key file (two imports of the same file
# with the same key give different keys); no ad-hoc query can read them; an
# old database gets them on upgrade.
. "$(dirname "$0")/lib.sh"

gen --rows 2000 --seed 120 -o in.csv
keygen key
expect_exit 0 "$KASANE" import -q --db a.db --key key in.csv
expect_exit 0 "$KASANE" import -q --db b.db --key key in.csv

for u in "1 case_record" "2 person" "3 household"; do
    set -- $u
    assert_eq "$(sql a.db "SELECT count(*) FROM record_key WHERE unit = $1")" "$(sql a.db "SELECT count(*) FROM $2")" \
        "one key per unit $2"
done
assert_eq "$(sql a.db "SELECT count(*) FROM record_key WHERE rkey < 0 OR rkey > 4095")" 0 "keys in 0..4095"
# uniform: 2,000 case keys have mean 2047.5 +- 26 (sd 1182 / sqrt 2000); 5 sd
assert_eq "$(sql a.db "SELECT abs(avg(rkey) - 2047.5) < 130 FROM record_key WHERE unit = 1")" 1 "keys centred"
assert_eq "$(sql a.db "SELECT count(DISTINCT rkey / 512) FROM record_key WHERE unit = 1")" 8 "keys over the whole range"

# not derived from the data or the key: the same file and key give other keys
same=$(sqlite3 a.db "ATTACH 'b.db' AS b; SELECT count(*) FROM record_key x JOIN b.record_key y USING (unit, id) WHERE x.rkey = y.rkey")
total=$(sql a.db "SELECT count(*) FROM record_key")
# equal by chance: about total / 4096
[ "$same" -lt $((total / 200 + 5)) ] || fail "$same of $total keys equal in two imports of the same file"

# kept on update: a re-export with 10% of the cases changed and 50 new ones
expect_exit 0 bash "$KASANE_SOURCE_DIR/bench/reimport.sh" --make-reexport "$KASANE_GEN" in.csv 10 50 121 changed.csv
sqlite3 a.db "SELECT unit, id, rkey FROM record_key " | sort >keys.before
expect_exit 0 "$KASANE" import -q --db a.db --key key changed.csv
assert_eq "$(summary_get updated)" 200 "cases changed by the re-import"
assert_eq "$(summary_get inserted)" 50 "new cases"
sqlite3 a.db "SELECT unit, id, rkey FROM record_key " | sort >keys.after
assert_eq "$(comm -23 keys.before keys.after | wc -l)" 0 "every key kept through the update"
assert_eq "$(sql a.db "SELECT count(*) FROM record_key WHERE unit = 1")" 2050 "a key for each new case"

# never readable ad hoc, aggregate or row-level: the ad-hoc copy of the
# database (src/store/analysis.c) does not hold the table
for q in "SELECT id AS case_id, rkey FROM record_key" "SELECT case_id, rkey FROM src.record_key"; do
    expect_exit 2 "$KASANE" query sql "$q" --db a.db
    assert_file_contains "$LAST_ERR" "no such table" "ad hoc: $q"
    expect_exit 2 "$KASANE" query sql "$q" --row-level --db a.db
    assert_file_contains "$LAST_ERR" "no such table" "row-level: $q"
done

# an old database gets keys on upgrade (schema 3: drop the table)
cp b.db old.db
sqlite3 old.db "DROP TABLE record_key; UPDATE meta SET value = '3' WHERE key = 'schema_version'"
expect_exit 0 "$KASANE" query run cases_by_district_fy --db old.db
assert_eq "$(sql old.db "SELECT value FROM meta WHERE key = 'schema_version'")" 3 "reading does not upgrade"
expect_exit 0 "$KASANE" threshold --db old.db --key key 5
assert_file_contains "$LAST_ERR" "upgraded 'old.db' to schema 4" "upgrade notice"
assert_eq "$(sql old.db "SELECT count(*) FROM record_key")" "$total" "keys for every unit after the upgrade"
assert_eq "$(sql old.db 'PRAGMA integrity_check')" ok "integrity_check after the upgrade"
pass
