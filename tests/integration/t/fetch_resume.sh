#!/usr/bin/env bash
# Crash safety of fetch: kill -9 at random moments, rerun the same command, and
# the target ends identical to the source; shards finished before a kill are
# never copied again (their copied_at does not change).
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
pgq src postgres "CREATE TABLE public.big (id bigint PRIMARY KEY, k int NOT NULL, payload text);
  INSERT INTO public.big SELECT g, g % 1000, repeat(md5(g::text), 3) FROM generate_series(1, 600000) g;
  CREATE TABLE public.\"Other Table\" (\"Id\" uuid PRIMARY KEY, v numeric(12,3), t timestamptz);
  INSERT INTO public.\"Other Table\" SELECT md5(g::text)::uuid, g / 7.0, now() - g * interval '1 minute'
    FROM generate_series(1, 150000) g;
  CREATE INDEX big_k ON public.big (k);
  CREATE TABLE public.small (code text PRIMARY KEY, n int);
  INSERT INTO public.small SELECT 'k' || g, g FROM generate_series(1, 500) g;
  ANALYZE;"
SRC=$(pg_url src); TGT=$(pg_url tgt)
ARGS=(fetch --source "$SRC" --target "$TGT" --shard-size 2MB --table-concurrency 2 --export-concurrency 2)

kills=0
for round in 1 2 3 4 5 6; do
  gw_bg "$TEST_TMP/fetch-$round.log" "${ARGS[@]}"
  sleep "0.$(( RANDOM % 9 + 1 ))"
  if kill -0 "$GW_PID" 2>/dev/null; then
    # shards done so far, with their copy time: they must never change again
    pgq tgt postgres "SELECT table_name || '#' || shard_no || '@' || copied_at FROM _godwit.shards
                      WHERE status = 'done' ORDER BY 1" >"$TEST_TMP/done-before-$round.txt" 2>/dev/null
    kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null
    kills=$((kills + 1))
    pgq tgt postgres "SELECT table_name || '#' || shard_no || '@' || copied_at FROM _godwit.shards
                      WHERE status = 'done' ORDER BY 1" >"$TEST_TMP/done-after-kill-$round.txt" 2>/dev/null
  else
    wait "$GW_PID"
    break
  fi
done
diag "killed fetch $kills times"

gw "${ARGS[@]}"
if [ "$GW_RC" = 7 ]; then
  pass "fetch completed in an earlier round"
else
  is "$GW_RC" 0 "the rerun after the kills completes"
fi
[ "$GW_RC" -le 7 ] || diag "$(echo "$GW_ERR" | tail -5)"
is "$(pg_fingerprint tgt postgres public)" "$(pg_fingerprint src postgres public)" "target identical to the source"
is "$(pgq tgt postgres "SELECT count(*) FROM _godwit.shards WHERE status <> 'done'")" 0 "every shard done"
# the index builder ran during the copy and was killed with it: every index exists once, valid
is "$(pgq tgt postgres "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'")" \
   "$(pgq src postgres "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'")" \
   "every index of the source exists"
is "$(pgq tgt postgres "SELECT count(*) FROM pg_catalog.pg_index WHERE NOT indisvalid")" 0 "no invalid index"
ok "$( [ "$(pgq tgt postgres "SELECT count(*) FROM _godwit.shards WHERE table_name = 'big'")" -gt 4 ]; echo $?)" "the big table was split into several shards"

# shards done before a kill kept their copy time: not copied again
final=$(pgq tgt postgres "SELECT table_name || '#' || shard_no || '@' || copied_at FROM _godwit.shards
                          WHERE status = 'done' ORDER BY 1")
recopied=0
for f in "$TEST_TMP"/done-before-*.txt; do
  [ -s "$f" ] || continue
  while IFS= read -r line; do
    grep -qxF -- "$line" <<<"$final" || { recopied=$((recopied + 1)); diag "re-copied: $line"; }
  done <"$f"
done
is "$recopied" 0 "no finished shard was copied twice"
is "$(pgq tgt postgres "SELECT sum(rows_copied) FROM _godwit.shards WHERE table_name = 'big'")" 600000 "rows recorded per shard add up"
is "$(pgq src postgres "SELECT count(*) FROM pg_replication_slots")" 1 "exactly one slot left on the source"

# a kill between recording the run and committing its shard plan leaves a run
# without shards: the rerun must plan and copy, not declare it finished
pgq tgt postgres "DELETE FROM _godwit.shards; UPDATE _godwit.runs SET status = 'running', snapshot_position = NULL;
                  TRUNCATE public.big, public.small, public.\"Other Table\""
gw "${ARGS[@]}"
is "$GW_RC" 0 "a run killed before its shard plan committed is planned again"
is "$(pg_fingerprint tgt postgres public)" "$(pg_fingerprint src postgres public)" "and copied completely"
is "$(pgq src postgres "SELECT count(*) FROM pg_replication_slots")" 1 "its orphaned slot was replaced, not duplicated"

done_testing
