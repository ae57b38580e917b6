#!/usr/bin/env bash
# a1020-consent-names: reaching the cases without consent (支援会議) at row
# level by naming the tables another way.  The old filter shadowed
# case_record, person and household with temp views and had the authorizer
# check the innermost view's name, so a CTE named case_record over
# main.case_record passed it.  kasane runs every ad-hoc and row-level
# statement on an in-memory copy that holds only the cases with consent
# (analysis.c, ks_analysis_open_adhoc): whatever the SQL names — CTEs,
# MATERIALIZED CTEs, subqueries, main., the views — no row of a case without
# consent can come back.  kasane-weak with rowlevel-names (the old filter)
# must give them back.
. "$(dirname "$0")/lib.sh"

attack_db 3000 9

# the ids only cases without consent have: cases, and the persons and
# households that appear in no case with consent
sql_ro db "SELECT case_id FROM case_record WHERE consent_id <> 1" | sort -u >hidden.case_id
sql_ro db "SELECT person_id FROM case_record EXCEPT SELECT person_id FROM case_record WHERE consent_id = 1" | sort -u >hidden.person_id
sql_ro db "SELECT household_id FROM case_record WHERE household_id IS NOT NULL
           EXCEPT SELECT household_id FROM case_record WHERE consent_id = 1" | sort -u >hidden.household_id
[ -s hidden.case_id ] && [ -s hidden.person_id ] || fail "the generated data has no case without consent"

# leaks UNIT CSV: how many ids of UNIT in the CSV's first column belong only
# to cases without consent
leaks()
{
    tr -d '\r\357\273\277' <"$2" | awk -F, 'NR > 1 { print $1 }' | sort -u | comm -12 - "hidden.$1" | wc -l
}

# table -> the unit column it holds
declare -A unit=([case_record]=case_id [case_problem]=case_id [case_support]=case_id [case_partner]=case_id
                 [v_case]=case_id [person]=person_id [household]=household_id)
total_kasane=0
total_weak=0
tried=0
for t in "${!unit[@]}"; do
    u=${unit[$t]}
    for shape in \
        "WITH $t AS (SELECT * FROM main.$t) SELECT $u FROM $t" \
        "WITH $t AS MATERIALIZED (SELECT * FROM main.$t) SELECT $u FROM $t" \
        "WITH $t AS NOT MATERIALIZED (SELECT * FROM main.$t) SELECT $u FROM $t" \
        "WITH x AS (SELECT * FROM main.$t) SELECT $u FROM x" \
        "SELECT $u FROM (SELECT * FROM main.$t)" \
        "SELECT $u FROM main.$t" \
        "SELECT $u FROM $t" \
        "SELECT $u FROM $t WHERE $u IN (SELECT $u FROM main.$t)" \
        "WITH RECURSIVE $t($u) AS (SELECT $u FROM main.$t) SELECT $u FROM $t"; do
        tried=$((tried + 1))
        LAST_RC=0
        "$KASANE" query sql "$shape" --db db --row-level --format csv >k.csv 2>k.err || LAST_RC=$?
        [ "$LAST_RC" -eq 0 ] || fail "kasane refused (exit $LAST_RC: $(cat k.err)): $shape"
        n=$(leaks "$u" k.csv)
        [ "$n" -eq 0 ] || note "kasane leaked $n: $shape"
        total_kasane=$((total_kasane + n))
        weak rowlevel-names query sql "$shape" --db db --row-level --format csv >w.csv 2>w.err || true
        total_weak=$((total_weak + $(leaks "$u" w.csv)))
    done
    # the same as an ad-hoc aggregate: the group of a hidden id
    LAST_RC=0
    "$KASANE" query sql "WITH $t AS (SELECT * FROM main.$t) SELECT $u, consent_id FROM $t JOIN main.case_record USING ($u)" \
        --db db --format csv >k.csv 2>k.err || LAST_RC=$?
    if [ "$LAST_RC" -eq 0 ]; then
        [ "$(tr -d '\r' <k.csv | awk -F, 'NR > 1 && $1 == 2' | wc -l)" -eq 0 ] || fail "an ad-hoc group of cases without consent over $t"
    fi
done
note "$tried statements; ids of cases without consent returned: kasane $total_kasane, kasane-weak (rowlevel-names) $total_weak"
assert_eq "$total_kasane" 0 "ids of cases without consent at row level"
[ "$total_weak" -ge 100 ] || fail "the old filter gave only $total_weak ids back: the attack cannot show the protection works"
# the footer still says how many were left out
expect_exit 0 "$KASANE" query sql "SELECT case_id FROM case_record" --db db --row-level
assert_file_contains "$LAST_OUT" "$(wc -l <hidden.case_id) case(s) without consent left out" "footer"
pass
