#!/usr/bin/env bash
# bench/cutover-pg.sh [SCALE...] -- the write halt of a delta migration, as an
# operator sees it, at growing database sizes (default pgbench scales 70 and
# 140: ~1 GB and ~2 GB).
#
# For each size: a fresh source and target, pgbench data (pgbench_history
# given a primary key), then a steady write load of RATE pgbench tpcb-like
# transactions per second (3 updates + 1 insert each) that runs from before
# fetch until the "application stops"; godwit migrate copies, replicates,
# and waits; after STEADY seconds of replication the load is stopped and
# godwit cutover runs at once.  Measured: the write halt (load stopped ->
# cutover reports the target ready, wall clock) and the report's own
# drain / sequences / verify split; then the four tables are compared
# (count and a hash of every row) between source and target.
#
# Bar (issue 7): write halt < 5 s at ~1 GB under the load, and not longer at
# ~2x the size.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/godwit-bench-cutover}
export SRC_DIR=$BENCH_DIR/pg_src SRC_PORT=${SRC_PORT:-59452}
export TGT_DIR=$BENCH_DIR/pg_tgt TGT_PORT=${TGT_PORT:-59453}
SCALES=${*:-${SCALES:-70 140}}
RATE=${RATE:-500}
STEADY=${STEADY:-30}
. "$ROOT/bench/common.sh" cutover-pg
table_fp() {   # table_fp PORT: count and row hash of the four pgbench tables
  for t in pgbench_accounts pgbench_branches pgbench_tellers pgbench_history; do
    q "$1" db "SELECT '$t', count(*), coalesce(sum(hashtextextended(x::text, 0)), 0) FROM public.$t x"
  done
}
trap 'kill $(jobs -p) 2>/dev/null; pg_stop "$SRC_DIR"; pg_stop "$TGT_DIR"' EXIT

declare -a ROWS
for scale in $SCALES; do
  log "scale $scale: fresh servers and data"
  pg_destroy "$SRC_DIR"; pg_destroy "$TGT_DIR"
  pg_create "$SRC_DIR" "$SRC_PORT" && pg_start "$SRC_DIR" || exit 1
  pg_create "$TGT_DIR" "$TGT_PORT" && pg_start "$TGT_DIR" || exit 1
  q "$SRC_PORT" postgres "CREATE DATABASE db"
  q "$TGT_PORT" postgres "CREATE DATABASE db"
  pgbench -i -q -s "$scale" -h 127.0.0.1 -p "$SRC_PORT" -U postgres db >/dev/null 2>&1 || exit 1
  q "$SRC_PORT" db "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" && q "$SRC_PORT" db "VACUUM ANALYZE"
  size=$(q "$SRC_PORT" db "SELECT pg_size_pretty(pg_database_size('db'))")
  SRC_URL="postgres://postgres@127.0.0.1:$SRC_PORT/db?sslmode=disable"
  TGT_URL="postgres://postgres@127.0.0.1:$TGT_PORT/db?sslmode=disable"
  d=$OUT/scale-$scale; mkdir -p "$d"

  log "scale $scale ($size): load at $RATE tps from now on; godwit migrate"
  pgbench -n -c 4 -j 2 -R "$RATE" -T 3600 -h 127.0.0.1 -p "$SRC_PORT" -U postgres db >"$d/pgbench.log" 2>&1 &
  LOAD=$!
  "$GODWIT" migrate --source "$SRC_URL" --target "$TGT_URL" --skip-live-verify --log-format json \
    >"$d/migrate.out" 2>"$d/migrate.err" &
  MIG=$!
  t_start=$(now)
  until [ "$(q "$TGT_PORT" db "SELECT count(*) FROM _godwit.replicators WHERE heartbeat_at > now() - interval '3 seconds'" 2>/dev/null)" = 1 ]; do
    kill -0 "$MIG" 2>/dev/null || { log "migrate exited early: $(tail -2 "$d/migrate.err")"; exit 1; }
    sleep 0.5
  done
  fetch_s=$(echo "$(now) - $t_start" | bc)
  log "replicating after $fetch_s s; steady load for $STEADY s"
  h0=$(q "$SRC_PORT" db "SELECT count(*) FROM pgbench_history")
  sleep "$STEADY"
  h1=$(q "$SRC_PORT" db "SELECT count(*) FROM pgbench_history")
  achieved=$(( (h1 - h0) / STEADY ))
  lag=$(q "$TGT_PORT" db "SELECT extract(epoch FROM now() - max(mtime))::numeric(10,2) FROM pgbench_history")

  # the application stops writing; the operator runs the cutover at once
  t_stop=$(now)
  kill -TERM "$LOAD"; wait "$LOAD" 2>/dev/null   # (background jobs ignore SIGINT)
  "$GODWIT" cutover --source "$SRC_URL" --target "$TGT_URL" --format json >"$d/cutover.out" 2>"$d/cutover.err"
  rc=$?
  t_ready=$(now)
  wait "$MIG"
  halt=$(echo "$t_ready - $t_stop" | bc)
  rep=$(grep '"type":"cutover"' "$d/cutover.out")
  field() { printf '%s' "$rep" | grep -o "\"$1\":[^,}]*" | cut -d: -f2; }
  if [ "$(table_fp "$SRC_PORT")" = "$(table_fp "$TGT_PORT")" ]; then same=yes; else same=NO; fi
  ROWS+=("$(printf '%-6s %-8s %6s tps  lag %5s s  fetch+start %6.1f s   halt %5.2f s  (drain %s, sequences %s, verify %s: %s rows)  rc %s  target == source: %s' \
    "$scale" "$size" "$achieved" "$lag" "$fetch_s" "$halt" "$(field drain_seconds)" "$(field sequences_seconds)" \
    "$(field verify_seconds)" "$(field num_rows_verified)" "$rc" "$same")")
  log "${ROWS[-1]}"
  pg_stop "$SRC_DIR"; pg_stop "$TGT_DIR"
done

printf '\ncutover-pg: write halt under a steady load of %s tpcb-like transactions/s (4 row changes each),\n' "$RATE"
printf 'measured from the load stopping to godwit cutover reporting the target ready\n\n'
printf 'scale  size     source rate      lag at stop    copy until replicating     write halt ...\n'
for r in "${ROWS[@]}"; do echo "$r"; done
printf '\nbar: halt < 5 s at ~1 GB, and not longer at ~2 GB\nraw results: %s\n' "$OUT"
