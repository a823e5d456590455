#include "html_renderer.h"

namespace lockdiag::report {
namespace {

// Inline, so that the page needs nothing else to look right.
constexpr const char* kStyle =
    R"(body{font-family:"DejaVu Sans",sans-serif;margin:2em;max-width:70em;color:#222}
h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:2em}
.finding{border-left:6px solid #888;padding:.4em 1em;margin:1em 0;background:#fafafa}
.HIGH{border-color:#c00}.MEDIUM{border-color:#d80}.LOW{border-color:#08a}
.sev{font-weight:bold}.sev.HIGH{color:#c00}.sev.MEDIUM{color:#b60}.sev.LOW{color:#08a}
dt{font-weight:bold;float:left;width:7em}dd{margin-left:8em;margin-bottom:.3em}
code{font-size:.9em;word-break:break-all}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}
.missing{border:2px dashed #c00;padding:1em;color:#c00;font-weight:bold}
.graph svg{max-width:100%;height:auto})";

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string Row(const std::vector<std::string>& cells, const char* tag = "td") {
  std::string out = "<tr>";
  for (const auto& c : cells) out += std::string("<") + tag + ">" + HtmlEscape(c) + "</" + tag + ">";
  return out + "</tr>\n";
}

// Graphviz's SVG starts with an XML declaration and a DOCTYPE, which are not
// allowed inside an HTML body: the page keeps only the <svg> element.
std::string SvgElement(const std::string& svg) {
  size_t start = svg.find("<svg");
  return start == std::string::npos ? svg : svg.substr(start);
}

void FindingSection(const Report& r, const ReportFinding& rf, std::string* out) {
  const auto& f = rf.finding;
  const char* sev = SeverityName(f.severity);
  *out += std::string("<section class=\"finding ") + sev + "\" data-pattern=\"" + HtmlEscape(f.pattern) +
          "\">\n<h3><span class=\"sev " + sev + "\">" + sev + "</span> " + HtmlEscape(f.pattern) +
          "</h3>\n<dl>\n";
  auto item = [&](const char* name, const std::string& value, bool code = false) {
    if (value.empty()) return;
    *out += std::string("<dt>") + name + "</dt><dd>" + (code ? "<code>" : "") + HtmlEscape(value) +
            (code ? "</code>" : "") + "</dd>\n";
  };
  item("tables", Join(f.objects, ", "));
  item("counts", std::to_string(f.occurrences) + " occurrences, " + std::to_string(f.related_errors) +
                     " related errors");
  if (r.servers.size() > 1 || rf.cross_server) {
    std::vector<std::string> on;
    for (const auto& s : rf.seen_on) on.push_back(s.server);
    item("servers", Join(on, ", ") + (rf.cross_server ? " (seen across servers)" : ""));
  }
  for (size_t i = 0; i < rf.incidents.size() && i < 5; ++i) {
    const auto& inc = rf.incidents[i];
    item(i == 0 ? "errors" : "",
         inc.error_name + " on " + inc.table + " at " + inc.time + ": " + inc.statement_digest);
  }
  item("evidence", f.evidence, true);
  item("advice", f.advice);
  *out += "</dl>\n</section>\n";
}

}  // namespace

std::string HtmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string RenderHtml(const Report& r, const GraphPicture& graph) {
  std::string servers = HtmlEscape(Join(r.servers, ", "));
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>lockdiag report of " +
      servers + "</title>\n<style>\n" + kStyle + "\n</style>\n</head>\n<body>\n";
  out += "<h1>lockdiag report of " + servers + "</h1>\n";
  out += "<h2 id=\"findings\">Findings (" + std::to_string(r.findings.size()) + ")</h2>\n";
  if (r.findings.empty()) out += "<p>None: lockdiag has seen no locking mistake.</p>\n";
  for (const auto& f : r.findings) FindingSection(r, f, &out);

  out +=
      "<h2 id=\"lock-order\">Lock order</h2>\n<p>An arrow A &rarr; B: transactions locked A before B "
      "(the label counts them). Red: a pair locked in both orders, or part of a cycle.</p>\n";
  if (graph.rendered)
    out += "<div class=\"graph\">\n" + SvgElement(graph.svg) + "</div>\n";
  else
    out += "<p class=\"missing\" id=\"graph-missing\">" + HtmlEscape(graph.missing) + "</p>\n";

  out += "<h2 id=\"tables\">Busiest tables</h2>\n<table>\n" +
         Row({"server", "table", "transactions", "writes", "locking reads", "plain reads"}, "th");
  for (const auto& [server, t] : r.busiest_tables)
    out += Row({server, t.table, std::to_string(t.transactions), std::to_string(t.writes),
                std::to_string(t.shared_reads + t.exclusive_reads), std::to_string(t.plain_reads)});
  out += "</table>\n<h2 id=\"conflicts\">Most conflicted tables</h2>\n<table>\n" +
         Row({"server", "table", "duplicate keys", "deadlocks", "lock wait timeouts"}, "th");
  for (const auto& [server, t] : r.conflicted_tables)
    out += Row({server, t.table, std::to_string(t.duplicate_key_errors), std::to_string(t.deadlocks),
                std::to_string(t.lock_wait_timeouts)});
  out += "</table>\n<h2 id=\"encoding\">Encoding issues</h2>\n<table>\n" +
         Row({"server", "issue", "table.column", "column charset", "client charset", "account", "statements",
              "sample"},
             "th");
  for (const auto& [server, e] : r.encoding)
    out += Row({server, e.issue, e.table + (e.column.empty() ? "" : "." + e.column), e.column_charset,
                e.client_charset, e.user + "@" + e.host, std::to_string(e.occurrences), e.sample});
  out += "</table>\n<h2 id=\"connections\">Connections</h2>\n<table>\n" +
         Row({"server", "account", "outcome", "attempts", "peak at once", "open now"}, "th");
  for (const auto& [server, c] : r.connections)
    out += Row({server, c.user + "@" + c.host, c.outcome, std::to_string(c.attempts),
                c.peak_concurrent ? std::to_string(*c.peak_concurrent) : "",
                c.current ? std::to_string(*c.current) : ""});
  out += "</table>\n</body>\n</html>\n";
  return out;
}

}  // namespace lockdiag::report
