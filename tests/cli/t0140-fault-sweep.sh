#!/usr/bin/env bash
# t0140-fault-sweep: every I/O call of an import fails once, one run per
# call (issue 14, after SQLite's own I/O-error loops).  The fault shim counts
# the calls a clean run makes on the files under a directory (KS_FAULT_COUNT)
# and then fails the Nth (KS_FAULT_CALL=any:N:ERRNO), ENOSPC and EIO in turn,
# for every N.  After each run:
#   - the status is 4 and the database is exactly as before (a new database:
#     absent), or the status is 0 and it is exactly as a clean import leaves
#     it (a fault after the commit that SQLite or kasane can live with: a
#     checkpoint, the directory's fsync);
#   - PRAGMA integrity_check says ok;
#   - nothing is left beside it: no staging file, no temporary file, no
#     journal, no -wal once a connection has opened and closed it;
#   - the message names the file or directory that failed (KNOWN BUG below).
# The same for an import into an existing database (a changed re-export:
# updates and inserts), for a read error on the input, for --out of query
# and report (the file is the old one or the complete new one, never part),
# for threshold (k is the old or the new) and for rekey (the old key and no
# new key file, or the new key and its file).  Last, truncated databases
# are refused with a message that says so and are left byte for byte.
. "$(dirname "$0")/lib.sh"

: "${KASANE_FAULTSHIM:?KASANE_FAULTSHIM must name the fault shim}"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# The "KNOWN BUG" checks below were the sweep's findings when it was written
# (a read error that committed a mix, status 2 "not a kasane database" after
# a read error, SQLite's bare "disk I/O error", a failed first read of the
# input ignored); all are fixed, so they fail the test by default.
# KASANE_FAULT_STRICT=0 only lists them (to see a regression's extent).
STRICT=${KASANE_FAULT_STRICT:-1}

keygen key
mkdir in db db/tmp out
# a: the first export; b: a re-export with changed rows and 40 more
gen --rows 300 --seed 140 -o in/a.csv
gen --rows 340 --seed 141 -o in/b.csv
D=$(pwd -P)/db
export TMPDIR=$D/tmp # SQLite's temporary files are counted and checked too

# ---- references -------------------------------------------------------------
expect_exit 0 "$KASANE" import -q --db db/ref-new.db --key key in/a.csv
cp db/ref-new.db db/ref-base.db
expect_exit 0 "$KASANE" import -q --db db/ref-upd.db --key key in/a.csv
expect_exit 0 "$KASANE" import -q --db db/ref-upd.db --key key in/b.csv
updated=$(summary_get updated)
inserted=$(summary_get inserted)
[ "$updated" -gt 0 ] && [ "$inserted" -gt 0 ] || fail "setup: the re-export should update and insert ($updated, $inserted)"
digest_sql db/ref-upd.db >digest.sql
SQLFILE=digest.sql
assert_eq "$(sqlite3 db/ref-new.db 'PRAGMA integrity_check')" ok "setup: reference integrity"
H_NEW=$(digest db/ref-new.db)
H_UPD=$(digest db/ref-upd.db)
[ "$H_NEW" != "$H_UPD" ] || fail "setup: the two states have the same digest"
mv db/ref-new.db db/ref-upd.db db/ref-base.db .

# count KIND DIR CMD...: how many calls of KIND a clean run of CMD makes on
# the files under DIR
count()
{
    local kind=$1 dir=$2
    shift 2
    LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_DIR=$dir KS_FAULT_COUNT=$T/count.txt "$@" >/dev/null 2>&1 ||
        fail "clean counting run failed: $*"
    awk -v k="$kind" '$1 == k { print $2 }' count.txt
}

# points TOTAL: every N in 1..TOTAL when there are at most 300, else the first
# and last 20 and about 110 spread evenly between (deterministic)
points()
{
    local total=$1 i
    if [ "$total" -le 300 ]; then
        seq 1 "$total"
    else
        { seq 1 20; seq $((total - 19)) "$total"; for ((i = 21; i < total - 19; i += (total - 40) / 110 + 1)); do echo $i; done; } | sort -nu
    fi
}

# faulty N DIR KIND CMD...: runs CMD with the Nth call of KIND under DIR
# failing (ENOSPC for even N, EIO for odd); $LAST_RC, $LAST_ERR, $FIRED
# (what the shim failed: "any N FUNCTION PATH").
faulty()
{
    local n=$1 dir=$2 kind=$3 e=EIO
    shift 3
    [ $((n % 2)) = 0 ] && e=ENOSPC
    rm -f fired.txt
    LAST_RC=0
    LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_DIR=$dir KS_FAULT_CALL=$kind:$n:$e KS_FAULT_COUNT=$T/fired.txt \
        "$@" >"$LAST_OUT" 2>"$LAST_ERR" || LAST_RC=$?
    FIRED=$(sed -n 's/^fired //p' fired.txt 2>/dev/null || true)
    ERRNAME=$e
    [ "$LAST_RC" -lt 128 ] || fail "crashed (status $LAST_RC) with $kind:$n:$e failing ($FIRED): $*"
    if grep -a -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LAST_ERR"; then
        fail "sanitizer report with $kind:$n:$e ($FIRED): $*"
    fi
}

MSGS=$T/messages.txt # every failed run's error, for the tally at the end
: >"$MSGS"
BUGS=$T/known-bugs.txt # runs that hit a KNOWN BUG (listed at the end)
: >"$BUGS"
# known_bug WHAT: a run that hit a known bug: fails under KASANE_FAULT_STRICT=1,
# else listed at the end
known_bug()
{
    echo "$1 [$ERRNAME at $FIRED]: $(grep -a 'kasane: error: ' "$LAST_ERR" | head -1)" >>"$BUGS"
    [ "$STRICT" = 0 ] || fail "KNOWN BUG: $1 ($ERRNAME at $FIRED)"
}

# check_message DBPATH: the error names what failed: the database's path or
# its directory (a full disk).
check_message()
{
    local db=$1 msg
    msg=$(grep -a 'kasane: error: ' "$LAST_ERR" | head -1 || true)
    [ -n "$msg" ] || fail "status $LAST_RC with no error message ($FIRED)"
    echo "$ERRNAME $(echo "$FIRED" | cut -d' ' -f3) | ${msg#kasane: error: }" >>"$MSGS"
    # a disk error is not called something else: a constraint violation (a
    # failed read taken for "absent", then an insert: bind_profile did) or a
    # pseudonym collision (the loader's check did)
    case $msg in
    *"constraint failed"* | *"first 64 bits"*) fail "a disk error reported as something else ($ERRNAME at $FIRED): $msg" ;;
    esac
    case $msg in
    *"'$db'"* | *"'$db.importing'"* | *"directory 'db'"* | *"'db' has"*) ;;
    # KNOWN BUG (issue 14): SQLite's message alone, without the file or the
    # step: "database: disk I/O error" after an EIO on a write, and
    # "database: database disk image is malformed" after an EIO on a read
    # (the file is not damaged: integrity_check says ok right after)
    "kasane: error: database: "*) known_bug "message without the file"; return ;;
    *) fail "the message does not name the database or its directory ($ERRNAME at $FIRED): $msg" ;;
    esac
    # (a read never fails with ENOSPC in life: only writes are held to it;
    # SQLite reports a failed write of the -shm as SQLITE_IOERR_SHMSIZE,
    # "disk I/O error", whatever errno said, so those are not either)
    if [ "$ERRNAME" = ENOSPC ] && [[ $(echo "$FIRED" | cut -d' ' -f3) == *write* ]] && [[ $FIRED != *-shm ]]; then
        case $msg in
        *full* | *"filled up"* | *"No space left"*) ;;
        *) fail "an ENOSPC is not called a full disk ($FIRED): $msg" ;;
        esac
    fi
}

# failed_status: 4, or the KNOWN BUG (issue 14) of status 2 "is not a kasane
# database" after an EIO reading its meta table (the file is fine)
failed_status()
{
    case $LAST_RC in
    4) return 0 ;;
    2) grep -a -q "is not a kasane database" "$LAST_ERR" || return 1
       known_bug "status 2, 'not a kasane database', after a read error"; return 0 ;;
    *) return 1 ;;
    esac
}

# leftovers DB: nothing but DB (and no -wal after a connection closed it)
leftovers()
{
    local db=$1 extra
    extra=$(cd db && ls -A | grep -v -x -e tmp -e "$(basename "$db")" || true)
    [ -z "$extra" ] || fail "left beside the database ($ERRNAME at $FIRED): $extra"
    [ -z "$(ls -A db/tmp)" ] || fail "left in TMPDIR ($ERRNAME at $FIRED): $(ls -A db/tmp)"
}

# ---- 1. import into a new database -------------------------------------------------
total=$(count any "$D" "$KASANE" import -q --db db/new.db --key key in/a.csv)
rm -f db/new.db
note "import into a new database: $total I/O calls under the database's directory"
[ "$total" -gt 20 ] || fail "setup: only $total calls counted"
ok=0 failed=0
for n in $(points "$total"); do
    faulty "$n" "$D" any "$KASANE" import -q --db db/new.db --key key in/a.csv
    [ -n "$FIRED" ] || fail "call $n of $total was never made"
    if [ "$LAST_RC" = 0 ]; then
        ok=$((ok + 1))
        assert_eq "$(digest db/new.db)" "$H_NEW" "new database after $ERRNAME at $FIRED (status 0)"
    elif failed_status; then
        failed=$((failed + 1))
        check_message db/new.db
        [ ! -e db/new.db ] || fail "status $LAST_RC but a database was made ($ERRNAME at $FIRED)"
    else
        fail "status $LAST_RC with $ERRNAME at $FIRED (want 0 or 4)"
    fi
    leftovers db/new.db
    rm -f db/new.db
done
note "new database: $failed runs failed cleanly, $ok completed despite the fault"
[ "$failed" -gt 0 ] || fail "no injected fault made the import fail"

# ---- 2. import into an existing database ---------------------------------------------
cp ref-base.db db/x.db
total=$(count any "$D" "$KASANE" import -q --db db/x.db --key key in/b.csv)
note "re-import into an existing database: $total I/O calls"
ok=0 failed=0
for n in $(points "$total"); do
    cp ref-base.db db/x.db
    faulty "$n" "$D" any "$KASANE" import -q --db db/x.db --key key in/b.csv
    [ -n "$FIRED" ] || fail "call $n of $total was never made"
    if [ "$LAST_RC" = 0 ]; then
        ok=$((ok + 1)); want=$H_UPD
    elif failed_status; then
        failed=$((failed + 1)); want=$H_NEW; check_message db/x.db
    else
        fail "status $LAST_RC with $ERRNAME at $FIRED (want 0 or 4)"
    fi
    # digest opens read-write: it recovers a -wal a failed checkpoint left,
    # as the next user would, and removes it on close
    got=$(digest db/x.db)
    # (fixed in issue 14: a read error on the existing database while the
    # re-import looked its cases up -- any:34:ENOSPC, a pread64 of x.db --
    # was taken for "no cases" and committed every row again as a NEW
    # case, 300 old + 340 duplicates; import.c count_cases, load.c)
    if [ "$got" = "$H_UPD" ] && [ "$LAST_RC" != 0 ]; then
        # KNOWN BUG (issue 14): the import committed whole, but the status
        # says it failed (e.g. any:36:ENOSPC, a pread64 of x.db after the
        # commit): a data officer would import again
        known_bug "status $LAST_RC though the import committed"
    else
        assert_eq "$got" "$want" "existing database after $ERRNAME at $FIRED (status $LAST_RC)"
    fi
    leftovers db/x.db
done
note "existing database: $failed runs failed cleanly, $ok completed despite the fault"
[ "$failed" -gt 0 ] || fail "no injected fault made the re-import fail"

# ---- 3. a read error on the input -------------------------------------------------------
IN=$(pwd -P)/in
total=$(count read "$IN" "$KASANE" import -q --db db/x.db --key key in/b.csv)
for n in $(seq 2 "$total"); do
    cp ref-base.db db/x.db
    faulty "$n" "$IN" read "$KASANE" import -q --db db/x.db --key key in/b.csv
    assert_eq "$LAST_RC" 4 "status with the input's read $n failing ($FIRED)"
    assert_file_contains "$LAST_ERR" "in/b.csv:" "the read error names the input"
    assert_file_contains "$LAST_ERR" "read error: " "and says it is a read error"
    assert_eq "$(digest db/x.db)" "$H_NEW" "database after the input's read $n failed"
    leftovers db/x.db
done
# KNOWN BUG (issue 14): the first read of the input (encoding detection,
# import.c detect()) ignores a read error: a UTF-8 file imports with status 0
# after an EIO, and a CP932 one is refused as "header name is not valid text
# in this encoding" (status 1) instead of as a read error.  Run with
# KASANE_FAULT_STRICT=1 to check it.
if [ "$STRICT" != 0 ]; then
    cp ref-base.db db/x.db
    faulty 1 "$IN" read "$KASANE" import -q --db db/x.db --key key in/b.csv
    assert_eq "$LAST_RC" 4 "KNOWN BUG: status with the input's first read failing ($FIRED)"
    assert_file_contains "$LAST_ERR" "read error" "KNOWN BUG: the first read's error is reported"
fi

# ---- 4. query --out and report --out -----------------------------------------------------
O=$(pwd -P)/out
cp ref-upd.db db/x.db
expect_exit 0 "$KASANE" query run problems_by_district --db db/x.db --out out/ref-q.csv
expect_exit 0 "$KASANE" report --period FY2025 --db db/x.db --out out/ref-r.html
mv out/ref-q.csv out/ref-r.html .
[ -s ref-q.csv ] && [ -s ref-r.html ] || fail "setup: empty reference outputs"
echo "an older output" >old.txt
# sweep_out WHAT REF CMD...: faults in out/ (the output) and in db/ (reading
# the database); the output is absent or the older file, or complete
sweep_out()
{
    local what=$1 ref=$2 dir total n out=out/$1
    shift 2
    for dir in "$O" "$D"; do
        rm -f "$out"
        total=$(count any "$dir" "$@")
        note "$what: $total I/O calls under $dir"
        for n in $(seq 1 "$total"); do
            # every other run replaces an older file
            if [ $((n % 4)) -lt 2 ]; then cp old.txt "$out"; else rm -f "$out"; fi
            faulty "$n" "$dir" any "$@"
            [ "$LAST_RC" = 0 ] || failed_status || fail "$what: status $LAST_RC with $ERRNAME at $FIRED"
            case $LAST_RC in
            0) assert_same_file "$out" "$ref" "$what after $ERRNAME at $FIRED (status 0)" ;;
            *)
                if [ $((n % 4)) -lt 2 ]; then
                    assert_same_file "$out" old.txt "$what: the older file after $ERRNAME at $FIRED"
                else
                    [ ! -e "$out" ] || fail "$what: a file was left after $ERRNAME at $FIRED"
                fi
                grep -a -q -E "^kasane( report)?: " "$LAST_ERR" || fail "$what: no message ($FIRED)"
                if [ "$dir" = "$O" ]; then
                    assert_file_contains "$LAST_ERR" "'$out'" "$what: the message names the output"
                fi
                ;;
            esac
            [ -z "$(ls -A out | grep -v -x "$what")" ] || fail "$what: left in out/ after $FIRED: $(ls -A out)"
            # a reader leaves the -wal and -shm of a WAL database (lib.sh, sql_ro)
            rm -f db/x.db-wal db/x.db-shm
            leftovers db/x.db
        done
    done
    rm -f "$out"
}
sweep_out q.csv ref-q.csv "$KASANE" query run problems_by_district --db db/x.db --out out/q.csv
sweep_out r.html ref-r.html "$KASANE" report --period FY2025 --db db/x.db --out out/r.html

# ---- 5. threshold -------------------------------------------------------------------------
k_of() { sqlite3 -batch -bail "$1" "PRAGMA integrity_check; SELECT value FROM meta WHERE key = 'threshold'" | tr '\n' ' '; }
cp ref-upd.db db/x.db
expect_exit 0 "$KASANE" threshold --db db/x.db --key key 9
K9=$(k_of db/x.db)
cp ref-upd.db db/x.db
K0=$(k_of db/x.db)
[ "$K0" != "$K9" ] || fail "setup: threshold 9 is not stored differently ($K0)"
total=$(count any "$D" "$KASANE" threshold --db db/x.db --key key 9)
note "threshold: $total I/O calls"
for n in $(seq 1 "$total"); do
    cp ref-upd.db db/x.db
    faulty "$n" "$D" any "$KASANE" threshold --db db/x.db --key key 9
    [ "$LAST_RC" = 0 ] || failed_status || fail "threshold: status $LAST_RC with $ERRNAME at $FIRED"
    case $LAST_RC in
    0) assert_eq "$(k_of db/x.db)" "$K9" "threshold after $ERRNAME at $FIRED (status 0)" ;;
    *) assert_eq "$(k_of db/x.db)" "$K0" "threshold after $ERRNAME at $FIRED (status 4)"
       grep -a -q "kasane: error: " "$LAST_ERR" || fail "threshold: no message ($FIRED)" ;;
    esac
    leftovers db/x.db
done

# ---- 5b. rekey ----------------------------------------------------------------------------
# The new key file is written first, into the same directory (its writes
# are swept too), then the database moves in one transaction.  After each
# run: the content is the same (the case rows but for their pseudonyms and
# ids); the database holds the old key and the new file is gone (status 4),
# or it holds the new key and the new file opens it (status 0, or 4 with
# "the database did move"); never a database whose key file is missing.
content() # DB: everything a rekey must not change
{
    sqlite3 -batch -bail "$1" "PRAGMA integrity_check; SELECT count(*), count(DISTINCT person_id),
        count(DISTINCT household_id) FROM case_record; SELECT count(*) FROM record_key;" | tr '\n' ' '
    dump_table "$1" case_record pseudonym case_key person_id household_id row_hash | sha256sum | cut -d' ' -f1
}
fp_of() { sqlite3 -batch -bail "$1" "SELECT value FROM meta WHERE key = 'key_fingerprint'"; }
cp ref-upd.db db/x.db
C0=$(content db/x.db)
FP0=$(fp_of db/x.db)
total=$(count any "$D" "$KASANE" rekey --old key --new db/next.key --db db/x.db)
note "rekey: $total I/O calls"
moved=0 kept=0
for n in $(points "$total"); do
    cp ref-upd.db db/x.db
    rm -f db/next.key
    faulty "$n" "$D" any "$KASANE" rekey --old key --new db/next.key --db db/x.db
    [ -n "$FIRED" ] || fail "rekey: call $n of $total was never made"
    [ "$LAST_RC" = 0 ] || failed_status || fail "rekey: status $LAST_RC with $ERRNAME at $FIRED"
    # a failed write of the new key names that file; anything else names the database
    if [ "$LAST_RC" != 0 ] && ! grep -a -q -E "error: cannot [a-z]+ key file 'db/next.key'" "$LAST_ERR"; then
        check_message db/x.db
    fi
    assert_eq "$(content db/x.db)" "$C0" "rekey: content after $ERRNAME at $FIRED (status $LAST_RC)"
    if [ "$(fp_of db/x.db)" = "$FP0" ]; then
        kept=$((kept + 1))
        [ "$LAST_RC" != 0 ] || fail "rekey: status 0 but the database kept the old key ($ERRNAME at $FIRED)"
        [ ! -e db/next.key ] || fail "rekey: the database kept the old key but the new key file is left ($FIRED)"
    else
        moved=$((moved + 1))
        [ -e db/next.key ] || fail "rekey: the database moved but its new key file is gone ($ERRNAME at $FIRED)"
        # the new file is the database's current key: threshold accepts it
        cp db/x.db check.db
        expect_exit 0 "$KASANE" threshold --db check.db --key db/next.key 5
        rm -f check.db
    fi
    rm -f db/next.key
    leftovers db/x.db
done
note "rekey: $kept runs kept the old key, $moved moved to the new one"
[ "$kept" -gt 0 ] && [ "$moved" -gt 0 ] || fail "rekey: the sweep saw only one outcome ($kept kept, $moved moved)"

# ---- 6. truncated databases: refused, byte for byte unchanged -------------------------------
page=$(sqlite3 ref-upd.db 'PRAGMA page_size')
size=$(stat -c %s ref-upd.db)
for cut in $((size / 2 + page / 2 + 3)) $((size - page)) $((page + 100)) 50; do
    head -c "$cut" ref-upd.db >db/cut.db
    chmod 600 db/cut.db
    s0=$(sha db/cut.db)
    expect_exit_any()
    {
        LAST_RC=0
        "$@" >"$LAST_OUT" 2>"$LAST_ERR" || LAST_RC=$?
        [ "$LAST_RC" = 2 ] || [ "$LAST_RC" = 4 ] || fail "truncated at $cut of $size: status $LAST_RC: $*"
    }
    expect_exit_any "$KASANE" import -q --db db/cut.db --key key in/b.csv
    assert_file_contains "$LAST_ERR" "'db/cut.db'" "import into a database truncated at $cut: names it"
    case $(cat "$LAST_ERR") in
    *damaged* | *truncated* | *"not an SQLite database"*) ;;
    *) fail "import into a database truncated at $cut of $size: not called damaged: $(cat "$LAST_ERR")" ;;
    esac
    expect_exit_any "$KASANE" threshold --db db/cut.db --key key 9
    assert_file_contains "$LAST_ERR" "'db/cut.db'" "threshold on a database truncated at $cut: names it"
    expect_exit_any "$KASANE" query run problems_by_district --db db/cut.db
    assert_eq "$(sha db/cut.db)" "$s0" "the database truncated at $cut, byte for byte"
    rm -f db/cut.db db/cut.db-wal db/cut.db-shm
done

# what the data officer reads: each distinct message, with the error and call
# that caused it (a reviewer reads these for wrong blame: a read error called
# a constraint violation, a full database directory blamed on TMPDIR)
note "the messages of the failed runs ($(wc -l <"$MSGS")), distinct, MiB figures blanked:"
sed -E 's/[0-9]+ MiB/N MiB/g' "$MSGS" | sort | uniq -c | sort -rn | sed 's/^/#   /'
if [ -s "$BUGS" ]; then
    note "KNOWN BUGS (issue 14) hit by $(wc -l <"$BUGS") run(s); KASANE_FAULT_STRICT=1 fails on them:"
    sed 's/ \[.*\]: / | /' "$BUGS" | sort | uniq -c | sed 's/^/#   /'
fi
pass
