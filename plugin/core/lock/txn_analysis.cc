#include "core/lock/txn_analysis.h"

#include <algorithm>

#include "core/lock/lock_errors.h"

namespace lockdiag {
namespace {

// ComparisonBudget: the key comparisons one transaction may still make;
// `exhausted` once a comparison was skipped for want of it.
struct ComparisonBudget {
  size_t left = kMaxKeyComparisonsPerTxn;
  bool exhausted = false;
};

// Intersects: two key lists share a hash. Lists are short (equality
// predicates), so a nested loop beats sorting; `budget` bounds the work.
bool Intersects(const uint64_t* ka, uint32_t na, const uint64_t* kb, uint32_t nb, ComparisonBudget* budget) {
  const size_t cost = static_cast<size_t>(na) * nb;
  if (cost > budget->left) {
    budget->left = 0;
    budget->exhausted = true;
    return false;
  }
  budget->left -= cost;
  for (uint32_t i = 0; i < na; ++i) {
    for (uint32_t j = 0; j < nb; ++j) {
      if (ka[i] == kb[j]) return true;
    }
  }
  return false;
}

bool KeysIntersect(const TransactionRecord& txn, const TxnAccess& a, const TxnAccess& b,
                   ComparisonBudget* budget) {
  return Intersects(txn.keys.data() + a.key_begin, a.key_count, txn.keys.data() + b.key_begin, b.key_count,
                    budget);
}

// AlreadyLocked: before `write`, another locking access to the same table
// (a locking read or a write, other than `read`) used one of the write's keys:
// the row was locked by then, so an unprotected re-read of it is harmless.
bool AlreadyLocked(const TransactionRecord& txn, size_t write, size_t read, ComparisonBudget* budget) {
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
      if (a.form == WriteForm::kCompareAndSet) ++t.compare_and_set_writes;
    }
    if (IsLockTables(a.kind)) {
      if (!t.lock_tables) t.lock_tables_digest = a.digest;
      t.lock_tables = true;
    } else if (IsRowLocking(a.kind)) {
      if (!t.locked_without_lock_tables) t.locked_without_lock_tables_digest = a.digest;
      t.locked_without_lock_tables = true;
    }
  }
}

ReadWriteObservation* FindPair(TxnFacts* facts, uint16_t table, uint64_t rd, uint64_t wd, bool unscoped) {
  for (ReadWriteObservation& o : facts->read_writes) {
    if (o.table == table && o.read_digest == rd && o.write_digest == wd && o.unscoped == unscoped) return &o;
  }
  if (facts->read_writes.size() >= kMaxReadWritePairsPerTxn) return nullptr;
  ReadWriteObservation& o = facts->read_writes.emplace_back();
  o.table = table;
  o.read_digest = rd;
  o.write_digest = wd;
  o.unscoped = unscoped;
  return &o;
}

// GapLockIsolation: InnoDB takes gap locks for locking reads at these levels.
bool GapLockIsolation(Isolation iso) {
  return iso == Isolation::kRepeatableRead || iso == Isolation::kSerializable;
}

// Correlator: the read -> write pass over one transaction.
class Correlator {
 public:
  Correlator(const TransactionRecord& txn, const RecentReads* recent, TxnFacts* facts)
      : txn_(txn), recent_(recent), facts_(facts) {}

  void Run() {
    for (size_t w = 0; w < txn_.accesses.size(); ++w) {
      const TxnAccess& write = txn_.accesses[w];
      if (!IsWriteAccess(write.kind) || write.key_count == 0) continue;
      const bool matched_here = WithReadsOfThisTransaction(w);
      // A write that re-reads nothing in its own transaction may still act on
      // what an earlier transaction of the connection read.
      if (!matched_here && IsReadModifyWriteForm(write.form) &&
          !AlreadyLocked(txn_, w, txn_.accesses.size(), &budget_))
        WithRecentReads(write);
    }
    if (capped_ || budget_.exhausted) ++facts_->dropped;
  }

 private:
  // Returns whether some read of this transaction matched the write.
  bool WithReadsOfThisTransaction(size_t w) {
    const TxnAccess& write = txn_.accesses[w];
    const bool rmw = IsReadModifyWriteForm(write.form);
    bool any = false;
    for (size_t r = 0; r < w; ++r) {
      const TxnAccess& read = txn_.accesses[r];
      // A read of an earlier statement of the same table that named keys
      // (a read without equality predicates cannot be correlated by key).
      if (read.table != write.table || read.statement >= write.statement || read.key_count == 0 ||
          !IsReadAccess(read.kind)) {
        continue;
      }
      // Writes that are not read-modify-write forms matter only after reads
      // that took locks (the lock idioms below). A check-then-insert checks
      // that the row is not there: an INSERT after a read that found its
      // row (a get-or-create's lookup after the last request created it,
      // sysbench's DELETE + INSERT of a row it had read) is no such check.
      const bool rmw_pair = rmw && !(write.form == WriteForm::kInsert && read.found_rows);
      if (!rmw_pair && !IsLockingRead(read.kind)) continue;
      ReadWriteObservation* o = FindPair(facts_, write.table, read.digest, write.digest, false);
      if (o == nullptr) {
        capped_ = true;
        continue;
      }
      o->rmw_write = rmw_pair;
      o->insert = write.form == WriteForm::kInsert;
      if (!KeysIntersect(txn_, read, write, &budget_)) continue;
      o->matched = true;
      any = true;
      if (IsLockingRead(read.kind) && read.found_nothing && IsInsertingForm(write.form) &&
          GapLockIsolation(txn_.isolation)) {
        o->gap_insert = true;
      } else if (read.kind == AccessKind::kReadShared && !read.found_nothing) {
        // A shared lock on a row that exists, then a write of it: the
        // upgrade two such transactions deadlock on. (One that found nothing
        // holds no row lock to upgrade.)
        o->shared_upgrade = true;
      }
      if (!rmw_pair) continue;
      TableFacts& t = facts_->tables[write.table];
      // Below REPEATABLE READ a locking read that found no row locked
      // nothing (no gap lock): the insert that follows races as if the
      // read were plain.
      const bool locked_nothing = read.found_nothing && write.form == WriteForm::kInsert &&
                                  !GapLockIsolation(txn_.isolation) && !read.under_named_lock &&
                                  !IsLockTables(read.kind);
      if (!locked_nothing && (IsProtectedRead(read) || AlreadyLocked(txn_, w, r, &budget_))) {
        o->protected_read = true;
        t.locked_read_write = true;
      } else {
        o->unprotected_read = true;
        t.unlocked_read_write = true;
      }
    }
    return any;
  }

  void WithRecentReads(const TxnAccess& write) {
    if (recent_ == nullptr) return;
    const TxnTable& table = txn_.tables[write.table];
    const uint64_t* wkeys = txn_.keys.data() + write.key_begin;
    for (size_t i = 0; i < recent_->size(); ++i) {
      const RecentReads::Read& read = recent_->at(i);
      if (read.table_hash != table.hash ||
          read.statement + kUnscopedWindowStatements < txn_.first_statement ||
          read.time + kUnscopedWindowMicros < txn_.start ||
          (write.form == WriteForm::kInsert && read.found_rows)) {
        continue;
      }
      ReadWriteObservation* o = FindPair(facts_, write.table, read.digest, write.digest, true);
      if (o == nullptr) {
        capped_ = true;
        continue;
      }
      o->rmw_write = true;
      o->insert = write.form == WriteForm::kInsert;
      if (!Intersects(read.keys.data(), read.key_count, wkeys, write.key_count, &budget_)) continue;
      // Nothing held the read's rows: its transaction had ended.
      o->matched = o->unprotected_read = true;
      facts_->tables[write.table].unlocked_read_write = true;
    }
  }

  const TransactionRecord& txn_;
  const RecentReads* const recent_;
  TxnFacts* const facts_;
  ComparisonBudget budget_;
  bool capped_ = false;
};

// MarkProven: a duplicate-key error that hit a write after a matched
// unprotected read proves the race; a deadlock that hit the write of a lock
// idiom proves the idiom. (A deadlock or a lock wait timeout does not prove a
// read-modify-write: writers deadlock on row order whatever they read
// before, as sysbench's do at 16 threads.)
void MarkProven(const TransactionRecord& txn, TxnFacts* facts) {
  for (const TxnError& e : txn.errors) {
    const bool duplicate = IsDuplicateKey(e.code) || e.code == kErrCheckread;
    if (e.table < 0 || !(duplicate || e.code == kErrLockDeadlock)) continue;
    for (ReadWriteObservation& o : facts->read_writes) {
      if (o.table != e.table || o.write_digest != e.digest || !o.matched) continue;
      if (o.unprotected_read && duplicate) o.proven = true;
      if (e.code == kErrLockDeadlock && (o.gap_insert || o.shared_upgrade)) o.idiom_deadlock = true;
    }
  }
}

}  // namespace

void RecentReads::Remember(const TransactionRecord& txn) {
  for (const TxnAccess& a : txn.accesses) {
    if (!IsReadAccess(a.kind) || a.key_count == 0 || IsLockTables(a.kind)) continue;
    Read& r = reads_[next_];
    r.table_hash = txn.tables[a.table].hash;
    r.digest = a.digest;
    r.statement = txn.first_statement + a.statement;
    r.time = txn.end;
    r.found_rows = a.found_rows;
    r.key_count = static_cast<uint32_t>(std::min<size_t>(a.key_count, kKeysPerRead));
    std::copy_n(txn.keys.begin() + a.key_begin, r.key_count, r.keys.begin());
    next_ = (next_ + 1) % kCapacity;
    if (size_ < kCapacity) ++size_;
  }
}

void TxnFacts::Clear() {
  lock_order.clear();
  read_writes.clear();
  tables.clear();
  dropped = 0;
}

void AnalyzeTransaction(const TransactionRecord& txn, const RecentReads* recent, TxnFacts* facts) {
  facts->Clear();
  OrderLocks(txn, facts);
  FillTableFacts(txn, facts);
  Correlator(txn, recent, facts).Run();
  MarkProven(txn, facts);
}

}  // namespace lockdiag
