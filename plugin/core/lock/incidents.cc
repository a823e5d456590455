#include "core/lock/incidents.h"

#include <algorithm>

namespace lockdiag {

int64_t IncidentLog::Footprint(const Incident& i) {
  const IncidentRow& r = i.row;
  return static_cast<int64_t>(sizeof(Incident) + r.user.size() + r.host.size() + r.error_name.size() +
                              r.table_schema.size() + r.table_name.size() + r.statement_digest.size() +
                              r.transaction_history.size() + 8 * i.history_tables.size());
}

Incident* IncidentLog::Find(uint64_t id) {
  auto it = std::lower_bound(ring_.begin(), ring_.end(), id,
                             [](const Incident& i, uint64_t want) { return i.row.id < want; });
  return it != ring_.end() && it->row.id == id ? &*it : nullptr;
}

void IncidentLog::EvictOldest() {
  budget_.Release(0, Footprint(ring_.front()));
  ring_.pop_front();
}

uint64_t IncidentLog::Record(Incident incident, size_t capacity) {
  MutexLock lock(&mu_);
  const uint64_t id = next_id_++;
  while (!ring_.empty() && ring_.size() >= capacity) EvictOldest();
  if (capacity == 0) return 0;
  incident.row.id = id;
  budget_.AddBytes(Footprint(incident));
  ring_.push_back(std::move(incident));
  return id;
}

std::vector<IncidentLog::Pending> IncidentLog::TakePending(uint64_t patterns_version) {
  std::vector<Pending> out;
  MutexLock lock(&mu_);
  for (Incident& i : ring_) {
    if (i.link_rank <= 0 || i.tried_version == patterns_version) continue;
    i.tried_version = patterns_version;
    out.push_back(Pending{i.row.id, i.row.error_code, i.table_hash, i.digest, i.history_tables});
  }
  return out;
}

std::vector<IncidentLog::LinkChange> IncidentLog::Link(std::vector<LinkChange> links) {
  std::vector<LinkChange> made;
  MutexLock lock(&mu_);
  for (LinkChange& l : links) {
    Incident* i = l.pattern == 0 ? nullptr : Find(l.incident);
    if (i == nullptr || l.rank >= i->link_rank || l.pattern == i->row.pattern_id) continue;
    l.replaced = i->row.pattern_id;
    i->row.pattern_id = l.pattern;
    i->link_rank = l.rank;
    made.push_back(l);
  }
  return made;
}

void IncidentLog::SetRetried(const std::vector<uint64_t>& ids, bool retried) {
  MutexLock lock(&mu_);
  for (uint64_t id : ids) {
    if (Incident* i = Find(id))
      i->row.retried = retried ? IncidentRow::Retried::kYes : IncidentRow::Retried::kNo;
  }
}

std::vector<IncidentRow> IncidentLog::Snapshot() const {
  MutexLock lock(&mu_);
  std::vector<IncidentRow> out;
  out.reserve(ring_.size());
  for (const Incident& i : ring_) out.push_back(i.row);
  return out;
}

uint64_t IncidentLog::count() const {
  MutexLock lock(&mu_);
  return ring_.size();
}

void IncidentLog::Save(StateEncoder* out, uint64_t id_reserve) const {
  MutexLock lock(&mu_);
  out->U64(next_id_ + id_reserve);
  for (const Incident& i : ring_) {
    out->Item();
    const IncidentRow& r = i.row;
    out->U64(r.id);
    out->I64(r.time);
    out->U64(r.thread_id);
    for (const std::string* t : {&r.user, &r.host, &r.error_name, &r.table_schema, &r.table_name,
                                 &r.statement_digest, &r.transaction_history}) {
      out->Str(*t);
    }
    out->U32(r.error_code);
    out->U64(r.pattern_id);
    out->U64(static_cast<uint64_t>(r.retried));
    out->U64(i.table_hash);
    out->U64(i.digest);
    out->U64(i.history_tables.size());
    for (uint64_t t : i.history_tables) out->U64(t);
    out->I64(i.link_rank);
  }
  out->EndItems();
}

bool IncidentLog::Load(StateDecoder* in, size_t capacity, uint64_t* dropped) {
  const uint64_t saved_next_id = in->U64();
  std::deque<Incident> loaded;
  while (in->NextItem()) {
    Incident i;
    IncidentRow& r = i.row;
    r.id = in->U64();
    r.time = in->I64();
    r.thread_id = in->U64();
    for (std::string* t : {&r.user, &r.host, &r.error_name, &r.table_schema, &r.table_name,
                           &r.statement_digest, &r.transaction_history}) {
      *t = in->Str(kStateMaxText);
    }
    r.error_code = in->U32();
    r.pattern_id = in->U64();
    const uint64_t retried = in->U64();
    i.table_hash = in->U64();
    i.digest = in->U64();
    const size_t n = in->Count(kStateMaxText);
    for (size_t k = 0; k < n; ++k) i.history_tables.push_back(in->U64());
    const int64_t rank = in->I64();
    // Ids increase and stay below the next id (Record() keeps them so).
    // They need not be consecutive: after a crash the ids went on past the
    // reserve while the incidents loaded from the last save were kept.
    if (retried > static_cast<uint64_t>(IncidentRow::Retried::kYes) || rank < kProvenRank ||
        rank > PatternStore::kNoLink || r.id == 0 || r.id >= saved_next_id ||
        (!loaded.empty() && r.id <= loaded.back().row.id)) {
      in->Fail();
    }
    if (!in->ok()) break;
    r.retried = static_cast<IncidentRow::Retried>(retried);
    i.link_rank = static_cast<int>(rank);
    loaded.push_back(std::move(i));
  }
  if (!in->ok()) return false;
  MutexLock lock(&mu_);
  if (!ring_.empty()) {
    *dropped += loaded.size();  // only an empty log is loaded into
    return true;
  }
  while (loaded.size() > capacity) {
    loaded.pop_front();
    ++*dropped;
  }
  for (Incident& i : loaded) {
    budget_.AddBytes(Footprint(i));
    ring_.push_back(std::move(i));
  }
  if (saved_next_id > next_id_) next_id_ = saved_next_id;
  return true;
}

void IncidentLog::Reset() {
  MutexLock lock(&mu_);
  while (!ring_.empty()) EvictOldest();
}

}  // namespace lockdiag
