#!/usr/bin/env bash
# The demo command: installs what is missing, builds lockdiag, starts a
# private throwaway MariaDB server under build/private-server (never the
# system service), installs the plugin with INSTALL SONAME 'lockdiag', runs
# the poetry site of the seed article from several connections at once, and
# prints what lockdiag recorded; then a load test against a low
# max_connections (scripts/demo/load_test.sh).
#
#   scripts/demo.sh           # run it
#   scripts/demo.sh -- --loose-lockdiag-log-file=lockdiag.log   # with server options
#   scripts/demo.sh --stop    # stop the private server afterwards
#
# What lockdiag recorded survives a restart of the server (the state file,
# docs/audit.md): scripts/private-server.sh stop; scripts/private-server.sh
# start -- <the same options>; the tables show the same rows. (The server
# lives under build/private-server: LOCKDIAG_SERVER_DIR=build/private-server
# for private-server.sh when run from elsewhere.)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/build.sh source-path=SCRIPTDIR
source "$top/scripts/lib/build.sh"
server=$top/scripts/private-server.sh
export LOCKDIAG_SERVER_DIR=${LOCKDIAG_SERVER_DIR:-$build/private-server}

if [[ ${1:-} == --stop ]]; then
  "$server" stop
  exit 0
fi
[[ ${1:-} == -- ]] && shift
server_options=("$@")  # given to mariadbd

lockdiag_configure
lockdiag_build --log "$build/demo-build.log" lockdiag

# A restart, so that the server loads the lockdiag.so just built (a loaded
# library is not replaced by UNINSTALL + INSTALL).
"$server" stop
"$server" start --plugin-dir "$build/plugin-dir" -- "${server_options[@]}"
sql() { "$server" client "$@"; }
# shellcheck source=demo/load_test.sh source-path=SCRIPTDIR
source "$top/scripts/demo/load_test.sh"

# A fresh plugin and a fresh schema on every run. INSTALL loads what an
# earlier run left in the state file; the reset empties it.
sql -e "UNINSTALL SONAME 'lockdiag'" >/dev/null 2>&1 || true
sql <"$top/scripts/demo/schema.sql"
sql -e "INSTALL SONAME 'lockdiag'" 2>/dev/null
sql -e "SET GLOBAL lockdiag_reset = ON"

# Each "client" is a mariadb command-line session; --force goes on after an
# error, as a web application would with the next request.
client() { sql --force poetry "$@" >/dev/null 2>>"$build/demo-errors.log"; }
: >"$build/demo-errors.log"

# Upload, careful code path: locks the slug and the poet's stats row first.
careful_upload() {
  for i in $(seq 1 15); do
    echo "BEGIN;
      SELECT id FROM poems WHERE slug = 'sonnet-$i' FOR UPDATE;
      INSERT INTO poems (poet_id, slug, title, body) VALUES (1, 'sonnet-$i', 'Sonnet $i', 'Shall I compare thee');
      UPDATE stats SET poems = poems + 1 WHERE poet_id = 1;
      COMMIT;"
  done | client
}
# Upload, hasty code path: checks the slug with a plain read, then inserts.
# Two browser tabs run it at once for the same poems: duplicate-key errors.
hasty_upload() {
  for i in $(seq 1 15); do
    echo "BEGIN;
      SELECT id FROM poems WHERE slug = 'haiku-$i';
      INSERT INTO poems (poet_id, slug, title, body) VALUES (2, 'haiku-$i', 'Haiku $i', 'an old silent pond');
      UPDATE stats SET poems = poems + 1 WHERE poet_id = 2;
      COMMIT;"
  done | client
}
# Upload, as PHP code writes it: no transaction at all (autocommit), the
# check and the insert are two requests' worth of statements. Two browser
# tabs at once: the race without a transaction.
autocommit_upload() {
  for i in $(seq 1 15); do
    echo "SELECT id FROM poems WHERE slug = 'ode-$i';
      INSERT INTO poems (poet_id, slug, title, body) VALUES (1, 'ode-$i', 'Ode $i', 'Thou still unravish''d bride');"
  done | client
}
# Moderation locks stats before poems: the opposite order of the uploads.
moderation() {
  for i in $(seq 1 15); do
    echo "BEGIN;
      UPDATE stats SET poems = poems WHERE poet_id = 1;
      UPDATE poems SET likes = likes + 1 WHERE slug = 'sonnet-$i';
      COMMIT;"
  done | client
}
# Readers, with a latin1 client sending UTF-8 text (the site's forms are UTF-8)
# and a modern client sending emoji into the old utf8mb3 comments table.
latin1_poet() {
  echo "INSERT INTO poems (poet_id, slug, title, body) VALUES (1, 'poeme-1', 'Poème d''automne', 'Les sanglots longs des violons');" |
    client --default-character-set=latin1
}
emoji_reader() {
  echo "SET sql_mode = '';
    INSERT INTO comments (poem_id, body) VALUES (1, 'Beautiful 🌸 poem');" | client --default-character-set=utf8mb4
}

echo "== workload: careful, hasty and autocommit uploads, moderation, a latin1 poet and an emoji fan, all at once"
careful_upload & hasty_upload & hasty_upload & autocommit_upload & autocommit_upload & moderation &
latin1_poet & emoji_reader &
wait
echo "   the application saw: $(grep -c 'ERROR 1062' "$build/demo-errors.log" || true) duplicate-key errors," \
  "$(grep -c 'ERROR 1213' "$build/demo-errors.log" || true) deadlocks"

# Real column names, no aliases: what is printed is what a DBA selects.
echo
echo "== SELECT ... FROM INFORMATION_SCHEMA.LOCKDIAG_PATTERNS"
sql -t -e "SELECT PATTERN_ID, PATTERN, SEVERITY, OBJECTS, OCCURRENCES, RELATED_ERRORS, ADVICE
           FROM INFORMATION_SCHEMA.LOCKDIAG_PATTERNS ORDER BY PATTERN_ID"
echo "== SELECT ... FROM INFORMATION_SCHEMA.LOCKDIAG_INCIDENTS (the last five)"
sql -t -e "SELECT INCIDENT_ID, ERROR_NAME, TABLE_NAME, STATEMENT_DIGEST, TRANSACTION_HISTORY, PATTERN_ID, RETRIED
           FROM INFORMATION_SCHEMA.LOCKDIAG_INCIDENTS ORDER BY INCIDENT_ID DESC LIMIT 5"
echo "== SELECT ... FROM INFORMATION_SCHEMA.LOCKDIAG_ENCODING"
sql -t -e "SELECT CLIENT_CHARSET, TABLE_NAME, COLUMN_NAME, COLUMN_CHARSET, ISSUE, OCCURRENCES, SAMPLE
           FROM INFORMATION_SCHEMA.LOCKDIAG_ENCODING ORDER BY TABLE_NAME, COLUMN_NAME, ISSUE"
echo "== SELECT ... FROM INFORMATION_SCHEMA.LOCKDIAG_TABLES"
sql -t -e "SELECT TABLE_NAME, PLAIN_READS, EXCLUSIVE_READS, WRITES, TRANSACTIONS,
                  UNLOCKED_READ_WRITE_TRANSACTIONS, LOCKED_READ_WRITE_TRANSACTIONS, DUPLICATE_KEY_ERRORS, DEADLOCKS
           FROM INFORMATION_SCHEMA.LOCKDIAG_TABLES ORDER BY TABLE_NAME"
echo "== SHOW GLOBAL STATUS LIKE 'Lockdiag%'"
sql -t -e "SHOW GLOBAL STATUS LIKE 'Lockdiag%'"
echo
load_test
echo
echo "The server keeps running (socket $("$server" socket)); stop it with: scripts/demo.sh --stop"
