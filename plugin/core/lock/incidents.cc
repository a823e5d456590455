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
    if (i.row.pattern_id != 0 || i.tried_version == patterns_version) continue;
    i.tried_version = patterns_version;
    out.push_back(Pending{i.row.id, i.row.error_code, i.table_hash, i.digest, i.history_tables});
  }
  return out;
}

std::vector<std::pair<uint64_t, uint64_t>> IncidentLog::Link(
    const std::vector<std::pair<uint64_t, uint64_t>>& links) {
  std::vector<std::pair<uint64_t, uint64_t>> made;
  MutexLock lock(&mu_);
  if (ring_.empty()) return made;
  const uint64_t first = ring_.front().row.id;
  for (const auto& [incident, pattern] : links) {
    if (incident < first || incident - first >= ring_.size() || pattern == 0) continue;
    Incident& i = ring_[incident - first];
    if (i.row.id != incident || i.row.pattern_id != 0) continue;
    i.row.pattern_id = pattern;
    made.emplace_back(incident, pattern);
  }
  return made;
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
