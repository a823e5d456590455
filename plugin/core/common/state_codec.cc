#include "core/common/state_codec.h"

namespace lockdiag {

void StateEncoder::U64(uint64_t v) {
  while (v >= 0x80) {
    bytes_.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  bytes_.push_back(static_cast<char>(v));
}

void StateEncoder::Str(std::string_view s) {
  U64(s.size());
  bytes_.append(s);
}

uint64_t StateDecoder::U64() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ == end_) {
      Fail();
      return 0;
    }
    const auto byte = static_cast<uint8_t>(*p_++);
    // The tenth byte may carry only the top bit of a 64-bit value.
    if (shift == 63 && byte > 1) break;
    v |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  Fail();
  return 0;
}

uint32_t StateDecoder::U32() {
  const uint64_t v = U64();
  if (v > UINT32_MAX) {
    Fail();
    return 0;
  }
  return static_cast<uint32_t>(v);
}

bool StateDecoder::Bool() {
  if (p_ == end_) {
    Fail();
    return false;
  }
  const auto byte = static_cast<uint8_t>(*p_++);
  if (byte > 1) Fail();
  return byte == 1;
}

std::string StateDecoder::Str(size_t max_bytes) {
  const uint64_t n = U64();
  if (!ok_ || n > max_bytes || n > left()) {
    Fail();
    return {};
  }
  std::string s(p_, static_cast<size_t>(n));
  p_ += n;
  return s;
}

size_t StateDecoder::Count(size_t max_items, size_t min_item_bytes) {
  const uint64_t n = U64();
  if (min_item_bytes == 0) min_item_bytes = 1;
  if (!ok_ || n > max_items || n > left() / min_item_bytes) {
    Fail();
    return 0;
  }
  return static_cast<size_t>(n);
}

std::string_view StateDecoder::Bytes(size_t n) {
  if (!ok_ || n > left()) {
    Fail();
    return {};
  }
  std::string_view s(p_, n);
  p_ += n;
  return s;
}

}  // namespace lockdiag
