#include "ranking.h"

#include <gtest/gtest.h>

#include "fixture.h"
#include "merge.h"

namespace lockdiag::report {
namespace {

TEST(Ranking, SeverityThenRelatedErrorsThenOccurrences) {
  Report r = BuildReport(testing::BothServers());
  std::vector<std::string> order;
  for (const auto& f : r.findings) order.push_back(f.finding.pattern);
  EXPECT_EQ(order, (std::vector<std::string>{"UNLOCKED_READ_MODIFY_WRITE",  // HIGH, 20 errors
                                             "LOCK_ORDER_CYCLE",            // HIGH, 1 error
                                             "LOCK_ORDER_INVERSION",        // HIGH, 0 errors, 65
                                             "LOCK_ORDER_INVERSION",        // HIGH, 0 errors, 60
                                             "LOCK_HELD_IDLE", "MIXED_ISOLATION_LEVELS"}));
  EXPECT_TRUE(r.findings[2].cross_server);
}

TEST(Ranking, TablesBusiestAndMostConflicted) {
  Report r = BuildReport(testing::BothServers());
  ASSERT_FALSE(r.busiest_tables.empty());
  EXPECT_EQ(r.busiest_tables[0].row.table, "poetry.poems");
  EXPECT_EQ(r.busiest_tables[0].server, "db1:3306");
  ASSERT_EQ(r.conflicted_tables.size(), 3u);  // only tables with lock errors
  EXPECT_EQ(r.conflicted_tables[0].row.Conflicts(), 15u);
  EXPECT_EQ(r.conflicted_tables[2].row.table, "shop.c");
}

TEST(Ranking, TableListsAreCut) {
  ServerSnapshot s;
  s.server = "x";
  for (int i = 0; i < 25; ++i) {
    s.tables.emplace_back();
    s.tables.back().table = "s.t" + std::to_string(i);
  }
  Report r = BuildReport({s});
  EXPECT_EQ(r.busiest_tables.size(), kTopTables);
}

TEST(Ranking, RefusedConnectionsFirst) {
  Report r = BuildReport(testing::BothServers());
  ASSERT_EQ(r.connections.size(), 2u);
  EXPECT_TRUE(r.connections[0].row.Refused());
  EXPECT_FALSE(r.connections[1].row.Refused());
}

}  // namespace
}  // namespace lockdiag::report
