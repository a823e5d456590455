// read_write_pairs_test.cc: pair counts, the entry bound (summaries and pairs
// both count) and dropped observations, table hash collisions, the
// UNLOCKED_READ_MODIFY_WRITE and MIXED_LOCKING_READS detectors, the current
// read-modify-write summary, snapshots, Reset giving the budget back, and
// concurrent publishing.
#include "core/lock/read_write_pairs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../common/run_threads.h"
#include "test_tables.h"

namespace lockdiag {
namespace {

TxnTable T(const std::string& name) { return testing::TestTable(name); }

ReadWriteObservation Obs(uint64_t read, uint64_t write, bool matched = false, bool protected_read = false,
                         bool unprotected_read = false) {
  ReadWriteObservation o{};
  o.read_digest = read;
  o.write_digest = write;
  o.rmw_write = true;
  o.matched = matched;
  o.protected_read = protected_read;
  o.unprotected_read = unprotected_read;
  return o;
}
ReadWriteObservation Unprotected(uint64_t read, uint64_t write) {
  return Obs(read, write, true, false, true);
}
ReadWriteObservation Protected(uint64_t read, uint64_t write) { return Obs(read, write, true, true, false); }

class ReadWritePairsTest : public ::testing::Test {
 protected:
  ReadWritePairs pairs_;
  std::vector<PatternCandidate> found_;

  uint32_t Add(const TxnTable& t, std::vector<ReadWriteObservation> obs, uint64_t limit = 100,
               Timestamp now = 10) {
    return pairs_.Add(t, obs.data(), obs.size(), now, limit, &found_);
  }
  // Repeat: `n` transactions with the one observation `o`.
  void Repeat(const TxnTable& t, const ReadWriteObservation& o, int n) {
    for (int i = 0; i < n; ++i) ASSERT_EQ(Add(t, {o}), 0u);
  }
};

TEST_F(ReadWritePairsTest, CountsEachPairOfATable) {
  const TxnTable t = T("orders");
  EXPECT_EQ(Add(t, {Obs(1, 2), Unprotected(3, 2)}, 100, 7), 0u);
  EXPECT_EQ(Add(t, {Protected(1, 2)}, 100, 9), 0u);
  ReadWritePairStats p;
  ASSERT_TRUE(pairs_.Lookup(t.hash, 1, 2, &p));
  EXPECT_EQ(p.table.table, "orders");
  EXPECT_EQ(p.table_hash, t.hash);
  EXPECT_EQ(p.transactions, 2u);
  EXPECT_EQ(p.matched_transactions, 1u);
  EXPECT_EQ(p.protected_transactions, 1u);
  EXPECT_EQ(p.unprotected_transactions, 0u);
  EXPECT_EQ(p.last_seen, 9);
  ASSERT_TRUE(pairs_.Lookup(t.hash, 3, 2, &p));
  EXPECT_EQ(p.unprotected_transactions, 1u);
  EXPECT_FALSE(pairs_.Lookup(t.hash, 2, 1, &p)) << "order of the digests matters";
  EXPECT_FALSE(pairs_.Lookup(T("other").hash, 1, 2, &p));
  ReadWriteTableSummary s;
  ASSERT_TRUE(pairs_.LookupTable(t.hash, &s));
  EXPECT_EQ(s.table.table, "orders");
  EXPECT_EQ(s.last_seen, 9);
  EXPECT_EQ(pairs_.count(), 3u) << "one summary and two pairs";
  EXPECT_TRUE(found_.empty());
}

TEST_F(ReadWritePairsTest, NoObservationsTouchNothing) {
  EXPECT_EQ(Add(T("t"), {}), 0u);
  ReadWriteTableSummary s;
  EXPECT_FALSE(pairs_.LookupTable(T("t").hash, &s));
  EXPECT_EQ(pairs_.count(), 0u);
}

TEST_F(ReadWritePairsTest, SummariesAndPairsShareTheBound) {
  // Limit 1: the table's summary takes the only entry, its pair is dropped.
  EXPECT_EQ(Add(T("a"), {Obs(1, 2)}, 1), 1u);
  EXPECT_EQ(pairs_.count(), 1u);
  ReadWriteTableSummary s;
  EXPECT_TRUE(pairs_.LookupTable(T("a").hash, &s));
  // Limit 3: a summary and two of three new pairs.
  pairs_.Reset();
  EXPECT_EQ(Add(T("a"), {Obs(1, 2), Obs(3, 4), Obs(5, 6)}, 3), 1u);
  EXPECT_EQ(pairs_.count(), 3u);
  EXPECT_EQ(Add(T("b"), {Obs(1, 2)}, 3), 1u) << "no room for another table: all its observations drop";
  EXPECT_FALSE(pairs_.LookupTable(T("b").hash, &s));
  EXPECT_EQ(Add(T("a"), {Obs(1, 2), Obs(3, 4), Obs(5, 6)}, 3), 1u)
      << "kept pairs keep counting at the limit, the new one drops";
  EXPECT_EQ(pairs_.Snapshot().size(), 2u);
}

TEST_F(ReadWritePairsTest, ATableHashCollisionDropsEveryObservation) {
  ASSERT_EQ(Add(T("a"), {Obs(1, 2)}), 0u);
  TxnTable impostor = T("b");
  impostor.hash = T("a").hash;
  EXPECT_EQ(Add(impostor, {Obs(1, 2), Obs(3, 4)}), 2u);
  ReadWritePairStats p;
  ASSERT_TRUE(pairs_.Lookup(T("a").hash, 1, 2, &p));
  EXPECT_EQ(p.transactions, 1u);
  EXPECT_EQ(p.table.table, "a");
  EXPECT_EQ(pairs_.count(), 2u);
}

TEST_F(ReadWritePairsTest, ReportsAnUnlockedReadModifyWriteOnceItIsOne) {
  const TxnTable t = T("stock");
  Repeat(t, Unprotected(1, 2), static_cast<int>(kMinRmwMatchedTransactions) - 1);
  EXPECT_TRUE(found_.empty());
  Repeat(t, Unprotected(1, 2), 1);
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].type, PatternType::kUnlockedReadModifyWrite);
  EXPECT_EQ(found_[0].tables, std::vector<uint64_t>{t.hash});
  EXPECT_EQ(found_[0].names, std::vector<std::string>{"s.stock"});
  EXPECT_EQ(found_[0].read_digest, 1u);
  EXPECT_EQ(found_[0].write_digest, 2u);
  Repeat(t, Unprotected(1, 2), 3);
  EXPECT_EQ(found_.size(), 1u) << "reported once";
  ReadWriteTableSummary s;
  ASSERT_TRUE(pairs_.LookupTable(t.hash, &s));
  EXPECT_EQ(s.unprotected_rmw_transactions, 4u) << "counted from the crossing on";
  EXPECT_EQ(s.unprotected_read_digest, 1u);
  EXPECT_EQ(s.protected_rmw_transactions, 0u);
}

TEST_F(ReadWritePairsTest, ReportsMixedLockingReadsOnce) {
  const TxnTable t = T("stock");
  const int n = static_cast<int>(kMinRmwMatchedTransactions);
  Repeat(t, Unprotected(1, 9), n);
  found_.clear();
  Repeat(t, Protected(2, 9), n);
  ASSERT_EQ(found_.size(), 1u);
  EXPECT_EQ(found_[0].type, PatternType::kMixedLockingReads);
  EXPECT_EQ(found_[0].names, std::vector<std::string>{"s.stock"});
  Repeat(t, Protected(2, 9), 2);
  Repeat(t, Unprotected(1, 9), 2);
  EXPECT_EQ(found_.size(), 1u);
  ReadWriteTableSummary s;
  ASSERT_TRUE(pairs_.LookupTable(t.hash, &s));
  EXPECT_TRUE(s.reported_mixed);
  EXPECT_EQ(s.protected_read_digest, 2u);
  EXPECT_EQ(s.protected_write_digest, 9u);
}

TEST_F(ReadWritePairsTest, CurrentTableRmwJudgesThePairsAsTheyAreNow) {
  const TxnTable t = T("stock");
  const int n = static_cast<int>(kMinRmwMatchedTransactions);
  Repeat(t, Unprotected(1, 2), n);  // a read-modify-write pair ...
  Repeat(t, Unprotected(3, 2), n + 2);
  Repeat(t, Obs(1, 2), n + 1);  // ... that falls under the match ratio
  ReadWriteTableSummary first, now;
  ASSERT_TRUE(pairs_.LookupTable(t.hash, &first));
  EXPECT_EQ(first.unprotected_rmw_transactions, 4u) << "1 (pair 1-2) + 3 (pair 3-2)";
  EXPECT_EQ(first.unprotected_read_digest, 1u) << "the first crossing";
  ASSERT_TRUE(pairs_.CurrentTableRmw(t.hash, &now));
  EXPECT_EQ(now.unprotected_rmw_transactions, uint64_t(n + 2)) << "only pair 3-2 is one now";
  EXPECT_EQ(now.unprotected_read_digest, 3u);
  EXPECT_EQ(now.protected_rmw_transactions, 0u);
  EXPECT_EQ(now.protected_read_digest, 0u);
  EXPECT_EQ(now.table.table, "stock");
  EXPECT_FALSE(pairs_.CurrentTableRmw(T("other").hash, &now));
}

TEST_F(ReadWritePairsTest, CurrentTableRmwSamplesThePairSeenMostOften) {
  const TxnTable t = T("stock");
  const int n = static_cast<int>(kMinRmwMatchedTransactions);
  Repeat(t, Protected(1, 2), n);
  Repeat(t, Protected(3, 2), n + 3);
  Repeat(t, Protected(5, 2), n + 1);
  ReadWriteTableSummary s;
  ASSERT_TRUE(pairs_.CurrentTableRmw(t.hash, &s));
  EXPECT_EQ(s.protected_rmw_transactions, uint64_t(3 * n + 4));
  EXPECT_EQ(s.protected_read_digest, 3u);
  EXPECT_EQ(s.protected_write_digest, 2u);
}

TEST_F(ReadWritePairsTest, SnapshotCopiesThePairsOfEveryTable) {
  ASSERT_EQ(Add(T("a"), {Obs(1, 2), Obs(3, 4)}), 0u);
  ASSERT_EQ(Add(T("b"), {Obs(1, 2)}), 0u);
  std::vector<ReadWritePairStats> all = pairs_.Snapshot();
  ASSERT_EQ(all.size(), 3u) << "pairs only, no summaries";
  std::vector<std::string> names;
  for (const ReadWritePairStats& p : all)
    names.push_back(p.table.table + ":" + std::to_string(p.read_digest));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a:1", "a:3", "b:1"}));
}

TEST_F(ReadWritePairsTest, ResetForgetsEverythingAndGivesTheBudgetBack) {
  ASSERT_EQ(Add(T("a"), {Obs(1, 2), Obs(3, 4)}, 3), 0u);
  ASSERT_EQ(Add(T("b"), {Obs(1, 2)}, 5), 0u);
  EXPECT_EQ(pairs_.count(), 5u);
  EXPECT_GT(pairs_.memory_bytes(), 0u);
  pairs_.Reset();
  EXPECT_EQ(pairs_.count(), 0u);
  EXPECT_EQ(pairs_.memory_bytes(), 0u) << "pairs and summaries both give their bytes back";
  EXPECT_TRUE(pairs_.Snapshot().empty());
  ReadWriteTableSummary s;
  EXPECT_FALSE(pairs_.LookupTable(T("a").hash, &s));
  EXPECT_EQ(Add(T("c"), {Obs(1, 2)}, 2), 0u) << "the room is back";
}

TEST_F(ReadWritePairsTest, ConcurrentPublishersCountEveryTransaction) {
  constexpr int kThreads = 4, kTxns = 2000;
  std::vector<TxnTable> tables{T("a"), T("b"), T("c")};
  testing::RunThreads(kThreads, [&](int th) {
    std::vector<PatternCandidate> found;
    for (int i = 0; i < kTxns; ++i) {
      const ReadWriteObservation obs[2] = {Unprotected(1, 2), Obs(3, static_cast<uint64_t>(th))};
      ASSERT_EQ(pairs_.Add(tables[(i + th) % tables.size()], obs, 2, i, 1000, &found), 0u);
    }
  });
  uint64_t total = 0;
  for (const ReadWritePairStats& p : pairs_.Snapshot()) total += p.transactions;
  EXPECT_EQ(total, uint64_t{2} * kThreads * kTxns);
  EXPECT_EQ(pairs_.count(), 3u * (1 + 1 + kThreads)) << "per table: its summary, 1-2 and 3-<thread>";
}

}  // namespace
}  // namespace lockdiag
