#!/usr/bin/env bash
# t2020-analyze-planted: the effects the generator plants come out of
# `kasane analyze` with the right sign (datasets/demo/README.md, gen.c):
# good outcomes fall with the number of problems and with age, rise with
# multi-agency work (two or more partners) and with consent; ひきこもり cases
# grow faster than the rest.  Generated data, 30,000 cases.
. "$(dirname "$0")/lib.sh"

gen --rows 30000 --seed 5 -o in.csv
keygen key
DB=$T/cases.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv

# col FILE KEYCOL KEY VALCOL: the value in column VALCOL (by header name) of
# the row whose KEYCOL is KEY, from a tsv file kasane wrote with --out.
col()
{
    awk -F '\t' -v kc="$2" -v k="$3" -v vc="$4" '
        NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
        $h[kc] == k { print $h[vc]; found = 1; exit }
        END { if (!found) exit 1 }' "$1" || fail "no row $2=$3 (column $4) in $1"
}
# lt A B: A < B as numbers
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# ---- outcome model -----------------------------------------------------------
expect_exit 0 "$KASANE" analyze logit good n_problems age multi_agency consent n_partners \
    --db "$DB" --format tsv --out lg.tsv
C=lg.coefficients.tsv
[ -f "$C" ] || fail "no coefficients table written"
for neg in n_problems age consent=no; do
    b=$(col $C coef "$neg" estimate) p=$(col $C coef "$neg" p)
    lt "$b" 0 || fail "$neg: estimate $b, the generator makes it negative"
    lt "$p" 0.001 || fail "$neg: p = $p, not significant on 30,000 cases"
done
b=$(col $C coef multi_agency estimate) p=$(col $C coef multi_agency p)
lt 0 "$b" || fail "multi_agency: estimate $b, the generator makes it positive"
lt "$p" 0.001 || fail "multi_agency: p = $p"
# odds ratio below 1 with its whole interval for the number of problems
hi=$(col $C coef n_problems or_upper)
lt "$hi" 1 || fail "n_problems: odds ratio interval reaches $hi"

# the same through age bands: the old do worse than the reference (40-44)
expect_exit 0 "$KASANE" analyze logit age_band n_problems multi_agency --ref age_band=40-44 \
    --db "$DB" --format tsv --out lb.tsv
for band in 80-84 85-89 90-94; do
    b=$(col lb.coefficients.tsv coef "age_band=$band" estimate)
    lt "$b" 0 || fail "age_band=$band: estimate $b, should be below the 40-44 reference"
done

# ---- trends ---------------------------------------------------------------------
expect_exit 0 "$KASANE" analyze trend problems --db "$DB" --format tsv --out tr.tsv
expect_exit 0 "$KASANE" analyze trend all --db "$DB" --format tsv --out ta.tsv
hiki_lo=$(col tr.trend.tsv code hikikomori apc_lower)
all_hi=$(col ta.trend.tsv code all apc_upper)
lt "$all_hi" "$hiki_lo" || fail "hikikomori grows no faster than all cases ($hiki_lo vs $all_hi)"
# faster than every other problem with 1,000+ cases (8050 is hikikomori's twin in the generator)
while IFS=$'\t' read -r code n apc; do
    [ "$code" = hikikomori ] || [ "$code" = 8050 ] && continue
    lt "$apc" "$hiki_lo" || fail "hikikomori (lower bound $hiki_lo) not faster than $code ($apc)"
done < <(awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
                      $h["n"] + 0 >= 1000 { print $h["code"] "\t" $h["n"] "\t" $h["apc"] }' tr.trend.tsv)
# it is on the BH list, going up
[ "$(col tr.significant.tsv code hikikomori q)" != "" ] || fail "hikikomori not in the significant list"
assert_eq "$(col tr.trend.tsv code hikikomori mark)" up "hikikomori trend mark"
pass
