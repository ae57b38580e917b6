#!/usr/bin/env bash
# t1010-queries: the query library (queries/*.sql).
#
#  1. Every query against a hand-made 56-row fixture whose right answers were
#     worked out by hand from its design (tests/fixtures/queries/README.md),
#     with the default parameters, with some parameters set, and in English.
#     Counts 1-4 must come out hidden (<5, or x in tables with totals).
#  2. The quartiles of duration_by_main_problem agree with R's type-1
#     quantiles (tests/ref/queries/duration_quartiles.R, values committed).
#  3. Every query is listed with its title, and runs with --lang en and
#     --format json (valid JSON).
#  4. On the 3,000-row demo, four counts agree with an independent count of
#     the CSV itself in awk (districts, statuses, household types, main
#     problems), after normalising the mixed Japanese/English labels.
. "$(dirname "$0")/lib.sh"

FX=$KASANE_SOURCE_DIR/tests/fixtures/queries
QDIR=$KASANE_SOURCE_DIR/queries
DEMO=$KASANE_SOURCE_DIR/datasets/demo/cases.csv
mkdir -p got

keygen key
expect_exit 0 "$KASANE" import -q --db fx.db --key key "$FX/cases.csv"
assert_eq "$(sql fx.db 'SELECT count(*) FROM case_record')" 56 "fixture cases"
assert_eq "$(sql fx.db 'SELECT count(*) FROM person')" 48 "fixture persons (8 come back)"
assert_eq "$(sql fx.db 'SELECT count(*) FROM household')" 22 "fixture households"

# run_csv NAME OUT [ARGS...]: the query as CSV with line ends made LF
run_csv()
{
    local name=$1 out=$2
    shift 2
    expect_exit 0 "$KASANE" query run "$name" --db fx.db --format csv "$@"
    tr -d '\r' <"$LAST_OUT" >"$out"
}

# ---- 1. fixture, default parameters ----------------------------------------
n=0
for f in "$QDIR"/*.sql; do
    name=$(basename "$f" .sql)
    [ -f "$FX/expected/$name.csv" ] || fail "query '$name' has no expected result in $FX/expected"
done
for e in "$FX"/expected/*.csv; do
    name=$(basename "$e" .csv)
    run_csv "$name" "got/$name.csv"
    assert_same_file "got/$name.csv" "$e" "query $name on the fixture"
    n=$((n + 1))
done
note "$n queries match their hand-derived results"

# ---- 1b. with parameters: expected/params/NAME@PARAM=VALUE.csv ---------------
for e in "$FX"/expected/params/*.csv; do
    b=$(basename "$e" .csv)
    name=${b%%@*}
    run_csv "$name" "got/$b.csv" --param "${b#*@}"
    assert_same_file "got/$b.csv" "$e" "query $name with ${b#*@}"
done

# ---- 1c. English labels -------------------------------------------------------
for e in "$FX"/expected/en/*.csv; do
    name=$(basename "$e" .csv)
    run_csv "$name" "got/en-$name.csv" --lang en
    assert_same_file "got/en-$name.csv" "$e" "query $name in English"
done

# ---- 2. quartiles against R ---------------------------------------------------
# Groups with n >= k (5) must give R's numbers; smaller ones show no quartile.
grep -v '^#' "$KASANE_SOURCE_DIR/tests/ref/queries/duration_quartiles.csv" | tail -n +2 |
    awk -F, '$2 >= 5' >ref_q.txt
tail -n +2 "got/duration_by_main_problem.csv" | awk -F, '$2 !~ /^[<x]/' >got_q.txt
assert_same_file got_q.txt ref_q.txt "duration quartiles against R type 1"
assert_file_contains "got/duration_by_main_problem.csv" "ヤングケアラー,<5,x,x,x" "quartiles of a hidden group are hidden"

# ---- 3. list, English, JSON for every query ------------------------------------
expect_exit 0 "$KASANE" query list --format csv
tr -d '\r' <"$LAST_OUT" >list.csv
for f in "$QDIR"/*.sql; do
    name=$(basename "$f" .sql)
    title=$(sed -n 's/^-- title: //p' "$f" | head -1)
    title_en=$(sed -n 's/^-- title_en: //p' "$f" | head -1)
    [ -n "$title" ] && [ -n "$title_en" ] || fail "$name: needs '-- title:' and '-- title_en:'"
    grep -q '^-- description: ..' "$f" || fail "$name: needs '-- description:'"
    assert_file_contains list.csv "$name,$title," "query list shows $name with its title"
    expect_exit 0 "$KASANE" query run "$name" --db fx.db --lang en --format json
    cp "$LAST_OUT" "got/$name.json"
    assert_eq "$(sqlite3 :memory: "SELECT json_valid(readfile('got/$name.json'))")" 1 "$name: --format json is valid JSON"
    expect_exit 0 "$KASANE" query run "$name" --db fx.db --lang en --format table
    assert_file_lacks "$LAST_OUT" "未記入" "$name: --lang en leaves no Japanese 未記入"
done

# ---- 4. the demo against the CSV itself -------------------------------------------
expect_exit 0 "$KASANE" import -q --db demo.db --key key "$DEMO"

# csv_fields COL... < file: the named columns of an RFC 4180 file (quoted
# fields may hold commas, quotes and line breaks), tab-separated, one line per
# record, header dropped.  Plain mawk: bytes only, so UTF-8 passes through.
csv_fields()
{
    awk -v want="$*" '
    function parse(s,    i, c, f, inq, n) {
        n = 0; f = ""; inq = 0
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (inq) {
                if (c == "\"") {
                    if (substr(s, i + 1, 1) == "\"") { f = f "\""; i++ } else inq = 0
                } else f = f c
            } else if (c == "\"") inq = 1
            else if (c == ",") { fld[++n] = f; f = "" }
            else if (c != "\r") f = f c
        }
        fld[++n] = f
        return n
    }
    {
        rec = pending == "" ? $0 : pending "\n" $0
        t = rec; q = gsub(/"/, "", t)
        if (q % 2) { pending = rec; next }
        pending = ""
        n = parse(rec)
        if (++row == 1) {
            nw = split(want, w, " ")
            for (j = 1; j <= nw; j++)
                for (i = 1; i <= n; i++)
                    if (fld[i] == w[j]) col[j] = i
            for (j = 1; j <= nw; j++)
                if (!col[j]) { print "no column " w[j] > "/dev/stderr"; exit 1 }
            next
        }
        line = ""
        for (j = 1; j <= nw; j++)
            line = line (j > 1 ? "\t" : "") fld[col[j]]
        print line
    }'
}

# normalise KIND: trims ASCII and U+3000 spaces, maps English codes to the
# Japanese labels, keeps the first value of a multi-valued field.
normalise()
{
    awk -v kind="$1" '
    BEGIN {
        n = split("closed 終結 ongoing 継続 suspended 中断 " \
                  "single 単身 couple 夫婦のみ parent_child 親と子 single_parent ひとり親 " \
                  "three_generation 三世代 other その他 " \
                  "care 介護 dementia 認知症 disability 障がい mental_health 精神保健 child 子育て " \
                  "school_refusal 不登校 poverty 生活困窮 debt 債務・家計 housing 住まい employment 就労 " \
                  "hikikomori ひきこもり 8050 8050問題 double_care ダブルケア young_carer ヤングケアラー " \
                  "abuse 虐待 dv DV isolation 社会的孤立 self_neglect セルフネグレクト foreign 外国籍・言語 " \
                  "health 健康・医療 suicide_risk 自殺念慮", a, " ")
        for (i = 1; i < n; i += 2) map[a[i]] = a[i + 1]
        ws = "\343\200\200"
    }
    function trim(s) {
        for (;;) {
            if (substr(s, 1, 1) == " ") s = substr(s, 2)
            else if (substr(s, 1, 3) == ws) s = substr(s, 4)
            else if (substr(s, length(s), 1) == " ") s = substr(s, 1, length(s) - 1)
            else if (length(s) >= 3 && substr(s, length(s) - 2) == ws) s = substr(s, 1, length(s) - 3)
            else return s
        }
    }
    function first(s,    i, cut, sep, k) {
        cut = length(s) + 1
        split(";|\343\200\201|\357\274\217", sep, "|")   # ; 、 ／
        for (k = 1; k <= 3; k++) { i = index(s, sep[k]); if (i && i < cut) cut = i }
        return substr(s, 1, cut - 1)
    }
    {
        v = $0
        if (kind == "first") v = first(v)
        v = trim(v)
        if (v in map) v = map[v]
        if (v == "") v = "未記入"
        print v
    }'
}

# count_csv COLUMN KIND: "label<TAB>count" for every value, sorted
count_csv() { csv_fields "$1" <"$DEMO" | normalise "$2" | sort | uniq -c | awk '{ print $2 "\t" $1 }' | sort; }

# count_query NAME LABEL_COL COUNT_COL: "label<TAB>count" from a query (the
# total row, zeros and hidden cells left out); COUNT_COL 0 = the last column
count_query()
{
    expect_exit 0 "$KASANE" query run "$1" --db demo.db --format csv
    tr -d '\r' <"$LAST_OUT" | tail -n +2 |
        awk -F, -v l="$2" -v c="$3" '{ v = c ? $c : $NF } $l != "合計" && v ~ /^[0-9]+$/ && v > 0 { print $l "\t" v }' |
        sort
}

# compare WHAT CSV-SIDE QUERY-SIDE: every label the query shows must have the
# CSV's count; and together they must cover every case
compare()
{
    local what=$1
    join -t "$(printf '\t')" -a 1 -e MISSING -o 0,1.2,2.2 "$2" "$3" >"cmp_$what.txt"
    awk -F'\t' '$3 != "MISSING" && $2 != $3 { bad = 1; print "  " $0 } END { exit bad }' "cmp_$what.txt" ||
        fail "$what: the query disagrees with the CSV (label, csv, query) above"
    local covered
    covered=$(awk -F'\t' '{ s += $2 } END { print s }' "$3")
    assert_eq "$covered" 3000 "$what: cases covered by the query's visible rows"
}

count_csv 地区 plain >csv_district.txt
count_query cases_by_district_fy 1 0 >q_district.txt
compare district csv_district.txt q_district.txt

count_csv 状況 plain >csv_status.txt
count_query status_by_fy 1 0 >q_status.txt
compare status csv_status.txt q_status.txt

count_csv 世帯構成 plain >csv_household.txt
count_query cases_by_household_type 1 2 >q_household.txt
compare household_type csv_household.txt q_household.txt

count_csv 課題 first >csv_main.txt
count_query problems_all 1 3 >q_main.txt
compare main_problem csv_main.txt q_main.txt

pass
