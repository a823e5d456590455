// test_client.h: scripts one connection's statements against a Session, the
// way the adapter would report them, for the unit tests.
//
//   Client a(&analyzer, 1);
//   a.Begin();
//   a.Run("SELECT * FROM orders WHERE id = 5", {{"shop.orders", AccessKind::kRead, {{"id", "5"}}}});
//   a.Commit();
#ifndef LOCKDIAG_TESTS_UNIT_TEST_CLIENT_H_
#define LOCKDIAG_TESTS_UNIT_TEST_CLIENT_H_

#include <string>
#include <utility>
#include <vector>

#include "core/lock/analyzer.h"
#include "core/lock/key_hash.h"
#include "core/lock/session.h"

namespace lockdiag::testing {

// One table access of a statement: "schema.table", kind, (column, value) keys.
struct Touch {
  std::string table;
  AccessKind kind = AccessKind::kRead;
  std::vector<std::pair<std::string, std::string>> keys = {};
  bool named_lock = false;
};

class Client {
 public:
  Client(Analyzer* analyzer, uint64_t id) : session_(analyzer, id) {}

  Isolation isolation = Isolation::kRepeatableRead;
  bool autocommit = true;
  bool under_lock_tables = false;
  bool xa = false;

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
    session_.OnStatementEnd(e);
  }

 private:
  Session session_;
  bool in_txn_ = false;
};

}  // namespace lockdiag::testing

#endif  // LOCKDIAG_TESTS_UNIT_TEST_CLIENT_H_
