#!/usr/bin/env bash
# t3030-report-cellkey: `kasane report` under the cell key method (issue 12).
#
# Under `threshold --method cellkey` the report (html and txt) exits 0, names
# the method and the ptable's hash, prints no count in 1..k-1, and its
# headline new-case count and the districts table's new cases equal n +
# pvalue(pcv(n), key sum) computed here from the database file with the
# sqlite3 shell (cellkey.sh, ck_load / ck_published; none of kasane's code).
# Under suppress the report is t3000's (not repeated here).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cellkey.sh"

keygen key
DB=$T/demo.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key "$KASANE_SOURCE_DIR/datasets/demo/cases.csv"
expect_exit 0 "$KASANE" threshold --db "$DB" --key key 5 --method cellkey --ptable default
ck_load

expect_exit 0 "$KASANE" report --db "$DB" --period FY2025 --lang en --format txt --out r.txt
expect_exit 0 "$KASANE" report --db "$DB" --period FY2025 --lang en --format html --out r.html
for f in r.txt r.html; do
    assert_file_contains "$f" "cell key method" "$f names the method"
    assert_file_contains "$f" "$CK_SHA" "$f names the ptable hash"
done

# no count 1..4 in any table cell of the text report (a cell is a run of
# digits between column separators)
if grep -E '(^|[|[:space:]])[1-4]([|[:space:]]|$)' r.txt | grep -vE '^[^|]*$' | grep -q .; then
    fail "a count in 1..4 in a table of the text report"
fi

P_NEW="SELECT c.case_id, k.rkey, c.district_id FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
       WHERE c.consult_date >= '2025-04-01' AND c.consult_date < '2026-04-01'"
want=$(ck_published "$DB" "SELECT '' AS grp, count(*) AS n, coalesce(sum(rkey), 0) AS s FROM ($P_NEW)")
want=${want#,}
# the headline sentence quotes the period's published new-case count
assert_file_contains r.txt "$want new cases this period" "headline new cases = n + pvalue"

# districts: each district's published new cases of the period
CK_KEEP_ZERO=1 ck_published "$DB" "SELECT d.label_en AS grp, count(x.case_id) AS n, coalesce(sum(x.rkey), 0) AS s
    FROM district d LEFT JOIN ($P_NEW) x ON x.district_id = d.district_id GROUP BY d.district_id" >want-d.txt
[ -s want-d.txt ] || fail "no districts in the reference"
while IFS=, read -r name v; do
    # the text table's row: the name, then the period's new cases
    grep -E "^$name +$v( |$)" r.txt >/dev/null ||
        fail "district $name: published new cases $v not in the report's districts table"
done <want-d.txt
pass
