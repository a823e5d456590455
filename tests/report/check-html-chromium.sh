#!/usr/bin/env bash
# check-html-chromium.sh: the HTML page of report.server in headless
# Chromium: the rendered DOM holds the <svg> graph and every finding's type
# (from report.json), and a screenshot is kept as an artefact.
#
#   tests/report/check-html-chromium.sh OUT_DIR    # report.server's output folder
set -euo pipefail
[[ $# -eq 1 && -f $1/report.html && -f $1/report.json ]] ||
  { echo "usage: $0 OUT_DIR (with report.html and report.json of report.server)" >&2; exit 2; }
out=$(cd "$1" && pwd)
command -v chromium >/dev/null || { echo "check-html-chromium: chromium not found (apt-get install chromium)" >&2; exit 1; }

# Chromium wants a writable profile and home; both stay under OUT_DIR.
profile=$out/chromium-profile
rm -rf "$profile"
mkdir -p "$profile"
browse() {
  HOME=$profile timeout 60 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$profile" \
    --no-first-run --disable-dev-shm-usage "$@" "file://$out/report.html" 2>>"$out/chromium.log"
}
rm -f "$out/report.png"
browse --dump-dom >"$out/report.dom.html"
browse --screenshot="$out/report.png" --window-size=1200,2000 >/dev/null

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
grep -q '<svg' "$out/report.dom.html" || fail "the rendered page has no <svg> graph"
grep -q 'id="graph-missing"' "$out/report.dom.html" && fail "the page says the graph is missing"
mapfile -t patterns < <(python3 -c 'import json,sys; [print(f["pattern"]) for f in json.load(open(sys.argv[1]))["findings"]]' "$out/report.json")
[[ ${#patterns[@]} -gt 0 ]] || fail "report.json has no finding to look for"
for p in "${patterns[@]}"; do
  grep -q "data-pattern=\"$p\"" "$out/report.dom.html" || fail "the rendered page lacks the finding $p"
done
[[ -s $out/report.png ]] || fail "no screenshot"
[[ $(head -c 8 "$out/report.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "report.png is not a PNG"
if [[ $failures -gt 0 ]]; then exit 1; fi
echo "report.chromium: graph and ${#patterns[@]} finding(s) rendered; screenshot $out/report.png"
