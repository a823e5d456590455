// connection_batch.h: what one connection has published but not yet folded
// into the shared aggregates.
//
// Why: an autocommit statement is a whole transaction. Folding each one into
// its table's shard of TableStatsStore takes that shard's mutex and writes
// its cache line, so 64 or 600 connections on one hot table queue on it
// (docs/benchmarks.md, "One hot table"). Instead each Session keeps a
// ConnectionBatch: the per-table increments of its last transactions
// (TableDelta), and its own event counters. The Analyzer folds a batch in
// (Analyzer::FlushBatch):
//   * on the owner's thread, when the batch is kMaxAgeMicros old at a
//     transaction's end or has no room for another table;
//   * for every live connection, before any reader looks (snapshots, status,
//     the state file), so that what a query shows is exact;
//   * once a second on the housekeeping thread (FlushBatches), so that a
//     finding of an idle connection still shows within about a second;
//   * when the Session goes away.
// Only the per-table rows (LOCKDIAG_TABLES) and the MIXED_LOCK_TABLES and
// MIXED_ISOLATION_LEVELS findings they feed are batched; lock errors, lock
// order, read/write pairs and every other finding are published at the
// transaction's end as before.
//
// Thread-safety and locking rules:
//   * mu_ guards the deltas. The owner takes it once per transaction end
//     (uncontended: the line is the connection's own); a flush from another
//     thread takes it to copy the deltas out. No other lockdiag lock is ever
//     taken while mu_ is held.
//   * Folding nests, in this order only: Analyzer::fold_mu_ (held for the
//     whole fold, so that a reader who folds after it sees all of it), the
//     batch list (Analyzer::batches_mu_), mu_; the stores' locks are taken
//     under fold_mu_ with mu_ released.
//   * The counters are written by the owner only (load, add, store: no
//     read-modify-write on a shared line) and read by anyone.
//   * prev_/next_ are the Analyzer's, guarded by its batch list mutex.
#ifndef LOCKDIAG_CORE_LOCK_CONNECTION_BATCH_H_
#define LOCKDIAG_CORE_LOCK_CONNECTION_BATCH_H_

#include <atomic>
#include <cstdint>
#include <vector>

#include "core/common/clock.h"
#include "core/common/heap_bytes.h"
#include "core/common/thread_annotations.h"
#include "core/lock/table_stats.h"

namespace lockdiag {

class Analyzer;

class ConnectionBatch {
 public:
  // Distinct tables a batch holds before it is folded in.
  static constexpr size_t kMaxTables = 8;
  // Oldest increment a busy connection keeps to itself.
  static constexpr Timestamp kMaxAgeMicros = 1000 * 1000;

  ConnectionBatch() = default;
  ConnectionBatch(const ConnectionBatch&) = delete;
  ConnectionBatch& operator=(const ConnectionBatch&) = delete;

  // The owner's counters (Lockdiag_statements, ..._table_lock_events,
  // ..._transactions).
  void CountStatement() { Bump(&statements_); }
  void CountTableLockEvent() { Bump(&table_lock_events_); }
  void CountTransaction() { Bump(&transactions_); }

  // SetHeapBytes: the owner's Session's heap (buffers' capacity included),
  // which Status() sums into Lockdiag_memory_bytes.
  void SetHeapBytes(uint64_t bytes) { heap_bytes_.store(bytes, std::memory_order_relaxed); }
  // HeapBytes: the batch's own buffers. Owner's thread only.
  size_t HeapBytes() const EXCLUDES(mu_);
  // Growths: how often the buffers grew (owner's thread only), so that the
  // Session knows when to count HeapBytes() again.
  uint64_t growths() const { return growths_; }

 private:
  friend class Analyzer;
  static void Bump(std::atomic<uint64_t>* c) {
    c->store(c->load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  mutable Mutex mu_;
  std::vector<TableDelta> tables_ GUARDED_BY(mu_);  // [0, used_) hold increments; the rest keep their buffers
  size_t used_ GUARDED_BY(mu_) = 0;
  Timestamp opened_ GUARDED_BY(mu_) = 0;  // end of the oldest transaction held
  // The owner's flush swaps tables_ with this and folds it in without mu_:
  // only the owner's thread touches it.
  std::vector<TableDelta> folding_;
  uint64_t growths_ = 0;  // owner's thread only, like folding_
  std::atomic<uint64_t> statements_{0};
  std::atomic<uint64_t> table_lock_events_{0};
  std::atomic<uint64_t> transactions_{0};
  std::atomic<uint64_t> heap_bytes_{0};
  ConnectionBatch* prev_ = nullptr;
  ConnectionBatch* next_ = nullptr;
  bool attached_ = false;
};

inline size_t ConnectionBatch::HeapBytes() const {
  MutexLock lock(&mu_);
  size_t b = VectorHeap(tables_) + VectorHeap(folding_);
  for (const TableDelta& d : tables_) b += d.HeapBytes();
  for (const TableDelta& d : folding_) b += d.HeapBytes();
  return b;
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_CONNECTION_BATCH_H_
