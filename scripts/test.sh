#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test
# (GoogleTest unit tests and the mysql-test-run suites) through ctest.
#
#   scripts/test.sh            # everything
#   scripts/test.sh -R unit    # extra arguments go to ctest
#
# Idempotent and quick when nothing changed. Writes only under build/ (plus
# the Debian packages and one apt source entry that install-deps.sh adds).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LOCKDIAG_BUILD_DIR:-$top/build}
jobs=$(nproc 2>/dev/null || echo 2)

"$top/scripts/install-deps.sh"
mkdir -p "$build"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$build/configure.log" 2>&1 ||
  { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" -j "$jobs"
cd "$build"
# ctest ends with its own summary ("100% tests passed, 0 tests failed out of
# N"); the last line restates it as "N passed, N failed".
set +e
ctest --output-on-failure -j "$jobs" "$@" | tee "$build/ctest.log"
rc=${PIPESTATUS[0]}
set -e
total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$build/ctest.log" | tail -1)
failed=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$build/ctest.log" | tail -1)
if [[ -n $total && -n $failed ]]; then
  echo "lockdiag: $((total - failed)) passed, $failed failed"
fi
exit "$rc"
