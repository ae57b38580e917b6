#!/usr/bin/env bash
# a2010-crosstab: the hidden cells of a crosstab completed from its margins
# and its test.  Pearson's chi-squared is an exact function of every cell, so
# with the published margins it is one more equation in the hidden cells:
# attack-crosstab (tests/attack/tools/crosstab.c) enumerates every completion
# the margins allow and keeps those whose chi-squared is the printed one.  A
# single completion equal to the truth (the database file, through sqlite3)
# is a recovered table.  kasane prints a test of a table with hidden cells
# only as its p class (src/analyze/analyze_crosstab.c), so the attacker can keep only
# the completions of that class: nothing may be recovered.  kasane-weak with
# crosstab-tests (every statistic printed) must give tables back.
# Issue 12: a selection built from options now goes through the cell key
# method, which hides nothing (it perturbs), so kasane itself gives this
# attack nothing to solve (checked below: no hidden cell, no count 1..k-1).
# The protection attacked here is suppression's, which the whole database
# still gets under the default policy: it is tested on kasane-weak with only
# analyze-cellkey off (suppression as before, every other protection on),
# and the positive control turns the targeted protection off as well.
. "$(dirname "$0")/lib.sh"

attack_db 20000 2010

# var -> "table column" for the truth
declare -A tab=([sex]="sex sex_id" [consent]="consent consent_id" [household_type]="household_type household_type_id"
                [outcome]="outcome outcome_id" [intake_route]="intake_route intake_route_id")

# solve MODE: runs the solver on out.flat; MODE chi2 or class.  Prints
# "recovered" when the one completion is the truth.
solve()
{
    local mode=$1 R C
    awk -F '\t' '$1 == "counts" && $2 == 1 { c++ } END { print c - 1 }' out.flat >c.txt
    C=$(($(cat c.txt) - 1))   # columns besides the label and the total
    R=$(($(awk -F '\t' '$1 == "counts" { if ($2 > r) r = $2 } END { print r }' out.flat) - 1))
    [ "$R" -ge 2 ] && [ "$C" -ge 2 ] || return 0
    local stat df cls
    stat=$(awk -F '\t' '$1 == "tests" { v[$2, $3] = $4 } END { for (r = 1; r < 9; r++) if (v[r, "test"] == "pearson_chi2") print v[r, "statistic"], v[r, "df"], v[r, "p_class"] }' out.flat)
    [ -n "$stat" ] || return 0
    read -r stat df cls <<<"$stat"
    {
        echo "$R $C 5"
        awk -F '\t' '$1 == "counts" && $3 != "'"$rowvar"'" { printf "%s%s", (last == $2 ? " " : (NR > 1 && last ? "\n" : "")), $4; last = $2 } END { print "" }' out.flat
        if [ "$mode" = chi2 ] && [ "$stat" != null ]; then echo "chi2 $stat $df"; else echo "class $cls $df"; fi
    } >in.txt
    grep -q 'x\|<' in.txt || return 0
    tool crosstab <in.txt >sol.txt 2>/dev/null || return 0
    grep -q '^completions 1$' sol.txt || return 0
    # the truth, cell by cell in the order of the cells table
    local t1 c1 t2 c2 truth=""
    read -r t1 c1 <<<"${tab[$rowvar]}"
    read -r t2 c2 <<<"${tab[$colvar]}"
    local hid=() vals=() i=0
    mapfile -t cells < <(awk -F '\t' '$1 == "cells" { v[$2, $3] = $4; if ($2 > n) n = $2 }
        END { for (r = 1; r <= n; r++) print v[r, "row_code"], v[r, "col_code"] }' out.flat)
    mapfile -t shown < <(awk -F '\t' '$1 == "counts" && $3 != "'"$rowvar"'" && $3 != "total" && $2 <= '"$R"' { print $4 }' out.flat)
    for cell in "${cells[@]}"; do
        read -r rc cc <<<"$cell"
        if [[ ${shown[$i]} == x || ${shown[$i]} == \<* ]]; then
            truth+="$(sql_ro db "SELECT count(*) FROM case_record c JOIN district d USING (district_id)
                JOIN $t1 a ON a.$c1 = c.$c1 JOIN $t2 b ON b.$c2 = c.$c2
                WHERE d.code = '$district' AND c.fiscal_year = $fy AND a.code = '$rc' AND b.code = '$cc'") "
        fi
        i=$((i + 1))
    done
    [ "$(sed -n 's/^solution //p' sol.txt)" = "${truth% }" ] && echo recovered
    return 0
}

rec_kasane=0
rec_weak=0
ck_runs=0
ck_hidden=0
tables=0
for pair in "sex consent" "household_type consent" "sex outcome" "outcome consent" "intake_route sex"; do
    read -r rowvar colvar <<<"$pair"
    for district in Tobu Seibu Osawa Renjaku Inokashira Shinkawa-Nakahara; do
        for fy in 2021 2023 2025; do
            args=(analyze crosstab "$rowvar" "$colvar" --district "$district" --fy "$fy" --db db --format json --lang en)
            LAST_RC=0
            "$KASANE" "${args[@]}" >out.json 2>/dev/null || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || continue
            json_flatten <out.json >out.flat
            ck_runs=$((ck_runs + 1))
            grep -Pq '^counts\t.*\t(x|<5|[1-4])$' out.flat && ck_hidden=$((ck_hidden + 1))
            weak analyze-cellkey "${args[@]}" >out.json 2>/dev/null || fail "kasane-weak: ${args[*]}"
            json_flatten <out.json >out.flat
            grep -Pq '^counts\t.*\t(x|<5)$' out.flat || continue
            tables=$((tables + 1))
            rec_kasane=$((rec_kasane + $(solve class | grep -c recovered || true)))
            weak crosstab-tests,analyze-cellkey "${args[@]}" >out.json 2>/dev/null || fail "kasane-weak: ${args[*]}"
            json_flatten <out.json >out.flat
            rec_weak=$((rec_weak + $(solve chi2 | grep -c recovered || true)))
        done
    done
done
note "cell key method (kasane): $ck_runs tables, $ck_hidden with a hidden cell or a count below k"
note "suppression (analyze-cellkey off): $tables tables with hidden cells; recovered from margins and the test: with the protection $rec_kasane, kasane-weak (crosstab-tests) $rec_weak"
[ "$ck_runs" -ge 30 ] || fail "kasane printed only $ck_runs tables"
assert_eq "$ck_hidden" 0 "tables with a hidden cell or a count below k under the cell key method"
[ "$tables" -ge 30 ] || fail "only $tables tables with hidden cells"
assert_eq "$rec_kasane" 0 "tables recovered from kasane's crosstab"
[ "$rec_weak" -ge 10 ] || fail "the solver recovered only $rec_weak tables from the weakened build"
pass
