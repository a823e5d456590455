#include "core/audit/syslog_sink.h"

#include <gtest/gtest.h>
#include <syslog.h>

#include "core/audit/trail_lines.h"

namespace lockdiag {
namespace {

// Each line the trail writes, built as the trail builds it: the priority is
// read from its "type", so a change in trail_lines.cc that moved "type"
// from the front would fail here.
TEST(SyslogSink, PriorityFollowsTheLineType) {
  PatternRow finding;
  finding.pattern = "LOCK_ORDER_INVERSION";
  EXPECT_EQ(SyslogPriority(FindingLine(1, finding)), LOG_WARNING);
  encoding::EncodingRow enc;
  EXPECT_EQ(SyslogPriority(EncodingLine(enc)), LOG_WARNING);
  EXPECT_EQ(SyslogPriority(RefusedConnectionLine(1, "app", "web1", 1040, "max_connections")), LOG_WARNING);
  IncidentRow incident;
  incident.error_code = 1213;
  EXPECT_EQ(SyslogPriority(IncidentLine(incident)), LOG_NOTICE);
  for (const char* event : {"installed", "enabled", "disabled", "reset", "uninstalled"})
    EXPECT_EQ(SyslogPriority(LifecycleLine(1, event, "0.1", "")), LOG_INFO) << event;
}

TEST(SyslogSink, AnUnknownOrMalformedLineIsANotice) {
  EXPECT_EQ(SyslogPriority(""), LOG_NOTICE);
  EXPECT_EQ(SyslogPriority("{\"type\":\"something_new\",\"time\":\"x\"}"), LOG_NOTICE);
  EXPECT_EQ(SyslogPriority("{\"time\":\"x\",\"type\":\"finding\"}"), LOG_NOTICE) << "type is not first";
  EXPECT_EQ(SyslogPriority("{\"type\":\"finding"), LOG_WARNING) << "cut line: the type is whole";
  EXPECT_EQ(SyslogPriority("{\"type\":\"find"), LOG_NOTICE);
}

}  // namespace
}  // namespace lockdiag
