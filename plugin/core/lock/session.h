// session.h: one connection's view of its own transaction.
//
// The adapter owns one Session per connection (hung off the THD) and feeds it
// the connection's events in order. The Session keeps the open transaction in
// memory only this connection touches and hands it to the shared Analyzer
// once, when the transaction ends: nothing shared is written per table access
// (besides a per-connection slot of the event counters).
//
// The adapter's calls, in the order the server's events come:
//
//   Session s(&analyzer, thread_id);          // at the connection's first event
//   s.SetIdentity(user, host);                // then again after COM_CHANGE_USER
//   // For each table a statement locks (MYSQL_AUDIT_TABLE_LOCK), and for each
//   // table of a statement run under LOCK TABLES (read from the LEX at STATUS
//   // time, before OnStatementEnd):
//   s.OnTableAccess({"shop", "orders", AccessKind::kReadExclusive, keys, 1, false});
//   // For each lock-related error the statement raised (GENERAL_ERROR), if
//   // the adapter knows it before the statement's end (optional: the
//   // error_code of StatementEnd is enough):
//   s.OnError(1062, "shop", "orders");
//   // At the statement's end (GENERAL_STATUS), with the THD's state *after*
//   // the statement:
//   s.OnStatementEnd({.text = "SELECT ... FOR UPDATE", .transaction_open = true, ...});
//   // At disconnect (an open transaction was rolled back by the server):
//   s.OnDisconnect();
//
// A transaction ends, and is published, at the first OnStatementEnd with
// `transaction_open` and `under_lock_tables` both false (COMMIT, ROLLBACK, an
// autocommit statement, an implicit commit, XA COMMIT/ROLLBACK, UNLOCK
// TABLES), at a statement that failed with ER_LOCK_DEADLOCK (the server rolled
// the whole transaction back), and at OnDisconnect. A LOCK TABLES ... UNLOCK
// TABLES span is published as one transaction even with autocommit on, so
// that reads and writes under one LOCK TABLES are correlated.
//
// Lock-related errors become incidents (LOCKDIAG_INCIDENTS) at the end of the
// statement that raised them, with the transaction's accesses so far.
//
// Thread-safety: a Session is used by one thread at a time (its
// connection's). Methods never throw except std::bad_alloc.
#ifndef LOCKDIAG_CORE_LOCK_SESSION_H_
#define LOCKDIAG_CORE_LOCK_SESSION_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/lock/access_kind.h"
#include "core/lock/config.h"
#include "core/lock/transaction_record.h"
#include "core/lock/txn_analysis.h"

namespace lockdiag {

class Analyzer;

// A table access as the adapter reports it.
struct AccessEvent {
  std::string_view schema;
  std::string_view table;
  AccessKind kind = AccessKind::kRead;
  // KeyHash (key_hash.h) of each (column, value) the access used: for reads
  // the equality predicates (`col = const`, `col IN (...)`), for writes an
  // INSERT's unique-key values or an UPDATE/DELETE's equality predicates.
  // Copied; the array need only live for the call. At most
  // Session::kMaxKeysPerAccess are kept.
  const uint64_t* keys = nullptr;
  uint32_t key_count = 0;
  bool under_named_lock = false;  // a GET_LOCK() lock was held
};

// The end of one statement, as the adapter reports it. The state fields
// describe the connection after the statement ran.
struct StatementEnd {
  std::string_view text;                             // statement text as received (digested here)
  uint32_t error_code = 0;                           // 0 on success
  bool transaction_open = false;                     // thd->in_active_multi_stmt_transaction()
  TxnOutcome outcome = TxnOutcome::kCommit;          // how it ended, when it ended here
  Isolation isolation = Isolation::kRepeatableRead;  // thd->tx_isolation
  bool xa = false;                                   // part of an XA transaction (XA START ... XA COMMIT)
  bool autocommit = true;                            // !(option_bits & OPTION_NOT_AUTOCOMMIT)
  bool under_lock_tables = false;                    // thd->locked_tables_mode != LTM_NONE
};

class Session {
 public:
  // Caps on what one transaction keeps; past them the transaction is marked
  // truncated and the excess counted in Lockdiag_dropped_events.
  static constexpr size_t kMaxTablesPerTxn = 64;
  static constexpr size_t kMaxAccessesPerTxn = 1024;
  static constexpr size_t kMaxKeysPerTxn = 4096;
  static constexpr size_t kMaxKeysPerAccess = 64;
  static constexpr size_t kMaxErrorsPerTxn = 64;
  // Longest USER/HOST, STATEMENT_DIGEST and TRANSACTION_HISTORY kept per incident.
  static constexpr size_t kMaxIdentity = 128;
  static constexpr size_t kMaxIncidentStatement = 512;
  static constexpr size_t kMaxIncidentHistory = 512;

  // REQUIRES: analyzer outlives the Session.
  Session(Analyzer* analyzer, uint64_t connection_id);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // SetIdentity: the account incidents name (USER, HOST).
  void SetIdentity(std::string_view user, std::string_view host);
  void OnTableAccess(const AccessEvent& access);
  // OnError: a lock-related error raised while the statement ran (before its
  // end); other codes are ignored. `schema`/`table` may be empty when the
  // server did not say: the statement's last written (else last accessed)
  // table is blamed.
  void OnError(uint32_t code, std::string_view schema, std::string_view table);
  void OnStatementEnd(const StatementEnd& end);
  // OnDisconnect: the connection closed; an open transaction was rolled back.
  void OnDisconnect();

  uint64_t connection_id() const { return connection_id_; }
  const TransactionRecord& current() const { return txn_; }

  // TEST_DiscardTransaction drops the open transaction without publishing it
  // (benchmarks isolate the per-event cost with it).
  void TEST_DiscardTransaction();

 private:
  bool Ignored(std::string_view schema);
  int FindOrAddTable(std::string_view schema, std::string_view table);
  void RecordIncidents(uint64_t digest);
  std::string History() const;
  void Publish();

  Analyzer* const analyzer_;
  const uint64_t connection_id_;
  std::string user_;
  std::string host_;
  TransactionRecord txn_;
  TxnFacts facts_;                       // Publish()'s working memory, reused
  std::string digest_text_;              // DigestStatement()'s output, reused
  uint32_t statement_first_access_ = 0;  // first access of the running statement
  uint32_t statement_first_error_ = 0;   // first error of the running statement
  // Digests this connection already published the text of (bounded), valid
  // for Analyzer generation known_generation_.
  std::unordered_set<uint64_t> known_digests_;
  uint64_t known_generation_ = 0;
  // Recently seen statement texts -> their digest, so that a statement the
  // connection runs again (a prepared statement's EXECUTE, a loop in the
  // application) costs a hash of its raw text instead of a normalisation.
  // Direct-mapped; `published` says the digest's text was already handed to
  // the Analyzer in generation `generation`.
  struct RawDigest {
    uint64_t raw_hash = 0;
    uint64_t digest = 0;
    uint64_t generation = 0;
    uint32_t length = 0;
    bool published = false;
  };
  static constexpr size_t kRawDigestCache = 16;
  RawDigest raw_digests_[kRawDigestCache];
  // Cached ignore list; refreshed when Config::ignore_version() moves.
  std::shared_ptr<const Config::SchemaList> ignore_;
  uint64_t ignore_version_ = ~uint64_t{0};
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_SESSION_H_
