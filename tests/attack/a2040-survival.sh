#!/usr/bin/env bash
# a2040-survival: survival's two tables are one publication.  The summary
# gives each group's n, events and censored; the curve splits them by time
# (cases at risk at each point, events since the previous one).  With the
# last point beyond every follow-up (--times ...,36500: nobody is at risk
# there, so the intervals hold every event), a hidden summary count is the
# sum of the curve's events, a hidden interval is the summary's events less
# the others, and every difference of two nested printed counts (cases
# leaving the risk set, those less the interval's events, the events after
# the last point) is itself a count.  The attack derives all of them from
# the printed numbers over district x fiscal-year selections, and counts the
# ones in 1..k-1, plus every log-rank statistic printed next to a hidden
# count.  kasane (src/analyze/analyze_survival.c: a group's curve goes with its
# summary row and with its differences; the log-rank test as a p class)
# must give none; kasane-weak with survival-links must give many.
# Issue 12: a selection built from options now goes through the cell key
# method: kasane prints perturbed counts only (no estimate, nothing hidden),
# whose differences are noise, not counts; checked below: no count 1..k-1,
# nothing hidden.  The protection attacked here is suppression's (the whole
# database's under the default policy): it is tested on kasane-weak with only
# analyze-cellkey off, and the positive control turns survival-links off too.
. "$(dirname "$0")/lib.sh"

attack_db 20000 2040

attack()
{
    tr -d '\r' | awk -F, -v k=5 '
    function num(x) { return x ~ /^[0-9]+$/ }
    function small(x) { if (x < 0) x = -x; return x > 0 && x < k }
    function report(what, v) { if (small(v)) print what, v }
    $3 == "events" { tab = "s"; next }
    $3 == "time" { tab = "c"; next }
    $1 == "test" { tab = "t"; next }
    tab == "s" { E[$2] = $3; C[$2] = $4; N[$2] = $5; if (!num($3) || !num($4) || !num($5)) anyhidden = 1; next }
    tab == "c" { g = $2; m = ++np[g]; r[g, m] = $4; e[g, m] = $5; next }
    tab == "t" && $1 == "logrank" { if ($2 != "" && anyhidden) print "logrank-beside-hidden", 1 }
    END {
        for (g in np) {
            m = np[g]; prev = N[g]; sum = 0; ok = 1; nh = 0
            for (i = 1; i <= m; i++) {
                if (num(prev) && num(r[g, i])) {
                    left = prev - r[g, i]; report("left", left)
                    if (num(e[g, i])) report("censored-in-interval", left - e[g, i])
                }
                prev = r[g, i]
                if (num(e[g, i])) sum += e[g, i]; else { ok = 0; nh++ }
            }
            last0 = r[g, m] == "0"
            if (ok && num(E[g])) report("tail", E[g] - sum)
            if (ok && !num(E[g]) && last0) { report("events-from-curve", sum); if (num(N[g])) report("censored-from-curve", N[g] - sum) }
            if (nh == 1 && num(E[g]) && last0) report("interval-from-summary", E[g] - sum)
        }
    }'
}

found_kasane=0
found_weak=0
ck_runs=0
ck_bad=0
runs=0
shown=0
for group in sex household_type; do
    for district in Tobu Seibu Osawa Renjaku Inokashira Shinkawa-Nakahara; do
        for fy in 2021 2022 2024; do
            args=(analyze survival "$group" --db db --district "$district" --fy "$fy" --times 30,90,180,365,36500
                  --format csv --lang en)
            LAST_RC=0
            "$KASANE" "${args[@]}" >k.csv 2>/dev/null || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || continue
            ck_runs=$((ck_runs + 1))
            tr -d '\r' <k.csv | awk -F, '$3 == "events" || $3 == "time" { t = $3; next } $1 == "test" { t = ""; next }
                t == "events" && ($3 $4 $5) ~ /x|</ { bad = 1 }
                t == "events" { for (i = 3; i <= 5; i++) if ($i ~ /^[1-4]$/) bad = 1 }
                t == "time" { for (i = 4; i <= 5; i++) if ($i ~ /^([1-4]|x|<5)$/) bad = 1 }
                END { exit !bad }' && ck_bad=$((ck_bad + 1))
            LAST_RC=0
            weak analyze-cellkey "${args[@]}" >k.csv 2>/dev/null || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || continue
            runs=$((runs + 1))
            found_kasane=$((found_kasane + $(attack <k.csv | wc -l)))
            shown=$((shown + $(tr -d '\r' <k.csv | awk -F, '$3 == "time" { c = 1; next } $3 == "events" || $1 == "test" { c = 0 } c && $4 ~ /^[0-9]+$/' | wc -l)))
            weak survival-links,analyze-cellkey "${args[@]}" >w.csv 2>/dev/null || fail "kasane-weak: ${args[*]}"
            found_weak=$((found_weak + $(attack <w.csv | wc -l)))
        done
    done
done
note "cell key method (kasane): $ck_runs selections, $ck_bad with a hidden count or one below k"
[ "$ck_runs" -ge 20 ] || fail "kasane analysed only $ck_runs selections"
assert_eq "$ck_bad" 0 "survival tables with a hidden count or one below k under the cell key method"
note "suppression (analyze-cellkey off): $runs selections, $shown curve points with counts printed by kasane; counts below k derived from the summary and the curve: kasane $found_kasane, kasane-weak (survival-links) $found_weak"
[ "$runs" -ge 20 ] || fail "only $runs selections could be analysed"
[ "$shown" -ge 25 ] || fail "kasane printed only $shown curve points: the attack did not test it"
assert_eq "$found_kasane" 0 "counts below k derived from kasane's survival tables"
[ "$found_weak" -ge 30 ] || fail "the attack derived only $found_weak counts from the weakened build"
pass
