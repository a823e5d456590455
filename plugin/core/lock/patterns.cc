#include "core/lock/patterns.h"

#include <algorithm>

#include "core/common/text.h"
#include "core/lock/lock_errors.h"

namespace lockdiag {
namespace {

int64_t Footprint(const PatternCandidate& c) {
  int64_t bytes = 256 + static_cast<int64_t>(c.tables.size()) * 64;
  for (const std::string& n : c.names) bytes += 2 * static_cast<int64_t>(n.size());
  return bytes;
}

bool IsLockOrder(PatternType t) {
  return t == PatternType::kLockOrderInversion || t == PatternType::kLockOrderCycle;
}

}  // namespace

const char* PatternName(PatternType type) {
  switch (type) {
    case PatternType::kLockOrderInversion:
      return "LOCK_ORDER_INVERSION";
    case PatternType::kLockOrderCycle:
      return "LOCK_ORDER_CYCLE";
    case PatternType::kUnlockedReadModifyWrite:
      return "UNLOCKED_READ_MODIFY_WRITE";
    case PatternType::kMixedLockingReads:
      return "MIXED_LOCKING_READS";
    case PatternType::kMixedLockTables:
      return "MIXED_LOCK_TABLES";
    case PatternType::kMixedIsolationLevels:
      return "MIXED_ISOLATION_LEVELS";
  }
  return "UNKNOWN";
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kHigh:
      return "HIGH";
    case Severity::kMedium:
      return "MEDIUM";
    case Severity::kLow:
      return "LOW";
  }
  return "UNKNOWN";
}

Severity PatternSeverity(PatternType type) {
  switch (type) {
    case PatternType::kLockOrderInversion:
    case PatternType::kLockOrderCycle:
    case PatternType::kUnlockedReadModifyWrite:
    case PatternType::kMixedLockingReads:
      return Severity::kHigh;
    case PatternType::kMixedLockTables:
      return Severity::kMedium;
    case PatternType::kMixedIsolationLevels:
      return Severity::kLow;
  }
  return Severity::kLow;
}

std::string PatternAdvice(PatternType type, const std::vector<std::string>& objects) {
  const std::string first = objects.empty() ? std::string("the table") : objects[0];
  switch (type) {
    case PatternType::kLockOrderInversion:
      return "Make every transaction lock " + first + " before " +
             (objects.size() > 1 ? objects[1] : std::string("the other table")) +
             " (for example with SELECT ... FOR UPDATE on " + first +
             " first), so the two orders cannot deadlock.";
    case PatternType::kLockOrderCycle:
      return "Pick one global order for " + Join(objects, ", ") +
             " and make every transaction lock them in that order.";
    case PatternType::kUnlockedReadModifyWrite:
      return "Read the row with SELECT ... FOR UPDATE (or write it in one statement, e.g. INSERT ... ON "
             "DUPLICATE KEY UPDATE) so that the check and the write on " +
             first + " are atomic.";
    case PatternType::kMixedLockingReads:
      return "Make every code path that reads " + first +
             " before writing it use the same locking read (SELECT ... FOR UPDATE) as the protected ones.";
    case PatternType::kMixedLockTables:
      return "Access " + first +
             " either always under LOCK TABLES or never; on InnoDB prefer transactions with locking reads.";
    case PatternType::kMixedIsolationLevels:
      return "Run every transaction that writes " + first +
             " at one isolation level (set it for the connection pool, not per transaction).";
  }
  return "";
}

std::string PatternStore::KeyOf(const PatternCandidate& c) {
  std::string key;
  key.reserve(2 + 8 * (c.tables.size() + 2));
  key.push_back(static_cast<char>(c.type));
  auto put = [&key](uint64_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  for (uint64_t t : c.tables) put(t);
  put(c.read_digest);
  put(c.write_digest);
  return key;
}

uint64_t PatternStore::Report(const PatternCandidate& c, Timestamp now, uint64_t limit, bool* is_new) {
  *is_new = false;
  std::string key = KeyOf(c);
  MutexLock lock(&mu_);
  auto it = id_by_key_.find(key);
  if (it != id_by_key_.end()) return it->second;
  if (!budget_.TryClaim(limit, Footprint(c))) return 0;
  const uint64_t id = next_id_++;
  id_by_key_.emplace(std::move(key), id);
  PatternInfo& info = by_id_[id];
  info.id = id;
  info.what = c;
  info.first_seen = now;
  for (uint64_t t : c.tables) ids_by_table_.emplace(t, id);
  version_.fetch_add(1, std::memory_order_release);
  *is_new = true;
  return id;
}

std::vector<PatternInfo> PatternStore::Snapshot() const {
  MutexLock lock(&mu_);
  std::vector<PatternInfo> out;
  out.reserve(by_id_.size());
  for (const auto& [id, info] : by_id_) out.push_back(info);
  return out;
}

uint64_t PatternStore::FindForIncident(uint32_t code, uint64_t table, uint64_t digest,
                                       const std::vector<uint64_t>& history) const {
  MutexLock lock(&mu_);
  // Best candidate by rank (lower is better), then by id (older is better).
  uint64_t best = 0;
  int best_rank = 100;
  auto consider = [&](uint64_t id, int rank) {
    if (rank < best_rank || (rank == best_rank && id < best)) {
      best = id;
      best_rank = rank;
    }
  };
  auto range = ids_by_table_.equal_range(table);
  for (auto it = range.first; it != range.second; ++it) {
    const PatternInfo& p = by_id_.at(it->second);
    const PatternType t = p.what.type;
    if (IsLockConflict(code) && IsLockOrder(t)) {
      bool all_touched = std::all_of(p.what.tables.begin(), p.what.tables.end(), [&](uint64_t x) {
        return x == table || std::find(history.begin(), history.end(), x) != history.end();
      });
      // Only a finding about tables this transaction locked explains its
      // deadlock or timeout.
      if (all_touched) consider(p.id, t == PatternType::kLockOrderInversion ? 0 : 1);
    } else if ((IsDuplicateKey(code) || code == kErrCheckread) && !IsLockOrder(t)) {
      if (t == PatternType::kUnlockedReadModifyWrite && p.what.write_digest == digest) {
        consider(p.id, 0);
      } else if (t == PatternType::kMixedLockingReads) {
        consider(p.id, 1);
      }
      // An unlocked read-modify-write of another statement does not explain
      // this write's duplicate key (a plain double submit, say).
    }
  }
  return best;
}

void PatternStore::AddRelatedErrors(uint64_t id, uint64_t n) {
  MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it != by_id_.end()) it->second.related_errors += n;
}

void PatternStore::Reset() {
  MutexLock lock(&mu_);
  int64_t bytes = 0;
  for (const auto& [id, info] : by_id_) bytes += Footprint(info.what);
  budget_.Release(by_id_.size(), bytes);
  id_by_key_.clear();
  by_id_.clear();
  ids_by_table_.clear();
  version_.fetch_add(1, std::memory_order_release);
}

}  // namespace lockdiag
