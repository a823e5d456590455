#include "analyzer.h"

#include "digest.h"

namespace lockdiag {
namespace {

std::string TableKey(const std::string& schema, const std::string& table) {
  std::string key;
  key.reserve(schema.size() + table.size() + 1);
  key.append(schema).push_back('\0');
  key.append(table);
  return key;
}

// Rough heap cost of one tracked table: the node, the key and the names.
size_t TableFootprint(const std::string& key) { return 160 + 2 * key.size(); }

}  // namespace

bool IsLockError(uint32_t code) {
  return code == kErrDupEntry || code == kErrDupEntryWithKeyName || code == kErrLockWaitTimeout ||
         code == kErrLockDeadlock || code == kErrCheckread;
}

Analyzer::Analyzer(const Config* config) : config_(config) {}

template <typename Update>
bool Analyzer::UpdateTable(const std::string& schema, const std::string& table, Timestamp now, uint64_t hint,
                           Update&& update) {
  std::string key = TableKey(schema, table);
  TableShard& shard = table_shards_[HashBytes(key) % kShards];
  MutexLock lock(&shard.mu);
  auto it = shard.tables.find(key);
  if (it == shard.tables.end()) {
    // Claim a slot first so that concurrent inserts in other shards cannot
    // overshoot the bound together.
    uint64_t limit = config_->max_tables.load(std::memory_order_relaxed);
    uint64_t n = tracked_tables_.load(std::memory_order_relaxed);
    do {
      if (n >= limit) {
        dropped_.Add(1, hint);
        return false;
      }
    } while (!tracked_tables_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
    memory_bytes_.fetch_add(static_cast<int64_t>(TableFootprint(key)), std::memory_order_relaxed);
    it = shard.tables.emplace(std::move(key), TableStats{}).first;
    it->second.schema = schema;
    it->second.table = table;
    it->second.first_seen = now;
  }
  TableStats& stats = it->second;
  update(stats);
  if (now > stats.last_seen) stats.last_seen = now;
  return true;
}

void Analyzer::Publish(const TransactionRecord& txn, uint64_t connection_id) {
  transactions_.Add(1, connection_id);
  const Timestamp now = txn.end != 0 ? txn.end : NowMicros();
  for (size_t t = 0; t < txn.tables.size(); ++t) {
    const TxnTable& tt = txn.tables[t];
    uint64_t dup = 0, deadlocks = 0, timeouts = 0;
    for (const TxnError& e : txn.errors) {
      if (e.table != static_cast<int32_t>(t)) continue;
      if (e.code == kErrDupEntry || e.code == kErrDupEntryWithKeyName) ++dup;
      if (e.code == kErrLockDeadlock) ++deadlocks;
      if (e.code == kErrLockWaitTimeout) ++timeouts;
    }
    UpdateTable(tt.schema, tt.table, now, connection_id, [&](TableStats& s) {
      for (int k = 0; k < kAccessKindCount; ++k) s.accesses[k] += tt.accesses[k];
      s.transactions += 1;
      s.dup_key += dup;
      s.deadlocks += deadlocks;
      s.lock_wait_timeouts += timeouts;
    });
  }
}

std::vector<TableRow> Analyzer::SnapshotTables() const {
  std::vector<TableRow> rows;
  rows.reserve(tracked_tables_.load(std::memory_order_relaxed));
  for (const TableShard& shard : table_shards_) {
    MutexLock lock(&shard.mu);
    for (const auto& [key, s] : shard.tables) {
      TableRow row;
      row.schema = s.schema;
      row.table = s.table;
      row.accesses = s.accesses;
      row.transactions = s.transactions;
      row.unlocked_read_write_transactions = s.unlocked_rw;
      row.locked_read_write_transactions = s.locked_rw;
      row.duplicate_key_errors = s.dup_key;
      row.deadlocks = s.deadlocks;
      row.lock_wait_timeouts = s.lock_wait_timeouts;
      row.first_seen = s.first_seen;
      row.last_seen = s.last_seen;
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

AnalyzerStatus Analyzer::Status() const {
  AnalyzerStatus st;
  st.statements = statements_.Sum();
  st.table_lock_events = table_lock_events_.Sum();
  st.transactions = transactions_.Sum();
  st.tracked_tables = tracked_tables_.load(std::memory_order_relaxed);
  int64_t mem = memory_bytes_.load(std::memory_order_relaxed);
  st.memory_bytes = mem > 0 ? static_cast<uint64_t>(mem) : 0;
  st.dropped_events = dropped_.Sum();
  return st;
}

void Analyzer::Reset() {
  for (TableShard& shard : table_shards_) {
    MutexLock lock(&shard.mu);
    for (const auto& [key, s] : shard.tables) {
      tracked_tables_.fetch_sub(1, std::memory_order_relaxed);
      memory_bytes_.fetch_sub(static_cast<int64_t>(TableFootprint(key)), std::memory_order_relaxed);
    }
    shard.tables.clear();
  }
  statements_.Reset();
  table_lock_events_.Reset();
  transactions_.Reset();
  dropped_.Reset();
}

}  // namespace lockdiag
