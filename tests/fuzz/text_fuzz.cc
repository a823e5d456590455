// text_fuzz.cc: the UTF-8-safe cuts of core/common/text.h.
//
// Input: one byte for the budget, then the text.
// Invariants:
//   * Utf8Prefix is at most the budget and at most the text, and the whole
//     text when it fits;
//   * a cut never splits a character: the byte after the cut is not a
//     continuation byte, and a valid UTF-8 text cut anywhere stays valid
//     (checked with the encoding core's own validator);
//   * it is the longest such prefix: it backs off only over continuation
//     bytes;
//   * TruncateWithEllipsis / TruncateAtWord leave short texts alone and
//     otherwise give at most the budget, ending in "...", whose head is a
//     prefix of the text that is valid when the text was.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/text.h"
#include "core/encoding/scan.h"
#include "fuzz_check.h"

namespace {

bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
bool ValidUtf8(std::string_view s) { return lockdiag::encoding::ScanUtf8(s.data(), s.size(), true).valid; }

void CheckPrefix(std::string_view text, size_t max, bool valid) {
  const size_t n = lockdiag::Utf8Prefix(text, max);
  FUZZ_CHECK(n <= text.size());
  if (text.size() <= max) {
    FUZZ_CHECK(n == text.size());
    return;
  }
  FUZZ_CHECK(n <= max);
  FUZZ_CHECK(!IsContinuation(text[n]) || n == 0);
  for (size_t k = n + 1; k <= max; ++k) FUZZ_CHECK(IsContinuation(text[k]));
  if (valid) FUZZ_CHECK(ValidUtf8(text.substr(0, n)));
}

void CheckTruncation(std::string_view text, size_t max, bool valid, bool at_word) {
  std::string s(text);
  if (at_word) {
    lockdiag::TruncateAtWord(&s, max);
  } else {
    lockdiag::TruncateWithEllipsis(&s, max);
  }
  if (text.size() <= max) {
    FUZZ_CHECK(s == text);
    return;
  }
  FUZZ_CHECK(s.size() <= max);
  FUZZ_CHECK(s.size() >= 3 && s.compare(s.size() - 3, 3, "...") == 0);
  const std::string_view head = std::string_view(s).substr(0, s.size() - 3);
  FUZZ_CHECK(text.substr(0, head.size()) == head);
  FUZZ_CHECK(head.size() == text.size() || !IsContinuation(text[head.size()]) || head.empty());
  if (valid) FUZZ_CHECK(ValidUtf8(head));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t max = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const bool valid = ValidUtf8(text);
  for (size_t m : {max, max / 2, size_t{0}, size_t{1}, text.size() / 2}) CheckPrefix(text, m, valid);
  // REQUIRES max >= 3 (text.h).
  const size_t budget = max < 3 ? 3 : max;
  CheckTruncation(text, budget, valid, false);
  CheckTruncation(text, budget, valid, true);
  return 0;
}
