#include "core/lock/analyzer.h"

#include <algorithm>
#include <unordered_map>

#include "core/lock/lock_order_groups.h"
#include "core/lock/table_ref.h"

namespace lockdiag {

Analyzer::Analyzer(const Config* config) : config_(config) {}

void Analyzer::Publish(const TransactionRecord& txn, uint64_t connection_id, TxnFacts* scratch,
                       const RecentReads* recent, ConnectionBatch* batch) {
  TxnFacts local;
  TxnFacts& facts = scratch != nullptr ? *scratch : local;
  AnalyzeTransaction(txn, recent, &facts);
  if (batch != nullptr) {
    batch->CountTransaction();
  } else {
    transactions_.Add(1, connection_id);
  }
  uint64_t dropped = facts.dropped;
  const Timestamp now = txn.end != 0 ? txn.end : NowMicros();
  const uint64_t max_tables = config_->max_tables.load(std::memory_order_relaxed);
  // Detections; the vector allocates only when something new is found.
  std::vector<PatternCandidate> found;

  for (const auto& [digest, text] : txn.new_digests) {
    if (!digests_.Add(digest, text, max_tables * kDigestTextsPerTable)) ++dropped;
  }

  for (size_t t = 0; t < txn.tables.size(); ++t) {
    TableUpdate u{&txn.tables[t], &facts.tables[t], txn.isolation, 0, 0, 0, txn.backup};
    u.first_digest = txn.accesses.empty() ? 0 : txn.accesses.front().digest;
    for (const TxnError& e : txn.errors) {
      if (e.table != static_cast<int32_t>(t)) continue;
      if (IsDuplicateKey(e.code)) ++u.duplicate_keys;
      if (e.code == kErrLockDeadlock) ++u.deadlocks;
      if (e.code == kErrLockWaitTimeout) ++u.lock_wait_timeouts;
    }
    if (batch != nullptr) {
      BatchTable(batch, u, now, connection_id);
    } else if (!tables_.Apply(u, now, max_tables, &found)) {
      ++dropped;
    }
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

  if (!txn.errors.empty() || txn.after_deadlock.present) DetectIgnoredLockErrors(txn, &found);
  if (!txn.errors.empty()) DetectClusterConflicts(txn, &found);

  if (dropped > 0) dropped_.Add(dropped, connection_id);
  if (!found.empty()) ReportPatterns(found, now, connection_id);
  if (!txn.errors.empty()) LinkProvenIncidents(txn, facts);
  if (txn.backup && txn.lock_tables) ReportBackup(txn, connection_id, now);
  if (!txn.idle_holds.empty()) ReportIdleHolds(txn, connection_id, now);
}

TableDelta* Analyzer::NewDelta(ConnectionBatch* batch, const TxnTable& t, Timestamp now) {
  if (batch->used_ == 0) batch->opened_ = now;
  if (batch->tables_.size() == batch->used_) {
    batch->tables_.emplace_back();
    ++batch->growths_;
  }
  TableDelta* d = &batch->tables_[batch->used_++];
  d->Start(t);
  return d;
}

void Analyzer::BatchTable(ConnectionBatch* batch, const TableUpdate& u, Timestamp now,
                          uint64_t connection_id) {
  const TxnTable& t = *u.table;
  bool added = false;
  bool old = false;
  {
    MutexLock lock(&batch->mu_);
    TableDelta* d = nullptr;
    for (size_t i = 0; i < batch->used_ && d == nullptr; ++i) {
      const TableDelta& held = batch->tables_[i];
      // Names too: two tables whose hashes collide are never mixed.
      if (held.hash == t.hash && held.add.row.table == t.table && held.add.row.schema == t.schema)
        d = &batch->tables_[i];
    }
    if (d == nullptr && batch->used_ < ConnectionBatch::kMaxTables) d = NewDelta(batch, t, now);
    if (d != nullptr) {
      d->Add(u, now);
      added = true;
    }
    old = now - batch->opened_ >= ConnectionBatch::kMaxAgeMicros;
  }
  if (added && !old) return;
  FoldOwnBatch(batch, connection_id);
  if (added) return;
  // There was no room for this table: it starts the emptied batch.
  MutexLock lock(&batch->mu_);
  NewDelta(batch, t, now)->Add(u, now);
}

void Analyzer::FoldOwnBatch(ConnectionBatch* batch, uint64_t connection_id) {
  MutexLock fold(&fold_mu_);
  size_t n = 0;
  {
    MutexLock lock(&batch->mu_);
    std::swap(batch->tables_, batch->folding_);
    n = batch->used_;
    batch->used_ = 0;
  }
  FoldDeltas(&batch->folding_, n, connection_id);
}

void Analyzer::FoldDeltas(std::vector<TableDelta>* deltas, size_t n, uint64_t connection_id) {
  const uint64_t max_tables = config_->max_tables.load(std::memory_order_relaxed);
  std::vector<PatternCandidate> found;
  uint64_t dropped = 0;
  Timestamp now = 0;
  for (size_t i = 0; i < n; ++i) {
    const TableDelta& d = (*deltas)[i];
    // A table that cannot be tracked drops each transaction that touched it.
    if (!tables_.Apply(d, max_tables, &found)) dropped += d.transactions();
    now = std::max(now, d.add.row.last_seen);
  }
  if (dropped > 0) dropped_.Add(dropped, connection_id);
  if (!found.empty()) ReportPatterns(found, now, connection_id);
}

void Analyzer::TakeDeltas(ConnectionBatch* batch, std::vector<TableDelta>* out) {
  MutexLock lock(&batch->mu_);
  out->insert(out->end(), batch->tables_.begin(), batch->tables_.begin() + batch->used_);
  batch->used_ = 0;
}

void Analyzer::Attach(ConnectionBatch* batch) {
  MutexLock lock(&batches_mu_);
  batch->prev_ = nullptr;
  batch->next_ = batches_;
  if (batches_ != nullptr) batches_->prev_ = batch;
  batches_ = batch;
  batch->attached_ = true;
  ++batches_attached_;
}

void Analyzer::Detach(ConnectionBatch* batch) {
  if (!batch->attached_) return;
  try {
    FoldOwnBatch(batch, 0);
  } catch (...) {
    // Out of memory while folding (a Session's destructor must not throw):
    // what was left is lost, and counted.
    dropped_.Add(1, 0);
  }
  MutexLock lock(&batches_mu_);
  if (batch->prev_ != nullptr) batch->prev_->next_ = batch->next_;
  if (batch->next_ != nullptr) batch->next_->prev_ = batch->prev_;
  if (batches_ == batch) batches_ = batch->next_;
  batch->attached_ = false;
  --batches_attached_;
  // Its counts stay in the totals.
  statements_.Add(batch->statements_.load(std::memory_order_relaxed), 0);
  table_lock_events_.Add(batch->table_lock_events_.load(std::memory_order_relaxed), 0);
  transactions_.Add(batch->transactions_.load(std::memory_order_relaxed), 0);
}

void Analyzer::FlushBatches() {
  // fold_mu_ makes a reader that comes after a fold see all of it: the
  // increments are copied out under the batch list lock (each batch's
  // lock for a few copies) and folded in before fold_mu_ is released.
  MutexLock fold(&fold_mu_);
  std::vector<TableDelta> all;
  {
    MutexLock lock(&batches_mu_);
    for (ConnectionBatch* b = batches_; b != nullptr; b = b->next_) TakeDeltas(b, &all);
  }
  FoldDeltas(&all, all.size(), 0);
}

uint64_t Analyzer::BatchCount() const {
  MutexLock lock(&batches_mu_);
  return batches_attached_;
}

void Analyzer::ReportBackup(const TransactionRecord& txn, uint64_t connection_id, Timestamp now) {
  // Read locks on non-transactional tables are how those are backed up; on
  // InnoDB they only make writers wait.
  PatternCandidate c;
  c.type = PatternType::kBackupBlocksWriters;
  for (const TxnTable& t : txn.tables) {
    if (!t.transactional || t.accesses[static_cast<int>(AccessKind::kLockTablesRead)] == 0) continue;
    c.tables.push_back(t.hash);
    c.names.push_back(QualifiedName(t.schema, t.table));
  }
  if (c.tables.empty()) return;
  c.sample_digest = txn.accesses.empty() ? 0 : txn.accesses.front().digest;
  c.amount = static_cast<uint64_t>(std::max<Timestamp>(0, txn.end - txn.start));
  ReportHold(c, txn.start, txn.end, connection_id, now, /*at_once=*/true);
}

void Analyzer::ReportIdleHolds(const TransactionRecord& txn, uint64_t connection_id, Timestamp now) {
  for (const IdleHold& h : txn.idle_holds) {
    PatternCandidate c;
    c.type = PatternType::kLockHeldIdle;
    // One finding per table set and code path (the statement before the gap).
    std::vector<uint16_t> order = h.tables;
    std::sort(order.begin(), order.end(), [&txn](uint16_t a, uint16_t b) {
      return QualifiedName(txn.tables[a].schema, txn.tables[a].table) <
             QualifiedName(txn.tables[b].schema, txn.tables[b].table);
    });
    for (uint16_t t : order) {
      c.tables.push_back(txn.tables[t].hash);
      c.names.push_back(QualifiedName(txn.tables[t].schema, txn.tables[t].table));
    }
    c.read_digest = h.before_digest;
    c.sample_digest = h.after_digest;
    c.amount = static_cast<uint64_t>(std::max<Timestamp>(0, h.end - h.start));
    // An idle transaction nobody waited for harmed nobody: it is reported
    // when its first victim shows, now or later (RecordLockWait).
    ReportHold(c, h.start, h.end, connection_id, now, /*at_once=*/false);
  }
}

void Analyzer::ReportHold(const PatternCandidate& c, Timestamp start, Timestamp end, uint64_t connection_id,
                          Timestamp now, bool at_once) {
  uint64_t id = 0;
  if (at_once) {
    id = ReportObserved(c, now, connection_id);
    if (id == 0) return;
  }
  const LockHoldWatch::Met met = holds_.AddSpan(
      LockHoldWatch::Span{c.tables, start, end, connection_id, id, at_once ? PatternCandidate{} : c});
  if (met.victims == 0) return;
  if (id == 0) {
    PatternCandidate with_victims = c;
    with_victims.victims = met.victims;
    id = ReportObserved(with_victims, now, connection_id);
    if (id == 0) return;
    holds_.SetPattern(met.span, id);
  } else {
    patterns_.AddVictims(id, met.victims);
  }
  LinkWatched(met.incidents, id);
}

uint64_t Analyzer::ReportObserved(const PatternCandidate& c, Timestamp now, uint64_t connection_id) {
  const uint64_t limit = config_->max_tables.load(std::memory_order_relaxed) * kPatternsPerTable;
  bool is_new = false;
  const uint64_t id = patterns_.Report(c, now, limit, &is_new);
  if (id == 0) dropped_.Add(1, connection_id);
  if (is_new) {
    NotifyNewFinding(id);
    ResolveIncidentLinks();
  }
  return id;
}

void Analyzer::ReportConnectionLimit(std::string_view limit, uint32_t code, std::string detail,
                                     Timestamp now) {
  PatternCandidate c;
  c.type = PatternType::kConnectionLimitReached;
  // OBJECTS names the limit; its hash stands where a table's would.
  c.tables.push_back(TableHash("", limit));
  c.names.emplace_back(limit);
  c.error_code = code;
  c.detail = std::move(detail);
  ReportObserved(c, now, 0);
}

void Analyzer::RecordLockWait(LockHoldWatch::Wait wait) {
  const uint64_t incident = wait.incident;
  const uint64_t connection = wait.connection;
  const Timestamp now = wait.end;
  uint64_t linked = 0;
  for (LockHoldWatch::Hit& hit : holds_.AddWait(std::move(wait))) {
    uint64_t id = hit.pattern;
    if (id != 0) {
      patterns_.AddVictims(id, 1);
    } else {
      // The span's first victim makes it a finding.
      hit.finding.victims = 1;
      hit.finding.occurrence = hit.first;
      if (!hit.first) hit.finding.amount = 0;
      id = ReportObserved(hit.finding, now, connection);
      if (id == 0) continue;
      holds_.SetPattern(hit.span, id);
    }
    if (linked == 0) linked = id;  // linked to the oldest holder it waited for
  }
  if (incident != 0 && linked != 0) LinkWatched({incident}, linked);
}

void Analyzer::LinkWatched(const std::vector<uint64_t>& incidents, uint64_t pattern) {
  if (incidents.empty()) return;
  std::vector<IncidentLog::LinkChange> links;
  for (uint64_t incident : incidents)
    links.push_back(IncidentLog::LinkChange{incident, pattern, IncidentLog::kWatchedRank, 0});
  for (const IncidentLog::LinkChange& c : incidents_.Link(std::move(links))) {
    patterns_.AddRelatedErrors(c.pattern, 1);
    if (c.replaced != 0) patterns_.AddRelatedErrors(c.replaced, -1);
  }
}

void Analyzer::LinkProvenIncidents(const TransactionRecord& txn, const TxnFacts& facts) {
  // An error that proved a pair links to that pair's finding, whatever an
  // older finding with the same write statement would say: the incident's
  // own transaction (or unscoped window) is the evidence.
  std::vector<IncidentLog::LinkChange> links;
  for (const TxnError& e : txn.errors) {
    if (e.incident == 0 || e.table < 0) continue;
    for (const ReadWriteObservation& o : facts.read_writes) {
      if (o.table != e.table || o.write_digest != e.digest || !(o.proven || o.idiom_deadlock)) continue;
      PatternCandidate c;
      c.type =
          o.idiom_deadlock
              ? (o.gap_insert ? PatternType::kGapLockInsert : PatternType::kSharedLockUpgrade)
              : (o.unscoped ? PatternType::kUnscopedReadModifyWrite : PatternType::kUnlockedReadModifyWrite);
      const TxnTable& t = txn.tables[e.table];
      c.tables.push_back(t.hash);
      c.names.push_back(QualifiedName(t.schema, t.table));
      c.read_digest = o.read_digest;
      c.write_digest = o.write_digest;
      c.insert = o.insert;
      // Only a finding the pair's detector reported (it has room for the
      // pair, so its row is shown) takes the link.
      const uint64_t id = patterns_.Find(c);
      if (id != 0) links.push_back(IncidentLog::LinkChange{e.incident, id, IncidentLog::kProvenRank, 0});
      break;
    }
  }
  if (links.empty()) return;
  for (const IncidentLog::LinkChange& c : incidents_.Link(std::move(links))) {
    patterns_.AddRelatedErrors(c.pattern, 1);
    if (c.replaced != 0) patterns_.AddRelatedErrors(c.replaced, -1);
  }
}

void Analyzer::DetectIgnoredLockErrors(const TransactionRecord& txn, std::vector<PatternCandidate>* found) {
  auto candidate = [&](uint64_t table_hash, std::string_view schema, std::string_view table, uint32_t code,
                       uint64_t failed_digest, uint64_t went_on_digest) {
    PatternCandidate c;
    c.type = PatternType::kIgnoredLockError;
    c.tables.push_back(table_hash);
    c.names.push_back(QualifiedName(schema, table));
    c.read_digest = failed_digest;
    c.error_code = code;
    c.sample_digest = went_on_digest;
    found->push_back(std::move(c));
  };
  // A lock wait timeout rolls back only its statement (innodb_rollback_on_timeout
  // OFF, the default): the transaction went on, and committed, without the
  // statement that failed. (With the option ON the server ends the
  // transaction at the failing statement, which is then its last.)
  if (txn.outcome == TxnOutcome::kCommit && txn.explicit_transaction) {
    for (const TxnError& e : txn.errors) {
      if (e.code != kErrLockWaitTimeout || e.table < 0 || e.statement + 1 >= txn.statements) continue;
      const TxnTable& t = txn.tables[e.table];
      // The last statement after the failed one (0: it committed right away).
      uint64_t went_on = 0;
      for (const TxnAccess& a : txn.accesses) {
        if (a.statement > e.statement) went_on = a.digest;
      }
      candidate(t.hash, t.schema, t.table, e.code, e.digest, went_on);
      break;  // one finding per transaction
    }
  }
  // After a deadlock the server rolled the whole transaction back. The next
  // transaction, begun without BEGIN or ROLLBACK, that writes and does not
  // start over with the failed transaction's first statement is the rest of
  // the old one, committed on its own (autocommit: statement by statement).
  const DeadlockAftermath& d = txn.after_deadlock;
  if (d.present && !txn.accesses.empty() && txn.accesses.front().digest != d.failed_first_digest &&
      (!txn.explicit_transaction || !txn.autocommit)) {
    for (const TxnAccess& a : txn.accesses) {
      if (!IsWriteAccess(a.kind)) continue;
      candidate(d.table_hash, d.schema, d.table, kErrLockDeadlock, d.failed_digest, a.digest);
      break;
    }
  }
}

void Analyzer::DetectClusterConflicts(const TransactionRecord& txn, std::vector<PatternCandidate>* found) {
  for (size_t i = 0; i < txn.errors.size(); ++i) {
    const TxnError& e = txn.errors[i];
    if (!IsClusterConflict(e.code) || e.table < 0) continue;
    // One occurrence per transaction and table, whatever it raised.
    bool seen = false;
    for (size_t j = 0; j < i; ++j)
      seen = seen || (IsClusterConflict(txn.errors[j].code) && txn.errors[j].table == e.table);
    if (seen) continue;
    const TxnTable& t = txn.tables[e.table];
    PatternCandidate c;
    c.type = PatternType::kMultiNodeWriteConflict;
    c.tables.push_back(t.hash);
    c.names.push_back(QualifiedName(t.schema, t.table));
    // The example: the transaction's last write of the table (what lost its
    // row locks). A transaction aborted while idle fails at its next
    // command, before any statement text exists: the failing statement has
    // none to show.
    c.sample_digest = e.digest;
    for (const TxnAccess& a : txn.accesses) {
      if (static_cast<int32_t>(a.table) == e.table && IsWriteAccess(a.kind) && a.digest != 0)
        c.sample_digest = a.digest;
    }
    c.amount = e.code == kErrClusterBruteForceAbort ? 1 : 0;
    c.victims = e.code == kErrClusterCertificationFailure ? 1 : 0;
    found->push_back(std::move(c));
  }
}

void Analyzer::ReportPatterns(const std::vector<PatternCandidate>& found, Timestamp now, uint64_t hint) {
  const uint64_t limit = config_->max_tables.load(std::memory_order_relaxed) * kPatternsPerTable;
  bool any_new = false;
  for (const PatternCandidate& c : found) {
    bool is_new = false;
    const uint64_t id = patterns_.Report(c, now, limit, &is_new);
    if (id == 0) dropped_.Add(1, hint);
    if (is_new) NotifyNewFinding(id);
    any_new = any_new || is_new;
  }
  // The incidents this pattern explains usually happened already.
  if (any_new) ResolveIncidentLinks();
}

void Analyzer::ResolveIncidentLinks() {
  if (patterns_.count() == 0) return;
  // Read the version first: a pattern added while we work moves it again,
  // and the incidents we could not link (or only to a fallback) are retried
  // next time.
  const uint64_t version = patterns_.version();
  std::vector<IncidentLog::Pending> pending = incidents_.TakePending(version);
  if (pending.empty()) return;
  std::vector<IncidentLog::LinkChange> links;
  for (const IncidentLog::Pending& p : pending) {
    int rank = PatternStore::kNoLink;
    const uint64_t id = patterns_.FindForIncident(p.code, p.table_hash, p.digest, p.history_tables, &rank);
    if (id != 0) links.push_back(IncidentLog::LinkChange{p.id, id, rank, 0});
  }
  if (links.empty()) return;
  // A better explanation takes the error over from the one it had.
  for (const IncidentLog::LinkChange& c : incidents_.Link(std::move(links))) {
    patterns_.AddRelatedErrors(c.pattern, 1);
    if (c.replaced != 0) patterns_.AddRelatedErrors(c.replaced, -1);
  }
}

uint64_t Analyzer::RecordIncident(Incident incident) {
  CountLockError(incident.row.error_code);
  const uint64_t version = patterns_.version();
  if (patterns_.count() > 0) {
    incident.row.pattern_id =
        patterns_.FindForIncident(incident.row.error_code, incident.table_hash, incident.digest,
                                  incident.history_tables, &incident.link_rank);
  }
  incident.tried_version = version;
  const uint64_t pattern = incident.row.pattern_id;
  AnalyzerListener* listener = listener_.load(std::memory_order_acquire);
  IncidentRow told;
  if (listener != nullptr) told = incident.row;
  const uint64_t id =
      incidents_.Record(std::move(incident), config_->history_size.load(std::memory_order_relaxed));
  if (listener != nullptr) {
    told.id = id;
    listener->OnIncident(told);
  }
  // The error is related to the pattern whether or not the history keeps it.
  if (pattern != 0) patterns_.AddRelatedErrors(pattern, 1);
  return id;
}

void Analyzer::CountLockError(uint32_t code) {
  if (code == kErrLockDeadlock) {
    deadlocks_.fetch_add(1, std::memory_order_relaxed);
  } else if (code == kErrLockWaitTimeout) {
    lock_wait_timeouts_.fetch_add(1, std::memory_order_relaxed);
  } else if (IsDuplicateKey(code)) {
    duplicate_keys_.fetch_add(1, std::memory_order_relaxed);
  } else if (IsClusterConflict(code)) {
    cluster_conflicts_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Analyzer::NotifyNewFinding(uint64_t id) {
  AnalyzerListener* listener = listener_.load(std::memory_order_acquire);
  if (listener == nullptr || id == 0) return;
  PatternInfo info;
  PatternRow row;
  if (!patterns_.Get(id, &info) || !BuildPatternRow(info, &row)) return;
  listener->OnNewFinding(row);
}

std::string Analyzer::Statement(uint64_t digest) const { return digests_.Lookup(digest); }

std::vector<TableRow> Analyzer::SnapshotTables() {
  FlushBatches();
  return tables_.Snapshot();
}

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

Analyzer::LockOrderFold Analyzer::FoldLockOrders(const std::vector<PatternInfo>& infos) const {
  LockOrderFold fold;
  bool any = false;
  for (const PatternInfo& info : infos) any = any || IsLockOrderPattern(info.what.type);
  if (!any) return fold;
  fold.groups = GroupLockOrders(lock_order_.Snapshot());
  // The oldest lock-order pattern of a group stands for the group; the
  // others (the cycles that one order removes, the inversions inside it)
  // are folded into it. Infos come in id order.
  std::unordered_map<size_t, uint64_t> first_of_group;
  for (const PatternInfo& info : infos) {
    if (!IsLockOrderPattern(info.what.type)) continue;
    const size_t g = FindLockOrderGroup(fold.groups, info.what.tables);
    if (g == kNoLockOrderGroup) continue;
    auto [it, inserted] = first_of_group.emplace(g, info.id);
    fold.representative[info.id] = it->second;
    if (inserted) fold.group_of[info.id] = g;
  }
  return fold;
}

std::vector<PatternRow> Analyzer::SnapshotPatterns() {
  FlushBatches();
  ResolveIncidentLinks();
  std::vector<PatternInfo> infos = patterns_.Snapshot();
  const LockOrderFold fold = FoldLockOrders(infos);
  // RELATED_ERRORS of folded patterns belong to their group's row.
  std::unordered_map<uint64_t, uint64_t> folded_errors;
  for (const PatternInfo& info : infos) {
    auto it = fold.representative.find(info.id);
    if (it != fold.representative.end() && it->second != info.id)
      folded_errors[it->second] += info.related_errors;
  }
  std::vector<PatternRow> rows;
  rows.reserve(infos.size());
  for (const PatternInfo& info : infos) {
    PatternRow row;
    if (IsLockOrderPattern(info.what.type)) {
      auto rep = fold.representative.find(info.id);
      if (rep == fold.representative.end()) continue;  // its edges are gone (a reset raced with it)
      if (rep->second != info.id) continue;            // folded into its group's row
      BuildLockOrderGroupRow(info, fold.groups[fold.group_of.at(info.id)], &row);
      row.related_errors += folded_errors[info.id];
      rows.push_back(std::move(row));
      continue;
    }
    if (BuildPatternRow(info, &row)) rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<IncidentRow> Analyzer::SnapshotIncidents() {
  ResolveIncidentLinks();
  std::vector<IncidentRow> rows = incidents_.Snapshot();
  // Incidents linked to a folded lock-order pattern show its group's row.
  bool any_linked = false;
  for (const IncidentRow& r : rows) any_linked = any_linked || r.pattern_id != 0;
  if (!any_linked) return rows;
  const LockOrderFold fold = FoldLockOrders(patterns_.Snapshot());
  for (IncidentRow& r : rows) {
    auto it = fold.representative.find(r.pattern_id);
    if (it != fold.representative.end()) r.pattern_id = it->second;
  }
  return rows;
}

AnalyzerStatus Analyzer::Status() {
  FlushBatches();
  AnalyzerStatus st;
  {
    // Under the lock Detach retires a batch's counters with: each count is
    // read once, live or retired.
    MutexLock lock(&batches_mu_);
    st.statements = statements_.Sum();
    st.table_lock_events = table_lock_events_.Sum();
    st.transactions = transactions_.Sum();
    for (const ConnectionBatch* b = batches_; b != nullptr; b = b->next_) {
      st.statements += b->statements_.load(std::memory_order_relaxed);
      st.table_lock_events += b->table_lock_events_.load(std::memory_order_relaxed);
      st.transactions += b->transactions_.load(std::memory_order_relaxed);
      st.memory_bytes += b->heap_bytes_.load(std::memory_order_relaxed);
    }
    st.statements -= reset_statements_;
    st.table_lock_events -= reset_table_lock_events_;
    st.transactions -= reset_transactions_;
  }
  st.tracked_tables = tables_.count();
  const std::vector<PatternInfo> infos = patterns_.Snapshot();
  const LockOrderFold fold = FoldLockOrders(infos);
  for (const PatternInfo& info : infos) {
    if (IsLockOrderPattern(info.what.type)) {
      auto rep = fold.representative.find(info.id);
      if (rep == fold.representative.end() || rep->second != info.id) continue;
    } else if (!PatternHolds(info.what)) {
      continue;
    }
    // A row's SEVERITY is its type's (pattern_rows.cc), a group's that of
    // the pattern that stands for it.
    st.patterns++;
    switch (PatternSeverity(info.what.type)) {
      case Severity::kHigh:
        st.findings_high++;
        break;
      case Severity::kMedium:
        st.findings_medium++;
        break;
      case Severity::kLow:
        st.findings_low++;
        break;
    }
  }
  st.deadlocks = deadlocks_.load(std::memory_order_relaxed);
  st.lock_wait_timeouts = lock_wait_timeouts_.load(std::memory_order_relaxed);
  st.cluster_conflicts = cluster_conflicts_.load(std::memory_order_relaxed);
  st.duplicate_keys = duplicate_keys_.load(std::memory_order_relaxed);
  st.memory_bytes += tables_.memory_bytes() + lock_order_.memory_bytes() + read_writes_.memory_bytes() +
                     digests_.memory_bytes() + patterns_.memory_bytes() + incidents_.memory_bytes();
  st.dropped_events = dropped_.Sum();
  return st;
}

void Analyzer::SaveState(StateEncoder* out, uint64_t id_reserve) {
  FlushBatches();
  tables_.Save(out);
  lock_order_.Save(out);
  read_writes_.Save(out);
  digests_.Save(out);
  patterns_.Save(out, id_reserve);
  incidents_.Save(out, id_reserve);
}

bool Analyzer::LoadState(StateDecoder* in, uint64_t* dropped) {
  const uint64_t max_tables = config_->max_tables.load(std::memory_order_relaxed);
  uint64_t lost = 0;
  const bool ok = tables_.Load(in, max_tables, &lost) &&
                  lock_order_.Load(in, max_tables * kLockOrderPairsPerTable, &lost) &&
                  read_writes_.Load(in, max_tables * kReadWritePairsPerTable, &lost) &&
                  digests_.Load(in, max_tables * kDigestTextsPerTable, &lost) &&
                  patterns_.Load(in, max_tables * kPatternsPerTable, &lost) &&
                  incidents_.Load(in, config_->history_size.load(std::memory_order_relaxed), &lost);
  if (!ok) {
    Reset();
    return false;
  }
  if (lost > 0) dropped_.Add(lost, 0);
  *dropped += lost;
  return true;
}

void Analyzer::Reset() {
  // No fold runs meanwhile (fold_mu_), and the connections' pending
  // increments are forgotten first, so that nothing recorded before the
  // reset lands in the emptied stores; the batches' counters count on from
  // here. Then the order matters for transactions published during the
  // reset. The findings go first: a publish that detects a pattern on an
  // aggregate about to be cleared then reports it into the new store, where
  // it shows only while its aggregates exist (PatternHolds), instead of
  // setting a "reported" flag whose pattern the reset would then drop for
  // good. The generation moves last, after the digest texts are gone, so
  // that a Session that sees it resends every text it publishes next.
  MutexLock fold(&fold_mu_);
  {
    MutexLock lock(&batches_mu_);
    reset_statements_ = reset_table_lock_events_ = reset_transactions_ = 0;
    for (ConnectionBatch* b = batches_; b != nullptr; b = b->next_) {
      {
        MutexLock batch_lock(&b->mu_);
        b->used_ = 0;
      }
      reset_statements_ += b->statements_.load(std::memory_order_relaxed);
      reset_table_lock_events_ += b->table_lock_events_.load(std::memory_order_relaxed);
      reset_transactions_ += b->transactions_.load(std::memory_order_relaxed);
    }
    statements_.Reset();
    table_lock_events_.Reset();
    transactions_.Reset();
  }
  patterns_.Reset();
  incidents_.Reset();
  holds_.Reset();
  tables_.Reset();
  lock_order_.Reset();
  read_writes_.Reset();
  digests_.Reset();
  generation_.fetch_add(1, std::memory_order_acq_rel);
  dropped_.Reset();
  deadlocks_.store(0, std::memory_order_relaxed);
  lock_wait_timeouts_.store(0, std::memory_order_relaxed);
  cluster_conflicts_.store(0, std::memory_order_relaxed);
  duplicate_keys_.store(0, std::memory_order_relaxed);
}

}  // namespace lockdiag
