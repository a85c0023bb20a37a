#!/usr/bin/env bash
# The MariaDB binlog change stream against a live MariaDB 10.11 (ROW binlog,
# FULL metadata, GTIDs): every column type through both paths (binlog decode
# vs SELECT, both through myconv), multi-statement transactions, a
# 100,000-row transaction in chunks, key-changing updates, deletes, tables
# without a key, TRUNCATE, transactions on other tables, idle heartbeats, a
# checkpoint inside a transaction, an ALTER TABLE that must stop the stream,
# and KILLs of the dump thread with a resume that loses and duplicates nothing.
. "$(dirname "$0")/../lib/harness.sh"

TOOL=${MYSTREAM_DUMP:-$(dirname "$GODWIT")/../../tests/mystream_dump}
[ -x "$TOOL" ] || bail "mystream_dump not built ($TOOL)"

my_node msrc
URL="mysql://godwit:godwit-pw@127.0.0.1:${msrc_PORT}/?ssl-mode=DISABLED"
dump() { "$TOOL" --source "$URL" "$@"; }
pos() { myq msrc "SELECT @@gtid_binlog_pos"; }

myq msrc "CREATE DATABASE shop; CREATE DATABASE other;
CREATE TABLE shop.t_pk (id INT PRIMARY KEY, v VARCHAR(20));
CREATE TABLE shop.t_nopk (a INT, b VARCHAR(10)) DEFAULT CHARSET=utf8mb4;
CREATE TABLE shop.t_big (id INT PRIMARY KEY, v VARCHAR(40));
CREATE TABLE shop.t_trunc (id INT PRIMARY KEY);
CREATE TABLE shop.t_kill (id INT PRIMARY KEY, v VARCHAR(60));
CREATE TABLE shop.t_kill2 (id INT PRIMARY KEY, v VARCHAR(300));
CREATE TABLE other.t_other (id INT PRIMARY KEY);"
myf msrc shop <"$(dirname "$0")/../data/my_edge_types_table.sql"
P0=$(pos)
TABLES=(--table shop.t_types --table shop.t_pk --table shop.t_nopk --table shop.t_big --table shop.t_trunc --table shop.t_kill --table shop.t_kill2)

# ---------------------------------------------------------------- workload
myf msrc shop <"$(dirname "$0")/../data/my_edge_types_rows.sql"
myq msrc "BEGIN;
INSERT INTO shop.t_pk VALUES (1, 'a'), (2, 'b');
UPDATE shop.t_pk SET v = 'bb' WHERE id = 2;
UPDATE shop.t_pk SET id = 20 WHERE id = 1;
DELETE FROM shop.t_pk WHERE id = 2;
INSERT INTO other.t_other VALUES (1);
COMMIT;"
myq msrc "BEGIN; INSERT INTO shop.t_nopk VALUES (1, 'one'), (2, 'two'), (2, 'two');
UPDATE shop.t_nopk SET b = 'deux' WHERE a = 2; DELETE FROM shop.t_nopk WHERE a = 1; COMMIT;"
P_BIG_BEFORE=$(pos)
myq msrc "USE shop; INSERT INTO shop.t_big SELECT seq, CONCAT('row-', seq) FROM seq_1_to_100000;"
P_BIG_AFTER=$(pos)
BIG_GTID=$P_BIG_AFTER
myq msrc "INSERT INTO shop.t_trunc VALUES (1), (2); TRUNCATE TABLE shop.t_trunc;"
myq msrc "INSERT INTO other.t_other VALUES (2);"
P_BEFORE_ALTER=$(pos)

# ---------------------------------------------------------------- stream, then an ALTER TABLE
# The catalog is read when the stream starts (as replicate does after fetch);
# the ALTER comes while it runs and must stop it.
OUT="$TEST_TMP/stream1.out"
dump "${TABLES[@]}" --position "$P0" --max-batch 1000 --timeout-ms 300 >"$OUT" 2>"$OUT.err" &
SPID=$!
bg_track "$SPID"
wait_until 120 grep -q "pos=$P_BEFORE_ALTER " "$OUT"
ok $? "the stream caught up with the workload (position $P_BEFORE_ALTER)"
myq msrc "ALTER TABLE shop.t_pk ADD COLUMN z INT; INSERT INTO shop.t_pk VALUES (99, 'after-alter', 1);"
wait "$SPID"
RC=$?
is "$RC" 4 "the stream stops with a fatal error at the ALTER TABLE"
like "$(cat "$OUT.err")" 'replication stopped at GTID .*ALTER TABLE on replicated table "shop.t_pk": ALTER TABLE shop.t_pk ADD COLUMN z INT' \
  "the error names the statement and the table"
like "$(cat "$OUT.err")" 'HINT: apply the same change to the target' "the error says what to do"
unlike "$(cat "$OUT")" "after-alter" "nothing after the ALTER is delivered"
LAST_POS=$(grep '^BATCH' "$OUT" | grep 'last=1' | tail -1 | sed 's/.* pos=\([^ ]*\) .*/\1/')

# every column type: the binlog path equals the SELECT path (both through myconv)
grep '^INSERT shop.t_types ' "$OUT" | sed 's/^INSERT shop.t_types new=/ROW shop.t_types /' >"$TEST_TMP/types.stream"
dump --table shop.t_types --select >"$TEST_TMP/types.select" 2>"$TEST_TMP/types.select.err"
is "$(wc -l <"$TEST_TMP/types.stream")" 4 "4 rows of t_types streamed"
if diff "$TEST_TMP/types.select" "$TEST_TMP/types.stream" >"$TEST_TMP/types.diff"; then
  pass "all 38 column types: binlog values equal SELECT values after conversion (4 rows incl. NULLs, zero dates, edge values)"
else
  fail "binlog values equal SELECT values"; sed 's/^/#   /' "$TEST_TMP/types.diff" | head -20
fi
like "$(cat "$TEST_TMP/types.stream")" "c='café'" "latin1 CHAR converted to UTF-8 like the text protocol does"
like "$(cat "$TEST_TMP/types.stream")" "bi='18446744073709551615', bs='-9223372036854775808'" "BIGINT UNSIGNED max and BIGINT min"
like "$(cat "$TEST_TMP/types.stream")" "dec2='-12345678901234567890123456789012345.123456789012345678901234567890'" "DECIMAL(65,30)"
like "$(cat "$TEST_TMP/types.stream")" "b64='1111111111111111111111111111111111111111111111111111111111111111'" "BIT(64) all ones"
like "$(cat "$TEST_TMP/types.stream")" "tm='-838:59:58.999', tm6='838:59:59.000000'" "TIME extremes as intervals"
like "$(cat "$TEST_TMP/types.stream")" "dtm='9999-12-31 23:59:59.999999'" "DATETIME(6) maximum"
like "$(cat "$TEST_TMP/types.stream")" "ts='2038-01-19 03:14:07.99\+00'" "TIMESTAMP in UTC with +00"
like "$(cat "$TEST_TMP/types.stream")" "y=NULL, dt=NULL, tm='838:59:59.000', tm6='12:00:00.000000', dtm=NULL, dt0=NULL, ts=NULL" \
  "zero dates, YEAR 0 and a partial date become NULL (policy null)"
like "$(cat "$TEST_TMP/types.stream")" "bn='\\\\\\\\xdead0000'" "BINARY(4) keeps its trailing zero bytes"
like "$(cat "$TEST_TMP/types.stream")" "u='123e4567-e89b-12d3-a456-426614174000', i6='2001:db8::ff00:42:8329', i4='192.168.0.1'" "UUID, INET6, INET4"
like "$(cat "$TEST_TMP/types.stream")" "s='\\{\"a\",\"c\",\"d\"\\}'" "SET as a text[] literal"
like "$(cat "$TEST_TMP/types.stream")" "g='0101000000000000000000f83f00000000000000c0', gg='0102000020e6100000" "geometry as EWKB hex with its SRID"
like "$(cat "$TEST_TMP/types.stream")" "bo='t'" "tinyint(1) as boolean"

# a multi-statement transaction: one batch; other databases skipped
T_PK=$(awk '/^BATCH/{b=$0} /^(INSERT|UPDATE|DELETE) shop.t_pk/{print b; exit}' "$OUT")
like "$T_PK" 'first=0 n=5 last=1' "the t_pk transaction is one batch of 5 changes (other.t_other skipped)"
PKLINES=$(grep ' shop.t_pk ' "$OUT")
is "$(printf '%s\n' "$PKLINES" | sed -n 1p)" "INSERT shop.t_pk new=(id='1', v='a')" "insert 1"
is "$(printf '%s\n' "$PKLINES" | sed -n 3p)" "UPDATE shop.t_pk new=(id='2', v='bb')" "an update that keeps the key has no old row"
is "$(printf '%s\n' "$PKLINES" | sed -n 4p)" "UPDATE shop.t_pk old=(id='1', v='a') new=(id='20', v='a')" "an update that changes the key carries the old row"
is "$(printf '%s\n' "$PKLINES" | sed -n 5p)" "DELETE shop.t_pk old=(id='2', v='bb')" "delete with the old row"
like "$(grep ' shop.t_nopk ' "$OUT")" "UPDATE shop.t_nopk old=\(a='2', b='two'\) new=\(a='2', b='deux'\)" "a table without a key gets the whole old row"
is "$(grep -c '^UPDATE shop.t_nopk' "$OUT")" 2 "both identical rows of the key-less table are updated"

# the 100,000-row transaction in chunks of 1,000
BIG=$(grep "^BATCH txn=$BIG_GTID " "$OUT")
is "$(printf '%s\n' "$BIG" | wc -l)" 100 "100,000-row transaction delivered in 100 chunks"
is "$(printf '%s\n' "$BIG" | grep -c 'last=1')" 1 "only the last chunk ends the transaction"
is "$(printf '%s\n' "$BIG" | awk '{print $4}' | head -4 | tr '\n' ' ')" "first=0 first=1000 first=2000 first=3000 " "chunks carry their first index"
is "$(printf '%s\n' "$BIG" | tail -1 | awk '{print $4, $5, $6}')" "first=99000 n=1000 last=1" "the last chunk"
is "$(grep -c '^INSERT shop.t_big' "$OUT")" 100000 "100,000 inserts"
is "$(grep '^INSERT shop.t_big' "$OUT" | sort -u | wc -l)" 100000 "no duplicates"
like "$(grep '^TRUNCATE' "$OUT")" '^TRUNCATE shop.t_trunc$' "TRUNCATE of a replicated table is a change"
is "$LAST_POS" "$P_BEFORE_ALTER" "the last position reported is just before the ALTER (the other-db transaction included)"

# restart from that position: it stops at the same statement again, nothing new
dump "${TABLES[@]}" --position "$LAST_POS" --timeout-ms 500 >"$TEST_TMP/stream2.out" 2>&1
is "$?" 4 "a restart stops at the ALTER again"
is "$(grep -c '^INSERT\|^UPDATE\|^DELETE' "$TEST_TMP/stream2.out")" 0 "and delivers no change twice"

# a checkpoint inside the big transaction: the re-sent changes are skipped
dump "${TABLES[@]}" --position "$P_BIG_BEFORE" --txn-id "$BIG_GTID" --txn-applied 50500 --until "$P_BIG_AFTER" \
  --max-batch 5000 >"$TEST_TMP/stream3.out" 2>"$TEST_TMP/stream3.err"
is "$?" 0 "resume inside a transaction"
is "$(grep '^BATCH' "$TEST_TMP/stream3.out" | head -1 | awk '{print $4}')" "first=50500" "the first chunk starts at change 50,500"
is "$(grep -c '^INSERT shop.t_big' "$TEST_TMP/stream3.out")" 49500 "only the 49,500 changes not yet applied"
is "$(grep '^INSERT shop.t_big' "$TEST_TMP/stream3.out" | head -1)" "INSERT shop.t_big new=(id='50501', v='row-50501')" "starting with row 50,501"

# a catalog that does not know a column the binlog carries: stop, never drop its values
myq msrc "ALTER TABLE shop.t_trunc ADD COLUMN extra INT"
P_DRIFT=$(pos)
myq msrc "INSERT INTO shop.t_trunc VALUES (7, 70); ALTER TABLE shop.t_trunc DROP COLUMN extra"
dump "${TABLES[@]}" --position "$P_DRIFT" --timeout-ms 300 >"$TEST_TMP/drift.out" 2>&1
is "$?" 4 "schema drift (a binlog column the catalog lacks) stops the stream (fatal: no reconnect)"
like "$(cat "$TEST_TMP/drift.out")" 'column "extra" of "shop.t_trunc" in the binlog.s table map at GTID .* is not in the catalog' \
  "the error names the column"

# ---------------------------------------------------------------- idle and progress on other tables
P_IDLE=$(pos)
myq msrc "INSERT INTO other.t_other VALUES (3);"
P_OTHER=$(pos)
dump "${TABLES[@]}" --position "$P_IDLE" --timeout-ms 300 --idle-exit 2 >"$TEST_TMP/idle.out" 2>&1
is "$?" 0 "idle stream exits after two idle results"
like "$(cat "$TEST_TMP/idle.out")" "^BATCH txn=[^ ]* pos=$P_OTHER first=0 n=0 last=1" "a transaction on other tables advances the position (empty batch)"
is "$(grep -c '^IDLE' "$TEST_TMP/idle.out")" 2 "heartbeats give IDLE"

# ---------------------------------------------------------------- KILL the dump thread, resume exactly once
myq msrc "ALTER TABLE shop.t_pk DROP COLUMN z"   # (not replicated past: the stream starts after it)
P_KILL=$(pos)
KOUT="$TEST_TMP/kill.out"
# a slow applier (40 ms per 300 changes) reads while 20 transactions of 2,000 rows
# are committed, and the dump thread is killed three times meanwhile
dump "${TABLES[@]}" --position "$P_KILL" --idle-exit 8 --timeout-ms 300 --max-batch 300 --batch-delay-ms 40 \
  --reconnect 10 >"$KOUT" 2>"$KOUT.err" &
KPID=$!
bg_track "$KPID"
(for i in $(seq 0 19); do
   myq msrc "USE shop; INSERT INTO shop.t_kill SELECT seq, CONCAT('k', seq) FROM seq_$((i * 2000 + 1))_to_$((i * 2000 + 2000));"
   sleep 0.3
 done) &
WPID=$!
bg_track "$WPID"
kills=0
wait_until 30 grep -q "^BATCH" "$KOUT"
for k in 1 2 3; do
  sleep 1.5
  ID=$(myq msrc "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump' LIMIT 1")
  [ -n "$ID" ] && myq msrc "KILL $ID" && kills=$((kills + 1))
  diag "kill $k: dump thread '$ID', $(grep -c '^INSERT shop.t_kill' "$KOUT") rows so far"
done
wait "$WPID"
wait "$KPID"
KRC=$?
is "$KRC" 0 "the stream reached the end position after $kills kills of the dump thread"
ok $([ "$(grep -c '^RECONNECT' "$KOUT")" -ge 1 ] && echo 0 || echo 1) "it reconnected ($(grep -c '^RECONNECT' "$KOUT") times)"
like "$(cat "$KOUT.err")" "lost the binlog stream from the source" "the lost connection is logged"
is "$(grep -c '^INSERT shop.t_kill' "$KOUT")" 40000 "40,000 rows delivered"
is "$(grep '^INSERT shop.t_kill' "$KOUT" | sort -u | wc -l)" 40000 "each exactly once (no loss, no duplicate)"
like "$(grep "^RECONNECT" "$KOUT" | head -1)" "^RECONNECT [0-9-]+ " "resume from the applier's checkpoint"
diag "$(grep "^RECONNECT" "$KOUT" | tr "\n" ";")"

# a kill in the middle of one 60,000-row (13 MB) transaction: the resume
# starts inside it and skips what the applier already has
P_K2=$(pos)
myq msrc "USE shop; INSERT INTO shop.t_kill2 SELECT seq, REPEAT('v', 200) FROM seq_1_to_60000;"
K2OUT="$TEST_TMP/kill2.out"
dump "${TABLES[@]}" --position "$P_K2" --idle-exit 8 --timeout-ms 300 --max-batch 500 --batch-delay-ms 30 \
  --reconnect 5 >"$K2OUT" 2>"$K2OUT.err" &
K2PID=$!
bg_track "$K2PID"
wait_until 30 grep -q "^BATCH" "$K2OUT"
sleep 1
ID=$(myq msrc "SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump' LIMIT 1")
[ -n "$ID" ] && myq msrc "KILL $ID"
wait "$K2PID"
is "$?" 0 "the 60,000-row transaction is delivered despite the kill"
like "$(grep '^RECONNECT' "$K2OUT" | head -1)" "^RECONNECT [0-9-]+ 0-[0-9]+-[0-9]+ [1-9][0-9]*$" \
  "the kill landed inside the transaction: resume from (position, transaction, changes applied)"
is "$(grep -c '^INSERT shop.t_kill2' "$K2OUT")" 60000 "60,000 rows delivered"
is "$(grep '^INSERT shop.t_kill2' "$K2OUT" | sort -u | wc -l)" 60000 "each exactly once"
diag "$(grep "^RECONNECT" "$K2OUT" | tr "\n" ";") first chunk after it: $(grep -A1 '^RECONNECT' "$K2OUT" | grep '^BATCH' | head -1)"

done_testing
