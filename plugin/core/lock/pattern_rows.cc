// pattern_rows.cc: Analyzer::BuildPatternRow and PatternHolds, which judge a
// recorded pattern on the aggregates it was found in and turn it into a
// LOCKDIAG_PATTERNS row. Counts are
// read from the aggregates now, so they grow without the publish path ever
// touching the PatternStore.
#include <algorithm>

#include "core/lock/analyzer.h"
#include "core/common/text.h"
#include "core/lock/lock_errors.h"

namespace lockdiag {
namespace {

// Quote: a statement text cut to `max` bytes (at a word boundary).
std::string Quote(std::string text, size_t max) {
  if (text.empty()) return "(statement text not recorded)";
  TruncateAtWord(&text, max);
  return text;
}

void AppendBounded(std::string* out, const std::string& part, size_t max) {
  if (!out->empty()) *out += "; ";
  *out += part;
  TruncateWithEllipsis(out, max);
}

}  // namespace

bool Analyzer::PatternHolds(const PatternCandidate& what) const { return EvaluatePattern(what, nullptr); }

bool Analyzer::BuildPatternRow(const PatternInfo& info, PatternRow* row) const {
  const PatternCandidate& what = info.what;
  row->id = info.id;
  row->pattern = PatternName(what.type);
  row->severity = SeverityName(PatternSeverity(what.type));
  row->objects = Join(what.names, ",");
  row->related_errors = info.related_errors;
  row->first_seen = info.first_seen;
  row->last_seen = info.first_seen;
  row->advice = PatternAdvice(what);
  if (IsObservedPattern(what.type)) {
    ObservedPatternRow(info, row);
    return true;
  }
  return EvaluatePattern(what, row);
}

void Analyzer::ObservedPatternRow(const PatternInfo& info, PatternRow* row) const {
  // Observed patterns hold once seen; the PatternStore counted them.
  const PatternCandidate& what = info.what;
  row->occurrences = info.observations;
  row->last_seen = std::max(row->last_seen, info.last_seen);
  auto quote = [this](uint64_t digest) { return Quote(Statement(digest), kMaxEvidenceStatement); };
  auto evidence = [row](const std::string& part) { AppendBounded(&row->evidence, part, kMaxEvidence); };
  switch (what.type) {
    case PatternType::kIgnoredLockError:
      if (what.error_code == kErrLockWaitTimeout) {
        evidence("timed out (ER_LOCK_WAIT_TIMEOUT, only the statement was rolled back): " +
                 quote(what.read_digest));
        evidence(what.sample_digest == 0
                     ? std::string("then the transaction committed what it had done before it")
                     : "then the transaction went on and committed, up to: " + quote(what.sample_digest));
      } else {
        evidence("deadlock (ER_LOCK_DEADLOCK, the whole transaction was rolled back): " +
                 quote(what.read_digest));
        evidence("then, without BEGIN, ROLLBACK or a retry from the first statement, it wrote: " +
                 quote(what.sample_digest));
      }
      break;
    case PatternType::kBackupBlocksWriters:
      evidence("backup session (" + std::to_string(info.observations) +
               " run(s)) held LOCK TABLES ... READ on " + std::to_string(what.tables.size()) +
               " InnoDB table(s) for " + std::to_string(info.amount / 1000) +
               " ms in all: " + quote(what.sample_digest));
      evidence(std::to_string(info.victims) + " application statement(s) waited or timed out meanwhile");
      break;
    case PatternType::kConnectionLimitReached:
      evidence(std::to_string(info.observations) + " connection attempt(s) refused by " +
               (what.names.empty() ? std::string("a limit") : what.names[0]) + " (error " +
               std::to_string(what.error_code) + ")");
      if (!what.detail.empty()) evidence(what.detail);
      break;
    case PatternType::kLockHeldIdle:
      evidence("after " + quote(what.read_digest) + " the transaction sat idle holding locks on " +
               Join(what.names, ", ") + " (" + std::to_string(info.observations) + " time(s), " +
               std::to_string(info.amount / 1000) + " ms in all), then: " +
               (what.sample_digest == 0 ? std::string("the connection closed") : quote(what.sample_digest)));
      evidence(std::to_string(info.victims) +
               " statement(s) of other connections waited for locks on these tables or timed out meanwhile");
      break;
    case PatternType::kMultiNodeWriteConflict:
      evidence(std::to_string(info.observations) + " transaction(s) writing " + Join(what.names, ", ") +
               " on this node failed with error 1213 because of a write on another node: " +
               std::to_string(info.amount) +
               " brute-force abort(s) (a replicated write set needed their row "
               "locks), " +
               std::to_string(info.victims) +
               " certification failure(s) (their commit lost to one certified first)");
      evidence("e.g. " + quote(what.sample_digest));
      break;
    default:
      break;
  }
}

void Analyzer::BuildLockOrderGroupRow(const PatternInfo& info, const LockOrderGroup& group,
                                      PatternRow* row) const {
  std::vector<std::string> order;
  order.reserve(group.order.size());
  for (const LockOrderTable& t : group.order) order.push_back(t.name);
  row->id = info.id;
  // Two tables: an inversion; more: a cycle, whatever was detected first.
  const PatternType type =
      order.size() == 2 ? PatternType::kLockOrderInversion : PatternType::kLockOrderCycle;
  row->pattern = PatternName(type);
  row->severity = SeverityName(PatternSeverity(type));
  row->objects = Join(order, ",");
  row->related_errors = info.related_errors;
  row->first_seen = info.first_seen;
  row->last_seen = info.first_seen;
  // OCCURRENCES: transactions that locked two tables of the group, counted
  // per ordered pair (as for one inversion or one cycle); EVIDENCE says how
  // many of them went against the recommended order.
  row->occurrences = group.total_transactions;
  AppendBounded(&row->evidence,
                "recommended order " + Join(order, ", ") + " (kept by " +
                    std::to_string(group.total_transactions - group.violating_transactions) + " of " +
                    std::to_string(group.total_transactions) + " table-pair orders)",
                kMaxEvidence);
  // Each disagreement with both of its sides: the order kept, then the path
  // against it.
  auto side = [this](const char* label, const LockOrderEdge& e) {
    return std::string(label) + e.first.Qualified() + " then " + e.second.Qualified() + " (" +
           std::to_string(e.transactions) + "): " + Quote(Statement(e.sample_digest), kMaxEvidenceStatement);
  };
  for (const LockOrderEdge& e : group.violations) {
    row->last_seen = std::max(row->last_seen, e.last_seen);
    LockOrderEdge kept;
    if (lock_order_.Lookup(e.second_hash, e.first_hash, &kept))
      AppendBounded(&row->evidence, side("kept, ", kept), kMaxEvidence);
    AppendBounded(&row->evidence, side("against it, ", e), kMaxEvidence);
  }
  const std::string paths =
      group.violations.size() == 1 ? "the code path that locks" : "the code paths that lock";
  row->advice =
      "Lock " + Join(order, " before ") + " in every transaction: change " + paths +
      " them the other way (EVIDENCE), for example by locking " + order.front() +
      " first with SELECT ... FOR UPDATE; then no two transactions can wait for each other in a circle.";
}

bool Analyzer::EvaluatePattern(const PatternCandidate& what, PatternRow* row) const {
  // One walk over the aggregates decides whether the pattern holds and, when
  // `row` is given, counts and quotes what it found on the way.
  auto quote = [this](uint64_t digest) { return Quote(Statement(digest), kMaxEvidenceStatement); };
  auto evidence = [row](const std::string& part) { AppendBounded(&row->evidence, part, kMaxEvidence); };
  auto seen = [row](Timestamp t) { row->last_seen = std::max(row->last_seen, t); };

  switch (what.type) {
    case PatternType::kLockOrderInversion:
    case PatternType::kLockOrderCycle: {
      // Inversion: both directions of the pair; cycle: each edge in order.
      // Counts only grow, so it holds while its edges exist (a reset racing
      // with the publish that found it can leave a finding without them).
      const size_t n = what.tables.size();
      if (n < 2) return false;
      const size_t edges = what.type == PatternType::kLockOrderInversion ? 2 : n;
      for (size_t i = 0; i < edges; ++i) {
        const size_t a = i % n, b = (i + 1) % n;
        LockOrderEdge e;
        if (!lock_order_.Lookup(what.tables[a], what.tables[b], &e) || e.transactions == 0) return false;
        if (row == nullptr) continue;
        row->occurrences += e.transactions;
        seen(e.last_seen);
        evidence(what.names[a] + " then " + what.names[b] + ": " + quote(e.sample_digest));
      }
      return true;
    }
    case PatternType::kUnlockedReadModifyWrite:
    case PatternType::kUnscopedReadModifyWrite:
    case PatternType::kGapLockInsert:
    case PatternType::kSharedLockUpgrade: {
      ReadWritePairStats p;
      const bool unscoped = what.type == PatternType::kUnscopedReadModifyWrite;
      if (!read_writes_.Lookup(what.tables[0], what.read_digest, what.write_digest, unscoped, &p))
        return false;
      uint64_t shown = 0;  // the pair's transactions that show the pattern
      const char* how = "";
      switch (what.type) {
        case PatternType::kGapLockInsert:
          if (!IsLockIdiom(p.transactions, p.gap_insert_transactions, p.idiom_deadlocks)) return false;
          shown = p.gap_insert_transactions;
          how =
              "the locking read found no row, then the key was inserted, at REPEATABLE-READ or SERIALIZABLE";
          break;
        case PatternType::kSharedLockUpgrade:
          if (!IsLockIdiom(p.transactions, p.shared_upgrade_transactions, p.idiom_deadlocks)) return false;
          shown = p.shared_upgrade_transactions;
          how = "the row was read under a shared lock, then written in the same transaction";
          break;
        default:
          if (!IsUnlockedReadModifyWrite(p.transactions, p.matched_transactions, p.unprotected_transactions,
                                         p.proven_errors))
            return false;
          shown = p.matched_transactions;
          how = unscoped ? "the read and the write ran in separate transactions: no transaction held the row "
                           "between them"
                         : "the read took no lock";
          break;
      }
      if (row == nullptr) return true;
      row->occurrences = shown;
      seen(p.last_seen);
      evidence("read: " + quote(p.read_digest));
      evidence("write: " + quote(p.write_digest));
      std::string counts = "same keys in " + std::to_string(shown) + " of " + std::to_string(p.transactions) +
                           " transactions; " + how;
      if (p.proven_errors > 0) counts += "; proven by " + std::to_string(p.proven_errors) + " lock error(s)";
      if (p.idiom_deadlocks > 0)
        counts += "; " + std::to_string(p.idiom_deadlocks) + " deadlock(s) on the write";
      evidence(counts);
      return true;
    }
    case PatternType::kMixedLockingReads: {
      ReadWriteTableSummary s;
      if (!read_writes_.CurrentTableRmw(what.tables[0], &s) ||
          !IsMixedLockingReads(s.protected_rmw_transactions > 0, s.unprotected_rmw_transactions > 0))
        return false;
      if (row == nullptr) return true;
      row->occurrences = s.protected_rmw_transactions + s.unprotected_rmw_transactions;
      seen(s.last_seen);
      evidence("protected (" + std::to_string(s.protected_rmw_transactions) +
               "): " + quote(s.protected_read_digest) + " -> " + quote(s.protected_write_digest));
      evidence("unprotected (" + std::to_string(s.unprotected_rmw_transactions) +
               "): " + quote(s.unprotected_read_digest) + " -> " + quote(s.unprotected_write_digest));
      return true;
    }
    case PatternType::kMixedLockTables: {
      TableStats s;
      if (!tables_.Lookup(what.tables[0], &s)) return false;
      if (row == nullptr) return true;
      row->occurrences = s.lock_tables_txns + s.locked_without_lock_tables_txns;
      seen(s.row.last_seen);
      evidence("under LOCK TABLES (" + std::to_string(s.lock_tables_txns) +
               "): " + quote(s.lock_tables_sample.Top()));
      evidence("without (" + std::to_string(s.locked_without_lock_tables_txns) +
               "): " + quote(s.locked_without_lock_tables_sample.Top()));
      return true;
    }
    case PatternType::kMixedIsolationLevels: {
      TableStats s;
      if (!tables_.Lookup(what.tables[0], &s)) return false;
      if (row == nullptr) return true;
      seen(s.row.last_seen);
      // Paths that write with the same statement at two levels are told
      // apart by the statement their transactions begin with.
      bool shared_write = false;
      for (int i = 0; i < kIsolationCount; ++i) {
        for (int j = i + 1; j < kIsolationCount; ++j) {
          shared_write =
              shared_write || (s.write_txns_by_isolation[i] > 0 && s.write_txns_by_isolation[j] > 0 &&
                               s.write_sample_by_isolation[i].Top() == s.write_sample_by_isolation[j].Top());
        }
      }
      for (int iso = 0; iso < kIsolationCount; ++iso) {
        const uint64_t n = s.write_txns_by_isolation[iso];
        if (n == 0) continue;
        row->occurrences += n;
        const uint64_t write = s.write_sample_by_isolation[iso].Top();
        const uint64_t first = s.first_sample_by_isolation[iso].Top();
        std::string side = std::string(IsolationName(static_cast<Isolation>(iso))) + " (" +
                           std::to_string(n) + "): " + quote(write);
        if (shared_write && first != 0 && first != write)
          side += " in transactions that begin with " + quote(first);
        evidence(side);
      }
      return true;
    }
    case PatternType::kIgnoredLockError:
    case PatternType::kBackupBlocksWriters:
    case PatternType::kLockHeldIdle:
    case PatternType::kConnectionLimitReached:
    case PatternType::kMultiNodeWriteConflict:
      return true;  // BuildPatternRow fills their rows from the PatternStore's counts
  }
  return false;
}

}  // namespace lockdiag
