#include "core/common/text.h"

namespace lockdiag {

size_t Utf8Prefix(std::string_view text, size_t max) {
  if (text.size() <= max) return text.size();
  size_t n = max;
  // Back off over continuation bytes (10xxxxxx) to the start of a sequence.
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) --n;
  return n;
}

void TruncateWithEllipsis(std::string* text, size_t max) {
  if (text->size() <= max) return;
  text->resize(Utf8Prefix(*text, max - 3));
  text->append("...");
}

void TruncateAtWord(std::string* text, size_t max) {
  if (text->size() <= max) return;
  size_t cut = Utf8Prefix(*text, max - 3);
  const size_t space = text->rfind(' ', cut);
  if (space != std::string::npos && space > 0 && cut - space <= max / 4) cut = space;
  text->resize(cut);
  text->append("...");
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

bool HasUpperAscii(std::string_view s) {
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return true;
  }
  return false;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.append(separator);
    out.append(parts[i]);
  }
  return out;
}

}  // namespace lockdiag
