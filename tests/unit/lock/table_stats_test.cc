// table_stats_test.cc: per-table aggregation, the table bound and dropped
// updates, hash collisions, the table-level detectors, snapshots, Reset
// giving the budget back, and concurrent publishing.
#include "core/lock/table_stats.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../common/run_threads.h"
#include "test_tables.h"

namespace lockdiag {
namespace {

TxnTable T(const std::string& name) { return testing::TestTable(name); }

class TableStatsTest : public ::testing::Test {
 protected:
  TableStatsStore store_;
  std::vector<PatternCandidate> found_;

  bool Apply(const TxnTable& t, const TableFacts& f = TableFacts{}, Timestamp now = 10, uint64_t limit = 100,
             Isolation iso = Isolation::kRepeatableRead, uint32_t deadlocks = 0) {
    TableUpdate u{&t, &f, iso, 0, deadlocks, 0};
    return store_.Apply(u, now, limit, &found_);
  }
};

TEST_F(TableStatsTest, FoldsTransactionsIntoTheTableRow) {
  TxnTable t = T("orders");
  t.accesses[static_cast<int>(AccessKind::kRead)] = 2;
  t.accesses[static_cast<int>(AccessKind::kWrite)] = 1;
  TableFacts f;
  f.unlocked_read_write = true;
  ASSERT_TRUE(Apply(t, f, 100));
  ASSERT_TRUE(Apply(t, TableFacts{}, 50, 100, Isolation::kRepeatableRead, 1));
  TableStats s;
  ASSERT_TRUE(store_.Lookup(t.hash, &s));
  EXPECT_EQ(s.row.schema, "s");
  EXPECT_EQ(s.row.table, "orders");
  EXPECT_EQ(s.row.transactions, 2u);
  EXPECT_EQ(s.row.accesses[static_cast<int>(AccessKind::kRead)], 4u);
  EXPECT_EQ(s.row.accesses[static_cast<int>(AccessKind::kWrite)], 2u);
  EXPECT_EQ(s.row.unlocked_read_write_transactions, 1u);
  EXPECT_EQ(s.row.deadlocks, 1u);
  // Batches of several connections arrive out of time order: FIRST_SEEN is
  // the earliest transaction's, LAST_SEEN the latest's.
  EXPECT_EQ(s.row.first_seen, 50);
  EXPECT_EQ(s.row.last_seen, 100) << "last_seen never moves back";
  EXPECT_FALSE(store_.Lookup(T("other").hash, &s));
  EXPECT_TRUE(found_.empty());
}

TEST_F(TableStatsTest, NewTablesOverTheLimitAreDropped) {
  ASSERT_TRUE(Apply(T("a"), {}, 10, 2));
  ASSERT_TRUE(Apply(T("b"), {}, 10, 2));
  EXPECT_FALSE(Apply(T("c"), {}, 10, 2)) << "the caller counts a dropped event";
  EXPECT_TRUE(Apply(T("a"), {}, 10, 2)) << "tracked tables keep counting at the limit";
  EXPECT_EQ(store_.count(), 2u);
  TableStats s;
  EXPECT_FALSE(store_.Lookup(T("c").hash, &s));
  ASSERT_TRUE(store_.Lookup(T("a").hash, &s));
  EXPECT_EQ(s.row.transactions, 2u);
}

TEST_F(TableStatsTest, AHashCollisionNeverMixesTwoTables) {
  ASSERT_TRUE(Apply(T("a")));
  TxnTable impostor = T("b");
  impostor.hash = T("a").hash;
  EXPECT_FALSE(Apply(impostor));
  TableStats s;
  ASSERT_TRUE(store_.Lookup(T("a").hash, &s));
  EXPECT_EQ(s.row.table, "a");
  EXPECT_EQ(s.row.transactions, 1u);
  EXPECT_EQ(store_.count(), 1u) << "a collision claims nothing";
}

TEST_F(TableStatsTest, ReportsMixedLockTablesOnce) {
  TableFacts under;
  under.lock_tables = true;
  under.lock_tables_digest = 11;
  TableFacts outside;
  outside.locked_without_lock_tables = true;
  outside.locked_without_lock_tables_digest = 22;
  ASSERT_TRUE(Apply(T("t"), under));
  EXPECT_TRUE(found_.empty());
  ASSERT_TRUE(Apply(T("t"), outside));
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].type, PatternType::kMixedLockTables);
  EXPECT_EQ(found_[0].names, std::vector<std::string>{"s.t"});
  EXPECT_EQ(found_[0].tables, std::vector<uint64_t>{T("t").hash});
  ASSERT_TRUE(Apply(T("t"), outside));
  EXPECT_EQ(found_.size(), 1u);
  TableStats s;
  ASSERT_TRUE(store_.Lookup(T("t").hash, &s));
  EXPECT_EQ(s.lock_tables_txns, 1u);
  EXPECT_EQ(s.locked_without_lock_tables_txns, 2u);
  EXPECT_EQ(s.lock_tables_sample.Top(), 11u);
  EXPECT_EQ(s.locked_without_lock_tables_sample.Top(), 22u);
}

TEST_F(TableStatsTest, ReportsMixedIsolationLevelsOfWritersOnce) {
  TableFacts wrote;
  wrote.wrote = true;
  wrote.write_digest = 5;
  TableFacts read_only;
  ASSERT_TRUE(Apply(T("t"), wrote, 10, 100, Isolation::kRepeatableRead));
  ASSERT_TRUE(Apply(T("t"), read_only, 10, 100, Isolation::kReadCommitted));
  EXPECT_TRUE(found_.empty()) << "only writing transactions count";
  ASSERT_TRUE(Apply(T("t"), wrote, 10, 100, Isolation::kReadCommitted));
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].type, PatternType::kMixedIsolationLevels);
  ASSERT_TRUE(Apply(T("t"), wrote, 10, 100, Isolation::kSerializable));
  EXPECT_EQ(found_.size(), 1u);
  TableStats s;
  ASSERT_TRUE(store_.Lookup(T("t").hash, &s));
  EXPECT_EQ(s.write_txns_by_isolation[static_cast<int>(Isolation::kReadCommitted)], 1u);
  EXPECT_EQ(s.write_sample_by_isolation[static_cast<int>(Isolation::kRepeatableRead)].Top(), 5u);
}

TEST_F(TableStatsTest, SnapshotCopiesEveryRow) {
  for (const char* name : {"a", "b", "c"}) ASSERT_TRUE(Apply(T(name)));
  std::vector<TableRow> rows = store_.Snapshot();
  ASSERT_EQ(rows.size(), 3u);
  std::vector<std::string> names;
  for (const TableRow& r : rows) names.push_back(r.table);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(TableStatsTest, ResetForgetsEverythingAndGivesTheBudgetBack) {
  ASSERT_TRUE(Apply(T("a"), {}, 10, 1));
  EXPECT_GT(store_.memory_bytes(), 0u);
  EXPECT_FALSE(Apply(T("b"), {}, 10, 1));
  store_.Reset();
  EXPECT_EQ(store_.count(), 0u);
  EXPECT_EQ(store_.memory_bytes(), 0u);
  EXPECT_TRUE(store_.Snapshot().empty());
  EXPECT_TRUE(Apply(T("b"), {}, 10, 1)) << "the room is back";
}

TEST_F(TableStatsTest, ConcurrentPublishersCountEveryTransaction) {
  constexpr int kThreads = 4, kTxns = 2000, kTables = 8;
  std::vector<TxnTable> tables;
  for (int i = 0; i < kTables; ++i) tables.push_back(T("t" + std::to_string(i)));
  testing::RunThreads(kThreads, [&](int th) {
    std::vector<PatternCandidate> found;
    TableFacts f;
    for (int i = 0; i < kTxns; ++i) {
      TableUpdate u{&tables[(i + th) % kTables], &f, Isolation::kRepeatableRead, 0, 0, 0};
      ASSERT_TRUE(store_.Apply(u, i, 100, &found));
    }
  });
  uint64_t total = 0;
  for (const TableRow& r : store_.Snapshot()) total += r.transactions;
  EXPECT_EQ(total, uint64_t{kThreads} * kTxns);
  EXPECT_EQ(store_.count(), uint64_t{kTables});
}

TEST(DigestSample, TheCodePathBeatsASetupStatementSeenOnce) {
  DigestSample s;
  EXPECT_EQ(s.Top(), 0u);
  s.Add(1);  // the setup INSERT, first
  for (int i = 0; i < 5; ++i) s.Add(2);
  EXPECT_EQ(s.Top(), 2u);
  // More distinct digests than slots: the frequent one survives.
  for (uint64_t d = 10; d < 30; ++d) s.Add(d);
  for (int i = 0; i < 30; ++i) s.Add(2);
  EXPECT_EQ(s.Top(), 2u);
  s.Add(0);
  EXPECT_EQ(s.Top(), 2u) << "0 (no digest) is never a sample";
}

}  // namespace
}  // namespace lockdiag
