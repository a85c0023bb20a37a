#!/usr/bin/env bash
# godwit fetch from PostgreSQL: the real datasets copy exactly (every value of
# every table), the summary and state are right, and a second run knows it is done.
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
D=$SHARED_DATASETS

# Pagila (partitioned payment, enums, domains incl. a unicode name, arrays, tsvector, bytea)
pgq src postgres "CREATE DATABASE pagila"
pgf src pagila "$D/pagila-postgres/pagila-schema.sql"
pgf src pagila "$D/pagila-postgres/pagila-data.sql"
pgq tgt postgres "CREATE DATABASE pagila"

gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila)" --format json
is "$GW_RC" 0 "fetch of pagila succeeds"
like "$GW_OUT" '"type":"summary"' "summary printed"
like "$GW_OUT" '"cdc_cursor":"[0-9A-F]+/[0-9A-F]+"' "summary has the cdc cursor"
src_fp=$(pg_fingerprint src pagila)
tgt_fp=$(pg_fingerprint tgt pagila)
is "$tgt_fp" "$src_fp" "every pagila table is identical on the target"
is "$(pgq tgt pagila "SELECT count(*) FROM public.payment")" 16049 "partitioned payment copied through its parent"
is "$(pgq src pagila "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'godwit_slot'")" 1 "slot created"
is "$(pgq src pagila "SELECT count(*) FROM pg_publication WHERE pubname = 'godwit_pub'")" 1 "publication created"
is "$(pgq tgt pagila "SELECT status FROM _godwit.runs ORDER BY run_id DESC LIMIT 1")" done "run recorded as done"
is "$(pgq tgt pagila "SELECT count(*) FROM _godwit.shards WHERE status <> 'done'")" 0 "no pending shard"
like "$GW_ERR" 'created primary key of public.rental \(.*right after its copy' "indexes are built while other tables copy"
like "$GW_ERR" 'finalize: [0-9]+ created, [1-9][0-9]* already present, 0 rejected \(best effort\), 0 failed' \
  "and finalize finds them in place"
PAGILA_INDEXES="SELECT count(*) FROM pg_catalog.pg_indexes i JOIN pg_catalog.pg_class c ON c.relname = i.tablename
                AND c.relnamespace = 'public'::regnamespace WHERE i.schemaname = 'public' AND NOT c.relispartition
                AND c.relkind IN ('r', 'p')"
is "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'")" \
   "$(pgq src pagila "$PAGILA_INDEXES")" "every index of the source exists"
is "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_index WHERE NOT indisvalid")" 0 "no invalid index"

gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila)"
is "$GW_RC" 7 "a second fetch says the run is done (state error 7)"
like "$GW_ERR" 'already finished' "message says so"

# --- the same source again into a fresh target: slot exists ---
pgq tgt postgres "CREATE DATABASE pagila2"
gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila2)"
is "$GW_RC" 3 "an existing slot is a source error"
like "$GW_ERR" 'replication slot .*godwit_slot.* already exists' "existing slot named"
like "$GW_ERR" 'replace-slot' "hint mentions --replace-slot"
gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila2)" --slot-name other_slot --publication other_pub
is "$GW_RC" 0 "another slot name works"
is "$(pg_fingerprint tgt pagila2)" "$src_fp" "second copy identical too"
is "$(pgq tgt pagila2 "SELECT count(*) FROM pg_catalog.pg_class c WHERE c.relkind = 'r'
                       AND c.relnamespace = 'public'::regnamespace
                       AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p')")" \
   0 "primary keys built after the copy (every table has one)"

# --- a stop while the index builder waits: the build is cancelled, the rerun finishes ---
pgq tgt postgres "CREATE DATABASE pagila_stop" >/dev/null
gw schema --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila_stop)"
is "$GW_RC" 0 "schema created ahead of the fetch"
# ROW EXCLUSIVE lets the copy in but holds off CREATE INDEX and ADD PRIMARY KEY
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$tgt_PORT" -U postgres -d pagila_stop \
  -c "BEGIN; LOCK TABLE public.film IN ROW EXCLUSIVE MODE; SELECT pg_sleep(120);" >/dev/null 2>&1 &
LOCKER=$!
bg_track $LOCKER
builder_waiting() {
  test "$(pgq tgt postgres "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = 'pagila_stop'
                            AND wait_event_type = 'Lock' AND query LIKE 'ALTER TABLE%'")" -ge 1
}
gw_bg "$TEST_TMP/fetch-stop.log" fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila_stop)" --no-replication
if wait_until 60 builder_waiting; then
  pass "the index builder waits on the locked table"
  stopped_at=$(date +%s)
  kill -INT "$GW_PID"
  wait "$GW_PID"; rc=$?
  is "$rc" 8 "SIGINT stops the fetch (interrupted, exit 8)"
  ok "$( [ $(( $(date +%s) - stopped_at )) -le 10 ]; echo $?)" "promptly: the waiting build is cancelled"
  is "$(pgq tgt postgres "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = 'pagila_stop'
                          AND query LIKE 'ALTER TABLE%' AND state <> 'idle'")" 0 "no build is left running"
else
  fail "the index builder waits on the locked table"; diag "$(tail -5 "$TEST_TMP/fetch-stop.log")"
  kill -INT "$GW_PID"; wait "$GW_PID"
fi
kill "$LOCKER" 2>/dev/null
pgq tgt postgres "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
                  WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null
gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila_stop)" --no-replication
is "$GW_RC" 0 "the rerun finishes" || diag "$GW_ERR"
is "$(pg_fingerprint tgt pagila_stop)" "$src_fp" "the data is complete"
is "$(pgq tgt pagila_stop "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'")" \
   "$(pgq src pagila "$PAGILA_INDEXES")" "and every index exists"

# --- --skip-finalize: tables without primary keys yet; replicate refuses them ---
pgq tgt postgres "CREATE DATABASE pagila3"
gw fetch --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila3)" --slot-name third_slot \
  --publication third_pub --skip-finalize
is "$GW_RC" 0 "fetch --skip-finalize"
is "$(pgq tgt pagila3 "SELECT count(*) FROM pg_catalog.pg_constraint WHERE contype = 'p'
                       AND connamespace = 'public'::regnamespace")" 0 "no primary key before finalize"
gw replicate --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila3)" --stop-when-caught-up
is "$GW_RC" 7 "replicate refuses a copy that is not finalized (state error 7)"
like "$GW_ERR" 'no primary key yet.*not been finalized' "it says why"
like "$GW_ERR" 'godwit finalize' "and what to run"
gw finalize --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila3)"
is "$GW_RC" 0 "finalize"
gw replicate --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila3)" --stop-when-caught-up
is "$GW_RC" 0 "then replicate runs"
pgq src pagila "SELECT pg_drop_replication_slot('third_slot')" >/dev/null

# --- type fixtures, one database each (Debezium's DDL drops schema public) ---
# duckdb: arrays incl. NULL elements, giant numerics, case-only names, domains as PK,
# a partitioned table, a 1,000,000-row table, 360 decimal tables
pgq src postgres "CREATE DATABASE duck"
for f in all_pg_types.sql other.sql decimals.sql; do pgf src duck "$D/postgres-types-duckdb/$f"; done
pgq tgt postgres "CREATE DATABASE duck"
gw fetch --source "$(pg_url src duck)" --target "$(pg_url tgt duck)" --allow-no-pk --no-replication
is "$GW_RC" 0 "fetch of the duckdb type fixtures succeeds"
[ "$GW_RC" = 0 ] || diag "$(echo "$GW_ERR" | tail -5)"
is "$(pg_fingerprint tgt duck)" "$(pg_fingerprint src duck)" "every duckdb fixture value identical"
is "$(pgq tgt duck "SELECT count(*) FROM public.big_generated_table")" 1000000 "the 1,000,000-row table"

# Debezium: NaN/infinity, money, ranges, hstore/ltree/isn/citext, names with quotes, spaces, dots
pgq src postgres "CREATE DATABASE dbz"
pgq src dbz "CREATE EXTENSION hstore; CREATE EXTENSION ltree; CREATE EXTENSION isn; CREATE EXTENSION citext;"
for f in init_database.ddl postgres_create_tables.ddl inserts_from_AbstractRecordsProducerTest.sql; do
  pgf src dbz "$D/postgres-types-debezium/$f" 2>/dev/null
done
pgq tgt postgres "CREATE DATABASE dbz"
pgq tgt dbz "CREATE EXTENSION hstore; CREATE EXTENSION ltree; CREATE EXTENSION isn; CREATE EXTENSION citext;"
gw fetch --source "$(pg_url src dbz)" --target "$(pg_url tgt dbz)" --allow-no-pk --no-replication
is "$GW_RC" 0 "fetch of the Debezium type fixtures succeeds"
[ "$GW_RC" = 0 ] || diag "$(echo "$GW_ERR" | tail -5)"
is "$(pg_fingerprint tgt dbz)" "$(pg_fingerprint src dbz)" "every Debezium fixture value identical"
ok "$( [ "$(pg_fingerprint src dbz | wc -l)" -gt 20 ]; echo $?)" "the Debezium fixtures have their 20+ tables"

# Chinook (PostgreSQL flavour; the script creates its own database)
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$src_PORT" -U postgres -d postgres \
  -f "$D/chinook/Chinook_PostgreSql.sql" >/dev/null 2>&1 || bail "chinook did not load"
pgq tgt postgres "CREATE DATABASE chinook"
gw fetch --source "$(pg_url src chinook)" --target "$(pg_url tgt chinook)" --no-replication
is "$GW_RC" 0 "fetch of Chinook succeeds"
is "$(pg_fingerprint tgt chinook)" "$(pg_fingerprint src chinook)" "every Chinook value identical"

# pgcopydb's CDC fixtures on Pagila: a Cyrillic table in a schema with a quote,
# 63-character names, special types, then their DML
pgq src postgres "CREATE DATABASE pgcdc"
pgf src pgcdc "$D/pagila-postgres/pagila-schema.sql"
pgf src pgcdc "$D/pagila-postgres/pagila-data.sql"
for f in cdc-test-decoding-ddl.sql cdc-pgoutput-special-ddl.sql cdc-test-decoding-dml.sql cdc-pgoutput-special-dml.sql; do
  pgf src pgcdc "$D/postgres-cdc-pgcopydb/$f" >/dev/null 2>&1
done
pgq tgt postgres "CREATE DATABASE pgcdc"
gw fetch --source "$(pg_url src pgcdc)" --target "$(pg_url tgt pgcdc)" --no-replication --allow-no-pk
is "$GW_RC" 0 "fetch of pgcopydb's CDC fixtures succeeds"
[ "$GW_RC" = 0 ] || diag "$(echo "$GW_ERR" | grep '"error"' | tail -5)"
is "$(pg_fingerprint tgt pgcdc)" "$(pg_fingerprint src pgcdc)" "every value identical (odd identifiers included)"

done_testing
