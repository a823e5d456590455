// lock_holds.h: sessions that held locks other connections had to wait for,
// and the statements that waited or timed out meanwhile. Two kinds of
// holders are watched: backup sessions with read locks (mariadb-dump's LOCK
// TABLES ... READ LOCAL: BACKUP_BLOCKS_WRITERS) and transactions that sat
// idle between statements while holding row locks (LOCK_HELD_IDLE).
//
// A writer blocked by a holder finishes after the holder lets go, so either
// side can be reported first: a span counts the waits already recorded (and
// names the incidents among them, for linking), and a wait recorded later is
// counted against the spans it falls into. Both are kept in small rings (the
// last kMaxSpans spans and kMaxWaits waits); only slow lock waits
// (Analyzer::kSlowLockWaitMicros) and lock wait timeouts are recorded, never
// ordinary statements.
//
//   LockHoldWatch::Met met = watch.AddSpan({tables, start, end, conn, pattern_id, finding});
//   for (const LockHoldWatch::Hit& hit : watch.AddWait({conn, tables, start, end, incident})) ...
//
// Thread-safety: thread-safe. Locking rules: one Mutex guards both rings; it
// is taken at the end of a holder's span and at a slow lock wait (rare
// events), never per statement, and never held while another lockdiag lock
// is taken.
#ifndef LOCKDIAG_CORE_LOCK_LOCK_HOLDS_H_
#define LOCKDIAG_CORE_LOCK_LOCK_HOLDS_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "core/common/clock.h"
#include "core/common/thread_annotations.h"
#include "core/lock/patterns.h"

namespace lockdiag {

class LockHoldWatch {
 public:
  static constexpr size_t kMaxSpans = 64;
  static constexpr size_t kMaxWaits = 256;

  // A holder's span: `connection` held locks on `tables` from `start` to
  // `end`. `finding` names it; `pattern` is its id, or 0 while it is not
  // reported (an idle transaction's finding is reported only once somebody
  // waited in its span).
  struct Span {
    std::vector<uint64_t> tables;  // TableHash of the tables it held locks on
    Timestamp start = 0;
    Timestamp end = 0;
    uint64_t connection = 0;
    uint64_t pattern = 0;
    PatternCandidate finding;
  };
  // A statement of `connection` that waited for locks on `tables` from
  // `start` to `end`, or timed out at `end` (`incident`: its
  // LOCKDIAG_INCIDENTS id, 0 for a wait that ended well).
  struct Wait {
    uint64_t connection = 0;
    std::vector<uint64_t> tables;
    Timestamp start = 0;
    Timestamp end = 0;
    uint64_t incident = 0;
  };
  // What a new span met among the waits already recorded.
  struct Met {
    uint64_t victims = 0;             // waits of other connections in it
    std::vector<uint64_t> incidents;  // the timeouts among them
    uint64_t span = 0;                // the span's number, for SetPattern
  };
  // A span a new wait fell into: its pattern, or (pattern 0) the finding to
  // report, `first` when this wait is the span's first victim (its report
  // is a new occurrence; later ones only add victims).
  struct Hit {
    uint64_t pattern = 0;
    uint64_t span = 0;
    bool first = false;
    PatternCandidate finding;
  };

  Met AddSpan(Span span) EXCLUDES(mu_);
  // AddWait records a wait and returns the spans it falls into (a reported
  // pattern once, however many of its spans it met).
  std::vector<Hit> AddWait(Wait wait) EXCLUDES(mu_);
  // SetPattern records the id a span's finding was reported under.
  void SetPattern(uint64_t span, uint64_t pattern) EXCLUDES(mu_);
  void Reset() EXCLUDES(mu_);

 private:
  struct Kept {
    Span span;
    uint64_t number = 0;
    bool claimed = false;  // reported, or its first victim is being reported
  };
  struct KeptWait {
    Wait wait;
    // The findings it was counted for: one wait is one victim of a finding,
    // however many of its spans it met (back-to-back dumps, repeated idle
    // times of one code path).
    std::vector<uint64_t> counted_for;
  };
  static bool Overlaps(const Span& s, const Wait& w);

  Mutex mu_;
  std::deque<Kept> spans_ GUARDED_BY(mu_);
  std::deque<KeptWait> waits_ GUARDED_BY(mu_);
  uint64_t next_span_ GUARDED_BY(mu_) = 1;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_LOCK_HOLDS_H_
