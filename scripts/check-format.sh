#!/usr/bin/env bash
# check-format.sh: every tracked C++ file is formatted by the checked-in
# .clang-format. Prints the files that are not; exit 1 if any.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "clang-format is not installed"; exit 1; }
bad=0
while IFS= read -r f; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not clang-formatted: $f (run: clang-format -i $f)"
    bad=1
  fi
done < <(git ls-files '*.cc' '*.h' 2>/dev/null || find plugin tests -name '*.cc' -o -name '*.h')
[[ $bad == 0 ]] && echo "all C++ files are clang-formatted"
exit $bad
