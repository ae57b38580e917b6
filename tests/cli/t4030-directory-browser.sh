#!/usr/bin/env bash
# t4030-directory-browser: the consultation-window guide's static site in
# headless Chromium, driven by playwright-core (tests/browser/guide.spec.mjs):
# the windows the page shows for a choice are the ones, in the order,
# `kasane directory lookup` prints; "open now" on a fixed clock on a holiday
# and on a weekday; the page without JavaScript; screenshots at desktop and
# phone width (into $SCREENSHOT_DIR, default $T/shots).
#
# Skips (exit 77) when node, Chromium (Debian package chromium) or
# tests/browser/node_modules (`npm ci --prefix tests/browser`) is missing, or
# when this kasane has no `directory` command.  Nothing is downloaded.
. "$(dirname "$0")/lib.sh"

skip()
{
    echo "SKIP $TEST_NAME: $*"
    trap - ERR
    exit 77
}

BROWSER_DIR=$KASANE_SOURCE_DIR/tests/browser
command -v node >/dev/null || skip "node is not installed"
CHROMIUM=${CHROMIUM:-$(command -v chromium || true)}
[ -n "$CHROMIUM" ] || skip "chromium is not installed (Debian package chromium)"
[ -d "$BROWSER_DIR/node_modules/playwright-core" ] ||
    skip "no $BROWSER_DIR/node_modules (run: npm ci --prefix tests/browser)"
"$KASANE" directory --help >/dev/null 2>&1 || skip "this kasane has no 'directory' command"

# the demo database, as the other report tests make it
keygen key
DB=$T/demo.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key "$KASANE_SOURCE_DIR/datasets/demo/cases.csv"

# a fixed build date: the site lists the closure days of its build year and
# the two after it, and the clock tests need 2027
export KASANE_BUILD_DATE=2026-12-07
# the test profile: Mitaka's windows with invented hours and ages for seven
# of them (tests/data/profiles-guide/mitaka-test/README.md), so that "open
# now" and the age filter have something to decide
PROFILE=$KASANE_SOURCE_DIR/tests/data/profiles-guide/mitaka-test
expect_exit 0 "$KASANE" directory build --db "$DB" --profile "$PROFILE" --out "$T/site"
for f in index.html how.html assets/site.css assets/site.js; do
    [ -s "$T/site/$f" ] || fail "directory build wrote no $f"
done

# Chromium wants a writable home for its profile
export HOME=$T
rc=0
KASANE=$KASANE DB=$DB PROFILE=$PROFILE SITE_DIR=$T/site CHROMIUM=$CHROMIUM WORK_DIR=$T \
    SCREENSHOT_DIR=${SCREENSHOT_DIR:-$T/shots} \
    timeout 600 node "$BROWSER_DIR/guide.spec.mjs" >"$T/spec.out" 2>&1 || rc=$?
cat "$T/spec.out"
case $rc in
0) ;;
77) skip "$(grep '^SKIP' "$T/spec.out" | head -1)" ;;
*) fail "guide.spec.mjs exited $rc" ;;
esac
pass
