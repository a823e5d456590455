#!/usr/bin/env bash
# valgrind-mtr.sh: runs lockdiag's mtr suite (or the tests named) with the
# server under valgrind memcheck, one test at a time, through run-mtr.sh.
# Usage:
#
#   scripts/valgrind-mtr.sh BUILD_DIR [mtr options and test names]
#
# The vardir is BUILD_DIR/valgrind-mtr (each server's valgrind output ends
# in its error log, BUILD_DIR/valgrind-mtr/log/mysqld.1.err); ports come
# from MTR_BUILD_THREAD (default 350). mtr's own valgrind.supp is passed
# (mtr adds it too); leaks are checked in full, reachable blocks not shown;
# -v undoes mtr's --quiet, so each server's HEAP/LEAK/ERROR SUMMARY is logged.
# InnoDB's native AIO (io_uring) is off: with it the server under valgrind
# 3.19 did not get past "InnoDB: Using io_uring" in 2.5 minutes; and
# innodb_buffer_pool_size_max is capped: valgrind cannot map its default
# reservation ("Cannot map innodb_buffer_pool_size_max=8388608m", no InnoDB).
# Timeouts in minutes: VG_TESTCASE_TIMEOUT (60), VG_SUITE_TIMEOUT (1440).
set -euo pipefail

build=$(cd "$1" && pwd)
shift
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

supp=
for d in /usr/share/mysql/mysql-test /usr/share/mariadb/mysql-test; do
  [[ -f $d/valgrind.supp ]] && supp=$d/valgrind.supp && break
done
[[ -n $supp ]] || { echo "valgrind-mtr: valgrind.supp not found (install mariadb-test)" >&2; exit 1; }

vg="-v --leak-check=full --show-reachable=no --num-callers=30 --suppressions=$supp"

exec "$top/scripts/run-mtr.sh" "$build" valgrind \
  --vardir="$build/valgrind-mtr" \
  --build-thread="${MTR_BUILD_THREAD:-350}" --parallel=1 \
  --testcase-timeout="${VG_TESTCASE_TIMEOUT:-60}" \
  --suite-timeout="${VG_SUITE_TIMEOUT:-1440}" \
  --mysqld=--loose-innodb-use-native-aio=0 \
  --mysqld=--loose-innodb-buffer-pool-size-max=256M \
  --valgrind="$vg" "$@"
