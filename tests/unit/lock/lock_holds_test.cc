#include "core/lock/lock_holds.h"

#include <gtest/gtest.h>

#include "core/lock/analyzer.h"
#include "test_client.h"

namespace lockdiag {
namespace {

using testing::Client;

// The patterns of the hits of a wait (0 for a span not reported yet).
std::vector<uint64_t> Patterns(const std::vector<LockHoldWatch::Hit>& hits) {
  std::vector<uint64_t> out;
  for (const LockHoldWatch::Hit& h : hits) out.push_back(h.pattern);
  return out;
}

LockHoldWatch::Span Span(std::vector<uint64_t> tables, Timestamp start, Timestamp end, uint64_t pattern) {
  LockHoldWatch::Span s;
  s.tables = std::move(tables);
  s.start = start;
  s.end = end;
  s.connection = 1;
  s.pattern = pattern;
  return s;
}

TEST(LockHoldWatch, CountsWaitsOfOtherConnectionsOnItsTablesWhicheverComesFirst) {
  LockHoldWatch watch;
  // Waits recorded before the span (the writers' statements ended first);
  // the second timed out (incident 42).
  EXPECT_TRUE(watch.AddWait({2, {10}, 150, 400, 0}).empty());
  EXPECT_TRUE(watch.AddWait({4, {11}, 290, 290, 42}).empty());
  LockHoldWatch::Met met = watch.AddSpan(Span({10, 11}, 100, 300, 7));
  EXPECT_EQ(met.victims, 2u);
  EXPECT_EQ(met.incidents, std::vector<uint64_t>{42});
  // Waits recorded after it: on its table and in its time, or not.
  EXPECT_EQ(Patterns(watch.AddWait({3, {11}, 200, 310, 0})), std::vector<uint64_t>{7});
  EXPECT_TRUE(watch.AddWait({3, {12}, 200, 310, 0}).empty()) << "another table";
  EXPECT_TRUE(watch.AddWait({1, {10}, 200, 310, 0}).empty()) << "the holder's own connection";
  EXPECT_TRUE(watch.AddWait({3, {10}, 350, 360, 0}).empty()) << "after the locks went";
  EXPECT_TRUE(watch.AddWait({3, {10}, 10, 90, 0}).empty()) << "before the locks were taken";
  // Two spans of one finding: one victim, whichever is recorded first.
  watch.AddSpan(Span({10}, 305, 400, 7));
  EXPECT_EQ(Patterns(watch.AddWait({3, {10}, 290, 310, 0})), std::vector<uint64_t>{7});
  EXPECT_EQ(watch.AddSpan(Span({10}, 300, 320, 7)).victims, 0u) << "every wait in it was counted for 7";
  EXPECT_EQ(watch.AddSpan(Span({10}, 300, 320, 8)).victims, 2u) << "another finding counts them again";
  watch.Reset();
  EXPECT_EQ(watch.AddSpan(Span({10}, 100, 300, 8)).victims, 0u);
}

TEST(LockHoldWatch, ASpanNotReportedYetHandsItsFindingToItsFirstVictim) {
  LockHoldWatch watch;
  LockHoldWatch::Span idle = Span({10}, 100, 300, 0);
  idle.finding.type = PatternType::kLockHeldIdle;
  idle.finding.amount = 200;
  const LockHoldWatch::Met met = watch.AddSpan(idle);
  EXPECT_EQ(met.victims, 0u);
  std::vector<LockHoldWatch::Hit> hits = watch.AddWait({2, {10}, 150, 200, 0});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].pattern, 0u);
  EXPECT_TRUE(hits[0].first);
  EXPECT_EQ(hits[0].span, met.span);
  EXPECT_EQ(hits[0].finding.type, PatternType::kLockHeldIdle);
  // A second victim before the id is known: not the first any more.
  hits = watch.AddWait({3, {10}, 150, 200, 0});
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_FALSE(hits[0].first);
  watch.SetPattern(met.span, 9);
  EXPECT_EQ(Patterns(watch.AddWait({4, {10}, 150, 200, 0})), std::vector<uint64_t>{9});
}

TEST(LockHoldWatch, KeepsTheLastSpansAndWaitsOnly) {
  LockHoldWatch watch;
  for (uint64_t i = 0; i < LockHoldWatch::kMaxWaits + 1; ++i) watch.AddWait({2, {10}, 100, 100, i + 1});
  // The first wait (incident 1) was forgotten.
  LockHoldWatch::Met met = watch.AddSpan(Span({10}, 50, 150, 7));
  EXPECT_EQ(met.victims, LockHoldWatch::kMaxWaits);
  EXPECT_EQ(met.incidents.front(), 2u);
  for (uint64_t i = 0; i < LockHoldWatch::kMaxSpans; ++i) watch.AddSpan(Span({99}, 50, 150, 100 + i));
  EXPECT_TRUE(watch.AddWait({2, {10}, 100, 100, 0}).empty()) << "span 7 was forgotten";
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
  // A mariadb-dump session: LOCK TABLES ... READ LOCAL, its SELECTs
  // (DumpBegin), UNLOCK (DumpEnd).
  void Dump(bool innodb) {
    DumpBegin(innodb);
    DumpEnd();
  }
  void DumpBegin(bool innodb) {
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
  }
  void DumpEnd() {
    StatementEnd unlock;
    unlock.text = "UNLOCK TABLES";
    dump_.session().OnStatementEnd(unlock);
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
  analyzer_.RecordLockWait({2, {TableHash("shop", "orders")}, now - 500000, now + 1000, 0});
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

TEST_F(BackupTest, ATimeoutDuringTheDumpIsLinkedToIt) {
  // The writer's MDL wait timed out while the dump held its read lock; the
  // dump's span, reported at its UNLOCK TABLES, finds it. (The timeout ends
  // after the dump locked: a wait that ended before the lock was taken is
  // no victim of it, and the test must not depend on two statements
  // falling into one microsecond.)
  DumpBegin(true);
  app_.Run("UPDATE orders SET n = ? WHERE id = 1", {{"shop.orders", AccessKind::kWrite, {{"id", "1"}}}},
           kErrLockWaitTimeout);
  DumpEnd();
  auto rows = analyzer_.SnapshotPatterns();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pattern, "BACKUP_BLOCKS_WRITERS");
  EXPECT_EQ(rows[0].related_errors, 1u);
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].pattern_id, rows[0].id);
}

// LOCK_HELD_IDLE. The Session measures the idle time from the previous
// statement's end (its clock) to the next statement's start (the
// StatementEnd's start_time): a start_time 1.5 s ahead stands for a client
// that was away that long, without the test sleeping.
class IdleTest : public ::testing::Test {
 protected:
  static constexpr Timestamp kAway = 1500 * 1000;
  Config config_;
  Analyzer analyzer_{&config_};
  Client holder_{&analyzer_, 1};
  Client victim_{&analyzer_, 2};

  void Lock(Client* c, AccessKind kind = AccessKind::kWrite) {
    c->Begin();
    c->Run(kind == AccessKind::kWrite ? "UPDATE accounts SET credits = ? WHERE id = 1"
                                      : "SELECT credits FROM accounts WHERE id = 1",
           {{"shop.accounts", kind, {{"id", "1"}}}});
  }
  void ComeBackAndCommit(Client* c, Timestamp away = kAway) {
    c->start_time = NowMicros() + away;
    c->Commit();
  }
  void TimeOut(Client* c) {
    c->Run("UPDATE accounts SET credits = ? WHERE id = 1",
           {{"shop.accounts", AccessKind::kWrite, {{"id", "1"}}}}, kErrLockWaitTimeout);
  }
};

TEST_F(IdleTest, AnIdleTransactionOthersTimedOutOnIsAFindingWithTheTimeoutLinked) {
  Lock(&holder_);
  TimeOut(&victim_);
  ComeBackAndCommit(&holder_);
  auto rows = analyzer_.SnapshotPatterns();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pattern, "LOCK_HELD_IDLE");
  EXPECT_EQ(rows[0].severity, "MEDIUM");
  EXPECT_EQ(rows[0].objects, "shop.accounts");
  EXPECT_EQ(rows[0].occurrences, 1u);
  EXPECT_EQ(rows[0].related_errors, 1u);
  EXPECT_NE(
      rows[0].evidence.find("after update accounts set credits = ? where id = ? the transaction sat idle"),
      std::string::npos)
      << rows[0].evidence;
  EXPECT_NE(rows[0].evidence.find("then: commit"), std::string::npos) << rows[0].evidence;
  EXPECT_NE(rows[0].evidence.find("1 statement(s) of other connections"), std::string::npos)
      << rows[0].evidence;
  EXPECT_NE(rows[0].advice.find("before the transaction takes its first lock"), std::string::npos);
  auto incidents = analyzer_.SnapshotIncidents();
  ASSERT_EQ(incidents.size(), 1u);
  EXPECT_EQ(incidents[0].pattern_id, rows[0].id);
  EXPECT_EQ(analyzer_.Status().patterns, 1u);
}

TEST_F(IdleTest, AWaiterThatGotTheLocksAfterTheCommitCountsToo) {
  Lock(&holder_);
  ComeBackAndCommit(&holder_);
  EXPECT_TRUE(analyzer_.SnapshotPatterns().empty()) << "nobody waited yet";
  EXPECT_EQ(analyzer_.Status().patterns, 0u);
  // The victim's UPDATE started during the idle time and waited 1.2 s.
  victim_.start_time = NowMicros() + 200 * 1000;
  victim_.lock_wait_micros = 1200 * 1000;
  victim_.Run("UPDATE accounts SET credits = ? WHERE id = 1",
              {{"shop.accounts", AccessKind::kWrite, {{"id", "1"}}}});
  auto rows = analyzer_.SnapshotPatterns();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pattern, "LOCK_HELD_IDLE");
  EXPECT_EQ(rows[0].related_errors, 0u);
}

TEST_F(IdleTest, AnIdleTransactionNobodyWaitedForIsNoFinding) {
  Lock(&holder_);
  ComeBackAndCommit(&holder_);
  // A quick statement of another connection on the table, no wait.
  victim_.Run("UPDATE accounts SET credits = ? WHERE id = 2",
              {{"shop.accounts", AccessKind::kWrite, {{"id", "2"}}}});
  EXPECT_TRUE(analyzer_.SnapshotPatterns().empty());
}

TEST_F(IdleTest, ShortPausesAndLockFreeTransactionsAreNotIdleHolds) {
  // Under a second away: an ordinary web request.
  Lock(&holder_);
  TimeOut(&victim_);
  ComeBackAndCommit(&holder_, 500 * 1000);
  // Away long, but only plain reads (no lock held).
  Lock(&holder_, AccessKind::kRead);
  TimeOut(&victim_);
  ComeBackAndCommit(&holder_);
  EXPECT_TRUE(analyzer_.SnapshotPatterns().empty());
}

TEST_F(IdleTest, AWaitOnAnotherTableIsNoVictim) {
  // (A wait before the locks were taken or after they went is no victim
  // either: LockHoldWatch's own test, with explicit times.)
  Lock(&holder_);
  victim_.Run("UPDATE poems SET n = ? WHERE id = 1", {{"shop.poems", AccessKind::kWrite, {{"id", "1"}}}},
              kErrLockWaitTimeout);
  ComeBackAndCommit(&holder_);
  EXPECT_TRUE(analyzer_.SnapshotPatterns().empty());
}

TEST_F(IdleTest, OneFindingPerCodePathCountingEachIdleTime) {
  for (int i = 0; i < 3; ++i) {
    Lock(&holder_);
    TimeOut(&victim_);
    ComeBackAndCommit(&holder_);
  }
  auto rows = analyzer_.SnapshotPatterns();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].occurrences, 3u);
  // Each timeout is linked once. (Victims are not counted here: the
  // rounds' pretended idle times overlap on the test's clock.)
  EXPECT_EQ(rows[0].related_errors, 3u);
}

}  // namespace
}  // namespace lockdiag
