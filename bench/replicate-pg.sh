#!/usr/bin/env bash
# bench/replicate-pg.sh [SCALE] -- godwit replicate against PostgreSQL's native
# logical replication (CREATE SUBSCRIPTION), same source, same target cluster,
# same workload (pgbench tpcb-like: 3 updates + 1 insert per transaction):
#
#   drain:  both appliers paused, an unthrottled pgbench runs for DRAIN_SECONDS;
#           then each applier alone catches up with that same backlog: apply
#           capacity in transactions and row changes per second, two ways:
#           the whole drain (start-up, the first flush and the poll that sees
#           the end included) and the sustained rate, the slope of the
#           target's newest pgbench_history id between 10 % and 90 % of the
#           backlog (sampled every 100 ms over one connection).  The bar
#           (>= 2x native) is on the sustained rate; a fixed start-up cost of
#           ~0.5 s weighs on a short drain, more so on the faster applier.
#   steady: pgbench at fixed rates (RATES), each applier alone: applied rate and
#           lag percentiles.  Lag is measured the same way for both: the age of
#           the newest pgbench_history row on the target (now() - max(mtime)),
#           sampled every 200 ms.
#
# Prints the ratios: godwit/native apply capacity (bar >= 2), and godwit's p99
# lag at the rate closest to half its capacity (bar < 1 s; the source itself
# cannot produce more than ~2,000 tps on a 2-core machine, so the rate is
# capped there and the report says so).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/godwit-bench-repl}
export SRC_DIR=$BENCH_DIR/pg_src SRC_PORT=${SRC_PORT:-59442}
export TGT_DIR=$BENCH_DIR/pg_tgt TGT_PORT=${TGT_PORT:-59443}
SCALE=${1:-${SCALE:-10}}
DRAIN_SECONDS=${DRAIN_SECONDS:-60}
STEADY_SECONDS=${STEADY_SECONDS:-30}
RATES=${RATES:-"500 1000 0"}
. "$ROOT/bench/common.sh" replicate-pg

pg_destroy "$SRC_DIR"; pg_destroy "$TGT_DIR"
pg_create "$SRC_DIR" "$SRC_PORT" && pg_start "$SRC_DIR" || exit 1
pg_create "$TGT_DIR" "$TGT_PORT" && pg_start "$TGT_DIR" || exit 1
trap 'kill $(jobs -p) 2>/dev/null; pg_stop "$SRC_DIR"; pg_stop "$TGT_DIR"' EXIT
q "$SRC_PORT" postgres "CREATE DATABASE src"
pgbench -i -q -s "$SCALE" -h 127.0.0.1 -p "$SRC_PORT" -U postgres src >/dev/null 2>&1
q "$SRC_PORT" src "ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY" && q "$SRC_PORT" src "VACUUM ANALYZE"
SRC_URL="postgres://postgres@127.0.0.1:$SRC_PORT/src?sslmode=disable"
G_URL="postgres://postgres@127.0.0.1:$TGT_PORT/tgt_godwit?sslmode=disable"

log "godwit: fetch"
q "$TGT_PORT" postgres "CREATE DATABASE tgt_godwit"
"$GODWIT" fetch --source "$SRC_URL" --target "$G_URL" --log-format json >"$OUT/fetch.out" 2>"$OUT/fetch.err" || { log "fetch failed"; exit 1; }
log "native: publication, schema, subscription (initial copy by PostgreSQL)"
q "$SRC_PORT" src "CREATE PUBLICATION native_pub FOR ALL TABLES"
q "$TGT_PORT" postgres "CREATE DATABASE tgt_native"
pg_dump -h 127.0.0.1 -p "$SRC_PORT" -U postgres -s src | psql -X -q -h 127.0.0.1 -p "$TGT_PORT" -U postgres -d tgt_native >/dev/null
q "$TGT_PORT" tgt_native "CREATE SUBSCRIPTION native_sub CONNECTION 'host=127.0.0.1 port=$SRC_PORT user=postgres dbname=src'
                          PUBLICATION native_pub"
until [ "$(q "$TGT_PORT" tgt_native "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'")" = 0 ]; do sleep 0.5; done

REP_PID=
start_godwit() {
  "$GODWIT" replicate --source "$SRC_URL" --target "$G_URL" --log-format json >>"$OUT/replicate.out" 2>>"$OUT/replicate.err" &
  REP_PID=$!
}
stop_godwit() { [ -n "$REP_PID" ] && kill -TERM "$REP_PID" && wait "$REP_PID"; REP_PID=; }
native() { q "$TGT_PORT" tgt_native "ALTER SUBSCRIPTION native_sub $1"; }
hist_count() { q "$1" "$2" "SELECT count(*) FROM pgbench_history"; }
hist_max() { q "$1" "$2" "SELECT coalesce(max(id), 0) FROM pgbench_history"; }
# wait_caught_up DB: the target's history count equals the source's.  Polled
# by the newest id (an index lookup) and only then counted: a count(*) every
# 50 ms scans the growing table and takes CPU from the applier measured.
# cpu_s PID...: CPU seconds (user + system) the processes have used so far
cpu_s() {
  local ticks=0 p
  for p in "$@"; do [ -r "/proc/$p/stat" ] && ticks=$(( ticks + $(awk '{ print $14 + $15 }' "/proc/$p/stat") )); done
  echo "scale=2; $ticks / $(getconf CLK_TCK)" | bc
}
# progress_sampler DB FILE: "epoch newest-history-id" every 100 ms over one
# connection, in the background; PROG_PID is psql's pid
progress_sampler() {
  psql -X -q -A -t -F ' ' -h 127.0.0.1 -p "$TGT_PORT" -U postgres -d "$1" >"$2" 2>/dev/null \
    <<<"SELECT extract(epoch FROM clock_timestamp()), coalesce(max(id), 0) FROM pgbench_history \\watch 0.1" &
  PROG_PID=$!
}
# sustained FILE FROM TO: txn/s (one history row each) while the newest id
# went from 10 % to 90 % of the way from FROM to TO
sustained() {
  awk -v a="$2" -v b="$3" 'BEGIN { lo = a + (b - a) * 0.1; hi = a + (b - a) * 0.9 }
    $2 >= lo && t0 == "" { t0 = $1; i0 = $2 }
    $2 <= hi { t1 = $1; i1 = $2 }
    END { if (t0 != "" && t1 > t0) printf "%.0f", (i1 - i0) / (t1 - t0); else print 0 }' "$1"
}
wait_caught_up() {
  local want want_max; want=$(hist_count "$SRC_PORT" src); want_max=$(hist_max "$SRC_PORT" src)
  until [ "$(hist_max "$TGT_PORT" "$1")" -ge "$want_max" ] && [ "$(hist_count "$TGT_PORT" "$1")" = "$want" ]; do
    sleep 0.05
  done
}
native enable; start_godwit
wait_caught_up tgt_godwit; wait_caught_up tgt_native

# ---------------------------------------------------------------- drain
log "drain: both paused, unthrottled pgbench for $DRAIN_SECONDS s"
stop_godwit; native disable; sleep 1
before=$(hist_count "$SRC_PORT" src)
pgbench -n -c 2 -j 2 -T "$DRAIN_SECONDS" -h 127.0.0.1 -p "$SRC_PORT" -U postgres src >"$OUT/pgbench-drain.log" 2>&1
txns=$(( $(hist_count "$SRC_PORT" src) - before ))
log "backlog: $txns transactions"
# Each applier's processes are new at the start of its drain, so their CPU
# counters at its end are the drain's cost: the source walsender, the target
# backends and (godwit) the tool itself.
src_max=$(hist_max "$SRC_PORT" src)
from=$(hist_max "$TGT_PORT" tgt_godwit); progress_sampler tgt_godwit "$OUT/progress-godwit.txt"
t0=$(date +%s.%N); start_godwit; wait_caught_up tgt_godwit; t1=$(date +%s.%N)
kill "$PROG_PID"; wait "$PROG_PID" 2>/dev/null
g_drain=$(echo "$t1 - $t0" | bc); g_sus=$(sustained "$OUT/progress-godwit.txt" "$from" "$src_max")
g_cpu_ws=$(cpu_s $(q "$SRC_PORT" src "SELECT pid FROM pg_stat_replication WHERE application_name = 'godwit'"))
g_cpu_tgt=$(cpu_s $(q "$TGT_PORT" postgres "SELECT pid FROM pg_stat_activity WHERE datname = 'tgt_godwit' AND application_name = 'godwit'"))
g_cpu_tool=$(cpu_s "$REP_PID")
from=$(hist_max "$TGT_PORT" tgt_native); progress_sampler tgt_native "$OUT/progress-native.txt"
t0=$(date +%s.%N); native enable; wait_caught_up tgt_native; t1=$(date +%s.%N)
kill "$PROG_PID"; wait "$PROG_PID" 2>/dev/null
n_drain=$(echo "$t1 - $t0" | bc); n_sus=$(sustained "$OUT/progress-native.txt" "$from" "$src_max")
n_cpu_ws=$(cpu_s $(q "$SRC_PORT" src "SELECT pid FROM pg_stat_replication WHERE application_name = 'native_sub'"))
n_cpu_tgt=$(cpu_s $(q "$TGT_PORT" tgt_native "SELECT pid FROM pg_stat_subscription WHERE subname = 'native_sub' AND relid IS NULL"))
native disable
log "godwit drained in $g_drain s, native in $n_drain s"
g_cap=$(echo "$txns / $g_drain" | bc -l); n_cap=$(echo "$txns / $n_drain" | bc -l)

# ---------------------------------------------------------------- steady
lag_sampler() {   # lag_sampler DB FILE: lag seconds every 200 ms until killed
  while true; do
    q "$TGT_PORT" "$1" "SELECT extract(epoch FROM now() - max(mtime)) FROM pgbench_history" >>"$2" 2>/dev/null
    sleep 0.2
  done
}
pct() { sort -g "$1" | awk -v p="$2" '{a[NR]=$1} END { if (NR == 0) { print "NA"; exit } i = int(NR * p); if (i < 1) i = 1; print a[i] }'; }
declare -A RES
for rate in $RATES; do
  for who in godwit native; do
    if [ "$who" = godwit ]; then native disable; [ -n "$REP_PID" ] || start_godwit; db=tgt_godwit
    else stop_godwit; native enable; db=tgt_native; fi
    wait_caught_up "$db"
    f="$OUT/lag-$who-$rate.txt"; : >"$f"
    before=$(hist_count "$SRC_PORT" src)
    if [ "$rate" = 0 ]; then R=(); else R=(-R "$rate"); fi
    pgbench -n -c 2 -j 2 "${R[@]}" -T "$STEADY_SECONDS" -h 127.0.0.1 -p "$SRC_PORT" -U postgres src \
      >"$OUT/pgbench-$who-$rate.log" 2>&1 & LOAD=$!
    # sampled once the load runs: before it, the newest row is as old as the
    # pause between two measurements, which is not lag
    sleep 1; lag_sampler "$db" "$f" & SAMP=$!
    wait "$LOAD"
    made=$(( $(hist_count "$SRC_PORT" src) - before ))
    kill "$SAMP"; wait "$SAMP" 2>/dev/null
    t0=$(date +%s.%N); wait_caught_up "$db"; tail_s=$(echo "$(date +%s.%N) - $t0" | bc)
    RES[$who,$rate]="$(echo "$made / $STEADY_SECONDS" | bc -l) $(pct "$f" 0.5) $(pct "$f" 0.99) $(sort -g "$f" | tail -1) $tail_s"
    log "$who at rate ${rate/#0/max}: $made txns, lag p50/p99/max $(pct "$f" 0.5)/$(pct "$f" 0.99)/$(sort -g "$f" | tail -1) s, caught up ${tail_s} s after"
  done
done
stop_godwit; native disable

# correctness: both targets equal the source, once each has applied
# everything (each was paused while the other was measured)
start_godwit; wait_caught_up tgt_godwit; stop_godwit
native enable; wait_caught_up tgt_native; native disable
fp() { q "$1" "$2" "SELECT md5(string_agg(x::text, '' ORDER BY aid)) FROM pgbench_accounts x"; }
[ "$(fp "$TGT_PORT" tgt_godwit)" = "$(fp "$SRC_PORT" src)" ] && same_g=yes || same_g=NO
[ "$(fp "$TGT_PORT" tgt_native)" = "$(fp "$SRC_PORT" src)" ] && same_n=yes || same_n=NO
rss=$(grep -o '"max_rss_kb":[0-9]*' "$OUT/replicate.err" 2>/dev/null | tail -1 | cut -d: -f2)

printf '\nreplicate-pg: pgbench scale %s, tpcb-like (4 row changes per transaction)\n\n' "$SCALE"
printf 'drain of a %s-transaction backlog (apply capacity)\n' "$txns"
printf '           whole drain                    sustained (10-90 %% of the backlog)\n'
printf '  %-8s %5.1f s %9.0f txn/s          %9.0f txn/s  %9.0f row changes/s\n' godwit "$g_drain" "$g_cap" "$g_sus" "$(echo "$g_sus * 4" | bc -l)"
printf '  %-8s %5.1f s %9.0f txn/s          %9.0f txn/s  %9.0f row changes/s\n' native "$n_drain" "$n_cap" "$n_sus" "$(echo "$n_sus * 4" | bc -l)"
printf '  godwit / native apply capacity: sustained %.2f (bar: >= 2), whole drain %.2f\n' \
  "$(echo "$g_sus / ($n_sus + 0.000001)" | bc -l)" "$(echo "$g_cap / $n_cap" | bc -l)"
printf '  CPU seconds in the drain: godwit: source walsender %s, target backends %s, godwit %s\n' "$g_cpu_ws" "$g_cpu_tgt" "$g_cpu_tool"
printf '                            native: source walsender %s, apply worker %s\n' "$n_cpu_ws" "$n_cpu_tgt"
if [ "$(echo "$g_cpu_ws > 0" | bc)" = 1 ]; then
  printf '  the source walsender alone, at one full core, emits at most %.0f txn/s to godwit (%.2fx native capacity)\n' \
    "$(echo "$txns / $g_cpu_ws" | bc -l)" "$(echo "$txns / $g_cpu_ws / $n_cap" | bc -l)"
fi
echo
printf 'steady load (%s s each): achieved source tps, lag p50 / p99 / max, catch-up after the load stops\n' "$STEADY_SECONDS"
for rate in $RATES; do
  for who in godwit native; do
    set -- ${RES[$who,$rate]}
    printf '  %-8s rate %-5s %7.0f tps   lag %5.2f / %5.2f / %5.2f s   caught up in %.2f s\n' "$who" "${rate/#0/max}" "$1" "$2" "$3" "$4" "$5"
  done
done
printf '\nhalf of godwit capacity is %.0f tps; the source produced at most %s tps here\n' "$(echo "$g_sus / 2" | bc -l)" \
  "$(set -- ${RES[godwit,0]}; printf '%.0f' "$1")"
printf 'targets equal to the source: godwit %s, native %s\n' "$same_g" "$same_n"
echo "raw results: $OUT"
