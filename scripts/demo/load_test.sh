# scripts/demo/load_test.sh: the demo's last act, the rollout this product
# grew from in small: a load test opens more connections at once than the
# server allows (the seed's 600 against the default max_connections of 151;
# here LOAD_CLIENTS against LOAD_LIMIT), each client holding its connection
# as a busy application would, and lockdiag answers with
# CONNECTION_LIMIT_REACHED and what to raise.
#
# Sourced by scripts/demo.sh after it has defined `sql` (the root client),
# `server` and `build`; defines load_test. Its SQL lives here rather than in
# demo.sh, whose statements tests/digest_peer replays on another server.
# shellcheck shell=bash
# shellcheck disable=SC2154 # sql, server and build come from demo.sh

LOAD_LIMIT=10
LOAD_CLIENTS=30
LOAD_USER=demo_load

# admin: the root client, retried while the server refuses it too: beyond
# max_connections + 1 every account, root included, is refused before it
# is even authenticated (docs/audit.md).
admin() {
  local out
  for _ in $(seq 1 50); do
    if out=$(sql "$@" 2>&1); then
      [[ -z $out ]] || printf '%s\n' "$out"
      return 0
    fi
    [[ $out == *"ERROR 1040"* ]] || { printf '%s\n' "$out" >&2; return 1; }
    sleep 0.1
  done
  printf '%s\n' "$out" >&2
  return 1
}

# load_client: one client of the load test; it holds its connection (a
# long SLEEP, ended by KILL below) or is refused at once.
load_client() {
  mariadb --no-defaults --socket="$("$server" socket)" -u"$LOAD_USER" -p"$LOAD_USER" poetry \
    -e "SELECT SLEEP(120)" >/dev/null 2>>"$build/demo-load.log"
}

load_test() {
  local saved pids=() found=0
  saved=$(sql -N -e "SELECT @@global.max_connections")
  # An application account: root may always take one connection more.
  sql -e "CREATE USER IF NOT EXISTS $LOAD_USER@localhost IDENTIFIED BY '$LOAD_USER';
          GRANT SELECT ON poetry.* TO $LOAD_USER@localhost;
          SET GLOBAL max_connections = $LOAD_LIMIT"
  : >"$build/demo-load.log"
  # The limit comes back however the load test ends ($saved expands now).
  # shellcheck disable=SC2064
  trap "admin -e 'SET GLOBAL max_connections = $saved' || true" EXIT

  echo "== load test: $LOAD_CLIENTS clients at once against max_connections = $LOAD_LIMIT"
  for _ in $(seq 1 "$LOAD_CLIENTS"); do
    load_client &
    pids+=($!)
  done
  # Wait (at most 30 s) until lockdiag has seen refusals. A load test's
  # clients keep coming: one more arrives before each look, so that a
  # refusal lockdiag can see (at max_connections + 1, once a session
  # exists) happens even if the first wave was all refused earlier.
  for _ in $(seq 1 60); do
    found=$(sql -N -e "SELECT COUNT(*) FROM information_schema.LOCKDIAG_PATTERNS
                       WHERE PATTERN = 'CONNECTION_LIMIT_REACHED'" 2>/dev/null || echo 0)
    [[ $found -gt 0 ]] && break
    load_client &
    pids+=($!)
    sleep 0.5
  done
  # Refused once a session exists: ERROR 1040; before (beyond
  # max_connections + 1): the client reports error 1040 inside ERROR 2002.
  echo "   the clients saw: $(grep -c 'Too many connections' "$build/demo-load.log" || true) 'Too many connections' errors"
  echo
  echo "== SELECT ... FROM INFORMATION_SCHEMA.LOCKDIAG_PATTERNS WHERE PATTERN = 'CONNECTION_LIMIT_REACHED'\\G"
  # Vertical (\G): the evidence and the advice are long sentences.
  admin -E -e "SELECT PATTERN_ID, PATTERN, SEVERITY, OBJECTS, OCCURRENCES, EVIDENCE, ADVICE
               FROM INFORMATION_SCHEMA.LOCKDIAG_PATTERNS WHERE PATTERN = 'CONNECTION_LIMIT_REACHED'"
  admin -t -e "SHOW GLOBAL STATUS WHERE Variable_name IN
               ('Lockdiag_connections_refused', 'Lockdiag_connections_peak', 'Connection_errors_max_connections')"

  # Every holder is let go, and the limit restored.
  local kills
  kills=$(admin -N -e "SELECT CONCAT('KILL CONNECTION ', ID, ';') FROM information_schema.PROCESSLIST
                       WHERE USER = '$LOAD_USER'")
  [[ -z $kills ]] || admin -e "$kills" 2>/dev/null || true # a holder may have left meanwhile
  wait "${pids[@]}" 2>/dev/null || true
  admin -e "SET GLOBAL max_connections = $saved"
  trap - EXIT
  [[ $found -gt 0 ]] || { echo "load test: lockdiag reported no CONNECTION_LIMIT_REACHED within 30 s" >&2; return 1; }
}
