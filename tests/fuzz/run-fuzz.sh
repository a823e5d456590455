#!/usr/bin/env bash
# run-fuzz.sh: runs one libFuzzer harness for a bounded time from a copy of
# its seed corpus (ctest fuzz.<target>; by hand for the long runs).
#
#   tests/fuzz/run-fuzz.sh BINARY SEED_DIR WORK_DIR [libFuzzer options...]
#
# WORK_DIR is emptied first; the corpus the run grows and any crash artefact
# stay there (the seed corpus in the repository is never written). Bounds:
# LOCKDIAG_FUZZ_SECONDS (default 12) and LOCKDIAG_FUZZ_RUNS (default
# 5,000,000 executions), whichever comes first; extra options go to
# libFuzzer as they are (e.g. -max_total_time=600 for a long run, which the
# last one given wins). Exit status: 0 when the run ended without a finding;
# otherwise libFuzzer's, and the artefact's path is printed.
set -euo pipefail

[[ $# -ge 3 ]] || { echo "usage: $0 BINARY SEED_DIR WORK_DIR [libFuzzer options...]" >&2; exit 2; }
bin=$1 seeds=$2 work=$3
shift 3
[[ -x $bin ]] || { echo "run-fuzz: $bin is not built (scripts/check-build.sh fuzz)" >&2; exit 1; }
[[ -d $seeds ]] || { echo "run-fuzz: no seed corpus $seeds" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp "$seeds"/* "$work/corpus/"

# halt_on_error with -fno-sanitize-recover: the first report is a crash;
# detect_leaks: a leak in a harness run is one too (LeakSanitizer works as root).
export ASAN_OPTIONS="halt_on_error=1 detect_leaks=1${ASAN_OPTIONS:+ $ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1${UBSAN_OPTIONS:+ $UBSAN_OPTIONS}"
status=0
"$bin" -max_total_time="${LOCKDIAG_FUZZ_SECONDS:-12}" -runs="${LOCKDIAG_FUZZ_RUNS:-5000000}" \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$@" \
  "$work/corpus" >"$work/fuzz.log" 2>&1 || status=$?

# The last status line: executions, coverage (cov), features (ft), corpus size.
grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$work/fuzz.log" | tail -1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$work/fuzz.log" || true
artefacts=$(find "$work/artifacts" -type f)
if [[ $status -ne 0 || -n $artefacts ]]; then
  tail -60 "$work/fuzz.log"
  for a in $artefacts; do echo "run-fuzz: FINDING: $a (reproduce: $bin $a)"; done
  echo "run-fuzz: $(basename "$bin") FAILED (exit $status); log: $work/fuzz.log" >&2
  exit $((status == 0 ? 1 : status))
fi
echo "run-fuzz: $(basename "$bin") ok; log: $work/fuzz.log"
