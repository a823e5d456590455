#!/usr/bin/env bash
# bench-is-fill.sh: how long filling each INFORMATION_SCHEMA.LOCKDIAG_* table
# takes with 10,000 rows, and what a reader filling one in a loop costs the
# writers (docs/benchmarks.md, "Reading the tables").
#
#   scripts/bench-is-fill.sh [ROWS] [SECONDS]    (defaults: 10000 rows, 15 s)
#
# A state file with ROWS rows in every table (lockdiag_make_state) is loaded
# into a private server at INSTALL. Then: 20 timed fills of each table; and
# sysbench oltp_update_index (8 threads, SECONDS) alone, then with a
# connection filling LOCKDIAG_TABLES, then LOCKDIAG_PATTERNS, in a loop:
# writers' tps, p95 and maximum latency. Raw output: build/bench-is-fill/.
set -euo pipefail

rows=${1:-10000}
secs=${2:-15}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOCKDIAG_BUILD_DIR:-$top/build}
out=$build/bench-is-fill
server=$top/scripts/private-server.sh
rm -rf "$out"
mkdir -p "$out"
"$build/tests/bench/lockdiag_make_state" "$out/lockdiag.state" "$rows"

S=(env LOCKDIAG_SERVER_DIR="$out/server" LOCKDIAG_SERVER_PORT=3454)
trap '"${S[@]}" "$server" stop || true' EXIT
"${S[@]}" "$server" start --plugin-dir "$build/plugin-dir" -- --performance-schema=OFF \
  --loose-lockdiag-state-file="$out/lockdiag.state" --loose-lockdiag-history-size="$rows" \
  --loose-lockdiag-max-tables="$((rows + 100))" --innodb-flush-log-at-trx-commit=2
sock=$("${S[@]}" "$server" socket)
q() { mariadb --no-defaults --socket="$sock" -uroot -N -e "$1"; }
q "DROP DATABASE IF EXISTS sbtest; CREATE DATABASE sbtest"
sb() { sysbench --db-driver=mysql --mysql-socket="$sock" --mysql-user=root --tables=4 --table-size=10000 "$@"; }
sb --threads=4 oltp_update_index prepare >/dev/null
q "INSTALL SONAME 'lockdiag'"

echo "== fills, $rows rows per table"
perl "$top/scripts/lib/is_fill.pl" "$sock" time 20 | tee "$out/fills.md"

writers() {
  sb --threads=8 --time="$secs" --report-interval=0 --percentile=95 --rand-type=uniform oltp_update_index run \
    >"$out/writers-$1.txt"
  printf '| %s | %s | %s | %s |\n' "$1" \
    "$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$out/writers-$1.txt")" \
    "$(sed -n 's/.*95th percentile: *\([0-9.]*\).*/\1/p' "$out/writers-$1.txt")" \
    "$(sed -n 's/.*max: *\([0-9.]*\).*/\1/p' "$out/writers-$1.txt" | head -1)"
}
echo
echo "== writers (sysbench oltp_update_index, 8 threads, $secs s)"
{
  echo "| reader | writers' tps | p95 ms | max ms |"
  echo "|---|---|---|---|"
  writers none
  for t in TABLES PATTERNS; do
    perl "$top/scripts/lib/is_fill.pl" "$sock" loop "$t" "$secs" >"$out/reader-$t.txt" &
    writers "LOCKDIAG_$t"
    wait
  done
} | tee "$out/writers.md"
cat "$out"/reader-*.txt
