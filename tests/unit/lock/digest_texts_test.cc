// digest_texts_test.cc: texts by digest, the first text staying, the length
// cut, the bound and dropped texts, Reset giving the budget back, and
// concurrent adds.
#include "core/lock/digest_texts.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "../common/run_threads.h"

namespace lockdiag {
namespace {

TEST(DigestTexts, RemembersTheFirstTextOfADigest) {
  DigestTexts texts;
  EXPECT_TRUE(texts.Add(1, "select ?", 10));
  EXPECT_TRUE(texts.Add(1, "something else", 10)) << "known already: nothing to drop";
  EXPECT_TRUE(texts.Add(2, "update t set a = ?", 10));
  EXPECT_EQ(texts.Lookup(1), "select ?");
  EXPECT_EQ(texts.Lookup(2), "update t set a = ?");
  EXPECT_EQ(texts.Lookup(3), "");
  EXPECT_EQ(texts.count(), 2u);
  EXPECT_GT(texts.memory_bytes(), 0u);
}

TEST(DigestTexts, DigestsThatShareAShardStayApart) {
  DigestTexts texts;
  EXPECT_TRUE(texts.Add(5, "five", 10));
  EXPECT_TRUE(texts.Add(5 + DigestTexts::kShards, "five plus", 10));
  EXPECT_EQ(texts.Lookup(5), "five");
  EXPECT_EQ(texts.Lookup(5 + DigestTexts::kShards), "five plus");
}

TEST(DigestTexts, DigestZeroIsNeverStored) {
  DigestTexts texts;
  EXPECT_TRUE(texts.Add(0, "no statement", 10));
  EXPECT_EQ(texts.Lookup(0), "");
  EXPECT_EQ(texts.count(), 0u);
}

TEST(DigestTexts, CutsLongTextsAtACharacterBoundary) {
  DigestTexts texts;
  // 'a', then two-byte characters: the cut falls inside one and backs off.
  std::string text = "a";
  for (int i = 0; i < 200; ++i) text += "\xc3\xa9";
  ASSERT_TRUE(texts.Add(7, text, 10));
  const std::string kept = texts.Lookup(7);
  EXPECT_EQ(kept.size(), DigestTexts::kMaxStoredText - 1);
  EXPECT_EQ(kept, text.substr(0, kept.size()));
}

TEST(DigestTexts, NewTextsOverTheLimitAreDropped) {
  DigestTexts texts;
  ASSERT_TRUE(texts.Add(1, "one", 2));
  ASSERT_TRUE(texts.Add(2, "two", 2));
  EXPECT_FALSE(texts.Add(3, "three", 2)) << "the caller counts a dropped event";
  EXPECT_TRUE(texts.Add(1, "one", 2)) << "a known text is not dropped at the limit";
  EXPECT_EQ(texts.Lookup(3), "");
  EXPECT_EQ(texts.count(), 2u);
}

TEST(DigestTexts, ResetForgetsEverythingAndGivesTheBudgetBack) {
  DigestTexts texts;
  ASSERT_TRUE(texts.Add(1, "one", 1));
  EXPECT_FALSE(texts.Add(2, "two", 1));
  texts.Reset();
  EXPECT_EQ(texts.count(), 0u);
  EXPECT_EQ(texts.memory_bytes(), 0u);
  EXPECT_EQ(texts.Lookup(1), "");
  EXPECT_TRUE(texts.Add(2, "two", 1)) << "the room is back";
}

TEST(DigestTexts, ConcurrentAddsKeepOneTextPerDigestWithinTheBound) {
  DigestTexts texts;
  constexpr uint64_t kLimit = 300;
  std::atomic<int> refused{0};
  testing::RunThreads(4, [&](int t) {
    // Every thread adds the same 400 digests, each with its own text.
    for (uint64_t d = 1; d <= 400; ++d) {
      if (!texts.Add(d, "text " + std::to_string(d) + " from " + std::to_string(t), kLimit)) ++refused;
    }
  });
  EXPECT_EQ(texts.count(), kLimit);
  int stored = 0;
  for (uint64_t d = 1; d <= 400; ++d) {
    const std::string s = texts.Lookup(d);
    if (s.empty()) continue;
    ++stored;
    EXPECT_EQ(s.rfind("text " + std::to_string(d) + " from ", 0), 0u) << s;
  }
  EXPECT_EQ(stored, static_cast<int>(kLimit));
  EXPECT_GE(refused.load(), 100) << "every digest left out was refused at least once";
}

}  // namespace
}  // namespace lockdiag
