#!/usr/bin/env bash
# t0020-privacy: after importing (UTF-8 and CP932 input), no identifying value
# from the input is anywhere on disk — database, WAL/SHM/journal, rejects
# report, logs, temp files — in any of its encodings or its normalised form.
# The scan itself is shown to catch planted values.
. "$(dirname "$0")/lib.sh"

ROWS=2000
SEED=20
mkdir input
gen --rows $ROWS --seed $SEED --identifiers input/ids-utf8.txt -o input/utf8.csv
gen --rows $ROWS --seed $SEED --encoding cp932 --identifiers input/ids-cp932.txt -o input/cp932.csv
assert_same_file input/ids-utf8.txt input/ids-cp932.txt "identifier lists of the same seed"
[ "$(grep -c . input/ids-utf8.txt)" -gt $((ROWS * 3)) ] || fail "suspiciously few identifiers listed"
keygen key

# Rows of our own, with identifiers of their own: three the import must reject
# (so a rejects report exists) and one good row whose notes hold a name.
# Columns as kasane-gen writes them:
# 記録番号,宛名番号,氏名,フリガナ,生年月日,住所,電話番号,世帯番号,性別,世帯構成,地区,相談日,終結日,
# 相談経路,受付機関,課題,支援内容,連携先,本人同意,会議,状況,結果,備考
cat >input/extra.csv <<'EOF'
ZR-900001,900000000001,秘密 花子,ヒミツ ハナコ,1961/7/7,三鷹市秘密町1-2-3,090-1111-2222,ZH-7777001,女,単身,北部,2024/4/1,,本人,,介護,,,あり,,継続,,秘密花子さんの件
ZR-900002,900000000002,隠岐　乙女,オキ　オトメ,S38.8.18,三鷹市隠岐町3丁目4番5号,0422-99-8877,ZH-7777002,女,単身,東部,2024/4/31,,本人,,介護,,,あり,,継続,,
ZR-900003,,伏見 三郎,フシミ サブロウ,1955-12-24,三鷹市伏見台9-9-9　コーポ伏見101,080-3333-4444,ZH-7777003,宇宙人,単身,西部,2024/6/1,,本人,,介護,,,あり,,継続,,
ZG-900004,900000000004,匿名 次郎,トクメイ ジロウ,S40.3.3,三鷹市匿名町2-2-2,070-5555-6666,ZH-7777004,男,単身,東部,2024/4/1,,本人,,介護,,,あり,,継続,,"匿名次郎さん（電話070-5555-6666）より相談"
EOF
cat >input/extra-ids.txt <<'EOF'
ZR-900001
900000000001
秘密 花子
ヒミツ ハナコ
1961/7/7
三鷹市秘密町1-2-3
090-1111-2222
ZH-7777001
ZR-900002
900000000002
隠岐　乙女
オキ　オトメ
S38.8.18
三鷹市隠岐町3丁目4番5号
0422-99-8877
ZH-7777002
ZR-900003
伏見 三郎
フシミ サブロウ
1955-12-24
三鷹市伏見台9-9-9　コーポ伏見101
080-3333-4444
ZH-7777003
ZG-900004
900000000004
匿名 次郎
トクメイ ジロウ
S40.3.3
三鷹市匿名町2-2-2
070-5555-6666
ZH-7777004
匿名次郎さん（電話070-5555-6666）より相談
EOF
cat input/utf8.csv input/extra.csv >input/utf8-plus.csv
{ cat input/cp932.csv; iconv -f UTF-8 -t CP932 input/extra.csv; } >input/cp932-plus.csv

# split_patterns: patterns.txt into its all-digit lines and the others (scan)
split_patterns()
{
    grep -E '^[0-9]+$' patterns.txt >patterns-num.txt || true
    grep -v -E '^[0-9]+$' patterns.txt >patterns-text.txt || true
    [ -s patterns-num.txt ] && [ -s patterns-text.txt ] || fail "patterns: expected both numbers and text"
}

# ---- the patterns -----------------------------------------------------------
# Every identifier as written, and with every space (ASCII and U+3000) removed
# (the importer's person-key form); each in UTF-8 and in CP932; plus the NFKC
# forms when perl can make them.  No empty line: an empty pattern matches all.
cat input/ids-utf8.txt input/extra-ids.txt >ids-all.txt
{
    cat ids-all.txt
    sed -e 's/ //g' -e 's/　//g' ids-all.txt
    if perl -MUnicode::Normalize -e 1 2>/dev/null; then
        perl -CSD -MUnicode::Normalize -ne 'print NFKC($_)' ids-all.txt
        perl -CSD -MUnicode::Normalize -ne '$_ = NFKC($_); s/[ \x{3000}]//g; print' ids-all.txt
    else
        note "perl Unicode::Normalize missing: NFKC forms not scanned"
    fi
} | grep -v '^$' | sort -u >pat-utf8.txt
iconv -f UTF-8 -t CP932 pat-utf8.txt >pat-cp932.txt || fail "an identifier has no CP932 form"
cat pat-utf8.txt pat-cp932.txt | grep -v '^$' | sort -u >patterns.txt
assert_eq "$(grep -c '^$' patterns.txt || true)" 0 "empty lines in the pattern file"
split_patterns
[ "$(wc -l <patterns.txt)" -gt "$(wc -l <ids-all.txt)" ] || fail "pattern file lost lines"
note "$(wc -l <patterns.txt) patterns, shortest $(awk 'NR == 1 || length($0) < m { m = length($0) } END { print m }' patterns.txt) bytes"
# the inputs really hold the identifiers in their encodings: the scan can see them
grep -a -F -q -f pat-utf8.txt input/utf8-plus.csv || fail "no UTF-8 identifier found in the UTF-8 input"
iconv -f UTF-8 -t CP932 input/ids-utf8.txt | grep -v '^$' >ids-cp932-bytes.txt
grep -a -F -q -f ids-cp932-bytes.txt input/cp932-plus.csv || fail "no CP932 identifier found in the CP932 input"
if grep -a -F -q -f pat-utf8.txt input/cp932.csv; then
    # only pure-ASCII identifiers (numbers, ASCII dates) may match both
    grep -a -F -o -f pat-utf8.txt input/cp932.csv | LC_ALL=C grep -q '[^ -~]' &&
        fail "a non-ASCII UTF-8 identifier matched the CP932 input"
fi

# scan DIR...: lists every file under DIR with a hit (and what matched).
# Returns 0 when nothing matched.
scan()
{
    local hits
    # one grep per pattern kind over all files: building the automaton is the
    # costly part.  Identifiers that are all digits (resident numbers, dates
    # written 19711217) must stand as a whole number: a 19-digit person_id in
    # a row-level output holds some 8-digit run of some birth date by chance.
    # A stored identifier would be a whole value (and the exact TEXT check
    # below sees every text value of the database).
    hits=$({
        find "$@" -type f -print0 | xargs -0 grep -a -F -c -H -f patterns-text.txt
        find "$@" -type f -print0 | xargs -0 grep -a -F -w -c -H -f patterns-num.txt
    } | grep -v ':0$' || true)
    if [ -n "$hits" ]; then
        echo "identifiers found on disk (file:lines):" >&2
        echo "$hits" >&2
        return 1
    fi
    # the scan looked at something
    [ -n "$(find "$@" -type f -print -quit)" ] || fail "scan: no files under $*"
}

# ---- import both into their own directories ---------------------------------
for enc in utf8 cp932; do
    d=$T/$enc
    mkdir -p "$d/tmp"
    rc=0
    TMPDIR=$d/tmp SQLITE_TMPDIR=$d/tmp "$KASANE" import --db "$d/cases.db" --key key --rejects "$d/rejects.csv" \
        "input/$enc-plus.csv" >"$d/import.out" 2>"$d/import.err" || rc=$?
    LAST_OUT=$d/import.out LAST_ERR=$d/import.err
    assert_eq "$rc" 1 "$enc import exit status (rows rejected)"
    assert_eq "$(summary_get inserted "$d/import.out")" $((ROWS + 1)) "$enc rows inserted"
    assert_eq "$(summary_get rejected "$d/import.out")" 3 "$enc rows rejected"
    assert_eq "$(summary_get unknown_district "$d/import.out")" 1 "$enc unknown_district rejects"
    assert_eq "$(summary_get impossible_date "$d/import.out")" 1 "$enc impossible_date rejects"
    assert_eq "$(summary_get unknown_code "$d/import.out")" 1 "$enc unknown_code rejects"
    [ -f "$d/rejects.csv" ] || fail "$enc: no rejects report"
    base=$(wc -l <"input/$enc.csv")
    assert_eq "$(tail -n +2 "$d/rejects.csv" | awk -F, '{ print $2 "," $3 "," $4 "," $5 }' | tr '\n' ' ')" \
        "$((base + 1)),11,district,unknown_district $((base + 2)),12,consult_date,impossible_date $((base + 3)),9,sex,unknown_code " \
        "$enc rejects report"
    # a second import of the same file, and a validation, log into the same place
    rc=0
    TMPDIR=$d/tmp "$KASANE" import --db "$d/cases.db" --key key --rejects "$d/rejects2.csv" \
        "input/$enc-plus.csv" >"$d/import2.out" 2>"$d/import2.err" || rc=$?
    assert_eq "$rc" 1 "$enc re-import exit status"
    rc=0
    TMPDIR=$d/tmp "$KASANE" validate --rejects "$d/validate-rejects.csv" "input/$enc-plus.csv" \
        >"$d/validate.out" 2>"$d/validate.err" || rc=$?
    assert_eq "$rc" 1 "$enc validate exit status"
    assert_eq "$(sql "$d/cases.db" 'SELECT count(*) FROM case_record')" $((ROWS + 1)) "$enc case_record rows"
    # what analysts and coordinators produce from the database lands beside
    # it too: every library query, row-level output, analyses and the report
    for q in $("$KASANE" query list --format tsv | awk -F'\t' 'NR > 1 { print $1 }'); do
        TMPDIR=$d/tmp "$KASANE" query run "$q" --db "$d/cases.db" --format csv --out "$d/query-$q.csv" \
            2>>"$d/query.err" || fail "$enc query $q failed"
    done
    TMPDIR=$d/tmp "$KASANE" query sql 'SELECT * FROM v_case' --row-level --db "$d/cases.db" --format json \
        --out "$d/rows.json" 2>>"$d/query.err" || fail "$enc row-level query failed"
    TMPDIR=$d/tmp "$KASANE" analyze cooccur --db "$d/cases.db" --format json >"$d/cooccur.json" 2>>"$d/analyze.err" ||
        fail "$enc analyze cooccur failed"
    TMPDIR=$d/tmp "$KASANE" report --period 2020-04..2026-03 --db "$d/cases.db" --format html --out "$d/report.html" \
        2>>"$d/report.err" || fail "$enc report failed"
    [ -s "$d/report.html" ] && [ -s "$d/rows.json" ] || fail "$enc: outputs missing"
done
LAST_OUT=$T/last.out LAST_ERR=$T/last.err

if ! scan utf8 cp932; then
    fail "identifying values found on disk after import"
fi

# A live WAL: import into a copy while a reader holds a read transaction open,
# so that the committed frames stay in the -wal (the writer cannot checkpoint
# them back) and -shm exists; scan while it is so.
mkdir live
cp utf8/cases.db live/cases.db
gen --rows 5000 --seed $((SEED + 1)) --identifiers input/ids-live.txt -o input/live.csv
{ cat input/ids-live.txt; sed -e 's/ //g' -e 's/　//g' input/ids-live.txt; } | grep -v '^$' >>pat-utf8.txt
iconv -f UTF-8 -t CP932 pat-utf8.txt >pat-cp932.txt
cat pat-utf8.txt pat-cp932.txt | grep -v '^$' | sort -u >patterns.txt
split_patterns
coproc READER { sqlite3 -batch live/cases.db; }
reader_pid=$READER_PID
echo "BEGIN; SELECT count(*) FROM case_record;" >&"${READER[1]}"
read -r -t 10 held <&"${READER[0]}" || fail "the reader did not answer"
assert_eq "$held" $((ROWS + 1)) "the reader's view"
TMPDIR=$T/live "$KASANE" import -q --db live/cases.db --key key input/live.csv >live/import.out 2>live/import.err &
pid=$!
# The import commits, then waits for the reader to let it checkpoint: wait for
# the -wal to stop growing.
prev=-1
for _ in $(seq 300); do
    size=$(stat -c %s live/cases.db-wal 2>/dev/null || echo 0)
    [ "$size" -gt 1000000 ] && [ "$size" = "$prev" ] && break
    kill -0 "$pid" 2>/dev/null || break
    prev=$size
    sleep 0.1
done
[ "$(stat -c %s live/cases.db-wal 2>/dev/null || echo 0)" -gt 1000000 ] ||
    fail "no sizeable -wal while a reader holds a snapshot"
scan live || fail "identifying values found in a live database / WAL"
echo "COMMIT;" >&"${READER[1]}"
eval "exec ${READER[1]}>&-" # end of input: the reader quits
wait "$reader_pid" || true
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 0 "import beside a reader: exit status ($(cat live/import.err))"
assert_eq "$(summary_get 'rows read' live/import.out)" 5000 "rows read beside a reader"
# (record numbers restart every seed: some are updates of the first import's)
assert_eq "$(($(summary_get inserted live/import.out) + $(summary_get updated live/import.out)))" 5000 \
    "rows inserted or updated beside a reader"
scan live || fail "identifying values found after the reader closed"

# ---- the scan can fail --------------------------------------------------------
mkdir planted
# a UTF-8 identifier appended to a copy of the database
id_utf8=$(grep -m1 -P '[^\x00-\x7f]' input/ids-utf8.txt) || fail "no non-ASCII identifier"
cp utf8/cases.db planted/cases.db
printf '%s' "$id_utf8" >>planted/cases.db
scan planted 2>/dev/null && fail "the scan missed a planted UTF-8 identifier"
# the same identifier in CP932 bytes only
cp utf8/cases.db planted/cases.db
printf '%s' "$id_utf8" | iconv -f UTF-8 -t CP932 >>planted/cases.db
cmp -s utf8/cases.db planted/cases.db && fail "planting changed nothing"
grep -a -F -q -e "$id_utf8" planted/cases.db && fail "the CP932 plant holds the UTF-8 bytes"
scan planted 2>/dev/null && fail "the scan missed a planted CP932 identifier"
# a name with its space removed (the normalised person-key form), in the middle
cp utf8/cases.db planted/cases.db
spaced=$(grep -m1 -e '^[^ ]* [^ ]*$' input/ids-utf8.txt | grep -v '^[ -~]*$' || true)
[ -n "$spaced" ] || spaced='秘密 花子'
{ head -c 4096 utf8/cases.db; printf '%s' "${spaced// /}"; tail -c +4097 utf8/cases.db; } >planted/cases.db
scan planted 2>/dev/null && fail "the scan missed a planted space-free name"
# a planted value in a -wal file is seen too (the scan covers every file)
cp utf8/cases.db planted/cases.db
printf 'xx%syy' "$(sed -n 3p input/ids-utf8.txt)" >planted/cases.db-wal
scan planted 2>/dev/null && fail "the scan missed a planted identifier in a -wal file"
# an all-digit identifier as a whole value is found; inside a longer number
# (a pseudonymous id that happens to contain it) it is not
num=$(grep -m1 -E '^[0-9]{8,}$' input/ids-utf8.txt || true)
[ -n "$num" ] || fail "setup: no all-digit identifier in the input"
rm -f planted/*
cp utf8/cases.db planted/cases.db
printf '"person_id":%s,' "$num" >planted/rows.json
scan planted 2>/dev/null && fail "the scan missed a planted all-digit identifier"
printf '"person_id":-7%s31,' "$num" >planted/rows.json
scan planted 2>/dev/null || fail "the scan flagged an all-digit identifier inside a longer number"
rm -rf planted

# ---- no column can hold text from the input ------------------------------------
for enc in utf8 cp932; do
    db=$enc/cases.db
    : >"$enc-text.txt"
    for t in $(sql "$db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        for c in $(sql "$db" "SELECT name FROM pragma_table_info('$t') ORDER BY cid"); do
            sql "$db" "SELECT DISTINCT \"$c\" FROM \"$t\" WHERE typeof(\"$c\") = 'text'" >>"$enc-text.txt"
        done
    done
    [ "$(wc -l <"$enc-text.txt")" -gt 50 ] || fail "$enc: the text dump is too small to mean anything"
    # the dump does see labels, so it would see identifiers stored as text
    grep -q -x -F '新川中原' "$enc-text.txt" || fail "$enc: district labels missing from the text dump"
    if grep -a -x -F -f pat-utf8.txt "$enc-text.txt" >"$enc-text-hits.txt"; then
        fail "$enc: TEXT values equal to identifiers: $(head -3 "$enc-text-hits.txt")"
    fi
    # case_record holds no free text at all: its text columns are dates and months
    bad=$(sql "$db" "SELECT count(*) FROM case_record WHERE
            consult_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]' OR
            consult_month NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]' OR
            (closed_date IS NOT NULL AND closed_date NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')")
    assert_eq "$bad" 0 "$enc: case_record text values that are not dates"
    for col in $(sql "$db" "SELECT name FROM pragma_table_info('case_record') WHERE name NOT IN ('consult_date','consult_month','closed_date')"); do
        n=$(sql "$db" "SELECT count(*) FROM case_record WHERE typeof(\"$col\") = 'text'")
        assert_eq "$n" 0 "$enc: text values in case_record.$col"
    done
    # the only free-text column left anywhere is import_batch.input_name (the file name)
    assert_eq "$(sql "$db" 'SELECT DISTINCT input_name FROM import_batch')" "$enc-plus.csv" "$enc: batch input name"
done

pass
