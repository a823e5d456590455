// encoding_checker_test.cc: the adapter-facing API end to end: which rows a
// statement produces, and which it must not.
#include "core/encoding/encoding_checker.h"
#include "core/encoding/scan.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace lockdiag {
namespace encoding {
namespace {

class CheckerTest : public ::testing::Test {
 protected:
  CheckSummary Write(std::string_view client, std::vector<WrittenValue> values) {
    WriteContext ctx = Context(client);
    ctx.values = values.data();
    ctx.value_count = values.size();
    return checker_.CheckWrite(ctx);
  }
  WriteContext Context(std::string_view client) {
    WriteContext ctx;
    ctx.user = "poet";
    ctx.host = "localhost";
    ctx.client_charset = client;
    ctx.statement_digest = "insert into poems ( title ) values (?)";
    ctx.default_schema = "site";
    ctx.connection_id = 7;
    ctx.now = 1000;
    return ctx;
  }
  const EncodingRow* Find(Issue issue, std::string_view column) {
    rows_ = store_.Snapshot();
    for (const EncodingRow& r : rows_) {
      if (r.issue == issue && r.column == column) return &r;
    }
    return nullptr;
  }
  EncodingStore store_;
  EncodingChecker checker_{&store_};
  std::vector<EncodingRow> rows_;
};

TEST_F(CheckerTest, CleanTrafficRecordsNothing) {
  Write("utf8mb4", {{"site", "poems", "title", "utf8mb4", "Po\xC3\xA8me \xF0\x9F\x98\x80"},
                    {"site", "poems", "author", "utf8mb4_unicode_ci", "Zo\xC3\xAB"},
                    {"site", "poems", "body", "utf8mb4", "plain ascii"}});
  Write("latin1", {{"site", "poems", "title", "utf8mb4", "Po\xE8me"}});  // real latin1: lossless widening
  Write("latin1", {{"site", "poems", "title", "latin1", "Po\xE8me"}});
  Write("utf8mb3", {{"site", "poems", "title", "utf8mb3", "\xD0\x9F\xD1\x91\xD1\x82\xD1\x80"}});
  EXPECT_TRUE(store_.Snapshot().empty());
  EXPECT_GT(store_.Status().bytes_scanned, 0u);
}

TEST_F(CheckerTest, Latin1ClientSendingUtf8) {
  CheckSummary s = Write("latin1", {{"site", "poems", "title", "utf8mb4", "Po\xC3\xA8me"}});
  EXPECT_EQ(s.findings, 1u);
  const EncodingRow* r = Find(Issue::kSuspectedDoubleEncoding, "title");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->sample, "pos 2: C3 A8");
  EXPECT_EQ(r->client_charset, "latin1");
  EXPECT_EQ(r->column_charset, "utf8mb4");
  EXPECT_EQ(r->schema, "site");
  EXPECT_EQ(r->statement_digest, "insert into poems ( title ) values (?)");
  EXPECT_EQ(r->first_seen, 1000);
}

TEST_F(CheckerTest, Utf8mb4ClientIntoLatin1AndUtf8mb3Columns) {
  Write("utf8mb4", {{"site", "poems", "title", "latin1_swedish_ci", "ascii only"},
                    {"site", "poems", "note", "utf8mb3", "ascii"}});
  const EncodingRow* a = Find(Issue::kCharsetMismatch, "title");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->sample, "utf8mb4 -> latin1");
  EXPECT_EQ(a->column_charset, "latin1");
  ASSERT_NE(Find(Issue::kCharsetMismatch, "note"), nullptr);
}

TEST_F(CheckerTest, InvalidBytesAndDoubleEncodingFromUtf8Client) {
  Write("utf8mb4", {{"site", "poems", "title", "utf8mb4", "bad \xC3 byte"},
                    {"site", "poems", "body", "utf8mb4", "Po\xC3\x83\xC2\xA8me"}});
  const EncodingRow* inv = Find(Issue::kInvalidClientBytes, "title");
  ASSERT_NE(inv, nullptr);
  EXPECT_EQ(inv->sample, "pos 4: C3");
  const EncodingRow* dbl = Find(Issue::kSuspectedDoubleEncoding, "body");
  ASSERT_NE(dbl, nullptr);
  EXPECT_EQ(dbl->sample, "pos 2: C3 83 C2 A8");
}

TEST_F(CheckerTest, OneOccurrencePerStatementAndColumn) {
  std::vector<WrittenValue> rows;
  for (int i = 0; i < 100; i++) rows.push_back({"site", "poems", "title", "utf8mb4", "Po\xC3\xA8me"});
  Write("latin1", rows);
  Write("latin1", rows);
  const EncodingRow* r = Find(Issue::kSuspectedDoubleEncoding, "title");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->occurrences, 2u);
}

TEST_F(CheckerTest, BinaryClientIsJudgedInTheColumnCharset) {
  Write("binary",
        {{"site", "poems", "title", "utf8mb4", "\xFF\xFE"}, {"site", "poems", "blob", "binary", "\xFF"}});
  EXPECT_NE(Find(Issue::kInvalidClientBytes, "title"), nullptr);
  EXPECT_EQ(Find(Issue::kInvalidClientBytes, "blob"), nullptr);
  EXPECT_EQ(Find(Issue::kCharsetMismatch, "title"), nullptr);
}

TEST_F(CheckerTest, Cp1251ClientInvalidByte) {
  Write("cp1251", {{"site", "poems", "title", "utf8mb4", "\xCF\xF0\x98"}});
  const EncodingRow* r = Find(Issue::kInvalidClientBytes, "title");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->sample, "pos 2: 98");
}

TEST_F(CheckerTest, LossyConversionFromWarnings) {
  WrittenValue v[] = {{"site", "poems", "title", "utf8mb3", "\xF0\x9F\x98\x80"}};
  WriteContext ctx = Context("utf8mb4");
  ctx.values = v;
  ctx.value_count = 1;
  EXPECT_TRUE(checker_.RecordServerWarning(
      ctx, 1366,
      "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column `site`.`poems`.`title` at row 1"));
  const EncodingRow* r = Find(Issue::kLossyConversion, "title");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->sample, "value: F0 9F 98 80");
  EXPECT_EQ(r->column_charset, "utf8mb3");
  EXPECT_EQ(r->table, "poems");
  // Not a string value: not an encoding finding.
  EXPECT_FALSE(checker_.RecordServerWarning(ctx, 1366,
                                            "Incorrect integer value: 'x' for column `a`.`b`.`c` at row 1"));
  // 1265 counts only for a converted character column.
  EXPECT_TRUE(checker_.RecordServerWarning(ctx, 1265, "Data truncated for column 'title' at row 1"));
  EXPECT_FALSE(checker_.RecordServerWarning(ctx, 1265, "Data truncated for column 'price' at row 1"));
  // An all-ASCII value cut short is too long, not converted badly.
  WrittenValue ascii[] = {{"site", "poems", "title", "latin1", "abcdefg"}};
  WriteContext plain = Context("utf8mb4");
  plain.values = ascii;
  plain.value_count = 1;
  EXPECT_FALSE(checker_.RecordServerWarning(plain, 1265, "Data truncated for column 'title' at row 1"));
  EXPECT_FALSE(checker_.RecordServerWarning(plain, 1406, "Data too long for column 'title' at row 1"));
  WriteContext same = Context("utf8mb3");
  same.values = v;
  same.value_count = 1;
  EXPECT_FALSE(checker_.RecordServerWarning(same, 1406, "Data too long for column 'title' at row 1"));
  // 1300 names the charset; no column.
  EXPECT_TRUE(checker_.RecordServerWarning(ctx, 1300, "Invalid utf8mb4 character string: '\\xF0\\x9F'"));
  // Other codes are ignored.
  EXPECT_FALSE(checker_.RecordServerWarning(ctx, 1062, "Duplicate entry"));
}

TEST_F(CheckerTest, CollationConflict) {
  WriteContext ctx = Context("utf8mb4");
  EXPECT_TRUE(checker_.RecordServerWarning(ctx, 1267,
                                           "Illegal mix of collations (latin1_swedish_ci,IMPLICIT) and "
                                           "(utf8mb4_general_ci,COERCIBLE) for operation '='"));
  rows_ = store_.Snapshot();
  ASSERT_EQ(rows_.size(), 1u);
  EXPECT_EQ(rows_[0].issue, Issue::kCollationConflict);
  EXPECT_TRUE(rows_[0].column_is_null);
  EXPECT_EQ(rows_[0].column_charset, "latin1_swedish_ci,utf8mb4_general_ci");
  EXPECT_EQ(rows_[0].sample, "IMPLICIT vs COERCIBLE for '='");
  EXPECT_EQ(rows_[0].schema, "site");
  EXPECT_TRUE(checker_.RecordServerWarning(ctx, 1271, "Illegal mix of collations for operation 'UNION'"));
}

TEST_F(CheckerTest, DisabledDoesNothing) {
  checker_.set_enabled(false);
  Write("latin1", {{"site", "poems", "title", "utf8mb4", "Po\xC3\xA8me"}});
  EXPECT_FALSE(
      checker_.RecordServerWarning(Context("utf8mb4"), 1271, "Illegal mix of collations for operation 'x'"));
  EXPECT_TRUE(store_.Snapshot().empty());
}

TEST_F(CheckerTest, UnknownCharsetsAreHarmless) {
  Write("martian", {{"site", "poems", "title", "venusian", "\xC3\xA8\xFF"}});
  EXPECT_TRUE(store_.Snapshot().empty());
}

TEST_F(CheckerTest, ConcurrentConnections) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; t++) {
    threads.emplace_back([this, t] {
      WrittenValue v[] = {{"site", "poems", "title", "utf8mb4", "Po\xC3\xA8me"},
                          {"site", "poems", "body", "latin1", "ascii"}};
      WriteContext ctx = Context(t % 2 ? "latin1" : "utf8mb4");
      ctx.connection_id = t;
      ctx.values = v;
      ctx.value_count = 2;
      for (int i = 0; i < 5000; i++) checker_.CheckWrite(ctx);
    });
  }
  for (std::thread& th : threads) th.join();
  // latin1 clients: SUSPECTED_DOUBLE_ENCODING on title; utf8mb4 clients: CHARSET_MISMATCH on body.
  EXPECT_EQ(Find(Issue::kSuspectedDoubleEncoding, "title")->occurrences, 3u * 5000);
  EXPECT_EQ(Find(Issue::kCharsetMismatch, "body")->occurrences, 3u * 5000);
}

TEST_F(CheckerTest, AHugeValueIsCheckedUpToTheBound) {
  // 'é' in UTF-8 is two bytes: a cut at an odd offset would split one.
  std::string big;
  while (big.size() < 3 * kMaxCheckedValueBytes) big += "\xC3\xA9";
  big.insert(0, "a");  // every character boundary is now at an odd offset
  std::string early = big;
  early.insert(100, "\xFF");  // invalid, inside the bound
  std::string late = big;
  late.insert(2 * kMaxCheckedValueBytes, "\xFF");  // invalid, past it
  Write("utf8mb4", {{"site", "poems", "body", "utf8mb4", big}});
  EXPECT_TRUE(store_.Snapshot().empty()) << "no character was cut in two";
  EXPECT_LE(store_.Status().bytes_scanned, kMaxCheckedValueBytes);
  Write("utf8mb4",
        {{"site", "poems", "early", "utf8mb4", early}, {"site", "poems", "late", "utf8mb4", late}});
  EXPECT_NE(Find(Issue::kInvalidClientBytes, "early"), nullptr);
  EXPECT_EQ(Find(Issue::kInvalidClientBytes, "late"), nullptr) << "left to the server's warning 1366";
}

TEST(CheckedPrefix, CutsAtCharacterBoundaries) {
  const Charset& utf8 = LookupCharset("utf8mb4");
  const Charset& sjis = LookupCharset("sjis");
  const Charset& latin1 = LookupCharset("latin1");
  const std::string e = "\xC3\xA9\xC3\xA9\xC3\xA9";  // 3 x 'é'
  EXPECT_EQ(CheckedPrefixLength(utf8, e, 3), 2u);
  EXPECT_EQ(CheckedPrefixLength(utf8, e, 4), 4u);
  EXPECT_EQ(CheckedPrefixLength(utf8, e, 10), e.size()) << "short values are read whole";
  EXPECT_EQ(CheckedPrefixLength(latin1, e, 3), 2u)
      << "UTF-8 read as latin1 is not cut inside a sequence either";
  // Shift_JIS: 0x82 0xA0 is one character; 'a' ends one for sure.
  const std::string j =
      "\x82\xA0"
      "a"
      "\x82\xA0\x82\xA0";
  EXPECT_EQ(CheckedPrefixLength(sjis, j, 5), 3u);
  EXPECT_EQ(CheckedPrefixLength(sjis, std::string(10000, '\x82'), 8000), 10000u)
      << "no boundary known without scanning from the start: read it all";
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
