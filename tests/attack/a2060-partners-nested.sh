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
runs=0
for problem in hikikomori 8050 poverty isolation; do
    for district in Tobu Seibu Osawa Renjaku; do
        for fy in 2021 2023 2025; do
            args=(analyze partners "$problem" --db db --district "$district" --fy "$fy" --format csv --top 1000)
            LAST_RC=0
            "$KASANE" "${args[@]}" >k.csv 2>k.err || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || [ "$LAST_RC" -eq 3 ] || fail "partners exit $LAST_RC: ${args[*]}"
            [ "$LAST_RC" -eq 0 ] || continue
            runs=$((runs + 1))
            found_kasane=$((found_kasane + $(attack <k.csv | wc -l)))
            weak partners-nested "${args[@]}" >w.csv 2>w.err || fail "kasane-weak failed: ${args[*]}"
            found_weak=$((found_weak + $(attack <w.csv | wc -l)))
        done
    done
done
note "$runs selections; counts below k derived: kasane $found_kasane, kasane-weak (partners-nested off) $found_weak"
[ "$runs" -ge 30 ] || fail "only $runs selections could be analysed"
assert_eq "$found_kasane" 0 "counts below k derived from kasane's partners output"
[ "$found_weak" -ge 20 ] || fail "the attack derived only $found_weak counts from the weakened build: it cannot show the protection works"
pass
