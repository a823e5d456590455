// lock_order_groups.cc: strongly connected components of the lock-order
// graph and a minimum-weight feedback arc set order for each (exact by
// dynamic programming over subsets for small groups, Eades-Lin-Smyth plus
// bounded insertion refinement beyond).
#include "core/lock/lock_order_groups.h"

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

namespace lockdiag {
namespace {

// One direction between two tables of the graph, after merging duplicates.
struct Arc {
  size_t from = 0;  // node index (nodes are ranked by name)
  size_t to = 0;
  uint64_t weight = 0;
  LockOrderEdge edge;  // the input element it came from (transactions = weight)
};

// The graph: nodes ranked by (name, hash), arcs sorted by (from, to).
struct Graph {
  std::vector<LockOrderTable> nodes;
  std::vector<Arc> arcs;
  std::vector<std::vector<size_t>> out;  // arc indices by `from`
};

Graph BuildGraph(const std::vector<LockOrderEdge>& edges) {
  // Sorting first makes the merge independent of the input order.
  std::vector<const LockOrderEdge*> sorted;
  sorted.reserve(edges.size());
  for (const LockOrderEdge& e : edges) {
    if (e.transactions == 0 || e.first_hash == e.second_hash) continue;
    sorted.push_back(&e);
  }
  std::sort(sorted.begin(), sorted.end(), [](const LockOrderEdge* a, const LockOrderEdge* b) {
    return std::make_tuple(a->first_hash, a->second_hash, b->transactions, b->last_seen, a->sample_digest) <
           std::make_tuple(b->first_hash, b->second_hash, a->transactions, a->last_seen, b->sample_digest);
  });

  // Names: the smallest one seen for each hash.
  std::unordered_map<uint64_t, std::string> names;
  auto name = [&names](uint64_t hash, const TableNames& t) {
    std::string q = t.Qualified();
    auto it = names.find(hash);
    if (it == names.end())
      names.emplace(hash, std::move(q));
    else if (q < it->second)
      it->second = std::move(q);
  };
  for (const LockOrderEdge* e : sorted) {
    name(e->first_hash, e->first);
    name(e->second_hash, e->second);
  }

  Graph g;
  g.nodes.reserve(names.size());
  for (auto& [hash, n] : names) g.nodes.push_back(LockOrderTable{hash, n});
  std::sort(g.nodes.begin(), g.nodes.end(), [](const LockOrderTable& a, const LockOrderTable& b) {
    return std::tie(a.name, a.hash) < std::tie(b.name, b.hash);
  });
  std::unordered_map<uint64_t, size_t> rank;
  rank.reserve(g.nodes.size());
  for (size_t i = 0; i < g.nodes.size(); ++i) rank.emplace(g.nodes[i].hash, i);

  for (size_t i = 0; i < sorted.size(); ++i) {
    const LockOrderEdge& e = *sorted[i];
    if (i > 0 && sorted[i - 1]->first_hash == e.first_hash && sorted[i - 1]->second_hash == e.second_hash) {
      // A duplicate direction: the heavier element (first in sort order) is kept as the sample.
      g.arcs.back().weight += e.transactions;
      g.arcs.back().edge.transactions = g.arcs.back().weight;
      continue;
    }
    Arc a;
    a.from = rank.at(e.first_hash);
    a.to = rank.at(e.second_hash);
    a.weight = e.transactions;
    a.edge = e;
    g.arcs.push_back(std::move(a));
  }
  std::sort(g.arcs.begin(), g.arcs.end(),
            [](const Arc& a, const Arc& b) { return std::tie(a.from, a.to) < std::tie(b.from, b.to); });
  g.out.resize(g.nodes.size());
  for (size_t i = 0; i < g.arcs.size(); ++i) g.out[g.arcs[i].from].push_back(i);
  return g;
}

// StronglyConnected: component id of each node (Tarjan, iterative).
std::vector<size_t> StronglyConnected(const Graph& g, size_t* components) {
  constexpr size_t kUnvisited = std::numeric_limits<size_t>::max();
  const size_t n = g.nodes.size();
  std::vector<size_t> index(n, kUnvisited), low(n, 0), comp(n, kUnvisited);
  std::vector<bool> on_stack(n, false);
  std::vector<size_t> stack;
  std::vector<std::pair<size_t, size_t>> calls;  // (node, next position in out[node])
  size_t next_index = 0;
  *components = 0;
  for (size_t root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    calls.emplace_back(root, 0);
    index[root] = low[root] = next_index++;
    stack.push_back(root);
    on_stack[root] = true;
    while (!calls.empty()) {
      auto& [v, pos] = calls.back();
      if (pos < g.out[v].size()) {
        const size_t w = g.arcs[g.out[v][pos++]].to;
        if (index[w] == kUnvisited) {
          index[w] = low[w] = next_index++;
          stack.push_back(w);
          on_stack[w] = true;
          calls.emplace_back(w, 0);  // invalidates v and pos: nothing reads them after
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      const size_t done = v;
      calls.pop_back();
      if (!calls.empty()) low[calls.back().first] = std::min(low[calls.back().first], low[done]);
      if (low[done] != index[done]) continue;
      size_t w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = false;
        comp[w] = *components;
      } while (w != done);
      ++*components;
    }
  }
  return comp;
}

// A group's own graph: tables 0..n-1 in name order, arcs between them.
struct LocalArc {
  size_t from, to;
  uint64_t weight;
};

// ExactOrder: the lexicographically smallest order of minimum backward weight.
// f[S] = least backward weight among orders of S, S placed after every other
// table; placing v first among S makes the arcs from S - {v} into v backward.
std::vector<size_t> ExactOrder(size_t n, const std::vector<LocalArc>& arcs) {
  std::vector<uint64_t> w(n * n, 0);
  std::vector<uint32_t> pred(n, 0);  // pred[v]: tables with an arc into v
  for (const LocalArc& a : arcs) {
    w[a.from * n + a.to] += a.weight;
    pred[a.to] |= uint32_t{1} << a.from;
  }
  auto into = [&](size_t v, uint32_t rest) {  // weight of the arcs from `rest` into v
    uint64_t c = 0;
    for (uint32_t m = rest & pred[v]; m != 0; m &= m - 1)
      c += w[static_cast<size_t>(__builtin_ctz(m)) * n + v];
    return c;
  };
  const uint32_t full = (uint32_t{1} << n) - 1;
  std::vector<uint64_t> f(size_t{full} + 1, 0);
  for (uint32_t s = 1; s <= full; ++s) {
    uint64_t best = std::numeric_limits<uint64_t>::max();
    for (uint32_t m = s; m != 0; m &= m - 1) {
      const size_t v = static_cast<size_t>(__builtin_ctz(m));
      const uint32_t rest = s & ~(uint32_t{1} << v);
      best = std::min(best, into(v, rest) + f[rest]);
    }
    f[s] = best;
  }
  std::vector<size_t> order;
  order.reserve(n);
  for (uint32_t s = full; s != 0;) {
    for (uint32_t m = s; m != 0; m &= m - 1) {
      const size_t v = static_cast<size_t>(__builtin_ctz(m));
      const uint32_t rest = s & ~(uint32_t{1} << v);
      if (into(v, rest) + f[rest] == f[s]) {
        order.push_back(v);
        s = rest;
        break;
      }
    }
  }
  return order;
}

// HeuristicOrder: Eades-Lin-Smyth (weighted), then insertion refinement
// within *refine_left steps.
std::vector<size_t> HeuristicOrder(size_t n, const std::vector<LocalArc>& arcs, uint64_t* refine_left) {
  struct Adj {
    size_t other;
    int64_t weight;
  };
  std::vector<std::vector<Adj>> out(n), in(n);
  std::vector<int64_t> delta(n, 0);  // out-weight minus in-weight over the tables left
  for (const LocalArc& a : arcs) {
    const auto wt = static_cast<int64_t>(a.weight);
    out[a.from].push_back({a.to, wt});
    in[a.to].push_back({a.from, wt});
    delta[a.from] += wt;
    delta[a.to] -= wt;
  }
  std::vector<size_t> out_deg(n), in_deg(n);
  std::set<size_t> sinks, sources;
  std::set<std::pair<int64_t, size_t>> by_delta;  // (-delta, table): largest delta, then smallest name
  for (size_t v = 0; v < n; ++v) {
    out_deg[v] = out[v].size();
    in_deg[v] = in[v].size();
    if (out_deg[v] == 0) sinks.insert(v);
    if (in_deg[v] == 0) sources.insert(v);
    by_delta.emplace(-delta[v], v);
  }
  std::vector<bool> removed(n, false);
  auto set_delta = [&](size_t u, int64_t d) {
    by_delta.erase({-delta[u], u});
    delta[u] = d;
    by_delta.emplace(-delta[u], u);
  };
  auto remove = [&](size_t v) {
    removed[v] = true;
    by_delta.erase({-delta[v], v});
    sinks.erase(v);
    sources.erase(v);
    for (const Adj& a : out[v]) {
      if (removed[a.other]) continue;
      set_delta(a.other, delta[a.other] + a.weight);
      if (--in_deg[a.other] == 0) sources.insert(a.other);
    }
    for (const Adj& a : in[v]) {
      if (removed[a.other]) continue;
      set_delta(a.other, delta[a.other] - a.weight);
      if (--out_deg[a.other] == 0) sinks.insert(a.other);
    }
  };
  std::vector<size_t> front, back;  // back is reversed
  for (size_t left = n; left > 0; --left) {
    size_t v;
    if (!sinks.empty()) {
      v = *sinks.begin();
      back.push_back(v);
    } else if (!sources.empty()) {
      v = *sources.begin();
      front.push_back(v);
    } else {
      v = by_delta.begin()->second;
      front.push_back(v);
    }
    remove(v);
  }
  std::vector<size_t> order = std::move(front);
  order.insert(order.end(), back.rbegin(), back.rend());

  // Insertion refinement: move a table to where it lowers the backward weight
  // most; every move strictly lowers it, so this ends, and the budget bounds it.
  std::vector<size_t> pos(n);
  for (size_t i = 0; i < n; ++i) pos[order[i]] = i;
  std::vector<int64_t> out_w(n, 0), in_w(n, 0);
  for (bool improved = true; improved;) {
    improved = false;
    for (size_t v = 0; v < n; ++v) {
      const uint64_t cost = 2 * uint64_t{n} + out[v].size() + in[v].size();
      if (*refine_left < cost) return order;
      *refine_left -= cost;
      for (const Adj& a : out[v]) out_w[a.other] = a.weight;
      for (const Adj& a : in[v]) in_w[a.other] = a.weight;
      const size_t p = pos[v];
      int64_t best = 0, d = 0;
      size_t best_q = p;
      for (size_t q = p; q-- > 0;) {  // v before order[q]: its arc into v turns backward
        d += in_w[order[q]] - out_w[order[q]];
        if (d < best) best = d, best_q = q;
      }
      d = 0;
      for (size_t q = p + 1; q < n; ++q) {  // v after order[q]: v's arc to it turns backward
        d += out_w[order[q]] - in_w[order[q]];
        if (d < best) best = d, best_q = q;
      }
      for (const Adj& a : out[v]) out_w[a.other] = 0;
      for (const Adj& a : in[v]) in_w[a.other] = 0;
      if (best >= 0) continue;
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(p));
      order.insert(order.begin() + static_cast<std::ptrdiff_t>(best_q), v);
      for (size_t i = std::min(p, best_q); i <= std::max(p, best_q); ++i) pos[order[i]] = i;
      improved = true;
    }
  }
  return order;
}

}  // namespace

std::vector<LockOrderGroup> GroupLockOrders(const std::vector<LockOrderEdge>& edges,
                                            const LockOrderGroupOptions& options) {
  const Graph g = BuildGraph(edges);
  size_t components = 0;
  const std::vector<size_t> comp = StronglyConnected(g, &components);

  // Members of each component in name order; components by smallest name.
  std::vector<std::vector<size_t>> members(components);
  for (size_t v = 0; v < g.nodes.size(); ++v) members[comp[v]].push_back(v);
  std::vector<size_t> groups_by_name;
  for (size_t c = 0; c < components; ++c)
    if (members[c].size() >= 2) groups_by_name.push_back(c);
  std::sort(groups_by_name.begin(), groups_by_name.end(),
            [&members](size_t a, size_t b) { return members[a][0] < members[b][0]; });

  std::vector<std::vector<size_t>> arcs_of(components);  // arcs inside each component
  for (size_t i = 0; i < g.arcs.size(); ++i)
    if (comp[g.arcs[i].from] == comp[g.arcs[i].to]) arcs_of[comp[g.arcs[i].from]].push_back(i);

  const size_t max_exact = std::min(options.max_exact_tables, kLockOrderMaxExactTables);
  uint64_t exact_left = options.exact_work;
  uint64_t refine_left = options.refine_work;
  std::vector<size_t> local(g.nodes.size(), 0);
  std::vector<LockOrderGroup> result;
  result.reserve(groups_by_name.size());
  for (size_t c : groups_by_name) {
    const std::vector<size_t>& m = members[c];
    const size_t n = m.size();
    for (size_t i = 0; i < n; ++i) local[m[i]] = i;
    std::vector<LocalArc> arcs;
    arcs.reserve(arcs_of[c].size());
    for (size_t i : arcs_of[c])
      arcs.push_back({local[g.arcs[i].from], local[g.arcs[i].to], g.arcs[i].weight});

    LockOrderGroup group;
    std::vector<size_t> order;
    const uint64_t exact_cost = n <= max_exact ? (uint64_t{1} << n) * n * n : 0;
    if (n <= max_exact && exact_cost <= exact_left) {
      exact_left -= exact_cost;
      order = ExactOrder(n, arcs);
      group.exact = true;
    } else {
      order = HeuristicOrder(n, arcs, &refine_left);
    }

    std::vector<size_t> pos(n);
    group.order.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      pos[order[i]] = i;
      group.order.push_back(g.nodes[m[order[i]]]);
    }
    std::vector<size_t> against;
    for (size_t i : arcs_of[c]) {
      group.total_transactions += g.arcs[i].weight;
      if (pos[local[g.arcs[i].from]] > pos[local[g.arcs[i].to]]) against.push_back(i);
    }
    // Heaviest first, then by (first, second) name: arc indices are in that name order.
    std::stable_sort(against.begin(), against.end(),
                     [&g](size_t a, size_t b) { return g.arcs[a].weight > g.arcs[b].weight; });
    for (size_t i : against) {
      group.violating_transactions += g.arcs[i].weight;
      group.violations.push_back(g.arcs[i].edge);
    }
    result.push_back(std::move(group));
  }
  return result;
}

size_t FindLockOrderGroup(const std::vector<LockOrderGroup>& groups, const std::vector<uint64_t>& tables) {
  if (tables.empty()) return kNoLockOrderGroup;
  auto holds = [](const LockOrderGroup& g, uint64_t hash) {
    return std::any_of(g.order.begin(), g.order.end(),
                       [hash](const LockOrderTable& t) { return t.hash == hash; });
  };
  for (size_t i = 0; i < groups.size(); ++i) {
    if (!holds(groups[i], tables[0])) continue;
    // A table is in one group at most: this one decides.
    for (uint64_t t : tables)
      if (!holds(groups[i], t)) return kNoLockOrderGroup;
    return i;
  }
  return kNoLockOrderGroup;
}

}  // namespace lockdiag
