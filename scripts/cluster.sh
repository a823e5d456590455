#!/usr/bin/env bash
# cluster.sh: a throwaway 3-node MariaDB Galera cluster on loopback, for the
# cluster test and for trying lockdiag on a cluster by hand (docs/cluster.md).
# Everything lives under one folder (default: build/cluster): per node a
# datadir, socket, pid file and error log, plus a copy of the plugin. It never
# touches the system service.
#
#   scripts/cluster.sh start [-- extra mariadbd options for every node]
#   scripts/cluster.sh client N [mariadb client args]   # node N (1..3), as root
#   scripts/cluster.sh port N                           # node N's TCP port
#   scripts/cluster.sh dir                              # the folder in use
#   scripts/cluster.sh stop
#
# Environment: LOCKDIAG_CLUSTER_DIR (folder), LOCKDIAG_CLUSTER_PORT (node 1's
# SQL port, default 3491; node N uses PORT+N-1), LOCKDIAG_PLUGIN (the
# lockdiag.so to copy, default build/plugin-dir/lockdiag.so).
#
# Why the nodes run as the mysql user: a joiner receives its data by rsync
# SST, whose rsync daemon cannot write a root-owned datadir. So the folder is
# owned by mysql and the plugin is copied into it (the build tree may not be
# readable by mysql). Node 1 bootstraps the cluster (--wsrep-new-cluster);
# nodes 2 and 3 join it one after the other, each once node 1 says Synced.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
dir=$(realpath -m "${LOCKDIAG_CLUSTER_DIR:-$top/build/cluster}")
# The nodes run as mysql, which must reach the folder: when a parent folder
# is closed to it (a checkout under a private home), the cluster lives in a
# folder of its own under /tmp instead, named after the one asked for
# (`scripts/cluster.sh dir` prints where).
parent=$(dirname "$dir")
while [[ ! -d $parent ]]; do parent=$(dirname "$parent"); done
if ! runuser -u mysql -- test -x "$parent" 2>/dev/null; then
  dir=/tmp/lockdiag-cluster-$(printf '%s' "$dir" | md5sum | cut -c1-12)
fi
base_port=${LOCKDIAG_CLUSTER_PORT:-3491}
plugin=${LOCKDIAG_PLUGIN:-$top/build/plugin-dir/lockdiag.so}
provider=/usr/lib/galera/libgalera_smm.so
nodes=3
# shellcheck source=lib/stop-server.sh source-path=SCRIPTDIR
source "$here/lib/stop-server.sh"

port_of() { echo $((base_port + $1 - 1)); }
# The cluster's own ports, 1000 and 1100 and 1200 above the SQL ports:
# group communication, incremental state transfer, full state transfer.
gcomm_port_of() { echo $((base_port + 1000 + $1 - 1)); }
ist_port_of() { echo $((base_port + 1100 + $1 - 1)); }
sst_port_of() { echo $((base_port + 1200 + $1 - 1)); }
sock_of() { echo "$dir/node$1/mysqld.sock"; }

client() {
  local n=$1
  shift
  mariadb --no-defaults --socket="$(sock_of "$n")" -uroot "$@"
}

wsrep_state() {
  client "$1" -N -B -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS
                        WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'" 2>/dev/null || true
}

# wait_synced N PID: until node N says Synced, or its mariadbd is gone, or
# 120 s have passed (an rsync SST of a fresh datadir takes a few seconds).
wait_synced() {
  local n=$1 pid=$2
  for _ in $(seq 1 1200); do
    [[ $(wsrep_state "$n") == Synced ]] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "cluster: node $n did not reach Synced; the end of its log:" >&2
  tail -30 "$dir/node$n/error.log" >&2
  return 1
}

start_node() {
  local n=$1
  shift
  local d=$dir/node$n address=""
  for i in $(seq 1 $nodes); do
    address+="${address:+,}127.0.0.1:$(gcomm_port_of "$i")"
  done
  local bootstrap=()
  if [[ $n == 1 ]]; then
    bootstrap=(--wsrep-new-cluster)
    if [[ ! -d $d/data/mysql ]]; then
      runuser -u mysql -- mariadb-install-db --no-defaults --datadir="$d/data" --tmpdir="$d/tmp" \
        --auth-root-authentication-method=socket --skip-test-db >"$d/install-db.log" 2>&1 ||
        { cat "$d/install-db.log" >&2; return 1; }
    fi
  fi
  runuser -u mysql -- mariadbd --no-defaults --datadir="$d/data" --tmpdir="$d/tmp" \
    --socket="$(sock_of "$n")" --port="$(port_of "$n")" --bind-address=127.0.0.1 \
    --pid-file="$d/mysqld.pid" --log-error="$d/error.log" --plugin-dir="$dir/plugin" \
    --innodb-buffer-pool-size=64M --max-connections=200 \
    --binlog-format=ROW --innodb-autoinc-lock-mode=2 --default-storage-engine=InnoDB \
    --wsrep-on=ON --wsrep-provider="$provider" --wsrep-cluster-name=lockdiag_test \
    --wsrep-cluster-address="gcomm://$address" --wsrep-node-name="node$n" \
    --wsrep-node-address="127.0.0.1:$(gcomm_port_of "$n")" \
    --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port_of "$n");ist.recv_addr=127.0.0.1:$(ist_port_of "$n")" \
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$(sst_port_of "$n")" \
    "${bootstrap[@]}" "$@" >/dev/null 2>&1 &
  wait_synced "$n" $!
}

start() {
  [[ ${1:-} == -- ]] && shift
  [[ -f $provider ]] || { echo "cluster: $provider is missing (apt-get install galera-4)" >&2; exit 1; }
  command -v rsync >/dev/null || { echo "cluster: rsync is missing (apt-get install rsync)" >&2; exit 1; }
  [[ -f $plugin ]] || { echo "cluster: $plugin is missing (build the plugin first)" >&2; exit 1; }
  if [[ -S $(sock_of 1) ]] && client 1 -e 'SELECT 1' >/dev/null 2>&1; then
    echo "cluster: already running under $dir" >&2
    return 0
  fi
  for n in $(seq 1 $nodes); do mkdir -p "$dir/node$n/tmp" "$dir/node$n/data"; done
  mkdir -p "$dir/plugin"
  # A new inode: overwriting a library a running server has mapped crashes it.
  cp --remove-destination "$plugin" "$dir/plugin/lockdiag.so"
  chown -R mysql:mysql "$dir"
  chmod 0750 "$dir"
  for n in $(seq 1 $nodes); do
    start_node "$n" "$@"
  done
}

# A node may take a while to leave the cluster: a minute before SIGKILL.
stop_node() { stop_server "$dir/node$1/mysqld.pid" 600; }

# The joiners leave first, so the last node's shutdown is a clean one.
stop() {
  for n in $(seq $nodes -1 1); do stop_node "$n"; done
}

cmd=${1:-}
shift || true
case "$cmd" in
  start) start "$@" ;;
  stop) stop ;;
  client) client "$@" ;;
  port) port_of "$1" ;;
  dir) echo "$dir" ;;
  *)
    echo "usage: $0 start [-- mariadbd options]|client N [args]|port N|dir|stop" >&2
    exit 2
    ;;
esac
