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
// `MapType` is the container of one shard: std::unordered_map by default, or
// std::unordered_multimap<uint64_t, Entry> for a store that keeps entries
// whose keys collide side by side and tells them apart itself (the encoding
// store).
//
// Thread-safety: every method is thread-safe.
// Locking rules: one Mutex per shard, chosen by `key % kShards`. Update(),
// Read() and Lookup() hold one shard lock for the callback; ForEach() and
// Clear() take the shard locks one at a time, never two at once, so a
// writer waits at most for one shard's work. Callbacks must not call back
// into the same ShardedMap (the Mutex is not recursive) and should not take
// other locks; budget() is lock-free and may be used from them. Clang checks
// the shard locks inside this class; what a callback does with the map it is
// given is the caller's to keep inside the callback.
#ifndef LOCKDIAG_CORE_COMMON_SHARDED_MAP_H_
#define LOCKDIAG_CORE_COMMON_SHARDED_MAP_H_

#include <array>
#include <cstdint>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "core/common/entry_budget.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

template <typename Entry, unsigned Shards = 16, typename MapType = std::unordered_map<uint64_t, Entry>>
class ShardedMap {
 public:
  static constexpr unsigned kShards = Shards;
  using Map = MapType;
  static_assert(std::is_same_v<typename Map::key_type, uint64_t> &&
                    std::is_same_v<typename Map::mapped_type, Entry>,
                "a shard maps 64-bit keys to Entry");

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
  // (With a multimap: one of the entries of `key`.)
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

  // ForEachKeyed calls `f(uint64_t key, const Entry&)` for every entry, one
  // shard at a time (the state file saves the keys with the entries).
  template <typename F>
  void ForEachKeyed(F&& f) const {
    for (const Shard& shard : shards_) {
      MutexLock lock(&shard.mu);
      for (const auto& [key, entry] : shard.map) f(key, entry);
    }
  }

  // Restore inserts `entry` as `key`, claiming one budget entry of `bytes`
  // (the state file's load). False, with nothing claimed, when the key is
  // taken or `limit` entries are held.
  bool Restore(uint64_t key, Entry&& entry, uint64_t limit, int64_t bytes) {
    return Update(key, [&](Map& map) {
      if (map.find(key) != map.end() || !budget_.TryClaim(limit, bytes)) return false;
      map.emplace(key, std::move(entry));
      return true;
    });
  }

  // Clear empties every shard and gives back to budget() what the entries
  // claimed: one entry each plus `footprint(entry)` bytes. Returns the
  // entries removed. An insertion racing with Clear() may land in a shard
  // already cleared: it is new data and stays.
  template <typename Footprint>
  uint64_t Clear(Footprint&& footprint) {
    return Clear(std::forward<Footprint>(footprint), [](const Entry&) { return uint64_t{1}; });
  }

  // Clear, for entries that hold several claims of the budget (an entry that
  // nests others, each claimed on its own): `entries(entry)` is how many
  // budget entries it holds, `footprint(entry)` how many bytes. Returns the
  // budget entries given back.
  template <typename Footprint, typename Entries>
  uint64_t Clear(Footprint&& footprint, Entries&& entries) {
    uint64_t removed = 0;
    for (Shard& shard : shards_) {
      MutexLock lock(&shard.mu);
      uint64_t claims = 0;
      int64_t bytes = 0;
      for (const auto& [key, entry] : shard.map) {
        claims += entries(entry);
        bytes += footprint(entry);
      }
      budget_.Release(claims, bytes);
      removed += claims;
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
