#!/usr/bin/env bash
# t0080-upgrade: a schema-1 database (case_problem, case_support and
# case_partner stored as tables) is read as it is, and the first import into
# it turns the three tables into the views of schema 2 and recomputes the
# row hashes of schema 3 — same rows (row hashes included), same query
# results, nothing else changed.
. "$(dirname "$0")/lib.sh"

keygen key
gen --rows 3000 --seed 80 -o cases.csv
expect_exit 0 "$KASANE" import -q --db v2.db --key key cases.csv

# A schema-1 database, made the way schema 1 was: the three tables, filled
# with one row per (case, code) — here from the rows the views give, which
# is what the schema-1 loader wrote (it filled tables and masks from the same
# lists) — and schema_version 1.
cp v2.db v1.db
sqlite3 v1.db <<'EOF'
CREATE TABLE p1 AS SELECT * FROM case_problem;
CREATE TABLE s1 AS SELECT * FROM case_support;
CREATE TABLE t1 AS SELECT * FROM case_partner;
DROP VIEW case_problem; DROP VIEW case_support; DROP VIEW case_partner;
CREATE TABLE case_problem(case_id INTEGER NOT NULL REFERENCES case_record, problem_id INTEGER NOT NULL
  REFERENCES problem, is_main INTEGER NOT NULL, PRIMARY KEY(case_id, problem_id)) WITHOUT ROWID;
CREATE TABLE case_support(case_id INTEGER NOT NULL REFERENCES case_record, support_id INTEGER NOT NULL
  REFERENCES support, PRIMARY KEY(case_id, support_id)) WITHOUT ROWID;
CREATE TABLE case_partner(case_id INTEGER NOT NULL REFERENCES case_record, partner_id INTEGER NOT NULL
  REFERENCES partner, PRIMARY KEY(case_id, partner_id)) WITHOUT ROWID;
INSERT INTO case_problem SELECT * FROM p1; INSERT INTO case_support SELECT * FROM s1;
INSERT INTO case_partner SELECT * FROM t1;
DROP TABLE p1; DROP TABLE s1; DROP TABLE t1;
UPDATE meta SET value = '1' WHERE key = 'schema_version';
EOF
assert_eq "$(sql v1.db "SELECT type FROM sqlite_schema WHERE name = 'case_problem'")" table "setup: schema-1 table"
for t in case_problem case_support case_partner; do
    dump_table v2.db $t >"$t.v2.txt"
    dump_table v1.db $t >"$t.v1.txt"
    assert_same_file "$t.v2.txt" "$t.v1.txt" "setup: $t rows"
done

# read as it is, at aggregate and at row level
for db in v1 v2; do
    expect_exit 0 "$KASANE" query run problems_by_district --db $db.db --format csv
    cp "$LAST_OUT" "pbd.$db.csv"
    expect_exit 0 "$KASANE" query sql "SELECT c.case_id, p.problem_id FROM case_record c JOIN case_problem p USING(case_id) ORDER BY 1, 2" \
        --db $db.db --row-level --format csv
    cp "$LAST_OUT" "rl.$db.csv"
done
assert_same_file pbd.v2.csv pbd.v1.csv "a query on the schema-1 database"
assert_same_file rl.v2.csv rl.v1.csv "a row-level query on the schema-1 database"
# at row level, main's tables hold only cases with consent whichever schema they are in
for db in v1 v2; do
    expect_exit 0 "$KASANE" query sql "SELECT c.case_id, p.problem_id FROM main.case_record c JOIN main.case_problem p USING(case_id) ORDER BY 1, 2" \
        --db $db.db --row-level --format csv
    assert_same_file "$LAST_OUT" rl.v2.csv "row level through main. on the schema-${db#v} database"
done

# the first import upgrades
expect_exit 0 "$KASANE" import -q --db v1.db --key key cases.csv
assert_file_contains "$LAST_ERR" "upgraded 'v1.db' to schema 2" "upgrade notice"
assert_file_contains "$LAST_ERR" "upgraded 'v1.db' to schema 3" "upgrade notice (row hashes)"
assert_file_contains "$LAST_ERR" "upgraded 'v1.db' to schema 4" "upgrade notice (record keys)"
assert_file_contains "$LAST_ERR" "recomputed the row hashes of 3000 cases" "rehash notice"
assert_eq "$(summary_get unchanged)" 3000 "rows unchanged by the import that upgraded"
assert_file_contains "$LAST_ERR" "upgraded 'v1.db' to schema 6" "upgrade notice (key epochs)"
assert_eq "$(sql v1.db "SELECT value FROM meta WHERE key = 'schema_version'")" 6 "schema version after the upgrade"
# epoch 0 is the key the database was built with, begun at its first import
assert_eq "$(sql v1.db "SELECT epoch, fingerprint = (SELECT value FROM meta WHERE key = 'key_fingerprint'),
    began_at = (SELECT min(started_at) FROM import_batch), retired_at IS NULL FROM key_epoch")" "0|1|1|1" \
    "key_epoch after the upgrade"
assert_eq "$(sql v1.db "SELECT count(*) FROM meta WHERE key = 'row_hash_pending'")" 0 "no rehash left pending"
assert_eq "$(sql v1.db "SELECT group_concat(type || ':' || name, ' ') FROM (SELECT type, name FROM sqlite_schema
    WHERE name IN ('case_problem', 'case_support', 'case_partner', 'v_case') ORDER BY name)")" \
    "view:case_partner view:case_problem view:case_support view:v_case" "the three tables are views"
assert_eq "$(sql v1.db 'PRAGMA integrity_check')" ok "integrity_check after the upgrade"
for t in case_problem case_support case_partner case_record person household; do
    dump_table v2.db $t >a.txt
    dump_table v1.db $t >b.txt
    assert_same_file a.txt b.txt "$t after the upgrade"
done
dump_table v2.db v_case >a.txt
dump_table v1.db v_case >b.txt
assert_same_file a.txt b.txt "v_case after the upgrade"
expect_exit 0 "$KASANE" import -q --db v1.db --key key cases.csv
grep -q upgraded "$LAST_ERR" && fail "a second import upgraded again"

pass
