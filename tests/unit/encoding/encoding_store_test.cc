// encoding_store_test.cc: aggregation, bounds and drops, reset, snapshots,
// and concurrent use.
#include "core/encoding/encoding_store.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace lockdiag {
namespace encoding {
namespace {

FindingKey Key(std::string_view column, Issue issue = Issue::kSuspectedDoubleEncoding) {
  FindingKey k;
  k.user = "app";
  k.host = "10.0.0.7";
  k.client_charset = "latin1";
  k.schema = "shop";
  k.table = "poems";
  k.column = column;
  k.column_charset = "utf8mb4";
  k.issue = issue;
  return k;
}

TEST(EncodingStore, AggregatesOccurrences) {
  EncodingStore store;
  EXPECT_TRUE(store.Record(Key("title"), "pos 2: C3 A8", "insert into poems values (?)", 100, 1));
  EXPECT_TRUE(store.Record(Key("title"), "pos 9: C3 A9", "other digest", 300, 2));
  EXPECT_TRUE(store.Record(Key("title"), "", "", 200, 3));
  EXPECT_TRUE(store.Record(Key("body"), "pos 0: C3 A9", "d", 150, 1));
  EXPECT_TRUE(store.Record(Key("title", Issue::kCharsetMismatch), "", "d", 150, 1));
  std::vector<EncodingRow> rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 3u);
  const EncodingRow* title = nullptr;
  for (const EncodingRow& r : rows) {
    if (r.column == "title" && r.issue == Issue::kSuspectedDoubleEncoding) title = &r;
  }
  ASSERT_NE(title, nullptr);
  EXPECT_EQ(title->occurrences, 3u);
  EXPECT_EQ(title->first_seen, 100);
  EXPECT_EQ(title->last_seen, 300);
  EXPECT_EQ(title->sample, "pos 2: C3 A8");  // the first sample stays
  EXPECT_EQ(title->statement_digest, "insert into poems values (?)");
  EXPECT_EQ(title->user, "app");
  EXPECT_EQ(title->client_charset, "latin1");
  EXPECT_EQ(title->column_charset, "utf8mb4");
  EncodingStoreStatus s = store.Status();
  EXPECT_EQ(s.findings, 5u);
  EXPECT_EQ(s.rows, 3u);
  EXPECT_GT(s.memory_bytes, 0u);
}

TEST(EncodingStore, NullColumnIsItsOwnRow) {
  EncodingStore store;
  FindingKey null_column = Key("");
  null_column.column_is_null = true;
  store.Record(null_column, "", "", 1, 1);
  store.Record(Key(""), "", "", 1, 1);  // empty name, not NULL
  std::vector<EncodingRow> rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_NE(rows[0].column_is_null, rows[1].column_is_null);
}

TEST(EncodingStore, LongFieldsAreCut) {
  EncodingStore store;
  std::string long_name(1000, 'n');
  std::string long_sample(1000, 's');
  std::string long_digest(5000, 'd');
  FindingKey k = Key(long_name);
  store.Record(k, long_sample, long_digest, 1, 1);
  store.Record(k, long_sample, long_digest, 2, 1);  // same (cut) key: same row
  std::vector<EncodingRow> rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].occurrences, 2u);
  EXPECT_EQ(rows[0].column.size(), kMaxNameBytes);
  EXPECT_EQ(rows[0].sample.size(), kMaxSampleChars);
  EXPECT_EQ(rows[0].statement_digest.size(), kMaxDigestChars);
}

TEST(EncodingStore, RowBoundDropsNewRowsOnly) {
  EncodingStore store;
  store.SetMaxRows(3);
  for (int i = 0; i < 10; i++) store.Record(Key("c" + std::to_string(i)), "", "", i, 1);
  EXPECT_TRUE(store.Record(Key("c0"), "", "", 50, 1));  // an existing row still counts
  EncodingStoreStatus s = store.Status();
  EXPECT_EQ(s.rows, 3u);
  EXPECT_EQ(s.dropped, 7u);
  EXPECT_EQ(s.findings, 11u);
  EXPECT_EQ(store.Snapshot().size(), 3u);
}

TEST(EncodingStore, MemoryBoundDrops) {
  EncodingStore store;
  store.SetMaxMemoryBytes(2000);
  std::string digest(900, 'd');
  int kept = 0;
  for (int i = 0; i < 10; i++) kept += store.Record(Key("c" + std::to_string(i)), "", digest, i, 1);
  EncodingStoreStatus s = store.Status();
  EXPECT_GE(kept, 1);
  EXPECT_LT(kept, 10);
  EXPECT_LE(s.memory_bytes, 2000u);
  EXPECT_EQ(s.dropped, static_cast<uint64_t>(10 - kept));
}

TEST(EncodingStore, ResetForgetsEverything) {
  EncodingStore store;
  store.SetMaxRows(2);
  for (int i = 0; i < 5; i++) store.Record(Key("c" + std::to_string(i)), "x", "y", i, 1);
  store.CountBytesScanned(1234, 1);
  store.Reset();
  EncodingStoreStatus s = store.Status();
  EXPECT_EQ(s.rows, 0u);
  EXPECT_EQ(s.memory_bytes, 0u);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.findings, 0u);
  EXPECT_EQ(s.bytes_scanned, 0u);
  EXPECT_TRUE(store.Snapshot().empty());
  EXPECT_TRUE(store.Record(Key("again"), "", "", 1, 1));  // room again
}

TEST(EncodingStore, IssueNames) {
  EXPECT_STREQ(IssueName(Issue::kCharsetMismatch), "CHARSET_MISMATCH");
  EXPECT_STREQ(IssueName(Issue::kLossyConversion), "LOSSY_CONVERSION");
  EXPECT_STREQ(IssueName(Issue::kSuspectedDoubleEncoding), "SUSPECTED_DOUBLE_ENCODING");
  EXPECT_STREQ(IssueName(Issue::kInvalidClientBytes), "INVALID_CLIENT_BYTES");
  EXPECT_STREQ(IssueName(Issue::kCollationConflict), "COLLATION_CONFLICT");
}

TEST(EncodingStore, ConcurrentWritersReadersAndResets) {
  EncodingStore store;
  store.SetMaxRows(500);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; t++) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kPerThread; i++) {
        // 64 shared keys (contention) and a stream of new ones (bounds).
        std::string column =
            (i % 4 == 0) ? "t" + std::to_string(t) + "_" + std::to_string(i) : "k" + std::to_string(i % 64);
        store.Record(Key(column), "pos 0: C3", "d", i, t);
        store.CountBytesScanned(10, t);
      }
    });
  }
  std::thread reader([&store] {
    for (int i = 0; i < 50; i++) {
      std::vector<EncodingRow> rows = store.Snapshot();
      EXPECT_LE(rows.size(), 500u);
    }
  });
  for (std::thread& th : threads) th.join();
  reader.join();
  EncodingStoreStatus s = store.Status();
  EXPECT_EQ(s.findings, static_cast<uint64_t>(kThreads) * kPerThread);
  EXPECT_EQ(s.bytes_scanned, static_cast<uint64_t>(kThreads) * kPerThread * 10);
  EXPECT_LE(s.rows, 500u);
  uint64_t occurrences = 0;
  for (const EncodingRow& r : store.Snapshot()) occurrences += r.occurrences;
  EXPECT_EQ(occurrences + s.dropped, s.findings);  // every finding is counted once: in a row or as a drop
  EXPECT_EQ(store.Snapshot().size(), s.rows);

  // Resets racing with writers leave a consistent store.
  std::thread writer([&store] {
    for (int i = 0; i < 20000; i++) store.Record(Key("k" + std::to_string(i % 700)), "", "", i, 1);
  });
  for (int i = 0; i < 20; i++) store.Reset();
  writer.join();
  EXPECT_EQ(store.Snapshot().size(), store.Status().rows);
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
