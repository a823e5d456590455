#!/usr/bin/env bash
# bench.sh: every figure in docs/benchmarks.md, from one command. Builds,
# then runs the core and encoding Google Benchmarks and the sysbench
# comparison; raw outputs go to build/bench/.
#
#   scripts/bench.sh [ROUNDS] [SECONDS]   # sysbench sweep rounds and seconds per run (default 3, 8)
#
# Run it on an otherwise idle machine: it is a benchmark, not a test.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/build.sh source-path=SCRIPTDIR
source "$top/scripts/lib/build.sh"
out=$build/bench
mkdir -p "$out"

lockdiag_configure
lockdiag_build lockdiag lockdiag_bench lockdiag_encoding_bench lockdiag_state_bench lockdiag_encoding_tests \
  lockdiag_unit_tests lockdiag_make_state
command -v gnuplot >/dev/null || apt-get install -y -q gnuplot-nox >/dev/null

lscpu | grep -E "Model name|^CPU\(s\)" | tee "$out/machine.txt"

echo "== core (per table-lock event, per statement)"
"$build/tests/bench/lockdiag_bench" --benchmark_min_time=0.5 | tee "$out/core.txt"

echo "== encoding scanners (GB/s)"
"$build/tests/bench/lockdiag_encoding_bench" --benchmark_min_time=1 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true | tee "$out/encoding.txt"

echo "== the state file: save and load at 10,000 tables and 10,000 findings"
"$build/tests/bench/lockdiag_state_bench" --benchmark_min_time=1 --benchmark_repetitions=3 \
  --benchmark_report_aggregates_only=true | tee "$out/state.txt"

echo "== double-encoding heuristic: precision and recall on the corpus"
"$build/tests/unit/lockdiag_encoding_tests" --gtest_filter='MojibakeCorpus.*' | tee "$out/corpus.txt"

echo "== memory: bytes per connection, table, edge, finding; the allocator's count"
"$build/tests/unit/lockdiag_unit_tests" --gtest_filter='MemoryAccounting.*' | tee "$out/memory.txt"

echo "== INFORMATION_SCHEMA fills at 10,000 rows, and the writers meanwhile"
"$top/scripts/bench-is-fill.sh" 10000 15 | tee "$out/is-fill.md"

echo "== sysbench sweep against private servers (1 to 600 threads)"
"$top/scripts/bench-sysbench.sh" "${1:-3}" "${2:-8}" | tee "$out/sysbench.md"

echo "== where the time goes: perf at 64 and 600 threads, oltp_point_select"
BENCH_PROFILE=1 BENCH_THREADS="64 600" BENCH_WORKLOADS=oltp_point_select BENCH_CONFIGS="baseline lockdiag" \
  BENCH_OUT=$build/bench-profile LOCKDIAG_BUILD_DIR=$build "$top/scripts/bench-sysbench.sh" 1 12 | tee "$out/profile.md"
