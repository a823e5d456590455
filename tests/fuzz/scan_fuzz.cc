// scan_fuzz.cc: the validators and the charset table (core/encoding/scan.h,
// charsets.h) on arbitrary bytes.
//
// Input: one byte choosing the charset (its id, modulo kCharsetCount), then
// the value.
// Invariants:
//   * the vector paths agree with the scalar references (AsciiPrefixLength,
//     ScanUtf8 with and without 4-byte sequences), field by field;
//   * an invalid result points into the value (error_len 1..4) and scanning
//     is left to right: the bytes before the error are valid, the bytes from
//     the error on are invalid at once, with the same length;
//   * two valid values make a valid value (a scanner ends at a character
//     boundary); utf8mb3-valid implies utf8mb4-valid;
//   * `ascii` is true only for pure ASCII, and pure ASCII is valid in the
//     Unicode and single-byte sets (but swe7 0x7F);
//   * LookupCharset never fails, ignores ASCII case and finds every charset
//     by its own name; ConversionCanLose follows the rules of charsets.h for
//     the pairs it states outright.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/encoding/charsets.h"
#include "core/encoding/scan.h"
#include "fuzz_check.h"

namespace {

using namespace lockdiag::encoding;

bool Same(const ScanResult& a, const ScanResult& b) {
  return a.valid == b.valid && a.ascii == b.ascii &&
         (a.valid || (a.error_pos == b.error_pos && a.error_len == b.error_len));
}

void CheckVectorPaths(std::string_view v) {
  FUZZ_CHECK(AsciiPrefixLength(v.data(), v.size()) == AsciiPrefixLengthScalar(v.data(), v.size()));
  for (bool four : {false, true}) {
    FUZZ_CHECK(Same(ScanUtf8(v.data(), v.size(), four), ScanUtf8Scalar(v.data(), v.size(), four)));
  }
  if (ScanUtf8(v.data(), v.size(), false).valid) FUZZ_CHECK(ScanUtf8(v.data(), v.size(), true).valid);
}

void CheckScan(const Charset& cs, std::string_view v) {
  const ScanResult r = ScanValue(cs, v);
  const bool all_ascii = AsciiPrefixLength(v.data(), v.size()) == v.size();
  if (r.ascii) FUZZ_CHECK(all_ascii);
  if (all_ascii && cs.id != CharsetId::kSwe7 &&
      (cs.kind == CharsetKind::kUtf8 || cs.kind == CharsetKind::kSingleByte)) {
    FUZZ_CHECK(r.valid);
  }
  if (r.valid) {
    const std::string twice = std::string(v) + std::string(v);
    FUZZ_CHECK(ScanValue(cs, twice).valid);
    return;
  }
  FUZZ_CHECK(cs.kind != CharsetKind::kBinary && cs.kind != CharsetKind::kUnknown);
  FUZZ_CHECK(r.error_pos < v.size());
  FUZZ_CHECK(r.error_len >= 1 && r.error_len <= 4);
  FUZZ_CHECK(r.error_pos + r.error_len <= v.size());
  FUZZ_CHECK(ScanValue(cs, v.substr(0, r.error_pos)).valid);
  const ScanResult rest = ScanValue(cs, v.substr(r.error_pos));
  FUZZ_CHECK(!rest.valid && rest.error_pos == 0 && rest.error_len == r.error_len);
}

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

void CheckLookup(std::string_view name) {
  const Charset& cs = LookupCharset(name);
  FUZZ_CHECK(&GetCharset(cs.id) == &cs);
  FUZZ_CHECK(LookupCharset(AsciiUpper(name)).id == cs.id);
  if (cs.id != CharsetId::kUnknown) FUZZ_CHECK(LookupCharset(cs.name).id == cs.id);
}

void CheckConversion(CharsetId a) {
  FUZZ_CHECK(!ConversionCanLose(a, a));
  FUZZ_CHECK(!ConversionCanLose(a, CharsetId::kBinary));
  FUZZ_CHECK(!ConversionCanLose(CharsetId::kBinary, a));
  FUZZ_CHECK(!ConversionCanLose(CharsetId::kUnknown, a) && !ConversionCanLose(a, CharsetId::kUnknown));
  FUZZ_CHECK(!ConversionCanLose(CharsetId::kAscii, a));
  FUZZ_CHECK(!ConversionCanLose(a, CharsetId::kUtf8mb4));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const CharsetId id = static_cast<CharsetId>(data[0] % kCharsetCount);
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  CheckVectorPaths(value);
  CheckScan(GetCharset(id), value);
  CheckLookup(value.substr(0, 64));
  CheckConversion(id);
  return 0;
}
