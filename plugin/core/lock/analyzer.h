// analyzer.h: the shared aggregates every connection publishes into, the
// detectors that run on them, and the snapshots the INFORMATION_SCHEMA tables
// are filled from.
//
//   Analyzer analyzer(&config);
//   Session session(&analyzer, thread_id);       // one per connection
//   ... session.OnTableAccess(...), session.OnStatementEnd(...) ...
//   for (const PatternRow& p : analyzer.SnapshotPatterns()) ...
//
// Thread-safety: every public method is thread-safe and never throws except
// std::bad_alloc.
// Structure and locking rules (each store documents its own in its header):
//   * TableStatsStore (table_stats.h), LockOrderGraph (lock_order.h),
//     ReadWritePairs (read_write_pairs.h) and DigestTexts (digest_texts.h) are
//     sharded by table / table pair / digest; Publish() takes one shard lock
//     at a time and never two at once.
//   * PatternStore (patterns.h) and IncidentLog (incidents.h) each have one
//     Mutex, taken only when a detector finds something new, on a
//     lock-related error, and by snapshots; never per statement, and never per
//     transaction in the steady state. No lockdiag lock is held while another
//     is taken, so there is no lock order to respect.
//   * A Session's per-table increments and event counters wait in its
//     ConnectionBatch (connection_batch.h) and are folded in by FlushBatch:
//     at most once a second per busy connection, not per statement. Readers
//     (snapshots, Status, SaveState) fold every batch in first, so what
//     they show is exact. The folds are the one place where lockdiag locks
//     nest, always in this order: fold_mu_, the batch list (batches_mu_), a
//     batch's own mutex; and fold_mu_, then the stores' locks (folding in).
//   * Counters are ShardedCounter / std::atomic: no lock.
//   * Snapshots copy one shard (or one store) at a time: writers wait at most
//     for one copy, and a snapshot is consistent per entry, not globally.
//   * Reset() clears the stores one after another; a transaction published
//     during a reset may land in stores already cleared (it is new data).
#ifndef LOCKDIAG_CORE_LOCK_ANALYZER_H_
#define LOCKDIAG_CORE_LOCK_ANALYZER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/lock/config.h"
#include "core/lock/connection_batch.h"
#include "core/lock/digest_texts.h"
#include "core/lock/incidents.h"
#include "core/lock/lock_errors.h"
#include "core/lock/lock_holds.h"
#include "core/lock/lock_order.h"
#include "core/lock/lock_order_groups.h"
#include "core/lock/patterns.h"
#include "core/lock/read_write_pairs.h"
#include "core/common/sharded_counter.h"
#include "core/lock/table_stats.h"
#include "core/lock/transaction_record.h"
#include "core/lock/txn_analysis.h"

namespace lockdiag {

// One row of INFORMATION_SCHEMA.LOCKDIAG_LOCK_ORDER: transactions locked
// first, then second.
struct LockOrderRow {
  std::string first_schema;
  std::string first_table;
  std::string second_schema;
  std::string second_table;
  uint64_t transactions = 0;          // locked first, then second
  uint64_t reverse_transactions = 0;  // locked second, then first
  std::string sample_digest;          // a statement that locked second (normalised text)
  Timestamp last_seen = 0;
};

// One row of INFORMATION_SCHEMA.LOCKDIAG_PATTERNS.
struct PatternRow {
  uint64_t id = 0;              // stable: assigned when first detected
  std::string pattern;          // PatternName(): "LOCK_ORDER_INVERSION", ...
  std::string severity;         // "HIGH", "MEDIUM", "LOW" (see patterns.h)
  std::string objects;          // "schema.table" comma-separated, canonical order
  uint64_t occurrences = 0;     // transactions that showed it (docs/patterns.md)
  uint64_t related_errors = 0;  // lock errors (incidents) linked to it
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  std::string evidence;  // digests of the statements on each side
  std::string advice;    // one actionable sentence
};

// Values of the Lockdiag_* status variables.
struct AnalyzerStatus {
  uint64_t statements = 0;
  uint64_t table_lock_events = 0;
  uint64_t transactions = 0;
  uint64_t tracked_tables = 0;
  uint64_t patterns = 0;
  // The rows of `patterns` by their SEVERITY column, for alerting
  // (Lockdiag_findings_high, ...): they sum to `patterns`.
  uint64_t findings_high = 0;
  uint64_t findings_medium = 0;
  uint64_t findings_low = 0;
  // Lock errors recorded since start or reset (RecordIncident), kept in
  // LOCKDIAG_INCIDENTS or not (lockdiag_history_size bounds only the rows).
  uint64_t deadlocks = 0;
  uint64_t lock_wait_timeouts = 0;
  uint64_t duplicate_keys = 0;
  // Galera: 1213s that were cluster conflicts (lock_errors.h), not deadlocks.
  uint64_t cluster_conflicts = 0;
  uint64_t memory_bytes = 0;
  uint64_t dropped_events = 0;
};

// AnalyzerListener is told of each new finding and each new incident (the
// audit trail listens). It is called on the thread that found it, with no
// lockdiag lock held, and must not block (queue and return).
class AnalyzerListener {
 public:
  virtual ~AnalyzerListener() = default;
  virtual void OnNewFinding(const PatternRow& row) = 0;
  virtual void OnIncident(const IncidentRow& row) = 0;
};

class Analyzer {
 public:
  // Bounds of the stores, per lockdiag_max_tables table.
  static constexpr uint64_t kLockOrderPairsPerTable = 8;
  static constexpr uint64_t kReadWritePairsPerTable = 8;
  static constexpr uint64_t kDigestTextsPerTable = 4;
  static constexpr uint64_t kPatternsPerTable = 2;
  // Longest EVIDENCE text, and longest statement text quoted in it.
  static constexpr size_t kMaxEvidence = 2048;
  static constexpr size_t kMaxEvidenceStatement = 320;

  // REQUIRES: config outlives the Analyzer.
  explicit Analyzer(const Config* config);
  Analyzer(const Analyzer&) = delete;
  Analyzer& operator=(const Analyzer&) = delete;

  const Config& config() const { return *config_; }

  // Publish folds one finished transaction into the aggregates and runs the
  // detectors where an aggregate changed class. `scratch` (optional) is
  // reused working memory, so that the steady state does not allocate;
  // `recent` (optional) is the connection's window of earlier reads, for
  // races without a transaction (UNSCOPED_READ_MODIFY_WRITE).
  // `batch` (optional) is the connection's ConnectionBatch: the per-table
  // increments then wait there (see connection_batch.h).
  void Publish(const TransactionRecord& txn, uint64_t connection_id, TxnFacts* scratch = nullptr,
               const RecentReads* recent = nullptr, ConnectionBatch* batch = nullptr);

  // Attach registers a connection's batch (its Session's constructor);
  // Detach folds what it holds in and forgets it (the destructor).
  // REQUIRES: Detach before the batch is destroyed.
  void Attach(ConnectionBatch* batch) EXCLUDES(batches_mu_);
  void Detach(ConnectionBatch* batch) EXCLUDES(fold_mu_, batches_mu_);
  // FlushBatches folds every connection's batch in (the housekeeping
  // thread, once a second; every reader does it first).
  void FlushBatches() EXCLUDES(fold_mu_, batches_mu_);
  // BatchCount: connections attached (Lockdiag_memory_bytes counts their batches).
  uint64_t BatchCount() const EXCLUDES(batches_mu_);

  // RecordIncident adds a lock-related error to LOCKDIAG_INCIDENTS (linking
  // it to a pattern right away when one already explains it). Returns its
  // INCIDENT_ID, 0 when the history keeps none.
  uint64_t RecordIncident(Incident incident);
  // kSlowLockWaitMicros: a statement that waited this long for its locks
  // is recorded (RecordLockWait), for BACKUP_BLOCKS_WRITERS and
  // LOCK_HELD_IDLE.
  static constexpr uint64_t kSlowLockWaitMicros = 100 * 1000;
  // RecordLockWait: a statement waited long for its locks, or timed out
  // (then `wait.incident` is its incident, linked to the holder's finding
  // whose span it falls into).
  void RecordLockWait(LockHoldWatch::Wait wait);
  // ReportConnectionLimit: a connection attempt was refused with `code`
  // by the server variable `limit` (CONNECTION_LIMIT_REACHED); `detail` is
  // what the adapter knows of the moment (the limit's value, the peak, who).
  void ReportConnectionLimit(std::string_view limit, uint32_t code, std::string detail, Timestamp now);
  // SetRetried records the RETRIED column of incidents (Session knows it when
  // the connection's next transaction ends).
  void SetRetried(const std::vector<uint64_t>& incidents, bool retried) {
    incidents_.SetRetried(incidents, retried);
  }

  // Hot-path counters, bumped by Sessions (hint: the connection id).
  void CountStatement(uint64_t hint) { statements_.Add(1, hint); }
  void CountTableLockEvent(uint64_t hint) { table_lock_events_.Add(1, hint); }
  void CountDropped(uint64_t n, uint64_t hint) { dropped_.Add(n, hint); }

  // Snapshots for the INFORMATION_SCHEMA tables; times are µs since the
  // epoch, UTC. Rows come in no particular order except patterns and
  // incidents, which come by id. SnapshotPatterns() and SnapshotIncidents()
  // are not pure reads: they first link the incidents still unlinked to the
  // patterns found since (ResolveIncidentLinks), so that PATTERN_ID and
  // RELATED_ERRORS agree in what a query shows.
  std::vector<TableRow> SnapshotTables();
  std::vector<LockOrderRow> SnapshotLockOrder() const;
  std::vector<PatternRow> SnapshotPatterns();
  std::vector<IncidentRow> SnapshotIncidents();
  AnalyzerStatus Status();
  // dropped_events: Status().dropped_events without the pattern walk, for a
  // caller that polls (the error log's drop note).
  uint64_t dropped_events() const { return dropped_.Sum(); }

  // Reset forgets everything recorded (lockdiag_reset).
  void Reset() EXCLUDES(fold_mu_, batches_mu_);

  // SaveState appends the aggregates, digest texts, patterns and incidents
  // to `out` (the state file, docs/audit.md), each store one shard or one
  // lock at a time, so writers wait for a slice at most. Not saved: the
  // status counters (they count since the plugin started, as the server's
  // own do) and the spans LockHoldWatch keeps for victims still to come.
  // The next ids saved are `id_reserve` past the current ones (see
  // SaveKind in core/audit/state_file.h).
  void SaveState(StateEncoder* out, uint64_t id_reserve);
  // LoadState adds what SaveState wrote, within the current bounds (what
  // does not fit is counted in *dropped and in Lockdiag_dropped_events).
  // False when `in` is corrupt: then everything is reset, so that a bad file
  // leaves the analyzer empty rather than half loaded.
  [[nodiscard]] bool LoadState(StateDecoder* in, uint64_t* dropped);

  // SetListener installs (or with nullptr removes) the listener. REQUIRES:
  // it outlives every call that may still be running into it.
  void SetListener(AnalyzerListener* listener) { listener_.store(listener, std::memory_order_release); }

  // generation() changes at each Reset(): Sessions then re-send digest texts.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  // FoldDeltas applies `n` table increments and reports what the table
  // detectors find.
  void FoldDeltas(std::vector<TableDelta>* deltas, size_t n, uint64_t connection_id) REQUIRES(fold_mu_);
  // BatchTable adds one transaction's update of a table to `batch`, folding
  // the batch in when it is old or has no room for the table.
  void BatchTable(ConnectionBatch* batch, const TableUpdate& u, Timestamp now, uint64_t connection_id)
      EXCLUDES(fold_mu_);
  // FoldOwnBatch folds the owner's batch in (its thread only).
  void FoldOwnBatch(ConnectionBatch* batch, uint64_t connection_id) EXCLUDES(fold_mu_);
  // NewDelta starts the increments of `t` in the next free slot.
  static TableDelta* NewDelta(ConnectionBatch* batch, const TxnTable& t, Timestamp now) REQUIRES(batch->mu_);
  // TakeDeltas appends a batch's increments to `out` and empties it.
  static void TakeDeltas(ConnectionBatch* batch, std::vector<TableDelta>* out) EXCLUDES(batch->mu_);
  void ReportPatterns(const std::vector<PatternCandidate>& found, Timestamp now, uint64_t hint);
  // LinkProvenIncidents links each incident of `txn` whose error proved a
  // read/write pair (TxnFacts) to that pair's finding.
  void LinkProvenIncidents(const TransactionRecord& txn, const TxnFacts& facts);
  // DetectIgnoredLockErrors appends IGNORED_LOCK_ERROR candidates: a
  // transaction committed after a lock wait timeout it survived, or writes
  // that went on after a deadlock as if its transaction were still open.
  // ReportBackup reports BACKUP_BLOCKS_WRITERS for a backup session's
  // transaction that held read locks on transactional tables.
  void ReportBackup(const TransactionRecord& txn, uint64_t connection_id, Timestamp now);
  // ReportIdleHolds reports LOCK_HELD_IDLE for each time the transaction
  // sat idle holding locks (shown once another connection waited for them).
  void ReportIdleHolds(const TransactionRecord& txn, uint64_t connection_id, Timestamp now);
  // ReportHold records a holder's span and its finding `c` (`at_once`: now,
  // else when its first victim shows): counts the waits already recorded in
  // it and links their timeouts.
  void ReportHold(const PatternCandidate& c, Timestamp start, Timestamp end, uint64_t connection_id,
                  Timestamp now, bool at_once);
  // ReportObserved reports an observed pattern; 0 (counted as dropped) when
  // the store is full.
  uint64_t ReportObserved(const PatternCandidate& c, Timestamp now, uint64_t connection_id);
  // LinkWatched links timeouts that fell into a holder's span to its finding.
  void LinkWatched(const std::vector<uint64_t>& incidents, uint64_t pattern);
  static void DetectIgnoredLockErrors(const TransactionRecord& txn, std::vector<PatternCandidate>* found);
  // DetectClusterConflicts appends a MULTI_NODE_WRITE_CONFLICT candidate
  // per table a cluster conflict of `txn` hit: the row locks it lost were
  // wanted by a write on another node, so the table is written on several.
  static void DetectClusterConflicts(const TransactionRecord& txn, std::vector<PatternCandidate>* found);
  // ResolveIncidentLinks links unlinked incidents to patterns found since
  // they were last tried.
  void ResolveIncidentLinks();
  // BuildPatternRow fills `row` and returns whether the pattern still holds
  // on the current aggregates (read-modify-write findings can stop holding;
  // see ReadWritePairs::CurrentTableRmw). Rows that do not hold are not shown.
  bool BuildPatternRow(const PatternInfo& info, PatternRow* row) const;
  // PatternHolds: the same verdict without building the row's texts.
  bool PatternHolds(const PatternCandidate& what) const;
  // EvaluatePattern: the one walk behind both; fills counts, LAST_SEEN and
  // EVIDENCE of `row` when it is not null.
  bool EvaluatePattern(const PatternCandidate& what, PatternRow* row) const;
  // ObservedPatternRow fills the row of an IsObservedPattern type from the
  // counts the PatternStore keeps for it.
  void ObservedPatternRow(const PatternInfo& info, PatternRow* row) const;
  std::string Statement(uint64_t digest) const;

  // Lock-order findings are shown one row per group of tables that can
  // deadlock by ordering (lock_order_groups.h): the group's oldest pattern
  // stands for it, with the recommended order, and the group's other
  // inversions and cycles are folded into it.
  struct LockOrderFold {
    std::vector<LockOrderGroup> groups;
    std::unordered_map<uint64_t, uint64_t> representative;  // lock-order pattern id -> its group's row id
    std::unordered_map<uint64_t, size_t> group_of;          // row id -> index into groups
  };
  LockOrderFold FoldLockOrders(const std::vector<PatternInfo>& infos) const;
  // BuildLockOrderGroupRow fills the row of a group's representative.
  void BuildLockOrderGroupRow(const PatternInfo& info, const LockOrderGroup& group, PatternRow* row) const;

  const Config* const config_;
  TableStatsStore tables_;
  LockOrderGraph lock_order_;
  ReadWritePairs read_writes_;
  DigestTexts digests_;
  PatternStore patterns_;
  IncidentLog incidents_;
  LockHoldWatch holds_;
  ShardedCounter statements_;
  ShardedCounter table_lock_events_;
  ShardedCounter transactions_;
  ShardedCounter dropped_;
  // Per error code family, bumped once per lock error: a rare event, so one
  // atomic each rather than a ShardedCounter.
  std::atomic<uint64_t> deadlocks_{0};
  std::atomic<uint64_t> lock_wait_timeouts_{0};
  std::atomic<uint64_t> duplicate_keys_{0};
  std::atomic<uint64_t> cluster_conflicts_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<AnalyzerListener*> listener_{nullptr};
  // fold_mu_ is held while batches are folded into the stores, and by
  // Reset(): a reader whose FlushBatches() returns has seen every fold
  // that started before it. Lock order: fold_mu_, then batches_mu_, then a
  // batch's own mutex; store locks are taken under fold_mu_ only.
  Mutex fold_mu_;
  // The attached batches (a list through ConnectionBatch::prev_/next_), and
  // what their counters held at the last Reset() (Status() subtracts it).
  mutable Mutex batches_mu_;
  ConnectionBatch* batches_ GUARDED_BY(batches_mu_) = nullptr;
  uint64_t batches_attached_ GUARDED_BY(batches_mu_) = 0;
  uint64_t reset_statements_ GUARDED_BY(batches_mu_) = 0;
  uint64_t reset_table_lock_events_ GUARDED_BY(batches_mu_) = 0;
  uint64_t reset_transactions_ GUARDED_BY(batches_mu_) = 0;

  // NotifyNewFinding tells the listener (if any) of pattern `id`'s row.
  void NotifyNewFinding(uint64_t id);
  // CountLockError bumps the counter of `code`'s family, if it has one.
  void CountLockError(uint32_t code);
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_ANALYZER_H_
