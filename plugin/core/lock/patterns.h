// patterns.h: the findings lockdiag reports in LOCKDIAG_PATTERNS: their
// names, severities and advice, the detector rules (pure functions of
// aggregate counts), and the store that gives each finding its stable id.
//
// Detectors run where an aggregate entry changes class (a lock-order edge
// appears, a read/write pair becomes read-modify-write, a table gains a second
// isolation level...), never per statement; what they find is handed to the
// PatternStore as a PatternCandidate. A pattern, once found, stays until
// Reset. Its OCCURRENCES and LAST_SEEN are not stored here: they are read from
// the aggregates it was found in when a snapshot is taken (see analyzer.h), so
// publishing a transaction never touches the store.
#ifndef LOCKDIAG_CORE_LOCK_PATTERNS_H_
#define LOCKDIAG_CORE_LOCK_PATTERNS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/common/entry_budget.h"
#include "core/common/state_codec.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

enum class PatternType : uint8_t {
  kLockOrderInversion,       // A then B in some transactions, B then A in others
  kLockOrderCycle,           // A then B, B then C, ..., then A (three tables or more)
  kUnlockedReadModifyWrite,  // plain read, then a write of the same rows, in one transaction
  kMixedLockingReads,        // same table: some read-modify-writes protected, some not
  kMixedLockTables,          // same table: under LOCK TABLES and locked without it
  kMixedIsolationLevels,     // same table written at different isolation levels
  kUnscopedReadModifyWrite,  // read, then a write of the same rows in a later transaction
  kGapLockInsert,            // locking read that found no row, then INSERT of that key
  kSharedLockUpgrade,        // LOCK IN SHARE MODE read, then a write of the same row
  kIgnoredLockError,         // committed after a lock wait timeout / wrote on after a deadlock
  kBackupBlocksWriters,      // a backup held read locks on InnoDB tables
  kLockHeldIdle,             // a transaction sat idle holding locks others waited for
  kConnectionLimitReached,   // connections refused by max_connections or another limit
  kMultiNodeWriteConflict,   // Galera: writes of a table on several nodes aborted each other
};
inline constexpr int kPatternTypeCount = 14;
static_assert(static_cast<int>(PatternType::kMultiNodeWriteConflict) + 1 == kPatternTypeCount,
              "kPatternTypeCount must count every PatternType");

// PatternName: the stable PATTERN column value ("LOCK_ORDER_INVERSION", ...).
const char* PatternName(PatternType type);

// Severity scale (docs/patterns.md):
//   HIGH   can corrupt data or abort transactions under ordinary concurrency
//          (deadlocks, lost updates, duplicate keys);
//   MEDIUM defeats a locking scheme the application relies on, errors follow
//          when the timing is unlucky;
//   LOW    inconsistent behaviour that is a risk rather than an error source.
enum class Severity : uint8_t { kHigh, kMedium, kLow };
const char* SeverityName(Severity severity);
Severity PatternSeverity(PatternType type);

// --- detector rules -----------------------------------------------------------
// A (read digest, write digest) pair is read-modify-write when the write used
// keys the read had used in at least kRmwMatchRatioNumerator /
// kRmwMatchRatioDenominator (one half) of the transactions where both occur,
// and in at least kMinRmwMatchedTransactions of them. Random point reads and
// writes (sysbench) match in a tiny fraction of transactions and never
// qualify; the minimum keeps a lucky first few transactions from qualifying
// (with random ids over 100 rows, ten point reads match a later write 10% of
// the time, and a run of early matches must not make a finding).
inline constexpr uint64_t kRmwMatchRatioNumerator = 1;
inline constexpr uint64_t kRmwMatchRatioDenominator = 2;
inline constexpr uint64_t kMinRmwMatchedTransactions = 5;

inline bool IsReadModifyWrite(uint64_t both, uint64_t matched) {
  return matched >= kMinRmwMatchedTransactions &&
         matched * kRmwMatchRatioDenominator >= both * kRmwMatchRatioNumerator;
}
// UNLOCKED_READ_MODIFY_WRITE / UNSCOPED_READ_MODIFY_WRITE: a
// read-modify-write pair whose read went unprotected in some matched
// transaction, or a pair a lock error proved (`proven`: errors that hit the
// write after a matched unprotected read, whatever the counts; when the
// damage is done, the error is the evidence).
inline bool IsUnlockedReadModifyWrite(uint64_t both, uint64_t matched, uint64_t unprotected_matched,
                                      uint64_t proven = 0) {
  return unprotected_matched > 0 && (proven > 0 || IsReadModifyWrite(both, matched));
}
// GAP_LOCK_INSERT / SHARED_LOCK_UPGRADE: the idiom (a matched locking read
// that found nothing then an insert; a matched shared read then a write)
// qualifies under the read-modify-write rule on its own count, or at once
// when a deadlock hit the write.
inline bool IsLockIdiom(uint64_t both, uint64_t idiom_matched, uint64_t deadlocks) {
  return idiom_matched > 0 && (deadlocks > 0 || IsReadModifyWrite(both, idiom_matched));
}
// LOCK_ORDER_INVERSION: both orders of one pair of tables were seen.
inline bool IsLockOrderInversion(uint64_t forward, uint64_t reverse) { return forward > 0 && reverse > 0; }
// MIXED_LOCKING_READS: the table has a read-modify-write pair with a
// protected read and one (possibly the same) with an unprotected read.
inline bool IsMixedLockingReads(bool protected_rmw, bool unprotected_rmw) {
  return protected_rmw && unprotected_rmw;
}
// MIXED_LOCK_TABLES: the table was accessed under LOCK TABLES by some
// transactions and locked (locking read or write) without it by others.
inline bool IsMixedLockTables(uint64_t lock_tables_txns, uint64_t locked_without_txns) {
  return lock_tables_txns > 0 && locked_without_txns > 0;
}
// MIXED_ISOLATION_LEVELS: writing transactions ran at two or more levels.
// `levels_mask`: bit i set when level i (Isolation) was seen.
inline bool IsMixedIsolationLevels(uint32_t levels_mask) { return (levels_mask & (levels_mask - 1)) != 0; }

// --- the store ------------------------------------------------------------------
// What a detector found. Identity is (type, tables, read/write digests).
struct PatternCandidate {
  PatternType type = PatternType::kLockOrderInversion;
  std::vector<uint64_t> tables;    // TableHash of each object, in OBJECTS order
  std::vector<std::string> names;  // "schema.table", same order
  uint64_t read_digest = 0;        // read/write pair patterns (IsPairPattern)
  uint64_t write_digest = 0;       // read/write pair patterns
  bool insert = false;             // pair patterns: the write inserts (not part of the identity)
  uint32_t error_code = 0;         // kIgnoredLockError: the error the application ignored
  // Observed patterns (IsObservedPattern) only, not part of the identity:
  // what this one occurrence adds.
  uint64_t sample_digest = 0;  // a statement of the other side (first report's kept)
  // BACKUP_BLOCKS_WRITERS, LOCK_HELD_IDLE: microseconds the locks were held;
  // MULTI_NODE_WRITE_CONFLICT: brute-force aborts.
  uint64_t amount = 0;
  // Statements of other connections that waited or timed out meanwhile;
  // MULTI_NODE_WRITE_CONFLICT: certification failures.
  uint64_t victims = 0;
  bool occurrence = true;  // false: the report only adds victims to an occurrence reported before
  // CONNECTION_LIMIT_REACHED: the limit's value, the peak and who was
  // refused last, as the adapter saw them (the latest report's is kept).
  std::string detail;
};

// IsObservedPattern: found by watching it happen, not from the aggregates:
// each report is one occurrence, counted by the PatternStore itself.
inline bool IsObservedPattern(PatternType t) {
  return t == PatternType::kIgnoredLockError || t == PatternType::kBackupBlocksWriters ||
         t == PatternType::kLockHeldIdle || t == PatternType::kConnectionLimitReached ||
         t == PatternType::kMultiNodeWriteConflict;
}

// IsPairPattern: the pattern is about one (read digest, write digest) pair
// of one table (ReadWritePairs).
inline bool IsPairPattern(PatternType t) {
  return t == PatternType::kUnlockedReadModifyWrite || t == PatternType::kUnscopedReadModifyWrite ||
         t == PatternType::kGapLockInsert || t == PatternType::kSharedLockUpgrade;
}
inline bool IsLockOrderPattern(PatternType t) {
  return t == PatternType::kLockOrderInversion || t == PatternType::kLockOrderCycle;
}

// PatternAdvice: one sentence a developer can act on, for the pattern `c`
// (its names in OBJECTS order). Lock-order advice is built by the Analyzer
// from the recommended order (lock_order_groups.h); this is its fallback.
std::string PatternAdvice(const PatternCandidate& c);

// A recorded pattern, as the store keeps it.
struct PatternInfo {
  uint64_t id = 0;
  PatternCandidate what;
  Timestamp first_seen = 0;
  uint64_t related_errors = 0;
  // Observed patterns: occurrences reported, the last one's time, and the
  // sums of their amounts and victims.
  uint64_t observations = 0;
  Timestamp last_seen = 0;
  uint64_t amount = 0;
  uint64_t victims = 0;
};

// PatternStore is thread-safe. Locking rules: one Mutex guards everything; it
// is taken when a detector reports (rare: only when an aggregate changes
// class), when an incident is linked, and by snapshots; never per statement or
// per transaction in the steady state. It is never held while another lockdiag
// lock is taken.
class PatternStore {
 public:
  // Report records `c` unless an identical pattern exists (an observed
  // pattern's report then counts one more occurrence). Returns the
  // pattern's id; 0 when it is new and `limit` patterns are already recorded
  // (the caller counts a dropped event). *is_new tells whether it was added.
  uint64_t Report(const PatternCandidate& c, Timestamp now, uint64_t limit, bool* is_new) EXCLUDES(mu_);

  // Find returns the id of the pattern identical to `c`, 0 when none is
  // recorded.
  uint64_t Find(const PatternCandidate& c) const EXCLUDES(mu_);

  // Get copies the pattern `id`; false when there is none.
  bool Get(uint64_t id, PatternInfo* out) const EXCLUDES(mu_);

  // Snapshot copies every pattern, in id order.
  std::vector<PatternInfo> Snapshot() const EXCLUDES(mu_);

  // FindForIncident picks the pattern that best explains a lock error on
  // `table` raised by statement `digest` in a transaction that had touched
  // the `history` tables, and says how good the explanation is (`*rank`,
  // lower is better: an incident is re-linked when a better one appears);
  // 0 when none does. In rank order (docs/patterns.md, "Incidents"):
  //   duplicate key / ER_CHECKREAD -> 0 the UNLOCKED_ or
  //     UNSCOPED_READ_MODIFY_WRITE whose write is the failing statement,
  //     1 MIXED_LOCKING_READS on the table, 2 any unlocked or unscoped
  //     read-modify-write on it;
  //   deadlock / lock wait timeout -> 0 the GAP_LOCK_INSERT or
  //     SHARED_LOCK_UPGRADE whose write is the failing statement, 1 a
  //     read-modify-write pair whose write it is, 2 a lock-order inversion
  //     whose tables the transaction had touched, 3 such a cycle,
  //     5 IGNORED_LOCK_ERROR on it.
  // A lock wait timeout that fell into the span of a backup's or an idle
  // transaction's locks on its table is linked to that finding by the
  // Analyzer instead (IncidentLog::kWatchedRank), from the times, not here.
  uint64_t FindForIncident(uint32_t code, uint64_t table, uint64_t digest,
                           const std::vector<uint64_t>& history, int* rank) const EXCLUDES(mu_);
  // kNoLink: the rank of an incident without a link.
  static constexpr int kNoLink = 100;

  // AddVictims adds `n` to an observed pattern's victims (no-op if gone).
  void AddVictims(uint64_t id, uint64_t n) EXCLUDES(mu_);

  // AddRelatedErrors adds `n` (may be negative, when an incident is
  // re-linked) to a pattern's RELATED_ERRORS (no-op if gone).
  void AddRelatedErrors(uint64_t id, int64_t n) EXCLUDES(mu_);

  // version() changes whenever a pattern is added (incident links are
  // retried only then).
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  uint64_t count() const { return budget_.count(); }
  uint64_t memory_bytes() const { return budget_.bytes(); }

  // Reset forgets every pattern. Ids keep growing: an id never names two
  // different patterns in one server run (nor across runs, with the state
  // file: Load continues from the saved run's next id).
  void Reset() EXCLUDES(mu_);

  // Save appends every pattern and the next id to `out` (plus `id_reserve`:
  // the ids this run may still hand out before its next save, should it
  // crash). Load adds the
  // patterns `in` holds, with their ids, while fewer than `limit` are
  // recorded (the others counted in *dropped), and makes later ids follow
  // the saved ones; false when `in` is corrupt (the caller then resets the
  // store).
  void Save(StateEncoder* out, uint64_t id_reserve) const EXCLUDES(mu_);
  [[nodiscard]] bool Load(StateDecoder* in, uint64_t limit, uint64_t* dropped) EXCLUDES(mu_);
  // Most OBJECTS a loaded pattern may name (a cycle names at most
  // LockOrderGraph::kMaxCycleLength tables).
  static constexpr size_t kMaxStateObjects = 64;

 private:
  static std::string KeyOf(const PatternCandidate& c);

  mutable Mutex mu_;
  std::unordered_map<std::string, uint64_t> id_by_key_ GUARDED_BY(mu_);
  std::map<uint64_t, PatternInfo> by_id_ GUARDED_BY(mu_);
  std::unordered_multimap<uint64_t, uint64_t> ids_by_table_ GUARDED_BY(mu_);
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  std::atomic<uint64_t> version_{0};  // atomic: read without mu_ by the incident resolver
  EntryBudget budget_;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_PATTERNS_H_
