#!/usr/bin/env bash
# run-app.sh: lockdiag on an application of our own. Runs the poetry site's
# backend (poetry.php) from several concurrent workers against a private
# server with lockdiag, then checks what lockdiag reports:
#
#   tests/app/run-app.sh BUILD_DIR planted|fixed
#
# planted: every planted problem of planted.expect is reported, on its
#   tables and naming its statement, and nothing else is; every lock error
#   the workers saw is a LOCKDIAG_INCIDENTS row.
# fixed: LOCKDIAG_PATTERNS stays empty, and the data shows that the fixes
#   worked (credits add up, no signup or tagging failed, counters match).
# Both: lockdiag saw every transaction and dropped no event. README.md
# describes the endpoints and the checks.
#
# Environment:
#   LOCKDIAG_APP_WORKERS   concurrent workers (default 8)
#   LOCKDIAG_APP_REQUESTS  requests per worker (default 300)
#   LOCKDIAG_APP_SEED      seeds the workers' request plans (default 1)
#   LOCKDIAG_APP_PORT      the server's port (default 3460 planted, 3461 fixed)
#   KEEP_SERVER=1          leave the server running
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
[[ $# -eq 2 && -d $1 && ($2 == planted || $2 == fixed) ]] ||
  { echo "usage: $0 BUILD_DIR planted|fixed" >&2; exit 2; }
build=$(cd "$1" && pwd)
variant=$2
workers=${LOCKDIAG_APP_WORKERS:-8}
requests=${LOCKDIAG_APP_REQUESTS:-300}
seed=${LOCKDIAG_APP_SEED:-1}
port=3460
[[ $variant == fixed ]] && port=3461
export LOCKDIAG_APP_USER=lockdiag_app LOCKDIAG_APP_PASSWORD=lockdiag_app
export LOCKDIAG_SERVER_DIR=$build/app-$variant
export LOCKDIAG_SERVER_PORT=${LOCKDIAG_APP_PORT:-$port}
# shellcheck source=../../scripts/lib/workload.sh source-path=SCRIPTDIR
source "$top/scripts/lib/workload.sh"

require_php_extension run-app mysqli

start_lockdiag_server
sql <"$here/schema.sql"
initial_credits=$(sql -N -e "CREATE USER IF NOT EXISTS lockdiag_app@localhost IDENTIFIED BY 'lockdiag_app';
        GRANT ALL ON poetry.* TO lockdiag_app@localhost;
        SELECT SUM(credits) FROM poetry.accounts;
        SELECT 1 -- answered once lockdiag has seen the statements above: the reset comes after them" | head -1)
sql -e "SET GLOBAL lockdiag_reset = ON"

# ---------------------------------------------------------------------------
# The workers, all at once; then until their connections are gone (their
# last statements and disconnects have then been processed by lockdiag).
start=$(date +%s%N)
pids=()
for w in $(seq 1 "$workers"); do
  php "$here/poetry.php" --variant="$variant" --socket="$sock" --worker="$w" --requests="$requests" \
    --seed="$seed" >"$work/worker.$w.out" 2>"$work/worker.$w.err" &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
if [[ $rc -ne 0 ]]; then
  echo "FAIL: app-$variant: a worker failed:"
  cat "$work"/worker.*.err
  exit 1
fi
disconnected=
for _ in $(seq 1 400); do
  if [[ $(sql -N -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST
                     WHERE ID <> CONNECTION_ID() AND USER = 'lockdiag_app'") == 0 ]]; then
    disconnected=1
    break
  fi
  sleep 0.05
done
[[ -n $disconnected ]] || fail "the workers' connections did not go away"
ms=$((($(date +%s%N) - start) / 1000000))

# total KEY: the sum over the workers' outputs of "KEY N" (KEY may have spaces).
total() {
  cat "$work"/worker.*.out | awk -v k="$1" 'index($0, k " ") == 1 { s += substr($0, length(k) + 2) } END { print s + 0 }'
}
# distinct KIND: how many different values the workers printed as "KIND value".
distinct() { cat "$work"/worker.*.out | sed -n "s/^$1 //p" | sort -u | wc -l; }
value() { sql -N poetry -e "$1"; }

# ---------------------------------------------------------------------------
# Both variants: lockdiag saw the workers' transactions and dropped nothing;
# every lock error the workers saw is an incident (LOCKDIAG_INCIDENTS keeps
# the last lockdiag_history_size, docs/tables.md).
facts=$(sql -N -e "SELECT CONCAT(LOWER(VARIABLE_NAME), ' ', VARIABLE_VALUE) FROM information_schema.GLOBAL_STATUS
                   WHERE VARIABLE_NAME IN ('LOCKDIAG_TRANSACTIONS', 'LOCKDIAG_DROPPED_EVENTS');
                   SELECT CONCAT('history ', @@GLOBAL.lockdiag_history_size);
                   SELECT CONCAT('incidents ', ERROR_CODE, ' ', COUNT(*)) FROM information_schema.LOCKDIAG_INCIDENTS
                   GROUP BY ERROR_CODE")
txns=$(sed -n 's/^lockdiag_transactions //p' <<<"$facts")
dropped=$(sed -n 's/^lockdiag_dropped_events //p' <<<"$facts")
history=$(sed -n 's/^history //p' <<<"$facts")
want_txns=$(total transactions)
[[ $txns == "$want_txns" ]] ||
  fail "Lockdiag_transactions = $txns, the workers ran $want_txns transactions that touched tables"
[[ $dropped == 0 ]] || fail "Lockdiag_dropped_events = $dropped"
declare -A saw kept
errors=0
incidents=0
by_code=
for code in 1062 1205 1213; do
  saw[$code]=$(total "error $code")
  kept[$code]=$(sed -n "s/^incidents $code //p" <<<"$facts")
  kept[$code]=${kept[$code]:-0}
  errors=$((errors + saw[$code]))
  incidents=$((incidents + kept[$code]))
  by_code+=" $code: ${saw[$code]} seen, ${kept[$code]} incidents;"
done
if [[ $errors -le $history ]]; then
  for code in "${!saw[@]}"; do
    [[ ${kept[$code]} == "${saw[$code]}" ]] ||
      fail "the workers saw ${saw[$code]} errors $code, LOCKDIAG_INCIDENTS has ${kept[$code]}"
  done
else  # only the last lockdiag_history_size are kept, whatever their code
  [[ $incidents == "$history" ]] ||
    fail "$errors lock errors, $incidents incidents kept (lockdiag_history_size = $history)"
fi
echo "   lock errors:${by_code%;}; retried by the application: $(sed -n 's/^retried //p' "$work"/worker.*.out |
  awk '{ n[$1] += $2 } END { for (k in n) printf "%s %d ", k, n[k]; if (length(n) == 0) printf "none" }')"

# ---------------------------------------------------------------------------
# The data: what the fixes guarantee. A failure in fixed, damage done by the
# planted problems in planted (reported, not a failure).
damage=()
data() {  # data WHAT GOT WANT
  [[ $2 == "$3" ]] && return 0
  if [[ $variant == fixed ]]; then fail "$1: $2, expected $3"; else damage+=("$1: $2 instead of $3"); fi
}
data "credits in all accounts" "$(value "SELECT SUM(credits) FROM accounts")" $((initial_credits - $(total "sum bought")))
data "signed-up users" "$(value "SELECT COUNT(*) FROM users WHERE email LIKE 'new-%'")" "$(distinct email)"
data "requests that failed with a lock error" "$(total "sum failed_requests")" 0
data "tags" "$(value "SELECT COUNT(*) FROM tags WHERE name LIKE 'tag-%'")" "$(distinct tag)"
data "poets whose stats.poems is not their number of poems" \
  "$(value "SELECT COUNT(*) FROM stats s WHERE poems <> (SELECT COUNT(*) FROM poems p WHERE p.poet_id = s.poet_id)")" 0
data "poets whose stats.likes or featured is not their poems'" \
  "$(value "SELECT COUNT(*) FROM stats s JOIN (SELECT poet_id, SUM(likes) l, SUM(featured) f FROM poems GROUP BY poet_id) p
            USING (poet_id) WHERE s.likes <> p.l OR s.featured <> p.f")" 0
data "poems whose likes is not their number of likes" \
  "$(value "SELECT COUNT(*) FROM poems p WHERE likes <> (SELECT COUNT(*) FROM likes l WHERE l.poem_id = p.id)")" 0
data "bio edits counted in poets.edits" "$(value "SELECT SUM(edits) FROM poets")" "$(total "sum bio_edits")"
data "poem edits counted in poems.version" "$(value "SELECT SUM(version - 1) FROM poems")" "$(total "sum edits")"
echo "   $workers workers x $requests requests, ${ms} ms, $txns transactions: $(total "sum published") poems published," \
  "$(total "sum edits") edits ($(total "sum edit_conflicts") conflicts retried), $(total "sum tips") tips," \
  "$(distinct email) addresses signed up"

# ---------------------------------------------------------------------------
# The findings.
rows=$(sql -N -e "SELECT PATTERN_ID, PATTERN, OBJECTS, OCCURRENCES, RELATED_ERRORS, EVIDENCE
                  FROM information_schema.LOCKDIAG_PATTERNS ORDER BY PATTERN_ID")
seen=$(grep -c . <<<"$rows" || true)
show_rows() {  # show_rows ID...: the rows, with their evidence and incidents
  local ids
  ids=$(IFS=,; echo "$*")
  sql -e "SELECT PATTERN_ID, PATTERN, OBJECTS, OCCURRENCES, RELATED_ERRORS, EVIDENCE
          FROM information_schema.LOCKDIAG_PATTERNS WHERE PATTERN_ID IN ($ids) ORDER BY PATTERN_ID\\G
          SELECT INCIDENT_ID, ERROR_NAME, TABLE_NAME, STATEMENT_DIGEST, TRANSACTION_HISTORY, PATTERN_ID
          FROM information_schema.LOCKDIAG_INCIDENTS WHERE PATTERN_ID IN ($ids) ORDER BY INCIDENT_ID LIMIT 5\\G"
}

if [[ $variant == fixed ]]; then
  # Every lock error was retried from the transaction's first statement,
  # which is what LOCKDIAG_INCIDENTS.RETRIED records.
  s=$(sql -N -e "SELECT COUNT(*) FROM information_schema.LOCKDIAG_INCIDENTS WHERE NOT RETRIED <=> 'YES'")
  [[ $s == 0 ]] || fail "app-fixed: $s incidents not RETRIED = YES, though the application retries every lock error"
  if [[ $seen -ne 0 ]]; then
    fail "app-fixed: $seen findings where every problem is fixed (none may appear):"
    show_rows $(cut -f1 <<<"$rows")
  fi
  echo "figure app-fixed transactions=$txns seen=$seen false=$seen ms=$ms"
else
  # Each row against planted.expect: the first line with its PATTERN and
  # OBJECTS whose evidence piece its EVIDENCE contains.
  expect=$(grep -v '^#' "$here/planted.expect")
  found=()
  extra=()
  while IFS=$'\t' read -r id pattern objects occurrences related evidence; do
    [[ -n $id ]] || continue
    match=
    while IFS=$'\t' read -r endpoint p o piece; do
      if [[ $p == "$pattern" && $o == "$objects" && $evidence == *$piece* ]]; then
        match=$endpoint
        break
      fi
    done <<<"$expect"
    if [[ -n $match ]]; then
      found+=("$match")
      echo "   found: $match: $pattern on $objects ($occurrences occurrences, $related related errors)"
    else
      extra+=("$id")
    fi
  done <<<"$rows"
  problems=$(grep -c . <<<"$expect")
  found_n=0
  while IFS=$'\t' read -r endpoint p o _; do
    if [[ " ${found[*]:-} " == *" $endpoint "* ]]; then
      found_n=$((found_n + 1))
    else
      fail "app-planted: $endpoint's planted problem was not found: no $p on $o"
    fi
  done <<<"$expect"
  if [[ ${#extra[@]} -gt 0 ]]; then
    fail "app-planted: ${#extra[@]} findings beyond the planted problems:"
    show_rows "${extra[@]}"
  fi
  for d in "${damage[@]}"; do echo "   damage done by the planted problems: $d"; done
  echo "figure app-planted problems=$problems found=$found_n extra=${#extra[@]} errors=$errors incidents=$incidents ms=$ms"
fi

if [[ $failures -gt 0 ]]; then
  echo "FAIL: app-$variant: $failures checks failed; the workers' outputs are in $work"
  exit 1
fi
echo "PASS: app-$variant"
