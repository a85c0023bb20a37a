#!/usr/bin/env bash
# bench/replicate-mysql.sh [SCALE] -- godwit replicate from MariaDB (row binlog, GTID)
# to PostgreSQL, with a tpcb-like workload (3 updates + 1 insert per transaction, the
# transaction pgbench runs, without its SELECT).  There is no native MariaDB ->
# PostgreSQL replication to compare with, so godwit is measured alone:
#
#   drain:  replicate stopped, an unthrottled load runs for DRAIN_SECONDS; then
#           godwit replicate starts and catches up with that backlog: apply capacity
#           in transactions and row changes per second.
#   steady: the load at fixed rates (RATES, transactions/s in all; 0 = unthrottled)
#           for STEADY_SECONDS each with replicate running: the achieved source rate,
#           lag p50/p99/max and the catch-up time once the load stops.  Lag is the age
#           of the newest history row on the target, (now() - max(mtime)), sampled
#           every 200 ms; before the first row of a step arrives it counts from the
#           step's start, so idle time between steps is never counted.  mtime is
#           DATETIME(6) = NOW(6) in a session with time_zone '+00:00' (the server's
#           default too); the target column is timestamp without time zone, so the
#           target compares it with now() AT TIME ZONE 'UTC'.
#   end:    the target equals the source: per table, row count, sum of the balance
#           (delta for history) and the sum of an md5-derived integer of each row's
#           canonical text, computed the same way on both sides.
#
# The source is a throwaway MariaDB (log_bin, binlog_format ROW, binlog_row_image FULL,
# binlog_row_metadata FULL, GTID strict mode, server_id 1: ../shared/bench/lib.sh
# my_create) holding pgbench-like tables generated with SQL (the sequence engine):
# pgbench_accounts (100,000 x SCALE rows), pgbench_tellers (10 x SCALE),
# pgbench_branches (SCALE) and pgbench_history (empty, with a bigint AUTO_INCREMENT
# primary key and mtime DATETIME(6)); godwit fetch copies it to PostgreSQL database
# "tgt", then godwit replicate runs against it.
#
# The load generator is the mariadb client: CLIENTS sessions (default 2, as pgbench
# -c 2 in bench/replicate-pg.sh), each reading transactions from a bash pacer that
# writes RATE/CLIENTS transactions a second in 20 ms ticks (or `yes` when
# unthrottled); the random account/teller/branch/delta are drawn by the server
# (RAND()), so the generator costs almost nothing.  The achieved rate is the number
# of history rows the step added over its length.
#
# Environment: SCALE (default 10), DRAIN_SECONDS (30), STEADY_SECONDS (30),
# RATES ("250 500 0": 1,000 and 2,000 row changes/s, then max), CLIENTS (2),
# CATCHUP_TIMEOUT (seconds, 900), KEEP=1 (leave the servers' data in BENCH_DIR),
# BENCH_DIR (/tmp/godwit-bench-repl-mysql), MY_PORT (59476), TGT_PORT (59477),
# BENCH_FSYNC (on), BENCH_MY_BUFFER_POOL (1G), BENCH_PG_SHARED_BUFFERS (1GB).
# Needs root (throwaway servers); results go to $BENCH_DIR/replicate-mysql-<time>/.
#
#   bench/replicate-mysql.sh                  # full run, about 3 minutes at SCALE 10
#   SCALE=1 DRAIN_SECONDS=3 STEADY_SECONDS=3 RATES=50 bench/replicate-mysql.sh   # smoke
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/godwit-bench-repl-mysql}
export MY_DIR=$BENCH_DIR/my_src MY_PORT=${MY_PORT:-59476}
export TGT_DIR=$BENCH_DIR/pg_tgt TGT_PORT=${TGT_PORT:-59477}
export BENCH_MY_BUFFER_POOL=${BENCH_MY_BUFFER_POOL:-1G}
SCALE=${1:-${SCALE:-10}}
DRAIN_SECONDS=${DRAIN_SECONDS:-30}
STEADY_SECONDS=${STEADY_SECONDS:-30}
RATES=${RATES:-"250 500 0"}
CLIENTS=${CLIENTS:-2}
CATCHUP_TIMEOUT=${CATCHUP_TIMEOUT:-900}
num() { case $2 in ''|*[!0-9]*) echo "replicate-mysql: $1 must be a non-negative integer, not '$2'" >&2; exit 2;; esac; }
num SCALE "$SCALE"; num DRAIN_SECONDS "$DRAIN_SECONDS"; num STEADY_SECONDS "$STEADY_SECONDS"
num CLIENTS "$CLIENTS"; num CATCHUP_TIMEOUT "$CATCHUP_TIMEOUT"
for r in $RATES; do num "each of RATES" "$r"; done
[ "$SCALE" -ge 1 ] && [ "$CLIENTS" -ge 1 ] && [ "$STEADY_SECONDS" -ge 1 ] && [ "$DRAIN_SECONDS" -ge 1 ] \
  || { echo "replicate-mysql: SCALE, CLIENTS, DRAIN_SECONDS and STEADY_SECONDS must be >= 1" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "replicate-mysql: run as root (throwaway servers run as their own users)" >&2; exit 2; }
. "$ROOT/bench/common.sh" replicate-mysql

die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- processes
REP_PID='' SAMP='' LOAD_PIDS=()
stop_load() {   # each load session is its own process group (setsid): pacer, client, timeout
  local p
  for p in "${LOAD_PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
  for p in "${LOAD_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  LOAD_PIDS=()
}
stop_sampler() { [ -n "$SAMP" ] || return 0; kill "$SAMP" 2>/dev/null; wait "$SAMP" 2>/dev/null; SAMP=; }
REP_RSS_KB=0
stop_godwit() {   # SIGTERM: godwit flushes and exits 0; KILL after 60 s
  [ -n "$REP_PID" ] || return 0
  local i rc rss
  rss=$(awk '/^VmHWM:/ {print $2}' "/proc/$REP_PID/status" 2>/dev/null)
  [ -n "$rss" ] && [ "$rss" -gt "$REP_RSS_KB" ] && REP_RSS_KB=$rss
  kill -TERM "$REP_PID" 2>/dev/null
  for i in $(seq 1 600); do kill -0 "$REP_PID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$REP_PID" 2>/dev/null && { log "godwit replicate did not stop within 60 s of SIGTERM: killing it"; kill -KILL "$REP_PID"; }
  wait "$REP_PID"; rc=$?
  [ "$rc" = 0 ] || log "warning: godwit replicate exited with status $rc (see $OUT/replicate.err)"
  REP_PID=
}
cleanup() {
  trap - EXIT INT TERM
  stop_sampler; stop_load; stop_godwit
  my_stop "$MY_DIR" >/dev/null 2>&1; pg_stop "$TGT_DIR" >/dev/null 2>&1
  cp "$MY_DIR/error.log" "$OUT/mariadb-error.log" 2>/dev/null; cp "$TGT_DIR/server.log" "$OUT/postgres.log" 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then log "servers stopped; data kept in $MY_DIR and $TGT_DIR"
  else my_destroy "$MY_DIR"; pg_destroy "$TGT_DIR"; fi
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- servers and data
my_destroy "$MY_DIR"; pg_destroy "$TGT_DIR"
log "servers: MariaDB on 127.0.0.1:$MY_PORT, PostgreSQL on 127.0.0.1:$TGT_PORT, under $BENCH_DIR"
my_ensure "$MY_DIR" "$MY_PORT" 1 || die "could not create/start MariaDB in $MY_DIR (its log: $OUT/mariadb-error.log)"
pg_create "$TGT_DIR" "$TGT_PORT" && pg_start "$TGT_DIR" || die "could not create/start PostgreSQL in $TGT_DIR (its log: $OUT/postgres.log)"
my() { myc "$MY_DIR" src -N -B -e "$*"; }
err=$(myc "$MY_DIR" -N -B -e "SELECT 1 FROM mysql.seq_1_to_1" 2>&1 >/dev/null) \
  || die "MariaDB's sequence engine (seq_1_to_N tables, used to generate the data) does not work: $err"
binlog=$(myc "$MY_DIR" -N -B -e "SELECT CONCAT_WS(' ', @@log_bin, @@binlog_format, @@binlog_row_image)" 2>&1)
case $binlog in "1 ROW FULL"|"ON ROW FULL") ;; *) false;; esac \
  || die "MariaDB must log full row images (log_bin=1, binlog_format=ROW, binlog_row_image=FULL), has: $binlog"

NBR=$SCALE NTEL=$((10 * SCALE)) NACC=$((100000 * SCALE))
log "source data: scale $SCALE ($NACC accounts, $NTEL tellers, $NBR branches)"
# generated without binary logging: fetch copies it, replicate starts after it
myc "$MY_DIR" -e "
  CREATE DATABASE src;
  USE src;
  SET SESSION sql_log_bin = 0, SESSION time_zone = '+00:00';
  CREATE TABLE pgbench_branches (bid INT NOT NULL PRIMARY KEY, bbalance INT NOT NULL, filler CHAR(88));
  CREATE TABLE pgbench_tellers  (tid INT NOT NULL PRIMARY KEY, bid INT, tbalance INT NOT NULL, filler CHAR(84));
  CREATE TABLE pgbench_accounts (aid INT NOT NULL PRIMARY KEY, bid INT, abalance INT NOT NULL, filler CHAR(84));
  CREATE TABLE pgbench_history  (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, tid INT, bid INT, aid INT,
                                 delta INT, mtime DATETIME(6), filler CHAR(22));
  INSERT INTO pgbench_branches SELECT seq, 0, NULL FROM seq_1_to_$NBR;
  INSERT INTO pgbench_tellers  SELECT seq, (seq - 1) DIV 10 + 1, 0, NULL FROM seq_1_to_$NTEL;
  INSERT INTO pgbench_accounts SELECT seq, (seq - 1) DIV 100000 + 1, 0, '' FROM seq_1_to_$NACC;
  ANALYZE TABLE pgbench_branches, pgbench_tellers, pgbench_accounts, pgbench_history;" >"$OUT/gen.log" 2>&1 \
  || { cat "$OUT/gen.log" >&2; die "generating the source data failed"; }

MY_URL="mysql://$MY_USER:$MY_PASS@127.0.0.1:$MY_PORT/src?ssl-mode=DISABLED"
G_URL="postgres://postgres@127.0.0.1:$TGT_PORT/tgt?sslmode=disable"
q "$TGT_PORT" postgres "CREATE DATABASE tgt" || die "CREATE DATABASE tgt failed"
log "godwit: fetch"
t0=$(now)
"$GODWIT" fetch --source "$MY_URL" --target "$G_URL" --log-format json >"$OUT/fetch.out" 2>"$OUT/fetch.err" \
  || { tail -5 "$OUT/fetch.err" >&2; die "godwit fetch failed (see $OUT/fetch.err)"; }
log "fetch done in $(printf '%.1f' "$(echo "$(now) - $t0" | bc)") s"

# the target's mtime type decides how "now" is written for the lag
mtype=$(q "$TGT_PORT" tgt "SELECT data_type FROM information_schema.columns
                           WHERE table_name = 'pgbench_history' AND column_name = 'mtime'")
case $mtype in
  "timestamp without time zone") NOWX="(now() AT TIME ZONE 'UTC')" T0CAST=timestamp T0TZ= ;;
  "timestamp with time zone")    NOWX="now()" T0CAST=timestamptz T0TZ=+00 ;;
  *) die "target pgbench_history.mtime is '${mtype:-missing}', expected a timestamp" ;;
esac

# ---------------------------------------------------------------- helpers
src_count() { my "SELECT count(*) FROM pgbench_history"; }
src_maxid() { my "SELECT COALESCE(max(id), 0) FROM pgbench_history"; }
tgt_count() { q "$TGT_PORT" tgt "SELECT count(*) FROM pgbench_history"; }
tgt_maxid() { q "$TGT_PORT" tgt "SELECT COALESCE(max(id), 0) FROM pgbench_history"; }
start_godwit() {
  "$GODWIT" replicate --source "$MY_URL" --target "$G_URL" --log-format json >>"$OUT/replicate.out" 2>>"$OUT/replicate.err" &
  REP_PID=$!
}
# wait until the target's history count equals the source's (load stopped).  Polls
# the primary-key maximum first (an index probe on both sides), then confirms with
# the counts: with concurrent sessions ids are not in commit order, so equal
# maxima alone do not prove every transaction has been applied.
wait_caught_up() {
  local want wantmax start; want=$(src_count) wantmax=$(src_maxid) start=$SECONDS
  [ -n "$want" ] || die "cannot count the source's history rows"
  while :; do
    if [ "$(tgt_maxid)" = "$wantmax" ] && [ "$(tgt_count)" = "$want" ]; then return 0; fi
    if [ -n "$REP_PID" ] && ! kill -0 "$REP_PID" 2>/dev/null; then
      tail -5 "$OUT/replicate.err" >&2; REP_PID=
      die "godwit replicate exited while catching up (target $(tgt_count) of $want history rows; see $OUT/replicate.err)"
    fi
    [ $((SECONDS - start)) -lt "$CATCHUP_TIMEOUT" ] \
      || die "target not caught up after $CATCHUP_TIMEOUT s ($(tgt_count) of $want history rows; see $OUT/replicate.err)"
    sleep 0.05
  done
}

# one tpcb-like transaction on one line (the random draws are made by the server)
export TXN="SET @aid = FLOOR(1 + RAND() * $NACC), @bid = FLOOR(1 + RAND() * $NBR), @tid = FLOOR(1 + RAND() * $NTEL), @delta = FLOOR(RAND() * 10001) - 5000; BEGIN; UPDATE pgbench_accounts SET abalance = abalance + @delta WHERE aid = @aid; UPDATE pgbench_tellers SET tbalance = tbalance + @delta WHERE tid = @tid; UPDATE pgbench_branches SET bbalance = bbalance + @delta WHERE bid = @bid; INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (@tid, @bid, @aid, @delta, NOW(6)); COMMIT;"
# gen RATE SECONDS N: transactions on stdout, RATE/N a second in 20 ms ticks (RATE 0: as fast as read)
gen() {
  local rate=$1 secs=$2 n=$3 t0 end nowus due sent=0 k i buf
  echo "SET SESSION time_zone = '+00:00';"
  if [ "$rate" = 0 ]; then exec yes "$TXN"; fi
  t0=${EPOCHREALTIME//[.,]/}; end=$((t0 + secs * 1000000))
  while :; do
    nowus=${EPOCHREALTIME//[.,]/}
    [ "$nowus" -lt "$end" ] || break
    due=$((rate * (nowus - t0) / (n * 1000000))) k=$((due - sent))
    if [ "$k" -gt 0 ]; then
      buf=; for ((i = 0; i < k; i++)); do buf+=$TXN$'\n'; done
      printf '%s' "$buf" || return 0
      sent=$due
    fi
    sleep 0.02
  done
}
export -f gen
export MYCNF=$MY_DIR/my.cnf
# load RATE SECONDS LOG: CLIENTS sessions, RATE transactions/s in all (0: unthrottled),
# for SECONDS (the client is stopped at the deadline; an open transaction rolls back)
load() {
  local rate=$1 secs=$2 logf=$3 i
  for ((i = 0; i < CLIENTS; i++)); do
    setsid bash -c 'gen "$1" "$2" "$3" | timeout -s TERM "$2" mariadb --defaults-file="$MYCNF" -uroot -B --force src' \
      _ "$rate" "$secs" "$CLIENTS" >>"$logf" 2>&1 </dev/null &
    LOAD_PIDS+=($!)
  done
  for i in "${LOAD_PIDS[@]}"; do wait "$i"; done
  LOAD_PIDS=()
  if grep -q 'ERROR' "$logf" 2>/dev/null; then log "the load reported errors (first: $(grep -m1 ERROR "$logf"))"; fi
}
lag_sampler() {   # lag_sampler FILE T0: lag seconds every 200 ms until killed
  while :; do
    q "$TGT_PORT" tgt "SELECT extract(epoch FROM $NOWX - greatest(max(mtime), '$2$T0TZ'::$T0CAST)) FROM pgbench_history" >>"$1" 2>/dev/null
    sleep 0.2
  done
}
pct() { sort -g "$1" | awk -v p="$2" '{a[NR]=$1} END { if (NR == 0) { print "NaN"; exit } i = int(NR * p); if (i < 1) i = 1; print a[i] }'; }
utc_now() { date -u '+%Y-%m-%d %H:%M:%S.%6N'; }
secs_since() { echo "$(now) - $1" | bc; }

# ---------------------------------------------------------------- start
log "godwit: replicate, warm-up (20 transactions)"
start_godwit
for i in $(seq 1 20); do echo "$TXN"; done | myc "$MY_DIR" src -B >/dev/null || die "the warm-up transactions failed on the source"
wait_caught_up
log "replicating: $(tgt_count) history rows on the target"

# ---------------------------------------------------------------- drain
log "drain: replicate stopped, unthrottled load ($CLIENTS sessions) for $DRAIN_SECONDS s"
stop_godwit
before=$(src_count)
load 0 "$DRAIN_SECONDS" "$OUT/load-drain.log"
txns=$(( $(src_count) - before ))
[ "$txns" -gt 0 ] || die "the drain load committed no transaction (see $OUT/load-drain.log)"
src_tps=$(echo "$txns / $DRAIN_SECONDS" | bc -l)
log "backlog: $txns transactions ($(printf '%.0f' "$src_tps") tps on the source)"
t0=$(now); start_godwit; wait_caught_up; drain_s=$(secs_since "$t0")
cap=$(echo "$txns / $drain_s" | bc -l)
log "drained in $(printf '%.2f' "$drain_s") s: $(printf '%.0f' "$cap") txn/s"

# ---------------------------------------------------------------- steady
declare -A RES
for rate in $RATES; do
  label=${rate/#0/max}
  f="$OUT/lag-$label.txt"; : >"$f"
  before=$(src_count)
  T0=$(utc_now)
  lag_sampler "$f" "$T0" & SAMP=$!
  load "$rate" "$STEADY_SECONDS" "$OUT/load-$label.log"
  made=$(( $(src_count) - before ))
  stop_sampler
  t0=$(now); wait_caught_up; tail_s=$(secs_since "$t0")
  RES[$rate]="$(echo "$made / $STEADY_SECONDS" | bc -l) $(pct "$f" 0.5) $(pct "$f" 0.99) $(sort -g "$f" | tail -1) $tail_s $(wc -l <"$f")"
  set -- ${RES[$rate]}
  log "rate $label: $made txns ($(printf '%.0f' "$1") tps), lag p50/p99/max $2/$3/$4 s over $6 samples, caught up $(printf '%.2f' "$5") s after"
  if awk -v x="$2" 'BEGIN { exit !(x < -0.5) }'; then
    log "warning: negative lag: the target's mtime and now() disagree on the time zone"
  fi
done

# ---------------------------------------------------------------- correctness
wait_caught_up; stop_godwit
# fp SIDE TABLE BALANCE COLS...: "count sum(balance) sum(md5-derived integer of the row's text)"
fp() {
  local side=$1 t=$2 bal=$3 c parts=() h; shift 3
  for c in "$@"; do
    case $side:$c in
      my:mtime)  parts+=("COALESCE(DATE_FORMAT(mtime, '%Y-%m-%d %H:%i:%s.%f'), '~')") ;;
      pg:mtime)  parts+=("COALESCE(to_char(mtime, 'YYYY-MM-DD HH24:MI:SS.US'), '~')") ;;
      *:filler)  parts+=("COALESCE(RTRIM(filler), '~')") ;;
      my:*)      parts+=("COALESCE(CAST($c AS CHAR), '~')") ;;
      pg:*)      parts+=("COALESCE($c::text, '~')") ;;
    esac
  done
  local row; row="CONCAT_WS('|', $(IFS=,; echo "${parts[*]}"))"
  if [ "$side" = my ]; then
    h="CAST(CONV(LEFT(MD5($row), 8), 16, 10) AS UNSIGNED)"
    my "SELECT CONCAT_WS(' ', COUNT(*), COALESCE(SUM($bal), 0), COALESCE(SUM($h), 0)) FROM $t"
  else
    h="('x' || lpad(left(md5($row), 8), 16, '0'))::bit(64)::bigint"
    q "$TGT_PORT" tgt "SELECT concat_ws(' ', count(*), COALESCE(sum($bal), 0), COALESCE(sum($h), 0)) FROM public.$t"
  fi
}
same=yes
while read -r t bal cols; do
  # shellcheck disable=SC2086
  s=$(fp my "$t" "$bal" $cols) d=$(fp pg "$t" "$bal" $cols)
  if [ -n "$s" ] && [ "$s" = "$d" ]; then echo "$t: $s" >>"$OUT/compare.txt"
  else same=NO; log "$t differs: source '$s', target '$d'"; echo "$t: source $s target $d DIFFER" >>"$OUT/compare.txt"; fi
done <<'EOF'
pgbench_accounts abalance aid bid abalance filler
pgbench_tellers tbalance tid bid tbalance filler
pgbench_branches bbalance bid bbalance filler
pgbench_history delta id tid bid aid delta mtime filler
EOF

# ---------------------------------------------------------------- summary
row_s() { echo "$1 * 4" | bc -l; }
printf '\nreplicate-mysql: MariaDB -> PostgreSQL, scale %s, tpcb-like (4 row changes per transaction), %s load sessions\n\n' "$SCALE" "$CLIENTS"
printf 'drain of a %s-transaction backlog (%s s of unthrottled load, %.0f tps on the source)\n' "$txns" "$DRAIN_SECONDS" "$src_tps"
printf '  godwit   %8.2f s  %9.0f txn/s  %9.0f row changes/s  (apply capacity)\n\n' "$drain_s" "$cap" "$(row_s "$cap")"
printf 'steady load (%s s each): achieved source rate, lag p50 / p99 / max, catch-up after the load stops\n' "$STEADY_SECONDS"
for rate in $RATES; do
  set -- ${RES[$rate]}
  printf '  rate %-5s %7.0f tps %8.0f row changes/s   lag %6.2f / %6.2f / %6.2f s   caught up in %.2f s\n' \
    "${rate/#0/max}" "$1" "$(row_s "$1")" "$2" "$3" "$4" "$5"
done
bar="not measured (RATES has no 250)"
if [ -n "${RES[250]:-}" ]; then
  set -- ${RES[250]}
  if awk -v x="$3" 'BEGIN { exit !(x < 1) }'; then verdict=met; else verdict="NOT met"; fi
  bar=$(printf 'p99 %.2f s, max %.2f s at %.0f achieved row changes/s -> %s' "$3" "$4" "$(row_s "$1")" "$verdict")
fi
printf '\nbar: lag < 1 s at 1,000 row changes/s: %s\n' "$bar"
printf 'godwit replicate peak RSS: %.1f MB\n' "$(echo "$REP_RSS_KB / 1024" | bc -l)"
printf 'target == source: %s (per table: count, sum of balances, sum of row hashes; %s)\n' "$same" "$OUT/compare.txt"
echo "raw results: $OUT"
[ "$same" = yes ]
