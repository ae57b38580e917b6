# bench/lib.sh: what the benchmarks share (sourced by import.sh, reimport.sh,
# report.sh, directory.sh, analyze.sh and rekey.sh, never run).  The sourcing
# script calls bench_setup first: it sets $dir, $kasane and $gen, which the
# other functions use.

die() { echo "bench: error: $*" >&2; exit 1; }

# bench_setup BUILD_DIR [SUBDIR]: what every benchmark starts with.  Sets
# $build, $rows (BENCH_ROWS, 1000000), $seed (BENCH_SEED, 1), $kasane and
# $gen (in BUILD_DIR, which must hold both) and $dir (BUILD_DIR/SUBDIR,
# default bench, made mode 0700); sets LC_ALL=C.  Each script sets its own
# $rounds: their defaults differ.
bench_setup()
{
    build=$1
    rows=${BENCH_ROWS:-1000000}
    seed=${BENCH_SEED:-1}
    kasane=$build/kasane
    gen=$build/kasane-gen
    dir=$build/${2:-bench}
    [ -x "$kasane" ] || die "'$kasane' not found: build first (make build)"
    [ -x "$gen" ] || die "'$gen' not found: build first (make build)"
    mkdir -p "$dir"
    chmod 700 "$dir"
    export LC_ALL=C
}

# need_sqlite3: dies unless the sqlite3 shell is installed.
need_sqlite3() { command -v sqlite3 >/dev/null || die "sqlite3 (the shell) is not installed"; }

# Peak RSS needs GNU time; without it the benchmark still runs.
# Sets $gnu_time to /usr/bin/time, or empty with a note.
find_gnu_time()
{
    gnu_time=
    if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
        gnu_time=/usr/bin/time
    else
        echo "note: GNU time (/usr/bin/time, Debian package 'time') not found: peak RSS not measured"
    fi
}

# Runs "$@", stores the wall time in seconds in $elapsed; the command's
# stdout and stderr go to $dir/last.out and $dir/last.err.  Returns the
# command's status.
elapsed=
timed()
{
    local t0 t1 rc=0
    t0=$(date +%s%N)
    "$@" > "$dir/last.out" 2> "$dir/last.err" || rc=$?
    t1=$(date +%s%N)
    elapsed=$(awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f", ns / 1e9 }')
    return $rc
}

# time_stats: from GNU time -v's report in $dir/time.txt, sets $rss (peak
# RSS, KiB) and $cpu (user + system time, s, two decimals).
time_stats()
{
    rss=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$dir/time.txt")
    cpu=$(awk -F': *' '/User time|System time/ { s += $2 } END { printf "%.2f", s }' "$dir/time.txt")
}

# measure KIND WHAT CMD...: one timed run of CMD (under GNU time when there
# is one) for the caller's tables, indexed by KIND: appends the wall time to
# times[KIND] and the CPU time to cpus[KIND], sets last[KIND] and raises
# peak[KIND] (KiB); sets $elapsed, and $rss and $cpu (empty without GNU
# time).  When CMD fails: prints "WHAT failed" and the tail of its stderr,
# and exits.
measure()
{
    local kind=$1 what=$2
    shift 2
    local cmd=("$@")
    [ -n "$gnu_time" ] && cmd=("$gnu_time" -v -o "$dir/time.txt" "${cmd[@]}")
    if ! timed "${cmd[@]}"; then
        echo "bench: error: $what failed:" >&2
        tail -n 20 "$dir/last.err" >&2
        exit 1
    fi
    times[$kind]="${times[$kind]} $elapsed"
    last[$kind]=$elapsed
    rss=
    cpu=
    if [ -n "$gnu_time" ]; then
        time_stats
        [ -n "$rss" ] && [ "$rss" -gt "${peak[$kind]}" ] && peak[$kind]=$rss
        cpus[$kind]="${cpus[$kind]} $cpu"
    fi
}

# ratio_text N D RATIOS: "R of the medians, M median of the rounds' ratios"
# and, with GNU time, ", C in cpu time": the ratio N/D of the caller's
# med[] (and medcpu[]) and the median of the per-round RATIOS.
ratio_text()
{
    # shellcheck disable=SC2086
    printf '%s of the medians, %s median of the rounds'"'"' ratios' \
        "$(awk -v a="${med[$1]}" -v b="${med[$2]}" 'BEGIN { printf "%.2f", a / b }')" "$(median $3)"
    [ -z "$gnu_time" ] || awk -v a="${medcpu[$1]}" -v b="${medcpu[$2]}" 'BEGIN { printf ", %.2f in cpu time", a / b }'
}

# summary_num LABEL: the number on kasane's summary line (in $dir/last.out)
# starting with LABEL.
summary_num() {
    awk -v l="$1" '{ line = $0; sub(/^ +/, "", line) }
        index(line, l " ") == 1 { rest = substr(line, length(l) + 1); sub(/^ +/, "", rest); split(rest, a, " "); print a[1]; exit }' "$dir/last.out"
}

# fresh DB: removes a database and its side files.
fresh() { rm -f "$1" "$1-journal" "$1-wal" "$1-shm" "$1.rejects.csv"; }

# median V...: the median of the values, to 3 decimals.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%.3f", v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# bench_csv ROWS SEED: the input of kasane-gen --rows ROWS --seed SEED, made
# once (not timed) and cached as $dir/cases-ROWS-sSEED.csv (import.sh reads
# the same file).  Sets $csv.
bench_csv()
{
    local rows=$1 seed=$2
    csv=$dir/cases-$rows-s$seed.csv
    if [ ! -s "$csv" ]; then
        echo "generating $rows rows (seed $seed) into $csv"
        "$gen" --rows "$rows" --seed "$seed" -o "$csv.tmp"
        mv "$csv.tmp" "$csv"
    fi
}

# bench_db ROWS SEED: the benchmark database of kasane-gen --rows ROWS --seed
# SEED, made once and cached in $dir (neither step timed): the input
# (bench_csv), the database $dir/report-ROWS-sSEED.db, remade when the input
# is newer; the key is thrown away.  Sets $db (and $csv).
bench_db()
{
    local rows=$1 seed=$2
    bench_csv "$rows" "$seed"
    db=$dir/report-$rows-s$seed.db
    if [ ! -s "$db" ] || [ "$csv" -nt "$db" ]; then
        echo "importing into $db (not timed)"
        fresh "$db"
        rm -f "$dir/report.key"
        "$kasane" keygen -o "$dir/report.key" >/dev/null
        "$kasane" import --quiet --db "$db" --key "$dir/report.key" "$csv" >/dev/null || die "import failed"
        rm -f "$dir/report.key"
    fi
}
