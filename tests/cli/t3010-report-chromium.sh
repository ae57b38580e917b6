#!/usr/bin/env bash
# t3010-report-chromium: the demo report renders in headless Chromium (the
# browser a coordinator's office most likely prints from): a screenshot of
# the first A4 page at 150 dpi and a printed PDF.  Skips, saying so, when
# Chromium (Debian package chromium) is not installed.  Japanese glyphs need
# a CJK font (Debian package fonts-noto-cjk); without one the page still
# renders, with boxes, which this test cannot see -- docs/report-screenshot.png
# is the human check.
. "$(dirname "$0")/lib.sh"

browser=
for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null; then
        browser=$b
        break
    fi
done
if [ -z "$browser" ]; then
    echo "SKIP $TEST_NAME: chromium is not installed (Debian package chromium); nothing rendered"
    pass
fi

keygen key
DB=$T/demo.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key "$KASANE_SOURCE_DIR/datasets/demo/cases.csv"
expect_exit 0 "$KASANE" report --db "$DB" --period FY2025 --out "$T/report.html"

profile=$(mktemp -d "$T/chromium.XXXXXX")
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
    --disable-component-update --disable-sync "--user-data-dir=$profile")
export HOME=$T
timeout 120 "$browser" "${flags[@]}" --screenshot="$T/shot.png" --window-size=1240,1754 \
    "file://$T/report.html" >chromium.out 2>&1 || fail "chromium failed: $(tail -5 chromium.out)"
[ -s "$T/shot.png" ] || fail "no screenshot written"
assert_eq "$(head -c 8 "$T/shot.png" | od -An -tx1 | tr -d ' \n')" 89504e470d0a1a0a "PNG signature"
size=$(wc -c <"$T/shot.png")
[ "$size" -gt 60000 ] || fail "screenshot is only $size bytes: the page looks empty"

timeout 120 "$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$T/report.pdf" \
    "file://$T/report.html" >chromium.out 2>&1 || fail "chromium could not print: $(tail -5 chromium.out)"
head -c 5 "$T/report.pdf" | grep -q '%PDF-' || fail "no PDF printed"
if command -v pdfinfo >/dev/null; then
    pages=$(pdfinfo "$T/report.pdf" | awk '/^Pages:/ { print $2 }')
    [ "$pages" -ge 5 ] || fail "the report printed on $pages page(s)"
    note "printed on $pages A4 pages"
fi
pass
