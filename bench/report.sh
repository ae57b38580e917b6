#!/usr/bin/env bash
# bench/report.sh BUILD_DIR: how long does a fiscal-year report take on a
# large database?  1,000,000 synthetic cases (kasane-gen --rows 1000000
# --seed 1, made and imported once, cached in BUILD_DIR/bench/), then
#   kasane report --db DB --period FY2024 --format html --out FILE
# ROUNDS times (3); prints every run and the median.  The target is under 3 s.
# Environment: BENCH_ROWS (1000000), BENCH_ROUNDS (3), BENCH_SEED (1),
# BENCH_PERIOD (FY2024).
set -euo pipefail

. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_setup "${1:?usage: bench/report.sh BUILD_DIR}"
rounds=${BENCH_ROUNDS:-3}
period=${BENCH_PERIOD:-FY2024}

bench_db "$rows" "$seed"

cases=$(sqlite3 "$db" "SELECT count(*) FROM case_record")
echo "database: $db ($cases cases, $(wc -c <"$db") bytes)"
echo "kasane: $("$kasane" --version)   cpus: $(nproc 2>/dev/null || echo '?')"
cmd=("$kasane" report --db "$db" --period "$period" --format html --out "$dir/report.html")
echo "command: ${cmd[*]}"
"${cmd[@]}" # warm the page cache once, untimed

times=()
for ((i = 1; i <= rounds; i++)); do
    t0=$(date +%s%N)
    "${cmd[@]}" || die "report failed"
    t1=$(date +%s%N)
    t=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    times+=("$t")
    echo "round $i  $t s"
done
med=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "median: $med s   (report: $(wc -c <"$dir/report.html") bytes)"
awk -v m="$med" 'BEGIN { exit !(m < 3) }' && echo "within the 3 s target" || echo "OVER the 3 s target"
