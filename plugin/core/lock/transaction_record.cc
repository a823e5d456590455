#include "core/lock/transaction_record.h"

namespace lockdiag {

const char* IsolationName(Isolation iso) {
  switch (iso) {
    case Isolation::kReadUncommitted:
      return "READ-UNCOMMITTED";
    case Isolation::kReadCommitted:
      return "READ-COMMITTED";
    case Isolation::kRepeatableRead:
      return "REPEATABLE-READ";
    case Isolation::kSerializable:
      return "SERIALIZABLE";
  }
  return "UNKNOWN";
}

void TransactionRecord::Clear() {
  // clear() keeps the capacity: a connection reuses its buffers, so the steady
  // state allocates nothing per transaction.
  tables.clear();
  accesses.clear();
  keys.clear();
  errors.clear();
  new_digests.clear();
  isolation = Isolation::kRepeatableRead;
  autocommit = true;
  explicit_transaction = false;
  xa = false;
  lock_tables = false;
  backup = false;
  outcome = TxnOutcome::kCommit;
  statements = 0;
  first_statement = 0;
  if (after_deadlock.present) after_deadlock = DeadlockAftermath{};
  idle_holds.clear();
  truncated = false;
  start = end = 0;
}

}  // namespace lockdiag
