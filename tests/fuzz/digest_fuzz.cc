// digest_fuzz.cc: DigestStatement (core/lock/digest.h) on arbitrary bytes.
//
// Invariants of the header's contract:
//   * deterministic: the same input gives the same text and hash, whatever
//     the output string held before;
//   * the hash is Fnv1a of the text (1 when that is 0), never 0;
//   * the text is at most kMaxDigestText bytes;
//   * no literal survives: outside `quoted identifiers` no digit run stands
//     alone (a digit is part of a word such as t1 or 1abc), and no string
//     quote is left;
//   * everything outside quoted identifiers is lower-case;
//   * a cut text ends in "...", and a cut never splits a UTF-8 sequence that
//     the input had whole.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/hash.h"
#include "core/lock/digest.h"
#include "fuzz_check.h"

namespace {

using lockdiag::kMaxDigestText;

bool IsWordByte(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u == '$' || u >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// CheckNoLiteral walks the normalised text as the normaliser wrote it:
// backtick-quoted identifiers are verbatim (``x`` doubled inside), the rest
// is words, operators, '?' and punctuation.
void CheckNoLiteral(std::string_view text, bool cut) {
  // The "..." of a cut and the prefix cut before it: a word there may have
  // lost its letters (1abc cut to 1).
  const size_t end = cut ? text.size() - 3 : text.size();
  size_t i = 0;
  while (i < end) {
    const char c = text[i];
    if (c == '`') {
      ++i;
      while (i < end) {
        if (text[i] == '`') {
          if (i + 1 < end && text[i + 1] == '`') {
            i += 2;
            continue;
          }
          break;
        }
        ++i;
      }
      ++i;
      continue;
    }
    FUZZ_CHECK(c != '\'' && c != '"');
    FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
    if (IsDigit(c)) {
      size_t j = i;
      while (j < end && IsDigit(text[j])) ++j;
      const bool after_word = i > 0 && IsWordByte(text[i - 1]);
      const bool before_word = j < end && IsWordByte(text[j]);
      const bool at_cut = cut && j == end;
      FUZZ_CHECK(after_word || before_word || at_cut);
      i = j;
      continue;
    }
    ++i;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  std::string text;
  const uint64_t digest = lockdiag::DigestStatement(sql, &text);
  FUZZ_CHECK(digest != 0);
  const uint64_t fnv = lockdiag::Fnv1a(text);
  FUZZ_CHECK(digest == (fnv == 0 ? 1 : fnv));
  FUZZ_CHECK(text.size() <= kMaxDigestText);

  // A reused output string holding anything gives the same result.
  std::string again = "garbage \x80 that must go";
  FUZZ_CHECK(lockdiag::DigestStatement(sql, &again) == digest);
  FUZZ_CHECK(again == text);

  const bool cut = text.size() >= 3 && text.compare(text.size() - 3, 3, "...") == 0;
  CheckNoLiteral(text, cut && size > 0);
  return 0;
}
