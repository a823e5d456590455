#include "core/lock/access_kind.h"

namespace lockdiag {

const char* AccessKindName(AccessKind kind) {
  switch (kind) {
    case AccessKind::kRead:
      return "READ";
    case AccessKind::kReadShared:
      return "READ_SHARED";
    case AccessKind::kReadExclusive:
      return "READ_EXCLUSIVE";
    case AccessKind::kWrite:
      return "WRITE";
    case AccessKind::kLockTablesRead:
      return "LOCK_TABLES_READ";
    case AccessKind::kLockTablesWrite:
      return "LOCK_TABLES_WRITE";
  }
  return "UNKNOWN";
}

AccessKind ClassifyAccess(LockStrength lock, StatementClass stmt, bool serializable_txn) {
  switch (stmt) {
    case StatementClass::kLockTables:
      return lock == LockStrength::kWriteLock ? AccessKind::kLockTablesWrite : AccessKind::kLockTablesRead;
    case StatementClass::kModify:
      // The tables a DML statement only reads (INSERT ... SELECT source, the
      // joined tables of a multi-table UPDATE) carry read locks.
      if (lock == LockStrength::kWriteLock) return AccessKind::kWrite;
      break;
    case StatementClass::kRead:
      if (lock == LockStrength::kWriteLock) return AccessKind::kReadExclusive;
      break;
  }
  if (lock == LockStrength::kSharedRead) return AccessKind::kReadShared;
  return serializable_txn ? AccessKind::kReadShared : AccessKind::kRead;
}

}  // namespace lockdiag
