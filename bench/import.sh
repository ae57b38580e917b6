#!/usr/bin/env bash
# bench/import.sh BUILD_DIR: how much does a safe import cost next to the
# fastest thing one could do with the same file?
#
#   (a) kasane import --profile mitaka into a fresh database (parse, decode,
#       validate, pseudonymise, generalise, load; one transaction)
#   (b) sqlite3 ".mode csv" ".import FILE cases" into a fresh bare table
#       (parse and load text, nothing else)
#
# on the same 1,000,000 synthetic rows (kasane-gen, cached in BUILD_DIR/bench/),
# alternating a and b for ROUNDS rounds so that drift (page cache, thermal)
# hits both alike.  Prints every run, the medians, the ratio a/b and the peak
# RSS of kasane.  Environment: BENCH_ROWS (1000000), BENCH_ROUNDS (3),
# BENCH_SEED (1).
set -euo pipefail

. "$(dirname "$0")/lib.sh"
bench_setup "${1:?usage: bench/import.sh BUILD_DIR}"
rounds=${BENCH_ROUNDS:-3}
need_sqlite3

# The input, made once per row count and seed: generating it is not measured.
csv=$dir/cases-$rows-s$seed.csv
if [ ! -s "$csv" ]; then
    echo "generating $rows rows (seed $seed) into $csv"
    t0=$(date +%s%N)
    "$gen" --rows "$rows" --seed "$seed" -o "$csv.tmp"
    mv "$csv.tmp" "$csv"
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) 'BEGIN { printf "  generated in %.2f s\n", ns / 1e9 }'
fi
bytes=$(wc -c < "$csv")

find_gnu_time

key=$dir/bench.key
rm -f "$key"
"$kasane" keygen -o "$key" >/dev/null || die "kasane keygen failed"


echo
echo "input: $csv"
awk -v r="$rows" -v b="$bytes" 'BEGIN { printf "       %d rows, %.1f MB (%.0f bytes/row)\n", r, b / 1e6, b / r }'
echo "kasane: $("$kasane" --version 2>/dev/null | head -n 1 || echo '?')   sqlite3: $(sqlite3 --version | cut -d' ' -f1)   cpus: $(nproc 2>/dev/null || echo '?')"
echo

times_a=()
times_b=()
peak_kb=0
db_a=$dir/kasane.db
db_b=$dir/bare.db
for ((i = 1; i <= rounds; i++)); do
    fresh "$db_a"
    cmd=("$kasane" import --quiet --db "$db_a" --key "$key" --profile mitaka "$csv")
    if [ -n "$gnu_time" ]; then
        cmd=("$gnu_time" -v -o "$dir/time.txt" "${cmd[@]}")
    fi
    if ! timed "${cmd[@]}"; then
        echo "bench: error: kasane import failed (round $i):" >&2
        tail -n 20 "$dir/last.err" >&2
        [ -n "$gnu_time" ] && grep -i 'exit status' "$dir/time.txt" >&2
        exit 1
    fi
    [ -s "$db_a" ] || die "kasane import succeeded but wrote no database '$db_a'"
    if [ -e "$db_a.rejects.csv" ]; then
        echo "warning: kasane rejected rows of generated data (round $i), see $db_a.rejects.csv" >&2
    fi
    times_a+=("$elapsed")
    rss=
    if [ -n "$gnu_time" ]; then
        rss=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$dir/time.txt")
        [ -n "$rss" ] && [ "$rss" -gt "$peak_kb" ] && peak_kb=$rss
    fi
    printf 'round %d  (a) kasane import   %8.3f s%s\n' "$i" "$elapsed" \
        "${rss:+   peak RSS $((rss / 1024)) MiB}"

    fresh "$db_b"
    if ! timed sqlite3 "$db_b" ".mode csv" ".import $csv cases"; then
        echo "bench: error: sqlite3 .import failed (round $i):" >&2
        tail -n 20 "$dir/last.err" >&2
        exit 1
    fi
    if [ -s "$dir/last.err" ]; then
        echo "warning: sqlite3 .import reported problems (round $i):" >&2
        head -n 5 "$dir/last.err" >&2
    fi
    times_b+=("$elapsed")
    printf 'round %d  (b) sqlite3 .import %8.3f s\n' "$i" "$elapsed"
done

n_b=$(sqlite3 "$db_b" "select count(*) from cases")
[ "$n_b" = "$rows" ] || echo "warning: sqlite3 loaded $n_b rows, expected $rows" >&2

med_a=$(median "${times_a[@]}")
med_b=$(median "${times_b[@]}")
echo
echo "median (a) kasane import:   $med_a s   ($(awk -v t="$med_a" -v r="$rows" 'BEGIN { printf "%.0f", r / t }') rows/s)"
echo "median (b) sqlite3 .import: $med_b s   ($(awk -v t="$med_b" -v r="$rows" 'BEGIN { printf "%.0f", r / t }') rows/s)"
echo "ratio (a)/(b):              $(awk -v a="$med_a" -v b="$med_b" 'BEGIN { printf "%.2f", a / b }')"
if [ -n "$gnu_time" ]; then
    echo "peak RSS of kasane import:  $((peak_kb / 1024)) MiB"
else
    echo "peak RSS of kasane import:  not measured (no GNU time)"
fi
echo "database sizes:             kasane $(wc -c < "$db_a") bytes, bare $(wc -c < "$db_b") bytes"

# The cost of CSV parsing alone, when a parse-only tool is built.
parser=$build/kasane-csvbench
if [ -x "$parser" ]; then
    if timed "$parser" "$csv"; then
        echo "libcsv parse only:          $elapsed s (one run)"
    else
        echo "libcsv parse only:          failed: $(head -n 1 "$dir/last.err")"
    fi
else
    echo "libcsv parse only:          skipped (no parse-only tool '$parser')"
fi

fresh "$db_a"
fresh "$db_b"
rm -f "$key" "$dir/last.out" "$dir/last.err" "$dir/time.txt"
