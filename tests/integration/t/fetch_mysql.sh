#!/usr/bin/env bash
# godwit fetch from MariaDB: every MySQL dataset of the shared folder copies
# into PostgreSQL and every value is what the documented mapping says (checked
# value by value by an oracle written apart from the converter,
# lib/mycompare.py); the summary, the state and the cdc cursor are right;
# values that cannot be carried stop the copy naming table, column, key and
# value, and the documented remedy then works.
. "$(dirname "$0")/../lib/harness.sh"

my_node msrc
pg_node tgt
D=$SHARED_DATASETS
MYSOCK="$(pg_dir msrc)/mysqld.sock"
COMPARE=(python3 "$HARNESS_DIR/mycompare.py" --my-socket "$MYSOCK" --pg-port "$(pg_port tgt)")
TIME_AS_INTERVAL=$TEST_TMP/time-interval.json
echo '[{"table": "*", "column_type_map": [{"column": "*", "source_type": "time", "target_type": "interval"}]}]' \
  >"$TIME_AS_INTERVAL"
TABLES_CHECKED=0 ROWS_CHECKED=0

# load DB FILE [mariadb args]   (as the datasets README says)
load() { local db=$1 f=$2; shift 2; myq msrc "CREATE DATABASE IF NOT EXISTS \`$db\`"; myf msrc "$@" "$db" <"$f"; }
fresh_pg() { pgq tgt postgres "DROP DATABASE IF EXISTS \"$1\"" 2>/dev/null; pgq tgt postgres "CREATE DATABASE \"$1\""; }
fetch() { local mydb=$1 pgdb=$2; shift 2; gw fetch --source "$(my_url msrc "$mydb")" --target "$(pg_url tgt "$pgdb")" --format json "$@"; }
errors() { echo "$GW_ERR" | grep -E '"level":"(error|warn)"'; }
# compare MYDB PGDB: every table, value by value
compare() {
  local out
  out=$("${COMPARE[@]}" --my-db "$1" --pg-db "$2" 2>&1)
  ok $? "every value of every $1 table matches the source"
  echo "$out" | grep -q '^\(MISMATCH\|MISSING\|Traceback\)' && diag "$(echo "$out" | grep -v '^ok ' | head -10)"
  local nt nr
  nt=$(echo "$out" | grep -c '^ok '); nr=$(echo "$out" | awk '/^ok /{s+=$(NF-1)} END{print s+0}')
  TABLES_CHECKED=$((TABLES_CHECKED + nt)); ROWS_CHECKED=$((ROWS_CHECKED + nr))
}
# verify MYDB PGDB [flags]: and godwit verify agrees (the project's own cross-engine check)
VERIFIED=0
verify() {
  local mydb=$1 pgdb=$2; shift 2
  gw verify --source "$(my_url msrc "$mydb")" --target "$(pg_url tgt "$pgdb")" "$@"
  is "$GW_RC" 0 "godwit verify finds no difference in $mydb" || diag "$(echo "$GW_OUT" | grep -A10 '^differences' | head -10)"
  [ "$GW_RC" = 0 ] && VERIFIED=$((VERIFIED + 1))
}
# fetch_db MYDB PGDB [godwit args...]: fresh PG database, fetch, compare, verify
fetch_db() {
  local mydb=$1 pgdb=$2; shift 2
  fresh_pg "$pgdb"
  fetch "$mydb" "$pgdb" "$@"
  is "$GW_RC" 0 "fetch of $mydb succeeds"
  [ "$GW_RC" = 0 ] || { diag "$(errors | tail -5)"; return 1; }
  compare "$mydb" "$pgdb"
  local fo=$GW_OUT fe=$GW_ERR vflags=()
  while [ $# -gt 0 ]; do   # fetch-only flags are not verify's
    case $1 in --shard-size) shift 2 ;; *) vflags+=("$1"); shift ;; esac
  done
  verify "$mydb" "$pgdb" ${vflags[@]+"${vflags[@]}"}
  GW_OUT=$fo GW_ERR=$fe GW_RC=0   # callers look at the fetch's output
}

# ---- sample databases
load sakila "$D/sakila-mysql/sakila-schema.sql"; myf msrc <"$D/sakila-mysql/sakila-data.sql"
fetch_db sakila sakila --shard-size 64kB
like "$GW_OUT" '"cdc_cursor":"0-[0-9]+-[0-9]+"' "summary has the GTID cdc cursor"
like "$GW_OUT" '"snapshot_lock_held_us":[0-9]+' "summary has the lock hold time"
is "$(pgq tgt sakila "SELECT status FROM _godwit.runs ORDER BY run_id DESC LIMIT 1")" done "run recorded as done"
ok "$( [ "$(pgq tgt sakila "SELECT count(*) FROM _godwit.shards WHERE table_name = 'rental'")" -gt 4 ]; echo $?)" \
  "rental (integer key) split into several shards"
is "$(pgq tgt sakila "SELECT sum(rows_copied) FROM _godwit.shards WHERE table_name = 'rental'")" 16044 "shard row counts add up"
is "$(pgq tgt sakila "SELECT snapshot_position FROM _godwit.runs ORDER BY run_id DESC LIMIT 1")" \
  "$(echo "$GW_OUT" | sed -n 's/.*"cdc_cursor":"\([^"]*\)".*/\1/p')" "cdc cursor stored in _godwit.runs"
is "$(echo "$GW_OUT" | sed -n 's/.*"cdc_cursor":"\([^"]*\)".*/\1/p')" "$(myq msrc "SELECT @@gtid_binlog_pos")" \
  "cdc cursor is the source's GTID position (nothing written since)"
fetch sakila sakila
is "$GW_RC" 7 "a second fetch says the run is done"

myq msrc "CREATE DATABASE world"; myf msrc world <"$D/world-mysql/world.sql"
myq msrc "ANALYZE TABLE world.City, world.Country" >/dev/null   # sizes for the shard planner
fetch_db world world --shard-size 16kB    # latin1 tables
ok "$( [ "$(pgq tgt world "SELECT count(*) FROM _godwit.shards WHERE table_name = 'City'")" -gt 1 ]; echo $?)" \
  "City (integer key) is split"
is "$(pgq tgt world "SELECT count(*) FROM _godwit.shards WHERE table_name = 'Country'")" 1 \
  "Country (text key: collations differ) is one range"
myf msrc <"$D/chinook/Chinook_MySql.sql"
fetch_db Chinook chinook
(cd "$D/employees-mysql" && myf msrc <employees.sql >/dev/null)
fetch_db employees employees

# ---- edges no fixture has exactly: DECIMAL(65,30), every byte value in a BLOB, COPY's
# special characters in text, latin1 and sjis columns, fractions, TIME beyond a day
myq msrc "CREATE DATABASE edge"
myqd msrc edge "SET NAMES utf8mb4;
  CREATE TABLE e (id bigint unsigned PRIMARY KEY, d65 decimal(65,30), t text, lat varchar(20) CHARACTER SET latin1,
    sj varchar(20) CHARACTER SET sjis, bl longblob, bn binary(4), dt datetime(6), ts timestamp(3) NULL, tm time(6),
    y year, bt bit(13), st set('a','b c','d''e'), en enum('x','y'), j json);
  INSERT INTO e VALUES
    (18446744073709551615, 99999999999999999999999999999999999.999999999999999999999999999999,
     'tab\there\nnewline\\back \\N \r cr 🦆', 'café', '日本語', NULL, 0x00FF0A5C, '9999-12-31 23:59:59.999999',
     '2038-01-19 03:14:07.999', '838:59:59.000000', 2155, b'1010101010101', 'a,b c,d''e', 'y', '{\"k\": [1, 2.50, \"\\u00e9\"]}'),
    (0, -99999999999999999999999999999999999.999999999999999999999999999999, '', '', '', '', 0x00000000,
     '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01.000', '-838:59:59.999999', 1901, b'0', '', 'x', '[]'),
    (1, 0.000000000000000000000000000001, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  UPDATE e SET bl = (SELECT GROUP_CONCAT(CHAR(seq) SEPARATOR '') FROM seq_0_to_255) WHERE id = 0;"
fetch_db edge edge --type-map-file "$TIME_AS_INTERVAL"
is "$(pgq tgt edge "SELECT length(bl) FROM public.e WHERE id = 0")" 256 "a BLOB with every byte value arrives whole"
is "$(pgq tgt edge "SELECT d65::text FROM public.e WHERE id = 1")" "0.000000000000000000000000000001" "DECIMAL(65,30) keeps its scale"
# the oracle is not vacuous: one microsecond or one character off is a mismatch
pgq tgt edge "UPDATE public.e SET dt = dt + interval '1 microsecond' WHERE id = 0"
out=$("${COMPARE[@]}" --my-db edge --pg-db edge 2>&1); rc=$?
ok "$( [ "$rc" = 1 ] && echo "$out" | grep -q 'MISMATCH e: dt: want'; echo $?)" "the oracle reports a timestamp one microsecond off"
pgq tgt edge "UPDATE public.e SET dt = dt - interval '1 microsecond', t = t || ' ' WHERE id = 0"
out=$("${COMPARE[@]}" --my-db edge --pg-db edge 2>&1); rc=$?
ok "$( [ "$rc" = 1 ] && echo "$out" | grep -q 'MISMATCH e: t: want'; echo $?)" "the oracle reports a trailing space"

# ---- type fixtures: one database per file (some create their own databases too)
for f in "$D"/mysql-types-mysqlsh/*.sql "$D"/mysql-types-duckdb/*.sql "$D"/mysql-types-pgloader/*.sql \
         "$D"/mysql-types-debezium/*.sql; do
  load "$(basename "$(dirname "$f")" | tr - _)_$(basename "$f" .sql)" "$f" --force 2>/dev/null
done

# values PostgreSQL's time cannot hold: the copy stops, naming table, column, row and value ...
fresh_pg xtest
fetch xtest xtest --allow-no-pk
is "$GW_RC" 3 "TIME outside a day stops the copy (source error)"
like "$(errors)" 'xtest.t_date at row [0-9]+ .*value \\"-?[0-9]+:[0-9]{2}:[0-9]{2}[^"]*\\" of column \\"c2\\" \(time\) is outside the time of day' \
  "message names table, row, value and column"
like "$(errors)" '"hint":"map the column to interval' "hint says what to do"
# ... and the hint works (TIME -> interval keeps -838:59:59 .. 838:59:59)
fetch_db xtest xtest --allow-no-pk --type-map-file "$TIME_AS_INTERVAL"
fetch_db mysqlscanner mysqlscanner --allow-no-pk --type-map-file "$TIME_AS_INTERVAL" --tinyint1-as smallint

# a key is named when the table has one
myq msrc "CREATE DATABASE badkey; CREATE TABLE badkey.t (id int PRIMARY KEY, flag tinyint(1));
          INSERT INTO badkey.t VALUES (1, 0), (2, 1), (3, 7)"
fresh_pg badkey
fetch badkey badkey
is "$GW_RC" 3 "tinyint(1) holding 7 stops the boolean copy"
like "$(errors)" 'badkey.t at key \(id=3\): value \\"7\\" of column \\"flag\\"' "message names the key and value"
fetch_db badkey badkey2 --tinyint1-as smallint

# zero dates: NULL on the target by default; a NOT NULL column cannot take that
fresh_pg zdf
fetch mysql_types_debezium_zero_date_fallback_converter zdf --allow-no-pk
is "$GW_RC" 4 "zero date in a NOT NULL column: the target refuses the NULL"
like "$(errors)" 'value \\"0000-00-00\\" of NOT NULL column \\"d_no_default\\" of .*dt_full at .* becomes NULL' \
  "a warning names the column, row and value"
like "$(errors)" 'DROP NOT NULL\) and rerun the same command' "and says what to do"
for c in $(pgq tgt zdf "SELECT column_name FROM information_schema.columns WHERE table_name = 'dt_full'
                        AND is_nullable = 'NO' AND data_type IN ('date', 'timestamp without time zone', 'timestamp with time zone')"); do
  pgq tgt zdf "ALTER TABLE public.dt_full ALTER COLUMN \"$c\" DROP NOT NULL"
done
fetch mysql_types_debezium_zero_date_fallback_converter zdf --allow-no-pk
is "$GW_RC" 0 "after DROP NOT NULL on the target, the rerun resumes and finishes"
compare mysql_types_debezium_zero_date_fallback_converter zdf
verify mysql_types_debezium_zero_date_fallback_converter zdf --allow-no-pk
fresh_pg zdf2
fetch mysql_types_debezium_zero_date_fallback_converter zdf2 --allow-no-pk --zero-dates error
is "$GW_RC" 3 "--zero-dates error stops at the first zero date"
like "$(errors)" 'is a (zero|partial) date' "naming it"

# Debezium's regression tables: tinyint(1) holding -128, TIME beyond a day, zero dates in NOT NULL columns
fresh_pg dbzreg
fetch mysql_types_debezium_regression_test dbzreg --allow-no-pk --tinyint1-as smallint --type-map-file "$TIME_AS_INTERVAL"
for c in $(pgq tgt dbzreg "SELECT table_name || '.' || column_name FROM information_schema.columns
                           WHERE table_schema = 'public' AND is_nullable = 'NO' AND data_type IN ('date', 'timestamp without time zone', 'timestamp with time zone')"); do
  pgq tgt dbzreg "ALTER TABLE public.${c%%.*} ALTER COLUMN ${c#*.} DROP NOT NULL"
done
fetch mysql_types_debezium_regression_test dbzreg --allow-no-pk --tinyint1-as smallint --type-map-file "$TIME_AS_INTERVAL"
is "$GW_RC" 0 "Debezium regression tables copy (with the remedies)"
compare mysql_types_debezium_regression_test dbzreg
verify mysql_types_debezium_regression_test dbzreg --allow-no-pk --tinyint1-as smallint --type-map-file "$TIME_AS_INTERVAL"

# every other fixture database, with the default mapping
for db in $(myq msrc "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'
                     AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys', 'sakila',
                       'world', 'Chinook', 'employees', 'xtest', 'mysqlscanner', 'badkey', 'edge',
                       'mysql_types_debezium_zero_date_fallback_converter', 'mysql_types_debezium_regression_test')
                     ORDER BY 1"); do
  fetch_db "$db" "$db" --allow-no-pk
done
diag "checked $TABLES_CHECKED tables, $ROWS_CHECKED rows value by value; godwit verify clean on $VERIFIED databases"
ok "$( [ "$TABLES_CHECKED" -gt 150 ]; echo $?)" "more than 150 tables were compared"

done_testing
