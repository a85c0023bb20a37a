#!/usr/bin/env bash
# tests/tools/pgoutput_bench.sh -- capture a pgoutput stream from a throwaway
# PostgreSQL (a 100,000-row insert into a 6-column table, then updates and
# deletes of every row) and measure decode throughput with pgoutput_bench.
#
#   BUILD_DIR=build-release tests/tools/pgoutput_bench.sh [SECONDS]
# (ninja -C build-release tests/pgoutput_bench tests/pgstream_dump)
# (use a build without sanitizers for meaningful numbers)
set -euo pipefail
. "$(dirname "$0")/../integration/lib/harness.sh"
BENCH=$REPO_ROOT/${BUILD_DIR:-build}/tests/pgoutput_bench
pg_node bench
q() { pgq bench postgres "$@"; }
q "CREATE TABLE orders (id bigint PRIMARY KEY, customer int, status text, amount numeric(12,2),
     created timestamptz, note text); CREATE PUBLICATION pub FOR ALL TABLES"
q "SELECT 1 FROM pg_create_logical_replication_slot('s', 'pgoutput')" >/dev/null
q "INSERT INTO orders SELECT g, g % 1000, 'new', g * 1.25, '2024-01-01'::timestamptz + g * interval '1 s',
     'order note ' || g FROM generate_series(1, 100000) g"
q "UPDATE orders SET status = 'shipped'"
q "DELETE FROM orders"
# length-prefixed records: 8 hex digits of length + the message
q "SELECT lpad(to_hex(length(data)), 8, '0') || encode(data, 'hex')
   FROM pg_logical_slot_peek_binary_changes('s', NULL, NULL, 'proto_version', '1', 'publication_names', 'pub')" |
  tr -d '\n' | xxd -r -p >"$TEST_TMP/stream.bin"
diag "captured $(stat -c %s "$TEST_TMP/stream.bin") bytes"
out=$("$BENCH" "$TEST_TMP/stream.bin" "${1:-3}")
diag "$out"
ok $? "pgoutput decode benchmark"
# end to end: walsender -> libpq -> decode -> ChangeBatch (values copied), printing to /dev/null
DUMP=$REPO_ROOT/${BUILD_DIR:-build}/tests/pgstream_dump
if [ -x "$DUMP" ]; then
  start=$(date +%s.%N)
  "$DUMP" --source "$(pg_url bench)" --slot s --publication pub --idle-seconds 0.5 >/dev/null 2>"$TEST_TMP/dump.err"
  end=$(date +%s.%N)
  diag "$(grep STATS "$TEST_TMP/dump.err")"
  diag "stream to ChangeBatches: $(echo "300000 / ($end - $start - 0.5)" | bc) changes/s (wall, including connection)"
fi
done_testing
