# lib.sh: shared helpers for the CLI tests (tests/cli/tNNNN-*.sh).
#
# Sourced, never run.  CTest gives every script:
#   KASANE            the kasane binary
#   KASANE_GEN        the kasane-gen synthetic data generator
#   KASANE_SOURCE_DIR the source tree
#   KASANE_TEST_TMP   a scratch directory of its own (wiped here at start)
# Every helper fails the test loudly (exit 1 with a message naming the line);
# nothing here needs R or the network.
set -euo pipefail
set -E

: "${KASANE:?KASANE must name the kasane binary}"
: "${KASANE_GEN:?KASANE_GEN must name the kasane-gen binary}"
: "${KASANE_SOURCE_DIR:?KASANE_SOURCE_DIR must name the source tree}"
: "${KASANE_TEST_TMP:?KASANE_TEST_TMP must name a scratch directory}"

# Byte-wise everything: grep -F on CP932 bytes, sort order of dumps, awk.
export LC_ALL=C
# kasane reads these as defaults: a stray one in the caller's environment must
# not change what a test does.
unset KASANE_DB KASANE_KEY

TEST_NAME=$(basename "$0" .sh)
T=$KASANE_TEST_TMP
rm -rf "$T"
mkdir -p "$T"
cd "$T"

# The last command run by expect_exit: its status, stdout and stderr.
LAST_RC=0
LAST_OUT=$T/last.out
LAST_ERR=$T/last.err

trap 'echo "$TEST_NAME: command failed (status $?) at line $LINENO: $BASH_COMMAND" >&2' ERR

fail()
{
    echo "FAIL $TEST_NAME (line ${BASH_LINENO[0]}): $*" >&2
    if [ -s "$LAST_OUT" ]; then
        echo "--- stdout of the last command:" >&2
        head -c 4000 "$LAST_OUT" >&2
    fi
    if [ -s "$LAST_ERR" ]; then
        echo "--- stderr of the last command:" >&2
        head -c 4000 "$LAST_ERR" >&2
    fi
    trap - ERR
    exit 1
}

note() { echo "# $*"; }

# expect_exit CODE cmd...: runs cmd with stdout in $LAST_OUT and stderr in
# $LAST_ERR and fails unless it exits with CODE.  A status of 128 or more (a
# signal: crash, abort, sanitizer) always fails, whatever CODE says.
expect_exit()
{
    local want=$1
    shift
    LAST_RC=0
    "$@" >"$LAST_OUT" 2>"$LAST_ERR" || LAST_RC=$?
    if [ "$LAST_RC" -ge 128 ]; then
        fail "crashed (status $LAST_RC, signal $((LAST_RC - 128))): $*"
    fi
    if [ "$LAST_RC" -ne "$want" ]; then
        fail "expected exit $want, got $LAST_RC: $*"
    fi
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq()
{
    if [ "$1" != "$2" ]; then
        fail "$3: expected '$2', got '$1'"
    fi
}

# assert_file_contains FILE FIXED-STRING WHAT
assert_file_contains()
{
    if ! grep -a -F -q -e "$2" "$1"; then
        fail "$3: '$1' does not contain '$2'"
    fi
}

# assert_file_lacks FILE FIXED-STRING WHAT
assert_file_lacks()
{
    if grep -a -F -q -e "$2" "$1"; then
        fail "$3: '$1' contains '$2'"
    fi
}

# assert_same_file A B WHAT: byte-identical, with a diff excerpt when not.
assert_same_file()
{
    if ! cmp -s "$1" "$2"; then
        diff "$1" "$2" | head -20 >&2 || true
        fail "$3: '$1' and '$2' differ"
    fi
}

# summary_get LABEL [FILE]: the number on the import summary line that starts
# with LABEL ("rows read", "inserted", "rejected", ...).
summary_get()
{
    local label=$1 file=${2:-$LAST_OUT} v
    v=$(awk -v l="$label" '
        { line = $0; sub(/^ +/, "", line) }
        index(line, l " ") == 1 { rest = substr(line, length(l) + 1); sub(/^ +/, "", rest); split(rest, a, " "); print a[1]; exit }
    ' "$file")
    [ -n "$v" ] || fail "no '$label' line in the summary '$file'"
    printf '%s\n' "$v"
}

# sql DB QUERY: runs a query with the sqlite3 shell, read-only, failing on error.
sql()
{
    sqlite3 -batch -bail -readonly "$1" "$2"
}

# sha FILE: its SHA-256, or "absent".
sha()
{
    if [ -e "$1" ]; then
        sha256sum "$1" | cut -d' ' -f1
    else
        echo absent
    fi
}

# mode FILE: permission bits in octal, e.g. 600.
mode() { stat -c %a "$1"; }

# keygen FILE: a fresh key, checked.
keygen()
{
    expect_exit 0 "$KASANE" keygen -o "$1"
    [ -f "$1" ] || fail "keygen did not write '$1'"
}

# gen ARGS...: runs the generator, which must succeed.
gen()
{
    expect_exit 0 "$KASANE_GEN" "$@"
}

# table_counts DB: "table count" for every table, sorted by name.
table_counts()
{
    local t
    for t in $(sql "$1" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        printf '%s %s\n' "$t" "$(sql "$1" "SELECT count(*) FROM \"$t\"")"
    done
}

pass() { echo "PASS $TEST_NAME"; trap - ERR; exit 0; }
