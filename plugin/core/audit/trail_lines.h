// trail_lines.h: the JSON objects of the audit trail, one per line.
//
// Every line has "type" and "time" (UTC with microseconds,
// "2026-12-02T00:31:02.123456Z"); docs/audit.md documents each type's
// fields. Strings are escaped by nlohmann::json (Debian's nlohmann-json3-dev);
// bytes that are not UTF-8 (identifiers and digests come from clients) are
// replaced by U+FFFD rather than making the line invalid JSON.
#ifndef LOCKDIAG_CORE_AUDIT_TRAIL_LINES_H_
#define LOCKDIAG_CORE_AUDIT_TRAIL_LINES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/clock.h"
#include "core/encoding/encoding_store.h"
#include "core/lock/analyzer.h"
#include "core/lock/incidents.h"

namespace lockdiag {

// TrailTime: "2026-12-02T00:31:02.123456Z".
std::string TrailTime(Timestamp micros);

// {"type":"lifecycle","event":"installed",...}: installed, enabled,
// disabled, reset, uninstalled; `settings` is a short text of the settings.
std::string LifecycleLine(Timestamp now, std::string_view event, std::string_view version,
                          std::string_view settings);
// {"type":"finding",...}: a new row of LOCKDIAG_PATTERNS.
std::string FindingLine(Timestamp now, const PatternRow& row);
// {"type":"incident",...}: a new row of LOCKDIAG_INCIDENTS.
std::string IncidentLine(const IncidentRow& row);
// {"type":"encoding",...}: a new row of LOCKDIAG_ENCODING.
std::string EncodingLine(const encoding::EncodingRow& row);
// {"type":"connection_refused",...}: a failed connection attempt.
std::string RefusedConnectionLine(Timestamp now, std::string_view user, std::string_view host, uint32_t code,
                                  const char* limit);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_AUDIT_TRAIL_LINES_H_
