#!/usr/bin/env bash
# a3010-report-nested: the report's two pair matrices (problems, partners)
# hold each code's count on the diagonal and the cases with both off it;
# with the period's new cases they make a 2x2 table per pair, so A without
# B, B without A and neither follow by subtraction ("34 with dementia, 31 of
# them with care": 3 without).  The attack takes every published pair and
# subtracts, over district x period reports.  The same for the days-to-closure
# table, whose row holds cases >= closed >= closed by 365 >= by 180 >= by 90
# days: each difference of two printed ones is a count.  kasane must give nothing below
# k; kasane-weak with report-nested off must give many.
. "$(dirname "$0")/lib.sh"

attack_db 20000 43

# attack FILE: every count below k derived from the pair matrices of a
# markdown report (English), one per line
attack()
{
    awk -F'|' -v k=5 '
    function trim(s) { gsub(/^ +| +$/, "", s); return s }
    function num(x) { return x ~ /^[0-9]+$/ }
    function small(v) { return v > 0 && v < k }
    trim($2) == "New cases" && n == "" { n = trim($3) }
    /^\*\*(Problems|Partners): cases with both\*\*/ { inm = 1; r = 0; next }
    inm && /^\| :/ { next }
    inm && /^\|/ {
        if (!hdr) { hdr = 1; next }
        r++; nc = NF - 2
        for (j = 1; j <= nc; j++) m[r, j] = trim($(j + 2))
        next
    }
    inm && !/^\|/ && r > 0 {
        for (a = 1; a <= r; a++) for (b = 1; b <= r; b++) {
            if (a == b || !num(m[a, b]) || !num(m[a, a]) || !num(m[b, b])) continue
            if (small(m[a, a] - m[a, b])) print "a_only", a, b
            if (num(n) && small(n - m[a, a] - m[b, b] + m[a, b])) print "neither", a, b
        }
        inm = 0; hdr = 0; r = 0
    }
    /^\*\*Days to closure \(new cases this period\)\*\*/ { inkm = 1; khdr = 0; next }
    inkm && /^\| :/ { next }
    inkm && /^\|/ {
        if (!khdr) { khdr = 1; next }
        # | group | cases | closed | median | by 90 | KM | by 180 | KM | by 365 | KM |
        c[1] = trim($3); c[2] = trim($4); c[3] = trim($10); c[4] = trim($8); c[5] = trim($6)
        for (i = 1; i <= 5; i++) for (j = i + 1; j <= 5; j++)
            if (num(c[i]) && num(c[j]) && small(c[i] - c[j])) print "km", i, j
        next
    }
    inkm && khdr && !/^\|/ { inkm = 0 }'
}

runs=0 found_kasane=0 found_weak=0
for district in Tobu Seibu Osawa Renjaku Inokashira; do
    for period in FY2022 FY2024 2023Q3 2024-10; do
        args=(report --period "$period" --db db --district "$district" --format md --lang en)
        expect_exit 0 "$KASANE" "${args[@]}"
        runs=$((runs + 1))
        found_kasane=$((found_kasane + $(attack <"$LAST_OUT" | wc -l)))
        expect_exit 0 weak report-nested "${args[@]}"
        found_weak=$((found_weak + $(attack <"$LAST_OUT" | wc -l)))
    done
done
note "$runs reports; counts below k derived from the pair matrices and the days-to-closure table: kasane $found_kasane, kasane-weak (report-nested off) $found_weak"
assert_eq "$found_kasane" 0 "counts below k derived from kasane's pair matrices"
[ "$found_weak" -ge 20 ] || fail "the attack derived only $found_weak counts from the weakened build: it cannot show the protection works"
pass
