#!/usr/bin/env bash
# run-cluster-test.sh BUILD_DIR LOCKDIAG_REPORT: the ctest cluster.galera.
# Starts a fresh 3-node Galera cluster of private servers on loopback
# (scripts/cluster.sh; ports 3491-3493 and 4491-4693, folder
# BUILD_DIR/cluster-test), installs lockdiag once, runs cluster_test.pl
# against it, and stops the nodes at the end, also on failure. The nodes'
# error logs stay in the folder; KEEP_CLUSTER=1 leaves the cluster running.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -eq 2 && -d $1 && -x $2 ]] || { echo "usage: $0 BUILD_DIR LOCKDIAG_REPORT" >&2; exit 2; }
build=$(cd "$1" && pwd)
report=$2
export LOCKDIAG_CLUSTER_DIR=$build/cluster-test
export LOCKDIAG_PLUGIN=$build/plugin-dir/lockdiag.so
cluster=$top/scripts/cluster.sh

"$cluster" stop
rm -rf "$LOCKDIAG_CLUSTER_DIR" "$("$cluster" dir)"
trap '[[ -n ${KEEP_CLUSTER:-} ]] || "$cluster" stop' EXIT
start=$SECONDS
"$cluster" start
echo "cluster: 3 nodes synced in $((SECONDS - start)) s"
"$cluster" client 1 -e "INSTALL SONAME 'lockdiag'"
dir=$("$cluster" dir)  # build/cluster-test, or its stand-in under /tmp
out=$dir/out
mkdir -p "$out"
perl "$here/cluster_test.pl" "$dir" "$report" "$out"
echo "cluster: done in $((SECONDS - start)) s"
