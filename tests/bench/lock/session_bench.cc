// session_bench.cc: the hot path's cost, per table-lock event and per
// statement, single-threaded and with concurrent connections.
//
//   build-core/tests/bench/lockdiag_bench --benchmark_min_time=0.2
//
// items_per_second is events (or statements) per second per thread; the
// per-item cost is its inverse. Threads share one Analyzer, as connections do.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "core/lock/analyzer.h"
#include "core/lock/digest.h"
#include "core/lock/key_hash.h"
#include "core/lock/session.h"

namespace lockdiag {
namespace {

Analyzer& SharedAnalyzer() {
  static Config* config = new Config();
  static Analyzer* analyzer = new Analyzer(config);
  return *analyzer;
}

std::vector<std::string> PointSelects(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i)
    out.push_back("SELECT c FROM sbtest1 WHERE id=" + std::to_string(1 + rng() % 100000));
  return out;
}

// One table-lock event (Session::OnTableAccess with one key hash). Every 16
// events the open transaction is dropped unpublished, so that the record
// stays the size of a real transaction's.
void BM_TableLockEvent(benchmark::State& state) {
  Session session(&SharedAnalyzer(), 1000 + state.thread_index());
  const uint64_t key = KeyHash("id", "42");
  static const char* const kTables[] = {"sbtest1", "sbtest2", "sbtest3", "sbtest4"};
  AccessEvent a;
  a.schema = "sbtest";
  a.kind = AccessKind::kWrite;
  a.keys = &key;
  a.key_count = 1;
  unsigned n = 0;
  for (auto _ : state) {
    a.table = kTables[n & 3];
    session.OnTableAccess(a);
    if (++n % 16 == 0) session.TEST_DiscardTransaction();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TableLockEvent)->Threads(1)->Threads(2)->Threads(4);

// An autocommit point select, as oltp_point_select sends it: one table-lock
// event, the statement's end with its digest, and the publish of a
// one-statement transaction.
void BM_AutocommitPointSelect(benchmark::State& state) {
  Session session(&SharedAnalyzer(), 2000 + state.thread_index());
  const std::vector<std::string> texts = PointSelects(512, state.thread_index());
  AccessEvent a;
  a.schema = "sbtest";
  a.table = "sbtest1";
  a.kind = AccessKind::kRead;
  StatementEnd end;
  size_t i = 0;
  for (auto _ : state) {
    const std::string& text = texts[i++ % texts.size()];
    const uint64_t key = KeyHash("id", std::string_view(text).substr(text.rfind('=') + 1));
    a.keys = &key;
    a.key_count = 1;
    session.OnTableAccess(a);
    end.text = text;
    session.OnStatementEnd(end);
  }
  state.SetItemsProcessed(state.iterations());
}
// 1 to 64 threads on one table: the per-statement cost must stay flat
// (connection_batch.h; before batching it doubled at 2 threads).
BENCHMARK(BM_AutocommitPointSelect)->ThreadRange(1, 64)->UseRealTime();

// An autocommit UPDATE of one hot row, as oltp_update_index sends it: the
// write path (key-correlated, a write-class table update) on one table.
void BM_AutocommitUpdate(benchmark::State& state) {
  Session session(&SharedAnalyzer(), 4000 + state.thread_index());
  const uint64_t key = KeyHash("id", "7");
  AccessEvent a;
  a.schema = "sbtest";
  a.table = "sbtest1";
  a.kind = AccessKind::kWrite;
  a.keys = &key;
  a.key_count = 1;
  StatementEnd end;
  end.text = "UPDATE sbtest1 SET k=k+1 WHERE id=7";
  for (auto _ : state) {
    session.OnTableAccess(a);
    session.OnStatementEnd(end);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AutocommitUpdate)->ThreadRange(1, 64)->UseRealTime();

// An oltp_read_write transaction: BEGIN, 10 point selects, 4 range selects,
// 2 updates, a delete and an insert on 4 tables, COMMIT: 20 statements, 18
// table-lock events, one publish. items = statements.
void BM_ReadWriteTransaction(benchmark::State& state) {
  Session session(&SharedAnalyzer(), 3000 + state.thread_index());
  std::mt19937_64 rng(state.thread_index());
  struct Stmt {
    std::string text;
    std::string table;
    AccessKind kind;
    uint64_t key;
    bool keyed;
  };
  std::vector<Stmt> stmts;
  auto table = [&] { return "sbtest" + std::to_string(1 + rng() % 4); };
  for (int i = 0; i < 10; ++i) {
    std::string t = table(), id = std::to_string(rng() % 100000);
    stmts.push_back(
        {"SELECT c FROM " + t + " WHERE id=" + id, t, AccessKind::kRead, KeyHash("id", id), true});
  }
  for (int i = 0; i < 4; ++i) {
    std::string t = table();
    stmts.push_back({"SELECT c FROM " + t + " WHERE id BETWEEN 5 AND 104", t, AccessKind::kRead, 0, false});
  }
  for (const char* w : {"UPDATE %s SET k=k+1 WHERE id=", "UPDATE %s SET c='abc' WHERE id=",
                        "DELETE FROM %s WHERE id=", "INSERT INTO %s (id, k, c, pad) VALUES ("}) {
    std::string t = table(), id = std::to_string(rng() % 100000), text = w;
    text.replace(text.find("%s"), 2, t);
    stmts.push_back({text + id, t, AccessKind::kWrite, KeyHash("id", id), true});
  }
  AccessEvent a;
  a.schema = "sbtest";
  StatementEnd end;
  for (auto _ : state) {
    end.text = "BEGIN";
    end.transaction_open = true;
    session.OnStatementEnd(end);
    for (const Stmt& s : stmts) {
      a.table = s.table;
      a.kind = s.kind;
      a.keys = s.keyed ? &s.key : nullptr;
      a.key_count = s.keyed ? 1 : 0;
      session.OnTableAccess(a);
      end.text = s.text;
      session.OnStatementEnd(end);
    }
    end.text = "COMMIT";
    end.transaction_open = false;
    session.OnStatementEnd(end);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(stmts.size() + 2));
}
BENCHMARK(BM_ReadWriteTransaction)->Threads(1)->Threads(2)->Threads(4);

// The digest alone, for a typical statement and a 100-element IN list.
void BM_Digest(benchmark::State& state) {
  std::string in_list = "SELECT * FROM orders WHERE customer_id IN (";
  for (int i = 0; i < 100; ++i) in_list += std::to_string(i * 37) + (i < 99 ? ", " : ")");
  const std::string text = state.range(0) == 0 ? "SELECT c FROM sbtest1 WHERE id=4711" : in_list;
  std::string out;
  for (auto _ : state) benchmark::DoNotOptimize(DigestStatement(text, &out));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Digest)->Arg(0)->Arg(1);

}  // namespace
}  // namespace lockdiag
