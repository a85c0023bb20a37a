/*
 * tests/unit/test_my_positions.c
 *	  The MySQL driver's position ops without a server: position_reached
 *	  (MariaDB GTID positions per domain, MySQL GTID sets by containment) and
 *	  position_lag_bytes (unknown for GTIDs, 0 when caught up).  These decide
 *	  when `replicate --stop-when-caught-up` and cutover consider the target
 *	  drained, so a wrong answer would stop too early.
 */
#include <string.h>

#include "dialect/source.h"
#include "tap.h"

#define REACHED(a, w)	source_ops_mysql.position_reached((a), (w))

int
main(void)
{
	/* MariaDB: domain-server-seq lists */
	ok(REACHED("0-1-100", "0-1-100"), "MariaDB: equal positions are reached");
	ok(REACHED("0-1-101", "0-1-100"), "MariaDB: a later sequence number reaches an earlier one");
	ok(!REACHED("0-1-99", "0-1-100"), "MariaDB: an earlier one does not");
	ok(REACHED("0-2-150", "0-1-100"), "MariaDB: the server id does not matter within a domain");
	ok(!REACHED("0-1-500", "0-1-100,1-7-3"), "MariaDB: a domain missing from applied is not reached");
	ok(REACHED("0-1-500,1-7-3", "0-1-100,1-7-3"), "MariaDB: every domain at or past");
	ok(!REACHED("0-1-500,1-7-2", "0-1-100,1-7-3"), "MariaDB: one domain behind is not reached");
	ok(REACHED("1-7-3,0-1-500", "0-1-100"), "MariaDB: order of domains does not matter");
	ok(REACHED("0-1-1", ""), "an empty wanted position (nothing logged yet) is reached");
	ok(!REACHED(NULL, "0-1-1"), "no applied position reaches nothing");
	ok(REACHED("0-1-1", NULL), "no wanted position is reached");

	/* MySQL: GTID sets */
	ok(REACHED("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-100", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-100"),
	   "MySQL: equal sets are reached");
	ok(REACHED("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-200", "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-100"),
	   "MySQL: a superset is reached (uuid case ignored)");
	ok(!REACHED("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-99", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-100"),
	   "MySQL: a subset is not");
	ok(!REACHED("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-50:52-100", "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-100"),
	   "MySQL: a gap (transaction 51 not applied) is not reached");
	ok(REACHED("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-100,\n4E11FA47-71CA-11E1-9E33-C80AA9429562:1-5",
			   "4E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"), "MySQL: multi-line sets as the server prints them");
	ok(!REACHED("3E11FA47-71CA-11E1-9E33-C80AA9429562:1-100",
				"3E11FA47-71CA-11E1-9E33-C80AA9429562:1-100,4E11FA47-71CA-11E1-9E33-C80AA9429562:1"),
	   "MySQL: a transaction of another source uuid is missing");

	/* lag */
	is_int(source_ops_mysql.position_lag_bytes("0-1-100", "0-1-100"), -1, "bytes are unknown for GTIDs, caught up or not");
	is_int(source_ops_mysql.position_lag_bytes("0-1-90", "0-1-100"), -1, "behind: bytes unknown for GTIDs");
	is_int(source_ops_mysql.position_lag_bytes(NULL, "0-1-100"), -1, "no applied position: unknown");

	ok(source_ops_mysql.snapshot_begin != NULL && source_ops_mysql.copy_shard != NULL &&
	   source_ops_mysql.plan_shards != NULL && source_ops_mysql.current_position != NULL,
	   "the MySQL driver has the bulk-copy ops");
	return done_testing();
}
