#!/usr/bin/env bash
# run-report-server.sh: lockdiag-report against a real server with lockdiag.
#
#   tests/report/run-report-server.sh BUILD_DIR LOCKDIAG_REPORT
#
# A private server (BUILD_DIR/report-server, port 3480; a second one on
# port 3484 for the merged view of two servers) with lockdiag
# installed afresh; the mariadb client makes an ABBA lock order and a
# duplicate key; then the tool in each format, and its exit status: 0 before
# any finding (and with --fail-on=NONE), 1 with findings, 2 for a wrong
# password, an account without PROCESS, a usage error and a server without
# lockdiag. Leaves report.{txt,json,dot,html} in BUILD_DIR/report-server/out
# for report.chromium. KEEP_SERVER=1 leaves the server running.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -eq 2 && -d $1 && -x $2 ]] || { echo "usage: $0 BUILD_DIR LOCKDIAG_REPORT" >&2; exit 2; }
build=$(cd "$1" && pwd)
tool=$2
export LOCKDIAG_SERVER_DIR=$build/report-server
export LOCKDIAG_SERVER_PORT=3480
# shellcheck source=../../scripts/lib/workload.sh source-path=SCRIPTDIR
source "$top/scripts/lib/workload.sh"
command -v dot >/dev/null || { echo "run-report-server: dot not found (apt-get install graphviz)" >&2; exit 1; }

start_lockdiag_server
out=$LOCKDIAG_SERVER_DIR/out
rm -rf "$out"
mkdir -p "$out"

sql -e "CREATE USER IF NOT EXISTS reporter@'%' IDENTIFIED BY 'rpt'; GRANT PROCESS ON *.* TO reporter@'%';
        CREATE USER IF NOT EXISTS nopriv@'%' IDENTIFIED BY 'np';
        DROP DATABASE IF EXISTS rpt; CREATE DATABASE rpt;
        CREATE TABLE rpt.a (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;
        CREATE TABLE rpt.b (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;
        INSERT INTO rpt.a VALUES (1, 0); INSERT INTO rpt.b VALUES (1, 0);
        SET GLOBAL lockdiag_reset = ON"

conn=(-h 127.0.0.1 -P 3480 -u reporter -prpt)
# run NAME EXPECTED_STATUS ARGS...: the tool's stdout in $out/NAME, stderr in $out/NAME.err.
run() {
  local name=$1 want=$2 rc=0
  shift 2
  "$tool" "$@" >"$out/$name" 2>"$out/$name.err" || rc=$?
  [[ $rc == "$want" ]] || fail "$name: exit status $rc, expected $want; stderr: $(cat "$out/$name.err")"
}
expect_in() { grep -qF -- "$2" "$out/$1" || fail "$1 lacks: $2"; }

# Nothing recorded yet: no finding, exit 0.
run empty.txt 0 "${conn[@]}"
expect_in empty.txt "== Findings: 0"

# The mistakes, from the mariadb client. Each statement has returned before
# the next starts, and lockdiag publishes a transaction before its COMMIT
# returns, so the tables hold it when the tool reads them.
sql -e "BEGIN; UPDATE rpt.a SET n = n + 1 WHERE id = 1; UPDATE rpt.b SET n = n + 1 WHERE id = 1; COMMIT;"
sql -e "BEGIN; UPDATE rpt.b SET n = n + 1 WHERE id = 1; UPDATE rpt.a SET n = n + 1 WHERE id = 1; COMMIT;"
if sql -e "INSERT INTO rpt.a VALUES (1, 5)" 2>"$out/dup.err"; then fail "the duplicate insert succeeded"; fi
grep -q 1062 "$out/dup.err" || fail "the duplicate insert did not fail with 1062: $(cat "$out/dup.err")"

run report.txt 1 "${conn[@]}"
expect_in report.txt "LOCK_ORDER_INVERSION"
expect_in report.txt "rpt.a, rpt.b"
expect_in report.txt "DUP KEYS"
run report-nofail.txt 0 "${conn[@]}" --fail-on=NONE
awk 'length > 100 { bad = 1 } END { exit bad }' "$out/report.txt" || fail "report.txt has lines over 100 columns"
grep -q $'\033' "$out/report.txt" && fail "colour written to a file"

run report.json 1 "${conn[@]}" --format=json
python3 - "$out/report.json" <<'PY' || fail "report.json is not the documented document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema_version"] == 1, d
f = [x for x in d["findings"] if x["pattern"] == "LOCK_ORDER_INVERSION"]
assert f and f[0]["objects"] == ["rpt.a", "rpt.b"] and f[0]["severity"] == "HIGH", f
t = {x["table"]: x for x in d["busiest_tables"]}
assert t["rpt.a"]["duplicate_key_errors"] == 1, t
edges = {(e["from"], e["to"]): e for e in d["lock_order"]["edges"]}
assert edges[("rpt.a", "rpt.b")]["inverted"] and edges[("rpt.b", "rpt.a")]["transactions"] == 1, edges
PY

run report.dot 1 "${conn[@]}" --format=dot
dot -Tsvg "$out/report.dot" >"$out/report.svg" || fail "dot could not render report.dot"
grep -q 'stroke="red"' "$out/report.svg" || fail "the inverted pair is not red in the SVG"

run report.html 1 "${conn[@]}" --format=html
expect_in report.html "<svg"
[[ -s $out/report.html.err ]] && fail "warnings with dot installed: $(cat "$out/report.html.err")"
# Without Graphviz: the page says so, a warning on stderr, the same exit status.
PATH=/nonexistent run nodot.html 1 "${conn[@]}" --format=html
expect_in nodot.html "Graphviz's dot was not found"
expect_in nodot.html.err "lockdiag-report: warning: The lock-order graph is not shown"

# The [client] group of --defaults-file gives the account; a bare -p asks
# (read from stdin: setsid leaves the tool without a terminal).
printf '[client]\nuser=reporter\npassword=rpt\nhost=127.0.0.1\nport=3480\n' >"$out/client.cnf"
run defaults.txt 1 --defaults-file="$out/client.cnf"
expect_in defaults.txt "LOCK_ORDER_INVERSION"
rc=0
echo rpt | setsid -w "$tool" -h 127.0.0.1 -P 3480 -u reporter -p >"$out/prompt.txt" 2>&1 || rc=$?
[[ $rc == 1 ]] || fail "the password read by -p did not work (exit $rc): $(tail -2 "$out/prompt.txt")"
# Two names of one server merge into one finding seen on both.
run servers.txt 1 -u reporter -prpt --servers=127.0.0.1:3480,localhost:3480
expect_in servers.txt "127.0.0.1:3480 (#"
expect_in servers.txt "localhost:3480 (#"

# Two real servers: rpt.c then rpt.d on this one, rpt.d then rpt.c on a
# second one (port 3484). Neither sees an inversion; the merged view does.
second() { LOCKDIAG_SERVER_DIR=$build/report-server-2 LOCKDIAG_SERVER_PORT=3484 "$server" "$@"; }
second stop
trap '[[ -n ${KEEP_SERVER:-} ]] || { "$server" stop; second stop; }' EXIT
second start --plugin-dir "$build/plugin-dir"
tables="CREATE TABLE rpt.c (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;
        CREATE TABLE rpt.d (id INT PRIMARY KEY, n INT) ENGINE=InnoDB;
        INSERT INTO rpt.c VALUES (1, 0); INSERT INTO rpt.d VALUES (1, 0);"
second client -e "UNINSTALL SONAME 'lockdiag'" >/dev/null 2>&1 || true
second client -e "INSTALL SONAME 'lockdiag'"
second client -e "CREATE USER IF NOT EXISTS reporter@'%' IDENTIFIED BY 'rpt'; GRANT PROCESS ON *.* TO reporter@'%';
                  DROP DATABASE IF EXISTS rpt; CREATE DATABASE rpt; $tables SET GLOBAL lockdiag_reset = ON"
sql -e "$tables"
sql -e "BEGIN; UPDATE rpt.c SET n = n + 1 WHERE id = 1; UPDATE rpt.d SET n = n + 1 WHERE id = 1; COMMIT;"
second client -e "BEGIN; UPDATE rpt.d SET n = n + 1 WHERE id = 1; UPDATE rpt.c SET n = n + 1 WHERE id = 1; COMMIT;"
run second-alone.txt 0 -h 127.0.0.1 -P 3484 -u reporter -prpt
run cross.txt 1 -u reporter -prpt --servers=127.0.0.1:3480,127.0.0.1:3484 --no-color
expect_in cross.txt "rpt.c, rpt.d"
expect_in cross.txt "(seen across servers)"
run cross.json 1 -u reporter -prpt --servers=127.0.0.1:3480,127.0.0.1:3484 --format=json
expect_in cross.json "seen across servers: "

# Exit status 2, one clear line each.
run wrong-password.txt 2 -h 127.0.0.1 -P 3480 -u reporter -pwrong
expect_in wrong-password.txt.err "lockdiag-report: cannot connect to 127.0.0.1:3480: Access denied for user 'reporter'"
run nopriv.txt 2 -h 127.0.0.1 -P 3480 -u nopriv -pnp
expect_in nopriv.txt.err "needs the PROCESS privilege"
run usage.txt 2 --format=pdf
expect_in usage.txt.err "lockdiag-report: --format: 'pdf' is not one of text, json, dot, html"
run help.txt 0 --help
expect_in help.txt "EXIT STATUS"
sql -e "UNINSTALL SONAME 'lockdiag'"
run uninstalled.txt 2 "${conn[@]}"
expect_in uninstalled.txt.err "lockdiag is not installed on 127.0.0.1:3480 (INSTALL SONAME 'lockdiag')"
for f in "$out"/*.txt.err "$out"/*.html.err; do [[ $(wc -l <"$f") -le 1 ]] || fail "$f has more than one line"; done

if [[ $failures -gt 0 ]]; then
  echo "report.server: $failures check(s) failed; outputs in $out"
  exit 1
fi
echo "report.server: every check passed; outputs in $out"
