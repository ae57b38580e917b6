#!/usr/bin/env bash
# t0040-keys: the key file and the files an import writes.  A wrong, exposed,
# mis-sized or missing key is refused with the documented exit status and a
# message saying how to fix it, and the database is not touched; keygen never
# overwrites; key, database, -wal, -shm and rejects report are mode 0600.
#
# Exit statuses asserted are those documented in `kasane --help`:
#   2 usage error (bad option, missing file), 3 refused for safety (key file
#   permissions or size, wrong key).
. "$(dirname "$0")/lib.sh"

# A permissive umask in the caller: kasane must not rely on it.
umask 000

gen --rows 300 --seed 40 -o in.csv
expect_exit 0 "$KASANE" keygen -o key
fp=$(awk '$1 == "fingerprint" { print $2 }' "$LAST_OUT")
[ -n "$fp" ] || fail "keygen printed no fingerprint"
assert_eq "$(mode key)" 600 "mode of a new key file (umask 000)"
assert_eq "$(stat -c %s key)" 32 "size of a new key file"
# the key itself is never printed, in any form
assert_file_lacks "$LAST_OUT" "$(od -An -tx1 key | tr -d ' \n')" "keygen output (hex of the key)"
assert_file_lacks "$LAST_OUT" "$(base64 -w0 key)" "keygen output (base64 of the key)"
DB=$T/cases.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv
assert_eq "$(summary_get inserted)" 300 "rows of the first import"
assert_eq "$(sql "$DB" "SELECT value FROM meta WHERE key = 'key_fingerprint'")" "$fp" "fingerprint bound in the database"

# The database and its -wal, byte for byte (an empty -wal, as a reader leaves
# it, holds nothing: the same as none).
snapshot()
{
    local wal=none
    [ -s "$DB-wal" ] && wal=$(sha "$DB-wal")
    echo "db $(sha "$DB") wal $wal"
}
before=$(snapshot)

# refused CODE KEYFILE WHAT HINT...: the import with that key exits CODE, says
# each HINT on stderr, and leaves the database as it was.
refused()
{
    local code=$1 keyfile=$2 what=$3 h
    shift 3
    expect_exit "$code" "$KASANE" import -q --db "$DB" --key "$keyfile" in.csv
    for h in "$@"; do
        assert_file_contains "$LAST_ERR" "$h" "$what: message"
    done
    assert_eq "$(snapshot)" "$before" "$what: database after the refusal"
    # and never half-way: no rejects report, no summary
    [ ! -e "$DB.rejects.csv" ] || fail "$what: a rejects report was written"
    assert_file_lacks "$LAST_OUT" "inserted" "$what: stdout"
    # nor creates a database where there was none
    expect_exit "$code" "$KASANE" import -q --db "$T/new-$code.db" --key "$keyfile" in.csv
    [ ! -e "$T/new-$code.db" ] || fail "$what: created a database while refusing"
}

# ---- wrong key ----------------------------------------------------------------
expect_exit 0 "$KASANE" keygen -o other.key
fp2=$(awk '$1 == "fingerprint" { print $2 }' "$LAST_OUT")
[ "$fp2" != "$fp" ] || fail "two keygens gave the same fingerprint"
# says which key the database needs (its fingerprint) and that nothing happened
expect_exit 3 "$KASANE" import -q --db "$DB" --key other.key in.csv
assert_file_contains "$LAST_ERR" "$fp" "wrong key: names the database's key fingerprint"
assert_file_contains "$LAST_ERR" "nothing was written" "wrong key: says nothing was written"
assert_eq "$(snapshot)" "$before" "wrong key: database after the refusal"
[ ! -e "$DB.rejects.csv" ] || fail "wrong key: a rejects report was written"

# ---- exposed key files ----------------------------------------------------------
for m in 640 604 660 644 610 601; do
    cp key "key$m"
    chmod "$m" "key$m"
    refused 3 "key$m" "key mode 0$m" "chmod 600" "key$m"
done

# ---- wrong sizes ---------------------------------------------------------------------
head -c 31 key >key31
printf 'x' | cat key - >key33
: >key0
chmod 600 key31 key33 key0
assert_eq "$(stat -c %s key31) $(stat -c %s key33)" "31 33" "sizes of the mis-sized keys"
refused 3 key31 "31-byte key" "32 bytes" "keygen"
refused 3 key33 "33-byte key" "32 bytes" "keygen"
refused 3 key0 "empty key" "32 bytes" "keygen"

# ---- not a regular file ----------------------------------------------------------------
mkdir keydir
chmod 700 keydir
refused 3 keydir "key is a directory" "keygen"

# ---- missing key -----------------------------------------------------------------------
# No --key and no KASANE_KEY: a usage error that says how to make a key.
expect_exit 2 "$KASANE" import -q --db "$DB" in.csv
assert_file_contains "$LAST_ERR" "keygen" "no --key: message"
assert_eq "$(snapshot)" "$before" "no --key: database after the refusal"
# KASANE_KEY is honoured
KASANE_KEY=$T/key expect_exit 0 "$KASANE" import -q --db "$DB" in.csv
assert_eq "$(summary_get unchanged)" 300 "import with KASANE_KEY"
before=$(snapshot)
# ---- keygen never overwrites -------------------------------------------------------------
keysha=$(sha key)
expect_exit 3 "$KASANE" keygen -o key
assert_file_contains "$LAST_ERR" "already exists" "keygen over an existing key: message"
assert_eq "$(sha key)" "$keysha" "key file after a refused keygen"
assert_eq "$(mode key)" 600 "key mode after a refused keygen"
# nor through a symlink to some other file
printf 'precious\n' >precious.txt
ln -s precious.txt link.key
expect_exit 3 "$KASANE" keygen -o link.key
assert_eq "$(cat precious.txt)" precious "file behind a symlink after keygen"
[ ! -e dangling.key ] || fail "setup"
ln -s nowhere/else.key dangling.key
rc=0
"$KASANE" keygen -o dangling.key >/dev/null 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "keygen wrote through a dangling symlink"
[ "$rc" -lt 128 ] || fail "keygen crashed on a dangling symlink"
expect_exit 2 "$KASANE" keygen
expect_exit 0 "$KASANE" keygen -o sub-key
assert_eq "$(mode sub-key)" 600 "second new key's mode"

# ---- modes of what the import writes ------------------------------------------------------
assert_eq "$(mode "$DB")" 600 "database mode"
# -wal and -shm exist while an import runs: watch a longer one (none is left
# from before: what is seen is the import's own)
[ ! -e "$DB-wal" ] && [ ! -e "$DB-shm" ] || fail "a -wal or -shm was left before the long import"
gen --rows 40000 --seed 41 -o long.csv
"$KASANE" import -q --db "$DB" --key key long.csv >long.out 2>long.err &
pid=$!
seen=""
for _ in $(seq 2000); do
    if wm=$(stat -c %a "$DB-wal" 2>/dev/null) && sm=$(stat -c %a "$DB-shm" 2>/dev/null); then
        seen="$wm $sm"
        break
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.005
done
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 0 "status of the long import ($(cat long.err))"
[ -n "$seen" ] || fail "never saw the -wal and -shm of a running import"
assert_eq "$seen" "600 600" "modes of -wal and -shm during an import"
# a database made group/world-readable is tightened back to 0600 on the next write
chmod 644 "$DB"
expect_exit 0 "$KASANE" import -q --db "$DB" --key key in.csv
assert_eq "$(mode "$DB")" 600 "database mode after an import into a 0644 database"
assert_file_contains "$LAST_ERR" "600" "warning about the tightened database mode"

# rejects report: the default one beside the database, and an explicit one that
# already existed with a looser mode
# one row whose status (column 21) is no status code
awk -F, -v OFS=, 'NR == 1 { print; next } index($0, "\"") == 0 && NF == 23 { $21 = "不明な状況"; print; exit }' in.csv >bad.csv
assert_eq "$(wc -l <bad.csv)" 2 "lines of bad.csv"
expect_exit 1 "$KASANE" import -q --db "$DB" --key key bad.csv
[ -f "$DB.rejects.csv" ] || fail "no default rejects report beside the database"
assert_eq "$(mode "$DB.rejects.csv")" 600 "default rejects report mode"
printf 'old\n' >own-rejects.csv
chmod 644 own-rejects.csv
expect_exit 1 "$KASANE" import -q --db "$DB" --key key --rejects own-rejects.csv bad.csv
assert_eq "$(mode own-rejects.csv)" 600 "mode of a rejects report written over a 0644 file"
assert_file_contains own-rejects.csv "unknown_code" "the rejects report"
assert_eq "$(mode "$DB")" 600 "database mode at the end"
for f in "$DB-wal" "$DB-shm" "$DB-journal"; do
    [ ! -e "$f" ] || assert_eq "$(mode "$f")" 600 "mode of $f"
done

# ---- missing key file -------------------------------------------------------------------
# "missing file" is documented as exit 2, and the message says how to get a key.
rm -f "$DB.rejects.csv"
before=$(snapshot)
refused 2 no-such.key "missing key file" "no-such.key" "keygen"

pass
