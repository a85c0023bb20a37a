#!/usr/bin/env bash
# scripts/install-deps.sh -- install what godwit needs to build, test and run
# its demo on Debian 12.  Idempotent: installs only missing packages.
#
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --bench    also the peer tools the benchmarks run
set -euo pipefail

PACKAGES=(
  gcc libc6-dev pkg-config meson ninja-build          # build
  libpq-dev libmariadb-dev libmicrohttpd-dev          # libraries godwit links
  zlib1g-dev libzstd-dev                              # binlog: MariaDB compressed events, MySQL payloads
  postgresql-15 postgresql-client-15                  # throwaway servers for tests and demo
  mariadb-server mariadb-client
  iproute2 procps openssl ca-certificates curl time   # harness: ss, ps, TLS, metrics, max RSS
  clang libclang-rt-14-dev                            # libFuzzer builds (optional at runtime)
  python3                                             # tests: the MySQL -> PostgreSQL value oracle
)
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(pgloader pgcopydb time bc)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: missing packages (${missing[*]}) and no root/sudo" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# the packaged services are not used (tests start private servers); do not leave them running
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  $SUDO systemctl stop mariadb postgresql >/dev/null 2>&1 || true
fi
