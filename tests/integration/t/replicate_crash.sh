#!/usr/bin/env bash
# Exactly-once replication from PostgreSQL across crashes, under a steady write
# load: 20 cycles of kill -9 of godwit replicate at random moments, then 10
# cycles of pg_terminate_backend on its walsender (godwit reconnects by itself).
# After draining: target == source, and the checkpoint counted every source
# change exactly once (each workload transaction makes exactly two changes).
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
pgq src postgres "CREATE TABLE public.acct (id bigint PRIMARY KEY, bal int NOT NULL, doc text);
  INSERT INTO public.acct SELECT g, 0, 'd' || g FROM generate_series(1, 20000) g;
  CREATE TABLE public.hist (id bigserial PRIMARY KEY, acct bigint, delta int, at timestamptz DEFAULT now());"
gw fetch --source "$(pg_url src)" --target "$(pg_url tgt)"
is "$GW_RC" 0 "fetch"
REP=(replicate --source "$(pg_url src)" --target "$(pg_url tgt)" --flush-interval 50ms --apply-batch-size 500)

"$PGBIN/pgbench" -n -h 127.0.0.1 -p "$src_PORT" -U postgres -c 2 -j 2 -R 200 -T 600 \
  -f "$(dirname "$0")/../data/pg_counted.sql" postgres >"$TEST_TMP/pgbench.log" 2>&1 &
LOAD=$!
bg_track "$LOAD"

kill9_cycles 20 "$TEST_TMP/rep-kill" "${REP[@]}"
pass "20 kill -9 cycles under load"

gw_bg "$TEST_TMP/rep-term.log" "${REP[@]}"
terms=0
for i in $(seq 1 10); do
  sleep "1.$(( RANDOM % 10 ))"
  n=$(pgq src postgres "SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots
                        WHERE slot_name = 'godwit_slot' AND active_pid IS NOT NULL")
  terms=$((terms + n))
done
ok "$( [ "$terms" -ge 8 ]; echo $?)" "terminated the walsender $terms times"
kill -0 "$GW_PID" 2>/dev/null
ok $? "replicate survived every walsender termination"

kill "$LOAD"; wait "$LOAD" 2>/dev/null
wait_applied src tgt postgres 120
ok $? "drained after the crashes"
kill -TERM "$GW_PID"; wait "$GW_PID"
is "$?" 0 "replicate stopped cleanly"
like "$(cat "$TEST_TMP/rep-term.log.err")" 'reconnecting from the checkpoint' "reconnects were logged"
unlike "$(cat "$TEST_TMP"/rep-kill-*.log.err "$TEST_TMP/rep-term.log.err")" 'plain INSERT was refused' \
  "no INSERT was applied twice (a plain INSERT never met its own row after a crash)"

is "$(pg_fingerprint tgt postgres public)" "$(pg_fingerprint src postgres public)" "target == source"
hist=$(pgq src postgres "SELECT count(*) FROM public.hist")
ok "$( [ "$hist" -gt 500 ]; echo $?)" "the workload committed $hist transactions"
is "$(pgq tgt postgres "SELECT changes_applied FROM _godwit.checkpoint")" "$((2 * hist))" \
   "every source change applied exactly once (2 per transaction)"

done_testing
