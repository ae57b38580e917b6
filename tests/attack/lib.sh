# lib.sh: helpers for the attack tests (tests/attack/aNNNN-*.sh).
#
# Sourced, never run.  On top of tests/cli/lib.sh, CTest gives every script:
#   KASANE_WEAK_BIN      kasane-weak: kasane with protections switchable off
#   KASANE_ATTACK_TOOLS  the directory holding attack-NAME (tests/attack/tools/NAME.c)
# An attack test has two halves, and both must hold:
#   1. against kasane the attack recovers nothing it targets;
#   2. against kasane-weak with the targeted protection off (weak NAME ...),
#      the same attack recovers it: the positive control that shows the test
#      can fail.
. "$(dirname "$0")/../cli/lib.sh"

: "${KASANE_WEAK_BIN:?KASANE_WEAK_BIN must name the kasane-weak binary}"
: "${KASANE_ATTACK_TOOLS:?KASANE_ATTACK_TOOLS must name the attack tools directory}"

# weak NAMES CMD...: runs kasane-weak with the protections NAMES (comma-separated,
# see src/base/weaken.h) turned off; use it in place of "$KASANE".
weak()
{
    local names=$1
    shift
    KASANE_WEAKEN=$names "$KASANE_WEAK_BIN" "$@"
}

# tool NAME ARGS...: runs the attack tool attack-NAME.
tool()
{
    local name=$1
    shift
    "$KASANE_ATTACK_TOOLS/attack-$name" "$@"
}

# attack_db ROWS SEED [K]: generates ROWS cases with SEED, imports them into
# ./db with ./key and sets the threshold to K (default 5).
attack_db()
{
    keygen key
    gen --rows "$1" --seed "$2" -o cases.csv
    expect_exit 0 "$KASANE" import -q --db db --key key cases.csv
    expect_exit 0 "$KASANE" threshold --db db --key key "${3:-5}"
}
