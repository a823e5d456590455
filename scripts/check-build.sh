#!/usr/bin/env bash
# check-build.sh: a second build of the cores and the unit tests, in which the
# compiler or a sanitizer checks the contracts the code states in comments.
# ctest runs it (tests/build/checks.cmake); it can also be run by hand.
#
#   scripts/check-build.sh clang-thread-safety DIR
#       clang++ -Werror -Wthread-safety: the GUARDED_BY / REQUIRES / EXCLUDES
#       annotations (plugin/core/common/thread_annotations.h) are checked, and
#       any other warning fails the build too.
#   scripts/check-build.sh tsan DIR
#       -fsanitize=thread, then runs every unit test binary under
#       ThreadSanitizer; the first report fails the run (halt_on_error=1).
#   scripts/check-build.sh asan DIR
#       -fsanitize=address,undefined -fno-sanitize-recover=all, then runs
#       every unit test binary under AddressSanitizer, UndefinedBehavior-
#       Sanitizer and LeakSanitizer; the first report fails the run.
#   scripts/check-build.sh fuzz DIR
#       clang++ -fsanitize=fuzzer,address,undefined: the libFuzzer harnesses
#       of tests/fuzz/ (built only; tests/fuzz/run-fuzz.sh runs them).
#
# DIR is a build directory of its own (ctest uses build/checks/<mode>).
# Configured with -DLOCKDIAG_WITH_PLUGIN=OFF -DLOCKDIAG_WITH_BENCHMARKS=OFF;
# incremental: a second run rebuilds only what changed. Environment:
#   CMAKE               the cmake to use (default: cmake)
#   CMAKE_GENERATOR     honoured by cmake itself for a new DIR
#   LOCKDIAG_TSAN_CXX   the C++ compiler of the tsan and asan builds (default: c++)
#   LOCKDIAG_TSAN_CC    their C compiler (default: cc)
#   LOCKDIAG_CHECK_JOBS parallel build jobs (default: nproc)
set -euo pipefail

usage() {
  echo "usage: $0 clang-thread-safety|tsan|asan|fuzz DIR" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
mode=$1
dir=$2
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cmake=${CMAKE:-cmake}
jobs=${LOCKDIAG_CHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}

args=(-DLOCKDIAG_WITH_PLUGIN=OFF -DLOCKDIAG_WITH_BENCHMARKS=OFF -DLOCKDIAG_WITH_TESTS=ON
  -DCMAKE_BUILD_TYPE=RelWithDebInfo)
# The unit test binaries (and with them the core libraries).
targets=(lockdiag_common_tests lockdiag_unit_tests lockdiag_encoding_tests lockdiag_audit_tests)
case $mode in
  clang-thread-safety)
    command -v clang++ >/dev/null || { echo "check-build: clang++ is not installed (scripts/install-deps.sh)" >&2; exit 1; }
    args+=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "-DCMAKE_CXX_FLAGS=-Werror -Wthread-safety")
    ;;
  tsan)
    args+=("-DCMAKE_C_COMPILER=${LOCKDIAG_TSAN_CC:-cc}" "-DCMAKE_CXX_COMPILER=${LOCKDIAG_TSAN_CXX:-c++}"
      "-DCMAKE_CXX_FLAGS=-fsanitize=thread" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread")
    ;;
  asan)
    # -fno-sanitize-recover: an UBSan report aborts like an ASan one, so a
    # test binary cannot pass over it.
    san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    args+=("-DCMAKE_C_COMPILER=${LOCKDIAG_TSAN_CC:-cc}" "-DCMAKE_CXX_COMPILER=${LOCKDIAG_TSAN_CXX:-c++}"
      "-DCMAKE_C_FLAGS=$san" "-DCMAKE_CXX_FLAGS=$san" "-DCMAKE_EXE_LINKER_FLAGS=$san")
    ;;
  fuzz)
    command -v clang++ >/dev/null || { echo "check-build: clang++ is not installed (scripts/install-deps.sh)" >&2; exit 1; }
    # The cores get coverage instrumentation (fuzzer-no-link); only the
    # harnesses link libFuzzer's main (tests/fuzz/CMakeLists.txt).
    san="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
    args+=(-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DLOCKDIAG_WITH_FUZZERS=ON
      "-DCMAKE_C_FLAGS=$san" "-DCMAKE_CXX_FLAGS=$san" "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
    targets=(lockdiag_fuzzers)
    ;;
  *) usage ;;
esac

mkdir -p "$dir"
# Configure only when DIR is new or the arguments changed; otherwise the
# build below re-runs cmake by itself if a CMakeLists.txt changed.
stamp=$dir/check-build.args
printf '%s\n' "$top" "${args[@]}" >"$stamp.new"
if [[ ! -f $dir/CMakeCache.txt ]] || ! cmp -s "$stamp.new" "$stamp"; then
  if ! "$cmake" -S "$top" -B "$dir" "${args[@]}" >"$dir/configure.log" 2>&1; then
    cat "$dir/configure.log" >&2
    rm -f "$stamp" "$stamp.new"
    exit 1
  fi
fi
mv "$stamp.new" "$stamp"

echo "check-build: $mode: building ${targets[*]} in $dir"
"$cmake" --build "$dir" -j "$jobs" --target "${targets[@]}"

# Runs every unit test binary; the sanitizer's exit code (66) tells its
# report from a failed test.
run_unit_tests() {
  local rc=0 t bin start status
  for t in "${targets[@]}"; do
    bin=$(find "$dir/tests/unit" -maxdepth 1 -type f -name "$t" -perm -u+x | head -1)
    [[ -n $bin ]] || { echo "check-build: $t was not built" >&2; exit 1; }
    echo "check-build: $mode: running $t"
    start=$SECONDS
    if "$bin" --gtest_brief=1 >"$dir/$t.log" 2>&1; then
      echo "check-build: $mode: $t passed ($((SECONDS - start)) s)"
    else
      status=$?
      cat "$dir/$t.log"
      echo "check-build: $mode: $t FAILED (exit $status$([[ $status == 66 ]] && echo ", a sanitizer report"))" >&2
      rc=1
    fi
  done
  return $rc
}

case $mode in
  tsan)
    # halt_on_error: stop at the first report, exit non-zero (66) whatever the
    # test's own verdict was.
    export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 history_size=4${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
    run_unit_tests
    exit $?
    ;;
  asan)
    # detect_leaks: LeakSanitizer works here (it needs ptrace, which root
    # has); a leak fails the binary at exit like any other report.
    export ASAN_OPTIONS="halt_on_error=1 exitcode=66 detect_leaks=1 abort_on_error=0 strict_string_checks=1 detect_stack_use_after_return=1 check_initialization_order=1${ASAN_OPTIONS:+ $ASAN_OPTIONS}"
    export UBSAN_OPTIONS="halt_on_error=1 exitcode=66 print_stacktrace=1${UBSAN_OPTIONS:+ $UBSAN_OPTIONS}"
    run_unit_tests
    exit $?
    ;;
esac
echo "check-build: $mode: ok"
