#!/usr/bin/env bash
# a4020-guide-differencing: two releases of the consultation-window guide one
# month apart (issue 13; docs/directory.md "Two releases").  The guide is
# rebuilt every month from the same database with one more month of cases;
# anyone keeps both.  The attacker differences every cell the two releases
# show -- each window with each problem, and each window x problem x
# attribute (age group, household type, district) -- to learn how many
# persons of that exact combination consulted in the new month.  A cell is
# PINNED when the releases leave one possible difference d in 1..k-1: "in
# February exactly 1 person aged 40-64 in 大沢 with ひきこもり went to
# window W" -- a count below the threshold, and with a neighbour's knowledge
# that one person is identified.
#
# A value's possible true counts: a band "10〜19件" stands for 10..19 (the
# cell key method moves a count by at most D = 5, so the true count is in a
# wider range still; the attacker is granted the band itself); a cell not
# shown stands for 0..k-1 (granted: the persons rule can hide larger counts
# too); an exact count (kasane-weak) for itself.  Against kasane-weak with
# the bands and the cell key off (guide-bands, analyze-cellkey: the counts
# the guide would print without its protections) the attacker pins many
# cells, and every pin is right, since the weak release prints the true
# counts; against kasane, none.
. "$(dirname "$0")/lib.sh"

attack_db 20000 4020
K=5
# the generator's cases run from 2020-04 to 2026-03: the releases end with
# January and with February 2026
A_TO=2020-04..2026-01
B_TO=2020-04..2026-02

# release RUNNER OUT TO: every problem's lookup, one TSV per problem
release()
{
    local runner=$1 out=$2 to=$3 p
    mkdir -p "$out"
    for p in care dementia disability mental_health child school_refusal poverty debt housing employment \
        hikikomori 8050 double_care young_carer abuse dv isolation self_neglect foreign health suicide_risk other; do
        expect_exit 0 $runner directory lookup --db db --problem "$p" --period "$to" --today 2026-12-07 --format tsv
        awk -F '\t' -v p="$p" 'NR > 1 {
            print $1 "|" p "\t" $4
            n = split($11, a, "; ")
            for (i = 1; i <= n; i++) { split(a[i], kv, "="); print $1 "|" p "|" kv[1] "\t" kv[2] }
        }' "$LAST_OUT" >>"$out/cells.tsv"
    done
    sort -o "$out/cells.tsv" "$out/cells.tsv"
}

# pins A B: the cells whose difference B - A is one value in 1..k-1
pins()
{
    awk -F '\t' -v k=$K '
        function lo(v) { if (v == "") return 0; if (v ~ /^[0-9]+$/) return v + 0; sub(/[^0-9].*/, "", v); return v + 0 }
        function hi(v, w) { if (v == "") return k - 1; if (v ~ /^[0-9]+$/) return v + 0
                            if (v ~ /以上/) return 1e9; w = v; sub(/^[0-9]+〜/, "", w); sub(/[^0-9].*/, "", w); return w + 0 }
        FNR == NR { a[$1] = $2; seen[$1] = 1; next }
        { b[$1] = $2; seen[$1] = 1 }
        END {
            for (c in seen) {
                dlo = lo(b[c]) - hi(a[c]); dhi = hi(b[c]) - lo(a[c])
                if (dlo < 0) dlo = 0
                if (dlo == dhi && dlo >= 1 && dlo < k) print c "\t" dlo
            }
        }' "$1/cells.tsv" "$2/cells.tsv" | sort
}

# ---- kasane-weak: the counts themselves ----------------------------------------------
wk() { weak guide-bands,analyze-cellkey "$@"; }
release wk weakA "$A_TO"
release wk weakB "$B_TO"
pins weakA weakB >weak.pins
nweak=$(wc -l <weak.pins)
note "kasane-weak (exact counts): $nweak cells pinned to 1..$((K - 1)) new cases"
[ "$nweak" -ge 20 ] || fail "the attack should pin cells against exact counts (pinned $nweak)"
# every pin is right: the weak release prints the true counts, and a cell's
# count never falls when a month is added (cases are only added)
awk -F '\t' 'FNR == NR { a[$1] = $2; next } { if ($2 + 0 < a[$1] + 0) bad++ } END { exit bad > 0 }' \
    weakA/cells.tsv weakB/cells.tsv || fail "a weak count fell from one release to the next"

# ---- kasane: bands, the cell key method and the persons rule ---------------------------
release "$KASANE" A "$A_TO"
release "$KASANE" B "$B_TO"
pins A B >strong.pins
nstrong=$(wc -l <strong.pins)
note "kasane: $nstrong cells pinned"
[ "$nstrong" -eq 0 ] || { head strong.pins >&2; fail "the guide lets two releases pin $nstrong cells"; }
# the releases are real and differ: the attack had material to work on
[ "$(wc -l <A/cells.tsv)" -ge 200 ] || fail "release A shows too few cells"
if cmp -s A/cells.tsv B/cells.tsv; then fail "the two releases are identical: no month was added"; fi
# a rebuild of the same month is the same release (the cell key method is
# deterministic: asking again teaches nothing new)
release "$KASANE" A2 "$A_TO"
assert_same_file A/cells.tsv A2/cells.tsv "the same release built twice"
echo "ok: $nweak pins against exact counts, 0 against the guide"
