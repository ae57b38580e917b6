#!/usr/bin/env bash
# bench/rekey.sh BUILD_DIR: what does `kasane rekey` cost on a city's whole
# database?  1,000,000 synthetic cases (kasane-gen --rows 1000000 --seed 1,
# the file of bench/import.sh, cached in BUILD_DIR/bench/) imported once
# under a key of its own (the keyed database and its key are cached beside
# the file as rekey-ROWS-sSEED.db and .key; neither step timed), then, in
# alternating rounds (a, b, a, b, ...):
#
#   (a) kasane rekey --old KEY --new NEW --db COPY
#       every pseudonym to the next key epoch, in one transaction
#   (b) kasane import --db COPY --key KEY FILE
#       the re-import of the same file into a copy of the same database
#       (every row unchanged): the other whole-database write a data
#       officer does
#
# Each run works on a fresh copy of the untouched keyed database (the copy is
# made and synced before the timer starts); (a) gets a --new path that does
# not exist.  Prints every run with its CPU time (user + system) and peak
# RSS (GNU time, if present), the medians, the ratio (a)/(b) of the medians
# and the median of each round's own ratio.  After the first rekey (not
# timed) it checks the result: the case, person and household counts are
# unchanged, meta.key_fingerprint changed to the new key's, and
# PRAGMA integrity_check says ok.
# Environment: BENCH_ROWS (1000000), BENCH_ROUNDS (3), BENCH_SEED (1).
set -euo pipefail

. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
bench_setup "${1:?usage: bench/rekey.sh BUILD_DIR}"
rounds=${BENCH_ROUNDS:-3}
need_sqlite3

bench_csv "$rows" "$seed"

# The keyed database, made once per input (remade when the input is newer or
# either file is missing): every round copies it, nothing writes to it.
base=$dir/rekey-$rows-s$seed.db
key=$dir/rekey-$rows-s$seed.key
if [ ! -s "$base" ] || [ ! -s "$key" ] || [ "$csv" -nt "$base" ]; then
    echo "importing into $base under $key (not timed)"
    fresh "$base"
    rm -f "$key"
    "$kasane" keygen -o "$key" >/dev/null || die "kasane keygen failed"
    "$kasane" import --quiet --db "$base" --key "$key" "$csv" >/dev/null || die "import failed"
    [ -e "$base.rejects.csv" ] && die "the import rejected rows, see $base.rejects.csv"
fi

scratch=$dir/rekey-scratch.db
newkey=$dir/rekey-new.key
cleanup() { fresh "$scratch"; rm -f "$newkey" "$dir/last.out" "$dir/last.err" "$dir/time.txt"; }
trap cleanup EXIT

# q DB SQL: one value from the sqlite3 shell.
q() { sqlite3 -readonly "$1" "$2"; }
# counts DB: cases, persons and households.
counts() { q "$1" "SELECT (SELECT count(*) FROM case_record) || ' ' || (SELECT count(*) FROM person) || ' ' ||
    (SELECT count(*) FROM household)"; }

# copy_base: the untouched keyed database at $scratch (its WAL too, if one
# is left), written back to disk so that the timed command does not pay for
# the copy.
copy_base() {
    fresh "$scratch"
    cp "$base" "$scratch"
    [ -s "$base-wal" ] && cp "$base-wal" "$scratch-wal"
    sync -f "$scratch" 2>/dev/null || sync
}


find_gnu_time

copy_base
before_counts=$(counts "$scratch")
before_fp=$(q "$scratch" "SELECT value FROM meta WHERE key = 'key_fingerprint'")
fresh "$scratch"
echo "database: $base ($(wc -c <"$base") bytes; cases persons households: $before_counts)"
echo "input:    $csv ($rows rows)"
echo "kasane: $("$kasane" --version 2>/dev/null | head -n 1 || echo '?')   cpus: $(nproc 2>/dev/null || echo '?')   load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "(a) $kasane rekey --old $key --new $newkey --db $scratch"
echo "(b) $kasane import --db $scratch --key $key $csv"
echo

declare -A times cpus peak last
for k in a b; do times[$k]=; cpus[$k]=; peak[$k]=0; done
ratios=

# run KIND: one timed run on a fresh copy.
run() {
    local kind=$1 cmd rss cpu extra
    copy_base
    rm -f "$newkey"
    if [ "$kind" = a ]; then
        cmd=("$kasane" rekey --old "$key" --new "$newkey" --db "$scratch")
    else
        cmd=("$kasane" import --db "$scratch" --key "$key" "$csv")
    fi
    measure "$kind" "${cmd[*]} (round $i)" "${cmd[@]}"
    if [ "$kind" = a ]; then
        extra="   $(grep -m1 '^ *moved' "$dir/last.out" | sed 's/^ *//; s/ (person.*//')"
    else
        [ -e "$scratch.rejects.csv" ] && echo "warning: rejected rows (round $i), see $scratch.rejects.csv" >&2
        extra="   inserted $(summary_num inserted) updated $(summary_num updated) unchanged $(summary_num unchanged)"
    fi
    printf 'round %d  (%s) %-9s %8.3f s%s%s%s\n' "$i" "$kind" "$([ "$kind" = a ] && echo rekey || echo re-import)" \
        "$elapsed" "${cpu:+   cpu $cpu s}" "${rss:+   peak RSS $((rss / 1024)) MiB}" "$extra"
}

# check: what the first rekey left (not timed).
check() {
    local after_counts after_fp new_fp integrity ok=1
    after_counts=$(counts "$scratch")
    after_fp=$(q "$scratch" "SELECT value FROM meta WHERE key = 'key_fingerprint'")
    new_fp=$(sed -n "s/^rekeyed .*, key \([0-9a-f]*\)$/\1/p" "$dir/last.out")
    local counted=unchanged moved="changed, the new key's"
    [ "$after_counts" = "$before_counts" ] || { counted=CHANGED; ok=0; }
    if [ "$after_fp" = "$before_fp" ] || [ "$after_fp" != "$new_fp" ]; then
        moved="WRONG (the new key's is $new_fp)"
        ok=0
    fi
    echo "  check: cases persons households $before_counts -> $after_counts: $counted"
    echo "  check: meta.key_fingerprint $before_fp -> $after_fp: $moved"
    echo "  check: key_epoch: $(q "$scratch" "SELECT group_concat(epoch || (CASE WHEN retired_at IS NULL THEN ' current' ELSE ' retired' END), ', ') FROM key_epoch")"
    integrity=$(q "$scratch" "PRAGMA integrity_check" | head -n 5)
    echo "  check: PRAGMA integrity_check: $integrity"
    [ "$integrity" = ok ] || ok=0
    [ "$ok" = 1 ] || die "the rekeyed database is not as it should be"
}

for ((i = 1; i <= rounds; i++)); do
    run a
    [ "$i" = 1 ] && check
    run b
    ratios="$ratios $(awk -v a="${last[a]}" -v b="${last[b]}" 'BEGIN { printf "%.3f", a / b }')"
done

echo
declare -A med medcpu
declare -A label=([a]="(a) rekey    " [b]="(b) re-import")
for k in a b; do
    # shellcheck disable=SC2086
    med[$k]=$(median ${times[$k]})
    printf 'median %s  %8.3f s' "${label[$k]}" "${med[$k]}"
    if [ -n "$gnu_time" ]; then
        # shellcheck disable=SC2086
        medcpu[$k]=$(median ${cpus[$k]})
        printf '   cpu %6.2f s   peak RSS %d MiB' "${medcpu[$k]}" $((peak[$k] / 1024))
    fi
    echo
done
echo "ratio (a)/(b): $(ratio_text a b "$ratios")"
echo "rekey rate: $(awk -v t="${med[a]}" -v r="$(echo "$before_counts" | cut -d' ' -f1)" 'BEGIN { printf "%.0f", r / t }') cases/s"
