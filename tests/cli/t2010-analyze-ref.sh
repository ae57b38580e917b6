#!/usr/bin/env bash
# t2010-analyze-ref: every analysis agrees with R on the demo data.
#
# The demo CSV is imported; export.sql must give back exactly the committed
# tests/ref/analyze/export.csv that tests/ref/analyze.R read, so kasane and R
# see the same cases.  Each analysis runs with --format json; every number in
# the columns named below is compared with tests/ref/analyze_ref.txt: 1e-6
# relative (p-values: 1e-6 absolute or relative), and a printed number with no
# reference fails.  Hidden cells ("<5", "x") are not numbers and are skipped.
# The logit runs with both solvers.  No R, python or jq needed: awk reads the
# renderer's json (one row per line).
. "$(dirname "$0")/lib.sh"

REF=$KASANE_SOURCE_DIR/tests/ref
keygen key
DB=$T/demo.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key "$KASANE_SOURCE_DIR/datasets/demo/cases.csv"

# ---- the same data as R's ------------------------------------------------------
sqlite3 -batch -bail -readonly "$DB" <"$REF/analyze/export.sql" >export.csv
sqlite3 -batch -bail -readonly "$DB" <"$REF/analyze/codes.sql" >codes.csv
assert_same_file export.csv "$REF/analyze/export.csv" \
    "export of the imported demo data (regenerate the reference: see tests/ref/analyze.R)"
assert_same_file codes.csv "$REF/analyze/codes.csv" "code lists"

# keyed TABLE PREFIX KEYCOLS VALCOLS < flat: "PREFIX.key1.key2.col value" for
# every numeric value (keys joined with dots, none for a one-row table).
keyed()
{
    awk -F '\t' -v T="$1" -v P="$2" -v K="$3" -v V="$4" '
    BEGIN { nk = K == "" ? 0 : split(K, kc, ","); nv = split(V, vc, ",") }
    $1 == T { v[$2, $3] = $4; if ($2 > nr) nr = $2 }
    END {
        for (r = 1; r <= nr; r++) {
            key = P
            for (i = 1; i <= nk; i++) key = key "." v[r, kc[i]]
            for (i = 1; i <= nv; i++) {
                x = v[r, vc[i]]
                if (x ~ /^-?[0-9]/) print key "." vc[i], x
            }
        }
    }'
}

# run NAME ARGS...: kasane analyze ARGS --format json, flattened into NAME.flat
run()
{
    local name=$1
    shift
    expect_exit 0 "$KASANE" analyze "$@" --db "$DB" --format json
    json_flatten <"$LAST_OUT" >"$name.flat"
    [ -s "$name.flat" ] || fail "$name: no table in the json output"
}

: >got.txt
run xt_dp crosstab district problem
keyed cells xt_dp.cells row_code,col_code row_pct,col_pct,expected,adj_resid <xt_dp.flat >>got.txt
keyed tests xt_dp.tests test statistic,df,p,estimate,lower,upper <xt_dp.flat >>got.txt

run xt_ch crosstab consent problem:hikikomori
keyed cells xt_ch.cells row_code,col_code row_pct,col_pct,expected,adj_resid <xt_ch.flat >>got.txt
keyed tests xt_ch.tests test statistic,df,p,estimate,lower,upper <xt_ch.flat >>got.txt

LOGIT="age_band sex household_type n_partners multi_agency field_count problem:hikikomori problem:care consent"
for solver in qr sparse; do
    # shellcheck disable=SC2086
    run lg_$solver logit good $LOGIT --ref age_band=65-69 --ref consent=yes --solver $solver
    grep -q "	solver	$solver\$" lg_$solver.flat || fail "logit --solver $solver used another solver"
    keyed coefficients lg coef estimate,se,z,p,odds_ratio,or_lower,or_upper <lg_$solver.flat >lg_$solver.txt
    keyed fit lg.fit "" n,events,deviance,null_deviance,df_residual,df_null,aic,lr_chi2,lr_df,lr_p \
        <lg_$solver.flat >>lg_$solver.txt
    cat lg_$solver.txt >>got.txt
done

run tr_p trend problems
keyed trend tr_p code n,apc,apc_lower,apc_upper,p,q,dispersion <tr_p.flat >>got.txt
run tr_ab trend age_band
keyed trend tr_ab code n,apc,apc_lower,apc_upper,p,q,dispersion <tr_ab.flat >>got.txt
run tr_as trend all --seasonal
keyed trend tr_as code n,apc,apc_lower,apc_upper,p,q,dispersion <tr_as.flat >>got.txt
# the months each series' monthly column hides: R fits them as one sum, so
# R must know them (tests/ref/analyze.R reads the committed list; if kasane's
# suppression changes, copy hidden.txt there and rerun R)
hidden_months()
{
    awk -F '\t' -v P="$1" '
    $1 == "monthly" { if ($3 == "month") m[$2] = $4; else { v[$2, $3] = $4; cols[$3] = 1 }
                      if ($2 > nr) nr = $2 }
    END {
        for (r = 1; r <= nr; r++) for (c in cols) {
            if (v[r, c] !~ /^(x|<)/) continue
            s = c == "total" ? "(all)" : (c == "n" && P == "tr_as") ? "all" : c
            print P, s, m[r] ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]$/ ? m[r] : "total"
        }
    }' "$1.flat"
}
{ hidden_months tr_p; hidden_months tr_ab; hidden_months tr_as; } | LC_ALL=C sort >hidden.txt
assert_same_file hidden.txt "$REF/analyze/trend_hidden.txt" "the months the trend tables hide (R fits them as one sum)"
grep -q "	months_grouped	[1-9]" tr_p.flat || fail "trend problems: no series fitted with grouped months"

run co_case cooccur --top 1000
keyed pairs co_case code_a,code_b n_ab,n_a,n_b,expected,lift,lift_lower,lift_upper,phi,p,q <co_case.flat >>got.txt
run co_hh cooccur --unit household --top 1000
keyed pairs co_hh code_a,code_b n_ab,n_a,n_b,expected,lift,lift_lower,lift_upper,phi,p,q <co_hh.flat >>got.txt

run sv survival problem
keyed summary sv code events,censored,n,expected,median,median_lower,median_upper <sv.flat >>got.txt
keyed curve sv.curve code,time n_risk,n_event,surv,lower,upper <sv.flat >>got.txt
keyed logrank sv.logrank test chisq,df,p <sv.flat >>got.txt

run pa partners hikikomori --top 1000
keyed partners pa code n,share_pct,n_closed,n_good,good_rate,lower,upper <pa.flat >>got.txt
keyed pairs pa.pair code_a,code_b n_ab,expected,lift <pa.flat >>got.txt

# ---- compare -------------------------------------------------------------------
awk -v REF="$REF/analyze_ref.txt" '
BEGIN {
    while ((getline line < REF) > 0) {
        if (line ~ /^#/) continue
        split(line, f, " ")
        ref[f[1]] = f[2]
    }
}
function abs(x) { return x < 0 ? -x : x }
{
    name = $1; got = $2 + 0
    if (!(name in ref)) { printf "no R reference for %s = %s\n", name, $2; bad++; next }
    want = ref[name]
    if (want == "NA") { printf "%s: kasane prints %s where R has NA\n", name, $2; bad++; next }
    want += 0
    d = abs(got - want)
    ok = d <= 1e-6 * abs(want) || d <= 1e-9
    if (name ~ /\.(p|q|lr_p)$/) ok = ok || d <= 1e-6
    if (!ok) { printf "%s: kasane %.17g, R %.17g\n", name, got, want; bad++ }
    n++
    split(name, pre, "."); per[pre[1]]++
}
END {
    for (k in per) printf "# %s: %d values\n", k, per[k]
    printf "# %d values compared, %d differ\n", n, bad
    exit bad > 0
}' got.txt >compare.txt || { cat compare.txt >&2; fail "kasane and R disagree (see above)"; }
cat compare.txt

# every analysis contributed (a broken extraction must not pass as "no difference")
for want in xt_dp:300 xt_ch:10 lg:300 tr_p:30 tr_ab:20 tr_as:7 co_case:2000 co_hh:2000 sv:60 pa:100; do
    p=${want%%:*} min=${want#*:}
    got=$(awk -v p="# $p:" 'index($0, p) == 1 { print $3 }' compare.txt)
    [ "${got:-0}" -ge "$min" ] || fail "$p: only ${got:-0} values compared (want at least $min)"
done
pass
