# shellcheck shell=bash
# tests/integration/lib/harness.sh -- TAP helpers and throwaway servers for
# godwit's integration tests.  Source it from a test script:
#
#   . "$(dirname "$0")/../lib/harness.sh"
#   pg_node src                 # PostgreSQL 15 in a temp dir: $src_PORT, pgq src DB "SQL"
#   my_node msrc                # MariaDB: $msrc_PORT, myq msrc "SQL", $msrc_URL
#   gw check --source "$(pg_url src)" ...   # runs godwit: $GW_OUT $GW_ERR $GW_RC
#   is "$GW_RC" 0 "check passes"
#   done_testing
#
# The servers come from servers.sh (see there).

# ------------------------------------------------------------------ TAP
_tap_n=0
_tap_failed=0
ok() {        # ok COND_RC NAME   (COND_RC: 0 = pass)
  local rc=$1; shift
  _tap_n=$((_tap_n + 1))
  if [ "$rc" = 0 ]; then echo "ok $_tap_n - $*"; else echo "not ok $_tap_n - $*"; _tap_failed=$((_tap_failed + 1)); fi
  return "$rc"
}
pass() { ok 0 "$@"; }
fail() { ok 1 "$@"; }
is() {        # is GOT WANT NAME
  local got=$1 want=$2; shift 2
  if [ "$got" = "$want" ]; then ok 0 "$@"; else ok 1 "$@"; diag "got:  '$got'"; diag "want: '$want'"; return 1; fi
}
isnt() {
  local got=$1 want=$2; shift 2
  if [ "$got" != "$want" ]; then ok 0 "$@"; else ok 1 "$@"; diag "got '$got' (unwanted)"; return 1; fi
}
like() {      # like TEXT REGEX NAME (grep -E)
  local text=$1 re=$2; shift 2
  if printf '%s' "$text" | grep -Eq -- "$re"; then ok 0 "$@"; else ok 1 "$@"; diag "no match for /$re/ in:"; printf '%s\n' "$text" | head -20 | sed 's/^/#     /'; return 1; fi
}
unlike() {
  local text=$1 re=$2; shift 2
  if ! printf '%s' "$text" | grep -Eq -- "$re"; then ok 0 "$@"; else ok 1 "$@"; diag "unexpected match for /$re/:"; printf '%s\n' "$text" | grep -E -- "$re" | head -5 | sed 's/^/#     /'; return 1; fi
}
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n # SKIP $*"; }
diag() { printf '# %s\n' "$*"; }
bail() { echo "Bail out! $*"; exit 1; }
done_testing() { echo "1..$_tap_n"; [ "$_tap_failed" = 0 ]; }

. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/servers.sh"
