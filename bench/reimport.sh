#!/usr/bin/env bash
# bench/reimport.sh BUILD_DIR: the data officer's month.  Coordinators export
# their whole case list again (every case, most unchanged, some changed, a few
# new) and it is imported into the database built from last month's file.
# How long does that take next to building a database from the same file?
#
#   (a) kasane import of the 10%-changed re-export into a fresh database
#   (b) kasane import of the same file into a copy of the database built from
#       the original file (the monthly re-import: ~90% unchanged)
#   (c) as (a), for the all-changed re-export
#   (d) as (b), for the all-changed re-export
#
# The original is kasane-gen's 1,000,000 rows (the file bench/import.sh uses,
# cached in BUILD_DIR/bench/); the re-exports are made from it once (see
# make_reexport below) and cached beside it.  The rounds alternate a, b, c, d
# so that drift hits all alike.  Prints every run, the medians, the ratios
# b/a and d/c of the medians and the median of each round's own ratio (a
# and b, c and d run back to back), the CPU time (user + system) and the
# peak RSS of each kind.  Environment: BENCH_ROWS
# (1000000), BENCH_ROUNDS (3), BENCH_SEED (1), BENCH_NEW (1% of the rows: new
# cases in each re-export).
#
# bench/reimport.sh --make-reexport GEN IN PCT NEW SEED OUT writes only the
# re-export of IN (tests/cli/t0095-reexport.sh uses it):
#   - every data record whose number n (1-based) has (7919 n + 13) mod 1000
#     below 10 PCT is changed (PCT 100: all of them, PCT 10: exactly one in
#     ten, spread over the file): its district becomes 西部 if it was 東部 and
#     東部 otherwise (so the stored case always changes), and an ongoing case
#     (継続) without a closing date is closed (終結) on its consultation day
#     (so the case_person index changes too);
#   - NEW rows of `GEN --rows NEW --seed SEED` are appended as new cases, their
#     record ids prefixed with "N" (so none is one of IN's).
# Records are read as CSV (quoted fields, also over several lines), so the
# fields keep their bytes; every row stays valid.
set -euo pipefail

. "$(dirname "$0")/lib.sh"

# make_reexport GEN IN PCT NEW SEED OUT
make_reexport() {
    local gen=$1 in=$2 pct=$3 new=$4 seed=$5 out=$6 extra=
    if [ "$new" -gt 0 ]; then
        extra=$out.new.tmp
        "$gen" --rows "$new" --seed "$seed" -o "$extra" || die "kasane-gen failed"
    fi
    LC_ALL=C awk -v pct="$pct" '
    # Appends one physical line to the record being read; 1 when it is whole
    # (an even number of double quotes so far).
    function take(line) {
        rec = (inrec ? rec "\n" : "") line
        inrec = 1
        quotes += gsub(/"/, "\"", line)
        return quotes % 2 == 0
    }
    # Splits rec into f[1..nf] at the commas outside quotes.
    function fields(    n, i, k, cur, q) {
        n = split(rec, p, ",")
        nf = 0
        cur = ""
        q = 0
        for (i = 1; i <= n; i++) {
            cur = (q % 2 ? cur "," : "") p[i]
            k = p[i]
            q += gsub(/"/, "\"", k)
            if (q % 2 == 0) {
                f[++nf] = cur
                cur = ""
                q = 0
            }
        }
    }
    function emit(    i, s) {
        s = f[1]
        for (i = 2; i <= nf; i++)
            s = s "," f[i]
        print s
    }
    {
        if (!take($0))
            next
        fields()
        inrec = 0
        quotes = 0
        if (FILENAME != ARGV[1]) {           # the new rows
            if (++newrec == 1)
                next                         # their header
            f[1] = "N" f[1]
        } else if (++n > 1 && (pct >= 100 || ((n - 1) * 7919 + 13) % 1000 < pct * 10)) {
            d = f[11]
            sub(/\343\200\200$/, "", d)      # a trailing U+3000
            f[11] = d == "東部" ? "西部" : "東部"
            if ((f[21] == "継続" || f[21] == "ongoing") && f[13] == "") {
                f[13] = f[12]
                f[21] = "終結"
            }
            changed++
        }
        emit()
    }
    END {
        if (inrec) {
            print "reexport: unterminated quoted field at the end of the input" > "/dev/stderr"
            exit 1
        }
        printf "%d\n", changed > "/dev/stderr"
    }' "$in" ${extra:+"$extra"} > "$out.tmp" 2> "$out.changed" || die "making the re-export of '$in' failed"
    rm -f ${extra:+"$extra"}
    mv "$out.tmp" "$out"
}

if [ "${1:-}" = --make-reexport ]; then
    [ $# -eq 7 ] || die "usage: bench/reimport.sh --make-reexport GEN IN PCT NEW SEED OUT"
    make_reexport "$2" "$3" "$4" "$5" "$6" "$7"
    exit 0
fi

bench_setup "${1:?usage: bench/reimport.sh BUILD_DIR}"
rounds=${BENCH_ROUNDS:-3}
new=${BENCH_NEW:-$((rows / 100))}
need_sqlite3

# The inputs, made once per row count and seed: making them is not measured.
bench_csv "$rows" "$seed"
csv10=$dir/reexport10-$rows-s$seed-n$new.csv
csv100=$dir/reexport100-$rows-s$seed-n$new.csv
for pct in 10 100; do
    out=$dir/reexport$pct-$rows-s$seed-n$new.csv
    if [ ! -s "$out" ]; then
        echo "making the $pct%-changed re-export (+$new new rows) into $out"
        make_reexport "$gen" "$csv" $pct "$new" $((seed + 1000)) "$out"
    fi
done

find_gnu_time

key=$dir/reimport.key
rm -f "$key"
"$kasane" keygen -o "$key" >/dev/null || die "kasane keygen failed"



# The database of last month: built once from the original, copied per run.
base=$dir/reimport-base.db
fresh "$base"
echo "building last month's database from $csv"
timed "$kasane" import --db "$base" --key "$key" --profile mitaka "$csv" ||
    { tail -n 20 "$dir/last.err" >&2; die "building the base database failed"; }
echo "  built in $elapsed s"

echo
echo "original:  $csv ($rows rows)"
echo "10%:       $csv10 ($(cat "$csv10.changed") changed, $new new)"
echo "100%:      $csv100 ($(cat "$csv100.changed") changed, $new new)"
echo "kasane: $("$kasane" --version 2>/dev/null | head -n 1 || echo '?')   cpus: $(nproc 2>/dev/null || echo '?')   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

declare -A times cpus peak
for k in a b c d; do times[$k]=; cpus[$k]=; peak[$k]=0; done
ratio_ba=
ratio_dc=
db=$dir/reimport.db
# run KIND FILE COPY-BASE: one timed import; checks its summary counts.
run() {
    local kind=$1 file=$2 copy=$3 rss
    fresh "$db"
    if [ "$copy" = 1 ]; then
        cp "$base" "$db"
    fi
    sync -f "$db" 2>/dev/null || true
    measure "$kind" "kasane import ($kind, round $i)" "$kasane" import --db "$db" --key "$key" --profile mitaka "$file"
    [ -e "$db.rejects.csv" ] && echo "warning: rejected rows ($kind, round $i), see $db.rejects.csv" >&2
    printf 'round %d  (%s) %-24s %7.3f s%s%s   inserted %s updated %s unchanged %s\n' "$i" "$kind" "$4" "$elapsed" \
        "${cpu:+   cpu $cpu s}" "${rss:+   peak RSS $((rss / 1024)) MiB}" "$(summary_num inserted)" \
        "$(summary_num updated)" "$(summary_num unchanged)"
}

declare -A last
for ((i = 1; i <= rounds; i++)); do
    run a "$csv10" 0 "fresh, 10% file"
    run b "$csv10" 1 "re-import, 10% changed"
    run c "$csv100" 0 "fresh, 100% file"
    run d "$csv100" 1 "re-import, all changed"
    ratio_ba="$ratio_ba $(awk -v a="${last[a]}" -v b="${last[b]}" 'BEGIN { printf "%.3f", b / a }')"
    ratio_dc="$ratio_dc $(awk -v a="${last[c]}" -v b="${last[d]}" 'BEGIN { printf "%.3f", b / a }')"
done

echo
declare -A med medcpu
for k in a b c d; do
    # shellcheck disable=SC2086
    med[$k]=$(median ${times[$k]})
    # shellcheck disable=SC2086
    [ -n "$gnu_time" ] && medcpu[$k]=$(median ${cpus[$k]})
done
declare -A label=([a]="(a) fresh import, 10% file " [b]="(b) re-import, 10% changed " [c]="(c) fresh import, 100% file" [d]="(d) re-import, all changed ")
for k in a b c d; do
    printf 'median %s  %7.3f s' "${label[$k]}" "${med[$k]}"
    [ -n "$gnu_time" ] && printf '   cpu %6.2f s   peak RSS %d MiB' "${medcpu[$k]}" $((peak[$k] / 1024))
    echo
done
echo "ratio (b)/(a): $(ratio_text b a "$ratio_ba")   (goal <= 1.0)"
echo "ratio (d)/(c): $(ratio_text d c "$ratio_dc")   (goal <= 2.0)"
echo "re-import rate, all changed: $(awk -v t="${med[d]}" -v r="$((rows + new))" 'BEGIN { printf "%.0f", r / t }') rows/s"

fresh "$db"
fresh "$base"
rm -f "$key" "$dir/last.out" "$dir/last.err" "$dir/time.txt"
