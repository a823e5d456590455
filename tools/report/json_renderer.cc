#include "json_renderer.h"

#include <nlohmann/json.hpp>

namespace lockdiag::report {
namespace {

using nlohmann::json;

// NULL stays null in the document: "unknown" is not "0".
json Opt(const std::optional<uint64_t>& v) { return v ? json(*v) : json(nullptr); }

json IncidentJson(const Incident& i, const std::string& server) {
  return {{"server", server},
          {"incident_id", i.incident_id},
          {"time", i.time},
          {"error_code", i.error_code},
          {"error_name", i.error_name},
          {"table", i.table.empty() ? json(nullptr) : json(i.table)},
          {"user", i.user},
          {"host", i.host},
          {"statement_digest", i.statement_digest},
          {"transaction_history", i.transaction_history},
          {"retried", i.retried.empty() ? json(nullptr) : json(i.retried)},
          {"conflict_kind", i.conflict_kind.empty() ? json(nullptr) : json(i.conflict_kind)}};
}

json FindingJson(const ReportFinding& rf) {
  const Finding& f = rf.finding;
  json seen = json::array();
  for (const auto& s : rf.seen_on)
    seen.push_back({{"server", s.server},
                    {"pattern_id", s.pattern_id ? json(s.pattern_id) : json(nullptr)},
                    {"occurrences", s.occurrences},
                    {"related_errors", s.related_errors}});
  json incidents = json::array();
  for (size_t i = 0; i < rf.incidents.size(); ++i)
    incidents.push_back(IncidentJson(rf.incidents[i], rf.incident_servers[i]));
  return {{"pattern", f.pattern},
          {"severity", SeverityName(f.severity)},
          {"objects", f.objects},
          {"occurrences", f.occurrences},
          {"related_errors", f.related_errors},
          {"first_seen", f.first_seen.empty() ? json(nullptr) : json(f.first_seen)},
          {"last_seen", f.last_seen.empty() ? json(nullptr) : json(f.last_seen)},
          {"evidence", f.evidence},
          {"advice", f.advice},
          {"cross_server", rf.cross_server},
          {"seen_on", seen},
          {"incidents", incidents}};
}

json TableJson(const std::string& server, const TableRow& t) {
  return {{"server", server},
          {"table", t.table},
          {"plain_reads", t.plain_reads},
          {"shared_reads", t.shared_reads},
          {"exclusive_reads", t.exclusive_reads},
          {"writes", t.writes},
          {"lock_tables", t.lock_tables},
          {"transactions", t.transactions},
          {"unlocked_read_write_transactions", t.unlocked_read_write_transactions},
          {"locked_read_write_transactions", t.locked_read_write_transactions},
          {"duplicate_key_errors", t.duplicate_key_errors},
          {"deadlocks", t.deadlocks},
          {"lock_wait_timeouts", t.lock_wait_timeouts},
          {"compare_and_set_writes", t.compare_and_set_writes},
          {"first_seen", t.first_seen},
          {"last_seen", t.last_seen}};
}

}  // namespace

std::string RenderJson(const Report& r) {
  json findings = json::array(), busiest = json::array(), conflicted = json::array(),
       encoding = json::array(), connections = json::array(), edges = json::array();
  for (const auto& f : r.findings) findings.push_back(FindingJson(f));
  for (const auto& t : r.busiest_tables) busiest.push_back(TableJson(t.server, t.row));
  for (const auto& t : r.conflicted_tables) conflicted.push_back(TableJson(t.server, t.row));
  for (const auto& [server, e] : r.encoding)
    encoding.push_back({{"server", server},
                        {"user", e.user},
                        {"host", e.host},
                        {"client_charset", e.client_charset},
                        {"table", e.table},
                        {"column", e.column.empty() ? json(nullptr) : json(e.column)},
                        {"column_charset", e.column_charset},
                        {"issue", e.issue},
                        {"occurrences", e.occurrences},
                        {"first_seen", e.first_seen},
                        {"last_seen", e.last_seen},
                        {"sample", e.sample},
                        {"statement_digest", e.statement_digest}});
  for (const auto& [server, c] : r.connections)
    connections.push_back({{"server", server},
                           {"user", c.user},
                           {"host", c.host},
                           {"outcome", c.outcome},
                           {"refused", c.Refused()},
                           {"attempts", c.attempts},
                           {"first_seen", c.first_seen},
                           {"last_seen", c.last_seen},
                           {"current", Opt(c.current)},
                           {"peak_concurrent", Opt(c.peak_concurrent)},
                           {"total_seconds", Opt(c.total_seconds)}});
  for (const auto& e : r.graph_edges) {
    json per = json::array();
    for (const auto& [server, n] : e.per_server) per.push_back({{"server", server}, {"transactions", n}});
    edges.push_back({{"from", e.from},
                     {"to", e.to},
                     {"transactions", e.transactions},
                     {"servers", per},
                     {"sample_digest", e.sample_digest},
                     {"inverted", e.inverted},
                     {"in_cycle", e.in_cycle}});
  }
  json counts = {{"HIGH", 0}, {"MEDIUM", 0}, {"LOW", 0}};
  for (const auto& f : r.findings)
    counts[SeverityName(f.finding.severity)] = counts[SeverityName(f.finding.severity)].get<int>() + 1;
  json doc = {{"schema_version", kJsonSchemaVersion},
              {"tool", "lockdiag-report"},
              {"servers", r.servers},
              {"summary", {{"findings", r.findings.size()}, {"by_severity", counts}}},
              {"findings", findings},
              {"busiest_tables", busiest},
              {"conflicted_tables", conflicted},
              {"encoding", encoding},
              {"connections", connections},
              {"lock_order", {{"nodes", r.graph_nodes}, {"edges", edges}}}};
  return doc.dump(2) + "\n";
}

}  // namespace lockdiag::report
