// server_includes.h first, as in every adapter file.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/drop_log.h"
// The core after the server headers (see audit_adapter.cc).
#include <string>

#include "core/common/drop_note.h"
#include "core/common/thread_annotations.h"
#include "server/plugin_state.h"
#include "server/trail_adapter.h"

namespace lockdiag::server {
namespace {

Mutex g_mu;
DropNote g_events_note GUARDED_BY(g_mu){"Lockdiag_dropped_events", "events"};
DropNote g_trail_note GUARDED_BY(g_mu){"Lockdiag_log_dropped", "trail lines"};

}  // namespace

uint64_t DroppedEvents() {
  return GlobalAnalyzer().dropped_events() + GlobalEncodingStore().Status().dropped +
         GlobalConnectionStore().Status().dropped;
}

void LogNewDrops() {
  try {
    const uint64_t events = DroppedEvents();
    const uint64_t lines = TrailStatus().dropped;
    const Timestamp now = NowMicros();
    std::string events_text, lines_text;
    {
      MutexLock lock(&g_mu);
      events_text = g_events_note.Due(events, now);
      lines_text = g_trail_note.Due(lines, now);
    }
    // Outside the mutex: the error log is a file.
    if (!events_text.empty()) sql_print_warning("%s", events_text.c_str());
    if (!lines_text.empty()) sql_print_warning("%s", lines_text.c_str());
  } catch (...) {
    // Out of memory: the note waits for the next call.
  }
}

}  // namespace lockdiag::server
