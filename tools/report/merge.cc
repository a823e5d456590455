#include "merge.h"

#include <algorithm>
#include <map>
#include <set>

#include "ranking.h"

namespace lockdiag::report {
namespace {

using Pair = std::pair<std::string, std::string>;  // (from, to)

// Directed orders one server observed, with their transactions and a digest.
// A row (A, B) says A->B TRANSACTIONS times and B->A REVERSE_TRANSACTIONS
// times; a server may also have the reversed row, so both are folded in.
std::map<Pair, std::pair<uint64_t, std::string>> OrdersOf(const ServerSnapshot& s) {
  std::map<Pair, std::pair<uint64_t, std::string>> out;
  auto add = [&](const std::string& a, const std::string& b, uint64_t n, const std::string& digest) {
    if (n == 0) return;
    auto& e = out[{a, b}];
    e.first = std::max(e.first, n);
    if (e.second.empty()) e.second = digest;  // the reversed-row fold brings none
  };
  for (const auto& r : s.lock_order) {
    add(r.first, r.second, r.transactions, r.sample_digest);
    add(r.second, r.first, r.reverse_transactions, "");
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

void MergeFindings(const std::vector<ServerSnapshot>& snaps, Report* r) {
  std::map<std::pair<std::string, std::vector<std::string>>, size_t> index;
  for (const auto& s : snaps) {
    for (const auto& f : s.findings) {
      auto key = std::make_pair(f.pattern, f.objects);
      auto it = index.find(key);
      if (it == index.end()) {
        it = index.emplace(key, r->findings.size()).first;
        r->findings.push_back(ReportFinding{f, {}, {}, {}, false});
      } else {
        Finding& m = r->findings[it->second].finding;
        m.pattern_id = 0;  // no single PATTERN_ID names it any more: the sightings do
        m.occurrences += f.occurrences;
        m.related_errors += f.related_errors;
        m.severity = std::max(m.severity, f.severity);
        m.first_seen = std::min(m.first_seen, f.first_seen);
        m.last_seen = std::max(m.last_seen, f.last_seen);
      }
      ReportFinding& rf = r->findings[it->second];
      rf.seen_on.push_back({s.server, f.pattern_id, f.occurrences, f.related_errors});
      for (const auto& i : s.incidents) {
        if (i.pattern_id == f.pattern_id) {
          rf.incidents.push_back(i);
          rf.incident_servers.push_back(s.server);
        }
      }
    }
  }
}

// Consecutive pairs of each LOCK_ORDER_CYCLE's OBJECTS (the cycle's own
// order), the last back to the first.
std::set<Pair> CycleEdges(const std::vector<ReportFinding>& findings) {
  std::set<Pair> out;
  for (const auto& f : findings) {
    const auto& o = f.finding.objects;
    if (f.finding.pattern != "LOCK_ORDER_CYCLE" || o.size() < 2) continue;
    for (size_t i = 0; i < o.size(); ++i) out.insert({o[i], o[(i + 1) % o.size()]});
  }
  return out;
}

void BuildGraph(const std::vector<ServerSnapshot>& snaps, Report* r) {
  std::map<Pair, GraphEdge> edges;
  std::set<std::string> nodes;
  for (const auto& s : snaps) {
    for (const auto& [pair, v] : OrdersOf(s)) {
      GraphEdge& e = edges[pair];
      e.from = pair.first;
      e.to = pair.second;
      e.transactions += v.first;
      e.per_server.push_back({s.server, v.first});
      if (e.sample_digest.empty()) e.sample_digest = v.second;
      nodes.insert(pair.first);
      nodes.insert(pair.second);
    }
  }
  std::set<Pair> cycle = CycleEdges(r->findings);
  for (auto& [pair, e] : edges) {
    e.inverted = edges.count({pair.second, pair.first}) > 0;
    e.in_cycle = cycle.count(pair) > 0;
    r->graph_edges.push_back(e);
  }
  r->graph_nodes.assign(nodes.begin(), nodes.end());
}

}  // namespace

std::vector<ReportFinding> CrossServerInversions(const std::vector<ServerSnapshot>& snaps) {
  // Which servers saw each directed order.
  std::map<Pair, std::vector<std::pair<std::string, uint64_t>>> seen;
  std::map<Pair, std::string> digest;
  for (const auto& s : snaps) {
    for (const auto& [pair, v] : OrdersOf(s)) {
      seen[pair].push_back({s.server, v.first});
      if (digest[pair].empty()) digest[pair] = v.second;
    }
  }
  std::vector<ReportFinding> out;
  for (const auto& [ab, on_ab] : seen) {
    if (ab.first >= ab.second) continue;  // each unordered pair once, from its smaller name
    auto ba_it = seen.find({ab.second, ab.first});
    if (ba_it == seen.end()) continue;
    const auto& on_ba = ba_it->second;
    // A server that saw both orders reports the inversion itself.
    bool one_server_saw_both = false;
    for (const auto& a : on_ab)
      for (const auto& b : on_ba) one_server_saw_both |= a.first == b.first;
    if (one_server_saw_both) continue;

    auto describe = [&](const Pair& p, const std::vector<std::pair<std::string, uint64_t>>& on) {
      std::vector<std::string> parts;
      uint64_t n = 0;
      for (const auto& [server, t] : on) {
        parts.push_back(server + " (" + std::to_string(t) + ")");
        n += t;
      }
      std::string d = digest[p].empty() ? "" : ": " + digest[p];
      return std::make_pair(p.first + " -> " + p.second + " on " + Join(parts, ", ") + d, n);
    };
    auto [ev_ab, n_ab] = describe(ab, on_ab);
    auto [ev_ba, n_ba] = describe({ab.second, ab.first}, on_ba);

    ReportFinding rf;
    Finding& f = rf.finding;
    f.pattern = "LOCK_ORDER_INVERSION";
    f.severity = Severity::kHigh;
    f.objects = {ab.first, ab.second};
    f.occurrences = n_ab + n_ba;
    f.evidence = "seen across servers: " + ev_ab + "; " + ev_ba;
    const Pair& majority = n_ab >= n_ba ? ab : Pair{ab.second, ab.first};
    f.advice = "Lock " + majority.first + " before " + majority.second +
               " in every transaction on every server: the two orders were each seen on a different "
               "server, and a failover or a change of routing brings them together.";
    std::set<std::string> servers;
    for (const auto* on : {&on_ab, &on_ba})
      for (const auto& [server, t] : *on) servers.insert(server);
    for (const auto& s : snaps)
      if (servers.count(s.server)) rf.seen_on.push_back({s.server, 0, 0, 0});
    rf.cross_server = true;
    out.push_back(std::move(rf));
  }
  return out;
}

Report BuildReport(const std::vector<ServerSnapshot>& snaps) {
  Report r;
  for (const auto& s : snaps) r.servers.push_back(s.server);
  MergeFindings(snaps, &r);
  for (auto& f : CrossServerInversions(snaps)) r.findings.push_back(std::move(f));
  BuildGraph(snaps, &r);
  for (const auto& s : snaps) {
    for (const auto& t : s.tables) r.busiest_tables.push_back({s.server, t});
    for (const auto& e : s.encoding) r.encoding.push_back({s.server, e});
    for (const auto& c : s.connections) r.connections.push_back({s.server, c});
  }
  r.conflicted_tables = r.busiest_tables;
  RankReport(&r);
  return r;
}

}  // namespace lockdiag::report
