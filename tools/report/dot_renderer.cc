#include "dot_renderer.h"

#include <cmath>
#include <algorithm>
#include <cstdio>

namespace lockdiag::report {

std::string DotQuote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out + "\"";
}

std::string RenderDot(const Report& r) {
  std::string out = "// The lock order lockdiag observed: an edge A -> B is 'A locked before B'.\n";
  out += "// Red: a pair locked in both orders, or an edge of a lock-order cycle.\n";
  out += "digraph lockdiag_lock_order {\n";
  std::string title = "lockdiag lock order of ";
  for (size_t i = 0; i < r.servers.size(); ++i) title += (i ? ", " : "") + r.servers[i];
  out += "  graph [rankdir=LR, fontname=\"DejaVu Sans\", label=" + DotQuote(title) + "];\n";
  out += "  node [shape=box, style=rounded, fontname=\"DejaVu Sans\"];\n";
  out += "  edge [fontname=\"DejaVu Sans\"];\n";
  for (const auto& n : r.graph_nodes) out += "  " + DotQuote(n) + ";\n";
  for (const auto& e : r.graph_edges) {
    std::string label = std::to_string(e.transactions);
    if (r.servers.size() > 1) {
      label += " (";
      for (size_t i = 0; i < e.per_server.size(); ++i)
        label += (i ? ", " : "") + e.per_server[i].first + ": " + std::to_string(e.per_server[i].second);
      label += ")";
    }
    // Thickness grows with the logarithm: 1 transaction is 1, 1000 about 6.
    char width[16];
    std::snprintf(width, sizeof width, "%.1f",
                  std::min(6.0, 1.0 + std::log10(double(e.transactions)) * 5 / 3));
    std::string attrs = "label=" + DotQuote(label) +
                        ", weight=" + std::to_string(std::min<uint64_t>(e.transactions, 100)) +
                        ", penwidth=" + width;
    if (e.inverted || e.in_cycle) attrs += ", color=red, fontcolor=red";
    if (!e.sample_digest.empty()) attrs += ", tooltip=" + DotQuote(e.sample_digest);
    out += "  " + DotQuote(e.from) + " -> " + DotQuote(e.to) + " [" + attrs + "];\n";
  }
  out += "}\n";
  return out;
}

}  // namespace lockdiag::report
