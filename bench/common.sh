# shellcheck shell=bash
# bench/common.sh -- the prologue every bench/*.sh shares.  Source it after
# setting ROOT (the repository) and BENCH_DIR:
#
#   . "$ROOT/bench/common.sh" NAME
#
# It loads ../shared/bench/lib.sh (throwaway servers; SHARED_BENCH overrides
# where), puts PostgreSQL's binaries on PATH, installs the benchmark packages
# (scripts/install-deps.sh --bench), builds the release binary and sets:
#   GODWIT  the release build of godwit
#   OUT     a fresh result directory $BENCH_DIR/NAME-<time>
#   log     "[NAME hh:mm:ss] message" on stderr
#   q PORT DB SQL   one psql statement, unaligned output
#   now     seconds since the epoch, with fractions
BENCH_NAME=$1
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
. "$SHARED/lib.sh"
export PATH=$PGBIN:$PATH
"$ROOT/scripts/install-deps.sh" --bench || exit 1
[ -f "$ROOT/build-release/build.ninja" ] || meson setup "$ROOT/build-release" --buildtype=release >/dev/null
ninja -C "$ROOT/build-release" >/dev/null || exit 1
GODWIT=$ROOT/build-release/src/cli/godwit
OUT=$BENCH_DIR/$BENCH_NAME-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
log() { echo "[$BENCH_NAME $(date +%T)] $*" >&2; }
q() { local p=$1 d=$2; shift 2; psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -p "$p" -d "$d" -c "$*"; }
now() { date +%s.%N; }
