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

// IsLockError: one of the codes above.
inline bool IsLockError(uint32_t code) {
  return code == kErrDupEntry || code == kErrDupEntryWithKeyName || code == kErrLockWaitTimeout ||
         code == kErrLockDeadlock || code == kErrCheckread;
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
  }
  return "UNKNOWN";
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_LOCK_ERRORS_H_
