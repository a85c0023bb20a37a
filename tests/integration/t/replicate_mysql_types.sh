#!/usr/bin/env bash
# Replication from MariaDB, every column type end to end: after fetch, rows
# with the edges of every MariaDB type (the row set of mysql_stream.sh) are
# inserted, updated column by column, partly deleted and re-inserted in
# multi-statement transactions; godwit replicate applies them and godwit
# verify (the cross-engine comparison) finds the target equal to the source,
# value by value.
. "$(dirname "$0")/../lib/harness.sh"

my_node msrc
pg_node tgt
SRC=$(my_url msrc types)
TGT=$(pg_url tgt types)
# TIME spans -838:59:59..838:59:59: mapped to interval, as a DBA would
echo '[{"table": "*", "column_type_map": [{"column": "*", "source_type": "time", "target_type": "interval"}]}]' \
  >"$TEST_TMP/time-interval.json"
FLAGS=(--zero-dates null --type-map-file "$TEST_TMP/time-interval.json")
myq msrc "CREATE DATABASE types; CREATE TABLE types.t (
  id INT UNSIGNED NOT NULL PRIMARY KEY,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT UNSIGNED, mi MEDIUMINT, ii INT, bi BIGINT UNSIGNED, bs BIGINT,
  f FLOAT, d DOUBLE, dec1 DECIMAL(10,2), dec2 DECIMAL(65,30),
  c CHAR(10), cu CHAR(10) CHARACTER SET utf8mb4, vc VARCHAR(300) CHARACTER SET utf8mb4, vb VARBINARY(20),
  bn BINARY(4), tx TEXT CHARACTER SET utf8mb4, bl BLOB, lb LONGBLOB,
  e ENUM('red','green','blue'), s SET('a','b','c','d'), bt BIT(12), b64 BIT(64), bo TINYINT(1),
  y YEAR, dt DATE, tm TIME(3), tm6 TIME(6), dtm DATETIME(6), dt0 DATETIME, ts TIMESTAMP(2) NULL DEFAULT NULL,
  j JSON, g POINT, gg GEOMETRY, u UUID, i6 INET6, i4 INET4
) DEFAULT CHARSET=latin1;"
pgq tgt postgres "CREATE DATABASE types"
gw fetch --source "$SRC" --target "$TGT" "${FLAGS[@]}"
is "$GW_RC" 0 "fetch of the (empty) typed table"

# without the mapping, a TIME outside the time of day stops replication at once
pgq tgt postgres "CREATE DATABASE plain"
gw fetch --source "$SRC" --target "$(pg_url tgt plain)" --zero-dates null
is "$GW_RC" 0 "fetch into a second target, TIME as time"

gw_bg "$TEST_TMP/replicate.log" replicate --source "$SRC" --target "$TGT" "${FLAGS[@]}" --flush-interval 50ms
REP=$GW_PID
myq msrc "SET time_zone = '+00:00', sql_mode = '';
INSERT INTO types.t VALUES
 (1, -128, 255, 65535, -8388608, -2147483648, 18446744073709551615, -9223372036854775808,
  1.5, -2.25e-300, -12345678.91, '-12345678901234567890123456789012345.123456789012345678901234567890',
  'café', 'héllo', 'héllo wörld 😀 \"q\" ''s'' back\\\\slash tab\there', 0x00FF10,
  0xDEAD0000, REPEAT('x', 3000), 0x00010280FF, REPEAT(0x00FF, 5000),
  'green', 'a,c,d', b'101010101010', b'1111111111111111111111111111111111111111111111111111111111111111', 1,
  2155, '2024-02-29', '-838:59:58.999', '838:59:59.000000', '9999-12-31 23:59:59.999999', '1000-01-01 00:00:00',
  '2038-01-19 03:14:07.99', '{\"k\": [1, 2.5, \"three\", null, true], \"n\": {\"x\": -1}, \"e\": \"\\\\u00e9\"}',
  ST_GeomFromText('POINT(1.5 -2)'), ST_GeomFromText('LINESTRING(0 0, 1 1, 2 0)', 4326),
  '123e4567-e89b-12d3-a456-426614174000', '2001:db8::ff00:42:8329', '192.168.0.1'),
 (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
 (3, 127, 0, 0, 8388607, 2147483647, 0, 9223372036854775807, -0.0, 3.141592653589793, 0.00, 0,
  '', '', '', '', 0x00000000, '', '', '', 'red', '', b'0', b'0', 0,
  1901, '1000-01-01', '00:00:00.000', '-00:00:00.000001', '1000-01-01 00:00:00.000000', '2020-02-02 02:02:02',
  '1970-01-01 00:00:01.00', '[]', ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'),
  'ffffffff-ffff-ffff-ffff-ffffffffffff', '::1', '0.0.0.0'),
 (4, 1, 1, 1, 1, 1, 1, 1, 1e20, 1e-5, 1, 1, 'trail  ', 'x', 'y', '', 'a', 'z', 'b', '', '', 'b,d', b'1', b'1', 0,
  0, '0000-00-00', '838:59:59.000', '12:00:00', '0000-00-00 00:00:00', '2016-00-28 15:30:42',
  '0000-00-00 00:00:00', '\"str\"', NULL, NULL, '00000000-0000-0000-0000-000000000001', '::ffff:1.2.3.4', '10.0.0.255');"
# every column of row 3 takes row 1's value, row 1 takes row 4's, in one transaction
cols=$(myq msrc "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns
                 WHERE table_schema = 'types' AND table_name = 't' AND column_name <> 'id'")
set_from() {   # set_from ALIAS: "c1 = ALIAS.c1, ..."
  echo "$cols" | tr ',' '\n' | awk -v a="$1" '{printf "%sd.%s = %s.%s", (NR > 1 ? ", " : ""), $1, a, $1}'
}
myq msrc "SET time_zone = '+00:00', sql_mode = ''; BEGIN;
UPDATE types.t d JOIN types.t s ON s.id = 1 SET $(set_from s) WHERE d.id = 3;
UPDATE types.t d JOIN types.t s ON s.id = 4 SET $(set_from s) WHERE d.id = 1;
DELETE FROM types.t WHERE id = 2;
INSERT INTO types.t (id, vc, j) VALUES (5, 'new', '{\"a\": 1}');
UPDATE types.t SET id = 6 WHERE id = 5;
COMMIT;"
myq msrc "BEGIN; INSERT INTO types.t (id) VALUES (2); UPDATE types.t SET tx = REPEAT('é', 5000), lb = REPEAT(0x01, 100000) WHERE id = 2; COMMIT;"
target_has() { [ "$(pgq tgt types "SELECT count(*) FROM public.t WHERE id = 2 AND length(tx) = 5000")" = 1 ]; }
wait_until 60 target_has
ok $? "replicate applied every transaction"
sleep 1
kill -TERM "$REP"; wait "$REP"
is "$?" 0 "replicate stopped cleanly"
is "$(pgq tgt types "SELECT string_agg(id::text, ',' ORDER BY id) FROM public.t")" "1,2,3,4,6" "the rows the source has"
gw replicate --source "$SRC" --target "$(pg_url tgt plain)" --zero-dates null
is "$GW_RC" 3 "a value the target type cannot hold stops replication (source error 3), no retry loop"
like "$GW_ERR" 'outside the time of day that PostgreSQL time holds' "the error names the value and the type"
like "$GW_ERR" 'map the column to interval' "and says what to do"
unlike "$GW_ERR" 'reconnecting from the checkpoint' "it does not reconnect in vain"

gw verify --source "$SRC" --target "$TGT" "${FLAGS[@]}"
is "$GW_RC" 0 "godwit verify: every value equals the source's"
[ "$GW_RC" = 0 ] || diag "$(echo "$GW_OUT" | head -30)"

done_testing
