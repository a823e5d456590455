#include "core/lock/analyzer.h"

#include <algorithm>
#include <unordered_map>

namespace lockdiag {

Analyzer::Analyzer(const Config* config) : config_(config) {}

void Analyzer::Publish(const TransactionRecord& txn, uint64_t connection_id, TxnFacts* scratch) {
  TxnFacts local;
  TxnFacts& facts = scratch != nullptr ? *scratch : local;
  AnalyzeTransaction(txn, &facts);
  transactions_.Add(1, connection_id);
  uint64_t dropped = facts.dropped;
  const Timestamp now = txn.end != 0 ? txn.end : NowMicros();
  const uint64_t max_tables = config_->max_tables.load(std::memory_order_relaxed);
  // Detections; the vector allocates only when something new is found.
  std::vector<PatternCandidate> found;

  for (const auto& [digest, text] : txn.new_digests) {
    if (!digests_.Add(digest, text, max_tables * kDigestTextsPerTable)) ++dropped;
  }

  for (size_t t = 0; t < txn.tables.size(); ++t) {
    TableUpdate u{&txn.tables[t], &facts.tables[t], txn.isolation, 0, 0, 0};
    for (const TxnError& e : txn.errors) {
      if (e.table != static_cast<int32_t>(t)) continue;
      if (IsDuplicateKey(e.code)) ++u.duplicate_keys;
      if (e.code == kErrLockDeadlock) ++u.deadlocks;
      if (e.code == kErrLockWaitTimeout) ++u.lock_wait_timeouts;
    }
    if (!tables_.Apply(u, now, max_tables, &found)) ++dropped;
  }

  // Every ordered pair of locked tables, by order of first locking access.
  // Tables first locked by one and the same statement have no order between
  // them that lockdiag can see: LOCK TABLES takes its locks at once, and a
  // join's row locks follow the optimizer's plan, not the order in which the
  // server opened the tables (the order of the table-lock events).
  const std::vector<LockStep>& order = facts.lock_order;
  for (size_t j = 1; j < order.size(); ++j) {
    for (size_t i = 0; i < j; ++i) {
      if (order[i].statement == order[j].statement) continue;
      if (!lock_order_.Add(txn.tables[order[i].table], txn.tables[order[j].table], order[j].digest, now,
                           max_tables * kLockOrderPairsPerTable, &found)) {
        ++dropped;
      }
    }
  }

  // Read -> write observations, one store call per table.
  std::vector<ReadWriteObservation>& rw = facts.read_writes;
  std::sort(rw.begin(), rw.end(),
            [](const ReadWriteObservation& a, const ReadWriteObservation& b) { return a.table < b.table; });
  for (size_t begin = 0; begin < rw.size();) {
    size_t end = begin;
    while (end < rw.size() && rw[end].table == rw[begin].table) ++end;
    dropped += read_writes_.Add(txn.tables[rw[begin].table], rw.data() + begin, end - begin, now,
                                max_tables * kReadWritePairsPerTable, &found);
    begin = end;
  }

  if (dropped > 0) dropped_.Add(dropped, connection_id);
  if (!found.empty()) ReportPatterns(found, now, connection_id);
}

void Analyzer::ReportPatterns(const std::vector<PatternCandidate>& found, Timestamp now, uint64_t hint) {
  const uint64_t limit = config_->max_tables.load(std::memory_order_relaxed) * kPatternsPerTable;
  bool any_new = false;
  for (const PatternCandidate& c : found) {
    bool is_new = false;
    if (patterns_.Report(c, now, limit, &is_new) == 0) dropped_.Add(1, hint);
    any_new = any_new || is_new;
  }
  // The incidents this pattern explains usually happened already.
  if (any_new) ResolveIncidentLinks();
}

void Analyzer::ResolveIncidentLinks() {
  if (patterns_.count() == 0) return;
  // Read the version first: a pattern added while we work moves it again,
  // and the incidents we could not link are retried next time.
  const uint64_t version = patterns_.version();
  std::vector<IncidentLog::Pending> pending = incidents_.TakePending(version);
  if (pending.empty()) return;
  std::vector<std::pair<uint64_t, uint64_t>> links;
  for (const IncidentLog::Pending& p : pending) {
    uint64_t id = patterns_.FindForIncident(p.code, p.table_hash, p.digest, p.history_tables);
    if (id != 0) links.emplace_back(p.id, id);
  }
  if (links.empty()) return;
  for (const auto& [incident, pattern] : incidents_.Link(links)) patterns_.AddRelatedErrors(pattern, 1);
}

void Analyzer::RecordIncident(Incident incident) {
  const uint64_t version = patterns_.version();
  if (patterns_.count() > 0) {
    incident.row.pattern_id = patterns_.FindForIncident(incident.row.error_code, incident.table_hash,
                                                        incident.digest, incident.history_tables);
  }
  incident.tried_version = version;
  const uint64_t pattern = incident.row.pattern_id;
  incidents_.Record(std::move(incident), config_->history_size.load(std::memory_order_relaxed));
  // The error is related to the pattern whether or not the history keeps it.
  if (pattern != 0) patterns_.AddRelatedErrors(pattern, 1);
}

std::string Analyzer::Statement(uint64_t digest) const { return digests_.Lookup(digest); }

std::vector<TableRow> Analyzer::SnapshotTables() const { return tables_.Snapshot(); }

std::vector<LockOrderRow> Analyzer::SnapshotLockOrder() const {
  std::vector<LockOrderEdge> edges = lock_order_.Snapshot();
  std::vector<LockOrderRow> rows;
  rows.reserve(edges.size());
  std::unordered_map<uint64_t, std::string> texts;  // one lookup per digest
  for (LockOrderEdge& e : edges) {
    LockOrderRow r;
    r.first_schema = std::move(e.first.schema);
    r.first_table = std::move(e.first.table);
    r.second_schema = std::move(e.second.schema);
    r.second_table = std::move(e.second.table);
    r.transactions = e.transactions;
    r.reverse_transactions = e.reverse_transactions;
    auto it = texts.find(e.sample_digest);
    if (it == texts.end()) it = texts.emplace(e.sample_digest, Statement(e.sample_digest)).first;
    r.sample_digest = it->second;
    r.last_seen = e.last_seen;
    rows.push_back(std::move(r));
  }
  return rows;
}

std::vector<PatternRow> Analyzer::SnapshotPatterns() {
  ResolveIncidentLinks();
  std::vector<PatternInfo> infos = patterns_.Snapshot();
  std::vector<PatternRow> rows;
  rows.reserve(infos.size());
  for (const PatternInfo& info : infos) {
    PatternRow row;
    if (BuildPatternRow(info, &row)) rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<IncidentRow> Analyzer::SnapshotIncidents() {
  ResolveIncidentLinks();
  return incidents_.Snapshot();
}

AnalyzerStatus Analyzer::Status() const {
  AnalyzerStatus st;
  st.statements = statements_.Sum();
  st.table_lock_events = table_lock_events_.Sum();
  st.transactions = transactions_.Sum();
  st.tracked_tables = tables_.count();
  for (const PatternInfo& info : patterns_.Snapshot()) st.patterns += PatternHolds(info.what) ? 1 : 0;
  st.memory_bytes = tables_.memory_bytes() + lock_order_.memory_bytes() + read_writes_.memory_bytes() +
                    digests_.memory_bytes() + patterns_.memory_bytes() + incidents_.memory_bytes();
  st.dropped_events = dropped_.Sum();
  return st;
}

void Analyzer::Reset() {
  // Order matters when transactions are published during the reset. The
  // findings go first: a publish that detects a pattern on an aggregate
  // about to be cleared then reports it into the new store, where it shows
  // only while its aggregates exist (PatternHolds), instead of setting a
  // "reported" flag whose pattern the reset would then drop for good. The
  // generation moves last, after the digest texts are gone, so that a
  // Session that sees it resends every text it publishes next.
  patterns_.Reset();
  incidents_.Reset();
  tables_.Reset();
  lock_order_.Reset();
  read_writes_.Reset();
  digests_.Reset();
  generation_.fetch_add(1, std::memory_order_acq_rel);
  statements_.Reset();
  table_lock_events_.Reset();
  transactions_.Reset();
  dropped_.Reset();
}

}  // namespace lockdiag
