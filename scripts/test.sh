#!/usr/bin/env bash
# scripts/test.sh -- the README's test command.
#
# Installs what it needs, builds godwit with AddressSanitizer and
# UndefinedBehaviorSanitizer (-Wall -Wextra -Werror), then runs
#   unit tests       (tests/unit, no server)
#   fuzz replays     (every decoder over its corpus, crashers included)
#   integration      (tests/integration/t/*.sh: real PostgreSQL 15 and MariaDB
#                     servers started in temp dirs, godwit run as a user would)
# and ends with the line "N passed, N failed, N skipped" (TAP assertions).
#
#   scripts/test.sh                 everything
#   scripts/test.sh check_mysql     only tests whose name matches
# Environment: TEST_JOBS (parallel integration tests, default: cores),
#              BUILD_DIR (default build-asan), TEST_TIMEOUT (seconds per test, 900).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
"$ROOT/scripts/install-deps.sh" || exit 1

BUILD_DIR=${BUILD_DIR:-build-asan}
FILTER=${1:-}
JOBS=${TEST_JOBS:-$(nproc)}
TIMEOUT=${TEST_TIMEOUT:-900}

if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  meson setup "$BUILD_DIR" -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized >/dev/null || { echo "meson setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi
if ! ninja -C "$BUILD_DIR" >"$BUILD_DIR/build.log" 2>&1; then
  cat "$BUILD_DIR/build.log" | tail -40
  echo "0 passed, 1 failed"
  exit 1
fi

# -Werror must hold in the optimised configuration too (-O3 finds other
# warnings than the sanitizer build): compile it and count it as a test.
RELEASE_RC=0
if [ "${TEST_RELEASE_BUILD:-1}" = 1 ] && [ -z "${1:-}" ]; then
  { [ -f build-release/build.ninja ] || meson setup build-release --buildtype=release >/dev/null; } &&
    ninja -C build-release >build-release.log 2>&1
  RELEASE_RC=$?
  [ "$RELEASE_RC" = 0 ] || tail -30 build-release.log
fi

export GODWIT="$ROOT/$BUILD_DIR/src/cli/godwit"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:print_summary=1"
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export GODWIT_TEST_LOGDIR="$ROOT/$BUILD_DIR/testlogs"
RESULTS="$ROOT/$BUILD_DIR/testresults"
rm -rf "$RESULTS" "$GODWIT_TEST_LOGDIR"; mkdir -p "$RESULTS" "$GODWIT_TEST_LOGDIR"

# run_one KIND NAME CMD...  -> $RESULTS/NAME.tap (+ .rc)
run_one() {
  local name=$1; shift
  local out="$RESULTS/$name.tap"
  local start=$(date +%s)
  timeout --kill-after=10 "$TIMEOUT" "$@" >"$out" 2>"$RESULTS/$name.stderr"
  local rc=$?
  echo "$rc" >"$RESULTS/$name.rc"
  local p f s
  p=$(grep -cE '^ok [0-9]+' "$out"); s=$(grep -cE '^ok [0-9]+ # SKIP' "$out"); f=$(grep -cE '^not ok' "$out")
  p=$((p - s))
  local status=ok
  if [ "$rc" != 0 ] || [ "$f" != 0 ] || ! grep -qE '^1\.\.[0-9]+' "$out"; then status=FAIL; fi
  printf '%-4s %-40s %4d passed %3d failed %3d skipped  %4ds%s\n' "$status" "$name" "$p" "$f" "$s" \
    "$(( $(date +%s) - start ))" "$( [ "$rc" != 0 ] && echo "  (exit $rc)")"
}
export -f run_one
export RESULTS TIMEOUT

tests=()
for t in "$BUILD_DIR"/tests/test_*; do
  [ -x "$t" ] && [ -f "$t" ] && tests+=("unit_$(basename "$t") $t")
done
for t in "$BUILD_DIR"/tests/replay_*; do
  [ -x "$t" ] && [ -f "$t" ] && tests+=("fuzz_$(basename "$t") $t $ROOT/tests/fuzz/corpus/$(basename "$t" | sed 's/^replay_//')")
done
for t in tests/integration/t/*.sh; do
  tests+=("$(basename "$t" .sh) bash $ROOT/$t")
done
if [ -n "$FILTER" ]; then
  filtered=()
  for t in "${tests[@]}"; do case "${t%% *}" in *$FILTER*) filtered+=("$t");; esac; done
  tests=("${filtered[@]}")
fi

echo "running ${#tests[@]} test programs ($JOBS at a time) with $BUILD_DIR"
printf '%s\n' "${tests[@]}" | xargs -P "$JOBS" -I{} bash -c 'run_one {}'

passed=0 failed=0 skipped=0
for f in "$RESULTS"/*.tap; do
  name=$(basename "$f" .tap)
  p=$(grep -cE '^ok [0-9]+' "$f"); s=$(grep -cE '^ok [0-9]+ # SKIP' "$f"); n=$(grep -cE '^not ok' "$f")
  rc=$(cat "$RESULTS/$name.rc" 2>/dev/null || echo 1)
  passed=$((passed + p - s)); skipped=$((skipped + s)); failed=$((failed + n))
  # a crash, a sanitizer report or a missing plan is one more failure
  if [ "$rc" != 0 ] && [ "$n" = 0 ]; then failed=$((failed + 1)); fi
  if ! grep -qE '^1\.\.[0-9]+' "$f" && [ "$rc" = 0 ]; then failed=$((failed + 1)); fi
  if [ "$rc" != 0 ] || [ "$n" != 0 ]; then
    echo "---- $name (exit $rc) ----"
    grep -E '^not ok|^#' "$f" | head -40
    tail -30 "$RESULTS/$name.stderr"
  fi
done
if [ "${TEST_RELEASE_BUILD:-1}" = 1 ] && [ -z "$FILTER" ]; then
  if [ "$RELEASE_RC" = 0 ]; then passed=$((passed + 1)); echo "ok   release build (-O3 -Werror)"
  else failed=$((failed + 1)); echo "FAIL release build (-O3 -Werror): see build-release.log"; fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
