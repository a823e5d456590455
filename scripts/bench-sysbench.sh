#!/usr/bin/env bash
# bench-sysbench.sh: what lockdiag costs a real server, against the
# alternatives, from 1 to 600 client threads, measured in one run with the
# configurations rotating so that the machine's drift hits them all alike.
#
#   scripts/bench-sysbench.sh [ROUNDS] [SECONDS]     (defaults: 3 rounds, 10 s)
#
# Environment (defaults in brackets):
#   BENCH_THREADS    client threads to sweep       [1 16 64 600]
#   BENCH_WORKLOADS  sysbench workloads            [oltp_point_select oltp_read_write oltp_update_index oltp_insert]
#   BENCH_CONFIGS    configurations                [baseline lockdiag lockdiag_off server_audit perfschema]
#   BENCH_SMOKE=1    the ctest smoke (bench.smoke_600): one short run per
#                    configuration asked for, then checks that the server is
#                    up and lockdiag still answers; no figures.
#   LOCKDIAG_SO      the lockdiag.so to load [build/plugin-dir/lockdiag.so]
#                    (to measure an older build against the same run's baseline)
#   BENCH_PORT_BASE  ports of the two servers      [3450, 3451]
#   BENCH_OUT        where results go              [build/bench-sysbench]
#   BENCH_PROFILE=1  also record each run's server with `perf record -g`
#                    (Debian's linux-perf) into perf-<point>.data and write
#                    its top entries (self time, by symbol) to perf-<point>.txt
#
# Configurations (each a run of sysbench against a private server):
#   baseline       no audit plugin, performance_schema OFF (Debian's default)
#   lockdiag       lockdiag installed and enabled (everything on: analysis,
#                  digests, encoding checks, the JSON-lines trail, the state file)
#   lockdiag_off   lockdiag installed, lockdiag_enabled=OFF (the floor any
#                  audit plugin pays: the server's dispatch to a notify
#                  function that returns at once)
#   server_audit   MariaDB's audit plugin logging QUERY and TABLE events to a file
#   perfschema     a second server with performance_schema=ON and the
#                  transaction and lock instruments and their consumers on
#
# Both servers are set up for 600+ connections (see SERVER_OPTIONS below and
# docs/benchmarks.md). Data: 4 tables of 10,000 rows. Each round runs every
# (workload, threads) point with the configurations in a rotated order (round
# r starts at configuration r). Raw results go to build/bench-sysbench/raw.tsv
# (round, workload, threads, configuration, tps, p95 ms); the summary
# (Markdown, per point: median tps, min / median / max of the per-round
# ratio to that round's baseline, median p95 and its ratio) to summary.md,
# and a plot of the median ratio against threads to sweep.svg (gnuplot).
set -euo pipefail

rounds=${1:-3}
secs=${2:-10}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOCKDIAG_BUILD_DIR:-$top/build}
server=$top/scripts/private-server.sh
smoke=${BENCH_SMOKE:-0}
out=$(realpath -m "${BENCH_OUT:-$build/bench-sysbench}")
[[ $smoke == 1 ]] && out=$build/bench-smoke
read -r -a threads_list <<<"${BENCH_THREADS:-1 16 64 600}"
read -r -a workloads <<<"${BENCH_WORKLOADS:-oltp_point_select oltp_read_write oltp_update_index oltp_insert}"
read -r -a configs <<<"${BENCH_CONFIGS:-baseline lockdiag lockdiag_off server_audit perfschema}"
port=${BENCH_PORT_BASE:-3450}
so=${LOCKDIAG_SO:-$build/plugin-dir/lockdiag.so}
mkdir -p "$out"
rm -rf "$out/server-a" "$out/server-b"

# A plugin folder of its own, so that LOCKDIAG_SO can be any build's.
plugins=$out/plugins
rm -rf "$plugins"
mkdir -p "$plugins"
cp "$so" "$plugins/lockdiag.so"
ln -s /usr/lib/mysql/plugin/server_audit.so "$plugins/"

# 600 connections: each takes a thread (thread_cache_size keeps them between
# runs), a few file descriptors and table handles (open_files_limit,
# table_open_cache), and sysbench prepares about 40 statements per thread
# (max_prepared_stmt_count; the default 16,382 refuses the 410th thread).
SERVER_OPTIONS=(--max-connections=1000 --thread-cache-size=700 --open-files-limit=65535
  --table-open-cache=4000 --max-prepared-stmt-count=100000 --innodb-buffer-pool-size=512M
  --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=2 --skip-name-resolve
  --loose-lockdiag-log-file=lockdiag-trail.jsonl --loose-lockdiag-state-file=lockdiag.state)
PERFSCHEMA_OPTIONS=(--performance-schema=ON "--performance-schema-instrument=transaction=ON"
  "--performance-schema-instrument=wait/lock/%=ON"
  --performance-schema-consumer-events-transactions-current=ON
  --performance-schema-consumer-events-transactions-history=ON
  --performance-schema-consumer-events-waits-current=ON)

A=(env LOCKDIAG_SERVER_DIR="$out/server-a" LOCKDIAG_SERVER_PORT="$port")
B=(env LOCKDIAG_SERVER_DIR="$out/server-b" LOCKDIAG_SERVER_PORT=$((port + 1)))
need_b=0
for c in "${configs[@]}"; do [[ $c == perfschema ]] && need_b=1; done
trap '"${A[@]}" "$server" stop || true; "${B[@]}" "$server" stop || true' EXIT
"${A[@]}" "$server" start --plugin-dir "$plugins" -- --performance-schema=OFF "${SERVER_OPTIONS[@]}"
socks=("$("${A[@]}" "$server" socket)")
if [[ $need_b == 1 ]]; then
  "${B[@]}" "$server" start --plugin-dir "$plugins" -- "${PERFSCHEMA_OPTIONS[@]}" "${SERVER_OPTIONS[@]}"
  socks+=("$("${B[@]}" "$server" socket)")
fi
sock_a=${socks[0]}
sock_b=${socks[1]:-}

qa() { mariadb --no-defaults --socket="$sock_a" -uroot -N -e "$1"; }
sb() {
  local sock=$1
  shift
  sysbench --db-driver=mysql --mysql-socket="$sock" --mysql-user=root --tables=4 --table-size=10000 "$@"
}

for s in "${socks[@]}"; do
  mariadb --no-defaults --socket="$s" -uroot -e "DROP DATABASE IF EXISTS sbtest; CREATE DATABASE sbtest"
  sb "$s" --threads=4 oltp_read_write prepare >/dev/null
  # Warm the buffer pool and the thread cache before anything is measured.
  [[ $smoke == 1 ]] || sb "$s" --threads=16 --time=5 --rand-type=uniform oltp_read_write run >/dev/null
done

# plugin_gone: UNINSTALL of an audit plugin a connection still holds is
# deferred (server-facts.md); INSTALL during a deferred uninstall crashes
# 10.11.18 (docs/reliability.md), so wait until it is really gone.
plugin_gone() {
  local name=$1
  for _ in $(seq 1 200); do
    [[ -z $(qa "SELECT 1 FROM information_schema.PLUGINS WHERE PLUGIN_NAME = '$name'") ]] && return 0
    sleep 0.05
  done
  echo "bench-sysbench: $name is still loaded after UNINSTALL" >&2
  return 1
}

configure() {
  qa "UNINSTALL SONAME 'lockdiag'" 2>/dev/null || true
  qa "UNINSTALL SONAME 'server_audit'" 2>/dev/null || true
  plugin_gone LOCKDIAG
  plugin_gone SERVER_AUDIT
  case $1 in
    lockdiag | lockdiag_off)
      qa "INSTALL SONAME 'lockdiag'"
      qa "SET GLOBAL lockdiag_reset = ON"
      if [[ $1 == lockdiag_off ]]; then qa "SET GLOBAL lockdiag_enabled = OFF"; fi
      # What "everything on" was (the trail and the state file included).
      qa "SELECT @@lockdiag_enabled, @@lockdiag_log_file, @@lockdiag_state_file, @@lockdiag_state_save_interval" \
        >"$out/lockdiag-settings.txt"
      ;;
    server_audit)
      qa "INSTALL SONAME 'server_audit'"
      qa "SET GLOBAL server_audit_file_path = '$out/server_audit.log'"
      qa "SET GLOBAL server_audit_events = 'QUERY,TABLE'"
      qa "SET GLOBAL server_audit_file_rotate_size = 100000000"
      qa "SET GLOBAL server_audit_logging = ON"
      ;;
  esac
}

run_point() {
  local r=$1 w=$2 t=$3 c=$4 sock=$sock_a log
  if [[ $c == perfschema ]]; then
    sock=$sock_b
    configure none
  else
    configure "$c"
  fi
  log=$out/run-$r-$w-$t-$c.txt
  local perf_pid=""
  if [[ ${BENCH_PROFILE:-0} == 1 ]]; then
    # The middle of the run: connecting 600 threads is not the steady state.
    # cpu-clock at 999 Hz (this VM has no hardware cycle counter: the
    # default event records almost nothing), system-wide (following 600
    # threads one by one needs more descriptors than a user may open),
    # DWARF call graphs (the server has no frame pointers); the reports keep
    # the server's own samples.
    (sleep $((secs / 4)) && exec perf record -q -a -e cpu-clock -F 999 --call-graph dwarf,8192 -o "$out/perf-$w-$t-$c.data" -- sleep $((secs / 2))) >"$out/perf-$w-$t-$c.log" 2>&1 &
    perf_pid=$!
  fi
  # --rand-type=uniform: sysbench's default "special" distribution makes a
  # few rows hot, which at 600 threads measures InnoDB's row lock queue.
  sb "$sock" --threads="$t" --time="$secs" --report-interval=0 --percentile=95 \
    --rand-type=uniform "$w" run >"$log" 2>&1 || {
    echo "bench-sysbench: sysbench failed ($w, $t threads, $c):" >&2
    tail -5 "$log" >&2
    return 1
  }
  if [[ -n $perf_pid ]]; then
    wait "$perf_pid" || true
    perf report -q -i "$out/perf-$w-$t-$c.data" --comms mariadbd --percentage relative --no-children --sort symbol -g none \
      --percent-limit 0.5 --stdio 2>/dev/null | grep '%' | sed 's/  */ /g' | head -40 >"$out/perf-$w-$t-$c.txt" || true
    perf report -q -i "$out/perf-$w-$t-$c.data" --comms mariadbd --percentage relative --no-children --sort dso \
      -g none --stdio \
      2>/dev/null | grep '%' | sed 's/  */ /g' | head -12 >"$out/perf-$w-$t-$c.dso.txt" || true
    # lockdiag's part with its callees (inclusive), for the adapter's
    # breakdown, as a share of the server's own samples.
    perf report -q -i "$out/perf-$w-$t-$c.data" --comms mariadbd --percentage relative --children --sort symbol \
      -g none --stdio 2>/dev/null | grep '%' | grep -i 'lockdiag' | sed 's/  */ /g' | head -30 \
      >"$out/perf-$w-$t-$c.lockdiag.txt" || true
    local share
    share=$(awk '/lockdiag::server::NotifyEvent/ {print $1; exit}' "$out/perf-$w-$t-$c.lockdiag.txt")
    printf '%s\t%s\t%s\t%s\n' "$w" "$t" "$c" "${share:-0%}" >>"$out/perf-share.tsv"
  fi
  local tps p95
  tps=$(sed -n 's/.*transactions: *[0-9]* *(\([0-9.]*\) per sec.*/\1/p' "$log")
  p95=$(sed -n 's/.*95th percentile: *\([0-9.]*\).*/\1/p' "$log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$w" "$t" "$c" "$tps" "$p95" | tee -a "$out/raw.tsv" >&2
  rm -f "$out/server_audit.log"*
}

: >"$out/raw.tsv"
: >"$out/perf-share.tsv"
for r in $(seq 1 "$rounds"); do
  for w in "${workloads[@]}"; do
    for t in "${threads_list[@]}"; do
      n=${#configs[@]}
      for i in $(seq 0 $((n - 1))); do
        run_point "$r" "$w" "$t" "${configs[$(((i + r - 1) % n))]}"
      done
    done
  done
done

if [[ $smoke == 1 ]]; then
  # Everything ran at 600 connections: the server is up and lockdiag answers.
  configure lockdiag
  sb "$sock_a" --threads="${threads_list[-1]}" --time="$secs" --report-interval=0 "${workloads[0]}" run >/dev/null
  active=$(qa "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'LOCKDIAG_ACTIVE'")
  rows=$(qa "SELECT COUNT(*) FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_SCHEMA = 'sbtest'")
  peak=$(qa "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'MAX_USED_CONNECTIONS'")
  echo "bench smoke: Lockdiag_active=$active, sbtest tables tracked=$rows, Max_used_connections=$peak"
  [[ $active == 1 && $rows == 4 && $peak -ge ${threads_list[-1]} ]] || {
    echo "bench smoke: FAILED" >&2
    exit 1
  }
  exit 0
fi

python3 "$top/scripts/lib/bench_summary.py" "$out/raw.tsv" "$rounds" "$secs" "$out" | tee "$out/summary.md"
if command -v gnuplot >/dev/null; then
  gnuplot "$out/sweep.gp" && echo "plot: $out/sweep.svg" >&2
else
  echo "bench-sysbench: gnuplot not installed (apt-get install gnuplot-nox): no plot" >&2
fi
