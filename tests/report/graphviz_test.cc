// The DOT output through the real Graphviz: it must render. Graphviz is a
// test dependency (scripts/install-deps.sh), so a missing dot fails here.
#include "graphviz.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "dot_renderer.h"
#include "fixture.h"
#include "merge.h"

namespace lockdiag::report {
namespace {

TEST(Graphviz, DotRendersTheMergedGraph) {
  GraphPicture pic = RenderSvg(RenderDot(BuildReport(testing::BothServers())));
  ASSERT_TRUE(pic.rendered) << pic.missing;
  EXPECT_NE(pic.svg.find("<svg"), std::string::npos);
  EXPECT_NE(pic.svg.find("poetry.poems"), std::string::npos);
  EXPECT_NE(pic.svg.find("stroke=\"red\""), std::string::npos);
}

TEST(Graphviz, BrokenSourceIsReportedNotRendered) {
  GraphPicture pic = RenderSvg("digraph { a -> }");
  EXPECT_FALSE(pic.rendered);
  EXPECT_NE(pic.missing.find("dot failed"), std::string::npos);
}

TEST(Graphviz, MissingDotSaysSo) {
  std::string old = std::getenv("PATH") ? std::getenv("PATH") : "";
  setenv("PATH", "/nonexistent", 1);
  GraphPicture pic = RenderSvg("digraph { a -> b }");
  setenv("PATH", old.c_str(), 1);
  EXPECT_FALSE(pic.rendered);
  EXPECT_NE(pic.missing.find("install the Debian package graphviz"), std::string::npos);
}

}  // namespace
}  // namespace lockdiag::report
