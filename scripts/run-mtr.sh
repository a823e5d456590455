#!/usr/bin/env bash
# run-mtr.sh: runs mariadb-test-run against lockdiag's build, the way ctest
# does (mysql-test/CMakeLists.txt). Usage:
#
#   scripts/run-mtr.sh BUILD_DIR NAME [mtr options and test names]
#
# NAME names the run's vardir (BUILD_DIR/mtr-var/NAME), so runs can go in
# parallel. Without a --suite option the lockdiag suite is run.
#
# Two quirks of mtr are handled here:
#  * it must be started from its own mysql-test folder;
#  * it reads '-' in a --suite path as an overlay separator, so the suite is
#    reached through a dash-free symlink: BUILD_DIR/mtr_suites when that path
#    has no dash, else a folder under /tmp named after BUILD_DIR's hash.
set -euo pipefail

build=$(cd "$1" && pwd)
name=$2
shift 2

mtr=${LOCKDIAG_MTR:-}
if [[ -z $mtr ]]; then
  for m in /usr/share/mysql/mysql-test/mariadb-test-run.pl /usr/share/mariadb/mysql-test/mariadb-test-run.pl; do
    [[ -f $m ]] && mtr=$m && break
  done
fi
[[ -n $mtr && -f $mtr ]] || { echo "run-mtr: mariadb-test-run.pl not found (install mariadb-test)" >&2; exit 1; }

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
links=$build/mtr_suites
if [[ $links == *-* ]]; then
  links=/tmp/lockdiag_mtr_suites_$(printf '%s' "$build" | md5sum | cut -c1-12)
fi
mkdir -p "$links"
for s in "$top"/mysql-test/*/; do
  s=${s%/}
  [[ -f $s/suite.pm ]] && ln -sfn "$s" "$links/$(basename "$s")"
done

args=()
have_suite=0
for a in "$@"; do
  if [[ $a == --suite=* ]]; then
    have_suite=1
    # One of our suites by name: reached through its dash-free link.
    [[ -d $links/${a#--suite=} ]] && a=--suite=$links/${a#--suite=}
  fi
  args+=("$a")
done
[[ $have_suite == 1 ]] || args=("--suite=$links/lockdiag" "${args[@]}")

export LOCKDIAG_PLUGIN_DIR=$build/plugin-dir
cd "$(dirname "$mtr")"
exec perl "$(basename "$mtr")" --vardir="$build/mtr-var/$name" \
  --mysqld=--plugin-dir="$build/plugin-dir" --force --retry=0 --max-test-fail=0 \
  --testcase-timeout=5 "${args[@]}"
