#include "core/audit/trail_lines.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/audit/connection_store.h"
#include "core/lock/lock_errors.h"

namespace lockdiag {
namespace {

using Json = nlohmann::ordered_json;

Json Line(std::string_view type, Timestamp time) {
  Json j;
  j["type"] = type;
  j["time"] = TrailTime(time);
  return j;
}

std::string Dump(const Json& j) {
  // replace: invalid UTF-8 becomes U+FFFD instead of an exception.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Nullable: an empty name is JSON null (an unknown table).
Json Nullable(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

}  // namespace

std::string TrailTime(Timestamp micros) {
  // ISO 8601: the date and time with a T between, microseconds, Z for UTC.
  std::string out = UtcDateTime(micros);
  out[10] = 'T';
  char frac[16];
  snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>(micros % 1000000));
  return out + frac;
}

std::string LifecycleLine(Timestamp now, std::string_view event, std::string_view version,
                          std::string_view settings) {
  Json j = Line("lifecycle", now);
  j["event"] = event;
  j["version"] = version;
  if (!settings.empty()) j["settings"] = settings;
  return Dump(j);
}

std::string FindingLine(Timestamp now, const PatternRow& row) {
  Json j = Line("finding", now);
  j["pattern_id"] = row.id;
  j["pattern"] = row.pattern;
  j["severity"] = row.severity;
  j["objects"] = row.objects;
  j["occurrences"] = row.occurrences;
  j["evidence"] = row.evidence;
  j["advice"] = row.advice;
  return Dump(j);
}

std::string IncidentLine(const IncidentRow& row) {
  Json j = Line("incident", row.time);
  j["incident_id"] = row.id;
  j["thread_id"] = row.thread_id;
  j["user"] = row.user;
  j["host"] = row.host;
  j["error_code"] = ClientErrorCode(row.error_code);
  j["error_name"] = row.error_name;
  const char* kind = ClusterConflictKind(row.error_code);
  j["conflict_kind"] = kind == nullptr ? Json(nullptr) : Json(kind);
  j["table_schema"] = Nullable(row.table_schema);
  j["table_name"] = Nullable(row.table_name);
  j["statement_digest"] = row.statement_digest;
  j["transaction_history"] = row.transaction_history;
  j["pattern_id"] = row.pattern_id == 0 ? Json(nullptr) : Json(row.pattern_id);
  return Dump(j);
}

std::string EncodingLine(const encoding::EncodingRow& row) {
  Json j = Line("encoding", row.first_seen);
  j["issue"] = encoding::IssueName(row.issue);
  j["user"] = row.user;
  j["host"] = row.host;
  j["client_charset"] = row.client_charset;
  j["table_schema"] = Nullable(row.schema);
  j["table_name"] = Nullable(row.table);
  j["column_name"] = row.column_is_null ? Json(nullptr) : Nullable(row.column);
  j["column_charset"] = row.column_charset;
  j["sample"] = row.sample;
  j["statement_digest"] = row.statement_digest;
  return Dump(j);
}

std::string RefusedConnectionLine(Timestamp now, std::string_view user, std::string_view host, uint32_t code,
                                  const char* limit) {
  Json j = Line("connection_refused", now);
  j["user"] = user;
  j["host"] = host;
  j["error_code"] = code;
  j["error_name"] = ConnectionErrorName(code);
  j["limit"] = limit == nullptr ? Json(nullptr) : Json(limit);
  return Dump(j);
}

}  // namespace lockdiag
