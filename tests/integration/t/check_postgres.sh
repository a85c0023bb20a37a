#!/usr/bin/env bash
# godwit check against real PostgreSQL servers: every source and target check
# item, good and bad configurations, and credentials that never leak.
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
pgq src postgres "CREATE TABLE public.orders (id bigint PRIMARY KEY, note text);
                  CREATE TABLE public.no_pk (a int, b text);
                  CREATE SCHEMA \"Odd Schema\"; CREATE TABLE \"Odd Schema\".\"Ta\"\"ble\" (id int PRIMARY KEY);"

# --- good configuration (except the table without a primary key) ---
gw check --source "$(pg_url src)" --target "$(pg_url tgt)" --format json
is "$GW_RC" 2 "a table without a primary key blocks the migration (exit 2)"
like "$GW_OUT" '"name":"primary_keys","status":"FAIL"' "primary_keys FAIL"
like "$GW_OUT" 'public.*no_pk' "the table without a primary key is named"
like "$GW_OUT" '"name":"wal_level","status":"OK"' "wal_level logical is OK"
like "$GW_OUT" '"name":"replication_slots","status":"OK"' "free replication slots"
like "$GW_OUT" '"name":"wal_senders","status":"OK"' "free wal senders"
like "$GW_OUT" '"name":"replication_privilege","status":"OK"' "superuser has replication"
like "$GW_OUT" '"name":"spool_space","status":"OK","message":"transactions over logical_decoding_work_mem = 64MB stream while they run and are spooled under [^ ]+ \([0-9.]+ GB free\)' \
  "where streamed transactions are spooled, and the room there"
like "$GW_OUT" '"name":"primary","status":"OK"' "connected to a primary"
like "$GW_OUT" '"name":"select_privilege","status":"OK"' "select privilege"
like "$GW_OUT" '"scope":"target","name":"create_privilege","status":"OK"' "target can create schemas and tables"
like "$GW_OUT" '"scope":"target","name":"version","status":"OK","message":"PostgreSQL 15' "target dialect detected"

TMPDIR=$TEST_TMP/no-such-dir gw check --source "$(pg_url src)" --target "$(pg_url tgt)" --format json
like "$GW_OUT" '"name":"spool_space","status":"WARN".*no-such-dir, which is not usable' "an unusable TMPDIR is a warning"

gw check --source "$(pg_url src)" --target "$(pg_url tgt)" --allow-no-pk --format json
is "$GW_RC" 2 "--allow-no-pk alone: the keyless table still lacks a replica identity"
like "$GW_OUT" '"name":"primary_keys","status":"WARN"' "--allow-no-pk makes the missing key a warning"
like "$GW_OUT" '"name":"replica_identity","status":"FAIL".*no_pk' "but publishing it would break the source's updates"
pgq src postgres "ALTER TABLE public.no_pk REPLICA IDENTITY FULL"
gw check --source "$(pg_url src)" --target "$(pg_url tgt)" --allow-no-pk
is "$GW_RC" 0 "--allow-no-pk with REPLICA IDENTITY FULL: ready (exit 0)"
like "$GW_OUT" 'WARN +primary_keys' "text report shows WARN"
like "$GW_OUT" 'ready to migrate' "text report summary"

gw check --source "$(pg_url src)" --table-exclusion-filter 'no_pk'
is "$GW_RC" 0 "excluding the table clears the failure"
like "$GW_OUT" '3 tables to migrate|2 tables to migrate' "table count respects the filter"

GODWIT_SOURCE="$(pg_url src)" GODWIT_TABLE_FILTER='orders' gw check
is "$GW_RC" 0 "source and filter from environment variables"
like "$GW_OUT" '1 table to migrate' "GODWIT_TABLE_FILTER applied"

gw check --source "$(pg_url src)" --table-filter 'nomatch'
is "$GW_RC" 2 "no table matching the filters fails"

# --- privileges: a role without REPLICATION and without SELECT ---
pgq src postgres "CREATE ROLE plain LOGIN PASSWORD 'plain-secret-pw'"
gw check --source "postgres://plain:plain-secret-pw@127.0.0.1:${src_PORT}/postgres?sslmode=disable" --format json --allow-no-pk
is "$GW_RC" 2 "non-replication role fails"
like "$GW_OUT" '"name":"replication_privilege","status":"FAIL"' "missing REPLICATION reported"
like "$GW_OUT" 'ALTER ROLE \\"plain\\" WITH REPLICATION' "hint tells how to fix it"
like "$GW_OUT" '"name":"select_privilege","status":"FAIL"' "missing SELECT reported"
unlike "$GW_OUT$GW_ERR" 'plain-secret-pw' "password never printed"

# --- wrong password: clear error, no password in it ---
sed -i '1i host all plain 127.0.0.1/32 scram-sha-256' "$src_DIR/pg_hba.conf"
pg_reload src
gw check --source "postgres://plain:Wr0ng-S3cret%21@127.0.0.1:${src_PORT}/postgres?sslmode=disable"
is "$GW_RC" 3 "wrong password exits with the source error code (3)"
like "$GW_ERR" 'password authentication failed' "the server's reason is shown"
unlike "$GW_OUT$GW_ERR" 'Wr0ng|S3cret' "the wrong password does not appear"
PGPASSWORD='plain-secret-pw' gw check --source "postgres://plain@127.0.0.1:${src_PORT}/postgres?sslmode=disable" --no-replication --allow-no-pk
like "$GW_OUT" 'connected to a primary' "password from PGPASSWORD (kept out of ps) authenticates"
sed -i '1d' "$src_DIR/pg_hba.conf"
pg_reload src

# --- unreachable servers ---
gw check --target "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2"
is "$GW_RC" 4 "unreachable target exits with the target error code (4)"
like "$GW_ERR" 'could not connect to target' "unreachable target message"

# --- wal_level = replica, no free slots/senders ---
pg_node bad "wal_level = replica" "max_wal_senders = 1" "max_replication_slots = 1"
pgq bad postgres "CREATE TABLE t (id int PRIMARY KEY)"
pgq bad postgres "SELECT pg_create_physical_replication_slot('hog')" >/dev/null
gw check --source "$(pg_url bad)" --format json
is "$GW_RC" 2 "wal_level = replica blocks the migration"
like "$GW_OUT" '"name":"wal_level","status":"FAIL","message":"wal_level = replica' "wal_level FAIL names the value"
like "$GW_OUT" 'ALTER SYSTEM SET wal_level = logical' "wal_level hint"
like "$GW_OUT" '"name":"replication_slots","status":"FAIL"' "no free replication slot"
like "$GW_OUT" '"name":"wal_senders","status":"FAIL"' "too few wal senders"
gw check --source "$(pg_url bad)" --no-replication
is "$GW_RC" 0 "--no-replication skips replication settings"

# --- replica identity nothing ---
pgq src postgres "ALTER TABLE public.orders REPLICA IDENTITY NOTHING"
gw check --source "$(pg_url src)" --allow-no-pk --format json
like "$GW_OUT" '"name":"replica_identity","status":"FAIL"' "REPLICA IDENTITY NOTHING reported"

# --- standby ---
pg_node prim
_as_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p "$prim_PORT" -U postgres -D "$TEST_TMP/pg_stby" -R -X stream >/dev/null 2>&1
stby_port=$(free_port)
sed -i "s/^port = .*/port = $stby_port/; s|^unix_socket_directories = .*|unix_socket_directories = '$TEST_TMP/pg_stby'|" "$TEST_TMP/pg_stby/postgresql.conf"
stby_DIR="$TEST_TMP/pg_stby"; stby_PORT=$stby_port
pg_start stby && _nodes_pg+=(stby)
gw check --source "$(pg_url stby)" --format json --allow-no-pk
like "$GW_OUT" '"name":"primary","status":"FAIL","message":"connected to a standby' "a standby is reported"

# --- bad flags ---
gw check --source "$(pg_url src)" --format yaml
is "$GW_RC" 1 "bad enum value exits 1"
like "$GW_ERR" 'expected one of text, json' "bad enum names the choices"
gw check
is "$GW_RC" 1 "no source or target exits 1"
gw check --source "oracle://x@y/z"
is "$GW_RC" 1 "unsupported scheme exits 1"
like "$GW_ERR" 'unsupported connection URL scheme' "unsupported scheme message"
gw check --source "$(pg_url src)" --table-filter '(' 
is "$GW_RC" 1 "invalid regex exits 1"

done_testing
