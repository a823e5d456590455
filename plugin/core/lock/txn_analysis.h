// txn_analysis.h: what one finished transaction says about locking, computed
// from its TransactionRecord (and, for races without a transaction, the
// connection's recent reads) before anything shared is touched.
//
//   * its lock order: the tables it locked (any access but a plain kRead), in
//     the order of their first locking access;
//   * its read -> write correlations: for each (table, read digest, write
//     digest) pair, whether a write used key values an earlier read of the
//     same table had used, whether that read was protected, and the lock
//     idioms InnoDB deadlocks on (a locking read that found no row followed
//     by an insert of that key; a shared lock upgraded by a write);
//   * the same correlation across transactions ("unscoped"): a write whose
//     key an earlier transaction of the connection had read, with no
//     transaction around the two (autocommit web code);
//   * per-table facts (wrote it? under LOCK TABLES? a read-modify-write?).
//
//   TxnFacts facts;                           // reuse: no allocation in steady state
//   AnalyzeTransaction(record, &recent, &facts);
//   recent.Remember(record);                  // after: its reads join the window
//
// Pure functions of their inputs; a TxnFacts or RecentReads is used by one
// thread at a time (its connection's).
#ifndef LOCKDIAG_CORE_LOCK_TXN_ANALYSIS_H_
#define LOCKDIAG_CORE_LOCK_TXN_ANALYSIS_H_

#include <array>
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
// per transaction however often it occurred. `unscoped` pairs have their read
// in an earlier transaction of the connection; the others have both in this
// one. A pair whose write is not of a read-modify-write form (WriteForm) is
// still observed when its read took locks, for the lock idioms.
struct ReadWriteObservation {
  uint16_t table = 0;
  uint64_t read_digest = 0;
  uint64_t write_digest = 0;
  bool unscoped = false;
  bool rmw_write = false;         // the write is of a read-modify-write form (plain or insert)
  bool insert = false;            // the write is an INSERT (check-then-insert rather than lost update)
  bool matched = false;           // some write of the pair used a key an earlier read used
  bool protected_read = false;    // a matched read was protected (see IsProtectedRead), RMW writes only
  bool unprotected_read = false;  // a matched read was not protected, RMW writes only
  bool gap_insert = false;        // a matched locking read found no row, then the key was inserted (RR/SER)
  bool shared_upgrade = false;    // a matched LOCK IN SHARE MODE read, then a write of the key
  bool proven = false;            // a lock error hit the write after a matched unprotected read
  bool idiom_deadlock = false;    // a deadlock hit the write of a gap_insert / shared_upgrade pair
};

// Per-table facts, indexed like TransactionRecord::tables.
struct TableFacts {
  bool wrote = false;                              // kWrite or kLockTablesWrite
  bool lock_tables = false;                        // accessed under LOCK TABLES
  bool locked_without_lock_tables = false;         // a locking read or write outside LOCK TABLES
  bool unlocked_read_write = false;                // a key-matched read -> write with an unprotected read
  bool locked_read_write = false;                  // a key-matched read -> write with a protected read
  uint32_t compare_and_set_writes = 0;             // writes of WriteForm::kCompareAndSet
  uint64_t write_digest = 0;                       // first statement that wrote it
  uint64_t lock_tables_digest = 0;                 // first statement under LOCK TABLES
  uint64_t locked_without_lock_tables_digest = 0;  // first locking statement outside LOCK TABLES
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

// The unscoped window: a write is matched with the reads of the connection's
// earlier transactions when they ran at most kUnscopedWindowStatements
// statements and kUnscopedWindowMicros before the write's transaction began.
// Check-then-act code reads and writes within one request: a few statements
// and milliseconds apart (docs/patterns.md has the measurements); the window
// is wide enough for an ORM's interleaved queries and a slow request, and
// narrow enough that a later, unrelated request of a pooled connection
// rarely falls into it.
inline constexpr uint64_t kUnscopedWindowStatements = 16;
inline constexpr Timestamp kUnscopedWindowMicros = 2 * 1000 * 1000;

// RecentReads: the keyed reads of a connection's last transactions, the
// "unscoped window". A fixed ring: kCapacity reads of at most kKeysPerRead
// keys each (about 1.5 KB per connection); older reads fall out.
class RecentReads {
 public:
  static constexpr size_t kCapacity = 16;
  static constexpr size_t kKeysPerRead = 8;

  struct Read {
    uint64_t table_hash = 0;
    uint64_t digest = 0;
    uint64_t statement = 0;   // connection-wide statement number
    Timestamp time = 0;       // end of its transaction
    bool found_rows = false;  // its statement returned rows
    uint32_t key_count = 0;
    std::array<uint64_t, kKeysPerRead> keys{};
  };

  // Remember adds the keyed reads (not under LOCK TABLES) of a finished
  // transaction, numbered from its first_statement and timed at its end.
  void Remember(const TransactionRecord& txn);
  // Clear forgets everything (the connection changed user, say).
  void Clear() { size_ = next_ = 0; }

  size_t size() const { return size_; }
  const Read& at(size_t i) const { return reads_[i]; }

 private:
  std::array<Read, kCapacity> reads_{};
  size_t size_ = 0;  // valid entries
  size_t next_ = 0;  // slot the next read goes to
};

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

// AnalyzeTransaction fills `facts` (clearing it first). `recent` (may be
// null) is the connection's window of earlier reads, for unscoped pairs.
void AnalyzeTransaction(const TransactionRecord& txn, const RecentReads* recent, TxnFacts* facts);
inline void AnalyzeTransaction(const TransactionRecord& txn, TxnFacts* facts) {
  AnalyzeTransaction(txn, nullptr, facts);
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_TXN_ANALYSIS_H_
