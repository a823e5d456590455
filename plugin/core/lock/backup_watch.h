// backup_watch.h: backup sessions that held read locks (mariadb-dump's
// LOCK TABLES ... READ LOCAL), and the application statements that waited
// for their table locks or timed out meanwhile (BACKUP_BLOCKS_WRITERS).
//
// A writer blocked by a backup finishes after the backup's UNLOCK TABLES, so
// either side can be reported first: a span counts the waits already
// recorded, and a wait recorded later is counted against the spans it falls
// into. Both are kept in small rings (the last kMaxSpans spans and kMaxWaits
// slow waits); only slow lock waits (Analyzer::kSlowLockWaitMicros) and lock
// wait timeouts are recorded, never ordinary statements.
//
//   uint64_t victims = watch.AddSpan({tables, start, end, pattern_id, conn});
//   for (uint64_t pattern : watch.AddWait(conn, tables, start, end)) ...
//
// Thread-safety: thread-safe. Locking rules: one Mutex guards both rings; it
// is taken at a backup's end and at a slow lock wait (rare events), never
// per statement, and never held while another lockdiag lock is taken.
#ifndef LOCKDIAG_CORE_LOCK_BACKUP_WATCH_H_
#define LOCKDIAG_CORE_LOCK_BACKUP_WATCH_H_

#include <cstdint>
#include <deque>
#include <vector>

#include "core/common/clock.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

class BackupWatch {
 public:
  static constexpr size_t kMaxSpans = 32;
  static constexpr size_t kMaxWaits = 256;

  struct Span {
    std::vector<uint64_t> tables;  // TableHash of the transactional tables it read-locked
    Timestamp start = 0;
    Timestamp end = 0;
    uint64_t pattern = 0;  // its BACKUP_BLOCKS_WRITERS finding
    uint64_t connection = 0;
  };

  // AddSpan records a backup's read-lock span and returns how many waits of
  // other connections already recorded fall into it.
  uint64_t AddSpan(Span span) EXCLUDES(mu_);
  // AddWait records that a statement of `connection` waited for locks on
  // `tables` from `start` to `end` (or timed out at `end`), and returns the
  // patterns of the recorded spans it falls into.
  std::vector<uint64_t> AddWait(uint64_t connection, const std::vector<uint64_t>& tables, Timestamp start,
                                Timestamp end) EXCLUDES(mu_);
  void Reset() EXCLUDES(mu_);

 private:
  struct Wait {
    uint64_t connection;
    std::vector<uint64_t> tables;
    Timestamp start;
    Timestamp end;
  };
  static bool Overlaps(const Span& s, const Wait& w);

  Mutex mu_;
  std::deque<Span> spans_ GUARDED_BY(mu_);
  std::deque<Wait> waits_ GUARDED_BY(mu_);
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_BACKUP_WATCH_H_
