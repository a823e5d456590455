#include "core/audit/syslog_sink.h"

#include <syslog.h>

namespace lockdiag {

int SyslogPriority(std::string_view line) {
  constexpr std::string_view kPrefix = "{\"type\":\"";
  if (line.substr(0, kPrefix.size()) != kPrefix) return LOG_NOTICE;
  line.remove_prefix(kPrefix.size());
  const std::string_view type = line.substr(0, line.find('"'));
  if (type == "finding" || type == "encoding" || type == "connection_refused") return LOG_WARNING;
  if (type == "lifecycle") return LOG_INFO;
  return LOG_NOTICE;
}

void SyslogSink::Write(const std::string& line) {
  if (!open_) {
    // LOG_NDELAY: connect now, not in the middle of the first line. LOG_PID:
    // the server's pid, as its own lines carry.
    openlog(kIdent, LOG_PID | LOG_NDELAY, LOG_USER);
    open_ = true;
  }
  // "%s": a line is data, never a format.
  syslog(LOG_USER | SyslogPriority(line), "%s", line.c_str());
}

void SyslogSink::Close() {
  if (!open_) return;
  closelog();
  open_ = false;
}

}  // namespace lockdiag
