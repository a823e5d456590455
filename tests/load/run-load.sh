#!/usr/bin/env bash
# run-load.sh BUILD_DIR [SECONDS [CONNECTIONS [WORKERS]]]: the ctest
# reliability.load600 (defaults: 30 s, 600 connections, 30 workers) and, with
# a longer time, the soak of docs/reliability.md "Ground truth at 600
# connections". A fresh private server (port 3469, folder
# BUILD_DIR/load-server) with lockdiag loaded at start and everything on
# (lock analysis, digests, encoding checks, the trail, the state file),
# innodb_lock_wait_timeout=1 and room for the connections; then
# ground_truth.pl, which holds the connections, runs the load and compares
# lockdiag's counts with what its clients produced. Afterwards the server
# must be the same process and its error log free of crashes and of lockdiag
# warnings.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && -d $1 ]] || { echo "usage: $0 BUILD_DIR [SECONDS [CONNECTIONS [WORKERS]]]" >&2; exit 2; }
build=$(cd "$1" && pwd)
seconds=${2:-30}
connections=${3:-600}
workers=${4:-30}
export LOCKDIAG_SERVER_DIR=$build/load-server
export LOCKDIAG_SERVER_PORT=3469
server=$top/scripts/private-server.sh
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
sql() { "$server" client -N -B "$@"; }

"$server" stop
rm -rf "$LOCKDIAG_SERVER_DIR"
trap '[[ -n ${KEEP_SERVER:-} ]] || "$server" stop' EXIT
# LOAD_SERVER_OPTIONS: more server options, e.g. a lower lockdiag_max_tables.
read -ra extra <<<"${LOAD_SERVER_OPTIONS:-}"
# The settings of docs/reliability.md for this many connections: each
# connection is a thread and a socket; InnoDB's lock waits end after 1 s so
# the forced timeouts are quick; every lock error stays an incident row.
"$server" start --plugin-dir "$build/plugin-dir" -- \
  --plugin-load-add=lockdiag.so --max-connections=$((connections + 100)) --thread-cache-size=$((connections + 100)) \
  --open-files-limit=$((4 * connections + 2000)) --table-open-cache=2000 --innodb-lock-wait-timeout=1 \
  --loose-lockdiag-history-size=1000000 --loose-lockdiag-log-file=lockdiag-trail.jsonl \
  --loose-lockdiag-state-save-interval=5 "${extra[@]}"
pid=$(cat "$LOCKDIAG_SERVER_DIR/mysqld.pid")
log=$LOCKDIAG_SERVER_DIR/error.log
# t1..t4: the hot tables; dup: keys that exist; enc: a utf8mb4 and a latin1
# column; hold and dl: a row (two for dl) per worker for the forced lock
# wait timeouts and deadlocks; van: a row per connection for the vanishing.
sql -e "CREATE DATABASE gt;
  CREATE TABLE gt.t1 (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB;
  INSERT INTO gt.t1 SELECT seq, 0 FROM gt.seq_1_to_20;
  CREATE TABLE gt.t2 LIKE gt.t1; INSERT INTO gt.t2 SELECT * FROM gt.t1;
  CREATE TABLE gt.t3 LIKE gt.t1; INSERT INTO gt.t3 SELECT * FROM gt.t1;
  CREATE TABLE gt.t4 LIKE gt.t1; INSERT INTO gt.t4 SELECT * FROM gt.t1;
  CREATE TABLE gt.dup (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO gt.dup SELECT seq FROM gt.seq_1_to_100;
  CREATE TABLE gt.enc (id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(100) CHARACTER SET utf8mb4,
                       name_l1 VARCHAR(100) CHARACTER SET latin1) ENGINE=InnoDB;
  CREATE TABLE gt.hold LIKE gt.t1; INSERT INTO gt.hold SELECT seq, 0 FROM gt.seq_1_to_$workers;
  CREATE TABLE gt.dl LIKE gt.t1; INSERT INTO gt.dl SELECT seq, 0 FROM gt.seq_1_to_$((2 * workers));
  CREATE TABLE gt.van LIKE gt.t1;
  INSERT INTO gt.van SELECT 1000 * w.seq + c.seq, 0 FROM gt.seq_1_to_$workers w, gt.seq_0_to_999 c;
  SET GLOBAL lockdiag_reset = ON;"
lines_before=$(wc -l <"$log")
perl "$here/ground_truth.pl" "$("$server" socket)" "$seconds" "$connections" "$workers" || failures=$((failures + 1))
kill -0 "$pid" 2>/dev/null || fail "the server (pid $pid) is gone"
new_log=$(tail -n +"$((lines_before + 1))" "$log")
if grep -E "got signal|\[ERROR\]" <<<"$new_log"; then fail "the error log has errors (above)"; fi
if grep -E "lockdiag.*(Warning|ERROR)" <<<"$new_log"; then fail "lockdiag warned in the error log (above)"; fi
echo "server: $(sql -e "SELECT CONCAT('Max_used_connections ', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'MAX_USED_CONNECTIONS'"), $(sql -e "SELECT CONCAT('Aborted_clients ', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'ABORTED_CLIENTS'"), lockdiag memory $(sql -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'LOCKDIAG_MEMORY_BYTES'") bytes, server RSS $(ps -o rss= -p "$pid") KiB"
[[ $failures -eq 0 ]] || { echo "reliability.load600: $failures failure(s)"; exit 1; }
echo "reliability.load600: passed"
