// session.h: one connection's view of its own transaction.
//
// The adapter owns one Session per connection (hung off the THD) and feeds it
// the connection's events in order. The Session keeps the open transaction in
// memory only this connection touches and hands it to the shared Analyzer
// once, when the transaction ends: nothing shared is written per table access.
//
//   Session s(&analyzer, /*connection_id=*/42);
//   s.OnTableAccess({"shop", "orders", AccessKind::kReadExclusive, keys, 1, false});
//   s.OnStatementEnd({.text = "SELECT ... FOR UPDATE", .transaction_open = true});
//   ...
//   s.OnStatementEnd({.text = "COMMIT"});        // publishes the transaction
//
// Thread-safety: a Session is used by one thread at a time (its connection's).
#ifndef LOCKDIAG_CORE_SESSION_H_
#define LOCKDIAG_CORE_SESSION_H_

#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_set>

#include "access_kind.h"
#include "config.h"
#include "transaction_record.h"

namespace lockdiag {

class Analyzer;

// A table access as the adapter reports it.
struct AccessEvent {
  std::string_view schema;
  std::string_view table;
  AccessKind kind = AccessKind::kRead;
  const uint64_t* keys = nullptr;  // (column, value) hashes; see key_hash.h
  uint32_t key_count = 0;
  bool under_named_lock = false;
};

// The end of one statement, as the adapter reports it.
struct StatementEnd {
  std::string_view text;                     // statement text as received (digested here)
  uint32_t error_code = 0;                   // 0 on success
  bool transaction_open = false;             // a multi-statement transaction is open after it
  TxnOutcome outcome = TxnOutcome::kCommit;  // how it ended, when it ended here
  Isolation isolation = Isolation::kRepeatableRead;
  bool xa = false;
};

class Session {
 public:
  // Caps on what one transaction keeps; past them the transaction is marked
  // truncated and the excess counted in Lockdiag_dropped_events.
  static constexpr size_t kMaxTablesPerTxn = 64;
  static constexpr size_t kMaxAccessesPerTxn = 1024;
  static constexpr size_t kMaxKeysPerTxn = 4096;
  static constexpr size_t kMaxKeysPerAccess = 64;

  // REQUIRES: analyzer outlives the Session.
  Session(Analyzer* analyzer, uint64_t connection_id);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void OnTableAccess(const AccessEvent& access);
  // OnError: a lock-related error raised while the statement ran (before its
  // end). `schema`/`table` may be empty when the server did not say.
  void OnError(uint32_t code, std::string_view schema, std::string_view table);
  void OnStatementEnd(const StatementEnd& end);
  // OnDisconnect: the connection closed; an open transaction was rolled back.
  void OnDisconnect();

  uint64_t connection_id() const { return connection_id_; }
  const TransactionRecord& current() const { return txn_; }

 private:
  bool Ignored(std::string_view schema);
  int FindOrAddTable(std::string_view schema, std::string_view table);
  void Publish();

  Analyzer* const analyzer_;
  const uint64_t connection_id_;
  TransactionRecord txn_;
  uint32_t statement_first_access_ = 0;  // first access of the running statement
  bool statement_had_error_ = false;
  // Digests this connection already published the text of (bounded).
  std::unordered_set<uint64_t> known_digests_;
  // Cached ignore list; refreshed when Config::ignore_version() moves.
  std::shared_ptr<const Config::SchemaList> ignore_;
  uint64_t ignore_version_ = ~uint64_t{0};
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_SESSION_H_
