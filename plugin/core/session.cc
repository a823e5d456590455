#include "session.h"

#include <strings.h>

#include "analyzer.h"
#include "clock.h"
#include "digest.h"

namespace lockdiag {
namespace {
// Bound on the per-connection set of digests already published.
constexpr size_t kMaxKnownDigests = 4096;
}  // namespace

Session::Session(Analyzer* analyzer, uint64_t connection_id)
    : analyzer_(analyzer), connection_id_(connection_id) {}

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
  TxnAccess acc{};
  acc.table = static_cast<uint16_t>(idx);
  acc.kind = a.kind;
  acc.under_named_lock = a.under_named_lock;
  acc.statement = txn_.statements;
  acc.key_begin = static_cast<uint32_t>(txn_.keys.size());
  uint32_t keys = a.key_count;
  if (keys > kMaxKeysPerAccess) keys = kMaxKeysPerAccess;
  if (txn_.keys.size() + keys > kMaxKeysPerTxn) {
    keys = static_cast<uint32_t>(kMaxKeysPerTxn - txn_.keys.size());
  }
  if (keys < a.key_count) {
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
  if (idx < 0 && !txn_.accesses.empty() && txn_.accesses.size() > statement_first_access_) {
    // The server did not name the table: blame the statement's last write,
    // else its last access (a duplicate key is raised by the written table).
    idx = txn_.accesses.back().table;
    for (size_t i = txn_.accesses.size(); i-- > statement_first_access_;) {
      if (txn_.accesses[i].kind == AccessKind::kWrite) {
        idx = txn_.accesses[i].table;
        break;
      }
    }
  }
  txn_.errors.push_back(TxnError{code, idx, 0, NowMicros()});
  statement_had_error_ = true;
}

void Session::OnStatementEnd(const StatementEnd& end) {
  analyzer_->CountStatement(connection_id_);
  const bool touched = txn_.accesses.size() > statement_first_access_;
  if (end.error_code != 0 && IsLockError(end.error_code) && !statement_had_error_) {
    OnError(end.error_code, {}, {});
  }
  if (touched || statement_had_error_) {
    // Digest only statements that matter to the analysis: BEGIN, SET, and
    // statements on ignored schemas cost nothing more.
    std::string text;
    uint64_t digest = DigestStatement(end.text, &text);
    for (size_t i = statement_first_access_; i < txn_.accesses.size(); ++i) txn_.accesses[i].digest = digest;
    for (TxnError& e : txn_.errors)
      if (e.digest == 0) e.digest = digest;
    if (known_digests_.size() < kMaxKnownDigests && known_digests_.insert(digest).second) {
      txn_.new_digests.emplace_back(digest, std::move(text));
    }
  }
  txn_.statements++;
  txn_.isolation = end.isolation;
  txn_.xa = txn_.xa || end.xa;
  if (end.transaction_open) txn_.explicit_transaction = true;
  statement_first_access_ = static_cast<uint32_t>(txn_.accesses.size());
  statement_had_error_ = false;

  if (!end.transaction_open) {
    txn_.outcome = end.error_code == kErrLockDeadlock ? TxnOutcome::kDeadlock : end.outcome;
    Publish();
  }
}

void Session::OnDisconnect() {
  txn_.outcome = TxnOutcome::kDisconnect;
  Publish();
}

void Session::Publish() {
  if (!txn_.empty()) {
    txn_.end = NowMicros();
    analyzer_->Publish(txn_, connection_id_);
  }
  txn_.Clear();
  statement_first_access_ = 0;
}

}  // namespace lockdiag
