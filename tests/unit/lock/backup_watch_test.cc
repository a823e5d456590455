#include "core/lock/backup_watch.h"

#include <gtest/gtest.h>

#include "core/lock/analyzer.h"
#include "test_client.h"

namespace lockdiag {
namespace {

using testing::Client;

TEST(BackupWatch, CountsWaitsOfOtherConnectionsOnItsTablesWhicheverComesFirst) {
  BackupWatch watch;
  // A wait recorded before the span (the writer's statement ended first).
  EXPECT_TRUE(watch.AddWait(2, {10}, 150, 400).empty());
  EXPECT_EQ(watch.AddSpan(BackupWatch::Span{{10, 11}, 100, 300, 7, 1}), 1u);
  // Waits recorded after it: on its table and in its time, or not.
  EXPECT_EQ(watch.AddWait(3, {11}, 200, 310), std::vector<uint64_t>{7});
  EXPECT_TRUE(watch.AddWait(3, {12}, 200, 310).empty()) << "another table";
  EXPECT_TRUE(watch.AddWait(1, {10}, 200, 310).empty()) << "the backup's own connection";
  EXPECT_TRUE(watch.AddWait(3, {10}, 350, 360).empty()) << "after the locks went";
  watch.Reset();
  EXPECT_EQ(watch.AddSpan(BackupWatch::Span{{10}, 100, 300, 8, 1}), 0u);
}

class BackupTest : public ::testing::Test {
 protected:
  Config config_;
  Analyzer analyzer_{&config_};
  Client dump_{&analyzer_, 1};
  Client app_{&analyzer_, 2};

  static AccessEvent Access(const char* table, AccessKind kind, bool transactional) {
    AccessEvent a;
    a.schema = "shop";
    a.table = table;
    a.kind = kind;
    a.transactional = transactional;
    return a;
  }
  // A mariadb-dump session: LOCK TABLES ... READ LOCAL, its SELECTs, UNLOCK.
  void Dump(bool innodb) {
    Session& s = dump_.session();
    s.OnTableAccess(Access("orders", AccessKind::kLockTablesRead, innodb));
    StatementEnd lock;
    lock.text = "LOCK TABLES `orders` READ /*!32311 LOCAL */";
    lock.under_lock_tables = true;
    lock.backup_statement = true;
    s.OnStatementEnd(lock);
    s.OnTableAccess(Access("orders", AccessKind::kLockTablesRead, innodb));
    StatementEnd select;
    select.text = "SELECT /*!40001 SQL_NO_CACHE */ * FROM `orders`";
    select.under_lock_tables = true;
    select.backup_statement = true;
    s.OnStatementEnd(select);
    StatementEnd unlock;
    unlock.text = "UNLOCK TABLES";
    s.OnStatementEnd(unlock);
  }
};

TEST_F(BackupTest, ADumpWithReadLocksOnInnoDBIsABackupFindingNotMixedLockTables) {
  // The application writes the table; the dump read-locks it.
  app_.Run("UPDATE orders SET n = ? WHERE id = 1", {{"shop.orders", AccessKind::kWrite, {{"id", "1"}}}});
  Dump(true);
  app_.Run("UPDATE orders SET n = ? WHERE id = 1", {{"shop.orders", AccessKind::kWrite, {{"id", "1"}}}});
  auto rows = analyzer_.SnapshotPatterns();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pattern, "BACKUP_BLOCKS_WRITERS");
  EXPECT_EQ(rows[0].objects, "shop.orders");
  EXPECT_EQ(rows[0].occurrences, 1u);
  EXPECT_NE(rows[0].evidence.find("held LOCK TABLES ... READ on 1 InnoDB table"), std::string::npos)
      << rows[0].evidence;
  EXPECT_NE(rows[0].advice.find("--single-transaction"), std::string::npos) << rows[0].advice;
  // A slow lock wait of the application during the dump is counted.
  Dump(true);
  const Timestamp now = NowMicros();
  analyzer_.RecordLockWait(2, {TableHash("shop", "orders")}, now - 500000, now + 1000);
  rows = analyzer_.SnapshotPatterns();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].occurrences, 2u);
  EXPECT_NE(rows[0].evidence.find("1 application statement(s) waited"), std::string::npos)
      << rows[0].evidence;
}

TEST_F(BackupTest, ADumpOfNonTransactionalTablesIsNoFinding) {
  Dump(false);
  EXPECT_TRUE(analyzer_.SnapshotPatterns().empty());
}

TEST_F(BackupTest, TheSameLockTablesByTheApplicationIsMixedLockTables) {
  // Without the backup tool's statements it is the application's own
  // LOCK TABLES path: MIXED_LOCK_TABLES, as before.
  app_.Run("UPDATE orders SET n = ? WHERE id = 1", {{"shop.orders", AccessKind::kWrite, {{"id", "1"}}}});
  Session& s = dump_.session();
  s.OnTableAccess(Access("orders", AccessKind::kLockTablesRead, true));
  StatementEnd lock;
  lock.text = "LOCK TABLES orders READ";
  lock.under_lock_tables = true;
  s.OnStatementEnd(lock);
  StatementEnd unlock;
  unlock.text = "UNLOCK TABLES";
  s.OnStatementEnd(unlock);
  auto rows = analyzer_.SnapshotPatterns();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pattern, "MIXED_LOCK_TABLES");
}

}  // namespace
}  // namespace lockdiag
