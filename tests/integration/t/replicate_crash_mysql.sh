#!/usr/bin/env bash
# Exactly-once replication from MariaDB across crashes, under a steady write
# load: 20 cycles of kill -9 of godwit replicate at random moments, then KILLs
# of its binlog dump thread (godwit reconnects by itself), then a
# 1,000,000-row transaction.  After draining: target == source, and the
# checkpoint counted every source change exactly once (each workload
# transaction makes exactly two changes).
. "$(dirname "$0")/../lib/harness.sh"

my_node msrc
pg_node tgt
MYSOCK="$(pg_dir msrc)/mysqld.sock"
SRC=$(my_url msrc crash)
TGT=$(pg_url tgt crash)
myq msrc "CREATE DATABASE crash"
myqd msrc crash "
  CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL, doc varchar(40));
  INSERT INTO acct SELECT seq, 0, CONCAT('d', seq) FROM seq_1_to_20000;
  CREATE TABLE hist (id bigint AUTO_INCREMENT PRIMARY KEY, acct int, delta int, at datetime(6) DEFAULT NOW(6));
  CREATE TABLE bulk (id int PRIMARY KEY, v varchar(20));" >/dev/null
pgq tgt postgres "CREATE DATABASE crash"
gw fetch --source "$SRC" --target "$TGT"
is "$GW_RC" 0 "fetch from MariaDB"
REP=(replicate --source "$SRC" --target "$TGT" --flush-interval 50ms --apply-batch-size 500)

# the counted workload: one session, each transaction an update and an insert
# (delta never 0: MariaDB logs no row event for an UPDATE that changes nothing)
seq 1 1000000 | awk '{printf "BEGIN; SET @a = FLOOR(1 + RAND() * 20000), @d = FLOOR(1 + RAND() * 50); UPDATE acct SET bal = bal + @d WHERE id = @a; INSERT INTO hist (acct, delta) VALUES (@a, @d); COMMIT; DO SLEEP(0.004);\n"}' \
  | mariadb --socket="$MYSOCK" -uroot -N -B crash >"$TEST_TMP/load.log" 2>&1 &
LOAD=$!
bg_track "$LOAD"

kill9_cycles 20 "$TEST_TMP/rep-kill" "${REP[@]}"
pass "20 kill -9 cycles under load"

gw_bg "$TEST_TMP/rep-term.log" "${REP[@]}"
kills=0
for i in $(seq 1 6); do
  sleep "1.$(( RANDOM % 10 ))"
  id=$(myq msrc "SELECT id FROM information_schema.processlist WHERE command LIKE 'Binlog Dump%' LIMIT 1")
  [ -n "$id" ] && myq msrc "KILL $id" 2>/dev/null && kills=$((kills + 1))
done
ok "$( [ "$kills" -ge 4 ]; echo $?)" "killed the binlog dump thread $kills times"
kill -0 "$GW_PID" 2>/dev/null
ok $? "replicate survived every dump thread kill"

kill "$LOAD"; wait "$LOAD" 2>/dev/null
myqd msrc crash "INSERT INTO bulk SELECT seq, CONCAT('b', seq) FROM seq_1_to_1000000" >/dev/null
pass "a 1,000,000-row transaction committed on the source"
drained() {
  [ "$(pgq tgt crash "SELECT count(*) FROM public.bulk")" = 1000000 ] &&
    [ "$(pgq tgt crash "SELECT count(*) FROM public.hist")" = "$(myqd msrc crash "SELECT count(*) FROM hist")" ]
}
wait_until 300 drained
ok $? "drained after the crashes and the big transaction"
sleep 1
kill -TERM "$GW_PID"; wait "$GW_PID"
is "$?" 0 "replicate stopped cleanly"
like "$(cat "$TEST_TMP/rep-term.log.err")" 'reconnecting|reconnect' "reconnects were logged"
unlike "$(cat "$TEST_TMP"/rep-kill-*.log.err "$TEST_TMP/rep-term.log.err")" 'plain INSERT was refused' \
  "no INSERT was applied twice (a plain INSERT never met its own row after a crash)"

hist=$(myqd msrc crash "SELECT count(*) FROM hist")
ok "$( [ "$hist" -gt 300 ]; echo $?)" "the workload committed $hist transactions"
src_acct=$(myqd msrc crash "SELECT CONCAT(COUNT(*), ' ', SUM(bal)) FROM acct")
is "$(pgq tgt crash "SELECT count(*) || ' ' || sum(bal) FROM public.acct")" "$src_acct" \
   "acct: row count and balance sum equal the source's"
src_rows=$(myqd msrc crash "SELECT CONCAT(id, ':', bal, ':', doc) FROM acct ORDER BY id" | md5sum)
tgt_rows=$(pgq tgt crash "SELECT id || ':' || bal || ':' || doc FROM public.acct ORDER BY id" | md5sum)
is "$tgt_rows" "$src_rows" "acct: every row equals the source's"
src_hist=$(myqd msrc crash "SELECT CONCAT(id, ':', acct, ':', delta) FROM hist ORDER BY id" | md5sum)
tgt_hist=$(pgq tgt crash "SELECT id || ':' || acct || ':' || delta FROM public.hist ORDER BY id" | md5sum)
is "$tgt_hist" "$src_hist" "hist: every row equals the source's (nothing lost, nothing twice)"
is "$(pgq tgt crash "SELECT changes_applied FROM _godwit.checkpoint")" "$((2 * hist + 1000000))" \
   "every source change applied exactly once (2 per workload transaction, plus the big one)"

done_testing
