// server_diff_test.cc: the scanners against the server's own checks
// (MariaDB's strings library from libmariadbd.a): for every multi-byte
// charset the first invalid position must match the server's
// well_formed_char_length(); for single-byte sets every byte's validity must
// match the server's mb_wc(). Built only when libmariadbd.a is installed.
#include <my_global.h>
#include <my_sys.h>
#include <m_ctype.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "core/encoding/charsets.h"
#include "core/encoding/scan.h"

namespace lockdiag {
namespace encoding {
namespace {

CHARSET_INFO* ServerCharset(const char* name) {
  static bool initialised = (my_init(), true);
  (void)initialised;
  return get_charset_by_csname(name, MY_CS_PRIMARY, MYF(0));
}

// The server's verdict: offset of the first ill-formed byte, or npos.
size_t ServerErrorPos(CHARSET_INFO* cs, const std::string& s) {
  MY_STRCOPY_STATUS status;
  cs->cset->well_formed_char_length(cs, s.data(), s.data() + s.size(), s.size() + 1, &status);
  if (status.m_well_formed_error_pos == nullptr) return std::string::npos;
  return static_cast<size_t>(status.m_well_formed_error_pos - s.data());
}

size_t OurErrorPos(const Charset& cs, const std::string& s) {
  ScanResult r = ScanValue(cs, s);
  return r.valid ? std::string::npos : r.error_pos;
}

std::string Hex(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    std::snprintf(buf, sizeof buf, "%02X ", c);
    out += buf;
  }
  return out;
}

class ServerDiff : public ::testing::TestWithParam<const char*> {};

TEST_P(ServerDiff, AllTwoByteStrings) {
  CHARSET_INFO* server = ServerCharset(GetParam());
  ASSERT_NE(server, nullptr);
  const Charset& ours = LookupCharset(GetParam());
  std::string s(2, '\0');
  for (int a = 0; a < 256; a++) {
    for (int b = 0; b < 256; b++) {
      s[0] = static_cast<char>(a);
      s[1] = static_cast<char>(b);
      ASSERT_EQ(ServerErrorPos(server, s), OurErrorPos(ours, s)) << GetParam() << " " << a << " " << b;
    }
  }
}

TEST_P(ServerDiff, RandomStrings) {
  CHARSET_INFO* server = ServerCharset(GetParam());
  ASSERT_NE(server, nullptr);
  const Charset& ours = LookupCharset(GetParam());
  std::mt19937 rng(42);
  std::string s;
  for (int iter = 0; iter < 200000; iter++) {
    size_t len = rng() % 80;
    s.clear();
    // Mostly high bytes, so that most strings hold several multi-byte
    // characters before their first error; some ASCII between them.
    for (size_t i = 0; i < len; i++) {
      unsigned r = rng();
      s.push_back(static_cast<char>((r & 0x300) == 0 ? (r & 0x7F) : (0x80 | (r & 0x7F))));
    }
    ASSERT_EQ(ServerErrorPos(server, s), OurErrorPos(ours, s))
        << GetParam() << " iteration " << iter << ": " << Hex(s);
  }
}

INSTANTIATE_TEST_SUITE_P(MultiByte, ServerDiff,
                         ::testing::Values("utf8mb3", "utf8mb4", "sjis", "cp932", "gbk", "gb2312", "big5",
                                           "euckr", "ujis", "eucjpms", "ucs2", "utf16", "utf16le", "utf32"));

TEST(ServerDiffSingleByte, EveryByteOfEverySingleByteCharset) {
  for (unsigned id = static_cast<unsigned>(CharsetId::kDec8); id < kCharsetCount; id++) {
    const Charset& ours = GetCharset(static_cast<CharsetId>(id));
    CHARSET_INFO* server = ServerCharset(ours.name);
    ASSERT_NE(server, nullptr) << ours.name;
    for (int b = 0; b < 256; b++) {
      uchar c = static_cast<uchar>(b);
      my_wc_t wc = 0;
      bool server_ok = server->cset->mb_wc(server, &wc, &c, &c + 1) > 0;
      std::string s(1, static_cast<char>(b));
      EXPECT_EQ(server_ok, ScanValue(ours, s).valid) << ours.name << " byte " << b;
    }
  }
}

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
