#!/usr/bin/env bash
# bench/queries.sh BUILD_DIR DB: every library query, through kasane and as
# the same SQL in the sqlite3 shell, on the same database; medians of 3.
# The shell has no label() or good_outcome(): label(ja, en) is replaced by
# ja for it, good_outcome(x) by (x IN (1, 2)) (codes.h's 解決 and 改善).
# Make DB with: kasane-gen --rows 1000000 --seed 7 -o big.csv;
#               kasane keygen -o k.key; kasane import --db big.db --key k.key big.csv
set -euo pipefail
B=${1:?usage: bench/queries.sh BUILD_DIR DB} DB=${2:?usage: bench/queries.sh BUILD_DIR DB}
Q=$(cd "$(dirname "$0")/../queries" && pwd)
export LC_ALL=C.UTF-8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
median3() { sort -g | sed -n 2p; }
wall() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
printf '| query | kasane s | sqlite3 shell s |\n|---|---:|---:|\n'
for f in "$Q"/*.sql; do
    name=$(basename "$f" .sql)
    { sed -n 's/^-- param: \([a-z_]*\) \([a-z]*\) \([^ ]*\).*/.parameter set :\1 \3/p' "$f" |
          sed "s/ \([0-9]\{4\}-[0-9][0-9]-[0-9][0-9]\)$/ '\1'/"
      sed -n '/^[^-]/,$p' "$f" | sed -E 's/label\(([^,()]*),[^()]*\)/\1/g; s/good_outcome\(([^()]*)\)/(\1 IN (1, 2))/g'; } >"$tmp/$name.sql"
    k=$(for i in 1 2 3; do wall "$B/kasane" query run "$name" --db "$DB" --format csv; done | median3)
    s=$(for i in 1 2 3; do wall sh -c "sqlite3 -readonly '$DB' < '$tmp/$name.sql'"; done | median3)
    printf '| %s | %s | %s |\n' "$name" "$k" "$s"
done
