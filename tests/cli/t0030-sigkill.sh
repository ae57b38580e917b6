#!/usr/bin/env bash
# t0030-sigkill: an import killed with SIGKILL leaves the database exactly as
# it was, or — if the kill came after its commit — exactly as a complete
# import leaves it: never anything in between.  Killed twice: mid-read (a
# third of the input read, the transaction open), and mid-commit (its -wal
# being written).  Then the same import run to the end works.
. "$(dirname "$0")/lib.sh"

BIG=300000
gen --rows 2000 --seed 30 -o small.csv
gen --rows $BIG --seed 31 -o big.csv
keygen key
DB=$T/cases.db

expect_exit 0 "$KASANE" import -q --db "$DB" --key key small.csv
assert_eq "$(summary_get inserted)" 2000 "rows of the first import"
assert_eq "$(sql "$DB" 'PRAGMA integrity_check')" ok "integrity_check before"

# core DB: what any import that commits leaves the same whenever it runs —
# row counts of every table, the case tables' content, meta but its time,
# import_batch but its times.  SQL=sql_ro reads through a read-only connection.
core()
{
    local t
    table_counts "$1"
    for t in case_record case_problem case_support case_partner person household; do
        echo "$t $(dump_table "$1" $t | sha256sum)"
    done
    dump_table "$1" meta | grep -v "^meta|'last_import'|" || true
    dump_table "$1" import_batch started_at finished_at
}
# state DB: all of it, times included.
state()
{
    core "$1"
    dump_table "$1" meta
    dump_table "$1" import_batch
}
state "$DB" >before.txt
core "$DB" >small-core.txt
assert_file_contains before.txt "case_record 2000" "case_record count in the state"
assert_file_contains before.txt "import_batch 1" "import_batch count in the state"
cp "$DB" ref.db # for the complete import, to compare with

big_path=$(realpath big.csv)
big_size=$(stat -c %s big.csv)
# read_offset PID: how far the process has read big.csv (/proc/PID/fdinfo),
# or -1 when that cannot be seen.
read_offset()
{
    local fd
    for fd in /proc/"$1"/fd/*; do
        if [ "$(readlink "$fd" 2>/dev/null)" = "$big_path" ]; then
            awk '$1 == "pos:" { print $2; found = 1 } END { if (!found) print -1 }' "/proc/$1/fdinfo/${fd##*/}" 2>/dev/null ||
                echo -1
            return
        fi
    done
    echo -1
}

# kill_import WHEN: starts the big import and kills it with SIGKILL when
#   read   it has read a third of its input (the commit can only come after the
#          last byte) — or, where /proc shows no offsets, its -wal has passed 4 MB
#   wal    its -wal has passed 4 MB (SQLite writes the transaction there at
#          the commit, or earlier once its page cache is full)
# Sets KILLED_POS, KILLED_WAL, KILLED_LOCK (what another writer was told).
kill_import()
{
    local when=$1 pid pos wal deadline rc
    "$KASANE" import -q --db "$DB" --key key big.csv >killed.out 2>killed.err &
    pid=$!
    deadline=$((SECONDS + 120))
    while :; do
        pos=$(read_offset "$pid")
        wal=$(stat -c %s "$DB-wal" 2>/dev/null || echo 0)
        if [ "$when" = read ] && [ "$pos" -gt $((big_size / 3)) ]; then
            break
        fi
        if [ "$wal" -gt $((4 * 1024 * 1024)) ] && { [ "$when" = wal ] || [ "$pos" -lt 0 ]; }; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid" || true
            fail "the big import ended (read $pos bytes, wal $wal bytes) before it could be killed ($when): $(cat killed.err)"
        fi
        [ "$SECONDS" -lt "$deadline" ] || { kill -9 "$pid"; fail "kill point '$when' not reached within 120 s"; }
        sleep 0.02
    done
    KILLED_LOCK=""
    if [ "$when" = read ]; then
        KILLED_LOCK=$(sqlite3 -batch "$DB" 'PRAGMA busy_timeout = 0; BEGIN IMMEDIATE; ROLLBACK;' 2>&1 || true)
    fi
    kill -9 "$pid"
    rc=0
    wait "$pid" 2>/dev/null || rc=$?
    assert_eq "$rc" 137 "status of the import killed at '$when' (SIGKILL, not finished)"
    KILLED_POS=$pos
    KILLED_WAL=$wal
    note "killed at '$when' after reading $pos of $big_size bytes, with a $wal-byte -wal"
}

# ---- 1: killed mid-read: as it was ---------------------------------------------
kill_import read
case $KILLED_LOCK in
*locked*) ;;
*) fail "the import's write transaction was not open when it was killed: '$KILLED_LOCK'" ;;
esac
[ ! -s killed.out ] || fail "the killed import had already printed its summary: $(head -2 killed.out)"
[ -e "$DB-wal" ] || fail "expected the killed import's -wal to be left behind"
# what a reader sees, then what the next writer sees (it recovers the -wal)
assert_eq "$(sql_ro "$DB" 'PRAGMA integrity_check')" ok "integrity_check after the kill (reader)"
SQL=sql_ro state "$DB" >after-read-ro.txt
assert_same_file before.txt after-read-ro.txt "database after a kill mid-read (reader)"
assert_eq "$(sql "$DB" 'PRAGMA integrity_check')" ok "integrity_check after the kill (writer)"
state "$DB" >after-read.txt
assert_same_file before.txt after-read.txt "database after a kill mid-read (writer)"

# ---- the complete import, on a copy: what "committed whole" looks like -------------
expect_exit 0 "$KASANE" import -q --db ref.db --key key big.csv
assert_eq "$(summary_get 'rows read')" $BIG "rows read by the complete import"
assert_eq "$(summary_get rejected)" 0 "rows rejected by the complete import"
ins=$(summary_get inserted)
upd=$(summary_get updated)
unc=$(summary_get unchanged)
assert_eq "$((ins + upd + unc))" $BIG "inserted + updated + unchanged"
assert_eq "$(sql ref.db 'SELECT count(*) FROM case_record')" $((2000 + ins)) "case_record rows after the complete import"
assert_eq "$(sql ref.db 'SELECT count(*) FROM import_batch')" 2 "import_batch rows after the complete import"
# the batch row names its input file by name: the same for both databases
core ref.db >full.txt
cmp -s <(core "$DB") full.txt && fail "setup: the complete state equals the one before"

# ---- 2: killed while its -wal is being written --------------------------------------
kill_import wal
assert_eq "$(sql_ro "$DB" 'PRAGMA integrity_check')" ok "integrity_check after the kill at the commit (reader)"
SQL=sql_ro core "$DB" >after-wal-ro.txt
assert_eq "$(sql "$DB" 'PRAGMA integrity_check')" ok "integrity_check after the kill at the commit (writer)"
core "$DB" >after-wal.txt
assert_same_file after-wal-ro.txt after-wal.txt "reader's and writer's view after the kill at the commit"
if cmp -s after-wal.txt full.txt; then
    note "the kill came after the commit: the import is complete"
    committed=1
else
    state "$DB" >after-wal-state.txt
    assert_same_file before.txt after-wal-state.txt "database after a kill at the commit (neither before nor complete)"
    committed=0
fi

# ---- the same import, to the end ----------------------------------------------------------
expect_exit 0 "$KASANE" import -q --db "$DB" --key key big.csv
assert_eq "$(summary_get 'rows read')" $BIG "rows read by the final import"
if [ $committed = 0 ]; then
    assert_eq "$(summary_get inserted)" "$ins" "rows inserted by the final import"
    core "$DB" >final.txt
    assert_same_file full.txt final.txt "database after the final import vs the complete import"
else
    assert_eq "$(summary_get unchanged)" $BIG "rows unchanged by the final import"
fi
assert_eq "$(sql "$DB" 'PRAGMA integrity_check')" ok "integrity_check after the final import"
assert_eq "$(sql "$DB" 'PRAGMA foreign_key_check' | wc -l)" 0 "foreign key violations"

# ---- 3: a new database killed while it is built: no database at all ----------------
# A new database is built in "<db>.importing" and renamed into place when
# complete (db.h): killed before that, there is no database, and the staging
# file left behind is replaced by the next import.  While one import builds
# it, a second import into the same new database is refused.
# start_new DB NAME: starts importing big.csv into the new database DB in the
# background (output in NAME.out, NAME.err) and returns once it has read a
# third of its input; its process id is in $pid.
start_new()
{
    "$KASANE" import -q --db "$1" --key key big.csv >"$2.out" 2>"$2.err" &
    pid=$!
    local deadline=$((SECONDS + 120))
    while [ "$(read_offset "$pid")" -le $((big_size / 3)) ]; do
        kill -0 "$pid" 2>/dev/null || fail "the import into $1 ended too early: $(cat "$2.err")"
        [ "$SECONDS" -lt "$deadline" ] || { kill -9 "$pid"; fail "the import into $1 did not read a third of its input in 120 s"; }
        sleep 0.02
    done
}
NEW=$T/new.db
start_new "$NEW" new
[ -e "$NEW.importing" ] || fail "no staging file '$NEW.importing' while the new database is built"
[ ! -e "$NEW" ] || fail "'$NEW' exists before its import has finished"
expect_exit 2 "$KASANE" import -q --db "$NEW" --key key small.csv
assert_file_contains "$LAST_ERR" "another import is creating" "second import into a database being built"
kill -9 "$pid"
rc=0
wait "$pid" 2>/dev/null || rc=$?
assert_eq "$rc" 137 "status of the killed new-database import"
[ ! -e "$NEW" ] || fail "a killed new-database import left '$NEW' behind"
[ -e "$NEW.importing" ] || fail "expected the killed import's staging file to be left behind"
assert_eq "$(stat -c %a "$NEW.importing")" 600 "mode of the staging file"
expect_exit 0 "$KASANE" import -q --db "$NEW" --key key small.csv
[ ! -e "$NEW.importing" ] || fail "the stale staging file is still there after the next import"
assert_eq "$(stat -c %a "$NEW")" 600 "mode of the new database"
assert_eq "$(sql "$NEW" 'PRAGMA journal_mode')" wal "journal mode of a newly built database"
assert_eq "$(sql "$NEW" 'PRAGMA integrity_check')" ok "integrity_check of the newly built database"
core "$NEW" >new-core.txt
assert_same_file small-core.txt new-core.txt "new database built after a stale staging file vs the first import"

# ---- 4: a file appears at the new database's path while it is built ---------------
# Publishing never replaces it (RENAME_NOREPLACE): the import fails, the file
# is left as it was, and the staging file is removed.
NEW2=$T/new2.db
start_new "$NEW2" new2
echo "someone else's file" >"$NEW2"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 2 "status of the import whose path was taken"
assert_file_contains new2.err "appeared while this import was building it" "the import says why"
assert_eq "$(cat "$NEW2")" "someone else's file" "the file at the path is untouched"
[ ! -e "$NEW2.importing" ] || fail "the staging file was left behind"

pass
