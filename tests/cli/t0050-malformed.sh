#!/usr/bin/env bash
# t0050-malformed: every row-level defect of the contract is rejected with the
# right (line, column, field, reason), the good rows around it still load, and
# neither the rejects report nor the terminal echoes a value; file-level
# defects stop the import with a message naming the line; --strict refuses the
# whole file; validate agrees and writes no database; nothing crashes.
. "$(dirname "$0")/lib.sh"

keygen key

# Columns (Japanese headers, a subset in the contract's order):
#  1 記録番号 record_id   2 氏名 name        3 生年月日 birth_date  4 性別 sex
#  5 地区 district        6 相談日 consult   7 終結日 closed_date   8 課題 problems
#  9 本人同意 consent    10 状況 status     11 結果 outcome        12 備考 notes
HEADER='記録番号,氏名,生年月日,性別,地区,相談日,終結日,課題,本人同意,状況,結果,備考'
# row FIELD...: one CSV line (the fields hold no comma, quote or line break).
row() { local IFS=,; printf '%s\n' "$*"; }
# good N: a valid row with record number G-0N.
good() { row "G-0$1" "善良 一郎$1" 1950-01-0$1 男 東部 2024-04-0$1 2024-05-0$1 '介護;社会的孤立' あり 終結 解決 ''; }

# Each bad row has exactly one defect; its identifiers (B-.., 不良 ..) and its
# bad value are listed in values.txt: none may appear in the report.
: >values.txt
bad()
{
    row "$@"
    printf '%s\n' "$1" "$2" >>values.txt
}
{
    echo "$HEADER"                                                                          # 1
    good 1                                                                                  # 2
    bad B-03 '不良 三郎' 1950-01-02 男 東部 きのう 2024-05-01 介護 あり 終結 解決 ''           # 3 consult bad format
    good 2                                                                                  # 4
    bad B-05 '不良 五郎' 1950-01-02 男 東部 2025-02-01 2025-02-30 介護 あり 終結 解決 ''      # 5 closed 30 Feb
    bad B-06 '不良 六郎' 平成32年1月1日 男 東部 2024-04-01 '' 介護 あり 継続 '' ''          # 6 birth: Heisei 32
    bad B-07 '不良 七郎' 1950-01-02 男 東部 令和元年4月1日 '' 介護 あり 継続 '' ''          # 7 consult: Reiwa 1, April
    bad B-08 '不良 八郎' 1800-05-05 男 東部 2024-04-01 '' 介護 あり 継続 '' ''               # 8 birth: year 1800
    bad B-09 '不良 九郎' 1950-01-02 男 東部 2024-04-10 2024-04-09 介護 あり 終結 解決 ''      # 9 closed < consult
    bad B-10 '不良 十郎' 2024-06-01 男 東部 2024-05-01 '' 介護 あり 継続 '' ''               # 10 born after consult
    good 3                                                                                  # 11
    bad '' '不良 十二郎' 1950-01-02 男 東部 2024-04-01 '' 介護 あり 継続 '' ''               # 12 no record_id
    bad B-13 '不良 十三郎' '' 男 東部 2024-04-01 '' 介護 あり 継続 '' ''                     # 13 no birth_date
    bad B-14 '不良 十四郎' 1950-01-02 男 '' 2024-04-01 '' 介護 あり 継続 '' ''               # 14 no district
    bad B-15 '不良 十五郎' 1950-01-02 男 東部 '' '' 介護 あり 継続 '' ''                     # 15 no consult_date
    bad B-16 '不良 十六郎' 1950-01-02 男 東部 2024-04-01 '' '' あり 継続 '' ''               # 16 no problems
    bad B-17 '不良 十七郎' 1950-01-02 男 東部 2024-04-01 '' 介護 '' 継続 '' ''               # 17 no consent
    bad B-18 '不良 十八郎' 1950-01-02 男 東部 2024-04-01 '' 介護 あり '' '' ''               # 18 no status
    bad B-19 '' 1950-01-02 男 東部 2024-04-01 '' 介護 あり 継続 '' ''                      # 19 no name (no resident_id column)
    bad B-20 '不良 二十郎' 1950-01-02 男 東部 2024-04-01 '' 介護 あり '　 ' '' ''             # 20 status only spaces
    good 4                                                                                  # 21
    bad B-22 '不良 二二郎' 1950-01-02 性別X9 東部 2024-04-01 '' 介護 あり 継続 '' ''         # 22 unknown sex
    bad B-23 '不良 二三郎' 1950-01-02 男 東部 2024-04-01 '' 介護 あり 完了済み '' ''          # 23 unknown status
    bad B-24 '不良 二四郎' 1950-01-02 男 東部 2024-04-01 '' 介護 たぶん 継続 '' ''            # 24 unknown consent
    bad B-25 '不良 二五郎' 1950-01-02 男 東部 2024-04-01 '' '介護;宇宙開発' あり 継続 '' ''   # 25 unknown problem
    bad B-26 '不良 二六郎' 1950-01-02 男 北部地区 2024-04-01 '' 介護 あり 継続 '' ''          # 26 unknown district
    bad B-27 '不良 二七郎' 1950-01-02 男 東部 2024-04-01 '' 介護 あり 継続 ''                 # 27 11 columns
    bad B-28 '不良 二八郎' 1950-01-02 男 東部 2024-04-01 '' 介護 あり 継続 '' '' 余分         # 28 13 columns
    printf 'B-29,不良\xff\xfe二九郎,1950-01-02,男,東部,2024-04-01,,介護,あり,継続,,\n'   # 29 invalid UTF-8 in name
    printf 'B-30,不良 三十郎,1950-01-02,男,東部,2024-04-01,,介護,あり,継続,,メモ\xc3\x28です\n' # 30 invalid UTF-8 in notes
    good 5                                                                                  # 31
    printf 'B-32,不良 三二郎,1950-01-02,男,東部,2024-04-01,,介護,あり,継続,,ab\0cd\n'    # 32 NUL in notes
    printf 'B-33,不良 三三郎,1950-01-02,男,東部,2024-04-01,,介護,あり,継続,,'           # 33 10 MB notes
    head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' 'x'
    printf '\n'
    good 6                                                                                  # 34
    row G-01 '善良 別人' 1960-02-02 女 西部 2024-06-01 '' 介護 あり 継続 '' ''                # 35 duplicate record_id
    row G-07 '善良 七子' 1950-01-07 女 西部 2024-04-07 '' 介護 あり 継続 '' '"一行目'          # 36-37 notes over two lines
    echo '二行目"'
    bad B-38 '不良 三八郎' 1950-01-02 性別Y8 東部 2024-04-01 '' 介護 あり 継続 '' ''         # 38 unknown sex after it
    good 8                                                                                  # 39
} >bad.csv
printf '%s\n' きのう 2025-02-30 平成32年1月1日 令和元年4月1日 1800-05-05 2024-04-09 2024-06-01 \
    性別X9 完了済み たぶん 宇宙開発 北部地区 余分 二九郎 三十郎 三二郎 三三郎 B-29 B-30 B-32 B-33 メモ 性別Y8 \
    xxxxxxxxxxxxxxxx G-01 善良 別人 一行目 二行目 >>values.txt
sed -i '/^$/d' values.txt
assert_eq "$(wc -l <bad.csv)" 39 "physical lines in bad.csv"

# (line,column,field,reason) expected in the report, in file order.
cat >expected.txt <<'EOF'
3,6,consult_date,bad_date_format
5,7,closed_date,impossible_date
6,3,birth_date,era_out_of_range
7,6,consult_date,era_out_of_range
8,3,birth_date,year_out_of_range
9,7,closed_date,closed_before_opened
10,3,birth_date,born_after_consulted
12,1,record_id,missing_required
13,3,birth_date,missing_required
14,5,district,missing_required
15,6,consult_date,missing_required
16,8,problems,missing_required
17,9,consent,missing_required
18,10,status,missing_required
19,2,name,missing_person_key
20,10,status,missing_required
22,4,sex,unknown_code
23,10,status,unknown_code
24,9,consent,unknown_code
25,8,problems,unknown_code
26,5,district,unknown_district
27,0,,column_count
28,0,,column_count
29,2,name,invalid_encoding
30,12,notes,invalid_encoding
32,12,notes,nul_byte
33,12,notes,field_too_long
35,1,record_id,duplicate_record
38,4,sex,unknown_code
EOF
NBAD=$(wc -l <expected.txt)
NGOOD=8 # G-01..G-06, G-07 (two lines), G-08
NROWS=$((NBAD + NGOOD))

# report_rows FILE: the (line,column,field,reason) of a rejects report, in order.
report_rows()
{
    assert_eq "$(head -1 "$1")" "file,line,column,field,reason,message" "rejects report header"
    tail -n +2 "$1" | awk -F, '{ print $2 "," $3 "," $4 "," $5 }'
}

# check_no_values FILE WHAT: none of the bad rows' values is in FILE.
check_no_values()
{
    local hits
    hits=$(grep -a -F -o -f values.txt "$1" | sort -u | tr '\n' ' ' || true)
    [ -z "$hits" ] || fail "$2 echoes input values: $hits"
}

# ---- import: the report -----------------------------------------------------------
DB=$T/cases.db
run_import()
{
    expect_exit 1 "$KASANE" import -q --db "$DB" --key key --rejects rejects.csv "$@" bad.csv
    [ -f rejects.csv ] || fail "bad.csv $*: no rejects report (the file itself was refused?)"
    report_rows rejects.csv >got.txt
    # (order aside: see the end)
    assert_same_file <(sort -t, -k1,1n expected.txt) <(sort -t, -k1,1n got.txt) \
        "rejects report of bad.csv (line,column,field,reason)"
    assert_eq "$(summary_get 'rows read')" $NROWS "rows read"
    assert_eq "$(summary_get rejected)" $NBAD "rows rejected"
    assert_eq "$(summary_get inserted)" $NGOOD "rows inserted"
    assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record')" $NGOOD "case_record rows"
    # per-reason counts in the summary
    assert_eq "$(summary_get missing_required)" 8 "missing_required count"
    assert_eq "$(summary_get unknown_code)" 5 "unknown_code count"
    assert_eq "$(summary_get column_count)" 2 "column_count count"
    check_no_values rejects.csv "the rejects report"
    check_no_values "$LAST_ERR" "stderr"
    check_no_values "$LAST_OUT" "stdout"
    assert_file_contains "$LAST_ERR" "bad.csv:3:6: consult_date: bad_date_format" "stderr names file:line:column"
    assert_eq "$(mode rejects.csv)" 600 "rejects report mode"
}

# Forced UTF-8 first: the row checks themselves.
run_import --encoding utf-8
cp "$LAST_OUT" "$T/import-utf8.out"
cp rejects.csv "$T/rejects-utf8.csv"
# The good rows are all there, G-07 (whose notes span two lines) included:
# their consult dates are 2024-04-01..08 and the duplicate G-01 did not
# replace the first.
assert_eq "$(sql "$DB" "SELECT group_concat(consult_date, ' ') FROM (SELECT consult_date FROM case_record ORDER BY consult_date)")" \
    "2024-04-01 2024-04-02 2024-04-03 2024-04-04 2024-04-05 2024-04-06 2024-04-07 2024-04-08" "consult dates of the good rows"
assert_eq "$(sql "$DB" "SELECT count(*) FROM case_record WHERE consult_date = '2024-06-01'")" 0 "the duplicate record_id row"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record WHERE notes_present = 1')" 1 "rows with notes (G-07)"
dbsha=$(sha "$DB")

# ---- --strict: one bad row, nothing imported --------------------------------------
{ echo "$HEADER"; good 1; good 2; row G-09 '善良 九郎' 1950-01-09 男 東部 2024-04-09 '' 介護 あり 継続 '' ''
  row B-90 '不良 九十郎' 1950-01-02 男 東部 2024-04-01 '' 介護 あり 謎 '' ''; } >strict.csv
expect_exit 1 "$KASANE" import -q --strict --db "$DB" --key key --rejects strict-rejects.csv strict.csv
assert_file_contains "$LAST_ERR" "strict" "--strict refusal message"
assert_file_contains "$LAST_ERR" "nothing was imported" "--strict refusal message"
assert_eq "$(sha "$DB")" "$dbsha" "database after --strict refused"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record')" $NGOOD "case_record rows after --strict"
assert_eq "$(report_rows strict-rejects.csv)" "5,10,status,unknown_code" "--strict rejects report"

# ---- file-level defects ----------------------------------------------------------------
# file_error FILE MESSAGE...: import and validate both exit 1 with each MESSAGE
# on stderr, and the database is untouched.
file_error()
{
    local f=$1 m
    shift
    expect_exit 1 "$KASANE" import -q --db "$DB" --key key "$f"
    for m in "$@"; do
        assert_file_contains "$LAST_ERR" "$m" "import of $f: message"
    done
    assert_eq "$(sha "$DB")" "$dbsha" "database after $f"
    expect_exit 1 "$KASANE" validate -q "$f"
    for m in "$@"; do
        assert_file_contains "$LAST_ERR" "$m" "validate of $f: message"
    done
}
: >empty.csv
file_error empty.csv "empty.csv" "empty file"
printf '\n\n' >blank.csv
file_error blank.csv "blank.csv" "empty file"
echo "$HEADER,氏名" >dup-header.csv
good 1 | sed 's/$/,x/' >>dup-header.csv
file_error dup-header.csv "dup-header.csv:1:13" "duplicate header" "name"
# English and Japanese names of one field are duplicates too
{ echo "${HEADER/氏名/name},name_kana,name"; } >dup-header2.csv
file_error dup-header2.csv "dup-header2.csv:1:14" "duplicate header"
echo "${HEADER/地区,/}" >no-district.csv
row G-01 '善良 一郎' 1950-01-01 男 2024-04-01 '' 介護 あり 継続 '' '' >>no-district.csv
file_error no-district.csv "no-district.csv:1" "missing required column" "district"
{ echo "$HEADER"; good 1; good 2; printf 'B-04,不良 四郎,1950-01-02,男,東部,2024-04-01,,介護,あり,継続,,"開いたまま\n'; good 5; } >open-quote.csv
file_error open-quote.csv "open-quote.csv:4" "unterminated quoted field"
{ echo "$HEADER" | sed 's/氏名/フリガナ/'; good 1 | sed 's/善良 一郎1/ゼンリョウ/'; } >no-person.csv
file_error no-person.csv "no-person.csv:1" "resident_id" "name"
# header only: nothing to do, and that is fine
echo "$HEADER" >header-only.csv
expect_exit 0 "$KASANE" import -q --db "$DB" --key key header-only.csv
assert_eq "$(summary_get 'rows read')" 0 "rows read from a header-only file"
assert_eq "$(summary_get inserted)" 0 "rows inserted from a header-only file"
assert_eq "$(summary_get rejected)" 0 "rows rejected from a header-only file"
assert_eq "$(sql "$DB" 'SELECT count(*) FROM case_record')" $NGOOD "case_record rows after a header-only file"
expect_exit 0 "$KASANE" validate -q header-only.csv
# a missing input file is a usage error (documented: 2)
expect_exit 2 "$KASANE" import -q --db "$DB" --key key no-such.csv
assert_file_contains "$LAST_ERR" "no-such.csv" "missing input: message"
dbsha=$(sha "$DB")
# a file-level error in the second of two files: the first is not imported either
{ echo "$HEADER"; row G-09 '善良 九郎' 1950-01-09 男 東部 2024-04-09 '' 介護 あり 継続 '' ''; } >good9.csv
expect_exit 1 "$KASANE" import -q --db "$DB" --key key good9.csv empty.csv
assert_file_contains "$LAST_ERR" "empty.csv" "error in the second file: message"
assert_eq "$(sha "$DB")" "$dbsha" "database after a good file followed by an empty one"
expect_exit 0 "$KASANE" validate -q good9.csv

# ---- CP932 with one invalid byte sequence ----------------------------------------------
{
    { echo "$HEADER"; good 1; good 2; } | iconv -f UTF-8 -t CP932
    printf 'B-04,'; printf '不良' | iconv -f UTF-8 -t CP932; printf '\xff\xfe'
    printf ' 四郎,1950-01-02,男,東部,2024-04-01,,介護,あり,継続,,\n' | iconv -f UTF-8 -t CP932
    { good 5; row G-06 '善良 六郎' 1950-01-06 男 東部 2024-04-06 '' 介護 あり 継続 '' 'ソ表能'; } | iconv -f UTF-8 -t CP932
} >cp932-bad.csv
DB2=$T/cp932.db
expect_exit 1 "$KASANE" import -q --db "$DB2" --key key --rejects cp932-rejects.csv cp932-bad.csv
assert_eq "$(report_rows cp932-rejects.csv)" "4,2,name,invalid_encoding" "CP932 rejects report"
assert_eq "$(summary_get inserted)" 4 "CP932 rows inserted"
assert_eq "$(summary_get rejected)" 1 "CP932 rows rejected"
assert_file_contains "$LAST_OUT" "(cp932)" "detected encoding"
assert_eq "$(sql "$DB2" "SELECT encoding FROM import_batch")" cp932 "batch encoding"
assert_eq "$(sql "$DB2" "SELECT group_concat(consult_date, ' ') FROM (SELECT consult_date FROM case_record ORDER BY 1)")" \
    "2024-04-01 2024-04-02 2024-04-05 2024-04-06" "CP932 good rows"

# ---- validate: same reasons, no database --------------------------------------------------
mkdir v
cp bad.csv v/
(
    cd v
    expect_exit 1 "$KASANE" validate -q --encoding utf-8 --rejects v-rejects.csv bad.csv
    report_rows v-rejects.csv | sort -t, -k1,1n >../v-got.txt
    assert_eq "$(summary_get 'rows read')" $NROWS "validate: rows read"
    cp "$LAST_OUT" ../v-summary.txt
    assert_eq "$(ls | sort | tr '\n' ' ')" "bad.csv v-rejects.csv " "files after validate"
    expect_exit 1 "$KASANE" validate -q --encoding utf-8 bad.csv
    assert_eq "$(ls | sort | tr '\n' ' ')" "bad.csv v-rejects.csv " "files after validate without --rejects"
    # validate takes no database
    expect_exit 2 "$KASANE" validate -q --db x.db bad.csv
    [ ! -e x.db ] || fail "validate --db created a database"
)
assert_same_file expected.txt v-got.txt "validate's rejects (duplicate record_id included)"
assert_eq "$(summary_get valid v-summary.txt)" $NGOOD "validate: valid rows"
assert_eq "$(summary_get rejected v-summary.txt)" $NBAD "validate: rows rejected"

# ---- nothing crashes on odd input ------------------------------------------------------------
# (expect_exit fails on any status >= 128)
printf '"' >one-quote.csv
expect_exit 1 "$KASANE" validate -q one-quote.csv
printf '\0\0\0\0' >nuls.csv
expect_exit 1 "$KASANE" validate -q nuls.csv
printf '%s\r\n' "$HEADER" "$(good 1)" >crlf.csv
expect_exit 0 "$KASANE" validate -q crlf.csv
assert_eq "$(summary_get valid)" 1 "CRLF file valid rows"
head -c 200000 /dev/urandom >random.csv
rc=0
"$KASANE" validate -q random.csv >/dev/null 2>&1 || rc=$?
[ "$rc" -lt 128 ] || fail "validate crashed on random bytes (status $rc)"

# ---- report details ---------------------------------------------------------------------------
# The "data quality (share of accepted rows)" table counts accepted rows only:
# no share over 100%, and of the 8 accepted rows exactly one (G-07) has no
# closed_date (several rejected rows have none either).
awk '/^data quality/ { q = 1; next } q && $2 ~ /%$/ { sub(/%/, "", $2); sub(/%/, "", $3); if ($2 + 0 > 100 || $3 + 0 > 100) print }' \
    "$T/import-utf8.out" >over100.txt
[ ! -s over100.txt ] || fail "data-quality shares over 100%: $(tr '\n' ';' <over100.txt)"
assert_eq "$(awk '$1 == "closed_date" { print $2 }' "$T/import-utf8.out")" "12.5%" \
    "closed_date empty share among accepted rows"

# The rejects report is in file order (the duplicate on line 35 before line 38).
report_rows "$T/rejects-utf8.csv" >got-order.txt
assert_same_file expected.txt got-order.txt "rejects report in file order"

# Encoding detection: one row with invalid UTF-8 bytes (lines 29-30) within
# the first 64 KiB does not make the whole file CP932; the same report as with
# --encoding utf-8.
rm -f "$DB" "$DB-wal" "$DB-shm" rejects.csv
run_import
assert_file_contains "$LAST_OUT" "(utf-8)" "detected encoding"

# An import that fails on a file-level error into a database path that did
# not exist leaves no file behind ("leaves the database exactly as it was").
expect_exit 1 "$KASANE" import -q --db "$T/never.db" --key key empty.csv
[ ! -e "$T/never.db" ] || fail "a failed import created '$T/never.db'"
for f in "$T/never.db-wal" "$T/never.db-shm" "$T/never.db-journal" "$T/never.db.rejects.csv"; do
    [ ! -e "$f" ] || fail "a failed import left '$f'"
done

pass
