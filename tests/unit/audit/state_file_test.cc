#include "core/audit/state_file.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <vector>

#include "filled_stores.h"
#include "core/common/clock.h"
#include "core/lock/lock_errors.h"

namespace lockdiag {
namespace {

using testing::Client;
using testing::FillEveryStore;
using testing::StoreRows;
using testing::Stores;
using testing::StoresEmpty;

// Seal: a file whose payload is `payload`, with a correct header and
// checksum (for payloads a bit flip made that the checksum would catch).
std::string Seal(const std::string& file, const std::string& payload) {
  std::string out = file.substr(0, 28) + payload;
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size()));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
  return out;
}

TEST(StateFile, EveryStoreSurvivesARoundTrip) {
  Stores before;
  FillEveryStore(&before);
  const std::vector<std::string> rows = StoreRows(&before);
  // Every kind of row is there, so the comparison covers every store.
  for (const char* kind : {"table|", "order|", "pattern|", "incident|", "encoding|", "connection|"}) {
    EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [&](const std::string& r) {
      return r.rfind(kind, 0) == 0;
    })) << kind;
  }
  const std::string file = EncodeState(before.view(), 123456789, "0.1");

  Stores after;
  const StateLoad load = DecodeState(file, after.view());
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_EQ(load.saved_at, 123456789);
  EXPECT_EQ(load.saved_by, "0.1");
  EXPECT_EQ(load.dropped, 0u);
  EXPECT_EQ(StoreRows(&after), rows);
  // The connections' peak and refusals came back; nobody is connected now.
  EXPECT_EQ(after.connections.Status().peak, before.connections.Status().peak);
  EXPECT_EQ(after.connections.Status().refused, 2u);
  EXPECT_EQ(after.connections.Status().current, 0u);
  // Saving what was loaded gives the same file (but for the time).
  EXPECT_EQ(EncodeState(after.view(), 123456789, "0.1"), file);
}

TEST(StateFile, LoadedStoresGoOnCountingAndIdsGoOn) {
  Stores before;
  FillEveryStore(&before);
  const std::vector<PatternRow> patterns = before.analyzer.SnapshotPatterns();
  const std::vector<IncidentRow> incidents = before.analyzer.SnapshotIncidents();
  ASSERT_FALSE(patterns.empty());
  ASSERT_FALSE(incidents.empty());
  // A reset before saving forgets the rows but not the ids.
  Stores after;
  ASSERT_TRUE(DecodeState(EncodeState(before.view(), 1, "0.1"), after.view()).ok);
  after.analyzer.Reset();  // lockdiag_reset
  after.encoding.Reset();
  after.connections.Clear();
  Stores restarted;
  ASSERT_TRUE(DecodeState(EncodeState(after.view(), 2, "0.1"), restarted.view()).ok);
  EXPECT_TRUE(StoresEmpty(&restarted));

  // The loaded inversion is the same finding: one more ABBA adds no row.
  Stores s;
  ASSERT_TRUE(DecodeState(EncodeState(before.view(), 1, "0.1"), s.view()).ok);
  Client c(&s.analyzer, 7);
  c.Begin();
  c.Run("UPDATE shop.stock SET n = 2 WHERE id = 1", {{"shop.stock", AccessKind::kWrite, {{"id", "1"}}}});
  c.Run("UPDATE shop.orders SET n = 2 WHERE id = 1", {{"shop.orders", AccessKind::kWrite, {{"id", "1"}}}});
  c.Commit();
  EXPECT_EQ(s.analyzer.SnapshotPatterns().size(), patterns.size());
  // A new finding and a new incident take ids after the saved ones, even
  // after the reset above.
  uint64_t max_pattern = 0, max_incident = 0;
  for (const PatternRow& p : patterns) max_pattern = std::max(max_pattern, p.id);
  for (const IncidentRow& i : incidents) max_incident = std::max(max_incident, i.id);
  s.analyzer.ReportConnectionLimit("max_user_connections", 1203, "", 5000);
  c.Run("INSERT INTO shop.t VALUES (1)", {{"shop.t", AccessKind::kWrite, {{"id", "1"}}}}, kErrDupEntry);
  const std::vector<PatternRow> now = s.analyzer.SnapshotPatterns();
  const std::vector<IncidentRow> now_incidents = s.analyzer.SnapshotIncidents();
  EXPECT_GT(now.back().id, max_pattern);
  EXPECT_GT(now_incidents.back().id, max_incident);

  Stores restarted_twice;
  ASSERT_TRUE(DecodeState(EncodeState(restarted.view(), 3, "0.1"), restarted_twice.view()).ok);
  restarted_twice.analyzer.ReportConnectionLimit("max_user_connections", 1203, "", 5000);
  EXPECT_GT(restarted_twice.analyzer.SnapshotPatterns().back().id, max_pattern);
}

// A save while running reserves ids: after a crash the next run's ids
// start past anything the crashed run may have handed out since.
TEST(StateFile, ASaveWhileRunningReservesIdsForACrash) {
  Stores before;
  FillEveryStore(&before);
  uint64_t max_incident = 0;
  for (const IncidentRow& i : before.analyzer.SnapshotIncidents())
    max_incident = std::max(max_incident, i.id);
  const std::string interim = EncodeState(before.view(), 1, "0.1", SaveKind::kWhileRunning);
  Stores crashed;
  ASSERT_TRUE(DecodeState(interim, crashed.view()).ok);
  Client c(&crashed.analyzer, 9);
  c.Run("INSERT INTO shop.t VALUES (1)", {{"shop.t", AccessKind::kWrite, {{"id", "1"}}}}, kErrDupEntry);
  EXPECT_EQ(crashed.analyzer.SnapshotIncidents().back().id, max_incident + 1 + kIdsReservedWhileRunning);
}

TEST(StateFile, LoadKeepsTheCurrentBoundsAndCountsWhatItDrops) {
  Stores before;
  FillEveryStore(&before);
  const std::string file = EncodeState(before.view(), 1, "0.1");
  Stores small;
  small.config.max_tables.store(1);
  small.config.history_size.store(0);
  const StateLoad load = DecodeState(file, small.view());
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_GT(load.dropped, 0u);
  EXPECT_EQ(small.analyzer.SnapshotTables().size(), 1u);
  EXPECT_TRUE(small.analyzer.SnapshotIncidents().empty());
  EXPECT_EQ(small.analyzer.Status().dropped_events, load.dropped);
}

// Every truncation and every flipped bit is refused, with nothing loaded.
TEST(StateFile, TruncatedOrFlippedFilesAreRefusedWholly) {
  Stores before;
  FillEveryStore(&before);
  const std::string file = EncodeState(before.view(), 1, "0.1");
  for (size_t n = 0; n < file.size(); ++n) {
    Stores s;
    const StateLoad load = DecodeState(file.substr(0, n), s.view());
    ASSERT_FALSE(load.ok) << "truncated to " << n;
    ASSERT_TRUE(StoresEmpty(&s));
  }
  for (size_t i = 0; i < file.size(); ++i) {
    for (int bit : {0, 7}) {
      std::string bad = file;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      Stores s;
      const StateLoad load = DecodeState(bad, s.view());
      ASSERT_FALSE(load.ok) << "byte " << i << " bit " << bit;
      ASSERT_FALSE(load.error.empty());
      ASSERT_TRUE(StoresEmpty(&s));
    }
  }
}

// A payload damaged behind a correct checksum (a bug, or a file written by
// something else) loads whole or not at all, and never crashes.
TEST(StateFile, DamagedPayloadsBehindAGoodChecksumNeverHalfLoad) {
  Stores before;
  FillEveryStore(&before);
  const std::string file = EncodeState(before.view(), 1, "0.1");
  const std::string payload = file.substr(28, file.size() - 32);
  size_t refused = 0;
  for (size_t i = 0; i < payload.size(); ++i) {
    for (uint8_t v : {uint8_t{0x00}, uint8_t{0xFF}, uint8_t{0x80}}) {
      std::string bad = payload;
      if (static_cast<uint8_t>(bad[i]) == v) continue;
      bad[i] = static_cast<char>(v);
      Stores s;
      const StateLoad load = DecodeState(Seal(file, bad), s.view());
      if (!load.ok) {
        ++refused;
        ASSERT_TRUE(StoresEmpty(&s)) << "byte " << i;
      }
    }
  }
  EXPECT_GT(refused, payload.size());  // most damage is caught by the structure
}

TEST(StateFile, OtherVersionsAndOtherFilesAreRefusedWithTheReason) {
  Stores before;
  FillEveryStore(&before);
  std::string file = EncodeState(before.view(), 1, "0.1");
  std::string v2 = file;
  v2[16] = 2;
  Stores s;
  StateLoad load = DecodeState(Seal(v2, file.substr(28, file.size() - 32)), s.view());
  EXPECT_FALSE(load.ok);
  EXPECT_NE(load.error.find("version 2"), std::string::npos) << load.error;
  load = DecodeState("{\"type\": \"not a state file\"}\n", s.view());
  EXPECT_FALSE(load.ok);
  EXPECT_EQ(load.error, "not a lockdiag state file");
  load = DecodeState("", s.view());
  EXPECT_FALSE(load.ok);
}

// A section of a later lockdiag is skipped; the known ones load.
TEST(StateFile, UnknownSectionsAreSkipped) {
  Stores before;
  FillEveryStore(&before);
  const std::string file = EncodeState(before.view(), 1, "0.1");
  std::string payload = file.substr(28, file.size() - 32);
  payload += std::string("\x63\x03xyz", 5);  // tag 99, 3 bytes
  std::string sealed = Seal(file, payload);
  // The header's length field covers the longer payload.
  const uint64_t length = payload.size();
  for (int i = 0; i < 8; ++i) sealed[20 + i] = static_cast<char>((length >> (8 * i)) & 0xFF);
  sealed = Seal(sealed, payload);
  Stores after;
  const StateLoad load = DecodeState(sealed, after.view());
  ASSERT_TRUE(load.ok) << load.error;
  EXPECT_EQ(StoreRows(&after), StoreRows(&before));
}

}  // namespace
}  // namespace lockdiag
