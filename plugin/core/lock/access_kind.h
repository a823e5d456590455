// access_kind.h: how a statement touched a table, as lockdiag classifies it.
//
// The adapter maps the server's lock types to these (see
// plugin/server/access_classifier.cc); the core only ever sees these values.
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

// AccessKindName returns the SQL-facing name ("READ", "WRITE", ...).
const char* AccessKindName(AccessKind kind);

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
