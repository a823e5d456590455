// Per-connection batching of the table aggregates (connection_batch.h): what
// a reader sees is exact, nothing is lost or counted twice, and a finding of
// a connection that goes idle still shows.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/lock/analyzer.h"
#include "core/lock/table_stats.h"
#include "test_client.h"

namespace lockdiag {
namespace {

using testing::Client;

class CountingListener : public AnalyzerListener {
 public:
  void OnNewFinding(const PatternRow& row) override { findings.push_back(row.pattern); }
  void OnIncident(const IncidentRow&) override {}
  std::vector<std::string> findings;
};

uint64_t Transactions(Analyzer* a, const std::string& table) {
  for (const TableRow& r : a->SnapshotTables()) {
    if (r.table == table) return r.transactions;
  }
  return 0;
}

void PointSelect(Client* c, const std::string& table) {
  c->Run("SELECT c FROM " + table + " WHERE id = 1", {{"s." + table, AccessKind::kRead, {{"id", "1"}}}});
}

void Update(Client* c, const std::string& table) {
  c->Run("UPDATE " + table + " SET k = k + 1 WHERE id = 1",
         {{"s." + table, AccessKind::kWrite, {{"id", "1"}}}});
}

TEST(ConnectionBatch, ReadersSeeEveryTransactionAtOnce) {
  Config config;
  Analyzer analyzer(&config);
  Client c(&analyzer, 1);
  for (int i = 0; i < 100; ++i) PointSelect(&c, "t");
  // Nothing has been folded in yet; the snapshot folds first.
  EXPECT_EQ(Transactions(&analyzer, "t"), 100u);
  const AnalyzerStatus st = analyzer.Status();
  EXPECT_EQ(st.statements, 100u);
  EXPECT_EQ(st.transactions, 100u);
  EXPECT_EQ(st.table_lock_events, 100u);
  EXPECT_EQ(st.tracked_tables, 1u);
  for (int i = 0; i < 5; ++i) PointSelect(&c, "t");
  EXPECT_EQ(Transactions(&analyzer, "t"), 105u) << "folded once, counted once";
}

TEST(ConnectionBatch, AClosedConnectionLeavesItsCountsBehind) {
  Config config;
  Analyzer analyzer(&config);
  {
    Client c(&analyzer, 1);
    for (int i = 0; i < 10; ++i) PointSelect(&c, "t");
    c.session().OnDisconnect();
  }
  EXPECT_EQ(analyzer.BatchCount(), 0u);
  EXPECT_EQ(Transactions(&analyzer, "t"), 10u);
  EXPECT_EQ(analyzer.Status().statements, 10u);
}

TEST(ConnectionBatch, ANinthTableFoldsTheBatchInOnTheOwnersThread) {
  Config config;
  Analyzer analyzer(&config);
  CountingListener listener;
  analyzer.SetListener(&listener);
  Client c(&analyzer, 1);
  // Writes under two isolation levels: MIXED_ISOLATION_LEVELS, once folded.
  Update(&c, "t0");
  c.isolation = Isolation::kReadCommitted;
  Update(&c, "t0");
  EXPECT_TRUE(listener.findings.empty()) << "still in the connection's batch";
  for (size_t i = 1; i < ConnectionBatch::kMaxTables; ++i) PointSelect(&c, "t" + std::to_string(i));
  EXPECT_TRUE(listener.findings.empty()) << "eight tables fit";
  PointSelect(&c, "t_ninth");
  ASSERT_EQ(listener.findings.size(), 1u);
  EXPECT_EQ(listener.findings[0], "MIXED_ISOLATION_LEVELS");
  analyzer.SetListener(nullptr);
}

TEST(ConnectionBatch, TheHousekeepingFlushShowsAnIdleConnectionsFinding) {
  Config config;
  Analyzer analyzer(&config);
  CountingListener listener;
  analyzer.SetListener(&listener);
  Client c(&analyzer, 1);
  Update(&c, "t");
  c.isolation = Isolation::kReadCommitted;
  Update(&c, "t");
  EXPECT_TRUE(listener.findings.empty());
  analyzer.FlushBatches();  // what the housekeeping thread does each second
  ASSERT_EQ(listener.findings.size(), 1u);
  EXPECT_EQ(listener.findings[0], "MIXED_ISOLATION_LEVELS");
  analyzer.SetListener(nullptr);
}

TEST(ConnectionBatch, AnUntrackableTableDropsEachTransactionOfTheBatch) {
  Config config;
  config.max_tables.store(1);
  Analyzer analyzer(&config);
  Client c(&analyzer, 1);
  PointSelect(&c, "first");
  for (int i = 0; i < 7; ++i) PointSelect(&c, "second");
  const AnalyzerStatus st = analyzer.Status();
  EXPECT_EQ(st.tracked_tables, 1u);
  EXPECT_EQ(st.dropped_events, 7u) << "one per transaction, as without batching";
  EXPECT_EQ(Transactions(&analyzer, "second"), 0u) << "a table is counted whole or not at all";
}

TEST(ConnectionBatch, ResetForgetsWhatIsPendingAndCountsOnFromZero) {
  Config config;
  Analyzer analyzer(&config);
  Client c(&analyzer, 1);
  for (int i = 0; i < 10; ++i) PointSelect(&c, "t");
  analyzer.Reset();
  EXPECT_EQ(Transactions(&analyzer, "t"), 0u);
  EXPECT_EQ(analyzer.Status().statements, 0u);
  for (int i = 0; i < 3; ++i) PointSelect(&c, "t");
  EXPECT_EQ(Transactions(&analyzer, "t"), 3u);
  EXPECT_EQ(analyzer.Status().statements, 3u);
  c.session().OnDisconnect();
}

TEST(ConnectionBatch, ConcurrentConnectionsAndReadersLoseNothing) {
  Config config;
  Analyzer analyzer(&config);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    uint64_t last = 0;
    while (!done.load()) {
      const uint64_t now = Transactions(&analyzer, "hot");
      EXPECT_GE(now, last) << "counts never go back";
      last = now;
      analyzer.FlushBatches();
    }
  });
  std::vector<std::unique_ptr<Client>> clients;
  for (int t = 0; t < kThreads; ++t) clients.push_back(std::make_unique<Client>(&analyzer, 10 + t));
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&clients, t] {
      std::unique_ptr<Client>& c = clients[t];
      for (int i = 0; i < kPerThread; ++i) {
        if (i % 3 == 0) {
          Update(c.get(), "hot");
        } else {
          PointSelect(c.get(), i % 2 == 0 ? "hot" : "cold" + std::to_string(i % 11));
        }
      }
      if (t % 2 != 0) return;  // still open at the end: its batch stays attached
      c->session().OnDisconnect();
      c.reset();
    });
  }
  for (std::thread& w : writers) w.join();
  done.store(true);
  reader.join();
  uint64_t total = 0;
  for (const TableRow& r : analyzer.SnapshotTables()) total += r.transactions;
  EXPECT_EQ(total, uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(analyzer.Status().statements, uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(analyzer.Status().dropped_events, 0u);
}

TEST(DigestSampleMerge, AWeightedAddKeepsTheHeavyHitter) {
  DigestSample batch;
  for (int i = 0; i < 50; ++i) batch.Add(7);
  batch.Add(1);
  batch.Add(2);
  batch.Add(3);
  batch.Add(4);  // all four slots were taken: every count is cut
  DigestSample table;
  for (uint64_t d = 11; d < 15; ++d) table.Add(d, 3);
  table.Merge(batch);
  EXPECT_EQ(table.Top(), 7u);
  DigestSample one;
  one.Add(9, 0);
  EXPECT_EQ(one.Top(), 0u) << "a weight of 0 adds nothing";
}

}  // namespace
}  // namespace lockdiag
