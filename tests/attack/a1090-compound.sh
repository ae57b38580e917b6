#!/usr/bin/env bash
# a1090-compound: nested columns of queries/compound_households.sql.  The old
# query (kept as compound_households_old.sql) printed, per pattern, all the
# matching cases (n_cases) and those of them without the pattern's code
# (n_uncoded): both >= k, their difference -- the cases with the code -- could
# be 1..k-1 ("7 cases, 5 of them uncoded": 2 coded).  The attack subtracts,
# in every row, every shown count of cases from every other shown count of
# cases it contains, over month-by-month selections, and keeps the results
# in 1..k-1.
#
# Against kasane's library query, whose case columns (n_coded, n_uncoded)
# are disjoint parts with no total beside them, nothing is contained in
# anything: no difference, nothing recovered (and the test checks that the
# parts are a partition of the old query's cases, so nothing was lost).
# Positive control: the old SQL run on the database with sqlite3 and
# published as kasane published it then (every count 1..k-1 hidden, no
# totals); the attack recovers hidden coded counts, each checked against the
# true value.  (A query file is not in the binary, so kasane-weak has no
# switch for it: the old file is the weakened version.)
. "$(dirname "$0")/lib.sh"

attack_db 12000 1090
K=5
OLD=$KASANE_SOURCE_DIR/tests/attack/compound_households_old.sql
# the sqlite3 shell has no label(): English labels
sed 's/label(label_ja, label_en)/label_en/' "$OLD" >old.sql

# old_truth FROM TO: the old query's unsuppressed rows, "pattern|households|cases|uncoded"
old_truth()
{
    printf '.parameter init\n.parameter set :from "%s"\n.parameter set :to "%s"\n.read old.sql\n' "'$1'" "'$2'" |
        sqlite3 -batch -bail -readonly db
}

# publish: primary suppression as kasane applied it to the old query (no totals)
publish()
{
    awk -F'|' -v OFS='|' -v k=$K '{ for (i = 2; i <= NF; i++) if ($i > 0 && $i < k) $i = "<" k; print }'
}

# attack_old: "pattern coded" for every row where cases - uncoded is in 1..k-1
attack_old()
{
    awk -F'|' -v k=$K '$3 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ && $3 - $4 > 0 && $3 - $4 < k { print $1 "|" $3 - $4 }'
}

# attack_new CSV: the same subtraction on kasane's output.  Its case columns
# are n_coded and n_uncoded, disjoint: neither contains the other, so there
# is no pair to subtract; a column holding all the cases, if one came back,
# would be subtracted from each part.
attack_new()
{
    tr -d '\r' <"$1" | awk -F, -v k=$K '
        NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
        function sub_(a, b) { if ((a in c) && (b in c) && $c[a] ~ /^[0-9]+$/ && $c[b] ~ /^[0-9]+$/ &&
                                  $c[a] - $c[b] > 0 && $c[a] - $c[b] < k) print $1 "|" $c[a] - $c[b] }
        { sub_("n_cases", "n_uncoded"); sub_("n_cases", "n_coded") }'
}

months=0
found_kasane=0
found_old=0
: >recovered_old.txt
for y in 2020 2021 2022 2023 2024 2025; do
    for m in 01 02 03 04 05 06 07 08 09 10 11 12; do
        from=$y-$m-01
        to=$(date -u -d "$from +1 month -1 day" +%F)
        old_truth "$from" "$to" >truth.txt
        # kasane's library query: English labels as in the truth
        expect_exit 0 "$KASANE" query run compound_households --db db --lang en --format csv \
            --param from="$from" --param to="$to"
        cp "$LAST_OUT" new.csv
        assert_file_lacks new.csv "n_cases" "a column of all the cases next to its parts"
        # n_coded + n_uncoded is the old query's n_cases, wherever both are shown
        tr -d '\r' <new.csv | awk -F, 'NR > 1 && $3 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ { print $1 "|" $3 + $4 }' >parts.txt
        awk -F'|' '{ print $1 "|" $3 }' truth.txt | grep -F -x -f parts.txt >same.txt || true
        assert_eq "$(wc -l <same.txt)" "$(wc -l <parts.txt)" "the parts add up to the old cases ($from)"
        found_kasane=$((found_kasane + $(attack_new new.csv | wc -l)))
        # the old query, as it was published
        publish <truth.txt | attack_old >got.txt
        # each recovered value is the true number of coded cases, and was hidden
        awk -F'|' '{ print $1 "|" $3 - $4 }' truth.txt >coded.txt
        [ -z "$(grep -F -x -v -f coded.txt got.txt || true)" ] || fail "a recovered value that is not the truth ($from)"
        found_old=$((found_old + $(wc -l <got.txt)))
        sed "s/^/$from|/" got.txt >>recovered_old.txt
        months=$((months + 1))
    done
done
note "$months month selections: coded counts below k recovered from kasane's query $found_kasane," \
    "from the old query $found_old (e.g. $(head -1 recovered_old.txt))"
[ "$found_kasane" -eq 0 ] || fail "kasane's compound_households gives counts below k by subtraction"
[ "$found_old" -ge 3 ] || fail "the positive control recovered only $found_old hidden counts"
pass
