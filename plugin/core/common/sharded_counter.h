// sharded_counter.h: a statistics counter that many threads bump without
// meeting on one cache line.
//
// Example:
//   ShardedCounter statements;
//   statements.Add(1, thread_id);     // hot path: one uncontended atomic add
//   uint64_t n = statements.Sum();    // SHOW STATUS: reads all slots
#ifndef LOCKDIAG_CORE_COMMON_SHARDED_COUNTER_H_
#define LOCKDIAG_CORE_COMMON_SHARDED_COUNTER_H_

#include <sched.h>

#include <atomic>
#include <cstdint>

namespace lockdiag {

// ShardedCounter is thread-safe. Add is wait-free; Sum is a relaxed read of
// all slots, so it may miss additions that race with it (fine for status
// variables, which are a moment's picture anyway).
//
// Slots are per CPU (sched_getcpu(), which glibc answers from the kernel's
// restartable-sequence area without a system call): two threads write one
// line only when they run on CPUs kSlots apart, or when one is moved to
// another CPU between reading the CPU number and adding. A slot per
// connection id, as before, put 19 of 600 connections on each line.
class ShardedCounter {
 public:
  static constexpr unsigned kSlots = 64;

  // Add adds `n`. `hint` (something stable per thread, a connection id)
  // picks the slot where the CPU number is not known.
  void Add(uint64_t n, uint64_t hint) { slots_[SlotOf(hint)].value.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Sum() const {
    uint64_t total = 0;
    for (const Slot& s : slots_) total += s.value.load(std::memory_order_relaxed);
    return total;
  }
  void Reset() {
    for (Slot& s : slots_) s.value.store(0, std::memory_order_relaxed);
  }

 private:
  static unsigned SlotOf(uint64_t hint) {
#ifdef __linux__
    const int cpu = sched_getcpu();
    if (cpu >= 0) return static_cast<unsigned>(cpu) % kSlots;
#endif
    return static_cast<unsigned>(hint % kSlots);
  }

  // One slot per cache line: threads on different slots never share a line.
  struct alignas(64) Slot {
    std::atomic<uint64_t> value{0};
  };
  Slot slots_[kSlots];
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_SHARDED_COUNTER_H_
