#include "core/lock/table_stats.h"

#include <algorithm>

#include "core/common/heap_bytes.h"

namespace lockdiag {
namespace {

// Rough heap cost of one tracked table: the map node and the names.
int64_t Footprint(const TableStats& s) {
  return static_cast<int64_t>(sizeof(TableStats) + 64 + 2 * (s.row.schema.size() + s.row.table.size()));
}

PatternCandidate TableCandidate(PatternType type, uint64_t hash, const TableRow& t) {
  PatternCandidate c;
  c.type = type;
  c.tables.push_back(hash);
  c.names.push_back(QualifiedName(t.schema, t.table));
  return c;
}

}  // namespace

void DigestSample::Add(uint64_t digest, uint32_t n) {
  if (digest == 0 || n == 0) return;
  int empty = -1;
  for (int i = 0; i < kSlots; ++i) {
    if (count_[i] != 0 && digest_[i] == digest) {
      count_[i] += n;
      return;
    }
    if (count_[i] == 0 && empty < 0) empty = i;
  }
  if (empty < 0) {
    // Misra-Gries: a new digest when all slots are taken costs every slot
    // (and the newcomer) as much as the smallest slot holds, up to n.
    uint32_t cut = n;
    for (uint32_t c : count_) cut = std::min(cut, c);
    for (int i = 0; i < kSlots; ++i) {
      count_[i] -= cut;
      if (count_[i] == 0 && empty < 0) empty = i;
    }
    n -= cut;
    if (n == 0) return;
  }
  digest_[empty] = digest;
  count_[empty] = n;
}

void DigestSample::Merge(const DigestSample& other) {
  for (int i = 0; i < kSlots; ++i) Add(other.digest_[i], other.count_[i]);
}

uint64_t DigestSample::Top() const {
  int best = -1;
  for (int i = 0; i < kSlots; ++i) {
    if (count_[i] != 0 && (best < 0 || count_[i] > count_[best])) best = i;
  }
  return best < 0 ? 0 : digest_[best];
}

void DigestSample::Save(StateEncoder* out) const {
  out->Array(digest_);
  out->Array(count_);
}

void DigestSample::Load(StateDecoder* in) {
  in->Array(&digest_);
  in->Array(&count_);
}

void TableDelta::Start(const TxnTable& t) {
  std::string schema = std::move(add.row.schema);
  std::string table = std::move(add.row.table);
  add = TableStats{};
  add.row.schema = std::move(schema);
  add.row.table = std::move(table);
  add.row.schema.assign(t.schema);
  add.row.table.assign(t.table);
  hash = t.hash;
}

void TableDelta::Add(const TableUpdate& u, Timestamp now) {
  const TxnTable& t = *u.table;
  TableRow& r = add.row;
  for (int k = 0; k < kAccessKindCount; ++k) r.accesses[k] += t.accesses[k];
  r.transactions += 1;
  r.duplicate_key_errors += u.duplicate_keys;
  r.deadlocks += u.deadlocks;
  r.lock_wait_timeouts += u.lock_wait_timeouts;
  if (r.first_seen == 0 || now < r.first_seen) r.first_seen = now;
  if (now > r.last_seen) r.last_seen = now;
  const TableFacts& f = *u.facts;
  if (f.unlocked_read_write) r.unlocked_read_write_transactions += 1;
  if (f.locked_read_write) r.locked_read_write_transactions += 1;
  r.compare_and_set_writes += f.compare_and_set_writes;
  if (f.lock_tables && !u.backup) {
    add.lock_tables_txns++;
    add.lock_tables_sample.Add(f.lock_tables_digest);
  }
  if (f.locked_without_lock_tables) {
    add.locked_without_lock_tables_txns++;
    add.locked_without_lock_tables_sample.Add(f.locked_without_lock_tables_digest);
  }
  const int iso = static_cast<int>(u.isolation) & (kIsolationCount - 1);
  if (f.wrote) {
    add.write_txns_by_isolation[iso]++;
    add.write_sample_by_isolation[iso].Add(f.write_digest);
    add.first_sample_by_isolation[iso].Add(u.first_digest);
  }
}

size_t TableDelta::HeapBytes() const { return StringHeap(add.row.schema) + StringHeap(add.row.table); }

bool TableStatsStore::Apply(const TableUpdate& u, Timestamp now, uint64_t limit,
                            std::vector<PatternCandidate>* found) {
  TableDelta d;
  d.Start(*u.table);
  d.Add(u, now);
  return Apply(d, limit, found);
}

bool TableStatsStore::Apply(const TableDelta& d, uint64_t limit, std::vector<PatternCandidate>* found) {
  const TableStats& a = d.add;
  const TableRow& dr = a.row;
  if (dr.transactions == 0) return true;
  // What the update found under the shard lock.
  struct Outcome {
    bool tracked = false;
    bool mixed_lock_tables = false;
    bool mixed_isolation = false;
  };
  const Outcome o = tables_.Update(d.hash, [&](auto& tables) {
    Outcome out;
    auto it = tables.find(d.hash);
    if (it == tables.end()) {
      if (!tables_.budget().TryClaim(limit, Footprint(a))) return out;
      it = tables.emplace(d.hash, TableStats{}).first;
      it->second.row.schema = dr.schema;
      it->second.row.table = dr.table;
      it->second.row.first_seen = dr.first_seen;
    } else if (it->second.row.table != dr.table || it->second.row.schema != dr.schema) {
      return out;  // another table with the same hash: never mix them
    }
    out.tracked = true;
    TableStats& s = it->second;
    TableRow& r = s.row;
    for (int k = 0; k < kAccessKindCount; ++k) r.accesses[k] += dr.accesses[k];
    r.transactions += dr.transactions;
    r.duplicate_key_errors += dr.duplicate_key_errors;
    r.deadlocks += dr.deadlocks;
    r.lock_wait_timeouts += dr.lock_wait_timeouts;
    if (dr.last_seen > r.last_seen) r.last_seen = dr.last_seen;
    if (dr.first_seen < r.first_seen) r.first_seen = dr.first_seen;
    r.unlocked_read_write_transactions += dr.unlocked_read_write_transactions;
    r.locked_read_write_transactions += dr.locked_read_write_transactions;
    r.compare_and_set_writes += dr.compare_and_set_writes;
    s.lock_tables_txns += a.lock_tables_txns;
    s.lock_tables_sample.Merge(a.lock_tables_sample);
    s.locked_without_lock_tables_txns += a.locked_without_lock_tables_txns;
    s.locked_without_lock_tables_sample.Merge(a.locked_without_lock_tables_sample);
    bool wrote = false;
    for (int i = 0; i < kIsolationCount; ++i) {
      if (a.write_txns_by_isolation[i] == 0) continue;
      wrote = true;
      s.write_txns_by_isolation[i] += a.write_txns_by_isolation[i];
      s.write_sample_by_isolation[i].Merge(a.write_sample_by_isolation[i]);
      s.first_sample_by_isolation[i].Merge(a.first_sample_by_isolation[i]);
    }
    // Detectors: only when the class can have changed.
    if (!s.reported_mixed_lock_tables && (a.lock_tables_txns > 0 || a.locked_without_lock_tables_txns > 0) &&
        IsMixedLockTables(s.lock_tables_txns, s.locked_without_lock_tables_txns)) {
      s.reported_mixed_lock_tables = out.mixed_lock_tables = true;
    }
    if (!s.reported_mixed_isolation && wrote) {
      uint32_t mask = 0;
      for (int i = 0; i < kIsolationCount; ++i) {
        if (s.write_txns_by_isolation[i] > 0) mask |= 1u << i;
      }
      if (IsMixedIsolationLevels(mask)) s.reported_mixed_isolation = out.mixed_isolation = true;
    }
    return out;
  });
  if (!o.tracked) return false;
  // Candidates are built outside the lock (they allocate; this is rare).
  if (o.mixed_lock_tables) found->push_back(TableCandidate(PatternType::kMixedLockTables, d.hash, dr));
  if (o.mixed_isolation) found->push_back(TableCandidate(PatternType::kMixedIsolationLevels, d.hash, dr));
  return true;
}

std::vector<TableRow> TableStatsStore::Snapshot() const {
  std::vector<TableRow> rows;
  rows.reserve(tables_.count());
  tables_.ForEach([&](const TableStats& s) { rows.push_back(s.row); });
  return rows;
}

bool TableStatsStore::Lookup(uint64_t table_hash, TableStats* out) const {
  return tables_.Lookup(table_hash, out);
}

void TableStatsStore::Save(StateEncoder* out) const {
  tables_.ForEach([&](const TableStats& s) {
    out->Item();
    const TableRow& r = s.row;
    out->Str(r.schema);
    out->Str(r.table);
    out->Array(r.accesses);
    for (uint64_t v : {r.transactions, r.unlocked_read_write_transactions, r.locked_read_write_transactions,
                       r.duplicate_key_errors, r.deadlocks, r.lock_wait_timeouts, r.compare_and_set_writes}) {
      out->U64(v);
    }
    out->I64(r.first_seen);
    out->I64(r.last_seen);
    out->U64(s.lock_tables_txns);
    out->U64(s.locked_without_lock_tables_txns);
    s.lock_tables_sample.Save(out);
    s.locked_without_lock_tables_sample.Save(out);
    out->Array(s.write_txns_by_isolation);
    for (const DigestSample& d : s.write_sample_by_isolation) d.Save(out);
    for (const DigestSample& d : s.first_sample_by_isolation) d.Save(out);
    out->Bool(s.reported_mixed_lock_tables);
    out->Bool(s.reported_mixed_isolation);
  });
  out->EndItems();
}

bool TableStatsStore::Load(StateDecoder* in, uint64_t limit, uint64_t* dropped) {
  while (in->NextItem()) {
    TableStats s;
    TableRow& r = s.row;
    r.schema = in->Str(kStateMaxName);
    r.table = in->Str(kStateMaxName);
    in->Array(&r.accesses);
    for (uint64_t* v :
         {&r.transactions, &r.unlocked_read_write_transactions, &r.locked_read_write_transactions,
          &r.duplicate_key_errors, &r.deadlocks, &r.lock_wait_timeouts, &r.compare_and_set_writes}) {
      *v = in->U64();
    }
    r.first_seen = in->I64();
    r.last_seen = in->I64();
    s.lock_tables_txns = in->U64();
    s.locked_without_lock_tables_txns = in->U64();
    s.lock_tables_sample.Load(in);
    s.locked_without_lock_tables_sample.Load(in);
    in->Array(&s.write_txns_by_isolation);
    for (DigestSample& d : s.write_sample_by_isolation) d.Load(in);
    for (DigestSample& d : s.first_sample_by_isolation) d.Load(in);
    s.reported_mixed_lock_tables = in->Bool();
    s.reported_mixed_isolation = in->Bool();
    if (!in->ok()) break;
    const int64_t bytes = Footprint(s);
    if (!tables_.Restore(TableHash(r.schema, r.table), std::move(s), limit, bytes)) ++*dropped;
  }
  return in->ok();
}

void TableStatsStore::Reset() {
  tables_.Clear([](const TableStats& s) { return Footprint(s); });
}

}  // namespace lockdiag
