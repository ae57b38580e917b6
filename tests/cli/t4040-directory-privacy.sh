#!/usr/bin/env bash
# t4040-directory-privacy: the guide's public output (issue 13) -- index.html,
# how.html, assets, the HSDS JSON, windows.csv, and lookup's answers -- holds
#   1. no identifying value of the input (name, resident number, address,
#      phone, birth date, record and household numbers, in UTF-8, without
#      spaces, NFKC), scanned as t0020 scans the disk;
#   2. no pseudonym: no person id, case key, household id or pseudonym (hex)
#      of the database;
#   3. no count: every number before 件 or 人 is part of a band label, every
#      percentage a multiple of 5, and neither the database's exact number of
#      cases nor of persons appears anywhere;
#   4. no cell of fewer than k persons: every window x problem and window x
#      problem x attribute the lookups show holds k or more distinct persons
#      in the database (counted here with SQL, not by kasane).
# The scans are shown to catch a planted value first.
. "$(dirname "$0")/lib.sh"

K=5
gen --rows 3000 --seed 4040 --identifiers ids.txt -o cases.csv
keygen key
expect_exit 0 "$KASANE" import -q --db db --key key cases.csv
expect_exit 0 "$KASANE" directory build --db db --out site --today 2026-12-07
expect_exit 0 "$KASANE" directory build --db db --out site-en --lang en --today 2026-12-07
mkdir lookups
for p in care dementia disability mental_health child school_refusal poverty debt housing employment \
    hikikomori 8050 double_care young_carer abuse dv isolation self_neglect foreign health suicide_risk other; do
    expect_exit 0 "$KASANE" directory lookup --db db --problem "$p" --today 2026-12-07 --format tsv
    cp "$LAST_OUT" "lookups/$p.tsv"
    expect_exit 0 "$KASANE" directory lookup --db db --problem "$p" --today 2026-12-07 --format json --lang en
    cp "$LAST_OUT" "lookups/$p.json"
done
PUBLIC="site site-en lookups"

# ---- 1. identifying values -------------------------------------------------------------
{
    cat ids.txt
    sed -e 's/ //g' -e 's/　//g' ids.txt
    if perl -MUnicode::Normalize -e 1 2>/dev/null; then
        perl -CSD -MUnicode::Normalize -ne 'print NFKC($_)' ids.txt
    fi
} | grep -v '^$' | sort -u >patterns.txt
grep -E '^[0-9]+$' patterns.txt >pat-num.txt || true
grep -v -E '^[0-9]+$' patterns.txt >pat-text.txt
[ -s pat-num.txt ] && [ -s pat-text.txt ] || fail "expected identifiers of both kinds"
# scan DIR...: files with an identifier (numbers only as whole words: a
# UUID or a SHA-256 holds every short digit run by chance)
scan()
{
    { find "$@" -type f -print0 | xargs -0 grep -a -F -l -f pat-text.txt
      find "$@" -type f -print0 | xargs -0 grep -a -F -w -l -f pat-num.txt; } || true
}
# the scan sees a planted value
mkdir planted && sed -n 5p pat-text.txt >planted/x.html
[ -n "$(scan planted)" ] || fail "the scan missed a planted identifier"
hits=$(scan $PUBLIC)
[ -z "$hits" ] || fail "identifying values in the public output: $hits"

# ---- 2. pseudonyms -----------------------------------------------------------------------
{
    sql db "SELECT person_id FROM person; SELECT case_key FROM case_record; SELECT household_id FROM household"
    sql db "SELECT lower(hex(pseudonym)) FROM person; SELECT upper(hex(pseudonym)) FROM person"
    sql db "SELECT lower(hex(pseudonym)) FROM case_record"
} | grep -v '^$' | awk 'length($0) >= 6' | sort -u >pseudo.txt
[ "$(wc -l <pseudo.txt)" -gt 3000 ] || fail "too few pseudonyms to look for"
sed -n 7p pseudo.txt >planted/y.json
grep -a -F -w -q -f pseudo.txt planted/y.json || fail "the pseudonym scan missed a planted one"
if find $PUBLIC -type f -print0 | xargs -0 grep -a -F -w -l -f pseudo.txt; then
    fail "a pseudonym in the public output"
fi

# ---- 3. counts ---------------------------------------------------------------------------
# the visible text of every public file (tags out; the page's JSON stays in)
find $PUBLIC -type f \( -name '*.html' -o -name '*.json' -o -name '*.csv' -o -name '*.tsv' \) -print0 |
    xargs -0 cat | sed -e 's/<[^>]*>/ /g' >public.txt
# every number before 件/人 is inside a band label, or is one of the rules'
# constants the pages explain (k persons, k cases, the 20 closed cases a
# rate needs), or a record's staffing ("市内7地区に1人ずつ")
grep -a -o -E '[0-9]+(〜[0-9]+)?(件|人)(以上|より|ずつ)?' public.txt | sort -u >counted.txt
bad=$(grep -v -x -E "($K|10|20|50)〜(9|19|49|99)(件|人)|100(件|人)以上|$K(件|人)(以上|より)?|20件以上|[0-9]+人ずつ" counted.txt ||
    true)
[ -z "$bad" ] || fail "numbers of cases or persons that are not bands: $(echo $bad)"
grep -q . counted.txt || fail "no band labels found at all"
# English bands read "5-9 cases", "100 cases or more": the number before the
# word is a band's upper end or 100, or k in the rules' sentences ("at least
# 5 different people and at least 5 cases")
bad=$(grep -a -o -E '(least )?[0-9]+ (different )?(cases|people)' public.txt |
    grep -v -x -E "(9|19|49|99|100) (cases|people)|(least )?$K (different )?(cases|people)" | sort -u || true)
[ -z "$bad" ] || fail "English counts that are not bands: $(echo $bad)"
# (the English share classes read "10-29%" and "30-49%")
bad=$(grep -a -o -E '([0-9]+-)?[0-9]+%' public.txt | sort -u | grep -v -x -E '([0-9]*[05]-)?[0-9]*[05]%|10-29%|30-49%' || true)
[ -z "$bad" ] || fail "percentages that are not multiples of 5: $(echo $bad)"
ncases=$(sql db "SELECT count(*) FROM case_record")
npersons=$(sql db "SELECT count(DISTINCT person_id) FROM case_record")
for n in "$ncases" "$npersons"; do
    if grep -a -q -w "$n" public.txt; then fail "the exact total $n appears in the public output"; fi
done

# lookup's own columns: cases and every attribute's value are band labels
bad=$(awk -F '\t' 'FNR > 1 {
        band = "^(5〜9|10〜19|20〜49|50〜99)件$|^100件以上$"
        if ($4 !~ band) print FILENAME ": " $4
        n = split($11, a, "; ")
        for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[2] !~ band) print FILENAME ": " a[i] }
    }' lookups/*.tsv)
[ -z "$bad" ] || fail "lookup shows values that are not bands: $(echo "$bad" | head -3)"

# ---- 4. no combination under k persons -----------------------------------------------------
# small_cells DIR: the cells DIR's lookups show (rows: code, ..., attrs
# "age:40-64=10〜19件; household:single=5〜9件") with fewer than k distinct
# persons in the database, counted with one SQL query per cell
small_cells()
{
    local f p
    for f in "$1"/*.tsv; do
        p=$(basename "$f" .tsv)
        awk -F '\t' -v p="$p" 'NR > 1 {
            print $1 "\t" p "\t\t"
            n = split($11, a, "; ")
            for (i = 1; i <= n; i++) { split(a[i], kv, "="); split(kv[1], dv, ":"); print $1 "\t" p "\t" dv[1] "\t" dv[2] }
        }' "$f"
    done >"$1.shown"
    [ "$(wc -l <"$1.shown")" -ge 20 ] || fail "too few cells shown to check in $1"
    awk -F '\t' '
        function q(s) { gsub(/\x27/, "\x27\x27", s); return "\x27" s "\x27" }
        {
            cond = ""
            if ($3 == "age") {
                split($4, r, /[-+]/); lo = r[1] + 0; hi = ($4 ~ /\+$/) ? 200 : r[2] + 0
                cond = " AND c.age_band_id BETWEEN " (lo / 5 + 1) " AND " (hi >= 200 ? 21 : (hi - 4) / 5 + 1)
            } else if ($3 == "household")
                cond = " AND c.household_type_id = (SELECT household_type_id FROM household_type WHERE code = " q($4) ")"
            else if ($3 == "district")
                cond = " AND c.district_id = (SELECT district_id FROM district WHERE code = " q($4) ")"
            print "SELECT " q($1 "|" $2 "|" $3 ":" $4) " || \x27\t\x27 || count(DISTINCT c.person_id) FROM case_record c, partner w, problem pr " \
                  "WHERE w.code = " q($1) " AND pr.code = " q($2) " AND (c.partner_mask >> w.partner_id) & 1 " \
                  "AND (c.problem_mask >> pr.problem_id) & 1" cond ";"
        }' "$1.shown" >"$1.sql"
    sqlite3 -batch -bail db <"$1.sql" >"$1.persons"
    [ "$(wc -l <"$1.persons")" -eq "$(wc -l <"$1.shown")" ] || fail "not every shown cell of $1 was counted"
    awk -F '\t' -v k=$K '$2 < k' "$1.persons"
}
# the check finds small cells where the rule is off (kasane-weak, guide-persons)
mkdir weak
for p in hikikomori dv suicide_risk foreign young_carer self_neglect; do
    KASANE_WEAKEN=guide-persons expect_exit 0 "$KASANE_WEAK_BIN" directory lookup --db db --problem "$p" \
        --today 2026-12-07 --format tsv
    cp "$LAST_OUT" "weak/$p.tsv"
done
nweak=$(small_cells weak | wc -l)
[ "$nweak" -gt 0 ] || fail "without the persons rule the check should find cells of fewer than $K persons"
small=$(small_cells lookups)
[ -z "$small" ] || fail "cells shown with fewer than k persons: $small"
note "$(wc -l <lookups.persons) cells shown, each with >= $K persons (kasane-weak without the rule: $nweak under $K)"
echo ok
