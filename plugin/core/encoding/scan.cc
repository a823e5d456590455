// scan.cc: ASCII fast path, UTF-8 validation (scalar and AVX2), single-byte,
// East Asian and wide-charset scanners.
//
// The AVX2 UTF-8 validator is the "lookup" algorithm of Keiser & Lemire,
// "Validating UTF-8 In Less Than One Instruction Per Byte" (2021): three
// 16-entry table lookups classify every (previous byte, byte) pair, and the
// 3rd/4th-byte continuation rule is checked with saturating subtractions.
// It only says whether a 32-byte block holds an error; the scalar validator
// then finds the exact position from the last character boundary before it.
#include "core/encoding/scan.h"

#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define LOCKDIAG_X86_64 1
#endif

namespace lockdiag {
namespace encoding {
namespace {

constexpr uint64_t kHighBits = 0x8080808080808080ull;

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Portable ASCII prefix: 8 bytes at a time.
size_t AsciiPrefixWords(const char* data, size_t size) {
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t hi = Load64(data + i) & kHighBits;
    if (hi != 0) return i + (__builtin_ctzll(hi) >> 3);
  }
  for (; i < size; i++) {
    if (static_cast<unsigned char>(data[i]) >= 0x80) return i;
  }
  return size;
}

#ifdef LOCKDIAG_X86_64

size_t AsciiPrefixSse2(const char* data, size_t size) {
  size_t i = 0;
  for (; i + 64 <= size; i += 64) {
    __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
    __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 16));
    __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 32));
    __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i + 48));
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d))) != 0) break;
  }
  for (; i + 16 <= size; i += 16) {
    int m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i)));
    if (m != 0) return i + __builtin_ctz(static_cast<unsigned>(m));
  }
  return i + AsciiPrefixWords(data + i, size - i);
}

__attribute__((target("avx2"))) size_t AsciiPrefixAvx2(const char* data, size_t size) {
  if (size < 32) {
    // Short values (most column values): two overlapping 16-byte loads, or words.
    if (size >= 16) {
      int m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data)));
      if (m != 0) return __builtin_ctz(static_cast<unsigned>(m));
      m = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + size - 16)));
      return m != 0 ? size - 16 + __builtin_ctz(static_cast<unsigned>(m)) : size;
    }
    return AsciiPrefixWords(data, size);
  }
  size_t i = 0;
  for (; i + 128 <= size; i += 128) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32));
    __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 64));
    __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 96));
    if (_mm256_movemask_epi8(_mm256_or_si256(_mm256_or_si256(a, b), _mm256_or_si256(c, d))) != 0) break;
  }
  for (; i + 32 <= size; i += 32) {
    int m = _mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i)));
    if (m != 0) return i + __builtin_ctz(static_cast<unsigned>(m));
  }
  if (i == size) return size;
  // The tail: one load ending at the last byte; its overlap with bytes
  // already checked is ASCII, so the first high bit is in the tail.
  int m = _mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + size - 32)));
  return m != 0 ? size - 32 + __builtin_ctz(static_cast<unsigned>(m)) : size;
}

#endif  // LOCKDIAG_X86_64

ScanResult Invalid(size_t pos, size_t len) {
  ScanResult r;
  r.valid = false;
  r.ascii = false;
  r.error_pos = pos;
  r.error_len = static_cast<uint8_t>(len);
  return r;
}

inline bool IsCont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Scalar UTF-8 from `start` (which must be a character boundary).
ScanResult Utf8ScalarFrom(const unsigned char* p, size_t n, size_t start, bool allow_4byte) {
  size_t i = start;
  while (i < n) {
    unsigned c = p[i];
    if (c < 0x80) {
      i++;
      while (i + 8 <= n && (Load64(reinterpret_cast<const char*>(p + i)) & kHighBits) == 0) i += 8;
      continue;
    }
    if (c < 0xC2) return Invalid(i, 1);
    if (c < 0xE0) {
      if (i + 1 >= n || !IsCont(p[i + 1])) return Invalid(i, 1);
      i += 2;
      continue;
    }
    if (c < 0xF0) {
      // MariaDB accepts encoded surrogates (ED A0..BF xx), so no ED rule.
      unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
      if (i + 1 >= n || p[i + 1] < lo || p[i + 1] > 0xBF) return Invalid(i, 1);
      if (i + 2 >= n || !IsCont(p[i + 2])) return Invalid(i, 2);
      i += 3;
      continue;
    }
    if (c < 0xF5) {
      unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
      if (i + 1 >= n || p[i + 1] < lo || p[i + 1] > hi) return Invalid(i, 1);
      if (i + 2 >= n || !IsCont(p[i + 2])) return Invalid(i, 2);
      if (i + 3 >= n || !IsCont(p[i + 3])) return Invalid(i, 3);
      if (!allow_4byte) return Invalid(i, 4);  // well formed, but utf8mb3 has no 4-byte characters
      i += 4;
      continue;
    }
    return Invalid(i, 1);
  }
  ScanResult ok;
  ok.ascii = false;
  return ok;
}

// Where the scalar validator resumes when the vector one stops at `i`: the
// lead byte of a character that may straddle `i`, else `i`.
size_t ResumePoint(const unsigned char* p, size_t i) {
  for (size_t back = 1; back <= 3 && back <= i; back++) {
    unsigned char c = p[i - back];
    if (c >= 0xC0) return i - back;
    if (c < 0x80) return i;
  }
  return i;
}

#ifdef LOCKDIAG_X86_64

#define LOCKDIAG_AVX2 __attribute__((target("avx2")))

// Error classes of the lookup algorithm (one bit each; see the paper).
constexpr uint8_t kTooShort = 1 << 0;      // 11______ 0_______ / 11______ 11______
constexpr uint8_t kTooLong = 1 << 1;       // 0_______ 10______
constexpr uint8_t kOverlong3 = 1 << 2;     // 11100000 100_____
constexpr uint8_t kTooLarge = 1 << 3;      // 11110100 1001____ / 11110100 101_____ / 11110101+
constexpr uint8_t kSurrogate = 1 << 4;     // 11101101 101_____
constexpr uint8_t kOverlong2 = 1 << 5;     // 1100000_ 10______
constexpr uint8_t kTooLarge1000 = 1 << 6;  // 11110101+ 1000____
constexpr uint8_t kOverlong4 = 1 << 6;     // 11110000 1000____
constexpr uint8_t kTwoConts = 1 << 7;      // 10______ 10______
constexpr uint8_t kCarry = kTooShort | kTooLong | kTwoConts;

#define LOCKDIAG_TABLE16(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

template <int N>
LOCKDIAG_AVX2 inline __m256i PrevBytes(__m256i input, __m256i prev_input) {
  return _mm256_alignr_epi8(input, _mm256_permute2x128_si256(prev_input, input, 0x21), 16 - N);
}

LOCKDIAG_AVX2 inline __m256i HighNibbles(__m256i v) {
  return _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F));
}

LOCKDIAG_AVX2 inline __m256i SpecialCases(__m256i input, __m256i prev1) {
  const __m256i byte_1_high_table =
      LOCKDIAG_TABLE16(kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong, kTooLong,  //
                       kTwoConts, kTwoConts, kTwoConts, kTwoConts,                                      //
                       static_cast<char>(kTooShort | kOverlong2),                                       //
                       kTooShort,                                                                       //
                       static_cast<char>(kTooShort | kOverlong3 | kSurrogate),                          //
                       static_cast<char>(kTooShort | kTooLarge | kTooLarge1000 | kOverlong4));
  const __m256i byte_1_low_table =
      LOCKDIAG_TABLE16(static_cast<char>(kCarry | kOverlong3 | kOverlong2 | kOverlong4),  //
                       static_cast<char>(kCarry | kOverlong2),                            //
                       kCarry, kCarry,                                                    //
                       static_cast<char>(kCarry | kTooLarge),                             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),             //
                       // ____1101: kSurrogate left out: MariaDB accepts ED A0..BF (surrogates).
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),  //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000),  //
                       static_cast<char>(kCarry | kTooLarge | kTooLarge1000));
  const __m256i byte_2_high_table = LOCKDIAG_TABLE16(
      kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort, kTooShort,  //
      static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge1000 | kOverlong4),
      static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kOverlong3 | kTooLarge),
      static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge),
      static_cast<char>(kTooLong | kOverlong2 | kTwoConts | kSurrogate | kTooLarge),  //
      kTooShort, kTooShort, kTooShort, kTooShort);
  __m256i b1h = _mm256_shuffle_epi8(byte_1_high_table, HighNibbles(prev1));
  __m256i b1l = _mm256_shuffle_epi8(byte_1_low_table, _mm256_and_si256(prev1, _mm256_set1_epi8(0x0F)));
  __m256i b2h = _mm256_shuffle_epi8(byte_2_high_table, HighNibbles(input));
  return _mm256_and_si256(_mm256_and_si256(b1h, b1l), b2h);
}

LOCKDIAG_AVX2 inline __m256i BlockErrors(__m256i input, __m256i prev_input) {
  __m256i prev1 = PrevBytes<1>(input, prev_input);
  __m256i sc = SpecialCases(input, prev1);
  __m256i prev2 = PrevBytes<2>(input, prev_input);
  __m256i prev3 = PrevBytes<3>(input, prev_input);
  __m256i third = _mm256_subs_epu8(prev2, _mm256_set1_epi8(static_cast<char>(0xE0 - 0x80)));
  __m256i fourth = _mm256_subs_epu8(prev3, _mm256_set1_epi8(static_cast<char>(0xF0 - 0x80)));
  __m256i must23_80 =
      _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(static_cast<char>(0x80)));
  return _mm256_xor_si256(must23_80, sc);
}

LOCKDIAG_AVX2 inline __m256i Incomplete(__m256i input) {
  const __m256i max_value = _mm256_setr_epi8(
      -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
      -1, -1, -1, static_cast<char>(0xF0 - 1), static_cast<char>(0xE0 - 1), static_cast<char>(0xC0 - 1));
  return _mm256_subs_epu8(input, max_value);
}

LOCKDIAG_AVX2 ScanResult Utf8Avx2(const unsigned char* p, size_t n, bool allow_4byte) {
  size_t i = AsciiPrefixAvx2(reinterpret_cast<const char*>(p), n);
  if (i == n) return ScanResult{};
  // Start at a 32-byte block holding the first non-ASCII byte; the block
  // before it is ASCII, so prev_input = 0 is exact.
  i &= ~static_cast<size_t>(31);
  __m256i prev_input = _mm256_setzero_si256();
  __m256i prev_incomplete = _mm256_setzero_si256();
  const __m256i f0_floor = _mm256_set1_epi8(static_cast<char>(0xEF));
  for (; i + 32 <= n; i += 32) {
    __m256i input = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
    __m256i error;
    if (_mm256_movemask_epi8(input) == 0) {
      error = prev_incomplete;
      prev_incomplete = _mm256_setzero_si256();
    } else {
      error = BlockErrors(input, prev_input);
      if (!allow_4byte) error = _mm256_or_si256(error, _mm256_subs_epu8(input, f0_floor));
      prev_incomplete = Incomplete(input);
    }
    prev_input = input;
    if (!_mm256_testz_si256(error, error)) {
      return Utf8ScalarFrom(p, n, ResumePoint(p, i), allow_4byte);
    }
  }
  return Utf8ScalarFrom(p, n, ResumePoint(p, i), allow_4byte);
}

enum class Isa { kScalar, kSse2, kAvx2 };

Isa DetectIsa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return Isa::kAvx2;
  return Isa::kSse2;  // every x86-64 CPU has SSE2
}

const Isa kIsa = DetectIsa();

#endif  // LOCKDIAG_X86_64

// ---- Single-byte -------------------------------------------------------

ScanResult ScanSingleByte(const Charset& cs, const unsigned char* p, size_t n) {
  size_t i = 0;
  if (cs.id != CharsetId::kSwe7) {  // swe7 is the one set that rejects an ASCII byte (0x7F)
    i = AsciiPrefixLength(reinterpret_cast<const char*>(p), n);
    if (i == n) return ScanResult{};
  }
  ScanResult r;
  for (; i < n; i++) {
    if (p[i] >= 0x80) r.ascii = false;
    if (cs.to_unicode[p[i]] == kNoCodePoint) return Invalid(i, 1);
  }
  return r;
}

// ---- East Asian --------------------------------------------------------

inline bool In(unsigned c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; }

// Length of the well-formed character at p[i] (1..3), or 0 when ill-formed;
// *bad_len gets the length of the ill-formed prefix.
size_t EastAsianChar(CharsetId id, const unsigned char* p, size_t n, size_t i) {
  unsigned c = p[i];
  unsigned d = i + 1 < n ? p[i + 1] : 0x100;  // 0x100: no such byte
  switch (id) {
    case CharsetId::kSjis:
    case CharsetId::kCp932:
      if (In(c, 0xA1, 0xDF)) return 1;  // half-width katakana
      if ((In(c, 0x81, 0x9F) || In(c, 0xE0, 0xFC)) && (In(d, 0x40, 0x7E) || In(d, 0x80, 0xFC))) return 2;
      return 0;
    case CharsetId::kGbk:
      return In(c, 0x81, 0xFE) && (In(d, 0x40, 0x7E) || In(d, 0x80, 0xFE)) ? 2 : 0;
    case CharsetId::kGb2312:
      return In(c, 0xA1, 0xF7) && In(d, 0xA1, 0xFE) ? 2 : 0;
    case CharsetId::kBig5:
      return In(c, 0xA1, 0xF9) && (In(d, 0x40, 0x7E) || In(d, 0xA1, 0xFE)) ? 2 : 0;
    case CharsetId::kEuckr:
      return In(c, 0x81, 0xFE) && (In(d, 0x41, 0x5A) || In(d, 0x61, 0x7A) || In(d, 0x81, 0xFE)) ? 2 : 0;
    case CharsetId::kUjis:
    case CharsetId::kEucjpms: {
      if (c == 0x8E) return In(d, 0xA1, 0xDF) ? 2 : 0;  // half-width katakana
      if (c == 0x8F) {                                  // JIS X 0212
        unsigned e = i + 2 < n ? p[i + 2] : 0x100;
        return In(d, 0xA1, 0xFE) && In(e, 0xA1, 0xFE) ? 3 : 0;
      }
      return In(c, 0xA1, 0xFE) && In(d, 0xA1, 0xFE) ? 2 : 0;
    }
    default:
      return 0;
  }
}

ScanResult ScanEastAsian(CharsetId id, const unsigned char* p, size_t n) {
  size_t i = AsciiPrefixLength(reinterpret_cast<const char*>(p), n);
  if (i == n) return ScanResult{};
  ScanResult r;
  r.ascii = false;
  while (i < n) {
    if (p[i] < 0x80) {
      i++;
      continue;
    }
    size_t len = EastAsianChar(id, p, n, i);
    if (len == 0) return Invalid(i, 1);
    i += len;
  }
  return r;
}

// ---- Wide (ucs2, utf16, utf16le, utf32) --------------------------------

ScanResult ScanWide(CharsetId id, const unsigned char* p, size_t n) {
  ScanResult r;
  r.ascii = false;
  if (id == CharsetId::kUtf32) {
    for (size_t i = 0; i < n; i += 4) {
      if (i + 4 > n) return Invalid(i, n - i);
      uint32_t cp =
          (uint32_t{p[i]} << 24) | (uint32_t{p[i + 1]} << 16) | (uint32_t{p[i + 2]} << 8) | p[i + 3];
      // Like the server's utf32 (my_utf32_uni), surrogate code points pass:
      // only what is past U+10FFFF is ill-formed.
      if (cp > 0x10FFFF) return Invalid(i, 4);
    }
    return r;
  }
  const bool le = id == CharsetId::kUtf16le;
  auto unit = [&](size_t i) -> unsigned { return le ? (p[i] | (p[i + 1] << 8)) : ((p[i] << 8) | p[i + 1]); };
  for (size_t i = 0; i < n; i += 2) {
    if (i + 2 > n) return Invalid(i, 1);
    unsigned u = unit(i);
    if (u < 0xD800 || u > 0xDFFF) continue;
    if (id == CharsetId::kUcs2) continue;  // the server takes any 16-bit unit in ucs2
    if (u >= 0xDC00 || i + 4 > n) return Invalid(i, 2);
    unsigned low = unit(i + 2);
    if (low < 0xDC00 || low > 0xDFFF) return Invalid(i, 2);
    i += 2;
  }
  return r;
}

}  // namespace

size_t AsciiPrefixLengthScalar(const char* data, size_t size) {
  for (size_t i = 0; i < size; i++) {
    if (static_cast<unsigned char>(data[i]) >= 0x80) return i;
  }
  return size;
}

size_t AsciiPrefixLength(const char* data, size_t size) {
#ifdef LOCKDIAG_X86_64
  if (kIsa == Isa::kAvx2) return AsciiPrefixAvx2(data, size);
  return AsciiPrefixSse2(data, size);
#else
  return AsciiPrefixWords(data, size);
#endif
}

ScanResult ScanUtf8Scalar(const char* data, size_t size, bool allow_4byte) {
  size_t i = AsciiPrefixWords(data, size);
  if (i == size) return ScanResult{};
  return Utf8ScalarFrom(reinterpret_cast<const unsigned char*>(data), size, i, allow_4byte);
}

ScanResult ScanUtf8(const char* data, size_t size, bool allow_4byte) {
#ifdef LOCKDIAG_X86_64
  if (kIsa == Isa::kAvx2) return Utf8Avx2(reinterpret_cast<const unsigned char*>(data), size, allow_4byte);
  size_t i = AsciiPrefixSse2(data, size);
  if (i == size) return ScanResult{};
  return Utf8ScalarFrom(reinterpret_cast<const unsigned char*>(data), size, i, allow_4byte);
#else
  return ScanUtf8Scalar(data, size, allow_4byte);
#endif
}

ScanResult ScanValue(const Charset& cs, std::string_view value) {
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  switch (cs.kind) {
    case CharsetKind::kUtf8:
      return ScanUtf8(value.data(), value.size(), cs.id == CharsetId::kUtf8mb4);
    case CharsetKind::kSingleByte:
      return ScanSingleByte(cs, p, value.size());
    case CharsetKind::kEastAsian:
      return ScanEastAsian(cs.id, p, value.size());
    case CharsetKind::kWide:
      return ScanWide(cs.id, p, value.size());
    case CharsetKind::kBinary:
    case CharsetKind::kUnknown:
    default: {
      ScanResult r;
      r.ascii = AsciiPrefixLength(value.data(), value.size()) == value.size();
      return r;
    }
  }
}

const char* ScanImplementation() {
#ifdef LOCKDIAG_X86_64
  return kIsa == Isa::kAvx2 ? "avx2" : "sse2";
#else
  return "scalar";
#endif
}

size_t CheckedPrefixLength(const Charset& cs, std::string_view value, size_t cap) {
  if (value.size() <= cap || cap == 0) return value.size();
  auto byte = [&value](size_t i) { return static_cast<unsigned char>(value[i]); };
  switch (cs.kind) {
    case CharsetKind::kUnknown:
    case CharsetKind::kBinary:
      return cap;
    case CharsetKind::kSingleByte:  // every byte is a character, but the
                                    // double-encoding check reads UTF-8 sequences in it: not one cut in two.
    case CharsetKind::kUtf8: {
      // Back up over continuation bytes to the start of a character.
      size_t cut = cap;
      while (cut > 0 && cut + 3 > cap && (byte(cut) & 0xC0) == 0x80) --cut;
      return cut;
    }
    case CharsetKind::kEastAsian: {
      // A byte below 0x80 ends a character in every such charset (it is
      // ASCII, or a trail byte): cut right after the nearest one.
      constexpr size_t kLookBack = 4096;
      for (size_t cut = cap; cut > 0 && cut + kLookBack > cap; --cut) {
        if (byte(cut - 1) < 0x80) return cut;
      }
      return value.size();
    }
    case CharsetKind::kWide:
      return value.size();
  }
  return value.size();
}

}  // namespace encoding
}  // namespace lockdiag
