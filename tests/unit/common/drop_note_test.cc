#include "core/common/drop_note.h"

#include <gtest/gtest.h>

namespace lockdiag {
namespace {

constexpr Timestamp kSecond = 1000000;
// 2026-12-02 00:00:00 UTC.
constexpr Timestamp kStart = Timestamp{1796169600} * kSecond;

TEST(DropNote, NothingDroppedNothingDue) {
  DropNote note("Lockdiag_dropped_events", "events");
  EXPECT_EQ(note.Due(0, kStart), "");
  EXPECT_EQ(note.Due(0, kStart + DropNote::kInterval * 3), "");
}

TEST(DropNote, TheFirstDropIsNotedAtOnce) {
  DropNote note("Lockdiag_log_dropped", "trail lines");
  EXPECT_EQ(note.Due(0, kStart), "");
  EXPECT_EQ(note.Due(3, kStart + kSecond),
            "lockdiag: a bound is full: 3 trail lines dropped (Lockdiag_log_dropped = 3); further drops are "
            "noted at most once an hour");
}

TEST(DropNote, ACounterAlreadyNonZeroAtTheFirstCallIsNoted) {
  // Drops before the housekeeper's first poll are drops all the same.
  DropNote note("Lockdiag_dropped_events", "events");
  EXPECT_NE(note.Due(7, kStart), "");
}

TEST(DropNote, LaterDropsAreNotedOncePerIntervalWithTheCountSince) {
  DropNote note("Lockdiag_dropped_events", "events");
  ASSERT_NE(note.Due(1, kStart), "");
  // Every second for just under an hour: silence, however many drops.
  for (Timestamp t = kSecond; t < DropNote::kInterval; t += 60 * kSecond)
    EXPECT_EQ(note.Due(1 + static_cast<uint64_t>(t / kSecond), kStart + t), "") << t;
  const uint64_t total = 1 + DropNote::kInterval / kSecond;
  EXPECT_EQ(
      note.Due(total, kStart + DropNote::kInterval),
      "lockdiag: 3600 more events dropped since 2026-12-02 00:00:00 UTC (Lockdiag_dropped_events = 3601)");
  // And the next hour starts over.
  EXPECT_EQ(note.Due(total + 5, kStart + DropNote::kInterval + kSecond), "");
}

TEST(DropNote, NoNoteWhenNothingWasDroppedSinceTheLast) {
  DropNote note("Lockdiag_dropped_events", "events");
  ASSERT_NE(note.Due(4, kStart), "");
  EXPECT_EQ(note.Due(4, kStart + 2 * DropNote::kInterval), "");
  // A drop after a quiet hour is noted at once.
  EXPECT_NE(note.Due(5, kStart + 2 * DropNote::kInterval + kSecond), "");
}

TEST(DropNote, AResetCounterCountsItsNewDrops) {
  DropNote note("Lockdiag_dropped_events", "events");
  ASSERT_NE(note.Due(100, kStart), "");
  EXPECT_EQ(note.Due(100, kStart + kSecond), "");
  // lockdiag_reset: the counter starts again at 0, then 2 drops; then 3 more.
  EXPECT_EQ(note.Due(2, kStart + 2 * kSecond), "") << "within the hour";
  EXPECT_EQ(note.Due(5, kStart + 3 * kSecond), "");
  const std::string text = note.Due(5, kStart + DropNote::kInterval + kSecond);
  EXPECT_NE(text.find("5 more events dropped"), std::string::npos) << text;
  EXPECT_NE(text.find("(Lockdiag_dropped_events = 5)"), std::string::npos) << text;
}

}  // namespace
}  // namespace lockdiag
