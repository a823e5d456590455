#include "core/lock/backup_watch.h"

#include <algorithm>

namespace lockdiag {

bool BackupWatch::Overlaps(const Span& s, const Wait& w) {
  // Another connection, a table the backup locked, and a wait that began
  // before the locks went (it may end a little after: it waited for them).
  if (w.connection == s.connection || w.start > s.end || w.end < s.start) return false;
  for (uint64_t t : w.tables) {
    if (std::find(s.tables.begin(), s.tables.end(), t) != s.tables.end()) return true;
  }
  return false;
}

uint64_t BackupWatch::AddSpan(Span span) {
  MutexLock lock(&mu_);
  uint64_t victims = 0;
  for (const Wait& w : waits_) victims += Overlaps(span, w) ? 1 : 0;
  if (spans_.size() >= kMaxSpans) spans_.pop_front();
  spans_.push_back(std::move(span));
  return victims;
}

std::vector<uint64_t> BackupWatch::AddWait(uint64_t connection, const std::vector<uint64_t>& tables,
                                           Timestamp start, Timestamp end) {
  std::vector<uint64_t> patterns;
  MutexLock lock(&mu_);
  Wait w{connection, tables, start, end};
  for (const Span& s : spans_) {
    // One wait is one victim of a finding, however many of its spans it met.
    if (Overlaps(s, w) && std::find(patterns.begin(), patterns.end(), s.pattern) == patterns.end())
      patterns.push_back(s.pattern);
  }
  if (waits_.size() >= kMaxWaits) waits_.pop_front();
  waits_.push_back(std::move(w));
  return patterns;
}

void BackupWatch::Reset() {
  MutexLock lock(&mu_);
  spans_.clear();
  waits_.clear();
}

}  // namespace lockdiag
