#!/usr/bin/env bash
# godwit check against a real MariaDB: binlog settings, GTIDs, privileges,
# primary keys, retention, and credentials that never leak.
. "$(dirname "$0")/../lib/harness.sh"

my_node msrc
myq msrc "CREATE DATABASE shop; CREATE TABLE shop.orders (id BIGINT PRIMARY KEY, note TEXT);
          CREATE TABLE shop.nopk (a INT, b TEXT); CREATE DATABASE other; CREATE TABLE other.x (a INT);"

gw check --source "$(my_url msrc shop)" --format json
is "$GW_RC" 2 "table without a primary key blocks (exit 2)"
like "$GW_OUT" '"name":"log_bin","status":"OK"' "log_bin on"
like "$GW_OUT" '"name":"binlog_format","status":"OK"' "binlog_format ROW"
like "$GW_OUT" '"name":"binlog_row_image","status":"OK"' "binlog_row_image FULL"
like "$GW_OUT" '"name":"binlog_row_metadata","status":"OK"' "binlog_row_metadata FULL"
like "$GW_OUT" '"name":"gtid","status":"OK","message":"GTID position readable' "MariaDB GTID position readable"
like "$GW_OUT" '"name":"replication_privilege","status":"OK"' "replication privileges"
like "$GW_OUT" '"name":"server_id","status":"OK"' "server_id set"
like "$GW_OUT" '"name":"binlog_retention","status":"OK"' "binlog retention"
like "$GW_OUT" '"name":"primary_keys","status":"FAIL","message":"1 table without a primary key: `shop`.`nopk`' "only tables of the URL's database are checked"
like "$GW_OUT" '"name":"version","status":"OK","message":"MariaDB 10' "flavor detected as MariaDB"

gw check --source "$(my_url msrc shop)" --allow-no-pk
is "$GW_RC" 0 "--allow-no-pk: ready (exit 0)"

# --- statement-based binlog, minimal images ---
myq msrc "SET GLOBAL binlog_format = 'STATEMENT'; SET GLOBAL binlog_row_image = 'MINIMAL';"
gw check --source "$(my_url msrc shop)" --allow-no-pk --format json
is "$GW_RC" 2 "binlog_format STATEMENT blocks (exit 2)"
like "$GW_OUT" '"name":"binlog_format","status":"FAIL","message":"binlog_format = STATEMENT' "binlog_format FAIL names the value"
like "$GW_OUT" "SET GLOBAL binlog_format = 'ROW'" "binlog_format hint"
like "$GW_OUT" '"name":"binlog_row_image","status":"FAIL"' "binlog_row_image MINIMAL fails"
myq msrc "SET GLOBAL binlog_format = 'ROW'; SET GLOBAL binlog_row_image = 'FULL'; SET GLOBAL binlog_expire_logs_seconds = 600;"
gw check --source "$(my_url msrc shop)" --allow-no-pk --format json
like "$GW_OUT" '"name":"binlog_retention","status":"WARN"' "short binlog retention warns"
myq msrc "SET GLOBAL binlog_expire_logs_seconds = 0;"

# --- a user without replication privileges ---
myq msrc "CREATE USER reader@'127.0.0.1' IDENTIFIED BY 'reader-S3cret'; GRANT SELECT ON shop.* TO reader@'127.0.0.1';"
gw check --source "mysql://reader:reader-S3cret@127.0.0.1:${msrc_PORT}/shop?ssl-mode=DISABLED" --allow-no-pk --format json
is "$GW_RC" 2 "missing replication privileges block"
like "$GW_OUT" '"name":"replication_privilege","status":"FAIL"' "replication privilege FAIL"
like "$GW_OUT" 'GRANT REPLICATION SLAVE, BINLOG MONITOR' "hint with the GRANT"
like "$GW_OUT" '"name":"snapshot_lock","status":"WARN"' "no RELOAD warns about the snapshot lock"
unlike "$GW_OUT$GW_ERR" 'reader-S3cret' "password never printed"

# --- wrong password ---
gw check --source "mysql://reader:Wr0ng-pw%40x@127.0.0.1:${msrc_PORT}/shop?ssl-mode=DISABLED"
is "$GW_RC" 3 "wrong password exits 3"
like "$GW_ERR" 'Access denied' "server reason shown"
unlike "$GW_OUT$GW_ERR" 'Wr0ng' "wrong password not printed"

# --- log_bin off: a server started without binary logging ---
my_node nobin "skip-log-bin"
myq nobin "CREATE DATABASE d; CREATE TABLE d.t (id INT PRIMARY KEY);"
gw check --source "$(my_url nobin d)" --format json
is "$GW_RC" 2 "binary log disabled blocks"
like "$GW_OUT" '"name":"log_bin","status":"FAIL"' "log_bin FAIL"

# --- TLS required but the server has none ---
gw check --source "mysql://godwit:godwit-pw@127.0.0.1:${msrc_PORT}/shop?ssl-mode=REQUIRED"
is "$GW_RC" 3 "ssl-mode=REQUIRED against a server without TLS fails"
gw check --source "mysql://godwit:godwit-pw@127.0.0.1:${msrc_PORT}/shop?ssl-mode=SOMETIMES"
is "$GW_RC" 1 "invalid ssl-mode is a bad argument"

done_testing
