// sharded_map_test.cc: the skeleton of the sharded stores: updates and
// lookups by key, keys that share a shard, iteration, Clear() giving the
// budget back, the multimap variant, and concurrent claims.
#include "core/common/sharded_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <unordered_map>
#include <vector>

#include "run_threads.h"

namespace lockdiag {
namespace {

struct Item {
  std::string name;
  int value = 0;
};

using Items = ShardedMap<Item>;

// Insert: the store policy in small: claim, then insert; an existing key is
// only updated when the name matches (a collision is refused).
bool Insert(Items* items, uint64_t key, const std::string& name, int value, uint64_t limit = 100) {
  return items->Update(key, [&](Items::Map& map) {
    auto it = map.find(key);
    if (it == map.end()) {
      if (!items->budget().TryClaim(limit, static_cast<int64_t>(name.size()))) return false;
      it = map.emplace(key, Item{name, 0}).first;
    } else if (it->second.name != name) {
      return false;
    }
    it->second.value += value;
    return true;
  });
}

int64_t Footprint(const Item& i) { return static_cast<int64_t>(i.name.size()); }

TEST(ShardedMap, UpdateReturnsWhatTheCallbackReturnsAndLookupCopies) {
  Items items;
  EXPECT_EQ(items.Update(7, [](Items::Map& map) { return static_cast<int>(map.size()); }), 0);
  ASSERT_TRUE(Insert(&items, 7, "seven", 1));
  ASSERT_TRUE(Insert(&items, 7, "seven", 2));
  Item out;
  ASSERT_TRUE(items.Lookup(7, &out));
  EXPECT_EQ(out.name, "seven");
  EXPECT_EQ(out.value, 3);
  EXPECT_FALSE(items.Lookup(8, &out));
  EXPECT_EQ(items.count(), 1u);
  EXPECT_EQ(items.memory_bytes(), 5u);
}

TEST(ShardedMap, ReadSeesTheShardOfItsKey) {
  Items items;
  ASSERT_TRUE(Insert(&items, 3, "three", 3));
  const Items& view = items;
  EXPECT_TRUE(view.Read(3, [](const Items::Map& map) { return map.count(3) == 1; }));
  EXPECT_FALSE(view.Read(4, [](const Items::Map& map) { return map.count(3) == 1; }))
      << "key 4 is in another shard";
  EXPECT_TRUE(view.Read(3 + Items::kShards, [](const Items::Map& map) { return map.count(3) == 1; }))
      << "keys equal modulo kShards share a shard";
}

TEST(ShardedMap, KeysThatShareAShardStayApart) {
  Items items;
  ASSERT_TRUE(Insert(&items, 5, "a", 1));
  ASSERT_TRUE(Insert(&items, 5 + Items::kShards, "b", 2));
  ASSERT_TRUE(Insert(&items, 5 + 2 * Items::kShards, "c", 3));
  Item out;
  ASSERT_TRUE(items.Lookup(5 + Items::kShards, &out));
  EXPECT_EQ(out.name, "b");
  EXPECT_EQ(items.count(), 3u);
}

TEST(ShardedMap, ThePolicyRefusesCollisionsAndEntriesOverTheLimit) {
  Items items;
  ASSERT_TRUE(Insert(&items, 1, "one", 1, 2));
  EXPECT_FALSE(Insert(&items, 1, "uno", 1, 2)) << "same key, other name";
  ASSERT_TRUE(Insert(&items, 2, "two", 1, 2));
  EXPECT_FALSE(Insert(&items, 3, "three", 1, 2)) << "over the limit";
  EXPECT_TRUE(Insert(&items, 1, "one", 1, 2)) << "an existing entry still counts at the limit";
  Item out;
  EXPECT_FALSE(items.Lookup(3, &out));
  ASSERT_TRUE(items.Lookup(1, &out));
  EXPECT_EQ(out.value, 2);
  EXPECT_EQ(items.count(), 2u);
}

TEST(ShardedMap, ForEachVisitsEveryEntryOfEveryShard) {
  Items items;
  for (uint64_t k = 0; k < 50; ++k) ASSERT_TRUE(Insert(&items, k * 7919, "k" + std::to_string(k), 1));
  std::vector<std::string> names;
  items.ForEach([&](const Item& i) { names.push_back(i.name); });
  ASSERT_EQ(names.size(), 50u);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::unique(names.begin(), names.end()), names.end());
}

TEST(ShardedMap, ClearEmptiesAndGivesTheBudgetBack) {
  Items items;
  for (uint64_t k = 0; k < 40; ++k) ASSERT_TRUE(Insert(&items, k, "name", 1, 40));
  EXPECT_FALSE(Insert(&items, 40, "name", 1, 40));
  EXPECT_EQ(items.count(), 40u);
  EXPECT_EQ(items.memory_bytes(), 160u);
  EXPECT_EQ(items.Clear(Footprint), 40u);
  EXPECT_EQ(items.count(), 0u);
  EXPECT_EQ(items.memory_bytes(), 0u);
  size_t left = 0;
  items.ForEach([&](const Item&) { ++left; });
  EXPECT_EQ(left, 0u);
  EXPECT_TRUE(Insert(&items, 40, "name", 1, 40)) << "the room is back";
}

TEST(ShardedMap, ClearGivesBackEveryClaimOfANestingEntry) {
  // An entry that holds claims of its own (one for itself, one per child).
  struct Group {
    std::vector<int> children;
  };
  ShardedMap<Group> groups;
  for (uint64_t k = 0; k < 3; ++k) {
    groups.Update(k, [&](auto& map) {
      ASSERT_TRUE(groups.budget().TryClaim(100, 10));
      Group& g = map[k];
      for (uint64_t c = 0; c <= k; ++c) {
        ASSERT_TRUE(groups.budget().TryClaim(100, 10));
        g.children.push_back(static_cast<int>(c));
      }
    });
  }
  EXPECT_EQ(groups.count(), 9u);  // 3 groups + 1 + 2 + 3 children
  EXPECT_EQ(groups.memory_bytes(), 90u);
  const uint64_t released =
      groups.Clear([](const Group& g) { return static_cast<int64_t>(10 * (1 + g.children.size())); },
                   [](const Group& g) { return 1 + static_cast<uint64_t>(g.children.size()); });
  EXPECT_EQ(released, 9u);
  EXPECT_EQ(groups.count(), 0u);
  EXPECT_EQ(groups.memory_bytes(), 0u);
}

TEST(ShardedMap, MultimapShardsKeepCollidingEntriesSideBySide) {
  using Multi = ShardedMap<Item, 4, std::unordered_multimap<uint64_t, Item>>;
  static_assert(Multi::kShards == 4);
  Multi items;
  for (const char* name : {"a", "b"}) {
    items.Update(9, [&](Multi::Map& map) {
      ASSERT_TRUE(items.budget().TryClaim(10, 1));
      map.emplace(9, Item{name, 1});
    });
  }
  EXPECT_EQ(items.Read(9, [](const Multi::Map& map) { return map.count(9); }), 2u);
  Item out;
  EXPECT_TRUE(items.Lookup(9, &out));
  size_t seen = 0;
  items.ForEach([&](const Item&) { ++seen; });
  EXPECT_EQ(seen, 2u);
  EXPECT_EQ(items.Clear(Footprint), 2u);
  EXPECT_EQ(items.count(), 0u);
}

TEST(ShardedMap, ConcurrentInsertsNeverOvershootTheBudget) {
  Items items;
  constexpr uint64_t kLimit = 500;
  std::atomic<int> kept{0};
  testing::RunThreads(4, [&](int t) {
    for (uint64_t k = 0; k < 300; ++k) {
      const uint64_t key = k * 4 + static_cast<uint64_t>(t);  // distinct keys, every shard
      if (Insert(&items, key, "x", 1, kLimit)) kept.fetch_add(1);
    }
  });
  size_t entries = 0;
  items.ForEach([&](const Item&) { ++entries; });
  EXPECT_EQ(kept.load(), static_cast<int>(kLimit));
  EXPECT_EQ(entries, kLimit);
  EXPECT_EQ(items.count(), kLimit);
}

TEST(ShardedMap, ConcurrentUpdatesOfOneKeyAreSerialised) {
  Items items;
  // Four writers on one key; a fifth thread walks the shards meanwhile.
  testing::RunThreads(5, [&](int t) {
    if (t == 4) {
      for (int i = 0; i < 100; ++i) items.ForEach([](const Item& it) { ASSERT_EQ(it.name, "hot"); });
      return;
    }
    for (int i = 0; i < 5000; ++i) ASSERT_TRUE(Insert(&items, 42, "hot", 1));
  });
  Item out;
  ASSERT_TRUE(items.Lookup(42, &out));
  EXPECT_EQ(out.value, 20000);
  EXPECT_EQ(items.count(), 1u);
}

}  // namespace
}  // namespace lockdiag
