// mojibake.h: the double-encoding heuristic behind SUSPECTED_DOUBLE_ENCODING.
//
// Two ways text gets double-encoded on its way into MariaDB:
//   Case A: the connection declares a single-byte character set (latin1,
//     cp1251, cp1250, ...) but the application sends UTF-8. The server
//     converts every byte as if it were a character: `Poème` sent as
//     50 6F C3 A8 6D 65 is stored as `PoÃ¨me`. Evidence: the bytes form
//     valid UTF-8 multi-byte sequences, which real single-byte text almost
//     never does (an upper-case accented letter followed by a symbol).
//   Case B: the connection is UTF-8 but the text was already double-encoded
//     upstream (`PoÃ¨me`, `donâ€™t`, `Ð¿Ñ€Ð¸Ð²ÐµÑ‚`). Evidence: mapping the
//     characters back to bytes through latin1/cp1252, cp1251 or cp1250 gives
//     valid UTF-8 multi-byte sequences.
//
// The decision is a score, not one rule. Every candidate sequence that
// decodes to a code point earns points weighted by how plausible that code
// point is in real text (a Latin letter, Cyrillic, CJK or an emoji: high; a
// C1 control, IPA symbol or archaic Cyrillic: low) and by its length (longer
// sequences are rarer by chance). Every high byte that does not fit in a
// valid sequence is a contradiction and costs kContradictionCost points.
// A value is suspected when evidence >= kMinEvidence and
// score = evidence - kContradictionCost * contradictions >= 0. See
// docs/encoding.md for the rationale and docs/benchmarks-encoding.md for the
// measured precision and recall.
//
//   MojibakeResult r = DetectDoubleEncoding(LookupCharset("latin1"), value);
//   if (r.suspected) Record(r.evidence_pos, r.evidence_len);
//
// Pure, thread-safe, no allocation. Cost: one pass over the value per
// candidate (three for a UTF-8 client); ASCII-only values return at once.
#ifndef LOCKDIAG_CORE_ENCODING_MOJIBAKE_H_
#define LOCKDIAG_CORE_ENCODING_MOJIBAKE_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/encoding/charsets.h"

namespace lockdiag {
namespace encoding {

enum class MojibakeKind : uint8_t {
  kNone,
  kUtf8SentAsSingleByte,  // case A, single-byte client
  kUtf8SentAsEastAsian,   // case A, East Asian client (sjis, gbk, big5, ...)
  kAlreadyDoubleEncoded,  // case B, UTF-8 client
};

// kMinEvidence: one plausible two-byte sequence.
inline constexpr double kMinEvidence = 1.0;
// kContradictionCost: what one high byte outside a valid sequence costs.
inline constexpr double kContradictionCost = 1.5;
// kMinEvidenceEastAsian: East Asian bytes look like UTF-8 more often; ask for
// two plausible 3-byte sequences and no contradiction.
inline constexpr double kMinEvidenceEastAsian = 3.0;

struct MojibakeResult {
  bool suspected = false;
  MojibakeKind kind = MojibakeKind::kNone;
  // Case B: the single-byte charset the text went through (kLatin1 covers
  // cp1252 and ISO-8859-1); case A: the client charset.
  CharsetId via = CharsetId::kUnknown;
  double evidence = 0;          // weighted count of valid sequences
  uint32_t sequences = 0;       // valid sequences counted
  uint32_t contradictions = 0;  // high bytes outside any valid sequence
  double score = 0;             // evidence - kContradictionCost * contradictions
  size_t evidence_pos = 0;      // REQUIRES suspected: byte offset in the value of the first sequence
  uint8_t evidence_len = 0;     // REQUIRES suspected: its length in the value's bytes (<= 12)
};

// DetectDoubleEncoding judges one value as sent by a client whose declared
// character set is `client`. Returns suspected == false for ASCII-only
// values, for binary/unknown/wide client charsets, and (case B) for values
// that are not valid UTF-8.
MojibakeResult DetectDoubleEncoding(const Charset& client, std::string_view value);

// CodePointPlausibility: how likely code point `cp` is in real text, 0..1
// (exposed for tests).
double CodePointPlausibility(uint32_t cp);

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ENCODING_MOJIBAKE_H_
