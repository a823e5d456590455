// text.h: byte-level text helpers shared by the cores and the adapter:
// UTF-8-safe cutting, ASCII case folding, joining names.
//
// Texts lockdiag shows (digests, evidence, names) are cut to a byte budget;
// they are cut at a character boundary, so a column never ends inside a
// UTF-8 sequence.
//
// Pure, thread-safe.
#ifndef LOCKDIAG_CORE_COMMON_TEXT_H_
#define LOCKDIAG_CORE_COMMON_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lockdiag {

// Utf8Prefix: the length of the longest prefix of `text` of at most `max`
// bytes that does not end inside a UTF-8 sequence.
size_t Utf8Prefix(std::string_view text, size_t max);

// Utf8Head: that prefix, as a view.
inline std::string_view Utf8Head(std::string_view text, size_t max) {
  return text.substr(0, Utf8Prefix(text, max));
}

// TruncateWithEllipsis: cuts `*text` to at most `max` bytes (max >= 3),
// ending in "..." when anything was cut.
void TruncateWithEllipsis(std::string* text, size_t max);
// TruncateAtWord: the same, but the cut goes back to the last space when one
// is near (within a quarter of `max`), so that a quoted statement does not
// end mid-word.
void TruncateAtWord(std::string* text, size_t max);

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

// EqualsIgnoreCase: equal when ASCII letters are folded (identifiers,
// character-set names); other bytes compare exactly.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// HasUpperAscii: folding would change `s`.
bool HasUpperAscii(std::string_view s);

// Join: `parts` separated by `separator`.
std::string Join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_TEXT_H_
