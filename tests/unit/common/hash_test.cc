#include "core/common/hash.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace lockdiag {
namespace {

TEST(Hash, Fnv1aMatchesTheReferenceValues) {
  // From the FNV reference test suite (64-bit FNV-1a).
  EXPECT_EQ(Fnv1a(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(Fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a("foobar"), 0x85944171f73967e8ull);
  // Continuing from a seed is hashing the concatenation.
  EXPECT_EQ(Fnv1a("bar", Fnv1a("foo")), Fnv1a("foobar"));
}

TEST(Hash, FieldHasherSeparatesFields) {
  FieldHasher ab_c, a_bc;
  ab_c.Field("ab");
  ab_c.Field("c");
  a_bc.Field("a");
  a_bc.Field("bc");
  EXPECT_NE(ab_c.value(), a_bc.value());
}

TEST(Hash, FieldLowerFoldsAsciiOnly) {
  FieldHasher upper, lower, other;
  upper.FieldLower("Slug");
  lower.FieldLower("slug");
  other.FieldLower("slug\xC3\x89");
  EXPECT_EQ(upper.value(), lower.value());
  EXPECT_NE(lower.value(), other.value());
}

TEST(Hash, HashCombineIsOrdered) {
  EXPECT_NE(HashCombine(1, 2), HashCombine(2, 1));
  EXPECT_EQ(HashCombine(1, 2), HashCombine(1, 2));
}

TEST(Hash, HashWordsSeesEveryByteAndTheLength) {
  std::set<uint64_t> seen;
  std::string s(40, 'x');
  for (size_t i = 0; i < s.size(); ++i) {
    std::string t = s;
    t[i] = 'y';
    EXPECT_TRUE(seen.insert(HashWords(t)).second) << "byte " << i;
  }
  // A zero byte at the end changes the length, not the words.
  EXPECT_NE(HashWords(std::string("ab")), HashWords(std::string("ab\0", 3)));
}

TEST(Hash, Fmix64SpreadsLowBits) {
  // Consecutive inputs land in different shards of 16.
  std::set<uint64_t> shards;
  for (uint64_t i = 0; i < 64; ++i) shards.insert(Fmix64(i << 8) % 16);
  EXPECT_EQ(shards.size(), 16u);
}

}  // namespace
}  // namespace lockdiag
