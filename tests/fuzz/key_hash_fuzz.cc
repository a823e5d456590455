// key_hash_fuzz.cc: the two paths a row value takes (core/lock/key_hash.h,
// core/encoding/sample.h): KeyHash, which keeps only a hash of it, and
// FormatSample, which keeps at most kMaxSampleDataBytes of it in hex.
//
// Input: column name, a 0xFF byte, the value (no 0xFF: the whole input is
// the column).
// Invariants:
//   * KeyHash is deterministic and ignores the column's ASCII case;
//   * the value is hashed byte for byte: its last byte flipped gives another
//     hash (FNV-1a's last step and Fmix64 are bijective, so equality would be
//     a bug, not a collision); so does the field boundary moved ("ab","c" vs
//     "a","bc"; a collision there has odds of 2^-64);
//   * a sample is "pos <n>: " then upper-case hex pairs, at most
//     kMaxSampleDataBytes of them, then " ..." exactly when bytes were left
//     out: no byte of the value appears as itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/encoding/sample.h"
#include "core/lock/key_hash.h"
#include "fuzz_check.h"

namespace {

using lockdiag::KeyHash;
using lockdiag::encoding::kMaxSampleDataBytes;

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void CheckKeyHash(std::string_view column, std::string_view value) {
  const uint64_t h = KeyHash(column, value);
  FUZZ_CHECK(h == KeyHash(column, value));
  FUZZ_CHECK(h == KeyHash(AsciiUpper(column), value));
  if (!value.empty()) {
    std::string flipped(value);
    flipped.back() = static_cast<char>(flipped.back() ^ 0x01);
    FUZZ_CHECK(KeyHash(column, flipped) != h);
    // The boundary moved by one byte: the column gains the value's first byte.
    std::string longer_column(column);
    longer_column.push_back(value.front());
    if (value.front() != '\xff') FUZZ_CHECK(KeyHash(longer_column, value.substr(1)) != h);
  }
}

void CheckSample(size_t pos, std::string_view bytes) {
  lockdiag::encoding::SampleBuffer sample;
  lockdiag::encoding::FormatSample(pos, bytes, &sample);
  const std::string expected_head = "pos " + std::to_string(pos) + ": ";
  const std::string_view s = sample.view();
  FUZZ_CHECK(s.substr(0, expected_head.size()) == expected_head);
  std::string_view hex = s.substr(expected_head.size());
  const bool cut = bytes.size() > kMaxSampleDataBytes;
  if (cut) {
    FUZZ_CHECK(hex.size() >= 4 && hex.substr(hex.size() - 4) == " ...");
    hex.remove_suffix(4);
  }
  const size_t shown = cut ? kMaxSampleDataBytes : bytes.size();
  FUZZ_CHECK(hex.size() == (shown == 0 ? 0 : shown * 3 - 1));
  static const char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < shown; ++i) {
    const unsigned char b = static_cast<unsigned char>(bytes[i]);
    FUZZ_CHECK(hex[i * 3] == kHex[b >> 4] && hex[i * 3 + 1] == kHex[b & 0xF]);
    if (i + 1 < shown) FUZZ_CHECK(hex[i * 3 + 2] == ' ');
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const size_t sep = in.find('\xff');
  const std::string_view column = in.substr(0, sep);
  const std::string_view value = sep == std::string_view::npos ? std::string_view() : in.substr(sep + 1);
  CheckKeyHash(column, value);
  CheckSample(size * 0x9e3779b9u, value);
  return 0;
}
