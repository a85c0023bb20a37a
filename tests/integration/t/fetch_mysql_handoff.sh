#!/usr/bin/env bash
# The MySQL/MariaDB snapshot hand-off under writes: with transactions
# committing during the fetch, the copy holds exactly the transactions up to
# the recorded GTID cursor and none after it (each snapshot method), the lock
# is short and measured, a long query makes the lock wait time out and retry
# instead of stalling the server, and replication from the cursor makes the
# target equal the source.
. "$(dirname "$0")/../lib/harness.sh"

my_node msrc
pg_node tgt
MYSOCK="$(pg_dir msrc)/mysqld.sock"
SRC=$(my_url msrc hand)

myq msrc "CREATE DATABASE hand"
myqd msrc hand "
  CREATE TABLE hand.big (id int PRIMARY KEY, v bigint NOT NULL, pad varchar(200));
  CREATE TABLE hand.ev (seq int PRIMARY KEY, note varchar(40));
  CREATE TABLE hand.ctr (id int PRIMARY KEY, n bigint NOT NULL);
  INSERT INTO hand.ctr VALUES (1, 0);
  INSERT INTO hand.big SELECT seq, 0, REPEAT(MD5(seq), 5) FROM seq_1_to_200000;
  ANALYZE TABLE hand.big;" >/dev/null

# workload START N: one session, transaction k inserts ev k and bumps ctr and a
# big row, then prints "k <gtid>".  Sequential, so GTIDs grow with k.
workload() {
  local start=$1 n=$2 out=$3
  seq "$start" $((start + n - 1)) | awk '{k=$1; printf "BEGIN; INSERT INTO hand.ev VALUES (%d, \"w\"); UPDATE hand.ctr SET n = n + 1 WHERE id = 1; UPDATE hand.big SET v = v + 1 WHERE id = %d; COMMIT; SELECT %d, @@last_gtid; DO SLEEP(0.001);\n", k, (k * 7919) % 200000 + 1, k}' \
    | mariadb --socket="$MYSOCK" -uroot -N -B --unbuffered >"$out" 2>&1 &
  WL_PID=$!
  bg_track "$WL_PID"
}
gtid_seq() { echo "${1##*-}"; }

# check_exact PGDB LOG CURSOR: ev on the target is exactly 1..K where K is the last
# transaction at or before the cursor, and ctr says K too
check_exact() {
  local db=$1 log=$2 cursor=$3 cseq k_in k_next
  cseq=$(gtid_seq "$cursor")
  k_in=$(awk -v c="$cseq" '{split($2, g, "-"); if (g[3] + 0 <= c + 0) k = $1} END {print k + 0}' "$log")
  k_next=$(awk -v c="$cseq" '{split($2, g, "-"); if (g[3] + 0 > c + 0) {print $1; exit}}' "$log")
  local got_n got_max got_ctr
  got_n=$(pgq tgt "$db" "SELECT count(*) FROM public.ev"); got_max=$(pgq tgt "$db" "SELECT coalesce(max(seq), 0) FROM public.ev")
  got_ctr=$(pgq tgt "$db" "SELECT n FROM public.ctr")
  diag "$db: cursor $cursor, transactions 1..$k_in before it, next $k_next; copy has $got_n events (max $got_max), counter $got_ctr"
  ok "$( [ "$k_in" -gt 0 ] && [ -n "$k_next" ]; echo $?)" "$db: the workload committed both before and after the snapshot"
  is "$got_n/$got_max" "$k_in/$k_in" "$db: the copy holds exactly the transactions up to the cursor"
  is "$got_ctr" "$k_in" "$db: the counter row is as of the cursor"
}

run_mode() {       # run_mode MODE PGDB
  local mode=$1 db=$2
  pgq tgt postgres "CREATE DATABASE $db"
  gw fetch --source "$SRC" --target "$(pg_url tgt "$db")" --format json --shard-size 1MB \
    --table-concurrency 2 --export-concurrency 2 --snapshot-lock "$mode"
  is "$GW_RC" 0 "fetch with --snapshot-lock $mode succeeds under writes"
  [ "$GW_RC" = 0 ] || diag "$(echo "$GW_ERR" | grep '"level":"error"' | head -3)"
  CURSOR=$(echo "$GW_OUT" | sed -n 's/.*"cdc_cursor":"\([^"]*\)".*/\1/p')
  HELD=$(echo "$GW_OUT" | sed -n 's/.*"snapshot_lock_held_us":\([0-9]*\).*/\1/p')
  LOCKLINE=$(echo "$GW_ERR" | grep -E '"lock":"' | head -1)
}

# ---------------------------------------------------------------- each method
workload 1 1000000 "$TEST_TMP/wl1.log"
wait_until 10 test -s "$TEST_TMP/wl1.log"

run_mode backup-stage hs_backup
like "$LOCKLINE" '"lock":"backup_stage"' "BACKUP STAGE BLOCK_COMMIT was used"
ok "$( [ -n "$HELD" ] && [ "$HELD" -lt 2000000 ]; echo $?)" "lock held briefly (${HELD} us)"
diag "backup-stage: held $HELD us"
sleep 1; check_exact hs_backup "$TEST_TMP/wl1.log" "$CURSOR"

run_mode ftwrl hs_ftwrl
like "$LOCKLINE" '"lock":"ftwrl"' "FLUSH TABLES WITH READ LOCK was used"
ok "$( [ -n "$HELD" ] && [ "$HELD" -lt 2000000 ]; echo $?)" "lock held briefly (${HELD} us)"
diag "ftwrl: held $HELD us"
sleep 1; check_exact hs_ftwrl "$TEST_TMP/wl1.log" "$CURSOR"

run_mode auto hs_auto
like "$LOCKLINE" '"lock":"(none|backup_stage)"' "auto: lock-free or BACKUP STAGE"
diag "auto: $(echo "$LOCKLINE" | sed -n 's/.*"message":"\([^"]*\)".*/\1/p')"
sleep 1; check_exact hs_auto "$TEST_TMP/wl1.log" "$CURSOR"
AUTO_CURSOR=$CURSOR

# one worker: its own snapshot is exact without any lock
pgq tgt postgres "CREATE DATABASE hs_one"
gw fetch --source "$SRC" --target "$(pg_url tgt hs_one)" --format json --table-concurrency 1 --export-concurrency 1
is "$GW_RC" 0 "fetch with one worker succeeds"
like "$GW_ERR" '"lock":"none"' "one worker needs no lock"
sleep 1; check_exact hs_one "$TEST_TMP/wl1.log" "$(echo "$GW_OUT" | sed -n 's/.*"cdc_cursor":"\([^"]*\)".*/\1/p')"

# none: no lock; exact when the workers agree, else a cursor at or before every snapshot
run_mode none hs_none
unlike "$LOCKLINE" '"lock":"(backup_stage|ftwrl)"' "--snapshot-lock none takes no lock"
cseq=$(gtid_seq "$CURSOR")
k_in=$(awk -v c="$cseq" '{split($2, g, "-"); if (g[3] + 0 <= c + 0) k = $1} END {print k + 0}' "$TEST_TMP/wl1.log")
is "$(pgq tgt hs_none "SELECT count(*) FROM generate_series(1, $k_in) s WHERE NOT EXISTS (SELECT 1 FROM public.ev WHERE seq = s)")" 0 \
  "none: every transaction up to the cursor is in the copy"

# ---------------------------------------------------------------- a long query
# FTWRL waits for a running write statement to finish, and every writer waits
# behind it: a short --lock-timeout gives up, lets the writers go, and retries.
LONGQ="UPDATE hand.big SET v = v WHERE id = 1 AND SLEEP(5) = 0"
(mariadb --socket="$MYSOCK" -uroot -N -B -e "$LONGQ" >/dev/null 2>&1) &
SLOW=$!; bg_track "$SLOW"; sleep 0.5
t0=$(date +%s)
pgq tgt postgres "CREATE DATABASE hs_slow"
gw fetch --source "$SRC" --target "$(pg_url tgt hs_slow)" --format json --snapshot-lock ftwrl --lock-timeout 1s
is "$GW_RC" 0 "FTWRL behind a 5 s write statement: fetch still succeeds"
like "$GW_ERR" 'FLUSH TABLES WITH READ LOCK not granted within 1s \(attempt 1 of 8\): retrying' "the wait timed out and was retried"
ok "$( [ $(( $(date +%s) - t0 )) -ge 4 ]; echo $?)" "it got the lock once the query was done"
wait "$SLOW" 2>/dev/null
(mariadb --socket="$MYSOCK" -uroot -N -B -e "$LONGQ" >/dev/null 2>&1) &
SLOW=$!; bg_track "$SLOW"; sleep 0.5
pgq tgt postgres "CREATE DATABASE hs_slow2"
gw fetch --source "$SRC" --target "$(pg_url tgt hs_slow2)" --format json --snapshot-lock backup-stage --lock-timeout 1s
is "$GW_RC" 0 "BACKUP STAGE beside a 5 s write statement succeeds"
unlike "$GW_ERR" 'not granted within' "BACKUP STAGE BLOCK_COMMIT does not wait for the running statement"
wait "$SLOW" 2>/dev/null

# a lock that never comes: a clear error after the attempts (kept short here)
myq msrc "CREATE USER nolock@'127.0.0.1' IDENTIFIED BY 'pw'; GRANT SELECT, REPLICATION CLIENT ON *.* TO nolock@'127.0.0.1'"
pgq tgt postgres "CREATE DATABASE hs_nopriv"
gw fetch --source "$(my_url msrc hand nolock:pw)" --target "$(pg_url tgt hs_nopriv)" --format json \
  --snapshot-lock auto --table-concurrency 2 --export-concurrency 2
is "$GW_RC" 0 "without RELOAD (managed service) fetch still succeeds"
like "$GW_ERR" '(does not allow a global lock|without a lock)' "and says how it took the snapshot"

kill "$WL_PID" 2>/dev/null; wait "$WL_PID" 2>/dev/null

# ---------------------------------------------------------------- replication
# From the auto run's cursor, replication must bring every later transaction:
# then the target equals the source, value by value.
gw replicate --source "$SRC" --target "$(pg_url tgt hs_auto)" --stop-when-caught-up
if [ "$GW_RC" = 0 ]; then
  pass "replicate from the fetch cursor catches up"
  out=$(python3 "$HARNESS_DIR/mycompare.py" --my-socket "$MYSOCK" --my-db hand --pg-port "$(pg_port tgt)" --pg-db hs_auto 2>&1)
  ok $? "after replication the target equals the source (every value)"
  echo "$out" | grep -v '^ok' | head -5 | while read -r l; do diag "$l"; done
  is "$(pgq tgt hs_auto "SELECT n FROM public.ctr")" "$(myq msrc "SELECT n FROM hand.ctr")" "counter equal: no transaction lost or applied twice"
  gw verify --source "$SRC" --target "$(pg_url tgt hs_auto)"
  is "$GW_RC" 0 "godwit verify agrees" || diag "$(echo "$GW_OUT" | grep -A10 '^differences' | head -10)"
else
  fail "replicate from the fetch cursor catches up"
  diag "$(echo "$GW_ERR" | grep '"level":"error"' | head -3)"
fi

done_testing
