#include "core/lock/read_write_pairs.h"

#include "core/common/hash.h"

namespace lockdiag {
namespace {

// Rough heap cost of one pair or one table summary: the node and the names.
int64_t Footprint(const TableNames& t) {
  return static_cast<int64_t>(sizeof(ReadWritePairStats) + 64 + 2 * (t.schema.size() + t.table.size()));
}

}  // namespace

uint64_t ReadWritePairs::PairKey(uint64_t read_digest, uint64_t write_digest, bool unscoped) {
  return HashCombine(HashCombine(read_digest, write_digest), unscoped ? 1 : 0);
}

bool ReadWritePairs::Qualifies(const ReadWritePairStats& p) {
  return p.proven_errors > 0 || IsReadModifyWrite(p.transactions, p.matched_transactions);
}

uint32_t ReadWritePairs::Add(const TxnTable& table, const ReadWriteObservation* obs, size_t n, Timestamp now,
                             uint64_t limit, std::vector<PatternCandidate>* found) {
  if (n == 0) return 0;
  // Detections, turned into candidates after the lock is released. The
  // vector allocates only when something is found.
  struct Found {
    PatternType type;
    uint64_t read_digest, write_digest;
    bool insert;
  };
  std::vector<Found> detected;
  bool mixed = false;
  const uint32_t dropped = tables_.Update(table.hash, [&](auto& tables) -> uint32_t {
    EntryBudget& budget = tables_.budget();
    auto tit = tables.find(table.hash);
    if (tit == tables.end()) {
      TableNames names{table.schema, table.table};
      if (!budget.TryClaim(limit, Footprint(names))) return static_cast<uint32_t>(n);
      tit = tables.emplace(table.hash, TableEntry{}).first;
      tit->second.summary.table = std::move(names);
      tit->second.summary.table_hash = table.hash;
    } else if (!tit->second.summary.table.Is(table.schema, table.table)) {
      return static_cast<uint32_t>(n);  // hash collision
    }
    ReadWriteTableSummary& summary = tit->second.summary;
    auto& pairs = tit->second.pairs;
    uint32_t lost = 0;
    if (now > summary.last_seen) summary.last_seen = now;
    for (size_t i = 0; i < n; ++i) {
      const ReadWriteObservation& o = obs[i];
      const uint64_t key = PairKey(o.read_digest, o.write_digest, o.unscoped);
      auto it = pairs.find(key);
      if (it == pairs.end()) {
        if (!budget.TryClaim(limit, Footprint(summary.table))) {
          ++lost;
          continue;
        }
        it = pairs.emplace(key, ReadWritePairStats{}).first;
        ReadWritePairStats& p = it->second;
        p.table = summary.table;
        p.table_hash = table.hash;
        p.read_digest = o.read_digest;
        p.write_digest = o.write_digest;
        p.unscoped = o.unscoped;
        p.insert = o.insert;
      } else if (it->second.read_digest != o.read_digest || it->second.write_digest != o.write_digest ||
                 it->second.unscoped != o.unscoped) {
        ++lost;  // hash collision
        continue;
      }
      ReadWritePairStats& p = it->second;
      p.transactions += 1;
      if (o.matched) p.matched_transactions += 1;
      if (o.protected_read) p.protected_transactions += 1;
      if (o.unprotected_read) p.unprotected_transactions += 1;
      if (o.gap_insert) p.gap_insert_transactions += 1;
      if (o.shared_upgrade) p.shared_upgrade_transactions += 1;
      if (o.proven) p.proven_errors += 1;
      if (o.idiom_deadlock) p.idiom_deadlocks += 1;
      if (now > p.last_seen) p.last_seen = now;
      if (Qualifies(p)) {
        // A read-modify-write pair: feed the table summary.
        if (o.protected_read && summary.protected_rmw_transactions++ == 0) {
          summary.protected_read_digest = p.read_digest;
          summary.protected_write_digest = p.write_digest;
        }
        if (o.unprotected_read && summary.unprotected_rmw_transactions++ == 0) {
          summary.unprotected_read_digest = p.read_digest;
          summary.unprotected_write_digest = p.write_digest;
        }
      }
      if (!p.reported_unlocked && IsUnlockedReadModifyWrite(p.transactions, p.matched_transactions,
                                                            p.unprotected_transactions, p.proven_errors)) {
        p.reported_unlocked = true;
        detected.push_back(
            Found{p.unscoped ? PatternType::kUnscopedReadModifyWrite : PatternType::kUnlockedReadModifyWrite,
                  p.read_digest, p.write_digest, p.insert});
      }
      if (!p.reported_gap_insert &&
          IsLockIdiom(p.transactions, p.gap_insert_transactions, p.idiom_deadlocks)) {
        p.reported_gap_insert = true;
        detected.push_back(Found{PatternType::kGapLockInsert, p.read_digest, p.write_digest, p.insert});
      }
      if (!p.reported_shared_upgrade &&
          IsLockIdiom(p.transactions, p.shared_upgrade_transactions, p.idiom_deadlocks)) {
        p.reported_shared_upgrade = true;
        detected.push_back(Found{PatternType::kSharedLockUpgrade, p.read_digest, p.write_digest, p.insert});
      }
    }
    if (!summary.reported_mixed && IsMixedLockingReads(summary.protected_rmw_transactions > 0,
                                                       summary.unprotected_rmw_transactions > 0)) {
      summary.reported_mixed = mixed = true;
    }
    return lost;
  });
  for (const Found& f : detected) {
    PatternCandidate c;
    c.type = f.type;
    c.tables.push_back(table.hash);
    c.names.push_back(QualifiedName(table.schema, table.table));
    c.read_digest = f.read_digest;
    c.write_digest = f.write_digest;
    c.insert = f.insert;
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
  tables_.ForEach([&](const TableEntry& t) {
    for (const auto& [key, p] : t.pairs) out.push_back(p);
  });
  return out;
}

bool ReadWritePairs::Lookup(uint64_t table_hash, uint64_t read_digest, uint64_t write_digest, bool unscoped,
                            ReadWritePairStats* out) const {
  return tables_.Read(table_hash, [&](const auto& tables) {
    auto tit = tables.find(table_hash);
    if (tit == tables.end()) return false;
    auto it = tit->second.pairs.find(PairKey(read_digest, write_digest, unscoped));
    if (it == tit->second.pairs.end() || it->second.read_digest != read_digest ||
        it->second.write_digest != write_digest || it->second.unscoped != unscoped)
      return false;
    *out = it->second;
    return true;
  });
}

bool ReadWritePairs::LookupTable(uint64_t table_hash, ReadWriteTableSummary* out) const {
  return tables_.Read(table_hash, [&](const auto& tables) {
    auto it = tables.find(table_hash);
    if (it == tables.end()) return false;
    *out = it->second.summary;
    return true;
  });
}

void ReadWritePairs::Save(StateEncoder* out) const {
  tables_.ForEach([&](const TableEntry& t) {
    out->Item();
    const ReadWriteTableSummary& m = t.summary;
    out->Str(m.table.schema);
    out->Str(m.table.table);
    for (uint64_t v : {m.protected_rmw_transactions, m.unprotected_rmw_transactions, m.protected_read_digest,
                       m.protected_write_digest, m.unprotected_read_digest, m.unprotected_write_digest}) {
      out->U64(v);
    }
    out->I64(m.last_seen);
    out->Bool(m.reported_mixed);
    for (const auto& [key, p] : t.pairs) {
      out->Item();
      for (uint64_t v : {p.read_digest, p.write_digest, p.transactions, p.matched_transactions,
                         p.protected_transactions, p.unprotected_transactions, p.gap_insert_transactions,
                         p.shared_upgrade_transactions, p.idiom_deadlocks, p.proven_errors}) {
        out->U64(v);
      }
      for (bool b :
           {p.unscoped, p.insert, p.reported_unlocked, p.reported_gap_insert, p.reported_shared_upgrade})
        out->Bool(b);
      out->I64(p.last_seen);
    }
    out->EndItems();
  });
  out->EndItems();
}

bool ReadWritePairs::Load(StateDecoder* in, uint64_t limit, uint64_t* dropped) {
  EntryBudget& budget = tables_.budget();
  while (in->NextItem()) {
    TableEntry t;
    ReadWriteTableSummary& m = t.summary;
    m.table.schema = in->Str(kStateMaxName);
    m.table.table = in->Str(kStateMaxName);
    m.table_hash = TableHash(m.table.schema, m.table.table);
    for (uint64_t* v :
         {&m.protected_rmw_transactions, &m.unprotected_rmw_transactions, &m.protected_read_digest,
          &m.protected_write_digest, &m.unprotected_read_digest, &m.unprotected_write_digest}) {
      *v = in->U64();
    }
    m.last_seen = in->I64();
    m.reported_mixed = in->Bool();
    while (in->NextItem()) {
      ReadWritePairStats p;
      p.table = m.table;
      p.table_hash = m.table_hash;
      for (uint64_t* v : {&p.read_digest, &p.write_digest, &p.transactions, &p.matched_transactions,
                          &p.protected_transactions, &p.unprotected_transactions, &p.gap_insert_transactions,
                          &p.shared_upgrade_transactions, &p.idiom_deadlocks, &p.proven_errors}) {
        *v = in->U64();
      }
      for (bool* b :
           {&p.unscoped, &p.insert, &p.reported_unlocked, &p.reported_gap_insert, &p.reported_shared_upgrade})
        *b = in->Bool();
      p.last_seen = in->I64();
      const uint64_t key = PairKey(p.read_digest, p.write_digest, p.unscoped);
      if (!t.pairs.emplace(key, std::move(p)).second) in->Fail();  // not written by Save()
    }
    if (!in->ok()) break;
    // The summary claims one entry and each pair one more; the pairs that do
    // not fit are dropped, the summary (and the table) with them when it
    // does not fit itself.
    const uint64_t hash = m.table_hash;
    tables_.Update(hash, [&](auto& tables) {
      if (tables.find(hash) != tables.end() || !budget.TryClaim(limit, Footprint(t.summary.table))) {
        *dropped += 1 + t.pairs.size();
        return;
      }
      for (auto it = t.pairs.begin(); it != t.pairs.end();) {
        if (budget.TryClaim(limit, Footprint(t.summary.table))) {
          ++it;
        } else {
          ++*dropped;
          it = t.pairs.erase(it);
        }
      }
      tables.emplace(hash, std::move(t));
    });
  }
  return in->ok();
}

void ReadWritePairs::Reset() {
  // A table entry claimed one budget entry for its summary and one per pair.
  auto footprint = [](const TableEntry& t) {
    int64_t bytes = Footprint(t.summary.table);
    for (const auto& [key, p] : t.pairs) bytes += Footprint(p.table);
    return bytes;
  };
  tables_.Clear(footprint, [](const TableEntry& t) { return 1 + static_cast<uint64_t>(t.pairs.size()); });
}

bool ReadWritePairs::CurrentTableRmw(uint64_t table_hash, ReadWriteTableSummary* out) const {
  return tables_.Read(table_hash, [&](const auto& tables) {
    auto it = tables.find(table_hash);
    if (it == tables.end()) return false;
    *out = it->second.summary;
    out->protected_rmw_transactions = out->unprotected_rmw_transactions = 0;
    out->protected_read_digest = out->protected_write_digest = 0;
    out->unprotected_read_digest = out->unprotected_write_digest = 0;
    uint64_t best_protected = 0, best_unprotected = 0;
    for (const auto& [key, p] : it->second.pairs) {
      if (!Qualifies(p)) continue;
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
  });
}

}  // namespace lockdiag
