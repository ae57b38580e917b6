#!/usr/bin/env bash
# t0100-tmpdir: the import's temporary files (sorted runs of pseudonyms and of
# keyed record-id hashes, psort.h) cannot be written: the import fails with an
# environment error that names the directory, and leaves nothing behind — no
# database, no staging file.  With a usable $TMPDIR the same input imports,
# and the directory is left empty (the runs were unlinked when made).  An
# input that changes between the two reads of an import with repeated record
# ids is refused.
. "$(dirname "$0")/lib.sh"

ROWS=300000 # more than one 262,144-record run: the runs go to files
keygen key
gen --rows $ROWS --seed 100 -o big.csv

TMPDIR=$T/missing expect_exit 4 "$KASANE" import -q --db new.db --key key big.csv
assert_file_contains "$LAST_ERR" "cannot create a temporary file in '$T/missing'" "the error names the directory"
[ ! -e new.db ] || fail "a failed import left a database"
[ ! -e new.db.importing ] || fail "a failed import left its staging file"

mkdir tmp
TMPDIR=$T/tmp expect_exit 0 "$KASANE" import -q --db new.db --key key big.csv
assert_eq "$(summary_get inserted)" $ROWS "rows inserted with a usable TMPDIR"
assert_eq "$(find tmp -mindepth 1 | wc -l)" 0 "files left in TMPDIR"
TMPDIR=$T/tmp expect_exit 0 "$KASANE" validate big.csv
assert_eq "$(find tmp -mindepth 1 | wc -l)" 0 "files left in TMPDIR by validate"

# ---- an input that changes between the two reads is refused ---------------------
# (a repeated record id makes the import read its input twice: dupcheck.h)
{ cat big.csv; sed -n 2p big.csv; } >dup.csv
KASANE_TIMING=1 "$KASANE" import -q --db dup.db --key key dup.csv >dup.out 2>dup.err &
pid=$!
deadline=$((SECONDS + 120))
until grep -q "second pass" dup.err; do
    kill -0 "$pid" 2>/dev/null || fail "the import ended before its second read: $(tail -3 dup.err)"
    [ "$SECONDS" -lt "$deadline" ] || { kill -9 "$pid"; fail "no second read within 120 s"; }
    sleep 0.02
done
echo "a row added meanwhile" >>dup.csv
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 1 "status of the import whose input changed"
assert_file_contains dup.err "changed while it was being imported" "the import says why"
[ ! -e dup.db ] && [ ! -e dup.db.importing ] || fail "an import whose input changed left a database"
pass
