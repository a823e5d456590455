<?php
// quiet.php: one client of a workload that is correct, as applications write
// it when nothing is wrong (optimistic locking, and the fixed version of each
// bad pattern of docs/patterns.md). Several run at once against the same rows
// (run-quiet.sh starts them); lockdiag must report nothing.
//
//   php quiet.php PHASE SOCKET SCHEMA CLIENT ITERATIONS
//
// PHASE: optimistic_txn optimistic_autocommit upsert catch_duplicate
// self_relative for_update share_to_update one_order (README.md describes
// each). CLIENT numbers the client from 1 (it seeds the random choices and
// picks the statement variant); ITERATIONS is the number of requests.
// Environment: LOCKDIAG_QUIET_USER, LOCKDIAG_QUIET_PASSWORD (default
// lockdiag_quiet / lockdiag_quiet).
//
// Every statement is a mysqli prepared statement (COM_STMT_PREPARE once,
// COM_STMT_EXECUTE per run, values as bound parameters). On stdout, counted
// from what it executed, for run-quiet.sh to sum over the clients:
//   transactions N        transactions that touched a table (an autocommit
//                         statement is one; a failed attempt counts too)
//   table T COLUMN N      what LOCKDIAG_TABLES.COLUMN of table T must show
//   sum NAME N            other counts (conflicts, duplicates, debited, ...)
// An unexpected SQL error ends it with a non-zero exit code.

declare(strict_types=1);

$phases = ['optimistic_txn', 'optimistic_autocommit', 'upsert', 'catch_duplicate', 'self_relative',
    'for_update', 'share_to_update', 'one_order'];
if ($argc !== 6 || !in_array($argv[1], $phases, true)) {
    fwrite(STDERR, "usage: php quiet.php PHASE SOCKET SCHEMA CLIENT ITERATIONS\n  PHASE: " .
        implode(' ', $phases) . "\n");
    exit(2);
}
[, $phase, $socket, $schema, $client, $n] = $argv;
$client = (int) $client;
$n = (int) $n;
mt_srand(crc32("$phase/$client"));

const ER_DUP_ENTRY = 1062;
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;

mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$db = new mysqli('localhost', getenv('LOCKDIAG_QUIET_USER') ?: 'lockdiag_quiet',
    getenv('LOCKDIAG_QUIET_PASSWORD') ?: 'lockdiag_quiet', $schema, 0, $socket);
$db->set_charset('utf8mb4');

$transactions = 0;
$inTxn = false;
$sums = [];
$tables = [];
function sum(string $name, int $by = 1): void { global $sums; $sums[$name] = ($sums[$name] ?? 0) + $by; }
function table(string $t, string $column, int $by = 1): void
{
    global $tables;
    $tables["$t $column"] = ($tables["$t $column"] ?? 0) + $by;
}

// q(sql, params): runs a prepared statement (prepared on first use); returns
// [rows, affected rows, insert id]. Outside a transaction the statement is one.
$prepared = [];
function q(string $sql, array $params = []): array
{
    global $db, $prepared, $inTxn, $transactions;
    $stmt = $prepared[$sql] ??= $db->prepare($sql);
    if ($params !== []) {
        $types = '';
        foreach ($params as $p) $types .= is_int($p) ? 'i' : 's';
        $stmt->bind_param($types, ...$params);
    }
    if (!$inTxn) ++$transactions;  // counted even when it fails: it touched its table
    $stmt->execute();
    $result = $stmt->get_result();
    $rows = $result === false ? [] : $result->fetch_all(MYSQLI_NUM);
    if ($result !== false) $result->free();
    return [$rows, $stmt->affected_rows, $stmt->insert_id];
}
function begin(): void { global $db, $inTxn, $transactions; $db->begin_transaction(); $inTxn = true; ++$transactions; }
function commit(): void { global $db, $inTxn; $db->commit(); $inTxn = false; }
function rollback(): void { global $db, $inTxn; $db->rollback(); $inTxn = false; }
// The application's work between its read and its write (rendering,
// validation): long enough for other clients to get in between.
function think(): void { usleep(mt_rand(0, 1500)); }
function fail(string $why): void { fwrite(STDERR, "quiet.php: $why\n"); exit(1); }

// transaction(fn): runs fn in a transaction, retried from the start after a
// deadlock or lock wait timeout (the correct handling, which lockdiag's
// IGNORED_LOCK_ERROR expects). fn returns false to roll back instead of
// committing.
function transaction(callable $fn): void
{
    for (;;) {
        begin();
        try {
            if ($fn() === false) rollback(); else commit();
            return;
        } catch (mysqli_sql_exception $e) {
            if (!in_array($e->getCode(), [ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT], true)) throw $e;
            rollback();
            sum('lock_errors_retried');
        }
    }
}

$docs = 2;      // few rows, several clients: real conflicts
$accounts = 3;
$stock = 3;
$customers = 4;

switch ($phase) {
    // ORM optimistic locking (@Version): read the row and its version, write
    // it back only if the version is unchanged, retry on 0 affected rows.
    // Odd clients write as Hibernate does (the new version bound: version =
    // ?), even ones as the issue has it (version = version + 1). In
    // transactions as Hibernate runs them (a conflict rolls back), or in
    // autocommit as Rails' lock_version usually runs.
    case 'optimistic_txn':
    case 'optimistic_autocommit':
        $txn = $phase === 'optimistic_txn';
        // A compare-and-set is no read-modify-write: no pair is matched.
        table('doc', 'UNLOCKED_READ_WRITE_TRANSACTIONS', 0);
        table('doc', 'LOCKED_READ_WRITE_TRANSACTIONS', 0);
        for ($i = 1; $i <= $n; ++$i) {
            $id = mt_rand(1, $docs);
            for ($attempt = 1; ; ++$attempt) {
                if ($attempt > 100) fail("doc $id: 100 conflicts in a row");
                if ($txn) begin();
                [$rows] = q('SELECT body, version FROM doc WHERE id = ?', [$id]);
                if (count($rows) !== 1) fail("doc $id not found");
                [$body, $version] = [$rows[0][0], (int) $rows[0][1]];
                think();
                $new = "edit $client.$i." . strlen($body);
                [, $affected] = $client % 2 === 1
                    ? q('UPDATE doc SET body = ?, version = ? WHERE id = ? AND version = ?',
                        [$new, $version + 1, $id, $version])
                    : q('UPDATE doc SET body = ?, version = version + 1 WHERE id = ? AND version = ?',
                        [$new, $id, $version]);
                table('doc', 'COMPARE_AND_SET_WRITES');
                if ($affected === 1) {
                    if ($txn) commit();
                    sum('successes');
                    break;
                }
                if ($affected !== 0) fail("doc $id: $affected rows updated");
                sum('conflicts');  // someone else wrote first: read again
                if ($txn) rollback();
            }
        }
        break;

    // Check-then-insert, fixed with one statement: the upsert does check and
    // write. The application still reads first (to show the count), half of
    // the requests in a transaction, half in autocommit; the keys are shared
    // by the clients, so the duplicate branch runs.
    case 'upsert':
        table('visits', 'UNLOCKED_READ_WRITE_TRANSACTIONS', 0);
        table('users', 'UNLOCKED_READ_WRITE_TRANSACTIONS', 0);
        for ($i = 1; $i <= $n; ++$i) {
            $email = 'visitor-' . mt_rand(1, 8) . '@example.com';
            $work = function () use ($email): void {
                q('SELECT n FROM visits WHERE email = ?', [$email]);
                q('INSERT INTO visits (email, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + 1', [$email]);
                q('INSERT IGNORE INTO users (email) VALUES (?)', [$email]);
                [$rows] = q('SELECT id FROM users WHERE email = ?', [$email]);
                // In a REPEATABLE READ transaction the row another client
                // inserted after this one's snapshot is invisible to the plain
                // read (and INSERT IGNORE skipped it): at most one row.
                if (count($rows) > 1) fail("$email: " . count($rows) . " users after INSERT IGNORE");
            };
            if ($i % 2 === 0) transaction($work); else $work();
            sum('visits');
        }
        break;

    // Check-then-insert, fixed by relying on the unique key: insert first and
    // take error 1062 as "already exists", then read the existing row
    // (get-or-create of a tag, in autocommit as PHP runs it). Popular tags
    // come back often.
    case 'catch_duplicate':
        for ($i = 1; $i <= $n; ++$i) {
            $name = 'tag-' . mt_rand(1, 5);
            try {
                q('INSERT INTO tags (name) VALUES (?)', [$name]);
                sum('created');
            } catch (mysqli_sql_exception $e) {
                if ($e->getCode() !== ER_DUP_ENTRY) throw $e;
                sum('duplicates');
                table('tags', 'DUPLICATE_KEY_ERRORS');
                [$rows] = q('SELECT id FROM tags WHERE name = ?', [$name]);
                if (count($rows) !== 1) fail("$name: no row after error 1062");
            }
        }
        break;

    // Lost update, fixed with a self-relative write: the application reads
    // the balance (to show it, or to refuse early) and debits with
    // credits = credits - ?; in autocommit the guard is in the statement.
    case 'self_relative':
        table('accounts', 'UNLOCKED_READ_WRITE_TRANSACTIONS', 0);
        for ($i = 1; $i <= $n; ++$i) {
            $id = mt_rand(1, $accounts);
            $amount = mt_rand(1, 5);
            if ($i % 2 === 0) {
                transaction(function () use ($id, $amount): void {
                    q('SELECT credits FROM accounts WHERE id = ?', [$id]);
                    q('UPDATE accounts SET credits = credits - ? WHERE id = ?', [$amount, $id]);
                });
            } else {
                q('SELECT credits FROM accounts WHERE id = ?', [$id]);
                [, $affected] = q('UPDATE accounts SET credits = credits - ? WHERE id = ? AND credits >= ?',
                    [$amount, $id, $amount]);
                if ($affected !== 1) fail("account $id: the debit updated $affected rows");
            }
            sum('debited', $amount);
        }
        break;

    // Lost update, fixed with SELECT ... FOR UPDATE on the existing row in the
    // transaction that writes it: the value written is computed by the
    // application, from a read nobody can change meanwhile.
    case 'for_update':
        table('accounts', 'UNLOCKED_READ_WRITE_TRANSACTIONS', 0);
        for ($i = 1; $i <= $n; ++$i) {
            $id = mt_rand(1, $accounts);
            $amount = mt_rand(1, 5);
            transaction(function () use ($id, $amount): void {
                [$rows] = q('SELECT credits FROM accounts WHERE id = ? FOR UPDATE', [$id]);
                if (count($rows) !== 1) fail("account $id not found");
                think();
                q('UPDATE accounts SET credits = ? WHERE id = ?', [(int) $rows[0][0] - $amount, $id]);
            });
            table('accounts', 'LOCKED_READ_WRITE_TRANSACTIONS');
            sum('debited', $amount);
        }
        break;

    // Shared lock upgrade, fixed: a transaction that will write the row reads
    // it with FOR UPDATE (was LOCK IN SHARE MODE). LOCK IN SHARE MODE stays
    // where it belongs: a parent row checked, a child row inserted, the
    // parent never written (every third request).
    case 'share_to_update':
        table('stock', 'UNLOCKED_READ_WRITE_TRANSACTIONS', 0);
        for ($i = 1; $i <= $n; ++$i) {
            $id = mt_rand(1, $stock);
            if ($i % 3 === 0) {
                transaction(function () use ($id, $client): void {
                    [$rows] = q('SELECT id FROM stock WHERE id = ? LOCK IN SHARE MODE', [$id]);
                    if (count($rows) !== 1) fail("stock $id not found");
                    q("INSERT INTO reservations (stock_id, client, kind) VALUES (?, ?, 'watch')", [$id, $client]);
                });
                continue;
            }
            transaction(function () use ($id, $client): void {
                [$rows] = q('SELECT n FROM stock WHERE id = ? FOR UPDATE', [$id]);
                if (count($rows) !== 1) fail("stock $id not found");
                think();
                q('UPDATE stock SET n = ? WHERE id = ?', [(int) $rows[0][0] - 1, $id]);
                q("INSERT INTO reservations (stock_id, client, kind) VALUES (?, ?, 'take')", [$id, $client]);
            });
            table('stock', 'LOCKED_READ_WRITE_TRANSACTIONS');
            sum('taken');
        }
        break;

    // Several tables, always locked in one order: customers, then orders,
    // then order_items. Transactions lock two or three of them, some start
    // with plain (non-locking) reads of the later tables, which take no lock
    // and so have no order.
    case 'one_order':
        $mine = [];  // orders this client created: [order id, customer id]
        for ($i = 1; $i <= $n; ++$i) {
            $kind = $mine === [] ? 0 : $i % 4;
            if ($kind === 0) {  // a new order
                $customer = mt_rand(1, $customers);
                transaction(function () use ($customer, $client, &$mine): void {
                    q('UPDATE customers SET orders = orders + 1 WHERE id = ?', [$customer]);
                    [, , $order] = q("INSERT INTO orders (customer_id, state) VALUES (?, 'open')", [$customer]);
                    q('INSERT INTO order_items (order_id, sku) VALUES (?, ?)', [$order, "sku-$client"]);
                    q('INSERT INTO order_items (order_id, sku) VALUES (?, ?)', [$order, 'sku-gift']);
                    $mine[] = [$order, $customer];
                });
                continue;
            }
            [$order, $customer] = $mine[mt_rand(0, count($mine) - 1)];
            if ($kind === 1) {  // one more item: the order, then its items
                transaction(function () use ($order): void {
                    q('SELECT state FROM orders WHERE id = ? FOR UPDATE', [$order]);
                    q('INSERT INTO order_items (order_id, sku) VALUES (?, ?)', [$order, 'sku-extra']);
                });
            } elseif ($kind === 2) {  // shipping: reads the items, locks the customer, then the order
                transaction(function () use ($order, $customer): void {
                    q('SELECT sku FROM order_items WHERE order_id = ?', [$order]);
                    q('SELECT name FROM customers WHERE id = ? FOR UPDATE', [$customer]);
                    q("UPDATE orders SET state = 'shipped' WHERE id = ? AND state = 'open'", [$order]);
                });
            } else {  // an invoice: reads items and order, then counts it on the customer
                // (a self-relative write: a plain one, SET name = ?, of a row
                // that this connection's previous request read is the
                // read-then-write-later race UNSCOPED_READ_MODIFY_WRITE is for)
                transaction(function () use ($order, $customer): void {
                    q('SELECT COUNT(*) FROM order_items WHERE order_id = ?', [$order]);
                    q('SELECT state FROM orders WHERE id = ?', [$order]);
                    q('UPDATE customers SET invoices = invoices + 1 WHERE id = ?', [$customer]);
                });
            }
        }
        break;
}

// The server answers a statement before it notifies audit plugins: one more
// statement on this connection makes sure lockdiag has seen the last one.
$db->query('SELECT 1')->free();
$db->close();
echo "transactions $transactions\n";
ksort($tables);
foreach ($tables as $k => $v) echo "table $k $v\n";
ksort($sums);
foreach ($sums as $k => $v) echo "sum $k $v\n";
