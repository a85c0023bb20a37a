#!/usr/bin/env bash
# bench/fetch-pg.sh [SCALE] -- godwit fetch against the tools a DBA uses today, on
# the same data, in one run:
#   godwit fetch (schema, parallel sharded copy, finalize)
#   pgcopydb clone --table-jobs 2 --index-jobs 2       (Debian's pgcopydb)
#   pg_dump -Fd -j 2 | pg_restore -j 2
#   the raw pipe: psql COPY TO STDOUT | psql COPY FROM STDIN, 2 tables at a time,
#     primary keys created first (the practical limit of this machine)
# Prints wall time, MB/s, peak RSS of the client processes, and the ratios.
#
# Data: ../shared/bench/gen.sh (pgbench tables + a wide table of varied types);
# SCALE 30 is about 1.1 GB.  Servers: throwaway, own ports (BENCH_DIR, default
# /tmp/godwit-bench).  Needs root on Debian 12 (scripts/install-deps.sh --bench).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
export BENCH_DIR=${BENCH_DIR:-/tmp/godwit-bench}
export SRC_DIR=$BENCH_DIR/pg_src SRC_PORT=${SRC_PORT:-59432}
export TGT_DIR=$BENCH_DIR/pg_tgt TGT_PORT=${TGT_PORT:-59433}
SCALE=${1:-${SCALE:-30}}
REPS=${REPS:-3}
. "$ROOT/bench/common.sh" fetch-pg
TIMES=$OUT/times.tsv
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)

pg_ensure "$SRC_DIR" "$SRC_PORT" || exit 1
pg_ensure "$TGT_DIR" "$TGT_PORT" || exit 1
if [ "$("${PSQL[@]}" -p "$SRC_PORT" -At -c "SELECT count(*) FROM pg_database WHERE datname = 'src'")" != 1 ] ||
   [ "${REGEN:-0}" = 1 ]; then
  log "generating the source (scale $SCALE)"
  GEN_MARIADB=0 "$SHARED/gen.sh" "$SCALE" $((SCALE * 50000)) >/dev/null 2>&1 || { log "gen.sh failed"; exit 1; }
fi
DISK=$("${PSQL[@]}" -p "$SRC_PORT" -d src -At -c "SELECT sum(pg_table_size(c.oid)) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
ROWS=$("${PSQL[@]}" -p "$SRC_PORT" -d src -At -c "SELECT sum(greatest(c.reltuples, 0))::bigint FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")   # statistics survive a restart
log "source: $((DISK / 1000000)) MB on disk (heap+TOAST), $ROWS rows"

fresh_target() {
  "${PSQL[@]}" -p "$TGT_PORT" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null
  "${PSQL[@]}" -p "$TGT_PORT" -c "CHECKPOINT" >/dev/null; sync
}
SRC_URL="postgres://postgres@127.0.0.1:$SRC_PORT/src?sslmode=disable"
tgt_url() { echo "postgres://postgres@127.0.0.1:$TGT_PORT/$1?sslmode=disable"; }
tables() { "${PSQL[@]}" -p "$SRC_PORT" -d src -At -c "SELECT c.relname FROM pg_class c JOIN pg_namespace n
  ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_table_size(c.oid) DESC"; }
same_as_source() {   # row counts of every table equal the source's
  local t a b
  for t in $(tables); do
    a=$("${PSQL[@]}" -p "$SRC_PORT" -d src -At -c "SELECT count(*) FROM public.$t")
    b=$("${PSQL[@]}" -p "$TGT_PORT" -d "$1" -At -c "SELECT count(*) FROM public.$t" 2>/dev/null)
    [ "$a" = "$b" ] || { log "  $1: $t has $b rows, source $a"; return 1; }
  done
}

run_godwit() {
  fresh_target tgt_godwit
  btime "godwit" "$TIMES" "$GODWIT" fetch --source "$SRC_URL" --target "$(tgt_url tgt_godwit)" \
    --no-replication --allow-no-pk --log-format json >"$OUT/godwit.out" 2>"$OUT/godwit.err"
}
run_pgcopydb() {
  fresh_target tgt_pgcopydb; rm -rf "$BENCH_DIR/pgcopydb-work"
  btime "pgcopydb" "$TIMES" pgcopydb clone --source "$SRC_URL" --target "$(tgt_url tgt_pgcopydb)" \
    --dir "$BENCH_DIR/pgcopydb-work" --table-jobs 2 --index-jobs 2 --no-owner --no-acl \
    >"$OUT/pgcopydb.log" 2>&1
}
run_dump() {
  fresh_target tgt_dump; rm -rf "$BENCH_DIR/dump"
  btime "pg_dump+pg_restore" "$TIMES" bash -c "pg_dump -h 127.0.0.1 -p $SRC_PORT -U postgres -Fd -j 2 \
    -f $BENCH_DIR/dump src && pg_restore -h 127.0.0.1 -p $TGT_PORT -U postgres -j 2 --no-owner --no-acl \
    -d tgt_dump $BENCH_DIR/dump" >"$OUT/dump.log" 2>&1
}
run_pipe() {
  fresh_target tgt_pipe
  pg_dump -h 127.0.0.1 -p "$SRC_PORT" -U postgres --schema-only --no-owner --no-acl src |
    "${PSQL[@]}" -p "$TGT_PORT" -d tgt_pipe >/dev/null
  btime "copy pipe" "$TIMES" bash -c "tables_list=\$(psql -X -At -h 127.0.0.1 -p $SRC_PORT -U postgres -d src -c \
    \"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
      AND c.relkind = 'r' ORDER BY pg_table_size(c.oid) DESC\"); printf '%s\n' \$tables_list |
    xargs -P 2 -I{} sh -c 'psql -X -h 127.0.0.1 -p $SRC_PORT -U postgres -d src -c \"COPY public.{} TO STDOUT\" |
      psql -X -h 127.0.0.1 -p $TGT_PORT -U postgres -d tgt_pipe -c \"COPY public.{} FROM STDIN\"'" >"$OUT/pipe.log" 2>&1
}

for rep in $(seq 1 "$REPS"); do
  for tool in godwit pgcopydb dump pipe; do
    log "rep $rep: $tool"
    "run_$tool" || log "  $tool failed (see $OUT)"
  done
done
for db in tgt_godwit tgt_pgcopydb tgt_dump tgt_pipe; do
  same_as_source "$db" && log "  $db: every table has the source's row count"
done

median_of() { awk -F'\t' -v l="$1" '$1 == l && $4 == 0 { print $'"$2"' }' "$TIMES" | median; }
printf '\nfetch-pg: scale %s, %s MB on disk, %s rows, %s runs each (median)\n\n' "$SCALE" "$((DISK / 1000000))" "$ROWS" "$REPS"
printf '%-20s %9s %9s %11s %11s\n' tool "wall s" "MB/s" "rows/s" "max RSS MB"
for l in godwit pgcopydb "pg_dump+pg_restore" "copy pipe"; do
  w=$(median_of "$l" 2); r=$(median_of "$l" 3)
  [ "$w" = NA ] && { printf '%-20s %9s\n' "$l" failed; continue; }
  printf '%-20s %9.1f %9.1f %11.0f %11.1f\n' "$l" "$w" "$(echo "$DISK / 1000000 / $w" | bc -l)" \
    "$(echo "$ROWS / $w" | bc -l)" "$(echo "$r / 1024" | bc -l)"
done
g=$(median_of godwit 2); p=$(median_of pgcopydb 2); c=$(median_of "copy pipe" 2)
printf '\ngodwit / pgcopydb wall time:         %.2f (bar: <= 1)\n' "$(echo "$g / $p" | bc -l)"
printf 'godwit throughput / copy pipe:       %.2f (bar: >= 0.85)\n' "$(echo "$c / $g" | bc -l)"
printf 'godwit peak RSS:                     %.1f MB (bar: < 100)\n' "$(echo "$(median_of godwit 3) / 1024" | bc -l)"
echo "raw results: $OUT"
