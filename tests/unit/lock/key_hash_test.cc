#include "core/lock/key_hash.h"

#include <gtest/gtest.h>

#include <set>

namespace lockdiag {
namespace {

TEST(KeyHash, ColumnIsCaseInsensitiveValueIsNot) {
  EXPECT_EQ(KeyHash("Email", "a@b.c"), KeyHash("EMAIL", "a@b.c"));
  EXPECT_NE(KeyHash("email", "A@b.c"), KeyHash("email", "a@b.c"));
}

TEST(KeyHash, ColumnAndValueAreSeparated) {
  EXPECT_NE(KeyHash("ab", "c"), KeyHash("a", "bc"));
  EXPECT_NE(KeyHash("id", "1"), KeyHash("k", "1"));
  EXPECT_NE(KeyHash("id", ""), KeyHash("id", std::string_view("\0", 1)));
}

TEST(KeyHash, SpreadsSequentialIds) {
  std::set<uint64_t> seen, low_bits;
  for (int i = 0; i < 10000; ++i) {
    uint64_t h = KeyHash("id", std::to_string(i));
    seen.insert(h);
    low_bits.insert(h & 0xffff);
  }
  EXPECT_EQ(seen.size(), 10000u);
  EXPECT_GT(low_bits.size(), 8000u) << "low bits are well mixed";
}

}  // namespace
}  // namespace lockdiag
