#!/usr/bin/env bash
# docs-images.sh: the pictures in the docs, made from a real run, never drawn
# by hand: runs scripts/demo.sh against its own private server, then
# lockdiag-report on what lockdiag recorded:
#   docs/images/demo-lock-order.svg  the lock-order graph (--format=dot | dot -Tsvg)
#   docs/images/demo-report.png      the HTML report, as headless Chromium shows it
#
#   scripts/docs-images.sh      # rebuilds both; commit them with the change that alters them
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/build.sh source-path=SCRIPTDIR
source "$top/scripts/lib/build.sh"
export LOCKDIAG_BUILD_DIR=$build
export LOCKDIAG_SERVER_DIR=$build/docs-images-server
export LOCKDIAG_SERVER_PORT=3473
server=$top/scripts/private-server.sh
trap '"$server" stop' EXIT

lockdiag_configure
lockdiag_build --log "$build/docs-images-build.log" lockdiag lockdiag-report
"$top/scripts/demo.sh" >"$build/docs-images-demo.out" 2>&1 ||
  { tail -20 "$build/docs-images-demo.out"; exit 1; }

report=$build/tools/report/lockdiag-report
sock=$("$server" socket)
out=$top/docs/images
mkdir -p "$out"
"$report" -S "$sock" -u root --format=dot --fail-on=NONE | dot -Tsvg >"$out/demo-lock-order.svg"
"$report" -S "$sock" -u root --format=html --fail-on=NONE >"$build/docs-images-report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 \
  --screenshot="$out/demo-report.png" "file://$build/docs-images-report.html" >/dev/null 2>&1
[[ -s $out/demo-lock-order.svg && -s $out/demo-report.png ]] || { echo "docs-images: an image is missing" >&2; exit 1; }
echo "docs-images: wrote $out/demo-lock-order.svg and $out/demo-report.png"
