#!/usr/bin/env bash
# The PostgreSQL replication stream (SourceOps.stream_* over pgoutput) against a
# real PostgreSQL: every kind of change decoded into exactly the right
# ChangeBatches (inserts, updates with and without a key change, REPLICA
# IDENTITY FULL, deletes, unchanged TOAST, composite keys, odd identifiers,
# truncate, tables outside the migration, multi-statement transactions, rows
# at one LSN), chunking of a 50,000-row transaction with bounded memory, the
# confirmed position reaching the slot, and schema drift refused by name.
. "$(dirname "$0")/../lib/harness.sh"

DUMP=${PGSTREAM_DUMP:-$(cd "$(dirname "$GODWIT")/../.." && pwd)/tests/pgstream_dump}
[ -x "$DUMP" ] || bail "pgstream_dump not built: $DUMP"

pg_node src
URL=$(pg_url src)
q() { pgq src postgres "$@"; }
# dump OUT ARGS...: run the tool; stdout in OUT, stderr in OUT.err, exit code in $DUMP_RC
dump() {
  local out=$1; shift
  "$DUMP" --source "$URL" --idle-seconds 1.5 "$@" >"$out" 2>"$out.err"
  DUMP_RC=$?
}
# changes OUT: the stream without LSNs (BATCH lines keep first/n/last)
slot_active() { [ "$(q "SELECT active FROM pg_replication_slots WHERE slot_name = '$1'")" = "$2" ]; }
slot_reached() { [ "$(q "SELECT confirmed_flush_lsn >= '$2'::pg_lsn FROM pg_replication_slots WHERE slot_name = '$1'")" = t ]; }
changes() { sed -E 's/^BATCH txn=[^ ]+ pos=[^ ]+ /BATCH /' "$1" | grep -vE '^(IDLE|CONFIRM |PROGRESS )'; }

q "CREATE TABLE plain (id int PRIMARY KEY, v text);
   CREATE TABLE full_t (a int, b text);
   ALTER TABLE full_t REPLICA IDENTITY FULL;
   CREATE TABLE toast_t (id int PRIMARY KEY, note text, doc text);
   ALTER TABLE toast_t ALTER doc SET STORAGE EXTERNAL;
   CREATE TABLE comp (a int, b text, c int, PRIMARY KEY (a, b));
   CREATE SCHEMA \"Odd \"\"Schema\"\" ü\";
   CREATE TABLE \"Odd \"\"Schema\"\" ü\".\"Tab le \"\"q\"\" é\" (\"Key Col\" int PRIMARY KEY, \"välue\" text);
   CREATE TABLE outside (id int PRIMARY KEY);
   CREATE TABLE parent (id int PRIMARY KEY);
   CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent);
   CREATE TABLE big (id int PRIMARY KEY, v text);
   CREATE PUBLICATION pub FOR ALL TABLES;"
q "SELECT 1 FROM pg_create_logical_replication_slot('s', 'pgoutput')" >/dev/null
q "SELECT 1 FROM pg_create_logical_replication_slot('td', 'test_decoding')" >/dev/null

# ---------------------------------------------------------------- workload
q "INSERT INTO plain VALUES (1, 'one'), (2, NULL), (3, 'it''s'), (4, E'tab\there\\\\')"
q "UPDATE plain SET v = 'uno' WHERE id = 1"
q "UPDATE plain SET id = 20 WHERE id = 2"
q "DELETE FROM plain WHERE id = 3"
q "INSERT INTO full_t VALUES (1, 'a'), (2, NULL)"
q "UPDATE full_t SET b = 'b' WHERE a = 1"
q "DELETE FROM full_t WHERE a = 2"
q "INSERT INTO toast_t VALUES (1, 'n1', repeat('0123456789', 1000))"
q "UPDATE toast_t SET note = 'n2' WHERE id = 1"
q "UPDATE toast_t SET doc = 'small' WHERE id = 1"
q "INSERT INTO comp VALUES (1, 'x', 1)"
q "UPDATE comp SET b = 'y' WHERE a = 1"
q "UPDATE comp SET c = 2 WHERE a = 1"
q "DELETE FROM comp"
q "INSERT INTO \"Odd \"\"Schema\"\" ü\".\"Tab le \"\"q\"\" é\" VALUES (1, 'ünï ''q''')"
q "UPDATE \"Odd \"\"Schema\"\" ü\".\"Tab le \"\"q\"\" é\" SET \"Key Col\" = 2"
q "DELETE FROM \"Odd \"\"Schema\"\" ü\".\"Tab le \"\"q\"\" é\""
q "INSERT INTO outside VALUES (1)"
q "BEGIN; INSERT INTO outside VALUES (2); INSERT INTO plain VALUES (40, 'mixed'); COMMIT"
q "BEGIN; INSERT INTO plain VALUES (30, 'a'); UPDATE plain SET v = 'b' WHERE id = 30;
   INSERT INTO comp VALUES (5, 'z', 5); DELETE FROM plain WHERE id = 30; COMMIT"
# COPY writes one multi-insert WAL record: five changes at one LSN
printf '50\tc1\n51\tc2\n52\tc3\n53\tc4\n54\tc5\n' | q "COPY plain FROM STDIN"
q "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1)"
q "SET client_min_messages = warning; TRUNCATE parent CASCADE"
q "TRUNCATE comp"

cat >"$TEST_TMP/expected" <<'EOF'
BATCH first=0 n=4 last=1
INSERT public.plain new=('1', 'one')
INSERT public.plain new=('2', NULL)
INSERT public.plain new=('3', 'it\'s')
INSERT public.plain new=('4', 'tab\x09here\\')
BATCH first=0 n=1 last=1
UPDATE public.plain new=('1', 'uno')
BATCH first=0 n=1 last=1
UPDATE public.plain old=('2', ABSENT) new=('20', NULL)
BATCH first=0 n=1 last=1
DELETE public.plain old=('3', ABSENT)
BATCH first=0 n=2 last=1
INSERT public.full_t new=('1', 'a')
INSERT public.full_t new=('2', NULL)
BATCH first=0 n=1 last=1
UPDATE public.full_t old=('1', 'a') new=('1', 'b')
BATCH first=0 n=1 last=1
DELETE public.full_t old=('2', NULL)
BATCH first=0 n=1 last=1
INSERT public.toast_t new=('1', 'n1', '012345678901234567890123'...(10000 bytes))
BATCH first=0 n=1 last=1
UPDATE public.toast_t new=('1', 'n2', UNCHANGED)
BATCH first=0 n=1 last=1
UPDATE public.toast_t new=('1', 'n2', 'small')
BATCH first=0 n=1 last=1
INSERT public.comp new=('1', 'x', '1')
BATCH first=0 n=1 last=1
UPDATE public.comp old=('1', 'x', ABSENT) new=('1', 'y', '1')
BATCH first=0 n=1 last=1
UPDATE public.comp new=('1', 'y', '2')
BATCH first=0 n=1 last=1
DELETE public.comp old=('1', 'y', ABSENT)
BATCH first=0 n=1 last=1
INSERT "Odd ""Schema"" ü"."Tab le ""q"" é" new=('1', 'ünï \'q\'')
BATCH first=0 n=1 last=1
UPDATE "Odd ""Schema"" ü"."Tab le ""q"" é" old=('1', ABSENT) new=('2', 'ünï \'q\'')
BATCH first=0 n=1 last=1
DELETE "Odd ""Schema"" ü"."Tab le ""q"" é" old=('2', ABSENT)
BATCH first=0 n=0 last=1
BATCH first=0 n=1 last=1
INSERT public.plain new=('40', 'mixed')
BATCH first=0 n=4 last=1
INSERT public.plain new=('30', 'a')
UPDATE public.plain new=('30', 'b')
INSERT public.comp new=('5', 'z', '5')
DELETE public.plain old=('30', ABSENT)
BATCH first=0 n=5 last=1
INSERT public.plain new=('50', 'c1')
INSERT public.plain new=('51', 'c2')
INSERT public.plain new=('52', 'c3')
INSERT public.plain new=('53', 'c4')
INSERT public.plain new=('54', 'c5')
BATCH first=0 n=2 last=1
INSERT public.parent new=('1')
INSERT public.child new=('1', '1')
BATCH first=0 n=1 last=1
TRUNCATE public.parent,public.child cascade=1
BATCH first=0 n=1 last=1
TRUNCATE public.comp cascade=0
EOF

dump "$TEST_TMP/all" --slot s --publication pub --exclude-table outside --exclude-table big
is "$DUMP_RC" 0 "the stream opens and goes idle (exit 0)"
got=$(changes "$TEST_TMP/all")
if is "$got" "$(cat "$TEST_TMP/expected")" "every change decoded exactly, in order, in catalog column order"; then :; else
  diff <(echo "$got") "$TEST_TMP/expected" | head -30 | sed 's/^/# /'
fi
like "$(cat "$TEST_TMP/all.err")" 'skipping changes to "public"."outside": the table is not part of the migration' \
  "a table outside the migration is skipped, and said so"
is "$(grep -c 'skipping changes' "$TEST_TMP/all.err")" 1 "... once per relation"

# the five COPY rows really share one LSN (checked with test_decoding)
is "$(q "SELECT count(DISTINCT lsn) || '/' || count(*) FROM pg_logical_slot_peek_changes('td', NULL, NULL)
         WHERE data ~ '^table public.plain: INSERT: id\[integer\]:5[0-4] '")" "1/5" \
  "the COPY rows are five changes at a single LSN"

# positions: txn = commit LSN < position = end LSN; both strictly increasing
awk '/^BATCH/ { split($2, t, "="); split($3, p, "="); print t[2], p[2] }' "$TEST_TMP/all" >"$TEST_TMP/pos"
bad=$(while read -r t p; do echo "SELECT '$t'::pg_lsn < '$p'::pg_lsn;"; done <"$TEST_TMP/pos" | \
      "$PGBIN/psql" -X -q -A -t -h 127.0.0.1 -p "$src_PORT" -U postgres -d postgres | grep -c f)
is "$bad" 0 "every batch: commit LSN (txn) < end LSN (position)"
sorted=$(awk '{print $2}' "$TEST_TMP/pos" | while read -r p; do echo "$p"; done | \
         awk '{ split($1, a, "/"); printf "%08X%08X\n", strtonum("0x" a[1]), strtonum("0x" a[2]) }' | sort -c 2>&1 && echo sorted)
is "$sorted" "sorted" "positions increase"
is "$(q "SELECT confirmed_flush_lsn <= '$(head -1 "$TEST_TMP/pos" | cut -d' ' -f1)'::pg_lsn FROM pg_replication_slots WHERE slot_name = 's'")" \
  "t" "without --confirm the slot does not move past the first transaction"

# ---------------------------------------------------------------- chunking of small transactions
dump "$TEST_TMP/chunk2" --slot s --publication pub --exclude-table outside --exclude-table big --max-batch-changes 2
got=$(changes "$TEST_TMP/chunk2" | grep '^BATCH' | tail -9 | tr '\n' ';')
is "$got" "BATCH first=0 n=1 last=1;BATCH first=0 n=2 last=0;BATCH first=2 n=2 last=1;BATCH first=0 n=2 last=0;BATCH first=2 n=2 last=0;BATCH first=4 n=1 last=1;BATCH first=0 n=2 last=1;BATCH first=0 n=1 last=1;BATCH first=0 n=1 last=1;" \
  "max_batch_changes=2 chunks the 4- and 5-change transactions (first_index, is_last)"
is "$(changes "$TEST_TMP/chunk2" | grep -v '^BATCH')" "$(grep -v '^BATCH' "$TEST_TMP/expected")" \
  "chunked, the same changes in the same order"
# a chunk that is not the last carries the resume point before its transaction
is "$(awk '/^BATCH/ { split($3, p, "="); if ($6 == "last=0" && resume != "" && p[2] != resume) bad++; if ($6 == "last=1") resume = p[2] }
          END { print bad + 0 }' "$TEST_TMP/chunk2")" 0 \
  "a non-last chunk's position is the previous transaction's end (the resume point)"
is "$(grep -c 'last=0' "$TEST_TMP/chunk2")" 4 "... (4 such chunks)"

# ---------------------------------------------------------------- confirm reaches the slot
dump "$TEST_TMP/conf" --slot s --publication pub --exclude-table outside --exclude-table big --confirm
lastpos=$(grep '^CONFIRM' "$TEST_TMP/conf" | tail -1 | cut -d' ' -f2)
is "$(grep -cE '^CONFIRM [^ ]+$' "$TEST_TMP/conf")" "$(grep -c 'last=1' "$TEST_TMP/all")" "every transaction confirmed"
wait_until 10 slot_reached s "$lastpos"
is "$(q "SELECT confirmed_flush_lsn >= '$lastpos'::pg_lsn FROM pg_replication_slots WHERE slot_name = 's'")" t \
  "the slot's confirmed_flush_lsn reaches the last confirmed position"
dump "$TEST_TMP/again" --slot s --publication pub --exclude-table outside --exclude-table big
is "$(grep -c '^BATCH' "$TEST_TMP/again")" 0 "reopening after everything was confirmed delivers nothing"

# ---------------------------------------------------------------- a 50,000-row transaction
q "INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 50000) g"
q "INSERT INTO big VALUES (50001, 'after')"
dump "$TEST_TMP/big" --slot s --publication pub --exclude-table outside --max-batch-changes 1000
is "$DUMP_RC" 0 "the big transaction streams"
is "$(grep -c '^BATCH' "$TEST_TMP/big")" 51 "50 chunks and the next transaction"
is "$(awk '/^BATCH/ { split($5, n, "="); if (n[2] > 1000) bad++ } END { print bad + 0 }' "$TEST_TMP/big")" 0 \
  "no batch exceeds max_batch_changes"
is "$(awk '/^BATCH/ { split($4, f, "="); split($5, n, "="); if (f[2] != expect) bad++; expect = f[2] + n[2] }
          / last=1/ { expect = 0 } END { print bad + 0 }' "$TEST_TMP/big")" 0 "first_index runs 0, 1000, ... 49000"
is "$(grep '^BATCH' "$TEST_TMP/big" | grep -c 'last=1')" 2 "only the final chunk of each transaction is last"
is "$(grep -c '^INSERT public.big' "$TEST_TMP/big")" 50001 "all 50,001 rows"
is "$(grep '^INSERT public.big' "$TEST_TMP/big" | sed -E "s/^INSERT public.big new=\('([0-9]+)'.*/\1/" | awk '$1 != NR { bad++ } END { print bad + 0 }')" 0 \
  "in order, none missing or doubled"
is "$(awk '/^BATCH/ { split($3, p, "="); print p[2] }' "$TEST_TMP/big" | head -49 | sort -u | wc -l)" 1 \
  "every non-last chunk of the big transaction carries the same resume position"
arena_kb=$(sed -nE 's/.*max_batch_arena_kb=([0-9]+).*/\1/p' "$TEST_TMP/big.err")
ok "$([ "$arena_kb" -lt 1024 ] && echo 0 || echo 1)" "memory per batch stays bounded (${arena_kb} KB for 1,000 changes)"
dump "$TEST_TMP/bigbytes" --slot s --publication pub --exclude-table outside --max-batch-bytes 65536
bytes_batches=$(grep -c '^BATCH' "$TEST_TMP/bigbytes")
arena_kb=$(sed -nE 's/.*max_batch_arena_kb=([0-9]+).*/\1/p' "$TEST_TMP/bigbytes.err")
ok "$([ "$bytes_batches" -gt 51 ] && [ "$arena_kb" -lt 512 ] && echo 0 || echo 1)" \
  "max_batch_bytes=64KB chunks it too ($bytes_batches batches, ${arena_kb} KB max)"
is "$(grep -c '^INSERT public.big' "$TEST_TMP/bigbytes")" 50001 "... with every row"

# ---------------------------------------------------------------- idle slot
# an idle slot is not held back by WAL of tables outside the publication
q "CREATE TABLE unpublished_noise (x int); INSERT INTO unpublished_noise SELECT generate_series(1, 1000)" >/dev/null
q "CREATE PUBLICATION pub_small FOR TABLE plain" >/dev/null
q "SELECT 1 FROM pg_create_logical_replication_slot('s_small', 'pgoutput')" >/dev/null
q "INSERT INTO unpublished_noise SELECT generate_series(1, 1000)"
noise_end=$(q "SELECT pg_current_wal_lsn()")
dump "$TEST_TMP/noise" --slot s_small --publication pub_small --idle-seconds 3 --confirm
is "$(grep -c '^BATCH' "$TEST_TMP/noise")" 0 "only unrelated WAL: no change batch"
like "$(cat "$TEST_TMP/noise")" '^PROGRESS pos=' "... but a progress batch (no changes, the server's WAL end)"
progress=$(sed -n 's/^PROGRESS pos=//p' "$TEST_TMP/noise" | tail -1)
is "$(q "SELECT '${progress:-0/0}'::pg_lsn >= '$noise_end'::pg_lsn")" t \
  "the progress position reaches the source's WAL position (caught up is visible in the checkpoint)"
is "$(q "SELECT confirmed_flush_lsn >= '$noise_end'::pg_lsn FROM pg_replication_slots WHERE slot_name = 's_small'")" t \
  "an idle stream moves the slot past unrelated WAL (keepalive end, nothing in flight)"

# ---------------------------------------------------------------- bad start
dump "$TEST_TMP/noslot" --slot nope --publication pub
is "$DUMP_RC" 2 "a missing slot fails to open"
like "$(cat "$TEST_TMP/noslot.err")" 'replication slot "nope" does not exist' "... with a clear message"
dump "$TEST_TMP/nopub" --slot s --publication nope
like "$(cat "$TEST_TMP/nopub.err")" 'publication "nope" does not exist' "a missing publication is reported before streaming"
"$DUMP" --source "$URL" --slot s_small --publication pub_small --idle-seconds 30 >"$TEST_TMP/holder" 2>&1 &
holder=$!; bg_track "$holder"
wait_until 10 slot_active s_small t
dump "$TEST_TMP/busy" --slot s_small --publication pub_small
is "$DUMP_RC" 2 "a slot in use by another client fails to open"
like "$(cat "$TEST_TMP/busy.err")" 'is active for PID|another replication client' "... saying the slot is in use"
kill -TERM "$holder"; wait "$holder"
is "$?" 0 "SIGTERM stops the stream cleanly (exit 0)"
like "$(cat "$TEST_TMP/holder")" 'END' "... reported as the end of the stream"

# ---------------------------------------------------------------- schema drift
# One slot per case, created before the first change; the catalog is read
# (by the tool) after the DDL, so the stream's older relation disagrees.
q "CREATE TABLE d_drop (id int PRIMARY KEY, gone text);
   CREATE TABLE d_add (id int PRIMARY KEY);
   CREATE TABLE d_type (id int PRIMARY KEY, n int);
   CREATE TABLE d_ren (id int PRIMARY KEY);
   CREATE PUBLICATION p_drop FOR TABLE d_drop; CREATE PUBLICATION p_add FOR TABLE d_add;
   CREATE PUBLICATION p_type FOR TABLE d_type; CREATE PUBLICATION p_ren FOR TABLE d_ren;" >/dev/null
for s in drop add type ren; do q "SELECT 1 FROM pg_create_logical_replication_slot('s_$s', 'pgoutput')" >/dev/null; done
q "INSERT INTO d_drop VALUES (1, 'x'); INSERT INTO d_add VALUES (1); INSERT INTO d_type VALUES (1, 1); INSERT INTO d_ren VALUES (1)"
q "ALTER TABLE d_drop DROP COLUMN gone; ALTER TABLE d_add ADD COLUMN extra int;
   ALTER TABLE d_type ALTER n TYPE bigint; ALTER TABLE d_ren RENAME TO d_ren2"

dump "$TEST_TMP/drop" --slot s_drop --publication p_drop
is "$DUMP_RC" 4 "a column unknown to the catalog stops the stream (STREAM_FATAL: no reconnect cures it)"
like "$(cat "$TEST_TMP/drop.err")" 'table public.d_drop changed on the source: unknown column "gone"' "... naming table and column"
like "$(cat "$TEST_TMP/drop.err")" 'the slot keeps the WAL: align the target schema' "... and saying what to do"
dump "$TEST_TMP/add" --slot s_add --publication p_add
is "$DUMP_RC" 4 "a catalog column the source does not send stops the stream"
like "$(cat "$TEST_TMP/add.err")" 'table public.d_add changed on the source: column "extra" is no longer sent' "... naming it"
dump "$TEST_TMP/type" --slot s_type --publication p_type
is "$DUMP_RC" 4 "a retyped column stops the stream"
like "$(cat "$TEST_TMP/type.err")" 'table public.d_type changed on the source: column "n" changed type' "... naming it"
like "$(cat "$TEST_TMP/type.err")" 'type OID 23, the migration was planned for bigint \(OID 20\)' "... with both types"
dump "$TEST_TMP/ren" --slot s_ren --publication p_ren
is "$DUMP_RC" 4 "a renamed table of the migration stops the stream (its changes would be lost)"
like "$(cat "$TEST_TMP/ren.err")" 'table public.d_ren2 was renamed on the source to public.d_ren' "... naming both names"
q "CREATE TABLE ri (id int PRIMARY KEY, u int NOT NULL); CREATE UNIQUE INDEX ri_u ON ri (u);
   ALTER TABLE ri REPLICA IDENTITY USING INDEX ri_u; CREATE PUBLICATION p_ri FOR TABLE ri" >/dev/null
q "SELECT 1 FROM pg_create_logical_replication_slot('s_ri', 'pgoutput')" >/dev/null
q "INSERT INTO ri VALUES (1, 1)"
dump "$TEST_TMP/ri" --slot s_ri --publication p_ri
is "$DUMP_RC" 4 "a replica identity without the primary key stops the stream"
like "$(cat "$TEST_TMP/ri.err")" 'table public.ri: the replica identity does not include primary key column "id"' "... naming the column"
like "$(cat "$TEST_TMP/ri.err")" 'REPLICA IDENTITY DEFAULT' "... and the fix"
for s in drop add type ren ri; do
  grep -q '^BATCH' "$TEST_TMP/$s" && fail "no batch handed out before the $s error" || pass "no batch handed out before the $s error"
done
is "$(q "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 's\_%' AND active")" 0 \
  "no walsender left behind after the errors"

done_testing
