#include "wrap.h"

#include <vector>

namespace lockdiag::report {
namespace {

// The longest prefix of `s` of at most `n` bytes that ends on a UTF-8
// character boundary (never less than one character).
size_t CutAt(const std::string& s, size_t n) {
  if (s.size() <= n) return s.size();
  size_t cut = n;
  while (cut > 1 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

}  // namespace

std::string Wrap(const std::string& text, const std::string& first_indent, const std::string& indent,
                 size_t width) {
  std::vector<std::string> words;
  for (size_t i = 0; i < text.size();) {
    size_t j = text.find_first_of(" \n", i);
    if (j == std::string::npos) j = text.size();
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j + 1;
  }
  std::string out, line = first_indent;
  bool line_empty = true;
  auto flush = [&] {
    out += line + "\n";
    line = indent;
    line_empty = true;
  };
  for (std::string w : words) {
    if (!line_empty && line.size() + 1 + w.size() > width) flush();
    while (line.size() + (line_empty ? 0 : 1) + w.size() > width) {
      size_t room = width - line.size() - (line_empty ? 0 : 1);
      if (room < 8 && !line_empty) {  // not worth starting a cut word at the end of a line
        flush();
        continue;
      }
      size_t cut = CutAt(w, room);
      line += (line_empty ? "" : " ") + w.substr(0, cut);
      w = w.substr(cut);
      flush();
    }
    if (w.empty()) continue;
    line += (line_empty ? "" : " ") + w;
    line_empty = false;
  }
  if (!line_empty || out.empty()) flush();
  return out;
}

}  // namespace lockdiag::report
