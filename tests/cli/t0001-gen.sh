#!/usr/bin/env bash
# t0001-gen: the synthetic data generator is deterministic, writes the same data
# in UTF-8 and CP932, keeps 23 columns in every record, and its identifiers file
# lists only values that really are in the CSV.
set -euo pipefail
: "${KASANE_GEN:?set KASANE_GEN to the kasane-gen binary}"
: "${KASANE_TEST_TMP:?set KASANE_TEST_TMP to a scratch directory}"
export LC_ALL=C
tmp=$KASANE_TEST_TMP
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"

fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

gen() { "$KASANE_GEN" --rows 2000 "$@"; }

# 1. Same seed, same bytes; another seed, other bytes.
gen --seed 42 -o a.csv
gen --seed 42 -o b.csv
cmp -s a.csv b.csv && ok "same seed gives identical output" || fail "same seed differs"
gen --seed 43 -o c.csv
cmp -s a.csv c.csv && fail "seeds 42 and 43 give the same output" || ok "another seed differs"
gen --seed 42 > d.csv
cmp -s a.csv d.csv && ok "stdout equals -o" || fail "stdout differs from -o"

# 2. Asking for the identifiers changes nothing in the data.
gen --seed 42 --identifiers ids.txt -o e.csv
cmp -s a.csv e.csv && ok "--identifiers leaves the data alone" || fail "--identifiers changed the data"

# 3. CP932 output is the UTF-8 output, converted.
gen --seed 42 --encoding cp932 -o sjis.csv
if iconv -f CP932 -t UTF-8 sjis.csv > back.csv; then
    cmp -s a.csv back.csv && ok "cp932 converts back to the utf-8 output" \
        || fail "cp932 output is not the utf-8 output converted"
else
    fail "iconv cannot read the cp932 output"
fi
cmp -s a.csv sjis.csv && fail "cp932 output is byte-identical to utf-8 (not converted)"

# 4. Variants: BOM, CRLF and English headers change only what they should.
gen --seed 42 --bom -o bom.csv
{ printf '\357\273\277'; cat a.csv; } | cmp -s - bom.csv && ok "--bom prepends a BOM" \
    || fail "--bom output is not BOM + utf-8 output"
gen --seed 42 --headers en -o en.csv
head -n 1 en.csv | grep -q '^record_id,resident_id,name,name_kana,birth_date,' \
    && ok "--headers en writes English headers" || fail "English header row wrong"
cmp -s <(tail -n +2 a.csv) <(tail -n +2 en.csv) && ok "--headers en keeps the data" \
    || fail "--headers en changed the data"
gen --seed 42 --crlf -o crlf.csv
[ "$(grep -c $'\r$' crlf.csv)" -eq 2001 ] && ok "--crlf ends 2001 records with CRLF" \
    || fail "--crlf: expected 2001 CRLF record ends, got $(grep -c $'\r$' crlf.csv)"
"$KASANE_GEN" --seed 1 --bom --encoding cp932 -o /dev/null 2>/dev/null \
    && fail "--bom with cp932 accepted" || ok "--bom with cp932 refused"
"$KASANE_GEN" --start 2019-04 -o /dev/null 2>/dev/null \
    && fail "--start before 2020 accepted" || ok "--start before 2020 refused"

# 5. Every record has the 23 columns (sqlite3's CSV reader says so when not),
#    in every variant; quoted notes with commas, quotes and line breaks included.
head -n 1 a.csv | grep -q '^記録番号,宛名番号,氏名,フリガナ,生年月日,住所,電話番号,世帯番号,性別,世帯構成,地区,相談日,終結日,相談経路,受付機関,課題,支援内容,連携先,本人同意,会議,状況,結果,備考$' \
    && ok "Japanese header row" || fail "Japanese header row wrong"
for f in a.csv crlf.csv en.csv; do
    rm -f "cols-$f.db"
    err=$(sqlite3 "cols-$f.db" ".mode csv" ".import $f cases" 2>&1 >/dev/null || true)
    [ -z "$err" ] || fail "$f: sqlite3 .import complained: $(echo "$err" | head -n 3)"
    n=$(sqlite3 "cols-$f.db" "select count(*) from cases")
    cols=$(sqlite3 "cols-$f.db" "select count(*) from pragma_table_info('cases')")
    [ "$n" = 2000 ] && [ "$cols" = 23 ] && ok "$f: 2000 records of 23 columns" \
        || fail "$f: $n records, $cols columns"
done
db=cols-a.csv.db
multi=$(sqlite3 "$db" "select count(*) from cases where 備考 like '%'||char(10)||'%'")
quoted=$(sqlite3 "$db" "select count(*) from cases where 備考 like '%\"%' or 備考 like '%,%'")
[ "$multi" -gt 0 ] && [ "$quoted" -gt 0 ] && ok "notes exercise CSV quoting ($multi multi-line, $quoted with , or \")" \
    || fail "no multi-line ($multi) or quoted ($quoted) notes"
dup=$(sqlite3 "$db" "select count(*) - count(distinct 記録番号) from cases")
[ "$dup" = 0 ] && ok "record ids are unique" || fail "$dup duplicate record ids"
bad=$(sqlite3 "$db" "select count(*) from cases where 状況 in ('継続','ongoing') and 終結日 <> ''
                     or 状況 not in ('継続','ongoing') and 終結日 = ''")
[ "$bad" = 0 ] && ok "closed_date present exactly when not ongoing" || fail "$bad rows with wrong closed_date"

# 6. The identifiers file: no blank line, nothing short, and every value in the CSV.
[ -s ids.txt ] || fail "identifiers file is empty"
grep -q '^$' ids.txt && fail "identifiers file has a blank line"
short=$(awk 'length($0) < 6' ids.txt | wc -l)
[ "$short" -eq 0 ] && ok "identifiers are at least 6 bytes" || fail "$short identifiers shorter than 6 bytes"
sort -u ids.txt > ids.u
grep -o -F -f ids.u a.csv | sort -u > found.u
# grep -o reports one match per position, so an identifier inside a longer one
# (an address with and without 東京都) may be hidden: check those one by one.
missing=0
while IFS= read -r id; do
    grep -q -F -- "$id" a.csv || missing=$((missing + 1))
done < <(comm -23 ids.u found.u)
[ "$missing" -eq 0 ] && ok "all $(wc -l < ids.u) distinct identifiers appear in the CSV" \
    || fail "$missing identifiers do not appear in the CSV"
# No identifier may look like a consult or closed date (birth dates stay before 2016).
sqlite3 "$db" "create table ids(v text)" ".mode csv" ".import ids.u ids" 2>/dev/null
clash=$(sqlite3 "$db" "select count(*) from ids where v in (select 相談日 from cases union select 終結日 from cases)")
[ "$clash" = 0 ] && ok "no identifier equals a consult or closed date" || fail "$clash identifiers equal a date in the data"
for col in 記録番号 氏名 生年月日; do
    n=$(sqlite3 "$db" "select count(*) from cases where $col <> '' and $col not in (select v from ids)")
    [ "$n" = 0 ] && ok "every $col is listed as an identifier" || fail "$n values of $col not in the identifiers file"
done

if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
