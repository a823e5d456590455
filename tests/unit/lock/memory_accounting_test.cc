// Lockdiag_memory_bytes is the real heap: what the Analyzer and the live
// Sessions say they hold, checked against glibc's own count
// (mallinfo2().uordblks) over a workload that fills every store.
#include <gtest/gtest.h>
#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "core/lock/analyzer.h"
#include "test_client.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LOCKDIAG_OWN_ALLOCATOR 1  // the sanitizers replace malloc: nothing to compare
#endif

namespace lockdiag {
namespace {

using testing::Client;

size_t HeapInUse() { return mallinfo2().uordblks; }

// Ratio of what lockdiag says to what the allocator holds for it.
double AccountedRatio(int connections, int tables, int rounds) {
  Config config;
  std::vector<std::unique_ptr<Client>> clients;
  clients.reserve(connections);
  const size_t before = HeapInUse();
  auto analyzer = std::make_unique<Analyzer>(&config);
  for (int c = 0; c < connections; ++c) clients.push_back(std::make_unique<Client>(analyzer.get(), 1 + c));
  for (int r = 0; r < rounds; ++r) {
    for (int c = 0; c < connections; ++c) {
      Client& cl = *clients[c];
      const std::string a = "tbl_" + std::to_string((c * 7 + r) % tables);
      const std::string b = "tbl_" + std::to_string((c * 13 + r * 3 + 1) % tables);
      cl.isolation = (r + c) % 5 == 0 ? Isolation::kReadCommitted : Isolation::kRepeatableRead;
      cl.Begin();
      cl.Run("SELECT v FROM " + a + " WHERE id = " + std::to_string(r),
             {{"app." + a, AccessKind::kRead, {{"id", "1"}}}});
      cl.Run("UPDATE " + b + " SET v = v + 1 WHERE id = 1",
             {{"app." + b, AccessKind::kWrite, {{"id", "1"}}}});
      cl.Run("UPDATE " + a + " SET v = 2 WHERE id = 1", {{"app." + a, AccessKind::kWrite, {{"id", "1"}}}});
      if (r % 7 == 0)
        cl.Run("INSERT INTO " + b + " VALUES (1)", {{"app." + b, AccessKind::kWrite, {{"id", "1"}}}}, 1062);
      cl.Commit();
    }
  }
  const AnalyzerStatus st = analyzer->Status();
  const size_t after = HeapInUse();
  size_t sessions = 0;
  for (auto& c : clients) sessions += c->session().HeapBytes();
  std::printf("per connection %zu bytes (sizeof(Session) %zu)\n", sessions / clients.size(), sizeof(Session));
  const double real = static_cast<double>(after - before);
  const double said = static_cast<double>(st.memory_bytes);
  std::printf("connections %d tables %d rounds %d: Lockdiag_memory_bytes %.0f, allocator %.0f, ratio %.3f\n",
              connections, tables, rounds, said, real, said / real);
  clients.clear();
  analyzer.reset();
  return said / real;
}

TEST(MemoryAccounting, MatchesTheAllocatorsCount) {
#ifdef LOCKDIAG_OWN_ALLOCATOR
  GTEST_SKIP() << "a sanitizer's allocator: mallinfo2 does not see it";
#endif
  for (auto [connections, tables, rounds] :
       {std::tuple{50, 100, 5}, std::tuple{400, 3000, 5}, std::tuple{10, 2000, 50}}) {
    const double ratio = AccountedRatio(connections, tables, rounds);
    // Within 10%: what is counted is what a store holds; the rest is
    // rounding (bucket arrays grow in steps) and the test's own strings.
    EXPECT_GT(ratio, 0.90);
    EXPECT_LT(ratio, 1.10);
  }
}

// What one more of each thing costs (the figures docs/design.md quotes):
// printed, and checked against the bound the documentation states.
TEST(MemoryAccounting, BytesPerConnectionTableEdgeAndFinding) {
  Config config;
  Analyzer analyzer(&config);
  constexpr int kN = 2000;
  auto shared = [&analyzer]() { return analyzer.Status().memory_bytes; };
  Client c(&analyzer, 1);
  c.Run("SELECT 1 FROM app.warm WHERE id = 1", {{"app.warm", AccessKind::kRead, {{"id", "1"}}}});
  const uint64_t start = shared();
  auto table = [](int i) { return "app.table_" + std::to_string(i); };
  for (int i = 0; i < kN; ++i)
    c.Run("SELECT v FROM " + table(i) + " WHERE id = 1", {{table(i), AccessKind::kRead, {{"id", "1"}}}});
  const uint64_t tables = shared();
  for (int i = 0; i + 1 < kN; ++i) {
    c.Begin();
    c.Run("UPDATE " + table(i) + " SET v = 1 WHERE id = 1", {{table(i), AccessKind::kWrite, {{"id", "1"}}}});
    c.Run("UPDATE " + table(i + 1) + " SET v = 1 WHERE id = 1",
          {{table(i + 1), AccessKind::kWrite, {{"id", "1"}}}});
    c.Commit();
  }
  const uint64_t edges = shared();
  c.isolation = Isolation::kReadCommitted;
  for (int i = 0; i < kN; ++i)
    c.Run("UPDATE " + table(i) + " SET v = 2 WHERE id = 1", {{table(i), AccessKind::kWrite, {{"id", "1"}}}});
  const uint64_t findings = shared();
  const double per_table = static_cast<double>(tables - start) / kN;
  const double per_edge = static_cast<double>(edges - tables) / (kN - 1);
  const double per_finding = static_cast<double>(findings - edges) / kN;
  const AnalyzerStatus st = analyzer.Status();
  std::printf(
      "bytes per tracked table %.0f (with its digest text), per lock-order edge %.0f (with its "
      "digest text), per finding %.0f; findings %llu\n",
      per_table, per_edge, per_finding, static_cast<unsigned long long>(st.patterns));
  EXPECT_EQ(st.patterns, static_cast<uint64_t>(kN));
  // The bounds docs/design.md documents.
  EXPECT_LT(per_table, 1200);
  EXPECT_LT(per_edge, 1000);
  EXPECT_LT(per_finding, 1000);
  c.session().OnDisconnect();
}

// 600 connections, lockdiag_max_tables reached, and a workload that never
// repeats a table or a statement: memory stays under the bound.
TEST(MemoryAccounting, StaysUnderTheBoundWhateverTheWorkload) {
  Config config;
  config.max_tables.store(1000);
  Analyzer analyzer(&config);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 600; ++i) clients.push_back(std::make_unique<Client>(&analyzer, 1 + i));
  constexpr int kStatements = 300000;
  for (int i = 0; i < kStatements; ++i) {
    Client& cl = *clients[i % clients.size()];
    const std::string t = "app.t" + std::to_string(i);
    cl.Run(
        "SELECT v FROM " + t + " WHERE id = " + std::to_string(i) + " AND tag_" + std::to_string(i) + " = 1",
        {{t, AccessKind::kRead, {{"id", std::to_string(i)}}}});
  }
  const AnalyzerStatus st = analyzer.Status();
  EXPECT_EQ(st.tracked_tables, 1000u);
  EXPECT_GT(st.dropped_events, static_cast<uint64_t>(kStatements) / 2);
  // The documented bound: per table of lockdiag_max_tables its row, 8
  // lock-order pairs, 8 read/write pairs, 4 digest texts and 2 findings;
  // per connection 192 KiB at most (AConnectionAtEveryCapStaysUnderItsBound).
  const uint64_t bound = 1000 * (1200 + 8 * 1000 + 8 * 1000 + 4 * 1200 + 2 * 1000) + 600 * 192 * 1024;
  std::printf(
      "600 connections, %d distinct tables and statements, max_tables 1000: Lockdiag_memory_bytes %llu "
      "(bound %llu)\n",
      kStatements, static_cast<unsigned long long>(st.memory_bytes), static_cast<unsigned long long>(bound));
  EXPECT_LT(st.memory_bytes, bound);
  for (auto& cl : clients) cl->session().OnDisconnect();
}

// One connection at every per-transaction cap: its buffers stay under the
// per-connection bound docs/design.md gives (192 KiB).
TEST(MemoryAccounting, AConnectionAtEveryCapStaysUnderItsBound) {
  Config config;
  Analyzer analyzer(&config);
  Client c(&analyzer, 1);
  c.Begin();
  for (size_t i = 0; i < Session::kMaxAccessesPerTxn + 10; ++i) {
    const std::string t = "app.t" + std::to_string(i % 80);
    std::vector<std::pair<std::string, std::string>> keys;
    for (int k = 0; k < 8; ++k) keys.emplace_back("c" + std::to_string(k), std::to_string(i * 8 + k));
    c.Run("UPDATE t" + std::to_string(i) + " SET " + std::string(900, 'x') +
              " = 1 WHERE id = " + std::to_string(i),
          {{t, AccessKind::kWrite, keys}});
  }
  const size_t during = c.session().HeapBytes();
  c.Commit();
  const size_t after = c.session().HeapBytes();
  std::printf("a transaction at every cap: %zu bytes during, %zu kept after\n", during, after);
  EXPECT_LT(during, 192u * 1024);
  EXPECT_LT(after, 192u * 1024);
}

}  // namespace
}  // namespace lockdiag
