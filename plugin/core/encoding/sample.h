// sample.h: the SAMPLE column's redacted evidence.
//
// A sample never holds user text as text: only the offending bytes, in hex,
// at most kMaxSampleDataBytes of them, with their byte offset in the value:
//
//   FormatSample(2, "\xC3\xA8", &out);        // out == "pos 2: C3 A8"
//   FormatSample(0, 40 bytes..., &out);       // 16 bytes then " ..."
//
// Pure functions, thread-safe. They write into a caller-provided buffer
// (SampleBuffer), so recording a finding costs no allocation until the store
// creates a new row.
#ifndef LOCKDIAG_CORE_ENCODING_SAMPLE_H_
#define LOCKDIAG_CORE_ENCODING_SAMPLE_H_

#include <cstddef>
#include <string_view>

namespace lockdiag {
namespace encoding {

// At most this many bytes of a user's value appear in a sample.
inline constexpr size_t kMaxSampleDataBytes = 16;

// SampleBuffer: fixed-size text, big enough for the longest sample
// ("pos " + 20 digits + ": " + 16 * 3 hex + " ..." and a prefix of 16).
class SampleBuffer {
 public:
  std::string_view view() const { return std::string_view(data_, size_); }
  void Clear() { size_ = 0; }
  void Append(std::string_view s);
  void AppendNumber(unsigned long long n);
  void AppendHexBytes(std::string_view bytes);  // "C3 A8", at most kMaxSampleDataBytes, then " ..."

 private:
  static constexpr size_t kCapacity = 112;
  char data_[kCapacity];
  size_t size_ = 0;
};

// FormatSample: "pos <pos>: <hex of bytes>" (bytes cut to kMaxSampleDataBytes).
void FormatSample(size_t pos, std::string_view bytes, SampleBuffer* out);

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ENCODING_SAMPLE_H_
