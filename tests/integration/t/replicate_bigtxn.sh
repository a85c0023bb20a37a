#!/usr/bin/env bash
# One source transaction of 1,000,000 rows (inserts, then an update of every
# row, in the same transaction) replicates with bounded memory: the stream cuts
# it into chunks and the applier checkpoints inside it.  Also: a kill -9 in the
# middle of applying it resumes inside the transaction without duplicates.
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
pgq src postgres "CREATE TABLE public.big (id bigint PRIMARY KEY, v int, pad text)"
gw fetch --source "$(pg_url src)" --target "$(pg_url tgt)"
is "$GW_RC" 0 "fetch (empty table)"
pgq src postgres "BEGIN;
  INSERT INTO public.big SELECT g, 0, 'p' || g FROM generate_series(1, 1000000) g;
  UPDATE public.big SET v = 1 WHERE id % 2 = 0;
  COMMIT;"
REP=(replicate --source "$(pg_url src)" --target "$(pg_url tgt)" --apply-batch-size 20000 --stop-when-caught-up)

# first attempt: killed while inside the transaction
gw_bg "$TEST_TMP/rep1.log" "${REP[@]}"
wait_until 120 bash -c "[ -n \"\$(\"$PGBIN/psql\" -X -A -t -h 127.0.0.1 -p $tgt_PORT -U postgres \
    -c \"SELECT txn_id FROM _godwit.checkpoint WHERE txn_applied > 100000\")\" ]"
ok $? "the checkpoint moved inside the big transaction"
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null
inside=$(pgq tgt postgres "SELECT txn_applied FROM _godwit.checkpoint")
diag "killed with $inside of 1,500,000 changes of the transaction applied"

/usr/bin/time -f "%M" -o "$TEST_TMP/rss.txt" "$GODWIT" "${REP[@]}" >"$TEST_TMP/rep2.out" 2>"$TEST_TMP/rep2.err"
is "$?" 0 "the rerun resumes inside the transaction and catches up"
like "$(cat "$TEST_TMP/rep2.err")" 'inside a transaction' "resume point inside the transaction logged"
rss_kb=$(tail -1 "$TEST_TMP/rss.txt")
diag "peak RSS of the resumed replicate: $((rss_kb / 1024)) MB"
if [ -z "${ASAN_OPTIONS:-}" ]; then
  ok "$( [ "$rss_kb" -lt 204800 ]; echo $?)" "peak RSS under 200 MB ($((rss_kb / 1024)) MB)"
else
  skip "RSS bound is measured without sanitizers (bench/replicate-pg.sh)"
fi
is "$(pg_fingerprint tgt postgres public)" "$(pg_fingerprint src postgres public)" "target == source"
is "$(pgq tgt postgres "SELECT changes_applied FROM _godwit.checkpoint")" 1500000 \
   "1,500,000 changes applied exactly once across the kill"

done_testing
