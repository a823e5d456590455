// drop_log.h: the error log's note when a bound drops events
// (Lockdiag_dropped_events: a store is full; Lockdiag_log_dropped: the
// trail's queue is full or its file fails): at the first drop, then at most
// once an hour with the count since (core/common/drop_note.h).
#ifndef LOCKDIAG_SERVER_DROP_LOG_H_
#define LOCKDIAG_SERVER_DROP_LOG_H_

#include <cstdint>

namespace lockdiag::server {

// LogNewDrops reads both counters and writes a note to the error log
// (sql_print_warning) when one is due. Called from the housekeeper thread,
// about once a second; never from a connection thread, which must not wait
// for the error log. Never throws. Thread-safe (one mutex), though meant for
// that one caller.
void LogNewDrops();

// DroppedEvents: the value of Lockdiag_dropped_events (what the lock
// analysis, the encoding store and the connection store dropped), cheap
// enough to poll: no snapshot of the findings is taken.
uint64_t DroppedEvents();

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_DROP_LOG_H_
