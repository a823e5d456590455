// scan_test.cc: the scanners for every supported charset, and the vector
// paths against the scalar reference.
#include "core/encoding/scan.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace lockdiag {
namespace encoding {
namespace {

ScanResult Scan(const char* cs, std::string_view s) { return ScanValue(LookupCharset(cs), s); }

TEST(AsciiPrefix, MatchesScalarAtEveryLengthAndPosition) {
  for (size_t len = 0; len < 300; len++) {
    std::string s(len, 'a');
    EXPECT_EQ(AsciiPrefixLength(s.data(), s.size()), len);
    for (size_t pos = 0; pos < len; pos += (len > 70 ? 7 : 1)) {
      std::string t = s;
      t[pos] = static_cast<char>(0x80 | pos);
      EXPECT_EQ(AsciiPrefixLength(t.data(), t.size()), pos) << len << " " << pos;
      EXPECT_EQ(AsciiPrefixLengthScalar(t.data(), t.size()), pos);
    }
  }
}

TEST(Utf8, ValidAndInvalid) {
  EXPECT_TRUE(Scan("utf8mb4", "").valid);
  EXPECT_TRUE(Scan("utf8mb4", "plain ascii").ascii);
  EXPECT_TRUE(Scan("utf8mb4", "Po\xC3\xA8me \xF0\x9F\x98\x80 \xE2\x82\xAC").valid);
  ScanResult r = Scan("utf8mb4", "ab\xC3");  // truncated
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error_pos, 2u);
  EXPECT_EQ(r.error_len, 1u);
  r = Scan("utf8mb4", "x\xE2\x82y");
  EXPECT_EQ(r.error_pos, 1u);
  EXPECT_EQ(r.error_len, 2u);
  EXPECT_FALSE(Scan("utf8mb4", "\xC0\xAF").valid);          // overlong
  EXPECT_FALSE(Scan("utf8mb4", "\xE0\x80\xAF").valid);      // overlong
  EXPECT_FALSE(Scan("utf8mb4", "\xF4\x90\x80\x80").valid);  // > U+10FFFF
  EXPECT_FALSE(Scan("utf8mb4", "\xF8\x88\x80\x80\x80").valid);
  EXPECT_FALSE(Scan("utf8mb4", "\x80").valid);
  EXPECT_TRUE(Scan("utf8mb4", "\xED\xA0\x80").valid);  // the server accepts encoded surrogates
}

TEST(Utf8, Mb3RejectsFourByteSequences) {
  ScanResult r = Scan("utf8mb3", "ok \xF0\x9F\x98\x80!");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error_pos, 3u);
  EXPECT_EQ(r.error_len, 4u);
  EXPECT_TRUE(Scan("utf8mb3", "\xE2\x82\xAC \xC3\xA9").valid);
}

// The AVX2 path against the scalar reference, on long inputs where errors
// straddle the 32-byte blocks.
TEST(Utf8, VectorPathMatchesScalar) {
  const char* pieces[] = {"a", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xD0\xBF", "\xE6\x97\xA5",
                          " "};
  const char* bad[] = {"\x80",     "\xC3", "\xE2\x82",     "\xF0\x9F\x98",
                       "\xC0\x80", "\xFF", "\xED\xBF\xBF", "\xF4\x90\x80\x80"};
  std::mt19937 rng(7);
  for (int iter = 0; iter < 20000; iter++) {
    std::string s;
    size_t target = rng() % 300;
    while (s.size() < target) s += pieces[rng() % 7];
    if (iter % 3 != 0) s.insert(rng() % (s.size() + 1), bad[rng() % 8]);
    for (bool mb4 : {true, false}) {
      ScanResult fast = ScanUtf8(s.data(), s.size(), mb4);
      ScanResult ref = ScanUtf8Scalar(s.data(), s.size(), mb4);
      ASSERT_EQ(fast.valid, ref.valid) << iter;
      if (!ref.valid) {
        ASSERT_EQ(fast.error_pos, ref.error_pos) << iter;
        ASSERT_EQ(fast.error_len, ref.error_len) << iter;
      }
    }
  }
}

TEST(SingleByte, UndefinedBytesAsTheServerDefinesThem) {
  std::string all;
  for (int b = 1; b < 256; b++) all.push_back(static_cast<char>(b));
  EXPECT_TRUE(Scan("latin1", all).valid);  // MariaDB's latin1 maps every byte
  EXPECT_TRUE(Scan("koi8r", all).valid);
  ScanResult r = Scan("cp1251", "\xCF\xF0\xE8\x98");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error_pos, 3u);
  EXPECT_FALSE(Scan("cp1250", "\x81").valid);
  EXPECT_TRUE(Scan("cp1250", "\x8A").valid);
  EXPECT_FALSE(Scan("ascii", "caf\xE9").valid);
  EXPECT_FALSE(Scan("greek", "\xD2").valid);
  EXPECT_FALSE(Scan("hebrew", "\xC0").valid);
  EXPECT_FALSE(Scan("swe7", "a\x7F").valid);
}

TEST(EastAsian, WellFormedness) {
  EXPECT_TRUE(Scan("sjis", "\x93\xFA\x96\x7B\xB1").valid);  // 日本 + half-width katakana
  EXPECT_FALSE(Scan("sjis", "\x93").valid);
  EXPECT_FALSE(Scan("sjis", "\x80").valid);
  EXPECT_TRUE(Scan("cp932", "\x87\x40").valid);
  EXPECT_TRUE(Scan("gbk", "\xD6\xD0\xCE\xC4").valid);  // 中文
  EXPECT_FALSE(Scan("gbk", "\xD6\x30").valid);
  EXPECT_FALSE(Scan("gb2312", "\x81\x40").valid);
  EXPECT_TRUE(Scan("big5", "\xA4\xA4\xA4\xE5").valid);  // 中文
  EXPECT_FALSE(Scan("big5", "\xA4\x30").valid);
  EXPECT_TRUE(Scan("euckr", "\xC7\xD1\xB1\xDB").valid);  // 한글
  EXPECT_FALSE(Scan("euckr", "\xC7\x30").valid);
  EXPECT_TRUE(Scan("ujis", "\xC6\xFC\xCB\xDC\x8E\xB1\x8F\xB0\xA1").valid);
  ScanResult r = Scan("ujis", "ab\x8F\xB0");
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error_pos, 2u);
  EXPECT_TRUE(Scan("eucjpms", "\xC6\xFC").valid);
  // UTF-8 sent to an sjis connection is often ill-formed there.
  EXPECT_FALSE(Scan("sjis", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E").valid);
}

TEST(Wide, CodeUnits) {
  EXPECT_TRUE(Scan("ucs2", std::string("\x00\x41\xD8\x00", 4)).valid);
  EXPECT_FALSE(Scan("ucs2", std::string("\x00", 1)).valid);
  EXPECT_TRUE(Scan("utf16", std::string("\xD8\x3D\xDE\x00", 4)).valid);
  EXPECT_FALSE(Scan("utf16", std::string("\xDE\x00\x00\x41", 4)).valid);
  EXPECT_TRUE(Scan("utf16le", std::string("\x3D\xD8\x00\xDE", 4)).valid);
  EXPECT_FALSE(Scan("utf32", std::string("\x00\x11\x00\x00", 4)).valid);
  EXPECT_TRUE(Scan("utf32", std::string("\x00\x01\xF6\x00", 4)).valid);
}

// Found by tests/fuzz/scan_server_diff_fuzz.cc: the server's utf32 accepts
// surrogate code points (U+D800..U+DFFF), as its utf8mb4 accepts encoded
// surrogates; the scanner refused them.
TEST(Wide, Utf32AcceptsSurrogateCodePointsLikeTheServer) {
  EXPECT_TRUE(Scan("utf32", std::string("\x00\x00\xD9\xD9", 4)).valid);
  EXPECT_TRUE(Scan("utf32", std::string("\x00\x00\xD8\x00\x00\x00\xDF\xFF", 8)).valid);
}

TEST(Scan, BinaryAndUnknownAreAlwaysValid) {
  EXPECT_TRUE(Scan("binary", "\xFF\x00\x80").valid);
  EXPECT_TRUE(Scan("no-such-charset", "\xFF").valid);
  EXPECT_NE(std::string(ScanImplementation()), "");
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
