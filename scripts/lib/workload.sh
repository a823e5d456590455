# scripts/lib/workload.sh: what the workload runners share
# (tests/quiet/run-quiet.sh, tests/app/run-app.sh, tests/drivers/run-drivers.sh):
# the checks that a client is installed, and a private server with lockdiag
# freshly installed. Sourced, after the runner has set `top`, `build`,
# LOCKDIAG_SERVER_DIR and LOCKDIAG_SERVER_PORT; defines
#   server   scripts/private-server.sh
#   work     $LOCKDIAG_SERVER_DIR/run, the clients' outputs
#   fail     fail MESSAGE: prints FAIL and counts it in $failures
# shellcheck shell=bash

server=$top/scripts/private-server.sh
work=$LOCKDIAG_SERVER_DIR/run
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# require_php_extension RUNNER EXT: php and its extension EXT (mysqli,
# pdo_mysql) are installed, else a setup error naming the package.
require_php_extension() {
  command -v php >/dev/null || { echo "$1: php not found (apt-get install php8.2-cli php8.2-mysql; scripts/install-deps.sh does)" >&2; exit 1; }
  [[ $'\n'$(php -m)$'\n' == *$'\n'$2$'\n'* ]] || { echo "$1: the PHP extension $2 is missing (apt-get install php8.2-mysql)" >&2; exit 1; }
}

# start_lockdiag_server: (re)starts the private server with the build's
# plugin folder (stopped again at exit unless KEEP_SERVER is set), defines
# sql (the client) and sock (its socket), empties $work and installs
# lockdiag afresh.
start_lockdiag_server() {
  # A server left over from an interrupted run may hold an older lockdiag.so.
  "$server" stop
  trap '[[ -n ${KEEP_SERVER:-} ]] || "$server" stop' EXIT
  "$server" start --plugin-dir "$build/plugin-dir"
  sql() { "$server" client "$@"; }
  sock=$("$server" socket)
  rm -rf "$work"
  mkdir -p "$work"
  sql -e "UNINSTALL SONAME 'lockdiag'" >/dev/null 2>&1 || true
  # The reset also empties the state file an earlier run left in the
  # datadir, which INSTALL has just loaded.
  sql -e "INSTALL SONAME 'lockdiag'; SET GLOBAL lockdiag_reset = ON"
}
