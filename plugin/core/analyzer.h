// analyzer.h: the shared aggregates every connection publishes into, and the
// snapshots the INFORMATION_SCHEMA tables are filled from.
//
// Thread-safety: every public method is thread-safe.
// Locking rules:
//   * Per-table statistics live in kShards shards, each a hash map behind its
//     own Mutex, chosen by the hash of "schema.table". Publish() takes one
//     shard lock at a time, for one table's update (tens of nanoseconds);
//     it never holds two.
//   * Snapshots take each shard lock in turn and copy; writers wait at most
//     for one shard's copy.
//   * Counters are ShardedCounter / std::atomic: no lock.
//   * Reset() takes each shard lock in turn; a transaction published during a
//     reset may land in shards already cleared (it is new data, so it stays).
#ifndef LOCKDIAG_CORE_ANALYZER_H_
#define LOCKDIAG_CORE_ANALYZER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "access_kind.h"
#include "clock.h"
#include "config.h"
#include "sharded_counter.h"
#include "thread_annotations.h"
#include "transaction_record.h"

namespace lockdiag {

// One row of INFORMATION_SCHEMA.LOCKDIAG_TABLES.
struct TableRow {
  std::string schema;
  std::string table;
  std::array<uint64_t, kAccessKindCount> accesses{};  // by AccessKind
  uint64_t transactions = 0;
  uint64_t unlocked_read_write_transactions = 0;
  uint64_t locked_read_write_transactions = 0;
  uint64_t duplicate_key_errors = 0;
  uint64_t deadlocks = 0;
  uint64_t lock_wait_timeouts = 0;
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
};

// Values of the Lockdiag_* status variables.
struct AnalyzerStatus {
  uint64_t statements = 0;
  uint64_t table_lock_events = 0;
  uint64_t transactions = 0;
  uint64_t tracked_tables = 0;
  uint64_t memory_bytes = 0;
  uint64_t dropped_events = 0;
};

// Lock-related server error codes lockdiag tracks.
inline constexpr uint32_t kErrDupEntry = 1062;
inline constexpr uint32_t kErrDupEntryWithKeyName = 1586;
inline constexpr uint32_t kErrLockWaitTimeout = 1205;
inline constexpr uint32_t kErrLockDeadlock = 1213;
inline constexpr uint32_t kErrCheckread = 1020;
bool IsLockError(uint32_t code);

class Analyzer {
 public:
  // REQUIRES: config outlives the Analyzer.
  explicit Analyzer(const Config* config);
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  const Config& config() const { return *config_; }

  // Publish folds one finished transaction into the aggregates.
  void Publish(const TransactionRecord& txn, uint64_t connection_id);

  // Hot-path counters, bumped by Sessions (hint: the connection id).
  void CountStatement(uint64_t hint) { statements_.Add(1, hint); }
  void CountTableLockEvent(uint64_t hint) { table_lock_events_.Add(1, hint); }
  void CountDropped(uint64_t n, uint64_t hint) { dropped_.Add(n, hint); }

  std::vector<TableRow> SnapshotTables() const;
  AnalyzerStatus Status() const;

  // Reset forgets everything recorded (lockdiag_reset).
  void Reset();

  static constexpr unsigned kShards = 16;

 private:
  struct TableStats {
    std::array<uint64_t, kAccessKindCount> accesses{};
    uint64_t transactions = 0;
    uint64_t unlocked_rw = 0;
    uint64_t locked_rw = 0;
    uint64_t dup_key = 0;
    uint64_t deadlocks = 0;
    uint64_t lock_wait_timeouts = 0;
    Timestamp first_seen = 0;
    Timestamp last_seen = 0;
    std::string schema;
    std::string table;
  };
  struct TableShard {
    mutable Mutex mu;
    // Key: "schema\0table" (a NUL cannot occur in identifiers).
    std::unordered_map<std::string, TableStats> tables GUARDED_BY(mu);
  };

  // Applies `update` to the stats of one table, creating them when there is
  // room under lockdiag_max_tables. Returns false (and counts a dropped
  // event) when the table is new and there is no room.
  template <typename Update>
  bool UpdateTable(const std::string& schema, const std::string& table, Timestamp now, uint64_t hint,
                   Update&& update);

  const Config* const config_;
  std::array<TableShard, kShards> table_shards_;
  std::atomic<uint64_t> tracked_tables_{0};
  std::atomic<int64_t> memory_bytes_{0};
  ShardedCounter statements_;
  ShardedCounter table_lock_events_;
  ShardedCounter transactions_;
  ShardedCounter dropped_;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ANALYZER_H_
