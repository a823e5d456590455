// syslog_sink.h: the audit trail's lines in syslog (lockdiag_log_syslog).
//
//   SyslogSink sink;
//   settings.sink = &sink;   // Trail::Settings: the writer thread calls it
//
// Ident "lockdiag", facility LOG_USER (what a local syslog daemon or
// journald files as "user"; a DBA's rsyslog rule can match the ident), and
// the priority by the line's type (SyslogPriority). openlog() is process-wide:
// it is called on the first line (and again after Close), so a server_audit
// writing to syslog in the same server re-labels the other's lines with
// whichever ident was set last. Close() calls closelog(), which forgets the
// ident, so that no pointer into lockdiag.so survives UNINSTALL.
//
// Thread-safety: Write and Close are called by the trail's writer thread
// only (Trail guarantees it); never from a connection thread.
#ifndef LOCKDIAG_CORE_AUDIT_SYSLOG_SINK_H_
#define LOCKDIAG_CORE_AUDIT_SYSLOG_SINK_H_

#include <string>
#include <string_view>

#include "core/audit/trail.h"

namespace lockdiag {

// SyslogPriority: the syslog priority (LOG_WARNING, ...) of a trail line,
// read from its "type", which trail_lines.h writes first:
//   finding, encoding, connection_refused  LOG_WARNING (a problem to act on)
//   incident                               LOG_NOTICE  (an error the application saw)
//   lifecycle                              LOG_INFO
//   anything else                          LOG_NOTICE
int SyslogPriority(std::string_view line);

class SyslogSink : public TrailSink {
 public:
  static constexpr const char* kIdent = "lockdiag";

  void Write(const std::string& line) override;
  void Close() override;

 private:
  bool open_ = false;  // writer thread only
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_AUDIT_SYSLOG_SINK_H_
