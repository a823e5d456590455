#include "core/lock/session.h"

#include <algorithm>
#include <cstring>

#include "core/lock/analyzer.h"
#include "core/common/clock.h"
#include "core/common/hash.h"
#include "core/common/heap_bytes.h"
#include "core/common/text.h"
#include "core/lock/digest.h"
#include "core/lock/lock_errors.h"
#include "core/lock/table_ref.h"

namespace lockdiag {
Session::Session(Analyzer* analyzer, uint64_t connection_id)
    : analyzer_(analyzer), connection_id_(connection_id), known_generation_(analyzer->generation()) {
  analyzer_->Attach(&batch_);
  // Counted from the start: a connection that never ends a transaction
  // holds its Session too.
  batch_.SetHeapBytes(HeapBytes());
}

Session::~Session() { analyzer_->Detach(&batch_); }

size_t Session::HeapBytes() const {
  size_t b = MallocBlock(sizeof(Session)) + StringHeap(user_) + StringHeap(host_) + StringHeap(digest_text_);
  b += VectorHeap(txn_.tables) + VectorHeap(txn_.accesses) + VectorHeap(txn_.keys) + VectorHeap(txn_.errors) +
       VectorHeap(txn_.new_digests) + VectorHeap(txn_.idle_holds);
  for (const TxnTable& t : txn_.tables) b += StringHeap(t.schema) + StringHeap(t.table);
  for (const auto& d : txn_.new_digests) b += StringHeap(d.second);
  for (const IdleHold& h : txn_.idle_holds) b += VectorHeap(h.tables);
  b += StringHeap(txn_.after_deadlock.schema) + StringHeap(txn_.after_deadlock.table);
  b += StringHeap(aftermath_.schema) + StringHeap(aftermath_.table);
  b += VectorHeap(facts_.lock_order) + VectorHeap(facts_.read_writes) + VectorHeap(facts_.tables);
  b += VectorHeap(retry_incidents_) + VectorHeap(retry_first_keys_);
  b += batch_.HeapBytes();
  return b;
}

void Session::UpdateHeapBytes() {
  // The buffers that grow with a big transaction, and the digest set; the
  // strings follow them closely enough, and every 256th check counts all.
  const size_t shape = txn_.tables.capacity() + txn_.accesses.capacity() + txn_.keys.capacity() +
                       txn_.errors.capacity() + txn_.new_digests.capacity() + facts_.lock_order.capacity() +
                       facts_.read_writes.capacity() + facts_.tables.capacity() + batch_.growths() +
                       digest_text_.capacity();
  if (shape == heap_shape_ && (++heap_checks_ & 255) != 0) return;
  heap_shape_ = shape;
  batch_.SetHeapBytes(HeapBytes());
}

void Session::SetIdentity(std::string_view user, std::string_view host) {
  user_ = Utf8Head(user, kMaxIdentity);
  host_ = Utf8Head(host, kMaxIdentity);
}

bool Session::Ignored(std::string_view schema) {
  const Config& config = analyzer_->config();
  uint64_t version = config.ignore_version();
  if (version != ignore_version_) {
    ignore_ = config.ignore_schemas();
    ignore_version_ = version;
  }
  return ignore_ && Config::IsIgnored(*ignore_, schema);
}

int Session::FindOrAddTable(std::string_view schema, std::string_view table) {
  // Transactions touch few tables: a linear scan beats hashing here.
  for (size_t i = 0; i < txn_.tables.size(); ++i) {
    const TxnTable& t = txn_.tables[i];
    if (t.table == table && t.schema == schema) return static_cast<int>(i);
  }
  if (txn_.tables.size() >= kMaxTablesPerTxn) return -1;
  TxnTable& t = txn_.tables.emplace_back();
  t.schema.assign(schema);
  t.table.assign(table);
  t.hash = TableHash(schema, table);
  return static_cast<int>(txn_.tables.size() - 1);
}

void Session::OnTableAccess(const AccessEvent& a) {
  batch_.CountTableLockEvent();
  if (Ignored(a.schema)) return;
  if (txn_.start == 0) txn_.start = NowMicros();
  int idx = FindOrAddTable(a.schema, a.table);
  if (idx < 0 || txn_.accesses.size() >= kMaxAccessesPerTxn) {
    txn_.truncated = true;
    analyzer_->CountDropped(1, connection_id_);
    return;
  }
  if (txn_.accesses.empty() && a.isolation_known) {
    txn_.isolation = a.isolation;
    isolation_from_access_ = true;
  }
  txn_.tables[idx].accesses[static_cast<int>(a.kind)]++;
  if (a.transactional) txn_.tables[idx].transactional = true;
  if (IsLockTables(a.kind)) txn_.lock_tables = true;
  TxnAccess acc{};
  acc.table = static_cast<uint16_t>(idx);
  acc.kind = a.kind;
  acc.form = a.form;
  acc.under_named_lock = a.under_named_lock;
  acc.statement = txn_.statements;
  acc.key_begin = static_cast<uint32_t>(txn_.keys.size());
  uint32_t keys = a.keys == nullptr ? 0 : a.key_count;
  if (keys > kMaxKeysPerAccess) keys = kMaxKeysPerAccess;
  if (txn_.keys.size() + keys > kMaxKeysPerTxn)
    keys = static_cast<uint32_t>(kMaxKeysPerTxn - txn_.keys.size());
  if (a.keys != nullptr && keys < a.key_count) {
    txn_.truncated = true;
    analyzer_->CountDropped(1, connection_id_);
  }
  txn_.keys.insert(txn_.keys.end(), a.keys, a.keys + keys);
  acc.key_count = keys;
  txn_.accesses.push_back(acc);
}

void Session::OnError(uint32_t code, std::string_view schema, std::string_view table) {
  if (!IsLockError(code)) return;
  int idx = -1;
  if (!table.empty() && !Ignored(schema)) idx = FindOrAddTable(schema, table);
  if (idx < 0 && txn_.accesses.size() > statement_first_access_) {
    // The server did not name the table: blame the statement's first write
    // (its own target; tables its triggers write come after it), else its
    // last access (a duplicate key is raised by the written table).
    idx = txn_.accesses.back().table;
    for (size_t i = statement_first_access_; i < txn_.accesses.size(); ++i) {
      if (IsWriteAccess(txn_.accesses[i].kind)) {
        idx = txn_.accesses[i].table;
        break;
      }
    }
  }
  if (idx < 0 && IsClusterConflict(code)) {
    // A cluster conflict lost row locks the transaction took earlier (it
    // may fail at a statement that touched nothing, or at COMMIT): blame
    // the table it wrote last, where a write on another node collided.
    for (size_t i = txn_.accesses.size(); i-- > 0;) {
      if (IsWriteAccess(txn_.accesses[i].kind)) {
        idx = txn_.accesses[i].table;
        break;
      }
    }
  }
  if (txn_.errors.size() >= kMaxErrorsPerTxn) {
    // A loop with a CONTINUE handler can raise errors without end inside one
    // transaction: the first ones are kept, the rest counted as dropped.
    txn_.truncated = true;
    analyzer_->CountDropped(1, connection_id_);
    return;
  }
  TxnError e;
  e.code = code;
  e.table = idx;
  e.time = NowMicros();
  e.statement = txn_.statements;
  txn_.errors.push_back(e);
}

uint32_t Session::ErrorToCount(const StatementEnd& end) {
  // A stored procedure's statements end with reports of their own, and so
  // does the CALL: an error a statement of the procedure already reported
  // is not reported again by the CALL that failed with it.
  if (end.in_stored_procedure) {
    routine_error_ = end.error_code;
    routine_error_pending_ = true;
    return end.error_code;
  }
  const bool repeated = routine_error_pending_ && routine_error_ == end.error_code;
  routine_error_pending_ = false;
  return repeated ? 0 : end.error_code;
}

uint64_t Session::Normalize(std::string_view raw, uint64_t raw_hash) {
  if (text_of_.digest == 0 || text_of_.raw_hash != raw_hash || text_of_.length != raw.size()) {
    text_of_.digest = 0;  // DigestStatement may throw with digest_text_ half written
    const uint64_t digest = DigestStatement(raw, &digest_text_);
    text_of_ = NormalizedText{raw_hash, raw.size(), digest};
  }
  return text_of_.digest;
}

std::string_view Session::StatementText(uint64_t statement_id, std::string_view raw) {
  if (!text_statement_known_ || text_statement_id_ != statement_id) {
    // Once per statement: a statement that raises a warning per row asks
    // again for each, and its text can be long.
    Normalize(raw, HashWords(raw));
    text_statement_id_ = statement_id;
    text_statement_known_ = true;
  }
  return digest_text_;
}

void Session::OnStatementEnd(const StatementEnd& end) {
  batch_.CountStatement();
  const Timestamp now = NowMicros();
  {
    const uint64_t generation = analyzer_->generation();
    if (generation != known_generation_) {  // lockdiag_reset forgot the texts
      known_digests_.fill(0);
      known_generation_ = generation;
    }
  }
  // The application was away between the last statement and this one.
  if (txn_.statements > 0 && end.start_time != 0 && end.start_time - last_end_ >= kIdleHoldMicros)
    NoteIdleHold(end.start_time, end.text);
  text_statement_known_ = false;  // the next StatementText is another statement's
  const uint32_t error_code = ErrorToCount(end);
  if (error_code != 0 && IsLockError(error_code) && txn_.errors.size() == statement_first_error_) {
    OnError(error_code, {}, {});
  }
  const bool touched = txn_.accesses.size() > statement_first_access_;
  const bool failed = txn_.errors.size() > statement_first_error_;
  if (end.backup_statement) backup_session_ = true;
  // The application handled the deadlock (BEGIN, COMMIT or ROLLBACK before
  // anything else): what follows is a new transaction of its own.
  if (aftermath_.present && end.control != TxnControl::kNone && txn_.accesses.empty()) aftermath_ = {};
  if (end.found_nothing || end.found_rows) {
    for (size_t i = statement_first_access_; i < txn_.accesses.size(); ++i) {
      txn_.accesses[i].found_nothing = end.found_nothing;
      txn_.accesses[i].found_rows = end.found_rows;
    }
  }
  bool deadlock = RollsBackTransaction(error_code);
  if (touched || failed) {
    // Digest only statements that matter to the analysis: BEGIN, SET, and
    // statements on ignored schemas cost nothing more.
    const uint64_t generation = known_generation_;
    const uint64_t raw_hash = HashWords(end.text);
    RawDigest& cached = raw_digests_[raw_hash % kRawDigestCache];
    const bool hit = cached.raw_hash == raw_hash && cached.length == end.text.size() && cached.digest != 0;
    // The text is needed for a digest not yet published, and for incidents.
    const bool need_text = !hit || failed || !cached.published || cached.generation != generation;
    uint64_t digest = cached.digest;
    if (need_text) {
      // Reuses what StatementText() computed for this statement, if anything.
      digest = Normalize(end.text, raw_hash);
      cached = RawDigest{raw_hash, digest, generation, static_cast<uint32_t>(end.text.size()), false};
    }
    for (size_t i = statement_first_access_; i < txn_.accesses.size(); ++i) txn_.accesses[i].digest = digest;
    for (size_t i = statement_first_error_; i < txn_.errors.size(); ++i) {
      txn_.errors[i].digest = digest;
      deadlock = deadlock || RollsBackTransaction(txn_.errors[i].code);
    }
    // Published now or before: the next hit skips the text. Not when the
    // transaction carries its maximum of texts: then a later run sends it.
    if (need_text) cached.published = PublishDigestText(digest);
    if (failed) RecordIncidents(digest);
  }
  if (!backup_session_ && (touched || failed)) RecordLockWait(end, now);
  if (txn_.statements == 0) {
    if (!isolation_from_access_) txn_.isolation = end.isolation;
    txn_.autocommit = end.autocommit;
    txn_.first_statement = statement_number_;
  }
  txn_.statements++;
  statement_number_++;
  if (backup_session_) txn_.backup = true;
  txn_.xa = txn_.xa || end.xa;
  if (end.transaction_open) txn_.explicit_transaction = true;
  if (end.under_lock_tables) txn_.lock_tables = true;
  statement_first_access_ = static_cast<uint32_t>(txn_.accesses.size());
  statement_first_error_ = static_cast<uint32_t>(txn_.errors.size());
  last_end_ = now;

  // ER_LOCK_DEADLOCK (or a cluster conflict) rolled the whole transaction
  // back, whatever the transaction state reads; the next statement starts a
  // new one.
  if (deadlock || (!end.transaction_open && !end.under_lock_tables)) {
    txn_.outcome = deadlock ? TxnOutcome::kDeadlock : end.outcome;
    Publish();
  }
}

bool Session::PublishDigestText(uint64_t digest) {
  uint64_t& slot = known_digests_[digest % kKnownDigestSlots];
  if (slot == digest) return true;
  if (txn_.new_digests.size() >= kMaxNewDigestsPerTxn) return false;
  slot = digest;
  txn_.new_digests.emplace_back(digest, digest_text_);
  return true;
}

void Session::NoteIdleHold(Timestamp until, std::string_view after_text) {
  // Only what earlier statements locked is held across the gap; a backup's
  // read locks are BACKUP_BLOCKS_WRITERS's business.
  if (backup_session_ || statement_first_access_ == 0) return;
  IdleHold hold;
  for (uint32_t i = 0; i < statement_first_access_; ++i) {
    const TxnAccess& a = txn_.accesses[i];
    if (!IsRowLocking(a.kind)) continue;
    if (std::find(hold.tables.begin(), hold.tables.end(), a.table) == hold.tables.end())
      hold.tables.push_back(a.table);
  }
  if (hold.tables.empty()) return;
  hold.start = last_end_;
  hold.end = until;
  hold.before_digest = txn_.accesses[statement_first_access_ - 1].digest;
  if (!after_text.empty()) {
    // A rare event: the statement after the gap (often COMMIT, which is not
    // digested otherwise) is worth its normalisation for the evidence.
    hold.after_digest = Normalize(after_text, HashWords(after_text));
    PublishDigestText(hold.after_digest);
  }
  std::vector<IdleHold>& holds = txn_.idle_holds;
  if (holds.size() < kMaxIdleHoldsPerTxn) {
    holds.push_back(std::move(hold));
    return;
  }
  // Full: keep the longest ones.
  auto shortest = std::min_element(holds.begin(), holds.end(), [](const IdleHold& a, const IdleHold& b) {
    return a.end - a.start < b.end - b.start;
  });
  if (shortest->end - shortest->start < hold.end - hold.start) *shortest = std::move(hold);
  analyzer_->CountDropped(1, connection_id_);
}

void Session::RecordLockWait(const StatementEnd& end, Timestamp now) {
  // A lock wait timeout is a wait that gave up; the rest count when slow.
  uint64_t incident = 0;
  bool timed_out = false;
  for (size_t i = statement_first_error_; i < txn_.errors.size(); ++i) {
    if (txn_.errors[i].code != kErrLockWaitTimeout) continue;
    timed_out = true;
    if (incident == 0) incident = txn_.errors[i].incident;
  }
  // The server does not tell a plugin how long a statement waited for row
  // locks: a statement that locked rows and ran long may have waited for
  // them (LockHoldWatch counts it only if it ran while a holder held its
  // table).
  // Cheapest test first: most statements are quick.
  bool ran_long =
      end.start_time != 0 && now - end.start_time >= static_cast<Timestamp>(Analyzer::kSlowLockWaitMicros);
  if (ran_long) {
    bool locked_rows = false;
    for (size_t i = statement_first_access_; i < txn_.accesses.size(); ++i)
      locked_rows = locked_rows || IsRowLocking(txn_.accesses[i].kind);
    ran_long = locked_rows;
  }
  if (!timed_out && !ran_long && end.lock_wait_micros < Analyzer::kSlowLockWaitMicros) return;
  std::vector<uint64_t> tables;
  auto add = [&tables, this](int32_t idx) {
    if (idx < 0) return;
    const uint64_t h = txn_.tables[idx].hash;
    if (std::find(tables.begin(), tables.end(), h) == tables.end()) tables.push_back(h);
  };
  for (size_t i = statement_first_access_; i < txn_.accesses.size(); ++i) add(txn_.accesses[i].table);
  for (size_t i = statement_first_error_; i < txn_.errors.size(); ++i) add(txn_.errors[i].table);
  if (tables.empty()) return;
  // The wait lies somewhere in the statement's run.
  Timestamp start = end.start_time != 0 && end.start_time <= now
                        ? end.start_time
                        : now - static_cast<Timestamp>(end.lock_wait_micros);
  analyzer_->RecordLockWait(LockHoldWatch::Wait{connection_id_, std::move(tables), start, now, incident});
}

std::string Session::History() const {
  std::string out;
  const TxnAccess* prev = nullptr;
  for (const TxnAccess& a : txn_.accesses) {
    // A self-join locks a table twice in one statement: show it once.
    if (prev != nullptr && prev->table == a.table && prev->kind == a.kind && prev->statement == a.statement)
      continue;
    prev = &a;
    const TxnTable& t = txn_.tables[a.table];
    const char* kind = AccessKindName(a.kind);
    const std::string name = QualifiedName(t.schema, t.table);
    const size_t len = name.size() + std::char_traits<char>::length(kind) + 3;
    if (out.size() + len > kMaxIncidentHistory - 5) {
      out += ", ...";
      break;
    }
    if (!out.empty()) out += ", ";
    out.append(name).append(":").append(kind);
  }
  return out;
}

void Session::RecordIncidents(uint64_t digest) {
  const std::string history = History();
  for (size_t i = statement_first_error_; i < txn_.errors.size(); ++i) {
    const TxnError& e = txn_.errors[i];
    Incident incident;
    IncidentRow& row = incident.row;
    row.time = e.time;
    row.thread_id = connection_id_;
    row.user = user_;
    row.host = host_;
    row.error_code = e.code;
    row.error_name = LockErrorName(e.code);
    if (e.table >= 0) {
      const TxnTable& t = txn_.tables[e.table];
      row.table_schema = t.schema;
      row.table_name = t.table;
      incident.table_hash = t.hash;
    }
    row.statement_digest = Utf8Head(digest_text_, kMaxIncidentStatement);
    row.transaction_history = history;
    incident.digest = digest;
    incident.history_tables.reserve(txn_.tables.size());
    for (const TxnTable& t : txn_.tables) incident.history_tables.push_back(t.hash);
    txn_.errors[i].incident = analyzer_->RecordIncident(std::move(incident));
  }
}

void Session::FollowUpBeforePublish() {
  const uint64_t first = txn_.accesses.empty() ? 0 : txn_.accesses.front().digest;
  if (!retry_incidents_.empty() && first != 0) {
    // A retry starts over with the failed transaction's first statement.
    analyzer_->SetRetried(retry_incidents_, StartsLikeRetry());
    retry_incidents_.clear();
  }
  // The deadlock's aftermath goes to the first transaction that writes (or
  // starts over like a retry); one that only reads leaves it pending.
  bool writes = false;
  for (const TxnAccess& a : txn_.accesses) writes = writes || IsWriteAccess(a.kind);
  if (aftermath_.present && first != 0 && (writes || first == aftermath_.failed_first_digest)) {
    txn_.after_deadlock = std::move(aftermath_);
    aftermath_ = {};
  }
}

bool Session::StartsLikeRetry() const {
  if (txn_.accesses.empty() || txn_.accesses.front().digest != retry_first_digest_) return false;
  const TxnAccess& a = txn_.accesses.front();
  if (a.key_count == 0 || retry_first_keys_.empty()) return a.key_count == 0 && retry_first_keys_.empty();
  for (uint32_t i = 0; i < a.key_count; ++i) {
    for (uint64_t k : retry_first_keys_) {
      if (txn_.keys[a.key_begin + i] == k) return true;
    }
  }
  return false;
}

void Session::FollowUpAfterPublish() {
  const uint64_t first = txn_.accesses.empty() ? 0 : txn_.accesses.front().digest;
  for (const TxnError& e : txn_.errors) {
    if (e.incident != 0 && retry_incidents_.size() < kMaxErrorsPerTxn) retry_incidents_.push_back(e.incident);
  }
  if (!retry_incidents_.empty()) {
    retry_first_digest_ = first;
    retry_first_keys_.clear();
    if (!txn_.accesses.empty()) {
      const TxnAccess& a = txn_.accesses.front();
      retry_first_keys_.assign(txn_.keys.begin() + a.key_begin,
                               txn_.keys.begin() + a.key_begin + a.key_count);
    }
  }
  if (txn_.outcome == TxnOutcome::kDeadlock) {
    for (const TxnError& e : txn_.errors) {
      if (e.code != kErrLockDeadlock || e.table < 0) continue;
      const TxnTable& t = txn_.tables[e.table];
      aftermath_.present = true;
      aftermath_.table_hash = t.hash;
      aftermath_.schema = t.schema;
      aftermath_.table = t.table;
      aftermath_.failed_digest = e.digest;
      aftermath_.failed_first_digest = first;
      break;
    }
  }
  recent_.Remember(txn_);
}

void Session::OnDisconnect() {
  // Locks held until the connection went away.
  const Timestamp now = NowMicros();
  if (txn_.statements > 0 && now - last_end_ >= kIdleHoldMicros) NoteIdleHold(now, {});
  txn_.outcome = TxnOutcome::kDisconnect;
  Publish();
  // The connection is gone: nothing retried what was pending.
  if (!retry_incidents_.empty()) analyzer_->SetRetried(retry_incidents_, false);
  retry_incidents_.clear();
}

void Session::Publish() {
  if (!txn_.empty()) {
    txn_.end = NowMicros();
    FollowUpBeforePublish();
    analyzer_->Publish(txn_, connection_id_, &facts_, &recent_, &batch_);
    FollowUpAfterPublish();
    UpdateHeapBytes();
  }
  txn_.Clear();
  statement_first_access_ = 0;
  statement_first_error_ = 0;
  isolation_from_access_ = false;
}

void Session::TEST_DiscardTransaction() {
  txn_.Clear();
  statement_first_access_ = 0;
  statement_first_error_ = 0;
  isolation_from_access_ = false;
}

}  // namespace lockdiag
