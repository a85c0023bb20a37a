#!/usr/bin/env bash
# bench/fetch-mysql.sh -- godwit fetch and pgloader, MariaDB -> PostgreSQL, same data, one run.
#
#   bench/fetch-mysql.sh [SCALE] [WIDE_ROWS]     (defaults 30 and 1500000: about 1.1 GB)
#
# The data is the shared benchmark set (../shared/bench/gen.sh: pgbench tables plus a
# 1.5M-row "wide" table of varied types, built in PostgreSQL and loaded into MariaDB).
# Both tools copy MariaDB database "src" into fresh PostgreSQL databases on the same
# target cluster; each run is timed with /usr/bin/time -v (wall, peak RSS of the tool),
# rows are counted on both sides.  Prints one line per run and a summary with the ratio.
#
# Servers and data live in $BENCH_DIR (default /tmp/godwit-bench-mysql) on ports of their
# own, so the run does not collide with the shared baselines (/tmp/bench, 574xx) or with
# other engineers' runs.  Needs root (throwaway servers), pgloader (scripts/install-deps.sh
# --bench) and a release build of godwit (built here: build-release/; GODWIT=path and
# GODWIT_PREBUILT=1 to use another binary).
# Environment: RUNS (runs per tool, alternating, default 3; the median counts), FRESH=1 (rebuild servers and data),
# GODWIT_ARGS (extra fetch flags), BENCH_FSYNC (default on, as the baselines).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
export BENCH_DIR=${BENCH_DIR:-/tmp/godwit-bench-mysql}
export SRC_DIR=$BENCH_DIR/pg_src SRC_PORT=${SRC_PORT:-57632}
export TGT_DIR=$BENCH_DIR/pg_tgt TGT_PORT=${TGT_PORT:-57633}
export MY_DIR=$BENCH_DIR/my_src MY_PORT=${MY_PORT:-57606}
export BENCH_MY_BUFFER_POOL=${BENCH_MY_BUFFER_POOL:-2G}
# shellcheck source=/dev/null
. "$SHARED/bench/lib.sh"
SCALE=${1:-30}
WIDE_ROWS=${2:-1500000}
RUNS=${RUNS:-3}
RESULTS=$BENCH_DIR/results
TIMES=$RESULTS/times.tsv
log() { echo "[fetch-mysql $(date +%T)] $*" >&2; }

"$ROOT/scripts/install-deps.sh" --bench || exit 1
GODWIT=${GODWIT:-$ROOT/build-release/src/cli/godwit}
if [ -z "${GODWIT_PREBUILT:-}" ]; then   # ninja rebuilds only what changed
  [ -f "$ROOT/build-release/build.ninja" ] || meson setup "$ROOT/build-release" --buildtype=release >/dev/null
  ninja -C "$ROOT/build-release" src/cli/godwit >/dev/null || { log "build failed"; exit 1; }
fi

if [ "${FRESH:-0}" = 1 ]; then my_destroy "$MY_DIR"; pg_destroy "$SRC_DIR"; pg_destroy "$TGT_DIR"; fi
mkdir -p "$RESULTS"
pg_ensure "$TGT_DIR" "$TGT_PORT" || exit 1
stamp=$BENCH_DIR/gen-$SCALE-$WIDE_ROWS.done
if [ ! -f "$stamp" ]; then
  log "building the data set (scale $SCALE, $WIDE_ROWS wide rows)"
  bash "$SHARED/bench/gen.sh" "$SCALE" "$WIDE_ROWS" || exit 1
  touch "$stamp"
fi
my_running "$MY_DIR" || my_start "$MY_DIR" || exit 1
# the PostgreSQL source of gen.sh is not needed for this benchmark
pg_stop "$SRC_DIR" 2>/dev/null

TABLES="pgbench_accounts pgbench_branches pgbench_history pgbench_tellers wide"
src_rows=0
for t in $TABLES; do
  src_rows=$((src_rows + $(myc "$MY_DIR" src -N -e "SELECT count(*) FROM $t")))
done
log "source: MariaDB src, $src_rows rows; $(uptime)"
# warm the source's buffer pool once (CHECKSUM TABLE reads every row), so that the
# first tool timed does not pay for reading the data set from disk
myc "$MY_DIR" src -e "CHECKSUM TABLE $(echo $TABLES | sed 's/ /, /g')" >/dev/null

reset_db() { pgc "$TGT_PORT" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null; pgc "$TGT_PORT" -c CHECKPOINT; sync; }
count_db() {   # count_db DB SCHEMA -> total rows
  local n=0 t
  for t in $TABLES; do n=$((n + $(pgc "$TGT_PORT" -d "$1" -At -c "SELECT count(*) FROM $2.$t"))); done
  echo "$n"
}
# run_tool LABEL DB SCHEMA cmd...: one timed run, a line on stdout
run_tool() {
  local label=$1 db=$2 schema=$3; shift 3
  reset_db "$db"
  : >"$TIMES.one"
  btime "$label" "$TIMES.one" "$@" >"$RESULTS/$label.log" 2>&1
  local rc=$? wall rss rows
  read -r _ wall rss _ <"$TIMES.one"
  cat "$TIMES.one" >>"$TIMES"
  rows=$(count_db "$db" "$schema" 2>/dev/null || echo 0)
  printf '%-8s wall %7.2f s  rows/s %9.0f  peak RSS %7.1f MB  rows %d/%d  exit %d\n' "$label" "$wall" \
    "$(echo "$src_rows / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)" "$rows" "$src_rows" "$rc"
  if [ "$rc" != 0 ] || [ "$rows" != "$src_rows" ]; then
    log "$label failed (exit $rc, $rows of $src_rows rows): see $RESULTS/$label.log"; tail -3 "$RESULTS/$label.log" >&2
    FAILED=1
  fi
}

: >"$TIMES"
FAILED=0
for r in $(seq 1 "$RUNS"); do
  # shellcheck disable=SC2086
  run_tool godwit tgt_godwit public "$GODWIT" fetch --source "mysql://$MY_USER:$MY_PASS@127.0.0.1:$MY_PORT/src?ssl-mode=DISABLED" \
    --target "postgres://postgres@127.0.0.1:$TGT_PORT/tgt_godwit?sslmode=disable" --allow-no-pk --log-format json ${GODWIT_ARGS:-}
  grep -h '"lock_held_us"' "$RESULTS/godwit.log" | sed 's/.*"message":"\([^"]*\)".*/  snapshot: \1/' | head -1
  rm -rf "$BENCH_DIR/pgloader-root"
  run_tool pgloader tgt_pgloader src pgloader --dynamic-space-size 8192 --root-dir "$BENCH_DIR/pgloader-root" \
    "mysql://$MY_USER:$MY_PASS@127.0.0.1:$MY_PORT/src" "postgresql://postgres@127.0.0.1:$TGT_PORT/tgt_pgloader"
done

gw_wall=$(awk '$1 == "godwit" {print $2}' "$TIMES" | median)
pl_wall=$(awk '$1 == "pgloader" {print $2}' "$TIMES" | median)
gw_rss=$(awk '$1 == "godwit" {print $3}' "$TIMES" | sort -n | tail -1)
pl_rss=$(awk '$1 == "pgloader" {print $3}' "$TIMES" | sort -n | tail -1)
echo
echo "summary ($RUNS run(s) each, median wall; $src_rows rows; scale $SCALE + $WIDE_ROWS wide rows)"
printf '  godwit   %7.2f s  %9.0f rows/s  peak RSS %7.1f MB\n' "$gw_wall" "$(echo "$src_rows / $gw_wall" | bc -l)" "$(echo "$gw_rss / 1024" | bc -l)"
printf '  pgloader %7.2f s  %9.0f rows/s  peak RSS %7.1f MB\n' "$pl_wall" "$(echo "$src_rows / $pl_wall" | bc -l)" "$(echo "$pl_rss / 1024" | bc -l)"
printf '  ratio godwit / pgloader wall: %.3f (%.1fx faster)\n' "$(echo "$gw_wall / $pl_wall" | bc -l)" "$(echo "$pl_wall / $gw_wall" | bc -l)"
[ "$FAILED" = 0 ]
