// lock_errors.h: the lock-related server errors lockdiag records.
#ifndef LOCKDIAG_CORE_LOCK_LOCK_ERRORS_H_
#define LOCKDIAG_CORE_LOCK_LOCK_ERRORS_H_

#include <cstdint>

namespace lockdiag {

inline constexpr uint32_t kErrCheckread = 1020;            // ER_CHECKREAD
inline constexpr uint32_t kErrDupEntry = 1062;             // ER_DUP_ENTRY
inline constexpr uint32_t kErrLockWaitTimeout = 1205;      // ER_LOCK_WAIT_TIMEOUT
inline constexpr uint32_t kErrLockDeadlock = 1213;         // ER_LOCK_DEADLOCK
inline constexpr uint32_t kErrDupEntryWithKeyName = 1586;  // ER_DUP_ENTRY_WITH_KEY_NAME

// Cluster conflicts (Galera): the client gets ER_LOCK_DEADLOCK (1213), but
// no InnoDB deadlock happened on this node. Either a write set replicated
// from another node needed the transaction's row locks and aborted it
// (brute-force abort), or the transaction's own write set lost certification
// against one committed first elsewhere. The adapter tells them from a real
// deadlock (server/cluster_conflict.h) and hands them to the core under
// codes of their own, outside the server's error range (which ends below
// 10000), so that they never count as deadlocks nor link to lock-order
// findings. ClientErrorCode() gives back what the client saw.
inline constexpr uint32_t kErrClusterBruteForceAbort = 101213;
inline constexpr uint32_t kErrClusterCertificationFailure = 201213;

// IsClusterConflict: one of the two codes above.
inline bool IsClusterConflict(uint32_t code) {
  return code == kErrClusterBruteForceAbort || code == kErrClusterCertificationFailure;
}

// ClientErrorCode: the error the client received for `code` (ERROR_CODE).
inline uint32_t ClientErrorCode(uint32_t code) { return IsClusterConflict(code) ? kErrLockDeadlock : code; }

// ClusterConflictKind: "BRUTE_FORCE_ABORT", "CERTIFICATION_FAILURE", or
// nullptr for any other code (LOCKDIAG_INCIDENTS.CONFLICT_KIND).
inline const char* ClusterConflictKind(uint32_t code) {
  if (code == kErrClusterBruteForceAbort) return "BRUTE_FORCE_ABORT";
  if (code == kErrClusterCertificationFailure) return "CERTIFICATION_FAILURE";
  return nullptr;
}

// IsLockError: one of the codes above.
inline bool IsLockError(uint32_t code) {
  return code == kErrDupEntry || code == kErrDupEntryWithKeyName || code == kErrLockWaitTimeout ||
         code == kErrLockDeadlock || code == kErrCheckread || IsClusterConflict(code);
}

// RollsBackTransaction: the server rolled the whole transaction back (a
// deadlock victim, a cluster conflict), whatever its state reads after.
inline bool RollsBackTransaction(uint32_t code) {
  return code == kErrLockDeadlock || IsClusterConflict(code);
}

// IsDuplicateKey: the errors a check-then-act race produces.
inline bool IsDuplicateKey(uint32_t code) { return code == kErrDupEntry || code == kErrDupEntryWithKeyName; }

// IsLockConflict: the errors a lock-order problem produces.
inline bool IsLockConflict(uint32_t code) { return code == kErrLockDeadlock || code == kErrLockWaitTimeout; }

// LockErrorName: the server's symbolic name ("ER_DUP_ENTRY"), "UNKNOWN" otherwise.
inline const char* LockErrorName(uint32_t code) {
  switch (code) {
    case kErrCheckread:
      return "ER_CHECKREAD";
    case kErrDupEntry:
      return "ER_DUP_ENTRY";
    case kErrLockWaitTimeout:
      return "ER_LOCK_WAIT_TIMEOUT";
    case kErrLockDeadlock:
      return "ER_LOCK_DEADLOCK";
    case kErrDupEntryWithKeyName:
      return "ER_DUP_ENTRY_WITH_KEY_NAME";
    case kErrClusterBruteForceAbort:
    case kErrClusterCertificationFailure:
      return "CLUSTER_CONFLICT";
  }
  return "UNKNOWN";
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_LOCK_ERRORS_H_
