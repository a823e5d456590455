// test_client.h: scripts one connection's statements against a Session, the
// way the adapter would report them, for the unit tests.
//
//   Client a(&analyzer, 1);
//   a.Begin();
//   a.Run("SELECT * FROM orders WHERE id = 5", {{"shop.orders", AccessKind::kRead, {{"id", "5"}}}});
//   a.Commit();
#ifndef LOCKDIAG_TESTS_UNIT_TEST_CLIENT_H_
#define LOCKDIAG_TESTS_UNIT_TEST_CLIENT_H_

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/lock/analyzer.h"
#include "core/lock/key_hash.h"
#include "core/lock/session.h"

namespace lockdiag::testing {

// One table access of a statement: "schema.table", kind, (column, value) keys.
// A write's form defaults to what the adapter derives from the statement
// kind: INSERT is kInsert, INSERT ... ON DUPLICATE KEY UPDATE / INSERT
// IGNORE / REPLACE kUpsert, anything else kPlain; set it for the UPDATE
// forms (compare-and-set, self-relative).
struct Touch {
  std::string table;
  AccessKind kind = AccessKind::kRead;
  std::vector<std::pair<std::string, std::string>> keys = {};
  bool named_lock = false;
  std::optional<WriteForm> form = std::nullopt;
};

// FormOfText: the WriteForm the adapter would give a write of `text`.
inline WriteForm FormOfText(const std::string& text) {
  std::string upper;
  for (char c : text) upper.push_back(static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c));
  if (upper.rfind("REPLACE", 0) == 0) return WriteForm::kUpsert;
  if (upper.rfind("INSERT", 0) != 0) return WriteForm::kPlain;
  const bool upsert =
      upper.find("ON DUPLICATE KEY UPDATE") != std::string::npos || upper.rfind("INSERT IGNORE", 0) == 0;
  return upsert ? WriteForm::kUpsert : WriteForm::kInsert;
}

class Client {
 public:
  Client(Analyzer* analyzer, uint64_t id) : session_(analyzer, id) {}

  Isolation isolation = Isolation::kRepeatableRead;
  bool autocommit = true;
  bool under_lock_tables = false;
  bool xa = false;
  // Set before a Run: that statement returned no row.
  bool found_nothing = false;
  // Set before a Run: when that statement started (0: not known) and how
  // long it waited for locks.
  Timestamp start_time = 0;
  uint64_t lock_wait_micros = 0;

  Session& session() { return session_; }

  void Begin() {
    in_txn_ = true;
    Run("BEGIN", {});
  }
  void Commit() {
    in_txn_ = false;
    Run("COMMIT", {});
  }
  void Rollback() {
    in_txn_ = false;
    Run("ROLLBACK", {}, 0, TxnOutcome::kRollback);
  }
  // Run reports the accesses, then the statement's end. A deadlock also ends
  // the client's transaction (the server rolled it back).
  void Run(const std::string& text, const std::vector<Touch>& touches, uint32_t error = 0,
           TxnOutcome outcome = TxnOutcome::kCommit) {
    for (const Touch& t : touches) {
      std::vector<uint64_t> keys;
      for (const auto& [col, val] : t.keys) keys.push_back(KeyHash(col, val));
      size_t dot = t.table.find('.');
      AccessEvent a;
      a.schema = std::string_view(t.table).substr(0, dot);
      a.table = std::string_view(t.table).substr(dot + 1);
      a.kind = t.kind;
      a.keys = keys.data();
      a.key_count = static_cast<uint32_t>(keys.size());
      a.under_named_lock = t.named_lock;
      a.form = t.form ? *t.form : FormOfText(text);
      session_.OnTableAccess(a);
    }
    if (error == kErrLockDeadlock) in_txn_ = false;
    StatementEnd e;
    e.text = text;
    e.error_code = error;
    e.transaction_open = in_txn_;
    e.outcome = outcome;
    e.isolation = isolation;
    e.autocommit = autocommit;
    e.under_lock_tables = under_lock_tables;
    e.xa = xa;
    e.found_nothing = found_nothing;
    found_nothing = false;
    e.start_time = start_time;
    e.lock_wait_micros = lock_wait_micros;
    start_time = 0;
    lock_wait_micros = 0;
    const std::string head = text.substr(0, 8);
    if (head == "BEGIN") e.control = TxnControl::kBegin;
    if (head == "COMMIT") e.control = TxnControl::kCommit;
    if (head == "ROLLBACK") e.control = TxnControl::kRollback;
    session_.OnStatementEnd(e);
  }

 private:
  Session session_;
  bool in_txn_ = false;
};

// SysbenchReadWrite replays what sysbench's oltp_read_write.lua sends, per
// event, from `clients` connections in turn: ten point selects and four
// range selects on random tables, then an index update, a non-index update,
// and a delete + insert of one id, each on a random table; in one
// transaction, or (`in_transactions` false: --skip_trx=on) each statement
// committed on its own.
inline void SysbenchReadWrite(Analyzer* analyzer, int clients, int tables, int table_size, int events,
                              uint64_t seed, bool in_transactions) {
  std::mt19937_64 rng(seed);
  std::vector<std::unique_ptr<Client>> pool;
  for (int i = 0; i < clients; ++i) pool.push_back(std::make_unique<Client>(analyzer, 100 + i));
  auto table = [&]() { return "sbtest" + std::to_string(1 + rng() % tables); };
  auto id = [&]() { return std::to_string(1 + rng() % table_size); };
  for (int t = 0; t < events; ++t) {
    Client& c = *pool[t % pool.size()];
    if (in_transactions) c.Begin();
    for (int i = 0; i < 10; ++i) {
      std::string tb = table(), k = id();
      c.Run("SELECT c FROM " + tb + " WHERE id=" + k, {{"sbtest." + tb, AccessKind::kRead, {{"id", k}}}});
    }
    for (const char* range :
         {"SELECT c FROM ", "SELECT SUM(k) FROM ", "SELECT c FROM ", "SELECT DISTINCT c FROM "}) {
      std::string tb = table(), k = id();
      c.Run(range + tb + " WHERE id BETWEEN " + k + " AND " + k + "+99",
            {{"sbtest." + tb, AccessKind::kRead}});
    }
    std::string tb = table(), k = id();
    c.Run("UPDATE " + tb + " SET k=k+1 WHERE id=" + k, {{"sbtest." + tb, AccessKind::kWrite, {{"id", k}}}});
    tb = table(), k = id();
    c.Run("UPDATE " + tb + " SET c='x' WHERE id=" + k, {{"sbtest." + tb, AccessKind::kWrite, {{"id", k}}}});
    tb = table(), k = id();
    c.Run("DELETE FROM " + tb + " WHERE id=" + k, {{"sbtest." + tb, AccessKind::kWrite, {{"id", k}}}});
    c.Run("INSERT INTO " + tb + " (id, k, c, pad) VALUES (" + k + ", 1, 'c', 'pad')",
          {{"sbtest." + tb, AccessKind::kWrite, {{"id", k}}}});
    if (in_transactions) c.Commit();
  }
}

}  // namespace lockdiag::testing

#endif  // LOCKDIAG_TESTS_UNIT_TEST_CLIENT_H_
