#!/usr/bin/env bash
# make demo: key, import of the bundled synthetic data, first overview, and
# the consultation-window guide (a static site to open in a browser).
# usage: run-demo.sh BUILD_DIR DEMO_DIR
set -euo pipefail
build=${1:-build}
demo=${2:-$build/demo}
here=$(cd "$(dirname "$0")" && pwd)
kasane="$build/kasane"
mkdir -p "$demo"
chmod 700 "$demo"
key="$demo/demo.key"
db="$demo/kasane.db"

if [ ! -f "$key" ]; then
  echo "== kasane keygen"
  "$kasane" keygen -o "$key"
fi

echo "== kasane import (datasets/demo/cases.csv, synthetic)"
"$kasane" import --db "$db" --key "$key" --profile mitaka "$here/cases.csv"

if "$kasane" query --help >/dev/null 2>&1; then
  echo
  echo "== cases by main problem and district (counts below 5 shown as <5)"
  "$kasane" query run problems_by_district --db "$db"
fi
if "$kasane" directory --help >/dev/null 2>&1; then
  echo
  echo "== kasane directory build (the consultation-window guide for anyone)"
  "$kasane" directory build --db "$db" --out "$demo/guide" --staff-report "$demo/guide-left-out.tsv"
  echo
  echo "== windows that fit: ひきこもり, age 50-54"
  "$kasane" directory lookup --db "$db" --problem hikikomori --age 50-54 --format tsv | cut -f 2-6 | head -12
  echo "guide: $demo/guide/index.html (open it in a browser; works from file://)"
fi
echo
echo "database: $db   key: $key"
