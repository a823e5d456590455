#include "merge.h"

#include <gtest/gtest.h>

#include "fixture.h"

namespace lockdiag::report {
namespace {

using testing::BothServers;
using testing::Db1;
using testing::Db2;

const ReportFinding* Find(const Report& r, const std::string& pattern, std::vector<std::string> objects) {
  for (const auto& f : r.findings)
    if (f.finding.pattern == pattern && f.finding.objects == objects) return &f;
  return nullptr;
}

TEST(Merge, OneServerKeepsItsIdsAndLinksIncidentsByPatternId) {
  Report r = BuildReport({Db1()});
  const ReportFinding* f = Find(r, "UNLOCKED_READ_MODIFY_WRITE", {"poetry.poems"});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.pattern_id, 1u);
  ASSERT_EQ(f->incidents.size(), 2u);  // 12 and 11; 9 has no PATTERN_ID
  EXPECT_EQ(f->incidents[0].incident_id, 12u);
  EXPECT_FALSE(f->cross_server);
  EXPECT_EQ(Find(r, "LOCK_ORDER_INVERSION", {"shop.customers", "shop.orders"}), nullptr)
      << "one server alone cannot show a cross-server inversion";
}

TEST(Merge, SameFindingOnTwoServersIsOneWithBothSightings) {
  Report r = BuildReport(BothServers());
  const ReportFinding* f = Find(r, "UNLOCKED_READ_MODIFY_WRITE", {"poetry.poems"});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->finding.occurrences, 40u);
  EXPECT_EQ(f->finding.related_errors, 20u);
  EXPECT_EQ(f->finding.pattern_id, 0u);
  ASSERT_EQ(f->seen_on.size(), 2u);
  EXPECT_EQ(f->seen_on[0].server, "db1:3306");
  EXPECT_EQ(f->seen_on[0].pattern_id, 1u);
  EXPECT_EQ(f->seen_on[1].server, "db2:3306");
  EXPECT_EQ(f->seen_on[1].pattern_id, 3u);
  // Incidents are linked per server: db2's PATTERN_ID 3 is not db1's 3.
  ASSERT_EQ(f->incidents.size(), 3u);
  EXPECT_EQ(f->incident_servers[2], "db2:3306");
}

TEST(Merge, InversionSplitAcrossServersIsAFindingOfTheMergedView) {
  Report r = BuildReport(BothServers());
  const ReportFinding* f = Find(r, "LOCK_ORDER_INVERSION", {"shop.customers", "shop.orders"});
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->cross_server);
  EXPECT_EQ(f->finding.severity, Severity::kHigh);
  EXPECT_EQ(f->finding.occurrences, 65u);
  EXPECT_NE(f->finding.evidence.find("seen across servers"), std::string::npos);
  EXPECT_NE(f->finding.evidence.find("shop.orders -> shop.customers on db1:3306 (40)"), std::string::npos);
  EXPECT_NE(f->finding.evidence.find("shop.customers -> shop.orders on db2:3306 (25)"), std::string::npos);
  EXPECT_NE(f->finding.advice.find("Lock shop.orders before shop.customers"), std::string::npos);
  ASSERT_EQ(f->seen_on.size(), 2u);
}

TEST(Merge, NoCrossServerFindingWhenOneServerSawBothOrders) {
  ServerSnapshot a = Db1(), b = Db2();
  b.lock_order = {{"poetry.stats", "poetry.poems", 3, 0, "", ""}};
  // db1 saw poems<->stats both ways and reports it itself.
  for (const auto& f : CrossServerInversions({a, b}))
    EXPECT_NE(f.finding.objects, (std::vector<std::string>{"poetry.poems", "poetry.stats"}));
}

TEST(Merge, GraphMarksInvertedAndCycleEdges) {
  Report r = BuildReport(BothServers());
  auto edge = [&](const std::string& from, const std::string& to) -> const GraphEdge* {
    for (const auto& e : r.graph_edges)
      if (e.from == from && e.to == to) return &e;
    return nullptr;
  };
  ASSERT_NE(edge("poetry.poems", "poetry.stats"), nullptr);
  EXPECT_TRUE(edge("poetry.poems", "poetry.stats")->inverted);
  EXPECT_EQ(edge("poetry.poems", "poetry.stats")->transactions, 45u);
  EXPECT_TRUE(edge("shop.customers", "shop.orders")->inverted);  // across servers
  EXPECT_TRUE(edge("shop.c", "shop.a")->in_cycle);
  EXPECT_FALSE(edge("shop.c", "shop.a")->inverted);
  EXPECT_EQ(r.graph_nodes.size(), 7u);
}

}  // namespace
}  // namespace lockdiag::report
