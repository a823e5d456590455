// state_bench.cc: what the state file costs at the bounds the issue names:
// 10,000 tables and 10,000 findings, plus 1,000 incidents, 10,000 encoding
// rows and 1,000 connection rows. Encoding runs on the housekeeping thread
// (writers wait at most for one shard's part of it); decoding runs once, at
// INSTALL or start-up; the write is the temporary file, fsync and rename.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "../../unit/audit/test_stores.h"
#include "../../unit/lock/test_client.h"
#include "core/audit/state_file.h"
#include "core/common/files.h"
#include "core/lock/incidents.h"
#include "core/lock/lock_errors.h"
#include "core/lock/patterns.h"
#include "core/lock/table_ref.h"

namespace lockdiag {
namespace {

using testing::Client;

using testing::Stores;

// Full: every table written at two isolation levels (10,000
// MIXED_ISOLATION_LEVELS findings), 1,000 duplicate keys, 10,000 encoding
// rows, 1,000 refused accounts.
std::unique_ptr<Stores> Full() {
  auto s = std::make_unique<Stores>();
  Client c(&s->analyzer, 1);
  for (int t = 0; t < 10000; ++t) {
    const std::string table = "app.table_" + std::to_string(t);
    for (Isolation level : {Isolation::kRepeatableRead, Isolation::kReadCommitted}) {
      c.isolation = level;
      c.Run("UPDATE " + table + " SET n = n + 1 WHERE id = 1", {{table, AccessKind::kWrite, {{"id", "1"}}}},
            t < 500 && level == Isolation::kReadCommitted ? kErrDupEntry : 0);
    }
  }
  for (int i = 0; i < 500; ++i)
    c.Run("INSERT INTO app.users VALUES (?)",
          {{"app.users", AccessKind::kWrite, {{"id", std::to_string(i)}}}}, kErrDupEntry);
  for (int i = 0; i < 10000; ++i) {
    const std::string column = "col_" + std::to_string(i);
    encoding::FindingKey key{"app", "10.0.0.7", "latin1",
                             "app", "poems",    column,
                             false, "utf8mb4",  encoding::Issue::kSuspectedDoubleEncoding};
    s->encoding.Record(key, "pos 2: C3 A8", "insert into poems values (?)", 1000 + i, 1);
  }
  for (int i = 0; i < 1000; ++i)
    s->connections.OnConnect(i, "user_" + std::to_string(i), "10.0.0." + std::to_string(i % 250), 1045, 1000);
  return s;
}

void BM_StateEncode(benchmark::State& state) {
  auto s = Full();
  size_t bytes = 0;
  for (auto _ : state) {
    const std::string file = EncodeState(s->view(), 1, "bench", SaveKind::kWhileRunning);
    bytes = file.size();
    benchmark::DoNotOptimize(file.data());
  }
  state.counters["file_bytes"] = static_cast<double>(bytes);
  state.counters["tables"] = static_cast<double>(s->analyzer.SnapshotTables().size());
  state.counters["findings"] = static_cast<double>(s->analyzer.SnapshotPatterns().size());
}
BENCHMARK(BM_StateEncode)->Unit(benchmark::kMillisecond);

void BM_StateDecode(benchmark::State& state) {
  auto s = Full();
  const std::string file = EncodeState(s->view(), 1, "bench");
  for (auto _ : state) {
    state.PauseTiming();
    auto fresh = std::make_unique<Stores>();
    state.ResumeTiming();
    const StateLoad load = DecodeState(file, fresh->view());
    if (!load.ok) state.SkipWithError(load.error.c_str());
    state.PauseTiming();
    fresh.reset();  // freeing is not part of the load
    state.ResumeTiming();
  }
}
BENCHMARK(BM_StateDecode)->Unit(benchmark::kMillisecond);

void BM_StateWriteFile(benchmark::State& state) {
  auto s = Full();
  const std::string file = EncodeState(s->view(), 1, "bench");
  char dir[] = "/tmp/lockdiag-state-bench-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    state.SkipWithError("mkdtemp");
    return;
  }
  const std::string path = std::string(dir) + "/lockdiag.state";
  std::string error;
  for (auto _ : state) {
    if (!WriteFileAtomically(path, file, &error)) state.SkipWithError(error.c_str());
  }
  unlink(path.c_str());
  rmdir(dir);
}
BENCHMARK(BM_StateWriteFile)->Unit(benchmark::kMillisecond);

// The longest a writer can wait for a save: the stores with one lock hold
// it for their whole Save(). PatternStore (10,000 findings: a detector's
// report or an incident's link waits), IncidentLog (1,000 incidents: a lock
// error waits), ConnectionStore (10,000 rows: a connection attempt waits).
// The sharded stores hold one of 16 shard locks at a time: a sixteenth of
// BM_StateEncode's table part.
void BM_PatternStoreSave(benchmark::State& state) {
  PatternStore store;
  for (int i = 0; i < 10000; ++i) {
    PatternCandidate c;
    c.type = PatternType::kMixedIsolationLevels;
    c.tables = {TableHash("app", "table_" + std::to_string(i))};
    c.names = {"app.table_" + std::to_string(i)};
    bool is_new = false;
    store.Report(c, 1000, 1 << 20, &is_new);
  }
  for (auto _ : state) {
    StateEncoder out;
    store.Save(&out, 0);
    benchmark::DoNotOptimize(out.bytes().data());
  }
}
BENCHMARK(BM_PatternStoreSave)->Unit(benchmark::kMicrosecond);

void BM_IncidentLogSave(benchmark::State& state) {
  IncidentLog log;
  for (int i = 0; i < 1000; ++i) {
    Incident incident;
    incident.row.user = "app";
    incident.row.host = "10.0.0.7";
    incident.row.error_code = kErrDupEntry;
    incident.row.error_name = "ER_DUP_ENTRY";
    incident.row.table_schema = "app";
    incident.row.table_name = "users";
    incident.row.statement_digest = "insert into users(email) values (?)";
    incident.row.transaction_history = "app.users:READ, app.users:WRITE";
    incident.history_tables = {1, 2};
    log.Record(std::move(incident), 1000);
  }
  for (auto _ : state) {
    StateEncoder out;
    log.Save(&out, 0);
    benchmark::DoNotOptimize(out.bytes().data());
  }
}
BENCHMARK(BM_IncidentLogSave)->Unit(benchmark::kMicrosecond);

void BM_ConnectionStoreSave(benchmark::State& state) {
  ConnectionStore store;
  for (int i = 0; i < 10000; ++i)
    store.OnConnect(i, "user_" + std::to_string(i), "10.0.0." + std::to_string(i % 250), 1045, 1000);
  for (auto _ : state) {
    StateEncoder out;
    store.Save(&out);
    benchmark::DoNotOptimize(out.bytes().data());
  }
}
BENCHMARK(BM_ConnectionStoreSave)->Unit(benchmark::kMicrosecond);

// A sharded store: 10,000 encoding rows in 16 shards, each shard's lock
// held for its part only (about a sixteenth of this).
void BM_EncodingStoreSave(benchmark::State& state) {
  auto s = Full();
  for (auto _ : state) {
    StateEncoder out;
    s->encoding.Save(&out);
    benchmark::DoNotOptimize(out.bytes().data());
  }
}
BENCHMARK(BM_EncodingStoreSave)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lockdiag
