#!/usr/bin/env bash
# docs/report-screenshot.sh BUILD_DIR: remakes docs/report-screenshot.png,
# the first page of `kasane report --period FY2025` on the demo data as
# headless Chromium draws it at A4 150 dpi (1240 x 1754).
# Needs Debian packages chromium and fonts-noto-cjk (for the Japanese).
set -euo pipefail
build=${1:?usage: docs/report-screenshot.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/kasane" keygen -o "$tmp/k.key" >/dev/null
"$build/kasane" import -q --db "$tmp/d.db" --key "$tmp/k.key" "$here/../datasets/demo/cases.csv" >/dev/null
"$build/kasane" report --db "$tmp/d.db" --period FY2025 --out "$tmp/report.html"
HOME=$tmp chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$tmp/profile" --hide-scrollbars --screenshot="$here/report-screenshot.png" \
    --window-size=1240,1754 "file://$tmp/report.html" 2>/dev/null
echo "wrote $here/report-screenshot.png"
