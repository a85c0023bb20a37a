#!/usr/bin/env bash
# godwit verify, MariaDB -> PostgreSQL: every MySQL dataset (Sakila, world,
# Chinook, employees, the duckdb, pgloader, MySQL Shell and Debezium type
# fixtures) loaded into PostgreSQL through godwit's schema step and value
# converter verifies clean, with no false positive across engines; and every
# difference injected into the target (a deleted row, an extra row, a changed
# value in each column type, NULL vs '', one microsecond, one ulp, trailing
# spaces, a zero date) is reported with its key and column.
#
# The rows are loaded by tests/tools/my_load (schema_load + schema_apply as
# fetch runs them, then SELECT -> myconv_value -> COPY), standing in for
# godwit fetch from MySQL, which is not on this branch yet.
. "$(dirname "$0")/../lib/harness.sh"
D=$SHARED_DATASETS
MY_LOAD=${MY_LOAD:-$(dirname "$GODWIT")/../../tests/my_load}
[ -x "$MY_LOAD" ] || bail "no my_load tool at $MY_LOAD"

my_node msrc
pg_node tgt
MY=(--default-character-set=utf8mb4)

myf msrc "${MY[@]}" < "$D/sakila-mysql/sakila-schema.sql" && myf msrc "${MY[@]}" < "$D/sakila-mysql/sakila-data.sql" \
  || bail "sakila did not load"
myq msrc "CREATE DATABASE world" && myf msrc "${MY[@]}" world < "$D/world-mysql/world.sql" || bail "world did not load"
myf msrc "${MY[@]}" < "$D/chinook/Chinook_MySql.sql" || bail "chinook did not load"
(cd "$D/employees-mysql" && myf msrc "${MY[@]}" < employees.sql >/dev/null) || bail "employees did not load"
for f in "$D"/mysql-types-mysqlsh/*.sql "$D"/mysql-types-duckdb/*.sql "$D"/mysql-types-pgloader/*.sql \
         "$D"/mysql-types-debezium/*.sql; do
  db=$(basename "$(dirname "$f")" | tr - _)_$(basename "$f" .sql)
  myq msrc "CREATE DATABASE \`$db\`"
  myf msrc "${MY[@]}" --force "$db" < "$f" >/dev/null 2>&1   # --force: regression_test, json_test (README §2)
done
dbs=$(myq msrc "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'
                AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1")
is "$(printf '%s\n' "$dbs" | wc -l)" "24" "24 databases with tables"

# TIME values outside a time of day need the interval mapping (fetch stops on them otherwise)
echo '[{"table":"*","column_type_map":[{"column":"*","source_type":"time","target_type":"interval"}]}]' >"$TEST_TMP/time.json"
drop_not_null='DO $$DECLARE r record; BEGIN FOR r IN SELECT c.table_name, c.column_name FROM information_schema.columns c
  WHERE c.table_schema = '"'public'"' AND c.is_nullable = '"'NO'"' AND NOT EXISTS (SELECT 1 FROM information_schema.key_column_usage k
  WHERE k.table_schema = c.table_schema AND k.table_name = c.table_name AND k.column_name = c.column_name) LOOP
  EXECUTE format('"'ALTER TABLE public.%I ALTER COLUMN %I DROP NOT NULL'"', r.table_name, r.column_name); END LOOP; END$$'
n=0
for db in $dbs; do
  n=$((n + 1))
  url=$(my_url msrc "$db")
  flags=(--allow-no-pk)
  case $db in
    mysqlscanner|mysql_types_debezium_regression_test)   # tinyint(1) holding -128; TIME beyond 24 h
      flags+=(--tinyint1-as smallint --type-map-file "$TEST_TMP/time.json") ;;
    xtest) flags+=(--type-map-file "$TEST_TMP/time.json") ;;
  esac
  pgq tgt postgres "CREATE DATABASE t$n" >/dev/null
  "$MY_LOAD" --source "$url" --target "$(pg_url tgt "t$n")" "${flags[@]}" >"$TEST_TMP/load-$n.log" 2>&1
  if [ $? != 0 ] && grep -q 'violates not-null' "$TEST_TMP/load-$n.log"; then
    # zero dates in NOT NULL columns become NULL (--zero-dates null) but the schema step
    # keeps NOT NULL there: a schema-step gap, worked around so the values can be compared
    diag "$db: NOT NULL column holding MySQL zero dates; loaded with NOT NULL dropped"
    pgq tgt "t$n" "$drop_not_null"
    "$MY_LOAD" --source "$url" --target "$(pg_url tgt "t$n")" "${flags[@]}" --truncate >"$TEST_TMP/load-$n.log" 2>&1
  fi
  ok $? "$db: loaded into PostgreSQL through the schema step and myconv" || diag "$(tail -3 "$TEST_TMP/load-$n.log")"
  gw verify --source "$url" --target "$(pg_url tgt "t$n")" "${flags[@]}"
  is "$GW_RC" 0 "$db: verify finds no difference" || diag "$(echo "$GW_OUT" | grep -A20 '^differences' | head -20)"
  eval "T_$(printf '%s' "$db" | tr -c 'A-Za-z0-9_' _)=t$n"
done
like "$(gw verify --source "$(my_url msrc sakila)" --target "$(pg_url tgt "$T_sakila")" --concurrency 4; echo "$GW_OUT")" \
  'sakila.payment +16049 +16049 +0 +0 +0 +0' "sakila with 4 workers: payment's 16,049 rows match"

# ------------------------------------------------------------ injected differences
myq msrc "CREATE DATABASE inj"
myqd msrc inj "
SET SESSION sql_mode = '';
CREATE TABLE vt (id INT PRIMARY KEY, ti TINYINT, su SMALLINT UNSIGNED, mi MEDIUMINT, bu BIGINT UNSIGNED,
  de DECIMAL(12,3), fl FLOAT, db DOUBLE, b1 TINYINT(1), bt BIT(8), bb BIT(1), d DATE, dt DATETIME(6),
  ts TIMESTAMP(6) NULL, tm TIME(6), yr YEAR, ch CHAR(5), vc VARCHAR(20), tx TEXT, bn BINARY(4), vb VARBINARY(10),
  bl BLOB, js JSON, en ENUM('a','b','c'), st SET('x','y','z'), u UUID, zd DATE, l1 VARCHAR(10) CHARACTER SET latin1);
INSERT INTO vt SELECT seq, CAST(seq AS SIGNED) - 100, seq * 1000, -CAST(seq AS SIGNED), 18446744073709551615 - seq, seq / 7, seq / 9, seq / 11,
  seq % 2, seq, seq % 2, '2024-01-01' + INTERVAL seq DAY, '2024-01-01 00:00:00.5' + INTERVAL seq MINUTE,
  '2024-01-01 00:00:00.25' + INTERVAL seq HOUR, SEC_TO_TIME(36000 + seq), 1990 + seq, 'ab', 'abc',
  CONCAT('text ', seq), UNHEX(LPAD(HEX(seq), 8, '0')), UNHEX(CONCAT('00FF', LPAD(HEX(seq), 2, '0'))), REPEAT('x', seq),
  CONCAT('{\"k\": ', seq, ',  \"a\": [1, 2]}'), 'b', 'x,y', UUID(), '2020-02-02', CONVERT(X'636166C3A9' USING utf8mb4)
FROM seq_1_to_60;
UPDATE vt SET vc = '' WHERE id = 30;
UPDATE vt SET fl = 0.1, db = 0.1 WHERE id IN (31, 32);
UPDATE vt SET zd = '0000-00-00' WHERE id IN (40, 41);
CREATE TABLE ci (k VARCHAR(10) COLLATE utf8mb4_general_ci PRIMARY KEY, v INT);
INSERT INTO ci VALUES ('a', 1), ('B', 2), ('é', 3), ('Z', 4), ('aa', 5), ('', 6), ('c ', 7), ('_', 8);
CREATE TABLE big (id BIGINT PRIMARY KEY, v VARCHAR(20));
INSERT INTO big SELECT seq, CONCAT('v', seq) FROM seq_1_to_30000;"
pgq tgt postgres "CREATE DATABASE inj"
"$MY_LOAD" --source "$(my_url msrc inj)" --target "$(pg_url tgt inj)" >"$TEST_TMP/load-inj.log" 2>&1
ok $? "inj: loaded" || diag "$(tail -3 "$TEST_TMP/load-inj.log")"
gw verify --source "$(my_url msrc inj)" --target "$(pg_url tgt inj)"
is "$GW_RC" 0 "inj: clean before any change (JSON spacing, CHAR padding, zero dates, latin1, unsigned maxima)" \
  || diag "$(echo "$GW_OUT" | grep -A30 '^differences')"

pgq tgt inj "
DELETE FROM vt WHERE id = 1;
INSERT INTO vt (id) VALUES (1000);
UPDATE vt SET ti = ti + 1 WHERE id = 2;
UPDATE vt SET su = su + 1 WHERE id = 3;
UPDATE vt SET mi = mi - 1 WHERE id = 4;
UPDATE vt SET bu = bu - 1 WHERE id = 5;
UPDATE vt SET de = de + 0.001 WHERE id = 6;
UPDATE vt SET fl = 0.10000001 WHERE id = 31;
UPDATE vt SET db = 0.10000000000000002 WHERE id = 32;
UPDATE vt SET b1 = NOT b1 WHERE id = 8;
UPDATE vt SET bt = B'11111111' WHERE id = 9;
UPDATE vt SET bb = NOT bb WHERE id = 10;
UPDATE vt SET d = d + 1 WHERE id = 11;
UPDATE vt SET dt = dt + interval '1 microsecond' WHERE id = 12;
UPDATE vt SET ts = ts + interval '1 microsecond' WHERE id = 13;
UPDATE vt SET tm = tm + interval '1 microsecond' WHERE id = 14;
UPDATE vt SET yr = yr + 1 WHERE id = 15;
UPDATE vt SET ch = 'ac' WHERE id = 16;
UPDATE vt SET vc = 'abc ' WHERE id = 17;
UPDATE vt SET tx = tx || ' ' WHERE id = 18;
UPDATE vt SET bn = '\\x00000000' WHERE id = 19;
UPDATE vt SET vb = vb || '\\x00'::bytea WHERE id = 20;
UPDATE vt SET bl = 'y' WHERE id = 21;
UPDATE vt SET js = '{\"k\": 22, \"a\": [2, 1]}' WHERE id = 22;
UPDATE vt SET en = 'c' WHERE id = 23;
UPDATE vt SET st = '{x}' WHERE id = 24;
UPDATE vt SET u = '00000000-0000-0000-0000-000000000000' WHERE id = 25;
UPDATE vt SET l1 = 'cafe' WHERE id = 26;
UPDATE vt SET vc = NULL WHERE id = 30;
UPDATE vt SET zd = '2020-02-02' WHERE id = 41;
UPDATE vt SET ch = 'ab   ' WHERE id = 50;
UPDATE ci SET v = 70 WHERE k = 'c ';
UPDATE big SET v = 'changed' WHERE id = 23456;"

gw verify --source "$(my_url msrc inj)" --target "$(pg_url tgt inj)" --format json
is "$GW_RC" 5 "differences exit with 5"
like "$GW_OUT" '"kind":"missing","primary_key":\{"id":"1"\}' "deleted row reported missing with its key"
like "$GW_OUT" '"kind":"extraneous","primary_key":\{"id":"1000"\}' "extra row reported extraneous"
for spec in 2:ti 3:su 4:mi 5:bu 6:de 31:fl 32:db 8:b1 9:bt 10:bb 11:d 12:dt 13:ts 14:tm 15:yr 16:ch 17:vc 18:tx \
            19:bn 20:vb 21:bl 22:js 23:en 24:st 25:u 26:l1 30:vc 41:zd; do
  id=${spec%%:*}; col=${spec#*:}
  like "$GW_OUT" "\"kind\":\"mismatch\",\"primary_key\":\\{\"id\":\"$id\"\\},\"mismatching_columns\":\"$col\"" \
    "changed $col (row $id) reported with its key and only that column"
done
like "$GW_OUT" '"table_name":"vt".*"num_missing":1,"num_mismatch":28,"num_extraneous":1' \
  "vt: 1 missing, 28 mismatching (CHAR padding is no difference), 1 extraneous"
like "$GW_OUT" '"primary_key":\{"id":"30"\},"mismatching_columns":"vc","values":\{"vc":\{"source":"","target":null\}\}' \
  "NULL vs empty string shown as such"
like "$GW_OUT" '"values":\{"db":\{"source":"0.1","target":"0.10000000000000002"\}\}' "one ulp of DOUBLE shown"
like "$GW_OUT" '"values":\{"dt":\{"source":"2024-01-01 00:12:00.500000","target":"2024-01-01 00:12:00.500001"\}\}' \
  "one microsecond of DATETIME(6) shown"
like "$GW_OUT" '"kind":"mismatch","primary_key":\{"k":"c "\}' "case-insensitive text key with a trailing space"
like "$GW_OUT" '"table_name":"ci".*"num_truth_rows":8,"num_success":7' "the other text keys pair up across collations"
like "$GW_OUT" '"kind":"mismatch","primary_key":\{"id":"23456"\},"mismatching_columns":"v"' "one row changed in 30,000 found"
gw verify --source "$(my_url msrc inj)" --target "$(pg_url tgt inj)" --concurrency 3 --table-filter vt
like "$GW_OUT" 'inj.vt +60 +31 +1 +28 +1 +0' "text report of vt"

done_testing
