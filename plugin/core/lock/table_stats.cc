#include "core/lock/table_stats.h"

namespace lockdiag {
namespace {

// Rough heap cost of one tracked table: the map node and the names.
int64_t Footprint(const TxnTable& t) {
  return static_cast<int64_t>(sizeof(TableStats) + 64 + 2 * (t.schema.size() + t.table.size()));
}
int64_t Footprint(const TableStats& s) {
  return static_cast<int64_t>(sizeof(TableStats) + 64 + 2 * (s.row.schema.size() + s.row.table.size()));
}

PatternCandidate TableCandidate(PatternType type, const TxnTable& t) {
  PatternCandidate c;
  c.type = type;
  c.tables.push_back(t.hash);
  c.names.push_back(QualifiedName(t.schema, t.table));
  return c;
}

}  // namespace

bool TableStatsStore::Apply(const TableUpdate& u, Timestamp now, uint64_t limit,
                            std::vector<PatternCandidate>* found) {
  const TxnTable& t = *u.table;
  Shard& shard = ShardOf(t.hash);
  bool mixed_lock_tables = false, mixed_isolation = false;
  {
    MutexLock lock(&shard.mu);
    auto it = shard.tables.find(t.hash);
    if (it == shard.tables.end()) {
      if (!budget_.TryClaim(limit, Footprint(t))) return false;
      it = shard.tables.emplace(t.hash, TableStats{}).first;
      it->second.row.schema = t.schema;
      it->second.row.table = t.table;
      it->second.row.first_seen = now;
    } else if (it->second.row.table != t.table || it->second.row.schema != t.schema) {
      return false;  // another table with the same hash: never mix them
    }
    TableStats& s = it->second;
    TableRow& r = s.row;
    for (int k = 0; k < kAccessKindCount; ++k) r.accesses[k] += t.accesses[k];
    r.transactions += 1;
    r.duplicate_key_errors += u.duplicate_keys;
    r.deadlocks += u.deadlocks;
    r.lock_wait_timeouts += u.lock_wait_timeouts;
    if (now > r.last_seen) r.last_seen = now;
    const TableFacts& f = *u.facts;
    if (f.unlocked_read_write) r.unlocked_read_write_transactions += 1;
    if (f.locked_read_write) r.locked_read_write_transactions += 1;
    if (f.lock_tables) {
      if (s.lock_tables_txns++ == 0) s.lock_tables_digest = f.lock_tables_digest;
    }
    if (f.locked_without_lock_tables) {
      if (s.locked_without_lock_tables_txns++ == 0) s.unlocked_digest = f.unlocked_digest;
    }
    const int iso = static_cast<int>(u.isolation) & (kIsolationCount - 1);
    if (f.wrote) {
      if (s.write_txns_by_isolation[iso]++ == 0) s.write_digest_by_isolation[iso] = f.write_digest;
    }
    // Detectors: only when the class can have changed.
    if (!s.reported_mixed_lock_tables && (f.lock_tables || f.locked_without_lock_tables) &&
        IsMixedLockTables(s.lock_tables_txns, s.locked_without_lock_tables_txns)) {
      s.reported_mixed_lock_tables = mixed_lock_tables = true;
    }
    if (!s.reported_mixed_isolation && f.wrote) {
      uint32_t mask = 0;
      for (int i = 0; i < kIsolationCount; ++i) {
        if (s.write_txns_by_isolation[i] > 0) mask |= 1u << i;
      }
      if (IsMixedIsolationLevels(mask)) s.reported_mixed_isolation = mixed_isolation = true;
    }
  }
  // Candidates are built outside the lock (they allocate; this is rare).
  if (mixed_lock_tables) found->push_back(TableCandidate(PatternType::kMixedLockTables, t));
  if (mixed_isolation) found->push_back(TableCandidate(PatternType::kMixedIsolationLevels, t));
  return true;
}

std::vector<TableRow> TableStatsStore::Snapshot() const {
  std::vector<TableRow> rows;
  rows.reserve(budget_.count());
  for (const Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    for (const auto& [hash, s] : shard.tables) rows.push_back(s.row);
  }
  return rows;
}

bool TableStatsStore::Lookup(uint64_t table_hash, TableStats* out) const {
  const Shard& shard = ShardOf(table_hash);
  MutexLock lock(&shard.mu);
  auto it = shard.tables.find(table_hash);
  if (it == shard.tables.end()) return false;
  *out = it->second;
  return true;
}

void TableStatsStore::Reset() {
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    int64_t bytes = 0;
    for (const auto& [hash, s] : shard.tables) bytes += Footprint(s);
    budget_.Release(shard.tables.size(), bytes);
    shard.tables.clear();
  }
}

}  // namespace lockdiag
