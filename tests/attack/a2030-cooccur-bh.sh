#!/usr/bin/env bash
# a2030-cooccur-bh: the Benjamini-Hochberg q-values of `analyze cooccur`
# carry the hidden pairs.  A q-value is a function of every p-value in its
# family and of their ranks: when BH runs over the hidden pairs too, the
# printed q's encode how many hidden pairs have smaller p-values than each
# shown one, i.e. where the hidden pairs' counts lie.  The attack recomputes
# BH from the printed p-values alone; every q that differs from the
# recomputed one carries information about hidden pairs.  kasane runs BH over
# the pairs whose counts are all shown (src/analyze/analyze_cooccur.c), so its q's
# must be exactly a function of its printed p's; kasane-weak with cooccur-bh
# (BH over every pair) must differ, over district selections on case and
# household units.
# Issue 12: a selection built from options now goes through the cell key
# method, under which no pair is hidden: kasane's q's must still be those of
# its printed p's.  The protection attacked here is suppression's (the whole
# database's under the default policy): it is tested on kasane-weak with only
# analyze-cellkey off, and the positive control turns cooccur-bh off as well.
. "$(dirname "$0")/lib.sh"

attack_db 6000 2030

# attack: the number of printed q's that BH over the printed p's does not give
attack()
{
    json_flatten <out.json | awk -F '\t' '$1 == "pairs" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    END {
        m = 0
        for (r = 1; r <= nr; r++) if (v[r, "p"] ~ /^[0-9.e+-]+$/ && v[r, "q"] ~ /^[0-9.e+-]+$/) {
            m++; p[m] = v[r, "p"] + 0; q[m] = v[r, "q"] + 0 }
        # sort by p (insertion sort: m is small)
        for (i = 2; i <= m; i++) { a = p[i]; b = q[i]; j = i - 1
            while (j >= 1 && p[j] > a) { p[j + 1] = p[j]; q[j + 1] = q[j]; j-- }
            p[j + 1] = a; q[j + 1] = b }
        bad = 0; run = 1
        for (i = m; i >= 1; i--) {
            x = p[i] * m / i; if (x < run) run = x
            want = run > 1 ? 1 : run
            d = q[i] - want; if (d < 0) d = -d
            if (d > 1e-12 + 1e-9 * want) bad++
        }
        print bad, m
    }'
}

bad_kasane=0
bad_supp=0
bad_weak=0
shown=0
runs=0
for unit in case household; do
    for district in Tobu Seibu Osawa Renjaku Inokashira Shinkawa-Nakahara; do
        args=(analyze cooccur --unit "$unit" --district "$district" --db db --format json --top 1000)
        expect_exit 0 "$KASANE" "${args[@]}"
        cp "$LAST_OUT" out.json
        read -r b m < <(attack)
        bad_kasane=$((bad_kasane + b))
        weak analyze-cellkey "${args[@]}" >out.json 2>/dev/null || fail "kasane-weak: ${args[*]}"
        read -r b m < <(attack)
        bad_supp=$((bad_supp + b))
        shown=$((shown + m))
        weak cooccur-bh,analyze-cellkey "${args[@]}" >out.json 2>/dev/null || fail "kasane-weak: ${args[*]}"
        read -r b m < <(attack)
        bad_weak=$((bad_weak + b))
        runs=$((runs + 1))
    done
done
note "$runs selections, $shown q-values printed under suppression; q's not given by the printed p's alone: kasane (cell key method) $bad_kasane, suppression (analyze-cellkey off) $bad_supp, kasane-weak (cooccur-bh) $bad_weak"
[ "$shown" -ge 100 ] || fail "only $shown q-values printed: the attack did not test kasane"
assert_eq "$bad_kasane" 0 "q-values that are not those of the printed p's (cell key method)"
assert_eq "$bad_supp" 0 "q-values that carry hidden pairs"
[ "$bad_weak" -ge 50 ] || fail "BH over hidden pairs changed only $bad_weak q's: the attack cannot show the protection works"

pass
