// sharded_map.h: the skeleton of every shared aggregate: a hash map from a
// 64-bit key to an entry, split into shards that each have their own Mutex,
// with a global bound on entries (EntryBudget).
//
//   ShardedMap<TableStats> tables;
//   bool ok = tables.Update(hash, [&](auto& map) { ... return true; });   // one shard lock
//   TableStats copy;
//   tables.Lookup(hash, &copy);                                           // copies under the lock
//   tables.ForEach([&](const TableStats& s) { rows.push_back(s.row); });  // shard by shard
//   tables.Clear([](const TableStats& s) { return Footprint(s); });       // lockdiag_reset
//
// The caller owns the policy: what an entry is, when a new one may be
// claimed from budget() (TryClaim before inserting), what its footprint is,
// and how a hash collision is detected (entries keep their names and compare
// them). The map only owns the locking.
//
// Thread-safety: every method is thread-safe.
// Locking rules: one Mutex per shard, chosen by `key % kShards`. Update(),
// Read() and Lookup() hold one shard lock for the callback; ForEach() and
// Clear() take the shard locks one at a time, never two at once, so a
// writer waits at most for one shard's work. Callbacks must not call back
// into the same ShardedMap (the Mutex is not recursive) and should not take
// other locks.
#ifndef LOCKDIAG_CORE_COMMON_SHARDED_MAP_H_
#define LOCKDIAG_CORE_COMMON_SHARDED_MAP_H_

#include <array>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "core/common/entry_budget.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

template <typename Entry, unsigned Shards = 16>
class ShardedMap {
 public:
  static constexpr unsigned kShards = Shards;
  using Map = std::unordered_map<uint64_t, Entry>;

  // Update runs `f(Map&)` under the lock of the shard that holds `key` and
  // returns what it returns.
  template <typename F>
  auto Update(uint64_t key, F&& f) {
    Shard& shard = shards_[key % kShards];
    MutexLock lock(&shard.mu);
    return f(shard.map);
  }

  // Read runs `f(const Map&)` under the lock of the shard that holds `key`.
  template <typename F>
  auto Read(uint64_t key, F&& f) const {
    const Shard& shard = shards_[key % kShards];
    MutexLock lock(&shard.mu);
    return f(static_cast<const Map&>(shard.map));
  }

  // Lookup copies the entry of `key` into `*out`; false when there is none.
  bool Lookup(uint64_t key, Entry* out) const {
    return Read(key, [&](const Map& map) {
      auto it = map.find(key);
      if (it == map.end()) return false;
      *out = it->second;
      return true;
    });
  }

  // ForEach calls `f(const Entry&)` for every entry, one shard at a time.
  template <typename F>
  void ForEach(F&& f) const {
    for (const Shard& shard : shards_) {
      MutexLock lock(&shard.mu);
      for (const auto& [key, entry] : shard.map) f(entry);
    }
  }

  // Clear empties every shard and gives back to budget() what the entries
  // claimed: one entry each plus `footprint(entry)` bytes. Returns the
  // entries removed. An insertion racing with Clear() may land in a shard
  // already cleared: it is new data and stays.
  template <typename Footprint>
  uint64_t Clear(Footprint&& footprint) {
    uint64_t removed = 0;
    for (Shard& shard : shards_) {
      MutexLock lock(&shard.mu);
      int64_t bytes = 0;
      for (const auto& [key, entry] : shard.map) bytes += footprint(entry);
      budget_.Release(shard.map.size(), bytes);
      removed += shard.map.size();
      shard.map.clear();
    }
    return removed;
  }

  EntryBudget& budget() { return budget_; }
  uint64_t count() const { return budget_.count(); }
  uint64_t memory_bytes() const { return budget_.bytes(); }

 private:
  struct Shard {
    mutable Mutex mu;
    Map map GUARDED_BY(mu);
  };
  std::array<Shard, kShards> shards_;
  EntryBudget budget_;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_SHARDED_MAP_H_
