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
//   // Whenever another consumer (the encoding checker) needs the running
//   // statement's normalised text, at any event of the statement:
//   std::string_view text = s.StatementText(query_id, "INSERT INTO t VALUES ('x')");
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
// statement that raised them, with the transaction's accesses so far. The
// statements of a stored procedure end (and report their errors) one by one,
// and then the CALL ends with the error that stopped the procedure: that
// error is counted once.
//
// A statement is digested (DigestStatement) at most once: at its end, unless
// StatementText already did it, and not at all when the connection's cache
// of recent raw texts knows its digest and nothing needs the text.
//
// Thread-safety: a Session is used by one thread at a time (its
// connection's). Methods never throw except std::bad_alloc.
#ifndef LOCKDIAG_CORE_LOCK_SESSION_H_
#define LOCKDIAG_CORE_LOCK_SESSION_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/lock/access_kind.h"
#include "core/lock/config.h"
#include "core/lock/connection_batch.h"
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
  // Writes: how the statement computes what it writes (access_kind.h); only
  // plain writes and INSERTs can complete a read-modify-write.
  WriteForm form = WriteForm::kPlain;
  bool transactional = false;  // the table's engine has transactions (InnoDB, not MyISAM)
  // The transaction's isolation level while the statement runs
  // (thd->tx_isolation). At the statement's end a one-shot SET TRANSACTION
  // ISOLATION LEVEL is already reset for an autocommit statement, so the
  // level of a transaction is taken from its first access when known.
  Isolation isolation = Isolation::kRepeatableRead;
  bool isolation_known = false;
};

// Statements that begin or end a transaction explicitly.
enum class TxnControl : uint8_t { kNone, kBegin, kCommit, kRollback };

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
  // A statement of a stored procedure (thd->spcont != nullptr). The CALL's
  // own end that follows repeats its error_code: it is not counted again.
  bool in_stored_procedure = false;
  TxnControl control = TxnControl::kNone;  // BEGIN, COMMIT, ROLLBACK (and XA forms)
  // The statement returned no row (its locking reads of a missing key took
  // gap locks: GAP_LOCK_INSERT), or it returned rows (its reads were no
  // "is it there?" check for a later INSERT). Neither set: not known.
  bool found_nothing = false;
  bool found_rows = false;
  // The statement is one a backup tool runs (mariadb-dump, FLUSH TABLES WITH
  // READ LOCK, BACKUP STAGE): the connection is a backup session from now on.
  bool backup_statement = false;
  // Microseconds the statement waited for its metadata and table locks
  // (what LOCK TABLES ... READ makes writers wait for). InnoDB's row lock
  // waits are not in it (the server's Lock_time leaves them out too, as
  // observed on 10.11): a long locking statement stands for those.
  uint64_t lock_wait_micros = 0;
  // When the statement started (µs since the epoch, UTC; 0: not known, e.g.
  // under SET TIMESTAMP). The time since the previous statement's end is
  // the time the application spent elsewhere (LOCK_HELD_IDLE).
  Timestamp start_time = 0;
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
  static constexpr size_t kMaxIdleHoldsPerTxn = 4;
  // Texts of new digests a transaction carries to the Analyzer; the others
  // are sent with a later transaction (they are not marked as sent).
  static constexpr size_t kMaxNewDigestsPerTxn = 64;
  // kIdleHoldMicros: a transaction that holds row locks and sends nothing
  // for this long is idle (LOCK_HELD_IDLE; docs/patterns.md says why 1 s).
  static constexpr Timestamp kIdleHoldMicros = 1000 * 1000;
  // Longest USER/HOST, STATEMENT_DIGEST and TRANSACTION_HISTORY kept per incident.
  static constexpr size_t kMaxIdentity = 128;
  static constexpr size_t kMaxIncidentStatement = 512;
  static constexpr size_t kMaxIncidentHistory = 512;

  // REQUIRES: analyzer outlives the Session.
  // The destructor folds what the connection's batch still holds into the
  // Analyzer (connection_batch.h).
  Session(Analyzer* analyzer, uint64_t connection_id);
  ~Session();
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
  // StatementHasLockError: OnError recorded an error for the statement
  // running now (the server can raise one error several times on its way
  // out; the adapter records it once).
  bool StatementHasLockError() const { return txn_.errors.size() > statement_first_error_; }
  void OnStatementEnd(const StatementEnd& end);
  // StatementText: the normalised text (DigestStatement) of the running
  // statement, whose text as received is `raw`. `statement_id` tells one
  // statement from the next (the adapter passes the server's query id):
  // later calls with the same id return the same text without reading
  // `raw`, until OnStatementEnd. The statement is digested at most once: its
  // OnStatementEnd, given the same text, reuses the result. The view is
  // valid until the next StatementText or OnStatementEnd.
  std::string_view StatementText(uint64_t statement_id, std::string_view raw);
  // OnDisconnect: the connection closed; an open transaction was rolled back.
  void OnDisconnect();

  uint64_t connection_id() const { return connection_id_; }
  // HeapBytes: the heap this Session takes, itself included (it is
  // allocated on its own), buffers' capacity included. Published into
  // Lockdiag_memory_bytes whenever a buffer grew (see UpdateHeapBytes).
  size_t HeapBytes() const;
  const TransactionRecord& current() const { return txn_; }

  // TEST_DiscardTransaction drops the open transaction without publishing it
  // (benchmarks isolate the per-event cost with it).
  void TEST_DiscardTransaction();

 private:
  bool Ignored(std::string_view schema);
  uint32_t ErrorToCount(const StatementEnd& end);
  uint64_t Normalize(std::string_view raw, uint64_t raw_hash);
  int FindOrAddTable(std::string_view schema, std::string_view table);
  void RecordIncidents(uint64_t digest);
  // NoteIdleHold records the time from the previous statement's end to
  // `until` as an IdleHold when it is long and the transaction holds locks;
  // `after_text` is the statement that ends it (empty: the disconnect).
  void NoteIdleHold(Timestamp until, std::string_view after_text);
  // RecordLockWait tells the Analyzer that the statement ending now waited
  // long for its locks or timed out (LockHoldWatch).
  void RecordLockWait(const StatementEnd& end, Timestamp now);
  // PublishDigestText hands `digest`'s normalised text (in digest_text_) to
  // the Analyzer with the transaction, once per connection and generation;
  // false when the transaction already carries kMaxNewDigestsPerTxn texts
  // (it is sent with a later one).
  bool PublishDigestText(uint64_t digest);
  // FollowUp: what the transaction being published tells about the one
  // before it (RETRIED, a deadlock's aftermath), and what it leaves for the
  // next.
  void FollowUpBeforePublish();
  void FollowUpAfterPublish();
  // StartsLikeRetry: the open transaction's first statement is the one
  // remembered in retry_first_digest_ / retry_first_keys_.
  bool StartsLikeRetry() const;
  std::string History() const;
  void Publish();
  // UpdateHeapBytes republishes HeapBytes() when the buffers' capacity may
  // have changed (a cheap check of the big ones, every transaction).
  void UpdateHeapBytes();

  Analyzer* const analyzer_;
  const uint64_t connection_id_;
  // This connection's increments on their way to the Analyzer, and its event
  // counters (connection_batch.h).
  ConnectionBatch batch_;
  std::string user_;
  std::string host_;
  TransactionRecord txn_;
  TxnFacts facts_;  // Publish()'s working memory, reused
  // DigestStatement()'s output, reused: the normalised text of the raw text
  // whose HashWords() and length are in text_of_ (its digest too).
  std::string digest_text_;
  struct NormalizedText {
    uint64_t raw_hash = 0;
    size_t length = 0;
    uint64_t digest = 0;  // 0: digest_text_ holds nothing yet
  };
  NormalizedText text_of_;
  // The statement StatementText() last answered for, until its end.
  uint64_t text_statement_id_ = 0;
  bool text_statement_known_ = false;
  // The error code the last statement of a stored procedure ended with,
  // pending until the next statement outside one (the CALL).
  uint32_t routine_error_ = 0;
  bool routine_error_pending_ = false;
  uint32_t statement_first_access_ = 0;  // first access of the running statement
  uint32_t statement_first_error_ = 0;   // first error of the running statement
  bool isolation_from_access_ = false;   // txn_.isolation came from its first access
  // When the last statement of the open transaction ended (LOCK_HELD_IDLE).
  Timestamp last_end_ = 0;
  // The connection's statements, numbered from 0 (the unscoped window).
  uint64_t statement_number_ = 0;
  // The keyed reads of the last transactions (UNSCOPED_READ_MODIFY_WRITE).
  RecentReads recent_;
  // RETRIED: the incidents of the last published transaction, waiting for
  // the next one, and that transaction's first statement.
  std::vector<uint64_t> retry_incidents_;
  uint64_t retry_first_digest_ = 0;
  // The key hashes of that first statement: a retry addresses the same rows,
  // where the next turn of a loop runs the same statement on other keys.
  std::vector<uint64_t> retry_first_keys_;
  // The deadlock that ended the last transaction, until the application
  // controls the transaction (BEGIN, COMMIT, ROLLBACK) or the next
  // transaction is published with it.
  DeadlockAftermath aftermath_;
  bool backup_session_ = false;  // a backup tool's connection
  // Digests this connection already published the text of, for Analyzer
  // generation known_generation_: direct-mapped by the digest's low bits
  // (8 KiB). A digest that lost its slot is published again, which the
  // shared DigestTexts takes as a no-op; before, an unbounded-looking set of
  // up to 4,096 digests took about 200 KB per connection and, once full,
  // never published a new text again.
  static constexpr size_t kKnownDigestSlots = 1024;
  std::array<uint64_t, kKnownDigestSlots> known_digests_{};
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
  // What UpdateHeapBytes() last saw of the growing buffers.
  size_t heap_shape_ = 0;
  uint32_t heap_checks_ = 0;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_SESSION_H_
