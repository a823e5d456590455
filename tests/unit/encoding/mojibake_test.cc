// mojibake_test.cc: the double-encoding heuristic on hand-picked cases
// (the corpus-wide figures are in mojibake_corpus_test.cc).
#include "core/encoding/mojibake.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace encoding {
namespace {

MojibakeResult Detect(const char* cs, std::string_view s) {
  return DetectDoubleEncoding(LookupCharset(cs), s);
}

TEST(Mojibake, CaseALatin1ClientSendsUtf8) {
  MojibakeResult r = Detect("latin1", "Po\xC3\xA8me");  // Poème in UTF-8
  EXPECT_TRUE(r.suspected);
  EXPECT_EQ(r.kind, MojibakeKind::kUtf8SentAsSingleByte);
  EXPECT_EQ(r.evidence_pos, 2u);
  EXPECT_EQ(r.evidence_len, 2u);
  EXPECT_TRUE(Detect("cp1251", "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82").suspected);  // привет
  EXPECT_TRUE(Detect("latin1", "\xF0\x9F\x98\x80").suspected);                                  // emoji
  EXPECT_TRUE(Detect("latin2", "\xE6\x97\xA5\xE6\x9C\xAC").suspected);                          // 日本
}

// Found by tests/fuzz/mojibake_fuzz.cc: evidence made only of unlikely
// characters (archaic Cyrillic, plausibility 0.2 each) reached kMinEvidence,
// but the evidence position was kept only for plausible ones: the finding
// pointed at no byte (evidence_len 0, a SAMPLE of "pos 0: ").
TEST(Mojibake, EvidenceOfUnlikelyCharactersStillPointsAtThem) {
  const MojibakeResult r = Detect("cp1251", "ab\xD1\xAA\xD1\xAA\xD1\xB8\xD1\xB8\xD1\xAA");  // U+046A U+0478
  ASSERT_TRUE(r.suspected);
  EXPECT_EQ(r.evidence_pos, 2u);
  EXPECT_EQ(r.evidence_len, 2u);
}

TEST(Mojibake, CaseANativeSingleByteTextIsClean) {
  EXPECT_FALSE(Detect("latin1", "Po\xE8me").suspected);  // Poème in latin1
  EXPECT_FALSE(Detect("latin1",
                      "Gr\xFC\xDF"
                      "e aus K\xF6ln")
                   .suspected);
  EXPECT_FALSE(Detect("cp1251", "\xCF\xF0\xE8\xE2\xE5\xF2").suspected);  // Привет in cp1251
  EXPECT_FALSE(Detect("cp1251", "\xC2\xD1\xA8").suspected);              // ВСЁ
  EXPECT_FALSE(Detect("latin1", "\xC3").suspected);                      // Ã alone
  EXPECT_FALSE(Detect("latin1", "S\xC3O PAULO").suspected);
  EXPECT_FALSE(Detect("latin1", "plain").suspected);
}

TEST(Mojibake, CaseAEastAsianClientNeedsMoreEvidence) {
  // UTF-8 日本語 sent on an sjis connection: three 3-byte sequences.
  MojibakeResult r = Detect("sjis", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E");
  EXPECT_TRUE(r.suspected);
  EXPECT_EQ(r.kind, MojibakeKind::kUtf8SentAsEastAsian);
  EXPECT_FALSE(Detect("sjis", "\x93\xFA\x96\x7B\x8C\xEA").suspected);  // 日本語 in sjis
  EXPECT_FALSE(Detect("gbk", "\xD6\xD0\xCE\xC4").suspected);           // 中文 in gbk
}

TEST(Mojibake, CaseBUtf8ClientSendsMojibake) {
  MojibakeResult r = Detect("utf8mb4", "Po\xC3\x83\xC2\xA8me");  // PoÃ¨me
  EXPECT_TRUE(r.suspected);
  EXPECT_EQ(r.kind, MojibakeKind::kAlreadyDoubleEncoded);
  EXPECT_EQ(r.via, CharsetId::kLatin1);
  EXPECT_EQ(r.evidence_pos, 2u);
  EXPECT_EQ(r.evidence_len, 4u);
  EXPECT_TRUE(Detect("utf8mb4", "don\xC3\xA2\xE2\x82\xAC\xE2\x84\xA2t").suspected);  // donâ€™t
  // Ð¿Ñ€Ð¸ (при via latin1) and РїСЂРё (via cp1251).
  EXPECT_TRUE(Detect("utf8mb4", "\xC3\x90\xC2\xBF\xC3\x91\xE2\x82\xAC\xC3\x90\xC2\xB8").suspected);
  MojibakeResult c = Detect("utf8mb4", "\xD0\xA0\xD1\x97\xD0\xA1\xD0\x82\xD0\xA0\xD1\x91");
  EXPECT_TRUE(c.suspected);
  EXPECT_EQ(c.via, CharsetId::kCp1251);
  // ISO-8859-1 reading (C1 controls): Ã© with U+0080-style bytes.
  EXPECT_TRUE(Detect("utf8mb4", "caf\xC3\x83\xC2\xA9").suspected);
}

TEST(Mojibake, CleanUnusualUtf8IsNotFlagged) {
  const char* clean[] = {
      "Zo\xC3\xAB Salda\xC3\xB1"
      "a",                                               // Zoë Saldaña
      "\xC5\x81ukasz \xC5\xBB\xC3\xB3\xC5\x82\xC4\x87",  // Łukasz Żółć
      "\xD0\x9F\xD1\x91\xD1\x82\xD1\x80",                // Пётр
      "\xE6\x9D\xB1\xE4\xBA\xAC\xE9\x83\xBD",            // 東京都
      "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD",                // 👍🏽
      "\xE2\x88\x80x\xE2\x88\x88\xE2\x84\x9D: x\xC2\xB2\xE2\x89\xA5"
      "0",                 // ∀x∈ℝ: x²≥0
      "S\xC3\x83O PAULO",  // SÃO PAULO
      "\xC3\x83",          // Ã
      "C\xE2\x80\x99"
      "est l\xE2\x80\x99\xC3\xA9t\xC3\xA9",  // C’est l’été
  };
  for (const char* s : clean) EXPECT_FALSE(Detect("utf8mb4", s).suspected) << s;
}

TEST(Mojibake, NotApplicable) {
  EXPECT_FALSE(Detect("binary", "\xC3\xA9").suspected);
  EXPECT_FALSE(Detect("unknown", "\xC3\xA9").suspected);
  EXPECT_FALSE(Detect("utf8mb4", "\xC3").suspected);  // invalid UTF-8: INVALID_CLIENT_BYTES's business
  EXPECT_FALSE(Detect("utf8mb4", "").suspected);
}

TEST(Mojibake, Plausibility) {
  EXPECT_EQ(CodePointPlausibility(0xE9), 1.0);
  EXPECT_EQ(CodePointPlausibility(0x85), 0.0);
  EXPECT_EQ(CodePointPlausibility(0x43F), 1.0);
  EXPECT_LT(CodePointPlausibility(0x468), 0.5);
  EXPECT_EQ(CodePointPlausibility(0x1F600), 1.0);
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
