#include "core/lock/session.h"

#include <cstring>

#include "core/lock/analyzer.h"
#include "core/common/clock.h"
#include "core/common/hash.h"
#include "core/common/text.h"
#include "core/lock/digest.h"
#include "core/lock/lock_errors.h"
#include "core/lock/table_ref.h"

namespace lockdiag {
namespace {
// Bound on the per-connection set of digests already published.
constexpr size_t kMaxKnownDigests = 4096;
}  // namespace

Session::Session(Analyzer* analyzer, uint64_t connection_id)
    : analyzer_(analyzer), connection_id_(connection_id), known_generation_(analyzer->generation()) {}

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
  analyzer_->CountTableLockEvent(connection_id_);
  if (Ignored(a.schema)) return;
  if (txn_.start == 0) txn_.start = NowMicros();
  int idx = FindOrAddTable(a.schema, a.table);
  if (idx < 0 || txn_.accesses.size() >= kMaxAccessesPerTxn) {
    txn_.truncated = true;
    analyzer_->CountDropped(1, connection_id_);
    return;
  }
  txn_.tables[idx].accesses[static_cast<int>(a.kind)]++;
  if (IsLockTables(a.kind)) txn_.lock_tables = true;
  TxnAccess acc{};
  acc.table = static_cast<uint16_t>(idx);
  acc.kind = a.kind;
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
  if (txn_.errors.size() >= kMaxErrorsPerTxn) {
    // A loop with a CONTINUE handler can raise errors without end inside one
    // transaction: the first ones are kept, the rest counted as dropped.
    txn_.truncated = true;
    analyzer_->CountDropped(1, connection_id_);
    return;
  }
  txn_.errors.push_back(TxnError{code, idx, 0, NowMicros()});
}

void Session::OnStatementEnd(const StatementEnd& end) {
  analyzer_->CountStatement(connection_id_);
  if (end.error_code != 0 && IsLockError(end.error_code) && txn_.errors.size() == statement_first_error_) {
    OnError(end.error_code, {}, {});
  }
  const bool touched = txn_.accesses.size() > statement_first_access_;
  const bool failed = txn_.errors.size() > statement_first_error_;
  bool deadlock = end.error_code == kErrLockDeadlock;
  if (touched || failed) {
    // Digest only statements that matter to the analysis: BEGIN, SET, and
    // statements on ignored schemas cost nothing more.
    const uint64_t generation = analyzer_->generation();
    if (generation != known_generation_) {  // lockdiag_reset forgot the texts
      known_digests_.clear();
      known_generation_ = generation;
    }
    const uint64_t raw_hash = HashWords(end.text);
    RawDigest& cached = raw_digests_[raw_hash % kRawDigestCache];
    const bool hit = cached.raw_hash == raw_hash && cached.length == end.text.size() && cached.digest != 0;
    // The text is needed for a digest not yet published, and for incidents.
    const bool need_text = !hit || failed || !cached.published || cached.generation != generation;
    uint64_t digest = cached.digest;
    if (need_text) {
      digest = DigestStatement(end.text, &digest_text_);
      cached = RawDigest{raw_hash, digest, generation, static_cast<uint32_t>(end.text.size()), false};
    }
    for (size_t i = statement_first_access_; i < txn_.accesses.size(); ++i) txn_.accesses[i].digest = digest;
    for (size_t i = statement_first_error_; i < txn_.errors.size(); ++i) {
      txn_.errors[i].digest = digest;
      deadlock = deadlock || txn_.errors[i].code == kErrLockDeadlock;
    }
    if (need_text) {
      if (known_digests_.size() < kMaxKnownDigests && known_digests_.insert(digest).second) {
        txn_.new_digests.emplace_back(digest, digest_text_);
      }
      // Published now or before (or the set is full, and it never will be
      // by this connection): the next hit skips the text.
      cached.published = true;
    }
    if (failed) RecordIncidents(digest);
  }
  if (txn_.statements == 0) {
    txn_.isolation = end.isolation;
    txn_.autocommit = end.autocommit;
  }
  txn_.statements++;
  txn_.xa = txn_.xa || end.xa;
  if (end.transaction_open) txn_.explicit_transaction = true;
  if (end.under_lock_tables) txn_.lock_tables = true;
  statement_first_access_ = static_cast<uint32_t>(txn_.accesses.size());
  statement_first_error_ = static_cast<uint32_t>(txn_.errors.size());

  // ER_LOCK_DEADLOCK rolled the whole transaction back, whatever the
  // transaction state reads; the next statement starts a new one.
  if (deadlock || (!end.transaction_open && !end.under_lock_tables)) {
    txn_.outcome = deadlock ? TxnOutcome::kDeadlock : end.outcome;
    Publish();
  }
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
    analyzer_->RecordIncident(std::move(incident));
  }
}

void Session::OnDisconnect() {
  txn_.outcome = TxnOutcome::kDisconnect;
  Publish();
}

void Session::Publish() {
  if (!txn_.empty()) {
    txn_.end = NowMicros();
    analyzer_->Publish(txn_, connection_id_, &facts_);
  }
  txn_.Clear();
  statement_first_access_ = 0;
  statement_first_error_ = 0;
}

void Session::TEST_DiscardTransaction() {
  txn_.Clear();
  statement_first_access_ = 0;
  statement_first_error_ = 0;
}

}  // namespace lockdiag
