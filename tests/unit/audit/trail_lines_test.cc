#include "core/audit/trail_lines.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace lockdiag {
namespace {

using nlohmann::json;

TEST(TrailLines, TimeIsUtcWithMicroseconds) {
  EXPECT_EQ(TrailTime(1764635462123456), "2025-12-02T00:31:02.123456Z");
  EXPECT_EQ(TrailTime(0), "1970-01-01T00:00:00.000000Z");
}

TEST(TrailLines, HostileStringsStayOneValidJsonLine) {
  PatternRow row;
  row.id = 7;
  row.pattern = "UNLOCKED_READ_MODIFY_WRITE";
  row.severity = "HIGH";
  row.objects = "shop.`we\"ird`\n\ttable";
  row.evidence = std::string("bad \xC3\x28 utf8 \\ and \x01 control");
  row.advice = "x";
  const std::string line = FindingLine(1764635462000000, row);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  const json j = json::parse(line);
  EXPECT_EQ(j["type"], "finding");
  EXPECT_EQ(j["time"], "2025-12-02T00:31:02.000000Z");
  EXPECT_EQ(j["pattern_id"], 7);
  EXPECT_EQ(j["objects"], "shop.`we\"ird`\n\ttable");
  // The invalid byte became U+FFFD; the rest is kept.
  EXPECT_EQ(j["evidence"], "bad \xEF\xBF\xBD( utf8 \\ and \x01 control");
}

TEST(TrailLines, IncidentEncodingConnectionAndLifecycle) {
  IncidentRow inc;
  inc.id = 3;
  inc.time = 1000000;
  inc.error_code = 1213;
  inc.error_name = "ER_LOCK_DEADLOCK";
  inc.user = "app";
  json j = json::parse(IncidentLine(inc));
  EXPECT_EQ(j["type"], "incident");
  EXPECT_EQ(j["incident_id"], 3);
  EXPECT_TRUE(j["table_name"].is_null());
  EXPECT_TRUE(j["pattern_id"].is_null());

  encoding::EncodingRow enc;
  enc.issue = encoding::Issue::kSuspectedDoubleEncoding;
  enc.column_is_null = true;
  enc.schema = "shop";
  j = json::parse(EncodingLine(enc));
  EXPECT_EQ(j["type"], "encoding");
  EXPECT_EQ(j["issue"], "SUSPECTED_DOUBLE_ENCODING");
  EXPECT_TRUE(j["column_name"].is_null());
  EXPECT_EQ(j["table_schema"], "shop");

  j = json::parse(RefusedConnectionLine(5, "app", "web1", 1040, "max_connections"));
  EXPECT_EQ(j["type"], "connection_refused");
  EXPECT_EQ(j["error_name"], "ER_CON_COUNT_ERROR");
  EXPECT_EQ(j["limit"], "max_connections");
  j = json::parse(RefusedConnectionLine(5, "app", "web1", 1045, nullptr));
  EXPECT_TRUE(j["limit"].is_null());

  j = json::parse(LifecycleLine(5, "installed", "0.1", "lockdiag_enabled=ON"));
  EXPECT_EQ(j["type"], "lifecycle");
  EXPECT_EQ(j["event"], "installed");
  EXPECT_EQ(j["settings"], "lockdiag_enabled=ON");
}

}  // namespace
}  // namespace lockdiag
