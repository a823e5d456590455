// Tests of Session + Analyzer: transaction boundaries and per-table counts.
#include "core/lock/session.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/lock/analyzer.h"
#include "core/lock/digest.h"
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

TEST_F(SessionTest, AccessesPastTheCapAreDroppedAndCounted) {
  // kMaxAccessesPerTxn reads, then writes: the reads are kept, the writes
  // past the cap are dropped, each one counted.
  const size_t extra = 5;
  End("BEGIN", true);
  for (size_t i = 0; i < Session::kMaxAccessesPerTxn; ++i) Access("s", i % 2 ? "a" : "b", AccessKind::kRead);
  EXPECT_FALSE(session_.current().truncated) << "exactly at the cap nothing is dropped";
  EXPECT_EQ(analyzer_.Status().dropped_events, 0u);
  for (size_t i = 0; i < extra; ++i) Access("s", "a", AccessKind::kWrite);
  End("SELECT ...", true);
  const TransactionRecord& txn = session_.current();
  EXPECT_EQ(txn.accesses.size(), Session::kMaxAccessesPerTxn);
  EXPECT_TRUE(txn.truncated);
  for (const TxnAccess& a : txn.accesses)
    ASSERT_EQ(a.kind, AccessKind::kRead) << "the first accesses are kept";
  EXPECT_EQ(analyzer_.Status().dropped_events, extra);
  EXPECT_EQ(analyzer_.Status().table_lock_events, Session::kMaxAccessesPerTxn + extra) << "all seen";
  End("COMMIT", false);
  auto rows = analyzer_.SnapshotTables();
  ASSERT_NE(Row(rows, "a"), nullptr);
  ASSERT_NE(Row(rows, "b"), nullptr);
  EXPECT_EQ(Row(rows, "a")->accesses[static_cast<int>(AccessKind::kRead)], Session::kMaxAccessesPerTxn / 2);
  EXPECT_EQ(Row(rows, "b")->accesses[static_cast<int>(AccessKind::kRead)], Session::kMaxAccessesPerTxn / 2);
  EXPECT_EQ(Row(rows, "a")->accesses[static_cast<int>(AccessKind::kWrite)], 0u);

  // The next transaction starts with a whole allowance.
  End("BEGIN", true);
  Access("s", "a", AccessKind::kWrite);
  End("UPDATE a SET n = 1", true);
  EXPECT_EQ(session_.current().accesses.size(), 1u);
  EXPECT_FALSE(session_.current().truncated);
  End("COMMIT", false);
  EXPECT_EQ(analyzer_.Status().dropped_events, extra);
  EXPECT_EQ(Row(analyzer_.SnapshotTables(), "a")->accesses[static_cast<int>(AccessKind::kWrite)], 1u);
}

TEST_F(SessionTest, ErrorsPastTheCapAreDroppedAndCounted) {
  // kMaxErrorsPerTxn duplicate keys, then lock wait timeouts: the first
  // errors are kept (and become incidents), the rest are only counted.
  const size_t extra = 6;
  End("BEGIN", true);
  Access("shop", "orders", AccessKind::kWrite);
  for (size_t i = 0; i < Session::kMaxErrorsPerTxn; ++i) session_.OnError(kErrDupEntry, "shop", "orders");
  EXPECT_FALSE(session_.current().truncated) << "exactly at the cap nothing is dropped";
  for (size_t i = 0; i < extra; ++i) session_.OnError(kErrLockWaitTimeout, "shop", "orders");
  End("INSERT INTO orders VALUES (1)", true, kErrDupEntry);
  const TransactionRecord& txn = session_.current();
  ASSERT_EQ(txn.errors.size(), Session::kMaxErrorsPerTxn);
  for (const TxnError& e : txn.errors) EXPECT_EQ(e.code, kErrDupEntry);
  EXPECT_TRUE(txn.truncated);
  EXPECT_EQ(analyzer_.Status().dropped_events, extra);
  auto incidents = analyzer_.SnapshotIncidents();
  EXPECT_EQ(incidents.size(), Session::kMaxErrorsPerTxn);
  for (const IncidentRow& i : incidents) EXPECT_EQ(i.error_name, "ER_DUP_ENTRY");

  // An error reported only by the statement's end is capped the same way.
  Access("shop", "orders", AccessKind::kWrite);
  End("INSERT INTO orders VALUES (2)", true, kErrDupEntry);
  EXPECT_EQ(session_.current().errors.size(), Session::kMaxErrorsPerTxn);
  EXPECT_EQ(analyzer_.Status().dropped_events, extra + 1);
  EXPECT_EQ(analyzer_.SnapshotIncidents().size(), Session::kMaxErrorsPerTxn);

  End("COMMIT", false);
  auto rows = analyzer_.SnapshotTables();
  ASSERT_NE(Row(rows, "orders"), nullptr);
  EXPECT_EQ(Row(rows, "orders")->duplicate_key_errors, Session::kMaxErrorsPerTxn);
  EXPECT_EQ(Row(rows, "orders")->lock_wait_timeouts, 0u);

  // The next transaction keeps its errors again.
  End("BEGIN", true);
  session_.OnError(kErrLockWaitTimeout, "shop", "orders");
  End("UPDATE orders SET n = 1", true, kErrLockWaitTimeout);
  EXPECT_EQ(session_.current().errors.size(), 1u);
  EXPECT_FALSE(session_.current().truncated);
  EXPECT_EQ(analyzer_.Status().dropped_events, extra + 1);
}

TEST_F(SessionTest, ResetForgetsEverything) {
  Access("s", "a", AccessKind::kRead);
  End("SELECT 1", false);
  analyzer_.Reset();
  EXPECT_TRUE(analyzer_.SnapshotTables().empty());
  AnalyzerStatus st = analyzer_.Status();
  EXPECT_EQ(st.statements, 0u);
  EXPECT_EQ(st.tracked_tables, 0u);
  // Only the live connection's own buffers (published when they grow).
  EXPECT_NEAR(static_cast<double>(st.memory_bytes), static_cast<double>(session_.HeapBytes()), 1024.0);
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

TEST_F(SessionFactsTest, ACallFailingWithItsProceduresErrorCountsItOnce) {
  // CALL add_poem(1): the procedure's INSERT fails with a duplicate key,
  // then the CALL ends with the same error.
  AccessEvent a;
  a.schema = "s";
  a.table = "poems";
  a.kind = AccessKind::kWrite;
  c_.session().OnTableAccess(a);
  StatementEnd insert;
  insert.text = "INSERT INTO poems VALUES (i, 'again')";
  insert.error_code = kErrDupEntry;
  insert.in_stored_procedure = true;
  c_.session().OnStatementEnd(insert);
  StatementEnd call;
  call.text = "CALL add_poem(1)";
  call.error_code = kErrDupEntry;
  c_.session().OnStatementEnd(call);
  ASSERT_EQ(analyzer_.SnapshotIncidents().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotIncidents()[0].statement_digest, "insert into poems values (i, ?)");
  EXPECT_EQ(analyzer_.SnapshotTables()[0].duplicate_key_errors, 1u);

  // The next statement outside a procedure is counted, even with that error.
  c_.Run("INSERT INTO poems VALUES (1, 'dup')", {{"s.poems", AccessKind::kWrite}}, kErrDupEntry);
  EXPECT_EQ(analyzer_.SnapshotIncidents().size(), 2u);
}

TEST_F(SessionFactsTest, ACallFailingWithAnotherErrorCountsIt) {
  StatementEnd in_procedure;
  in_procedure.text = "UPDATE t SET a = 1";
  in_procedure.in_stored_procedure = true;  // succeeded
  c_.session().OnStatementEnd(in_procedure);
  // The procedure's statements succeeded: the CALL's error is its own.
  c_.Run("CALL p()", {{"s.t", AccessKind::kWrite}}, kErrLockWaitTimeout);
  ASSERT_EQ(analyzer_.SnapshotIncidents().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotIncidents()[0].statement_digest, "call p()");
}

TEST_F(SessionFactsTest, StatementTextIsTheNormalisedTextUntilTheStatementEnds) {
  Session& s = c_.session();
  EXPECT_EQ(s.StatementText(41, "INSERT INTO t VALUES ('x')"), "insert into t values (...)");
  EXPECT_EQ(s.StatementText(41, "ignored: same statement"), "insert into t values (...)")
      << "asked again by the same statement: not read again";
  EXPECT_EQ(s.StatementText(42, "UPDATE t SET a = 'y'"), "update t set a = ?") << "another statement";
  c_.Run("UPDATE t SET a = 'y'", {{"s.t", AccessKind::kWrite}}, kErrDupEntry);
  ASSERT_EQ(analyzer_.SnapshotIncidents().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotIncidents()[0].statement_digest, "update t set a = ?");
  EXPECT_EQ(s.StatementText(42, "DELETE FROM t"), "delete from t") << "the statement ended: read again";
}

TEST_F(SessionFactsTest, TheStatementEndReusesStatementTextOnlyForItsOwnText) {
  // The encoding adapter asks at the write's table-lock event; the
  // statement's end reuses that text when it ends with the same one.
  std::string expected;
  c_.Begin();
  EXPECT_EQ(c_.session().StatementText(8, "INSERT INTO c VALUES (1)"), "insert into c values (...)");
  c_.Run("UPDATE a SET n = 1", {{"s.a", AccessKind::kWrite}}, kErrDupEntry);
  EXPECT_EQ(c_.session().current().accesses.back().digest, DigestStatement("UPDATE a SET n = 1", &expected));
  EXPECT_EQ(c_.session().StatementText(9, "UPDATE b SET n = 'z'"), "update b set n = ?");
  c_.Run("UPDATE b SET n = 'z'", {{"s.b", AccessKind::kWrite}}, kErrDupEntry);
  EXPECT_EQ(c_.session().current().accesses.back().digest,
            DigestStatement("UPDATE b SET n = 'z'", &expected));
  c_.Commit();
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 2u);
  std::vector<std::string> texts = {incidents[0].statement_digest, incidents[1].statement_digest};
  std::sort(texts.begin(), texts.end());
  EXPECT_EQ(texts, (std::vector<std::string>{"update a set n = ?", "update b set n = ?"}));
  ASSERT_EQ(analyzer_.SnapshotLockOrder().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotLockOrder()[0].sample_digest, "update b set n = ?");
}

// --- RETRIED, and what a deadlock leaves for the next transaction ------------------

class SessionRetryTest : public ::testing::Test {
 protected:
  Config config_;
  Analyzer analyzer_{&config_};
  Client a_{&analyzer_, 21};

  // A transfer that deadlocks on its second statement.
  static void Deadlocked(Client& c) {
    c.Begin();
    Debit(c);
    c.Run("UPDATE accounts SET n = n + 10 WHERE id = 2", {{"s.accounts", AccessKind::kWrite, {{"id", "2"}}}},
          kErrLockDeadlock);
  }
  static void Debit(Client& c) {
    c.Run("UPDATE accounts SET n = n - 10 WHERE id = 1", {{"s.accounts", AccessKind::kWrite, {{"id", "1"}}}});
  }
  IncidentRow::Retried Retried(size_t i = 0) {
    auto incidents = analyzer_.SnapshotIncidents();
    EXPECT_GT(incidents.size(), i);
    return incidents.size() > i ? incidents[i].retried : IncidentRow::Retried::kUnknown;
  }
  // Statement: a statement of `c` as the adapter reports it with
  // autocommit=0 (no BEGIN: the transaction opens by itself, stays open).
  static void Statement(Client& c, const std::string& text, const std::string& id, bool open = true,
                        uint32_t error = 0) {
    const uint64_t key = KeyHash("id", id);
    if (!id.empty()) {
      AccessEvent a;
      a.schema = "s";
      a.table = "accounts";
      a.kind = AccessKind::kWrite;
      a.keys = &key;
      a.key_count = 1;
      c.session().OnTableAccess(a);
    }
    StatementEnd e;
    e.text = text;
    e.transaction_open = open;
    e.error_code = error;
    e.autocommit = false;
    if (text == "COMMIT") e.control = TxnControl::kCommit;
    c.session().OnStatementEnd(e);
  }
  size_t IgnoredFindings() {
    size_t n = 0;
    for (const PatternRow& p : analyzer_.SnapshotPatterns()) n += p.pattern == "IGNORED_LOCK_ERROR";
    return n;
  }
};

TEST_F(SessionRetryTest, RetriedIsUnknownUntilTheNextTransactionHasEnded) {
  Deadlocked(a_);
  ASSERT_EQ(analyzer_.SnapshotIncidents().size(), 1u);
  EXPECT_EQ(Retried(), IncidentRow::Retried::kUnknown) << "NULL: nothing ran since";
  a_.Run("SELECT 1", {});  // touches no table: decides nothing
  EXPECT_EQ(Retried(), IncidentRow::Retried::kUnknown);
  a_.Begin();
  Debit(a_);
  EXPECT_EQ(Retried(), IncidentRow::Retried::kUnknown) << "the next transaction is still open";
  a_.Commit();
  EXPECT_EQ(Retried(), IncidentRow::Retried::kYes)
      << "it started with the failed transaction's first statement";
  EXPECT_EQ(IgnoredFindings(), 0u);
}

TEST_F(SessionRetryTest, ANextTransactionThatStartsOtherwiseIsNoRetry) {
  Deadlocked(a_);
  a_.Begin();
  a_.Run("UPDATE accounts SET n = n + 10 WHERE id = 2", {{"s.accounts", AccessKind::kWrite, {{"id", "2"}}}});
  a_.Commit();
  EXPECT_EQ(Retried(), IncidentRow::Retried::kNo);
  // Decided once: the transaction after that one changes nothing.
  a_.Begin();
  Debit(a_);
  a_.Commit();
  EXPECT_EQ(Retried(), IncidentRow::Retried::kNo);
}

TEST_F(SessionRetryTest, TheSameStatementOnOtherRowsIsNoRetry) {
  // A loop over accounts that goes on with the next one is no retry.
  Deadlocked(a_);
  a_.Begin();
  a_.Run("UPDATE accounts SET n = n - 10 WHERE id = 7", {{"s.accounts", AccessKind::kWrite, {{"id", "7"}}}});
  a_.Commit();
  EXPECT_EQ(Retried(), IncidentRow::Retried::kNo);
}

TEST_F(SessionRetryTest, AStatementWithoutKeysIsRetriedByItself) {
  a_.Begin();
  a_.Run("UPDATE accounts SET n = 0", {{"s.accounts", AccessKind::kWrite}});
  a_.Run("UPDATE ledger SET n = 0", {{"s.ledger", AccessKind::kWrite}}, kErrLockDeadlock);
  a_.Begin();
  a_.Run("UPDATE accounts SET n = 0", {{"s.accounts", AccessKind::kWrite}});
  a_.Commit();
  EXPECT_EQ(Retried(), IncidentRow::Retried::kYes);
}

TEST_F(SessionRetryTest, ARetryInAutocommitIsARetry) {
  Deadlocked(a_);
  Debit(a_);  // autocommit, from the first statement
  EXPECT_EQ(Retried(), IncidentRow::Retried::kYes);
  EXPECT_EQ(IgnoredFindings(), 0u) << "a retry is the correct handling";
}

TEST_F(SessionRetryTest, ADisconnectBeforeAnyRetryIsNo) {
  Deadlocked(a_);
  a_.session().OnDisconnect();
  EXPECT_EQ(Retried(), IncidentRow::Retried::kNo);
}

TEST_F(SessionRetryTest, EveryIncidentOfTheTransactionIsDecided) {
  // A lock wait timeout and a duplicate key in a transaction that commits,
  // then a retry.
  a_.Begin();
  Debit(a_);
  a_.Run("UPDATE accounts SET n = 0 WHERE id = 3", {{"s.accounts", AccessKind::kWrite, {{"id", "3"}}}},
         kErrLockWaitTimeout);
  a_.Run("INSERT INTO accounts (id) VALUES (4)", {{"s.accounts", AccessKind::kWrite, {{"id", "4"}}}},
         kErrDupEntry);
  a_.Commit();
  ASSERT_EQ(analyzer_.SnapshotIncidents().size(), 2u);
  EXPECT_EQ(Retried(0), IncidentRow::Retried::kUnknown);
  EXPECT_EQ(Retried(1), IncidentRow::Retried::kUnknown);
  a_.Begin();
  Debit(a_);
  a_.Commit();
  EXPECT_EQ(Retried(0), IncidentRow::Retried::kYes);
  EXPECT_EQ(Retried(1), IncidentRow::Retried::kYes);
}

TEST_F(SessionRetryTest, WithAutocommitOffWritingOnAfterADeadlockIgnoresIt) {
  // autocommit=0: after the deadlock the next statement opens a new
  // transaction by itself, and the next COMMIT commits the rest of the old one.
  Statement(a_, "UPDATE accounts SET n = n - 10 WHERE id = 1", "1");
  Statement(a_, "UPDATE accounts SET n = n + 10 WHERE id = 2", "2");
  Statement(a_, "UPDATE accounts SET n = 0 WHERE id = 5", "5", true,
            kErrLockDeadlock);  // the server says it is still open
  EXPECT_EQ(IgnoredFindings(), 0u);
  Statement(a_, "UPDATE accounts SET n = n + 10 WHERE id = 2", "2");
  Statement(a_, "COMMIT", "", false);
  EXPECT_EQ(IgnoredFindings(), 1u);
  EXPECT_EQ(Retried(), IncidentRow::Retried::kNo);
}

TEST_F(SessionRetryTest, WithAutocommitOffARetryFromTheFirstStatementIsHandling) {
  Statement(a_, "UPDATE accounts SET n = n - 10 WHERE id = 1", "1");
  Statement(a_, "UPDATE accounts SET n = n + 10 WHERE id = 2", "2", true,
            kErrLockDeadlock);  // the server says it is still open
  Statement(a_, "UPDATE accounts SET n = n - 10 WHERE id = 1", "1");
  Statement(a_, "UPDATE accounts SET n = n + 10 WHERE id = 2", "2");
  Statement(a_, "COMMIT", "", false);
  EXPECT_EQ(IgnoredFindings(), 0u);
  EXPECT_EQ(Retried(), IncidentRow::Retried::kYes);
}

}  // namespace
}  // namespace lockdiag
