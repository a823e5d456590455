<?php
// race.php: a PHP application that races the way real ones do, through the
// binary protocol (COM_STMT_PREPARE / COM_STMT_EXECUTE), so that every key
// reaches the server as a bound parameter.
//
//   php race.php mysqli|pdo txn|autocommit|safe SOCKET SCHEMA
//
// Environment: LOCKDIAG_DRV_USER, LOCKDIAG_DRV_PASSWORD (default
// lockdiag_drv / lockdiag_drv), LOCKDIAG_DRV_ITERATIONS (default 20).
//
// It runs one phase (see README.md) and prints on stdout what it produced,
// counted from the statements it executed, in the format run-drivers.sh
// compares with LOCKDIAG_TABLES / LOCKDIAG_PATTERNS (class Tracker below).
// Any SQL error ends it with a non-zero exit code.

declare(strict_types=1);

if ($argc !== 5 || !in_array($argv[1], ['mysqli', 'pdo'], true) ||
    !in_array($argv[2], ['txn', 'autocommit', 'safe'], true)) {
    fwrite(STDERR, "usage: php race.php mysqli|pdo txn|autocommit|safe SOCKET SCHEMA\n");
    exit(2);
}
[, $mode, $phase, $socket, $schema] = $argv;
$user = getenv('LOCKDIAG_DRV_USER') ?: 'lockdiag_drv';
$password = getenv('LOCKDIAG_DRV_PASSWORD') ?: 'lockdiag_drv';
$n = (int) (getenv('LOCKDIAG_DRV_ITERATIONS') ?: 20);

// ---------------------------------------------------------------------------
// Tracker: what the statements this script executed should make lockdiag
// record, per table. Every count is incremented after a statement succeeded;
// read-modify-write transactions are the transactions in which a write used a
// key (column = value) that an earlier read of the same table in the same
// transaction used. Autocommit statements are one transaction each; a write
// whose key the previous autocommit statement on that table read with a
// plain read is an "unscoped" read-modify-write pair.
final class Tracker
{
    public int $prepares = 0;
    public int $executes = 0;
    public int $transactions = 0;
    /** @var array<string, array<string, int>> */
    public array $tables = [];
    /** @var list<array{string, string, string, int}> */
    public array $findings = [];
    private ?array $txn = null;
    /** @var array<string, string> table => key of the last autocommit plain read */
    private array $lastAutocommitRead = [];
    /** @var array<string, int> */
    public array $unscopedPairs = [];

    private function &table(string $t): array
    {
        if (!isset($this->tables[$t])) {
            $this->tables[$t] = ['reads' => 0, 'shared_reads' => 0, 'exclusive_reads' => 0, 'writes' => 0,
                'lock_tables' => 0, 'transactions' => 0, 'unlocked_rmw' => 0, 'locked_rmw' => 0,
                'duplicate_key_errors' => 0, 'deadlocks' => 0, 'lock_wait_timeouts' => 0];
        }
        return $this->tables[$t];
    }

    public function begin(): void
    {
        $this->txn = ['tables' => [], 'read' => [], 'rmw' => []];
    }

    public function commit(): void
    {
        $this->endTxn($this->txn);
        $this->txn = null;
    }

    private function endTxn(array $txn): void
    {
        if ($txn['tables'] !== []) $this->transactions++;
        foreach (array_keys($txn['tables']) as $t) $this->table($t)['transactions']++;
        foreach ($txn['rmw'] as $t => $locked) $this->table($t)[$locked ? 'locked_rmw' : 'unlocked_rmw']++;
    }

    // kind: read | exclusive_read | write. key: "column=value".
    public function statement(string $table, string $kind, string $key): void
    {
        $row = &$this->table($table);
        $row[$kind === 'read' ? 'reads' : ($kind === 'exclusive_read' ? 'exclusive_reads' : 'writes')]++;
        $autocommit = $this->txn === null;
        $txn = $autocommit ? ['tables' => [], 'read' => [], 'rmw' => []] : $this->txn;
        $txn['tables'][$table] = true;
        if ($kind === 'write') {
            if (isset($txn['read'][$table][$key]) && !isset($txn['rmw'][$table])) {
                $txn['rmw'][$table] = $txn['read'][$table][$key];  // protected read?
            }
        } else {
            $txn['read'][$table][$key] = $kind === 'exclusive_read';
        }
        if ($autocommit) {
            $this->endTxn($txn);
            if ($kind === 'write' && ($this->lastAutocommitRead[$table] ?? null) === $key) {
                $this->unscopedPairs[$table] = ($this->unscopedPairs[$table] ?? 0) + 1;
                // An unscoped read-modify-write is an unprotected one:
                // UNLOCKED_READ_WRITE_TRANSACTIONS counts it too.
                $this->table($table)['unlocked_rmw']++;
            }
            if ($kind === 'read') {
                $this->lastAutocommitRead[$table] = $key;
            } else {
                unset($this->lastAutocommitRead[$table]);
            }
        } else {
            $this->txn = $txn;
        }
    }

    // The finding this workload is written to produce on `table`, with the
    // number of its transactions (pairs) that showed it.
    public function expectFinding(string $pattern, string $table): void
    {
        $occurrences = $pattern === 'UNSCOPED_READ_MODIFY_WRITE'
            ? ($this->unscopedPairs[$table] ?? 0) : $this->tables[$table]['unlocked_rmw'];
        $this->findings[] = [$pattern, $table, $occurrences];
    }

    public function report(): void
    {
        echo "prepares {$this->prepares}\n";
        echo "executes {$this->executes}\n";
        echo "transactions {$this->transactions}\n";
        ksort($this->tables);
        foreach ($this->tables as $t => $c) {
            $fields = [];
            foreach ($c as $k => $v) $fields[] = "$k=$v";
            echo "table $t " . implode(' ', $fields) . "\n";
        }
        foreach ($this->findings as [$pattern, $table, $occ]) {
            // Findings of the rule that has not landed yet are tagged so the
            // runner can switch their check (LOCKDIAG_EXPECT_UNSCOPED).
            $tag = $pattern === 'UNSCOPED_READ_MODIFY_WRITE' ? 'finding-unscoped' : 'finding';
            echo "$tag $pattern $table $occ 0\n";
        }
    }
}

// ---------------------------------------------------------------------------
// The two PHP APIs behind one interface: prepare once, execute many times
// with bound parameters, transactions through the API's own calls.
interface Db
{
    /** @return callable(array): list<list<mixed>> */
    public function prepare(string $sql): callable;
    public function begin(): void;
    public function commit(): void;
    public function close(): void;
}

final class MysqliDb implements Db
{
    private mysqli $db;

    public function __construct(string $socket, string $user, string $password, string $schema)
    {
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
        $this->db = new mysqli('localhost', $user, $password, $schema, 0, $socket);
        $this->db->set_charset('utf8mb4');
    }

    public function prepare(string $sql): callable
    {
        $stmt = $this->db->prepare($sql);  // COM_STMT_PREPARE
        return function (array $params) use ($stmt): array {
            // Integers as MYSQL_TYPE_LONGLONG, everything else as strings.
            $types = '';
            foreach ($params as $p) $types .= is_int($p) ? 'i' : 's';
            if ($params !== []) $stmt->bind_param($types, ...$params);
            $stmt->execute();  // COM_STMT_EXECUTE
            $result = $stmt->get_result();
            if ($result === false) return [];
            $rows = $result->fetch_all(MYSQLI_NUM);
            $result->free();
            return $rows;
        };
    }

    public function begin(): void { $this->db->begin_transaction(); }
    public function commit(): void { $this->db->commit(); }
    public function close(): void { $this->db->close(); }
}

final class PdoDb implements Db
{
    private ?PDO $db;

    public function __construct(string $socket, string $user, string $password, string $schema)
    {
        $this->db = new PDO("mysql:unix_socket=$socket;dbname=$schema;charset=utf8mb4", $user, $password, [
            PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
            // Server-side prepared statements: the binary protocol.
            PDO::ATTR_EMULATE_PREPARES => false,
        ]);
    }

    public function prepare(string $sql): callable
    {
        $stmt = $this->db->prepare($sql);  // COM_STMT_PREPARE
        return function (array $params) use ($stmt): array {
            // PDO's usual call: every value bound as a string.
            $stmt->execute(array_map('strval', $params));  // COM_STMT_EXECUTE
            $rows = $stmt->columnCount() > 0 ? $stmt->fetchAll(PDO::FETCH_NUM) : [];
            $stmt->closeCursor();
            return $rows;
        };
    }

    public function begin(): void { $this->db->beginTransaction(); }
    public function commit(): void { $this->db->commit(); }
    public function close(): void { $this->db = null; }
}

// ---------------------------------------------------------------------------
$db = $mode === 'mysqli' ? new MysqliDb($socket, $user, $password, $schema)
                         : new PdoDb($socket, $user, $password, $schema);
$track = new Tracker();
$prepared = [];
// run(sql, params, table, kind, key): one execution of a prepared statement,
// prepared on first use.
$run = function (string $sql, array $params, string $table, string $kind, string $key)
    use ($db, $track, &$prepared): array {
    if (!isset($prepared[$sql])) {
        $prepared[$sql] = $db->prepare($sql);
        $track->prepares++;
    }
    $rows = ($prepared[$sql])($params);
    $track->executes++;
    $track->statement($table, $kind, $key);
    return $rows;
};
$fail = function (string $why): void {
    fwrite(STDERR, "race.php: $why\n");
    exit(1);
};
$begin = function () use ($db, $track): void { $db->begin(); $track->begin(); };
$commit = function () use ($db, $track): void { $db->commit(); $track->commit(); };

$selectUser = 'SELECT id FROM users WHERE email = ?';
$insertUser = 'INSERT INTO users (email) VALUES (?)';
$selectCredits = 'SELECT credits FROM accounts WHERE id = ?';
$updateCredits = 'UPDATE accounts SET credits = ? WHERE id = ?';

// Check-then-insert: look the e-mail up, insert it when absent.
$signup = function (string $email) use ($run, $fail, $selectUser, $insertUser): void {
    $rows = $run($selectUser, [$email], 'users', 'read', "email=$email");
    if ($rows !== []) $fail("$email already exists: the schema was not fresh");
    $run($insertUser, [$email], 'users', 'write', "email=$email");
};
// Read-compute-write: the lost update.
$spend = function (int $id, string $lock) use ($run, $fail, $selectCredits, $updateCredits): void {
    $sql = $selectCredits . ($lock === 'exclusive_read' ? ' FOR UPDATE' : '');
    $rows = $run($sql, [$id], 'accounts', $lock, "id=$id");
    if (count($rows) !== 1) $fail("account $id not found");
    $run($updateCredits, [(int) $rows[0][0] - 1, $id], 'accounts', 'write', "id=$id");
};

switch ($phase) {
    case 'txn':  // (a) the races inside transactions: found today
        for ($i = 1; $i <= $n; ++$i) {
            $begin();
            $signup("txn-$i@example.com");
            $commit();
        }
        for ($i = 1; $i <= $n; ++$i) {
            $begin();
            $spend($i, 'read');
            $commit();
        }
        $track->expectFinding('UNLOCKED_READ_MODIFY_WRITE', 'users');
        $track->expectFinding('UNLOCKED_READ_MODIFY_WRITE', 'accounts');
        break;
    case 'autocommit':  // (b) the same races without a transaction
        for ($i = 1; $i <= $n; ++$i) $signup("auto-$i@example.com");
        for ($i = 1; $i <= $n; ++$i) $spend($i, 'read');
        $track->expectFinding('UNSCOPED_READ_MODIFY_WRITE', 'users');
        $track->expectFinding('UNSCOPED_READ_MODIFY_WRITE', 'accounts');
        break;
    case 'safe':  // (c) the correct versions, and keys that do not match
        for ($i = 1; $i <= $n; ++$i) {
            $begin();
            $spend($i, 'exclusive_read');
            $commit();
        }
        // One statement does check and write; each e-mail twice, so that the
        // duplicate-key branch runs too.
        for ($i = 1; $i <= $n; ++$i) {
            $email = 'visit-' . intdiv($i + 1, 2) . '@example.com';
            $run('INSERT INTO visits (email, n) VALUES (?, 1) ON DUPLICATE KEY UPDATE n = n + 1', [$email],
                 'visits', 'write', "email=$email");
        }
        // Read one key, write another: same statements as the race, so only
        // the bound values tell them apart.
        for ($i = 1; $i <= $n; ++$i) {
            $begin();
            $rows = $run($selectUser, ["absent-$i@example.com"], 'users', 'read', "email=absent-$i@example.com");
            if ($rows !== []) $fail("absent-$i@example.com exists");
            $run($insertUser, ["other-$i@example.com"], 'users', 'write', "email=other-$i@example.com");
            $commit();
        }
        break;
}

// The server answers a statement before it notifies audit plugins: one more
// statement on this connection makes sure lockdiag has seen the last one.
$sync = $db->prepare('SELECT 1');
$track->prepares++;
$one = $sync([]);
if (count($one) !== 1 || (int) $one[0][0] !== 1) $fail('SELECT 1 did not return 1');
$track->executes++;
$db->close();
$track->report();
