#include "core/lock/lock_holds.h"

#include <algorithm>

namespace lockdiag {

bool LockHoldWatch::Overlaps(const Span& s, const Wait& w) {
  // Another connection, a table the holder locked, and a wait that began
  // before the locks went (it may end a little after: it waited for them).
  if (w.connection == s.connection || w.start > s.end || w.end < s.start) return false;
  for (uint64_t t : w.tables) {
    if (std::find(s.tables.begin(), s.tables.end(), t) != s.tables.end()) return true;
  }
  return false;
}

LockHoldWatch::Met LockHoldWatch::AddSpan(Span span) {
  Met met;
  MutexLock lock(&mu_);
  for (KeptWait& kept : waits_) {
    const Wait& w = kept.wait;
    if (!Overlaps(span, w)) continue;
    if (span.pattern != 0) {
      std::vector<uint64_t>& seen = kept.counted_for;
      if (std::find(seen.begin(), seen.end(), span.pattern) != seen.end()) continue;
      seen.push_back(span.pattern);
    }
    ++met.victims;
    if (w.incident != 0) met.incidents.push_back(w.incident);
  }
  met.span = next_span_++;
  if (spans_.size() >= kMaxSpans) spans_.pop_front();
  // A span with victims is reported by the caller now.
  const bool claimed = span.pattern != 0 || met.victims > 0;
  spans_.push_back(Kept{std::move(span), met.span, claimed});
  return met;
}

std::vector<LockHoldWatch::Hit> LockHoldWatch::AddWait(Wait wait) {
  std::vector<Hit> hits;
  std::vector<uint64_t> counted_for;
  MutexLock lock(&mu_);
  for (Kept& k : spans_) {
    if (!Overlaps(k.span, wait)) continue;
    if (k.span.pattern != 0) {
      // One wait is one victim of a finding, however many of its spans it met.
      auto same = [&k](const Hit& h) { return h.pattern == k.span.pattern; };
      if (std::find_if(hits.begin(), hits.end(), same) == hits.end()) {
        hits.push_back(Hit{k.span.pattern, k.number, false, {}});
        counted_for.push_back(k.span.pattern);
      }
      continue;
    }
    hits.push_back(Hit{0, k.number, !k.claimed, k.span.finding});
    k.claimed = true;
  }
  if (waits_.size() >= kMaxWaits) waits_.pop_front();
  waits_.push_back(KeptWait{std::move(wait), std::move(counted_for)});
  return hits;
}

void LockHoldWatch::SetPattern(uint64_t span, uint64_t pattern) {
  MutexLock lock(&mu_);
  for (Kept& k : spans_) {
    if (k.number == span) k.span.pattern = pattern;
  }
}

void LockHoldWatch::Reset() {
  MutexLock lock(&mu_);
  spans_.clear();
  waits_.clear();
}

}  // namespace lockdiag
