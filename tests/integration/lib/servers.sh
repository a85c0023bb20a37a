# shellcheck shell=bash
# tests/integration/lib/servers.sh -- throwaway PostgreSQL and MariaDB servers
# (used by the test harness and by scripts/demo.sh).
#
#   pg_node src                 # PostgreSQL 15 in a temp dir: $src_PORT, pgq src DB "SQL"
#   my_node msrc                # MariaDB: $msrc_PORT, myq msrc "SQL"
#
# Servers run as an unprivileged user when run as root (PostgreSQL refuses
# root), listen on 127.0.0.1 on a free port below the ephemeral range, and
# are stopped by an EXIT trap whatever happens.  Logs are kept under
# $GODWIT_TEST_LOGDIR when a test fails.  Modeled on PostgreSQL's
# PostgreSQL::Test::Cluster.

set -u
HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$HARNESS_DIR/../../.." && pwd)
PGBIN=${PGBIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
GODWIT=${GODWIT:-$REPO_ROOT/build/src/cli/godwit}
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
GODWIT_TEST_LOGDIR=${GODWIT_TEST_LOGDIR:-$REPO_ROOT/build/testlogs}
mkdir -p "$GODWIT_TEST_LOGDIR"

# scratch directory every unprivileged server user can traverse
TEST_TMP=$(mktemp -d /tmp/godwit-test.XXXXXX)
chmod 1777 "$TEST_TMP"   # servers (other users) write their logs here
export GODWIT_LOG_FORMAT=${GODWIT_LOG_FORMAT:-json}
export PGCONNECT_TIMEOUT=10
unset PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD

if [ "$(id -u)" = 0 ]; then
  PG_OS_USER=${PG_OS_USER:-postgres}
  MY_OS_USER=${MY_OS_USER:-mysql}
  for u in "$PG_OS_USER" "$MY_OS_USER"; do
    id "$u" >/dev/null 2>&1 || useradd --system --user-group --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin "$u"
  done
else
  PG_OS_USER=$(id -un)
  MY_OS_USER=$(id -un)
fi

_as_pg() { if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$PG_OS_USER" -- "$@"); else (cd / && "$@"); fi; }

# ------------------------------------------------------------------ ports
# A free TCP port on 127.0.0.1, reserved with a lock directory so tests
# running in parallel never pick the same one.
_PORT_LOCKS=/tmp/godwit-test-ports
mkdir -p "$_PORT_LOCKS" 2>/dev/null; chmod 1777 "$_PORT_LOCKS" 2>/dev/null
_my_ports=()
free_port() {
  local p i
  for i in $(seq 1 200); do
    # below the ephemeral range (32768+), so no outgoing connection can take a
    # test server's port while it restarts
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 12000 ))
    ss -Hltn "sport = :$p" 2>/dev/null | grep -q . && continue
    mkdir "$_PORT_LOCKS/$p" 2>/dev/null || continue
    _my_ports+=("$p")
    echo "$p"; return 0
  done
  bail "no free port"
}

# ------------------------------------------------------------------ cleanup
_nodes_pg=()
_nodes_my=()
_bg_pids=()
_cleanup() {
  local rc=$?
  local p
  for p in "${_bg_pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  local n
  for n in "${_nodes_pg[@]:-}"; do [ -n "$n" ] && pg_stop "$n" >/dev/null 2>&1; done
  for n in "${_nodes_my[@]:-}"; do [ -n "$n" ] && my_stop "$n" >/dev/null 2>&1; done
  if [ "${_tap_failed:-0}" != 0 ] || [ "$rc" != 0 ]; then
    local keep="$GODWIT_TEST_LOGDIR/$TEST_NAME"
    rm -rf "$keep"; mkdir -p "$keep"
    find "$TEST_TMP" -maxdepth 2 \( -name '*.log' -o -name '*.err' -o -name 'godwit-*.out' \) \
      -exec cp --parents {} "$keep" \; 2>/dev/null
    echo "# logs kept in $keep" >&2
  fi
  for p in "${_my_ports[@]:-}"; do [ -n "$p" ] && rmdir "$_PORT_LOCKS/$p" 2>/dev/null; done
  rm -rf "$TEST_TMP"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

bg_track() { _bg_pids+=("$1"); }

# ------------------------------------------------------------------ PostgreSQL
# pg_node NAME [postgresql.conf lines...]
#   Creates and starts a cluster; sets ${NAME}_PORT and ${NAME}_DIR.
pg_node() {
  local name=$1; shift
  local dir="$TEST_TMP/pg_$name" port
  port=$(free_port)
  mkdir -p "$dir" && chown "$PG_OS_USER": "$dir" 2>/dev/null; chmod 700 "$dir"
  _as_pg "$PGBIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 -N \
    >"$TEST_TMP/pg_$name.initdb.log" 2>&1 || { cat "$TEST_TMP/pg_$name.initdb.log" >&2; bail "initdb $name failed"; }
  cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = logical
max_replication_slots = 10
max_wal_senders = 10
shared_buffers = 128MB
max_connections = 60
log_min_messages = warning
log_line_prefix = '%m [%p] %q%a '
CONF
  local line
  for line in "$@"; do echo "$line" >>"$dir/postgresql.conf"; done
  _as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$TEST_TMP/pg_$name.log" -w -t 60 start >/dev/null \
    || { tail -20 "$TEST_TMP/pg_$name.log" >&2; bail "could not start PostgreSQL $name"; }
  _nodes_pg+=("$name")
  printf -v "${name}_PORT" '%s' "$port"
  printf -v "${name}_DIR" '%s' "$dir"
}

pg_stop() { local dir; dir=$(pg_dir "$1"); [ -f "$dir/postmaster.pid" ] && _as_pg "$PGBIN/pg_ctl" -D "$dir" -m fast -w -t 60 stop >/dev/null; }
pg_start() { local dir; dir=$(pg_dir "$1"); _as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$TEST_TMP/pg_$1.log" -w -t 60 start >/dev/null; }
pg_restart() { local dir; dir=$(pg_dir "$1"); _as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$TEST_TMP/pg_$1.log" -m fast -w -t 60 restart >/dev/null; }
pg_reload() { local dir; dir=$(pg_dir "$1"); _as_pg "$PGBIN/pg_ctl" -D "$dir" reload >/dev/null; sleep 0.2; }
pg_dir() { local v="${1}_DIR"; echo "${!v}"; }
pg_port() { local v="${1}_PORT"; echo "${!v}"; }
# pg_url NODE [DB] [USER[:PASSWORD]]
pg_url() { echo "postgres://${3:-postgres}@127.0.0.1:$(pg_port "$1")/${2:-postgres}?sslmode=disable"; }
# pgq NODE DB SQL...   (unaligned, tuples only, stops on error)
pgq() {
  local node=$1 db=$2; shift 2
  "$PGBIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port "$node")" -U postgres -d "$db" -c "$*"
}
# pgf NODE DB FILE   run a SQL file
pgf() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(pg_port "$1")" -U postgres -d "$2" -f "$3" >/dev/null; }

# ------------------------------------------------------------------ MariaDB
# my_node NAME [my.cnf lines...]
#   Creates and starts a private mariadbd; sets ${NAME}_PORT, ${NAME}_DIR and a
#   TCP user godwit/godwit-pw with every privilege.
my_node() {
  local name=$1; shift
  local dir="$TEST_TMP/my_$name" port sid
  port=$(free_port)
  sid=$(( (port % 60000) + 1 ))
  mkdir -p "$dir/data" "$dir/binlog" "$dir/tmp"
  {
    echo "[mysqld]"
    [ "$(id -u)" = 0 ] && echo "user = $MY_OS_USER"
    cat <<CONF
datadir = $dir/data
socket = $dir/mysqld.sock
pid-file = $dir/mysqld.pid
log-error = $TEST_TMP/my_$name.log
tmpdir = $dir/tmp
port = $port
bind-address = 127.0.0.1
skip-name-resolve
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
default-time-zone = '+00:00'
server-id = $sid
log-bin = $dir/binlog/mariadb-bin
binlog-format = ROW
binlog-row-image = FULL
binlog-row-metadata = FULL
binlog-annotate-row-events = ON
log-slave-updates = ON
gtid-domain-id = 0
gtid-strict-mode = ON
sync-binlog = 0
innodb-flush-log-at-trx-commit = 0
innodb-buffer-pool-size = 128M
innodb-log-file-size = 48M
max-allowed-packet = 256M
max-connections = 100
performance-schema = OFF
CONF
    local line
    for line in "$@"; do echo "$line"; done
  } >"$dir/my.cnf"
  [ "$(id -u)" = 0 ] && chown -R "$MY_OS_USER": "$dir"
  (cd / && mariadb-install-db --defaults-file="$dir/my.cnf" ${MY_OS_USER:+--user=$MY_OS_USER} \
     --skip-test-db --auth-root-authentication-method=socket >"$TEST_TMP/my_$name.install.log" 2>&1) \
     || { cat "$TEST_TMP/my_$name.install.log" >&2; bail "mariadb-install-db $name failed"; }
  setsid mariadbd --defaults-file="$dir/my.cnf" </dev/null >>"$TEST_TMP/my_$name.log" 2>&1 &
  local i
  for i in $(seq 1 120); do
    mariadb-admin --defaults-file="$dir/my.cnf" --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.25
  done
  mariadb-admin --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 || { tail -20 "$TEST_TMP/my_$name.log" >&2; bail "could not start MariaDB $name"; }
  _nodes_my+=("$name")
  printf -v "${name}_PORT" '%s' "$port"
  printf -v "${name}_DIR" '%s' "$dir"
  myq "$name" "CREATE USER godwit@'127.0.0.1' IDENTIFIED BY 'godwit-pw';
               GRANT ALL PRIVILEGES ON *.* TO godwit@'127.0.0.1' WITH GRANT OPTION;"
}
my_stop() {
  local dir; dir=$(pg_dir "$1")
  [ -f "$dir/mysqld.pid" ] || return 0
  local pid; pid=$(cat "$dir/mysqld.pid")
  mariadb-admin --socket="$dir/mysqld.sock" -uroot shutdown >/dev/null 2>&1
  local i; for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null
}
my_start() {
  local dir; dir=$(pg_dir "$1")
  setsid mariadbd --defaults-file="$dir/my.cnf" </dev/null >>"$TEST_TMP/my_$1.log" 2>&1 &
  local i; for i in $(seq 1 120); do mariadb-admin --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1 && return 0; sleep 0.25; done
  return 1
}
my_restart() { my_stop "$1"; my_start "$1"; }
# my_url NODE [DB] [USER:PASSWORD]
my_url() { echo "mysql://${3:-godwit:godwit-pw}@127.0.0.1:$(pg_port "$1")/${2:-}?ssl-mode=DISABLED"; }
# myq NODE SQL  (as root over the socket; batch output, no column names)
myq() { local dir; dir=$(pg_dir "$1"); shift; mariadb --socket="$dir/mysqld.sock" -uroot -N -B -e "$*"; }
myqd() { local dir; dir=$(pg_dir "$1"); local db=$2; shift 2; mariadb --socket="$dir/mysqld.sock" -uroot -N -B -D "$db" -e "$*"; }
myf() { local dir; dir=$(pg_dir "$1"); mariadb --socket="$dir/mysqld.sock" -uroot "${@:2}"; }

# ------------------------------------------------------------------ godwit
# gw ARGS...   run godwit; stdout -> $GW_OUT, stderr -> $GW_ERR, exit code -> $GW_RC
_gw_n=0
gw() {
  _gw_n=$((_gw_n + 1))
  local o="$TEST_TMP/godwit-$_gw_n.out" e="$TEST_TMP/godwit-$_gw_n.err"
  echo "godwit $*" >"$e.cmd"
  "$GODWIT" "$@" >"$o" 2>"$e"
  GW_RC=$?
  GW_OUT=$(cat "$o")
  GW_ERR=$(cat "$e")
  return 0
}
# gw_bg OUTFILE ARGS...  start godwit in the background; pid in $GW_PID
gw_bg() {
  local out=$1; shift
  "$GODWIT" "$@" >"$out" 2>"$out.err" &
  GW_PID=$!
  bg_track "$GW_PID"
}

# kill9_cycles N LOGPREFIX GODWIT-ARGS...: N times start godwit in the
# background and kill -9 it after a random 0.0-2.9 s
kill9_cycles() {
  local n=$1 prefix=$2 i; shift 2
  for i in $(seq 1 "$n"); do
    gw_bg "$prefix-$i.log" "$@"
    sleep "$(( RANDOM % 3 )).$(( RANDOM % 10 ))"
    kill -9 "$GW_PID" 2>/dev/null; wait "$GW_PID" 2>/dev/null
  done
}

# wait_applied SRC TGT DB [TIMEOUT_S]: godwit's checkpoint in TGT's DB passes the
#   WAL position SRC's DB has now (replication drained up to this moment)
wait_applied() {
  local src=$1 tgt=$2 db=$3 t=${4:-120} lsn deadline
  lsn=$(pgq "$src" "$db" "SELECT pg_current_wal_lsn()")
  deadline=$(( $(date +%s) + t ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    [ "$(pgq "$tgt" "$db" "SELECT position::pg_lsn >= '$lsn'::pg_lsn FROM _godwit.checkpoint" 2>/dev/null)" = t ] &&
      return 0
    sleep 0.2
  done
  return 1
}

# wait_until TIMEOUT_S CMD...   poll every 0.2 s until CMD succeeds
wait_until() {
  local t=$1; shift
  local deadline=$(( $(date +%s) + t ))
  while [ "$(date +%s)" -lt "$deadline" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  return 1
}

SHARED_DATASETS=${SHARED_DATASETS:-$REPO_ROOT/../shared/datasets}

# ------------------------------------------------------------------ comparing data
# pg_fingerprint NODE DB [SCHEMA_REGEX]
#   One line per user table: "schema.table <rows> <md5 of its rows' text, sorted>".
#   Row text is PostgreSQL's record output, so two PostgreSQL databases holding the
#   same values print the same fingerprint.  _godwit is left out.
pg_fingerprint() {
  local node=$1 db=$2 re=${3:-.*}
  local tables
  tables=$(pgq "$node" "$db" "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r','p') AND NOT c.relispartition
       AND n.nspname NOT IN ('pg_catalog','information_schema','_godwit') AND n.nspname !~ '^pg_'
       AND n.nspname ~ '$re'
     ORDER BY 1")
  local t
  while IFS= read -r t; do
    [ -n "$t" ] || continue
    pgq "$node" "$db" "SELECT '$t' || ' ' || count(*) || ' ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '-')
                       FROM (SELECT x::text AS r FROM $t x) s"
  done <<<"$tables"
}
