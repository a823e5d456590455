#include "fixture.h"

namespace lockdiag::report::testing {
namespace {

Finding MakeFinding(uint64_t id, const char* pattern, Severity sev, std::vector<std::string> objects,
                    uint64_t occurrences, uint64_t errors, const char* evidence, const char* advice) {
  Finding f;
  f.pattern_id = id;
  f.pattern = pattern;
  f.severity = sev;
  f.objects = std::move(objects);
  f.occurrences = occurrences;
  f.related_errors = errors;
  f.first_seen = "2026-01-05 10:00:00";
  f.last_seen = "2026-01-05 10:30:00";
  f.evidence = evidence;
  f.advice = advice;
  return f;
}

Incident MakeIncident(uint64_t id, const char* name, const char* table, std::optional<uint64_t> pattern) {
  Incident i;
  i.incident_id = id;
  i.time = "2026-01-05 10:2" + std::to_string(id % 10) + ":00";
  i.user = "app";
  i.host = "localhost";
  i.error_code = std::string(name) == "ER_DUP_ENTRY" ? 1062 : 1213;
  i.error_name = name;
  i.table = table;
  i.statement_digest = "insert into poems ( poet_id , slug ) values (...)";
  i.transaction_history = "poetry.poems:READ, poetry.poems:WRITE";
  i.pattern_id = pattern;
  i.retried = "NO";
  return i;
}

TableRow MakeTable(const char* name, uint64_t txns, uint64_t writes, uint64_t dups, uint64_t deadlocks) {
  TableRow t;
  t.table = name;
  t.transactions = txns;
  t.writes = writes;
  t.plain_reads = txns * 2;
  t.exclusive_reads = txns / 4;
  t.duplicate_key_errors = dups;
  t.deadlocks = deadlocks;
  t.first_seen = "2026-01-05 10:00:00";
  t.last_seen = "2026-01-05 10:30:00";
  return t;
}

LockOrderRow MakeOrder(const char* a, const char* b, uint64_t n, uint64_t rev, const char* digest) {
  return LockOrderRow{a, b, n, rev, digest, "2026-01-05 10:30:00"};
}

}  // namespace

ServerSnapshot Db1() {
  ServerSnapshot s;
  s.server = "db1:3306";
  s.findings = {
      MakeFinding(1, "UNLOCKED_READ_MODIFY_WRITE", Severity::kHigh, {"poetry.poems"}, 30, 15,
                  "read: select id from poems where slug = ? | write: insert into poems ( poet_id , slug ) "
                  "values (...)",
                  "Make the check and the insert on poetry.poems one atomic step: rely on the unique key and "
                  "write INSERT ... ON DUPLICATE KEY UPDATE or INSERT IGNORE (or catch error 1062)."),
      MakeFinding(5, "LOCK_ORDER_INVERSION", Severity::kHigh, {"poetry.poems", "poetry.stats"}, 60, 0,
                  "poetry.poems -> poetry.stats: update stats set n = n + ? | poetry.stats -> poetry.poems: "
                  "update poems set hidden = ? where id = ?",
                  "Lock poetry.poems before poetry.stats in every transaction."),
      MakeFinding(7, "LOCK_ORDER_CYCLE", Severity::kHigh, {"shop.a", "shop.b", "shop.c"}, 9, 1,
                  "shop.a -> shop.b -> shop.c -> shop.a", "One global order for shop.a, shop.b, shop.c."),
  };
  s.incidents = {MakeIncident(12, "ER_DUP_ENTRY", "poetry.poems", 1),
                 MakeIncident(11, "ER_DUP_ENTRY", "poetry.poems", 1),
                 MakeIncident(10, "ER_LOCK_DEADLOCK", "shop.c", 7),
                 MakeIncident(9, "ER_DUP_ENTRY", "poetry.tags", std::nullopt)};
  s.tables = {MakeTable("poetry.poems", 500, 300, 15, 0), MakeTable("poetry.stats", 200, 200, 0, 0),
              MakeTable("shop.orders", 80, 80, 0, 0), MakeTable("shop.customers", 80, 40, 0, 0),
              MakeTable("shop.c", 9, 9, 0, 1)};
  s.lock_order = {
      MakeOrder("poetry.poems", "poetry.stats", 45, 15, "update stats set n = n + ?"),
      MakeOrder("poetry.stats", "poetry.poems", 15, 45, "update poems set hidden = ? where id = ?"),
      MakeOrder("shop.orders", "shop.customers", 40, 0, "update customers set n = ? where id = ?"),
      MakeOrder("shop.a", "shop.b", 3, 0, "update b set x = ?"),
      MakeOrder("shop.b", "shop.c", 3, 0, "update c set x = ?"),
      MakeOrder("shop.c", "shop.a", 3, 0, "update a set x = ?")};
  EncodingRow e;
  e.user = "poet";
  e.host = "localhost";
  e.client_charset = "latin1";
  e.table = "poetry.poems";
  e.column = "title";
  e.column_charset = "utf8mb4";
  e.issue = "SUSPECTED_DOUBLE_ENCODING";
  e.occurrences = 3;
  e.sample = "pos 2: C3 A8";
  e.statement_digest = "insert into poems ( title ) values (?)";
  s.encoding = {e};
  ConnectionRow ok{"app", "localhost", "CONNECTED", 120, "2026-01-05 10:00:00", "2026-01-05 10:30:00",
                   2,     10,          3600};
  ConnectionRow refused{"app",        "localhost",           "ER_CON_COUNT_ERROR",
                        20,           "2026-01-05 10:10:00", "2026-01-05 10:11:00",
                        std::nullopt, std::nullopt,          std::nullopt};
  s.connections = {ok, refused};
  return s;
}

ServerSnapshot Db2() {
  ServerSnapshot s;
  s.server = "db2:3306";
  s.findings = {
      MakeFinding(3, "UNLOCKED_READ_MODIFY_WRITE", Severity::kHigh, {"poetry.poems"}, 10, 5,
                  "read: select id from poems where slug = ? | write: insert into poems ( poet_id , slug ) "
                  "values (...)",
                  "Make the check and the insert on poetry.poems one atomic step: rely on the unique key and "
                  "write INSERT ... ON DUPLICATE KEY UPDATE or INSERT IGNORE (or catch error 1062)."),
      MakeFinding(4, "LOCK_HELD_IDLE", Severity::kMedium, {"shop.orders"}, 4, 0,
                  "idle 12 s holding shop.orders after: update orders set state = ? where id = ?",
                  "Commit before waiting on the user or another service."),
      MakeFinding(6, "MIXED_ISOLATION_LEVELS", Severity::kLow, {"shop.orders"}, 8, 0,
                  "REPEATABLE-READ: 6, READ-COMMITTED: 2", "Use one isolation level for shop.orders."),
  };
  s.incidents = {MakeIncident(4, "ER_DUP_ENTRY", "poetry.poems", 3)};
  s.tables = {MakeTable("poetry.poems", 150, 100, 5, 0), MakeTable("shop.orders", 60, 60, 0, 0),
              MakeTable("shop.customers", 60, 20, 0, 0)};
  s.lock_order = {
      MakeOrder("shop.customers", "shop.orders", 25, 0, "update orders set total = ? where id = ?")};
  return s;
}

}  // namespace lockdiag::report::testing
