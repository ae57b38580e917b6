#!/usr/bin/env bash
# bench/ab.sh OLD_KASANE NEW_KASANE GEN: is a change as fast as before?
# Alternates the two binaries (a, b, a, b, ...) on the same work so that
# drift on a shared machine hits both alike, and prints the median of each,
# and their ratio new/old, for:
#   import   a fresh import of BENCH_ROWS generated rows (default 1,000,000)
#   queries  every library query once, on the database that import built
#   analyze  crosstab, logit, trend, cooccur, survival, partners once each
#   report   the FY2025 report, html
# Both binaries read the same database (built once by OLD), so only the
# import times each binary's own import.  GEN is kasane-gen.  Environment:
# BENCH_ROWS, BENCH_ROUNDS (5), BENCH_DIR (a temporary directory).
set -euo pipefail
old=${1:?usage: bench/ab.sh OLD_KASANE NEW_KASANE GEN}
new=${2:?usage: bench/ab.sh OLD_KASANE NEW_KASANE GEN}
gen=${3:?usage: bench/ab.sh OLD_KASANE NEW_KASANE GEN}
rows=${BENCH_ROWS:-1000000}
rounds=${BENCH_ROUNDS:-5}
dir=${BENCH_DIR:-$(mktemp -d)}
mkdir -p "$dir"
csv=$dir/ab-$rows.csv
[ -f "$csv" ] || "$gen" --rows "$rows" --seed 11 -o "$csv"
"$old" keygen -o "$dir/ab.key" >/dev/null 2>&1 || true
rm -f "$dir/ab.db"*
"$old" import -q --db "$dir/ab.db" --key "$dir/ab.key" "$csv" >/dev/null

now() { date +%s.%N; }
# seconds BIN WHAT: runs one workload with BIN, prints its wall time
seconds()
{
    local bin=$1 what=$2 t0 t1
    t0=$(now)
    case $what in
    import)
        rm -f "$dir/ab-i.db"*
        "$bin" import -q --db "$dir/ab-i.db" --key "$dir/ab.key" "$csv" >/dev/null
        ;;
    queries)
        for q in $("$bin" query list | awk '$1 ~ /^[a-z_0-9]+$/ && NR > 2 { print $1 }'); do
            "$bin" query run "$q" --db "$dir/ab.db" --format csv >/dev/null
        done
        ;;
    analyze)
        "$bin" analyze crosstab main_problem household_type --db "$dir/ab.db" >/dev/null
        "$bin" analyze logit district sex age_band --db "$dir/ab.db" >/dev/null
        "$bin" analyze trend problems --db "$dir/ab.db" >/dev/null
        "$bin" analyze cooccur --db "$dir/ab.db" >/dev/null
        "$bin" analyze survival main_problem --db "$dir/ab.db" >/dev/null
        "$bin" analyze partners 8050 --db "$dir/ab.db" >/dev/null
        ;;
    report)
        "$bin" report --period FY2025 --format html --db "$dir/ab.db" >/dev/null
        ;;
    esac
    t1=$(now)
    echo "$t1 - $t0" | bc
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '| workload | old median s | new median s | new/old |\n|---|---:|---:|---:|\n'
for what in import queries analyze report; do
    : >"$dir/a.t"
    : >"$dir/b.t"
    for ((r = 0; r < rounds; r++)); do
        seconds "$old" $what >>"$dir/a.t"
        seconds "$new" $what >>"$dir/b.t"
    done
    a=$(median <"$dir/a.t")
    b=$(median <"$dir/b.t")
    printf '| %s | %.2f | %.2f | %.3f |\n' $what "$a" "$b" "$(echo "$b / $a" | bc -l)"
done
[ -n "${BENCH_DIR:-}" ] || rm -rf "$dir"
