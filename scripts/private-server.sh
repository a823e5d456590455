#!/usr/bin/env bash
# private-server.sh: a throwaway MariaDB server for the demo and the
# benchmarks. Everything lives under one folder (default: build/private-server):
# datadir, socket, pid file, error log. It never touches the system service.
#
#   scripts/private-server.sh start [--plugin-dir DIR] [-- extra mariadbd options]
#   scripts/private-server.sh client [mariadb client args]   # runs the client as root
#   scripts/private-server.sh stop
#
# Environment: LOCKDIAG_SERVER_DIR (folder), LOCKDIAG_SERVER_PORT (default 3407).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
dir=$(realpath -m "${LOCKDIAG_SERVER_DIR:-$top/build/private-server}")
port=${LOCKDIAG_SERVER_PORT:-3407}
sock=$dir/mysqld.sock
# shellcheck source=lib/stop-server.sh source-path=SCRIPTDIR
source "$here/lib/stop-server.sh"

client() { mariadb --no-defaults --socket="$sock" -uroot "$@"; }

start() {
  local plugin_dir=$top/build/plugin-dir
  if [[ ${1:-} == --plugin-dir ]]; then plugin_dir=$2; shift 2; fi
  [[ ${1:-} == -- ]] && shift
  if [[ -S $sock ]] && client -e 'SELECT 1' >/dev/null 2>&1; then
    echo "private-server: already running on $sock" >&2
    return 0
  fi
  # A temporary folder of its own: servers that tests start side by side
  # (and their bootstraps) never share /tmp's temporary tables.
  mkdir -p "$dir/tmp"
  if [[ ! -d $dir/data/mysql ]]; then
    mariadb-install-db --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --user="$(id -un)" \
      --auth-root-authentication-method=socket --skip-test-db >"$dir/install-db.log" 2>&1 ||
      { cat "$dir/install-db.log" >&2; return 1; }
  fi
  mariadbd --no-defaults --datadir="$dir/data" --tmpdir="$dir/tmp" --socket="$sock" --port="$port" \
    --bind-address=127.0.0.1 --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --plugin-dir="$plugin_dir" --user="$(id -un)" --innodb-buffer-pool-size=256M \
    --max-connections=700 "$@" >/dev/null 2>&1 &
  for _ in $(seq 1 300); do
    if client -e 'SELECT 1' >/dev/null 2>&1; then return 0; fi
    if ! kill -0 $! 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "private-server: mariadbd did not start; its log:" >&2
  tail -20 "$dir/error.log" >&2
  return 1
}

stop() { stop_server "$dir/mysqld.pid"; }

cmd=${1:-}
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  client) client "$@" ;;
  socket) echo "$sock" ;;
  *)
    echo "usage: $0 start|stop|client|socket" >&2
    exit 2
    ;;
esac
