#!/usr/bin/env bash
# Failback as an operator runs it: cutover --prepare-failback; the application
# then writes to the target while godwit failback streams those writes back to
# the source (kill -9 at random moments, and its walsender terminated three
# times); failback --cutover makes the source ready again, with its sequences
# past the target's, and the replicator exits 0.  Also: a
# cutover that comes after the source has been idle for longer than the
# replicator's liveness window is drained by the running replicator (its
# heartbeat runs on an idle source); and the refusals: a target without
# wal_level=logical (before anything is locked), no failback slot,
# --lock-target without --cutover, a MySQL source.  The source's tables
# include one declared GENERATED ALWAYS AS IDENTITY with a stored generated
# column (the target has a sequence default there, so the application's rows
# come back with ids the source would not have generated itself).
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
pg_node nolog "wal_level = replica"
SRC=$(pg_url src app) TGT=$(pg_url tgt app)
pgq src postgres "CREATE DATABASE app"
pgq tgt postgres "CREATE DATABASE app"
pgq src app "CREATE TABLE public.acct (id bigserial PRIMARY KEY, bal int NOT NULL, doc text);
  INSERT INTO public.acct (bal, doc) SELECT 0, 'd' || g FROM generate_series(1, 3000) g;
  CREATE TABLE public.\"Odd \"\"Name\" (\"k ey\" int PRIMARY KEY, \"select\" text);
  INSERT INTO public.\"Odd \"\"Name\" SELECT g, 'v' FROM generate_series(1, 100) g;
  CREATE TABLE public.nopk (a int, b text);
  INSERT INTO public.nopk SELECT g % 10, 'x' FROM generate_series(1, 50) g;
  ALTER TABLE public.nopk REPLICA IDENTITY FULL;
  CREATE TABLE public.gen (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, a int, twice int GENERATED ALWAYS AS (a * 2) STORED);
  INSERT INTO public.gen (a) SELECT g FROM generate_series(1, 100) g;"

# --- forward: fetch, replicate, a quiet source, cutover ----------------------
gw fetch --source "$SRC" --target "$TGT" --allow-no-pk
is "$GW_RC" 0 "fetch"
gw_bg "$TEST_TMP/rep.log" replicate --source "$SRC" --target "$TGT" --allow-no-pk
REP=$GW_PID
pgq src app "UPDATE acct SET bal = bal + 1 WHERE id <= 500; DELETE FROM nopk WHERE a = 1"
wait_applied src tgt app 60; ok $? "replicate applied the source's writes"
sleep 7   # idle for longer than the replicator's 5 s liveness window

gw check --source "$SRC" --target "$(pg_url nolog)" --allow-no-pk --format json
like "$GW_OUT" '"scope":"target","name":"failback","status":"WARN","message":"cutover --prepare-failback would refuse: failback needs logical decoding on the target, whose wal_level is replica"' \
  "check warns, long before cutover, that a target at wal_level=replica cannot feed a failback"
is "$GW_RC" 0 "(a warning, not a failure)"
gw check --source "$SRC" --target "$TGT" --allow-no-pk --format json
like "$GW_OUT" '"scope":"target","name":"failback","status":"OK"' "check: failback possible on the real target"
gw cutover --source "$(pg_url nolog)" --target "$TGT" --prepare-failback
isnt "$GW_RC" 0 "(setup check) a cutover against the wrong source fails"
pgq nolog postgres "CREATE DATABASE app"
gw cutover --source "$SRC" --target "$(pg_url nolog app)" --lock-source --prepare-failback --allow-no-pk
is "$GW_RC" 4 "--prepare-failback with a target at wal_level=replica: exit 4"
like "$GW_ERR" "wal_level is replica" "the error names wal_level"
like "$GW_ERR" "ALTER SYSTEM SET wal_level = logical" "and the remedy"
is "$(pgq src app "SHOW default_transaction_read_only")" off "checked before the source was locked"
gw migrate --source "$SRC" --target "$(pg_url nolog app)" --prepare-failback --allow-no-pk
is "$GW_RC" 4 "migrate --prepare-failback refuses such a target when it starts, not at cutover"

gw cutover --source "$SRC" --target "$TGT" --lock-source --prepare-failback --allow-no-pk
is "$GW_RC" 0 "cutover --prepare-failback after an idle spell: the target is ready"
unlike "$GW_OUT" "driven by cutover" "the running replicator drained it (its heartbeat ran while idle)"
like "$GW_OUT" 'slot "godwit_failback" on the target from [0-9A-F]+/[0-9A-F]+' "report names the failback slot"
wait "$REP"; is "$?" 0 "the replicator stopped for the cutover"
is "$(pg_fingerprint tgt app public)" "$(pg_fingerprint src app public)" "target == source at cutover"
is "$(pgq tgt app "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'godwit_failback' AND database = 'app'")" 1 \
  "failback slot on the target"
is "$(pgq tgt app "SELECT relreplident FROM pg_class WHERE oid = 'public.nopk'::regclass")" f \
  "a table without a key is REPLICA IDENTITY FULL on the target"

# a trigger on the source that would change every row failback writes: as a
# superuser failback writes as a replica, so it does not fire
PGOPTIONS="-c default_transaction_read_only=off" pgq src app "CREATE FUNCTION public.bump() RETURNS trigger
  LANGUAGE plpgsql AS 'BEGIN NEW.bal := NEW.bal + 1000; RETURN NEW; END';
  CREATE TRIGGER bump BEFORE INSERT OR UPDATE ON public.acct FOR EACH ROW EXECUTE FUNCTION public.bump()"

# not a superuser, failback cannot write as a replica: it names the triggers
# that will fire for its writes (nothing to apply yet: it stops at once)
PGOPTIONS="-c default_transaction_read_only=off" pgq src app "CREATE ROLE fb LOGIN; CREATE SCHEMA IF NOT EXISTS _godwit;
  GRANT ALL ON SCHEMA public, _godwit TO fb; GRANT ALL ON ALL TABLES IN SCHEMA public, _godwit TO fb;
  GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO fb"
gw failback --source "$(pg_url src app fb)" --target "$TGT" --allow-no-pk --stop-when-caught-up
is "$GW_RC" 0 "failback as a user that is not a superuser runs"
like "$GW_ERR" 'triggers on the source fire for failback.s writes.*public\.acct\.bump' "... and names the trigger that will fire"
unlike "$GW_ERR" 'failback writes as a replica \(session_replication_role\)' "... it does not claim to write as a replica"

# --- refusals ------------------------------------------------------------------
gw failback --source "$SRC" --target "$TGT" --lock-target
is "$GW_RC" 1 "--lock-target without --cutover: exit 1"
gw failback --source "$SRC" --target "$TGT" --slot-name nosuch --allow-no-pk
is "$GW_RC" 7 "failback from a slot that does not exist: exit 7, at once (not retried)"
like "$GW_ERR" 'slot .{0,2}nosuch.{0,2} does not exist' "and says so"
gw failback --source "mysql://root@127.0.0.1:1/app" --target "$TGT"
is "$GW_RC" 1 "failback into a MySQL source: exit 1"
like "$GW_ERR" "not supported yet" "and says why"

# --- the application writes to the target; failback, killed now and then -------
cat >"$TEST_TMP/app.sql" <<'SQL'
\set id random(1, 3000)
UPDATE public.acct SET bal = bal + 1 WHERE id = :id;
INSERT INTO public.acct (bal, doc) VALUES (1, md5(:id::text) || repeat(md5(random()::text), 100));
DELETE FROM public.acct WHERE id = :id + 1;
UPDATE public.acct SET id = id + 1000000 WHERE id = :id + 2;
UPDATE public."Odd ""Name" SET "select" = md5(random()::text) WHERE "k ey" = :id % 100;
INSERT INTO public.nopk VALUES (:id % 10, 'n');
INSERT INTO public.gen (a) VALUES (:id);
UPDATE public.gen SET a = a + 1 WHERE id = :id % 100 + 1;
SQL
"$PGBIN/pgbench" -n -h 127.0.0.1 -p "$tgt_PORT" -U postgres -c 2 -j 2 -R 100 -T 20 -f "$TEST_TMP/app.sql" app \
  >"$TEST_TMP/pgbench.log" 2>&1 &
LOAD=$!; bg_track "$LOAD"
kill9_cycles 6 "$TEST_TMP/fb-kill" failback --source "$SRC" --target "$TGT" --allow-no-pk
gw_bg "$TEST_TMP/fb.log" failback --source "$SRC" --target "$TGT" --allow-no-pk
FB=$GW_PID
for i in 1 2 3; do   # the target ends failback's walsender: it reconnects and resumes
  sleep 2
  pgq tgt app "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'godwit_failback' AND active_pid IS NOT NULL" >/dev/null
done
wait "$LOAD"; is "$?" 0 "the application's load on the target ran without errors"
kill -0 "$FB" 2>/dev/null; ok $? "failback survived its walsender being terminated three times"
like "$(cat "$TEST_TMP/fb.log.err")" "writes as a replica" "failback says it writes as a replica (triggers do not fire)"
like "$(cat "$TEST_TMP/fb.log.err")" "inactive replication slots on the source keep all the WAL.*godwit_slot" \
  "failback warns that the forward slot on the source keeps WAL"
gw status --target "$SRC" --source "$TGT" --format json
like "$GW_OUT" '"phase":"replicating".*"running":true' "status of the source (as failback's target): replicating"
applied=$(pgq src app "SELECT changes_applied FROM _godwit.checkpoint")
ok "$( [ "${applied:-0}" -gt 0 ]; echo $?)" "failback applied changes on the source ($applied)"
pgq src app "INSERT INTO public.acct (bal) VALUES (1)" 2>/dev/null
isnt "$?" 0 "the source still refuses the application's writes during failback"

# --- the way back's cutover ------------------------------------------------------
gw failback --source "$SRC" --target "$TGT" --cutover --lock-target --allow-no-pk
is "$GW_RC" 0 "failback --cutover: the source is ready"
like "$GW_OUT" "failback cutover [0-9]+: the source is ready" "report"
unlike "$GW_OUT" "driven by cutover" "the running failback drained"
wait "$FB"; is "$?" 0 "failback stopped for its cutover"
is "$(pg_fingerprint src app public)" "$(pg_fingerprint tgt app public)" "source == target after failback (no lost or duplicated change)"
is "$(pgq src app "SHOW default_transaction_read_only")" off "the source accepts writes again"
tgt_max=$(pgq tgt app "SELECT max(id) FROM public.acct WHERE id < 1000000")
new_id=$(pgq src app "INSERT INTO public.acct (bal) VALUES (1) RETURNING id")
ok "$( [ "${new_id:-0}" -gt "$tgt_max" ]; echo $?)" "the source's sequence continues past the target's ($new_id > $tgt_max)"
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$tgt_PORT" -U postgres -d app -c "INSERT INTO public.acct (bal) VALUES (1)" 2>/dev/null
isnt "$?" 0 "the target refuses writes after --lock-target"
done_testing
