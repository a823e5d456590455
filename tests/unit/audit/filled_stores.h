// filled_stores.h: stores holding one row of every kind the state file
// keeps, and their rows as text, for the state file's tests and the seed of
// its fuzz harness (tests/fuzz/).
#ifndef LOCKDIAG_TESTS_UNIT_AUDIT_FILLED_STORES_H_
#define LOCKDIAG_TESTS_UNIT_AUDIT_FILLED_STORES_H_

#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

#include "../lock/test_client.h"
#include "core/lock/lock_errors.h"
#include "test_stores.h"

namespace lockdiag::testing {

// FillEveryStore records something in every store: a lock-order inversion, an
// unlocked read-modify-write with its duplicate key, a LOCK TABLES mix, two
// isolation levels, encoding rows with hostile strings, refused and
// accepted connections.
inline void FillEveryStore(Stores* s) {
  Client a(&s->analyzer, 1), b(&s->analyzer, 2);
  for (int i = 0; i < 2; ++i) {
    a.Begin();
    a.Run("UPDATE shop.orders SET n = 1 WHERE id = 1", {{"shop.orders", AccessKind::kWrite, {{"id", "1"}}}});
    a.Run("UPDATE shop.stock SET n = 1 WHERE id = 1", {{"shop.stock", AccessKind::kWrite, {{"id", "1"}}}});
    a.Commit();
    b.Begin();
    b.Run("UPDATE shop.stock SET n = 2 WHERE id = 1", {{"shop.stock", AccessKind::kWrite, {{"id", "1"}}}});
    b.Run("UPDATE shop.orders SET n = 2 WHERE id = 1", {{"shop.orders", AccessKind::kWrite, {{"id", "1"}}}});
    b.Commit();
  }
  for (int i = 0; i < 6; ++i) {
    const std::string id = std::to_string(i);
    a.isolation = i % 2 == 0 ? Isolation::kRepeatableRead : Isolation::kReadCommitted;
    a.Begin();
    a.Run("SELECT n FROM shop.`we\"ird\nname` WHERE id = " + id,
          {{"shop.we\"ird\nname", AccessKind::kRead, {{"id", id}}}});
    a.Run("INSERT INTO shop.`we\"ird\nname` VALUES (" + id + ")",
          {{"shop.we\"ird\nname", AccessKind::kWrite, {{"id", id}}}}, i == 5 ? kErrDupEntry : 0);
    a.Commit();
  }
  b.under_lock_tables = true;
  b.Run("UPDATE shop.orders SET n = 3 WHERE id = 2", {{"shop.orders", AccessKind::kLockTablesWrite, {}}});
  b.under_lock_tables = false;
  s->analyzer.ReportConnectionLimit("max_connections", 1040, "max_connections=10, peak 10", 1000);

  encoding::FindingKey key{"app",  "10.0.0.7", "latin1",
                           "shop", "poems",    "title\xff",
                           false,  "utf8mb4",  encoding::Issue::kSuspectedDoubleEncoding};
  s->encoding.Record(key, "pos 2: C3 A8", "insert into poems values (?)", 1000, 1);
  s->encoding.Record(key, "pos 2: C3 A8", "insert into poems values (?)", 2000, 1);
  key.column_is_null = true;
  key.issue = encoding::Issue::kCollationConflict;
  s->encoding.Record(key, "", "select ?", 3000, 1);

  s->connections.OnConnect(10, "app", "10.0.0.7", 0, 1000);
  s->connections.OnConnect(11, "app", "10.0.0.7", 0, 1100);
  s->connections.OnDisconnect(10, 5000);
  s->connections.OnConnect(12, "app", "10.0.0.7", 1040, 1200);
  s->connections.OnConnect(13, "robert'); DROP", "::1", 1045, 1300);
}

// Text forms of every row, field by field, to compare two stores.
inline std::vector<std::string> StoreRows(Stores* s) {
  std::vector<std::string> out;
  auto add = [&out](std::initializer_list<std::string> fields) {
    std::string line;
    for (const std::string& f : fields) line += f + "|";
    out.push_back(line);
  };
  using std::to_string;
  for (const TableRow& r : s->analyzer.SnapshotTables()) {
    std::string accesses;
    for (uint64_t n : r.accesses) accesses += to_string(n) + ",";
    add({"table", r.schema, r.table, accesses, to_string(r.transactions),
         to_string(r.unlocked_read_write_transactions), to_string(r.locked_read_write_transactions),
         to_string(r.duplicate_key_errors), to_string(r.deadlocks), to_string(r.lock_wait_timeouts),
         to_string(r.compare_and_set_writes), to_string(r.first_seen), to_string(r.last_seen)});
  }
  for (const LockOrderRow& r : s->analyzer.SnapshotLockOrder()) {
    add({"order", r.first_schema, r.first_table, r.second_schema, r.second_table, to_string(r.transactions),
         to_string(r.reverse_transactions), r.sample_digest, to_string(r.last_seen)});
  }
  for (const PatternRow& r : s->analyzer.SnapshotPatterns()) {
    add({"pattern", to_string(r.id), r.pattern, r.severity, r.objects, to_string(r.occurrences),
         to_string(r.related_errors), to_string(r.first_seen), to_string(r.last_seen), r.evidence, r.advice});
  }
  for (const IncidentRow& r : s->analyzer.SnapshotIncidents()) {
    add({"incident", to_string(r.id), to_string(r.time), to_string(r.thread_id), r.user, r.host,
         to_string(r.error_code), r.error_name, r.table_schema, r.table_name, r.statement_digest,
         r.transaction_history, to_string(r.pattern_id), to_string(static_cast<int>(r.retried))});
  }
  for (const encoding::EncodingRow& r : s->encoding.Snapshot()) {
    add({"encoding", r.user, r.host, r.client_charset, r.schema, r.table, r.column,
         to_string(r.column_is_null), r.column_charset, encoding::IssueName(r.issue),
         to_string(r.occurrences), to_string(r.first_seen), to_string(r.last_seen), r.sample,
         r.statement_digest});
  }
  for (const ConnectionRow& r : s->connections.Snapshot()) {
    add({"connection", r.user, r.host, to_string(r.outcome), to_string(r.attempts), to_string(r.first_seen),
         to_string(r.last_seen), to_string(r.peak_concurrent), to_string(r.total_micros)});
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline bool StoresEmpty(Stores* s) {
  return s->analyzer.SnapshotTables().empty() && s->analyzer.SnapshotLockOrder().empty() &&
         s->analyzer.SnapshotPatterns().empty() && s->analyzer.SnapshotIncidents().empty() &&
         s->encoding.Snapshot().empty() && s->connections.Snapshot().empty();
}

}  // namespace lockdiag::testing

#endif  // LOCKDIAG_TESTS_UNIT_AUDIT_FILLED_STORES_H_
