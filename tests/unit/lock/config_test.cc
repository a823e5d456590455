// Tests of Config: the lockdiag_ignore_schemas list (parsing, case-insensitive
// matching, the version readers cache it by) and the numeric defaults.
#include "core/lock/config.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace lockdiag {
namespace {

using List = Config::SchemaList;

List Parse(const std::string& csv) {
  Config c;
  c.SetIgnoreSchemas(csv);
  return *c.ignore_schemas();
}

TEST(ConfigTest, DefaultsIgnoreTheSystemSchemas) {
  Config c;
  EXPECT_TRUE(c.enabled.load());
  EXPECT_EQ(c.max_tables.load(), Config::kDefaultMaxTables);
  EXPECT_EQ(c.history_size.load(), Config::kDefaultHistorySize);
  ASSERT_NE(c.ignore_schemas(), nullptr);
  EXPECT_EQ(*c.ignore_schemas(), (List{"mysql", "information_schema", "performance_schema", "sys"}));
}

TEST(ConfigTest, ParsesACommaSeparatedList) {
  EXPECT_EQ(Parse("a,b,c"), (List{"a", "b", "c"}));
  EXPECT_EQ(Parse("one"), (List{"one"}));
}

TEST(ConfigTest, TrimsBlanksAroundNames) {
  EXPECT_EQ(Parse("a, b ,c"), (List{"a", "b", "c"}));
  EXPECT_EQ(Parse("\ta\t,  b  "), (List{"a", "b"}));
  EXPECT_EQ(Parse("my schema, x"), (List{"my schema", "x"})) << "inner blanks are part of the name";
}

TEST(ConfigTest, DropsEmptyItems) {
  EXPECT_EQ(Parse(""), List{});
  EXPECT_EQ(Parse(","), List{});
  EXPECT_EQ(Parse(" , \t ,"), List{});
  EXPECT_EQ(Parse(",a,,b,"), (List{"a", "b"}));
}

TEST(ConfigTest, KeepsCaseAndDuplicatesAsGiven) { EXPECT_EQ(Parse("Shop,shop"), (List{"Shop", "shop"})); }

TEST(ConfigTest, IsIgnoredComparesCaseInsensitively) {
  const List list = Parse("Shop, mysql");
  EXPECT_TRUE(Config::IsIgnored(list, "shop"));
  EXPECT_TRUE(Config::IsIgnored(list, "SHOP"));
  EXPECT_TRUE(Config::IsIgnored(list, "MySQL"));
  EXPECT_FALSE(Config::IsIgnored(list, "shops"));
  EXPECT_FALSE(Config::IsIgnored(list, "sho"));
  EXPECT_FALSE(Config::IsIgnored(list, ""));
  EXPECT_FALSE(Config::IsIgnored(List{}, "shop"));
}

TEST(ConfigTest, EveryUpdateBumpsTheVersion) {
  Config c;
  const uint64_t v0 = c.ignore_version();
  EXPECT_GT(v0, 0u) << "the constructor sets the default list";
  c.SetIgnoreSchemas("a");
  EXPECT_EQ(c.ignore_version(), v0 + 1);
  c.SetIgnoreSchemas("a");  // the same value still counts: readers re-read it
  EXPECT_EQ(c.ignore_version(), v0 + 2);
  c.SetIgnoreSchemas("");
  EXPECT_EQ(c.ignore_version(), v0 + 3);
  EXPECT_TRUE(c.ignore_schemas()->empty());
}

TEST(ConfigTest, AListReadEarlierStaysValidAndUnchanged) {
  Config c;
  c.SetIgnoreSchemas("a,b");
  std::shared_ptr<const List> before = c.ignore_schemas();
  c.SetIgnoreSchemas("c");
  EXPECT_EQ(*before, (List{"a", "b"})) << "lists are immutable; an update swaps in a new one";
  EXPECT_EQ(*c.ignore_schemas(), List{"c"});
  EXPECT_NE(before.get(), c.ignore_schemas().get());
}

TEST(ConfigTest, ConcurrentReadersNeverSeeAListOlderThanTheVersion) {
  // The Session's cache relies on it: having read version v, the list it
  // then reads is the one set by the v-th update or a later one. The writer
  // sets "s<i>" as its i-th update; readers check the list they read is
  // whole and no older than the version they read first.
  Config c;
  const uint64_t v0 = c.ignore_version();
  constexpr int kUpdates = 10000;
  std::atomic<bool> stale{false}, torn{false};
  std::atomic<int> readers_started{0};
  auto reader = [&] {
    readers_started.fetch_add(1);
    for (;;) {
      const uint64_t v = c.ignore_version();
      std::shared_ptr<const List> list = c.ignore_schemas();
      if (v == v0) continue;  // still the default list
      if (list == nullptr || list->size() != 2 || (*list)[0].size() < 2 || (*list)[0] != (*list)[1]) {
        torn = true;
        return;
      }
      const uint64_t i = std::stoull((*list)[0].substr(1));
      if (i < v - v0) stale = true;
      if (v - v0 >= kUpdates) return;
    }
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) readers.emplace_back(reader);
  while (readers_started.load() < 2) std::this_thread::yield();
  for (int i = 1; i <= kUpdates; ++i) {
    const std::string name = "s" + std::to_string(i);
    c.SetIgnoreSchemas(name + ", " + name);
  }
  for (std::thread& t : readers) t.join();
  EXPECT_FALSE(torn);
  EXPECT_FALSE(stale);
  EXPECT_EQ(c.ignore_version(), v0 + kUpdates);
}

}  // namespace
}  // namespace lockdiag
