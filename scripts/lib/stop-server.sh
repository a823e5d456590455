# stop-server.sh: sourced by the scripts that run private servers.
#
#   stop_server PID_FILE [TENTHS]
#
# Asks the mariadbd of PID_FILE to shut down (SIGTERM, a clean shutdown) and
# waits for it to exit, at most TENTHS tenths of a second (default 300);
# then kills it. Returns at once when there is no pid file.
stop_server() {
  local file=$1 tenths=${2:-300} pid
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 "$tenths"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}
