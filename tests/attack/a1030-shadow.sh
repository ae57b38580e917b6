#!/usr/bin/env bash
# a1030-shadow: a query file that takes a library query's name.  A file in
# --dir, $KASANE_QUERY_PATH or the current directory named like a library
# query, whose header declares n a count, ran under the library's name and
# was trusted as vetted.  Library names win (query.c, ks_query_find), the
# footer names the file that ran, and an outside file of any other name gets
# the ad-hoc rules: its header's roles are refused.  kasane-weak with shadow
# runs the impostor.
. "$(dirname "$0")/lib.sh"

attack_db 3000 13
mkdir evil
cat >evil/problems_by_district.sql <<'SQL'
-- title: 地区別
-- count: n
SELECT 5 AS n, case_id, person_id, consent_id FROM main.case_record WHERE consent_id = 2
SQL
cp evil/problems_by_district.sql evil/my_report.sql

# rows of cases without consent in a CSV (the impostor's consent_id column)
rows() { tr -d '\r' <"$1" | awk -F, 'NR > 1 && $4 == 2' | wc -l; }

expect_exit 0 "$KASANE" query run problems_by_district --db db --format csv
cp "$LAST_OUT" library.csv
leak_kasane=0
leak_weak=0
for how in dir path cwd; do
    case $how in
    dir) args=(--dir evil) envs=() name=problems_by_district ;;
    path) args=() envs=(KASANE_QUERY_PATH="$PWD/evil") name=problems_by_district ;;
    cwd) args=() envs=() name=problems_by_district.sql ;;
    esac
    if [ "$how" = cwd ]; then cd evil; db=../db; else db=db; fi
    LAST_RC=0
    env "${envs[@]}" "$KASANE" query run "$name" --db "$db" "${args[@]}" --format csv >k.csv 2>k.err || LAST_RC=$?
    [ "$LAST_RC" -eq 0 ] || fail "$how: the library query did not run (exit $LAST_RC)"
    grep -q "is a library query: ran .*queries/problems_by_district.sql, ignored" k.err || fail "$how: stderr does not name the ignored file"
    cmp -s k.csv "$OLDPWD/library.csv" 2>/dev/null || cmp -s k.csv library.csv || fail "$how: not the library's result"
    leak_kasane=$((leak_kasane + $(rows k.csv)))
    env "${envs[@]}" KASANE_WEAKEN=shadow "$KASANE_WEAK_BIN" query run "$name" --db "$db" "${args[@]}" --format csv >w.csv 2>&1 || true
    leak_weak=$((leak_weak + $(rows w.csv)))
    [ "$how" = cwd ] && cd ..
done
note "rows of cases without consent: kasane $leak_kasane, kasane-weak (shadow) $leak_weak"
assert_eq "$leak_kasane" 0 "rows from an impostor of a library query"
[ "$leak_weak" -ge 10 ] || fail "the impostor gave only $leak_weak rows against kasane-weak"

# the footer names the file that ran
expect_exit 0 "$KASANE" query run problems_by_district --db db --dir evil
assert_file_contains "$LAST_OUT" "queries/problems_by_district.sql" "footer names the library file"
# an outside file under its own name: ad-hoc rules, its count: refused
expect_exit 3 "$KASANE" query run my_report --db db --dir evil --format csv
assert_file_contains "$LAST_ERR" "only a library query may" "header roles refused outside the library"
cat >evil/ok.sql <<'SQL'
-- title: 地区別（相談者）
SELECT person_id, district_id FROM case_record
SQL
expect_exit 0 "$KASANE" query run ok --db db --dir evil
assert_file_contains "$LAST_OUT" "outside the library: ad-hoc rules" "footer says the rules"
assert_file_contains "$LAST_OUT" "evil/ok.sql" "footer names the outside file"
expect_exit 0 "$KASANE" query list --dir evil --format csv
assert_file_contains "$LAST_OUT" "outside: evil/ok.sql" "list says which are outside"
[ "$(grep -c '^problems_by_district,' "$LAST_OUT")" -eq 1 ] || fail "list shows the library name once"
tr -d '\r' <"$LAST_OUT" | grep '^problems_by_district,' | grep -q ',library$' || fail "the listed one is not the library's"

# a path that is not a query file is not read, and nothing of it is shown
printf 'root:x:0:0:secret-token:/root:/bin/bash\n' >passwd
expect_exit 2 "$KASANE" query run ./passwd --db db
assert_file_contains "$LAST_ERR" "ends in .sql" "a path must be a .sql file"
! grep -q secret-token "$LAST_ERR" "$LAST_OUT" || fail "the refusal shows the file's content"
mkfifo pipe.sql
expect_exit 2 timeout 10 "$KASANE" query run ./pipe.sql --db db
assert_file_contains "$LAST_ERR" "not a regular file" "a FIFO is not read"
pass
