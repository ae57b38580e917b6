#!/usr/bin/env bash
# t4010-directory: `kasane directory` (issue 13, docs/directory.md).
#  1. the persons rule: a window x problem with 12 cases of ONE person is not
#     shown, one with 12 cases of 12 persons is; kasane-weak without the rule
#     (guide-persons) shows the first, so the rule is what hides it;
#  2. the evidence is analyze partners' numbers: under the cell key method
#     (the guide always uses it) share classes, good-outcome rates and their
#     Wilson intervals agree with `kasane analyze partners` on the same
#     database, rounded as docs/directory.md says;
#  3. build: the site lands whole, a rebuild replaces it, a directory that is
#     not an earlier build is refused, the staff report stays out of it.
. "$(dirname "$0")/lib.sh"

keygen key
# has_code CODE: lookup's last output lists window CODE
has_code() { awk -F '\t' -v c="$1" '$1 == c { f = 1 } END { exit !f }' "$LAST_OUT"; }

# ---- 1. the persons rule -------------------------------------------------------------
# 300 ordinary cases, then 12 cases of one person (自殺念慮 with ハローワーク)
# and 12 cases of 12 persons (外国籍・言語 with 警察); no other case has
# either partner.
{
    echo "記録番号,宛名番号,氏名,フリガナ,生年月日,住所,電話番号,世帯番号,性別,世帯構成,地区,相談日,終結日,相談経路,受付機関,課題,支援内容,連携先,本人同意,会議,状況,結果,備考"
    awk 'BEGIN {
        split("東部 西部 新川中原 井の頭 連雀 大沢 三鷹駅周辺", d, " ")
        split("介護 生活困窮 子育て 障がい ひきこもり", p, " ")
        split("地域包括支援センター 生活・就労支援窓口 子ども家庭支援センター 基幹相談支援センター 社会福祉協議会", w, " ")
        for (i = 1; i <= 300; i++)
            printf "R%04d,%012d,氏名%d,シメイ,19%02d0101,三鷹市,,,女,単身,%s,2025/%d/%d,,本人,,%s,相談対応,%s,あり,なし,継続,,\n",
                i, 100000 + i, i, 30 + i % 60, d[1 + i % 7], 1 + i % 12, 1 + i % 28, p[1 + i % 5], w[1 + i % 5]
        for (i = 1; i <= 12; i++)
            printf "S%04d,%012d,同一人物,ドウイツ,19700505,三鷹市,,,男,単身,東部,2025/%d/3,,本人,,自殺念慮,相談対応,ハローワーク,あり,なし,継続,,\n",
                i, 999999, i
        for (i = 1; i <= 12; i++)
            printf "F%04d,%012d,別人%d,ベツジン,19800101,三鷹市,,,男,単身,西部,2025/%d/4,,本人,,外国籍・言語,相談対応,警察,あり,なし,継続,,\n",
                i, 500000 + i, i, i
    }'
} >rule.csv
expect_exit 0 "$KASANE" import -q --db rule.db --key key rule.csv
expect_exit 0 "$KASANE" directory lookup --db rule.db --problem suicide_risk --today 2026-12-07 --format tsv
[ "$(wc -l <"$LAST_OUT")" -eq 1 ] || fail "12 cases of one person shown as evidence"
expect_exit 0 "$KASANE" directory lookup --db rule.db --problem foreign --today 2026-12-07 --format tsv
has_code keisatsu || fail "12 persons' cases are not evidence"
if [ -n "${KASANE_WEAK_BIN:-}" ]; then
    KASANE_WEAKEN=guide-persons expect_exit 0 "$KASANE_WEAK_BIN" directory lookup --db rule.db \
        --problem suicide_risk --today 2026-12-07 --format tsv
    has_code hello_work || fail "without the persons rule the one person's cases should show"
fi

# ---- 2. the same numbers as analyze partners ------------------------------------------
gen --rows 6000 --seed 4010 -o cases.csv
expect_exit 0 "$KASANE" import -q --db db --key key cases.csv
expect_exit 0 "$KASANE" threshold --db db --key key --method cellkey 5
compared=0
for p in hikikomori poverty care; do
    expect_exit 0 "$KASANE" analyze partners "$p" --db db --format tsv --out an.tsv
    expect_exit 0 "$KASANE" directory lookup --db db --problem "$p" --today 2026-12-07 --format tsv
    cp "$LAST_OUT" lk.tsv
    # lookup: code -> share class and rate text; analyze: code -> share %, closed, rate, lower, upper
    # analyze prints rates to 3 decimals: the guide's 5-point rounding is
    # checked to within that precision (e = 0.05 points)
    out=$(awk -F '\t' '
        function cls(s) { return s < 10 ? "1割未満" : s < 30 ? "1〜3割" : s < 50 ? "3〜5割" : "5割以上" }
        function m5(x) { return x % 5 == 0 }
        FNR == 1 { for (i = 1; i <= NF; i++) h[FILENAME, $i] = i; next }
        FILENAME ~ /an/ { c = $h[FILENAME, "code"]; sh[c] = $h[FILENAME, "share_pct"]; cl[c] = $h[FILENAME, "n_closed"]
                          ra[c] = 100 * $h[FILENAME, "good_rate"]; lo[c] = 100 * $h[FILENAME, "lower"]
                          up[c] = 100 * $h[FILENAME, "upper"]; has[c] = $h[FILENAME, "good_rate"] != ""; next }
        {
            c = $1; if (!(c in sh)) { print "MISSING " c; next }
            n++; e = 0.05
            # share_pct is printed to 0.1: at a class edge either side is right
            if (cls(sh[c] - e) != $5 && cls(sh[c] + e) != $5) print "SHARE " c " " sh[c] " " $5
            if (cl[c] + 0 >= 20 && has[c]) {
                t = $6; gsub(/[^0-9]+/, " ", t); split(t, v, " ")   # R 95 L H
                if (!(m5(v[1]) && m5(v[3]) && m5(v[4]))) print "ROUND " c " " $6
                if (v[1] < ra[c] - 2.5 - e || v[1] > ra[c] + 2.5 + e) print "RATE " c " " ra[c] " " $6
                if (v[3] > lo[c] + e || v[3] <= lo[c] - 5 - e) print "LOWER " c " " lo[c] " " $6
                if (v[4] < up[c] - e || v[4] >= up[c] + 5 + e) print "UPPER " c " " up[c] " " $6
            } else if ($6 != "") print "NORATE " c " " cl[c] " " $6
        }
        END { print "N " n }' an.partners.tsv lk.tsv)
    if echo "$out" | grep -q -v '^N '; then fail "lookup and analyze partners disagree for $p: $out"; fi
    compared=$((compared + ${out#N }))
done
[ "$compared" -ge 15 ] || fail "too few windows compared ($compared)"
note "$compared windows agree with analyze partners"

# ---- lookup on a day: the test profile's invented hours (its README) ------------------
# 基幹相談支援センター: Mon-Sat, open on holidays, closed 12/29-1/3; 生活・就労支援窓口:
# Mon-Fri and Sat mornings, closed on holidays; 子ども家庭支援センター Mon-Sat and
# 社会福祉協議会 Mon-Fri, both closed on holidays
TP=$KASANE_SOURCE_DIR/tests/data/profiles-guide/mitaka-test
open_on()
{
    expect_exit 0 "$KASANE" directory lookup --db db --profile "$TP" --problem hikikomori --open-on "$1" --format tsv
    tail -n +2 "$LAST_OUT" | cut -f 1 | sort | tr '\n' ' '
}
assert_eq "$(open_on 2027-01-11)" "kikan_soudan " "open on 成人の日 (Monday)"
assert_eq "$(open_on 2027-01-12)" "kikan_soudan kodomo_katei_shien seikatsu_shuro shakyo " "open on a Tuesday"
assert_eq "$(open_on 2027-01-16)" "kikan_soudan kodomo_katei_shien seikatsu_shuro " "open on a Saturday"
assert_eq "$(open_on 2027-01-17)" "" "open on a Sunday"
assert_eq "$(open_on 2026-12-29)" "" "open on 12/29"
assert_eq "$(open_on 2026-05-06)" "kikan_soudan " "open on 振替休日 2026-05-06 (Wednesday)"
assert_eq "$(open_on 2026-05-07)" "kikan_soudan kodomo_katei_shien seikatsu_shuro shakyo " "open the day after it"
expect_exit 2 "$KASANE" directory lookup --db db --problem hikikomori --open-on 2027-13-01
expect_exit 2 "$KASANE" directory lookup --db db --problem hikikomori --open-on 2027-01-11 --open-now

# ---- 3. build -------------------------------------------------------------------------
expect_exit 0 "$KASANE" directory build --db db --out site --today 2026-12-07 --staff-report staff.tsv
[ -f site/index.html ] && [ -f site/.kasane-directory ] || fail "no site written"
grep -q -E 'fewer than k|no directory record|never assured' staff.tsv || fail "the staff report names nothing left out"
ls -d site.tmp-* site.old-* 2>/dev/null && fail "temporary directories left behind"
# a rebuild replaces the earlier build
expect_exit 0 "$KASANE" directory build --db db --out site --today 2026-12-07
ls -d site.tmp-* site.old-* 2>/dev/null && fail "temporary directories left behind after a rebuild"
# a directory that is not an earlier build is never overwritten
mkdir other && echo mine >other/keep.txt
expect_exit 2 "$KASANE" directory build --db db --out other --today 2026-12-07
assert_eq "$(cat other/keep.txt)" mine "an unrelated directory"
# the staff report cannot go into the public directory
expect_exit 2 "$KASANE" directory build --db db --out site --staff-report site/staff.tsv
[ ! -e site/staff.tsv ] || fail "staff report written into the public site"
expect_exit 2 "$KASANE" directory nonsense --db db
expect_exit 2 "$KASANE" directory lookup --db db --problem no_such_problem
expect_exit 2 "$KASANE" directory lookup --db db --problem care --age 51-55
echo ok
