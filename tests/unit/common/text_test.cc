#include "core/common/text.h"

#include <gtest/gtest.h>

#include <string>

namespace lockdiag {
namespace {

TEST(Text, Utf8PrefixNeverEndsInsideACharacter) {
  const std::string s = "a\xC3\xA8\xE2\x82\xAC";  // a, è (2 bytes), € (3 bytes)
  EXPECT_EQ(Utf8Prefix(s, 10), s.size());
  EXPECT_EQ(Utf8Prefix(s, 6), 6u);
  EXPECT_EQ(Utf8Prefix(s, 5), 3u);
  EXPECT_EQ(Utf8Prefix(s, 4), 3u);
  EXPECT_EQ(Utf8Prefix(s, 2), 1u);
  EXPECT_EQ(Utf8Prefix(s, 0), 0u);
  EXPECT_EQ(Utf8Head(s, 2), "a");
}

TEST(Text, TruncateWithEllipsis) {
  std::string short_text = "abc";
  TruncateWithEllipsis(&short_text, 3);
  EXPECT_EQ(short_text, "abc");
  std::string long_text = "abcdef";
  TruncateWithEllipsis(&long_text, 5);
  EXPECT_EQ(long_text, "ab...");
  std::string utf8 = "ab\xC3\xA8xyz";
  TruncateWithEllipsis(&utf8, 6);
  EXPECT_EQ(utf8, "ab...");
}

TEST(Text, TruncateAtWordEndsAtASpace) {
  std::string text = "select id from poems where slug = ?";
  TruncateAtWord(&text, 20);
  EXPECT_EQ(text, "select id from...");
  std::string no_space = "abcdefghijklmnopqrstuvwxyz";
  TruncateAtWord(&no_space, 10);
  EXPECT_EQ(no_space, "abcdefg...") << "no space near: cut where it fits";
}

TEST(Text, EqualsIgnoreCaseFoldsAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("UTF8mb4", "utf8MB4"));
  EXPECT_FALSE(EqualsIgnoreCase("utf8", "utf8mb4"));
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\x89", "\xC3\xA9"));  // É and é: not ASCII
  EXPECT_TRUE(HasUpperAscii("slugA"));
  EXPECT_FALSE(HasUpperAscii("slug-42\xC3\x89"));
}

TEST(Text, Join) {
  EXPECT_EQ(Join({}, ","), "");
  EXPECT_EQ(Join({"a"}, ","), "a");
  EXPECT_EQ(Join({"a", "b", "c"}, ", "), "a, b, c");
}

}  // namespace
}  // namespace lockdiag
