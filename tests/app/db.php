<?php
// db.php: the poetry site's data layer, as PHP code usually has one: mysqli
// prepared statements (prepared once per connection, every value a bound
// parameter), autocommit unless an endpoint begins a transaction, and the
// deadlock / lock wait timeout retry a careful application wraps its
// transactions in. It also counts what the test runner compares with
// lockdiag: the transactions that touched a table and the lock-related
// errors the server raised, by code.
//
//   $db = new Db($socket, 'poetry', 'lockdiag_app', 'lockdiag_app');
//   [$rows, $affected, $insertId] = $db->q('SELECT id FROM users WHERE email = ?', [$email]);
//   $db->transaction('buy', function () use ($db) { ... });  // retried after 1213 / 1205
//   $db->close();                                             // ends with SELECT 1 (see close())

declare(strict_types=1);

const ER_DUP_ENTRY = 1062;
const ER_LOCK_WAIT_TIMEOUT = 1205;
const ER_LOCK_DEADLOCK = 1213;
// The lock-related errors lockdiag records as incidents (the ones this
// application can run into).
const LOCK_ERRORS = [ER_DUP_ENTRY, ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK];

final class Db
{
    /** Transactions that touched a table: an autocommit statement is one, every attempt of a retried one counts. */
    public int $transactions = 0;
    /** @var array<int, int> lock-related errors the server raised, by code (retried or not) */
    public array $errors = [];
    /** @var array<string, int> lock errors the retry helpers took care of, by endpoint */
    public array $retried = [];

    private mysqli $db;
    private bool $inTxn = false;
    /** @var array<string, mysqli_stmt> */
    private array $prepared = [];

    public function __construct(string $socket, string $schema, string $user, string $password)
    {
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
        $this->db = new mysqli('localhost', $user, $password, $schema, 0, $socket);
        $this->db->set_charset('utf8mb4');
    }

    /**
     * q runs a prepared statement (prepared on first use) and returns
     * [rows, affected rows, insert id]. Outside a transaction it is one.
     * A lock-related error is counted, then thrown as mysqli_sql_exception.
     */
    public function q(string $sql, array $params = []): array
    {
        $stmt = $this->prepared[$sql] ??= $this->db->prepare($sql);
        if ($params !== []) {
            $types = '';
            foreach ($params as $p) $types .= is_int($p) ? 'i' : 's';
            $stmt->bind_param($types, ...$params);
        }
        if (!$this->inTxn) ++$this->transactions;  // counted even when it fails: it touched its table
        try {
            $stmt->execute();
        } catch (mysqli_sql_exception $e) {
            if (in_array($e->getCode(), LOCK_ERRORS, true)) {
                $this->errors[$e->getCode()] = ($this->errors[$e->getCode()] ?? 0) + 1;
            }
            throw $e;
        }
        $result = $stmt->get_result();
        $rows = $result === false ? [] : $result->fetch_all(MYSQLI_NUM);
        if ($result !== false) $result->free();
        return [$rows, $stmt->affected_rows, $stmt->insert_id];
    }

    /** set runs a session setting (SET ...): no table, no transaction. */
    public function set(string $sql): void
    {
        $this->db->query($sql);
    }

    public function inTransaction(): bool
    {
        return $this->inTxn;
    }

    public function begin(): void
    {
        $this->db->begin_transaction();
        $this->inTxn = true;
        ++$this->transactions;
    }

    public function commit(): void
    {
        $this->db->commit();
        $this->inTxn = false;
    }

    public function rollback(): void
    {
        $this->db->rollback();
        $this->inTxn = false;
    }

    /**
     * transaction runs $fn in a transaction and commits it ($fn returns false
     * to roll back instead). After a deadlock (the server rolled everything
     * back) or a lock wait timeout (only the statement was) it rolls back and
     * runs the whole transaction again from its first statement: the handling
     * docs/patterns.md (IGNORED_LOCK_ERROR) asks for. $label names the
     * endpoint in the retry counts.
     */
    public function transaction(string $label, callable $fn): void
    {
        for ($attempt = 1; ; ++$attempt) {
            $this->begin();
            try {
                if ($fn() === false) $this->rollback(); else $this->commit();
                return;
            } catch (mysqli_sql_exception $e) {
                $this->rollback();
                $this->retryOrThrow($label, $e, $attempt);
            }
        }
    }

    /** retrying runs one autocommit statement (in $fn) again after a deadlock or a lock wait timeout. */
    public function retrying(string $label, callable $fn): mixed
    {
        for ($attempt = 1; ; ++$attempt) {
            try {
                return $fn();
            } catch (mysqli_sql_exception $e) {
                $this->retryOrThrow($label, $e, $attempt);
            }
        }
    }

    /**
     * close ends the connection. The server answers a statement before it
     * notifies audit plugins: one more statement on the connection makes sure
     * lockdiag has seen the last one before the runner reads LOCKDIAG_*.
     */
    public function close(): void
    {
        $this->db->query('SELECT 1')->free();
        $this->db->close();
    }

    private function retryOrThrow(string $label, mysqli_sql_exception $e, int $attempt): void
    {
        if (!in_array($e->getCode(), [ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT], true)) throw $e;
        if ($attempt >= 200) throw new RuntimeException("$label: $attempt lock errors in a row");
        $this->retried[$label] = ($this->retried[$label] ?? 0) + 1;
        // A short random pause: retrying at once would meet the same lock
        // holder (the tip endpoint does not wait for locks at all).
        usleep(mt_rand(200, 2000));
    }
}
