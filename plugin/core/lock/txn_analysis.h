// txn_analysis.h: what one finished transaction says about locking, computed
// from its TransactionRecord alone, before anything shared is touched.
//
//   * its lock order: the tables it locked (any access but a plain kRead), in
//     the order of their first locking access;
//   * its read -> write correlations: for each (table, read digest, write
//     digest) pair, whether a write used key values an earlier read of the
//     same table had used, and whether that read was protected;
//   * per-table facts (wrote it? under LOCK TABLES? a read-modify-write?).
//
//   TxnFacts facts;                       // reuse: no allocation in steady state
//   AnalyzeTransaction(record, &facts);
//
// Pure function of the record; a TxnFacts is used by one thread at a time.
#ifndef LOCKDIAG_CORE_LOCK_TXN_ANALYSIS_H_
#define LOCKDIAG_CORE_LOCK_TXN_ANALYSIS_H_

#include <cstdint>
#include <vector>

#include "core/lock/transaction_record.h"

namespace lockdiag {

// One table in lock order: where its first locking access happened.
struct LockStep {
  uint16_t table;      // index into TransactionRecord::tables
  uint32_t statement;  // statement of the first locking access
  uint64_t digest;     // digest of that statement
  bool lock_tables;    // that access was LOCK TABLES (all its tables lock at once)
};

// One (table, read digest, write digest) pair seen in the transaction, once
// per transaction however often it occurred.
struct ReadWriteObservation {
  uint16_t table;
  uint64_t read_digest;
  uint64_t write_digest;
  bool matched;           // some write of the pair used a key an earlier read used
  bool protected_read;    // a matched read was protected (see IsProtectedRead)
  bool unprotected_read;  // a matched read was not protected
};

// Per-table facts, indexed like TransactionRecord::tables.
struct TableFacts {
  bool wrote = false;                       // kWrite or kLockTablesWrite
  bool lock_tables = false;                 // accessed under LOCK TABLES
  bool locked_without_lock_tables = false;  // a locking read or write outside LOCK TABLES
  bool unlocked_read_write = false;         // a key-matched read -> write with an unprotected read
  bool locked_read_write = false;           // a key-matched read -> write with a protected read
  uint64_t write_digest = 0;                // first statement that wrote it
  uint64_t lock_tables_digest = 0;          // first statement under LOCK TABLES
  uint64_t unlocked_digest = 0;             // first locking statement outside LOCK TABLES
};

struct TxnFacts {
  std::vector<LockStep> lock_order;
  std::vector<ReadWriteObservation> read_writes;
  std::vector<TableFacts> tables;
  // Work skipped because of the caps below (counted in Lockdiag_dropped_events).
  uint32_t dropped = 0;

  void Clear();
};

// Caps that bound the work per transaction.
inline constexpr size_t kMaxLockOrderTables = 32;  // tables placed in lock order
inline constexpr size_t kMaxReadWritePairsPerTxn = 64;
inline constexpr size_t kMaxKeyComparisonsPerTxn = 1 << 16;

// IsReadAccess / IsWriteAccess: the sides of a read -> write correlation.
inline bool IsReadAccess(AccessKind k) {
  return k == AccessKind::kRead || k == AccessKind::kReadShared || k == AccessKind::kReadExclusive ||
         k == AccessKind::kLockTablesRead;
}
inline bool IsWriteAccess(AccessKind k) {
  return k == AccessKind::kWrite || k == AccessKind::kLockTablesWrite;
}

// IsProtectedRead: a read whose rows cannot change before the transaction's
// later write: a locking read, a read under LOCK TABLES, or a read made while
// a named lock (GET_LOCK) was held.
inline bool IsProtectedRead(const TxnAccess& a) {
  return IsLockingRead(a.kind) || IsLockTables(a.kind) || a.under_named_lock;
}

// AnalyzeTransaction fills `facts` (clearing it first).
void AnalyzeTransaction(const TransactionRecord& txn, TxnFacts* facts);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_TXN_ANALYSIS_H_
