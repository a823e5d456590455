#!/usr/bin/env bash
# run-exporter.sh: Prometheus' mysqld_exporter (Debian's
# prometheus-mysqld-exporter) against a private server with lockdiag: the
# Lockdiag_* counters docs/audit.md tells monitoring to alert on really
# appear as mysql_global_status_lockdiag_* metrics, and the times
# (Lockdiag_started, _last_reset) as Unix seconds, which the exporter parses
# from "YYYY-MM-DD hh:mm:ss" (taken as UTC); an empty _last_reset (no reset
# yet) is skipped, as every value that is not a number.
#
#   tests/exporter/run-exporter.sh BUILD_DIR
#
# Environment: LOCKDIAG_EXPORTER_PORT (the server's, default 3462; the
# exporter listens on it + 10000), KEEP_SERVER=1 leaves the server running.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -eq 1 && -d $1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
exporter=$(command -v prometheus-mysqld-exporter) ||
  { echo "run-exporter: prometheus-mysqld-exporter not found (apt-get install prometheus-mysqld-exporter)" >&2; exit 1; }
command -v curl >/dev/null || { echo "run-exporter: curl not found (apt-get install curl)" >&2; exit 1; }

export LOCKDIAG_SERVER_DIR=$build/exporter-server
export LOCKDIAG_SERVER_PORT=${LOCKDIAG_EXPORTER_PORT:-3462}
web_port=$((LOCKDIAG_SERVER_PORT + 10000))
# shellcheck source=../../scripts/lib/workload.sh source-path=SCRIPTDIR
source "$top/scripts/lib/workload.sh"

start_lockdiag_server
# start_lockdiag_server resets (to empty an earlier run's state file); a new
# INSTALL starts with no reset, which the first scrape checks. (Two
# sessions: an UNINSTALL is deferred while its own session holds the plugin.)
sql -e "UNINSTALL SONAME 'lockdiag'" 2>/dev/null
sql -e "INSTALL SONAME 'lockdiag'" 2>/dev/null
sql -e "CREATE USER IF NOT EXISTS exporter@'127.0.0.1' IDENTIFIED BY 'exporter-pw';
        GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO exporter@'127.0.0.1'"
cnf=$work/exporter.cnf
printf '[client]\nuser=exporter\npassword=exporter-pw\nhost=127.0.0.1\nport=%s\n' "$LOCKDIAG_SERVER_PORT" >"$cnf"
chmod 600 "$cnf"

# Only the collector that reads SHOW GLOBAL STATUS (and the exporter's own
# metrics): quicker, and nothing else is under test.
"$exporter" --config.my-cnf="$cnf" --web.listen-address="127.0.0.1:$web_port" \
  --no-collect.global_variables --no-collect.slave_status --no-collect.info_schema.innodb_cmp \
  --no-collect.info_schema.innodb_cmpmem --no-collect.info_schema.query_response_time \
  >"$work/exporter.log" 2>&1 &
exporter_pid=$!
trap 'kill "$exporter_pid" 2>/dev/null || true; [[ -n ${KEEP_SERVER:-} ]] || "$server" stop' EXIT

# scrape FILE: the exporter's metrics into FILE, waiting until
# it answers with the server's status (mysql_up 1); at most 30 s, for a
# loaded machine (the exporter takes seconds to start there).
scrape() {
  for _ in $(seq 1 300); do
    if curl -sf "http://127.0.0.1:$web_port/metrics" -o "$1" && grep -q '^mysql_up 1' "$1"; then return 0; fi
    kill -0 "$exporter_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: exporter: no mysql_up 1 from the exporter; its log:"
  cat "$work/exporter.log"
  exit 1
}
# metric FILE NAME: the value of mysql_global_status_lockdiag_NAME as an
# integer, empty when it is not exported.
metric() { awk -v m="mysql_global_status_lockdiag_$2" '$1 == m { printf "%d", $2 }' "$1"; }
# utc_seconds NAME: Lockdiag_NAME in Unix seconds, as the server computes it.
utc_seconds() {
  sql -N -e "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', VARIABLE_VALUE)
             FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'LOCKDIAG_$1'"
}

metrics=$work/metrics.txt
scrape "$metrics"
for v in active findings_high findings_medium findings_low deadlocks lock_wait_timeouts duplicate_keys \
  connections_refused encoding_findings dropped_events log_dropped patterns started; do
  grep -q "^mysql_global_status_lockdiag_${v} " "$metrics" || fail "no mysql_global_status_lockdiag_${v}"
done
[[ $(metric "$metrics" active) == 1 ]] || fail "mysql_global_status_lockdiag_active is not 1"
[[ $(metric "$metrics" started) == "$(utc_seconds STARTED)" ]] ||
  fail "mysql_global_status_lockdiag_started is $(metric "$metrics" started), not Lockdiag_started in Unix seconds ($(utc_seconds STARTED))"
[[ -z $(metric "$metrics" last_reset) ]] || fail "mysql_global_status_lockdiag_last_reset is exported before any reset"

sql -e "SET GLOBAL lockdiag_reset = ON"
after=$work/metrics-after-reset.txt
scrape "$after"
[[ -n $(metric "$after" last_reset) && $(metric "$after" last_reset) == "$(utc_seconds LAST_RESET)" ]] ||
  fail "after a reset, mysql_global_status_lockdiag_last_reset is '$(metric "$after" last_reset)', not $(utc_seconds LAST_RESET)"
[[ $(metric "$after" started) == "$(metric "$metrics" started)" ]] || fail "a reset changed mysql_global_status_lockdiag_started"

if [[ $failures -gt 0 ]]; then
  echo "the exporter's lockdiag metrics:"
  grep '^mysql_global_status_lockdiag' "$metrics" "$after" || true
  exit 1
fi
echo "ok: mysqld_exporter exports $(grep -c '^mysql_global_status_lockdiag_' "$after") mysql_global_status_lockdiag_* metrics, the times in Unix seconds"
