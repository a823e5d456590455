// Tests of the lock-order graph on its own: edges, inversions, cycle search
// and its bounds.
#include "core/lock/lock_order.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace {

TxnTable T(const std::string& name) {
  TxnTable t;
  t.schema = "s";
  t.table = name;
  t.hash = TableHash(t.schema, t.table);
  return t;
}

class LockOrderTest : public ::testing::Test {
 protected:
  LockOrderGraph graph_;
  std::vector<PatternCandidate> found_;
  bool Add(const std::string& a, const std::string& b, uint64_t limit = 1000) {
    return graph_.Add(T(a), T(b), 42, 1, limit, &found_);
  }
};

TEST_F(LockOrderTest, CountsBothDirectionsOfAPair) {
  Add("a", "b");
  Add("a", "b");
  Add("b", "a");
  LockOrderEdge e;
  ASSERT_TRUE(graph_.Lookup(T("a").hash, T("b").hash, &e));
  EXPECT_EQ(e.first.table, "a");
  EXPECT_EQ(e.transactions, 2u);
  EXPECT_EQ(e.reverse_transactions, 1u);
  EXPECT_EQ(e.sample_digest, 42u);
  ASSERT_TRUE(graph_.Lookup(T("b").hash, T("a").hash, &e));
  EXPECT_EQ(e.transactions, 1u);
  EXPECT_FALSE(graph_.Lookup(T("a").hash, T("c").hash, &e));
  EXPECT_EQ(graph_.Snapshot().size(), 2u);
  EXPECT_EQ(graph_.count(), 1u) << "one entry per unordered pair";
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].type, PatternType::kLockOrderInversion);
  EXPECT_EQ(found_[0].names, (std::vector<std::string>{"s.a", "s.b"}));
}

TEST_F(LockOrderTest, FindsEachCycleOnceInCanonicalRotation) {
  Add("c", "d");
  Add("d", "b");
  EXPECT_TRUE(found_.empty());
  Add("b", "c");  // closes b -> c -> d -> b
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].type, PatternType::kLockOrderCycle);
  EXPECT_EQ(found_[0].names, (std::vector<std::string>{"s.b", "s.c", "s.d"}))
      << "starts at the smallest name";
  Add("b", "c");  // not a new edge: no search
  EXPECT_EQ(found_.size(), 1u);
}

TEST_F(LockOrderTest, FindsCyclesUpToTheLengthBound) {
  const size_t n = LockOrderGraph::kMaxCycleLength;
  for (size_t i = 0; i + 1 < n; ++i) Add("t" + std::to_string(i), "t" + std::to_string(i + 1));
  Add("t" + std::to_string(n - 1), "t0");
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].tables.size(), n);

  found_.clear();
  for (size_t i = 0; i < n; ++i) Add("u" + std::to_string(i), "u" + std::to_string(i + 1));
  Add("u" + std::to_string(n), "u0");  // n + 1 tables: too long
  EXPECT_TRUE(found_.empty());
}

TEST_F(LockOrderTest, CycleSearchIsBoundedOnADenseGraph) {
  // A complete graph of 12 tables in one direction, then every reverse edge:
  // the number of cycles explodes, the work per new edge does not.
  for (int i = 0; i < 12; ++i)
    for (int j = i + 1; j < 12; ++j) Add("n" + std::to_string(i), "n" + std::to_string(j));
  for (int i = 0; i < 12; ++i) {
    for (int j = i + 1; j < 12; ++j) {
      size_t before = found_.size();
      Add("n" + std::to_string(j), "n" + std::to_string(i));
      EXPECT_LE(found_.size() - before, LockOrderGraph::kMaxCyclesPerSearch + 1);  // + the inversion
    }
  }
}

TEST_F(LockOrderTest, BoundedAndResettable) {
  EXPECT_TRUE(Add("a", "b", 2));
  EXPECT_TRUE(Add("a", "c", 2));
  EXPECT_FALSE(Add("b", "c", 2)) << "a third pair over the limit is dropped";
  EXPECT_TRUE(Add("c", "a", 2)) << "an existing pair still counts";
  EXPECT_EQ(graph_.count(), 2u);
  EXPECT_GT(graph_.memory_bytes(), 0u);
  graph_.Reset();
  EXPECT_EQ(graph_.count(), 0u);
  EXPECT_EQ(graph_.memory_bytes(), 0u);
  EXPECT_TRUE(graph_.Snapshot().empty());
}

TEST_F(LockOrderTest, SameTableHasNoOrder) {
  EXPECT_TRUE(Add("a", "a"));
  EXPECT_TRUE(graph_.Snapshot().empty());
}

}  // namespace
}  // namespace lockdiag
