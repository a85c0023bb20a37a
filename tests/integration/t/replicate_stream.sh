#!/usr/bin/env bash
# Replication of big transactions that PostgreSQL streams while they run
# (pgoutput protocol 2, streaming on; the source's logical_decoding_work_mem
# at its 64 kB minimum, so every transaction over a few hundred rows
# streams): a savepoint rolled back inside one, an aborted one, two streamed
# at once (their blocks interleaved), a key change and TOASTed values inside
# one, under a steady counted load; then kill -9 cycles while a 60,000-row
# transaction streams.  After draining: target == source, the checkpoint
# counted every change exactly once, and no spool file is left behind.
. "$(dirname "$0")/../lib/harness.sh"

pg_node src "logical_decoding_work_mem = '64kB'"
pg_node tgt
pgq src postgres "CREATE TABLE public.acct (id bigint PRIMARY KEY, bal int NOT NULL, doc text);
  ALTER TABLE public.acct ALTER doc SET STORAGE EXTERNAL;
  INSERT INTO public.acct SELECT g, 0, CASE WHEN g % 100 = 0 THEN repeat(md5(g::text), 300) ELSE 'd' || g END
    FROM generate_series(1, 20000) g;
  CREATE TABLE public.hist (id bigserial PRIMARY KEY, acct bigint, delta int, at timestamptz DEFAULT now());
  CREATE TABLE public.big (id int PRIMARY KEY, payload text);"
gw fetch --source "$(pg_url src)" --target "$(pg_url tgt)"
is "$GW_RC" 0 "fetch"
SPOOLTMP=$TEST_TMP/spooltmp
mkdir -p "$SPOOLTMP"
REP=(replicate --source "$(pg_url src)" --target "$(pg_url tgt)" --log-level debug)
export TMPDIR=$SPOOLTMP

gw_bg "$TEST_TMP/rep1.log" "${REP[@]}"
REP1=$GW_PID
"$PGBIN/pgbench" -n -h 127.0.0.1 -p "$src_PORT" -U postgres -c 2 -j 2 -R 100 -T 600 \
  -f "$(dirname "$0")/../data/pg_counted.sql" postgres >"$TEST_TMP/pgbench.log" 2>&1 &
LOAD=$!
bg_track "$LOAD"
sql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$src_PORT" -U postgres -d postgres "$@"; }

# T1: 5,000 + 3,000 + 50 changes; the savepoint's 3,000 updates are rolled back
sql -c "BEGIN;
  UPDATE public.acct SET bal = bal + 1 WHERE id <= 5000;
  SAVEPOINT a;
  UPDATE public.acct SET bal = bal + 1000 WHERE id <= 3000;
  ROLLBACK TO SAVEPOINT a;
  SAVEPOINT b;
  INSERT INTO public.big SELECT g, 'p' || g FROM generate_series(1, 3000) g;
  RELEASE SAVEPOINT b;
  UPDATE public.big SET payload = repeat(md5(id::text), 200) WHERE id <= 50;
  COMMIT;"
ok $? "a streamed transaction with a savepoint rolled back"
# T2: aborted
sql -c "BEGIN; UPDATE public.acct SET bal = bal - 999 WHERE id <= 8000; ROLLBACK;"
ok $? "a streamed transaction rolled back"
# T3 and T4 at once: 4,000 inserts and 6,000 updates, their stream blocks interleaved
sql -c "BEGIN;
  INSERT INTO public.big SELECT g, 'q' FROM generate_series(10001, 12000) g; SELECT pg_sleep(0.4);
  INSERT INTO public.big SELECT g, 'q' FROM generate_series(12001, 14000) g; SELECT pg_sleep(0.4);
  COMMIT;" >/dev/null &
T3=$!
sql -c "BEGIN;
  UPDATE public.acct SET bal = bal + 2 WHERE id BETWEEN 10001 AND 13000; SELECT pg_sleep(0.4);
  UPDATE public.acct SET bal = bal + 3, doc = doc || 'x' WHERE id BETWEEN 13001 AND 16000; SELECT pg_sleep(0.4);
  COMMIT;" >/dev/null
wait "$T3"
ok $? "two streamed transactions at once"
# T5: 500 key changes inside a streamed transaction
sql -c "UPDATE public.big SET id = id + 100000 WHERE id <= 500"
ok $? "key changes in a streamed transaction"

# kill -9 while a 60,000-row transaction streams (and is spooled or replayed)
sql -c "INSERT INTO public.big SELECT g, repeat('z', 40) FROM generate_series(200001, 260000) g" &
T6=$!
sleep 0.3
kill -9 "$REP1"; wait "$REP1" 2>/dev/null
kill9_cycles 5 "$TEST_TMP/rep-kill" "${REP[@]}"
wait "$T6"
ok $? "a 60,000-row transaction committed during the kill -9 cycles"
pass "kill -9 cycles while transactions streamed"

gw_bg "$TEST_TMP/rep2.log" "${REP[@]}"
REP2=$GW_PID
sleep 1
kill "$LOAD"; wait "$LOAD" 2>/dev/null
wait_applied src tgt postgres 120
ok $? "drained"
kill -TERM "$REP2"; wait "$REP2"
is "$?" 0 "replicate stopped cleanly"

logs=$(cat "$TEST_TMP"/rep1.log.err "$TEST_TMP"/rep-kill-*.log.err "$TEST_TMP"/rep2.log.err)
like "$logs" "\"proto_version\\\\\" '2'.*\"streaming\\\\\" 'on'" "protocol 2 with streaming was asked for"
like "$logs" 'streamed transaction [0-9]+ committed at .*: replaying it from the spool' "streamed transactions were replayed from the spool"
like "$logs" 'streamed subtransaction [0-9]+ aborted' "the rolled-back savepoint came as a subtransaction abort"
like "$logs" 'streamed transaction [0-9]+ aborted' "the rolled-back transaction came as a stream abort"

is "$(pg_fingerprint tgt postgres public)" "$(pg_fingerprint src postgres public)" "target == source, every value"
hist=$(pgq src postgres "SELECT count(*) FROM public.hist")
expected=$((2 * hist + 5000 + 3000 + 50 + 4000 + 6000 + 500 + 60000))
is "$(pgq tgt postgres "SELECT changes_applied FROM _godwit.checkpoint")" "$expected" \
   "every change applied exactly once ($hist counted transactions + the streamed ones)"
# a spool that cannot be written: a clear error, nothing applied past it, and the
# rerun with a usable TMPDIR finishes the job
pgq src postgres "INSERT INTO public.big SELECT g, 'late' FROM generate_series(300001, 302000) g"
TMPDIR=$TEST_TMP/no-such-dir gw "${REP[@]}" --stop-when-caught-up
is "$GW_RC" 3 "replicate stops when the spool cannot be created (source stream error, 3)"
like "$GW_ERR" 'could not create the directory of a spool file .*no-such-dir' "and says where"
like "$GW_ERR" 'point TMPDIR at a larger disk' "and what to do"
is "$(pgq tgt postgres "SELECT count(*) FROM public.big WHERE id > 300000")" 0 "nothing of the transaction applied"
gw "${REP[@]}" --stop-when-caught-up
is "$GW_RC" 0 "the rerun with a usable TMPDIR catches up"
is "$(pg_fingerprint tgt postgres public)" "$(pg_fingerprint src postgres public)" "target == source again"

is "$(find "$SPOOLTMP" -mindepth 1 -maxdepth 1 -name 'godwit-spool-*' | wc -l)" 0 \
   "no spool left behind (the killed runs' removed by the next run)"

done_testing
