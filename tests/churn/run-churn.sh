#!/usr/bin/env bash
# run-churn.sh BUILD_DIR [SECONDS]: the ctest reliability.churn. A private
# server with lockdiag (port 3466, folder BUILD_DIR/churn-server), then
# churn.pl: 120 writers and 4 readers while lockdiag is uninstalled,
# installed and reconfigured in a loop (docs/reliability.md, "Plugin churn
# under load"). Afterwards the server must be the same process, and its
# error log free of crashes and of lockdiag errors.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && -d $1 ]] || { echo "usage: $0 BUILD_DIR [SECONDS]" >&2; exit 2; }
build=$(cd "$1" && pwd)
seconds=${2:-20}
export LOCKDIAG_SERVER_DIR=$build/churn-server
export LOCKDIAG_SERVER_PORT=3466
# shellcheck source=../../scripts/lib/workload.sh
source "$top/scripts/lib/workload.sh"

start_lockdiag_server
pid=$(cat "$LOCKDIAG_SERVER_DIR/mysqld.pid")
log=$LOCKDIAG_SERVER_DIR/error.log
lines_before=$(wc -l <"$log")
perl "$here/churn.pl" "$sock" "$work" "$seconds" || failures=$((failures + 1))
kill -0 "$pid" 2>/dev/null || fail "the server (pid $pid) is gone"
new_log=$(tail -n +"$((lines_before + 1))" "$log")
if grep -E "got signal|\[ERROR\]" <<<"$new_log"; then fail "the error log has errors (above)"; fi
if grep -E "lockdiag.*(Warning|ERROR)" <<<"$new_log" | grep -v "maturity level"; then
  fail "lockdiag warned in the error log (above)"
fi
echo "error log: $(grep -c 'lockdiag 0.1: started' <<<"$new_log") starts and $(grep -c 'lockdiag.*stopped' <<<"$new_log") stops of lockdiag"
[[ $failures -eq 0 ]] || { echo "reliability.churn: $failures failure(s)"; exit 1; }
echo "reliability.churn: passed"
