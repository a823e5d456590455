// Unit tests of the four renderers and the wrapper; golden_test.cc compares
// whole outputs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "dot_renderer.h"
#include "fixture.h"
#include "html_renderer.h"
#include "json_renderer.h"
#include "merge.h"
#include "text_renderer.h"
#include "wrap.h"

namespace lockdiag::report {
namespace {

Report Both() { return BuildReport(testing::BothServers()); }

TEST(Wrap, NoLineWiderThanTheWidthEvenForLongWords) {
  std::string text = "short words then " + std::string(250, 'x') + " and more words after it";
  std::istringstream lines(Wrap(text, "   first: ", "          ", 40));
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    EXPECT_LE(line.size(), 40u) << line;
    ++n;
  }
  EXPECT_GE(n, 7);
}

TEST(Wrap, KeepsUtf8SequencesWhole) {
  std::string text(39, 'a');
  text += "\xC3\xA8";  // è straddles column 40
  std::string out = Wrap(text, "", "", 40);
  EXPECT_EQ(out.substr(0, 40), std::string(39, 'a') + "\n");
}

TEST(TextRenderer, FitsOneHundredColumnsAndHasEverySection) {
  std::string out = RenderText(Both(), false);
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) EXPECT_LE(line.size(), kReportWidth) << line;
  size_t last = 0;
  for (const char* s : {"== Findings: 6 (4 HIGH, 1 MEDIUM, 1 LOW)", "== Busiest tables", "== Most conflicted",
                        "== Encoding issues", "== Connections"}) {
    size_t at = out.find(s);
    ASSERT_NE(at, std::string::npos) << s;
    EXPECT_GT(at, last);
    last = at;
  }
  EXPECT_EQ(out.find('\033'), std::string::npos) << "no escape without colour";
  EXPECT_NE(out.find("(seen across servers)"), std::string::npos);
  EXPECT_NE(out.find("ER_DUP_ENTRY on poetry.poems"), std::string::npos);
}

TEST(TextRenderer, ColourOnlyWhenAsked) {
  std::string out = RenderText(Both(), true);
  EXPECT_NE(out.find("\033[1;31mHIGH\033[0m"), std::string::npos);
}

TEST(TextRenderer, EmptyReportSaysSo) {
  std::string out = RenderText(BuildReport({testing::Named("db9:3306")}), false);
  EXPECT_NE(out.find("== Findings: 0"), std::string::npos);
  EXPECT_NE(out.find("none: lockdiag has seen no locking mistake"), std::string::npos);
}

TEST(JsonRenderer, DocumentedTopLevelKeysAndValues) {
  auto doc = nlohmann::json::parse(RenderJson(Both()));
  EXPECT_EQ(doc["schema_version"], 1);
  for (const char* k : {"tool", "servers", "summary", "findings", "busiest_tables", "conflicted_tables",
                        "encoding", "connections", "lock_order"})
    EXPECT_TRUE(doc.contains(k)) << k;
  EXPECT_EQ(doc["summary"]["by_severity"]["HIGH"], 4);
  const auto& f = doc["findings"][0];
  EXPECT_EQ(f["pattern"], "UNLOCKED_READ_MODIFY_WRITE");
  EXPECT_TRUE(f["pattern_id"].is_null() || !f.contains("pattern_id"));
  EXPECT_EQ(f["seen_on"][1]["pattern_id"], 3);
  EXPECT_EQ(f["incidents"][0]["error_name"], "ER_DUP_ENTRY");
  EXPECT_TRUE(doc["connections"][0]["refused"].get<bool>());
  EXPECT_TRUE(doc["connections"][0]["current"].is_null());
  EXPECT_EQ(doc["findings"][2]["cross_server"], true);
}

TEST(DotRenderer, RedForInversionsAndCyclesOnly) {
  std::string dot = RenderDot(Both());
  EXPECT_NE(dot.find("\"poetry.poems\" -> \"poetry.stats\" [label=\"45 (db1:3306: 45)\", weight=45"),
            std::string::npos)
      << dot;
  auto line_of = [&](const std::string& edge) {
    size_t at = dot.find(edge);
    return at == std::string::npos ? std::string() : dot.substr(at, dot.find('\n', at) - at);
  };
  EXPECT_NE(line_of("\"shop.c\" -> \"shop.a\"").find("color=red"), std::string::npos);
  EXPECT_NE(line_of("\"shop.customers\" -> \"shop.orders\"").find("color=red"), std::string::npos);
  ServerSnapshot plain = testing::Named("x");
  plain.lock_order = {{"a.x", "a.y", 1, 0, "", ""}};
  EXPECT_EQ(RenderDot(BuildReport({plain})).find("color=red"), std::string::npos);
  EXPECT_EQ(DotQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
}

TEST(HtmlRenderer, InlineSvgWithoutItsPrologAndEscapedText) {
  GraphPicture pic{true, "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg id=\"g\"></svg>\n", ""};
  ServerSnapshot s = testing::Db1();
  s.findings[0].evidence = "where a < ? & b > ?";
  std::string html = RenderHtml(BuildReport({s}), pic);
  EXPECT_NE(html.find("<div class=\"graph\">\n<svg id=\"g\">"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_NE(html.find("where a &lt; ? &amp; b &gt; ?"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "self-contained: no link out";
}

TEST(HtmlRenderer, SaysWhenTheGraphIsMissing) {
  GraphPicture pic{false, "", "The lock-order graph is not shown: Graphviz's dot was not found"};
  std::string html = RenderHtml(Both(), pic);
  EXPECT_NE(html.find("<p class=\"missing\" id=\"graph-missing\">The lock-order graph is not shown"),
            std::string::npos);
  EXPECT_EQ(html.find("<svg"), std::string::npos);
}

}  // namespace
}  // namespace lockdiag::report
