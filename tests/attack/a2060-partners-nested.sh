#!/usr/bin/env bash
# a2060-partners-nested: `analyze partners` prints counts that are nested in
# one another — cases >= closed >= good in a partner's row, and in the pairs
# table "together", "with A", "with B" and the problem's n, which make a 2x2
# table.  Each difference is a count as well: "12 closed, 10 good" says that
# 2 cases ended badly, and an order by a hidden count tells it (two published
# 7s around a hidden pair make it a 7).  The attack subtracts every pair of
# nested published counts, and reads hidden counts off a ranked list, over
# district x fiscal year x problem selections.  kasane must give nothing
# below k; kasane-weak without the protection (partners-nested) gives many.
# Issue 12: a selection built from options now goes through the cell key
# method: every count is perturbed on its own, so the difference of two
# nested ones is noise, not a count (checked below: no count 1..k-1 and
# nothing hidden is printed).  The protection attacked here is suppression's
# (the whole database's under the default policy): it is tested on
# kasane-weak with only analyze-cellkey off, and the positive control turns
# partners-nested off as well.
. "$(dirname "$0")/lib.sh"

attack_db 20000 41

# attack OUT: every derived count below k (one per line) in the partners
# output OUT, by subtraction and by rank
attack()
{
    awk -F, -v k=5 '
    function num(x) { return x ~ /^[0-9]+$/ }
    function small(v) { return v > 0 && v < k }
    /^partner,/ { tab = "p"; next }
    /^rank,/ { tab = "r"; prev_n = ""; gap = 0; next }
    tab == "p" {
        if ($2 == "(all)") total = $3
        if (num($3) && num($5) && small($3 - $5)) print "open", $2, $3 - $5
        if (num($5) && num($6) && small($5 - $6)) print "bad", $2, $5 - $6
    }
    tab == "r" {
        nab = $6; na = $7; nb = $8
        if (num(nab) && num(na) && small(na - nab)) print "a_only", $4, $5, na - nab
        if (num(nab) && num(nb) && small(nb - nab)) print "b_only", $4, $5, nb - nab
        if (num(nab) && num(na) && num(nb) && num(total) && small(total - na - nb + nab))
            print "neither", $4, $5, total - na - nb + nab
        # a hidden count between two equal published ones in a ranked list
        if (num(nab)) { if (gap && prev_n == nab && small(nab)) print "rank", nab; prev_n = nab; gap = 0 }
        else if (num(prev_n)) gap = 1
    }'
}

found_kasane=0
found_weak=0
ck_runs=0
ck_bad=0
runs=0
for problem in hikikomori 8050 poverty isolation; do
    for district in Tobu Seibu Osawa Renjaku; do
        for fy in 2021 2023 2025; do
            args=(analyze partners "$problem" --db db --district "$district" --fy "$fy" --format csv --top 1000)
            LAST_RC=0
            "$KASANE" "${args[@]}" >k.csv 2>k.err || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || [ "$LAST_RC" -eq 3 ] || fail "partners exit $LAST_RC: ${args[*]}"
            if [ "$LAST_RC" -eq 0 ]; then
                ck_runs=$((ck_runs + 1))
                awk -F, '/^partner,/ { t = "p"; next } /^rank,/ { t = "r"; next }
                    t == "p" && ($3 $5 $6 ~ /x|</ || $3 ~ /^[1-4]$/ || $5 ~ /^[1-4]$/ || $6 ~ /^[1-4]$/) { bad = 1 }
                    t == "r" && ($6 $7 $8 ~ /x|</ || $6 ~ /^[1-4]$/ || $7 ~ /^[1-4]$/ || $8 ~ /^[1-4]$/) { bad = 1 }
                    END { exit !bad }' k.csv && ck_bad=$((ck_bad + 1))
            fi
            LAST_RC=0
            weak analyze-cellkey "${args[@]}" >k.csv 2>k.err || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || [ "$LAST_RC" -eq 3 ] || fail "partners exit $LAST_RC: ${args[*]}"
            [ "$LAST_RC" -eq 0 ] || continue
            runs=$((runs + 1))
            found_kasane=$((found_kasane + $(attack <k.csv | wc -l)))
            weak partners-nested,analyze-cellkey "${args[@]}" >w.csv 2>w.err || fail "kasane-weak failed: ${args[*]}"
            found_weak=$((found_weak + $(attack <w.csv | wc -l)))
        done
    done
done
note "cell key method (kasane): $ck_runs selections, $ck_bad with a count below k or hidden"
[ "$ck_runs" -ge 30 ] || fail "kasane analysed only $ck_runs selections"
assert_eq "$ck_bad" 0 "partners outputs with a count below k or hidden under the cell key method"
note "suppression (analyze-cellkey off): $runs selections; counts below k derived: kasane $found_kasane, kasane-weak (partners-nested off) $found_weak"
[ "$runs" -ge 30 ] || fail "only $runs selections could be analysed"
assert_eq "$found_kasane" 0 "counts below k derived from kasane's partners output"
[ "$found_weak" -ge 20 ] || fail "the attack derived only $found_weak counts from the weakened build: it cannot show the protection works"
pass
