#!/usr/bin/env bash
# run.sh: runs libFuzzer harnesses (docs/fuzzing.md).
#
#   tests/fuzz/run.sh [NAME...]          default: every fuzz_*.c
#
# For each harness fuzz_NAME: replays every input under regress/fuzz_NAME/
# (each must pass), then fuzzes a throw-away copy of corpus/fuzz_NAME/ with
# dict/NAME.dict for $KASANE_FUZZ_SECONDS seconds (default
# $KASANE_FUZZ_DEFAULT_SECONDS, else 10), so the committed corpus never
# grows.  fuzz_query's copy also gets the library queries, queries/*.sql of
# $KASANE_SOURCE_DIR (default this repository), seeded from where they live
# rather than kept as copies in corpus/.  Fails when libFuzzer reports a crash, leak, timeout or UB; the
# input that did it is kept in $KASANE_FUZZ_WORK/fuzz_NAME/ (printed).
#
# Environment: KASANE_SOURCE_DIR (the tree whose queries/ seeds fuzz_query;
# default the repository run.sh is in), KASANE_FUZZ_BIN_DIR (the harnesses; default
# build-fuzz/tests/fuzz), KASANE_FUZZ_WORK (scratch; default a mktemp dir),
# KASANE_FUZZ_KEEP_CORPUS=DIR (keep each grown corpus in DIR/fuzz_NAME),
# KASANE_FUZZ_ARGS (more libFuzzer options, e.g. -jobs=2 -workers=2).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin_dir=${KASANE_FUZZ_BIN_DIR:-$here/../../build-fuzz/tests/fuzz}
source_dir=${KASANE_SOURCE_DIR:-$here/../..}
seconds=${KASANE_FUZZ_SECONDS:-${KASANE_FUZZ_DEFAULT_SECONDS:-10}}
own_work=
if [ -z "${KASANE_FUZZ_WORK:-}" ]; then
  own_work=$(mktemp -d "${TMPDIR:-/tmp}/kasane-fuzz.XXXXXX")
fi
work=${KASANE_FUZZ_WORK:-$own_work}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/fuzz_*.c; do names+=("$(basename "$f" .c)"); done
fi

status=0
for name in "${names[@]}"; do
  exe=$bin_dir/$name
  [ -x "$exe" ] || { echo "$name: no harness at $exe (build with -DKASANE_FUZZ=ON)" >&2; exit 2; }
  short=${name#fuzz_}
  w=$work/$name
  rm -rf "$w/corpus"
  mkdir -p "$w/corpus" "$w/artifacts"
  cp "$here/corpus/$name"/* "$w/corpus/" 2>/dev/null || true
  # seeds that live elsewhere in the tree
  if [ "$name" = fuzz_query ]; then
    compgen -G "$source_dir/queries/*.sql" >/dev/null ||
      { echo "$name: no $source_dir/queries/*.sql to seed from" >&2; exit 2; }
    cp "$source_dir"/queries/*.sql "$w/corpus/"
  fi
  dict=()
  [ -f "$here/dict/$short.dict" ] && dict=(-dict="$here/dict/$short.dict")
  # 1. the regressions: every input that once failed, run once each
  if compgen -G "$here/regress/$name/*" >/dev/null; then
    echo "== $name: replaying regress/$name/"
    "$exe" -runs=1 "$here/regress/$name"/* || { echo "$name: a regression input fails" >&2; status=1; continue; }
  fi
  # 2. fuzzing from the committed corpus
  echo "== $name: fuzzing ${seconds}s from corpus/$name"
  # shellcheck disable=SC2086
  if ! "$exe" "$w/corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$w/artifacts/" ${KASANE_FUZZ_ARGS:-}; then
    echo "$name: FAILED; the input is in $w/artifacts/:" >&2
    ls -l "$w/artifacts/" >&2
    status=1
  fi
  if [ -n "${KASANE_FUZZ_KEEP_CORPUS:-}" ]; then
    mkdir -p "$KASANE_FUZZ_KEEP_CORPUS/$name"
    cp "$w/corpus"/* "$KASANE_FUZZ_KEEP_CORPUS/$name/" 2>/dev/null || true
  fi
done
# a scratch directory of our own goes when nothing in it is needed
[ -n "$own_work" ] && [ $status -eq 0 ] && rm -rf "$own_work"
exit $status
