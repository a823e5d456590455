// scan.h: validates bytes against the character set they are declared in.
//
// The first question on the hot path is "is it all ASCII?"; AsciiPrefixLength
// answers it at memory speed (SSE2 on every x86-64, AVX2 when the CPU has it,
// chosen once at run time; a portable word-at-a-time loop elsewhere). Only
// values with a byte >= 0x80 go on to the per-charset scanner.
//
//   ScanResult r = ScanValue(LookupCharset("utf8mb3"), value);
//   if (!r.valid) ReportAt(r.error_pos, r.error_len);
//
// What "valid" means is what MariaDB 10.11 accepts:
//   * utf8mb4: RFC 3629 (no overlongs, nothing above U+10FFFF) except that,
//     like the server, encoded surrogates (ED A0..BF xx) are accepted;
//     utf8mb3: the same without 4-byte sequences.
//   * single-byte sets: every byte the server can convert to Unicode (its
//     mb_wc() does not reject it). MariaDB's latin1 maps all 256 bytes (it is
//     cp1252 with the five holes mapped to U+0081 U+008D U+008F U+0090
//     U+009D), so latin1 never has invalid bytes; cp1251 lacks 0x98, cp1250
//     lacks 0x81 0x83 0x88 0x90 0x98, ascii lacks 0x80-0xFF, etc.
//   * big5, sjis/cp932, gbk, gb2312, euckr, ujis/eucjpms: the lead/trail byte
//     structure the server's well_formed_char_length() checks.
//   * ucs2/utf16/utf16le/utf32: code unit structure (length, surrogate pairs,
//     range); these are never client character sets but binary clients may
//     write into such columns.
//   * binary and unknown charsets: always valid.
//
// All functions are pure and thread-safe, and never allocate.
#ifndef LOCKDIAG_CORE_ENCODING_SCAN_H_
#define LOCKDIAG_CORE_ENCODING_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/encoding/charsets.h"

namespace lockdiag {
namespace encoding {

// ScanResult: the outcome of validating one value.
struct ScanResult {
  bool valid = true;      // no invalid sequence
  bool ascii = true;      // every byte < 0x80 (then valid is true too, except for swe7 0x7F)
  size_t error_pos = 0;   // REQUIRES !valid: offset of the first byte of the first invalid sequence
  uint8_t error_len = 0;  // REQUIRES !valid: its length, 1..4 (the maximal ill-formed prefix)
};

// AsciiPrefixLength returns the offset of the first byte >= 0x80 in
// [data, data + size), or `size` when there is none.
size_t AsciiPrefixLength(const char* data, size_t size);

// AsciiPrefixLengthScalar: the same, one byte at a time (the benchmark's
// baseline and the reference the tests compare with).
size_t AsciiPrefixLengthScalar(const char* data, size_t size);

// ScanUtf8 validates UTF-8; `allow_4byte` false gives utf8mb3.
ScanResult ScanUtf8(const char* data, size_t size, bool allow_4byte);

// ScanUtf8Scalar: the portable implementation (the reference for tests).
ScanResult ScanUtf8Scalar(const char* data, size_t size, bool allow_4byte);

// ScanValue validates `value` in `cs`, dispatching on its kind.
ScanResult ScanValue(const Charset& cs, std::string_view value);

// kMaxCheckedValueBytes: the part of one value the checks read. A value is
// checked up to here (so a 24 MiB literal costs what 64 KiB does, at each
// execution); an invalid byte further on is left to the server's own
// warning 1366, which lockdiag records too (docs/encoding.md).
inline constexpr size_t kMaxCheckedValueBytes = 64 * 1024;

// CheckedPrefixLength: where to stop reading `value` in `cs` at about `cap`
// bytes, at a character boundary (a cut inside a character would look like
// an invalid byte): `value.size()` when it is not longer, else a boundary
// at or below `cap`; `value.size()` again when none can be found without
// scanning from the start (a long run of East Asian double-byte text with no
// ASCII byte, and the wide charsets, which are never client charsets).
size_t CheckedPrefixLength(const Charset& cs, std::string_view value, size_t cap = kMaxCheckedValueBytes);

// Which vector unit the dispatchers chose: "avx2", "sse2" or "scalar".
const char* ScanImplementation();

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ENCODING_SCAN_H_
