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
myq msrc "CREATE DATABASE types"
myf msrc types <"$(dirname "$0")/../data/my_edge_types_table.sql"
pgq tgt postgres "CREATE DATABASE types"
gw fetch --source "$SRC" --target "$TGT" "${FLAGS[@]}"
is "$GW_RC" 0 "fetch of the (empty) typed table"

# without the mapping, a TIME outside the time of day stops replication at once
pgq tgt postgres "CREATE DATABASE plain"
gw fetch --source "$SRC" --target "$(pg_url tgt plain)" --zero-dates null
is "$GW_RC" 0 "fetch into a second target, TIME as time"

gw_bg "$TEST_TMP/replicate.log" replicate --source "$SRC" --target "$TGT" "${FLAGS[@]}" --flush-interval 50ms
REP=$GW_PID
myf msrc types <"$(dirname "$0")/../data/my_edge_types_rows.sql"
# every column of row 3 takes row 1's value, row 1 takes row 4's, in one transaction
cols=$(myq msrc "SELECT GROUP_CONCAT(column_name ORDER BY ordinal_position) FROM information_schema.columns
                 WHERE table_schema = 'types' AND table_name = 't_types' AND column_name <> 'id'")
set_from() {   # set_from ALIAS: "c1 = ALIAS.c1, ..."
  echo "$cols" | tr ',' '\n' | awk -v a="$1" '{printf "%sd.%s = %s.%s", (NR > 1 ? ", " : ""), $1, a, $1}'
}
myq msrc "SET time_zone = '+00:00', sql_mode = ''; BEGIN;
UPDATE types.t_types d JOIN types.t_types s ON s.id = 1 SET $(set_from s) WHERE d.id = 3;
UPDATE types.t_types d JOIN types.t_types s ON s.id = 4 SET $(set_from s) WHERE d.id = 1;
DELETE FROM types.t_types WHERE id = 2;
INSERT INTO types.t_types (id, vc, j) VALUES (5, 'new', '{\"a\": 1}');
UPDATE types.t_types SET id = 6 WHERE id = 5;
COMMIT;"
myq msrc "BEGIN; INSERT INTO types.t_types (id) VALUES (2); UPDATE types.t_types SET tx = REPEAT('é', 5000), lb = REPEAT(0x01, 100000) WHERE id = 2; COMMIT;"
target_has() { [ "$(pgq tgt types "SELECT count(*) FROM public.t_types WHERE id = 2 AND length(tx) = 5000")" = 1 ]; }
wait_until 60 target_has
ok $? "replicate applied every transaction"
sleep 1
kill -TERM "$REP"; wait "$REP"
is "$?" 0 "replicate stopped cleanly"
is "$(pgq tgt types "SELECT string_agg(id::text, ',' ORDER BY id) FROM public.t_types")" "1,2,3,4,6" "the rows the source has"
gw replicate --source "$SRC" --target "$(pg_url tgt plain)" --zero-dates null
is "$GW_RC" 3 "a value the target type cannot hold stops replication (source error 3), no retry loop"
like "$GW_ERR" 'outside the time of day that PostgreSQL time holds' "the error names the value and the type"
like "$GW_ERR" 'map the column to interval' "and says what to do"
unlike "$GW_ERR" 'reconnecting from the checkpoint' "it does not reconnect in vain"

gw verify --source "$SRC" --target "$TGT" "${FLAGS[@]}"
is "$GW_RC" 0 "godwit verify: every value equals the source's"
[ "$GW_RC" = 0 ] || diag "$(echo "$GW_OUT" | head -30)"

done_testing
