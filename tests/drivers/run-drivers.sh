#!/usr/bin/env bash
# run-drivers.sh: lockdiag against real application drivers that send keys as
# bound parameters over the binary protocol (COM_STMT_PREPARE /
# COM_STMT_EXECUTE): PHP mysqli, PHP PDO (ATTR_EMULATE_PREPARES=false) and
# Perl DBD::MariaDB (mariadb_server_prepare=1). README.md explains the phases.
#
#   tests/drivers/run-drivers.sh BUILD_DIR [php_mysqli|php_pdo|perl_dbd_mariadb ...]
#
# With no client named, runs all three, one after the other, on one server.
# Each set of clients gets its own private server (folder under BUILD_DIR,
# own port), so the ctest tests, one per client, can run in parallel.
#
# Environment:
#   LOCKDIAG_EXPECT_UNSCOPED=0  do not require the UNSCOPED_READ_MODIFY_WRITE
#                               findings of the autocommit phase (default 1;
#                               with 0 their rows are ignored, every other
#                               finding still fails)
#   LOCKDIAG_DRIVERS_PORT       the server's port (default 3430 + client index)
#   LOCKDIAG_DRV_ITERATIONS     iterations per race (default 20; at least 5,
#                               the minimum a read-modify-write finding needs)
#   KEEP_SERVER=1               leave the server running
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -ge 1 && -d $1 ]] || { echo "usage: $0 BUILD_DIR [CLIENT ...]" >&2; exit 2; }
build=$(cd "$1" && pwd)
shift
all=(php_mysqli php_pdo perl_dbd_mariadb)
clients=("$@")
[[ ${#clients[@]} -gt 0 ]] || clients=("${all[@]}")
if [[ ${#clients[@]} -eq 1 ]]; then
  name=${clients[0]}
  port=3430
  for i in "${!all[@]}"; do [[ ${all[$i]} == "$name" ]] && port=$((3430 + i)); done
else
  name=all
  port=3433
fi
for c in "${clients[@]}"; do
  [[ " ${all[*]} " == *" $c "* ]] || { echo "run-drivers: unknown client '$c' (${all[*]})" >&2; exit 2; }
done
expect_unscoped=${LOCKDIAG_EXPECT_UNSCOPED:-1}
export LOCKDIAG_DRV_USER=lockdiag_drv LOCKDIAG_DRV_PASSWORD=lockdiag_drv
export LOCKDIAG_SERVER_DIR=$build/drivers-$name
export LOCKDIAG_SERVER_PORT=${LOCKDIAG_DRIVERS_PORT:-$port}
# shellcheck source=../../scripts/lib/workload.sh source-path=SCRIPTDIR
source "$top/scripts/lib/workload.sh"

# The drivers first: a missing one is a setup error, named as such.
for c in "${clients[@]}"; do
  case $c in
    php_mysqli | php_pdo)
      ext=${c#php_}; [[ $ext == pdo ]] && ext=pdo_mysql
      require_php_extension run-drivers "$ext"
      ;;
    perl_dbd_mariadb)
      perl -MDBD::MariaDB -e 1 2>/dev/null || { echo "run-drivers: DBD::MariaDB is missing (apt-get install libdbd-mariadb-perl)" >&2; exit 1; }
      ;;
  esac
done

start_lockdiag_server
[[ $(sql -N -e "SELECT SUM(PLUGIN_NAME = 'LOCKDIAG' AND PLUGIN_STATUS = 'ACTIVE') = 1
                        AND SUM(PLUGIN_STATUS <> 'ACTIVE') = 0
                 FROM information_schema.PLUGINS WHERE PLUGIN_NAME LIKE 'LOCKDIAG%'") == 1 ]] ||
  { echo "FAIL: drivers: the lockdiag plugins are not all ACTIVE after INSTALL SONAME (see $LOCKDIAG_SERVER_DIR/error.log)"; exit 1; }
sql -e "CREATE USER IF NOT EXISTS lockdiag_drv@localhost IDENTIFIED BY 'lockdiag_drv'"

# Until the driver's connection is gone: its disconnect is then processed by
# lockdiag too (the driver itself ends with a SELECT 1 after its last
# statement, so everything it ran has been seen already).
wait_disconnected() {
  for _ in $(seq 1 200); do
    [[ $(sql -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'lockdiag_drv'") == 0 ]] &&
      return 0
    sleep 0.05
  done
  fail "the driver's connection did not go away"
}

# The server's side, in one round trip (starting the client costs more than
# the queries): status counters as "status NAME VALUE", the lines the drivers
# print (LOCKDIAG_TABLES, LOCKDIAG_PATTERNS), then "evidence OBJECTS
# EVIDENCE". Schema prefixes of the client's own schema are dropped from
# table and finding lines; any other table shows with its schema.
observe() {
  local schema=$1
  sql -N -e "SELECT CONCAT('status ', VARIABLE_NAME, ' ', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
       WHERE VARIABLE_NAME IN ('COM_STMT_PREPARE', 'COM_STMT_EXECUTE', 'LOCKDIAG_TRANSACTIONS',
                               'LOCKDIAG_DROPPED_EVENTS');
     SELECT CONCAT('table ', IF(TABLE_SCHEMA = '$schema', '', CONCAT(TABLE_SCHEMA, '.')), TABLE_NAME,
       ' reads=', PLAIN_READS, ' shared_reads=', SHARED_READS, ' exclusive_reads=', EXCLUSIVE_READS,
       ' writes=', WRITES, ' lock_tables=', LOCK_TABLES, ' transactions=', TRANSACTIONS,
       ' unlocked_rmw=', UNLOCKED_READ_WRITE_TRANSACTIONS, ' locked_rmw=', LOCKED_READ_WRITE_TRANSACTIONS,
       ' duplicate_key_errors=', DUPLICATE_KEY_ERRORS, ' deadlocks=', DEADLOCKS,
       ' lock_wait_timeouts=', LOCK_WAIT_TIMEOUTS)
     FROM information_schema.LOCKDIAG_TABLES ORDER BY TABLE_SCHEMA, TABLE_NAME;
     SELECT CONCAT('finding ', PATTERN, ' ', REPLACE(OBJECTS, '$schema.', ''), ' ', OCCURRENCES, ' ',
       RELATED_ERRORS) FROM information_schema.LOCKDIAG_PATTERNS ORDER BY PATTERN_ID;
     SELECT CONCAT('evidence ', OBJECTS, ' ', REPLACE(EVIDENCE, '\n', ' ')) FROM information_schema.LOCKDIAG_PATTERNS"
}
value() { sed -n "s/^$1 //p" "$2"; }

# check CLIENT SCHEMA PHASE: one phase of one client, from a reset.
check() {
  local client=$1 schema=$2 phase=$3 out=$work/$1.$3 failures0=$failures
  local cmd
  case $client in
    php_mysqli) cmd=(php "$here/race.php" mysqli) ;;
    php_pdo) cmd=(php "$here/race.php" pdo) ;;
    perl_dbd_mariadb) cmd=(perl "$here/race.pl") ;;
  esac
  sql -e "SET GLOBAL lockdiag_reset = ON"
  observe "$schema" >"$out.before"
  local start
  start=$(date +%s%N)
  if ! "${cmd[@]}" "$phase" "$sock" "$schema" >"$out.expected" 2>"$out.err"; then
    fail "$client $phase: the driver failed: $(cat "$out.err")"
    return
  fi
  wait_disconnected
  local ms=$((($(date +%s%N) - start) / 1000000))
  observe "$schema" >"$out.after"
  # The binary protocol, as many times as the driver says it prepared and
  # executed: no emulated prepares, no fallback to text statements.
  local prepares executes
  prepares=$(($(value "status COM_STMT_PREPARE" "$out.after") - $(value "status COM_STMT_PREPARE" "$out.before")))
  executes=$(($(value "status COM_STMT_EXECUTE" "$out.after") - $(value "status COM_STMT_EXECUTE" "$out.before")))
  [[ $prepares == "$(value prepares "$out.expected")" ]] ||
    fail "$client $phase: the server counted $prepares COM_STMT_PREPARE, the driver made $(value prepares "$out.expected")"
  [[ $executes == "$(value executes "$out.expected")" ]] ||
    fail "$client $phase: the server counted $executes COM_STMT_EXECUTE, the driver made $(value executes "$out.expected")"
  local dropped
  dropped=$(value "status LOCKDIAG_DROPPED_EVENTS" "$out.after")
  [[ $dropped == 0 ]] || fail "$client $phase: Lockdiag_dropped_events = $dropped"
  # What lockdiag must show: the driver's counts, exactly.
  {
    sed -n '/^\(transactions\|table\|finding\) /p' "$out.expected"
    if [[ $expect_unscoped == 1 ]]; then sed -n 's/^finding-unscoped /finding /p' "$out.expected"; fi
  } | sort >"$out.want"
  # Until the rule lands, its rows (if any) are not checked in the autocommit
  # phase; in the safe phase every finding, that one too, is a false one.
  {
    echo "transactions $(value "status LOCKDIAG_TRANSACTIONS" "$out.after")"
    sed -n '/^\(table\|finding\) /p' "$out.after" |
      if [[ $expect_unscoped != 1 && $phase == autocommit ]]; then grep -v '^finding UNSCOPED_READ_MODIFY_WRITE ' || true; else cat; fi
  } | sort >"$out.seen"
  if ! diff -u "$out.want" "$out.seen" >"$out.diff"; then
    fail "$client $phase: LOCKDIAG_* differ from what the driver produced (- driver, + lockdiag):"
    sed -n '3,$p' "$out.diff"
  fi
  # The evidence names the driver's prepared statements, as digests.
  if [[ $phase == txn ]]; then
    local objects evidence
    while IFS='|' read -r objects evidence; do
      grep -qF "evidence $schema.$objects $evidence" "$out.after" ||
        fail "$client $phase: no finding on $schema.$objects whose EVIDENCE starts with '$evidence'"
    done <<'EOF'
users|read: select id from users where email = ?; write: insert into users
accounts|read: select credits from accounts where id = ?; write: update accounts set credits = ? where id = ?;
EOF
  fi
  [[ $failures -gt $failures0 ]] ||
    echo "ok: $client $phase (${ms} ms; $prepares prepares, $executes executes;" \
      "$(value transactions "$out.want") transactions; $(grep -c '^finding' "$out.want") findings), as expected"
}

for client in "${clients[@]}"; do
  schema=drv_$client
  sql -e "DROP DATABASE IF EXISTS $schema; CREATE DATABASE $schema DEFAULT CHARACTER SET utf8mb4;
          GRANT ALL ON $schema.* TO lockdiag_drv@localhost; USE $schema;
          CREATE TABLE $schema.users (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(190) NOT NULL UNIQUE)
            ENGINE=InnoDB;
          CREATE TABLE $schema.accounts (id INT PRIMARY KEY, credits INT NOT NULL) ENGINE=InnoDB;
          CREATE TABLE $schema.visits (email VARCHAR(190) PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB;
          INSERT INTO $schema.accounts SELECT seq, 1000 FROM seq_1_to_${LOCKDIAG_DRV_ITERATIONS:-20};
          SELECT 1 -- answered once lockdiag has seen the INSERT: the reset comes after it" >/dev/null
  for phase in txn autocommit safe; do
    check "$client" "$schema" "$phase"
  done
done

if [[ $failures -gt 0 ]]; then
  echo "FAIL: drivers (${clients[*]}): $failures checks failed; files in $work"
  exit 1
fi
echo "PASS: drivers (${clients[*]}): lockdiag saw exactly what the drivers produced" \
  "(UNSCOPED_READ_MODIFY_WRITE $([[ $expect_unscoped == 1 ]] && echo checked || echo not checked))"
