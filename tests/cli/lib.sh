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

# The lines of the test script that led to the failure, innermost first
# ("45 <- 112" when a function of the script called from line 112 failed).
caller_line()
{
    local i out=""
    for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
        if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
            out="$out${out:+ <- }${BASH_LINENO[$((i - 1))]}"
        fi
    done
    echo "${out:-?}"
}

fail()
{
    echo "FAIL $TEST_NAME (line $(caller_line)): $*" >&2
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
    # under -DKASANE_SANITIZE=ON a sanitizer report exits 1, like a data error
    if grep -a -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LAST_ERR"; then
        fail "sanitizer report (status $LAST_RC): $*"
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

# sql DB QUERY: runs a query with the sqlite3 shell, failing on error.  It
# opens read-write (only so that, being the last connection, it removes the
# empty -wal and -shm again on close: a read-only one leaves them behind);
# queries given here only read.
sql()
{
    sqlite3 -batch -bail "$1" "$2"
}

# sql_ro DB QUERY: the same through a read-only connection, which can neither
# recover nor checkpoint a -wal (it leaves an empty -wal and -shm behind).
sql_ro()
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

# table_counts DB: "table count" for every table, sorted by name (through
# $SQL when set, e.g. SQL=sql_ro).
table_counts()
{
    local t q=${SQL:-sql}
    for t in $($q "$1" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        printf '%s %s\n' "$t" "$($q "$1" "SELECT count(*) FROM \"$t\"")"
    done
}

# dump_table DB TABLE [COLUMN...]: every row of TABLE as "TABLE|v1|v2|...",
# each value through quote() (text quoted, blobs as X'HEX'), rows ordered by
# all columns; the COLUMNs named are left out.  Generic on purpose: it follows
# the schema as it evolves.  Reads through $SQL when set (e.g. SQL=sql_ro).
dump_table()
{
    local db=$1 t=$2 c excl="''" cols order q=${SQL:-sql}
    shift 2
    for c in "$@"; do excl="$excl, '$c'"; done
    cols=$($q "$db" "SELECT group_concat('quote(\"' || name || '\")', ' || ''|'' || ')
                     FROM (SELECT name FROM pragma_table_info('$t') WHERE name NOT IN ($excl) ORDER BY cid)")
    order=$($q "$db" "SELECT group_concat('\"' || name || '\"', ', ')
                      FROM (SELECT name FROM pragma_table_info('$t') WHERE name NOT IN ($excl) ORDER BY cid)")
    [ -n "$cols" ] || fail "dump_table: no columns in table '$t'"
    $q "$db" "SELECT '$t|' || $cols FROM \"$t\" ORDER BY $order"
}

# digest_sql DB >FILE, then SQLFILE=FILE digest DB2: a hash of what DB2
# holds, in one sqlite3 run: PRAGMA integrity_check, the row count of every
# table, and every row of every table (by all columns, quote()d) but for the
# times (started_at, finished_at, created_at, set_at, began_at, retired_at, at), meta's
# last_import and record_key's keys (rkey), drawn at random for each new
# unit: which units have one is compared, not the key.  Two databases with
# the same digest hold the same data.  The SQL follows DB's schema (tables
# and columns), so DB is one with the schema of the databases compared.
# digest opens read-write: it recovers a -wal a killed or failed writer left,
# as the next user would, and removes it on close.
digest_sql()
{
    local db=$1 t cols
    echo "PRAGMA integrity_check;"
    for t in $(sql "$db" "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"); do
        echo "SELECT '$t ' || count(*) FROM \"$t\";"
        case $t in
        meta) echo "SELECT key || '|' || quote(value) FROM meta WHERE key <> 'last_import' ORDER BY key;" ;;
        *)
            cols=$(sql "$db" "SELECT group_concat('quote(\"' || name || '\")', ' || ''|'' || ')
                              FROM (SELECT name FROM pragma_table_info('$t')
                                    WHERE name NOT IN ('started_at', 'finished_at', 'created_at', 'set_at', 'began_at', 'retired_at', 'rkey', 'at') ORDER BY cid)")
            echo "SELECT '$t|' || $cols FROM \"$t\" ORDER BY 1;"
            ;;
        esac
    done
}
digest()
{
    sqlite3 -batch -bail "$1" <"$SQLFILE" | sha256sum | cut -d' ' -f1
}

# later FUNCTION [ARGS...]: runs a group of assertions in a subshell and, if
# one fails, carries on and fails the test at `pass`.  For assertions that are
# known to fail today (each marked BUG in its script), so that one failure does
# not hide the result of the others.
LATER_FAILURES=0
later()
{
    if ! ( "$@" ); then
        LATER_FAILURES=$((LATER_FAILURES + 1))
    fi
}

pass()
{
    trap - ERR
    if [ "$LATER_FAILURES" -ne 0 ]; then
        echo "FAIL $TEST_NAME: $LATER_FAILURES group(s) of assertions failed (see above)" >&2
        exit 1
    fi
    echo "PASS $TEST_NAME"
    exit 0
}

# json_flatten < JSON: one line per cell, table <TAB> row <TAB> column <TAB> value.
# The renderer writes {"columns":[...],"rows":[ on one line, one row per line,
# then ],"meta":{... "notes":["table: NAME", ...]}}.
json_flatten()
{
    awk '
    function unq(s) { gsub(/\\"/, "\"", s); gsub(/\\\\/, "\\", s); return s }
    # splits a json array line into tok[1..n]; strings unquoted, null kept
    function split_row(line,    i, c, n, cur, instr, esc) {
        n = 0; cur = ""; instr = 0; esc = 0
        sub(/^\[/, "", line); sub(/\],?$/, "", line)
        for (i = 1; i <= length(line); i++) {
            c = substr(line, i, 1)
            if (instr) {
                if (esc) { cur = cur c; esc = 0 }
                else if (c == "\\") { cur = cur c; esc = 1 }
                else if (c == "\"") instr = 0
                else cur = cur c
            } else if (c == "\"") instr = 1
            else if (c == ",") { tok[++n] = unq(cur); cur = "" }
            else cur = cur c
        }
        tok[++n] = unq(cur)
        return n
    }
    /^\{"columns":/ {
        ncol = 0; nrow = 0; line = $0
        while (match(line, /"name":"[^"]*"/)) {
            col[++ncol] = substr(line, RSTART + 8, RLENGTH - 9)
            line = substr(line, RSTART + RLENGTH)
        }
        next
    }
    /^\[/ { nrow++; n = split_row($0); for (j = 1; j <= n; j++) cell[nrow, j] = tok[j]; next }
    /"meta":/ {
        name = $0; sub(/.*"notes":\["table: /, "", name); sub(/".*/, "", name)
        for (r = 1; r <= nrow; r++) for (j = 1; j <= ncol; j++)
            printf "%s\t%d\t%s\t%s\n", name, r, col[j], cell[r, j]
    }'
}
