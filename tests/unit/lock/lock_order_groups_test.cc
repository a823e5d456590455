// Tests of GroupLockOrders: the groups (strongly connected components), the
// recommended order (exact solver against brute force, heuristic and its
// bounds), determinism, and FindLockOrderGroup on the graph's own patterns.
#include "core/lock/lock_order_groups.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/lock/lock_order.h"

namespace lockdiag {
namespace {

uint64_t H(const std::string& table) { return TableHash("s", table); }

LockOrderEdge E(const std::string& a, const std::string& b, uint64_t transactions, uint64_t digest = 0) {
  LockOrderEdge e;
  e.first = TableNames{"s", a};
  e.second = TableNames{"s", b};
  e.first_hash = H(a);
  e.second_hash = H(b);
  e.transactions = transactions;
  e.sample_digest = digest;
  return e;
}

std::vector<std::string> Names(const LockOrderGroup& g) {
  std::vector<std::string> out;
  for (const LockOrderTable& t : g.order) out.push_back(t.name);
  return out;
}

// "a>b:15" per violation, in order.
std::vector<std::string> Violations(const LockOrderGroup& g) {
  std::vector<std::string> out;
  for (const LockOrderEdge& e : g.violations)
    out.push_back(e.first.table + ">" + e.second.table + ":" + std::to_string(e.transactions));
  return out;
}

// Backward weight of `order` (table names) over `edges`.
uint64_t Cost(const std::vector<std::string>& order, const std::vector<LockOrderEdge>& edges) {
  std::map<std::string, size_t> pos;
  for (size_t i = 0; i < order.size(); ++i) pos[order[i]] = i;
  uint64_t c = 0;
  for (const LockOrderEdge& e : edges) {
    auto a = pos.find(e.first.Qualified()), b = pos.find(e.second.Qualified());
    if (a != pos.end() && b != pos.end() && a->second > b->second) c += e.transactions;
  }
  return c;
}

// Checks what must hold of any result: each group's order is a permutation of
// its tables, violations are exactly its backward edges with their sum, and
// total_transactions counts every edge inside it.
void ExpectConsistent(const std::vector<LockOrderGroup>& groups, const std::vector<LockOrderEdge>& edges) {
  std::set<uint64_t> seen;
  for (const LockOrderGroup& g : groups) {
    ASSERT_GE(g.order.size(), 2u);
    std::map<uint64_t, size_t> pos;
    for (size_t i = 0; i < g.order.size(); ++i) {
      EXPECT_TRUE(seen.insert(g.order[i].hash).second) << "a table in two groups or twice";
      pos[g.order[i].hash] = i;
    }
    uint64_t total = 0, against = 0, listed = 0;
    size_t backward = 0;
    for (const LockOrderEdge& e : edges) {
      if (e.transactions == 0 || !pos.count(e.first_hash) || !pos.count(e.second_hash)) continue;
      total += e.transactions;
      if (pos[e.first_hash] > pos[e.second_hash]) against += e.transactions, ++backward;
    }
    for (size_t i = 0; i < g.violations.size(); ++i) {
      const LockOrderEdge& v = g.violations[i];
      EXPECT_GT(pos.at(v.first_hash), pos.at(v.second_hash));
      if (i > 0) {
        EXPECT_GE(g.violations[i - 1].transactions, v.transactions) << "heaviest first";
      }
      listed += v.transactions;
    }
    EXPECT_EQ(g.violations.size(), backward);
    EXPECT_EQ(listed, against);
    EXPECT_EQ(g.violating_transactions, against);
    EXPECT_EQ(g.total_transactions, total);
    EXPECT_FALSE(g.violations.empty()) << "a group has a cycle";
  }
}

TEST(LockOrderGroupsTest, TwoTableInversionRecommendsTheMajorityOrder) {
  const std::vector<LockOrderEdge> edges = {E("orders", "customers", 15, 7), E("customers", "orders", 60, 8)};
  const auto groups = GroupLockOrders(edges);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(Names(groups[0]), (std::vector<std::string>{"s.customers", "s.orders"}));
  EXPECT_EQ(Violations(groups[0]), (std::vector<std::string>{"orders>customers:15"}));
  EXPECT_EQ(groups[0].violations[0].sample_digest, 7u) << "names the minority path's statement";
  EXPECT_EQ(groups[0].violating_transactions, 15u);
  EXPECT_EQ(groups[0].total_transactions, 75u);
  EXPECT_TRUE(groups[0].exact);
  ExpectConsistent(groups, edges);

  // The majority wins even against alphabetical order.
  const auto flipped = GroupLockOrders({E("orders", "customers", 60), E("customers", "orders", 15)});
  ASSERT_EQ(flipped.size(), 1u);
  EXPECT_EQ(Names(flipped[0]), (std::vector<std::string>{"s.orders", "s.customers"}));
  EXPECT_EQ(Violations(flipped[0]), (std::vector<std::string>{"customers>orders:15"}));
}

// The issue's load test: one minority edge (stock before customers) closes
// several 3- and 4-cycles with the majority's orders. One group, one
// violation; a table only locked after the group (payments) is not in it.
std::vector<LockOrderEdge> IssueEdges() {
  return {E("customers", "orders", 50), E("orders", "items", 40),      E("items", "stock", 30),
          E("customers", "items", 20),  E("orders", "stock", 25),      E("customers", "stock", 12),
          E("stock", "payments", 10),   E("stock", "customers", 4, 99)};
}

TEST(LockOrderGroupsTest, OneMinorityEdgeUnderManyCyclesIsTheOnlyViolation) {
  const std::vector<LockOrderEdge> edges = IssueEdges();
  for (size_t max_exact : {kLockOrderExactTables, size_t{0}}) {  // exact, then the heuristic
    LockOrderGroupOptions options;
    options.max_exact_tables = max_exact;
    const auto groups = GroupLockOrders(edges, options);
    ASSERT_EQ(groups.size(), 1u);
    EXPECT_EQ(groups[0].exact, max_exact != 0);
    EXPECT_EQ(Names(groups[0]), (std::vector<std::string>{"s.customers", "s.orders", "s.items", "s.stock"}));
    EXPECT_EQ(Violations(groups[0]), (std::vector<std::string>{"stock>customers:4"}));
    EXPECT_EQ(groups[0].violations[0].sample_digest, 99u);
    EXPECT_EQ(groups[0].total_transactions, 50u + 40 + 30 + 20 + 25 + 12 + 4);
    ExpectConsistent(groups, edges);
  }
}

TEST(LockOrderGroupsTest, EveryPatternTheGraphReportsFoldsIntoTheGroup) {
  // The same workload through the real graph: it reports the inversion and
  // the cycles through the minority edge; each falls in the one group.
  LockOrderGraph graph;
  std::vector<PatternCandidate> found;
  auto table = [](const std::string& name) {
    TxnTable t;
    t.schema = "s";
    t.table = name;
    t.hash = H(name);
    return t;
  };
  for (const LockOrderEdge& e : IssueEdges())
    for (uint64_t i = 0; i < e.transactions; ++i)
      ASSERT_TRUE(graph.Add(table(e.first.table), table(e.second.table), e.sample_digest, 1, 1000, &found));
  size_t cycles = 0, inversions = 0;
  for (const PatternCandidate& p : found) (p.type == PatternType::kLockOrderCycle ? cycles : inversions) += 1;
  EXPECT_EQ(inversions, 1u);
  EXPECT_GE(cycles, 2u);

  const auto groups = GroupLockOrders(graph.Snapshot());
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(Violations(groups[0]), (std::vector<std::string>{"stock>customers:4"}));
  for (const PatternCandidate& p : found) EXPECT_EQ(FindLockOrderGroup(groups, p.tables), 0u);
}

TEST(LockOrderGroupsTest, DisjointGroupsStaySeparate) {
  // {a, b} and {x, y, z}, joined by a one-way edge b -> x: two groups.
  const std::vector<LockOrderEdge> edges = {E("x", "y", 9), E("y", "z", 9), E("z", "x", 2),
                                            E("b", "a", 3), E("a", "b", 5), E("b", "x", 100)};
  const auto groups = GroupLockOrders(edges);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(Names(groups[0]), (std::vector<std::string>{"s.a", "s.b"})) << "ordered by smallest name";
  EXPECT_EQ(Violations(groups[0]), (std::vector<std::string>{"b>a:3"}));
  EXPECT_EQ(Names(groups[1]), (std::vector<std::string>{"s.x", "s.y", "s.z"}));
  EXPECT_EQ(Violations(groups[1]), (std::vector<std::string>{"z>x:2"}));
  EXPECT_EQ(groups[1].total_transactions, 20u) << "the bridge is in no group";
  ExpectConsistent(groups, edges);

  EXPECT_EQ(FindLockOrderGroup(groups, {H("b"), H("a")}), 0u);
  EXPECT_EQ(FindLockOrderGroup(groups, {H("z"), H("x"), H("y")}), 1u);
  EXPECT_EQ(FindLockOrderGroup(groups, {H("b"), H("x")}), kNoLockOrderGroup) << "two groups";
  EXPECT_EQ(FindLockOrderGroup(groups, {H("x"), H("nowhere")}), kNoLockOrderGroup);
  EXPECT_EQ(FindLockOrderGroup(groups, {}), kNoLockOrderGroup);
}

TEST(LockOrderGroupsTest, AcyclicGraphGivesNoGroup) {
  EXPECT_TRUE(GroupLockOrders({}).empty());
  EXPECT_TRUE(GroupLockOrders({E("a", "b", 5), E("b", "c", 5), E("a", "c", 1), E("c", "d", 2)}).empty());
  // A direction with no transactions, or a self-loop, is no edge.
  EXPECT_TRUE(GroupLockOrders({E("a", "b", 5), E("b", "a", 0), E("a", "a", 3)}).empty());
}

TEST(LockOrderGroupsTest, DuplicateDirectionsAreSummed) {
  const auto groups = GroupLockOrders({E("a", "b", 2, 1), E("b", "a", 3), E("a", "b", 2, 5)});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(Names(groups[0]), (std::vector<std::string>{"s.a", "s.b"}));
  EXPECT_EQ(Violations(groups[0]), (std::vector<std::string>{"b>a:3"}));
  EXPECT_EQ(groups[0].total_transactions, 7u);
}

TEST(LockOrderGroupsTest, TiesAreBrokenByNameWhateverTheInputOrder) {
  // Every rotation of an even 3-cycle costs 5: the smallest names come first.
  std::vector<LockOrderEdge> edges = {E("c", "a", 5), E("b", "c", 5), E("a", "b", 5)};
  const auto groups = GroupLockOrders(edges);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(Names(groups[0]), (std::vector<std::string>{"s.a", "s.b", "s.c"}));
  EXPECT_EQ(Violations(groups[0]), (std::vector<std::string>{"c>a:5"}));
  const auto even = GroupLockOrders({E("b", "a", 10), E("a", "b", 10)});
  ASSERT_EQ(even.size(), 1u);
  EXPECT_EQ(Names(even[0]), (std::vector<std::string>{"s.a", "s.b"}));
  // Equal-weight violations are listed by name.
  const auto two = GroupLockOrders({E("a", "b", 9), E("b", "c", 9), E("c", "a", 1), E("b", "a", 1)});
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(Violations(two[0]), (std::vector<std::string>{"b>a:1", "c>a:1"}));

  // Shuffled input, exact (12 tables) and heuristic (20): the same result
  // every time.
  std::mt19937 rng(13);
  for (int tables : {12, 20}) {
    std::vector<LockOrderEdge> dense;
    for (int i = 0; i < tables; ++i)
      for (int j = 0; j < tables; ++j)
        if (i != j && rng() % 3 == 0)
          dense.push_back(E("t" + std::to_string(i), "t" + std::to_string(j), 1 + rng() % 3));
    const auto first = GroupLockOrders(dense);
    ASSERT_FALSE(first.empty());
    EXPECT_EQ(first[0].exact, tables == 12);
    for (int round = 0; round < 5; ++round) {
      std::shuffle(dense.begin(), dense.end(), rng);
      const auto again = GroupLockOrders(dense);
      ASSERT_EQ(again.size(), first.size());
      for (size_t g = 0; g < first.size(); ++g) {
        EXPECT_EQ(Names(again[g]), Names(first[g]));
        EXPECT_EQ(Violations(again[g]), Violations(first[g]));
      }
    }
  }
}

TEST(LockOrderGroupsTest, ExactSolverMatchesBruteForce) {
  // Random graphs of 2 to 8 tables: each group's order is the first (by
  // names) of the orders of minimum backward weight; the heuristic is valid
  // and never better than that minimum.
  std::mt19937 rng(20240613);
  size_t groups_checked = 0, heuristic_optimal = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const int n = 2 + static_cast<int>(rng() % 7);
    const unsigned density = 2 + rng() % 4;  // an edge with probability 1/density .. 1/2
    std::vector<LockOrderEdge> edges;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j)
        if (i != j && rng() % density == 0)
          edges.push_back(E(std::string(1, static_cast<char>('a' + i)),
                            std::string(1, static_cast<char>('a' + j)), 1 + rng() % 9));
    const auto groups = GroupLockOrders(edges);
    ExpectConsistent(groups, edges);
    LockOrderGroupOptions heuristic;
    heuristic.max_exact_tables = 0;
    const auto approx = GroupLockOrders(edges, heuristic);
    ExpectConsistent(approx, edges);
    ASSERT_EQ(approx.size(), groups.size());
    for (size_t g = 0; g < groups.size(); ++g) {
      ASSERT_TRUE(groups[g].exact);
      EXPECT_FALSE(approx[g].exact);
      // Every permutation of the group's tables, in lexicographic order of names.
      std::vector<std::string> names = Names(groups[g]);
      std::sort(names.begin(), names.end());
      EXPECT_EQ(Names(approx[g]).size(), names.size());
      const size_t k = names.size();
      std::vector<uint64_t> w(k * k, 0);  // by index in `names`
      for (const LockOrderEdge& e : edges) {
        auto a = std::find(names.begin(), names.end(), e.first.Qualified());
        auto b = std::find(names.begin(), names.end(), e.second.Qualified());
        if (a != names.end() && b != names.end())
          w[(a - names.begin()) * k + (b - names.begin())] += e.transactions;
      }
      std::vector<size_t> perm(k);
      for (size_t i = 0; i < k; ++i) perm[i] = i;
      uint64_t best = UINT64_MAX;
      std::vector<size_t> best_perm;
      do {
        uint64_t c = 0;
        for (size_t i = 0; i < k; ++i)
          for (size_t j = i + 1; j < k; ++j) c += w[perm[j] * k + perm[i]];
        if (c < best) best = c, best_perm = perm;
      } while (std::next_permutation(perm.begin(), perm.end()));
      std::vector<std::string> best_names;
      for (size_t i : best_perm) best_names.push_back(names[i]);
      EXPECT_EQ(groups[g].violating_transactions, best) << "trial " << trial;
      EXPECT_EQ(Names(groups[g]), best_names) << "trial " << trial;
      EXPECT_GE(approx[g].violating_transactions, best);
      heuristic_optimal += approx[g].violating_transactions == best;
      ++groups_checked;
    }
  }
  EXPECT_GT(groups_checked, 100u);
  EXPECT_GT(heuristic_optimal * 10, groups_checked * 9) << "the heuristic is optimal on most small graphs";
}

TEST(LockOrderGroupsTest, ExactWorkBudgetFallsBackToTheHeuristic) {
  // Two 12-table rings; the budget fits one exact solve only.
  std::vector<LockOrderEdge> edges;
  for (const char* prefix : {"p", "q"})
    for (int i = 0; i < 12; ++i)
      edges.push_back(E(prefix + std::to_string(i + 10), prefix + std::to_string((i + 1) % 12 + 10), 1 + i));
  LockOrderGroupOptions options;
  options.exact_work = (uint64_t{1} << 12) * 12 * 12;
  const auto groups = GroupLockOrders(edges, options);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_TRUE(groups[0].exact);
  EXPECT_FALSE(groups[1].exact);
  // A ring's best order breaks it at its lightest edge, which the heuristic finds too.
  EXPECT_EQ(groups[0].violating_transactions, 1u);
  EXPECT_EQ(groups[1].violating_transactions, 1u);
  ExpectConsistent(groups, edges);
  // The cap on max_exact_tables holds whatever is asked.
  options = LockOrderGroupOptions();
  options.max_exact_tables = 1000;
  std::vector<LockOrderEdge> ring;
  for (int i = 0; i < 20; ++i)
    ring.push_back(E("r" + std::to_string(i + 10), "r" + std::to_string((i + 1) % 20 + 10), 1));
  const auto big = GroupLockOrders(ring, options);
  ASSERT_EQ(big.size(), 1u);
  EXPECT_FALSE(big[0].exact);
}

TEST(LockOrderGroupsTest, LargeDenseGraphStaysWithinTheWorkBound) {
  // 40 tables, an edge each way between every pair: a planted order is
  // followed by most transactions, the reverse by a few.
  const int n = 40;
  std::mt19937 rng(40);
  std::vector<std::string> planted;
  for (int i = 0; i < n; ++i) planted.push_back("t" + std::to_string(100 + i));
  std::shuffle(planted.begin(), planted.end(), rng);
  std::vector<LockOrderEdge> edges;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) {
      edges.push_back(E(planted[i], planted[j], 20 + rng() % 50));
      edges.push_back(E(planted[j], planted[i], 1 + rng() % 10));
    }
  std::vector<std::string> planted_names;
  for (const std::string& t : planted) planted_names.push_back("s." + t);
  const uint64_t planted_cost = Cost(planted_names, edges);

  for (uint64_t refine : {uint64_t{0}, uint64_t{1000}, kLockOrderRefineWork}) {
    LockOrderGroupOptions options;
    options.refine_work = refine;
    const auto groups = GroupLockOrders(edges, options);
    ASSERT_EQ(groups.size(), 1u);
    ASSERT_EQ(groups[0].order.size(), static_cast<size_t>(n));
    EXPECT_FALSE(groups[0].exact);
    ExpectConsistent(groups, edges);
    if (refine == kLockOrderRefineWork) {
      EXPECT_LE(groups[0].violating_transactions, planted_cost);
      EXPECT_EQ(Names(groups[0]), planted_names) << "the planted order is recovered";
    }
  }
}

}  // namespace
}  // namespace lockdiag
