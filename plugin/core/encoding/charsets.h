// charsets.h: the character sets MariaDB 10.11 names in `cs_name`, as the
// encoding core sees them: an id, a kind, the byte -> Unicode table of the
// single-byte ones (taken from the server, see sb_tables.inc), and whether a
// conversion between two of them can lose characters.
//
//   const Charset& client = LookupCharset("utf8mb4");
//   const Charset& column = LookupCharset("latin1_swedish_ci");  // collations work too
//   if (ConversionCanLose(client.id, column.id)) { ... CHARSET_MISMATCH ... }
//
// All functions are pure and thread-safe; the tables are built at compile
// time or on first use (thread-safe static initialisation) and never change.
#ifndef LOCKDIAG_CORE_ENCODING_CHARSETS_H_
#define LOCKDIAG_CORE_ENCODING_CHARSETS_H_

#include <cstdint>
#include <string_view>

namespace lockdiag {
namespace encoding {

// CharsetId: one per MariaDB character set (10.11's `SHOW CHARACTER SET`).
enum class CharsetId : uint8_t {
  kUnknown = 0,
  kBinary,
  // Unicode.
  kUtf8mb3,
  kUtf8mb4,
  kUcs2,
  kUtf16,
  kUtf16le,
  kUtf32,
  // East Asian multi-byte.
  kBig5,
  kSjis,
  kCp932,
  kUjis,
  kEucjpms,
  kEuckr,
  kGb2312,
  kGbk,
  // Single-byte (in the order of sb_tables.inc).
  kDec8,
  kCp850,
  kHp8,
  kKoi8r,
  kLatin1,  // MariaDB's latin1 is Windows-1252 with 0x81 0x8D 0x8F 0x90 0x9D mapped to U+0081...: all 256
            // bytes map.
  kLatin2,
  kSwe7,
  kAscii,
  kHebrew,
  kTis620,
  kKoi8u,
  kGreek,
  kCp1250,
  kLatin5,
  kArmscii8,
  kCp866,
  kKeybcs2,
  kMacce,
  kMacroman,
  kCp852,
  kLatin7,
  kCp1251,
  kCp1256,
  kCp1257,
  kGeostd8,
  kCount
};
inline constexpr unsigned kCharsetCount = static_cast<unsigned>(CharsetId::kCount);

enum class CharsetKind : uint8_t {
  kUnknown,     // a name lockdiag does not know: never judged
  kBinary,      // no character set: bytes are stored as they come
  kSingleByte,  // one byte per character, table in `to_unicode`
  kUtf8,        // utf8mb3 (no 4-byte sequences) and utf8mb4
  kEastAsian,   // big5, sjis, cp932, ujis, eucjpms, euckr, gb2312, gbk
  kWide,        // ucs2, utf16, utf16le, utf32 (never a client character set)
};

// Unicode code point of a byte a single-byte charset does not define (the
// server converts it to '?' with warning 1366).
inline constexpr uint16_t kNoCodePoint = 0xFFFF;

// Charset: static description of one character set. Never freed; compare by id.
struct Charset {
  CharsetId id;
  const char* name;  // MariaDB's cs_name, e.g. "utf8mb4"; "" for kUnknown
  CharsetKind kind;
  uint8_t max_bytes;           // mbmaxlen; 0 for kUnknown
  const uint16_t* to_unicode;  // 256 entries for kSingleByte, else nullptr
  bool multi_byte() const { return max_bytes > 1; }
};

// LookupCharset maps a MariaDB character set name (`cs_name`, e.g. "latin1"),
// an alias ("utf8" = utf8mb3, "utf8mb3", "cp1252" = latin1) or a collation
// name ("utf8mb4_unicode_ci": the part before the first '_' that names a
// charset) to its description, ignoring ASCII case. Unknown or empty names
// return the kUnknown entry (never nullptr). Cost: a few short compares, no
// allocation.
const Charset& LookupCharset(std::string_view name);

// GetCharset returns the description of `id` (kUnknown for out-of-range ids).
const Charset& GetCharset(CharsetId id);

// ConversionCanLose: true when converting text from `client` into `column`
// can lose characters, i.e. some character of the client's repertoire has no
// equivalent in the column's (the server then stores '?' or rejects the
// value). Rules:
//   * same charset: false.
//   * column binary: false (bytes are stored unconverted).
//   * client binary: false (no conversion happens; the bytes are only checked
//     against the column's charset, which ScanValue does).
//   * kUnknown on either side: false (lockdiag does not judge what it does not know).
//   * from ascii: false (every charset holds ASCII).
//   * into utf8mb4/utf16/utf16le/utf32: false from anything.
//   * into utf8mb3/ucs2 (the BMP): true only from utf8mb4/utf16/utf16le/utf32.
//   * single-byte into single-byte: decided byte by byte from the server's tables
//     (e.g. ascii -> latin1 false, latin1 -> cp1251 true).
//   * anything else (Unicode or East Asian into single-byte or another East
//     Asian set; single-byte into East Asian): true.
bool ConversionCanLose(CharsetId client, CharsetId column);

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ENCODING_CHARSETS_H_
