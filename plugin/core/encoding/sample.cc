// sample.cc: redacted evidence strings.
#include "core/encoding/sample.h"

#include <cstring>

namespace lockdiag {
namespace encoding {

void SampleBuffer::Append(std::string_view s) {
  size_t n = s.size() < kCapacity - size_ ? s.size() : kCapacity - size_;
  std::memcpy(data_ + size_, s.data(), n);
  size_ += n;
}

void SampleBuffer::AppendNumber(unsigned long long n) {
  char digits[24];
  size_t len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  char text[24];
  for (size_t i = 0; i < len; i++) text[i] = digits[len - 1 - i];
  Append(std::string_view(text, len));
}

void SampleBuffer::AppendHexBytes(std::string_view bytes) {
  static const char kHex[] = "0123456789ABCDEF";
  size_t n = bytes.size() < kMaxSampleDataBytes ? bytes.size() : kMaxSampleDataBytes;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    char hex[3] = {i == 0 ? '\0' : ' ', kHex[c >> 4], kHex[c & 0xF]};
    Append(i == 0 ? std::string_view(hex + 1, 2) : std::string_view(hex, 3));
  }
  if (bytes.size() > n) Append(" ...");
}

void FormatSample(size_t pos, std::string_view bytes, SampleBuffer* out) {
  out->Clear();
  out->Append("pos ");
  out->AppendNumber(pos);
  out->Append(": ");
  out->AppendHexBytes(bytes);
}

}  // namespace encoding
}  // namespace lockdiag
