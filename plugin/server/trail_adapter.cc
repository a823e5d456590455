// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/trail_adapter.h"
// The core after the server headers (see audit_adapter.cc).
#include <atomic>
#include <string>

#include "core/audit/syslog_sink.h"
#include "core/audit/trail_lines.h"
#include "core/common/thread_annotations.h"
#include "core/audit/trail_listener.h"
#include "server/plugin_state.h"

namespace lockdiag::server {
namespace {

// Before g_trail: the writer may use the sink until g_trail stops.
SyslogSink g_syslog;
Trail g_trail;
TrailListener g_listener(&g_trail);
// Installed instances of the audit plugin: the server may de-initialise an
// old instance after a new INSTALL started the next (session_registry.h);
// the trail stops with the last one.
std::atomic<int> g_instances{0};
Mutex g_lifecycle_mu;  // orders TrailStart and TrailStop

// ReportTrailError: the writer thread's failures (and its recovery) in the
// error log; sql_print_warning may be called from any thread.
void ReportTrailError(const char* message) {
  if (message == nullptr) {
    sql_print_information("lockdiag: writing lockdiag_log_file again");
  } else {
    sql_print_warning("lockdiag: lockdiag_log_file: %s; trail lines are dropped (Lockdiag_log_dropped)",
                      message);
  }
}

Trail::Settings SettingsOf(const TrailSettings& s) {
  Trail::Settings t;
  // A relative name is under the datadir: the server's working directory.
  t.path = s.path != nullptr ? s.path : "";
  t.rotate_size = s.rotate_size;
  t.rotations = s.rotations;
  t.on_error = ReportTrailError;
  t.sink = s.syslog ? &g_syslog : nullptr;
  return t;
}

std::string SettingsText(const TrailSettings& s) {
  const Config& c = GlobalConfig();
  return "lockdiag_enabled=" + std::string(c.enabled.load() ? "ON" : "OFF") +
         " lockdiag_max_tables=" + std::to_string(c.max_tables.load()) +
         " lockdiag_history_size=" + std::to_string(c.history_size.load()) +
         " lockdiag_log_rotate_size=" + std::to_string(s.rotate_size) +
         " lockdiag_log_rotations=" + std::to_string(s.rotations) +
         " lockdiag_log_syslog=" + (s.syslog ? "ON" : "OFF");
}

}  // namespace

void TrailStart(const TrailSettings& s, const char* version) {
  // The server runs an old instance's deinit and a new one's init without
  // its plugin lock: one mutex orders them here.
  MutexLock lock(&g_lifecycle_mu);
  g_instances.fetch_add(1);
  try {
    g_trail.Configure(SettingsOf(s));
    GlobalAnalyzer().SetListener(&g_listener);
    GlobalEncodingStore().SetListener(&g_listener);
    if (g_trail.enabled())
      (void)g_trail.Append(LifecycleLine(NowMicros(), "installed", version, SettingsText(s)));
  } catch (...) {
    // Undo, so that no writer outlives a failed INSTALL.
    if (g_instances.fetch_sub(1) == 1) {
      GlobalAnalyzer().SetListener(nullptr);
      GlobalEncodingStore().SetListener(nullptr);
      g_trail.Stop();
    }
    throw;
  }
}

void TrailConfigure(const TrailSettings& s) {
  MutexLock lock(&g_lifecycle_mu);
  // Only while an instance runs: Configure starts the writer thread.
  if (g_instances.load() > 0) g_trail.Configure(SettingsOf(s));
}

void TrailLifecycle(const char* event, const char* version) {
  if (g_trail.enabled()) (void)g_trail.Append(LifecycleLine(NowMicros(), event, version, {}));
}

void TrailRefusedConnection(std::string_view user, std::string_view host, uint32_t code, const char* limit) {
  if (g_trail.enabled()) (void)g_trail.Append(RefusedConnectionLine(NowMicros(), user, host, code, limit));
}

void TrailRotateNow() { g_trail.RotateNow(); }

void TrailStop(const char* version) {
  MutexLock lock(&g_lifecycle_mu);
  if (g_instances.fetch_sub(1) > 1) return;  // a newer instance runs on
  try {
    if (g_trail.enabled()) (void)g_trail.Append(LifecycleLine(NowMicros(), "uninstalled", version, {}));
  } catch (...) {
    // Out of memory for the last line: the trail stops without it.
  }
  GlobalAnalyzer().SetListener(nullptr);
  GlobalEncodingStore().SetListener(nullptr);
  // Writes what is queued and joins the writer: no thread of this library
  // may run once the server unloads it.
  g_trail.Stop();
}

Trail::Status TrailStatus() { return g_trail.status(); }

}  // namespace lockdiag::server
