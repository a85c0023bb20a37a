#!/usr/bin/env bash
# godwit verify, PostgreSQL -> PostgreSQL: every PostgreSQL dataset copied by
# godwit fetch verifies clean (database hashes and row by row); every
# difference injected into the target (a deleted row, an extra row, a changed
# value in each column type, NULL vs '', one microsecond, one ulp, a trailing
# space) is reported with its key and column, and nothing else is; missing
# and extraneous tables, column mismatches, tables without a key, the report
# cap, key order of text keys, range splitting and the rate limit.
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
D=$SHARED_DATASETS

# ------------------------------------------------------------ the datasets
pgq src postgres "CREATE DATABASE pagila"
pgf src pagila "$D/pagila-postgres/pagila-schema.sql"
pgf src pagila "$D/pagila-postgres/pagila-data.sql"
pgq src postgres "CREATE DATABASE duck"
for f in all_pg_types.sql other.sql decimals.sql; do pgf src duck "$D/postgres-types-duckdb/$f"; done
pgq src postgres "CREATE DATABASE dbz"
pgq src dbz "CREATE EXTENSION hstore; CREATE EXTENSION ltree; CREATE EXTENSION isn; CREATE EXTENSION citext;"
for f in init_database.ddl postgres_create_tables.ddl inserts_from_AbstractRecordsProducerTest.sql; do
  pgf src dbz "$D/postgres-types-debezium/$f" 2>/dev/null
done
for db in pagila duck dbz; do pgq tgt postgres "CREATE DATABASE $db"; done
pgq tgt dbz "CREATE EXTENSION hstore; CREATE EXTENSION ltree; CREATE EXTENSION isn; CREATE EXTENSION citext;"

for db in pagila duck dbz; do
  gw fetch --source "$(pg_url src $db)" --target "$(pg_url tgt $db)" --allow-no-pk --no-replication
  is "$GW_RC" 0 "$db: fetch succeeds" || diag "$(echo "$GW_ERR" | tail -3)"
  gw verify --source "$(pg_url src $db)" --target "$(pg_url tgt $db)" --allow-no-pk
  is "$GW_RC" 0 "$db: verify finds no difference (database hashes)" || diag "$(echo "$GW_OUT" | tail -15)"
  like "$GW_OUT" "verify ok: [0-9]+ tables" "$db: the report says so"
  gw verify --source "$(pg_url src $db)" --target "$(pg_url tgt $db)" --allow-no-pk --no-hash --concurrency 3
  is "$GW_RC" 0 "$db: verify finds no difference (row by row)" || diag "$(echo "$GW_OUT" | tail -15)"
done

gw verify --source "$(pg_url src pagila)" --target "$(pg_url tgt pagila)" --format json
is "$GW_RC" 0 "pagila: JSON report, exit 0"
like "$GW_OUT" '"type":"summary","table_schema":"public","table_name":"payment".*"num_truth_rows":16049,"num_success":16049' \
  "MOLT's summary fields: partitioned payment read through its parent"
like "$GW_OUT" '"num_missing":0,"num_mismatch":0,"num_extraneous":0,"num_live_retry":0,"num_column_mismatch":0' "MOLT's counters"
like "$GW_OUT" '"type":"complete".*"num_differences":0' "a final line with the totals"
is "$(pgq tgt pagila "SELECT status || ' ' || num_tables || ' ' || num_rows FROM _godwit.verify_runs ORDER BY run_id DESC LIMIT 1")" \
   "ok 15 49636" "the run is stored in _godwit.verify_runs"
is "$(pgq tgt pagila "SELECT sum(num_success) FROM _godwit.verify_tables WHERE run_id = (SELECT max(run_id) FROM _godwit.verify_runs)")" \
   "49636" "per table counters in _godwit.verify_tables"

# ------------------------------------------------------------ injected differences
pgq src postgres "CREATE DATABASE inj"
pgq src inj "
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE vt (
  id int PRIMARY KEY, i2 smallint, i8 bigint, n numeric(12,3), nu numeric, f4 real, f8 double precision,
  b boolean, d date, t time, tz timetz, ts timestamp(6), tstz timestamptz(6), iv interval,
  c char(5), vc varchar(20), tx text, by bytea, j jsonb, js json, u uuid, e mood, ai int[], at text[],
  bt bit(4), ip inet, m money);
INSERT INTO vt SELECT g, g, g::bigint * 1000000000, g / 7.0, g / 3.0, g / 9.0, g / 11.0, g % 2 = 0,
  date '2024-01-01' + g, time '10:00' + g * interval '1 second', timetz '10:00+02',
  timestamp '2024-01-01 00:00:00.5' + g * interval '1 minute',
  timestamptz '2024-01-01 00:00:00.25+00' + g * interval '1 hour', g * interval '1 day 2 hours',
  'ab', 'abc', 'text ' || g, '\\x00ff'::bytea || int4send(g), jsonb_build_object('k', g, 'a', array[1,2]),
  '{\"z\": 1, \"a\": 2}', md5(g::text)::uuid, 'ok', array[g, g + 1], array['x', 'y z'],
  B'1010', '10.0.0.1', g * 1.5
FROM generate_series(1, 60) g;
UPDATE vt SET vc = '' WHERE id = 30;
UPDATE vt SET f8 = 0.1, f4 = 0.1 WHERE id IN (31, 32);
UPDATE vt SET nu = 1.5 WHERE id = 40;
CREATE TABLE keyless (a int, b text);
INSERT INTO keyless SELECT g, 'r' || g FROM generate_series(1, 20) g;
CREATE TABLE textkey (k text PRIMARY KEY, v int);
INSERT INTO textkey VALUES ('a', 1), ('B', 2), ('é', 3), ('a ', 4), ('Z', 5), ('aa', 6), ('', 7), ('b', 8);
CREATE TABLE big (id bigint PRIMARY KEY, v text);
INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 100000) g;
CREATE TABLE gone (id int PRIMARY KEY);
CREATE TABLE shape (id int PRIMARY KEY, a int, b int);
INSERT INTO shape VALUES (1, 1, 1);
ANALYZE;"
pgq tgt postgres "CREATE DATABASE inj"
gw fetch --source "$(pg_url src inj)" --target "$(pg_url tgt inj)" --no-replication --allow-no-pk
is "$GW_RC" 0 "inj: fetch succeeds" || diag "$GW_ERR"
gw verify --source "$(pg_url src inj)" --target "$(pg_url tgt inj)" --allow-no-pk
is "$GW_RC" 0 "inj: clean before any change" || diag "$(echo "$GW_OUT" | tail -20)"

# one change per row and per column type (id = the row changed)
pgq tgt inj "
DELETE FROM vt WHERE id = 1;
INSERT INTO vt (id) VALUES (1000);
UPDATE vt SET i2 = i2 + 1 WHERE id = 2;
UPDATE vt SET i8 = i8 - 1 WHERE id = 3;
UPDATE vt SET n = n + 0.001 WHERE id = 4;
UPDATE vt SET nu = nu + 0.0000000001 WHERE id = 5;
UPDATE vt SET f4 = 0.10000001 WHERE id = 31;
UPDATE vt SET f8 = 0.10000000000000002 WHERE id = 32;
UPDATE vt SET b = NOT b WHERE id = 8;
UPDATE vt SET d = d + 1 WHERE id = 9;
UPDATE vt SET t = t + interval '1 microsecond' WHERE id = 10;
UPDATE vt SET tz = timetz '10:00+03' WHERE id = 11;
UPDATE vt SET ts = ts + interval '1 microsecond' WHERE id = 12;
UPDATE vt SET tstz = tstz + interval '1 microsecond' WHERE id = 13;
UPDATE vt SET iv = iv + interval '1 microsecond' WHERE id = 14;
UPDATE vt SET c = 'ac' WHERE id = 15;
UPDATE vt SET vc = 'abc ' WHERE id = 16;
UPDATE vt SET tx = tx || ' ' WHERE id = 17;
UPDATE vt SET by = by || '\\x00'::bytea WHERE id = 18;
UPDATE vt SET j = j || '{\"k\": \"18\"}' WHERE id = 19;
UPDATE vt SET js = '{\"z\": 1, \"a\": 3}' WHERE id = 20;
UPDATE vt SET u = md5('x')::uuid WHERE id = 21;
UPDATE vt SET e = 'happy' WHERE id = 22;
UPDATE vt SET ai = array[0] WHERE id = 23;
UPDATE vt SET at = array['x', 'y  z'] WHERE id = 24;
UPDATE vt SET bt = B'1011' WHERE id = 25;
UPDATE vt SET ip = '10.0.0.2' WHERE id = 26;
UPDATE vt SET m = m + '0.01'::money WHERE id = 27;
UPDATE vt SET vc = NULL WHERE id = 30;
-- not differences: char padding, value-equal numeric, json spacing, jsonb key order
UPDATE vt SET c = 'ab   ' WHERE id = 50;
UPDATE vt SET nu = 1.500 WHERE id = 40;
UPDATE vt SET js = '{\"z\":1,   \"a\":2}' WHERE id = 51;
UPDATE keyless SET b = 'changed' WHERE a = 3;
UPDATE textkey SET v = 40 WHERE k = 'a ';
UPDATE big SET v = 'changed' WHERE id = 77777;
DROP TABLE gone;
CREATE TABLE extra_on_target (id int PRIMARY KEY);
ALTER TABLE shape DROP COLUMN b, ADD COLUMN c int;"

check_injected() {   # $1 = label, $2.. = extra flags
  local label=$1; shift
  gw verify --source "$(pg_url src inj)" --target "$(pg_url tgt inj)" --allow-no-pk --format json "$@"
  is "$GW_RC" 5 "$label: differences exit with 5"
  like "$GW_OUT" '"kind":"missing","primary_key":\{"id":"1"\}' "$label: deleted row reported missing with its key"
  like "$GW_OUT" '"kind":"extraneous","primary_key":\{"id":"1000"\}' "$label: extra row reported extraneous"
  local col id
  for spec in 2:i2 3:i8 4:n 5:nu 31:f4 32:f8 8:b 9:d 10:t 11:tz 12:ts 13:tstz 14:iv 15:c 16:vc 17:tx 18:by 19:j \
              20:js 21:u 22:e 23:ai 24:at 25:bt 26:ip 27:m 30:vc; do
    id=${spec%%:*}; col=${spec#*:}
    like "$GW_OUT" "\"kind\":\"mismatch\",\"primary_key\":\\{\"id\":\"$id\"\\},\"mismatching_columns\":\"$col\"" \
      "$label: changed $col (row $id) reported with its key and only that column"
  done
  like "$GW_OUT" '"table_name":"vt".*"num_missing":1,"num_mismatch":27,"num_extraneous":1' \
    "$label: vt counts: 1 missing, 27 mismatching (no false positive: padding, 1.500, json spacing), 1 extraneous"
  like "$GW_OUT" '"primary_key":\{"id":"30"\},"mismatching_columns":"vc","values":\{"vc":\{"source":"","target":null\}\}' \
    "$label: NULL vs empty string shown as such"
  like "$GW_OUT" '"values":\{"f8":\{"source":"0.1","target":"0.10000000000000002"\}\}' "$label: one ulp shown"
  like "$GW_OUT" '"table_name":"keyless".*"status":"mismatch".*"num_mismatch":1.*no primary key' \
    "$label: a changed row in a table without a key makes the table differ"
  like "$GW_OUT" '"kind":"mismatch","primary_key":\{"k":"a "\}' "$label: text key with a trailing space"
  like "$GW_OUT" '"table_name":"textkey".*"num_truth_rows":8,"num_success":7' "$label: the other text keys match"
  like "$GW_OUT" '"kind":"mismatch","primary_key":\{"id":"77777"\},"mismatching_columns":"v"' \
    "$label: one row changed in 100,000 found"
  like "$GW_OUT" '"table_name":"gone".*"status":"missing"' "$label: a table missing on the target"
  like "$GW_OUT" '"table_name":"extra_on_target","status":"extraneous"' "$label: a table only on the target"
  like "$GW_OUT" '"table_name":"shape".*"num_column_mismatch":2,"column_mismatches":"column \\"b\\" is missing on the target; the target has an extra column \\"c\\""' \
    "$label: a missing and an extra column"
  like "$GW_OUT" '"type":"complete".*"num_missing_tables":1,"num_extraneous_tables":1' "$label: totals"
}
check_injected "hashes"
gw verify --source "$(pg_url src inj)" --target "$(pg_url tgt inj)" --log-level debug --table-filter big --no-store
like "$GW_ERR" 'range \[.*\) differs: split in' "a differing range of an integer key is split before rows are read"
like "$GW_OUT" 'public.big +100000 +99999 +0 +1 +0' "and the one changed row is found"
check_injected "rows" --no-hash --concurrency 4
gw verify --source "$(pg_url src inj)" --target "$(pg_url tgt inj)" --allow-no-pk
like "$GW_OUT" 'public.vt mismatch   \{"id":"16"\} \{"vc":\{"source":"abc","target":"abc "\}\}' "text report shows the key and values"
like "$GW_OUT" 'verify FOUND DIFFERENCES' "text report summary"
run=$(pgq tgt inj "SELECT max(run_id) FROM _godwit.verify_runs")
is "$(pgq tgt inj "SELECT status FROM _godwit.verify_runs WHERE run_id = $run")" "mismatch" "stored run says mismatch"
is "$(pgq tgt inj "SELECT count(*) FROM _godwit.verify_rows WHERE run_id = $run AND table_name = 'vt'")" "29" \
   "the 29 offending rows of vt stored in _godwit.verify_rows"
is "$(pgq tgt inj "SELECT kind || ' ' || columns FROM _godwit.verify_rows WHERE run_id = $run AND row_key = '{\"id\":\"32\"}'")" \
   "mismatch f8" "with kind and columns"

# the report cap: every row counted, the first N listed
pgq tgt inj "DELETE FROM big WHERE id BETWEEN 10 AND 14"
gw verify --source "$(pg_url src inj)" --target "$(pg_url tgt inj)" --table-filter big --max-reported-rows 2 --format json
is "$(echo "$GW_OUT" | grep -c '"type":"data","table_schema":"public","table_name":"big","kind"')" "2" "--max-reported-rows 2 lists two rows"
like "$GW_OUT" '"num_not_shown":4' "and counts the four others"
like "$GW_OUT" '"num_missing":5,"num_mismatch":1' "all six counted"

# the rate limit: 5,000 rows at 2,500 rows/s take two seconds or more
pgq src inj "CREATE TABLE paced (id int PRIMARY KEY); INSERT INTO paced SELECT generate_series(1, 5000)"
pgq tgt inj "CREATE TABLE paced (id int PRIMARY KEY); INSERT INTO paced SELECT generate_series(1, 5000)"
t0=$(date +%s.%N)
gw verify --source "$(pg_url src inj)" --target "$(pg_url tgt inj)" --table-filter paced --rows-per-second 2500 --no-hash
t1=$(date +%s.%N)
is "$GW_RC" 0 "paced table verifies"
ok "$(echo "$t1 - $t0 >= 1.8" | bc -l | grep -q 1; echo $?)" "--rows-per-second 2500 over 5,000 rows takes about 2 s ($(echo "$t1 - $t0" | bc) s)"

done_testing
