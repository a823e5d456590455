// Snapshot tests: each format of the fixture's merged report against the
// golden file under tests/report/golden/. To refresh them after a deliberate
// change, run the tests with LOCKDIAG_UPDATE_GOLDEN=1 and review the diff
// (tests/report/README.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dot_renderer.h"
#include "fixture.h"
#include "html_renderer.h"
#include "json_renderer.h"
#include "merge.h"
#include "text_renderer.h"

namespace lockdiag::report {
namespace {

void ExpectGolden(const std::string& name, const std::string& actual) {
  std::string path = std::string(LOCKDIAG_REPORT_GOLDEN_DIR) + "/" + name;
  const char* update = std::getenv("LOCKDIAG_UPDATE_GOLDEN");
  if (update && *update) {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; LOCKDIAG_UPDATE_GOLDEN=1 writes it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(expected.str(), actual) << "differs from " << path << " (LOCKDIAG_UPDATE_GOLDEN=1 refreshes it)";
}

Report Merged() { return BuildReport(testing::BothServers()); }

// A stand-in for Graphviz's output, so the golden file does not depend on
// the installed Graphviz version (graphviz_test.cc runs the real one).
const GraphPicture kFakeSvg{true, "<?xml version=\"1.0\"?>\n<svg width=\"10pt\" height=\"10pt\"></svg>\n",
                            ""};

TEST(Golden, Text) { ExpectGolden("merged.txt", RenderText(Merged(), false)); }
TEST(Golden, TextColour) { ExpectGolden("db1.color.txt", RenderText(BuildReport({testing::Db1()}), true)); }
TEST(Golden, Json) { ExpectGolden("merged.json", RenderJson(Merged())); }
TEST(Golden, Dot) { ExpectGolden("merged.dot", RenderDot(Merged())); }
TEST(Golden, Html) { ExpectGolden("merged.html", RenderHtml(Merged(), kFakeSvg)); }
TEST(Golden, HtmlWithoutGraphviz) {
  GraphPicture none{false, "", "The lock-order graph is not shown: Graphviz's dot was not found on PATH."};
  ExpectGolden("db1.no-graphviz.html", RenderHtml(BuildReport({testing::Db1()}), none));
}

}  // namespace
}  // namespace lockdiag::report
