#!/usr/bin/env bash
# t0060-encodings: one data set written as UTF-8, UTF-8 with BOM, CRLF, CP932
# and with English headers gives the very same database (pseudonyms included)
# when imported with the same key; forcing --encoding cp932 equals detecting it.
. "$(dirname "$0")/lib.sh"

ROWS=2000
SEED=60
keygen key

# variant NAME GEN-ARGS...: the data set in one form.
variant() { local name=$1; shift; gen --rows $ROWS --seed $SEED "$@" -o "$name.csv"; }
variant utf8
variant utf8-bom --bom
variant utf8-crlf --crlf
variant utf8-bom-crlf --bom --crlf
variant cp932 --encoding cp932
variant cp932-crlf --encoding cp932 --crlf
variant en --headers en
variant en-cp932 --headers en --encoding cp932

# the forms really differ as intended
assert_eq "$(head -c 3 utf8-bom.csv | od -An -tx1 | tr -d ' ')" efbbbf "BOM at the start"
[ "$(head -c 3 utf8.csv | od -An -tx1 | tr -d ' ')" != efbbbf ] || fail "BOM in the plain file"
assert_eq "$(grep -c $'\r$' utf8.csv || true)" 0 "CR in the LF file"
# (records end CRLF; line breaks inside quoted notes stay LF, as Excel writes them)
assert_eq "$(grep -c $'\r$' utf8-crlf.csv)" $((ROWS + 1)) "lines ending CRLF in the CRLF file"
iconv -f UTF-8 -t UTF-8 cp932.csv >/dev/null 2>&1 && fail "the CP932 file is valid UTF-8"
iconv -f CP932 -t UTF-8 cp932.csv | cmp -s - utf8.csv || fail "the CP932 file is not the UTF-8 one converted"
assert_eq "$(head -c 9 en.csv)" "record_id" "English header"
cmp -s <(tail -n +2 en.csv) <(tail -n +2 utf8.csv) || fail "English-header file differs beyond its header"

# dump DB: every table but import_batch, every column (blobs as X'hex', via
# quote()), rows in full column order; meta without last_import (a time).
dump()
{
    local db=$1 t
    # import_batch and audit name the input file and the time, key_epoch
    # the time: not the data
    for t in $(sql "$db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('import_batch', 'audit', 'key_epoch') ORDER BY name"); do
        if [ "$t" = meta ]; then
            dump_table "$db" meta | grep -v "^meta|'last_import'|"
        elif [ "$t" = record_key ]; then
            dump_table "$db" record_key rkey # random by design (rkey.h): the units, not the keys
        else
            dump_table "$db" "$t"
        fi
    done
    sql "$db" "SELECT 'schema|' || type || '|' || name || '|' || ifnull(sql, '') FROM sqlite_master ORDER BY type, name"
}

# imp NAME [OPTS...]: imports NAME.csv into its own NAME.db; checks the summary.
imp()
{
    local name=$1
    shift
    mkdir -p "db-$name"
    expect_exit 0 "$KASANE" import -q --db "db-$name/cases.db" --key key "$@" "$name.csv"
    assert_eq "$(summary_get 'rows read')" $ROWS "$name: rows read"
    assert_eq "$(summary_get inserted)" $ROWS "$name: rows inserted"
    assert_eq "$(summary_get rejected)" 0 "$name: rows rejected"
    cp "$LAST_OUT" "db-$name/import.out"
    dump "db-$name/cases.db" >"db-$name/dump.txt"
}

imp utf8
assert_file_contains db-utf8/import.out "(utf-8)" "utf8: detected encoding"
ref=db-utf8/dump.txt
# the reference dump holds the data, pseudonyms as hex blobs
assert_eq "$(grep -c '^case_record|' $ref)" $ROWS "case_record lines in the dump"
grep -q "^person|[-0-9]*|X'[0-9A-F]\{32\}'$" $ref || fail "person pseudonyms are not in the dump as 16-byte blobs"
# problems, supports and partners are the masks in case_record (compared
# with it); the case_problem view shows them as rows
[ "$(sql db-utf8/cases.db 'SELECT count(*) FROM case_problem')" -gt $ROWS ] || fail "case_problem rows"
[ "$(grep -c '^person|' $ref)" -gt $((ROWS / 2)) ] || fail "person lines in the dump"
[ "$(grep -c '^household|' $ref)" -gt 100 ] || fail "household lines in the dump"

for v in utf8-bom utf8-crlf utf8-bom-crlf en; do
    imp $v
    assert_file_contains "db-$v/import.out" "(utf-8)" "$v: detected encoding"
    assert_same_file $ref "db-$v/dump.txt" "database from $v.csv vs utf8.csv"
done
for v in cp932 cp932-crlf en-cp932; do
    imp $v
    assert_file_contains "db-$v/import.out" "(cp932)" "$v: detected encoding"
    assert_same_file $ref "db-$v/dump.txt" "database from $v.csv vs utf8.csv"
done
assert_eq "$(sql db-cp932/cases.db 'SELECT encoding FROM import_batch')" cp932 "cp932: batch encoding"
assert_eq "$(sql db-utf8/cases.db 'SELECT encoding FROM import_batch')" utf-8 "utf8: batch encoding"

# forcing the encoding gives what detection gave
cp cp932.csv cp932-forced.csv
imp cp932-forced --encoding cp932
assert_file_contains db-cp932-forced/import.out "(cp932)" "forced cp932: encoding"
assert_same_file db-cp932/dump.txt db-cp932-forced/dump.txt "forced --encoding cp932 vs detected"
cp utf8-bom.csv utf8-forced.csv
imp utf8-forced --encoding utf-8
assert_same_file $ref db-utf8-forced/dump.txt "forced --encoding utf-8 vs detected"

# the wrong forced encoding does not pass silently: every row is rejected or
# the file refused, and nothing crashes
mkdir db-wrong
expect_exit 1 "$KASANE" import -q --db db-wrong/cases.db --key key --encoding utf-8 cp932.csv

# a different key gives different pseudonyms for the same data (the dumps
# above are equal because the key is the same, not because pseudonyms are absent)
keygen key2
mkdir db-key2
expect_exit 0 "$KASANE" import -q --db db-key2/cases.db --key key2 utf8.csv
dump db-key2/cases.db >db-key2/dump.txt
cmp -s $ref db-key2/dump.txt && fail "another key gave the same database"
assert_same_file <(grep '^district|' $ref) <(grep '^district|' db-key2/dump.txt) "district table under another key"
assert_eq "$(sql db-key2/cases.db 'SELECT count(*) FROM case_record')" $ROWS "case_record rows under another key"

pass
