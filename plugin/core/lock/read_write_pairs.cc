#include "core/lock/read_write_pairs.h"

#include "core/common/hash.h"

namespace lockdiag {
namespace {

int64_t Footprint(const TableNames& t) {
  return static_cast<int64_t>(sizeof(ReadWritePairStats) + 64 + 2 * (t.schema.size() + t.table.size()));
}

}  // namespace

uint64_t ReadWritePairs::PairKey(uint64_t table, uint64_t read_digest, uint64_t write_digest) {
  return HashCombine(HashCombine(table, read_digest), write_digest);
}

uint32_t ReadWritePairs::Add(const TxnTable& table, const ReadWriteObservation* obs, size_t n, Timestamp now,
                             uint64_t limit, std::vector<PatternCandidate>* found) {
  if (n == 0) return 0;
  Shard& shard = ShardOf(table.hash);
  uint32_t dropped = 0;
  // Detections, turned into candidates after the lock is released. The
  // vector allocates only when something is found.
  std::vector<std::pair<uint64_t, uint64_t>> unlocked;
  bool mixed = false;
  {
    MutexLock lock(&shard.mu);
    auto sit = shard.tables.find(table.hash);
    if (sit == shard.tables.end()) {
      TableNames names{table.schema, table.table};
      if (!budget_.TryClaim(limit, Footprint(names))) return static_cast<uint32_t>(n);
      sit = shard.tables.emplace(table.hash, ReadWriteTableSummary{}).first;
      sit->second.table = std::move(names);
      sit->second.table_hash = table.hash;
    } else if (!sit->second.table.Is(table.schema, table.table)) {
      return static_cast<uint32_t>(n);  // hash collision
    }
    ReadWriteTableSummary& summary = sit->second;
    if (now > summary.last_seen) summary.last_seen = now;
    for (size_t i = 0; i < n; ++i) {
      const ReadWriteObservation& o = obs[i];
      const uint64_t key = PairKey(table.hash, o.read_digest, o.write_digest);
      auto it = shard.pairs.find(key);
      if (it == shard.pairs.end()) {
        if (!budget_.TryClaim(limit, Footprint(summary.table))) {
          ++dropped;
          continue;
        }
        it = shard.pairs.emplace(key, ReadWritePairStats{}).first;
        ReadWritePairStats& p = it->second;
        p.table = summary.table;
        p.table_hash = table.hash;
        p.read_digest = o.read_digest;
        p.write_digest = o.write_digest;
      } else if (it->second.table_hash != table.hash || it->second.read_digest != o.read_digest ||
                 it->second.write_digest != o.write_digest) {
        ++dropped;  // hash collision
        continue;
      }
      ReadWritePairStats& p = it->second;
      p.transactions += 1;
      if (o.matched) p.matched_transactions += 1;
      if (o.protected_read) p.protected_transactions += 1;
      if (o.unprotected_read) p.unprotected_transactions += 1;
      if (now > p.last_seen) p.last_seen = now;
      if (!IsReadModifyWrite(p.transactions, p.matched_transactions)) continue;
      // A read-modify-write pair: feed the table summary.
      if (o.protected_read) {
        if (summary.protected_rmw_transactions++ == 0) {
          summary.protected_read_digest = p.read_digest;
          summary.protected_write_digest = p.write_digest;
        }
      }
      if (o.unprotected_read) {
        if (summary.unprotected_rmw_transactions++ == 0) {
          summary.unprotected_read_digest = p.read_digest;
          summary.unprotected_write_digest = p.write_digest;
        }
      }
      if (!p.reported_unlocked &&
          IsUnlockedReadModifyWrite(p.transactions, p.matched_transactions, p.unprotected_transactions)) {
        p.reported_unlocked = true;
        unlocked.emplace_back(p.read_digest, p.write_digest);
      }
    }
    if (!summary.reported_mixed && IsMixedLockingReads(summary.protected_rmw_transactions > 0,
                                                       summary.unprotected_rmw_transactions > 0)) {
      summary.reported_mixed = mixed = true;
    }
  }
  for (const auto& [rd, wd] : unlocked) {
    PatternCandidate c;
    c.type = PatternType::kUnlockedReadModifyWrite;
    c.tables.push_back(table.hash);
    c.names.push_back(QualifiedName(table.schema, table.table));
    c.read_digest = rd;
    c.write_digest = wd;
    found->push_back(std::move(c));
  }
  if (mixed) {
    PatternCandidate c;
    c.type = PatternType::kMixedLockingReads;
    c.tables.push_back(table.hash);
    c.names.push_back(QualifiedName(table.schema, table.table));
    found->push_back(std::move(c));
  }
  return dropped;
}

std::vector<ReadWritePairStats> ReadWritePairs::Snapshot() const {
  std::vector<ReadWritePairStats> out;
  for (const Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    for (const auto& [key, p] : shard.pairs) out.push_back(p);
  }
  return out;
}

bool ReadWritePairs::Lookup(uint64_t table_hash, uint64_t read_digest, uint64_t write_digest,
                            ReadWritePairStats* out) const {
  const Shard& shard = ShardOf(table_hash);
  MutexLock lock(&shard.mu);
  auto it = shard.pairs.find(PairKey(table_hash, read_digest, write_digest));
  if (it == shard.pairs.end() || it->second.read_digest != read_digest ||
      it->second.write_digest != write_digest)
    return false;
  *out = it->second;
  return true;
}

bool ReadWritePairs::LookupTable(uint64_t table_hash, ReadWriteTableSummary* out) const {
  const Shard& shard = ShardOf(table_hash);
  MutexLock lock(&shard.mu);
  auto it = shard.tables.find(table_hash);
  if (it == shard.tables.end()) return false;
  *out = it->second;
  return true;
}

void ReadWritePairs::Reset() {
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    int64_t bytes = 0;
    for (const auto& [key, p] : shard.pairs) bytes += Footprint(p.table);
    for (const auto& [key, t] : shard.tables) bytes += Footprint(t.table);
    budget_.Release(shard.pairs.size() + shard.tables.size(), bytes);
    shard.pairs.clear();
    shard.tables.clear();
  }
}

bool ReadWritePairs::CurrentTableRmw(uint64_t table_hash, ReadWriteTableSummary* out) const {
  const Shard& shard = ShardOf(table_hash);
  MutexLock lock(&shard.mu);
  auto it = shard.tables.find(table_hash);
  if (it == shard.tables.end()) return false;
  *out = it->second;
  out->protected_rmw_transactions = out->unprotected_rmw_transactions = 0;
  out->protected_read_digest = out->protected_write_digest = 0;
  out->unprotected_read_digest = out->unprotected_write_digest = 0;
  uint64_t best_protected = 0, best_unprotected = 0;
  for (const auto& [key, p] : shard.pairs) {
    if (p.table_hash != table_hash || !IsReadModifyWrite(p.transactions, p.matched_transactions)) continue;
    out->protected_rmw_transactions += p.protected_transactions;
    out->unprotected_rmw_transactions += p.unprotected_transactions;
    // The pair seen most often of each kind is the sample.
    if (p.protected_transactions > best_protected) {
      best_protected = p.protected_transactions;
      out->protected_read_digest = p.read_digest;
      out->protected_write_digest = p.write_digest;
    }
    if (p.unprotected_transactions > best_unprotected) {
      best_unprotected = p.unprotected_transactions;
      out->unprotected_read_digest = p.read_digest;
      out->unprotected_write_digest = p.write_digest;
    }
  }
  return true;
}

}  // namespace lockdiag
