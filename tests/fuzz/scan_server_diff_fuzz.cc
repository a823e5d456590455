// scan_server_diff_fuzz.cc: the core's scanners against the server's own
// strings library (MariaDB's my_charset functions, from libmariadbd.a), as
// tests/unit/encoding/server/server_diff_test.cc does on fixed inputs.
//
// Input: one byte choosing the charset (among the multi-byte ones the server
// checks with well_formed_char_length(), or a single-byte one checked with
// mb_wc() byte by byte), then the value.
// Invariant: ScanValue finds the first ill-formed byte exactly where the
// server does, and a single-byte value is valid exactly when the server
// converts every one of its bytes.
#include <my_global.h>
#include <my_sys.h>
#include <m_ctype.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/encoding/charsets.h"
#include "core/encoding/scan.h"
#include "fuzz_check.h"

namespace {

using namespace lockdiag::encoding;

constexpr const char* kMultiByte[] = {"utf8mb3", "utf8mb4", "sjis",    "cp932", "gbk",   "gb2312",  "big5",
                                      "euckr",   "ujis",    "eucjpms", "ucs2",  "utf16", "utf16le", "utf32"};
constexpr size_t kMultiByteCount = sizeof kMultiByte / sizeof kMultiByte[0];
constexpr unsigned kSingleByteCount = kCharsetCount - static_cast<unsigned>(CharsetId::kDec8);

CHARSET_INFO* ServerCharset(const char* name) {
  static bool initialised = (my_init(), true);
  (void)initialised;
  return get_charset_by_csname(name, MY_CS_PRIMARY, MYF(0));
}

size_t ServerErrorPos(CHARSET_INFO* cs, std::string_view s) {
  MY_STRCOPY_STATUS status;
  cs->cset->well_formed_char_length(cs, s.data(), s.data() + s.size(), s.size() + 1, &status);
  if (status.m_well_formed_error_pos == nullptr) return std::string_view::npos;
  return static_cast<size_t>(status.m_well_formed_error_pos - s.data());
}

bool ServerConvertsEveryByte(CHARSET_INFO* cs, std::string_view s) {
  for (unsigned char c : s) {
    my_wc_t wc = 0;
    if (cs->cset->mb_wc(cs, &wc, &c, &c + 1) <= 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const unsigned choice = data[0] % (kMultiByteCount + kSingleByteCount);
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  if (choice < kMultiByteCount) {
    CHARSET_INFO* server = ServerCharset(kMultiByte[choice]);
    FUZZ_CHECK(server != nullptr);
    const ScanResult ours = ScanValue(LookupCharset(kMultiByte[choice]), value);
    FUZZ_CHECK(ServerErrorPos(server, value) == (ours.valid ? std::string_view::npos : ours.error_pos));
  } else {
    const Charset& cs = GetCharset(
        static_cast<CharsetId>(static_cast<unsigned>(CharsetId::kDec8) + choice - kMultiByteCount));
    CHARSET_INFO* server = ServerCharset(cs.name);
    FUZZ_CHECK(server != nullptr);
    FUZZ_CHECK(ServerConvertsEveryByte(server, value) == ScanValue(cs, value).valid);
  }
  return 0;
}
