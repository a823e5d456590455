// incidents.h: the last lockdiag_history_size lock-related errors
// (INFORMATION_SCHEMA.LOCKDIAG_INCIDENTS), each with what the failing
// transaction had done so far and, once known, the pattern that explains it.
//
// An incident usually happens before the pattern that explains it is found
// (in an ABBA deadlock the victim's transaction is published first; the
// inversion shows when the survivor commits), so links are resolved lazily:
// the Analyzer retries incidents whenever the PatternStore's version() has
// moved (a pattern was added) and at snapshot time. A link is revised when a
// better explanation appears (a lower rank, PatternStore::FindForIncident):
// an incident linked to a fallback moves to the read-modify-write pair of
// its failing statement once that qualifies.
//
// Thread-safety: every public method is thread-safe. Locking rules: one Mutex
// guards the ring; it is taken once per lock-related error (errors are rare
// next to statements), by the link resolver and by snapshots, and never held
// while another lockdiag lock is taken.
#ifndef LOCKDIAG_CORE_LOCK_INCIDENTS_H_
#define LOCKDIAG_CORE_LOCK_INCIDENTS_H_

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/common/clock.h"
#include "core/common/entry_budget.h"
#include "core/common/state_codec.h"
#include "core/lock/patterns.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

// One row of INFORMATION_SCHEMA.LOCKDIAG_INCIDENTS.
struct IncidentRow {
  uint64_t id = 0;  // increasing, never reused in one server run
  Timestamp time = 0;
  uint64_t thread_id = 0;
  std::string user;
  std::string host;
  uint32_t error_code = 0;
  std::string error_name;    // "ER_DUP_ENTRY", ...
  std::string table_schema;  // "" when the table is unknown
  std::string table_name;
  std::string statement_digest;     // normalised text of the failing statement
  std::string transaction_history;  // "shop.orders:READ, shop.orders:WRITE"
  uint64_t pattern_id = 0;          // 0: no pattern (NULL)
  // RETRIED: did the connection's next transaction start with the failed
  // transaction's first statement? Unknown until that transaction ends.
  enum class Retried : uint8_t { kUnknown, kNo, kYes } retried = Retried::kUnknown;
};

// What the log keeps per incident: the row and what linking needs.
struct Incident {
  IncidentRow row;
  uint64_t table_hash = 0;                // 0 when unknown
  uint64_t digest = 0;                    // failing statement
  std::vector<uint64_t> history_tables;   // TableHash of the tables touched so far
  uint64_t tried_version = ~uint64_t{0};  // PatternStore version last tried
  int link_rank = 100;                    // rank of the link (PatternStore::kNoLink: none)
};

class IncidentLog {
 public:
  // Record appends `incident` (its row.id is assigned here), evicting the
  // oldest past `capacity`; with capacity 0 nothing is kept. Returns the id,
  // 0 when not kept.
  uint64_t Record(Incident incident, size_t capacity) EXCLUDES(mu_);

  // A link to resolve: the fields PatternStore::FindForIncident needs.
  struct Pending {
    uint64_t id;
    uint32_t code;
    uint64_t table_hash;
    uint64_t digest;
    std::vector<uint64_t> history_tables;
  };
  // TakePending returns the incidents whose link could still improve (none,
  // or a rank above 0) not yet tried against `patterns_version`, and marks
  // them tried.
  std::vector<Pending> TakePending(uint64_t patterns_version) EXCLUDES(mu_);
  // kProvenRank: the rank of a link to the pair the incident's own error
  // proved; better than any explanation FindForIncident ranks (0 and up).
  static constexpr int kProvenRank = -1;
  // kWatchedRank: the rank of a lock wait timeout's link to the holder
  // (a backup, an idle transaction) that held locks on its table while it
  // waited (LockHoldWatch): as good as FindForIncident's best.
  static constexpr int kWatchedRank = 0;
  // A link found for an incident, and what it replaced.
  struct LinkChange {
    uint64_t incident;
    uint64_t pattern;
    int rank;
    uint64_t replaced;  // the pattern it was linked to before, 0 for none
  };
  // Link sets the pattern of each incident still kept whose current link is
  // worse (higher rank); fills `replaced` and returns the changes made.
  std::vector<LinkChange> Link(std::vector<LinkChange> links) EXCLUDES(mu_);
  // SetRetried records RETRIED for the incidents `ids` (those still kept).
  void SetRetried(const std::vector<uint64_t>& ids, bool retried) EXCLUDES(mu_);

  std::vector<IncidentRow> Snapshot() const EXCLUDES(mu_);

  uint64_t count() const EXCLUDES(mu_);
  uint64_t memory_bytes() const { return budget_.bytes(); }
  void Reset() EXCLUDES(mu_);

  // Save appends the kept incidents and the next id to `out` (plus
  // `id_reserve`, as PatternStore::Save). Load fills an
  // empty log with the newest `capacity` incidents `in` holds (the others
  // counted in *dropped), and makes later ids follow the saved ones; false
  // when `in` is corrupt (nothing is added then). Links are retried against
  // the patterns of the new run.
  void Save(StateEncoder* out, uint64_t id_reserve) const EXCLUDES(mu_);
  [[nodiscard]] bool Load(StateDecoder* in, size_t capacity, uint64_t* dropped) EXCLUDES(mu_);

 private:
  static int64_t Footprint(const Incident& i);
  void EvictOldest() REQUIRES(mu_);
  // Find: the incident `id` in the ring, nullptr when it is not (any more)
  // there. Binary search: ids increase along the ring, but they are not
  // consecutive once a state file was loaded after a crash (the ids go on
  // past the reserve, state_file.h).
  Incident* Find(uint64_t id) REQUIRES(mu_);

  mutable Mutex mu_;
  std::deque<Incident> ring_ GUARDED_BY(mu_);  // oldest first; ids increasing
  uint64_t next_id_ GUARDED_BY(mu_) = 1;
  EntryBudget budget_;  // bytes only (the count is ring_.size())
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_INCIDENTS_H_
