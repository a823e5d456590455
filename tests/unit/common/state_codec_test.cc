#include "core/common/state_codec.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string>

namespace lockdiag {
namespace {

TEST(StateCodec, ValuesRoundTrip) {
  StateEncoder out;
  const uint64_t big = std::numeric_limits<uint64_t>::max();
  const int64_t small = std::numeric_limits<int64_t>::min();
  out.U64(0);
  out.U64(127);
  out.U64(128);
  out.U64(big);
  out.I64(-1);
  out.I64(small);
  out.I64(std::numeric_limits<int64_t>::max());
  out.U32(std::numeric_limits<uint32_t>::max());
  out.Bool(true);
  out.Bool(false);
  out.Str(std::string("a\0b\xff\n\"", 6));
  out.Array(std::array<uint32_t, 3>{1, 2, 3});
  out.Item();
  out.Item();
  out.EndItems();

  StateDecoder in(out.bytes());
  EXPECT_EQ(in.U64(), 0u);
  EXPECT_EQ(in.U64(), 127u);
  EXPECT_EQ(in.U64(), 128u);
  EXPECT_EQ(in.U64(), big);
  EXPECT_EQ(in.I64(), -1);
  EXPECT_EQ(in.I64(), small);
  EXPECT_EQ(in.I64(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(in.U32(), std::numeric_limits<uint32_t>::max());
  EXPECT_TRUE(in.Bool());
  EXPECT_FALSE(in.Bool());
  EXPECT_EQ(in.Str(100), std::string("a\0b\xff\n\"", 6));
  std::array<uint32_t, 3> a{};
  in.Array(&a);
  EXPECT_EQ(a, (std::array<uint32_t, 3>{1, 2, 3}));
  int items = 0;
  while (in.NextItem()) ++items;
  EXPECT_EQ(items, 2);
  EXPECT_TRUE(in.ok());
  EXPECT_TRUE(in.done());
}

TEST(StateCodec, ReadingPastTheEndFailsAndStaysFailed) {
  StateEncoder out;
  out.U64(300);
  const std::string bytes = out.bytes();
  StateDecoder in(std::string_view(bytes).substr(0, 1));  // a varint cut in two
  EXPECT_EQ(in.U64(), 0u);
  EXPECT_FALSE(in.ok());
  EXPECT_EQ(in.Str(10), "");
  EXPECT_FALSE(in.Bool());
  EXPECT_FALSE(in.NextItem());
}

TEST(StateCodec, LengthsAndCountsAreCheckedBeforeAnythingIsAllocated) {
  StateEncoder out;
  out.U64(uint64_t{1} << 40);  // a string "length" of a terabyte
  StateDecoder in(out.bytes());
  EXPECT_EQ(in.Str(std::numeric_limits<size_t>::max()), "");
  EXPECT_FALSE(in.ok());

  StateEncoder longer;
  longer.Str("abcdef");
  StateDecoder capped(longer.bytes());
  EXPECT_EQ(capped.Str(5), "");  // over the caller's maximum
  EXPECT_FALSE(capped.ok());

  StateEncoder count;
  count.U64(1000);
  count.U64(1);
  StateDecoder items(count.bytes());
  EXPECT_EQ(items.Count(1 << 20), 0u);  // 1000 items cannot fit in 1 byte
  EXPECT_FALSE(items.ok());
}

TEST(StateCodec, MalformedValuesFail) {
  // An eleven-byte varint, a boolean that is neither 0 nor 1, a U32 that
  // does not fit, an array of another length.
  const std::string overlong(11, '\x80');
  StateDecoder a(overlong);
  a.U64();
  EXPECT_FALSE(a.ok());
  // The decoder views its bytes: they must outlive it (a temporary string
  // here was a stack-use-after-scope ASan found).
  const std::string two("\x02", 1);
  StateDecoder b(two);
  b.Bool();
  EXPECT_FALSE(b.ok());
  StateEncoder wide;
  wide.U64(uint64_t{1} << 32);
  StateDecoder c(wide.bytes());
  c.U32();
  EXPECT_FALSE(c.ok());
  StateEncoder four;
  four.Array(std::array<uint64_t, 4>{});
  StateDecoder d(four.bytes());
  std::array<uint64_t, 3> three{};
  d.Array(&three);
  EXPECT_FALSE(d.ok());
  StateEncoder big;
  big.Array(std::array<uint64_t, 1>{300});
  StateDecoder e(big.bytes());
  std::array<uint8_t, 1> narrow{};
  e.Array(&narrow);
  EXPECT_FALSE(e.ok());
}

}  // namespace
}  // namespace lockdiag
