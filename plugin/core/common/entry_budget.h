// entry_budget.h: the memory bound of a sharded store.
//
// A store's shards each have their own lock, but the bound on entries is
// global: a shard claims a slot from the budget before it inserts, so
// concurrent inserts into different shards cannot overshoot together.
//
//   if (!budget.TryClaim(limit, bytes)) { /* count a dropped event */ }
//   if (!budget.TryClaim(limit, bytes, byte_limit)) { ... }   // bytes bounded too
//   ...
//   budget.Release(n, bytes);   // when entries go (Reset)
//
// Thread-safe: two atomics, no lock. Bytes are an estimate of heap use.
#ifndef LOCKDIAG_CORE_COMMON_ENTRY_BUDGET_H_
#define LOCKDIAG_CORE_COMMON_ENTRY_BUDGET_H_

#include <atomic>
#include <cstdint>
#include <limits>

namespace lockdiag {

class EntryBudget {
 public:
  // TryClaim takes one entry if fewer than `limit` are held, and accounts
  // `bytes` for it. Returns false (and takes nothing) when at the limit.
  [[nodiscard]] bool TryClaim(uint64_t limit, int64_t bytes) {
    if (!TryClaimEntry(limit)) return false;
    bytes_.fetch_add(bytes, std::memory_order_relaxed);
    return true;
  }
  // TryClaim with a byte bound as well: takes one entry and `bytes` only if
  // afterwards at most `limit` entries and at most `byte_limit` bytes are
  // held. Returns false (and takes nothing) otherwise. Both bounds are exact;
  // a claim that fails on bytes holds its entry for a moment, so a racing
  // claim may fail on the entry bound although it would have fit.
  [[nodiscard]] bool TryClaim(uint64_t limit, int64_t bytes, uint64_t byte_limit) {
    if (!TryClaimEntry(limit)) return false;
    const int64_t cap = byte_limit > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                            ? std::numeric_limits<int64_t>::max()
                            : static_cast<int64_t>(byte_limit);
    int64_t b = bytes_.load(std::memory_order_relaxed);
    do {
      const int64_t held = b > 0 ? b : 0;
      if (bytes > cap - held) {
        count_.fetch_sub(1, std::memory_order_relaxed);
        return false;
      }
    } while (!bytes_.compare_exchange_weak(b, b + bytes, std::memory_order_relaxed));
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
  // TryClaimEntry takes one entry if fewer than `limit` are held.
  bool TryClaimEntry(uint64_t limit) {
    uint64_t n = count_.load(std::memory_order_relaxed);
    do {
      if (n >= limit) return false;
    } while (!count_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    return true;
  }

  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> bytes_{0};
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_ENTRY_BUDGET_H_
