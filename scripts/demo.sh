#!/usr/bin/env bash
# The demo command: installs what is missing, builds lockdiag, starts a
# private throwaway MariaDB server under build/private-server (never the
# system service), installs the plugin with INSTALL SONAME 'lockdiag', runs
# the poetry-site workload from several connections at once, and prints what
# lockdiag recorded.
#
#   scripts/demo.sh           # run it
#   scripts/demo.sh --stop    # stop the private server afterwards
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOCKDIAG_BUILD_DIR:-$top/build}
server=$top/scripts/private-server.sh
export LOCKDIAG_SERVER_DIR=$build/private-server

if [[ ${1:-} == --stop ]]; then
  "$server" stop
  exit 0
fi

"$top/scripts/install-deps.sh"
mkdir -p "$build"
cmake -S "$top" -B "$build" >"$build/configure.log" 2>&1 || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j "$(nproc)" --target lockdiag >"$build/demo-build.log" 2>&1 ||
  { cat "$build/demo-build.log" >&2; exit 1; }

"$server" start --plugin-dir "$build/plugin-dir"
sql() { "$server" client "$@"; }

# A fresh plugin and a fresh schema on every run.
sql -e "UNINSTALL SONAME 'lockdiag'" >/dev/null 2>&1 || true
sql <"$top/scripts/demo/schema.sql"
sql -e "INSTALL SONAME 'lockdiag'" 2>/dev/null

echo "== workload: three poets' connections at once"
# Careful path: reads the poet's stats row FOR UPDATE before writing.
careful() {
  for i in $(seq 1 20); do
    echo "BEGIN;
      SELECT poems FROM poetry.stats WHERE poet_id = 1 FOR UPDATE;
      INSERT INTO poetry.poems (poet_id, slug, title, body) VALUES (1, 'ann-$i', 'Sonnet $i', 'Shall I compare thee');
      UPDATE poetry.stats SET poems = poems + 1 WHERE poet_id = 1;
      COMMIT;"
  done | sql poetry >/dev/null
}
# Hasty path: reads plainly, then writes the same rows.
hasty() {
  for i in $(seq 1 20); do
    echo "BEGIN;
      SELECT poems FROM poetry.stats WHERE poet_id = 2;
      INSERT INTO poetry.poems (poet_id, slug, title, body) VALUES (2, 'bo-$i', 'Haiku $i', 'an old silent pond');
      UPDATE poetry.stats SET poems = poems + 1 WHERE poet_id = 2;
      COMMIT;"
  done | sql poetry >/dev/null
}
# Readers.
readers() {
  for i in $(seq 1 40); do
    echo "SELECT p.title, s.poems FROM poetry.poems p JOIN poetry.stats s ON s.poet_id = p.poet_id WHERE p.id = $i;"
  done | sql poetry >/dev/null
}
careful & hasty & readers &
wait

# The same slug uploaded twice: a duplicate-key error lockdiag records.
sql poetry -e "INSERT INTO poems (poet_id, slug, title, body) VALUES (1, 'ann-1', 'Sonnet 1 again', 'twice')" 2>&1 |
  sed 's/^/   (expected) /' || true

echo
echo "== SELECT * FROM INFORMATION_SCHEMA.LOCKDIAG_TABLES"
sql -t -e "SELECT TABLE_SCHEMA, TABLE_NAME, \`READS\`, SHARED_READS, EXCLUSIVE_READS, WRITES, LOCK_TABLES,
                  TRANSACTIONS, DUPLICATE_KEY_ERRORS, DEADLOCKS, LOCK_WAIT_TIMEOUTS
           FROM INFORMATION_SCHEMA.LOCKDIAG_TABLES ORDER BY TABLE_SCHEMA, TABLE_NAME"
echo "== SHOW GLOBAL STATUS LIKE 'Lockdiag%'"
sql -t -e "SHOW GLOBAL STATUS LIKE 'Lockdiag%'"
echo
echo "The server keeps running (socket $("$server" socket)); stop it with: scripts/demo.sh --stop"
