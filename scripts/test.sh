#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test
# (GoogleTest unit tests, the mysql-test-run suites, and the clang
# -Wthread-safety and ThreadSanitizer builds of the cores and unit tests under
# build/checks/, see scripts/check-build.sh) through ctest.
#
#   scripts/test.sh            # everything
#   scripts/test.sh -R unit    # extra arguments go to ctest
#
# Idempotent and quick when nothing changed. Writes only under build/ (plus
# the Debian packages and one apt source entry that install-deps.sh adds).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/build.sh source-path=SCRIPTDIR
source "$top/scripts/lib/build.sh"

lockdiag_configure -DCMAKE_BUILD_TYPE=RelWithDebInfo
lockdiag_build
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
