#!/usr/bin/env bash
# run-quiet.sh: lockdiag must be quiet where nothing is wrong. Runs correct
# workloads from several concurrent clients against a private server with
# lockdiag and checks that LOCKDIAG_PATTERNS stays empty, that lockdiag saw
# every transaction, and the counters each workload implies. README.md
# describes the workloads.
#
#   tests/quiet/run-quiet.sh BUILD_DIR [optimistic|fixed|demo ...]
#
# Families (one ctest test each): optimistic (ORM @Version optimistic
# locking, in transactions and in autocommit), fixed (the fixed version of
# each bad pattern of docs/patterns.md, PHP mysqli prepared statements),
# demo (scripts/demo.sh's upload and moderation paths, fixed, through the
# mariadb client as the demo runs them). With none named, all three on one
# server.
#
# Environment:
#   LOCKDIAG_QUIET_CLIENTS     concurrent clients per PHP phase (default 4)
#   LOCKDIAG_QUIET_ITERATIONS  requests per client and phase (default 50)
#   LOCKDIAG_QUIET_PORT        the server's port (default 3455 + family index)
#   KEEP_SERVER=1              leave the server running
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && -d $1 ]] || { echo "usage: $0 BUILD_DIR [optimistic|fixed|demo ...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
all=(optimistic fixed demo)
families=("$@")
[[ ${#families[@]} -gt 0 ]] || families=("${all[@]}")
if [[ ${#families[@]} -eq 1 ]]; then
  name=${families[0]}
  port=
  for i in "${!all[@]}"; do [[ ${all[$i]} == "$name" ]] && port=$((3455 + i)); done
  [[ -n $port ]] || { echo "run-quiet: unknown family '$name' (${all[*]})" >&2; exit 2; }
else
  name=all
  port=3458
fi
for f in "${families[@]}"; do
  [[ " ${all[*]} " == *" $f "* ]] || { echo "run-quiet: unknown family '$f' (${all[*]})" >&2; exit 2; }
done
clients=${LOCKDIAG_QUIET_CLIENTS:-4}
iterations=${LOCKDIAG_QUIET_ITERATIONS:-50}
export LOCKDIAG_QUIET_USER=lockdiag_quiet LOCKDIAG_QUIET_PASSWORD=lockdiag_quiet
export LOCKDIAG_SERVER_DIR=$build/quiet-$name
export LOCKDIAG_SERVER_PORT=${LOCKDIAG_QUIET_PORT:-$port}
# shellcheck source=../../scripts/lib/workload.sh source-path=SCRIPTDIR
source "$top/scripts/lib/workload.sh"

if [[ " ${families[*]} " == *" optimistic "* || " ${families[*]} " == *" fixed "* ]]; then
  require_php_extension run-quiet mysqli
fi

start_lockdiag_server
sql -e "CREATE USER IF NOT EXISTS lockdiag_quiet@localhost IDENTIFIED BY 'lockdiag_quiet'"

# Until the workload's connections are gone: their last statements and
# disconnects have then been processed by lockdiag.
wait_disconnected() {
  for _ in $(seq 1 400); do
    [[ $(sql -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST
                    WHERE ID <> CONNECTION_ID() AND (USER = 'lockdiag_quiet' OR DB = '$1')") == 0 ]] && return 0
    sleep 0.05
  done
  fail "the workload's connections did not go away"
}

# check_quiet LABEL SCHEMA EXPECTED_TRANSACTIONS MS: nothing in
# LOCKDIAG_PATTERNS (the offending rows and their incidents are printed),
# lockdiag saw the workload's transactions, none of its events was dropped;
# one "figure" line for docs/benchmarks.md.
check_quiet() {
  local label=$1 schema=$2 want_txns=$3 ms=$4 facts seen txns dropped inverted
  # In one round trip (starting the client costs more than the queries).
  facts=$(sql -N -e "SELECT CONCAT(LOWER(VARIABLE_NAME), ' ', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
                     WHERE VARIABLE_NAME IN ('LOCKDIAG_TRANSACTIONS', 'LOCKDIAG_DROPPED_EVENTS');
                     SELECT CONCAT('rows ', COUNT(*)) FROM information_schema.LOCKDIAG_PATTERNS;
                     SELECT CONCAT('inverted ', FIRST_TABLE, ' <-> ', SECOND_TABLE, ' (', TRANSACTIONS, ' / ',
                                   REVERSE_TRANSACTIONS, ')')
                     FROM information_schema.LOCKDIAG_LOCK_ORDER
                     WHERE FIRST_SCHEMA = '$schema' AND TRANSACTIONS > 0 AND REVERSE_TRANSACTIONS > 0")
  txns=$(sed -n 's/^lockdiag_transactions //p' <<<"$facts")
  dropped=$(sed -n 's/^lockdiag_dropped_events //p' <<<"$facts")
  seen=$(sed -n 's/^rows //p' <<<"$facts")
  inverted=$(sed -n 's/^inverted //p' <<<"$facts" | paste -sd ';')
  if [[ $seen -ne 0 ]]; then
    fail "$label: $seen findings where nothing is wrong (none may appear):"
    sql -e "SELECT PATTERN_ID, PATTERN, OBJECTS, OCCURRENCES, RELATED_ERRORS, EVIDENCE
            FROM information_schema.LOCKDIAG_PATTERNS ORDER BY PATTERN_ID\\G
            SELECT INCIDENT_ID, ERROR_NAME, TABLE_NAME, STATEMENT_DIGEST, TRANSACTION_HISTORY, PATTERN_ID
            FROM information_schema.LOCKDIAG_INCIDENTS WHERE PATTERN_ID IS NOT NULL ORDER BY INCIDENT_ID LIMIT 5\\G"
  fi
  [[ $txns == "$want_txns" ]] ||
    fail "$label: Lockdiag_transactions = $txns, the workload ran $want_txns transactions that touched tables"
  [[ $dropped == 0 ]] || fail "$label: Lockdiag_dropped_events = $dropped"
  # Pairs of tables locked in both orders (a lock-order finding shows too;
  # this names the pair).
  [[ -z $inverted ]] || fail "$label: tables locked in both orders: $inverted"
  echo "figure $label transactions=$txns expected=0 seen=$seen false=$seen ms=$ms"
}

# table_value SCHEMA TABLE COLUMN: one LOCKDIAG_TABLES counter (0 when the
# table has no row).
table_value() {
  sql -N -e "SELECT COALESCE(MAX(\`$3\`), 0) FROM information_schema.LOCKDIAG_TABLES
             WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME = '$2'"
}

# ---------------------------------------------------------------------------
# PHP phases: CLIENTS copies of quiet.php at once, from a reset.
php_schema() {
  sql -e "DROP DATABASE IF EXISTS quiet; CREATE DATABASE quiet DEFAULT CHARACTER SET utf8mb4;
          GRANT ALL ON quiet.* TO lockdiag_quiet@localhost; USE quiet;
          CREATE TABLE doc (id INT PRIMARY KEY, body TEXT NOT NULL, version INT NOT NULL) ENGINE=InnoDB;
          INSERT INTO doc VALUES (1, 'first', 1), (2, 'second', 1);
          CREATE TABLE users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(190) NOT NULL UNIQUE) ENGINE=InnoDB;
          CREATE TABLE visits (email VARCHAR(190) PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB;
          CREATE TABLE tags (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL UNIQUE) ENGINE=InnoDB;
          CREATE TABLE accounts (id INT PRIMARY KEY, credits INT NOT NULL) ENGINE=InnoDB;
          INSERT INTO accounts VALUES (1, 100000), (2, 100000), (3, 100000);
          CREATE TABLE stock (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB;
          INSERT INTO stock VALUES (1, 100000), (2, 100000), (3, 100000);
          CREATE TABLE reservations (id INT AUTO_INCREMENT PRIMARY KEY, stock_id INT NOT NULL, client INT NOT NULL,
                                     kind VARCHAR(8) NOT NULL, KEY (stock_id)) ENGINE=InnoDB;
          CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, orders INT NOT NULL,
                                  invoices INT NOT NULL) ENGINE=InnoDB;
          INSERT INTO customers VALUES (1, 'c1', 0, 0), (2, 'c2', 0, 0), (3, 'c3', 0, 0), (4, 'c4', 0, 0);
          CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, state VARCHAR(8) NOT NULL,
                               KEY (customer_id)) ENGINE=InnoDB;
          CREATE TABLE order_items (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT NOT NULL, sku VARCHAR(32) NOT NULL,
                                    KEY (order_id)) ENGINE=InnoDB;
          SELECT 1 -- answered once lockdiag has seen the INSERTs: the resets come after them" >/dev/null
}

# total FILE_PREFIX KEY: the sum over the clients' outputs of "KEY N".
total() {
  cat "$1".*.out | awk -v k="$2" 'index($0, k " ") == 1 { s += substr($0, length(k) + 2) } END { print s + 0 }'
}

php_phase() {
  local phase=$1 out=$work/$1 pids=() c
  # The rows the data checks add up start from their initial values.
  sql -e "UPDATE quiet.doc SET version = 1; UPDATE quiet.accounts SET credits = 100000;
          UPDATE quiet.stock SET n = 100000; SELECT 1" >/dev/null
  sql -e "SET GLOBAL lockdiag_reset = ON"
  local start
  start=$(date +%s%N)
  for c in $(seq 1 "$clients"); do
    php "$here/quiet.php" "$phase" "$sock" quiet "$c" "$iterations" >"$out.$c.out" 2>"$out.$c.err" &
    pids+=($!)
  done
  local rc=0
  for c in "${!pids[@]}"; do wait "${pids[$c]}" || rc=1; done
  if [[ $rc -ne 0 ]]; then
    fail "$phase: a client failed: $(cat "$out".*.err)"
    return
  fi
  wait_disconnected quiet
  local ms=$((($(date +%s%N) - start) / 1000000)) failures0=$failures
  check_quiet "$phase" quiet "$(total "$out" transactions)" "$ms"
  # The LOCKDIAG_TABLES counters the clients' statements imply, exactly.
  local t col want got counters
  counters=$(sql -N -e "SELECT CONCAT_WS(' ', TABLE_NAME, 'COMPARE_AND_SET_WRITES', COMPARE_AND_SET_WRITES,
                          'UNLOCKED_READ_WRITE_TRANSACTIONS', UNLOCKED_READ_WRITE_TRANSACTIONS,
                          'LOCKED_READ_WRITE_TRANSACTIONS', LOCKED_READ_WRITE_TRANSACTIONS,
                          'DUPLICATE_KEY_ERRORS', DUPLICATE_KEY_ERRORS)
                        FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'quiet'")
  cat "$out".*.out | sed -n 's/^table \([^ ]*\) \([^ ]*\) .*/\1 \2/p' | sort -u | while read -r t col; do
    want=$(total "$out" "table $t $col")
    got=$(awk -v t="$t" -v c="$col" '$1 == t { for (i = 2; i < NF; i += 2) if ($i == c) v = $(i + 1) }
                                      END { print v + 0 }' <<<"$counters")
    [[ $got == "$want" ]] || echo "FAIL: $phase: LOCKDIAG_TABLES.$col of quiet.$t = $got, the clients' statements make $want"
  done >"$out.tables"
  if [[ -s $out.tables ]]; then
    cat "$out.tables"
    failures=$((failures + $(wc -l <"$out.tables")))
  fi
  # What the workload is there to exercise, and that the fix worked.
  local s
  case $phase in
    optimistic_*)
      s=$(total "$out" "sum conflicts")
      [[ $s -gt 0 ]] || fail "$phase: no conflict (0 affected rows): the clients did not race"
      [[ $(sql -N -e "SELECT SUM(version) - 2 FROM quiet.doc") == "$(total "$out" "sum successes")" ]] ||
        fail "$phase: doc versions grew by $(sql -N -e "SELECT SUM(version) - 2 FROM quiet.doc"), the clients counted $(total "$out" "sum successes") successful writes"
      echo "   $phase: $(total "$out" "sum successes") writes, $s conflicts retried," \
        "COMPARE_AND_SET_WRITES = $(table_value quiet doc COMPARE_AND_SET_WRITES)"
      ;;
    catch_duplicate)
      s=$(total "$out" "sum duplicates")
      [[ $s -gt 0 ]] || fail "$phase: no error 1062: the clients did not race"
      echo "   $phase: $(total "$out" "sum created") tags created, $s inserts refused with 1062 and read instead"
      ;;
    self_relative | for_update)
      [[ $(sql -N -e "SELECT 300000 - SUM(credits) FROM quiet.accounts") == "$(total "$out" "sum debited")" ]] ||
        fail "$phase: the accounts lost $(sql -N -e "SELECT 300000 - SUM(credits) FROM quiet.accounts") credits, the clients debited $(total "$out" "sum debited") (a lost update)"
      ;;
    one_order)
      s=$(sql -N -e "SELECT COUNT(*) FROM information_schema.LOCKDIAG_LOCK_ORDER WHERE FIRST_SCHEMA = 'quiet'")
      [[ $s -ge 3 ]] || fail "$phase: $s ordered pairs of tables in LOCKDIAG_LOCK_ORDER, the transactions lock 3"
      ;;
    share_to_update)
      [[ $(sql -N -e "SELECT 300000 - SUM(n) FROM quiet.stock") == "$(total "$out" "sum taken")" ]] ||
        fail "$phase: the stock went down by $(sql -N -e "SELECT 300000 - SUM(n) FROM quiet.stock"), the clients took $(total "$out" "sum taken")"
      ;;
  esac
  s=$(total "$out" "sum lock_errors_retried")
  [[ $s -eq 0 ]] || echo "   $phase: $s deadlocks / lock wait timeouts, retried"
  [[ $failures -gt $failures0 ]] || echo "ok: $phase ($clients clients x $iterations requests, ${ms} ms): no finding, as expected"
}

# ---------------------------------------------------------------------------
# The demo's paths (scripts/demo.sh), fixed, through the mariadb client.
# Careful upload (was FOR UPDATE on the missing slug, then INSERT: a gap
# lock deadlock) and hasty upload (was a plain check, then INSERT: duplicate
# keys) both insert with INSERT IGNORE and count what was inserted
# (ROW_COUNT()); moderation (was stats, then poems) locks poems first, in the
# uploads' order. Two hasty tabs upload the same poems at once.
demo_n=${LOCKDIAG_QUIET_DEMO_ITERATIONS:-30}
careful_upload_fixed() {
  for i in $(seq 1 "$demo_n"); do
    echo "BEGIN;
      INSERT IGNORE INTO poems (poet_id, slug, title, body) VALUES (1, 'sonnet-$i', 'Sonnet $i', 'Shall I compare thee');
      UPDATE stats SET poems = poems + ROW_COUNT() WHERE poet_id = 1;
      COMMIT;"
  done
}
hasty_upload_fixed() {
  for i in $(seq 1 "$demo_n"); do
    echo "BEGIN;
      SELECT id FROM poems WHERE slug = 'haiku-$i';
      INSERT IGNORE INTO poems (poet_id, slug, title, body) VALUES (2, 'haiku-$i', 'Haiku $i', 'an old silent pond');
      UPDATE stats SET poems = poems + ROW_COUNT() WHERE poet_id = 2;
      COMMIT;"
  done
}
moderation_fixed() {
  for i in $(seq 1 "$demo_n"); do
    echo "BEGIN;
      UPDATE poems SET likes = likes + 1 WHERE slug = 'sonnet-$i';
      UPDATE stats SET poems = poems WHERE poet_id = 1;
      COMMIT;"
  done
}
demo_phase() {
  sql <"$top/scripts/demo/schema.sql"
  sql -e "SELECT 1 -- the schema's INSERTs are seen before the reset" >/dev/null
  sql -e "SET GLOBAL lockdiag_reset = ON"
  local start
  start=$(date +%s%N)
  local path pids=()
  for path in careful_upload_fixed hasty_upload_fixed hasty_upload_fixed moderation_fixed; do
    "$path" | sql --force poetry >/dev/null 2>"$work/demo.$path.${#pids[@]}.err" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  wait_disconnected poetry
  local ms=$((($(date +%s%N) - start) / 1000000)) failures0=$failures
  if grep -h ERROR "$work"/demo.*.err; then fail "demo: the fixed paths got errors (above)"; fi
  check_quiet demo_fixed poetry $((4 * demo_n)) "$ms"
  local poems
  poems=$(sql -N -e "SELECT CONCAT((SELECT COUNT(*) FROM poetry.poems), ' ',
                                   GROUP_CONCAT(poems ORDER BY poet_id SEPARATOR ' ')) FROM poetry.stats")
  [[ $poems == "$((2 * demo_n)) $demo_n $demo_n" ]] ||
    fail "demo: poems and stats (poems, poet 1, poet 2) are '$poems', not '$((2 * demo_n)) $demo_n $demo_n'"
  [[ $failures -gt $failures0 ]] ||
    echo "ok: demo_fixed (careful, 2 x hasty, moderation at once, $demo_n requests each, ${ms} ms): no finding, as expected"
}

for family in "${families[@]}"; do
  case $family in
    optimistic)
      php_schema
      for phase in optimistic_txn optimistic_autocommit; do php_phase "$phase"; done
      ;;
    fixed)
      php_schema
      for phase in upsert catch_duplicate self_relative for_update share_to_update one_order; do php_phase "$phase"; done
      ;;
    demo) demo_phase ;;
  esac
done

if [[ $failures -gt 0 ]]; then
  echo "FAIL: quiet (${families[*]}): $failures checks failed; files in $work"
  exit 1
fi
echo "PASS: quiet (${families[*]}): no finding where nothing is wrong"
