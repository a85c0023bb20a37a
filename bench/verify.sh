#!/bin/bash
# bench/verify.sh [SCALE] [WIDE_ROWS]
#   godwit verify against the whole-table hash that `pgcopydb compare data`
#   runs, on the ~1 GB PostgreSQL pair (../shared/bench/gen.sh, default SCALE=30);
#   and godwit verify's rows/s on the MariaDB -> PostgreSQL pair.
#
#   Baseline ("whole-table hash"): per table, on source and target at the same
#   time, SELECT count(*), sum(hashtext(t::text)) FROM t (pgcopydb 0.13+'s
#   `compare data` query; Debian's pgcopydb 0.10 lacks the sub-command, so the
#   SQL is run directly), tables one after another.  It says whether a table
#   differs, not which rows.
#   godwit: `godwit verify` with its defaults (key ranges hashed by both
#   servers, differing ranges narrowed down to rows).
#
#   Steps: servers (own ports: 59432/59433/59306 under /tmp/bench-verify, so the
#   shared defaults are left alone), data (gen.sh), target filled by
#   `godwit fetch` (PG) and by tests' my_load (MariaDB; godwit fetch from MySQL
#   is not on this branch yet), then REPS runs of each measurement; prints a
#   summary (median wall, ratio, peak RSS, rows/s) and writes it to
#   $OUT/summary.txt.  Run as root on Debian 12 from the repository root:
#       bash bench/verify.sh            # SCALE=30, about 10 minutes with data generation
#   Knobs: REPS (3), BENCH_DIR, SRC_PORT/TGT_PORT/MY_PORT, GODWIT (binary),
#   SKIP_GEN=1 (reuse the data), SKIP_MY=1 (no MariaDB pair), FRESH=1.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/bench-verify}
export SRC_DIR=$BENCH_DIR/pg_src SRC_PORT=${SRC_PORT:-59432}
export TGT_DIR=$BENCH_DIR/pg_tgt TGT_PORT=${TGT_PORT:-59433}
export MY_DIR=$BENCH_DIR/my_src MY_PORT=${MY_PORT:-59306}
SHARED=${SHARED:-$ROOT/../shared/bench}
. "$SHARED/lib.sh"
SCALE=${1:-${SCALE:-30}}
WIDE_ROWS=${2:-${WIDE_ROWS:-$((SCALE * 50000))}}
REPS=${REPS:-3}
OUT=${OUT:-$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)-s$SCALE}
mkdir -p "$OUT"
TIMES=$OUT/times.tsv
: >"$TIMES"
log() { echo "[verify-bench $(date +%T)] $*" | tee -a "$OUT/run.log" >&2; }

# a release build of godwit and the loader
BUILD=${BUILD:-$ROOT/build-bench}
if [ -z "${GODWIT:-}" ]; then
  [ -f "$BUILD/build.ninja" ] || (cd "$ROOT" && meson setup --buildtype=release "$BUILD") >/dev/null || exit 1
  ninja -C "$BUILD" src/cli/godwit tests/my_load >/dev/null || exit 1
  GODWIT=$BUILD/src/cli/godwit
fi
MY_LOAD=${MY_LOAD:-$BUILD/tests/my_load}

[ "${FRESH:-0}" = 1 ] && { pg_destroy "$SRC_DIR"; pg_destroy "$TGT_DIR"; my_destroy "$MY_DIR"; }
pg_ensure "$SRC_DIR" "$SRC_PORT" || exit 1
pg_ensure "$TGT_DIR" "$TGT_PORT" || exit 1
SRC="postgres://postgres@127.0.0.1:$SRC_PORT/src?sslmode=disable"
TGT="postgres://postgres@127.0.0.1:$TGT_PORT/tgt?sslmode=disable"
TGT_MY="postgres://postgres@127.0.0.1:$TGT_PORT/tgt_my?sslmode=disable"
MYSRC="mysql://$MY_USER:$MY_PASS@127.0.0.1:$MY_PORT/src?ssl-mode=DISABLED"

if [ "${SKIP_GEN:-0}" != 1 ]; then
  log "data: gen.sh $SCALE $WIDE_ROWS"
  GEN_MARIADB=$([ "${SKIP_MY:-0}" = 1 ] && echo 0 || echo 1) bash "$SHARED/gen.sh" "$SCALE" "$WIDE_ROWS" >"$OUT/gen.log" 2>&1 \
    || { tail -20 "$OUT/gen.log"; exit 1; }
  log "target: godwit fetch"
  pgc "$TGT_PORT" -c "DROP DATABASE IF EXISTS tgt WITH (FORCE)" -c "CREATE DATABASE tgt"
  btime fetch "$TIMES" "$GODWIT" fetch --source "$SRC" --target "$TGT" --no-replication --allow-no-pk \
    --log-level warn >"$OUT/fetch.out" 2>&1 || { tail "$OUT/fetch.out"; exit 1; }
  pgc "$TGT_PORT" -d tgt -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
  if [ "${SKIP_MY:-0}" != 1 ]; then
    log "target of the MariaDB pair: my_load"
    pgc "$TGT_PORT" -c "DROP DATABASE IF EXISTS tgt_my WITH (FORCE)" -c "CREATE DATABASE tgt_my"
    btime my_load "$TIMES" "$MY_LOAD" --source "$MYSRC" --target "$TGT_MY" --allow-no-pk >"$OUT/my_load.out" 2>&1 \
      || { tail "$OUT/my_load.out"; exit 1; }
    pgc "$TGT_PORT" -d tgt_my -c "VACUUM (FREEZE, ANALYZE)" -c "CHECKPOINT"
  fi
fi
[ "${SKIP_MY:-0}" = 1 ] || my_ensure "$MY_DIR" "$MY_PORT" 1 || exit 1

# ------------------------------------------------------------------ baseline
TABLES=$(pgc "$SRC_PORT" -d src -At -c "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_table_size(c.oid) DESC")
cat >"$OUT/whole_table_hash.sh" <<SH
#!/bin/bash
# per table: count(*) and sum(hashtext(t::text)) on source and target at the same time
set -u
rc=0
for t in $(echo $TABLES); do
  q="SELECT '\$t', count(*), sum(hashtext(x::text)) FROM public.\$t x"
  $PGBIN/psql -X -At -h 127.0.0.1 -p $SRC_PORT -U postgres -d src -c "\$q" >"$OUT/.src.\$t" &
  p=\$!
  $PGBIN/psql -X -At -h 127.0.0.1 -p $TGT_PORT -U postgres -d \$1 -c "\$q" >"$OUT/.tgt.\$t"
  wait \$p
  if cmp -s "$OUT/.src.\$t" "$OUT/.tgt.\$t"; then echo "\$t same"; else echo "\$t DIFFERS"; rc=1; fi
done
exit \$rc
SH

runs() {   # runs LABEL cmd... : REPS timed runs (after one warm-up), appended to $TIMES
  local label=$1; shift
  "$@" >/dev/null 2>&1
  for r in $(seq 1 "$REPS"); do
    btime "$label" "$TIMES" "$@" >"$OUT/$label.$r.out" 2>"$OUT/$label.$r.err"
    log "  $label run $r: $(tail -1 "$TIMES" | cut -f2-)"
  done
}
med() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l { print $c }' "$TIMES" | median; }

log "PostgreSQL pair: $(echo $TABLES | wc -w) tables; load: $(uptime | sed 's/.*load average: //')"
runs whole_table_hash bash "$OUT/whole_table_hash.sh" tgt
runs godwit_verify "$GODWIT" verify --source "$SRC" --target "$TGT" --allow-no-pk --no-store --log-level warn
runs godwit_verify_rows "$GODWIT" verify --source "$SRC" --target "$TGT" --allow-no-pk --no-store --log-level warn --no-hash

# one changed row: the whole-table hash says "table differs", godwit names the row
pgc "$TGT_PORT" -d tgt -c "UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1234567"
REPS_SAVED=$REPS; REPS=1
runs whole_table_hash_1diff bash "$OUT/whole_table_hash.sh" tgt
runs godwit_verify_1diff "$GODWIT" verify --source "$SRC" --target "$TGT" --allow-no-pk --no-store --log-level warn
REPS=$REPS_SAVED
pgc "$TGT_PORT" -d tgt -c "UPDATE pgbench_accounts SET abalance = abalance - 1 WHERE aid = 1234567"
grep -h "DIFFERS" "$OUT"/whole_table_hash_1diff.*.out | sed 's/^/  whole-table hash: /' >&2
grep -h "mismatch " "$OUT"/godwit_verify_1diff.*.out | sed 's/^/  godwit verify: /' >&2

if [ "${SKIP_MY:-0}" != 1 ]; then
  log "MariaDB -> PostgreSQL pair"
  runs godwit_verify_mariadb "$GODWIT" verify --source "$MYSRC" --target "$TGT_MY" --allow-no-pk --no-store --log-level warn
fi

# ------------------------------------------------------------------ summary
rows=$(pgc "$SRC_PORT" -d src -At -c "SELECT sum(n) FROM (SELECT count(*) n FROM pgbench_accounts UNION ALL
  SELECT count(*) FROM pgbench_branches UNION ALL SELECT count(*) FROM pgbench_tellers UNION ALL
  SELECT count(*) FROM pgbench_history UNION ALL SELECT count(*) FROM wide) s")
base=$(med whole_table_hash 2); gv=$(med godwit_verify 2); gr=$(med godwit_verify_rows 2)
{
  echo "verify benchmark, SCALE=$SCALE ($rows rows, $(pgc "$SRC_PORT" -At -c "SELECT pg_size_pretty(pg_database_size('src'))")), median of $REPS"
  echo "machine: $(nproc) cpus, load before: $(uptime | sed 's/.*load average: //')"
  printf '%-44s %9s %10s %12s\n' "run" "wall s" "max RSS" "rows/s"
  for l in whole_table_hash godwit_verify godwit_verify_rows whole_table_hash_1diff godwit_verify_1diff godwit_verify_mariadb; do
    w=$(med $l 2); r=$(med $l 3)
    [ "$w" = NA ] && continue
    printf '%-44s %9.2f %7.0f MiB %12.0f\n' "$l" "$w" "$(echo "$r / 1024" | bc -l)" "$(echo "$rows / $w" | bc -l)"
  done
  echo "ratio godwit verify / whole-table hash: $(echo "scale=3; $gv / $base" | bc -l)"
  echo "ratio godwit verify --no-hash / whole-table hash: $(echo "scale=3; $gr / $base" | bc -l)"
} | tee "$OUT/summary.txt"
