// Tests of AnalyzeTransaction on hand-built TransactionRecords: lock order,
// key-correlated read -> write pairs, protected and unprotected reads, the
// AlreadyLocked re-read rule, per-table facts, and the per-transaction caps.
#include "core/lock/txn_analysis.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/lock/key_hash.h"
#include "core/lock/lock_errors.h"
#include "core/lock/session.h"
#include "core/lock/table_ref.h"

namespace lockdiag {
namespace {

// Builds a TransactionRecord the way a Session fills one: tables in order of
// first access, accesses in execution order, keys in one array.
class Txn {
 public:
  uint16_t Table(const std::string& name) {
    for (size_t i = 0; i < record_.tables.size(); ++i) {
      if (record_.tables[i].table == name) return static_cast<uint16_t>(i);
    }
    TxnTable& t = record_.tables.emplace_back();
    t.schema = "s";
    t.table = name;
    t.hash = TableHash(t.schema, t.table);
    return static_cast<uint16_t>(record_.tables.size() - 1);
  }
  // Access appends one access of statement `statement` (digest `digest`) to
  // `table`, with the key hashes of `keys` (column "id").
  void Access(const std::string& table, AccessKind kind, uint32_t statement, uint64_t digest,
              const std::vector<std::string>& keys = {}, bool named_lock = false) {
    std::vector<uint64_t> hashes;
    for (const std::string& k : keys) hashes.push_back(KeyHash("id", k));
    AccessHashes(table, kind, statement, digest, hashes, named_lock);
  }
  void AccessHashes(const std::string& table, AccessKind kind, uint32_t statement, uint64_t digest,
                    const std::vector<uint64_t>& hashes, bool named_lock = false) {
    TxnAccess a{};
    a.table = Table(table);
    a.kind = kind;
    a.under_named_lock = named_lock;
    a.statement = statement;
    a.digest = digest;
    a.key_begin = static_cast<uint32_t>(record_.keys.size());
    a.key_count = static_cast<uint32_t>(hashes.size());
    record_.keys.insert(record_.keys.end(), hashes.begin(), hashes.end());
    record_.accesses.push_back(a);
    record_.tables[a.table].accesses[static_cast<int>(kind)]++;
    if (statement + 1 > record_.statements) record_.statements = statement + 1;
  }
  const TxnFacts& Analyze() {
    AnalyzeTransaction(record_, &facts_);
    return facts_;
  }
  TransactionRecord& record() { return record_; }

 private:
  TransactionRecord record_;
  TxnFacts facts_;
};

// Find: the observation of (table, read digest, write digest), or nullptr.
const ReadWriteObservation* Find(const TxnFacts& f, uint16_t table, uint64_t rd, uint64_t wd) {
  for (const ReadWriteObservation& o : f.read_writes) {
    if (o.table == table && o.read_digest == rd && o.write_digest == wd) return &o;
  }
  return nullptr;
}

// Digests: any distinct non-zero values will do.
constexpr uint64_t kRead = 101, kRead2 = 102, kLockingRead = 103, kWrite = 201, kWrite2 = 202;

// ---- lock order ----

TEST(TxnAnalysisLockOrder, TablesInOrderOfTheirFirstLockingAccess) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, 10);  // a plain read takes no lock
  t.Access("b", AccessKind::kReadExclusive, 1, 11);
  t.Access("a", AccessKind::kWrite, 2, 12);
  t.Access("b", AccessKind::kWrite, 3, 13);  // b already placed
  t.Access("c", AccessKind::kReadShared, 4, 14);
  t.Access("d", AccessKind::kRead, 5, 15);  // never locked: not in the order
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.lock_order.size(), 3u);
  EXPECT_EQ(f.lock_order[0].table, t.Table("b"));
  EXPECT_EQ(f.lock_order[0].statement, 1u);
  EXPECT_EQ(f.lock_order[0].digest, 11u);
  EXPECT_EQ(f.lock_order[1].table, t.Table("a"));
  EXPECT_EQ(f.lock_order[1].statement, 2u);
  EXPECT_EQ(f.lock_order[1].digest, 12u) << "the first *locking* access, not the first access";
  EXPECT_EQ(f.lock_order[2].table, t.Table("c"));
  for (const LockStep& s : f.lock_order) EXPECT_FALSE(s.lock_tables);
  EXPECT_EQ(f.dropped, 0u);
}

TEST(TxnAnalysisLockOrder, LockTablesStepsAreMarked) {
  Txn t;
  t.Access("a", AccessKind::kLockTablesWrite, 0, 10);
  t.Access("b", AccessKind::kLockTablesRead, 0, 10);
  t.Access("c", AccessKind::kWrite, 1, 11);
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.lock_order.size(), 3u);
  EXPECT_TRUE(f.lock_order[0].lock_tables);
  EXPECT_TRUE(f.lock_order[1].lock_tables);
  EXPECT_FALSE(f.lock_order[2].lock_tables);
}

TEST(TxnAnalysisLockOrder, OnlyPlainReadsMeansNoOrder) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, 10);
  t.Access("b", AccessKind::kRead, 1, 11);
  EXPECT_TRUE(t.Analyze().lock_order.empty());
}

TEST(TxnAnalysisLockOrder, CapKeepsTheFirstTablesAndCountsTheRest) {
  const size_t n = kMaxLockOrderTables + 5;
  Txn t;
  for (size_t i = 0; i < n; ++i) t.Access("t" + std::to_string(i), AccessKind::kWrite, i, 1000 + i);
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.lock_order.size(), kMaxLockOrderTables);
  for (size_t i = 0; i < kMaxLockOrderTables; ++i) EXPECT_EQ(f.lock_order[i].table, i);
  EXPECT_EQ(f.dropped, 5u) << "one per table left out";
}

// ---- read -> write correlation ----

TEST(TxnAnalysisReadWrite, UnprotectedReadThenWriteOfTheSameKey) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"5"});
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 1u);
  const ReadWriteObservation& o = f.read_writes[0];
  EXPECT_EQ(o.table, t.Table("a"));
  EXPECT_EQ(o.read_digest, kRead);
  EXPECT_EQ(o.write_digest, kWrite);
  EXPECT_TRUE(o.matched);
  EXPECT_FALSE(o.protected_read);
  EXPECT_TRUE(o.unprotected_read);
  EXPECT_TRUE(f.tables[t.Table("a")].unlocked_read_write);
  EXPECT_FALSE(f.tables[t.Table("a")].locked_read_write);
}

TEST(TxnAnalysisReadWrite, DifferentKeysArePairedButNotMatched) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"5", "6"});
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"7"});
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 1u);
  EXPECT_FALSE(f.read_writes[0].matched);
  EXPECT_FALSE(f.read_writes[0].protected_read);
  EXPECT_FALSE(f.read_writes[0].unprotected_read);
  EXPECT_FALSE(f.tables[0].unlocked_read_write);
  EXPECT_FALSE(f.tables[0].locked_read_write);
}

TEST(TxnAnalysisReadWrite, AnyCommonKeyMatches) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"1", "2", "3"});
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"9", "3"});
  ASSERT_EQ(t.Analyze().read_writes.size(), 1u);
  EXPECT_TRUE(t.Analyze().read_writes[0].matched);
}

TEST(TxnAnalysisReadWrite, OnlyEarlierStatementsOfTheSameTableWithKeysCorrelate) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, 1, {});      // a read without keys
  t.Access("b", AccessKind::kRead, 1, 2, {"5"});   // another table
  t.Access("a", AccessKind::kWrite, 2, 3, {});     // a write without keys
  t.Access("a", AccessKind::kRead, 3, 4, {"5"});   // INSERT ... SELECT: the same statement as
  t.Access("a", AccessKind::kWrite, 3, 5, {"5"});  // ... this write
  t.Access("a", AccessKind::kWrite, 4, 6, {"8"});
  t.Access("a", AccessKind::kRead, 5, 7, {"8"});  // after the write
  const TxnFacts& f = t.Analyze();
  // The only correlated pair: the read of statement 3 with the write of
  // statement 4 (different keys, so not matched).
  ASSERT_EQ(f.read_writes.size(), 1u);
  EXPECT_EQ(f.read_writes[0].read_digest, 4u);
  EXPECT_EQ(f.read_writes[0].write_digest, 6u);
  EXPECT_FALSE(f.read_writes[0].matched);
}

TEST(TxnAnalysisReadWrite, WritesAreNotTheReadSideOfAPair) {
  Txn t;
  t.Access("a", AccessKind::kWrite, 0, kWrite, {"5"});
  t.Access("a", AccessKind::kWrite, 1, kWrite2, {"5"});
  EXPECT_TRUE(t.Analyze().read_writes.empty());
}

TEST(TxnAnalysisReadWrite, LockTablesWriteIsAWrite) {
  Txn t;
  t.Access("a", AccessKind::kLockTablesRead, 0, kRead, {"5"});
  t.Access("a", AccessKind::kLockTablesWrite, 1, kWrite, {"5"});
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 1u);
  EXPECT_TRUE(f.read_writes[0].matched);
  EXPECT_TRUE(f.read_writes[0].protected_read) << "a read under LOCK TABLES is protected";
}

TEST(TxnAnalysisReadWrite, TheReadDecidesProtection) {
  struct Case {
    const char* name;
    AccessKind kind;
    bool named_lock;
    bool is_protected;
  };
  const Case cases[] = {
      {"plain read", AccessKind::kRead, false, false},
      {"plain read under a named lock", AccessKind::kRead, true, true},
      {"LOCK IN SHARE MODE", AccessKind::kReadShared, false, true},
      {"FOR UPDATE", AccessKind::kReadExclusive, false, true},
      {"under LOCK TABLES ... READ", AccessKind::kLockTablesRead, false, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Txn t;
    t.Access("a", c.kind, 0, kRead, {"5"}, c.named_lock);
    t.Access("a", AccessKind::kWrite, 1, kWrite, {"5"});
    const TxnFacts& f = t.Analyze();
    ASSERT_EQ(f.read_writes.size(), 1u);
    const ReadWriteObservation& o = f.read_writes[0];
    EXPECT_TRUE(o.matched);
    EXPECT_EQ(o.protected_read, c.is_protected);
    EXPECT_EQ(o.unprotected_read, !c.is_protected);
    EXPECT_EQ(f.tables[0].locked_read_write, c.is_protected);
    EXPECT_EQ(f.tables[0].unlocked_read_write, !c.is_protected);
  }
}

TEST(TxnAnalysisReadWrite, OnePairPerTransactionWithBothFlags) {
  // The same read and write statements twice: once with a plain read, once
  // under a named lock. One observation, both flags.
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"1"});
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"1"});
  t.Access("a", AccessKind::kRead, 2, kRead, {"2"}, /*named_lock=*/true);
  t.Access("a", AccessKind::kWrite, 3, kWrite, {"2"});
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 1u);
  EXPECT_TRUE(f.read_writes[0].matched);
  EXPECT_TRUE(f.read_writes[0].protected_read);
  EXPECT_TRUE(f.read_writes[0].unprotected_read);
  EXPECT_TRUE(f.tables[0].locked_read_write);
  EXPECT_TRUE(f.tables[0].unlocked_read_write);
}

TEST(TxnAnalysisReadWrite, DistinctDigestsAreDistinctPairs) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"1"});
  t.Access("a", AccessKind::kRead, 1, kRead2, {"2"});
  t.Access("a", AccessKind::kWrite, 2, kWrite, {"1"});
  t.Access("b", AccessKind::kRead, 3, kRead, {"1"});
  t.Access("b", AccessKind::kWrite, 4, kWrite, {"1"});
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 3u);
  ASSERT_NE(Find(f, t.Table("a"), kRead, kWrite), nullptr);
  EXPECT_TRUE(Find(f, t.Table("a"), kRead, kWrite)->matched);
  ASSERT_NE(Find(f, t.Table("a"), kRead2, kWrite), nullptr);
  EXPECT_FALSE(Find(f, t.Table("a"), kRead2, kWrite)->matched);
  ASSERT_NE(Find(f, t.Table("b"), kRead, kWrite), nullptr);
  EXPECT_TRUE(Find(f, t.Table("b"), kRead, kWrite)->matched);
}

// ---- AlreadyLocked: an unprotected re-read of a row the transaction had
// locked by then is harmless ----

TEST(TxnAnalysisAlreadyLocked, ReReadAfterForUpdateOfTheSameKeyIsProtected) {
  Txn t;
  t.Access("a", AccessKind::kReadExclusive, 0, kLockingRead, {"5"});
  t.Access("a", AccessKind::kRead, 1, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 2, kWrite, {"5"});
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 2u);
  const ReadWriteObservation* reread = Find(f, 0, kRead, kWrite);
  ASSERT_NE(reread, nullptr);
  EXPECT_TRUE(reread->matched);
  EXPECT_TRUE(reread->protected_read);
  EXPECT_FALSE(reread->unprotected_read);
  ASSERT_NE(Find(f, 0, kLockingRead, kWrite), nullptr);
  EXPECT_TRUE(Find(f, 0, kLockingRead, kWrite)->protected_read);
  EXPECT_FALSE(f.tables[0].unlocked_read_write);
  EXPECT_TRUE(f.tables[0].locked_read_write);
}

TEST(TxnAnalysisAlreadyLocked, ReReadAfterAWriteOfTheSameKeyIsProtected) {
  Txn t;
  t.Access("a", AccessKind::kWrite, 0, kWrite, {"5"});
  t.Access("a", AccessKind::kRead, 1, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 2, kWrite2, {"5"});
  const TxnFacts& f = t.Analyze();
  const ReadWriteObservation* o = Find(f, 0, kRead, kWrite2);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->protected_read);
  EXPECT_FALSE(o->unprotected_read);
}

TEST(TxnAnalysisAlreadyLocked, LockOnAnotherKeyDoesNotProtect) {
  Txn t;
  t.Access("a", AccessKind::kReadExclusive, 0, kLockingRead, {"6"});
  t.Access("a", AccessKind::kRead, 1, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 2, kWrite, {"5"});
  const ReadWriteObservation* o = Find(t.Analyze(), 0, kRead, kWrite);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->matched);
  EXPECT_TRUE(o->unprotected_read);
  EXPECT_FALSE(o->protected_read);
}

TEST(TxnAnalysisAlreadyLocked, LockOnAnotherTableDoesNotProtect) {
  Txn t;
  t.Access("b", AccessKind::kReadExclusive, 0, kLockingRead, {"5"});
  t.Access("a", AccessKind::kRead, 1, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 2, kWrite, {"5"});
  const ReadWriteObservation* o = Find(t.Analyze(), t.Table("a"), kRead, kWrite);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->unprotected_read);
  EXPECT_FALSE(o->protected_read);
}

TEST(TxnAnalysisAlreadyLocked, ALockInTheWritesOwnStatementDoesNotProtect) {
  // The locking read runs in the same statement as the write (the write's
  // own lookup): it locked nothing before the write.
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"5"});
  t.Access("a", AccessKind::kReadExclusive, 1, kWrite, {"5"});
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"5"});
  const ReadWriteObservation* o = Find(t.Analyze(), 0, kRead, kWrite);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->unprotected_read);
  EXPECT_FALSE(o->protected_read);
}

TEST(TxnAnalysisAlreadyLocked, AShareModeReadAlsoLocksTheRow) {
  Txn t;
  t.Access("a", AccessKind::kReadShared, 0, kLockingRead, {"5"});
  t.Access("a", AccessKind::kRead, 1, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 2, kWrite, {"5"});
  const ReadWriteObservation* o = Find(t.Analyze(), 0, kRead, kWrite);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->protected_read);
  EXPECT_FALSE(o->unprotected_read);
}

TEST(TxnAnalysisAlreadyLocked, ALockTakenAfterTheReadButBeforeTheWriteCounts) {
  // The rule as written: any locking access of one of the write's keys in an
  // earlier statement than the write, whether before or after the plain read.
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"5"});
  t.Access("a", AccessKind::kReadExclusive, 1, kLockingRead, {"5"});
  t.Access("a", AccessKind::kWrite, 2, kWrite, {"5"});
  const ReadWriteObservation* o = Find(t.Analyze(), 0, kRead, kWrite);
  ASSERT_NE(o, nullptr);
  EXPECT_TRUE(o->protected_read);
  EXPECT_FALSE(o->unprotected_read);
}

// ---- per-table facts ----

TEST(TxnAnalysisTableFacts, OneEntryPerTableWithTheFirstDigests) {
  Txn t;
  t.Access("plain", AccessKind::kRead, 0, 10);
  t.Access("written", AccessKind::kRead, 1, 11);
  t.Access("written", AccessKind::kWrite, 2, 12);
  t.Access("written", AccessKind::kWrite, 3, 13);
  t.Access("shared", AccessKind::kReadShared, 4, 14);
  t.Access("shared", AccessKind::kReadExclusive, 5, 15);
  t.Access("locked", AccessKind::kLockTablesRead, 6, 16);
  t.Access("locked", AccessKind::kLockTablesWrite, 7, 17);
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.tables.size(), t.record().tables.size());

  const TableFacts& plain = f.tables[t.Table("plain")];
  EXPECT_FALSE(plain.wrote);
  EXPECT_FALSE(plain.lock_tables);
  EXPECT_FALSE(plain.locked_without_lock_tables);
  EXPECT_EQ(plain.write_digest, 0u);

  const TableFacts& written = f.tables[t.Table("written")];
  EXPECT_TRUE(written.wrote);
  EXPECT_EQ(written.write_digest, 12u) << "the first write";
  EXPECT_TRUE(written.locked_without_lock_tables);
  EXPECT_EQ(written.locked_without_lock_tables_digest, 12u);
  EXPECT_FALSE(written.lock_tables);

  const TableFacts& shared = f.tables[t.Table("shared")];
  EXPECT_FALSE(shared.wrote);
  EXPECT_TRUE(shared.locked_without_lock_tables);
  EXPECT_EQ(shared.locked_without_lock_tables_digest, 14u);

  const TableFacts& locked = f.tables[t.Table("locked")];
  EXPECT_TRUE(locked.lock_tables);
  EXPECT_EQ(locked.lock_tables_digest, 16u);
  EXPECT_TRUE(locked.wrote) << "LOCK TABLES ... WRITE counts as a write";
  EXPECT_EQ(locked.write_digest, 17u);
  EXPECT_FALSE(locked.locked_without_lock_tables);
}

TEST(TxnAnalysisTableFacts, ATableTouchedOnlyByErrorsHasDefaultFacts) {
  Txn t;
  t.Table("a");  // e.g. named by an error, never accessed
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.tables.size(), 1u);
  EXPECT_FALSE(f.tables[0].wrote);
  EXPECT_TRUE(f.lock_order.empty());
  EXPECT_TRUE(f.read_writes.empty());
}

TEST(TxnAnalysisTableFacts, ReusedFactsAreClearedFirst) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"5"});
  TxnFacts facts;
  AnalyzeTransaction(t.record(), &facts);
  ASSERT_EQ(facts.read_writes.size(), 1u);
  facts.dropped = 7;
  Txn other;
  other.Access("b", AccessKind::kRead, 0, kRead);
  AnalyzeTransaction(other.record(), &facts);
  EXPECT_TRUE(facts.read_writes.empty());
  EXPECT_TRUE(facts.lock_order.empty());
  ASSERT_EQ(facts.tables.size(), 1u);
  EXPECT_FALSE(facts.tables[0].wrote);
  EXPECT_EQ(facts.dropped, 0u);
}

// ---- caps ----

TEST(TxnAnalysisCaps, ReadWritePairsCapKeepsTheFirstPairsAndCountsOnce) {
  // kMaxReadWritePairsPerTxn + 6 distinct reads of one key, then a write of
  // it: the first kMaxReadWritePairsPerTxn (read, write) pairs are kept.
  const size_t n = kMaxReadWritePairsPerTxn + 6;
  Txn t;
  for (size_t i = 0; i < n; ++i) t.Access("a", AccessKind::kRead, i, 1000 + i, {"5"});
  t.Access("a", AccessKind::kWrite, n, kWrite, {"5"});
  // A pair already held is still updated once the cap is reached: the first
  // read again, now under a named lock, and the same write statement.
  t.Access("a", AccessKind::kRead, n + 1, 1000, {"6"}, /*named_lock=*/true);
  t.Access("a", AccessKind::kWrite, n + 2, kWrite, {"6"});
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), kMaxReadWritePairsPerTxn);
  for (size_t i = 0; i < kMaxReadWritePairsPerTxn; ++i) {
    EXPECT_EQ(f.read_writes[i].read_digest, 1000 + i) << "kept in order: " << i;
    EXPECT_TRUE(f.read_writes[i].matched);
    EXPECT_TRUE(f.read_writes[i].unprotected_read);
  }
  EXPECT_EQ(Find(f, 0, 1000 + kMaxReadWritePairsPerTxn, kWrite), nullptr) << "over the cap";
  EXPECT_TRUE(f.read_writes[0].protected_read) << "an existing pair is updated past the cap";
  EXPECT_EQ(f.dropped, 1u) << "counted once per transaction, however many pairs were left out";
  EXPECT_TRUE(f.tables[0].unlocked_read_write);
}

TEST(TxnAnalysisCaps, ExactlyAtTheReadWritePairsCapNothingIsDropped) {
  Txn t;
  for (size_t i = 0; i < kMaxReadWritePairsPerTxn; ++i) t.Access("a", AccessKind::kRead, i, 1000 + i, {"5"});
  t.Access("a", AccessKind::kWrite, kMaxReadWritePairsPerTxn, kWrite, {"5"});
  const TxnFacts& f = t.Analyze();
  EXPECT_EQ(f.read_writes.size(), kMaxReadWritePairsPerTxn);
  EXPECT_EQ(f.dropped, 0u);
}

// KeyComparisonsTxn: `fillers` reads of one digest whose 64 keys the write
// does not use, then a read of the same digest that shares one key with the
// write, then the write (64 keys). Each (read, write) comparison costs
// 64 * 64 of the kMaxKeyComparisonsPerTxn budget.
constexpr uint32_t kKeysPerAccess = static_cast<uint32_t>(Session::kMaxKeysPerAccess);
constexpr size_t kComparisonsPerRead = size_t{kKeysPerAccess} * kKeysPerAccess;
static_assert(kMaxKeyComparisonsPerTxn % kComparisonsPerRead == 0, "the test below assumes whole reads");
constexpr size_t kReadsWithinBudget = kMaxKeyComparisonsPerTxn / kComparisonsPerRead;

void KeyComparisonsTxn(Txn* t, size_t fillers) {
  std::vector<uint64_t> keys(kKeysPerAccess);
  uint32_t statement = 0;
  for (size_t r = 0; r < fillers; ++r) {
    for (uint32_t k = 0; k < kKeysPerAccess; ++k) keys[k] = KeyHash("id", "filler" + std::to_string(k));
    t->AccessHashes("a", AccessKind::kRead, statement++, kRead, keys);
  }
  for (uint32_t k = 0; k < kKeysPerAccess; ++k) keys[k] = KeyHash("id", "read" + std::to_string(k));
  keys[kKeysPerAccess - 1] = KeyHash("id", "shared");
  t->AccessHashes("a", AccessKind::kRead, statement++, kRead, keys);
  for (uint32_t k = 0; k < kKeysPerAccess; ++k) keys[k] = KeyHash("id", "write" + std::to_string(k));
  keys[kKeysPerAccess - 1] = KeyHash("id", "shared");
  t->AccessHashes("a", AccessKind::kWrite, statement++, kWrite, keys);
}

TEST(TxnAnalysisCaps, KeyComparisonsWithinTheBudgetFindTheMatch) {
  Txn t;
  KeyComparisonsTxn(&t, kReadsWithinBudget - 1);  // the matching read is the last that fits
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 1u);
  EXPECT_TRUE(f.read_writes[0].matched);
  EXPECT_TRUE(f.tables[0].unlocked_read_write);
  EXPECT_EQ(f.dropped, 0u);
}

TEST(TxnAnalysisCaps, KeyComparisonsPastTheBudgetStopAndCountOnce) {
  Txn t;
  KeyComparisonsTxn(&t, kReadsWithinBudget);  // the budget is spent on the fillers
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 1u) << "the pair is still recorded";
  EXPECT_FALSE(f.read_writes[0].matched) << "the matching read was never compared";
  EXPECT_FALSE(f.tables[0].unlocked_read_write);
  EXPECT_EQ(f.dropped, 1u);
}

TEST(TxnAnalysisCaps, KeyComparisonBudgetIsPerTransaction) {
  // Past the budget in one analysis, then a small transaction with the same
  // TxnFacts: the budget starts afresh.
  Txn big;
  KeyComparisonsTxn(&big, kReadsWithinBudget);
  TxnFacts facts;
  AnalyzeTransaction(big.record(), &facts);
  ASSERT_EQ(facts.dropped, 1u);
  Txn small;
  small.Access("a", AccessKind::kRead, 0, kRead, {"5"});
  small.Access("a", AccessKind::kWrite, 1, kWrite, {"5"});
  AnalyzeTransaction(small.record(), &facts);
  ASSERT_EQ(facts.read_writes.size(), 1u);
  EXPECT_TRUE(facts.read_writes[0].matched);
  EXPECT_EQ(facts.dropped, 0u);
}

}  // namespace
}  // namespace lockdiag

namespace lockdiag {
namespace {

// ---- write forms (docs/patterns.md, "Which writes can be a read-modify-write") ----

// FormTxn: a read of key 5 (`read_kind`), then a write of key 5 of `form`.
Txn FormTxn(AccessKind read_kind, WriteForm form, bool found_nothing = false,
            Isolation isolation = Isolation::kRepeatableRead) {
  Txn t;
  t.Access("a", read_kind, 0, kRead, {"5"});
  t.record().accesses.back().found_nothing = found_nothing;
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"5"});
  t.record().accesses.back().form = form;
  t.record().isolation = isolation;
  return t;
}

TEST(TxnAnalysisWriteForm, OnlyPlainWritesAndInsertsCompleteAReadModifyWrite) {
  struct Case {
    WriteForm form;
    bool rmw;
    bool insert;
  };
  const Case cases[] = {{WriteForm::kPlain, true, false},
                        {WriteForm::kInsert, true, true},
                        {WriteForm::kCompareAndSet, false, false},
                        {WriteForm::kSelfRelative, false, false},
                        {WriteForm::kUpsert, false, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(static_cast<int>(c.form));
    Txn t = FormTxn(AccessKind::kRead, c.form);
    const TxnFacts& f = t.Analyze();
    if (!c.rmw) {
      EXPECT_TRUE(f.read_writes.empty()) << "after a plain read only a read-modify-write form pairs";
      EXPECT_FALSE(f.tables[0].unlocked_read_write);
      continue;
    }
    ASSERT_EQ(f.read_writes.size(), 1u);
    EXPECT_TRUE(f.read_writes[0].rmw_write);
    EXPECT_EQ(f.read_writes[0].insert, c.insert);
    EXPECT_TRUE(f.read_writes[0].unprotected_read);
    EXPECT_TRUE(f.tables[0].unlocked_read_write);
  }
}

TEST(TxnAnalysisWriteForm, NonReadModifyWriteFormsAreNeverUnscopedEither) {
  TransactionRecord read;
  read.tables.push_back(TxnTable{"s", "a", TableHash("s", "a"), {}});
  TxnAccess r{};
  r.kind = AccessKind::kRead;
  r.digest = kRead;
  r.key_count = 1;
  read.keys.push_back(KeyHash("id", "5"));
  read.accesses.push_back(r);
  RecentReads recent;
  recent.Remember(read);
  ASSERT_EQ(recent.size(), 1u);
  for (WriteForm form : {WriteForm::kPlain, WriteForm::kInsert, WriteForm::kCompareAndSet,
                         WriteForm::kSelfRelative, WriteForm::kUpsert}) {
    SCOPED_TRACE(static_cast<int>(form));
    Txn t;
    t.Access("a", AccessKind::kWrite, 0, kWrite, {"5"});
    t.record().accesses.back().form = form;
    t.record().first_statement = 1;
    TxnFacts facts;
    AnalyzeTransaction(t.record(), &recent, &facts);
    if (IsReadModifyWriteForm(form)) {
      ASSERT_EQ(facts.read_writes.size(), 1u);
      EXPECT_TRUE(facts.read_writes[0].unscoped);
      EXPECT_TRUE(facts.read_writes[0].matched);
    } else {
      EXPECT_TRUE(facts.read_writes.empty());
      EXPECT_FALSE(facts.tables[0].unlocked_read_write);
    }
  }
}

TEST(TxnAnalysisWriteForm, CompareAndSetWritesAreCountedPerTable) {
  Txn t;
  t.Access("a", AccessKind::kRead, 0, kRead, {"5"});
  t.Access("a", AccessKind::kWrite, 1, kWrite, {"5"});
  t.record().accesses.back().form = WriteForm::kCompareAndSet;
  t.Access("a", AccessKind::kWrite, 2, kWrite2, {"6"});
  t.record().accesses.back().form = WriteForm::kCompareAndSet;
  t.Access("a", AccessKind::kWrite, 3, kWrite2, {"7"});  // plain
  t.Access("b", AccessKind::kWrite, 4, kWrite, {"5"});
  const TxnFacts& f = t.Analyze();
  EXPECT_EQ(f.tables[t.Table("a")].compare_and_set_writes, 2u);
  EXPECT_EQ(f.tables[t.Table("b")].compare_and_set_writes, 0u);
  EXPECT_TRUE(f.tables[t.Table("a")].wrote);
}

TEST(TxnAnalysisWriteForm, ALockingReadPairsWithEveryWriteForTheLockIdioms) {
  // A shared lock then a self-relative write: no read-modify-write (the
  // write reads nothing the application had), but the S lock is upgraded.
  Txn t = FormTxn(AccessKind::kReadShared, WriteForm::kSelfRelative);
  const TxnFacts& f = t.Analyze();
  ASSERT_EQ(f.read_writes.size(), 1u);
  const ReadWriteObservation& o = f.read_writes[0];
  EXPECT_FALSE(o.rmw_write);
  EXPECT_TRUE(o.matched);
  EXPECT_TRUE(o.shared_upgrade);
  EXPECT_FALSE(o.gap_insert);
  EXPECT_FALSE(o.protected_read) << "protection is about read-modify-writes";
  EXPECT_FALSE(o.unprotected_read);
  EXPECT_FALSE(f.tables[0].locked_read_write);
  EXPECT_FALSE(f.tables[0].unlocked_read_write);
  // FOR UPDATE then a compare-and-set: paired, no idiom.
  Txn x = FormTxn(AccessKind::kReadExclusive, WriteForm::kCompareAndSet);
  ASSERT_EQ(x.Analyze().read_writes.size(), 1u);
  EXPECT_FALSE(x.Analyze().read_writes[0].shared_upgrade);
  EXPECT_FALSE(x.Analyze().read_writes[0].gap_insert);
}

TEST(TxnAnalysisWriteForm, AnInsertAfterAReadThatFoundItsRowChecksNothing) {
  // A get-or-create whose lookup found the row, sysbench's DELETE + INSERT
  // of a row it had read: the insert is no check-then-insert. An UPDATE
  // after the same read is still a read-modify-write (a lost update), and
  // a read whose result is unknown counts as a check.
  struct Case {
    const char* name;
    bool found_rows;
    bool found_nothing;
    WriteForm write;
    bool pairs;
  };
  const Case cases[] = {
      {"found the row, INSERT", true, false, WriteForm::kInsert, false},
      {"found the row, UPDATE", true, false, WriteForm::kPlain, true},
      {"found nothing, INSERT", false, true, WriteForm::kInsert, true},
      {"not known, INSERT", false, false, WriteForm::kInsert, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Txn t = FormTxn(AccessKind::kRead, c.write, c.found_nothing);
    t.record().accesses.front().found_rows = c.found_rows;
    const TxnFacts& f = t.Analyze();
    ASSERT_EQ(f.read_writes.size(), c.pairs ? 1u : 0u);
    EXPECT_EQ(f.tables[0].unlocked_read_write, c.pairs);
    if (c.pairs) {
      EXPECT_TRUE(f.read_writes[0].unprotected_read);
    }

    // The same across transactions.
    TransactionRecord read;
    read.tables.push_back(TxnTable{"s", "a", TableHash("s", "a"), {}});
    TxnAccess r{};
    r.kind = AccessKind::kRead;
    r.digest = kRead;
    r.key_count = 1;
    r.found_rows = c.found_rows;
    r.found_nothing = c.found_nothing;
    read.keys.push_back(KeyHash("id", "5"));
    read.accesses.push_back(r);
    RecentReads recent;
    recent.Remember(read);
    Txn w;
    w.Access("a", AccessKind::kWrite, 0, kWrite, {"5"});
    w.record().accesses.back().form = c.write;
    w.record().first_statement = 1;
    TxnFacts facts;
    AnalyzeTransaction(w.record(), &recent, &facts);
    ASSERT_EQ(facts.read_writes.size(), c.pairs ? 1u : 0u) << "unscoped";
    if (c.pairs) {
      EXPECT_TRUE(facts.read_writes[0].unscoped);
    }
  }
  // A locking read that found its row still pairs with the insert for the
  // lock idioms, but as no read-modify-write.
  Txn locked = FormTxn(AccessKind::kReadExclusive, WriteForm::kInsert);
  locked.record().accesses.front().found_rows = true;
  ASSERT_EQ(locked.Analyze().read_writes.size(), 1u);
  EXPECT_FALSE(locked.Analyze().read_writes[0].rmw_write);
  EXPECT_FALSE(locked.Analyze().read_writes[0].protected_read);
  EXPECT_FALSE(locked.Analyze().tables[0].locked_read_write);
}

// ---- lock idioms ----

TEST(TxnAnalysisLockIdioms, GapInsertNeedsALockingReadThatFoundNothingThenAnInsertAtRrOrSerializable) {
  struct Case {
    const char* name;
    AccessKind read;
    WriteForm write;
    bool found_nothing;
    Isolation isolation;
    bool gap_insert;
  };
  const Case cases[] = {
      {"FOR UPDATE, nothing, INSERT, RR", AccessKind::kReadExclusive, WriteForm::kInsert, true,
       Isolation::kRepeatableRead, true},
      {"FOR UPDATE, nothing, INSERT, SERIALIZABLE", AccessKind::kReadExclusive, WriteForm::kInsert, true,
       Isolation::kSerializable, true},
      {"LOCK IN SHARE MODE, nothing, INSERT, RR", AccessKind::kReadShared, WriteForm::kInsert, true,
       Isolation::kRepeatableRead, true},
      {"FOR UPDATE, nothing, upsert, RR", AccessKind::kReadExclusive, WriteForm::kUpsert, true,
       Isolation::kRepeatableRead, true},
      {"FOR UPDATE, nothing, INSERT, READ COMMITTED", AccessKind::kReadExclusive, WriteForm::kInsert, true,
       Isolation::kReadCommitted, false},
      {"FOR UPDATE, nothing, INSERT, READ UNCOMMITTED", AccessKind::kReadExclusive, WriteForm::kInsert, true,
       Isolation::kReadUncommitted, false},
      {"FOR UPDATE, found the row, INSERT, RR", AccessKind::kReadExclusive, WriteForm::kInsert, false,
       Isolation::kRepeatableRead, false},
      {"FOR UPDATE, nothing, UPDATE, RR", AccessKind::kReadExclusive, WriteForm::kPlain, true,
       Isolation::kRepeatableRead, false},
      {"plain read, nothing, INSERT, RR", AccessKind::kRead, WriteForm::kInsert, true,
       Isolation::kRepeatableRead, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Txn t = FormTxn(c.read, c.write, c.found_nothing, c.isolation);
    const TxnFacts& f = t.Analyze();
    ASSERT_EQ(f.read_writes.size(), 1u);
    EXPECT_EQ(f.read_writes[0].gap_insert, c.gap_insert);
  }
}

TEST(TxnAnalysisLockIdioms, SharedUpgradeNeedsASharedReadOfTheKey) {
  Txn shared = FormTxn(AccessKind::kReadShared, WriteForm::kPlain);
  ASSERT_EQ(shared.Analyze().read_writes.size(), 1u);
  EXPECT_TRUE(shared.Analyze().read_writes[0].shared_upgrade);
  EXPECT_TRUE(shared.Analyze().read_writes[0].protected_read);
  Txn exclusive = FormTxn(AccessKind::kReadExclusive, WriteForm::kPlain);
  ASSERT_EQ(exclusive.Analyze().read_writes.size(), 1u);
  EXPECT_FALSE(exclusive.Analyze().read_writes[0].shared_upgrade);
  // Another key: paired, not matched, no idiom.
  Txn other;
  other.Access("a", AccessKind::kReadShared, 0, kRead, {"5"});
  other.Access("a", AccessKind::kWrite, 1, kWrite, {"6"});
  ASSERT_EQ(other.Analyze().read_writes.size(), 1u);
  EXPECT_FALSE(other.Analyze().read_writes[0].shared_upgrade);
}

TEST(TxnAnalysisLockIdioms, ASharedReadThatFoundNothingHasNoRowLockToUpgrade) {
  // At READ COMMITTED a LOCK IN SHARE MODE read of a missing key locks
  // nothing (no row, no gap): the insert that follows upgrades no S lock.
  // The same read that found the row does hold one.
  Txn missing = FormTxn(AccessKind::kReadShared, WriteForm::kInsert, true, Isolation::kReadCommitted);
  ASSERT_EQ(missing.Analyze().read_writes.size(), 1u);
  EXPECT_FALSE(missing.Analyze().read_writes[0].shared_upgrade);
  EXPECT_FALSE(missing.Analyze().read_writes[0].gap_insert);
  Txn found = FormTxn(AccessKind::kReadShared, WriteForm::kPlain, false, Isolation::kReadCommitted);
  EXPECT_TRUE(found.Analyze().read_writes[0].shared_upgrade);
  // At REPEATABLE READ the same read locked the gap: a gap insert, no upgrade.
  Txn gap = FormTxn(AccessKind::kReadShared, WriteForm::kInsert, true, Isolation::kRepeatableRead);
  EXPECT_TRUE(gap.Analyze().read_writes[0].gap_insert);
  EXPECT_FALSE(gap.Analyze().read_writes[0].shared_upgrade);
}

TEST(TxnAnalysisLockIdioms, BelowRepeatableReadALockingReadOfAMissingKeyProtectsNoInsert) {
  // docs/patterns.md, GAP_LOCK_INSERT: at READ COMMITTED the locking read of
  // a missing key locks nothing, and the insert races as after a plain read.
  struct Case {
    const char* name;
    AccessKind read;
    bool found_nothing;
    Isolation isolation;
    WriteForm write;
    bool is_protected;
  };
  const Case cases[] = {
      {"RC, FOR UPDATE found nothing, INSERT", AccessKind::kReadExclusive, true, Isolation::kReadCommitted,
       WriteForm::kInsert, false},
      {"RU, share mode found nothing, INSERT", AccessKind::kReadShared, true, Isolation::kReadUncommitted,
       WriteForm::kInsert, false},
      {"RR, FOR UPDATE found nothing, INSERT", AccessKind::kReadExclusive, true, Isolation::kRepeatableRead,
       WriteForm::kInsert, true},
      {"RC, FOR UPDATE found the row, INSERT", AccessKind::kReadExclusive, false, Isolation::kReadCommitted,
       WriteForm::kInsert, true},
      {"RC, FOR UPDATE found nothing, UPDATE", AccessKind::kReadExclusive, true, Isolation::kReadCommitted,
       WriteForm::kPlain, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Txn t = FormTxn(c.read, c.write, c.found_nothing, c.isolation);
    const TxnFacts& f = t.Analyze();
    ASSERT_EQ(f.read_writes.size(), 1u);
    EXPECT_EQ(f.read_writes[0].protected_read, c.is_protected);
    EXPECT_EQ(f.read_writes[0].unprotected_read, !c.is_protected);
    EXPECT_EQ(f.read_writes[0].gap_insert, c.isolation == Isolation::kRepeatableRead);
  }
  // A named lock still protects.
  Txn named = FormTxn(AccessKind::kReadExclusive, WriteForm::kInsert, true, Isolation::kReadCommitted);
  named.record().accesses.front().under_named_lock = true;
  EXPECT_TRUE(named.Analyze().read_writes[0].protected_read);
}

// ---- proof by a lock error (MarkProven) ----

// ErrorTxn: FormTxn's transaction, whose write (statement 1) failed with `code`.
Txn ErrorTxn(AccessKind read_kind, WriteForm form, uint32_t code, bool found_nothing = false,
             uint64_t failed_digest = kWrite, int32_t table = 0) {
  Txn t = FormTxn(read_kind, form, found_nothing);
  TxnError e;
  e.code = code;
  e.table = table;
  e.digest = failed_digest;
  e.statement = 1;
  t.record().errors.push_back(e);
  return t;
}

TEST(TxnAnalysisProof, ADuplicateKeyOnTheWriteAfterAnUnprotectedReadProvesThePair) {
  for (uint32_t code : {kErrDupEntry, kErrDupEntryWithKeyName, kErrCheckread}) {
    SCOPED_TRACE(code);
    Txn t = ErrorTxn(AccessKind::kRead, WriteForm::kInsert, code);
    ASSERT_EQ(t.Analyze().read_writes.size(), 1u);
    EXPECT_TRUE(t.Analyze().read_writes[0].proven);
    EXPECT_FALSE(t.Analyze().read_writes[0].idiom_deadlock);
  }
}

TEST(TxnAnalysisProof, DeadlocksAndTimeoutsDoNotProveAReadModifyWrite) {
  // Writers deadlock on row order whatever they read before (sysbench's do
  // at 16 threads): only a duplicate key shows the check was raced.
  for (uint32_t code : {kErrLockDeadlock, kErrLockWaitTimeout}) {
    SCOPED_TRACE(code);
    Txn t = ErrorTxn(AccessKind::kRead, WriteForm::kInsert, code);
    ASSERT_EQ(t.Analyze().read_writes.size(), 1u);
    EXPECT_FALSE(t.Analyze().read_writes[0].proven);
  }
}

TEST(TxnAnalysisProof, NothingIsProvenWithoutAMatchedUnprotectedReadOfTheFailingWrite) {
  struct Case {
    const char* name;
    Txn txn;
  };
  Txn other_key;
  other_key.Access("a", AccessKind::kRead, 0, kRead, {"5"});
  other_key.Access("a", AccessKind::kWrite, 1, kWrite, {"6"});
  TxnError e;
  e.code = kErrDupEntry;
  e.table = 0;
  e.digest = kWrite;
  e.statement = 1;
  other_key.record().errors.push_back(e);
  Case cases[] = {
      {"a protected read", ErrorTxn(AccessKind::kReadExclusive, WriteForm::kInsert, kErrDupEntry)},
      {"another statement failed", ErrorTxn(AccessKind::kRead, WriteForm::kInsert, kErrDupEntry, false, 999)},
      {"the table is unknown",
       ErrorTxn(AccessKind::kRead, WriteForm::kInsert, kErrDupEntry, false, kWrite, -1)},
      {"not a lock error", ErrorTxn(AccessKind::kRead, WriteForm::kInsert, 1146)},
      {"the read used another key", other_key},
  };
  for (Case& c : cases) {
    SCOPED_TRACE(c.name);
    const TxnFacts& f = c.txn.Analyze();
    ASSERT_EQ(f.read_writes.size(), 1u);
    EXPECT_FALSE(f.read_writes[0].proven);
    EXPECT_FALSE(f.read_writes[0].idiom_deadlock);
  }
}

TEST(TxnAnalysisProof, ADeadlockOnTheWriteOfALockIdiomIsMarked) {
  Txn gap =
      ErrorTxn(AccessKind::kReadExclusive, WriteForm::kInsert, kErrLockDeadlock, /*found_nothing=*/true);
  ASSERT_EQ(gap.Analyze().read_writes.size(), 1u);
  EXPECT_TRUE(gap.Analyze().read_writes[0].gap_insert);
  EXPECT_TRUE(gap.Analyze().read_writes[0].idiom_deadlock);
  EXPECT_FALSE(gap.Analyze().read_writes[0].proven) << "the read was protected";
  Txn shared = ErrorTxn(AccessKind::kReadShared, WriteForm::kSelfRelative, kErrLockDeadlock);
  ASSERT_EQ(shared.Analyze().read_writes.size(), 1u);
  EXPECT_TRUE(shared.Analyze().read_writes[0].idiom_deadlock);
  // A lock wait timeout is no deadlock; a FOR UPDATE that found the row is
  // no idiom.
  Txn timeout =
      ErrorTxn(AccessKind::kReadExclusive, WriteForm::kInsert, kErrLockWaitTimeout, /*found_nothing=*/true);
  EXPECT_FALSE(timeout.Analyze().read_writes[0].idiom_deadlock);
  Txn found = ErrorTxn(AccessKind::kReadExclusive, WriteForm::kInsert, kErrLockDeadlock);
  EXPECT_FALSE(found.Analyze().read_writes[0].idiom_deadlock);
}

}  // namespace
}  // namespace lockdiag
