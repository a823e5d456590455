#include "core/audit/connection_store.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace lockdiag {
namespace {

const ConnectionRow* Find(const std::vector<ConnectionRow>& rows, const std::string& user, uint32_t outcome) {
  for (const ConnectionRow& r : rows) {
    if (r.user == user && r.outcome == outcome) return &r;
  }
  return nullptr;
}

TEST(ConnectionStore, CountsConnectionsPeaksAndTimeConnectedPerAccount) {
  ConnectionStore store;
  store.OnConnect(1, "app", "web1", 0, 1000);
  store.OnConnect(2, "app", "web1", 0, 2000);
  store.OnConnect(3, "report", "localhost", 0, 2500);
  store.OnDisconnect(1, 5000);
  store.OnConnect(4, "app", "web1", 0, 6000);
  const ConnectionStatus st = store.Status();
  EXPECT_EQ(st.current, 3u);
  EXPECT_EQ(st.peak, 3u);
  EXPECT_EQ(st.peak_time, 2500);
  EXPECT_EQ(st.refused, 0u);
  const auto rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 2u);
  const ConnectionRow* app = Find(rows, "app", 0);
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->host, "web1");
  EXPECT_EQ(app->attempts, 3u);
  EXPECT_EQ(app->current, 2u);
  EXPECT_EQ(app->peak_concurrent, 2u);
  EXPECT_EQ(app->total_micros, 4000u);
  EXPECT_EQ(app->first_seen, 1000);
  EXPECT_EQ(app->last_seen, 6000);
}

TEST(ConnectionStore, RefusalsAreRowsOfTheirOwnAndNameTheLimit) {
  ConnectionStore store;
  store.OnConnect(1, "app", "web1", 0, 100);
  const ConnectOutcome refused = store.OnConnect(2, "app", "web1", 1040, 200);
  EXPECT_STREQ(refused.limit, "max_connections");
  EXPECT_EQ(refused.current, 1u);
  EXPECT_EQ(store.OnConnect(3, "app", "web1", 1045, 300).limit, nullptr) << "a wrong password is no limit";
  EXPECT_STREQ(store.OnConnect(4, "app", "web1", 1203, 400).limit, "max_user_connections");
  store.OnDisconnect(2, 500);  // the refused connection's THD goes away: nothing to end
  const auto rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 4u);
  const ConnectionRow* count = Find(rows, "app", 1040);
  ASSERT_NE(count, nullptr);
  EXPECT_EQ(count->attempts, 1u);
  EXPECT_EQ(count->current, 0u);
  EXPECT_EQ(Find(rows, "app", 0)->current, 1u);
  EXPECT_EQ(store.Status().refused, 3u);
  EXPECT_EQ(store.Status().current, 1u);
  EXPECT_EQ(ConnectionErrorName(1040), "ER_CON_COUNT_ERROR");
  EXPECT_EQ(ConnectionErrorName(0), "CONNECTED");
  EXPECT_EQ(ConnectionErrorName(9999), "ERROR_9999");
}

TEST(ConnectionStore, AChangeOfUserEndsTheOldAccountsSession) {
  ConnectionStore store;
  store.OnConnect(1, "app", "web1", 0, 100);
  store.OnConnect(1, "admin", "web1", 0, 300);  // COM_CHANGE_USER
  const auto rows = store.Snapshot();
  EXPECT_EQ(Find(rows, "app", 0)->current, 0u);
  EXPECT_EQ(Find(rows, "app", 0)->total_micros, 200u);
  EXPECT_EQ(Find(rows, "admin", 0)->current, 1u);
  EXPECT_EQ(store.Status().current, 1u);
  store.OnDisconnect(1, 400);
  EXPECT_EQ(store.Status().current, 0u);
  EXPECT_EQ(Find(store.Snapshot(), "admin", 0)->total_micros, 100u);
}

TEST(ConnectionStore, DisconnectsOfConnectionsItNeverSawAreIgnored) {
  ConnectionStore store;
  store.OnDisconnect(7, 100);  // opened before INSTALL
  EXPECT_EQ(store.Status().current, 0u);
  EXPECT_TRUE(store.Snapshot().empty());
}

TEST(ConnectionStore, ResetKeepsTheOpenSessionsOnly) {
  ConnectionStore store;
  store.OnConnect(1, "app", "web1", 0, 100);
  store.OnConnect(2, "app", "web1", 0, 100);
  store.OnConnect(3, "app", "web1", 1040, 150);
  store.OnDisconnect(2, 200);
  store.Reset(250);
  auto rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].current, 1u);
  EXPECT_EQ(rows[0].attempts, 0u);
  EXPECT_EQ(rows[0].peak_concurrent, 1u);
  EXPECT_EQ(store.Status().refused, 0u);
  EXPECT_EQ(store.Status().peak, 1u);
  EXPECT_EQ(store.Status().peak_time, 250);
  store.OnDisconnect(1, 300);  // still matched after the reset
  EXPECT_EQ(store.Status().current, 0u);
  EXPECT_EQ(store.Snapshot()[0].total_micros, 200u);
}

TEST(ConnectionStore, ClearForgetsTheOpenSessionsToo) {
  ConnectionStore store;
  store.OnConnect(1, "app", "web1", 0, 100);
  store.Clear();
  EXPECT_EQ(store.Status().current, 0u);
  EXPECT_TRUE(store.Snapshot().empty());
  store.OnDisconnect(1, 300);  // from before the new INSTALL: ignored
  EXPECT_EQ(store.Status().current, 0u);
}

TEST(ConnectionStore, BoundsItsEntriesAndCountsWhatItDrops) {
  ConnectionStore store;
  for (size_t i = 0; i < ConnectionStore::kMaxEntries + 5; ++i)
    store.OnConnect(i, "user" + std::to_string(i), "h", 1045, 100);
  EXPECT_EQ(store.Snapshot().size(), ConnectionStore::kMaxEntries);
  EXPECT_EQ(store.Status().dropped, 5u);
  EXPECT_EQ(store.Status().refused, ConnectionStore::kMaxEntries + 5);
  // A full store still counts the connections open.
  store.OnConnect(999999, "newcomer", "h", 0, 200);
  EXPECT_EQ(store.Status().current, 1u);
  store.OnDisconnect(999999, 300);
  EXPECT_EQ(store.Status().current, 0u);
}

TEST(ConnectionStore, KeepsNamesShortAndWhole) {
  ConnectionStore store;
  std::string user(200, 'u');
  std::string host = std::string(127, 'h') + "\xC3\xA9";  // the 2-byte character does not fit
  store.OnConnect(1, user, host, 0, 100);
  const auto rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].user.size(), ConnectionStore::kMaxName);
  EXPECT_EQ(rows[0].host, std::string(127, 'h'));
}

TEST(ConnectionStore, ConcurrentConnectsAndDisconnectsBalance) {
  ConnectionStore store;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&store, t] {
      for (uint64_t i = 0; i < 1000; ++i) {
        const uint64_t id = static_cast<uint64_t>(t) * 1000000 + i;
        store.OnConnect(id, "app", "web", 0, 100);
        store.OnDisconnect(id, 200);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(store.Status().current, 0u);
  const auto rows = store.Snapshot();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].attempts, 4000u);
  EXPECT_EQ(rows[0].total_micros, 400000u);
  EXPECT_LE(store.Status().peak, 4u);
}

}  // namespace
}  // namespace lockdiag
