#!/usr/bin/env bash
# restart.sh BUILD: runs the demo with the audit trail on, restarts the
# server, and checks that nothing was lost (tests/demo/CMakeLists.txt).
set -euo pipefail

build=$(cd "$1" && pwd)
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export LOCKDIAG_BUILD_DIR=$build
export LOCKDIAG_SERVER_DIR=$build/demo-restart
export LOCKDIAG_SERVER_PORT=3472
server=$top/scripts/private-server.sh
options=(--loose-lockdiag-log-file=lockdiag.log)
trap '"$server" stop' EXIT

# A fresh trail for this run (the demo itself resets the state file).
rm -f "$LOCKDIAG_SERVER_DIR/data/lockdiag.log"*
"$top/scripts/demo.sh" -- "${options[@]}" >"$LOCKDIAG_SERVER_DIR.demo.out" 2>&1 ||
  { cat "$LOCKDIAG_SERVER_DIR.demo.out"; echo "FAIL: demo.restart: the demo failed"; exit 1; }

# Every table, in a stable order; LOCKDIAG_CONNECTIONS without the connected
# rows (the test's own sessions reconnect after the restart).
rows() {
  "$server" client -B -e "
    SELECT * FROM information_schema.LOCKDIAG_PATTERNS ORDER BY PATTERN_ID;
    SELECT * FROM information_schema.LOCKDIAG_INCIDENTS ORDER BY INCIDENT_ID;
    SELECT * FROM information_schema.LOCKDIAG_ENCODING ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
    SELECT * FROM information_schema.LOCKDIAG_TABLES ORDER BY 1, 2;
    SELECT * FROM information_schema.LOCKDIAG_LOCK_ORDER ORDER BY 1, 2, 3, 4;
    SELECT * FROM information_schema.LOCKDIAG_CONNECTIONS WHERE OUTCOME <> 'CONNECTED' ORDER BY 1, 2, 3"
}
before=$LOCKDIAG_SERVER_DIR/rows.before
after=$LOCKDIAG_SERVER_DIR/rows.after
rows >"$before"
ids() { "$server" client -N -B -e "SELECT GROUP_CONCAT($1 ORDER BY $1) FROM information_schema.$2"; }
patterns=$(ids PATTERN_ID LOCKDIAG_PATTERNS)
incidents=$(ids INCIDENT_ID LOCKDIAG_INCIDENTS)
# The demo's findings: one per planted problem kind at least.
[[ $(tr ',' '\n' <<<"$patterns" | grep -c .) -ge 5 ]] ||
  { echo "FAIL: demo.restart: the demo found only patterns '$patterns'"; exit 1; }
[[ -n $incidents && $incidents != NULL ]] || { echo "FAIL: demo.restart: no incident"; exit 1; }

"$server" stop
"$server" start --plugin-dir "$build/plugin-dir" -- "${options[@]}"
rows >"$after"
if ! diff "$before" "$after" >"$LOCKDIAG_SERVER_DIR/rows.diff"; then
  cat "$LOCKDIAG_SERVER_DIR/rows.diff"
  echo "FAIL: demo.restart: the tables changed across the restart"
  exit 1
fi
grep -q "lockdiag: loaded lockdiag.state" "$LOCKDIAG_SERVER_DIR/error.log" ||
  { echo "FAIL: demo.restart: no 'loaded' line in the error log"; exit 1; }

# The trail: valid JSON on every line; every finding and incident the tables
# show has its line; the lifecycle around the restart is there.
perl -MJSON::PP -e '
  my ($file, $patterns, $incidents) = @ARGV;
  open(my $fh, "<", $file) or die "FAIL: demo.restart: no trail $file\n";
  my (%finding, %incident, %event);
  while (my $line = <$fh>) {
    my $o = eval { decode_json($line) } or die "FAIL: demo.restart: not JSON: $line";
    $finding{$o->{pattern_id}} = 1 if $o->{type} eq "finding";
    $incident{$o->{incident_id}} = 1 if $o->{type} eq "incident";
    $event{$o->{event}}++ if $o->{type} eq "lifecycle";
  }
  my @missing = ((map { "finding $_" } grep { !$finding{$_} } split /,/, $patterns),
                 (map { "incident $_" } grep { !$incident{$_} } split /,/, $incidents));
  die "FAIL: demo.restart: not in the trail: @missing\n" if @missing;
  die "FAIL: demo.restart: lifecycle lines: " . join(",", %event) . "\n"
    unless ($event{installed} // 0) >= 2 && ($event{uninstalled} // 0) >= 1;
  printf "demo.restart: %d findings and %d incidents kept across the restart, all in the trail\n",
    scalar(split /,/, $patterns), scalar(split /,/, $incidents);
' "$LOCKDIAG_SERVER_DIR/data/lockdiag.log" "$patterns" "$incidents"
