// lock_order.h: the lock-order graph. An edge A -> B means some transaction
// locked table A (any access but a plain read) before it first locked B.
// LOCKDIAG_LOCK_ORDER shows the edges; LOCK_ORDER_INVERSION is a pair of
// opposite edges, LOCK_ORDER_CYCLE a cycle of three or more tables.
//
//   graph.Add(orders, customers, digest, now, limit, &found);  // per ordered pair, per transaction
//
// Thread-safety: every public method is thread-safe.
// Locking rules:
//   * Edges live in a ShardedMap (sharded_map.h) of kShards shards keyed by
//     the hash of the unordered table pair, so both directions of a pair
//     share one entry and one lock: an inversion is detected under that lock
//     alone. Add() holds one shard lock for one counter update; it never
//     holds two, and never a shard lock together with graph_mu_.
//   * The adjacency lists used by the cycle search are guarded by graph_mu_,
//     which Add() takes only when a direction is seen for the first time
//     (bounded by the number of edges, so never in the steady state), after
//     releasing the shard lock. The cycle search runs under graph_mu_ with a
//     bounded depth and a bounded number of steps.
//   * Snapshot() and Lookup() take shard locks one at a time and copy.
//   * Reset() clears the adjacency lists (under graph_mu_) before the shards
//     (one shard lock at a time); lock_order.cc says why that order.
#ifndef LOCKDIAG_CORE_LOCK_LOCK_ORDER_H_
#define LOCKDIAG_CORE_LOCK_LOCK_ORDER_H_

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/common/sharded_map.h"
#include "core/common/state_codec.h"
#include "core/lock/patterns.h"
#include "core/lock/table_ref.h"
#include "core/common/thread_annotations.h"
#include "core/lock/transaction_record.h"

namespace lockdiag {

// One direction of one edge: a row of LOCKDIAG_LOCK_ORDER, with the sample
// statement as a digest (the Analyzer turns it into text).
struct LockOrderEdge {
  TableNames first;
  TableNames second;
  uint64_t first_hash = 0;
  uint64_t second_hash = 0;
  uint64_t transactions = 0;          // transactions that locked first, then second
  uint64_t reverse_transactions = 0;  // ... second, then first
  uint64_t sample_digest = 0;         // a statement that took the lock on second
  Timestamp last_seen = 0;
};

class LockOrderGraph {
 public:
  static constexpr unsigned kShards = 16;
  // Cycles of up to kMaxCycleLength tables are searched for; a search stops
  // after kMaxCycleSearchSteps visited nodes or kMaxCyclesPerSearch cycles.
  static constexpr size_t kMaxCycleLength = 6;
  static constexpr size_t kMaxCycleSearchSteps = 4096;
  static constexpr size_t kMaxCyclesPerSearch = 32;

  // Add records that one transaction locked `first` before `second`, the
  // lock on `second` being taken by statement `digest`. New edges are kept
  // while fewer than `limit` table pairs are tracked. Appends the inversions
  // and cycles this edge completes to `found`. Returns false when the edge
  // could not be recorded (no room, or a hash collision): the caller counts a
  // dropped event.
  [[nodiscard]] bool Add(const TxnTable& first, const TxnTable& second, uint64_t digest, Timestamp now,
                         uint64_t limit, std::vector<PatternCandidate>* found);

  // Snapshot: one LockOrderEdge per direction seen.
  std::vector<LockOrderEdge> Snapshot() const;
  // Lookup copies the edge first -> second; false when never seen.
  bool Lookup(uint64_t first_hash, uint64_t second_hash, LockOrderEdge* out) const;

  uint64_t count() const { return pairs_.count(); }                // table pairs tracked
  uint64_t memory_bytes() const { return pairs_.memory_bytes(); }  // pairs and adjacency lists
  // Reset forgets every edge and gives the budget back.
  void Reset();

  // Save appends every table pair to `out`, one shard lock at a time. Load
  // adds the pairs `in` holds while fewer than `limit` are tracked (the
  // others counted in *dropped) and rebuilds the adjacency lists; false when
  // `in` is corrupt (the caller then resets the graph).
  void Save(StateEncoder* out) const;
  [[nodiscard]] bool Load(StateDecoder* in, uint64_t limit, uint64_t* dropped) EXCLUDES(graph_mu_);

 private:
  struct Direction {
    uint64_t transactions = 0;
    uint64_t sample_digest = 0;
    Timestamp last_seen = 0;
  };
  // Both directions of an unordered pair; "lo" is the table with the smaller hash.
  struct Entry {
    TableNames lo, hi;
    uint64_t lo_hash = 0, hi_hash = 0;
    Direction lo_to_hi, hi_to_lo;
    bool reported_inversion = false;
  };

  // A table as the adjacency lists name it.
  struct Node {
    uint64_t hash;
    std::string_view schema;
    std::string_view table;
  };

  static uint64_t PairKey(uint64_t lo, uint64_t hi);
  static LockOrderEdge EdgeOf(const Entry& e, bool lo_first);

  // AddDirection records first -> second in the adjacency lists and appends
  // the cycles it closes.
  void AddDirection(const TxnTable& first, const TxnTable& second, std::vector<PatternCandidate>* found)
      EXCLUDES(graph_mu_);
  // LinkDirection adds first -> second to the adjacency lists; false when
  // it was there.
  bool LinkDirection(const Node& first, const Node& second) REQUIRES(graph_mu_);
  void SearchCycles(uint64_t from, uint64_t to, std::vector<PatternCandidate>* found) REQUIRES(graph_mu_);
  // CycleOf: the pattern of the cycle `path` (its last table locks before its first).
  PatternCandidate CycleOf(const std::vector<uint64_t>& path) REQUIRES(graph_mu_);

  // By PairKey; one budget entry per table pair. Its budget also accounts
  // the adjacency lists' bytes (graph_bytes_).
  ShardedMap<Entry, kShards> pairs_;

  Mutex graph_mu_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> successors_ GUARDED_BY(graph_mu_);
  std::unordered_map<uint64_t, std::string> names_ GUARDED_BY(graph_mu_);  // "schema.table"
  int64_t graph_bytes_ GUARDED_BY(graph_mu_) = 0;                          // also in pairs_.budget()
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_LOCK_ORDER_H_
