// entry_budget.h: the memory bound of a sharded store.
//
// A store's shards each have their own lock, but the bound on entries is
// global: a shard claims a slot from the budget before it inserts, so
// concurrent inserts into different shards cannot overshoot together.
//
//   if (!budget.TryClaim(limit, bytes)) { /* count a dropped event */ }
//   ...
//   budget.Release(n, bytes);   // when entries go (Reset)
//
// Thread-safe: two atomics, no lock. Bytes are an estimate of heap use.
#ifndef LOCKDIAG_CORE_COMMON_ENTRY_BUDGET_H_
#define LOCKDIAG_CORE_COMMON_ENTRY_BUDGET_H_

#include <atomic>
#include <cstdint>

namespace lockdiag {

class EntryBudget {
 public:
  // TryClaim takes one entry if fewer than `limit` are held, and accounts
  // `bytes` for it. Returns false (and takes nothing) when at the limit.
  bool TryClaim(uint64_t limit, int64_t bytes) {
    uint64_t n = count_.load(std::memory_order_relaxed);
    do {
      if (n >= limit) return false;
    } while (!count_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    return true;
  }
  // AddBytes accounts growth of an entry already claimed.
  void AddBytes(int64_t bytes) { bytes_.fetch_add(bytes, std::memory_order_relaxed); }
  void Release(uint64_t entries, int64_t bytes) {
    count_.fetch_sub(entries, std::memory_order_relaxed);
    bytes_.fetch_sub(bytes, std::memory_order_relaxed);
  }

  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  uint64_t bytes() const {
    int64_t b = bytes_.load(std::memory_order_relaxed);
    return b > 0 ? static_cast<uint64_t>(b) : 0;
  }

 private:
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> bytes_{0};
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_ENTRY_BUDGET_H_
