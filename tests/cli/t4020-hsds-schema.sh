#!/usr/bin/env bash
# t4020-hsds-schema: kasane's HSDS 3.0 output (docs/hsds.md) is valid
# against the official HSDS 3.0 JSON Schemas (tests/ref/hsds/, CC BY-SA
# 4.0), checked by tests/ref/hsds/validate.py with additionalProperties
# false everywhere and uuid formats checked:
#  1. the hand-built guide of test_guide_hsds (written here through
#     KASANE_HSDS_OUT), and three deliberately broken copies of it, which
#     must fail (so the check can fail);
#  2. `kasane directory build` on the demo data, twice: valid, same ids.
# Skips (77, shown as skipped by ctest) only without python3-jsonschema, the
# Debian package make test installs.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
V=$KASANE_SOURCE_DIR/tests/ref/hsds/validate.py
if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
    # make test installs it; by hand, say so and skip (ctest shows it skipped)
    echo "SKIP $TEST_NAME: python3-jsonschema is not installed (Debian package python3-jsonschema)"
    exit 77
fi

tool=$(dirname "$KASANE")/tests/test_guide_hsds
[ -x "$tool" ] || fail "no $tool"
mkdir -p "$T/hand"
KASANE_HSDS_OUT=$T/hand KASANE_TEST_TMP=$T/unit "$tool" >unit.out 2>&1 || fail "test_guide_hsds failed: $(tail -5 unit.out)"
"$PY" "$V" "$T/hand" >v.out 2>&1 || fail "hand-built HSDS invalid: $(tail -20 v.out)"

# the check must be able to fail: an unknown field, a bad uuid, a missing required field
svc=$(ls "$T/hand/hsds/services/" | head -1)
for breakage in 's/"status": "active"/"status": "active", "kasane_count": 7/' \
                's/"id": "\([0-9a-f]\{8\}\)-/"id": "\1_/' \
                '/"status": "active",/d'; do
    rm -rf "$T/broken"
    cp -r "$T/hand" "$T/broken"
    sed -i "$breakage" "$T/broken/hsds/services/$svc"
    cmp -s "$T/hand/hsds/services/$svc" "$T/broken/hsds/services/$svc" && fail "sed '$breakage' changed nothing"
    if "$PY" "$V" "$T/broken" >v.out 2>&1; then
        fail "a broken service ($breakage) passed the schema check"
    fi
    note "broken as expected: $(head -1 v.out)"
done

keygen key
DB=$T/demo.db
expect_exit 0 "$KASANE" import -q --db "$DB" --key key "$KASANE_SOURCE_DIR/datasets/demo/cases.csv"
expect_exit 0 "$KASANE" directory build --db "$DB" --out "$T/one"
expect_exit 0 "$KASANE" directory build --db "$DB" --out "$T/two"
"$PY" "$V" "$T/one" >v.out 2>&1 || fail "HSDS of directory build invalid: $(tail -20 v.out)"
(cd "$T/one/hsds" && find . -type f | sort) >one.list
(cd "$T/two/hsds" && find . -type f | sort) >two.list
assert_same_file one.list two.list "the files of two builds"
diff -r "$T/one/hsds" "$T/two/hsds" >/dev/null || fail "two builds of the same data differ in their HSDS output"
pass
