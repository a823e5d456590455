// access_kind.h: how a statement touched a table, as lockdiag classifies it.
//
// The adapter reduces the server's lock type and statement kind to a
// LockStrength and a StatementClass (plugin/server/audit_adapter.cc) and
// ClassifyAccess below decides; the core only ever sees these values.
#ifndef LOCKDIAG_CORE_LOCK_ACCESS_KIND_H_
#define LOCKDIAG_CORE_LOCK_ACCESS_KIND_H_

#include <cstdint>

namespace lockdiag {

enum class AccessKind : uint8_t {
  kRead = 0,         // plain consistent (non-locking) read
  kReadShared,       // SELECT ... LOCK IN SHARE MODE
  kReadExclusive,    // SELECT ... FOR UPDATE
  kWrite,            // INSERT / UPDATE / DELETE / REPLACE (any form)
  kLockTablesRead,   // LOCK TABLES t READ, and statements under it
  kLockTablesWrite,  // LOCK TABLES t WRITE, and statements under it
};
inline constexpr int kAccessKindCount = 6;
static_assert(static_cast<int>(AccessKind::kLockTablesWrite) + 1 == kAccessKindCount,
              "kAccessKindCount must count every AccessKind");

// AccessKindName returns the SQL-facing name ("READ", "WRITE", ...).
const char* AccessKindName(AccessKind kind);

// WriteForm: how a write computes what it writes, which decides whether it
// can be the second half of a read-modify-write (docs/patterns.md).
enum class WriteForm : uint8_t {
  kPlain = 0,      // UPDATE / DELETE with values the application computed (and any
                   // write whose form the adapter did not tell)
  kInsert,         // INSERT: creates rows (a check-then-insert race ends in 1062)
  kCompareAndSet,  // UPDATE ... SET v = ? WHERE id = ? AND v = ?: optimistic concurrency
                   // control, the WHERE clause re-checks a column it assigns
  kSelfRelative,   // UPDATE ... SET n = n + 1 (every assignment computed from the row
                   // itself or constants): atomic, reads nothing the application had
  kUpsert,         // INSERT ... ON DUPLICATE KEY UPDATE, INSERT IGNORE, REPLACE
};

// IsReadModifyWriteForm: the write may act on what an earlier read saw (the
// application computed its values or decided to insert).
inline bool IsReadModifyWriteForm(WriteForm f) { return f == WriteForm::kPlain || f == WriteForm::kInsert; }
// IsInsertingForm: the write may create the row (and so takes an insert
// intention lock in a gap another transaction may hold).
inline bool IsInsertingForm(WriteForm f) { return f == WriteForm::kInsert || f == WriteForm::kUpsert; }

// IsRowLocking: the access takes shared-or-stronger locks (or writes), i.e. it
// takes part in lock ordering.
inline bool IsRowLocking(AccessKind k) { return k != AccessKind::kRead; }

// IsLockingRead: a read that protects what it read until the transaction ends.
inline bool IsLockingRead(AccessKind k) {
  return k == AccessKind::kReadShared || k == AccessKind::kReadExclusive;
}

inline bool IsLockTables(AccessKind k) {
  return k == AccessKind::kLockTablesRead || k == AccessKind::kLockTablesWrite;
}

// What the server's lock on a table handle says, reduced to what matters.
enum class LockStrength : uint8_t {
  kPlainRead,   // TL_READ, TL_READ_NO_INSERT, TL_READ_HIGH_PRIORITY, ...
  kSharedRead,  // TL_READ_WITH_SHARED_LOCKS (LOCK IN SHARE MODE)
  kWriteLock,   // any TL_WRITE_* (FOR UPDATE, or the table is written)
};

// What kind of statement took the lock.
enum class StatementClass : uint8_t {
  kRead,        // SELECT, DO, SET, CALL, ...: a write lock means FOR UPDATE
  kModify,      // INSERT, UPDATE, DELETE, REPLACE, LOAD DATA, multi-table forms
  kLockTables,  // LOCK TABLES itself, or any statement under LOCK TABLES
};

// ClassifyAccess maps a lock taken by a statement to an AccessKind.
// `serializable_txn`: the statement runs in a multi-statement transaction at
// SERIALIZABLE, where InnoDB turns plain reads into shared locking reads.
AccessKind ClassifyAccess(LockStrength lock, StatementClass stmt, bool serializable_txn);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_ACCESS_KIND_H_
