// Tests of Session + Analyzer: transaction boundaries and per-table counts.
#include "session.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "analyzer.h"

namespace lockdiag {
namespace {

class SessionTest : public ::testing::Test {
 protected:
  Config config_;
  Analyzer analyzer_{&config_};
  Session session_{&analyzer_, 7};

  void Access(const char* schema, const char* table, AccessKind kind) {
    AccessEvent a;
    a.schema = schema;
    a.table = table;
    a.kind = kind;
    session_.OnTableAccess(a);
  }
  void End(const char* text, bool open, uint32_t error = 0) {
    StatementEnd e;
    e.text = text;
    e.transaction_open = open;
    e.error_code = error;
    session_.OnStatementEnd(e);
  }
  const TableRow* Row(const std::vector<TableRow>& rows, const char* table) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const TableRow& r) { return r.table == table; });
    return it == rows.end() ? nullptr : &*it;
  }
};

TEST_F(SessionTest, AutocommitStatementIsOneTransaction) {
  Access("shop", "orders", AccessKind::kRead);
  End("SELECT * FROM orders WHERE id = 1", false);
  auto rows = analyzer_.SnapshotTables();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].schema, "shop");
  EXPECT_EQ(rows[0].accesses[static_cast<int>(AccessKind::kRead)], 1u);
  EXPECT_EQ(rows[0].transactions, 1u);
  EXPECT_EQ(analyzer_.Status().transactions, 1u);
  EXPECT_EQ(analyzer_.Status().statements, 1u);
}

TEST_F(SessionTest, ExplicitTransactionPublishesOnlyAtItsEnd) {
  End("BEGIN", true);
  Access("shop", "orders", AccessKind::kReadExclusive);
  End("SELECT * FROM orders WHERE id = 1 FOR UPDATE", true);
  Access("shop", "orders", AccessKind::kWrite);
  End("UPDATE orders SET n = 2 WHERE id = 1", true);
  EXPECT_TRUE(analyzer_.SnapshotTables().empty()) << "nothing shared before the end";
  End("COMMIT", false);
  auto rows = analyzer_.SnapshotTables();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].transactions, 1u);
  EXPECT_EQ(rows[0].accesses[static_cast<int>(AccessKind::kReadExclusive)], 1u);
  EXPECT_EQ(rows[0].accesses[static_cast<int>(AccessKind::kWrite)], 1u);
}

TEST_F(SessionTest, IgnoredSchemasAreNotRecorded) {
  Access("mysql", "user", AccessKind::kRead);
  End("SELECT * FROM mysql.user", false);
  EXPECT_TRUE(analyzer_.SnapshotTables().empty());
  EXPECT_EQ(analyzer_.Status().table_lock_events, 1u) << "still counted as seen";
  config_.SetIgnoreSchemas("shop");
  Access("shop", "orders", AccessKind::kRead);
  Access("mysql", "user", AccessKind::kRead);
  End("SELECT 1", false);
  auto rows = analyzer_.SnapshotTables();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].schema, "mysql");
}

TEST_F(SessionTest, DuplicateKeyErrorBlamesTheWrittenTable) {
  Access("shop", "customers", AccessKind::kRead);
  Access("shop", "orders", AccessKind::kWrite);
  session_.OnError(kErrDupEntry, {}, {});
  End("INSERT INTO orders SELECT * FROM customers", false, kErrDupEntry);
  auto rows = analyzer_.SnapshotTables();
  ASSERT_NE(Row(rows, "orders"), nullptr);
  EXPECT_EQ(Row(rows, "orders")->duplicate_key_errors, 1u);
  EXPECT_EQ(Row(rows, "customers")->duplicate_key_errors, 0u);
}

TEST_F(SessionTest, DeadlockEndsTheTransaction) {
  End("BEGIN", true);
  Access("shop", "orders", AccessKind::kWrite);
  End("UPDATE orders SET n = 1", true);
  Access("shop", "customers", AccessKind::kWrite);
  End("UPDATE customers SET n = 1", false, kErrLockDeadlock);
  auto rows = analyzer_.SnapshotTables();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(Row(rows, "customers")->deadlocks, 1u);
  EXPECT_EQ(Row(rows, "orders")->deadlocks, 0u);
}

TEST_F(SessionTest, DisconnectPublishesTheOpenTransaction) {
  End("BEGIN", true);
  Access("shop", "orders", AccessKind::kWrite);
  End("INSERT INTO orders VALUES (1)", true);
  session_.OnDisconnect();
  EXPECT_EQ(analyzer_.SnapshotTables().size(), 1u);
}

TEST_F(SessionTest, MaxTablesBoundsMemoryAndCountsDrops) {
  config_.max_tables = 2;
  for (const char* t : {"a", "b", "c", "d"}) {
    Access("s", t, AccessKind::kRead);
    End("SELECT 1", false);
  }
  EXPECT_EQ(analyzer_.SnapshotTables().size(), 2u);
  EXPECT_EQ(analyzer_.Status().tracked_tables, 2u);
  EXPECT_EQ(analyzer_.Status().dropped_events, 2u);
}

TEST_F(SessionTest, ResetForgetsEverything) {
  Access("s", "a", AccessKind::kRead);
  End("SELECT 1", false);
  analyzer_.Reset();
  EXPECT_TRUE(analyzer_.SnapshotTables().empty());
  AnalyzerStatus st = analyzer_.Status();
  EXPECT_EQ(st.statements, 0u);
  EXPECT_EQ(st.tracked_tables, 0u);
  EXPECT_EQ(st.memory_bytes, 0u);
}

}  // namespace
}  // namespace lockdiag
