#!/usr/bin/env bash
# t0105-import-faults: the four ways an unlucky office lost or exposed data
# (issue 10), and the errors that misled.  Each assertion fails on the code
# before that issue (checked there):
#   - a staging file planted by another user is refused, never filled;
#   - a rejects report that cannot be written fails the import before it
#     commits (it used to commit, then exit 4);
#   - an input truncated while it is read imports nothing (a fault shim
#     truncates it after N bytes, deterministically);
#   - files that are not kasane databases (another application's SQLite file,
#     an empty file, a text file, a newer schema, a damaged one) are refused
#     with the case named, byte for byte unchanged;
#   - a read-only directory or file says so (as nobody; root may write all);
#   - a FIFO is refused before anything is locked;
#   - a database another writer holds says so, after 2 s, not 10;
#   - a full $TMPDIR is named as such, not "database or disk is full";
#   - --db "" is a usage error; a terminal shows the last steps on lines of
#     their own.
. "$(dirname "$0")/lib.sh"

: "${KASANE_FAULTSHIM:?KASANE_FAULTSHIM must name the fault shim}"
# The shim is preloaded into a binary that may carry ASan, which wants its
# runtime first in the list; the shim interposes only libc calls.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

keygen key
gen --rows 3000 --seed 105 -o cases.csv
expect_exit 0 "$KASANE" import -q --db base.db --key key cases.csv
base_cases=$(sql base.db "SELECT count(*) FROM case_record")
assert_eq "$base_cases" 3000 "cases in the base database"

as_nobody=0
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null && runuser -u nobody -- true 2>/dev/null; then
    as_nobody=1
else
    note "SKIP the parts run as another user: needs root and runuser"
fi

# ---- 1. a planted staging file -------------------------------------------------
if [ $as_nobody = 1 ]; then
    mkdir -m 1777 shared
    runuser -u nobody -- sh -c 'umask 0; : >shared/new.db.importing'
    assert_eq "$(stat -c '%U %a' shared/new.db.importing)" "nobody 666" "setup: the planted file"
    expect_exit 3 "$KASANE" import -q --db shared/new.db --key key cases.csv
    assert_file_contains "$LAST_ERR" "belongs to another user" "the refusal says why"
    [ ! -e shared/new.db ] || fail "a database was made from another user's staging file"
    assert_eq "$(stat -c '%U %a %s' shared/new.db.importing)" "nobody 666 0" "the planted file, untouched"
fi
# a second link to someone's file, and a symbolic link
: >victim
ln victim hl.db.importing
expect_exit 3 "$KASANE" import -q --db hl.db --key key cases.csv
assert_file_contains "$LAST_ERR" "has other links" "a hard-linked staging file is refused"
assert_eq "$(stat -c %s victim)" 0 "the linked file, untouched"
ln -s victim sl.db.importing
expect_exit 4 "$KASANE" import -q --db sl.db --key key cases.csv
assert_file_contains "$LAST_ERR" "symbolic link" "a symlinked staging file is refused"
assert_eq "$(stat -c %s victim)" 0 "the symlink's target, untouched"
[ ! -e hl.db ] && [ ! -e sl.db ] || fail "a database appeared from a refused staging file"

# ---- 2. a rejects report that cannot be written ------------------------------------
{ cat cases.csv; echo "not,a,row"; } >withbad.csv
cp base.db b2.db
expect_exit 4 "$KASANE" import -q --db b2.db --key key --rejects nodir/r.csv withbad.csv
assert_file_contains "$LAST_ERR" "rejects report could not be written, so nothing was imported" "message"
assert_eq "$(sql b2.db "SELECT count(*) FROM import_batch")" \
    "$(sql base.db "SELECT count(*) FROM import_batch")" "no batch committed"
expect_exit 4 "$KASANE" import -q --db fresh2.db --key key --rejects nodir/r.csv withbad.csv
[ ! -e fresh2.db ] && [ ! -e fresh2.db.importing ] || fail "a new database was made though its report failed"
# and when it can be written, the import commits and the report is there
expect_exit 1 "$KASANE" import -q --db b2.db --key key --rejects r.csv withbad.csv
assert_eq "$(summary_get rejected)" 1 "the bad row rejected"
[ -s r.csv ] || fail "no rejects report"

# ---- 3. an input truncated while it is read ----------------------------------------
gen --rows 40000 --seed 106 -o big.csv
size=$(stat -c %s big.csv)
cp big.csv big0.csv
cp base.db t3.db
before=$(dump_table t3.db case_record | sha256sum)
LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_TRUNCATE="$T/big.csv:$((size / 3)):$((size / 2))" \
    expect_exit 1 "$KASANE" import -q --db t3.db --key key big.csv
assert_eq "$(stat -c %s big.csv)" $((size / 2)) "setup: the shim truncated the input"
assert_file_contains "$LAST_ERR" "'big.csv' changed while it was being imported (its size went from $size to" \
    "the error names the file and the change"
assert_file_contains "$LAST_ERR" "nothing was imported" "and says nothing was imported"
assert_eq "$(dump_table t3.db case_record | sha256sum)" "$before" "cases after the refused import"
cp big0.csv big.csv
LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_TRUNCATE="$T/big.csv:$((size / 3)):$((size / 2))" \
    expect_exit 1 "$KASANE" import -q --db t3new.db --key key big.csv
[ ! -e t3new.db ] && [ ! -e t3new.db.importing ] || fail "a truncated input made a new database"
cp big0.csv big.csv
LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_TRUNCATE="$T/big.csv:$((size / 3)):$((size / 2))" \
    expect_exit 1 "$KASANE" validate big.csv
assert_file_contains "$LAST_ERR" "'big.csv' changed while it was being imported" "validate sees it too"
cp big0.csv big.csv

# ---- 4. files that are not kasane databases, unchanged -------------------------------
sqlite3 other.db "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
chmod 644 other.db
: >empty.db
echo "just text, longer than a header line" >text.db
cp base.db future.db
sql future.db "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
cp base.db damaged.db
pages=$(( $(stat -c %s damaged.db) / 8192 ))
dd if=/dev/urandom of=damaged.db bs=8192 seek=1 count=$((pages - 1)) conv=notrunc status=none
check_refused() # FILE STATUS TEXT
{
    local f=$1 st=$2 text=$3 s0 m0
    s0=$(sha "$f")
    m0=$(mode "$f")
    expect_exit "$st" "$KASANE" import -q --db "$f" --key key cases.csv
    assert_file_contains "$LAST_ERR" "$text" "import into $f"
    expect_exit "$st" "$KASANE" threshold --db "$f" --key key 7
    assert_file_contains "$LAST_ERR" "$text" "threshold on $f"
    [ ! -e "$f-wal" ] || fail "$f got a -wal"
    # a reader refuses it too (a read-only connection may leave an empty
    # -wal beside a WAL file, as for every query)
    expect_exit "$st" "$KASANE" query run problems_by_district --db "$f"
    assert_file_contains "$LAST_ERR" "$text" "query on $f"
    assert_eq "$(sha "$f")" "$s0" "$f byte for byte"
    assert_eq "$(mode "$f")" "$m0" "mode of $f"
}
check_refused other.db 2 "is an SQLite database, but not a kasane database (it has no meta table)"
check_refused empty.db 2 "is an empty file, not a kasane database"
check_refused text.db 2 "is not an SQLite database"
check_refused future.db 2 "has schema version 99, from a newer kasane"
check_refused damaged.db 4 "is damaged: SQLite says"

# ---- 5. read-only: directory, file ------------------------------------------------------
if [ $as_nobody = 1 ]; then
    mkdir ro rw
    cp base.db ro/db
    cp base.db rw/db
    cp key nkey
    chown nobody ro/db rw/db nkey rw
    chmod 555 ro
    chmod 400 rw/db
    runuser -u nobody -- "$KASANE" import -q --db ro/db --key nkey cases.csv >last.out 2>last.err && fail "ro dir imported"
    assert_file_contains last.err "its directory 'ro' cannot be written (this user may not write it)" "read-only dir"
    assert_file_lacks last.err "not a kasane database" "read-only dir"
    runuser -u nobody -- "$KASANE" import -q --db rw/db --key nkey cases.csv >last.out 2>last.err && fail "ro file imported"
    assert_file_contains last.err "database 'rw/db' cannot be written: this user may not write it" \
        "read-only file"
    # reading the database in a directory nobody can write: it works or says why
    if ! runuser -u nobody -- "$KASANE" query run problems_by_district --db ro/db >last.out 2>last.err; then
        assert_file_contains last.err "its directory 'ro' cannot be written" "read in a read-only directory"
    fi
fi

# ---- 6. a FIFO --------------------------------------------------------------------------
mkfifo in.fifo
SECONDS=0
expect_exit 2 timeout 20 "$KASANE" import -q --db base.db --key key in.fifo
assert_file_contains "$LAST_ERR" "'in.fifo' is a pipe (FIFO), not a regular file" "FIFO refused"
expect_exit 2 timeout 20 "$KASANE" validate in.fifo
assert_file_contains "$LAST_ERR" "is a pipe (FIFO)" "validate refuses it too"
[ "$SECONDS" -lt 10 ] || fail "refusing a FIFO took $SECONDS s"

# ---- 7. another writer -----------------------------------------------------------------
cp base.db busy.db
(echo ".timeout 5000"; echo "BEGIN IMMEDIATE; DELETE FROM meta WHERE key = 'none';"; sleep 8; echo "COMMIT;") | sqlite3 busy.db &
holder=$!
# wait until the holder has the write lock (not a fixed sleep: a loaded
# machine may start sqlite3 late; the holder waits out a probe that holds
# the lock for a moment, through .timeout)
deadline=$((SECONDS + 30))
until ! sqlite3 -batch busy.db 'PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;' >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the lock holder did not take the write lock within 30 s"
    sleep 0.05
done
SECONDS=0
expect_exit 2 "$KASANE" import -q --db busy.db --key key cases.csv
assert_file_contains "$LAST_ERR" "another import (or 'kasane threshold') is writing to 'busy.db' right now" \
    "the busy message"
[ "$SECONDS" -lt 6 ] || fail "the busy import waited $SECONDS s"
wait $holder

# ---- 8. a full $TMPDIR -----------------------------------------------------------------
# 200,000 cases: the index build sorts more than its 3 MiB in memory, so
# SQLite spills to $TMPDIR (fewer rows than one external-sort run of
# kasane's own, which t0100 covers)
gen --rows 200000 --seed 107 -o mid.csv
mkdir full
TMPDIR=$T/full LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_ENOSPC_DIR=$T/full \
    expect_exit 4 "$KASANE" import -q --db full.db --key key mid.csv
# $T/full shares the database's file system, and has room again once the
# sort files are gone: both are named, TMPDIR with what it is for
assert_file_contains "$LAST_ERR" "the temporary directory '$T/full' (\$TMPDIR, where SQLite sorts) filled up" \
    "a full TMPDIR is named"
[ ! -e full.db ] && [ ! -e full.db.importing ] || fail "the failed import left a database"

# ---- 9. --db "", and the last steps on a terminal ----------------------------------------
expect_exit 2 "$KASANE" import --db "" --key key cases.csv
assert_file_contains "$LAST_ERR" "no database" "--db \"\""
[ ! -e .importing ] || fail "--db \"\" made '.importing'"
script -qec "'$KASANE' import --db tty.db --key key cases.csv" /dev/null >tty.out 2>&1 || true
assert_file_contains tty.out "indexes ..." "the index build has its own line"
assert_file_contains tty.out "writing to disk ..." "so has the commit"
[ -e tty.db ] || fail "the import on a terminal made no database: $(tail -3 tty.out)"

pass
