// drop_note.h: when to tell the error log that a bound dropped events, so
// that a full store or a full trail queue is noticed without flooding the
// log: at the first drop, then at most once per interval (an hour), with
// how many were dropped since the last note.
//
//   DropNote note("Lockdiag_dropped_events", "events");
//   // once a second, on a background thread:
//   std::string text = note.Due(counter_total, NowMicros());
//   if (!text.empty()) sql_print_warning("%s", text.c_str());
//
// The counter it watches may go back to zero (lockdiag_reset): drops
// counted after that are new drops, and the interval still holds.
//
// Thread-safety: none; one caller polls it (the housekeeper thread).
#ifndef LOCKDIAG_CORE_COMMON_DROP_NOTE_H_
#define LOCKDIAG_CORE_COMMON_DROP_NOTE_H_

#include <cstdint>
#include <string>

#include "core/common/clock.h"

namespace lockdiag {

class DropNote {
 public:
  // kInterval: the shortest time between two notes, in microseconds.
  static constexpr Timestamp kInterval = Timestamp{3600} * 1000000;

  // `counter` names the status variable ("Lockdiag_log_dropped"), `what`
  // the things dropped ("trail lines"). REQUIRES: both outlive the note.
  DropNote(const char* counter, const char* what) : counter_(counter), what_(what) {}

  // Due returns the note to write now, or "" when none is due: `total` is
  // the counter's current value, `now` the time.
  [[nodiscard]] std::string Due(uint64_t total, Timestamp now);

 private:
  const char* const counter_;
  const char* const what_;
  uint64_t last_seen_ = 0;  // the counter at the last call (a smaller one: a reset)
  uint64_t unnoted_ = 0;    // drops since the last note, across resets
  Timestamp last_note_ = 0;
  bool ever_noted_ = false;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_DROP_NOTE_H_
