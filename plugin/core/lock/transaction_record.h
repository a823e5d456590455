// transaction_record.h: what one connection learned in one transaction, handed
// from its Session to the shared Analyzer in one piece when the transaction
// ends. Plain data, no server types.
#ifndef LOCKDIAG_CORE_LOCK_TRANSACTION_RECORD_H_
#define LOCKDIAG_CORE_LOCK_TRANSACTION_RECORD_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lock/access_kind.h"
#include "core/common/clock.h"

namespace lockdiag {

// Isolation levels, numbered as the server's enum_tx_isolation.
enum class Isolation : uint8_t {
  kReadUncommitted = 0,
  kReadCommitted = 1,
  kRepeatableRead = 2,
  kSerializable = 3,
};
const char* IsolationName(Isolation iso);

// How a transaction ended.
enum class TxnOutcome : uint8_t {
  kCommit,      // COMMIT, XA COMMIT, autocommit statement, implicit commit
  kRollback,    // ROLLBACK, XA ROLLBACK
  kDeadlock,    // rolled back by the server after ER_LOCK_DEADLOCK
  kDisconnect,  // connection closed with the transaction open (server rolls back)
};

// A table the transaction touched, in order of first access.
struct TxnTable {
  std::string schema;
  std::string table;
  uint64_t hash = 0;                                  // TableHash(schema, table)
  std::array<uint32_t, kAccessKindCount> accesses{};  // by AccessKind
  bool transactional = false;                         // its engine has transactions (InnoDB)
};

// One access of one statement to one table, in execution order.
struct TxnAccess {
  uint16_t table = 0;  // index into TransactionRecord::tables
  AccessKind kind = AccessKind::kRead;
  WriteForm form = WriteForm::kPlain;  // writes only
  bool under_named_lock = false;       // a GET_LOCK() lock was held at the time
  bool found_nothing = false;          // the statement returned no row (reads; set at its end)
  bool found_rows = false;             // the statement returned rows (neither: not known)
  uint32_t statement = 0;              // index of the statement within the transaction
  uint64_t digest = 0;                 // statement digest (0 until the statement ends)
  uint32_t key_begin = 0;              // [key_begin, key_begin + key_count) in keys
  uint32_t key_count = 0;
};

// A lock-related error the transaction ran into.
struct TxnError {
  uint32_t code = 0;    // ER_DUP_ENTRY, ER_LOCK_DEADLOCK, ...
  int32_t table = -1;   // index into tables, -1 when unknown
  uint64_t digest = 0;  // statement that failed
  Timestamp time = 0;
  uint64_t incident = 0;   // its LOCKDIAG_INCIDENTS id, 0 when not kept
  uint32_t statement = 0;  // index of the failing statement within the transaction
};

// The deadlock that ended the connection's previous transaction, handed to
// the next transaction that ran before the application issued BEGIN,
// COMMIT or ROLLBACK: if that one writes, the application went on as if
// still inside the rolled-back transaction (IGNORED_LOCK_ERROR).
struct DeadlockAftermath {
  bool present = false;
  uint64_t table_hash = 0;  // the deadlocked statement's table
  std::string schema;
  std::string table;
  uint64_t failed_digest = 0;        // the statement the deadlock hit
  uint64_t failed_first_digest = 0;  // the first statement of the rolled-back transaction
};

// A time the transaction sat idle between two statements while it held row
// locks (LOCK_HELD_IDLE): from the end of one statement to the start of the
// next (or to the disconnect).
struct IdleHold {
  Timestamp start = 0;
  Timestamp end = 0;
  uint64_t before_digest = 0;  // the last statement that touched a table before it
  uint64_t after_digest = 0;   // the statement after it (0: the connection closed)
  // Index into TransactionRecord::tables of each table it held locks on.
  std::vector<uint16_t> tables;
};

struct TransactionRecord {
  std::vector<TxnTable> tables;
  std::vector<TxnAccess> accesses;
  // Hashes of (column, value) pairs: the equality predicates of reads and the
  // key values of writes. Never the values themselves.
  std::vector<uint64_t> keys;
  std::vector<TxnError> errors;
  // Normalised text of digests this connection had not published before.
  std::vector<std::pair<uint64_t, std::string>> new_digests;
  // Isolation level and autocommit as they were at the transaction's first
  // statement (InnoDB fixes the level when the transaction starts).
  Isolation isolation = Isolation::kRepeatableRead;
  bool autocommit = true;
  bool explicit_transaction = false;  // BEGIN / autocommit=0 / XA, not one autocommit statement
  bool xa = false;
  bool lock_tables = false;  // ran (partly) under LOCK TABLES
  bool backup = false;       // run by a backup tool's session (mariadb-dump, FLUSH TABLES WITH READ LOCK)
  TxnOutcome outcome = TxnOutcome::kCommit;
  uint32_t statements = 0;
  DeadlockAftermath after_deadlock;
  // The longest idle times with row locks held (at most
  // Session::kMaxIdleHoldsPerTxn).
  std::vector<IdleHold> idle_holds;
  // The connection-wide number of its first statement (the connection's
  // statements are numbered from 0), for the unscoped window.
  uint64_t first_statement = 0;
  bool truncated = false;  // accesses or keys were capped
  Timestamp start = 0;
  Timestamp end = 0;

  void Clear();
  bool empty() const { return tables.empty() && errors.empty(); }
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_TRANSACTION_RECORD_H_
