#!/usr/bin/env bash
# t1040-adhoc-cellkey: ad-hoc aggregates (query sql, query files outside the
# library) are always published through the cell key method (issue 12),
# whatever the database's method; library queries keep theirs.
#
#  a. Every ad-hoc count equals the ONS computation redone here from the
#     database file and the default ptable file (tests/cli/cellkey.sh:
#     sqlite3 on record_key, n + pvalue(pcv(n), key sum mod 256)): a
#     2-dimension query of cases, one where a case has several rows per group
#     (problems: distinct units), one counting persons and one households, and
#     an outside file's pivot (a cell with no group is 0).  Some cells must
#     differ from the true count (the noise is there at all).
#  b. The same query 20 times, and rephrased 3 ways (other SQL, the same
#     sets of cases), gives byte-identical counts.
#  c. No published value in 1..k-1, on a fine query that has true counts
#     1..4; every count within D of the truth.
#  d. The footer names the method and the ptable file's SHA-256 (ja, en),
#     and so do the JSON meta notes; the key sums are never a column.
#  e. Library queries keep exact counts and suppression under the default
#     policy, with no cell key note.
#  f. The analyst cannot reach the key-sum function: a statement naming any
#     ks_... function fails, ad hoc or row level, and a column name cannot
#     carry SQL into kasane's wrapper.
#  g. A ptable the data officer stored in the database is the one ad-hoc
#     counts use (the ad-hoc copy holds sdc_ptable), named by its hash.
#  h. A schema-3 database read as it is (no record keys) is refused ad hoc,
#     with the way out; row-level and library queries still run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cellkey.sh"

keygen key
gen --rows 3000 --seed 40 -o cases.csv
expect_exit 0 "$KASANE" import -q --db db --key key cases.csv
ck_load
note "default ptable: key range $CK_RANGE, largest perturbation $CK_D, SHA-256 $CK_SHA"

# adhoc OUT SQL [ARGS...]: the ad-hoc query as CSV into OUT
adhoc()
{
    local out=$1 q=$2
    shift 2
    expect_exit 0 "$KASANE" query sql "$q" --db db --format csv "$@"
    cp "$LAST_OUT" "$out"
}

# ---- a. equal to the reference computation, cell for cell -------------------
Q_DS="SELECT c.case_id, d.label_ja AS district, s.label_ja AS status
      FROM case_record c JOIN district d USING (district_id) JOIN status s USING (status_id)"
adhoc ds.csv "$Q_DS"
assert_eq "$(head -1 ds.csv | tr -d '\r')" "district,status,n" "columns: the two dimensions and n, nothing else"
ck_csv_cells ds.csv >ds.got
ck_published db "SELECT d.label_ja || ',' || s.label_ja AS grp, count(*) AS n, sum(k.rkey) AS s
    FROM case_record c JOIN district d USING (district_id) JOIN status s USING (status_id)
    JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
    WHERE c.consent_id = 1 GROUP BY c.district_id, c.status_id" >ds.want
assert_same_file ds.got ds.want "district x status: kasane's counts against the reference"
cells=$(wc -l <ds.want)
[ "$cells" -ge 20 ] || fail "district x status has only $cells cells"
sql db "SELECT d.label_ja || ',' || s.label_ja || ',' || count(*) FROM case_record c JOIN district d USING (district_id)
    JOIN status s USING (status_id) WHERE c.consent_id = 1 GROUP BY c.district_id, c.status_id" | sort >ds.true
moved=$(comm -23 ds.got ds.true | wc -l)
note "district x status: $cells cells, $moved of them moved by the noise"
[ "$moved" -gt 0 ] || fail "no cell differs from its true count: nothing was perturbed"

# several rows of one case in a group (a case has several problems): each
# case counts, and adds its key, once per group
adhoc dp.csv "SELECT c.case_id, d.label_ja AS district, p.label_ja AS problem
    FROM case_record c JOIN district d USING (district_id) JOIN case_problem cp USING (case_id)
    JOIN problem p ON p.problem_id = cp.problem_id
    UNION ALL SELECT c.case_id, d.label_ja, p.label_ja FROM case_record c JOIN district d USING (district_id)
    JOIN problem p ON p.problem_id = c.main_problem_id"
ck_csv_cells dp.csv >dp.got
ck_published db "SELECT district || ',' || problem AS grp, count(*) AS n, sum(k.rkey) AS s
    FROM (SELECT DISTINCT c.case_id, d.label_ja AS district, p.label_ja AS problem
          FROM case_record c JOIN district d USING (district_id) JOIN case_problem cp USING (case_id)
          JOIN problem p ON p.problem_id = cp.problem_id WHERE c.consent_id = 1) u
    JOIN record_key k ON k.unit = 1 AND k.id = u.case_id GROUP BY district, problem" >dp.want
assert_same_file dp.got dp.want "district x problem (distinct cases) against the reference"

# persons and households: their own record keys (units 2 and 3)
adhoc sp.csv "SELECT person_id, s.label_ja AS sex FROM case_record JOIN sex s USING (sex_id)"
ck_csv_cells sp.csv >sp.got
ck_published db "SELECT sex AS grp, count(*) AS n, sum(k.rkey) AS s
    FROM (SELECT DISTINCT c.person_id, s.label_ja AS sex FROM case_record c JOIN sex s USING (sex_id)
          WHERE c.consent_id = 1) u
    JOIN record_key k ON k.unit = 2 AND k.id = u.person_id GROUP BY sex" >sp.want
assert_same_file sp.got sp.want "persons by sex against the reference"
adhoc hd.csv "SELECT household_id, d.label_ja AS district FROM case_record JOIN district d USING (district_id)"
ck_csv_cells hd.csv >hd.got
ck_published db "SELECT district AS grp, count(*) AS n, sum(k.rkey) AS s
    FROM (SELECT DISTINCT c.household_id, d.label_ja AS district FROM case_record c JOIN district d USING (district_id)
          WHERE c.consent_id = 1 AND c.household_id IS NOT NULL) u
    JOIN record_key k ON k.unit = 3 AND k.id = u.household_id GROUP BY district" >hd.want
assert_same_file hd.got hd.want "households by district against the reference"

# an outside file's pivot: each cell its group's perturbed count; a
# combination with no case is 0
mkdir q
cat >q/pv.sql <<'SQL'
-- title: 地区別・性別 (85歳以上)
-- pivot: district, sex, n
SELECT c.case_id, d.label_ja AS district, s.label_ja AS sex
FROM case_record c JOIN district d USING (district_id) JOIN sex s USING (sex_id)
WHERE c.age_band_id >= 18
SQL
expect_exit 0 "$KASANE" query run q/pv.sql --db db --format csv
tr -d '\r' <"$LAST_OUT" | awk -F, 'NR == 1 { for (i = 2; i <= NF; i++) h[i] = $i; next }
    { for (i = 2; i <= NF; i++) print $1 "," h[i] "," $i }' | sort >pv.got
CK_KEEP_ZERO=1 ck_published db "SELECT d.label_ja || ',' || s.label_ja AS grp, count(*) AS n, sum(k.rkey) AS s
    FROM case_record c JOIN district d USING (district_id) JOIN sex s USING (sex_id)
    JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
    WHERE c.consent_id = 1 AND c.age_band_id >= 18 GROUP BY 1" >pv.groups
# every cell of the pivot: its group's value, or 0 where no group is
awk -F, 'NR == FNR { v[$1 "," $2] = $3; next } { k = $1 "," $2; print k "," (k in v ? v[k] : 0) }' \
    pv.groups <(cut -d, -f1,2 pv.got) | sort >pv.want
assert_same_file pv.got pv.want "outside pivot: every cell against the reference"
empty=$(awk -F, '$3 == 0' pv.want | wc -l)
[ "$(wc -l <pv.groups)" -lt "$(wc -l <pv.got)" ] || fail "the pivot has no combination without a group"
note "outside pivot: $(wc -l <pv.got) cells, $(wc -l <pv.groups) groups, $empty cells 0"

# ---- b. the same sets always get the same noise ------------------------------
adhoc b0.csv "$Q_DS"
for i in $(seq 1 20); do
    adhoc "b.csv" "$Q_DS"
    assert_same_file b.csv b0.csv "run $i of the same query"
done
rephrased=(
    # correlated subqueries for the labels, a tautology, another order
    "SELECT case_id, (SELECT label_ja FROM district WHERE district_id = c.district_id) AS district,
            (SELECT label_ja FROM status WHERE status_id = c.status_id) AS status
     FROM case_record c WHERE 1 = 1 ORDER BY case_id DESC"
    # a CTE, the joins the other way round
    "WITH x AS (SELECT * FROM case_record) SELECT x.case_id, d.label_ja AS district, s.label_ja AS status
     FROM status s JOIN x ON x.status_id = s.status_id JOIN district d ON d.district_id = x.district_id"
    # every case twice (UNION ALL), and a case split by a condition
    "SELECT c.case_id, d.label_ja AS district, s.label_ja AS status FROM case_record c JOIN district d USING (district_id)
       JOIN status s USING (status_id) WHERE c.sex_id = 1
     UNION ALL SELECT c.case_id, d.label_ja, s.label_ja FROM case_record c JOIN district d USING (district_id)
       JOIN status s USING (status_id) WHERE c.sex_id IS NOT 1
     UNION ALL SELECT c.case_id, d.label_ja, s.label_ja FROM case_record c JOIN district d USING (district_id)
       JOIN status s USING (status_id)"
)
for r in "${rephrased[@]}"; do
    adhoc b.csv "$r"
    assert_same_file b.csv b0.csv "rephrased: $r"
done

# ---- c. the threshold promise ------------------------------------------------
Q_FINE="SELECT c.case_id, d.label_ja AS district, a.label_ja AS age, s.label_ja AS sex, c.fiscal_year AS fy
        FROM case_record c JOIN district d USING (district_id) JOIN age_band a USING (age_band_id)
        JOIN sex s USING (sex_id)"
adhoc fine.csv "$Q_FINE"
ck_csv_cells fine.csv >fine.got
sql db "SELECT d.label_ja || ',' || a.label_ja || ',' || s.label_ja || ',' || c.fiscal_year || ',' || count(*)
    FROM case_record c JOIN district d USING (district_id) JOIN age_band a USING (age_band_id) JOIN sex s USING (sex_id)
    WHERE c.consent_id = 1 GROUP BY c.district_id, c.age_band_id, c.sex_id, c.fiscal_year" | sort >fine.true
small=$(awk -F, '$NF >= 1 && $NF <= 4' fine.true | wc -l)
[ "$small" -gt 50 ] || fail "the fine query has only $small true counts in 1..4: the check would be empty"
assert_eq "$(awk -F, '$NF >= 1 && $NF <= 4' fine.got | wc -l)" 0 "published values in 1..4"
# the groups: every published one is a true group; a true group left out
# is one published as 0 (publish.c drop_zero_rows), so its true count is
# 1..4; each published count within D of its true count
paste -d'|' <(sed 's/,[0-9]*$//' fine.got) <(sed 's/.*,//' fine.got) >fine.g2
paste -d'|' <(sed 's/,[0-9]*$//' fine.true) <(sed 's/.*,//' fine.true) >fine.t2
assert_eq "$(awk -F'|' 'NR == FNR { t[$1] = $2; next } !($1 in t) { n++ } END { print n + 0 }' fine.t2 fine.g2)" 0 \
    "published groups that are not true groups"
assert_eq "$(awk -F'|' 'NR == FNR { g[$1] = 1; next } !($1 in g) && ($2 < 1 || $2 > 4) { n++ } END { print n + 0 }' fine.g2 fine.t2)" 0 \
    "groups left out whose true count is not 1..4"
[ "$(wc -l <fine.g2)" -lt "$(wc -l <fine.t2)" ] || fail "no group was left out as a published 0: the rule is not tested"
far=$(awk -F'|' -v d="$CK_D" 'NR == FNR { t[$1] = $2; next } { x = $2 - t[$1]; if (x < 0) x = -x; if (x > d) n++ } END { print n + 0 }' \
    fine.t2 fine.g2)
assert_eq "$far" 0 "published counts further than D = $CK_D from the truth"
note "fine query: $(wc -l <fine.got) groups, $small with a true count in 1..4, none published in 1..4"

# ---- d. footers and metadata ---------------------------------------------------
expect_exit 0 "$KASANE" query sql "$Q_DS" --db db
assert_file_contains "$LAST_OUT" "秘匿処理: セルキー法 (ptable SHA-256 $CK_SHA)" "table footer names the method and the ptable"
expect_exit 0 "$KASANE" query sql "$Q_DS" --db db --lang en
assert_file_contains "$LAST_OUT" "disclosure control: cell key method (ptable SHA-256 $CK_SHA)" "English footer"
expect_exit 0 "$KASANE" query sql "$Q_DS" --db db --format json --lang en
cp "$LAST_OUT" ds.json
assert_eq "$(sqlite3 :memory: "SELECT count(*) FROM json_each(json_extract(readfile('ds.json'), '\$.meta.notes'))
    WHERE value = 'disclosure control: cell key method (ptable SHA-256 $CK_SHA)'")" 1 "JSON meta notes name the method and the ptable"
assert_eq "$(sqlite3 :memory: "SELECT group_concat(json_extract(value, '\$.name'), ',')
    FROM json_each(json_extract(readfile('ds.json'), '\$.columns'))")" "district,status,n" "JSON columns: no key sum"
expect_exit 0 "$KASANE" query run q/pv.sql --db db --format csv --comments
assert_file_contains "$LAST_OUT" "# 秘匿処理: セルキー法 (ptable SHA-256 $CK_SHA)" "csv comments of an outside pivot"

# ---- e. library queries: exact counts and suppression, as before ---------------
expect_exit 0 "$KASANE" query run cases_by_district_fy --db db --format csv
tr -d '\r' <"$LAST_OUT" | awk -F, 'NR == 1 { for (i = 2; i <= NF; i++) h[i] = $i; next }
    $1 != "合計" { for (i = 2; i <= NF; i++) if (h[i] != "合計") print $1 "," h[i] "," $i }' | sort >lib.got
sql db "SELECT d.label_ja || ',' || c.fiscal_year || '年度,' || count(*) FROM case_record c JOIN district d USING (district_id)
    GROUP BY c.district_id, c.fiscal_year" | sort >lib.want
assert_same_file lib.got lib.want "library query: exact counts of every case"
expect_exit 0 "$KASANE" query run cases_by_age_sex --db db
assert_file_lacks "$LAST_OUT" "セルキー法" "library query: no cell key note"
hidden=$(grep -c ' x ' "$LAST_OUT" || true)
[ "$hidden" -gt 0 ] || fail "library query: no suppressed cell"
assert_file_contains "$LAST_OUT" "cells suppressed" "library query: suppression footer"

# ---- f. the key-sum function is out of the analyst's reach ---------------------
for q in \
    "SELECT case_id, ks_rkey() AS k FROM case_record" \
    "SELECT case_id, ks_00112233445566778899aabbccddeeff(case_id) AS k FROM case_record" \
    "SELECT district_id, ks_00112233445566778899aabbccddeeff(DISTINCT case_id) AS k FROM case_record GROUP BY 1" \
    "SELECT case_id FROM case_record WHERE ks_keysum(case_id) > 0"; do
    expect_exit 2 "$KASANE" query sql "$q" --db db
    assert_file_contains "$LAST_ERR" "no such function: ks_" "ad hoc: $q"
    expect_exit 2 "$KASANE" query sql "$q" --db db --row-level
    assert_file_contains "$LAST_ERR" "no such function: ks_" "row level: $q"
done

# a column name is one identifier in kasane's wrapper, whatever it holds:
# quotes in it add no SQL of the analyst's to the wrapper
expect_exit 0 "$KASANE" query sql 'SELECT case_id, 1 AS "x"", ks_rkey() AS ""y" FROM case_record' --db db --format csv
assert_eq "$(tr -d '\r' <"$LAST_OUT" | wc -l)" 2 "a quoted column name: one dimension, one group"
assert_eq "$(head -1 "$LAST_OUT" | tr -d '\r')" '"x"", ks_rkey() AS ""y",n' "the name kept as it is"

# ---- g. the data officer's ptable, stored in the database ----------------------
# an ONS-layout ptable in kasane's canonical form: 1..4 -> 5, 5 -> 5 or 6,
# above: -1, 0 or +1 by the cell key mod 3
sqlite3 -batch -bail :memory: "WITH RECURSIVE p(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM p WHERE v < 750),
    c(v) AS (SELECT 0 UNION ALL SELECT v + 1 FROM c WHERE v < 255)
    SELECT p.v || ',' || c.v || ',' || CASE WHEN p.v < 5 THEN 5 - p.v WHEN p.v = 5 THEN c.v % 2 ELSE c.v % 3 - 1 END
    FROM p, c ORDER BY p.v, c.v" >body.csv
{ echo "pcv,ckey,pvalue"; cat body.csv; } >own.csv
own_sha=$(sha256sum own.csv | cut -d' ' -f1)
cp db own.db
sql own.db "CREATE TABLE IF NOT EXISTS sdc_ptable(sha256 TEXT PRIMARY KEY, csv TEXT NOT NULL);
    INSERT INTO sdc_ptable VALUES('$own_sha', readfile('own.csv'));
    INSERT OR REPLACE INTO meta(key, value) VALUES('ptable_sha256', '$own_sha')"
expect_exit 0 "$KASANE" query sql "$Q_DS" --db own.db --format csv --comments
assert_file_contains "$LAST_OUT" "セルキー法 (ptable SHA-256 $own_sha)" "the stored ptable is named"
grep -v '^#' "$LAST_OUT" >own.out
ck_csv_cells own.out >own.got
CK_PTABLE_CSV=$T/own.csv ck_load
ck_published own.db "SELECT d.label_ja || ',' || s.label_ja AS grp, count(*) AS n, sum(k.rkey) AS s
    FROM case_record c JOIN district d USING (district_id) JOIN status s USING (status_id)
    JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
    WHERE c.consent_id = 1 GROUP BY c.district_id, c.status_id" >own.want
assert_same_file own.got own.want "the stored ptable's counts against the reference"
ck_load

# ---- h. a database without record keys -----------------------------------------
cp db old.db
sql old.db "DROP TABLE record_key; UPDATE meta SET value = '3' WHERE key = 'schema_version'"
expect_exit 3 "$KASANE" query sql "$Q_DS" --db old.db
assert_file_contains "$LAST_ERR" "no record keys" "schema 3 refused ad hoc"
assert_file_contains "$LAST_ERR" "'kasane import' or 'kasane threshold' adds them" "the refusal names the way out"
expect_exit 3 "$KASANE" query run q/pv.sql --db old.db
expect_exit 0 "$KASANE" query sql "SELECT case_id FROM case_record" --db old.db --row-level --format csv
expect_exit 0 "$KASANE" query run cases_by_district_fy --db old.db --format csv
pass
