// sharded_counter.h: a statistics counter that many threads bump without
// meeting on one cache line.
//
// Example:
//   ShardedCounter statements;
//   statements.Add(1, thread_id);     // hot path: one uncontended atomic add
//   uint64_t n = statements.Sum();    // SHOW STATUS: reads all slots
#ifndef LOCKDIAG_CORE_COMMON_SHARDED_COUNTER_H_
#define LOCKDIAG_CORE_COMMON_SHARDED_COUNTER_H_

#include <atomic>
#include <cstdint>

namespace lockdiag {

// ShardedCounter is thread-safe. Add is wait-free; Sum is a relaxed read of
// all slots, so it may miss additions that race with it (fine for status
// variables, which are a moment's picture anyway).
class ShardedCounter {
 public:
  static constexpr unsigned kSlots = 32;

  // Add adds `n`. `hint` spreads threads over slots: pass something stable per
  // thread (a connection id).
  void Add(uint64_t n, uint64_t hint) { slots_[hint % kSlots].value.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Sum() const {
    uint64_t total = 0;
    for (const Slot& s : slots_) total += s.value.load(std::memory_order_relaxed);
    return total;
  }
  void Reset() {
    for (Slot& s : slots_) s.value.store(0, std::memory_order_relaxed);
  }

 private:
  // One slot per cache line: threads on different slots never share a line.
  struct alignas(64) Slot {
    std::atomic<uint64_t> value{0};
  };
  Slot slots_[kSlots];
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_SHARDED_COUNTER_H_
