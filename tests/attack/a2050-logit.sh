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
# Issue 12: a selection built from options now goes through the cell key
# method: each model is fitted on its own perturbed pattern table, so two
# models' n differ by noise, not by a group of cases (checked below: no
# count 1..k-1 printed).  The protection attacked here is suppression's (the
# whole database's under the default policy): it is tested on kasane-weak
# with only analyze-cellkey off, and the positive control turns logit-drop
# off as well.
. "$(dirname "$0")/lib.sh"

attack_db 20000 2050

# fit FILE: "n events" of the fit table of a csv output
fit() { tr -d '\r' <"$1" | awk -F, '$1 == "n" && $2 == "events" { getline; print $1, $2; exit }'; }

found_kasane=0
found_weak=0
ck_runs=0
ck_bad=0
runs=0
pooled=0
for district in Tobu Seibu Osawa Renjaku Inokashira Shinkawa-Nakahara; do
    for fy in 2021 2022 2023 2024 2025; do
        sel=(--db db --district "$district" --fy "$fy" --format csv --lang en)
        for pred in age_band household_type "age_band sex"; do
            # shellcheck disable=SC2086
            LAST_RC=0
            "$KASANE" analyze logit good $pred n_partners "${sel[@]}" >k1.csv 2>/dev/null || LAST_RC=$?
            if [ "$LAST_RC" -eq 0 ]; then
                ck_runs=$((ck_runs + 1))
                tr -d '\r' <k1.csv | awk -F, '$1 == "coef" { for (i = 1; i <= NF; i++) h[$i] = i; c = 1; next }
                    $1 == "n" && $2 == "events" { c = 0; f = 1; next }
                    c && $h["n"] ~ /^([1-4]|x|<5)$/ { bad = 1 }
                    f { if ($1 ~ /^([1-4]|x|<5)$/ || $2 ~ /^([1-4]|x|<5)$/) bad = 1; f = 0 }
                    END { exit !bad }' && ck_bad=$((ck_bad + 1))
            fi
            LAST_RC=0
            # shellcheck disable=SC2086
            weak analyze-cellkey analyze logit good $pred n_partners "${sel[@]}" >k1.csv 2>/dev/null || LAST_RC=$?
            [ "$LAST_RC" -eq 0 ] || continue
            weak analyze-cellkey analyze logit good n_partners "${sel[@]}" >k0.csv 2>/dev/null || continue
            runs=$((runs + 1))
            grep -q "=_other,\|=_missing," k1.csv && pooled=$((pooled + 1))
            read -r n1 e1 <<<"$(fit k1.csv)"
            read -r n0 e0 <<<"$(fit k0.csv)"
            d=$((n0 - n1)) de=$((e0 - e1)) df=$(((n0 - e0) - (n1 - e1)))
            for x in $d $de $df; do [ "$x" -gt 0 ] && [ "$x" -lt 5 ] && found_kasane=$((found_kasane + 1)); done
            # shellcheck disable=SC2086
            weak logit-drop,analyze-cellkey analyze logit good $pred n_partners "${sel[@]}" >w1.csv 2>/dev/null || continue
            read -r n1 e1 <<<"$(fit w1.csv)"
            d=$((n0 - n1)) de=$((e0 - e1)) df=$(((n0 - e0) - (n1 - e1)))
            for x in $d $de $df; do [ "$x" -gt 0 ] && [ "$x" -lt 5 ] && found_weak=$((found_weak + 1)); done
        done
    done
done
note "cell key method (kasane): $ck_runs models, $ck_bad with a count below k or hidden"
[ "$ck_runs" -ge 30 ] || fail "kasane fitted only $ck_runs models"
assert_eq "$ck_bad" 0 "models with a count below k or hidden under the cell key method"
note "suppression (analyze-cellkey off): $runs model pairs ($pooled with pooled levels); counts below k from the difference of n and events: kasane $found_kasane, kasane-weak (logit-drop) $found_weak"
[ "$runs" -ge 30 ] || fail "only $runs model pairs could be fitted"
[ "$pooled" -ge 10 ] || fail "only $pooled models pooled a level: the attack did not test it"
assert_eq "$found_kasane" 0 "small groups given away by kasane's logit"
[ "$found_weak" -ge 20 ] || fail "the attack found only $found_weak small groups in the weakened build"
pass
