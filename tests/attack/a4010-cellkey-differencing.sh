#!/usr/bin/env bash
# a4010-cellkey-differencing: the attacks the cell key method is for (issue
# 12, docs/disclosure.md "The cell key method").  Every published table here
# is safe alone; the attacker combines them:
#   (a) repeats one ad-hoc query 1,000 times and rephrases it, hoping to
#       average the noise away;
#   (b) differences pairs of overlapping ad-hoc selections: one extra
#       condition (a rare problem left out), one day more, one district less;
#   (c) differences an exact table against an ad-hoc one for a subset.  The
#       exact side is the consented cases by district and year from the file,
#       stronger than any published table (the library's counts every case,
#       ad hoc sees only consented ones), so the attacker gets the best
#       exact side there could be.
# The attacker knows the method and the ptable (its hash is in every footer;
# kasane's default is in the repository).  For a published value p the true
# counts it may stand for are T(p) = { i : i + pvalue(i, c) = p for some cell
# key c } (T(p) = {p} for an exact count); for two nested selections A ⊇ B the
# possible differences are { a - b >= 0 : a in T(pA), b in T(pB) }.  A case
# is PINNED when that set is one value d in 1..k-1: the attacker then knows
# exactly how many persons of that cell are in A and not in B, a count below
# the threshold, as good as a published small count.  Against kasane-weak
# with the cell key off for ad-hoc results (adhoc-cellkey: plain threshold
# suppression, as before issue 12) the attacker pins many, and every pin is
# right (checked against the database file); against kasane, none.
. "$(dirname "$0")/lib.sh"

attack_db 6000 4010
PT=$KASANE_SOURCE_DIR/datasets/ptables/kasane-default-k5.csv
K=5

# ---- (a) repetition and rephrasing ------------------------------------------------
q1="SELECT case_id, age_band_id AS band FROM case_record WHERE fiscal_year = 2023"
q2="SELECT c.case_id, c.age_band_id AS band FROM case_record c WHERE c.consult_date BETWEEN '2023-04-01' AND '2023-12-31' OR c.consult_date BETWEEN '2024-01-01' AND '2024-03-31'"
q3="SELECT case_id, age_band_id AS band FROM case_record WHERE NOT (fiscal_year <> 2023) ORDER BY case_id DESC"
# on a small database of its own: 1,000 runs cost 1,000 ad-hoc copies
gen --rows 1500 --seed 4011 -o small.csv
expect_exit 0 "$KASANE" import -q --db small.db --key key small.csv
expect_exit 0 "$KASANE" query sql "$q1" --db small.db --format csv
tr -d '\r' <"$LAST_OUT" | grep -v '^#' >first.csv
[ "$(wc -l <first.csv)" -gt 8 ] || fail "the repeated query has too few cells"
: >repeats.txt
for i in $(seq 1000); do
    "$KASANE" query sql "$q1" --db small.db --format csv 2>/dev/null | tr -d '\r' | grep -v '^#' | md5sum >>repeats.txt
done
for q in "$q2" "$q3"; do
    "$KASANE" query sql "$q" --db small.db --format csv 2>/dev/null | tr -d '\r' | grep -v '^#' | md5sum >>repeats.txt
done
assert_eq "$(sort -u repeats.txt | wc -l)" 1 "distinct answers over 1,000 repeats and 2 rephrasings"
# the weak build gives the exact counts: the same every time too, so the
# repetition attack is about noise that would differ; what it shows here is
# that the noise does not (a fresh draw per run would average out)

# ---- the attacker's knowledge of the ptable: T(p) as "p i" lines ------------------
awk -F, 'NR > 1 && $1 <= 400 { print $1 + $3, $1 }' "$PT" | sort -u -n -k1,1 -k2,2 >T.txt
for i in 1 2 3 4; do echo "0 $i"; done >>T.txt
echo "0 0" >>T.txt

# pairs FILE BIN...: runs every pair of FILE ("A-sql|B-sql" lines, each
# SELECT case_id, <dim> AS d) with BIN, and prints "pair cell pA pB" per
# cell published in A (absent = 0)
run_pairs()
{
    local file=$1
    shift
    local n=0 a b
    while IFS='|' read -r a b; do
        n=$((n + 1))
        "$@" query sql "$a" --db db --format csv 2>/dev/null | tr -d '\r' | grep -v '^#' | tail -n +2 >A.csv || true
        "$@" query sql "$b" --db db --format csv 2>/dev/null | tr -d '\r' | grep -v '^#' | tail -n +2 >B.csv || true
        awk -F, -v pair=$n 'NR == FNR { b[$1] = $2; next } { print pair, $1, $2, ($1 in b) ? b[$1] : 0 }' B.csv A.csv
    done <"$file"
}

# truth FILE: "pair cell nA nB" from the database file
# (ad hoc sees only the cases with consent)
truth()
{
    local file=$1 n=0 a b
    while IFS='|' read -r a b; do
        n=$((n + 1))
        sql_ro db "WITH ok AS (SELECT case_id FROM case_record WHERE consent_id = 1),
                   A AS (SELECT * FROM ($a) WHERE case_id IN ok), B AS (SELECT * FROM ($b) WHERE case_id IN ok)
                   SELECT $n, A.d, count(DISTINCT A.case_id), count(DISTINCT B.case_id)
                   FROM A LEFT JOIN B ON B.case_id = A.case_id GROUP BY A.d" | tr '|' ' '
    done <"$file"
}

# pins PUBLISHED EXACT: "pair cell d" for every cell whose difference the
# attacker pins to one value d in 1..k-1; EXACT=1 reads values as exact
# counts (suppression), 0 through T(p)
pins()
{
    awk -v k=$K -v exact="$2" '
    NR == FNR { T[$1] = T[$1] " " $2; next }
    function set(p, out,    n, v, i) {
        if (p !~ /^[0-9]+$/) return 0                    # hidden: nothing known
        if (exact) { out[1] = p; return 1 }
        n = split(substr(T[p], 2), v, " "); for (i = 1; i <= n; i++) out[i] = v[i]; return n }
    {
        delete sa; delete sb; delete ds
        na = set($3, sa); nb = set($4, sb)
        if (!na || !nb) next
        nd = 0
        for (i = 1; i <= na; i++) for (j = 1; j <= nb; j++) {
            d = sa[i] - sb[j]; if (d >= 0 && !(d in ds)) { ds[d] = 1; nd++ } }
        if (nd == 1) for (d in ds) if (d >= 1 && d < k) print $1, $2, d
    }' T.txt "$1"
}

# the pairs: one extra condition, one day more, one district less
: >pairs.txt
for dist in 1 2 3 4 5 6 7; do
    for fy in 2021 2023; do
        base="SELECT case_id, age_band_id AS d FROM case_record WHERE district_id = $dist AND fiscal_year = $fy"
        for bit in 13 15 16 21; do
            echo "$base|$base AND NOT (problem_mask >> $bit) & 1" >>pairs.txt
        done
    done
done
for day in 05 09 13 17 21 25; do
    for m in 05 08 11; do
        a="SELECT case_id, district_id AS d FROM case_record WHERE consult_date BETWEEN '2022-$m-01' AND '2022-$m-$day'"
        b="SELECT case_id, district_id AS d FROM case_record WHERE consult_date BETWEEN '2022-$m-01' AND date('2022-$m-$day', '-1 day')"
        echo "$a|$b" >>pairs.txt
    done
done
for fy in 2021 2022 2023 2024; do
    for dist in 1 3 5 7; do
        a="SELECT case_id, household_type_id AS d FROM case_record WHERE fiscal_year = $fy AND district_id IN (1, 2, 3, 4, 5, 6, 7)"
        echo "$a|$a AND district_id <> $dist" >>pairs.txt
    done
done
note "$(wc -l <pairs.txt) pairs of nested ad-hoc selections"

truth pairs.txt >truth.txt
run_pairs pairs.txt weak adhoc-cellkey >weak.txt
run_pairs pairs.txt "$KASANE" >kasane.txt
pins weak.txt 1 >weak.pins
pins kasane.txt 0 >kasane.pins
# a pin is right when the true difference of its cell is d
right()
{
    awk 'NR == FNR { t[$1 " " $2] = $3 - $4; next } (($1 " " $2) in t) && t[$1 " " $2] == $3 { n++ } END { print n + 0 }' \
        truth.txt "$1"
}
note "(b) cells pinned: suppression (kasane-weak adhoc-cellkey) $(wc -l <weak.pins) ($(right weak.pins) right), cell key (kasane) $(wc -l <kasane.pins)"
[ "$(right weak.pins)" -ge 10 ] || fail "the attack pinned only $(right weak.pins) cells under plain suppression: it does not test anything"
assert_eq "$(wc -l <kasane.pins)" 0 "cells pinned under the cell key method"

# ---- (c) the library's exact table against ad hoc -----------------------------------
# cases_by_district_fy: exact counts by district and fiscal year (suppression);
# the ad-hoc subset leaves out one rare problem
expect_exit 0 "$KASANE" query run cases_by_district_fy --db db --format csv --lang en
tr -d '\r' <"$LAST_OUT" | grep -v '^#' >lib.csv
head -1 lib.csv >lib.head
: >libpairs.txt
for fy in 2021 2022 2023; do
    for bit in 13 15 16 21; do
        a="SELECT case_id, district_id AS d FROM case_record WHERE fiscal_year = $fy"
        echo "$a|$a AND NOT (problem_mask >> $bit) & 1" >>libpairs.txt
    done
done
n=0
: >libc.txt
: >libc-weak.txt
while IFS='|' read -r a b; do
    n=$((n + 1))
    fy=$(sed -n 's/.*fiscal_year = \([0-9]*\).*/\1/p' <<<"$a")
    "$KASANE" query sql "$b" --db db --format csv 2>/dev/null | tr -d '\r' | grep -v '^#' | tail -n +2 >B.csv || true
    weak adhoc-cellkey query sql "$b" --db db --format csv 2>/dev/null | tr -d '\r' | grep -v '^#' | tail -n +2 >Bw.csv || true
    sql_ro db "SELECT district_id, count(*) FROM case_record WHERE fiscal_year = $fy AND consent_id = 1 GROUP BY 1" |
        tr '|' ',' >Aexact.csv
    # pA: the library publishes these exact counts (all >= k here, checked below)
    awk -F, -v pair=$n 'NR == FNR { b[$1] = $2; next } { print pair, $1, $2, ($1 in b) ? b[$1] : 0 }' B.csv Aexact.csv >>libc.txt
    awk -F, -v pair=$n 'NR == FNR { b[$1] = $2; next } { print pair, $1, $2, ($1 in b) ? b[$1] : 0 }' Bw.csv Aexact.csv >>libc-weak.txt
done <libpairs.txt
# the library really publishes those totals exactly (none hidden)
assert_eq "$(awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) if ($i !~ /^[0-9]+$/ && $i != "") h++ } END { print h + 0 }' lib.csv)" 0 \
    "hidden cells in the library table used as the exact side"
# exact side exact, ad-hoc side through T(p): pins only when T(pB) is one value
awk -v k=$K 'NR == FNR { T[$1] = T[$1] " " $2; next }
    $4 ~ /^[0-9]+$/ { n = split(substr(T[$4], 2), v, " "); nd = 0; delete ds
        for (i = 1; i <= n; i++) { d = $3 - v[i]; if (d >= 0 && !(d in ds)) { ds[d] = 1; nd++ } }
        if (nd == 1) for (d in ds) if (d >= 1 && d < k) print $1, $2, d }' T.txt libc.txt >libc.pins
awk -v k=$K '$4 ~ /^[0-9]+$/ { d = $3 - $4; if (d >= 1 && d < k) print $1, $2, d }' libc-weak.txt >libc-weak.pins
note "(c) library vs ad hoc, cells pinned: suppression $(wc -l <libc-weak.pins), cell key $(wc -l <libc.pins)"
[ "$(wc -l <libc-weak.pins)" -ge 3 ] || fail "library vs ad hoc pinned only $(wc -l <libc-weak.pins) cells under plain suppression"
assert_eq "$(wc -l <libc.pins)" 0 "cells pinned from the library table and an ad-hoc one"
pass
