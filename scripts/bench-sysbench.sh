#!/usr/bin/env bash
# bench-sysbench.sh: what lockdiag costs a real server, against the
# alternatives, measured in one run with the configurations alternating so
# that the machine's drift hits them all alike.
#
#   scripts/bench-sysbench.sh [ROUNDS] [SECONDS]     (defaults: 3 rounds, 10 s)
#
# Configurations (each a run of sysbench against a private server):
#   baseline       no audit plugin, performance_schema OFF (Debian's default)
#   lockdiag       lockdiag installed and enabled
#   lockdiag_off   lockdiag installed, lockdiag_enabled=OFF (the floor any
#                  audit plugin pays: the server's dispatch to a notify function
#                  that returns at once)
#   server_audit   MariaDB's audit plugin logging QUERY and TABLE events to a file
#   perfschema     a second server started with performance_schema=ON
# Workloads: oltp_point_select and oltp_read_write, 1 table of 10000 rows,
# 4 threads. Prints a Markdown table of transactions per second (median over
# the rounds) and the ratio to the baseline measured in the same run.
set -euo pipefail

rounds=${1:-3}
secs=${2:-10}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOCKDIAG_BUILD_DIR:-$top/build}
server=$top/scripts/private-server.sh
out=$build/bench-sysbench
mkdir -p "$out"

A=(env LOCKDIAG_SERVER_DIR="$out/server-a" LOCKDIAG_SERVER_PORT=3431)
B=(env LOCKDIAG_SERVER_DIR="$out/server-b" LOCKDIAG_SERVER_PORT=3432)
trap '"${A[@]}" "$server" stop; "${B[@]}" "$server" stop' EXIT
"${A[@]}" "$server" start --plugin-dir "$build/plugin-dir" -- --performance-schema=OFF
"${B[@]}" "$server" start --plugin-dir "$build/plugin-dir" -- --performance-schema=ON

sock_a=$("${A[@]}" "$server" socket)
sock_b=$("${B[@]}" "$server" socket)
qa() { "${A[@]}" "$server" client -e "$1" >/dev/null 2>&1 || true; }

for s in "$sock_a" "$sock_b"; do
  mariadb --no-defaults --socket="$s" -uroot -e "DROP DATABASE IF EXISTS sbtest; CREATE DATABASE sbtest"
  sysbench --db-driver=mysql --mysql-socket="$s" --mysql-user=root --tables=1 --table-size=10000 \
    oltp_read_write prepare >/dev/null
done

configure() {
  qa "UNINSTALL SONAME 'lockdiag'"
  qa "UNINSTALL SONAME 'server_audit'"
  case $1 in
    lockdiag) qa "INSTALL SONAME 'lockdiag'"; qa "SET GLOBAL lockdiag_reset = ON" ;;
    lockdiag_off) qa "INSTALL SONAME 'lockdiag'"; qa "SET GLOBAL lockdiag_reset = ON"; qa "SET GLOBAL lockdiag_enabled = OFF" ;;
    server_audit)
      qa "INSTALL SONAME 'server_audit'"
      qa "SET GLOBAL server_audit_file_path = '$out/server_audit.log'"
      qa "SET GLOBAL server_audit_events = 'QUERY,TABLE'"
      qa "SET GLOBAL server_audit_file_rotate_size = 100000000"
      qa "SET GLOBAL server_audit_logging = ON" ;;
  esac
}

configs=(baseline lockdiag lockdiag_off server_audit perfschema)
workloads=(oltp_point_select oltp_read_write)
: >"$out/raw.tsv"
for r in $(seq 1 "$rounds"); do
  for w in "${workloads[@]}"; do
    for c in "${configs[@]}"; do
      sock=$sock_a
      if [[ $c == perfschema ]]; then sock=$sock_b; configure none; else configure "$c"; fi
      tps=$(sysbench --db-driver=mysql --mysql-socket="$sock" --mysql-user=root --tables=1 \
        --table-size=10000 --threads=4 --time="$secs" --report-interval=0 "$w" run |
        sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p')
      printf '%s\t%s\t%s\t%s\n' "$r" "$w" "$c" "$tps" | tee -a "$out/raw.tsv" >&2
      rm -f "$out/server_audit.log"*
    done
  done
done
configure none

python3 - "$out/raw.tsv" "$rounds" "$secs" <<'PY'
import statistics, sys
rows = [l.split('\t') for l in open(sys.argv[1]).read().splitlines() if l]
by = {}
for r, w, c, tps in rows:
    by.setdefault((w, c), {})[r] = float(tps or 0)
configs = ['baseline', 'lockdiag', 'lockdiag_off', 'server_audit', 'perfschema']
print(f"sysbench, 1 table x 10000 rows, 4 threads, {sys.argv[3]} s per run, {sys.argv[2]} rounds alternating")
print()
print("| workload | configuration | tps (median) | ratio to baseline (median of per-round ratios) |")
print("|---|---|---|---|")
for w in sorted({w for w, _ in by}):
    base = by[(w, 'baseline')]
    for c in configs:
        v = by.get((w, c), {})
        ratios = [v[r] / base[r] for r in v if base.get(r)]
        print(f"| {w} | {c} | {statistics.median(v.values()):.0f} | {statistics.median(ratios):.3f} |")
PY
