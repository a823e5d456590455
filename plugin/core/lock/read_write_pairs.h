// read_write_pairs.h: read -> write correlations aggregated per
// (table, read digest, write digest) pair, the input of the
// UNLOCKED_READ_MODIFY_WRITE and MIXED_LOCKING_READS detectors.
//
// A pair counts the transactions where both statements occurred (a keyed
// read of the table, then in a later statement a keyed write of it), those
// where the write used keys the read had used ("matched"), and of those, the
// ones whose read was protected or not (txn_analysis.h says what protects a
// read). Per table, a summary records whether read-modify-write pairs (see
// IsReadModifyWrite in patterns.h) with protected and unprotected reads exist.
//
// Thread-safety: every public method is thread-safe.
// Locking rules: one entry per table (its summary and all its pairs) in a
// ShardedMap (sharded_map.h) of kShards shards keyed by TableHash, each shard
// behind its own Mutex, so all pairs of one table share a lock and one
// transaction takes it once per table it wrote. Add() holds that one lock
// and builds pattern candidates after releasing it. Snapshot() takes shard
// locks one at a time, Lookup*() and CurrentTableRmw() the table's one, and
// copy. Reset() takes each shard lock in turn; a transaction published
// during a reset may land in shards already cleared (it is new data, so it
// stays).
// Bounds: the table summary and each pair count as one entry each against
// the `limit` of Add().
#ifndef LOCKDIAG_CORE_LOCK_READ_WRITE_PAIRS_H_
#define LOCKDIAG_CORE_LOCK_READ_WRITE_PAIRS_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/common/sharded_map.h"
#include "core/common/state_codec.h"
#include "core/lock/patterns.h"
#include "core/lock/table_ref.h"
#include "core/lock/transaction_record.h"
#include "core/lock/txn_analysis.h"

namespace lockdiag {

struct ReadWritePairStats {
  TableNames table;
  uint64_t table_hash = 0;
  uint64_t read_digest = 0;
  uint64_t write_digest = 0;
  uint64_t transactions = 0;              // both occurred
  uint64_t matched_transactions = 0;      // the write used the read's keys
  uint64_t protected_transactions = 0;    // matched, with a protected read
  uint64_t unprotected_transactions = 0;  // matched, with an unprotected read
  // The lock idioms (GAP_LOCK_INSERT, SHARED_LOCK_UPGRADE): matched
  // transactions that showed each, and deadlocks that hit the pair's write.
  uint64_t gap_insert_transactions = 0;
  uint64_t shared_upgrade_transactions = 0;
  uint64_t idiom_deadlocks = 0;
  // Lock errors that hit the write after a matched unprotected read: the
  // race proven (IsUnlockedReadModifyWrite qualifies the pair at once).
  uint64_t proven_errors = 0;
  bool unscoped = false;  // the read was in an earlier transaction (UNSCOPED_READ_MODIFY_WRITE)
  bool insert = false;    // the write is an INSERT
  Timestamp last_seen = 0;
  bool reported_unlocked = false;
  bool reported_gap_insert = false;
  bool reported_shared_upgrade = false;
};

struct ReadWriteTableSummary {
  TableNames table;
  uint64_t table_hash = 0;
  // Matched transactions of read-modify-write pairs, by read protection.
  uint64_t protected_rmw_transactions = 0;
  uint64_t unprotected_rmw_transactions = 0;
  // A sample pair of each kind (digests), for EVIDENCE.
  uint64_t protected_read_digest = 0, protected_write_digest = 0;
  uint64_t unprotected_read_digest = 0, unprotected_write_digest = 0;
  Timestamp last_seen = 0;
  bool reported_mixed = false;
};

class ReadWritePairs {
 public:
  static constexpr unsigned kShards = 16;

  // Add folds one transaction's observations of one table into the pairs,
  // creating pairs while fewer than `limit` entries (pairs and table
  // summaries) are held. Appends the patterns found to `found`. Returns how
  // many observations were dropped (no room or a hash collision): the caller
  // counts them as dropped events.
  [[nodiscard]] uint32_t Add(const TxnTable& table, const ReadWriteObservation* observations, size_t n,
                             Timestamp now, uint64_t limit, std::vector<PatternCandidate>* found);

  std::vector<ReadWritePairStats> Snapshot() const;
  // Lookup copies the pair (read, write) of the table, of one scope (both in
  // one transaction, or `unscoped`); false when never seen.
  bool Lookup(uint64_t table_hash, uint64_t read_digest, uint64_t write_digest, bool unscoped,
              ReadWritePairStats* out) const;
  bool Lookup(uint64_t table_hash, uint64_t read_digest, uint64_t write_digest,
              ReadWritePairStats* out) const {
    return Lookup(table_hash, read_digest, write_digest, false, out);
  }
  bool LookupTable(uint64_t table_hash, ReadWriteTableSummary* out) const;
  // CurrentTableRmw: the table's summary recomputed from the pairs that are
  // read-modify-write *now*. A pair's class changes as transactions come in:
  // an early burst of matching keys can qualify a pair that later falls under
  // the threshold (sysbench's skewed ids do exactly that), so findings built
  // on the class are judged on the current counts, not on the first
  // crossing. Takes the table's shard lock and scans the table's pairs.
  bool CurrentTableRmw(uint64_t table_hash, ReadWriteTableSummary* out) const;

  uint64_t count() const { return tables_.count(); }  // pairs and table summaries
  uint64_t memory_bytes() const { return tables_.memory_bytes(); }
  // Reset forgets every pair and summary and gives the budget back.
  void Reset();

  // Save appends every table's summary and pairs to `out`, one shard lock at
  // a time. Load adds what `in` holds while fewer than `limit` entries are
  // held (the others counted in *dropped); false when `in` is corrupt (the
  // caller then resets the store).
  void Save(StateEncoder* out) const;
  [[nodiscard]] bool Load(StateDecoder* in, uint64_t limit, uint64_t* dropped);

 private:
  // One table: its summary and its pairs. Holds 1 + pairs.size() budget
  // entries.
  struct TableEntry {
    ReadWriteTableSummary summary;
    std::unordered_map<uint64_t, ReadWritePairStats> pairs;  // by PairKey
  };
  static uint64_t PairKey(uint64_t read_digest, uint64_t write_digest, bool unscoped);
  // Qualifies: the pair is a read-modify-write now (IsReadModifyWrite), or
  // a lock error proved it.
  static bool Qualifies(const ReadWritePairStats& p);

  ShardedMap<TableEntry, kShards> tables_;  // by TableHash
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_READ_WRITE_PAIRS_H_
