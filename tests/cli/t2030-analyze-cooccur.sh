#!/usr/bin/env bash
# t2030-analyze-cooccur: on generated data the household patterns the
# generator builds come out on top of `cooccur --unit household`: 8050
# (介護/認知症/8050問題 with ひきこもり), double care (子育て with 介護 or
# ダブルケア) and young carers (ヤングケアラー with anything); and the ranked
# list is what the footer says it is.
. "$(dirname "$0")/lib.sh"

gen --rows 20000 --seed 3 -o in.csv
keygen key
DB=$T/cases.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv

expect_exit 0 "$KASANE" analyze cooccur --unit household --top 10 --db "$DB" --format tsv --out hh.tsv
P=hh.pairs.tsv
assert_eq "$(($(wc -l <$P) - 1))" 10 "rows with --top 10"
# code_a code_b of the top ten, and each row significant ('+')
awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             { print $h["code_a"], $h["code_b"], $h["mark"] }' $P >top.txt
cat top.txt
while read -r a b mark; do
    assert_eq "$mark" + "mark of $a-$b in the top ten"
done <top.txt
has()  # has PATTERN-NAME AWK-CONDITION
{
    awk "$2 { found = 1 } END { exit !found }" top.txt || fail "no $1 pair in the top ten"
}
has 8050 '($1 ~ /^(care|dementia|8050)$/ && $2 ~ /^(hikikomori|8050)$/ && $1 != $2) ||
          ($2 ~ /^(care|dementia|8050)$/ && $1 ~ /^(hikikomori|8050)$/ && $1 != $2)'
has "double care" '($1 ~ /^(child|double_care)$/ && $2 ~ /^(care|double_care)$/ && $1 != $2) ||
                   ($2 ~ /^(child|double_care)$/ && $1 ~ /^(care|double_care)$/ && $1 != $2)'
has "young carer" '$1 == "young_carer" || $2 == "young_carer"'

# ranked by the lower bound of the lift, significant pairs first
awk -F '\t' 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
             NR > 2 && $h["lift_lower"] + 0 > prev + 1e-9 { bad = 1 }
             { prev = $h["lift_lower"] + 0 }
             END { exit bad }' $P || fail "pairs not ranked by lift_lower"

# a case-level run counts cases, the household run households
expect_exit 0 "$KASANE" analyze cooccur --db "$DB" --format tsv --comments --lang en
assert_file_contains "$LAST_OUT" "# n = 20,000 cases" "case-level n"
expect_exit 0 "$KASANE" analyze cooccur --unit household --db "$DB" --format tsv --comments --lang en
assert_file_contains "$LAST_OUT" "households; excluded: " "household-level n and exclusions"
assert_file_contains "$LAST_OUT" "cases without a household number" "household exclusion reason"
pass
