// clock.h: the one clock lockdiag reads, at most once per statement, and
// the one way its times are written out.
#ifndef LOCKDIAG_CORE_COMMON_CLOCK_H_
#define LOCKDIAG_CORE_COMMON_CLOCK_H_

#include <cstdint>
#include <ctime>
#include <string>

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

// UtcDateTime: "2026-12-02 00:31:02", the UTC date and time of `micros`
// (seconds; the error log's, the status variables' and the trail's form).
inline std::string UtcDateTime(Timestamp micros) {
  const time_t seconds = static_cast<time_t>(micros / 1000000);
  tm t{};
  gmtime_r(&seconds, &t);
  char buf[32];
  const size_t n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &t);
  return std::string(buf, n);
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_CLOCK_H_
