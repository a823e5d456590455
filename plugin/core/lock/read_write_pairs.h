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
// Locking rules: pairs and summaries live in kShards shards chosen by the
// TableHash of their table, each behind its own Mutex, so all pairs of one
// table share a lock and one transaction takes it once per table it wrote.
// Snapshot() and Lookup*() take shard locks one at a time and copy.
#ifndef LOCKDIAG_CORE_LOCK_READ_WRITE_PAIRS_H_
#define LOCKDIAG_CORE_LOCK_READ_WRITE_PAIRS_H_

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/common/entry_budget.h"
#include "core/lock/patterns.h"
#include "core/lock/table_ref.h"
#include "core/common/thread_annotations.h"
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
  Timestamp last_seen = 0;
  bool reported_unlocked = false;
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
  // many observations were dropped (no room or a hash collision).
  uint32_t Add(const TxnTable& table, const ReadWriteObservation* observations, size_t n, Timestamp now,
               uint64_t limit, std::vector<PatternCandidate>* found);

  std::vector<ReadWritePairStats> Snapshot() const;
  bool Lookup(uint64_t table_hash, uint64_t read_digest, uint64_t write_digest,
              ReadWritePairStats* out) const;
  bool LookupTable(uint64_t table_hash, ReadWriteTableSummary* out) const;
  // CurrentTableRmw: the table's summary recomputed from the pairs that are
  // read-modify-write *now*. A pair's class changes as transactions come in:
  // an early burst of matching keys can qualify a pair that later falls under
  // the threshold (sysbench's skewed ids do exactly that), so findings built
  // on the class are judged on the current counts, not on the first
  // crossing. Takes the table's shard lock and scans that shard's pairs.
  bool CurrentTableRmw(uint64_t table_hash, ReadWriteTableSummary* out) const;

  uint64_t count() const { return budget_.count(); }
  uint64_t memory_bytes() const { return budget_.bytes(); }
  void Reset();

 private:
  struct Shard {
    mutable Mutex mu;
    std::unordered_map<uint64_t, ReadWritePairStats> pairs GUARDED_BY(mu);      // by PairKey
    std::unordered_map<uint64_t, ReadWriteTableSummary> tables GUARDED_BY(mu);  // by TableHash
  };
  static uint64_t PairKey(uint64_t table, uint64_t read_digest, uint64_t write_digest);
  Shard& ShardOf(uint64_t table) { return shards_[table % kShards]; }
  const Shard& ShardOf(uint64_t table) const { return shards_[table % kShards]; }

  std::array<Shard, kShards> shards_;
  EntryBudget budget_;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_READ_WRITE_PAIRS_H_
