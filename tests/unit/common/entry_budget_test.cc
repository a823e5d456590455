// entry_budget_test.cc: the entry bound, the byte bound, release, and
// concurrent claims that must not overshoot.
#include "core/common/entry_budget.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <limits>

#include "run_threads.h"

namespace lockdiag {
namespace {

// ClaimConcurrently: 4 threads make 600 claims each; how many were granted.
template <typename Claim>
uint64_t ClaimConcurrently(const Claim& claim) {
  std::atomic<uint64_t> granted{0};
  testing::RunThreads(4, [&](int) {
    for (int i = 0; i < 600; ++i) {
      if (claim()) granted.fetch_add(1);
    }
  });
  return granted.load();
}

TEST(EntryBudget, ClaimsUpToTheLimit) {
  EntryBudget budget;
  EXPECT_TRUE(budget.TryClaim(3, 10));
  EXPECT_TRUE(budget.TryClaim(3, 20));
  EXPECT_TRUE(budget.TryClaim(3, 30));
  EXPECT_FALSE(budget.TryClaim(3, 40));
  EXPECT_EQ(budget.count(), 3u);
  EXPECT_EQ(budget.bytes(), 60u) << "a refused claim takes no bytes";
}

TEST(EntryBudget, ZeroLimitRefusesEverything) {
  EntryBudget budget;
  EXPECT_FALSE(budget.TryClaim(0, 1));
  EXPECT_FALSE(budget.TryClaim(0, 1, 100));
  EXPECT_EQ(budget.count(), 0u);
  EXPECT_EQ(budget.bytes(), 0u);
}

TEST(EntryBudget, ReleaseGivesRoomBack) {
  EntryBudget budget;
  ASSERT_TRUE(budget.TryClaim(1, 100));
  EXPECT_FALSE(budget.TryClaim(1, 100));
  budget.Release(1, 100);
  EXPECT_EQ(budget.count(), 0u);
  EXPECT_EQ(budget.bytes(), 0u);
  EXPECT_TRUE(budget.TryClaim(1, 100));
}

TEST(EntryBudget, AddBytesCountsGrowthAndBytesNeverReadsNegative) {
  EntryBudget budget;
  ASSERT_TRUE(budget.TryClaim(1, 10));
  budget.AddBytes(15);
  EXPECT_EQ(budget.bytes(), 25u);
  EXPECT_EQ(budget.count(), 1u) << "growth is not an entry";
  budget.Release(1, 40);  // more than was accounted
  EXPECT_EQ(budget.bytes(), 0u);
}

TEST(EntryBudget, ByteBoundIsInclusive) {
  EntryBudget budget;
  EXPECT_TRUE(budget.TryClaim(10, 40, 100));
  EXPECT_TRUE(budget.TryClaim(10, 40, 100));
  EXPECT_FALSE(budget.TryClaim(10, 40, 100)) << "120 bytes would exceed 100";
  EXPECT_EQ(budget.count(), 2u) << "a claim refused on bytes gives its entry back";
  EXPECT_EQ(budget.bytes(), 80u);
  EXPECT_TRUE(budget.TryClaim(10, 20, 100)) << "exactly 100 fits";
  EXPECT_FALSE(budget.TryClaim(10, 1, 100));
  EXPECT_EQ(budget.count(), 3u);
  EXPECT_EQ(budget.bytes(), 100u);
}

TEST(EntryBudget, ByteBoundKeepsTheEntryBound) {
  EntryBudget budget;
  EXPECT_TRUE(budget.TryClaim(1, 1, 1000));
  EXPECT_FALSE(budget.TryClaim(1, 1, 1000));
  EXPECT_EQ(budget.count(), 1u);
  EXPECT_EQ(budget.bytes(), 1u);
}

TEST(EntryBudget, OneClaimLargerThanTheByteBoundIsRefused) {
  EntryBudget budget;
  EXPECT_FALSE(budget.TryClaim(10, 101, 100));
  EXPECT_EQ(budget.count(), 0u);
  EXPECT_EQ(budget.bytes(), 0u);
}

TEST(EntryBudget, HugeByteBoundDoesNotOverflow) {
  EntryBudget budget;
  const uint64_t unbounded = std::numeric_limits<uint64_t>::max();
  EXPECT_TRUE(budget.TryClaim(10, std::numeric_limits<int64_t>::max() / 2, unbounded));
  EXPECT_TRUE(budget.TryClaim(10, 1000, unbounded));
  EXPECT_EQ(budget.count(), 2u);
}

TEST(EntryBudget, ConcurrentClaimsStopExactlyAtTheEntryBound) {
  EntryBudget budget;
  constexpr uint64_t kLimit = 1000;
  EXPECT_EQ(ClaimConcurrently([&] { return budget.TryClaim(kLimit, 3); }), kLimit);
  EXPECT_EQ(budget.count(), kLimit);
  EXPECT_EQ(budget.bytes(), 3 * kLimit);
}

TEST(EntryBudget, ConcurrentClaimsStopExactlyAtTheByteBound) {
  EntryBudget budget;
  EXPECT_EQ(ClaimConcurrently([&] { return budget.TryClaim(100000, 10, 5000); }), 500u);
  EXPECT_EQ(budget.count(), 500u);
  EXPECT_EQ(budget.bytes(), 5000u);
}

}  // namespace
}  // namespace lockdiag
