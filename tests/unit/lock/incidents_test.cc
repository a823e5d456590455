// Tests of LOCKDIAG_INCIDENTS: what an incident records, the ring buffer,
// and the lazy links to the patterns that explain incidents.
#include "core/lock/incidents.h"

#include <gtest/gtest.h>

#include "core/lock/analyzer.h"
#include "test_client.h"

namespace lockdiag {
namespace {

using testing::Client;
constexpr AccessKind kRead = AccessKind::kRead;
constexpr AccessKind kWrite = AccessKind::kWrite;

class IncidentsTest : public ::testing::Test {
 protected:
  Config config_;
  Analyzer analyzer_{&config_};
  Client a_{&analyzer_, 11};
  Client b_{&analyzer_, 12};

  void SetUp() override {
    a_.session().SetIdentity("app", "10.0.0.1");
    b_.session().SetIdentity("batch", "localhost");
  }
  static void Update(Client& c, const std::string& table, uint32_t error = 0) {
    c.Run("UPDATE " + table + " SET n = n + 1 WHERE id = 1", {{"shop." + table, kWrite, {{"id", "1"}}}},
          error);
  }
  static void CheckThenInsert(Client& c, const std::string& email, uint32_t error = 0) {
    c.Begin();
    c.Run("SELECT id FROM users WHERE email = '" + email + "'", {{"shop.users", kRead, {{"email", email}}}});
    c.Run("INSERT INTO users (email) VALUES ('" + email + "')", {{"shop.users", kWrite, {{"email", email}}}},
          error);
    if (error == 0)
      c.Commit();
    else
      c.Rollback();
  }
  const PatternRow* Find(const std::vector<PatternRow>& rows, const char* name) {
    for (const PatternRow& r : rows)
      if (r.pattern == name) return &r;
    return nullptr;
  }
};

TEST_F(IncidentsTest, AbbaDeadlockIsLinkedOnceTheInversionShows) {
  a_.Begin();
  Update(a_, "orders");
  b_.Begin();
  Update(b_, "customers");
  Update(a_, "customers");                 // (a waits for b)
  Update(b_, "orders", kErrLockDeadlock);  // b is the victim: rolled back, published
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  const IncidentRow& i = incidents[0];
  EXPECT_EQ(i.thread_id, 12u);
  EXPECT_EQ(i.user, "batch");
  EXPECT_EQ(i.host, "localhost");
  EXPECT_EQ(i.error_code, kErrLockDeadlock);
  EXPECT_EQ(i.error_name, "ER_LOCK_DEADLOCK");
  EXPECT_EQ(i.table_schema, "shop");
  EXPECT_EQ(i.table_name, "orders");
  EXPECT_EQ(i.statement_digest, "update orders set n = n + ? where id = ?");
  EXPECT_EQ(i.transaction_history, "shop.customers:WRITE, shop.orders:WRITE");
  EXPECT_EQ(i.pattern_id, 0u) << "no pattern explains it yet";
  EXPECT_GT(i.time, 0);
  EXPECT_TRUE(analyzer_.SnapshotPatterns().empty()) << "one order seen so far";

  a_.Commit();  // the survivor: orders then customers
  auto patterns = analyzer_.SnapshotPatterns();
  ASSERT_EQ(patterns.size(), 1u);
  EXPECT_EQ(patterns[0].pattern, "LOCK_ORDER_INVERSION");
  EXPECT_EQ(patterns[0].related_errors, 1u);
  incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].pattern_id, patterns[0].id);
  // Per-table count too.
  for (const TableRow& t : analyzer_.SnapshotTables()) EXPECT_EQ(t.deadlocks, t.table == "orders" ? 1u : 0u);
  // Snapshots do not link twice.
  EXPECT_EQ(analyzer_.SnapshotPatterns()[0].related_errors, 1u);
}

TEST_F(IncidentsTest, DuplicateKeyLinksToTheRaceThatExplainsIt) {
  // The race is known first: the incident links at once.
  for (int i = 0; i < 5; ++i) CheckThenInsert(a_, "u" + std::to_string(i));
  CheckThenInsert(b_, "dup", kErrDupEntry);
  auto patterns = analyzer_.SnapshotPatterns();
  const PatternRow* race = Find(patterns, "UNLOCKED_READ_MODIFY_WRITE");
  ASSERT_NE(race, nullptr);
  EXPECT_EQ(race->related_errors, 1u);
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].error_name, "ER_DUP_ENTRY");
  EXPECT_EQ(incidents[0].table_name, "users");
  EXPECT_EQ(incidents[0].pattern_id, race->id);
  EXPECT_EQ(incidents[0].transaction_history, "shop.users:READ, shop.users:WRITE");
  EXPECT_EQ(analyzer_.SnapshotTables()[0].duplicate_key_errors, 1u);
}

TEST_F(IncidentsTest, DuplicateKeyBeforeThePatternIsLinkedLater) {
  CheckThenInsert(b_, "dup", kErrDupEntryWithKeyName);
  EXPECT_EQ(analyzer_.SnapshotIncidents()[0].pattern_id, 0u);
  for (int i = 0; i < 5; ++i) CheckThenInsert(a_, "u" + std::to_string(i));
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_NE(incidents[0].pattern_id, 0u);
  EXPECT_EQ(incidents[0].error_name, "ER_DUP_ENTRY_WITH_KEY_NAME");
  EXPECT_EQ(analyzer_.SnapshotPatterns()[0].related_errors, 1u);
}

TEST_F(IncidentsTest, UnrelatedErrorsStayUnlinked) {
  a_.Begin();
  Update(a_, "orders");
  Update(a_, "customers");
  a_.Commit();
  b_.Begin();
  Update(b_, "customers");
  Update(b_, "orders");
  b_.Commit();
  ASSERT_EQ(analyzer_.SnapshotPatterns().size(), 1u);
  // A duplicate key is not explained by a lock-order pattern, and a lock wait
  // on another table is not explained by this inversion.
  a_.Run("INSERT INTO orders VALUES (1)", {{"shop.orders", kWrite, {{"id", "1"}}}}, kErrDupEntry);
  Update(a_, "stock", kErrLockWaitTimeout);
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 2u);
  EXPECT_EQ(incidents[0].pattern_id, 0u);
  EXPECT_EQ(incidents[1].pattern_id, 0u);
  EXPECT_EQ(incidents[1].error_name, "ER_LOCK_WAIT_TIMEOUT");
  EXPECT_EQ(analyzer_.SnapshotPatterns()[0].related_errors, 0u);
}

TEST_F(IncidentsTest, NonLockErrorsAreNoIncidents) {
  a_.Run("INSERT INTO orders VALUES (1)", {{"shop.orders", kWrite}}, 1146 /* ER_NO_SUCH_TABLE */);
  EXPECT_TRUE(analyzer_.SnapshotIncidents().empty());
}

TEST_F(IncidentsTest, RingKeepsTheLastHistorySizeErrors) {
  config_.history_size = 3;
  for (int i = 0; i < 5; ++i) Update(a_, "orders", kErrLockWaitTimeout);
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 3u);
  EXPECT_EQ(incidents[0].id, 3u);
  EXPECT_EQ(incidents[2].id, 5u);
  config_.history_size = 0;
  Update(a_, "orders", kErrLockWaitTimeout);
  EXPECT_TRUE(analyzer_.SnapshotIncidents().empty());
  EXPECT_EQ(analyzer_.SnapshotTables()[0].lock_wait_timeouts, 6u) << "still counted per table";
}

TEST_F(IncidentsTest, HistoryIsBounded) {
  a_.Begin();
  for (int i = 0; i < 200; ++i) {
    const std::string t = "table_with_a_long_name_" + std::to_string(i % 50);
    a_.Run("SELECT 1", {{"shop." + t, kRead}, {"shop." + t, kRead}});
  }
  Update(a_, "orders", kErrLockWaitTimeout);
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_LE(incidents[0].transaction_history.size(), Session::kMaxIncidentHistory);
  EXPECT_EQ(incidents[0].transaction_history.substr(incidents[0].transaction_history.size() - 5), ", ...");
  EXPECT_EQ(incidents[0].transaction_history.rfind(
                "shop.table_with_a_long_name_0:READ, shop.table_with_a_long_name_1:READ", 0),
            0u)
      << "a self-join's two locks show once";
}

TEST(IncidentLog, LinksOnlyKeptUnlinkedIncidents) {
  IncidentLog log;
  Incident i;
  i.row.error_code = kErrDupEntry;
  EXPECT_EQ(log.Record(i, 2), 1u);
  EXPECT_EQ(log.Record(i, 2), 2u);
  EXPECT_EQ(log.Record(i, 2), 3u);  // evicts 1
  auto pending = log.TakePending(7);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_TRUE(log.TakePending(7).empty()) << "tried at this version already";
  auto made = log.Link({{1, 9}, {2, 9}, {3, 0}});
  ASSERT_EQ(made.size(), 1u);
  EXPECT_EQ(made[0].first, 2u);
  EXPECT_TRUE(log.Link({{2, 8}}).empty()) << "linked already";
  EXPECT_EQ(log.TakePending(8).size(), 1u) << "3 is retried at a new version";
  EXPECT_GT(log.memory_bytes(), 0u);
  log.Reset();
  EXPECT_EQ(log.count(), 0u);
  EXPECT_EQ(log.memory_bytes(), 0u);
}

}  // namespace
}  // namespace lockdiag
