// table_stats.h: per-table aggregates (LOCKDIAG_TABLES), and the per-table
// inputs of the MIXED_LOCK_TABLES and MIXED_ISOLATION_LEVELS detectors.
//
// Thread-safety: every public method is thread-safe.
// Locking rules:
//   * Tables live in a ShardedMap (sharded_map.h) keyed by TableHash:
//     kShards shards, each a hash map behind its own Mutex. Apply() holds one
//     shard lock for one table's update (tens of nanoseconds) and never holds
//     two; it builds pattern candidates after releasing it.
//   * Snapshot() and Lookup() take shard locks one at a time and copy.
//   * Reset() takes each shard lock in turn; a transaction published during a
//     reset may land in shards already cleared (it is new data, so it stays).
#ifndef LOCKDIAG_CORE_LOCK_TABLE_STATS_H_
#define LOCKDIAG_CORE_LOCK_TABLE_STATS_H_

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lock/access_kind.h"
#include "core/common/clock.h"
#include "core/common/sharded_map.h"
#include "core/common/state_codec.h"
#include "core/lock/patterns.h"
#include "core/lock/table_ref.h"
#include "core/lock/transaction_record.h"
#include "core/lock/txn_analysis.h"

namespace lockdiag {

inline constexpr int kIsolationCount = 4;

// One row of INFORMATION_SCHEMA.LOCKDIAG_TABLES.
struct TableRow {
  std::string schema;
  std::string table;
  std::array<uint64_t, kAccessKindCount> accesses{};  // by AccessKind
  uint64_t transactions = 0;
  // Transactions that read rows of the table and later wrote the same rows
  // (key-correlated), with an unprotected / a protected read.
  uint64_t unlocked_read_write_transactions = 0;
  uint64_t locked_read_write_transactions = 0;
  uint64_t duplicate_key_errors = 0;
  uint64_t deadlocks = 0;
  uint64_t lock_wait_timeouts = 0;
  uint64_t compare_and_set_writes = 0;  // optimistic-concurrency writes (WriteForm::kCompareAndSet)
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
};

// DigestSample: the statement a finding quotes for one side of a
// disagreement: the one seen most often (Misra-Gries over kSlots counters),
// so that a setup statement run once does not stand for the application's
// code path, as the first statement seen would.
class DigestSample {
 public:
  static constexpr int kSlots = 4;
  // Add counts `digest` `n` times (weighted Misra-Gries: a summary of a
  // batch merges into the table's summary by adding each of its slots).
  void Add(uint64_t digest, uint32_t n = 1);
  void Merge(const DigestSample& other);
  // Top: the most frequent digest kept; 0 when none was added.
  uint64_t Top() const;
  void Save(StateEncoder* out) const;
  void Load(StateDecoder* in);

 private:
  std::array<uint64_t, kSlots> digest_{};
  std::array<uint32_t, kSlots> count_{};
};

// Everything kept per table: the row plus the detectors' inputs.
struct TableStats {
  TableRow row;
  uint64_t lock_tables_txns = 0;                 // accessed it under LOCK TABLES
  uint64_t locked_without_lock_tables_txns = 0;  // locked it outside LOCK TABLES
  DigestSample lock_tables_sample;               // sample statements of each kind
  DigestSample locked_without_lock_tables_sample;
  std::array<uint64_t, kIsolationCount> write_txns_by_isolation{};  // by Isolation
  std::array<DigestSample, kIsolationCount> write_sample_by_isolation{};
  std::array<DigestSample, kIsolationCount> first_sample_by_isolation{};  // their first statements
  bool reported_mixed_lock_tables = false;
  bool reported_mixed_isolation = false;
};

// One transaction's contribution to one table.
struct TableUpdate {
  const TxnTable* table;
  const TableFacts* facts;
  Isolation isolation;
  uint32_t duplicate_keys;
  uint32_t deadlocks;
  uint32_t lock_wait_timeouts;
  // A backup tool's transaction (mariadb-dump's LOCK TABLES ... READ LOCAL):
  // counted, but not a code path of the application (BACKUP_BLOCKS_WRITERS
  // reports it instead of MIXED_LOCK_TABLES).
  bool backup = false;
  // The transaction's first statement: where code paths share the statement
  // that writes, the one they start with tells them apart in EVIDENCE.
  uint64_t first_digest = 0;
};

// TableDelta: what one or more transactions of one connection add to one
// table, folded into the store at once (ConnectionBatch,
// connection_batch.h): a TableStats of increments (its reported_* flags
// unused).
struct TableDelta {
  uint64_t hash = 0;
  TableStats add;

  // Start makes this the empty delta of `t`'s table (the names' buffers are
  // reused: a batch's steady state does not allocate).
  void Start(const TxnTable& t);
  // Add folds one transaction's update of the table, ended at `now`.
  void Add(const TableUpdate& u, Timestamp now);
  size_t transactions() const { return add.row.transactions; }
  // HeapBytes: what the names hold beyond sizeof(TableDelta).
  size_t HeapBytes() const;
};

class TableStatsStore {
 public:
  static constexpr unsigned kShards = 16;

  // Apply folds `u` into its table's stats, creating them when fewer than
  // `limit` tables are tracked. Appends what the table-level detectors find
  // to `found`. Returns false when the table could not be tracked (no room, or
  // a hash collision with another table): the caller counts a dropped event.
  [[nodiscard]] bool Apply(const TableUpdate& u, Timestamp now, uint64_t limit,
                           std::vector<PatternCandidate>* found);
  // The same for a batch of transactions (`d.transactions` of them): all
  // tracked, or none.
  [[nodiscard]] bool Apply(const TableDelta& d, uint64_t limit, std::vector<PatternCandidate>* found);

  std::vector<TableRow> Snapshot() const;
  // Lookup copies one table's stats; false when it is not tracked.
  bool Lookup(uint64_t table_hash, TableStats* out) const;

  uint64_t count() const { return tables_.count(); }  // tables tracked
  uint64_t memory_bytes() const { return tables_.memory_bytes(); }
  // Reset forgets every table and gives their budget back.
  void Reset();

  // Save appends every table to `out`, one shard lock at a time (a writer
  // waits for one shard's encoding at most). Load adds the tables `in` holds
  // while fewer than `limit` are tracked and counts the others in *dropped;
  // false when `in` is corrupt (the caller then resets the store).
  void Save(StateEncoder* out) const;
  [[nodiscard]] bool Load(StateDecoder* in, uint64_t limit, uint64_t* dropped);

 private:
  ShardedMap<TableStats, kShards> tables_;  // by TableHash; one budget entry per table
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_TABLE_STATS_H_
