#!/usr/bin/env bash
# t0070-mapping: a city's own header names, mapped with --mapping, give the
# same database as the contract's names; unmapped columns are reported once
# and never stored; --list-unlisted shows the partner names missing from the
# profile on the terminal, and stores none of them.
. "$(dirname "$0")/lib.sh"

keygen key
gen --rows 500 --seed 5 -o std.csv
# the city's export: two renamed columns and one extra column
{
    head -n 1 std.csv | sed 's/^記録番号,/ケースＮｏ,/; s/,地区,/,担当エリア,/; s/$/,担当者/'
    tail -n +2 std.csv | sed 's/$/,担当者メモ/'
} >city.csv
printf '# our headers\nケースNo,record_id\n担当 エリア,district\n' >map.csv

expect_exit 0 "$KASANE" import -q --db std.db --key key std.csv
# without the mapping the required columns are missing
expect_exit 1 "$KASANE" import -q --db city.db --key key city.csv
assert_file_contains "$LAST_ERR" "missing required column 'record_id'" "unmapped header"
[ ! -e city.db ] || fail "a refused import left a database"
expect_exit 0 "$KASANE" import -q --db city.db --key key --mapping map.csv city.csv
assert_file_contains "$LAST_OUT" "unknown columns    担当者 (ignored, never stored)" "extra column reported once"
for t in case_record case_problem case_support case_partner person household; do
    dump_table std.db $t batch_id >a.txt
    dump_table city.db $t batch_id >b.txt
    assert_same_file a.txt b.txt "table $t with mapped headers"
done
grep -a -q '担当者メモ' city.db && fail "an unknown column's value reached the database"
# a broken mapping file says where
printf 'ケースNo,recordid\n' >bad.csv
expect_exit 2 "$KASANE" import -q --db x.db --key key --mapping bad.csv city.csv
assert_file_contains "$LAST_ERR" "bad.csv:1:" "mapping error position"
assert_file_contains "$LAST_ERR" "unknown field 'recordid'" "mapping error names the field"

# unlisted partners: counted in the summary, listed on request, never stored
DEMO=$KASANE_SOURCE_DIR/datasets/demo/cases.csv
expect_exit 0 "$KASANE" import -q --db demo.db --key key --list-unlisted "$DEMO"
total=$(awk '/unlisted partners/ { print $3 }' "$LAST_OUT")
[ "$total" -gt 0 ] || fail "the demo data has no unlisted partner"
sed -n '/^unlisted partner names/,$p' "$LAST_ERR" | tail -n +2 >names.txt
assert_eq "$(awk '{ s += $1 } END { print s }' names.txt)" "$total" "listed counts add up to the summary"
assert_eq "$(wc -l <names.txt | tr -d ' ')" "$(awk '/unlisted partners/ { print $5 }' "$LAST_OUT")" "one line per distinct name"
while read -r n name; do
    grep -a -q -F -e "$name" "$DEMO" || fail "listed name '$name' is not in the input as written"
    grep -a -q -F -e "$name" demo.db && fail "unlisted name '$name' reached the database"
    sql demo.db "SELECT count(*) FROM partner WHERE label_ja = '$name'" | grep -qx 0 || fail "'$name' in table partner"
done <names.txt
expect_exit 0 "$KASANE" import -q --db demo2.db --key key "$DEMO"
assert_file_lacks "$LAST_ERR" "unlisted partner names" "names only when asked for"
# two files with the same unlisted names: occurrences add up, names count once
{ head -n 1 "$DEMO"; tail -n +2 "$DEMO" | sed 's/^\([^,]*\),/\1-b,/'; } >demo-b.csv
expect_exit 0 "$KASANE" validate --list-unlisted "$DEMO" demo-b.csv
assert_eq "$(awk '/unlisted partners/ { print $3 }' "$LAST_OUT")" $((2 * total)) "unlisted occurrences over two files"
assert_eq "$(awk '/unlisted partners/ { print $5 }' "$LAST_OUT")" "$(wc -l <names.txt | tr -d ' ')" \
    "distinct unlisted names over two files"
pass
