// trail_adapter.h: the audit trail (lockdiag_log_file) as the plugin drives
// it: started at INSTALL with the lockdiag_log_* settings, told of lifecycle
// events and refused connections, stopped (after writing what is queued) at
// UNINSTALL. The findings, incidents and encoding findings reach it from the
// cores through TrailListener.
#ifndef LOCKDIAG_SERVER_TRAIL_ADAPTER_H_
#define LOCKDIAG_SERVER_TRAIL_ADAPTER_H_

#include <cstdint>
#include <string_view>

#include "core/audit/trail.h"

namespace lockdiag::server {

// TrailSettings: what the lockdiag_log_* variables say.
struct TrailSettings {
  const char* path = nullptr;  // lockdiag_log_file; empty or null: off
  uint64_t rotate_size = 0;    // lockdiag_log_rotate_size
  unsigned rotations = 0;      // lockdiag_log_rotations
  bool syslog = false;         // lockdiag_log_syslog
};

// TrailStart installs the listeners, applies `s` and writes "installed".
void TrailStart(const TrailSettings& s, const char* version);
// TrailConfigure applies changed settings (SET GLOBAL lockdiag_log_*).
void TrailConfigure(const TrailSettings& s);
// TrailLifecycle writes a lifecycle line: "enabled", "disabled", "reset".
void TrailLifecycle(const char* event, const char* version);
// TrailRefusedConnection writes a connection_refused line.
void TrailRefusedConnection(std::string_view user, std::string_view host, uint32_t code, const char* limit);
void TrailRotateNow();
// TrailStop writes "uninstalled", waits for the queue to be written, stops
// the writer and removes the listeners.
void TrailStop(const char* version);
Trail::Status TrailStatus();

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_TRAIL_ADAPTER_H_
