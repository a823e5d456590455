#!/usr/bin/env bash
# package_test.sh WORK_DIR [MARIADB_SOURCE_DIR]: the Debian package end to end.
#
#  1. scripts/build-deb.sh builds it into WORK_DIR/deb; lintian has nothing
#     to say beyond debian/*.lintian-overrides;
#  2. `apt-get install ./mariadb-plugin-lockdiag_*.deb` installs it; the
#     library is stripped, the snippet is read by the system's option files;
#  3. a private server started from the installed files (port 3481,
#     --plugin-dir=/usr/lib/mysql/plugin, the snippet's options) loads it:
#     Lockdiag_active is 1 and LOCKDIAG_TABLES is readable;
#  4. mariadb-test-run --suite=lockdiag runs tests of the installed suite,
#     without LOCKDIAG_PLUGIN_DIR;
#  5. `apt-get purge` removes every file it installed.
# The system's mariadb service is never started; whatever happens, the trap
# stops the private server and purges the package. Exit 77 (skipped) when not
# root or when the package was installed before.
set -euo pipefail

work=$(realpath -m "$1")
[[ -n ${2:-} ]] && export MARIADB_SOURCE_DIR=$2
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
pkg=mariadb-plugin-lockdiag
plugin_dir=/usr/lib/mysql/plugin
snippet=/etc/mysql/mariadb.conf.d/60-lockdiag.cnf
suite=/usr/share/mysql/mysql-test/plugin/lockdiag/lockdiag

step() { echo "== $(date +%T) $*"; }
fail() {
  echo "package.deb: FAIL: $*" >&2
  exit 1
}
installed() { [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]]; }

[[ $(id -u) -eq 0 ]] || { echo "package.deb: needs root (apt-get install); skipped"; exit 77; }
if installed || [[ -e $plugin_dir/lockdiag.so || -e $snippet ]]; then
  echo "package.deb: $pkg (or a lockdiag.so / 60-lockdiag.cnf) is installed already; skipped"
  exit 77
fi

export LOCKDIAG_SERVER_DIR=$work/server LOCKDIAG_SERVER_PORT=3481
# The system's server as we found it: its pid file (the test must never start
# or stop it).
service_before=$(cat /run/mysqld/mysqld.pid 2>/dev/null || echo none)
we_installed=0
cleanup() {
  local rc=$?
  "$top/scripts/private-server.sh" stop || true
  if [[ $we_installed == 1 ]] && installed; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=600 "$pkg" >/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT
rm -rf "$work/server" "$work/mtr-var"
mkdir -p "$work"

step "1. build (scripts/build-deb.sh)"
t0=$SECONDS
"$top/scripts/build-deb.sh" "$work/deb"
echo "build: $((SECONDS - t0)) s"
debs=("$work"/deb/"$pkg"_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "expected one $pkg .deb in $work/deb, found: ${debs[*]}"
deb=${debs[0]}
# The sizes docs/packaging.md quotes.
for f in "$work"/deb/*.deb; do echo "$(basename "$f"): $(stat -c %s "$f") bytes"; done
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
[[ $depends == *"mariadb-server-core (= $(dpkg-query -W -f='${Version}' mariadb-server-core))"* ]] ||
  fail "Depends does not name the server it was built against"

step "lintian"
# Errors and warnings fail; what remains is explained in debian/*.lintian-overrides.
lintian --fail-on error,warning "$deb" || fail "lintian"

step "2. apt-get install"
we_installed=1
(cd "$work/deb" && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 "./$(basename "$deb")" >/dev/null)
installed || fail "$pkg is not installed after apt-get install"
for f in "$plugin_dir/lockdiag.so" "$snippet" "$suite/suite.pm" "$suite/t/basic.test"; do
  [[ -f $f ]] || fail "$f is missing"
done
if readelf -S "$plugin_dir/lockdiag.so" | grep -q '\.debug_info'; then fail "lockdiag.so is not stripped"; fi
echo "installed lockdiag.so: $(stat -c %s "$plugin_dir/lockdiag.so") bytes"
# The system's option files (/etc/mysql/my.cnf includes mariadb.conf.d/) now
# load the plugin; read without starting anything.
my_print_defaults mariadbd | grep -qx -- '--plugin-load-add=lockdiag.so' || fail "the snippet is not read"

step "3. a private server from the installed files"
mapfile -t snippet_opts < <(my_print_defaults --defaults-file="$snippet" mariadbd)
"$top/scripts/private-server.sh" start --plugin-dir "$plugin_dir" -- "${snippet_opts[@]}"
q() { "$top/scripts/private-server.sh" client -N -B -e "$1"; }
[[ $(q "SELECT @@plugin_dir") == "$plugin_dir/" ]] || fail "the server's plugin_dir is not $plugin_dir"
[[ $(q "SHOW GLOBAL STATUS LIKE 'Lockdiag_active'") == $'Lockdiag_active\t1' ]] || fail "Lockdiag_active is not 1"
q "CREATE DATABASE pkgtest; CREATE TABLE pkgtest.t (id INT PRIMARY KEY) ENGINE=InnoDB;
   INSERT INTO pkgtest.t VALUES (1); UPDATE pkgtest.t SET id = 2"
[[ $(q "SELECT WRITES FROM information_schema.LOCKDIAG_TABLES WHERE TABLE_NAME = 't'") -ge 1 ]] ||
  fail "LOCKDIAG_TABLES did not record the writes"
"$top/scripts/private-server.sh" stop

step "4. mariadb-test-run --suite=lockdiag from the installed suite"
mtr_dir=/usr/share/mysql/mysql-test
(cd "$mtr_dir" && env -u LOCKDIAG_PLUGIN_DIR perl mariadb-test-run.pl --suite=lockdiag --vardir="$work/mtr-var" \
  --force --retry=0 --max-test-fail=0 --testcase-timeout=5 basic install startup) \
  2>&1 | tee "$work/mtr.log"
grep -q 'lockdiag.basic .*\[ pass \]' "$work/mtr.log" || fail "lockdiag.basic did not pass"
passed=$(grep -c '\[ pass \]' "$work/mtr.log" || true)
[[ $passed -eq 3 ]] || fail "expected 3 passing tests of the installed suite, got $passed"

step "5. apt-get purge"
files=$(dpkg -L "$pkg" | while read -r f; do [[ -f $f ]] && echo "$f"; done)
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=600 "$pkg" >/dev/null
! installed || fail "$pkg is still installed"
for f in $files; do [[ ! -e $f ]] || fail "$f is left after purge"; done
[[ ! -e $suite && ! -e $snippet ]] || fail "the suite or the snippet is left after purge"
service_after=$(cat /run/mysqld/mysqld.pid 2>/dev/null || echo none)
[[ $service_before == "$service_after" ]] || fail "the system's mariadb service changed ($service_before -> $service_after)"
echo "package.deb: ok ($(echo "$files" | wc -l) files installed and removed, $((SECONDS)) s in all)"
