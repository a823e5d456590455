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
};

// One access of one statement to one table, in execution order.
struct TxnAccess {
  uint16_t table;  // index into TransactionRecord::tables
  AccessKind kind;
  bool under_named_lock;  // a GET_LOCK() lock was held at the time
  uint32_t statement;     // index of the statement within the transaction
  uint64_t digest;        // statement digest (0 until the statement ends)
  uint32_t key_begin;     // [key_begin, key_begin + key_count) in keys
  uint32_t key_count;
};

// A lock-related error the transaction ran into.
struct TxnError {
  uint32_t code;    // ER_DUP_ENTRY, ER_LOCK_DEADLOCK, ...
  int32_t table;    // index into tables, -1 when unknown
  uint64_t digest;  // statement that failed
  Timestamp time;
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
  TxnOutcome outcome = TxnOutcome::kCommit;
  uint32_t statements = 0;
  bool truncated = false;  // accesses or keys were capped
  Timestamp start = 0;
  Timestamp end = 0;

  void Clear();
  bool empty() const { return tables.empty() && errors.empty(); }
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_TRANSACTION_RECORD_H_
