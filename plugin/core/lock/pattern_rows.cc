// pattern_rows.cc: Analyzer::BuildPatternRow, which turns a recorded pattern
// and the aggregates it was found in into a LOCKDIAG_PATTERNS row. Counts are
// read from the aggregates now, so they grow without the publish path ever
// touching the PatternStore.
#include <algorithm>

#include "core/lock/analyzer.h"
#include "core/common/text.h"

namespace lockdiag {
namespace {

// Quote: a statement text cut to `max` bytes (at a character boundary).
std::string Quote(std::string text, size_t max) {
  if (text.empty()) return "(statement text not recorded)";
  TruncateWithEllipsis(&text, max);
  return text;
}

void AppendBounded(std::string* out, const std::string& part, size_t max) {
  if (!out->empty()) *out += "; ";
  *out += part;
  TruncateWithEllipsis(out, max);
}

}  // namespace

bool Analyzer::PatternHolds(const PatternCandidate& what) const {
  switch (what.type) {
    case PatternType::kUnlockedReadModifyWrite: {
      ReadWritePairStats p;
      return read_writes_.Lookup(what.tables[0], what.read_digest, what.write_digest, &p) &&
             IsUnlockedReadModifyWrite(p.transactions, p.matched_transactions, p.unprotected_transactions);
    }
    case PatternType::kMixedLockingReads: {
      ReadWriteTableSummary s;
      return read_writes_.CurrentTableRmw(what.tables[0], &s) &&
             IsMixedLockingReads(s.protected_rmw_transactions > 0, s.unprotected_rmw_transactions > 0);
    }
    case PatternType::kLockOrderInversion:
    case PatternType::kLockOrderCycle: {
      // Counts that only grow: true while the edges exist (a reset racing
      // with the publish that found it can leave a finding without them).
      const size_t n = what.tables.size();
      const size_t edges = what.type == PatternType::kLockOrderInversion ? 2 : n;
      for (size_t i = 0; i < edges && n >= 2; ++i) {
        LockOrderEdge e;
        if (!lock_order_.Lookup(what.tables[i % n], what.tables[(i + 1) % n], &e) || e.transactions == 0)
          return false;
      }
      return n >= 2;
    }
    case PatternType::kMixedLockTables:
    case PatternType::kMixedIsolationLevels: {
      TableStats s;
      return tables_.Lookup(what.tables[0], &s);
    }
  }
  return false;
}

bool Analyzer::BuildPatternRow(const PatternInfo& info, PatternRow* out) const {
  const PatternCandidate& what = info.what;
  PatternRow& row = *out;
  bool holds = true;
  row.id = info.id;
  row.pattern = PatternName(what.type);
  row.severity = SeverityName(PatternSeverity(what.type));
  row.objects = Join(what.names, ",");
  row.related_errors = info.related_errors;
  row.first_seen = info.first_seen;
  row.last_seen = info.first_seen;
  row.advice = PatternAdvice(what.type, what.names);
  auto quote = [this](uint64_t digest) { return Quote(Statement(digest), kMaxEvidenceStatement); };
  auto seen = [&row](Timestamp t) { row.last_seen = std::max(row.last_seen, t); };

  switch (what.type) {
    case PatternType::kLockOrderInversion:
    case PatternType::kLockOrderCycle: {
      // Inversion: both directions of the pair; cycle: each edge in order.
      const size_t n = what.tables.size();
      const size_t edges = what.type == PatternType::kLockOrderInversion ? 2 : n;
      for (size_t i = 0; i < edges && n >= 2; ++i) {
        const size_t a = i % n, b = (i + 1) % n;
        LockOrderEdge e;
        if (!lock_order_.Lookup(what.tables[a], what.tables[b], &e)) continue;
        row.occurrences += e.transactions;
        seen(e.last_seen);
        AppendBounded(&row.evidence, what.names[a] + " then " + what.names[b] + ": " + quote(e.sample_digest),
                      kMaxEvidence);
      }
      break;
    }
    case PatternType::kUnlockedReadModifyWrite: {
      ReadWritePairStats p;
      if (!read_writes_.Lookup(what.tables[0], what.read_digest, what.write_digest, &p)) break;
      holds = IsUnlockedReadModifyWrite(p.transactions, p.matched_transactions, p.unprotected_transactions);
      row.occurrences = p.matched_transactions;
      seen(p.last_seen);
      AppendBounded(&row.evidence, "read: " + quote(p.read_digest), kMaxEvidence);
      AppendBounded(&row.evidence, "write: " + quote(p.write_digest), kMaxEvidence);
      AppendBounded(&row.evidence,
                    "same keys in " + std::to_string(p.matched_transactions) + " of " +
                        std::to_string(p.transactions) + " transactions, read unprotected in " +
                        std::to_string(p.unprotected_transactions),
                    kMaxEvidence);
      break;
    }
    case PatternType::kMixedLockingReads: {
      ReadWriteTableSummary s;
      if (!read_writes_.CurrentTableRmw(what.tables[0], &s)) break;
      holds = IsMixedLockingReads(s.protected_rmw_transactions > 0, s.unprotected_rmw_transactions > 0);
      row.occurrences = s.protected_rmw_transactions + s.unprotected_rmw_transactions;
      seen(s.last_seen);
      AppendBounded(&row.evidence,
                    "protected (" + std::to_string(s.protected_rmw_transactions) +
                        "): " + quote(s.protected_read_digest) + " -> " + quote(s.protected_write_digest),
                    kMaxEvidence);
      AppendBounded(&row.evidence,
                    "unprotected (" + std::to_string(s.unprotected_rmw_transactions) +
                        "): " + quote(s.unprotected_read_digest) + " -> " + quote(s.unprotected_write_digest),
                    kMaxEvidence);
      break;
    }
    case PatternType::kMixedLockTables: {
      TableStats s;
      if (!tables_.Lookup(what.tables[0], &s)) break;
      row.occurrences = s.lock_tables_txns + s.locked_without_lock_tables_txns;
      seen(s.row.last_seen);
      AppendBounded(
          &row.evidence,
          "under LOCK TABLES (" + std::to_string(s.lock_tables_txns) + "): " + quote(s.lock_tables_digest),
          kMaxEvidence);
      AppendBounded(
          &row.evidence,
          "without (" + std::to_string(s.locked_without_lock_tables_txns) + "): " + quote(s.unlocked_digest),
          kMaxEvidence);
      break;
    }
    case PatternType::kMixedIsolationLevels: {
      TableStats s;
      if (!tables_.Lookup(what.tables[0], &s)) break;
      seen(s.row.last_seen);
      for (int iso = 0; iso < kIsolationCount; ++iso) {
        const uint64_t n = s.write_txns_by_isolation[iso];
        if (n == 0) continue;
        row.occurrences += n;
        AppendBounded(&row.evidence,
                      std::string(IsolationName(static_cast<Isolation>(iso))) + " (" + std::to_string(n) +
                          "): " + quote(s.write_digest_by_isolation[iso]),
                      kMaxEvidence);
      }
      break;
    }
  }
  return holds && PatternHolds(what);
}

}  // namespace lockdiag
