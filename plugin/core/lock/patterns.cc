#include "core/lock/patterns.h"

#include <algorithm>

#include "core/common/heap_bytes.h"
#include "core/common/text.h"
#include "core/lock/lock_errors.h"

namespace lockdiag {
namespace {

// KeySize: the length of KeyOf(c).
size_t KeySize(const PatternCandidate& c) { return 1 + 8 * (c.tables.size() + 3); }

// Heap of one stored pattern (heap_bytes.h): its by_id_ node, its
// id_by_key_ node and key, one ids_by_table_ node per table, the buckets'
// share, and the copies of the candidate's vectors and names. Not `detail`:
// Observe() replaces it after the claim (CONNECTION_LIMIT_REACHED's peak),
// and Reset() must release exactly what was claimed.
int64_t Footprint(const PatternCandidate& c) {
  auto text = [](const std::string& s) { return s.size() > 15 ? MallocBlock(s.size() + 1) : 0; };
  size_t b = MallocBlock(4 * sizeof(void*) + sizeof(uint64_t) + sizeof(PatternInfo)) +
             MallocBlock(sizeof(void*) + sizeof(std::string) + 2 * sizeof(uint64_t)) +
             MallocBlock(KeySize(c) + 1) +
             c.tables.size() * MallocBlock(sizeof(void*) + 2 * sizeof(uint64_t)) +
             (2 + c.tables.size()) * sizeof(void*) + MallocBlock(c.tables.size() * sizeof(uint64_t)) +
             MallocBlock(c.names.size() * sizeof(std::string));
  for (const std::string& n : c.names) b += text(n);
  return static_cast<int64_t>(b);
}

void Observe(PatternInfo* info, const PatternCandidate& c, Timestamp now) {
  if (c.occurrence) info->observations += 1;
  if (!c.detail.empty()) info->what.detail = c.detail;
  info->amount += c.amount;
  info->victims += c.victims;
  if (now > info->last_seen) info->last_seen = now;
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
    case PatternType::kUnscopedReadModifyWrite:
      return "UNSCOPED_READ_MODIFY_WRITE";
    case PatternType::kGapLockInsert:
      return "GAP_LOCK_INSERT";
    case PatternType::kSharedLockUpgrade:
      return "SHARED_LOCK_UPGRADE";
    case PatternType::kIgnoredLockError:
      return "IGNORED_LOCK_ERROR";
    case PatternType::kBackupBlocksWriters:
      return "BACKUP_BLOCKS_WRITERS";
    case PatternType::kLockHeldIdle:
      return "LOCK_HELD_IDLE";
    case PatternType::kConnectionLimitReached:
      return "CONNECTION_LIMIT_REACHED";
    case PatternType::kMultiNodeWriteConflict:
      return "MULTI_NODE_WRITE_CONFLICT";
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
    case PatternType::kUnscopedReadModifyWrite:
    case PatternType::kGapLockInsert:
    case PatternType::kSharedLockUpgrade:
    case PatternType::kIgnoredLockError:
    case PatternType::kConnectionLimitReached:
    case PatternType::kMultiNodeWriteConflict:
      return Severity::kHigh;
    case PatternType::kMixedLockTables:
    case PatternType::kBackupBlocksWriters:
    case PatternType::kLockHeldIdle:
      return Severity::kMedium;
    case PatternType::kMixedIsolationLevels:
      return Severity::kLow;
  }
  return Severity::kLow;
}

std::string PatternAdvice(const PatternCandidate& c) {
  const std::vector<std::string>& objects = c.names;
  const std::string first = objects.empty() ? std::string("the table") : objects[0];
  // The one-statement fix for a check-then-insert, which must not be "lock
  // the missing row first": SELECT ... FOR UPDATE on a key that does not
  // exist takes a gap lock, and two such transactions deadlock on their
  // inserts (GAP_LOCK_INSERT).
  const std::string insert_fix =
      "rely on the unique key and write INSERT ... ON DUPLICATE KEY UPDATE or INSERT IGNORE (or catch error "
      "1062 as 'already exists'); do not lock the missing row with SELECT ... FOR UPDATE, whose gap locks "
      "deadlock concurrent inserts";
  switch (c.type) {
    case PatternType::kLockOrderInversion:
      return "Make every transaction lock " + first + " before " +
             (objects.size() > 1 ? objects[1] : std::string("the other table")) +
             " (for example with SELECT ... FOR UPDATE on " + first +
             " first), so the two orders cannot deadlock.";
    case PatternType::kLockOrderCycle:
      return "Pick one global order for " + Join(objects, ", ") +
             " and make every transaction lock them in that order.";
    case PatternType::kUnlockedReadModifyWrite:
      if (c.insert)
        return "Make the check and the insert on " + first + " one atomic step: " + insert_fix + ".";
      return "Read the row with SELECT ... FOR UPDATE in the transaction that writes it, or write it in one "
             "statement (UPDATE ... SET n = n + 1) or as a compare-and-set (UPDATE ... WHERE id = ? AND "
             "version = ?), so that the check and the write on " +
             first + " are atomic.";
    case PatternType::kUnscopedReadModifyWrite:
      if (c.insert)
        return "The check and the insert on " + first +
               " run in separate transactions (autocommit): " + insert_fix + ".";
      return "The read and the write of " + first +
             " run in separate transactions (autocommit), so another connection can change the row between "
             "them: write it in one statement (UPDATE ... SET n = n + 1), as a compare-and-set (UPDATE ... "
             "WHERE id = ? AND n = <the value read>, then check the affected rows), or put both in one "
             "transaction that reads with SELECT ... FOR UPDATE.";
    case PatternType::kMixedLockingReads:
      return "Make every code path that reads " + first +
             " before writing it as safe as the protected ones: the same locking read (SELECT ... FOR "
             "UPDATE) "
             "where the row exists, one atomic statement (INSERT ... ON DUPLICATE KEY UPDATE) where it may "
             "not.";
    case PatternType::kMixedLockTables:
      return "Access " + first +
             " either always under LOCK TABLES or never; on InnoDB prefer transactions with locking reads.";
    case PatternType::kMixedIsolationLevels:
      return "Run every transaction that writes " + first +
             " at one isolation level (set it for the connection pool, not per transaction).";
    case PatternType::kGapLockInsert:
      return "SELECT ... FOR UPDATE (or LOCK IN SHARE MODE) on a key of " + first +
             " that does not exist locks the gap, and two transactions holding the same gap deadlock on "
             "their "
             "inserts: insert first and handle the duplicate (INSERT ... ON DUPLICATE KEY UPDATE, INSERT "
             "IGNORE, or catch error 1062).";
    case PatternType::kSharedLockUpgrade:
      return "Two transactions that both hold the shared lock of LOCK IN SHARE MODE on a row of " + first +
             " deadlock when each upgrades it to write: read with SELECT ... FOR UPDATE when the transaction "
             "will write the row.";
    case PatternType::kIgnoredLockError:
      return "Handle lock errors on " + first +
             ": after ER_LOCK_DEADLOCK (1213) the whole transaction is rolled back, so retry it from its "
             "first "
             "statement; after ER_LOCK_WAIT_TIMEOUT (1205) only the statement is, so roll the transaction "
             "back "
             "(or retry the statement) instead of committing the rest.";
    case PatternType::kBackupBlocksWriters:
      return "Back up InnoDB tables without read locks: mariadb-dump --single-transaction (a consistent "
             "snapshot, no LOCK TABLES), or mariadb-backup; keep LOCK TABLES ... READ for non-transactional "
             "tables only.";
    case PatternType::kLockHeldIdle:
      return "Do the slow work (HTTP calls, spam checks, file processing, waiting for the user) before the "
             "transaction takes its first lock or after it commits: while the transaction sits idle, every "
             "other writer of its rows on " +
             Join(objects, ", ") +
             " waits (innodb_lock_wait_timeout, 50 s by default) and may time out with error 1205.";
    case PatternType::kConnectionLimitReached:
      if (first == "max_connect_errors")
        return "The server blocked a host after max_connect_errors interrupted connection attempts: "
               "unblock it with FLUSH HOSTS (mariadb-admin flush-hosts), find why its connections fail "
               "(Aborted_connects, the error log), and raise max_connect_errors if the failures are "
               "harmless.";
      if (first == "max_user_connections")
        return "An account reached its connection limit: raise max_user_connections (or the account's "
               "MAX_USER_CONNECTIONS with ALTER USER), or size the application's connection pool below it.";
      return "Raise max_connections above the peak the application really needs, and with it the limits "
             "that scale with connections (open_files_limit, table_open_cache, thread_cache_size; check "
             "max_user_connections), or cap the application's connection pools below the limit; for many "
             "mostly idle connections use thread_handling=pool-of-threads. Refusals beyond "
             "max_connections + 1 never reach a plugin: compare Connection_errors_max_connections.";
    case PatternType::kMultiNodeWriteConflict:
      return "Send the writes of " + first +
             " to one node of the cluster (route them in the proxy or the application, e.g. MaxScale's "
             "readwritesplit or a single writer node), keep the transactions that write it short, and retry "
             "a transaction that fails with 1213 from its first statement; autocommit statements are "
             "retried by the server up to wsrep_retry_autocommit times (default 1).";
  }
  return "";
}

std::string PatternStore::KeyOf(const PatternCandidate& c) {
  std::string key;
  key.reserve(KeySize(c));
  key.push_back(static_cast<char>(c.type));
  auto put = [&key](uint64_t v) { key.append(reinterpret_cast<const char*>(&v), sizeof v); };
  for (uint64_t t : c.tables) put(t);
  put(c.read_digest);
  put(c.write_digest);
  put(c.error_code);
  return key;
}

uint64_t PatternStore::Report(const PatternCandidate& c, Timestamp now, uint64_t limit, bool* is_new) {
  *is_new = false;
  std::string key = KeyOf(c);
  MutexLock lock(&mu_);
  auto it = id_by_key_.find(key);
  if (it != id_by_key_.end()) {
    if (IsObservedPattern(c.type)) Observe(&by_id_.at(it->second), c, now);
    return it->second;
  }
  if (!budget_.TryClaim(limit, Footprint(c))) return 0;
  const uint64_t id = next_id_++;
  id_by_key_.emplace(std::move(key), id);
  PatternInfo& info = by_id_[id];
  info.id = id;
  info.what = c;
  info.first_seen = now;
  if (IsObservedPattern(c.type)) Observe(&info, c, now);
  for (uint64_t t : c.tables) ids_by_table_.emplace(t, id);
  version_.fetch_add(1, std::memory_order_release);
  *is_new = true;
  return id;
}

uint64_t PatternStore::Find(const PatternCandidate& c) const {
  const std::string key = KeyOf(c);
  MutexLock lock(&mu_);
  auto it = id_by_key_.find(key);
  return it == id_by_key_.end() ? 0 : it->second;
}

bool PatternStore::Get(uint64_t id, PatternInfo* out) const {
  MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return false;
  *out = it->second;
  return true;
}

std::vector<PatternInfo> PatternStore::Snapshot() const {
  MutexLock lock(&mu_);
  std::vector<PatternInfo> out;
  out.reserve(by_id_.size());
  for (const auto& [id, info] : by_id_) out.push_back(info);
  return out;
}

uint64_t PatternStore::FindForIncident(uint32_t code, uint64_t table, uint64_t digest,
                                       const std::vector<uint64_t>& history, int* rank) const {
  MutexLock lock(&mu_);
  // Best candidate by rank (lower is better), then by id (older is better).
  uint64_t best = 0;
  int best_rank = kNoLink;
  auto consider = [&](uint64_t id, int r) {
    if (r < best_rank || (r == best_rank && id < best)) {
      best = id;
      best_rank = r;
    }
  };
  const bool duplicate = IsDuplicateKey(code) || code == kErrCheckread;
  auto range = ids_by_table_.equal_range(table);
  for (auto it = range.first; it != range.second; ++it) {
    const PatternInfo& p = by_id_.at(it->second);
    const PatternType t = p.what.type;
    const bool rmw = t == PatternType::kUnlockedReadModifyWrite || t == PatternType::kUnscopedReadModifyWrite;
    const bool failing_write = IsPairPattern(t) && p.what.write_digest == digest;
    if (duplicate) {
      if (rmw && failing_write) {
        consider(p.id, 0);
      } else if (t == PatternType::kMixedLockingReads) {
        consider(p.id, 1);
      } else if (rmw) {
        consider(p.id, 2);
      }
      continue;
    }
    if (IsClusterConflict(code)) {
      if (t == PatternType::kMultiNodeWriteConflict) consider(p.id, 0);
      continue;
    }
    if (!IsLockConflict(code)) continue;
    if ((t == PatternType::kGapLockInsert || t == PatternType::kSharedLockUpgrade) && failing_write) {
      consider(p.id, 0);
    } else if (rmw && failing_write) {
      consider(p.id, 1);
    } else if (IsLockOrderPattern(t)) {
      // Only a finding about tables this transaction locked explains its
      // deadlock or timeout.
      bool all_touched = std::all_of(p.what.tables.begin(), p.what.tables.end(), [&](uint64_t x) {
        return x == table || std::find(history.begin(), history.end(), x) != history.end();
      });
      if (all_touched) consider(p.id, t == PatternType::kLockOrderInversion ? 2 : 3);
    } else if (t == PatternType::kIgnoredLockError) {
      consider(p.id, 5);
    }
  }
  *rank = best_rank;
  return best;
}

void PatternStore::AddVictims(uint64_t id, uint64_t n) {
  MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it != by_id_.end()) it->second.victims += n;
}

void PatternStore::AddRelatedErrors(uint64_t id, int64_t n) {
  MutexLock lock(&mu_);
  auto it = by_id_.find(id);
  if (it != by_id_.end()) it->second.related_errors += static_cast<uint64_t>(n);
}

void PatternStore::Save(StateEncoder* out, uint64_t id_reserve) const {
  MutexLock lock(&mu_);
  out->U64(next_id_ + id_reserve);
  for (const auto& [id, info] : by_id_) {
    out->Item();
    const PatternCandidate& c = info.what;
    out->U64(info.id);
    out->U64(static_cast<uint64_t>(c.type));
    out->U64(c.tables.size());
    for (size_t i = 0; i < c.tables.size(); ++i) {
      out->U64(c.tables[i]);
      out->Str(i < c.names.size() ? c.names[i] : std::string());
    }
    for (uint64_t v : {c.read_digest, c.write_digest, c.sample_digest, c.amount, c.victims}) out->U64(v);
    out->U32(c.error_code);
    out->Bool(c.insert);
    out->Str(c.detail);
    out->I64(info.first_seen);
    out->I64(info.last_seen);
    for (uint64_t v : {info.related_errors, info.observations, info.amount, info.victims}) out->U64(v);
  }
  out->EndItems();
}

bool PatternStore::Load(StateDecoder* in, uint64_t limit, uint64_t* dropped) {
  const uint64_t saved_next_id = in->U64();
  while (in->NextItem()) {
    PatternInfo info;
    PatternCandidate& c = info.what;
    info.id = in->U64();
    const uint64_t type = in->U64();
    if (info.id == 0 || info.id >= saved_next_id || type >= kPatternTypeCount) in->Fail();
    c.type = static_cast<PatternType>(type);
    const size_t n = in->Count(kMaxStateObjects, 2);
    for (size_t i = 0; i < n; ++i) {
      c.tables.push_back(in->U64());
      c.names.push_back(in->Str(kStateMaxText));
    }
    for (uint64_t* v : {&c.read_digest, &c.write_digest, &c.sample_digest, &c.amount, &c.victims})
      *v = in->U64();
    c.error_code = in->U32();
    c.insert = in->Bool();
    c.detail = in->Str(kStateMaxText);
    info.first_seen = in->I64();
    info.last_seen = in->I64();
    for (uint64_t* v : {&info.related_errors, &info.observations, &info.amount, &info.victims})
      *v = in->U64();
    if (!in->ok()) break;
    std::string key = KeyOf(c);
    MutexLock lock(&mu_);
    if (by_id_.count(info.id) != 0 || id_by_key_.count(key) != 0 || !budget_.TryClaim(limit, Footprint(c))) {
      ++*dropped;
      continue;
    }
    id_by_key_.emplace(std::move(key), info.id);
    for (uint64_t t : c.tables) ids_by_table_.emplace(t, info.id);
    by_id_.emplace(info.id, std::move(info));
  }
  if (!in->ok()) return false;
  // Ids go on from the saved run's: an id never names two patterns.
  MutexLock lock(&mu_);
  if (saved_next_id > next_id_) next_id_ = saved_next_id;
  version_.fetch_add(1, std::memory_order_release);
  return true;
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
