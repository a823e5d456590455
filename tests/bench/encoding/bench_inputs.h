// bench_inputs.h: the inputs every encoding benchmark uses, built once.
#ifndef LOCKDIAG_TESTS_BENCH_ENCODING_BENCH_INPUTS_H_
#define LOCKDIAG_TESTS_BENCH_ENCODING_BENCH_INPUTS_H_

#include <fstream>
#include <string>

namespace lockdiag {
namespace encoding {

// AsciiText: `size` bytes of printable ASCII.
inline std::string AsciiText(size_t size) {
  std::string s;
  s.reserve(size);
  const char kWords[] = "The quick brown fox jumps over the lazy dog; INSERT INTO poems VALUES (42). ";
  while (s.size() < size) s.push_back(kWords[s.size() % (sizeof kWords - 1)]);
  return s;
}

// MixedUtf8Text: about `size` bytes of the corpus's multilingual sentences
// (30 languages: Latin, Cyrillic, Greek, Hebrew, Arabic, CJK, Indic, Thai,
// Georgian, Armenian scripts), repeated, cut at a line end. Valid UTF-8.
inline std::string MixedUtf8Text(size_t size) {
  std::ifstream in(std::string(LOCKDIAG_TEST_DATA_DIR) + "/encoding/samples.txt");
  std::string all, line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t', line.find('\t') + 1);
    all += line.substr(tab + 1);
    all += '\n';
  }
  if (all.empty()) all = "Po\xC3\xA8me \xD0\xBF\xD1\x80\xD0\xB8 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80\n";
  std::string s;
  while (s.size() < size) s += all;
  size_t cut = s.rfind('\n', size);
  s.resize(cut == std::string::npos ? s.size() : cut + 1);
  return s;
}

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_TESTS_BENCH_ENCODING_BENCH_INPUTS_H_
