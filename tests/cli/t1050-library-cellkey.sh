#!/usr/bin/env bash
# t1050-library-cellkey: the query library under the cell key method (issue
# 12): each library query declares, next to each count, the sum of the
# record keys of the units it counts (`-- keysum: n = n_key`, query.h), and
# with the database's method set to cellkey every count is published
# perturbed through the ptable.
#
#  a. Every library query runs under --method cellkey (exit 0) in every
#     format, publishes no count in 1..k-1, names the ptable's SHA-256 in its
#     footer, and prints no keysum column (csv/tsv/markdown/table/json: no
#     column name, label or header ending in _key).
#  b. Six queries of different shapes equal the reference computation, cell
#     for cell: n + pvalue(pcv(n), key sum mod 256), done here with sqlite3
#     on the database file and the default ptable file (cellkey.sh), the key
#     sums taken from case_record/record_key directly with SQL of this test
#     (independent of the query's own keysum SQL):
#       cases_by_district_fy     a pivot with totals (a total's key: all its cases')
#       cases_by_household_type  a plain table with a total row
#       problems_all             multiple answers (a case once per problem it lists),
#                                and its share computed again from perturbed counts
#       outcomes_by_partner      multiple answers over partners, a FILTER count
#       compound_households      households (record keys of unit 3) and cases
#       reconsultation           closures followed by a new case of the same person
#     (No library query counts persons; t1040 checks person keys ad hoc.)
#  c. A table with totals whose perturbed parts no longer add up says so in
#     its footer.
#  d. Header errors: a keysum declaration that names no count is an error at
#     file:line, and an outside file may not declare one (ad-hoc rules).  (A
#     keysum column the statement does not return is an error at the
#     declaration's line too: tests/unit/test_query_keysum.c, which can run
#     a query as a library one.)
#  e. A schema-3 database read as it is (no record_key) still runs every
#     library query under the default method, with the same counts.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cellkey.sh"

keygen key
gen --rows 3000 --seed 50 -o cases.csv
expect_exit 0 "$KASANE" import -q --db plain.db --key key cases.csv
cp plain.db db
expect_exit 0 "$KASANE" threshold --db db --key key --method cellkey
ck_load
K=5
note "default ptable: key range $CK_RANGE, largest perturbation $CK_D, SHA-256 $CK_SHA"

QUERIES=$("$KASANE" query list | awk '$1 ~ /^[a-z_]+$/ { print $1 }')
nq=$(echo "$QUERIES" | wc -l)
[ "$nq" -ge 22 ] || fail "only $nq library queries listed"

# ---- a. every query, every format ------------------------------------------------
mkdir -p out
for q in $QUERIES; do
    for f in table csv tsv markdown json; do
        expect_exit 0 "$KASANE" query run "$q" --db db --format "$f"
        cp "$LAST_OUT" "out/$q.$f"
        assert_file_lacks "$LAST_OUT" "_key" "$q ($f): a keysum column"
    done
    assert_file_contains "out/$q.table" "秘匿処理: セルキー法 (ptable SHA-256 $CK_SHA)" "$q: the footer names the ptable"
    expect_exit 0 "$KASANE" query run "$q" --db db --lang en
    assert_file_contains "$LAST_OUT" "disclosure control: cell key method (ptable SHA-256 $CK_SHA)" "$q: English footer"
    # the JSON columns: none a key sum; every count published outside 1..k-1
    assert_eq "$(sqlite3 :memory: "SELECT count(*) FROM json_each(json_extract(readfile('out/$q.json'), '\$.columns'))
        WHERE json_extract(value, '\$.name') LIKE '%key%'")" 0 "$q: JSON columns"
    small=$(sqlite3 :memory: "SELECT count(*) FROM json_each(json_extract(readfile('out/$q.json'), '\$.rows')) r,
        json_each(json_extract(readfile('out/$q.json'), '\$.columns')) c
        WHERE json_extract(c.value, '\$.role') = 'count'
          AND json_type(r.value, '\$[' || c.key || ']') = 'integer'
          AND json_extract(r.value, '\$[' || c.key || ']') BETWEEN 1 AND $((K - 1))")
    assert_eq "$small" 0 "$q: published counts in 1..$((K - 1))"
done
note "$nq library queries run under the cell key method in 5 formats"

# ---- b. against the reference ----------------------------------------------------

# long CSV NKEYS [COLUMN...]: "key,column,value" for each count cell of the
# CSV output (the first NKEYS columns joined by '|' are the row's key; the
# named columns, or every other one for a pivot), sorted.
long()
{
    local file=$1 nk=$2
    shift 2
    tr -d '\r' <"$file" | awk -F, -v nk="$nk" -v want="$*" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) keep[w[i]] = 1 }
        NR == 1 { for (i = 1; i <= NF; i++) h[i] = $i; next }
        { k = $1; for (i = 2; i <= nk; i++) k = k "|" $i
          for (i = nk + 1; i <= NF; i++) if (n == 0 || (h[i] in keep)) print k "," h[i] "," $i }' | sort
}

# ref UNIT UNITS: the reference for the cells UNITS names: UNITS is SQL
# returning (id, grp) pairs, grp as "key,column" for each unit counted in
# that cell, id a unit of record_key.unit UNIT.  Prints "key,column,value".
ref()
{
    CK_KEEP_ZERO=1 ck_published db "SELECT grp, count(*) AS n, sum(k.rkey) AS s
        FROM (SELECT DISTINCT id, grp FROM ($2)) u JOIN record_key k ON k.unit = $1 AND k.id = u.id GROUP BY grp"
}

# check NAME GOT WANT: every cell of GOT ("key,column,value") against WANT's
# groups; a cell without a group is 0.  Some cells must have moved.
check()
{
    local name=$1 got=$2 want=$3
    awk -F, 'NR == FNR { v[$1 "," $2] = $3; next } { k = $1 "," $2; print k "," (k in v ? v[k] : 0) }' \
        "$want" <(cut -d, -f1,2 "$got") | sort >"$name.want"
    assert_same_file "$got" "$name.want" "$name: every count against the reference"
    [ "$(wc -l <"$got")" -ge 3 ] || fail "$name: only $(wc -l <"$got") cells"
    note "$name: $(wc -l <"$got") cells equal the reference"
}

# the true counts of a run under the default method (the same database
# without --method): how many published cells moved
moved()
{
    local q=$1 nk=$2
    shift 2
    expect_exit 0 "$KASANE" query run "$q" --db plain.db --format csv
    cp "$LAST_OUT" "$q.plain.csv"
    long "$q.plain.csv" "$nk" "$@" >"$q.true"
    comm -23 "$q.got" "$q.true" | wc -l
}

# cases_by_district_fy: a pivot with totals
long out/cases_by_district_fy.csv 1 >dfy.got
ref 1 "SELECT c.case_id AS id, d.label_ja || ',' || c.fiscal_year || '年度' AS grp
         FROM case_record c JOIN district d USING (district_id)
       UNION ALL SELECT c.case_id, d.label_ja || ',合計' FROM case_record c JOIN district d USING (district_id)
       UNION ALL SELECT case_id, '合計,' || fiscal_year || '年度' FROM case_record
       UNION ALL SELECT case_id, '合計,合計' FROM case_record" >dfy.groups
check cases_by_district_fy dfy.got dfy.groups
cp dfy.got cases_by_district_fy.got
m=$(moved cases_by_district_fy 1)
[ "$m" -gt 0 ] || fail "cases_by_district_fy: no cell moved by the noise"

# cases_by_household_type: plain, a total row
long out/cases_by_household_type.csv 1 n >ht.got
ref 1 "SELECT c.case_id AS id, coalesce(h.label_ja, '未記入') || ',n' AS grp
         FROM case_record c LEFT JOIN household_type h USING (household_type_id)
       UNION ALL SELECT case_id, '合計,n' FROM case_record" >ht.groups
check cases_by_household_type ht.got ht.groups

# problems_all: a case counts once for each problem it lists (the view
# case_problem), n_main by main_problem_id, n_cases all cases
long out/problems_all.csv 1 n n_main n_cases >pa.got
ref 1 "SELECT cp.case_id AS id, p.label_ja || ',n' AS grp FROM case_problem cp JOIN problem p USING (problem_id)
       UNION ALL SELECT c.case_id, p.label_ja || ',n_main' FROM case_record c
         JOIN problem p ON p.problem_id = c.main_problem_id
       UNION ALL SELECT c.case_id, p.label_ja || ',n_cases' FROM case_record c CROSS JOIN problem p" >pa.groups
check problems_all pa.got pa.groups
cp pa.got problems_all.got
m=$(moved problems_all 1 n n_main n_cases)
[ "$m" -gt 0 ] || fail "problems_all: no cell moved by the noise"
# its share pct = n / n_cases: from the published counts (to the decimal printed)
bad=$(tr -d '\r' <out/problems_all.csv | awk -F, 'NR > 1 { d = 100 * $2 / $4 - $5; if (d < 0) d = -d; if (d > 0.05 + 1e-9) n++ }
    END { print n + 0 }')
assert_eq "$bad" 0 "problems_all: pct from the published counts"

# outcomes_by_partner: closed (終結) cases per partner (the view
# case_partner), 解決 or 改善 of them, and the closed cases with no partner
long out/outcomes_by_partner.csv 1 n_closed n_good >op.got
CLOSED="SELECT c.case_id, c.outcome_id FROM case_record c JOIN status s USING (status_id) WHERE s.label_ja = '終結'"
GOOD="(SELECT outcome_id FROM outcome WHERE label_ja IN ('解決', '改善'))"
ref 1 "SELECT x.case_id AS id, pa.label_ja || ',n_closed' AS grp FROM ($CLOSED) x
         JOIN case_partner cp USING (case_id) JOIN partner pa USING (partner_id)
       UNION ALL SELECT x.case_id, pa.label_ja || ',n_good' FROM ($CLOSED) x
         JOIN case_partner cp USING (case_id) JOIN partner pa USING (partner_id) WHERE x.outcome_id IN $GOOD
       UNION ALL SELECT x.case_id, '連携先なし,n_closed' FROM ($CLOSED) x
         WHERE NOT EXISTS (SELECT 1 FROM case_partner cp WHERE cp.case_id = x.case_id)
       UNION ALL SELECT x.case_id, '連携先なし,n_good' FROM ($CLOSED) x
         WHERE NOT EXISTS (SELECT 1 FROM case_partner cp WHERE cp.case_id = x.case_id) AND x.outcome_id IN $GOOD" \
    >op.groups
check outcomes_by_partner op.got op.groups

# compound_households: the patterns redone from problem labels and age
# ranges (not the query's bit masks and band numbers), households by their
# own record keys (unit 3)
CS="SELECT c.case_id, c.person_id, c.household_id, c.minor, a.age_min AS lo, a.age_max AS hi,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = '介護') AS care,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = '認知症') AS dementia,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = '障がい') AS disab,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = '子育て') AS child,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = 'ひきこもり') AS hiki,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = '8050問題') AS c8050,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = 'ダブルケア') AS cdouble,
        EXISTS (SELECT 1 FROM case_problem cp JOIN problem p USING (problem_id)
                WHERE cp.case_id = c.case_id AND p.label_ja = 'ヤングケアラー') AS cyoung
    FROM case_record c JOIN age_band a USING (age_band_id)"
E="(lo >= 75 AND (care OR dementia))"
M="(lo >= 40 AND hi <= 64 AND hiki)"
H8050="(SELECT household_id FROM cs WHERE household_id IS NOT NULL AND $E
         INTERSECT SELECT household_id FROM cs WHERE $M)"
HDOUBLE="(SELECT household_id FROM cs WHERE household_id IS NOT NULL AND child
         INTERSECT SELECT household_id FROM cs WHERE care)"
YOUNG="SELECT * FROM cs y WHERE minor AND (cyoung OR EXISTS (SELECT 1 FROM cs o
         WHERE o.household_id = y.household_id AND o.person_id <> y.person_id AND (o.care OR o.disab)))"
long out/compound_households.csv 1 >ch.got
{
    ref 1 "WITH cs AS ($CS)
           SELECT case_id AS id, '8050,' || CASE WHEN c8050 THEN 'n_coded' ELSE 'n_uncoded' END AS grp FROM cs
             WHERE household_id IN $H8050 AND ($E OR $M)
           UNION ALL SELECT case_id, 'ダブルケア,' || CASE WHEN cdouble THEN 'n_coded' ELSE 'n_uncoded' END FROM cs
             WHERE (household_id IN $HDOUBLE AND (child OR care)) OR (household_id IS NULL AND child AND care)
           UNION ALL SELECT case_id, 'ヤングケアラー,' || CASE WHEN cyoung THEN 'n_coded' ELSE 'n_uncoded' END
             FROM ($YOUNG)"
    ref 3 "WITH cs AS ($CS)
           SELECT household_id AS id, '8050,n_households' AS grp FROM $H8050
           UNION ALL SELECT household_id, 'ダブルケア,n_households' FROM $HDOUBLE
           UNION ALL SELECT household_id, 'ヤングケアラー,n_households' FROM ($YOUNG) WHERE household_id IS NOT NULL"
} >ch.groups
check compound_households ch.got ch.groups
[ "$(grep -c ',n_households,' ch.got)" = 3 ] || fail "compound_households: the household column"

# reconsultation: closures (終結, 中断, with a closing date) by fiscal year of
# the closing date, and those followed within 365 days by a new case of the
# same person; the total row all of them
CL="SELECT c.case_id, CAST(strftime('%Y', c.closed_date, '-3 months') AS INTEGER) || '年度' AS fy,
        EXISTS (SELECT 1 FROM case_record b WHERE b.person_id = c.person_id
                AND julianday(b.consult_date) > julianday(c.closed_date)
                AND julianday(b.consult_date) - julianday(c.closed_date) <= 365) AS again
    FROM case_record c JOIN status s USING (status_id)
    WHERE s.label_ja IN ('終結', '中断') AND c.closed_date IS NOT NULL"
long out/reconsultation.csv 1 n_closed n_again >rc.got
ref 1 "WITH cl AS ($CL)
       SELECT case_id AS id, fy || ',n_closed' AS grp FROM cl
       UNION ALL SELECT case_id, fy || ',n_again' FROM cl WHERE again
       UNION ALL SELECT case_id, '合計,n_closed' FROM cl
       UNION ALL SELECT case_id, '合計,n_again' FROM cl WHERE again" >rc.groups
check reconsultation rc.got rc.groups

# ---- c. totals that no longer add up say so ------------------------------------------
# the pivot's rows and columns against its perturbed totals, from its CSV
off=$(tr -d '\r' <out/cases_by_district_fy.csv | awk -F, 'NR == 1 { next }
    { s = 0; for (i = 2; i < NF; i++) { s += $i; col[i] += ($1 == "合計" ? 0 : $i) } if (s != $NF) n++
      if ($1 == "合計") for (i = 2; i < NF; i++) if (col[i] != $i) n++ }
    END { print n + 0 }')
[ "$off" -gt 0 ] || fail "cases_by_district_fy adds up after the noise: the footer note is not tested"
assert_file_contains out/cases_by_district_fy.table "内訳の計と合計は一致しない場合があります" "the footer says the parts may not add up"
note "cases_by_district_fy: $off rows or columns do not add up to their perturbed totals"

# ---- d. header errors ----------------------------------------------------------------
mkdir -p q
printf '%s\n' "-- title: bad" "-- keysum: n = n_key" "-- keysum: n = n_key2" "SELECT 1 AS n;" >q/twice.sql
expect_exit 2 "$KASANE" query show q/twice.sql
assert_file_contains "$LAST_ERR" "q/twice.sql:3: keysum 'n = n_key2': count 'n' has a keysum already" "a count keyed twice"
printf '%s\n' "-- title: bad" "-- pivot: d, s, n" "" "-- keysum: total = total_key" "SELECT 1;" >q/nocount.sql
expect_exit 2 "$KASANE" query show q/nocount.sql
assert_file_contains "$LAST_ERR" "q/nocount.sql:4: keysum 'total = total_key': 'total' is not the pivot's count" \
    "a keysum of no count"
printf '%s\n' "-- title: ad hoc" "-- keysum: n = n_key" "SELECT case_id, sex_id FROM case_record;" >q/outside.sql
expect_exit 3 "$KASANE" query run q/outside.sql --db db
assert_file_contains "$LAST_ERR" "'-- keysum:', which only a library query may" "outside the library"

# ---- e. a database without record keys ------------------------------------------------
cp plain.db old.db
sql old.db "DROP TABLE record_key; UPDATE meta SET value = '3' WHERE key = 'schema_version'"
for q in $QUERIES; do
    expect_exit 0 "$KASANE" query run "$q" --db old.db --format csv
    grep -v 'library:' "$LAST_OUT" >old.csv
    expect_exit 0 "$KASANE" query run "$q" --db plain.db --format csv
    grep -v 'library:' "$LAST_OUT" >new.csv
    assert_same_file old.csv new.csv "$q on a database without record keys"
done
note "schema 3 read as it is: $nq library queries print what they print with keys"
pass
