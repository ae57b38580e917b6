#!/usr/bin/env bash
# a2020-trend: hidden months of a series recovered from its Poisson trend.
# For glm(y ~ t, poisson) the printed annual change fixes sum t y_t given
# the series total (the score equations), so the hidden months of a series
# must solve sum y_h = S and sum t_h y_h = T: a small knapsack that
# attack-trend (tests/attack/tools/trend.c) counts the solutions of.  Over
# district x fiscal-year selections (12 months, a few of them hidden), a
# unique solution that equals the truth (read from the database file) is a
# recovered series.  kasane fits hidden months as their published sum
# (src/analyze/analyze_trend.c), so its change is no equation in them: nothing may be
# recovered; kasane-weak with trend-stats (the fit on every count) must give
# series back month by month.
# Issue 12: a selection built from options now goes through the cell key
# method, which hides nothing (it perturbs), so kasane itself gives this
# attack nothing to solve (checked below: no hidden month, no count 1..k-1).
# The protection attacked here is suppression's, which the whole database
# still gets under the default policy: it is tested on kasane-weak with only
# analyze-cellkey off (suppression as before, every other protection on),
# and the positive control turns the targeted protection off as well.
. "$(dirname "$0")/lib.sh"

attack_db 20000 2020

# attack BIN-ARGS...: "recovered" lines, one per series whose hidden months
# the solver gives back exactly; the selection is in $district and $fy
attack()
{
    "$@" analyze trend problems --db db --district "$district" --fy "$fy" --format json --lang en \
        >out.json 2>out.err || return 0
    json_flatten <out.json >out.flat
    # series with a printed change: "code n apc"
    awk -F '\t' '$1 == "trend" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
        END { for (r = 1; r <= nr; r++) if (v[r, "apc"] ~ /^-?[0-9]/ && v[r, "n"] ~ /^[0-9]+$/)
                  print v[r, "code"], v[r, "n"], v[r, "apc"] }' out.flat >series.txt
    awk -F '\t' '$1 == "trend" && $3 == "months_grouped" && $4 ~ /^[1-9]/ { print "grouped" }' out.flat
    local code n apc
    while read -r code n apc; do
        awk -F '\t' -v c="$code" '$1 == "monthly" && $3 == c && $2 <= 12 { print $4 }' out.flat >col.txt
        grep -Eq '^(x|<)' col.txt || continue
        { echo "5 $n $apc"; cat col.txt; } | tool trend >sol.txt
        grep -q '^solutions 1$' sol.txt || continue
        # the truth: the hidden months' counts from the file
        local bit truth
        bit=$(sql_ro db "SELECT problem_id FROM problem WHERE code = '$code'")
        truth=$(sql_ro db "WITH RECURSIVE m(i, mo) AS (SELECT 0, '$fy-04' UNION ALL
                   SELECT i + 1, strftime('%Y-%m', mo || '-01', '+1 month') FROM m WHERE i < 11)
               SELECT group_concat(n, ' ') FROM (SELECT m.i, (SELECT count(*) FROM case_record c JOIN district d USING (district_id)
                   WHERE c.consult_month = m.mo AND d.code = '$district' AND (c.problem_mask >> $bit) & 1) AS n FROM m ORDER BY m.i)")
        local got
        got=$(paste -d' ' <(tr '\n' ' ' <col.txt | xargs -n1) <(echo "$truth" | xargs -n1) |
            awk 'NR == FNR { } { if ($1 ~ /^(x|<)/) printf "%s ", $2 }' | sed 's/ $//')
        [ "$(sed -n 's/^solution //p' sol.txt)" = "$got" ] && echo "recovered $district $fy $code"
    done <series.txt
}

rec_kasane=0
rec_weak=0
ck_runs=0
ck_hidden=0
tried=0
grouped=0
for district in Tobu Seibu Osawa Renjaku Inokashira Shinkawa-Nakahara; do
    for fy in 2020 2021 2022 2023 2024 2025; do
        tried=$((tried + 1))
        "$KASANE" analyze trend problems --db db --district "$district" --fy "$fy" --format json --lang en \
            >out.json 2>/dev/null && ck_runs=$((ck_runs + 1)) &&
            json_flatten <out.json | awk -F '\t' '(($1 == "monthly" && $3 != "month") || ($1 == "trend" && $3 == "n")) &&
                $4 ~ /^(x|<5|[1-4])$/ { bad = 1 } END { exit !bad }' && ck_hidden=$((ck_hidden + 1))
        attack env KASANE_WEAKEN=analyze-cellkey "$KASANE_WEAK_BIN" >k.txt
        rec_kasane=$((rec_kasane + $(grep -c '^recovered' k.txt || true)))
        grouped=$((grouped + $(grep -c '^grouped' k.txt || true)))
        rec_weak=$((rec_weak + $(attack env KASANE_WEAKEN=trend-stats,analyze-cellkey "$KASANE_WEAK_BIN" |
            grep -c '^recovered' || true)))
    done
done
note "cell key method (kasane): $ck_runs analyses, $ck_hidden with a hidden count or one below k"
[ "$ck_runs" -ge 20 ] || fail "kasane printed only $ck_runs trend analyses"
assert_eq "$ck_hidden" 0 "trend analyses with a hidden count or one below k under the cell key method"
note "suppression (analyze-cellkey off): $tried selections; series recovered month by month: kasane $rec_kasane (of $grouped series it fitted with hidden months), kasane-weak (trend-stats) $rec_weak"
[ "$grouped" -ge 3 ] || fail "kasane fitted only $grouped series with hidden months: the attack did not test it"
assert_eq "$rec_kasane" 0 "series recovered from kasane's trend"
[ "$rec_weak" -ge 3 ] || fail "the solver recovered only $rec_weak series from the weakened build"
pass
