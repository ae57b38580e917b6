#!/usr/bin/env bash
# a2050-logit: the cases of a small level, counted by two models.  When a
# level of a predictor has fewer than k cases and the model leaves those
# cases out, the fit table's n and events, next to those of a model of the
# same selection with a numeric predictor only, give the dropped group's
# size and how many of them ended well.  kasane pools small levels into
# 「その他（k未満）」 (or the largest level) and keeps every case
# (src/analyze/analyze_logit.c) and makes a blank predictor a level of its own
# (未記入), so the two n's and events must agree; kasane-weak with
# logit-drop (the old rules) must give small groups away.
. "$(dirname "$0")/lib.sh"

attack_db 20000 2050

# fit FILE: "n events" of the fit table of a csv output
fit() { tr -d '\r' <"$1" | awk -F, '$1 == "n" && $2 == "events" { getline; print $1, $2; exit }'; }

found_kasane=0
found_weak=0
runs=0
pooled=0
for district in Tobu Seibu Osawa Renjaku Inokashira Shinkawa-Nakahara; do
    for fy in 2021 2022 2023 2024 2025; do
        sel=(--db db --district "$district" --fy "$fy" --format csv --lang en)
        for pred in age_band household_type "age_band sex"; do
            # shellcheck disable=SC2086
            LAST_RC=0
            "$KASANE" analyze logit good $pred n_partners "${sel[@]}" >k1.csv 2>/dev/null || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || continue
            "$KASANE" analyze logit good n_partners "${sel[@]}" >k0.csv 2>/dev/null || continue
            runs=$((runs + 1))
            grep -q "=_other,\|=_missing," k1.csv && pooled=$((pooled + 1))
            read -r n1 e1 <<<"$(fit k1.csv)"
            read -r n0 e0 <<<"$(fit k0.csv)"
            d=$((n0 - n1)) de=$((e0 - e1)) df=$(((n0 - e0) - (n1 - e1)))
            for x in $d $de $df; do [ "$x" -gt 0 ] && [ "$x" -lt 5 ] && found_kasane=$((found_kasane + 1)); done
            # shellcheck disable=SC2086
            weak logit-drop analyze logit good $pred n_partners "${sel[@]}" >w1.csv 2>/dev/null || continue
            read -r n1 e1 <<<"$(fit w1.csv)"
            d=$((n0 - n1)) de=$((e0 - e1)) df=$(((n0 - e0) - (n1 - e1)))
            for x in $d $de $df; do [ "$x" -gt 0 ] && [ "$x" -lt 5 ] && found_weak=$((found_weak + 1)); done
        done
    done
done
note "$runs model pairs ($pooled with pooled levels); counts below k from the difference of n and events: kasane $found_kasane, kasane-weak (logit-drop) $found_weak"
[ "$runs" -ge 30 ] || fail "only $runs model pairs could be fitted"
[ "$pooled" -ge 10 ] || fail "only $pooled models pooled a level: the attack did not test it"
assert_eq "$found_kasane" 0 "small groups given away by kasane's logit"
[ "$found_weak" -ge 20 ] || fail "the attack found only $found_weak small groups in the weakened build"
pass
