#include "core/lock/txn_analysis.h"

namespace lockdiag {
namespace {

// KeysIntersect: the two key ranges share a hash. Ranges are short (equality
// predicates), so a nested loop beats sorting; `budget` bounds the work.
bool KeysIntersect(const TransactionRecord& txn, const TxnAccess& a, const TxnAccess& b, size_t* budget) {
  const uint64_t* ka = txn.keys.data() + a.key_begin;
  const uint64_t* kb = txn.keys.data() + b.key_begin;
  const size_t cost = static_cast<size_t>(a.key_count) * b.key_count;
  if (cost > *budget) {
    *budget = 0;
    return false;
  }
  *budget -= cost;
  for (uint32_t i = 0; i < a.key_count; ++i) {
    for (uint32_t j = 0; j < b.key_count; ++j) {
      if (ka[i] == kb[j]) return true;
    }
  }
  return false;
}

// AlreadyLocked: before `write`, another locking access to the same table
// (a locking read or a write, other than `read`) used one of the write's keys:
// the row was locked by then, so an unprotected re-read of it is harmless.
bool AlreadyLocked(const TransactionRecord& txn, size_t write, size_t read, size_t* budget) {
  const TxnAccess& w = txn.accesses[write];
  for (size_t i = 0; i < write; ++i) {
    const TxnAccess& a = txn.accesses[i];
    if (i == read || a.table != w.table || a.statement >= w.statement || a.key_count == 0) continue;
    if (!(IsLockingRead(a.kind) || IsWriteAccess(a.kind))) continue;
    if (KeysIntersect(txn, a, w, budget)) return true;
  }
  return false;
}

void OrderLocks(const TransactionRecord& txn, TxnFacts* facts) {
  // A bitmap of tables already placed; transactions touch at most
  // kMaxTablesPerTxn (64) tables.
  uint64_t placed = 0;
  for (const TxnAccess& a : txn.accesses) {
    if (!IsRowLocking(a.kind) || a.table >= 64) continue;
    const uint64_t bit = uint64_t{1} << a.table;
    if (placed & bit) continue;
    placed |= bit;
    if (facts->lock_order.size() >= kMaxLockOrderTables) {
      ++facts->dropped;
      continue;
    }
    facts->lock_order.push_back(LockStep{a.table, a.statement, a.digest, IsLockTables(a.kind)});
  }
}

void FillTableFacts(const TransactionRecord& txn, TxnFacts* facts) {
  facts->tables.resize(txn.tables.size());
  for (const TxnAccess& a : txn.accesses) {
    TableFacts& t = facts->tables[a.table];
    if (IsWriteAccess(a.kind)) {
      if (!t.wrote) t.write_digest = a.digest;
      t.wrote = true;
    }
    if (IsLockTables(a.kind)) {
      if (!t.lock_tables) t.lock_tables_digest = a.digest;
      t.lock_tables = true;
    } else if (IsRowLocking(a.kind)) {
      if (!t.locked_without_lock_tables) t.unlocked_digest = a.digest;
      t.locked_without_lock_tables = true;
    }
  }
}

ReadWriteObservation* FindPair(TxnFacts* facts, uint16_t table, uint64_t rd, uint64_t wd) {
  for (ReadWriteObservation& o : facts->read_writes) {
    if (o.table == table && o.read_digest == rd && o.write_digest == wd) return &o;
  }
  if (facts->read_writes.size() >= kMaxReadWritePairsPerTxn) return nullptr;
  facts->read_writes.push_back(ReadWriteObservation{table, rd, wd, false, false, false});
  return &facts->read_writes.back();
}

void CorrelateReadsAndWrites(const TransactionRecord& txn, TxnFacts* facts) {
  size_t budget = kMaxKeyComparisonsPerTxn;
  bool capped = false;
  for (size_t w = 0; w < txn.accesses.size(); ++w) {
    const TxnAccess& write = txn.accesses[w];
    if (!IsWriteAccess(write.kind) || write.key_count == 0) continue;
    for (size_t r = 0; r < w; ++r) {
      const TxnAccess& read = txn.accesses[r];
      // A read of an earlier statement of the same table that named keys
      // (a read without equality predicates cannot be correlated by key).
      if (read.table != write.table || read.statement >= write.statement || read.key_count == 0 ||
          !IsReadAccess(read.kind)) {
        continue;
      }
      ReadWriteObservation* o = FindPair(facts, write.table, read.digest, write.digest);
      if (o == nullptr) {
        capped = true;
        continue;
      }
      if (!KeysIntersect(txn, read, write, &budget)) {
        if (budget == 0) capped = true;
        continue;
      }
      o->matched = true;
      TableFacts& t = facts->tables[write.table];
      if (IsProtectedRead(read) || AlreadyLocked(txn, w, r, &budget)) {
        o->protected_read = true;
        t.locked_read_write = true;
      } else {
        o->unprotected_read = true;
        t.unlocked_read_write = true;
      }
    }
  }
  if (capped) ++facts->dropped;
}

}  // namespace

void TxnFacts::Clear() {
  lock_order.clear();
  read_writes.clear();
  tables.clear();
  dropped = 0;
}

void AnalyzeTransaction(const TransactionRecord& txn, TxnFacts* facts) {
  facts->Clear();
  OrderLocks(txn, facts);
  FillTableFacts(txn, facts);
  CorrelateReadsAndWrites(txn, facts);
}

}  // namespace lockdiag
