#!/usr/bin/env bash
# t2050-analyze-cellkey: `kasane analyze` on a selection built from options
# goes through the cell key method (issue 12, src/analyze/analyze.h).  For
# every analysis, every count checked here is recomputed independently of
# kasane: the true count and the sum of its record keys straight from the
# database file (sqlite3 over record_key), then ONS's rule with the shipped
# ptable (datasets/ptables/kasane-default-k5.csv): pcv = n up to 750, else
# ((n - 1) mod 250) + 501; ckey = key sum mod 256; published = n + pvalue.
# The statistics are then recomputed from the PRINTED counts (awk) and must
# equal kasane's: crosstab's chi-squared, expected counts and row %;
# partners' shares and Wilson intervals; cooccur's expected counts and lifts;
# trend's Poisson fit (IRLS in awk); logit's coefficients (one categorical
# predictor: the saturated model's closed form).  Survival prints counts
# only (its estimates are hidden).  No count 1..k-1 anywhere, and an
# unfiltered analysis is unchanged (threshold suppression, true counts).
. "$(dirname "$0")/lib.sh"

gen --rows 20000 --seed 2050 -o in.csv
keygen key
DB=$T/cases.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv
PT=$KASANE_SOURCE_DIR/datasets/ptables/kasane-default-k5.csv
HASH=$(sha256sum "$PT" | cut -d' ' -f1)

# perturb: lines "KEY|n|keysum" (sqlite3's separator) -> "KEY|published"
perturb()
{
    awk -F'|' -v pt="$PT" 'BEGIN { while ((getline l < pt) > 0) { split(l, f, ","); if (f[1] ~ /^[0-9]+$/) pv[f[1] "," f[2]] = f[3] } }
        { n = $(NF - 1); s = $NF; key = $1; for (i = 2; i < NF - 1; i++) key = key "|" $i
          pcv = n <= 750 ? n : ((n - 1) % 250) + 501
          print key "|" (n == 0 ? 0 : n + pv[pcv "," (s % 256)]) }'
}

# flat FILE: the json output FILE as "table<TAB>row<TAB>column<TAB>value"
flat() { json_flatten <"$1"; }

# the selection's cases with their record keys, as SQL
sel_sql()  # sel_sql DISTRICT FY
{
    echo "SELECT c.*, k.rkey FROM case_record c JOIN record_key k ON k.unit = 1 AND k.id = c.case_id
          JOIN district d USING (district_id) WHERE d.code = '$1' AND c.fiscal_year = $2"
}

# no_small FILE TABLE COLUMN...: no value 1..4, hidden or "<5" in those columns
no_small()
{
    local f=$1 t=$2
    shift 2
    local cols=" $* "
    flat "$f" | awk -F '\t' -v t="$t" -v cols="$cols" '$1 == t && (cols == " * " || index(cols, " " $3 " ")) &&
        $4 ~ /^([1-4]|x|<5)$/ { print; bad = 1 } END { exit bad }' || fail "a count below k or hidden in $f ($t)"
}

# compare GOT WANT WHAT: the two "key|value" lists, sorted, are the same
compare()
{
    sort "$1" >"$1.s"
    sort "$2" >"$2.s"
    assert_same_file "$1.s" "$2.s" "$3"
}

A() { "$KASANE" analyze "$@" --db "$DB" --format json --lang en; }

# ---- crosstab ------------------------------------------------------------------------
chi_differs=0
for s in "Tobu 2023" "Osawa 2024" "Seibu 2021"; do
    read -r district fy <<<"$s"
    expect_exit 0 A crosstab sex consent --district "$district" --fy "$fy"
    cp "$LAST_OUT" xt.json
    assert_file_contains xt.json "$HASH" "the ptable's hash in the footer ($s)"
    no_small xt.json counts yes no total
    # kasane's counts: "row label|column|value"
    flat xt.json | awk -F '\t' '$1 == "counts" && $3 == "sex" { lab[$2] = $4; next }
        $1 == "counts" { v[$2, $3] = $4; cols[$3] = 1; if ($2 > nr) nr = $2 }
        END { for (r = 1; r <= nr; r++) for (c in cols) print lab[r] "|" c "|" v[r, c] }' >got.txt
    # the truth: counts and key sums per cell, row, column and in all
    sql_ro "$DB" "WITH base AS (SELECT r.label_en AS rl, q.code AS cc, s.rkey FROM ($(sel_sql "$district" "$fy")) s
                  JOIN sex r USING (sex_id) JOIN consent q USING (consent_id))
        SELECT rl, cc, count(*), sum(rkey) FROM base GROUP BY rl, cc
        UNION ALL SELECT rl, 'total', count(*), sum(rkey) FROM base GROUP BY rl
        UNION ALL SELECT 'Total', cc, count(*), sum(rkey) FROM base GROUP BY cc
        UNION ALL SELECT 'Total', 'total', count(*), sum(rkey) FROM base" | perturb >want.txt
    # cells with no case are 0 (every level is listed)
    awk -F'|' 'NR == FNR { w[$1 "|" $2] = $3; next } { k = $1 "|" $2; print k "|" (k in w ? w[k] : 0) }' \
        want.txt got.txt >want_all.txt
    compare got.txt want_all.txt "crosstab counts = n + pvalue ($s)"
    # chi-squared from the printed interior (empty rows and columns dropped),
    # and from the true counts: kasane's must be the first
    flat xt.json | awk -F '\t' '$1 == "counts" && $3 != "sex" && $3 != "total" { v[$2, $3] = $4; if ($2 > nr) nr = $2; c[$3] = 1 }
        $1 == "tests" { t[$2, $3] = $4 }
        END { nr--  # the total row
              for (r = 1; r <= nr; r++) for (j in c) { rs[r] += v[r, j]; cs[j] += v[r, j]; n += v[r, j] }
              for (r = 1; r <= nr; r++) for (j in c) if (rs[r] > 0 && cs[j] > 0) { e = rs[r] * cs[j] / n; x += (v[r, j] - e) ^ 2 / e }
              for (i = 1; i <= 8; i++) if (t[i, "test"] == "pearson_chi2") k = t[i, "statistic"]
              d = x - k; if (d < 0) d = -d
              printf "%.17g %.17g\n", x, k
              exit !(d <= 1e-9 * (x > 1 ? x : 1)) }' >chi.txt ||
        fail "crosstab chi-squared is not that of the printed counts ($s): $(cat chi.txt)"
    read -r chi_printed _ <chi.txt
    sql_ro "$DB" "SELECT r.code, q.code, count(*) FROM ($(sel_sql "$district" "$fy")) s
                  JOIN sex r USING (sex_id) JOIN consent q USING (consent_id) GROUP BY 1, 2" |
        awk -F'|' '{ v[$1, $2] = $3; rs[$1] += $3; cs[$2] += $3; n += $3 }
            END { for (k in v) { split(k, p, SUBSEP); e = rs[p[1]] * cs[p[2]] / n; x += (v[k] - e) ^ 2 / e }
                  for (r in rs) for (c in cs) if (!((r, c) in v)) x += rs[r] * cs[c] / n
                  printf "%.17g\n", x }' >chi_true.txt
    awk -v a="$chi_printed" '{ d = a - $1; if (d < 0) d = -d; exit !(d > 1e-9) }' chi_true.txt && chi_differs=$((chi_differs + 1))
    # expected counts and row % of the cells table, from the printed counts
    flat xt.json | awk -F '\t' '$1 == "counts" && $3 == "sex" { lab[$2] = $4; next }
        $1 == "counts" { v[lab[$2], $3] = $4; next }
        $1 == "cells" { c[$2, $3] = $4; if ($2 > nc) nc = $2 }
        END { for (r in lab) if (lab[r] != "Total") for (k in v) { split(k, p, SUBSEP); if (p[1] == lab[r] && p[2] != "total") { rs[lab[r]] += v[k]; cs[p[2]] += v[k]; n += v[k] } }
              for (i = 1; i <= nc; i++) {
                  o = v[c[i, "row"], c[i, "col_code"]]; rt = v[c[i, "row"], "total"]
                  if (rt > 0) { d = c[i, "row_pct"] - 100 * o / rt; if (d < 0) d = -d; if (d > 1e-9) { print "row_pct", i; bad = 1 } }
                  if (c[i, "expected"] != "null" && c[i, "expected"] != "") {
                      e = rs[c[i, "row"]] * cs[c[i, "col_code"]] / n; d = c[i, "expected"] - e; if (d < 0) d = -d
                      if (d > 1e-9 * (e > 1 ? e : 1)) { print "expected", i, c[i, "expected"], e; bad = 1 } } }
              exit bad }' || fail "crosstab cells not computed from the printed counts ($s)"
done
note "crosstab: the printed chi-squared differs from the true counts' in $chi_differs of 3 selections"
[ "$chi_differs" -ge 1 ] || fail "every printed chi-squared equals the true counts' one"

# ---- partners --------------------------------------------------------------------------
district=Tobu fy=2023
H=$(sql_ro "$DB" "SELECT problem_id FROM problem WHERE code = 'hikikomori'")
expect_exit 0 A partners hikikomori --district "$district" --fy "$fy" --top 1000
cp "$LAST_OUT" pt.json
no_small pt.json partners n n_closed n_good
no_small pt.json pairs n_ab n_a n_b
flat pt.json | awk -F '\t' '$1 == "partners" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    END { for (r = 1; r <= nr; r++) if (v[r, "code"] != "(none)") { print v[r, "code"] "|n|" v[r, "n"]; print v[r, "code"] "|closed|" v[r, "n_closed"]; print v[r, "code"] "|good|" v[r, "n_good"] } }' >got.txt
sql_ro "$DB" "WITH s AS (SELECT *, status_id = 2 AND outcome_id IS NOT NULL AND outcome_id != 7 AS cl,
                         status_id = 2 AND outcome_id IN (1, 2) AS gd FROM ($(sel_sql "$district" "$fy"))
                         WHERE (problem_mask >> $H) & 1),
                   p AS (SELECT pa.code, s.* FROM s JOIN case_partner cp USING (case_id) JOIN partner pa USING (partner_id)
                         UNION ALL SELECT '(all)', s.* FROM s)
    SELECT code, 'n', count(*), sum(rkey) FROM p GROUP BY code
    UNION ALL SELECT code, 'closed', sum(cl), coalesce(sum(CASE WHEN cl THEN rkey END), 0) FROM p GROUP BY code
    UNION ALL SELECT code, 'good', sum(gd), coalesce(sum(CASE WHEN gd THEN rkey END), 0) FROM p GROUP BY code" |
    perturb >want.txt
# a partner whose published n is 0 has no row
awk -F'|' 'NR == FNR { if ($2 == "n" && $3 == 0) skip[$1] = 1; next } !($1 in skip)' want.txt want.txt >want_listed.txt
compare got.txt want_listed.txt "partners counts = n + pvalue"
# share and the Wilson interval from the printed counts
flat pt.json | awk -F '\t' '$1 == "partners" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    function chk(a, b, what) { d = a - b; if (d < 0) d = -d; if (d > 1e-9) { print what, a, b; bad = 1 } }
    END { z = 1.959963984540054
          for (r = 1; r <= nr; r++) if (v[r, "code"] == "(all)") all = v[r, "n"]
          for (r = 1; r <= nr; r++) {
              chk(v[r, "share_pct"], 100 * v[r, "n"] / all, "share " r)
              x = v[r, "n_good"]; n = v[r, "n_closed"]
              if (n > 0 && x <= n) {
                  c = (x + z * z / 2) / (n + z * z); h = z * sqrt(x * (n - x) / n + z * z / 4) / (n + z * z)
                  chk(v[r, "good_rate"], x / n, "rate " r); chk(v[r, "lower"], c - h, "lower " r); chk(v[r, "upper"], c + h, "upper " r)
              } else if (v[r, "good_rate"] != "null") { print "rate without a proportion", r; bad = 1 }
          }
          exit bad }' || fail "partners shares or Wilson intervals not computed from the printed counts"
# pairs: together perturbed from its own key sum, lift from the printed counts
flat pt.json | awk -F '\t' '$1 == "pairs" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    END { for (r = 1; r <= nr; r++) print v[r, "code_a"] "|" v[r, "code_b"] "|" v[r, "n_ab"] }' >got.txt
sql_ro "$DB" "WITH s AS (SELECT * FROM ($(sel_sql "$district" "$fy")) WHERE (problem_mask >> $H) & 1)
    SELECT a.code, b.code, count(*), sum(s.rkey) FROM s JOIN case_partner x USING (case_id) JOIN case_partner y USING (case_id)
      JOIN partner a ON a.partner_id = x.partner_id JOIN partner b ON b.partner_id = y.partner_id
    WHERE x.partner_id != y.partner_id GROUP BY 1, 2" | perturb >want.txt
awk -F'|' 'NR == FNR { w[$1 "|" $2] = $3; next } { print $1 "|" $2 "|" w[$1 "|" $2] }' want.txt got.txt >want_pairs.txt
compare got.txt want_pairs.txt "partner pairs = n + pvalue"
[ "$(wc -l <got.txt)" -ge 5 ] || fail "too few partner pairs listed"

# ---- cooccur ---------------------------------------------------------------------------
expect_exit 0 A cooccur --district "$district" --fy "$fy" --top 1000
cp "$LAST_OUT" co.json
no_small co.json pairs n_ab n_a n_b
N=$(sql_ro "$DB" "SELECT 'all', count(*), sum(rkey) FROM ($(sel_sql "$district" "$fy"))" | perturb | cut -d'|' -f2)
flat co.json | awk -F '\t' '$1 == "pairs" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    END { for (r = 1; r <= nr; r++) { print v[r, "code_a"] "|" v[r, "code_b"] "|ab|" v[r, "n_ab"]
                                      print v[r, "code_a"] "|" v[r, "code_b"] "|a|" v[r, "n_a"]
                                      print v[r, "code_a"] "|" v[r, "code_b"] "|b|" v[r, "n_b"] } }' >got.txt
sql_ro "$DB" "WITH s AS ($(sel_sql "$district" "$fy")),
                   one AS (SELECT p.code, count(*) AS n, sum(s.rkey) AS k FROM s JOIN case_problem x USING (case_id)
                           JOIN problem p USING (problem_id) GROUP BY 1),
                   two AS (SELECT a.code AS ca, b.code AS cb, count(*) AS n, sum(s.rkey) AS k FROM s
                           JOIN case_problem x USING (case_id) JOIN case_problem y USING (case_id)
                           JOIN problem a ON a.problem_id = x.problem_id JOIN problem b ON b.problem_id = y.problem_id
                           WHERE x.problem_id != y.problem_id GROUP BY 1, 2)
    SELECT ca, cb, 'ab', n, k FROM two
    UNION ALL SELECT a.code, b.code, 'a', a.n, a.k FROM one a, one b WHERE a.code != b.code
    UNION ALL SELECT a.code, b.code, 'b', b.n, b.k FROM one a, one b WHERE a.code != b.code" | perturb >want.txt
awk -F'|' 'NR == FNR { w[$1 "|" $2 "|" $3] = $4; next } { k = $1 "|" $2 "|" $3; print k "|" (k in w ? w[k] : 0) }' \
    want.txt got.txt >want_co.txt
compare got.txt want_co.txt "cooccur counts = n + pvalue"
flat co.json | awk -F '\t' -v N="$N" '$1 == "pairs" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    function chk(a, b, what) { d = a - b; if (d < 0) d = -d; if (d > 1e-9 * (b > 1 ? b : 1)) { print what, a, b; bad = 1 } }
    END { for (r = 1; r <= nr; r++) { if (v[r, "expected"] == "null") continue
              e = v[r, "n_a"] * v[r, "n_b"] / N; chk(v[r, "expected"], e, "expected " r)
              if (v[r, "lift"] != "null") { chk(v[r, "lift"], v[r, "n_ab"] / e, "lift " r); checked++ } }
          exit bad || checked < 20 }' || fail "cooccur expected counts or lifts not from the printed counts (n = $N)"

# households: a household's count sums the households' own keys (unit 3)
expect_exit 0 A cooccur --unit household --district "$district" --fy "$fy" --top 1000
cp "$LAST_OUT" coh.json
no_small coh.json pairs n_ab n_a n_b
flat coh.json | awk -F '\t' '$1 == "pairs" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    END { for (r = 1; r <= nr; r++) { print v[r, "code_a"] "|" v[r, "code_b"] "|" v[r, "n_a"] } }' >got.txt
sql_ro "$DB" "WITH h AS (SELECT DISTINCT p.code, s.household_id, hk.rkey FROM ($(sel_sql "$district" "$fy")) s
                         JOIN case_problem x USING (case_id) JOIN problem p USING (problem_id)
                         JOIN record_key hk ON hk.unit = 3 AND hk.id = s.household_id)
    SELECT code, count(*), sum(rkey) FROM h GROUP BY 1" | perturb >want.txt
awk -F'|' 'NR == FNR { w[$1] = $2; next } { print $1 "|" $2 "|" w[$1] }' want.txt got.txt >want_coh.txt
compare got.txt want_coh.txt "cooccur household counts = n + pvalue (household keys)"

# ---- trend -----------------------------------------------------------------------------
expect_exit 0 A trend all --district "$district" --fy "$fy"
cp "$LAST_OUT" tr.json
no_small tr.json monthly n
no_small tr.json trend n
flat tr.json | awk -F '\t' '$1 == "monthly" && $3 == "month" { m[$2] = $4 } $1 == "monthly" && $3 == "n" { v[$2] = $4; if ($2 > nr) nr = $2 }
    END { for (r = 1; r <= nr; r++) print m[r] "|" v[r] }' >got.txt
sql_ro "$DB" "SELECT consult_month, count(*), sum(rkey) FROM ($(sel_sql "$district" "$fy")) GROUP BY 1
              UNION ALL SELECT 'Total', count(*), sum(rkey) FROM ($(sel_sql "$district" "$fy"))" | perturb >want.txt
awk -F'|' 'NR == FNR { w[$1] = $2; next } { print $1 "|" ($1 in w ? w[$1] : 0) }' want.txt got.txt >want_tr.txt
compare got.txt want_tr.txt "trend monthly counts = n + pvalue"
assert_eq "$(grep -c '^20' got.txt)" 12 "the fiscal year's twelve months"
# the Poisson fit of the printed months (IRLS on log mu = a + b t)
flat tr.json | awk -F '\t' '$1 == "monthly" && $3 == "n" && $2 <= 12 { y[$2 - 1] = $4; m++ }
    $1 == "trend" && $3 == "apc" { apc = $4 }
    END { for (t = 0; t < m; t++) s += y[t]; a = log(s / m); b = 0
          for (it = 0; it < 100; it++) {
              u0 = u1 = i00 = i01 = i11 = 0
              for (t = 0; t < m; t++) { mu = exp(a + b * t); u0 += y[t] - mu; u1 += t * (y[t] - mu); i00 += mu; i01 += t * mu; i11 += t * t * mu }
              det = i00 * i11 - i01 * i01; da = (i11 * u0 - i01 * u1) / det; db = (i00 * u1 - i01 * u0) / det
              a += da; b += db; if (da * da + db * db < 1e-30) break }
          want = (exp(12 * b) - 1) * 100; d = want - apc; if (d < 0) d = -d
          printf "%.10g %.10g\n", apc, want; exit !(d < 1e-6) }' >apc.txt ||
    fail "trend's annual change is not the Poisson fit of the printed months: $(cat apc.txt)"

# ---- survival ----------------------------------------------------------------------------
expect_exit 0 A survival sex --district "$district" --fy "$fy"
cp "$LAST_OUT" sv.json
no_small sv.json summary events censored n
no_small sv.json curve n_risk n_event
flat sv.json | awk -F '\t' '$1 == "summary" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    END { for (r = 1; r <= nr; r++) { print v[r, "code"] "|e|" v[r, "events"]; print v[r, "code"] "|c|" v[r, "censored"]; print v[r, "code"] "|n|" v[r, "n"] } }' >got.txt
sql_ro "$DB" "WITH s AS (SELECT x.code, status_id != 1 AS ev, rkey FROM ($(sel_sql "$district" "$fy")) JOIN sex x USING (sex_id)
                         WHERE status_id = 1 OR closed_date IS NOT NULL),
                   g AS (SELECT * FROM s UNION ALL SELECT 'all', ev, rkey FROM s)
    SELECT code, 'e', sum(ev), coalesce(sum(CASE WHEN ev THEN rkey END), 0) FROM g GROUP BY 1
    UNION ALL SELECT code, 'c', sum(1 - ev), coalesce(sum(CASE WHEN NOT ev THEN rkey END), 0) FROM g GROUP BY 1
    UNION ALL SELECT code, 'n', count(*), sum(rkey) FROM g GROUP BY 1" | perturb >want.txt
awk -F'|' 'NR == FNR { if ($2 == "n" && $3 == 0) skip[$1] = 1; next } !($1 in skip)' want.txt want.txt >want_sv.txt
compare got.txt want_sv.txt "survival counts = n + pvalue"
# the estimates are hidden: nothing printed in them, no log-rank table
flat sv.json | awk -F '\t' '($1 == "summary" && $3 ~ /^(expected|median|median_lower|median_upper)$/) ||
    ($1 == "curve" && $3 ~ /^(surv|lower|upper)$/) { if ($4 != "null") bad = 1 } $1 == "logrank" { bad = 1 }
    END { exit bad }' || fail "a Kaplan-Meier estimate or the log-rank test printed under the cell key method"

# ---- logit -------------------------------------------------------------------------------
expect_exit 0 A logit good sex --district "$district" --fy "$fy"
cp "$LAST_OUT" lg.json
no_small lg.json coefficients n
no_small lg.json fit n events
# each pattern (sex, blank as its own) perturbed in successes and failures
sql_ro "$DB" "WITH s AS (SELECT coalesce(x.code, '_missing') AS code, outcome_id IN (1, 2) AS y, rkey
                         FROM ($(sel_sql "$district" "$fy")) LEFT JOIN sex x USING (sex_id)
                         WHERE status_id = 2 AND outcome_id IS NOT NULL AND outcome_id != 7)
    SELECT code, 's', sum(y), coalesce(sum(CASE WHEN y THEN rkey END), 0) FROM s GROUP BY 1
    UNION ALL SELECT code, 'f', sum(1 - y), coalesce(sum(CASE WHEN NOT y THEN rkey END), 0) FROM s GROUP BY 1" |
    perturb >pat.txt
read -r n_want e_want < <(awk -F'|' '{ n += $3; if ($2 == "s") e += $3 } END { print n, e }' pat.txt)
flat lg.json | awk -F '\t' '$1 == "fit" && $2 == 1 && ($3 == "n" || $3 == "events") { printf "%s ", $4 } END { print "" }' >fit.txt
assert_eq "$(cat fit.txt)" "$n_want $e_want " "logit fit n and events = sums of the perturbed patterns"
# one categorical predictor: b(level) = logit(p level) - logit(p reference),
# p from the perturbed successes and trials
flat lg.json | awk -F '\t' -v pats=pat.txt '
    BEGIN { while ((getline l < pats) > 0) { split(l, f, "|"); if (f[2] == "s") sc[f[1]] = f[3]; tr[f[1]] += f[3] } }
    $1 == "coefficients" { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    function lg(c) { return log(sc[c] / (tr[c] - sc[c])) }
    END { for (r = 1; r <= nr; r++) if (v[r, "coef"] ~ /^sex=/ && v[r, "estimate"] == "null" && v[r, "odds_ratio"] == 1) ref = substr(v[r, "coef"], 5)
          for (r = 1; r <= nr; r++) {
              c = v[r, "coef"]
              if (c == "(Intercept)") want = lg(ref)
              else if (c ~ /^sex=/ && v[r, "estimate"] != "null") want = lg(substr(c, 5)) - lg(ref)
              else continue
              lvl = substr(c, 5); if (c != "(Intercept)" && (sc[lvl] == 0 || sc[lvl] == tr[lvl])) continue
              d = v[r, "estimate"] - want; if (d < 0) d = -d
              if (d > 1e-6) { print c, v[r, "estimate"], want; bad = 1 }; checked++ }
          exit bad || checked < 2 }' || fail "logit coefficients are not those of the perturbed pattern table"

# ---- no filter: the database's policy (threshold suppression), true counts ---------------
"$KASANE" analyze crosstab sex consent --db "$DB" --format json --lang en >all.json
assert_file_lacks all.json "cell key" "the cell key method on an unfiltered analysis"
flat all.json | awk -F '\t' '$1 == "counts" && $3 == "sex" { lab[$2] = $4; next }
    $1 == "counts" && $4 ~ /^[0-9]+$/ { print lab[$2] "|" $3 "|" $4 }' >got.txt
sql_ro "$DB" "SELECT r.label_en, q.code, count(*) FROM case_record c JOIN sex r USING (sex_id)
              JOIN consent q USING (consent_id) GROUP BY 1, 2" >truth.txt
awk -F'|' 'NR == FNR { w[$1 "|" $2] = $3; next } $2 != "total" && $1 != "Total" { k = $1 "|" $2; if (w[k] != $3) { print k, $3, w[k]; bad = 1 } }
    END { exit bad }' truth.txt got.txt || fail "an unfiltered crosstab count is not the true count"
pass
