#!/usr/bin/env bash
# t0150-readers-during-import: library queries run in a loop while a
# re-import (a changed monthly export: updates and new cases) writes the same
# database (issue 14).  Every answer must be the before-state's or the
# after-state's, never a mix: the import is one transaction and readers see
# the database as of their own start (WAL).
. "$(dirname "$0")/lib.sh"

keygen key
gen --rows 20000 --seed 150 -o a.csv
# the next month's export: the same generator with more rows (the first
# 20,000 the same records; the generator's later rows are new cases) and,
# through a different seed for the tail, changed values
gen --rows 26000 --seed 150 -o b.csv
expect_exit 0 "$KASANE" import -q --db db --key key a.csv
QUERIES="cases_by_district_fy problems_by_district status_by_fy partner_usage"

# the two states' answers, on copies
cp db after.db
expect_exit 0 "$KASANE" import -q --db after.db --key key b.csv
for q in $QUERIES; do
    expect_exit 0 "$KASANE" query run "$q" --db db --format csv
    cp "$LAST_OUT" "before-$q.csv"
    expect_exit 0 "$KASANE" query run "$q" --db after.db --format csv
    cp "$LAST_OUT" "after-$q.csv"
    if cmp -s "before-$q.csv" "after-$q.csv"; then fail "$q: the re-import changes nothing it shows"; fi
done

# the import in the background, the readers in a loop until it is done;
# then one more round, which must see the after-state.  (The loop alone could
# end with every answer taken before the commit: the import may finish during
# a round, and the loop then stops; CI once saw 8 before-state answers and
# none after.)
"$KASANE" import -q --db db --key key b.csv >import.out 2>import.err &
pid=$!
n=0 before=0 after=0
read_round() {
    for q in $QUERIES; do
        rc=0
        "$KASANE" query run "$q" --db db --format csv >got.csv 2>got.err || rc=$?
        [ "$rc" -eq 0 ] || { cat got.err >&2; fail "$q failed (status $rc) $1"; }
        if cmp -s got.csv "before-$q.csv"; then
            before=$((before + 1))
        elif cmp -s got.csv "after-$q.csv"; then
            after=$((after + 1))
        else
            diff "before-$q.csv" got.csv | head -5 >&2 || true
            fail "$q $1: neither the before nor the after state"
        fi
        n=$((n + 1))
    done
}
while kill -0 "$pid" 2>/dev/null && [ "$n" -lt 4000 ]; do
    read_round "during the import"
done
wait "$pid" || fail "the import failed: $(cat import.err)"
during_before=$before during_after=$after
note "$n answers during the import: $before before-state, $after after-state"
[ "$before" -gt 0 ] || fail "no reader ran before the import committed (the import was too quick to test)"
read_round "after the import"
[ "$before" -eq "$during_before" ] || fail "a reader saw the before-state after the import had ended"
[ "$after" -gt "$during_after" ] || fail "no reader saw the after-state"
echo ok
