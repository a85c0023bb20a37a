#!/usr/bin/env bash
# scripts/demo.sh -- the README's first command: a whole delta migration on
# this machine, end to end.
#
#   1. installs what it needs and builds godwit;
#   2. starts a throwaway source and target PostgreSQL 15 (temp dirs, loopback);
#   3. fills the source (pgbench tables + a wide table of varied types);
#   4. starts a live write workload on the source (pgbench, ~300 tps);
#   5. runs `godwit migrate` (check, fetch, replicate, live verify) and shows
#      its status while the application keeps writing;
#   6. stops the writes and runs `godwit cutover --prepare-failback`: drain,
#      sequences, verify, and the slot for the way back;
#   7. checks the result independently (per-table checksums of both sides);
#   8. the way back: the application writes to the target while `godwit
#      failback` replicates to the source, then `godwit failback --cutover`;
#      checks both sides again;
#   9. prints the report: rows, changes replicated, downtime both ways;
#      and stops everything it started.
#
# Environment: DEMO_SCALE (pgbench scale, default 10), DEMO_WIDE_ROWS (200000),
# DEMO_REPLICATE_SECONDS (time the application writes during replication, 20).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
SCALE=${DEMO_SCALE:-10}
WIDE_ROWS=${DEMO_WIDE_ROWS:-200000}
REPLICATE_SECONDS=${DEMO_REPLICATE_SECONDS:-20}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
started=$(date +%s)

say "installing dependencies and building godwit"
"$ROOT/scripts/install-deps.sh" || exit 1
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release >/dev/null || exit 1
fi
ninja -C build >/dev/null || { ninja -C build; exit 1; }
GODWIT="$ROOT/build/src/cli/godwit"
"$GODWIT" version

say "starting a throwaway source and target PostgreSQL"
TEST_NAME=demo
export GODWIT_TEST_LOGDIR="$ROOT/build/demo-logs"
. "$ROOT/tests/integration/lib/servers.sh"
export GODWIT_LOG_FORMAT=text
pg_node src "max_connections = 100"
pg_node tgt
SRC=$(pg_url src shop); TGT=$(pg_url tgt shop)
pgq src postgres "CREATE DATABASE shop"; pgq tgt postgres "CREATE DATABASE shop"
echo "source $SRC"
echo "target $TGT"

say "filling the source: pgbench scale $SCALE and $WIDE_ROWS wide rows"
"$PGBIN/pgbench" -i -q -s "$SCALE" -h 127.0.0.1 -p "$src_PORT" -U postgres shop 2>&1 | tail -1
pgq src shop "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY"
pgq src shop "CREATE TABLE wide (id bigserial PRIMARY KEY, t text, n numeric(18,4), ts timestamptz,
    j jsonb, b bytea, flag boolean, u uuid, d double precision, dt date, arr int[]);
  INSERT INTO wide (t, n, ts, j, b, flag, u, d, dt, arr)
  SELECT CASE WHEN g % 50 = 0 THEN NULL ELSE 'row ' || g || ' ünïcødé ✓ \"q\" ' || md5(g::text) END,
         round((g * 7919 % 1000000)::numeric / 100, 4),
         timestamptz '2020-01-01 00:00:00+00' + g * interval '17 seconds',
         jsonb_build_object('id', g, 'tag', 'tag' || (g % 100), 'ok', g % 2 = 0),
         decode(md5(g::text), 'hex'), g % 3 = 0, md5('u' || g)::uuid, sqrt(g::float8),
         date '2000-01-01' + (g % 20000), ARRAY[g % 10, g % 100]
  FROM generate_series(1, $WIDE_ROWS) g;"
pgq src shop "VACUUM ANALYZE"
pgq src shop "SELECT 'source size: ' || pg_size_pretty(pg_database_size('shop'))"

say "the application writes: pgbench at ~300 transactions/s"
"$PGBIN/pgbench" -n -h 127.0.0.1 -p "$src_PORT" -U postgres -c 4 -j 2 -R 300 -T 3600 shop \
  >"$TEST_TMP/pgbench.log" 2>&1 &
APP=$!
bg_track "$APP"

say "godwit migrate: check, fetch, replicate, live verify (log: $TEST_TMP/migrate.log)"
METRICS_PORT=$(free_port)
"$GODWIT" migrate --source "$SRC" --target "$TGT" --metrics-listen-addr "127.0.0.1:$METRICS_PORT" \
  >"$TEST_TMP/migrate.out" 2>"$TEST_TMP/migrate.log" &
MIG=$!
bg_track "$MIG"
echo "live status page: http://127.0.0.1:$METRICS_PORT/  (metrics: /metrics)"
until grep -q "replicating: trigger the cutover" "$TEST_TMP/migrate.log" 2>/dev/null; do
  kill -0 "$MIG" 2>/dev/null || { echo "migrate stopped:"; tail -20 "$TEST_TMP/migrate.log"; exit 1; }
  sleep 0.5
done
grep -E "fetch (done|finished)|finalize:|preflight" "$TEST_TMP/migrate.log" "$TEST_TMP/migrate.out" | sed 's/^[^:]*://' | tail -4
for i in $(seq 1 $(( REPLICATE_SECONDS / 5 ))); do
  sleep 5
  "$GODWIT" status --target "$TGT" --source "$SRC" | sed -n 's/^replication  /replicating: /p'
done

say "cutover: the application stops writing, godwit cuts over"
kill "$APP"; wait "$APP" 2>/dev/null
"$GODWIT" cutover --source "$SRC" --target "$TGT" --prepare-failback 2>"$TEST_TMP/cutover.log"
CUT=$?
wait "$MIG"; MIGRC=$?

say "independent check: per-table row counts and checksums of both sides"
diff <(pg_fingerprint src shop public) <(pg_fingerprint tgt shop public) >"$TEST_TMP/fingerprint.diff"
SAME=$?
pg_fingerprint tgt shop public | awk '{printf "  %-22s %10s rows  md5 %s\n", $1, $2, $3}'
[ "$SAME" = 0 ] && echo "  source and target are identical" || { echo "  DIFFERENT:"; cat "$TEST_TMP/fingerprint.diff"; }

say "the way back: the application writes to the target, godwit failback keeps the source in sync"
"$GODWIT" failback --source "$SRC" --target "$TGT" >"$TEST_TMP/failback.out" 2>"$TEST_TMP/failback.log" &
FB=$!
bg_track "$FB"
"$PGBIN/pgbench" -n -h 127.0.0.1 -p "$tgt_PORT" -U postgres -c 4 -j 2 -R 300 -T 5 shop >"$TEST_TMP/pgbench-target.log" 2>&1
echo "  the application wrote $(grep -o 'processed: [0-9]*' "$TEST_TMP/pgbench-target.log" | cut -d' ' -f2) transactions to the target"
"$GODWIT" failback --source "$SRC" --target "$TGT" --cutover 2>"$TEST_TMP/failback-cutover.log"
FBCUT=$?
wait "$FB"; FBRC=$?
diff <(pg_fingerprint src shop public) <(pg_fingerprint tgt shop public) >"$TEST_TMP/fingerprint-back.diff"
SAME_BACK=$?
[ "$SAME_BACK" = 0 ] && echo "  source and target are identical again" || { echo "  DIFFERENT:"; cat "$TEST_TMP/fingerprint-back.diff"; }

say "summary"
rows=$(pgq tgt shop "SELECT sum(rows_copied) FROM _godwit.shards")
changes=$(pgq tgt shop "SELECT changes_applied FROM _godwit.checkpoint")
report=$(pgq tgt shop "SELECT report FROM _godwit.cutovers ORDER BY cutover_id DESC LIMIT 1")
halt=$(printf '%s' "$report" | grep -o '"write_halt_seconds":[0-9.]*' | cut -d: -f2)
drain=$(printf '%s' "$report" | grep -o '"drain_seconds":[0-9.]*' | cut -d: -f2)
echo "  rows copied by fetch            $rows"
echo "  changes replicated while live   $changes"
echo "  write halt (downtime)           ${halt:-?} s (drain ${drain:-?} s)"
echo "  cutover verification            $([ "$CUT" = 0 ] && echo clean || echo "FAILED (exit $CUT)")"
back=$(pgq src shop "SELECT report FROM _godwit.cutovers ORDER BY cutover_id DESC LIMIT 1")
back_changes=$(pgq src shop "SELECT changes_applied FROM _godwit.checkpoint")
echo "  failback: changes replayed      ${back_changes:-?} (target -> source)"
echo "  failback write halt             $(printf '%s' "$back" | grep -o '"write_halt_seconds":[0-9.]*' | cut -d: -f2) s, $([ "$FBCUT" = 0 ] && [ "$SAME_BACK" = 0 ] && echo "source identical, writable again" || echo "FAILED (exit $FBCUT)")"
echo "  demo took                       $(( $(date +%s) - started )) s"
[ "$CUT" = 0 ] && [ "$MIGRC" = 0 ] && [ "$SAME" = 0 ] && [ "$FBCUT" = 0 ] && [ "$FBRC" = 0 ] && [ "$SAME_BACK" = 0 ]
