#!/usr/bin/env bash
# run-crash.sh BUILD_DIR: the ctest reliability.crash_restart. A private
# server (port 3468, folder BUILD_DIR/crash-server) loads lockdiag at start
# (--plugin-load-add) with its state file saved every second. Under a load
# of 60 writers (load.pl):
#   1. kill -9 of the server, restart with the same options: the server and
#      lockdiag come up, the state file of the last save is loaded (or, if
#      the crash hit a save, reported and set aside), what it kept is shown,
#      and lockdiag records again;
#   2. a clean shutdown under load, restart: the final save is loaded, so no
#      transaction lockdiag had recorded before the shutdown is lost.
# Clients may see the server go away (2006/2013); any other error fails.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -eq 1 && -d $1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
export LOCKDIAG_SERVER_DIR=$build/crash-server
export LOCKDIAG_SERVER_PORT=3468
server=$top/scripts/private-server.sh
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
sql() { "$server" client -N -B "$@"; }
status() { sql -e "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = '$1'"; }
# wait_for SQL: until the query returns 1 (polling the server, at most 60 s).
wait_for() {
  for _ in $(seq 1 600); do
    [[ $(sql -e "$1" 2>/dev/null) == 1 ]] && return 0
    sleep 0.1
  done
  return 1
}
options=(--plugin-load-add=lockdiag.so --loose-lockdiag-state-save-interval=1)
start() { "$server" start --plugin-dir "$build/plugin-dir" -- "${options[@]}"; }
log=$LOCKDIAG_SERVER_DIR/error.log

"$server" stop
rm -rf "$LOCKDIAG_SERVER_DIR"
trap '[[ -n ${KEEP_SERVER:-} ]] || "$server" stop' EXIT
start
sql -e "CREATE DATABASE churn;
  CREATE TABLE churn.t1 (id INT PRIMARY KEY, n INT) ENGINE=InnoDB; INSERT INTO churn.t1 SELECT seq, 0 FROM churn.seq_1_to_50;
  CREATE TABLE churn.t2 LIKE churn.t1; INSERT INTO churn.t2 SELECT * FROM churn.t1;
  CREATE TABLE churn.t3 LIKE churn.t1; INSERT INTO churn.t3 SELECT * FROM churn.t1;"
sock=$("$server" socket)

# --- 1. kill -9 under load.
perl "$here/load.pl" "$sock" 60 60 >"$LOCKDIAG_SERVER_DIR/load-1.out" 2>&1 &
load=$!
wait_for "SELECT VARIABLE_VALUE >= 3 FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'LOCKDIAG_STATE_SAVES'" ||
  fail "no three state saves under load"
wait_for "SELECT COUNT(*) = 3 FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'churn' AND TABLE_NAME IN ('t1', 't2', 't3')" ||
  fail "the load's tables are not in LOCKDIAG_TABLES"
pid=$(cat "$LOCKDIAG_SERVER_DIR/mysqld.pid")
lines=$(wc -l <"$log")
kill -9 "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
wait "$load" || fail "a client got an error other than a lock error or the server going away: $(cat "$LOCKDIAG_SERVER_DIR/load-1.out")"
echo "load before kill -9: $(tail -1 "$LOCKDIAG_SERVER_DIR/load-1.out")"
start
after=$(tail -n +"$((lines + 1))" "$log")
if grep -q "lockdiag: loaded lockdiag.state" <<<"$after"; then
  ok "after kill -9 the last save was loaded: $(grep -o 'loaded lockdiag.state.*' <<<"$after")"
  kept=$(sql -e "SELECT COUNT(*) FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'churn' AND TABLE_NAME IN ('t1', 't2', 't3')")
  [[ $kept == 3 ]] && ok "its three tables are back" || fail "LOCKDIAG_TABLES has $kept of the 3 tables after the restart"
elif grep -q "set aside" <<<"$after"; then
  ok "after kill -9 the state file was reported and set aside: $(grep -o 'lockdiag: .*set aside.*' <<<"$after" | head -1)"
else
  fail "after kill -9 the error log says neither loaded nor set aside"
fi
[[ $(sql -e "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'LOCKDIAG'") == ACTIVE ]] &&
  ok "lockdiag is ACTIVE after the restart" || fail "lockdiag is not ACTIVE after the restart"
before=$(status LOCKDIAG_TRANSACTIONS)
sql -e "UPDATE churn.t1 SET n = n + 1 WHERE id = 1"
[[ $(status LOCKDIAG_TRANSACTIONS) -gt $before ]] && ok "it records again" || fail "it does not record after the restart"

# --- 2. a clean shutdown under load.
perl "$here/load.pl" "$sock" 60 60 >"$LOCKDIAG_SERVER_DIR/load-2.out" 2>&1 &
load=$!
wait_for "SELECT SUM(TRANSACTIONS) > 500 FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'churn' AND TABLE_NAME IN ('t1', 't2', 't3')" ||
  fail "the load did not get going"
seen=$(sql -e "SELECT TRANSACTIONS FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'churn' AND TABLE_NAME = 't3'")
lines=$(wc -l <"$log")
"$server" stop
wait "$load" || fail "a client got an error other than a lock error or the server going away: $(cat "$LOCKDIAG_SERVER_DIR/load-2.out")"
echo "load before the shutdown: $(tail -1 "$LOCKDIAG_SERVER_DIR/load-2.out")"
start
after=$(tail -n +"$((lines + 1))" "$log")
grep -q "lockdiag: loaded lockdiag.state" <<<"$after" && ok "after the clean shutdown the final save was loaded" ||
  fail "after the clean shutdown the state file was not loaded"
grep -q "set aside" <<<"$after" && fail "a clean shutdown left a state file that was set aside"
kept=$(sql -e "SELECT TRANSACTIONS FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'churn' AND TABLE_NAME = 't3'")
[[ ${kept:-0} -ge $seen ]] && ok "t3's TRANSACTIONS kept across the clean shutdown ($kept >= $seen read just before)" ||
  fail "t3's TRANSACTIONS went from $seen before the shutdown to ${kept:-none} after"

if grep -E "got signal|\[ERROR\].*lockdiag" "$log"; then fail "the error log has a crash or a lockdiag error (above)"; fi
[[ $failures -eq 0 ]] || { echo "reliability.crash_restart: $failures failure(s)"; exit 1; }
echo "reliability.crash_restart: passed"
