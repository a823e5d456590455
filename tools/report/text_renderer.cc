#include "text_renderer.h"

#include <cstdio>

#include "wrap.h"

namespace lockdiag::report {
namespace {

// How many linked incidents a finding shows (the count says how many exist).
constexpr size_t kIncidentsShown = 3;

class Painter {
 public:
  explicit Painter(bool on) : on_(on) {}
  std::string Bold(const std::string& s) const { return Paint("1", s); }
  std::string Sev(Severity sev) const {
    const char* code = sev == Severity::kHigh ? "1;31" : sev == Severity::kMedium ? "1;33" : "1;36";
    return Paint(code, SeverityName(sev));
  }

 private:
  std::string Paint(const char* code, const std::string& s) const {
    return on_ ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  }
  bool on_;
};

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string Heading(const Painter& p, const std::string& title) {
  return "\n" + p.Bold("== " + title) + "\n";
}

// A fixed-width table row: each cell padded to its width, the last one
// wrapped under itself, so the row never passes kReportWidth.
std::string Cells(const std::vector<std::pair<std::string, size_t>>& cells) {
  std::string head;
  for (size_t i = 0; i + 1 < cells.size(); ++i) {
    std::string c = cells[i].first;
    if (c.size() >= cells[i].second) c = c.substr(0, cells[i].second - 1);
    head += c + std::string(cells[i].second - c.size(), ' ');
  }
  return Wrap(cells.back().first, "  " + head, "  " + std::string(head.size(), ' '));
}

void RenderFinding(const Painter& p, const Report& r, size_t n, const ReportFinding& rf, std::string* out) {
  const Finding& f = rf.finding;
  std::string id = f.pattern_id ? " #" + std::to_string(f.pattern_id) : "";
  std::string head = std::to_string(n) + ". " + f.pattern + id;
  // The severity is painted after the width is known: escapes take no column.
  *out += "\n" + p.Sev(f.severity) + " " + p.Bold(head) + "\n";
  *out += Wrap(Join(f.objects, ", "), "   tables:      ", "                ");
  *out += "   counts:      " + std::to_string(f.occurrences) + " occurrences, " +
          std::to_string(f.related_errors) + " related errors\n";
  if (!f.first_seen.empty()) *out += "   seen:        " + f.first_seen + " .. " + f.last_seen + "\n";
  if (r.servers.size() > 1 || rf.cross_server) {
    std::vector<std::string> on;
    for (const auto& s : rf.seen_on)
      on.push_back(rf.cross_server ? s.server
                                   : s.server + " (#" + std::to_string(s.pattern_id) + ": " +
                                         std::to_string(s.occurrences) + ")");
    *out += Wrap(Join(on, ", ") + (rf.cross_server ? " (seen across servers)" : ""),
                 "   servers:     ", "                ");
  }
  for (size_t i = 0; i < rf.incidents.size() && i < kIncidentsShown; ++i) {
    const Incident& inc = rf.incidents[i];
    std::string where = r.servers.size() > 1 ? " on " + rf.incident_servers[i] : "";
    const std::string kind = inc.conflict_kind.empty() ? "" : " (" + inc.conflict_kind + ")";
    std::string line = inc.error_name + kind + " on " + (inc.table.empty() ? "?" : inc.table) + " at " +
                       inc.time + where + ": " + inc.statement_digest;
    *out += Wrap(line, i == 0 ? "   errors:      " : "                ", "                  ");
  }
  if (rf.incidents.size() > kIncidentsShown)
    *out += "                (" + std::to_string(rf.incidents.size() - kIncidentsShown) + " more)\n";
  if (!f.evidence.empty()) *out += Wrap(f.evidence, "   evidence:    ", "                ");
  if (!f.advice.empty()) *out += Wrap(f.advice, "   advice:      ", "                ");
}

std::string ServerCell(const Report& r, const std::string& server) {
  return r.servers.size() > 1 ? server + " " : "";
}

}  // namespace

std::string RenderText(const Report& r, bool color) {
  Painter p(color);
  std::string out = p.Bold("lockdiag report") + " of " + Join(r.servers, ", ") + "\n";

  size_t counts[4] = {0, 0, 0, 0};
  for (const auto& f : r.findings) ++counts[static_cast<int>(f.finding.severity)];
  out += Heading(p, "Findings: " + std::to_string(r.findings.size()) + " (" + std::to_string(counts[3]) +
                        " HIGH, " + std::to_string(counts[2]) + " MEDIUM, " + std::to_string(counts[1]) +
                        " LOW)");
  if (r.findings.empty()) out += "   none: lockdiag has seen no locking mistake\n";
  for (size_t i = 0; i < r.findings.size(); ++i) RenderFinding(p, r, i + 1, r.findings[i], &out);

  out += Heading(p, "Busiest tables (by transactions)");
  if (r.busiest_tables.empty())
    out += "   no table seen yet\n";
  else
    out += Cells({{"TRANSACTIONS", 14}, {"WRITES", 10}, {"LOCKING READS", 15}, {"TABLE", 0}});
  for (const auto& [server, t] : r.busiest_tables)
    out += Cells({{std::to_string(t.transactions), 14},
                  {std::to_string(t.writes), 10},
                  {std::to_string(t.shared_reads + t.exclusive_reads), 15},
                  {ServerCell(r, server) + t.table, 0}});

  out += Heading(p, "Most conflicted tables (by lock errors)");
  if (r.conflicted_tables.empty())
    out += "   no lock error on any table\n";
  else
    out += Cells({{"DUP KEYS", 10}, {"DEADLOCKS", 11}, {"TIMEOUTS", 10}, {"TABLE", 0}});
  for (const auto& [server, t] : r.conflicted_tables)
    out += Cells({{std::to_string(t.duplicate_key_errors), 10},
                  {std::to_string(t.deadlocks), 11},
                  {std::to_string(t.lock_wait_timeouts), 10},
                  {ServerCell(r, server) + t.table, 0}});

  out += Heading(p, "Encoding issues");
  if (r.encoding.empty()) out += "   none\n";
  for (const auto& [server, e] : r.encoding) {
    std::string col = e.table + (e.column.empty() ? "" : "." + e.column);
    std::string line = e.issue + " on " + col + " (" + e.column_charset + ") from " + e.user + "@" + e.host +
                       " with client charset " + e.client_charset + ", " + std::to_string(e.occurrences) +
                       " statements" + (r.servers.size() > 1 ? " on " + server : "") +
                       (e.sample.empty() ? "" : "; sample " + e.sample);
    out += Wrap(line, "   - ", "     ");
  }

  out += Heading(p, "Connections (refused first)");
  if (r.connections.empty()) out += "   none recorded\n";
  for (const auto& [server, c] : r.connections) {
    std::string line = c.user + "@" + c.host + ": " + c.outcome + " x" + std::to_string(c.attempts);
    if (c.peak_concurrent) line += ", peak " + std::to_string(*c.peak_concurrent) + " at once";
    if (c.current) line += ", " + std::to_string(*c.current) + " open now";
    if (r.servers.size() > 1) line += " (" + server + ")";
    out += Wrap(line, c.Refused() ? "   ! " : "   - ", "     ");
  }
  return out;
}

}  // namespace lockdiag::report
