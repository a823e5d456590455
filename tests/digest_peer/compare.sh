#!/usr/bin/env bash
# compare.sh: lockdiag's statement digests checked against a peer,
# pt-query-digest (Percona Toolkit). Each group of statements one tool puts
# together, the other should too.
#
#   tests/digest_peer/compare.sh BUILD_DIR
#
# 1. A private server (port 3440, under BUILD_DIR/digest-peer) with the slow
#    log at long_query_time=0 runs a varied workload: the statements of the
#    mysql-test suites, of the demo and of variants.sql (workload.pl replays
#    them, each sent verbatim), and sysbench's scripts (prepared statements
#    included).
# 2. pt-query-digest reads the slow log (--output json, --filter
#    pt-filter.pl); the filter writes each query event's text and
#    fingerprint, so both tools see exactly the same statement texts.
# 3. lockdiag_digest_tool digests the same texts.
# 4. compare.pl compares the two partitions and fails on a difference that
#    allowed-differences.txt does not explain (see that file and
#    docs/digests.md).
# Writes under BUILD_DIR/digest-peer: slow.log, report.json, statements,
# fingerprints, lockdiag.txt, and compare.txt (the figures, every difference
# and every group). KEEP_SERVER=1 leaves the server running.
set -euo pipefail

build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
tool=${LOCKDIAG_DIGEST_TOOL:-$build/tests/digest_peer/lockdiag_digest_tool} # another build of it: to compare versions
[[ -x $tool ]] || { echo "compare: $tool is not built" >&2; exit 1; }
for p in pt-query-digest sysbench perl; do
  command -v "$p" >/dev/null || { echo "compare: $p is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
perl -MDBD::mysql -e 1 2>/dev/null || { echo "compare: DBD::mysql is missing (percona-toolkit)" >&2; exit 1; }

out=$build/digest-peer
export LOCKDIAG_SERVER_DIR=$out/server
export LOCKDIAG_SERVER_PORT=3440
server=$top/scripts/private-server.sh
trap '[[ -n ${KEEP_SERVER:-} ]] || "$server" stop' EXIT

start=$(date +%s)
mkdir -p "$out/no-plugins"
"$server" stop # a server left over by an interrupted run
rm -rf "$LOCKDIAG_SERVER_DIR/data" "$out/slow.log"
# No plugin: lockdiag's statements in the suites just fail (and are logged).
# Fast commits: the statement texts are what matters, not durability.
"$server" start --plugin-dir "$out/no-plugins" -- --slow-query-log --slow-query-log-file="$out/slow.log" \
  --long-query-time=0 --log-slow-admin-statements=OFF --innodb-flush-log-at-trx-commit=0 \
  --innodb-lock-wait-timeout=2 --lock-wait-timeout=5
sock=$("$server" socket)
"$server" client -e "CREATE DATABASE test; CREATE DATABASE sbtest"

# The workload.
perl "$here/workload.pl" "$sock" mtr "$top"/mysql-test/lockdiag/t/*.test
perl "$here/workload.pl" "$sock" demo "$top/scripts/demo.sh" "$top/scripts/demo/schema.sql"
perl "$here/workload.pl" "$sock" sql "$here/variants.sql"
sb=(sysbench --db-driver=mysql --mysql-socket="$sock" --mysql-user=root --mysql-db=sbtest
  --tables=2 --table-size=200 --threads=2 --time=0 --rand-seed=7)
run_sb() { # script events [options]
  local script=$1 events=$2
  shift 2
  "${sb[@]}" --events="$events" "$@" "$script" run >"$out/sysbench-$script.log" ||
    { cat "$out/sysbench-$script.log" >&2; return 1; }
}
"${sb[@]}" oltp_common prepare >"$out/sysbench-prepare.log"
run_sb oltp_read_write 100
run_sb oltp_read_write 50 --db-ps-mode=disable # plain text statements
run_sb oltp_read_only 30 --skip-trx=on
run_sb oltp_write_only 50
run_sb oltp_point_select 200
run_sb oltp_insert 100
run_sb oltp_delete 100
run_sb oltp_update_index 100
run_sb oltp_update_non_index 100
run_sb select_random_points 30
run_sb select_random_ranges 30
"${sb[@]}" oltp_common cleanup >/dev/null
"${sb[@]}" --threads=1 bulk_insert prepare >/dev/null
run_sb bulk_insert 5 --threads=1
"${sb[@]}" --threads=1 bulk_insert cleanup >/dev/null
workload_s=$(($(date +%s) - start))

# The peer: pt-query-digest's own parser and fingerprints.
rm -f "$out/statements" "$out/fingerprints"
LOCKDIAG_PEER_STATEMENTS=$out/statements LOCKDIAG_PEER_FINGERPRINTS=$out/fingerprints \
  pt-query-digest --type slowlog --preserve-embedded-numbers --filter "$here/pt-filter.pl" \
  --output json --limit 100000 "$out/slow.log" >"$out/report.json"
classes=$(perl -MJSON::PP -0777 -ne 'print scalar @{decode_json($_)->{classes}}' "$out/report.json")

"$tool" <"$out/statements" >"$out/lockdiag.txt"
count=$(wc -l <"$out/lockdiag.txt")
if [[ $count -lt 1000 ]]; then # the workload sends over 5000
  echo "FAIL: only $count statements came out of the slow log" >&2
  exit 1
fi

echo "== $(pt-query-digest --version) --preserve-embedded-numbers: $classes classes in its report"
set +e
perl "$here/compare.pl" "$out/statements" "$out/fingerprints" "$out/lockdiag.txt" \
  "$here/allowed-differences.txt" "$out/compare.txt"
rc=$?
set -e
fp_groups=$(sed -n 's/.*pt-query-digest \([0-9]*\) fingerprints.*/\1/p' "$out/compare.txt")
if [[ $fp_groups != "$classes" ]]; then
  echo "FAIL: the report has $classes classes, the events $fp_groups fingerprints" >&2
  rc=1
fi
echo "== $(($(date +%s) - start)) s (workload ${workload_s} s); details in $out/compare.txt"
[[ $rc -eq 0 ]] && echo "PASS: every difference between the two partitions is on the allow-list"
exit $rc
