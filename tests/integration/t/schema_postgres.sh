#!/usr/bin/env bash
# godwit schema + finalize from PostgreSQL sources: every PostgreSQL dataset
# (Pagila, Chinook, the duckdb and Debezium type fixtures, pgcopydb's odd
# identifiers) converts for both dialects, is created on a PostgreSQL 15
# target, and finalize creates every deferred object; names round-trip
# exactly; finalize is idempotent.
. "$(dirname "$0")/../lib/harness.sh"
D=$SHARED_DATASETS

pg_node src
pg_node tgt

# --- load the datasets as datasets/README.md §3 says ---
pgq src postgres "CREATE DATABASE pagila" >/dev/null
pgf src pagila "$D/pagila-postgres/pagila-schema.sql"
pgf src pagila "$D/pagila-postgres/pagila-data.sql"
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$src_PORT" -U postgres -d postgres \
  -f "$D/chinook/Chinook_PostgreSql.sql" >/dev/null 2>&1 || bail "chinook did not load"
pgq src postgres "CREATE DATABASE duckdb_pg" >/dev/null
for f in all_pg_types other decimals; do pgf src duckdb_pg "$D/postgres-types-duckdb/$f.sql"; done
pgq src postgres "CREATE DATABASE debezium_pg" >/dev/null
pgf src debezium_pg "$D/postgres-types-debezium/init_database.ddl"
pgf src debezium_pg "$D/postgres-types-debezium/postgres_create_tables.ddl"
pgf src debezium_pg "$D/postgres-types-debezium/inserts_from_AbstractRecordsProducerTest.sql"
pgq src postgres "CREATE DATABASE pagila_cdc TEMPLATE pagila" >/dev/null
pgf src pagila_cdc "$D/postgres-cdc-pgcopydb/cdc-test-decoding-ddl.sql"
pgf src pagila_cdc "$D/postgres-cdc-pgcopydb/cdc-pgoutput-special-ddl.sql"
# partitions with their own indexes and foreign keys (on every leaf, or on some)
pgq src postgres "CREATE DATABASE parts" >/dev/null
pgq src parts "CREATE TABLE ref (id int PRIMARY KEY);
  CREATE TABLE ev (id int, at date, ref_id int, note text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
  CREATE TABLE ev_2023 PARTITION OF ev FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
  CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01') PARTITION BY RANGE (at);
  CREATE TABLE ev_2024_h1 PARTITION OF ev_2024 FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
  CREATE TABLE ev_2024_h2 PARTITION OF ev_2024 FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
  CREATE INDEX ev_parent_note ON ev (note);
  CREATE INDEX ev_2023_ref_id_idx ON ev_2023 (ref_id); CREATE INDEX ev_2024_h1_ref_id_idx ON ev_2024_h1 (ref_id);
  CREATE INDEX ev_2024_h2_ref_id_idx ON ev_2024_h2 (ref_id); CREATE INDEX ev_2023_partial ON ev_2023 (at);
  ALTER TABLE ev_2023 ADD CONSTRAINT ev_2023_ref_fkey FOREIGN KEY (ref_id) REFERENCES ref (id);
  ALTER TABLE ev_2024_h1 ADD CONSTRAINT ev_2024_h1_ref_fkey FOREIGN KEY (ref_id) REFERENCES ref (id);
  ALTER TABLE ev_2024_h2 ADD CONSTRAINT ev_2024_h2_ref_fkey FOREIGN KEY (ref_id) REFERENCES ref (id);"
pass "datasets loaded"

# Tables and columns (names, types as the target prints them, nullability) of
# every migrated schema, for comparing a source with its target.
COLS="SELECT c.table_schema || '.' || c.table_name || '.' || c.column_name || ' ' || c.data_type || ' ' || c.is_nullable
      FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
      ORDER BY 1"
# leaf partitions are not migrated: their parent is (payment)
NOT_PARTITION="SELECT 1 FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace
               WHERE k.relispartition"

for db in pagila chinook duckdb_pg debezium_pg pagila_cdc parts; do
  src_url=$(pg_url src "$db")
  pgq tgt postgres "CREATE DATABASE t_$db" >/dev/null

  gw schema --source "$src_url" --dry-run --target-dialect cockroachdb --allow-no-pk
  is "$GW_RC" 0 "$db: converts for CockroachDB (dry run)"
  gw schema --source "$src_url" --target "$(pg_url tgt "t_$db")" --allow-no-pk
  is "$GW_RC" 0 "$db: schema created on PostgreSQL 15" || diag "$GW_ERR"
  gw finalize --source "$src_url" --target "$(pg_url tgt "t_$db")" --allow-no-pk
  is "$GW_RC" 0 "$db: finalize creates every deferred object" || diag "$GW_ERR"
  like "$GW_OUT" ', 0 failed' "$db: nothing failed"
  unlike "$GW_ERR" '"level":"error"' "$db: no error logged"

  src_cols=$(pgq src "$db" "$COLS" | grep -v -F -f <(pgq src "$db" \
    "SELECT k.relnamespace::regnamespace || '.' || k.relname || '.' FROM pg_catalog.pg_class k WHERE k.relispartition"))
  tgt_cols=$(pgq tgt "t_$db" "$COLS")
  is "$tgt_cols" "$src_cols" "$db: every table and column round-trips (names, types, nullability)"
done

# --- what was created, looked at with SQL ---
is "$(pgq tgt t_pagila "SELECT count(*) FROM pg_catalog.pg_indexes WHERE schemaname = 'public'")" \
   "$(pgq src pagila "SELECT count(*) FROM pg_catalog.pg_indexes i JOIN pg_catalog.pg_class c ON c.relname = i.tablename
                      AND c.relnamespace = 'public'::regnamespace WHERE i.schemaname = 'public' AND NOT c.relispartition
                      AND c.relkind IN ('r', 'p')")" \
   "pagila: the same indexes as the source (payment's parent only)"
is "$(pgq tgt t_pagila "SELECT count(*) FROM pg_catalog.pg_constraint WHERE contype = 'f' AND convalidated")" \
   "$(pgq src pagila "SELECT count(*) FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
                      WHERE contype = 'f' AND conparentid = 0 AND NOT c.relispartition")" \
   "pagila: every foreign key created and validated"
is "$(pgq tgt t_pagila "SELECT relkind FROM pg_catalog.pg_class WHERE oid = 'public.payment'::regclass")" "r" \
   "pagila: the partitioned payment is one plain table"
is "$(pgq tgt t_pagila "SELECT count(*) FROM pg_catalog.pg_class WHERE relname LIKE 'payment_p2022%'")" "0" \
   "pagila: leaf partitions are not created"
is "$(pgq tgt t_pagila "SELECT format_type(atttypid, atttypmod) FROM pg_catalog.pg_attribute
                        WHERE attrelid = 'public.film'::regclass AND attname = 'release_year'")" "year" \
   "pagila: the domain year is created and used"
is "$(pgq tgt t_pagila "SELECT pg_get_expr(adbin, adrelid) FROM pg_catalog.pg_attrdef
                        WHERE adrelid = 'public.film'::regclass AND adnum = 1")" \
   "nextval('film_film_id_seq'::regclass)" "pagila: serial default on the target"
is "$(pgq tgt t_pagila "SELECT last_value FROM public.rental_rental_id_seq")" \
   "$(pgq src pagila "SELECT last_value + 1 FROM public.rental_rental_id_seq")" "pagila: sequence starts after the source's value"
is "$(pgq tgt t_debezium_pg "SELECT string_agg(extname, ',' ORDER BY extname) FROM pg_catalog.pg_extension")" \
   "citext,hstore,isn,ltree,plpgsql" "debezium: the extensions its columns need are created"
is "$(pgq tgt t_duckdb_pg "SELECT count(*) FROM pg_catalog.pg_type WHERE typname IN ('composite_b', 'composite_a', 'my_id', 'my_type_v30', 'some_enum')")" \
   "5" "duckdb: composite types, domains and the enum of another schema are created"
is "$(pgq tgt t_duckdb_pg "SELECT attgenerated FROM pg_catalog.pg_attribute WHERE attrelid = 'public.\"SameCaseName\"'::regclass AND attnum = 1")" \
   "" "duckdb: case-only-different table names coexist"
is "$(pgq tgt t_pagila_cdc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'Unicode\"Test' AND table_name = 'слон'")" \
   "1" "pgcopydb: Cyrillic table in a schema with a quote"
is "$(pgq tgt t_pagila_cdc "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789012345678901234567890123456'")" \
   "1" "pgcopydb: 63-character schema and table names"

# --- partitions: objects on every leaf are created once on the merged table ---
is "$(pgq tgt t_parts "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_catalog.pg_indexes WHERE tablename = 'ev'")" \
   "ev_parent_note,ev_pkey,ev_ref_id_idx" "partitions: the parent's index and the one every leaf has"
is "$(pgq tgt t_parts "SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ',') FROM pg_catalog.pg_constraint
                       WHERE conrelid = 'public.ev'::regclass AND contype = 'f'")" \
   "ev_ref_fkey FOREIGN KEY (ref_id) REFERENCES ref(id)" "partitions: the foreign key every leaf has"
gw schema --source "$(pg_url src parts)" --dry-run
like "$GW_ERR" 'index \\"ev_2023_partial\\" exists on 1 of the 3 partitions of public.ev only' "an index on some leaves only is reported"

# --- finalize is idempotent ---
gw finalize --source "$(pg_url src pagila)" --target "$(pg_url tgt t_pagila)"
is "$GW_RC" 0 "finalize rerun succeeds"
like "$GW_OUT" ' 0 created, [0-9]+ already present, 0 rejected by the target, 0 failed' "finalize rerun creates nothing"

# --- CockroachDB dry run: only SQL CockroachDB accepts ---
gw schema --source "$(pg_url src debezium_pg)" --dry-run --target-dialect cockroachdb --allow-no-pk
unlike "$(printf '%s\n' "$GW_OUT" | grep -v '^--')" 'CREATE (DOMAIN|EXTENSION)|COLLATE| money| public\.hstore' \
  "CockroachDB DDL has no domains, extensions or types it lacks"
like "$GW_ERR" 'column public.cash_table.csh \(money\) becomes numeric on CockroachDB' "fallback warnings name the column"

# --- check: the column_types item ---
gw check --source "$(pg_url src debezium_pg)" --no-replication --allow-no-pk --format json
like "$GW_OUT" '"name":"column_types","status":"WARN","message":"[0-9]+ columns take a fallback type on CockroachDB' \
  "check warns about types CockroachDB lacks (no target: the stricter dialect)"
gw check --source "$(pg_url src pagila)" --target "$(pg_url tgt t_pagila)" --no-replication --format json
like "$GW_OUT" '"name":"column_types","status":"OK","message":"every column type maps to PostgreSQL' \
  "check: every pagila type maps to PostgreSQL"

done_testing
