#!/usr/bin/env bash
# bench.sh: every figure in docs/benchmarks.md, from one command. Builds,
# then runs the core and encoding Google Benchmarks and the sysbench
# comparison; raw outputs go to build/bench/.
#
#   scripts/bench.sh [ROUNDS] [SECONDS]   # sysbench rounds and seconds per run (default 3, 20)
#
# Run it on an otherwise idle machine: it is a benchmark, not a test.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/build.sh source-path=SCRIPTDIR
source "$top/scripts/lib/build.sh"
out=$build/bench
mkdir -p "$out"

lockdiag_configure
lockdiag_build lockdiag lockdiag_bench lockdiag_encoding_bench lockdiag_state_bench lockdiag_encoding_tests

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

echo "== sysbench against a private server"
"$top/scripts/bench-sysbench.sh" "${1:-3}" "${2:-20}" | tee "$out/sysbench.md"
