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

}  // namespace
}  // namespace lockdiag
