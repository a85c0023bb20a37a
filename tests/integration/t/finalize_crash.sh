#!/usr/bin/env bash
# godwit finalize survives a crash: killed (SIGKILL) while some objects are
# built and others wait on a lock, then run again, it creates what is
# missing, validates what was left NOT VALID, and reports success; a third
# run finds everything in place.  Pagila with its data on the target (the
# bulk copy is simulated with COPY).
. "$(dirname "$0")/../lib/harness.sh"
D=$SHARED_DATASETS

pg_node src
pg_node tgt
pgq src postgres "CREATE DATABASE pagila" >/dev/null
pgf src pagila "$D/pagila-postgres/pagila-schema.sql"
pgf src pagila "$D/pagila-postgres/pagila-data.sql"
pgq tgt postgres "CREATE DATABASE pagila" >/dev/null
SRC=$(pg_url src pagila)
TGT=$(pg_url tgt pagila)

gw schema --source "$SRC" --target "$TGT"
is "$GW_RC" 0 "schema created"

# the bulk copy, as fetch would do it
for t in $(pgq src pagila "SELECT quote_ident(relname) FROM pg_catalog.pg_class
                           WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition"); do
  "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$src_PORT" -U postgres -d pagila -c "COPY (SELECT * FROM public.$t) TO STDOUT" |
    "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$tgt_PORT" -U postgres -d pagila -c "COPY public.$t FROM STDIN" \
    || bail "copy of $t failed"
done
is "$(pgq tgt pagila "SELECT count(*) FROM public.payment")" "16049" "data copied"

# a crash between ADD CONSTRAINT ... NOT VALID and VALIDATE, left behind
pgq tgt pagila "ALTER TABLE public.film ADD CONSTRAINT film_language_id_fkey FOREIGN KEY (language_id)
                REFERENCES public.language (language_id) ON UPDATE CASCADE ON DELETE RESTRICT NOT VALID"

# hold rental so that its objects wait, then kill finalize in the middle
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$tgt_PORT" -U postgres -d pagila \
  -c "BEGIN; LOCK TABLE public.rental IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120);" >/dev/null 2>&1 &
bg_track $!
rental_locked() {
  test "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_locks WHERE mode = 'AccessExclusiveLock'
                          AND relation = 'public.rental'::regclass AND granted")" = 1
}
workers_waiting() {
  test "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_stat_activity
                          WHERE wait_event_type = 'Lock' AND datname = 'pagila'")" -ge 2
}
wait_until 20 rental_locked || bail "rental could not be locked"
gw_bg "$TEST_TMP/godwit-finalize1.out" finalize --source "$SRC" --target "$TGT" --index-concurrency 2
wait_until 60 workers_waiting || bail "finalize workers never waited on rental"
created=$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'")
kill -9 "$GW_PID"
wait "$GW_PID" 2>/dev/null
pass "finalize killed with SIGKILL while blocked ($created indexes existed)"
is "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_indexes WHERE tablename = 'rental'")" "0" \
   "rental's indexes are not built yet (its primary key neither)"

# let the orphaned server sessions of the killed run go on, or die
pgq tgt pagila "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity
                WHERE query LIKE '%pg_sleep(120)%' AND pid <> pg_backend_pid()" >/dev/null

gw finalize --source "$SRC" --target "$TGT" --index-concurrency 3
is "$GW_RC" 0 "finalize rerun after the crash succeeds" || diag "$GW_ERR"
like "$GW_OUT" ', 0 failed' "nothing failed"

SRC_INDEXES="SELECT count(*) FROM pg_catalog.pg_indexes i JOIN pg_catalog.pg_class c ON c.relname = i.tablename
             AND c.relnamespace = 'public'::regnamespace WHERE i.schemaname = 'public' AND NOT c.relispartition
             AND c.relkind IN ('r', 'p')"
is "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'")" \
   "$(pgq src pagila "$SRC_INDEXES")" "every index of the source exists"
is "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_index WHERE NOT indisvalid")" "0" "no invalid index"
is "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_constraint WHERE contype = 'f'")" \
   "$(pgq src pagila "SELECT count(*) FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
                      WHERE contype = 'f' AND conparentid = 0 AND NOT c.relispartition")" "every foreign key exists"
is "$(pgq tgt pagila "SELECT count(*) FROM pg_catalog.pg_constraint WHERE NOT convalidated")" "0" \
   "the foreign key left NOT VALID by the crash is validated"
is "$(pgq tgt pagila "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'public'
                      AND column_default IS NOT NULL")" \
   "$(pgq src pagila "SELECT count(*) FROM information_schema.columns c JOIN information_schema.tables t
                      USING (table_schema, table_name) WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                      AND c.column_default IS NOT NULL AND c.table_name NOT LIKE 'payment\_p%'")" "every default exists"

gw finalize --source "$SRC" --target "$TGT"
is "$GW_RC" 0 "a third run succeeds"
like "$GW_OUT" ': 0 created, [0-9]+ already present, 0 rejected by the target, 0 failed' "and has nothing left to do"

done_testing
