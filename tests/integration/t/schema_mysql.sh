#!/usr/bin/env bash
# godwit schema + finalize from MariaDB: every MySQL dataset (Sakila, world,
# Chinook, employees, and the duckdb, pgloader, MySQL Shell and Debezium type
# fixtures) converts for both dialects, is created on a PostgreSQL 15 target,
# and finalize creates every deferred object; identifiers (newlines,
# backticks, quotes, latin1 bytes, CamelCase) round-trip exactly; the type
# policies and --type-map-file change what is created.
. "$(dirname "$0")/../lib/harness.sh"
D=$SHARED_DATASETS

my_node msrc
pg_node tgt
MY=(--default-character-set=utf8mb4)

# --- load the datasets as datasets/README.md §3 says ---
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
pass "datasets loaded"

# Every database holding a base table (some fixtures create their own).
dbs=$(myq msrc "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'
                AND TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1")
is "$(printf '%s\n' "$dbs" | wc -l)" "24" "24 databases with tables"

# table.column of every base table, hex-encoded (names hold newlines), in byte order;
# names over 63 bytes are left out (shortened on PostgreSQL, with a hash suffix)
my_names() {
  myq msrc "SELECT LOWER(HEX(CONVERT(CONCAT(c.TABLE_NAME, '.', c.COLUMN_NAME) USING utf8mb4)))
            FROM information_schema.COLUMNS c JOIN information_schema.TABLES t
              ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME AND t.TABLE_TYPE = 'BASE TABLE'
            WHERE c.TABLE_SCHEMA = '$1'
              AND OCTET_LENGTH(CONVERT(c.TABLE_NAME USING utf8mb4)) <= 63
              AND OCTET_LENGTH(CONVERT(c.COLUMN_NAME USING utf8mb4)) <= 63" | LC_ALL=C sort
}
pg_names() {
  pgq tgt "$1" "SELECT encode(convert_to(c.table_name || '.' || c.column_name, 'UTF8'), 'hex')
                FROM information_schema.columns c WHERE c.table_schema = 'public'
                AND c.table_name !~ '_[0-9a-f]{8}$' AND c.column_name !~ '_[0-9a-f]{8}$'" | LC_ALL=C sort
}

n=0
for db in $dbs; do
  n=$((n + 1))
  url=$(my_url msrc "$db")
  pgq tgt postgres "CREATE DATABASE t$n" >/dev/null

  gw schema --source "$url" --dry-run --target-dialect cockroachdb --allow-no-pk
  is "$GW_RC" 0 "$db: converts for CockroachDB (dry run)" || diag "$GW_ERR"
  gw schema --source "$url" --target "$(pg_url tgt "t$n")" --allow-no-pk
  is "$GW_RC" 0 "$db: schema created on PostgreSQL 15" || diag "$GW_ERR"
  gw finalize --source "$url" --target "$(pg_url tgt "t$n")" --allow-no-pk
  is "$GW_RC" 0 "$db: finalize creates every deferred object" || diag "$GW_ERR"
  like "$GW_OUT" ' 0 failed' "$db: nothing failed"
  is "$(pg_names "t$n")" "$(my_names "$db")" "$db: table and column names round-trip exactly"
  eval "T_$(printf '%s' "$db" | tr -c 'A-Za-z0-9_' _)=t$n"
done

# --- what was created, looked at with SQL ---
tsak=$T_sakila
is "$(pgq tgt "$tsak" "SELECT count(*) FROM pg_catalog.pg_constraint WHERE contype = 'f' AND convalidated")" "22" \
   "sakila: 22 foreign keys, validated"
is "$(pgq tgt "$tsak" "SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute
                       WHERE attrelid = 'public.film'::regclass AND attname = 'rating'")" "film_rating" \
   "sakila: ENUM becomes the enum type film_rating"
is "$(pgq tgt "$tsak" "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_catalog.pg_enum
                       WHERE enumtypid = 'public.film_rating'::regtype")" "G,PG,PG-13,R,NC-17" "sakila: with its labels"
is "$(pgq tgt "$tsak" "SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute
                       WHERE attrelid = 'public.film'::regclass AND attname = 'special_features'")" "text[]" "sakila: SET becomes text[]"
is "$(pgq tgt "$tsak" "SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute
                       WHERE attrelid = 'public.film'::regclass AND attname = 'release_year'")" "smallint" "sakila: YEAR becomes smallint"
is "$(pgq tgt "$tsak" "SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute
                       WHERE attrelid = 'public.staff'::regclass AND attname = 'active'")" "boolean" "sakila: TINYINT(1) becomes boolean"
is "$(pgq tgt "$tsak" "SELECT pg_get_expr(adbin, adrelid) FROM pg_catalog.pg_attrdef
                       WHERE adrelid = 'public.film'::regclass AND adnum = 1")" \
   "nextval('film_film_id_seq'::regclass)" "sakila: AUTO_INCREMENT becomes a sequence default"
is "$(pgq tgt "$tsak" "SELECT last_value FROM public.film_film_id_seq")" "1001" "sakila: starting after the counter"
is "$(pgq tgt "$tsak" "SELECT count(*) FROM pg_catalog.pg_indexes WHERE tablename = 'film_text'")" "1" \
   "sakila: the FULLTEXT index is left out (only the primary key)"
tdeb=$T_mysql_types_debezium_unsigned_integer_test
is "$(pgq tgt "$tdeb" "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ',' ORDER BY attnum)
                       FROM pg_catalog.pg_attribute WHERE attrelid = 'public.dbz_228_bigint_unsigned'::regclass AND attnum > 0")" \
   "id integer,c1 numeric(20,0),c2 numeric(20,0),c3 bigint" "debezium: BIGINT UNSIGNED (ZEROFILL) becomes numeric(20)"
tnasty=$T_mysql_types_mysqlsh_nasty_tables
is "$(pgq tgt "$tnasty" "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")" "26" \
   "nasty_tables: all 26 tables, long names shortened"

# --- policies and overrides ---
pgq tgt postgres "CREATE DATABASE pol" >/dev/null
cat >"$TEST_TMP/map.json" <<'JSON'
[{"table": "sakila.film", "column_type_map": [{"column": "length", "source_type": "smallint", "target_type": "integer"}]},
 {"table": "sakila.rental", "column_type_map": [{"column": "*", "source_type": "datetime", "crdb_type": "timestamptz"}]}]
JSON
gw schema --source "$(my_url msrc sakila)" --target "$(pg_url tgt pol)" --target-schema "Sakila Test" \
   --enum-as text --tinyint1-as smallint --type-map-file "$TEST_TMP/map.json" --table-filter 'film|staff|rental'
is "$GW_RC" 0 "policies and a type map file" || diag "$GW_ERR"
is "$(pgq tgt pol "SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, ',' ORDER BY table_name, column_name)
                   FROM information_schema.columns WHERE table_schema = 'Sakila Test'
                   AND column_name IN ('rating', 'active', 'length', 'rental_date', 'return_date')")" \
   "film.length integer,film.rating text,rental.rental_date timestamp with time zone,rental.return_date timestamp with time zone,staff.active smallint" \
   "--target-schema, --enum-as text, --tinyint1-as smallint and the overrides applied"
cat >"$TEST_TMP/bad.json" <<'JSON'
[{"table": "sakila.film", "column_type_map": [{"column": "length", "target_type": "no_such_type"}]}]
JSON
gw schema --source "$(my_url msrc sakila)" --target "$(pg_url tgt pol)" --type-map-file "$TEST_TMP/bad.json" --dry-run
is "$GW_RC" 1 "an override type the target does not know is a bad argument"
like "$GW_ERR" 'no_such_type.*is not a type on the target' "and is named"

# --- several databases into one schema: a name collision is refused ---
gw schema --source "$(my_url msrc)" --dry-run --schema-filter 'all_features|all_features2' --allow-no-pk
is "$GW_RC" 6 "two databases with the same table name cannot share one target schema"
like "$GW_ERR" 'which another selected table also maps to' "the collision is explained"
gw schema --source "$(my_url msrc)" --dry-run --schema-filter 'world|Chinook'
is "$GW_RC" 0 "two databases without collisions share public"

# --- tables without a primary key are refused without --allow-no-pk ---
gw schema --source "$(my_url msrc mysqlscanner)" --dry-run
is "$GW_RC" 6 "tables without a primary key are refused"
like "$GW_ERR" 'tables without a primary key: mysqlscanner\.bits' "and named"
like "$GW_ERR" 'allow-no-pk' "the hint says what to do"

# --- check: the column_types item ---
gw check --source "$(my_url msrc mysqlscanner)" --target "$(pg_url tgt pol)" --no-replication --allow-no-pk --format json
like "$GW_OUT" '"name":"column_types","status":"WARN","message":"8 columns take a fallback type on PostgreSQL: column mysqlscanner.geom.g \(geometry\) becomes bytea' \
  "check: spatial columns fall back to bytea without PostGIS"
gw check --source "$(my_url msrc mysqlscanner)" --no-replication --allow-no-pk --format json
like "$GW_OUT" '"name":"column_types","status":"OK"' "check: CockroachDB has geometry"

# --- a least-privilege migration user (SELECT only): MariaDB hides foreign key
# rules and TABLE_CONSTRAINTS from it; godwit must not drop foreign keys silently
myq msrc "CREATE USER selonly@'127.0.0.1' IDENTIFIED BY 'sel-pw'; GRANT SELECT ON sakila.* TO selonly@'127.0.0.1';"
pgq tgt postgres "CREATE DATABASE selonly"
gw schema --source "mysql://selonly:sel-pw@127.0.0.1:${msrc_PORT}/sakila?ssl-mode=DISABLED" \
  --target "$(pg_url tgt selonly)" --dry-run
is "$GW_RC" 6 "a SELECT-only user cannot see foreign key rules: the schema step refuses (exit 6)"
like "$GW_ERR" 'GRANT REFERENCES' "the hint names the grant"
gw check --source "mysql://selonly:sel-pw@127.0.0.1:${msrc_PORT}/sakila?ssl-mode=DISABLED" --no-replication --format json
like "$GW_OUT" '"name":"primary_keys","status":"OK"' "check still sees the primary keys (STATISTICS)"
myq msrc "GRANT REFERENCES ON sakila.* TO selonly@'127.0.0.1'"
gw schema --source "mysql://selonly:sel-pw@127.0.0.1:${msrc_PORT}/sakila?ssl-mode=DISABLED" \
  --target "$(pg_url tgt selonly)" --dry-run
is "$GW_RC" 0 "with REFERENCES granted the schema converts"
like "$GW_OUT" 'ON UPDATE CASCADE' "and the foreign key rules are carried"

done_testing
