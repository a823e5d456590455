// clock.h: the one clock lockdiag reads, at most once per statement.
#ifndef LOCKDIAG_CORE_COMMON_CLOCK_H_
#define LOCKDIAG_CORE_COMMON_CLOCK_H_

#include <cstdint>
#include <ctime>

namespace lockdiag {

// Microseconds since the Unix epoch, UTC.
using Timestamp = int64_t;

// NowMicros reads CLOCK_REALTIME_COARSE: a few nanoseconds (vDSO, no
// syscall) at the price of millisecond-ish resolution, which is what
// FIRST_SEEN / LAST_SEEN columns need.
inline Timestamp NowMicros() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return static_cast<Timestamp>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_CLOCK_H_
