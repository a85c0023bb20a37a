#!/usr/bin/env bash
# Exactly-once across failures of the PostgreSQL replication stream:
#  - the walsender is terminated mid-stream (pg_terminate_backend): the stream
#    reports STREAM_ERROR, the slot never passed the last confirmed position,
#    and reopening from that position re-delivers exactly the unconfirmed tail;
#  - the slot lags our checkpoint (feedback lost): the transactions the server
#    re-sends up to the checkpoint are dropped, none after it;
#  - a checkpoint inside a chunked transaction (txn_id + txn_applied): the
#    restart skips exactly the applied prefix, also among rows at one LSN.
. "$(dirname "$0")/../lib/harness.sh"

DUMP=${PGSTREAM_DUMP:-$(cd "$(dirname "$GODWIT")/../.." && pwd)/tests/pgstream_dump}
[ -x "$DUMP" ] || bail "pgstream_dump not built: $DUMP"

pg_node src
URL=$(pg_url src)
q() { pgq src postgres "$@"; }
dump() {
  local out=$1; shift
  "$DUMP" --source "$URL" --idle-seconds 1.5 "$@" >"$out" 2>"$out.err"
  DUMP_RC=$?
}
ids() { sed -nE "s/^INSERT public\.$1 new=\('([0-9]+)'.*/\1/p" "$2"; }
lsn_le() { q "SELECT '$1'::pg_lsn <= '$2'::pg_lsn"; }
rows_at_least() { [ "$(grep -c '^INSERT' "$1")" -ge "$2" ]; }
slot_active() { [ "$(q "SELECT active FROM pg_replication_slots WHERE slot_name = '$1'")" = "$2" ]; }

q "CREATE TABLE ev (id int PRIMARY KEY, pad text);
   CREATE TABLE bt (id int PRIMARY KEY);
   CREATE PUBLICATION pub FOR TABLE ev;
   CREATE PUBLICATION pub_bt FOR TABLE bt;"
q "SELECT 1 FROM pg_create_logical_replication_slot('s', 'pgoutput')" >/dev/null
q "SELECT 1 FROM pg_create_logical_replication_slot('lag', 'pgoutput')" >/dev/null
q "SELECT 1 FROM pg_create_logical_replication_slot('s3', 'pgoutput')" >/dev/null

# ---------------------------------------------------------------- walsender terminated mid-stream
# 300 one-row transactions now, 700 more while the stream runs
q "DO \$\$ BEGIN FOR i IN 1..300 LOOP INSERT INTO ev VALUES (i, repeat('p', 100)); COMMIT; END LOOP; END \$\$"
"$DUMP" --source "$URL" --slot s --publication pub --confirm-max 150 --idle-seconds 20 \
  >"$TEST_TMP/run1" 2>"$TEST_TMP/run1.err" &
dump_pid=$!; bg_track "$dump_pid"
q "DO \$\$ BEGIN FOR i IN 301..1000 LOOP INSERT INTO ev VALUES (i, repeat('p', 100)); COMMIT;
     PERFORM pg_sleep(0.01); END LOOP; END \$\$" &
load_pid=$!; bg_track "$load_pid"
wait_until 60 rows_at_least "$TEST_TMP/run1" 400 || diag "stream slow: $(grep -c '^INSERT' "$TEST_TMP/run1") rows"
is "$(q "SELECT count(*) FROM pg_terminate_backend((SELECT active_pid FROM pg_replication_slots WHERE slot_name = 's'))")" 1 \
  "walsender terminated while changes are flowing"
wait "$dump_pid"; rc=$?
wait "$load_pid"
is "$rc" 3 "the stream reports STREAM_ERROR (exit 3)"
is "$(tail -1 "$TEST_TMP/run1")" "ERROR" "... after the batches it had"
like "$(cat "$TEST_TMP/run1.err")" 'replication stream from slot "s" was interrupted' "the loss is logged"
like "$(cat "$TEST_TMP/run1.err")" 'terminating connection due to administrator command' "... with the server's reason"
is "$(grep -c 'ERROR' "$TEST_TMP/run1.err")" 1 "... once"
delivered=$(ids ev "$TEST_TMP/run1" | wc -l)
ok "$([ "$delivered" -gt 150 ] && [ "$delivered" -lt 1000 ] && echo 0 || echo 1)" \
  "the first run stopped mid-stream ($delivered of 1000 rows delivered, 150 confirmed)"
checkpoint=$(grep '^CONFIRM' "$TEST_TMP/run1" | tail -1 | cut -d' ' -f2)
is "$(grep -cE '^CONFIRM [^ ]+$' "$TEST_TMP/run1")" 150 "150 transactions confirmed"
is "$(lsn_le "$(q "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 's'")" "$checkpoint")" t \
  "the slot never passed the last confirmed position"

wait_until 10 slot_active s f
dump "$TEST_TMP/run2" --slot s --publication pub --position "$checkpoint" --confirm
is "$DUMP_RC" 0 "reopening from the confirmed position works"
is "$(ids ev "$TEST_TMP/run2" | head -1)" 151 "it resumes with the first unconfirmed transaction"
is "$(ids ev "$TEST_TMP/run2" | tr '\n' ' ')" "$(seq 151 1000 | tr '\n' ' ')" \
  "the rest arrives exactly once, in order: no loss, no duplicate"
is "$( { ids ev "$TEST_TMP/run1" | head -150; ids ev "$TEST_TMP/run2"; } | sort -n | uniq | wc -l)" 1000 \
  "confirmed prefix + second run = all 1000 rows"
is "$(comm -12 <(ids ev "$TEST_TMP/run1" | sed -n '151,$p' | sort) <(ids ev "$TEST_TMP/run2" | sort) | wc -l)" \
  "$((delivered - 150))" "the unconfirmed tail of the first run was re-delivered"

# ---------------------------------------------------------------- server restart
"$DUMP" --source "$URL" --slot s --publication pub --confirm --idle-seconds 60 \
  >"$TEST_TMP/run3" 2>"$TEST_TMP/run3.err" &
dump_pid=$!; bg_track "$dump_pid"
wait_until 10 slot_active s t
q "INSERT INTO ev VALUES (1001, 'before restart')"
wait_until 10 rows_at_least "$TEST_TMP/run3" 1
pg_restart src
wait "$dump_pid"; rc=$?
is "$rc" 3 "a server restart under the stream is STREAM_ERROR (reconnect), not the end"
like "$(cat "$TEST_TMP/run3.err")" 'replication stream from slot "s" (was ended by the server|was interrupted)' "... logged"
checkpoint=$(grep '^CONFIRM' "$TEST_TMP/run3" | tail -1 | cut -d' ' -f2)
q "INSERT INTO ev VALUES (1002, 'after restart')"
dump "$TEST_TMP/run4" --slot s --publication pub --position "$checkpoint" --confirm
is "$(ids ev "$TEST_TMP/run4" | tr '\n' ' ')" "1002 " "after the restart the stream resumes with exactly the next change"

# ---------------------------------------------------------------- slot lagging our checkpoint
dump "$TEST_TMP/lag1" --slot lag --publication pub --max-txns 500
pos500=$(awk '/^BATCH/ { split($3, p, "="); n++; if (n == 500) print p[2] }' "$TEST_TMP/lag1")
is "$(lsn_le "$pos500" "$(q "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'lag'")")" f \
  "without feedback the slot lags the checkpoint"
dump "$TEST_TMP/lag2" --slot lag --publication pub --position "$pos500"
is "$(ids ev "$TEST_TMP/lag2" | tr '\n' ' ')" "$(seq 501 1002 | tr '\n' ' ')" \
  "starting ahead of the slot drops the re-sent transactions up to the checkpoint, none after"

# ---------------------------------------------------------------- checkpoint inside a transaction
q "INSERT INTO bt VALUES (0)"
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$src_PORT" -U postgres -d postgres >/dev/null <<'SQL'
BEGIN;
COPY bt FROM STDIN;
1
2
3
4
5
6
7
8
9
10
\.
INSERT INTO bt VALUES (11), (12), (13), (14), (15);
COMMIT;
SQL
q "INSERT INTO bt VALUES (16)"
dump "$TEST_TMP/t0" --slot s3 --publication pub_bt --max-batch-changes 4
is "$(grep '^BATCH' "$TEST_TMP/t0" | sed -E 's/txn=[^ ]+ pos=[^ ]+ //' | tr '\n' ';')" \
  "BATCH first=0 n=1 last=1;BATCH first=0 n=4 last=0;BATCH first=4 n=4 last=0;BATCH first=8 n=4 last=0;BATCH first=12 n=3 last=1;BATCH first=0 n=1 last=1;" \
  "a 15-change transaction in chunks of 4"
# the checkpoint an applier stores after the second chunk
read -r txn pos < <(awk '/^BATCH/ && / first=4 / { split($2, t, "="); split($3, p, "="); print t[2], p[2] }' "$TEST_TMP/t0")
is "$pos" "$(awk '/^BATCH/ { split($3, p, "="); print p[2]; exit }' "$TEST_TMP/t0")" \
  "its chunks carry the previous transaction's end as the resume position"
for applied in 8 10 3 15; do
  dump "$TEST_TMP/t$applied" --slot s3 --publication pub_bt --max-batch-changes 4 \
    --position "$pos" --txn-id "$txn" --txn-applied "$applied"
  is "$(ids bt "$TEST_TMP/t$applied" | tr '\n' ' ')" "$(seq $((applied + 1)) 16 | tr '\n' ' ')" \
    "restart with txn_applied=$applied skips exactly the applied prefix"
  is "$(awk '/^BATCH/ { print $4; exit }' "$TEST_TMP/t$applied")" "first=$applied" \
    "... and numbers the next change $applied"
done
is "$(grep '^BATCH' "$TEST_TMP/t15" | sed -E 's/txn=[^ ]+ pos=[^ ]+ //' | head -1)" "BATCH first=15 n=0 last=1" \
  "a fully applied transaction still yields its commit (empty last batch)"
dump "$TEST_TMP/tother" --slot s3 --publication pub_bt --position "$pos" --txn-id "0/DEADBEEF" --txn-applied 8
is "$(ids bt "$TEST_TMP/tother" | tr '\n' ' ')" "$(seq 1 16 | tr '\n' ' ')" \
  "a checkpoint naming another transaction skips nothing"

done_testing
