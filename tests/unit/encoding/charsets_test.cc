// charsets_test.cc: names, kinds and the lossy-conversion matrix.
#include "core/encoding/charsets.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace encoding {
namespace {

TEST(Charsets, LookupByNameAliasAndCollation) {
  EXPECT_EQ(LookupCharset("utf8mb4").id, CharsetId::kUtf8mb4);
  EXPECT_EQ(LookupCharset("UTF8MB4").id, CharsetId::kUtf8mb4);
  EXPECT_EQ(LookupCharset("utf8").id, CharsetId::kUtf8mb3);
  EXPECT_EQ(LookupCharset("utf8mb3").id, CharsetId::kUtf8mb3);
  EXPECT_EQ(LookupCharset("latin1_swedish_ci").id, CharsetId::kLatin1);
  EXPECT_EQ(LookupCharset("utf8mb4_unicode_520_ci").id, CharsetId::kUtf8mb4);
  EXPECT_EQ(LookupCharset("utf16le_general_ci").id, CharsetId::kUtf16le);
  EXPECT_EQ(LookupCharset("cp1252").id, CharsetId::kLatin1);
  EXPECT_EQ(LookupCharset("sjis").id, CharsetId::kSjis);
  EXPECT_EQ(LookupCharset("binary").id, CharsetId::kBinary);
}

TEST(Charsets, UnknownNamesAreHandled) {
  EXPECT_EQ(LookupCharset("").id, CharsetId::kUnknown);
  EXPECT_EQ(LookupCharset("klingon").id, CharsetId::kUnknown);
  EXPECT_EQ(LookupCharset("gb18030").id, CharsetId::kUnknown);  // not in 10.11
  EXPECT_EQ(LookupCharset("_").id, CharsetId::kUnknown);
  EXPECT_STREQ(LookupCharset("nope").name, "");
  EXPECT_FALSE(ConversionCanLose(CharsetId::kUnknown, CharsetId::kLatin1));
  EXPECT_FALSE(ConversionCanLose(CharsetId::kUtf8mb4, CharsetId::kUnknown));
  EXPECT_EQ(GetCharset(static_cast<CharsetId>(250)).id, CharsetId::kUnknown);
}

TEST(Charsets, KindsAndWidths) {
  EXPECT_FALSE(LookupCharset("latin1").multi_byte());
  EXPECT_TRUE(LookupCharset("utf8mb4").multi_byte());
  EXPECT_EQ(LookupCharset("utf8mb4").max_bytes, 4);
  EXPECT_EQ(LookupCharset("utf8mb3").max_bytes, 3);
  EXPECT_EQ(LookupCharset("ujis").max_bytes, 3);
  EXPECT_EQ(LookupCharset("cp1251").kind, CharsetKind::kSingleByte);
  EXPECT_EQ(LookupCharset("gbk").kind, CharsetKind::kEastAsian);
  EXPECT_EQ(LookupCharset("ucs2").kind, CharsetKind::kWide);
}

TEST(Charsets, MariaDbLatin1IsCp1252WithHolesFilled) {
  const Charset& latin1 = LookupCharset("latin1");
  EXPECT_EQ(latin1.to_unicode[0x80], 0x20AC);  // euro sign, as cp1252
  EXPECT_EQ(latin1.to_unicode[0x92], 0x2019);  // right single quote
  for (int b : {0x81, 0x8D, 0x8F, 0x90, 0x9D}) EXPECT_EQ(latin1.to_unicode[b], b);
  for (int b = 0; b < 256; b++) EXPECT_NE(latin1.to_unicode[b], kNoCodePoint);
  EXPECT_EQ(LookupCharset("cp1251").to_unicode[0x98], kNoCodePoint);
}

TEST(Charsets, ConversionCanLose) {
  auto lose = [](const char* a, const char* b) {
    return ConversionCanLose(LookupCharset(a).id, LookupCharset(b).id);
  };
  EXPECT_TRUE(lose("utf8mb4", "latin1"));
  EXPECT_TRUE(lose("utf8mb4", "utf8mb3"));
  EXPECT_TRUE(lose("utf8mb4", "cp1251"));
  EXPECT_TRUE(lose("utf8mb4", "ucs2"));
  EXPECT_TRUE(lose("utf8mb3", "latin1"));
  EXPECT_TRUE(lose("latin1", "cp1251"));
  EXPECT_TRUE(lose("cp1251", "latin1"));
  EXPECT_TRUE(lose("sjis", "latin1"));
  EXPECT_TRUE(lose("latin1", "sjis"));
  EXPECT_TRUE(lose("gbk", "big5"));
  EXPECT_FALSE(lose("latin1", "utf8mb4"));
  EXPECT_FALSE(lose("latin1", "utf8mb3"));
  EXPECT_FALSE(lose("cp1251", "utf8mb3"));
  EXPECT_FALSE(lose("sjis", "utf8mb3"));
  EXPECT_FALSE(lose("utf8mb3", "utf8mb4"));
  EXPECT_FALSE(lose("utf8mb4", "utf16"));
  EXPECT_FALSE(lose("utf8mb4", "utf8mb4"));
  EXPECT_FALSE(lose("ascii", "latin1"));
  EXPECT_FALSE(lose("ascii", "sjis"));
  EXPECT_FALSE(lose("koi8r", "koi8r"));
  EXPECT_FALSE(lose("utf8mb4", "binary"));
  EXPECT_FALSE(lose("binary", "latin1"));
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
