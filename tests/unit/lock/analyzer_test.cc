// Tests of the Analyzer as a whole: memory bounds and drops, reset, and
// publishing from several threads at once. For a data-race check, build with
// -DCMAKE_CXX_FLAGS=-fsanitize=thread -DLOCKDIAG_WITH_PLUGIN=OFF and run
// these tests (done when the core was written; not part of ctest).
#include "core/lock/analyzer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_client.h"

namespace lockdiag {
namespace {

using testing::Client;
constexpr AccessKind kRead = AccessKind::kRead;
constexpr AccessKind kWrite = AccessKind::kWrite;

// Every kind of finding, by one client: an inversion (with `other`), a
// check-then-insert race, a deadlock incident.
void MixedWorkload(Client& c, int i, const std::string& table, const std::string& other) {
  const std::string k = std::to_string(i);
  c.Begin();
  c.Run("UPDATE " + table + " SET n = 1 WHERE id = " + k, {{"s." + table, kWrite, {{"id", k}}}});
  c.Run("UPDATE " + other + " SET n = 1 WHERE id = " + k, {{"s." + other, kWrite, {{"id", k}}}});
  c.Commit();
  c.Begin();
  c.Run("SELECT * FROM users WHERE email = " + k, {{"s.users", kRead, {{"email", k}}}});
  c.Run("INSERT INTO users VALUES (" + k + ")", {{"s.users", kWrite, {{"email", k}}}},
        i % 10 == 0 ? kErrDupEntry : 0);
  c.Commit();
  if (i % 7 == 0) {
    c.Begin();
    c.Run("UPDATE " + table + " SET n = 2", {{"s." + table, kWrite}});
    c.Run("UPDATE " + other + " SET n = 2", {{"s." + other, kWrite}}, kErrLockDeadlock);
  }
}

TEST(Analyzer, MemoryIsBoundedByMaxTablesAndDropsAreCounted) {
  Config config;
  config.max_tables = 4;
  Analyzer analyzer(&config);
  Client c(&analyzer, 1);
  // 30 tables, each transaction locking 6 of them: far more pairs than the
  // bound allows.
  for (int t = 0; t < 30; ++t) {
    c.Begin();
    for (int j = 0; j < 6; ++j) {
      const std::string name = "t" + std::to_string((t + j * 7) % 30);
      c.Run("UPDATE " + name + " SET n = " + std::to_string(t), {{"s." + name, kWrite}});
    }
    c.Commit();
  }
  AnalyzerStatus st = analyzer.Status();
  EXPECT_EQ(st.tracked_tables, 4u);
  EXPECT_LE(analyzer.SnapshotLockOrder().size(), 2 * 4 * Analyzer::kLockOrderPairsPerTable);
  EXPECT_LE(st.patterns, 4 * Analyzer::kPatternsPerTable);
  EXPECT_GT(st.dropped_events, 0u);
  EXPECT_GT(st.memory_bytes, 0u);
  EXPECT_LT(st.memory_bytes, 64u * 1024) << "a few dozen entries";
}

TEST(Analyzer, ResetClearsEverything) {
  Config config;
  Analyzer analyzer(&config);
  Client c(&analyzer, 1);
  for (int i = 0; i < 20; ++i) MixedWorkload(c, i, i % 2 ? "a" : "b", i % 2 ? "b" : "a");
  ASSERT_FALSE(analyzer.SnapshotPatterns().empty());
  ASSERT_FALSE(analyzer.SnapshotIncidents().empty());
  ASSERT_FALSE(analyzer.SnapshotLockOrder().empty());
  const uint64_t last_id = analyzer.SnapshotPatterns().back().id;
  analyzer.Reset();
  EXPECT_TRUE(analyzer.SnapshotTables().empty());
  EXPECT_TRUE(analyzer.SnapshotLockOrder().empty());
  EXPECT_TRUE(analyzer.SnapshotPatterns().empty());
  EXPECT_TRUE(analyzer.SnapshotIncidents().empty());
  AnalyzerStatus st = analyzer.Status();
  EXPECT_EQ(st.statements, 0u);
  EXPECT_EQ(st.transactions, 0u);
  EXPECT_EQ(st.tracked_tables, 0u);
  EXPECT_EQ(st.patterns, 0u);
  // Only the live connection's own buffers (published when they grow).
  EXPECT_NEAR(static_cast<double>(st.memory_bytes), static_cast<double>(c.session().HeapBytes()), 1024.0);
  EXPECT_EQ(st.dropped_events, 0u);
  // Findings come back, with new ids.
  for (int i = 0; i < 20; ++i) MixedWorkload(c, i, i % 2 ? "a" : "b", i % 2 ? "b" : "a");
  ASSERT_FALSE(analyzer.SnapshotPatterns().empty());
  EXPECT_GT(analyzer.SnapshotPatterns().front().id, last_id);
}

TEST(Analyzer, StatusCountsFindingsBySeverityAndLockErrorsByKind) {
  Config config;
  config.history_size = 1;  // the counters do not depend on the rows kept
  Analyzer analyzer(&config);
  Client c(&analyzer, 1);
  for (int i = 0; i < 20; ++i) MixedWorkload(c, i, i % 2 ? "a" : "b", i % 2 ? "b" : "a");
  c.Begin();
  c.Run("UPDATE a SET n = 3 WHERE id = 1", {{"s.a", kWrite, {{"id", "1"}}}}, kErrLockWaitTimeout);
  c.Commit();
  c.Begin();
  c.Run("INSERT INTO users VALUES (1)", {{"s.users", kWrite, {{"email", "1"}}}}, kErrDupEntryWithKeyName);
  c.Commit();

  const AnalyzerStatus st = analyzer.Status();
  const std::vector<PatternRow> rows = analyzer.SnapshotPatterns();
  uint64_t high = 0, medium = 0, low = 0;
  for (const PatternRow& r : rows) {
    high += r.severity == "HIGH";
    medium += r.severity == "MEDIUM";
    low += r.severity == "LOW";
  }
  ASSERT_GT(high, 0u);
  EXPECT_EQ(st.patterns, rows.size());
  EXPECT_EQ(st.findings_high, high);
  EXPECT_EQ(st.findings_medium, medium);
  EXPECT_EQ(st.findings_low, low);
  // MixedWorkload: a duplicate key at i = 0 and 10, a deadlock at 0, 7, 14.
  EXPECT_EQ(st.deadlocks, 3u);
  EXPECT_EQ(st.lock_wait_timeouts, 1u);
  EXPECT_EQ(st.duplicate_keys, 3u) << "ER_DUP_ENTRY and ER_DUP_ENTRY_WITH_KEY_NAME";

  analyzer.Reset();
  const AnalyzerStatus after = analyzer.Status();
  EXPECT_EQ(after.findings_high + after.findings_medium + after.findings_low, 0u);
  EXPECT_EQ(after.deadlocks, 0u);
  EXPECT_EQ(after.lock_wait_timeouts, 0u);
  EXPECT_EQ(after.duplicate_keys, 0u);
}

TEST(Analyzer, ConcurrentPublishingAndSnapshots) {
  Config config;
  config.history_size = 50;
  Analyzer analyzer(&config);
  constexpr int kThreads = 4, kIterations = 300;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      analyzer.SnapshotTables();
      analyzer.SnapshotLockOrder();
      analyzer.SnapshotPatterns();
      analyzer.SnapshotIncidents();
      analyzer.Status();
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&analyzer, t] {
      Client c(&analyzer, 100 + t);
      c.session().SetIdentity("u" + std::to_string(t), "h");
      for (int i = 0; i < kIterations; ++i) {
        // Threads 0, 2 lock a then b; threads 1, 3 b then a.
        MixedWorkload(c, t * kIterations + i, t % 2 ? "b" : "a", t % 2 ? "a" : "b");
      }
    });
  }
  for (std::thread& w : writers) w.join();
  done = true;
  reader.join();
  AnalyzerStatus st = analyzer.Status();
  // Two transactions per iteration, a third (the deadlock) when the
  // workload's index is a multiple of 7: counted exactly, nothing is lost.
  uint64_t expected = 0;
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kIterations; ++i) expected += ((t * kIterations + i) % 7 == 0) ? 3 : 2;
  EXPECT_EQ(st.transactions, expected);
  auto patterns = analyzer.SnapshotPatterns();
  bool inversion = false, race = false;
  for (const PatternRow& p : patterns) {
    inversion = inversion || p.pattern == "LOCK_ORDER_INVERSION";
    race = race || p.pattern == "UNLOCKED_READ_MODIFY_WRITE";
  }
  EXPECT_TRUE(inversion);
  EXPECT_TRUE(race);
  EXPECT_EQ(analyzer.SnapshotIncidents().size(), 50u);
  for (const IncidentRow& i : analyzer.SnapshotIncidents()) EXPECT_NE(i.pattern_id, 0u) << i.error_name;
}

}  // namespace
}  // namespace lockdiag
