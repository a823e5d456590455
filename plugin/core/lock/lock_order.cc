#include "core/lock/lock_order.h"

#include <algorithm>

#include "core/common/hash.h"

namespace lockdiag {
namespace {

int64_t Footprint(const std::string& a, const std::string& b, const std::string& c, const std::string& d) {
  return static_cast<int64_t>(sizeof(std::pair<uint64_t, uint64_t>) + 256 + 2 * (a.size() + b.size()) +
                              2 * (c.size() + d.size()));
}

PatternCandidate Inversion(const TableNames& a, uint64_t ha, const TableNames& b, uint64_t hb) {
  // OBJECTS in name order, so one pair is one finding whichever way it showed.
  std::string na = a.Qualified(), nb = b.Qualified();
  PatternCandidate c;
  c.type = PatternType::kLockOrderInversion;
  if (nb < na) {
    std::swap(na, nb);
    std::swap(ha, hb);
  }
  c.tables = {ha, hb};
  c.names = {std::move(na), std::move(nb)};
  return c;
}

}  // namespace

uint64_t LockOrderGraph::PairKey(uint64_t lo, uint64_t hi) { return HashCombine(lo, hi); }

bool LockOrderGraph::Add(const TxnTable& first, const TxnTable& second, uint64_t digest, Timestamp now,
                         uint64_t limit, std::vector<PatternCandidate>* found) {
  if (first.hash == second.hash) return true;  // one table, no order
  const bool first_is_lo = first.hash < second.hash;
  const TxnTable& lo = first_is_lo ? first : second;
  const TxnTable& hi = first_is_lo ? second : first;
  const uint64_t key = PairKey(lo.hash, hi.hash);
  bool new_direction = false, inversion = false;
  TableNames lo_names, hi_names;
  const bool recorded = pairs_.Update(key, [&](auto& pairs) {
    auto it = pairs.find(key);
    if (it == pairs.end()) {
      if (!pairs_.budget().TryClaim(limit, Footprint(lo.schema, lo.table, hi.schema, hi.table))) return false;
      it = pairs.emplace(key, Entry{}).first;
      Entry& e = it->second;
      e.lo = TableNames{lo.schema, lo.table};
      e.hi = TableNames{hi.schema, hi.table};
      e.lo_hash = lo.hash;
      e.hi_hash = hi.hash;
    } else if (it->second.lo_hash != lo.hash || it->second.hi_hash != hi.hash ||
               !it->second.lo.Is(lo.schema, lo.table) || !it->second.hi.Is(hi.schema, hi.table)) {
      return false;  // a hash collision: never mix two pairs
    }
    Entry& e = it->second;
    Direction& d = first_is_lo ? e.lo_to_hi : e.hi_to_lo;
    new_direction = d.transactions++ == 0;
    if (d.sample_digest == 0) d.sample_digest = digest;
    if (now > d.last_seen) d.last_seen = now;
    if (!e.reported_inversion && IsLockOrderInversion(e.lo_to_hi.transactions, e.hi_to_lo.transactions)) {
      e.reported_inversion = inversion = true;
      lo_names = e.lo;
      hi_names = e.hi;
    }
    return true;
  });
  if (!recorded) return false;
  // The shard lock is released: build the finding, then take graph_mu_.
  if (inversion) found->push_back(Inversion(lo_names, lo.hash, hi_names, hi.hash));
  if (new_direction) AddDirection(first, second, found);
  return true;
}

void LockOrderGraph::AddDirection(const TxnTable& first, const TxnTable& second,
                                  std::vector<PatternCandidate>* found) {
  MutexLock lock(&graph_mu_);
  if (!LinkDirection({first.hash, first.schema, first.table}, {second.hash, second.schema, second.table}))
    return;
  SearchCycles(first.hash, second.hash, found);
}

bool LockOrderGraph::LinkDirection(const Node& first, const Node& second) {
  std::vector<uint64_t>& next = successors_[first.hash];
  if (std::find(next.begin(), next.end(), second.hash) != next.end()) return false;
  next.push_back(second.hash);
  int64_t bytes = 16;
  for (const Node* t : {&first, &second}) {
    if (names_.find(t->hash) != names_.end()) continue;
    const std::string& name = names_.emplace(t->hash, QualifiedName(t->schema, t->table)).first->second;
    bytes += 96 + 2 * static_cast<int64_t>(name.size());
  }
  graph_bytes_ += bytes;
  pairs_.budget().AddBytes(bytes);
  return true;
}

void LockOrderGraph::SearchCycles(uint64_t from, uint64_t to, std::vector<PatternCandidate>* found) {
  // The new edge from -> to closes a cycle for every simple path to ~> from.
  // Depth-first over paths of at most kMaxCycleLength tables; paths of one
  // edge (to -> from) are inversions, reported elsewhere.
  std::vector<uint64_t> path{from, to};
  size_t steps = 0, cycles = 0;
  auto on_path = [&path](uint64_t t) { return std::find(path.begin(), path.end(), t) != path.end(); };
  // Iterative DFS: `cursor[i]` is the next successor of path[i] to try.
  std::vector<size_t> cursor{0, 0};
  while (path.size() > 1 && steps < kMaxCycleSearchSteps && cycles < kMaxCyclesPerSearch) {
    const uint64_t node = path.back();
    auto it = successors_.find(node);
    const size_t n = it == successors_.end() ? 0 : it->second.size();
    if (cursor.back() >= n) {
      path.pop_back();
      cursor.pop_back();
      continue;
    }
    const uint64_t next = it->second[cursor.back()++];
    ++steps;
    if (next == from) {
      if (path.size() >= 3) {
        found->push_back(CycleOf(path));
        ++cycles;
      }
      continue;
    }
    if (path.size() < kMaxCycleLength && !on_path(next)) {
      path.push_back(next);
      cursor.push_back(0);
    }
  }
}

PatternCandidate LockOrderGraph::CycleOf(const std::vector<uint64_t>& path) {
  // Canonical rotation: start at the table with the smallest name, keep the
  // direction, so one cycle is one finding whichever edge closed it.
  size_t start = 0;
  for (size_t i = 1; i < path.size(); ++i) {
    if (names_[path[i]] < names_[path[start]]) start = i;
  }
  PatternCandidate c;
  c.type = PatternType::kLockOrderCycle;
  for (size_t i = 0; i < path.size(); ++i) {
    uint64_t t = path[(start + i) % path.size()];
    c.tables.push_back(t);
    c.names.push_back(names_[t]);
  }
  return c;
}

LockOrderEdge LockOrderGraph::EdgeOf(const Entry& e, bool lo_first) {
  LockOrderEdge out;
  const Direction& d = lo_first ? e.lo_to_hi : e.hi_to_lo;
  const Direction& r = lo_first ? e.hi_to_lo : e.lo_to_hi;
  out.first = lo_first ? e.lo : e.hi;
  out.second = lo_first ? e.hi : e.lo;
  out.first_hash = lo_first ? e.lo_hash : e.hi_hash;
  out.second_hash = lo_first ? e.hi_hash : e.lo_hash;
  out.transactions = d.transactions;
  out.reverse_transactions = r.transactions;
  out.sample_digest = d.sample_digest;
  out.last_seen = d.last_seen;
  return out;
}

std::vector<LockOrderEdge> LockOrderGraph::Snapshot() const {
  std::vector<LockOrderEdge> out;
  pairs_.ForEach([&](const Entry& e) {
    if (e.lo_to_hi.transactions > 0) out.push_back(EdgeOf(e, true));
    if (e.hi_to_lo.transactions > 0) out.push_back(EdgeOf(e, false));
  });
  return out;
}

bool LockOrderGraph::Lookup(uint64_t first_hash, uint64_t second_hash, LockOrderEdge* out) const {
  const bool first_is_lo = first_hash < second_hash;
  const uint64_t lo = first_is_lo ? first_hash : second_hash;
  const uint64_t hi = first_is_lo ? second_hash : first_hash;
  const uint64_t key = PairKey(lo, hi);
  return pairs_.Read(key, [&](const auto& pairs) {
    auto it = pairs.find(key);
    if (it == pairs.end() || it->second.lo_hash != lo || it->second.hi_hash != hi) return false;
    *out = EdgeOf(it->second, first_is_lo);
    return out->transactions > 0;
  });
}

void LockOrderGraph::Save(StateEncoder* out) const {
  pairs_.ForEach([&](const Entry& e) {
    out->Item();
    for (const TableNames* t : {&e.lo, &e.hi}) {
      out->Str(t->schema);
      out->Str(t->table);
    }
    for (const Direction* d : {&e.lo_to_hi, &e.hi_to_lo}) {
      out->U64(d->transactions);
      out->U64(d->sample_digest);
      out->I64(d->last_seen);
    }
    out->Bool(e.reported_inversion);
  });
  out->EndItems();
}

bool LockOrderGraph::Load(StateDecoder* in, uint64_t limit, uint64_t* dropped) {
  while (in->NextItem()) {
    Entry e;
    for (TableNames* t : {&e.lo, &e.hi}) {
      t->schema = in->Str(kStateMaxName);
      t->table = in->Str(kStateMaxName);
    }
    for (Direction* d : {&e.lo_to_hi, &e.hi_to_lo}) {
      d->transactions = in->U64();
      d->sample_digest = in->U64();
      d->last_seen = in->I64();
    }
    e.reported_inversion = in->Bool();
    e.lo_hash = TableHash(e.lo.schema, e.lo.table);
    e.hi_hash = TableHash(e.hi.schema, e.hi.table);
    if (e.lo_hash >= e.hi_hash) in->Fail();  // not written by Save()
    if (!in->ok()) break;
    const Entry copy = e;  // the names, for the adjacency lists
    const int64_t bytes = Footprint(e.lo.schema, e.lo.table, e.hi.schema, e.hi.table);
    if (!pairs_.Restore(PairKey(copy.lo_hash, copy.hi_hash), std::move(e), limit, bytes)) {
      ++*dropped;
      continue;
    }
    // The cycles these edges close were found when they were recorded: the
    // adjacency lists only need the edges back.
    const Node lo{copy.lo_hash, copy.lo.schema, copy.lo.table},
        hi{copy.hi_hash, copy.hi.schema, copy.hi.table};
    MutexLock lock(&graph_mu_);
    if (copy.lo_to_hi.transactions > 0) LinkDirection(lo, hi);
    if (copy.hi_to_lo.transactions > 0) LinkDirection(hi, lo);
  }
  return in->ok();
}

void LockOrderGraph::Reset() {
  // The successor graph first: an edge re-added during the reset must not
  // find its old successor entry (and skip adding it) just before the entry
  // is erased, or cycles through it would never be found.
  {
    MutexLock lock(&graph_mu_);
    successors_.clear();
    names_.clear();
    pairs_.budget().Release(0, graph_bytes_);
    graph_bytes_ = 0;
  }
  pairs_.Clear([](const Entry& e) { return Footprint(e.lo.schema, e.lo.table, e.hi.schema, e.hi.table); });
}

}  // namespace lockdiag
