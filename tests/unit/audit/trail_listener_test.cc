#include "core/audit/trail_listener.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/lock/key_hash.h"
#include "core/lock/lock_errors.h"
#include "core/lock/session.h"

namespace lockdiag {
namespace {

// A new finding and an incident of the lock core, and a new row of the
// encoding store, become trail lines (and a second occurrence does not).
TEST(TrailListener, NewFindingsIncidentsAndEncodingRowsBecomeLines) {
  char tmpl[] = "/tmp/lockdiag-listener-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  Trail trail;
  Trail::Settings s;
  s.path = dir + "/trail.log";
  trail.Configure(s);
  TrailListener listener(&trail);
  Config config;
  Analyzer analyzer(&config);
  analyzer.SetListener(&listener);
  encoding::EncodingStore store;
  store.SetListener(&listener);

  // Two ABBA transactions: one LOCK_ORDER_INVERSION; a duplicate key: one incident.
  Session a(&analyzer, 1);
  auto write = [](Session* s, const char* table, const char* text, uint32_t error, bool open) {
    const uint64_t key = KeyHash("id", "1");
    AccessEvent e;
    e.schema = "shop";
    e.table = table;
    e.kind = AccessKind::kWrite;
    e.keys = &key;
    e.key_count = 1;
    s->OnTableAccess(e);
    StatementEnd end;
    end.text = text;
    end.error_code = error;
    end.transaction_open = open;
    s->OnStatementEnd(end);
  };
  for (int round = 0; round < 2; ++round) {
    write(&a, "a", "UPDATE a SET n = 1 WHERE id = 1", 0, true);
    write(&a, "b", "UPDATE b SET n = 1 WHERE id = 1", 0, true);
    StatementEnd commit;
    commit.text = "COMMIT";
    a.OnStatementEnd(commit);
    write(&a, "b", "UPDATE b SET n = 2 WHERE id = 1", 0, true);
    write(&a, "a", "UPDATE a SET n = 2 WHERE id = 1", 0, true);
    a.OnStatementEnd(commit);
  }
  write(&a, "a", "INSERT INTO a VALUES (1)", kErrDupEntry, false);
  encoding::FindingKey key;
  key.user = "app";
  key.table = "poems";
  key.issue = encoding::Issue::kSuspectedDoubleEncoding;
  store.Record(key, "pos 0: C3 83", "insert into poems values (?)", 100, 1);
  store.Record(key, "pos 0: C3 83", "insert into poems values (?)", 200, 1);  // not new
  trail.Flush();
  analyzer.SetListener(nullptr);
  store.SetListener(nullptr);

  std::ifstream in(s.path);
  std::vector<nlohmann::json> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(nlohmann::json::parse(l));
  int findings = 0, incidents = 0, encodings = 0;
  for (const auto& j : lines) {
    if (j["type"] == "finding") {
      ++findings;
      EXPECT_EQ(j["pattern"], "LOCK_ORDER_INVERSION");
    }
    if (j["type"] == "incident") {
      ++incidents;
      EXPECT_EQ(j["error_name"], "ER_DUP_ENTRY");
      EXPECT_EQ(j["table_name"], "a");
    }
    if (j["type"] == "encoding") ++encodings;
  }
  EXPECT_EQ(findings, 1);
  EXPECT_EQ(incidents, 1);
  EXPECT_EQ(encodings, 1);
  trail.Stop();
  (void)std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace lockdiag
