#!/usr/bin/env bash
# sysbench-findings.sh: lockdiag must not cry wolf. Runs sysbench's OLTP
# workloads against a private server with lockdiag installed and checks what
# LOCKDIAG_PATTERNS reports:
#   --tables=1: no finding at all;
#   --tables=N (N>1): only LOCK_ORDER_INVERSION / LOCK_ORDER_CYCLE between the
#     sbtest tables (oltp_read_write picks a random table per statement
#     group, so its transactions really do lock tables in opposite orders),
#     and at least one of them.
#
#   scripts/sysbench-findings.sh BUILD_DIR TABLES
# Bounded: a fixed number of events per run, 4 threads, on loopback/socket.
set -euo pipefail

build=$(cd "$1" && pwd)
tables=$2
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export LOCKDIAG_SERVER_DIR=$build/sysbench-findings-$tables
export LOCKDIAG_SERVER_PORT=$((3420 + tables))
server=$top/scripts/private-server.sh
trap "[[ -n \${KEEP_SERVER:-} ]] || \"$server\" stop" EXIT

"$server" start --plugin-dir "$build/plugin-dir"
sql() { "$server" client "$@"; }
sock=$("$server" socket)
sb=(sysbench --db-driver=mysql --mysql-socket="$sock" --mysql-user=root --mysql-db=sbtest
  --tables="$tables" --table-size=10000 --threads=4 --time=0 --rand-seed=42)

sql -e "DROP DATABASE IF EXISTS sbtest; CREATE DATABASE sbtest"
sql -e "UNINSTALL SONAME 'lockdiag'" >/dev/null 2>&1 || true
sql -e "INSTALL SONAME 'lockdiag'" 2>/dev/null
"${sb[@]}" oltp_read_write prepare >/dev/null
sql -e "SET GLOBAL lockdiag_reset = ON"
"${sb[@]}" --events=3000 oltp_read_write run >"$LOCKDIAG_SERVER_DIR/oltp_read_write.log"
"${sb[@]}" --events=20000 oltp_point_select run >"$LOCKDIAG_SERVER_DIR/oltp_point_select.log"

echo "== sysbench --tables=$tables: what lockdiag saw"
sql -t -e "SELECT TABLE_NAME, \`READS\`, EXCLUSIVE_READS, WRITES, TRANSACTIONS, DEADLOCKS
           FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'sbtest' ORDER BY TABLE_NAME"
sql -t -e "SELECT PATTERN, OBJECTS, OCCURRENCES, RELATED_ERRORS FROM information_schema.LOCKDIAG_PATTERNS
           ORDER BY PATTERN_ID"
transactions=$(sql -N -e "SELECT SUM(TRANSACTIONS) FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'sbtest'")
other=$(sql -N -e "SELECT COUNT(*) FROM information_schema.LOCKDIAG_PATTERNS
                   WHERE PATTERN NOT IN ('LOCK_ORDER_INVERSION', 'LOCK_ORDER_CYCLE')")
order=$(sql -N -e "SELECT COUNT(*) FROM information_schema.LOCKDIAG_PATTERNS
                   WHERE PATTERN IN ('LOCK_ORDER_INVERSION', 'LOCK_ORDER_CYCLE')")
foreign=$(sql -N -e "SELECT COUNT(*) FROM information_schema.LOCKDIAG_PATTERNS
                     WHERE OBJECTS NOT REGEXP '^sbtest\\\\.sbtest[0-9]+(,sbtest\\\\.sbtest[0-9]+)*\$'")

fail=0
[[ ${transactions:-0} -gt 20000 ]] || { echo "FAIL: lockdiag recorded only ${transactions:-0} transactions"; fail=1; }
[[ $other -eq 0 ]] || { echo "FAIL: $other findings other than lock order"; fail=1; }
if [[ $tables -eq 1 ]]; then
  [[ $order -eq 0 ]] || { echo "FAIL: $order lock-order findings on one table"; fail=1; }
else
  [[ $order -gt 0 ]] || { echo "FAIL: no lock-order finding, but the transactions lock tables in opposite orders"; fail=1; }
  [[ $foreign -eq 0 ]] || { echo "FAIL: $foreign findings name tables other than sbtest.sbtestN"; fail=1; }
fi
"${sb[@]}" oltp_read_write cleanup >/dev/null
[[ $fail -eq 0 ]] && echo "PASS: sysbench --tables=$tables: $order lock-order findings, $other others"
exit $fail
