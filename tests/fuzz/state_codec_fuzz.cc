// state_codec_fuzz.cc: the state file's byte codec (core/common/state_codec.h).
//
// Input: a byte N, then N operation bytes, then the bytes to decode (copied
// into a buffer of their exact size, so that AddressSanitizer sees any read
// past them). The operations are run twice:
//   1. on the decoder, over the bytes. Invariants: the decoder never reads
//      past its input (ASan; left() only shrinks); a string, a count, a byte
//      run is never longer than the caller's maximum nor than what was left;
//      once failed, left() is 0 and every read gives zero or empty.
//   2. as a round trip: the values the first pass read (or, for a failed
//      read, values taken from the bytes) are encoded, then decoded by the
//      same operations: the decoder gives them back, ends exactly at the end,
//      and stays ok.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/state_codec.h"
#include "fuzz_check.h"

namespace {

using lockdiag::StateDecoder;
using lockdiag::StateEncoder;

enum Op : uint8_t { kU64, kI64, kU32, kBool, kStr, kCount, kArray, kItem, kBytes, kOpCount };

// The bound an operation byte gives a Str, Count or Bytes read.
size_t Bound(uint8_t op) { return (op >> 4) * 5u; }

struct Value {
  uint64_t u = 0;
  std::string s;
  std::array<uint8_t, 3> a{};
};

// Decode runs one operation and checks the decoder's contract. In the round
// trip a count is read back as the number it is (`count_as_number`): Count
// itself refuses a count that the bytes after it cannot hold, which the
// re-encoded stream need not.
Value Decode(uint8_t op, StateDecoder* in, const char* begin, const char* end, bool count_as_number) {
  const size_t before = in->left();
  const bool was_ok = in->ok();
  Value v;
  const Op kind = static_cast<Op>(op % kOpCount);
  switch (kind == kCount && count_as_number ? kU64 : kind) {
    case kU64:
      v.u = in->U64();
      break;
    case kI64:
      v.u = static_cast<uint64_t>(in->I64());
      break;
    case kU32:
      v.u = in->U32();
      break;
    case kBool:
      v.u = in->Bool();
      break;
    case kStr:
      v.s = in->Str(Bound(op));
      FUZZ_CHECK(v.s.size() <= Bound(op) && v.s.size() <= before);
      break;
    case kCount: {
      const size_t min_bytes = (op >> 4) % 4;
      v.u = in->Count(Bound(op), min_bytes);
      FUZZ_CHECK(v.u <= Bound(op) && v.u * (min_bytes == 0 ? 1 : min_bytes) <= before);
      break;
    }
    case kArray:
      in->Array(&v.a);
      break;
    case kItem:
      v.u = in->NextItem();
      break;
    case kBytes: {
      const std::string_view b = in->Bytes(Bound(op));
      FUZZ_CHECK(b.empty() || (b.data() >= begin && b.data() + b.size() <= end));
      FUZZ_CHECK(b.size() == 0 || b.size() == Bound(op));
      v.s = std::string(b);
      break;
    }
    case kOpCount:
      break;
  }
  FUZZ_CHECK(in->left() <= before);
  if (!in->ok()) {
    FUZZ_CHECK(in->left() == 0 && in->done());
    if (!was_ok) FUZZ_CHECK(v.u == 0 && v.s.empty() && v.a == (std::array<uint8_t, 3>{}));
  }
  return v;
}

void Encode(uint8_t op, const Value& v, StateEncoder* out) {
  switch (op % kOpCount) {
    case kU64:
    case kU32:  // a U32 read gives a value that fits
    case kCount:
      out->U64(v.u);
      break;
    case kI64:
      out->I64(static_cast<int64_t>(v.u));
      break;
    case kBool:
      out->Bool(v.u != 0);
      break;
    case kStr:
      out->Str(v.s);
      break;
    case kArray:
      out->Array(v.a);
      break;
    case kItem:
      if (v.u != 0) {
        out->Item();
      } else {
        out->EndItems();
      }
      break;
    case kBytes:
      out->Bytes(v.s);
      break;
  }
}

bool SameValue(uint8_t op, const Value& a, const Value& b) {
  switch (op % kOpCount) {
    case kStr:
    case kBytes:
      return a.s == b.s;
    case kArray:
      return a.a == b.a;
    default:
      return a.u == b.u;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t n = data[0] < size - 1 ? data[0] : size - 1;
  const std::vector<uint8_t> ops(data + 1, data + 1 + n);
  // Exactly the bytes to decode, on the heap: one byte further is a redzone.
  const size_t rest = size - 1 - n;
  std::unique_ptr<char[]> bytes(new char[rest == 0 ? 1 : rest]);
  if (rest > 0) std::memcpy(bytes.get(), data + 1 + n, rest);
  const char* begin = bytes.get();
  const char* end = begin + rest;

  StateDecoder in(std::string_view(begin, rest));
  std::vector<Value> read;
  for (uint8_t op : ops) read.push_back(Decode(op, &in, begin, end, false));

  // Only what decodes as written can round-trip: a Bytes read that failed
  // wrote nothing, so its bound is met with zeros; a failed Str became "".
  StateEncoder out;
  for (size_t k = 0; k < ops.size(); ++k) {
    if (ops[k] % kOpCount == kBytes) read[k].s.resize(Bound(ops[k]), '\0');
    Encode(ops[k], read[k], &out);
  }
  StateDecoder back(out.bytes());
  for (size_t k = 0; k < ops.size(); ++k) {
    const Value v = Decode(ops[k], &back, out.bytes().data(), out.bytes().data() + out.size(), true);
    FUZZ_CHECK(SameValue(ops[k], v, read[k]));
  }
  FUZZ_CHECK(back.ok() && back.done());
  return 0;
}
