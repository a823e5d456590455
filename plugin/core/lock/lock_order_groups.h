// lock_order_groups.h: one recommended lock order per group of tables that
// can deadlock by ordering, instead of one finding per inverted pair and per
// cycle.
//
// A group is a strongly connected component of the lock-order graph (an edge
// A -> B with weight = transactions that locked A before B) with two tables or
// more: exactly the tables between which a deadlock by ordering is possible
// (tables outside every group are in no cycle). For each group the function
// computes the order of its tables that the fewest observed transactions
// violate (a minimum-weight feedback arc set), and the edges against it:
//
//   std::vector<LockOrderGroup> groups = GroupLockOrders(graph.Snapshot());
//   for (const LockOrderGroup& g : groups)
//     // advise g.order; the code paths to change are g.violations'
//     // sample statements, g.violating_transactions of g.total_transactions.
//
// Why one order removes every cycle of the group: a linear order is acyclic,
// so every cycle of the group has at least one edge that goes backwards in
// it, and every backward edge is in `violations`. Once the code paths of the
// violations take their locks in the order, no edge goes backwards and no
// cycle (no inversion, no LOCK_ORDER_CYCLE) of the group is left. That is why
// the Analyzer can fold every lock-order pattern of a group into one finding
// (FindLockOrderGroup), and why the order minimising the violating weight is
// the one that asks for the fewest changes (the majority order of an
// inversion, not the minority's).
//
// Pure: no locks, no server types; thread-safe (no shared state).
#ifndef LOCKDIAG_CORE_LOCK_LOCK_ORDER_GROUPS_H_
#define LOCKDIAG_CORE_LOCK_LOCK_ORDER_GROUPS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lock/lock_order.h"

namespace lockdiag {

// Groups of up to kLockOrderExactTables tables get the exact order (dynamic
// programming over subsets, 2^n * n * n steps at most: 3.2 million for 14);
// larger ones the heuristic, refined within kLockOrderRefineWork steps.
// kLockOrderExactWork bounds the exact work of one call over all its groups:
// a group that no longer fits in what is left gets the heuristic.
inline constexpr size_t kLockOrderExactTables = 14;
inline constexpr size_t kLockOrderMaxExactTables = 16;  // hard cap on LockOrderGroupOptions::max_exact_tables
inline constexpr uint64_t kLockOrderExactWork = uint64_t{1} << 25;
inline constexpr uint64_t kLockOrderRefineWork = uint64_t{1} << 22;

// LockOrderTable: one table of a group's order.
struct LockOrderTable {
  uint64_t hash = 0;
  std::string name;  // "schema.table" (QualifiedName)
};

// LockOrderGroup: one strongly connected component and its recommended order.
struct LockOrderGroup {
  // Every table of the group, in the recommended locking order (at least 2).
  std::vector<LockOrderTable> order;
  // The group's edges that go against `order` (first locked after second in
  // it), copied from the input; heaviest (most transactions) first, ties by
  // first then second name. Never empty: a group always has a cycle.
  std::vector<LockOrderEdge> violations;
  uint64_t violating_transactions = 0;  // sum of the violations' transactions
  uint64_t total_transactions = 0;      // sum over every edge inside the group
  // True when `order` is proven minimal (the exact solver ran); false when it
  // comes from the heuristic (valid, usually but not always minimal).
  bool exact = false;
};

// LockOrderGroupOptions: the solver's bounds; the defaults are the ones above.
// max_exact_tables is capped at kLockOrderMaxExactTables (memory: 2^n words).
struct LockOrderGroupOptions {
  size_t max_exact_tables = kLockOrderExactTables;
  uint64_t exact_work = kLockOrderExactWork;
  uint64_t refine_work = kLockOrderRefineWork;
};

// GroupLockOrders: the groups of the lock-order graph given as its edges, one
// element per direction as LockOrderGraph::Snapshot() returns them (each
// direction is read from its own element's `transactions`;
// reverse_transactions is not read). Edges with no transactions and
// self-loops are ignored; a direction listed twice counts the sum of its
// transactions (its sample is the heavier element's). Tables are identified
// by hash and named first.Qualified() / second.Qualified() (the smallest name
// if one hash comes with several).
//
// Returns the groups ordered by their smallest table name; an acyclic graph
// gives none. Deterministic: the same edges, in any order, give the same
// groups, orders and violations. Among orders of equal violating weight the
// exact solver returns the lexicographically smallest by table name; the
// heuristic breaks each of its choices by name.
//
// Order of a group of n tables:
//   * n <= max_exact_tables (and within what is left of exact_work): exact,
//     f(S) = min over v in S of [weight of edges from S - {v} into v] +
//     f(S - {v}), over every subset S, the order read from the full set by
//     taking the smallest-named best v each time. Work <= 2^n * n * n steps.
//   * otherwise Eades-Lin-Smyth (1993, weighted): repeatedly take every sink
//     (placed at the end) and source (placed at the front), else the table
//     with the largest out-weight minus in-weight (placed at the front), in
//     O((n + m) log n) for m edges; then insertion refinement (move one table
//     to the position that most lowers the violating weight, repeated while
//     that helps) within refine_work steps for the whole call, each step one
//     position scanned or one edge read.
// Total cost of one call, E input edges: O(E log E) to build the graph and
// the components, plus at most exact_work + refine_work solver steps, plus
// O((n + m) log n) per heuristic group.
std::vector<LockOrderGroup> GroupLockOrders(const std::vector<LockOrderEdge>& edges,
                                            const LockOrderGroupOptions& options = {});

// kNoLockOrderGroup: FindLockOrderGroup's "none".
inline constexpr size_t kNoLockOrderGroup = static_cast<size_t>(-1);

// FindLockOrderGroup: the index in `groups` of the group that holds every
// table of `tables` (a lock-order pattern's PatternCandidate::tables: an
// inversion's pair or a cycle's tables), or kNoLockOrderGroup when `tables` is
// empty or its tables are not all in one group (e.g. an edge of the pattern is
// gone after a reset). A pattern of the current graph whose edges all exist
// is always inside one group: its tables lie on one cycle. Cost: O(total
// tables of the groups + |tables| * size of the group found).
size_t FindLockOrderGroup(const std::vector<LockOrderGroup>& groups, const std::vector<uint64_t>& tables);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_LOCK_ORDER_GROUPS_H_
