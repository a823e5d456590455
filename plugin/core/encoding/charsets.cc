// charsets.cc: the charset table, name lookup and the lossy-conversion matrix.
#include "core/encoding/charsets.h"

#include "core/common/text.h"

#include <array>
#include <bitset>

namespace lockdiag {
namespace encoding {
namespace {

struct SingleByteTable {
  const char* name;
  uint16_t to_unicode[256];
};

// Generated from the server's strings library; see the file's header.
constexpr SingleByteTable kSingleByteTables[] = {
#include "core/encoding/sb_tables.inc"
};
constexpr unsigned kFirstSingleByte = static_cast<unsigned>(CharsetId::kDec8);
static_assert(sizeof(kSingleByteTables) / sizeof(kSingleByteTables[0]) == kCharsetCount - kFirstSingleByte,
              "sb_tables.inc and CharsetId disagree");

constexpr Charset Sb(CharsetId id) {
  return Charset{id, kSingleByteTables[static_cast<unsigned>(id) - kFirstSingleByte].name,
                 CharsetKind::kSingleByte, 1,
                 kSingleByteTables[static_cast<unsigned>(id) - kFirstSingleByte].to_unicode};
}

constexpr Charset kCharsets[kCharsetCount] = {
    {CharsetId::kUnknown, "", CharsetKind::kUnknown, 0, nullptr},
    {CharsetId::kBinary, "binary", CharsetKind::kBinary, 1, nullptr},
    {CharsetId::kUtf8mb3, "utf8mb3", CharsetKind::kUtf8, 3, nullptr},
    {CharsetId::kUtf8mb4, "utf8mb4", CharsetKind::kUtf8, 4, nullptr},
    {CharsetId::kUcs2, "ucs2", CharsetKind::kWide, 2, nullptr},
    {CharsetId::kUtf16, "utf16", CharsetKind::kWide, 4, nullptr},
    {CharsetId::kUtf16le, "utf16le", CharsetKind::kWide, 4, nullptr},
    {CharsetId::kUtf32, "utf32", CharsetKind::kWide, 4, nullptr},
    {CharsetId::kBig5, "big5", CharsetKind::kEastAsian, 2, nullptr},
    {CharsetId::kSjis, "sjis", CharsetKind::kEastAsian, 2, nullptr},
    {CharsetId::kCp932, "cp932", CharsetKind::kEastAsian, 2, nullptr},
    {CharsetId::kUjis, "ujis", CharsetKind::kEastAsian, 3, nullptr},
    {CharsetId::kEucjpms, "eucjpms", CharsetKind::kEastAsian, 3, nullptr},
    {CharsetId::kEuckr, "euckr", CharsetKind::kEastAsian, 2, nullptr},
    {CharsetId::kGb2312, "gb2312", CharsetKind::kEastAsian, 2, nullptr},
    {CharsetId::kGbk, "gbk", CharsetKind::kEastAsian, 2, nullptr},
    Sb(CharsetId::kDec8),
    Sb(CharsetId::kCp850),
    Sb(CharsetId::kHp8),
    Sb(CharsetId::kKoi8r),
    Sb(CharsetId::kLatin1),
    Sb(CharsetId::kLatin2),
    Sb(CharsetId::kSwe7),
    Sb(CharsetId::kAscii),
    Sb(CharsetId::kHebrew),
    Sb(CharsetId::kTis620),
    Sb(CharsetId::kKoi8u),
    Sb(CharsetId::kGreek),
    Sb(CharsetId::kCp1250),
    Sb(CharsetId::kLatin5),
    Sb(CharsetId::kArmscii8),
    Sb(CharsetId::kCp866),
    Sb(CharsetId::kKeybcs2),
    Sb(CharsetId::kMacce),
    Sb(CharsetId::kMacroman),
    Sb(CharsetId::kCp852),
    Sb(CharsetId::kLatin7),
    Sb(CharsetId::kCp1251),
    Sb(CharsetId::kCp1256),
    Sb(CharsetId::kCp1257),
    Sb(CharsetId::kGeostd8),
};

constexpr bool TableOrderIsRight() {
  for (unsigned i = 0; i < kCharsetCount; i++) {
    if (static_cast<unsigned>(kCharsets[i].id) != i) return false;
  }
  return true;
}
static_assert(TableOrderIsRight(), "kCharsets must be indexed by CharsetId");

const Charset* FindExact(std::string_view name) {
  if (name.empty()) return nullptr;
  const char first = AsciiLower(name[0]);
  for (unsigned i = 1; i < kCharsetCount; i++) {
    if (kCharsets[i].name[0] != first) continue;  // cheap reject before strlen
    if (EqualsIgnoreCase(name, kCharsets[i].name)) return &kCharsets[i];
  }
  // Aliases: "utf8" is utf8mb3 under 10.11's default old_mode
  // (UTF8_IS_UTF8MB3); "cp1252" is what MariaDB calls latin1.
  if (EqualsIgnoreCase(name, "utf8")) return &kCharsets[static_cast<unsigned>(CharsetId::kUtf8mb3)];
  if (EqualsIgnoreCase(name, "cp1252")) return &kCharsets[static_cast<unsigned>(CharsetId::kLatin1)];
  return nullptr;
}

// Repertoire of Unicode-capable sets: 2 = all of Unicode, 1 = BMP only, 0 = not Unicode.
int UnicodeReach(CharsetId id) {
  switch (id) {
    case CharsetId::kUtf8mb4:
    case CharsetId::kUtf16:
    case CharsetId::kUtf16le:
    case CharsetId::kUtf32:
      return 2;
    case CharsetId::kUtf8mb3:
    case CharsetId::kUcs2:
      return 1;
    default:
      return 0;
  }
}

bool SingleByteFitsIn(const Charset& from, const Charset& to) {
  std::bitset<0x10000> target;
  for (int b = 0; b < 256; b++) {
    if (to.to_unicode[b] != kNoCodePoint) target.set(to.to_unicode[b]);
  }
  for (int b = 0; b < 256; b++) {
    uint16_t cp = from.to_unicode[b];
    if (cp != kNoCodePoint && !target.test(cp)) return false;
  }
  return true;
}

bool ComputeCanLose(CharsetId client, CharsetId column) {
  const Charset& from = GetCharset(client);
  const Charset& to = GetCharset(column);
  if (client == column) return false;
  if (to.kind == CharsetKind::kBinary || from.kind == CharsetKind::kBinary) return false;
  if (to.kind == CharsetKind::kUnknown || from.kind == CharsetKind::kUnknown) return false;
  if (client == CharsetId::kAscii) return false;
  int to_reach = UnicodeReach(column);
  if (to_reach == 2) return false;
  if (to_reach == 1) return UnicodeReach(client) == 2;
  if (from.kind == CharsetKind::kSingleByte && to.kind == CharsetKind::kSingleByte) {
    return !SingleByteFitsIn(from, to);
  }
  return true;
}

struct LossMatrix {
  LossMatrix() {
    for (unsigned a = 0; a < kCharsetCount; a++) {
      for (unsigned b = 0; b < kCharsetCount; b++) {
        bits[a * kCharsetCount + b] = ComputeCanLose(static_cast<CharsetId>(a), static_cast<CharsetId>(b));
      }
    }
  }
  std::bitset<kCharsetCount * kCharsetCount> bits;
};

}  // namespace

const Charset& GetCharset(CharsetId id) {
  unsigned i = static_cast<unsigned>(id);
  return kCharsets[i < kCharsetCount ? i : 0];
}

const Charset& LookupCharset(std::string_view name) {
  if (const Charset* cs = FindExact(name)) return *cs;
  // A collation name: try every prefix ending before a '_' (longest first is
  // not needed: no charset name contains '_').
  size_t underscore = name.find('_');
  if (underscore != std::string_view::npos) {
    if (const Charset* cs = FindExact(name.substr(0, underscore))) return *cs;
  }
  return kCharsets[0];
}

bool ConversionCanLose(CharsetId client, CharsetId column) {
  static const LossMatrix matrix;  // ~200 KB of work once, then one bit test
  unsigned a = static_cast<unsigned>(client), b = static_cast<unsigned>(column);
  if (a >= kCharsetCount || b >= kCharsetCount) return false;
  return matrix.bits[a * kCharsetCount + b];
}

}  // namespace encoding
}  // namespace lockdiag
