// sample_test.cc: redaction of SAMPLE: hex only, never more than
// kMaxSampleDataBytes bytes of a value, whatever the finding.
#include "core/encoding/sample.h"

#include <gtest/gtest.h>

#include <string>

#include "core/encoding/encoding_checker.h"
#include "core/encoding/encoding_store.h"

namespace lockdiag {
namespace encoding {
namespace {

TEST(Sample, Format) {
  SampleBuffer b;
  FormatSample(2, "\xC3\xA8", &b);
  EXPECT_EQ(b.view(), "pos 2: C3 A8");
  FormatSample(123456789, std::string(40, 'A'), &b);
  EXPECT_EQ(b.view(), "pos 123456789: 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 ...");
  FormatSample(0, "", &b);
  EXPECT_EQ(b.view(), "pos 0: ");
}

// Counts how many bytes of `secret` leak into `text` as hex pairs or as text.
size_t LeakedBytes(const std::string& text) {
  size_t hex_pairs = 0;
  for (size_t i = 0; i + 1 < text.size(); i++) {
    auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); };
    if (is_hex(text[i]) && is_hex(text[i + 1]) && (i + 2 == text.size() || text[i + 2] == ' ') &&
        (i == 0 || text[i - 1] == ' ')) {
      hex_pairs++;
    }
  }
  return hex_pairs;
}

TEST(Sample, NoFindingLeaksMoreThanTheLimit) {
  EncodingStore store;
  EncodingChecker checker(&store);
  // Long values full of evidence: every issue kind that carries a sample.
  std::string mojibake;
  for (int i = 0; i < 200; i++) mojibake += "\xC3\x83\xC2\xA9";  // Ã© repeated
  std::string utf8_for_latin1;
  for (int i = 0; i < 200; i++) utf8_for_latin1 += "secret \xC3\xA9 ";
  std::string invalid = "secret-text-that-must-not-appear" + std::string(100, '\xFF');
  WrittenValue values[] = {{"db", "t", "a", "utf8mb4", mojibake}, {"db", "t", "b", "utf8mb4", invalid}};
  WriteContext ctx;
  ctx.user = "u";
  ctx.host = "h";
  ctx.client_charset = "utf8mb4";
  ctx.values = values;
  ctx.value_count = 2;
  checker.CheckWrite(ctx);
  WrittenValue latin[] = {{"db", "t", "c", "utf8mb4", utf8_for_latin1}};
  ctx.client_charset = "latin1";
  ctx.values = latin;
  ctx.value_count = 1;
  checker.CheckWrite(ctx);
  std::string msg =
      "Incorrect string value: '" + std::string(200, 'x') + "' for column `db`.`t`.`d` at row 1";
  checker.RecordServerWarning(ctx, 1366, msg);
  std::vector<EncodingRow> rows = store.Snapshot();
  ASSERT_GE(rows.size(), 4u);
  for (const EncodingRow& row : rows) {
    EXPECT_LE(LeakedBytes(row.sample), kMaxSampleDataBytes) << row.sample;
    EXPECT_LE(row.sample.size(), kMaxSampleChars);
    EXPECT_EQ(row.sample.find("secret"), std::string::npos);
    EXPECT_EQ(row.sample.find("xxxx"), std::string::npos);
  }
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
