#!/usr/bin/env bash
# bench-cluster.sh [TABLES]: the sizing figures of docs/cluster.md. Starts the
# 3-node cluster of scripts/cluster.sh (folder build/cluster-bench, ports
# 3591-3593 and their cluster ports), creates TABLES tables (default 1000),
# lets every node write each of them in transactions of two tables (so each
# node tracks every table and one lock-order edge per pair), then prints
# what each node holds (Lockdiag_memory_bytes, rows per LOCKDIAG_* table)
# and how long lockdiag-report takes to read and merge 1, 2 and 3 nodes
# (median of 5 runs each, JSON output). The cluster is stopped at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
tables=${1:-1000}
build=$top/build
report=$build/tools/report/lockdiag-report
export LOCKDIAG_CLUSTER_DIR=$build/cluster-bench LOCKDIAG_CLUSTER_PORT=3591
cluster=$here/cluster.sh
[[ -x $report ]] || { echo "bench-cluster: build first ($report is missing)" >&2; exit 1; }

"$cluster" stop
rm -rf "$LOCKDIAG_CLUSTER_DIR" "$("$cluster" dir)"
trap '"$cluster" stop' EXIT
"$cluster" start
"$cluster" client 1 -e "INSTALL SONAME 'lockdiag'; CREATE DATABASE bench;
  CREATE USER reporter@'127.0.0.1' IDENTIFIED BY 'rpt'; GRANT PROCESS ON *.* TO reporter@'127.0.0.1'"
ddl=""
for i in $(seq 1 "$tables"); do ddl+="CREATE TABLE bench.t$i (id INT PRIMARY KEY, n INT) ENGINE=InnoDB; INSERT INTO bench.t$i VALUES (1, 0);"; done
"$cluster" client 1 <<<"$ddl"
for n in 1 2 3; do
  "$cluster" client "$n" -e "SET SESSION wsrep_sync_wait = 1; SELECT COUNT(*) FROM bench.t$tables" >/dev/null
  "$cluster" client "$n" -e "SET GLOBAL lockdiag_reset = ON"
done
for n in 1 2 3; do
  sql=""
  for i in $(seq 1 2 "$tables"); do
    j=$((i + 1 > tables ? 1 : i + 1))
    sql+="BEGIN; UPDATE bench.t$i SET n = n + 1 WHERE id = 1; UPDATE bench.t$j SET n = n + 1 WHERE id = 1; COMMIT;"
  done
  "$cluster" client "$n" <<<"$sql"
done

echo "== what each node holds ($tables tables, each node wrote each of them)"
for n in 1 2 3; do
  "$cluster" client "$n" -N -e "SELECT CONCAT('node $n: Lockdiag_memory_bytes ', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'LOCKDIAG_MEMORY_BYTES';
    SELECT CONCAT('node $n: LOCKDIAG_TABLES ', COUNT(*), ' rows') FROM information_schema.LOCKDIAG_TABLES;
    SELECT CONCAT('node $n: LOCKDIAG_LOCK_ORDER ', COUNT(*), ' rows') FROM information_schema.LOCKDIAG_LOCK_ORDER"
done

echo "== lockdiag-report --format=json (median of 5 runs)"
servers=""
for n in 1 2 3; do
  servers+="${servers:+,}127.0.0.1:$("$cluster" port "$n")"
  times=()
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    "$report" -u reporter -prpt --servers="$servers" --format=json >"$("$cluster" dir)/report-$n.json" || true
    times+=($((($(date +%s%N) - start) / 1000000)))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  echo "$n node(s): ${median} ms, $(wc -c <"$("$cluster" dir)/report-$n.json") bytes of JSON"
done
