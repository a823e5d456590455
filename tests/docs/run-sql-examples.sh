#!/usr/bin/env bash
# run-sql-examples.sh: every ```sql example of README.md and docs/*.md runs
# as it stands against a private server with lockdiag (sql_examples.py says
# how the blocks are read and run). Fails with the file and line of each
# example that errors.
#
#   tests/docs/run-sql-examples.sh BUILD_DIR
#
# Own server folder (BUILD_DIR/docs-sql) and port (3482), so that it can
# run beside the other tests.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -eq 1 && -d $1 ]] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd)
export LOCKDIAG_SERVER_DIR=$build/docs-sql
export LOCKDIAG_SERVER_PORT=${LOCKDIAG_DOCS_PORT:-3482}
# shellcheck source=../../scripts/lib/workload.sh source-path=SCRIPTDIR
source "$top/scripts/lib/workload.sh"

# A fresh datadir: the examples create accounts and tables, and a second
# run on the first one's datadir would find them there.
"$server" stop
rm -rf "$LOCKDIAG_SERVER_DIR"
start_lockdiag_server
# Each example's output, for a reader who wants to see what it showed.
export LOCKDIAG_DOCS_OUTPUT=$work
cd "$top"
/usr/bin/python3 "$here/sql_examples.py" "$sock" README.md docs/*.md
