// Tests of the lock-order graph on its own: edges, inversions, cycle search
// and its bounds.
#include "core/lock/lock_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

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
  // the number of cycles explodes, the number reported per new edge does
  // not, and the bound is what stops the searches (some reach it exactly).
  for (int i = 0; i < 12; ++i)
    for (int j = i + 1; j < 12; ++j) Add("n" + std::to_string(i), "n" + std::to_string(j));
  size_t most = 0;
  for (int i = 0; i < 12; ++i) {
    for (int j = i + 1; j < 12; ++j) {
      size_t before = found_.size();
      Add("n" + std::to_string(j), "n" + std::to_string(i));
      size_t cycles = 0;
      for (size_t k = before; k < found_.size(); ++k)
        cycles += found_[k].type == PatternType::kLockOrderCycle;
      EXPECT_LE(cycles, LockOrderGraph::kMaxCyclesPerSearch);
      most = std::max(most, cycles);
    }
  }
  EXPECT_EQ(most, LockOrderGraph::kMaxCyclesPerSearch);
}

TEST_F(LockOrderTest, CycleSearchStopsAtTheCycleBound) {
  // One new edge from -> to closes a cycle from -> to -> m<i> -> from for
  // every i: only the first kMaxCyclesPerSearch are reported.
  const size_t n = LockOrderGraph::kMaxCyclesPerSearch + 8;
  for (size_t i = 0; i < n; ++i) {
    Add("to", "m" + std::to_string(i));
    Add("m" + std::to_string(i), "from");
  }
  ASSERT_TRUE(found_.empty());
  Add("from", "to");
  ASSERT_EQ(found_.size(), LockOrderGraph::kMaxCyclesPerSearch);
  for (size_t i = 0; i < found_.size(); ++i) {
    EXPECT_EQ(found_[i].type, PatternType::kLockOrderCycle);
    // Canonical rotation starts at the smallest name, "s.from".
    EXPECT_EQ(found_[i].names, (std::vector<std::string>{"s.from", "s.to", "s.m" + std::to_string(i)}))
        << "successors are searched in the order they were first seen";
  }
}

// CycleBehindMaze builds, in a fresh graph, a layered "maze" behind table
// `to`: `width` tables per layer, every table of a layer locking before every
// table of the next, as many layers as a cycle can be long, and no way back.
// Then to -> exit -> from, added after the maze so the search from `to` tries
// the exit last, and finally the edge from -> to, which closes the one cycle
// from -> to -> exit. Returns the cycles that last edge reported.
std::vector<PatternCandidate> CycleBehindMaze(size_t width) {
  LockOrderGraph graph;
  std::vector<PatternCandidate> found;
  auto add = [&](const std::string& a, const std::string& b) {
    ASSERT_TRUE(graph.Add(T(a), T(b), 42, 1, 100000, &found));
  };
  auto node = [](size_t layer, size_t i) { return "l" + std::to_string(layer) + "_" + std::to_string(i); };
  const size_t layers = LockOrderGraph::kMaxCycleLength - 2;  // besides `from` and `to` on the path
  for (size_t i = 0; i < width; ++i) add("to", node(1, i));
  for (size_t layer = 1; layer < layers; ++layer)
    for (size_t i = 0; i < width; ++i)
      for (size_t j = 0; j < width; ++j) add(node(layer, i), node(layer + 1, j));
  add("to", "exit");
  add("exit", "from");
  EXPECT_TRUE(found.empty());
  found.clear();
  add("from", "to");
  return found;
}

// MazeSteps: the successors the search from `to` tries in the maze before
// it tries the exit: width per table on every path of fewer than `layers`
// maze tables (the paths to the last layer are full length).
size_t MazeSteps(size_t width) {
  size_t steps = 0, paths = 1;
  for (size_t depth = 0; depth + 2 < LockOrderGraph::kMaxCycleLength; ++depth) {
    steps += paths * width;
    paths *= width;
  }
  return steps;
}

TEST_F(LockOrderTest, CycleSearchStopsAtTheStepBound) {
  // The widest maze whose search still reaches the exit: the maze, the step
  // to the exit and the step from the exit back to `from` fit the bound.
  size_t width = 1;
  while (MazeSteps(width + 1) + 2 <= LockOrderGraph::kMaxCycleSearchSteps) ++width;
  ASSERT_GE(width, 2u);
  ASSERT_GT(MazeSteps(width + 1) + 2, LockOrderGraph::kMaxCycleSearchSteps);

  // Within the bound the cycle behind the maze is found...
  std::vector<PatternCandidate> found = CycleBehindMaze(width);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].type, PatternType::kLockOrderCycle);
  EXPECT_EQ(found[0].names, (std::vector<std::string>{"s.exit", "s.from", "s.to"}));
  // ... one table wider and the search gives up before it reaches the exit.
  EXPECT_TRUE(CycleBehindMaze(width + 1).empty())
      << "the search went on past kMaxCycleSearchSteps (" << LockOrderGraph::kMaxCycleSearchSteps << ")";
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
