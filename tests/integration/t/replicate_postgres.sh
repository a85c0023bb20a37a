#!/usr/bin/env bash
# godwit replicate from PostgreSQL under a live write workload: every kind of
# change (TOAST left unchanged and changed, key changes, deletes + re-inserts in
# one transaction, odd identifiers, REPLICA IDENTITY FULL, a composite key,
# TRUNCATE, a partitioned table, pgcopydb's hard-names CDC workload), then
# drain: target == source, every value, and each change counted exactly once.
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
pgq src postgres "
  CREATE TABLE public.acct (id bigint PRIMARY KEY, bal int NOT NULL, doc text);
  ALTER TABLE public.acct ALTER doc SET STORAGE EXTERNAL;
  INSERT INTO public.acct SELECT g, 0, CASE WHEN g % 10 = 0 THEN repeat(md5(g::text), 400) ELSE 'd' || g END
    FROM generate_series(1, 20000) g;
  CREATE TABLE public.hist (id bigserial PRIMARY KEY, acct bigint, delta int, at timestamptz DEFAULT now());
  CREATE TABLE public.\"Odd \"\"Name\"\" ü\" (\"Key\" int PRIMARY KEY, \"Välue\" text);
  INSERT INTO public.\"Odd \"\"Name\"\" ü\" SELECT g, 'v' FROM generate_series(0, 99) g;
  CREATE TABLE public.full_ident (k1 int, k2 text, v int, PRIMARY KEY (k1, k2));
  ALTER TABLE public.full_ident REPLICA IDENTITY FULL;
  INSERT INTO public.full_ident SELECT g, 'k', 0 FROM generate_series(0, 49) g;
  CREATE TABLE public.prices (id int PRIMARY KEY, p money, ps money[]);
  CREATE TABLE public.scratch (id int PRIMARY KEY, v text);
  INSERT INTO public.scratch SELECT g, 's' FROM generate_series(1, 100) g;
  CREATE TABLE public.parted (id int, region text, v int, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
  CREATE TABLE public.parted_eu PARTITION OF public.parted FOR VALUES IN ('eu');
  CREATE TABLE public.parted_us PARTITION OF public.parted FOR VALUES IN ('us');
  INSERT INTO public.parted SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, 0 FROM generate_series(1, 100) g;"
# twelve tables for the applier's prepared statements: more sizes than it keeps at once
for i in $(seq 1 12); do pgq src postgres "CREATE TABLE public.many_$i (id int PRIMARY KEY, v int)"; done
# pgcopydb's hard names (schemas with quotes and dots, Cyrillic, 63-char names, generated columns)
pgq src postgres "CREATE DATABASE pagila"
pgf src pagila "$SHARED_DATASETS/pagila-postgres/pagila-schema.sql"
pgf src pagila "$SHARED_DATASETS/pagila-postgres/pagila-data.sql"
pgf src pagila "$SHARED_DATASETS/postgres-cdc-pgcopydb/cdc-test-decoding-ddl.sql"
pgq tgt postgres "CREATE DATABASE pagila"

gw fetch --source "$(pg_url src)" --target "$(pg_url tgt)"
is "$GW_RC" 0 "fetch"
# keyless tables without REPLICA IDENTITY FULL: publishing them would break the app's updates
gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila)" --allow-no-pk --slot-name pagila_slot
is "$GW_RC" 3 "fetch refuses to publish keyless tables without a replica identity"
like "$GW_ERR" 'would make UPDATE and DELETE on them fail on the source' "the danger is explained"
like "$GW_ERR" 'xpto2' "the table is named"
gw check --source "$(pg_url src pagila)" --allow-no-pk --format json
like "$GW_OUT" '"name":"replica_identity","status":"FAIL","message":"[0-9]+ tables? without a usable replica identity' "check reports it too"
pgq src pagila 'ALTER TABLE public.xpto2 REPLICA IDENTITY FULL; ALTER TABLE public."""dqname""" REPLICA IDENTITY FULL;'
gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila)" --allow-no-pk --slot-name pagila_slot
is "$GW_RC" 0 "fetch pagila with the pgcopydb CDC objects"
[ "$GW_RC" = 0 ] || diag "$(echo "$GW_ERR" | grep -v '"info"' | tail -5)"

gw_bg "$TEST_TMP/rep.log" replicate --source "$(pg_url src)" --target "$(pg_url tgt)" --metrics-listen-addr 127.0.0.1:0 \
  --log-level debug
REP1=$GW_PID
gw_bg "$TEST_TMP/rep2.log" replicate --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila)" --allow-no-pk
REP2=$GW_PID

# 1,999 rows per table in one flush: statements of 1000, 512, ... 32 rows, 72 kinds, over
# the cache's 64; then deletes and updates of other sizes in later flushes evict and
# prepare again
many_sql() { local i; for i in $(seq 1 12); do echo "$1" | sed "s/TBL/public.many_$i/g"; done; }
pgq src postgres "BEGIN; $(many_sql 'INSERT INTO TBL SELECT g, 0 FROM generate_series(1, 1999) g;') COMMIT;"
sleep 0.5
pgq src postgres "BEGIN; $(many_sql 'DELETE FROM TBL WHERE id <= 999;') COMMIT;"
sleep 0.5
pgq src postgres "BEGIN; $(many_sql 'UPDATE TBL SET v = v + 1 WHERE id % 3 = 0;') COMMIT;"
pgq src postgres "$(many_sql 'UPDATE TBL SET v = v + 7 WHERE id % 250 = 1;')"
"$PGBIN/pgbench" -n -h 127.0.0.1 -p "$src_PORT" -U postgres -c 2 -j 2 -T 6 \
  -f "$(dirname "$0")/../data/pg_workload.sql" postgres >"$TEST_TMP/pgbench.log" 2>&1
ok $? "pgbench workload ran"
pgq src postgres "INSERT INTO public.prices VALUES (1, '-1234567.89', '{1.5,-2000,3}'), (2, NULL, '{}'), (3, '0.01', NULL);
                  UPDATE public.prices SET p = p * 2 WHERE id = 3;"
pgq src postgres "TRUNCATE public.scratch; INSERT INTO public.scratch VALUES (1, 'after truncate');
                  UPDATE public.parted SET v = v + 1 WHERE id <= 10;
                  UPDATE public.parted SET region = 'eu' WHERE id = 3;   -- moves between partitions
                  DELETE FROM public.parted WHERE id = 5;"
(cd "$SHARED_DATASETS/postgres-cdc-pgcopydb" && "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$src_PORT" -U postgres -d pagila \
  -v ON_ERROR_STOP=1 -f cdc-test-decoding-dml.sql >/dev/null 2>"$TEST_TMP/dml.log")
ok $? "pgcopydb's CDC workload ran on pagila" || diag "$(cat "$TEST_TMP/dml.log")"

# drain: the checkpoint passes the source's current position
wait_applied src tgt postgres 60; ok $? "replication drained (postgres)"
wait_applied src tgt pagila 60; ok $? "replication drained (pagila)"

is "$(pg_fingerprint tgt postgres)" "$(pg_fingerprint src postgres)" "target == source after the workload, every value"
is "$(pg_fingerprint tgt pagila)" "$(pg_fingerprint src pagila)" "pagila + pgcopydb CDC workload: target == source"
is "$(pgq tgt postgres "SELECT v FROM public.scratch")" "after truncate" "TRUNCATE replicated"
is "$(pgq tgt postgres "SELECT count(*) FROM public.acct WHERE length(doc) > 10000")" \
   "$(pgq src postgres "SELECT count(*) FROM public.acct WHERE length(doc) > 10000")" "TOASTed values never lost to NULL"

metrics=$(curl -s "http://127.0.0.1:$(grep -o 'serving metrics on http://127.0.0.1:[0-9]*' "$TEST_TMP/rep.log.err" | grep -o '[0-9]*$')/metrics" 2>/dev/null || true)
like "$metrics" 'apply_upserts_total\{table="public.acct"\} [1-9]' "apply_upserts_total exported"
like "$metrics" 'source_commit_to_apply_lag_seconds_count [1-9]' "lag histogram exported"

kill -TERM "$REP1" "$REP2"; wait "$REP1"; rc1=$?; wait "$REP2"; rc2=$?
is "$rc1:$rc2" "0:0" "replicate stops cleanly on SIGTERM (exit 0)"
like "$(cat "$TEST_TMP/rep.log.err")" 'replication stopped at' "final position logged"
like "$(cat "$TEST_TMP/rep.log.err")" 'deallocating prepared statement godwit_s[0-9]+ to make room' \
  "the applier's prepared statements were evicted and prepared again (the many_* tables)"
ckpt=$(pgq tgt postgres "SELECT position FROM _godwit.checkpoint")
is "$(pgq src postgres "SELECT confirmed_flush_lsn >= '$ckpt'::pg_lsn FROM pg_replication_slots WHERE slot_name = 'godwit_slot'")" t \
   "the slot was told everything applied (WAL released)" ||
  diag "checkpoint $ckpt, slot $(pgq src postgres "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'godwit_slot'")"

# --ignore-truncate: the source's TRUNCATE is skipped (and said), other changes applied
pgq src postgres "CREATE DATABASE trunc"
pgq tgt postgres "CREATE DATABASE trunc"
pgq src trunc "CREATE TABLE public.t (id int PRIMARY KEY, v text); INSERT INTO public.t SELECT g, 'v' FROM generate_series(1, 100) g;
               CREATE TABLE public.u (id int PRIMARY KEY, email text UNIQUE); INSERT INTO public.u VALUES (1, 'a'), (2, 'b'), (3, 'c');
               CREATE TABLE public.node (id int PRIMARY KEY, parent int REFERENCES public.node (id)); INSERT INTO public.node VALUES (1, NULL)"
gw fetch --source "$(pg_url src trunc)" --target "$(pg_url tgt trunc)" --slot-name trunc_slot --publication trunc_pub
is "$GW_RC" 0 "fetch (trunc)"
pgq src trunc "TRUNCATE public.t; INSERT INTO public.t VALUES (1000, 'after')"
gw replicate --source "$(pg_url src trunc)" --target "$(pg_url tgt trunc)" --ignore-truncate --stop-when-caught-up
is "$GW_RC" 0 "replicate --ignore-truncate"
like "$GW_ERR" 'ignored 1 TRUNCATE \(first of public.t\): --ignore-truncate keeps the rows on the target' "the skipped TRUNCATE is logged"
is "$(pgq tgt trunc "SELECT count(*) FROM public.t")" 101 "the target kept its rows and got the new one"
pgq src trunc "INSERT INTO public.t VALUES (1, 'again')"
gw replicate --source "$(pg_url src trunc)" --target "$(pg_url tgt trunc)" --ignore-truncate --stop-when-caught-up
is "$(pgq tgt trunc "SELECT v FROM public.t WHERE id = 1")" again "--ignore-truncate: a re-inserted key overwrites the kept row"

# Collapsed flushes the target's constraints refuse, each replayed another way:
# two rows swapping a unique value (upserts refused too: exact source order) ...
rows() { pgq "$1" trunc "SELECT string_agg(id || '=' || coalesce($2::text, '-'), ',' ORDER BY id) FROM public.$3"; }
pgq src trunc "BEGIN; UPDATE public.u SET email = 'tmp' WHERE id = 1; UPDATE public.u SET email = 'a' WHERE id = 2;
                      UPDATE public.u SET email = 'b' WHERE id = 1; COMMIT"
gw replicate --source "$(pg_url src trunc)" --target "$(pg_url tgt trunc)" --ignore-truncate --stop-when-caught-up --log-level debug
is "$GW_RC:$(rows tgt email u)" "0:1=b,2=a,3=c" "a unique value swapped between two rows: applied"
like "$GW_ERR" 'replaying [0-9]+ changes in source order' "... by replaying the flush in source order"
# ... an existing row taking a new row as parent in one table (plain INSERTs come after
# the upserts: the foreign key refuses; one upsert per table does it), and a unique
# value handed from an existing row to a new one (fine in that order)
pgq src trunc "BEGIN; INSERT INTO public.node VALUES (10, NULL); UPDATE public.node SET parent = 10 WHERE id = 1;
                      UPDATE public.u SET email = 'z' WHERE id = 3; INSERT INTO public.u VALUES (4, 'c'); COMMIT"
gw replicate --source "$(pg_url src trunc)" --target "$(pg_url tgt trunc)" --ignore-truncate --stop-when-caught-up
is "$GW_RC:$(rows tgt parent node):$(rows tgt email u)" "0:1=10,10=-:1=b,2=a,3=z,4=c" \
   "a row referring to a new parent, a unique value handed to a new row: applied"
# ... and serialization failures (SQLSTATE 40001, what CockroachDB raises under
# contention), injected twice by a trigger on the target: the flush is retried
pgq tgt trunc "CREATE SEQUENCE public.fail_seq;
  CREATE FUNCTION public.fail_twice() RETURNS trigger LANGUAGE plpgsql AS \$\$
  BEGIN IF nextval('public.fail_seq') <= 2 THEN RAISE EXCEPTION 'injected' USING ERRCODE = '40001'; END IF; RETURN NEW; END \$\$;
  CREATE TRIGGER fail_twice BEFORE INSERT OR UPDATE ON public.node FOR EACH ROW EXECUTE FUNCTION public.fail_twice()"
pgq src trunc "UPDATE public.node SET parent = NULL WHERE id = 1"
gw replicate --source "$(pg_url src trunc)" --target "$(pg_url tgt trunc)" --ignore-truncate --stop-when-caught-up --log-level debug
# the trigger ran 4 times: twice refusing, then for the upsert's INSERT and its UPDATE
is "$GW_RC:$(rows tgt parent node):$(pgq tgt trunc "SELECT last_value FROM public.fail_seq")" "0:1=-,10=-:4" \
   "two serialization failures: the flush retried and applied"
is "$(printf '%s\n' "$GW_ERR" | grep -c 'retrying the flush after SQLSTATE 40001')" 2 "... each retry logged"
unlike "$GW_ERR" 'plain INSERT was refused' "none of these made the applier give up plain INSERTs"

# A target that is not the source's copy (rows the skipped TRUNCATE kept), replicated
# without --ignore-truncate: the plain INSERT of a row new on the source meets the kept
# row; the flush is replayed with upserts, which stay for the rest of the run
pgq src trunc "INSERT INTO public.t VALUES (2, 'source'), (1001, 'new')"
gw replicate --source "$(pg_url src trunc)" --target "$(pg_url tgt trunc)" --stop-when-caught-up
is "$GW_RC" 0 "replicate over a key the target already has"
like "$GW_ERR" 'plain INSERT was refused where upserts were not .*t_pkey.*inserting by upserts from now on' \
  "the fallback is logged"
is "$(pgq tgt trunc "SELECT string_agg(id || '=' || v, ',' ORDER BY id) FROM public.t WHERE id IN (1, 2, 1000, 1001)")" \
   "1=again,2=source,1000=after,1001=new" "the source's values won, every row applied once"

done_testing
