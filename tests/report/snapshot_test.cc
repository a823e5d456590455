#include "snapshot.h"

#include <gtest/gtest.h>

namespace lockdiag::report {
namespace {

TEST(Snapshot, PatternsByColumnNameWithNulls) {
  ResultSet rs{{"SEVERITY", "PATTERN_ID", "PATTERN", "OBJECTS", "OCCURRENCES", "RELATED_ERRORS", "ADVICE"},
               {{"MEDIUM", "4", "LOCK_HELD_IDLE", "a.b, c.d", "7", std::nullopt, "x"}}};
  ServerSnapshot s;
  AddRows(Source::kPatterns, rs, &s);
  ASSERT_EQ(s.findings.size(), 1u);
  EXPECT_EQ(s.findings[0].pattern_id, 4u);
  EXPECT_EQ(s.findings[0].severity, Severity::kMedium);
  EXPECT_EQ(s.findings[0].objects, (std::vector<std::string>{"a.b", "c.d"}));
  EXPECT_EQ(s.findings[0].related_errors, 0u);
}

TEST(Snapshot, PlainReadsUnderTheOldAndARenamedColumn) {
  for (const char* name : {"READS", "PLAIN_READS", "CONSISTENT_READS"}) {
    ResultSet rs{{"TABLE_SCHEMA", "TABLE_NAME", name, "SHARED_READS", "EXCLUSIVE_READS"},
                 {{"s", "t", "11", "2", "3"}}};
    ServerSnapshot s;
    AddRows(Source::kTables, rs, &s);
    ASSERT_EQ(s.tables.size(), 1u);
    EXPECT_EQ(s.tables[0].table, "s.t");
    EXPECT_EQ(s.tables[0].plain_reads, 11u) << name;
    EXPECT_EQ(s.tables[0].shared_reads, 2u);
    EXPECT_EQ(s.tables[0].exclusive_reads, 3u);
  }
}

TEST(Snapshot, IncidentWithoutPatternOrTable) {
  ResultSet rs{{"INCIDENT_ID", "PATTERN_ID", "TABLE_SCHEMA", "TABLE_NAME", "ERROR_NAME"},
               {{"3", std::nullopt, std::nullopt, std::nullopt, "ER_LOCK_DEADLOCK"}}};
  ServerSnapshot s;
  AddRows(Source::kIncidents, rs, &s);
  ASSERT_EQ(s.incidents.size(), 1u);
  EXPECT_FALSE(s.incidents[0].pattern_id.has_value());
  EXPECT_EQ(s.incidents[0].table, "");
}

TEST(Snapshot, RefusalHasNullCounts) {
  ResultSet rs{{"USER", "HOST", "OUTCOME", "ATTEMPTS", "CURRENT"},
               {{"u", "h", "ER_ACCESS_DENIED_ERROR", "2", std::nullopt}}};
  ServerSnapshot s;
  AddRows(Source::kConnections, rs, &s);
  EXPECT_TRUE(s.connections[0].Refused());
  EXPECT_FALSE(s.connections[0].current.has_value());
}

TEST(Snapshot, SplitObjects) {
  EXPECT_EQ(SplitObjects(""), std::vector<std::string>{});
  EXPECT_EQ(SplitObjects("a.b"), std::vector<std::string>{"a.b"});
  EXPECT_EQ(SplitObjects("a.b,c.d"), (std::vector<std::string>{"a.b", "c.d"}));
}

}  // namespace
}  // namespace lockdiag::report
