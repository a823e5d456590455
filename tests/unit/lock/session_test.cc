// Tests of Session + Analyzer: transaction boundaries and per-table counts.
#include "core/lock/session.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/lock/analyzer.h"
#include "core/lock/key_hash.h"
#include "test_client.h"

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

namespace lockdiag {
namespace {

using testing::Client;

class SessionFactsTest : public ::testing::Test {
 protected:
  // A Config and Analyzer that capture published transactions.
  Config config_;
  Analyzer analyzer_{&config_};
  Client c_{&analyzer_, 5};
};

TEST_F(SessionFactsTest, IsolationAndAutocommitAreTheTransactionsOwn) {
  c_.isolation = Isolation::kSerializable;
  c_.autocommit = false;
  c_.Begin();
  c_.Run("UPDATE t SET a = 1", {{"s.t", AccessKind::kWrite}});
  const TransactionRecord& txn = c_.session().current();
  EXPECT_EQ(txn.isolation, Isolation::kSerializable);
  EXPECT_FALSE(txn.autocommit);
  EXPECT_TRUE(txn.explicit_transaction);
  EXPECT_EQ(txn.accesses.size(), 1u);
  EXPECT_NE(txn.accesses[0].digest, 0u) << "digested at the statement's end";
  EXPECT_EQ(txn.tables[0].hash, TableHash("s", "t"));
}

TEST_F(SessionFactsTest, NamedLocksAndKeysAreKeptPerAccess) {
  c_.Begin();
  c_.Run("SELECT * FROM t WHERE id IN (1, 2)",
         {{"s.t", AccessKind::kRead, {{"id", "1"}, {"id", "2"}}, /*named_lock=*/true}});
  const TransactionRecord& txn = c_.session().current();
  ASSERT_EQ(txn.accesses.size(), 1u);
  EXPECT_TRUE(txn.accesses[0].under_named_lock);
  EXPECT_EQ(txn.accesses[0].key_count, 2u);
  EXPECT_EQ(txn.keys[txn.accesses[0].key_begin + 1], KeyHash("ID", "2"));
}

TEST_F(SessionFactsTest, DeadlockEndsTheTransactionEvenIfTheServerSaysOpen) {
  c_.Begin();
  c_.Run("UPDATE t SET a = 1", {{"s.t", AccessKind::kWrite}});
  // The adapter may still see the transaction open in the failing statement's
  // STATUS event: the core does not rely on it.
  AccessEvent a;
  a.schema = "s";
  a.table = "u";
  a.kind = AccessKind::kWrite;
  c_.session().OnTableAccess(a);
  c_.session().OnError(kErrLockDeadlock, {}, {});
  StatementEnd e;
  e.text = "UPDATE u SET a = 1";
  e.error_code = kErrLockDeadlock;
  e.transaction_open = true;
  c_.session().OnStatementEnd(e);
  EXPECT_TRUE(c_.session().current().empty());
  EXPECT_EQ(analyzer_.Status().transactions, 1u);
  ASSERT_EQ(analyzer_.SnapshotIncidents().size(), 1u) << "one error, reported twice, is one incident";
  EXPECT_EQ(analyzer_.SnapshotIncidents()[0].table_name, "u");
}

TEST_F(SessionFactsTest, LockTablesSpanIsOneTransaction) {
  c_.under_lock_tables = true;
  c_.Run("LOCK TABLES t WRITE", {{"s.t", AccessKind::kLockTablesWrite}});
  c_.Run("SELECT * FROM t", {{"s.t", AccessKind::kLockTablesRead}});
  c_.Run("UPDATE t SET a = 1", {{"s.t", AccessKind::kLockTablesWrite}});
  EXPECT_EQ(analyzer_.Status().transactions, 0u);
  EXPECT_TRUE(c_.session().current().lock_tables);
  c_.under_lock_tables = false;
  c_.Run("UNLOCK TABLES", {});
  EXPECT_EQ(analyzer_.Status().transactions, 1u);
  EXPECT_EQ(analyzer_.SnapshotTables()[0].accesses[static_cast<int>(AccessKind::kLockTablesWrite)], 2u);
}

TEST_F(SessionFactsTest, XaTransactionIsMarkedAndPublishedAtItsEnd) {
  c_.xa = true;
  c_.Begin();  // XA START
  c_.Run("INSERT INTO t VALUES (1)", {{"s.t", AccessKind::kWrite}});
  EXPECT_TRUE(c_.session().current().xa);
  c_.Commit();  // XA END / PREPARE / COMMIT: the last one closes it
  EXPECT_EQ(analyzer_.Status().transactions, 1u);
}

TEST_F(SessionFactsTest, DisconnectMidTransactionPublishesIt) {
  c_.Begin();
  c_.Run("UPDATE t SET a = 1", {{"s.t", AccessKind::kWrite}});
  c_.Run("UPDATE u SET a = 1", {{"s.u", AccessKind::kWrite}});
  c_.session().OnDisconnect();
  EXPECT_EQ(analyzer_.Status().transactions, 1u);
  EXPECT_EQ(analyzer_.SnapshotLockOrder().size(), 1u) << "its lock order counts";
}

TEST_F(SessionFactsTest, ResetMakesSessionsResendDigestTexts) {
  c_.Begin();
  c_.Run("UPDATE a SET n = 1", {{"s.a", AccessKind::kWrite}});
  c_.Run("UPDATE b SET n = 1", {{"s.b", AccessKind::kWrite}});
  c_.Commit();
  ASSERT_EQ(analyzer_.SnapshotLockOrder()[0].sample_digest, "update b set n = ?");
  analyzer_.Reset();
  c_.Begin();
  c_.Run("UPDATE a SET n = 2", {{"s.a", AccessKind::kWrite}});
  c_.Run("UPDATE b SET n = 2", {{"s.b", AccessKind::kWrite}});
  c_.Commit();
  ASSERT_EQ(analyzer_.SnapshotLockOrder().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotLockOrder()[0].sample_digest, "update b set n = ?");
}

TEST_F(SessionFactsTest, RepeatedStatementTextsUseTheCacheAndStillResendAfterReset) {
  // The same raw texts each time (as a prepared statement's EXECUTE sends):
  // the second time the digest comes from the connection's cache.
  for (int round = 0; round < 2; ++round) {
    c_.Begin();
    c_.Run("UPDATE a SET n = 1", {{"s.a", AccessKind::kWrite}});
    c_.Run("UPDATE b SET n = 1", {{"s.b", AccessKind::kWrite}});
    c_.Commit();
  }
  ASSERT_EQ(analyzer_.SnapshotLockOrder().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotLockOrder()[0].transactions, 2u);
  analyzer_.Reset();
  c_.Begin();
  c_.Run("UPDATE a SET n = 1", {{"s.a", AccessKind::kWrite}});
  c_.Run("UPDATE b SET n = 1", {{"s.b", AccessKind::kWrite}});
  c_.Commit();
  ASSERT_EQ(analyzer_.SnapshotLockOrder().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotLockOrder()[0].sample_digest, "update b set n = ?")
      << "a cache hit after a reset publishes the text again";
}

TEST_F(SessionFactsTest, ARepeatedStatementThatFailsNamesItsDigest) {
  c_.Run("INSERT INTO t VALUES (1)", {{"s.t", AccessKind::kWrite}});
  c_.Run("INSERT INTO t VALUES (1)", {{"s.t", AccessKind::kWrite}}, kErrDupEntry);
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].statement_digest, "insert into t values (...)");
}

TEST_F(SessionFactsTest, KeysPerAccessAreCapped) {
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 100; ++i) many.emplace_back("id", std::to_string(i));
  c_.Begin();
  c_.Run("SELECT * FROM t WHERE id IN (...)", {{"s.t", AccessKind::kRead, many}});
  EXPECT_EQ(c_.session().current().accesses[0].key_count, Session::kMaxKeysPerAccess);
  EXPECT_TRUE(c_.session().current().truncated);
  EXPECT_EQ(analyzer_.Status().dropped_events, 1u);
}

}  // namespace
}  // namespace lockdiag
