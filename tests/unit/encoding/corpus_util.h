// corpus_util.h: reads tests/data/encoding/cases.tsv for the encoding tests.
#ifndef LOCKDIAG_TESTS_UNIT_ENCODING_CORPUS_UTIL_H_
#define LOCKDIAG_TESTS_UNIT_ENCODING_CORPUS_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace lockdiag {
namespace encoding {

struct CorpusCase {
  bool expected = false;  // SUSPECTED_DOUBLE_ENCODING must fire
  std::string client_charset;
  std::string form;
  std::string sample;
  std::string bytes;
};

inline std::string FromHex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// LoadCorpus returns the cases, or an empty vector when the file is missing.
inline std::vector<CorpusCase> LoadCorpus() {
  std::vector<CorpusCase> cases;
  std::ifstream in(std::string(LOCKDIAG_TEST_DATA_DIR) + "/encoding/cases.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    CorpusCase c;
    std::string expected, hex;
    std::getline(fields, expected, '\t');
    std::getline(fields, c.client_charset, '\t');
    std::getline(fields, c.form, '\t');
    std::getline(fields, c.sample, '\t');
    std::getline(fields, hex, '\t');
    c.expected = expected == "1";
    c.bytes = FromHex(hex);
    cases.push_back(std::move(c));
  }
  return cases;
}

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_TESTS_UNIT_ENCODING_CORPUS_UTIL_H_
