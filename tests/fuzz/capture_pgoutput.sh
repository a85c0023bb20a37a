#!/usr/bin/env bash
# tests/fuzz/capture_pgoutput.sh -- (re)seed tests/fuzz/corpus/pgoutput from a
# live PostgreSQL server.
#
# Starts a throwaway server with the integration harness, runs a workload that
# makes pgoutput send every message type it can (Begin/Commit, Relation, Type,
# Insert, Update with K and O old tuples, Delete, Truncate, Message, Origin,
# streamed transactions with Stream Start/Stop/Commit/Abort, two-phase
# Begin Prepare/Prepare/Commit Prepared/Rollback Prepared), reads the binary
# messages with pg_logical_slot_peek_binary_changes, and writes each one to
# the corpus twice: bare, and wrapped in an XLogData ('w') CopyData frame.
# Keepalive frames and truncated/malformed variants of a sample are added too.
# Each peek is also written whole, as one message sequence, to
# tests/fuzz/corpus/pgstream (SEQ_OUT) for the pgstream fuzzer.
#
#   tests/fuzz/capture_pgoutput.sh [OUT_DIR]     (default: tests/fuzz/corpus/pgoutput)
set -euo pipefail
. "$(dirname "$0")/../integration/lib/harness.sh"
OUT=${1:-$REPO_ROOT/tests/fuzz/corpus/pgoutput}
mkdir -p "$OUT"

pg_node cap "max_prepared_transactions = 10" "logical_decoding_work_mem = 64kB"
q() { pgq cap postgres "$@"; }
q "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
   CREATE TABLE t (id int PRIMARY KEY, v text, m mood, big text);
   CREATE TABLE full_t (a int, b text); ALTER TABLE full_t REPLICA IDENTITY FULL;
   CREATE TABLE \"Odd \"\"Schema\"\" té\" (\"k 1\" int, \"k2\" text, val bytea, PRIMARY KEY (\"k 1\", k2));
   CREATE TABLE child (id int PRIMARY KEY, tid int REFERENCES t(id));
   CREATE PUBLICATION pub FOR ALL TABLES;"
q "SELECT 1 FROM pg_create_logical_replication_slot('s1', 'pgoutput')"
q "SELECT 1 FROM pg_create_logical_replication_slot('s2', 'pgoutput', false, true)"
q "INSERT INTO t VALUES (1, 'one', 'ok', repeat('x', 5000)), (2, NULL, NULL, NULL);
   UPDATE t SET v = 'uno' WHERE id = 1;
   UPDATE t SET id = 10 WHERE id = 2;
   INSERT INTO full_t VALUES (1, 'a'), (2, NULL);
   UPDATE full_t SET b = 'b' WHERE a = 1;
   DELETE FROM full_t WHERE a = 2;
   INSERT INTO \"Odd \"\"Schema\"\" té\" VALUES (1, 'ü', '\\x00ff');
   DELETE FROM \"Odd \"\"Schema\"\" té\";
   DELETE FROM t WHERE id = 10;
   SELECT pg_logical_emit_message(true, 'godwit', 'transactional');
   SELECT pg_logical_emit_message(false, 'godwit', '\\x0001'::bytea);
   INSERT INTO child VALUES (1, 1);
   TRUNCATE t, child RESTART IDENTITY CASCADE;
   SELECT pg_replication_origin_create('origin_a');"
# changes replayed under a replication origin carry an Origin message
"$PGBIN/psql" -X -q -h 127.0.0.1 -p "$cap_PORT" -U postgres -d postgres >/dev/null <<'SQL'
SELECT pg_replication_origin_session_setup('origin_a');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/AABBCC', now());
INSERT INTO t VALUES (100, 'from origin');
COMMIT;
SQL
# a transaction big enough to be streamed (logical_decoding_work_mem = 64kB)
q "INSERT INTO t SELECT g, repeat('s', 200) FROM generate_series(1000, 1600) g"
q "BEGIN; INSERT INTO t SELECT g, repeat('a', 200) FROM generate_series(2000, 2600) g; SAVEPOINT sp;
   INSERT INTO t SELECT g, 'sub' FROM generate_series(3000, 3600) g; ROLLBACK TO sp; ROLLBACK"
q "BEGIN; INSERT INTO t VALUES (5000, 'prepared'); PREPARE TRANSACTION 'gx1'"
q "COMMIT PREPARED 'gx1'"
q "BEGIN; INSERT INTO t VALUES (5001, 'rolled back'); PREPARE TRANSACTION 'gx2'"
q "ROLLBACK PREPARED 'gx2'"
# an update that leaves the TOASTed column alone ('u' in the new tuple)
q "INSERT INTO t VALUES (6000, 'toast', 'happy', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 400) g));
   UPDATE t SET v = 'toast2' WHERE id = 6000"

n=0
# dump LSN|hex rows of one peek into the corpus: bare and as a 'w' frame
# and every message, in order, as one sequence for the pgstream fuzzer
# (tests/fuzz/fuzz_pgstream.c: 2 option bytes, then Int16 length + message)
SEQ_OUT=${SEQ_OUT:-$REPO_ROOT/tests/fuzz/corpus/pgstream}
mkdir -p "$SEQ_OUT"
dump() {
  local tag=$1 sql=$2 lsn hex hi lo seq="" seq40="" nseq=0
  while IFS='|' read -r lsn hex; do
    [ -n "$hex" ] || continue
    [ "${#hex}" -lt 131070 ] && seq+=$(printf '%04x' $(( ${#hex} / 2 )))$hex && nseq=$((nseq + 1))
    [ "$nseq" = 40 ] && [ -z "$seq40" ] && seq40=$seq
    n=$((n + 1))
    # keep the corpus small: the same-shaped rows of big transactions once in 40
    if [ $((n % 40)) != 0 ] && [ -n "${SEEN[${hex:0:2}${#hex}]:-}" ]; then continue; fi
    SEEN[${hex:0:2}${#hex}]=1
    printf '%s' "$hex" | xxd -r -p >"$OUT/$tag-$(printf %04d $n)-${hex:0:2}"
    hi=$(printf '%08x' "0x${lsn%/*}"); lo=$(printf '%08x' "0x${lsn#*/}")
    { printf 'w'; printf '%s%s%s%s%s%s' "$hi" "$lo" "$hi" "$lo" 0002a0b1c2d3 e4f5 | xxd -r -p;
      printf '%s' "$hex" | xxd -r -p; } >"$OUT/$tag-w-$(printf %04d $n)-${hex:0:2}"
  done < <(q "$sql")
  # the whole sequence once; its first 40 messages under every option set
  printf '0100%s' "$seq" | xxd -r -p >"$SEQ_OUT/seq-$tag-all"
  local opts
  for opts in 0100 0703 0800 0005 0301; do
    printf '%s%s' "$opts" "${seq40:-$seq}" | xxd -r -p >"$SEQ_OUT/seq-$tag-40-$opts"
  done
}
declare -A SEEN
dump v1 "SELECT lsn, encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('s1', NULL, NULL,
          'proto_version', '1', 'publication_names', 'pub', 'messages', 'true')"
dump v2 "SELECT lsn, encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('s1', NULL, NULL,
          'proto_version', '2', 'publication_names', 'pub', 'messages', 'true', 'streaming', 'on')"
dump v3 "SELECT lsn, encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('s2', NULL, NULL,
          'proto_version', '3', 'publication_names', 'pub', 'two_phase', 'on', 'streaming', 'on')"
dump bin "SELECT lsn, encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('s1', NULL, NULL,
          'proto_version', '1', 'publication_names', 'pub', 'binary', 'true')"

# keepalives: plain and reply-requested
printf 'k\x00\x00\x00\x00\x01\x6b\x37\x48\x00\x00\x02\xa0\xb1\xc2\xd3\xe4\x00' >"$OUT/k-keepalive"
printf 'k\x00\x00\x00\x00\x01\x6b\x37\x48\x00\x00\x02\xa0\xb1\xc2\xd3\xe4\x01' >"$OUT/k-keepalive-reply"
# malformed variants of a few real messages: every 3rd truncation, a flipped
# count, and one trailing byte
for f in $(ls "$OUT" | grep -E '^v1-[0-9]+-(52|49|55|44|54)$'); do
  size=$(stat -c %s "$OUT/$f")
  [ "$size" -lt 160 ] || continue
  for ((i = 1; i < size; i += 3)); do head -c "$i" "$OUT/$f" >"$OUT/trunc-$f-$i"; done
  { cat "$OUT/$f"; printf '\x00'; } >"$OUT/trail-$f"
  { head -c 5 "$OUT/$f"; printf '\xff\xff'; tail -c +8 "$OUT/$f"; } >"$OUT/count-$f"
done
echo "# $(ls "$OUT" | wc -l) corpus files in $OUT, $(ls "$SEQ_OUT" | wc -l) in $SEQ_OUT"
pass "corpus captured"
done_testing
