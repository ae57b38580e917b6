#!/usr/bin/env bash
# make demo: key, import of the bundled synthetic data, first overview.
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
echo
echo "database: $db   key: $key"
