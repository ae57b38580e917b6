#!/usr/bin/env bash
# t0190-sigkill-series: a seeded series of SIGKILLs at random points of
# kasane's writers (issue 14), each followed by the checks of t0140:
#   - the database holds exactly the old content or exactly the new (the
#     digest of lib.sh: every table but times and rkey, with PRAGMA
#     integrity_check), never a mix; a new database is absent or complete;
#   - the same command run again completes and gives the new state (run
#     twice when the kill came after the commit), and leaves nothing beside
#     the database (no staging file *.importing, journal or -wal) nor in
#     TMPDIR.
# Scenarios, one function each (scenario_*): an import into a new database,
# the re-import of a changed monthly export into an existing one, a
# threshold change, a rekey.  The rekey is given a --new key file that
# extends --old by one epoch the database never had (what a rekey killed
# after writing its key leaves), so that every run moves to the same key and
# the new state has one digest; the kills are in the database's
# transaction, run again it finishes the move, and on the new state it is
# refused (status 3: --old is retired), the database untouched.  (A kill
# before the key file is complete is t0140's: its fault sweep covers the
# key file's writes.)  Kill points, drawn from a seeded PRNG (bash's RANDOM,
# seeded with KASANE_SIGKILL_SEED, default 190, printed first to replay a
# failure):
#   - deterministic: the fault shim's KS_FAULT_CALL=KIND:N:KILL kills the
#     process just before its Nth call of KIND on the database's directory.
#     A clean run traces every call (KS_FAULT_TRACE); N is drawn over all of
#     them (any) and over the writes, syncs and renames of each kind; and the
#     calls around the commit are always taken: the last write of the -wal
#     (the commit frame, in WAL mode with synchronous = NORMAL the commit has
#     no sync of its own) or the staging file's fsync and its rename, and
#     the call after it.  The trace says which call commits, so each of these
#     runs must end old when killed at or before that call and new after it
#     (if its calls up to the kill were the clean run's: the record keys are
#     random, and their size can move rows between pages).
#   - timer: SIGKILL after a random delay in [0, 1.2 x a clean run's time],
#     without the shim; old or new (new when it finished first, status 0).
# Both outcomes must occur; the tally is printed.
. "$(dirname "$0")/lib.sh"

: "${KASANE_FAULTSHIM:?KASANE_FAULTSHIM must name the fault shim}"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

SEED=${KASANE_SIGKILL_SEED:-190}
note "seed $SEED (replay with KASANE_SIGKILL_SEED=$SEED)"
RANDOM=$SEED

keygen key
mkdir in db tmp
gen --rows 2000 --seed 190 -o in/a.csv
# b: the next month's export of a: one row in ten changed, 60 new (t0095)
expect_exit 0 bash "$KASANE_SOURCE_DIR/bench/reimport.sh" --make-reexport "$KASANE_GEN" in/a.csv 10 60 191 in/b.csv
D=$(pwd -P)/db
export TMPDIR=$T/tmp
expect_exit 0 "$KASANE" import -q --db db/a.db --key key in/a.csv
mv db/a.db ref-a.db
[ -z "$(ls -A db)" ] || fail "setup: left in db/: $(ls -A db)"

# draw MAX: a number in 1..MAX into $DRAW.  Called in this shell, never in
# $(...): a subshell's RANDOM is seeded anew.
draw()
{
    DRAW=$(((RANDOM * 32768 + RANDOM) % $1 + 1))
}

# ms: milliseconds since the epoch
ms() { echo $(($(date +%s%N) / 1000000)); }

OLD=0 NEW=0 # the tally of all runs
PREP=:      # run after the old state is made (a scenario's own files)
AGAIN_RC=0  # the command's status run on the new state (rekey: 3)

# series WHAT BASE DB NANY NTIMER CMD...: the kills of one scenario.  BASE
# is the database the command starts from ("-": none, a new database at DB),
# DB the path CMD writes; NANY kills at calls drawn among all, NTIMER by the
# timer, besides those around the commit and one per kind of call.
series()
{
    local what=$1 base=$2 db=$3 nany=$4 ntimer=$5
    shift 5
    local h_old h_new h_again t0 dur commit total k n i spec idx expect line rc got fn path where
    local specs=() old=0 new=0
    # old_state: the old state, in db/ (and an empty TMPDIR)
    old_state() { rm -rf db tmp; mkdir db tmp; if [ "$base" != - ]; then cp "$base" "$db"; fi; $PREP; }

    # ---- references: old, new, and new with the command run once more
    old_state
    h_old=absent
    if [ "$base" != - ]; then
        digest_sql "$base" >"$T/digest.sql"
        SQLFILE=$T/digest.sql
        h_old=$(digest "$db")
    fi
    t0=$(ms)
    expect_exit 0 "$@"
    dur=$(($(ms) - t0))
    digest_sql "$db" >"$T/digest.sql" # a new database's schema
    SQLFILE=$T/digest.sql
    h_new=$(digest "$db")
    [ "$h_new" != "$h_old" ] || fail "setup ($what): the command changes nothing"
    expect_exit "$AGAIN_RC" "$@"
    h_again=$(digest "$db")
    # the clean run traced: every call on the database's directory, numbered
    old_state
    rm -f trace.txt
    LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_DIR=$D KS_FAULT_TRACE=$T/trace.txt expect_exit 0 "$@"
    assert_eq "$(digest "$db")" "$h_new" "setup ($what): the state after a run under the shim"
    total=$(wc -l <trace.txt)
    # the call that commits: the staging file's rename, else the last write
    # of the -wal (the commit frame; the checkpoint after it only reads it)
    commit=$(awk '$2 == "rename" { r = $1 } $2 == "pwrite" && $4 ~ /-wal$/ { w = $1 } END { print r ? r : w + 0 }' trace.txt)
    [ "$commit" -gt 1 ] && [ "$commit" -lt "$total" ] || fail "setup ($what): no commit call among $total"
    note "$what: a clean run takes $dur ms and makes $total calls; call $commit commits: $(sed -n "${commit}p" trace.txt | cut -d' ' -f2-3)"

    # ---- the kill points: around the commit, any call, one of each kind
    specs=("any:$((commit - 1))" "any:$commit" "any:$((commit + 1))")
    for ((i = 0; i < nany; i++)); do
        draw "$total"
        specs+=("any:$DRAW")
    done
    for k in write pwrite fsync fdatasync rename; do
        n=$(awk -v k="$k" '$2 == k' trace.txt | wc -l)
        if [ "$n" -gt 0 ]; then
            draw "$n"
            specs+=("$k:$DRAW")
        fi
    done
    for spec in "${specs[@]}"; do
        k=${spec%%:*} n=${spec#*:}
        # the call's line in the trace: its number among all, its function, path
        line=$(awk -v k="$k" -v n="$n" '(k == "any" || $2 == k) && ++c == n { print; exit }' trace.txt)
        idx=${line%% *}
        expect=new
        [ "$idx" -gt "$commit" ] || expect=old
        read -r _ _ fn path <<<"$line"
        where="$spec, call $idx ($fn of ${path##*/})"
        old_state
        rm -f ktrace.txt
        rc=0
        LD_PRELOAD=$KASANE_FAULTSHIM KS_FAULT_DIR=$D KS_FAULT_CALL=$spec:KILL KS_FAULT_TRACE=$T/ktrace.txt \
            "$@" >"$LAST_OUT" 2>"$LAST_ERR" || rc=$?
        # The calls can differ a little from run to run: the record keys
        # are drawn at random, and their size moves rows between pages.
        # Where the run made the same calls as the clean one up to the kill
        # (the killed call is traced too), it must end as the clean run's
        # index of the commit says; else it may end either way.
        if ! cmp -s <(head -n "$idx" trace.txt) ktrace.txt; then
            line=$(cmp <(head -n "$idx" trace.txt) ktrace.txt 2>&1 | awk '{ print $NF }' || true)
            note "$what: $spec: the calls differed from the clean run's (cmp: at or after call $line)"
            expect=any
        fi
        case $rc in
        137) ;;
        0) [ "$expect" = any ] || fail "$what: not killed at $spec (status 0)"
           where="$where, not reached" ;;
        *) fail "$what: status $rc when killed at $where" ;;
        esac
        check_after "$expect" "$where" "$@"
    done

    # ---- timer kills, without the shim
    for ((i = 0; i < ntimer; i++)); do
        draw $((dur * 12 / 10 + 1))
        local delay=$((DRAW - 1)) pid
        old_state
        "$@" >"$LAST_OUT" 2>"$LAST_ERR" &
        pid=$!
        sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
        kill -9 "$pid" 2>/dev/null || true # it may have finished (a zombie until waited for)
        rc=0
        wait "$pid" || rc=$?
        case $rc in
        137) check_after any "timer ${delay} ms, killed" "$@" ;;
        0) check_after new "timer ${delay} ms, finished first" "$@" ;;
        *) fail "$what: status $rc with a kill after $delay ms" ;;
        esac
    done
    note "$what: $((old + new)) kills: $old ended old, $new new"
    OLD=$((OLD + old)) NEW=$((NEW + new))
}

# check_after EXPECT WHERE CMD...: after a kill at WHERE (EXPECT: old, new or
# any): the state, then the command run again and what it leaves.  Counts
# the outcome in series's old and new.
check_after()
{
    local expect=$1 where=$2 state
    shift 2
    grep -a -q -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LAST_ERR" &&
        fail "$what: sanitizer report before the kill at $where"
    if [ ! -e "$db" ]; then
        [ "$h_old" = absent ] || fail "$what: the database is gone after the kill at $where"
        state=old
    else
        got=$(digest "$db")
        if [ "$got" = "$h_old" ]; then
            state=old
        elif [ "$got" = "$h_new" ]; then
            state=new
        else
            note "$what: integrity_check: $(sql "$db" 'PRAGMA integrity_check' | head -5 | tr '\n' ' ')"
            fail "$what: after the kill at $where the database is neither the old nor the new"
        fi
    fi
    note "$what: $where: $state"
    [ "$expect" = any ] || assert_eq "$state" "$expect" "$what: state after the kill at $where"
    if [ "$state" = old ]; then old=$((old + 1)); else new=$((new + 1)); fi
    # the same command again
    if [ "$state" = old ]; then expect_exit 0 "$@"; else expect_exit "$AGAIN_RC" "$@"; fi
    local left
    left=$(cd db && ls -A | grep -v -x -F "$(basename "$db")" || true)
    [ -z "$left" ] || fail "$what: left beside the database by the run after the kill at $where: $left"
    [ -z "$(ls -A tmp)" ] || fail "$what: left in TMPDIR after the kill at $where: $(ls -A tmp)"
    if [ "$state" = old ]; then
        assert_eq "$(digest "$db")" "$h_new" "$what: the run after the kill at $where"
    else
        assert_eq "$(digest "$db")" "$h_again" "$what: the run after the kill at $where (a second time)"
    fi
}

scenario_import_new()
{
    series "new database" - db/new.db 5 3 "$KASANE" import -q --db db/new.db --key key in/a.csv
}
scenario_reimport()
{
    series "re-import" ref-a.db db/x.db 6 3 "$KASANE" import -q --db db/x.db --key key in/b.csv
}
scenario_threshold()
{
    series "threshold" ref-a.db db/x.db 5 3 "$KASANE" threshold --db db/x.db --key key 9
}

scenario_rekey()
{
    # the key every run moves to: a chain that extends key by one epoch
    cp ref-a.db rk.db
    expect_exit 0 "$KASANE" rekey --old key --new next.key --db rk.db
    mv next.key fixed-next.key
    rm -f rk.db
    PREP="cp fixed-next.key next.key" AGAIN_RC=3 \
        series "rekey" ref-a.db db/x.db 6 3 "$KASANE" rekey --old key --new next.key --db db/x.db
}

scenario_import_new
scenario_reimport
scenario_threshold
scenario_rekey

note "tally: $((OLD + NEW)) kills, $OLD ended in the old state, $NEW in the new (seed $SEED)"
[ "$OLD" -gt 0 ] || fail "no kill left the old state"
[ "$NEW" -gt 0 ] || fail "no kill left the new state"
pass
