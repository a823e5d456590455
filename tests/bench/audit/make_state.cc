// make_state.cc: writes a state file whose every INFORMATION_SCHEMA table
// has ROWS rows (default 10,000), for scripts/bench-is-fill.sh: a server
// started with it (lockdiag_state_file, lockdiag_history_size >= ROWS) loads
// it at INSTALL, and the fills of LOCKDIAG_* are timed on real rows.
//
//   lockdiag_make_state PATH [ROWS]
//
// Rows: LOCKDIAG_TABLES (ROWS tables), LOCKDIAG_PATTERNS (each table written
// at two isolation levels: ROWS MIXED_ISOLATION_LEVELS findings),
// LOCKDIAG_LOCK_ORDER (table i locked before table i+1: ROWS - 1 edges),
// LOCKDIAG_INCIDENTS (ROWS duplicate keys), LOCKDIAG_ENCODING (ROWS
// columns), LOCKDIAG_CONNECTIONS (ROWS accounts).
#include <cstdio>
#include <cstdlib>
#include <string>

#include "../../unit/audit/test_stores.h"
#include "../../unit/lock/test_client.h"
#include "core/audit/state_file.h"
#include "core/common/files.h"
#include "core/lock/lock_errors.h"

int main(int argc, char** argv) {
  using lockdiag::AccessKind;
  using lockdiag::Isolation;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PATH [ROWS]\n", argv[0]);
    return 2;
  }
  const int rows = argc > 2 ? std::atoi(argv[2]) : 10000;
  lockdiag::testing::Stores s;
  s.config.max_tables.store(rows);
  s.config.history_size.store(rows);
  lockdiag::testing::Client c(&s.analyzer, 1);
  auto table = [](int i) { return "app.table_" + std::to_string(i); };
  for (int t = 0; t < rows; ++t) {
    for (Isolation level : {Isolation::kRepeatableRead, Isolation::kReadCommitted}) {
      c.isolation = level;
      c.Run("UPDATE " + table(t) + " SET n = n + 1 WHERE id = 1",
            {{table(t), AccessKind::kWrite, {{"id", "1"}}}});
    }
  }
  c.isolation = Isolation::kRepeatableRead;
  for (int t = 0; t + 1 < rows; ++t) {
    c.Begin();
    c.Run("UPDATE " + table(t) + " SET n = 1 WHERE id = 2", {{table(t), AccessKind::kWrite, {{"id", "2"}}}});
    c.Run("UPDATE " + table(t + 1) + " SET n = 1 WHERE id = 2",
          {{table(t + 1), AccessKind::kWrite, {{"id", "2"}}}});
    c.Commit();
  }
  for (int i = 0; i < rows; ++i) {
    c.Run("INSERT INTO " + table(i % 100) + " VALUES (?)",
          {{table(i % 100), AccessKind::kWrite, {{"id", std::to_string(i)}}}}, lockdiag::kErrDupEntry);
    const std::string column = "col_" + std::to_string(i);
    lockdiag::encoding::FindingKey key{
        "app", "10.0.0.7", "latin1",
        "app", "poems",    column,
        false, "utf8mb4",  lockdiag::encoding::Issue::kSuspectedDoubleEncoding};
    s.encoding.Record(key, "pos 2: C3 A8", "insert into poems values (?)", 1000 + i, 1);
    s.connections.OnConnect(i, "user_" + std::to_string(i), "10.0.0." + std::to_string(i % 250), 0, 1000);
  }
  c.session().OnDisconnect();
  const std::string file =
      lockdiag::EncodeState(s.view(), lockdiag::NowMicros(), "bench", lockdiag::SaveKind::kFinal);
  std::string error;
  if (!lockdiag::WriteFileAtomically(argv[1], file, &error)) {
    std::fprintf(stderr, "%s: %s\n", argv[1], error.c_str());
    return 1;
  }
  std::printf("%s: %zu bytes, %d rows per table\n", argv[1], file.size(), rows);
  return 0;
}
