#include "core/lock/incidents.h"

namespace lockdiag {

int64_t IncidentLog::Footprint(const Incident& i) {
  const IncidentRow& r = i.row;
  return static_cast<int64_t>(sizeof(Incident) + r.user.size() + r.host.size() + r.error_name.size() +
                              r.table_schema.size() + r.table_name.size() + r.statement_digest.size() +
                              r.transaction_history.size() + 8 * i.history_tables.size());
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
  if (ring_.empty()) return made;
  const uint64_t first = ring_.front().row.id;
  for (LinkChange& l : links) {
    if (l.incident < first || l.incident - first >= ring_.size() || l.pattern == 0) continue;
    Incident& i = ring_[l.incident - first];
    if (i.row.id != l.incident || l.rank >= i.link_rank || l.pattern == i.row.pattern_id) continue;
    l.replaced = i.row.pattern_id;
    i.row.pattern_id = l.pattern;
    i.link_rank = l.rank;
    made.push_back(l);
  }
  return made;
}

void IncidentLog::SetRetried(const std::vector<uint64_t>& ids, bool retried) {
  MutexLock lock(&mu_);
  if (ring_.empty()) return;
  const uint64_t first = ring_.front().row.id;
  for (uint64_t id : ids) {
    if (id < first || id - first >= ring_.size()) continue;
    ring_[id - first].row.retried = retried ? IncidentRow::Retried::kYes : IncidentRow::Retried::kNo;
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

void IncidentLog::Reset() {
  MutexLock lock(&mu_);
  while (!ring_.empty()) EvictOldest();
}

}  // namespace lockdiag
