#!/usr/bin/env bash
# bench/directory.sh BUILD_DIR: how long does `kasane directory build` take on
# the 1,000,000-case benchmark database?  (issue 13: under 5 s.)
# The database is kasane-gen --rows 1000000 --seed 1, made and imported once
# and cached in BUILD_DIR/bench/ (the same one bench/report.sh uses).  Each
# round runs, alternating so that drift hits both alike:
#   a  kasane directory build --db DB --out DIR --today 2026-12-07
#   b  kasane analyze partners hikikomori --db DB --format tsv   (reference:
#      one problem's partner tallies, the same scan code, one problem)
# ROUNDS times (5); prints every run, the medians and the ratio a/b.
# Environment: BENCH_ROWS (1000000), BENCH_ROUNDS (5), BENCH_SEED (1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
bench_setup "${1:?usage: bench/directory.sh BUILD_DIR}"
rounds=${BENCH_ROUNDS:-5}

bench_db "$rows" "$seed"

echo "database: $db ($(wc -c <"$db") bytes)"
echo "kasane: $("$kasane" --version)   cpus: $(nproc 2>/dev/null || echo '?')"
a=("$kasane" directory build --db "$db" --out "$dir/guide" --today 2026-12-07)
b=("$kasane" analyze partners hikikomori --db "$db" --format tsv)
echo "a: ${a[*]}"
echo "b: ${b[*]}"
"${a[@]}" 2>/dev/null # warm the page cache once, untimed
"${b[@]}" >/dev/null

ta=() tb=()
for ((i = 1; i <= rounds; i++)); do
    timed "${a[@]}" || die "directory build failed: $(cat "$dir/last.err")"
    ta+=("$elapsed")
    timed "${b[@]}" || die "analyze partners failed: $(cat "$dir/last.err")"
    tb+=("$elapsed")
    echo "round $i  a ${ta[-1]} s  b $elapsed s"
done
ma=$(median "${ta[@]}")
mb=$(median "${tb[@]}")
echo "median a (directory build)    $ma s"
echo "median b (analyze partners)   $mb s"
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "ratio a/b                     %.2f\n", a / b }'
awk -v a="$ma" 'BEGIN { exit !(a < 5) }' && echo "target (< 5 s): met" || echo "target (< 5 s): NOT met"
