// Tests of cluster conflicts (lock_errors.h): a Galera node's 1213 that was a
// brute-force abort or a certification failure is an incident of its own
// kind, makes MULTI_NODE_WRITE_CONFLICT, and never counts as a deadlock.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/lock/analyzer.h"
#include "core/lock/lock_errors.h"
#include "core/lock/session.h"

namespace lockdiag {
namespace {

class ClusterConflictTest : public ::testing::Test {
 protected:
  Config config_;
  Analyzer analyzer_{&config_};
  Session session_{&analyzer_, 7};

  void Write(const char* table) {
    AccessEvent a;
    a.schema = "app";
    a.table = table;
    a.kind = AccessKind::kWrite;
    session_.OnTableAccess(a);
  }
  void End(const char* text, bool open, uint32_t error = 0) {
    StatementEnd e;
    e.text = text;
    e.transaction_open = open;
    e.error_code = error;
    session_.OnStatementEnd(e);
  }
  // One transaction that writes `table` and loses it to `code` at COMMIT
  // (as the adapter reports it: the error at the ERROR event, then the end).
  void LoseAtCommit(const char* table, uint32_t code) {
    End("BEGIN", true);
    Write(table);
    End("UPDATE accounts SET n = n + 1 WHERE id = 1", true);
    session_.OnError(code, {}, {});
    End("COMMIT", false, kErrLockDeadlock);
  }
  std::vector<PatternRow> Findings(const char* pattern) {
    std::vector<PatternRow> out;
    for (const PatternRow& p : analyzer_.SnapshotPatterns())
      if (p.pattern == pattern) out.push_back(p);
    return out;
  }
};

TEST_F(ClusterConflictTest, CodesStandForTheDeadlockTheClientSaw) {
  EXPECT_EQ(ClientErrorCode(kErrClusterBruteForceAbort), kErrLockDeadlock);
  EXPECT_EQ(ClientErrorCode(kErrClusterCertificationFailure), kErrLockDeadlock);
  EXPECT_EQ(ClientErrorCode(kErrLockDeadlock), kErrLockDeadlock);
  EXPECT_EQ(ClientErrorCode(kErrDupEntry), kErrDupEntry);
  EXPECT_STREQ(ClusterConflictKind(kErrClusterBruteForceAbort), "BRUTE_FORCE_ABORT");
  EXPECT_STREQ(ClusterConflictKind(kErrClusterCertificationFailure), "CERTIFICATION_FAILURE");
  EXPECT_EQ(ClusterConflictKind(kErrLockDeadlock), nullptr);
  EXPECT_STREQ(LockErrorName(kErrClusterBruteForceAbort), "CLUSTER_CONFLICT");
  EXPECT_TRUE(IsLockError(kErrClusterCertificationFailure));
  EXPECT_FALSE(IsLockConflict(kErrClusterBruteForceAbort)) << "no lock-order finding explains it";
}

TEST_F(ClusterConflictTest, AConflictAtCommitIsAnIncidentOnTheWrittenTableNotADeadlock) {
  LoseAtCommit("accounts", kErrClusterBruteForceAbort);
  const std::vector<IncidentRow> incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u) << "the COMMIT's repeated 1213 is not a second incident";
  EXPECT_EQ(incidents[0].error_code, kErrClusterBruteForceAbort);
  EXPECT_EQ(incidents[0].error_name, "CLUSTER_CONFLICT");
  EXPECT_EQ(incidents[0].table_name, "accounts") << "COMMIT touched nothing: the last write is blamed";
  const AnalyzerStatus st = analyzer_.Status();
  EXPECT_EQ(st.cluster_conflicts, 1u);
  EXPECT_EQ(st.deadlocks, 0u);
  ASSERT_EQ(analyzer_.SnapshotTables().size(), 1u);
  EXPECT_EQ(analyzer_.SnapshotTables()[0].deadlocks, 0u);
}

TEST_F(ClusterConflictTest, ConflictsMakeOneFindingPerTableWithBothKindsCounted) {
  LoseAtCommit("accounts", kErrClusterBruteForceAbort);
  LoseAtCommit("accounts", kErrClusterCertificationFailure);
  LoseAtCommit("accounts", kErrClusterBruteForceAbort);
  const std::vector<PatternRow> found = Findings("MULTI_NODE_WRITE_CONFLICT");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].objects, "app.accounts");
  EXPECT_EQ(found[0].severity, "HIGH");
  EXPECT_EQ(found[0].occurrences, 3u);
  EXPECT_EQ(found[0].related_errors, 3u) << "every incident is linked to it";
  EXPECT_NE(found[0].evidence.find("2 brute-force abort(s)"), std::string::npos) << found[0].evidence;
  EXPECT_NE(found[0].evidence.find("1 certification failure(s)"), std::string::npos) << found[0].evidence;
  EXPECT_NE(found[0].evidence.find("update accounts set n = n + ? where id = ?"), std::string::npos)
      << "the example is the write that lost its locks: " << found[0].evidence;
  EXPECT_NE(found[0].advice.find("one node"), std::string::npos);
  EXPECT_NE(found[0].advice.find("wsrep_retry_autocommit"), std::string::npos);
  for (const IncidentRow& i : analyzer_.SnapshotIncidents()) EXPECT_EQ(i.pattern_id, found[0].id);
  EXPECT_EQ(analyzer_.Status().cluster_conflicts, 3u);
}

TEST_F(ClusterConflictTest, AnInnoDbDeadlockStaysADeadlock) {
  End("BEGIN", true);
  Write("accounts");
  End("UPDATE accounts SET n = n + 1 WHERE id = 1", false, kErrLockDeadlock);
  const std::vector<IncidentRow> incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].error_name, "ER_LOCK_DEADLOCK");
  EXPECT_TRUE(Findings("MULTI_NODE_WRITE_CONFLICT").empty());
  EXPECT_EQ(analyzer_.Status().deadlocks, 1u);
  EXPECT_EQ(analyzer_.Status().cluster_conflicts, 0u);
}

TEST_F(ClusterConflictTest, TheTransactionIsOverAfterTheConflict) {
  End("BEGIN", true);
  Write("accounts");
  End("UPDATE accounts SET n = n + 1 WHERE id = 1", true);
  // Aborted while running a statement: that statement fails, the server
  // still says the transaction is open, but it was rolled back.
  Write("accounts");
  session_.OnError(kErrClusterBruteForceAbort, {}, {});
  End("UPDATE accounts SET n = n + 1 WHERE id = 2", true, kErrLockDeadlock);
  EXPECT_EQ(analyzer_.Status().transactions, 1u);
  Write("orders");
  End("UPDATE orders SET n = 1 WHERE id = 1", false);
  EXPECT_EQ(analyzer_.Status().transactions, 2u) << "the next statement is a transaction of its own";
}

TEST_F(ClusterConflictTest, ResetClearsTheCount) {
  LoseAtCommit("accounts", kErrClusterCertificationFailure);
  analyzer_.Reset();
  EXPECT_EQ(analyzer_.Status().cluster_conflicts, 0u);
  EXPECT_TRUE(Findings("MULTI_NODE_WRITE_CONFLICT").empty());
}

}  // namespace
}  // namespace lockdiag
