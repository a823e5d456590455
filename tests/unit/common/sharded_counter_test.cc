// sharded_counter_test.cc: sums over slots, hints that wrap, reset, and
// concurrent adds.
#include "core/common/sharded_counter.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "run_threads.h"

namespace lockdiag {
namespace {

TEST(ShardedCounter, StartsAtZero) {
  ShardedCounter c;
  EXPECT_EQ(c.Sum(), 0u);
}

TEST(ShardedCounter, SumsAddsOfEveryHint) {
  ShardedCounter c;
  c.Add(1, 0);
  c.Add(2, 1);
  c.Add(3, ShardedCounter::kSlots - 1);
  c.Add(4, ShardedCounter::kSlots);  // wraps onto slot 0
  c.Add(5, 12345678901234567ull);    // any hint
  EXPECT_EQ(c.Sum(), 15u);
}

TEST(ShardedCounter, ResetZeroesEverySlot) {
  ShardedCounter c;
  for (uint64_t hint = 0; hint < 2 * ShardedCounter::kSlots; ++hint) c.Add(hint + 1, hint);
  ASSERT_GT(c.Sum(), 0u);
  c.Reset();
  EXPECT_EQ(c.Sum(), 0u);
  c.Add(7, 3);
  EXPECT_EQ(c.Sum(), 7u);
}

TEST(ShardedCounter, ConcurrentAddsAreAllCounted) {
  ShardedCounter c;
  constexpr int kThreads = 4;
  constexpr int kAdds = 20000;
  // Threads 0 and 1 share a slot, 2 and 3 another: the adds are atomic.
  testing::RunThreads(kThreads, [&c](int t) {
    for (int i = 0; i < kAdds; ++i) c.Add(1, t / 2);
  });
  EXPECT_EQ(c.Sum(), uint64_t{kThreads} * kAdds);
}

TEST(ShardedCounter, SlotsDoNotShareCacheLines) {
  EXPECT_GE(sizeof(ShardedCounter), ShardedCounter::kSlots * 64);
}

}  // namespace
}  // namespace lockdiag
