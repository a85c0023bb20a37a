#!/usr/bin/env bash
# --table-handling against existing target tables: none (create the missing,
# compare the others), truncate-if-exists, drop-on-target-and-recreate; the
# primary key rule; enum labels added to an existing type; --dry-run leaves
# the target untouched.
. "$(dirname "$0")/../lib/harness.sh"

pg_node src
pg_node tgt
pgq src postgres "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(20), m mood, qty int NOT NULL DEFAULT 1);
  CREATE TABLE lines (order_id bigint REFERENCES orders, n int, PRIMARY KEY (order_id, n));
  CREATE TABLE keyless (a int);"
SRC=$(pg_url src)
TGT=$(pg_url tgt)
tables() { pgq tgt postgres "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'"; }

# --- dry run: nothing on the target ---
gw schema --source "$SRC" --target "$TGT" --dry-run --table-exclusion-filter keyless
is "$GW_RC" 0 "dry run with a target"
like "$GW_OUT" 'CREATE TABLE "public"."orders"' "dry run prints the DDL"
is "$(tables)" "" "dry run created nothing"

# --- tables without a primary key ---
gw schema --source "$SRC" --target "$TGT"
is "$GW_RC" 6 "a table without a primary key stops the schema step (exit 6)"
like "$GW_ERR" '1 table without a primary key: public.keyless' "it is named"
is "$(tables)" "" "and nothing was created"

# --- none: creates what is missing ---
pgq tgt postgres "CREATE TYPE mood AS ENUM ('sad'); CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(50),
                  m mood, qty bigint NOT NULL, extra text); INSERT INTO orders VALUES (1, 'x', 'sad', 1, NULL);"
gw schema --source "$SRC" --target "$TGT" --allow-no-pk
is "$GW_RC" 0 "none: an existing compatible table is accepted" || diag "$GW_ERR"
is "$(tables)" "keyless,lines,orders" "none: the missing tables are created"
like "$GW_ERR" 'target table public.orders has an extra column \\"extra\\"' "none: an extra column is a warning"
is "$(pgq tgt postgres "SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_catalog.pg_enum
                        WHERE enumtypid = 'public.mood'::regtype")" "sad,ok,happy" "the existing enum gets the missing labels"
is "$(pgq tgt postgres "SELECT count(*) FROM orders")" "1" "none: existing rows are kept"

# --- none: incompatible tables are refused, all problems listed ---
pgq tgt postgres "DROP TABLE lines; CREATE TABLE lines (order_id int, n text, PRIMARY KEY (n));"
gw schema --source "$SRC" --target "$TGT" --allow-no-pk
is "$GW_RC" 6 "none: an incompatible table stops the schema step (exit 6)"
like "$GW_ERR" 'column \\"order_id\\" of target table public.lines has type int4, incompatible with bigint: the target type is narrower' \
  "a narrower integer is refused"
like "$GW_ERR" 'column \\"n\\" of target table public.lines has type text' "a text column where an integer goes is reported"
like "$GW_ERR" 'the primary key of target table public.lines differs' "a different primary key is refused"
pgq tgt postgres "ALTER TABLE lines DROP COLUMN n"
gw schema --source "$SRC" --target "$TGT" --allow-no-pk
like "$GW_ERR" 'target table public.lines has no column \\"n\\"' "a missing column is refused"

# --- truncate-if-exists: compare, then empty ---
pgq tgt postgres "DROP TABLE lines; CREATE TABLE lines (order_id bigint, n int, PRIMARY KEY (order_id, n));
                  INSERT INTO lines VALUES (1, 1);"
gw schema --source "$SRC" --target "$TGT" --allow-no-pk --table-handling truncate-if-exists
is "$GW_RC" 0 "truncate-if-exists accepts compatible tables" || diag "$GW_ERR"
is "$(pgq tgt postgres "SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM lines)")" "0" "and empties them"

# --- drop-on-target-and-recreate ---
pgq tgt postgres "DROP TABLE lines; CREATE TABLE lines (junk text);"
gw schema --source "$SRC" --target "$TGT" --allow-no-pk --table-handling drop-on-target-and-recreate
is "$GW_RC" 0 "drop-on-target-and-recreate" || diag "$GW_ERR"
is "$(pgq tgt postgres "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
                        WHERE table_name = 'lines'")" "order_id,n" "the table is recreated from the source"
is "$(pgq tgt postgres "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns
                        WHERE table_name = 'orders'")" "id,note,m,qty" "the extra column is gone"

# --- finalize, then the schema step again is harmless ---
gw finalize --source "$SRC" --target "$TGT" --allow-no-pk
is "$GW_RC" 0 "finalize" || diag "$GW_ERR"
is "$(pgq tgt postgres "SELECT column_default FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'qty'")" \
   "1" "defaults are deferred to finalize"
gw schema --source "$SRC" --target "$TGT" --allow-no-pk
is "$GW_RC" 0 "schema after finalize: existing tables match" || diag "$GW_ERR"

done_testing
