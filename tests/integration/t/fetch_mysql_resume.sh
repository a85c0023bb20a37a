#!/usr/bin/env bash
# Crash safety of fetch from MariaDB: kill -9 at random moments while the
# source takes writes, rerun the same command; shards finished before a kill
# are never copied again, and after replication from the run's cdc cursor the
# target equals the source value by value (the re-copied shards were read
# under later snapshots: docs/fetch.md explains why that converges).
. "$(dirname "$0")/../lib/harness.sh"

my_node msrc
pg_node tgt
MYSOCK="$(pg_dir msrc)/mysqld.sock"
myq msrc "CREATE DATABASE rs"
myqd msrc rs "
  CREATE TABLE rs.big (id bigint PRIMARY KEY, k int NOT NULL, payload varchar(120), ts datetime(6), b blob);
  INSERT INTO rs.big SELECT seq, seq % 1000, REPEAT(MD5(seq), 3), '2024-01-01' + INTERVAL seq SECOND, UNHEX(MD5(seq))
    FROM seq_1_to_400000;
  CREATE TABLE rs.\`Unsigned Keys\` (id bigint unsigned PRIMARY KEY, v decimal(20,4), e enum('a','b','c'));
  INSERT INTO rs.\`Unsigned Keys\` SELECT 18446744073709551615 - seq * 1000003, seq / 7, ELT(1 + seq % 3, 'a', 'b', 'c')
    FROM seq_1_to_100000;
  CREATE TABLE rs.small (code varchar(20) PRIMARY KEY, n int);
  INSERT INTO rs.small SELECT CONCAT('k', seq), seq FROM seq_1_to_500;
  ANALYZE TABLE rs.big, rs.\`Unsigned Keys\`, rs.small;" >/dev/null
SRC=$(my_url msrc rs); TGT=$(pg_url tgt)
ARGS=(fetch --source "$SRC" --target "$TGT" --shard-size 1MB --table-concurrency 2 --export-concurrency 2)

# a bounded write workload: updates, inserts and deletes across all key ranges
seq 1 30000 | awk '{k=$1; id=(k*7919)%400000+1;
  printf "UPDATE rs.big SET k = k + 1, payload = CONCAT(\"u\", %d) WHERE id = %d;\n", k, id;
  if (k % 3 == 0) printf "INSERT INTO rs.big VALUES (%d, %d, \"new\", NOW(6), NULL);\n", 400000 + k, k;
  if (k % 5 == 0) printf "DELETE FROM rs.big WHERE id = %d;\n", (k*104729)%400000+1;
  if (k % 7 == 0) printf "UPDATE rs.small SET n = n + 1 WHERE code = \"k%d\";\n", k % 500 + 1;
  if (k % 11 == 0) printf "DO SLEEP(0.005);\n"}' \
  | mariadb --socket="$MYSOCK" -uroot >/dev/null 2>&1 &
WL=$!; bg_track "$WL"

kills=0
for round in $(seq 1 12); do
  gw_bg "$TEST_TMP/fetch-$round.log" "${ARGS[@]}"
  sleep "0.$(( RANDOM % 3 + 2 ))"   # the copy takes about a second: kill early
  if kill -0 "$GW_PID" 2>/dev/null; then
    pgq tgt postgres "SELECT table_name || '#' || shard_no || '@' || copied_at FROM _godwit.shards
                      WHERE status = 'done' ORDER BY 1" >"$TEST_TMP/done-before-$round.txt" 2>/dev/null
    kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null
    kills=$((kills + 1))
  else
    wait "$GW_PID"
    break
  fi
done
diag "killed fetch $kills times"
ok "$( [ "$kills" -ge 2 ]; echo $?)" "fetch was killed several times"

gw "${ARGS[@]}"
if [ "$GW_RC" = 7 ]; then pass "fetch completed in an earlier round"; else is "$GW_RC" 0 "the rerun after the kills completes"; fi
[ "$GW_RC" -le 7 ] || diag "$(echo "$GW_ERR" | grep '"level":"error"' | tail -5)"
is "$(pgq tgt postgres "SELECT count(*) FROM _godwit.shards WHERE status <> 'done'")" 0 "every shard done"
ok "$( [ "$(pgq tgt postgres "SELECT count(*) FROM _godwit.shards WHERE table_name = 'big'")" -gt 4 ]; echo $?)" \
  "the big table was split into several shards"
ok "$( [ "$(pgq tgt postgres "SELECT count(*) FROM _godwit.shards WHERE table_name = 'Unsigned Keys'")" -gt 1 ]; echo $?)" \
  "the BIGINT UNSIGNED key near 2^64 was split too"
final=$(pgq tgt postgres "SELECT table_name || '#' || shard_no || '@' || copied_at FROM _godwit.shards
                          WHERE status = 'done' ORDER BY 1")
recopied=0
for f in "$TEST_TMP"/done-before-*.txt; do
  [ -s "$f" ] || continue
  while IFS= read -r line; do
    grep -qxF -- "$line" <<<"$final" || { recopied=$((recopied + 1)); diag "re-copied: $line"; }
  done <"$f"
done
is "$recopied" 0 "no finished shard was copied twice"

wait "$WL"
gw replicate --source "$SRC" --target "$TGT" --stop-when-caught-up
is "$GW_RC" 0 "replicate from the first run's cdc cursor catches up"
[ "$GW_RC" = 0 ] || diag "$(echo "$GW_ERR" | grep '"level":"error"' | tail -3)"
out=$(python3 "$HARNESS_DIR/mycompare.py" --my-socket "$MYSOCK" --my-db rs --pg-port "$(pg_port tgt)" --pg-db postgres 2>&1)
ok $? "target equals the source, value by value"
echo "$out" | while read -r l; do diag "$l"; done
gw verify --source "$SRC" --target "$TGT"
is "$GW_RC" 0 "godwit verify agrees" || diag "$(echo "$GW_OUT" | grep -A10 '^differences' | head -10)"

done_testing
