// mojibake_corpus_test.cc: precision and recall of SUSPECTED_DOUBLE_ENCODING
// on tests/data/encoding/cases.tsv. Prints the figures (per form, then
// overall); docs/benchmarks-encoding.md quotes them. Run alone with
//   lockdiag_encoding_tests --gtest_filter='MojibakeCorpus.*'
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "corpus_util.h"
#include "core/encoding/charsets.h"
#include "core/encoding/mojibake.h"

namespace lockdiag {
namespace encoding {
namespace {

std::string Hex(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    std::snprintf(buf, sizeof buf, "%02X ", c);
    out += buf;
  }
  return out;
}

TEST(MojibakeCorpus, PrecisionAndRecallMeetTargets) {
  std::vector<CorpusCase> cases = LoadCorpus();
  ASSERT_GT(cases.size(), 1000u) << "corpus missing: " << LOCKDIAG_TEST_DATA_DIR;
  struct Counts {
    int tp = 0, fp = 0, fn = 0, tn = 0;
  };
  std::map<std::string, Counts> by_form;
  Counts all;
  int shown = 0;
  for (const CorpusCase& c : cases) {
    MojibakeResult r = DetectDoubleEncoding(LookupCharset(c.client_charset), c.bytes);
    Counts& f = by_form[c.form];
    if (r.suspected && c.expected) {
      f.tp++, all.tp++;
    } else if (r.suspected) {
      f.fp++, all.fp++;
    } else if (c.expected) {
      f.fn++, all.fn++;
    } else {
      f.tn++, all.tn++;
    }
    if (r.suspected != c.expected && shown++ < 40) {
      std::printf(
          "  miss: expected=%d form=%s client=%s sample=%s evidence=%.2f contradictions=%u bytes=%s\n",
          c.expected, c.form.c_str(), c.client_charset.c_str(), c.sample.c_str(), r.evidence,
          r.contradictions, Hex(c.bytes.substr(0, 48)).c_str());
    }
  }
  std::printf("%-22s %6s %6s %6s %6s\n", "form", "TP", "FP", "FN", "TN");
  for (const auto& [form, f] : by_form) {
    std::printf("%-22s %6d %6d %6d %6d\n", form.c_str(), f.tp, f.fp, f.fn, f.tn);
  }
  double precision = all.tp + all.fp == 0 ? 1.0 : static_cast<double>(all.tp) / (all.tp + all.fp);
  double recall = all.tp + all.fn == 0 ? 1.0 : static_cast<double>(all.tp) / (all.tp + all.fn);
  std::printf("cases=%zu TP=%d FP=%d FN=%d TN=%d precision=%.4f recall=%.4f\n", cases.size(), all.tp, all.fp,
              all.fn, all.tn, precision, recall);
  EXPECT_GE(precision, 0.99);
  EXPECT_GE(recall, 0.95);
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
