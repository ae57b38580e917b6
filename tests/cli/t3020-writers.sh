#!/usr/bin/env bash
# t3020-writers: every command publishes through one writer table (write.h).
# A query or an analysis also writes html (well-formed, self-contained) and
# txt: a default document of a section per table whose tables are line for
# line the table mode's, with the table's footer lines as notes.  The report
# also writes its tables the tables way (table, csv, tsv, json; with --out,
# FILE.NAME.EXT per table), one for each table its HTML shows.  --help and
# the unknown-format message list the writers.  xmllint: Debian package
# libxml2-utils.
. "$(dirname "$0")/lib.sh"

command -v xmllint >/dev/null ||
    fail "xmllint not found: install Debian package libxml2-utils (the HTML well-formedness check needs it)"

keygen key
DB=$T/demo.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key "$KASANE_SOURCE_DIR/datasets/demo/cases.csv"
last=$(sql "$DB" "SELECT value FROM meta WHERE key = 'last_import'")

# lines_in A B WHAT: every line of A is a line of B
lines_in()
{
    local line
    while IFS= read -r line; do
        grep -a -F -x -q -e "$line" "$2" || fail "$3: line '$line' of '$1' is not in '$2'"
    done <"$1"
}

# ---- an analysis as a document ---------------------------------------------------
an() { expect_exit 0 "$KASANE" analyze crosstab district sex --db "$DB" "$@"; }
an --format table
cp "$LAST_OUT" an.table
an --format txt
cp "$LAST_OUT" an.txt
an --format text
assert_same_file "$LAST_OUT" an.txt "--format text is txt"
an --format html
cp "$LAST_OUT" an.html
an --format html --out an2.html
assert_same_file an2.html an.html "--out and stdout (one document, one file)"
assert_eq "$(mode an2.html)" 600 "mode of the --out file"
[ ! -s "$LAST_ERR" ] || fail "a document to --out says nothing on stderr"
xmllint --noout an.html 2>xml.err || fail "analysis HTML is not well-formed: $(head -3 xml.err)"
for bad in '<script' 'src="' 'href="http' '@import' 'url(http'; do
    assert_file_lacks an.html "$bad" "self-contained HTML"
done
head -3 an.txt >head.txt
printf '集計結果\n========\n最終取込 %s｜秘匿基準 k = 5\n' "$last" >want.txt
assert_same_file head.txt want.txt "the default document's head"
assert_file_contains an.txt "----
最終取込 $last｜秘匿基準 k = 5｜kasane " "page footer"

# one section per table, headed by its title, in the table mode's order
grep -a '^\[' an.table | sed 's/^\[\([a-z_]*\)\] \(.*\)$/\1 \2/' >sections.table
[ "$(wc -l <sections.table)" -ge 3 ] || fail "crosstab prints fewer than 3 tables"
grep -a -o '<section id="[^"]*">' an.html | sed 's/.*id="\([^"]*\)".*/\1/' >ids.html
assert_eq "$(tr '\n' ' ' <ids.html)" "$(cut -d' ' -f1 sections.table | tr '\n' ' ')" "sections are the tables, in order"
while read -r name title; do
    assert_file_contains an.html "<section id=\"$name\">
<h2>$title</h2>" "section $name"
    assert_file_contains an.txt "$title" "txt section $name"
done <sections.table

# the txt document holds every table line of the table mode, and every
# footer line ("-- X") as a note ("  X"); the "table: NAME" note excepted
grep -a -v -e '^\[' -e '^-- ' -e '^$' an.table >body.table
lines_in body.table an.txt "table lines"
grep -a '^-- ' an.table | grep -v '^-- table: ' | sed 's/^-- /  /' >notes.table
lines_in notes.table an.txt "footer lines"
# no count 1..4 in a count cell of the HTML
if grep -a -E -q '<td class="n">[1-4]</td>' an.html; then
    fail "a count below k in the analysis HTML"
fi

# ---- a query: one table, English ------------------------------------------------------
expect_exit 0 "$KASANE" query run cases_by_district_fy --db "$DB" --format html --lang en
cp "$LAST_OUT" q.html
xmllint --noout q.html 2>xml.err || fail "query HTML is not well-formed: $(head -3 xml.err)"
assert_file_contains q.html 'lang="en"' "English document"
assert_file_contains q.html "<h1>Results</h1>" "English title"
assert_file_contains q.html "last import $last | k = 5" "English subtitle"
expect_exit 0 "$KASANE" query run cases_by_district_fy --db "$DB" --format md
cp "$LAST_OUT" q.md
expect_exit 0 "$KASANE" query run cases_by_district_fy --db "$DB" --format markdown
assert_same_file "$LAST_OUT" q.md "--format md is markdown (pipe tables for a query)"
grep -a -q '^| ' q.md || fail "markdown of a query is a pipe table"

# ---- the report's tables, the tables way ---------------------------------------------
expect_exit 0 "$KASANE" report --db "$DB" --period FY2025 --format html --out r.html
grep -a -o -E '<(table|div class="cards") id="t-[^"]*"' r.html | sed 's/.*id="\([^"]*\)"/\1/' >ids.report
n=$(wc -l <ids.report)
[ "$n" -ge 15 ] || fail "the report shows fewer than 15 tables ($n)"
mkdir csv
expect_exit 0 "$KASANE" report --db "$DB" --period FY2025 --format csv --out csv/r.csv
(cd csv && ls) | sed 's/^r\.\(.*\)\.csv$/\1/' | sort >ids.csv
sort ids.report >ids.report.sorted
assert_same_file ids.csv ids.report.sorted "one csv file per table of the HTML report"
assert_eq "$(grep -c '^kasane: wrote ' "$LAST_ERR")" "$n" "a line on stderr per file"
assert_eq "$(mode csv/r.t-headline.csv)" 600 "mode of the per-table files"
assert_eq "$(head -1 csv/r.t-headline.csv | tr -d '\r')" "indicator,n_period,n_compare,change,change_pct" \
    "the headline's columns"
expect_exit 0 "$KASANE" report --db "$DB" --period FY2025 --format table
cp "$LAST_OUT" r.table
assert_eq "$(head -1 r.table)" "[t-headline] 主な指標" "table mode heads each table"
assert_eq "$(grep -c '^\[t-' r.table)" "$n" "every table in table mode"
# the headline's new cases: the same in the cards and in the table mode
new=$(grep -o '<div class="big n">[^<]*' r.html | head -1 | sed 's/.*>//')
grep -a -E -q "^新規相談 +$new " r.table || fail "the headline's new cases differ between html ($new) and table"
expect_exit 0 "$KASANE" report --db "$DB" --period FY2025 --format json
assert_eq "$(grep -c '^{"columns":' "$LAST_OUT")" "$n" "one json object per table"

# ---- the writer table is the one list --------------------------------------------------
expect_exit 2 "$KASANE" analyze crosstab district sex --db "$DB" --format pdf
assert_file_contains "$LAST_ERR" "unknown output format 'pdf' (table, csv, tsv, json, markdown, html, txt)" \
    "the unknown-format message lists the writers"
expect_exit 2 "$KASANE" report --db "$DB" --period FY2025 --format pdf
assert_file_contains "$LAST_ERR" "(table, csv, tsv, json, markdown, html, txt)" "the report's too"
for cmd in "query run" "analyze" "report"; do
    # shellcheck disable=SC2086
    expect_exit 0 "$KASANE" $cmd --help
    for w in table csv tsv json markdown html txt; do
        grep -a -E -q "^ +$w +[a-zA-Z]" "$LAST_OUT" || fail "$cmd --help does not list the writer $w"
    done
done
expect_exit 0 "$KASANE" report --help
assert_file_contains "$LAST_OUT" "the output format (default html):" "the report's default"
expect_exit 0 "$KASANE" query run --help
assert_file_contains "$LAST_OUT" "the output format (default table):" "the query's default"

pass
