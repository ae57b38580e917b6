#!/usr/bin/env bash
# t0090-duplicates: record ids repeated within one import — across its files
# and inside one file, into a new database and into an existing one — are
# rejected at the right lines, and the database ends up exactly as if the
# input had held each record once.  (The import finds them with an external
# sort and starts over when there are some: dupcheck.h.)
. "$(dirname "$0")/lib.sh"

keygen key
gen --rows 2000 --seed 90 -o a.csv
gen --rows 300 --seed 91 -o n.csv
# new records: the generator numbers records alike for every seed, so rename
{ head -n 1 n.csv; tail -n +2 n.csv | sed 's/^\([^,]*\),/\1-n,/'; } >new.csv
# b.csv: the first 150 records of a.csv again, the new ones, and the first 20
# new ones once more (duplicates inside b.csv too)
{
    head -n 1 a.csv
    awk -F, 'NR > 1 && $1 ~ /^K/ { n++ } NR > 1 && n <= 150' a.csv
    tail -n +2 new.csv
    awk -F, 'NR > 1 && $1 ~ /^K/ { n++ } NR > 1 && n <= 20' new.csv
} >b.csv
nb=$(awk -F, 'NR > 1 && $1 ~ /^K/' b.csv | wc -l)
assert_eq "$nb" 470 "setup: rows of b.csv"

# the reference: each record once
expect_exit 0 "$KASANE" import -q --db ref.db --key key a.csv new.csv

# 1. one import of both files into a new database
expect_exit 1 "$KASANE" import -q --db one.db --key key --rejects one.rej a.csv b.csv
assert_eq "$(summary_get inserted)" 2300 "inserted (a.csv and b.csv in one import)"
assert_eq "$(summary_get duplicate_record)" 170 "duplicate_record rejects"
[ ! -e one.db.importing ] || fail "staging file left after an import that started over"
# the rejects are b.csv's lines of the repeated records, and only those
awk -F, 'NR > 1 { gsub(/"/, "", $1); print $1 ":" $2 ":" $5 }' one.rej | sort -u >got.txt
{
    awk -F, 'NR > 1 && $1 ~ /^K/ { n++; if (n <= 150 || n > 450) print "b.csv:" NR ":duplicate_record" }' b.csv
} | sort -u >want.txt
assert_same_file want.txt got.txt "rejected lines"
for t in case_record person household case_problem case_support case_partner; do
    dump_table ref.db $t case_id batch_id >r.txt
    dump_table one.db $t case_id batch_id >o.txt
    assert_same_file r.txt o.txt "$t: one import with duplicates vs each record once"
done

# 2. into an existing database (the import that starts over rolls back first)
expect_exit 0 "$KASANE" import -q --db two.db --key key a.csv
expect_exit 1 "$KASANE" import -q --db two.db --key key b.csv
assert_eq "$(summary_get inserted)" 300 "inserted into the existing database"
assert_eq "$(summary_get unchanged)" 150 "records already there"
assert_eq "$(summary_get duplicate_record)" 20 "duplicates inside b.csv"
assert_eq "$(sql two.db 'SELECT rows_read || "/" || rows_inserted || "/" || rows_unchanged || "/" || rows_rejected
    FROM import_batch WHERE batch_id = 2')" "470/300/150/20" "the audit row of the import that started over"
assert_eq "$(sql two.db 'SELECT count(*) FROM import_batch')" 2 "one audit row per file imported"
for t in case_record person household; do
    dump_table ref.db $t case_id batch_id >r.txt
    dump_table two.db $t case_id batch_id >o.txt
    assert_same_file r.txt o.txt "$t: two imports vs each record once"
done
assert_eq "$(sql two.db 'PRAGMA integrity_check')" ok "integrity_check"

# 3. validate agrees
expect_exit 1 "$KASANE" validate a.csv b.csv
assert_eq "$(summary_get duplicate_record)" 170 "validate: duplicate_record rejects"
pass
