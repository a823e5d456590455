#include "core/common/server_version.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace {

TEST(ServerVersionNumber, ReadsTheLeadingNumbers) {
  EXPECT_EQ(ServerVersionNumber("10.11.18-MariaDB-0+deb12u1-log"), "10.11.18");
  EXPECT_EQ(ServerVersionNumber("10.11.18-MariaDB"), "10.11.18");
  EXPECT_EQ(ServerVersionNumber("10.11.18"), "10.11.18");
}

TEST(ServerVersionNumber, UnreadableIsEmpty) {
  EXPECT_EQ(ServerVersionNumber(""), "");
  EXPECT_EQ(ServerVersionNumber("MariaDB"), "");
  EXPECT_EQ(ServerVersionNumber("10.11"), "");
  EXPECT_EQ(ServerVersionNumber("10.11.-MariaDB"), "");
  EXPECT_EQ(ServerVersionNumber("10..18"), "");
  EXPECT_EQ(ServerVersionNumber("10.11.18.1-MariaDB"), "");
}

TEST(SameServerVersion, SuffixesDoNotMatter) {
  EXPECT_TRUE(SameServerVersion("10.11.18-MariaDB", "10.11.18-MariaDB-0+deb12u1-log"));
  EXPECT_TRUE(SameServerVersion("10.11.18-MariaDB", "10.11.18-MariaDB-debug"));
}

TEST(SameServerVersion, AnyOtherNumberIsRefused) {
  EXPECT_FALSE(SameServerVersion("10.11.18-MariaDB", "10.11.19-MariaDB-0+deb12u1"));
  EXPECT_FALSE(SameServerVersion("10.11.18-MariaDB", "10.11.180-MariaDB"));
  EXPECT_FALSE(SameServerVersion("10.11.18-MariaDB", "10.11.1-MariaDB"));
  EXPECT_FALSE(SameServerVersion("10.11.18-MariaDB", "11.11.18-MariaDB"));
  EXPECT_FALSE(SameServerVersion("10.11.18-MariaDB", "10.1.118-MariaDB"));
}

TEST(SameServerVersion, UnreadableNeverMatches) {
  EXPECT_FALSE(SameServerVersion("", ""));
  EXPECT_FALSE(SameServerVersion("MariaDB", "MariaDB"));
  EXPECT_FALSE(SameServerVersion("10.11.18-MariaDB", ""));
}

}  // namespace
}  // namespace lockdiag
