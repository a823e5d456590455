// mojibake.cc: the scored double-encoding heuristic (see mojibake.h).
#include "core/encoding/mojibake.h"

#include <array>

#include "core/encoding/scan.h"

namespace lockdiag {
namespace encoding {
namespace {

// SequenceScorer consumes a stream of bytes (each tagged with the span of
// the value it came from) and scores the UTF-8 multi-byte sequences in it.
class SequenceScorer {
 public:
  // Feed one byte that came from value[offset, offset + len).
  void Feed(uint8_t b, size_t offset, size_t len) {
    if (need_ > 0) {
      bool ok = b >= lo_ && b <= hi_;
      if (ok) {
        cp_ = (cp_ << 6) | (b & 0x3F);
        end_ = offset + len;
        lo_ = 0x80;
        hi_ = 0xBF;
        if (--need_ == 0) Complete();
        return;
      }
      Abandon();
    }
    if (b < 0x80) return;
    if (b >= 0xC2 && b <= 0xF4) {
      start_ = offset;
      end_ = offset + len;
      lo_ = 0x80;
      hi_ = 0xBF;
      if (b < 0xE0) {
        need_ = 1;
        cp_ = b & 0x1F;
        length_ = 2;
      } else if (b < 0xF0) {
        need_ = 2;
        cp_ = b & 0x0F;
        length_ = 3;
        if (b == 0xE0) lo_ = 0xA0;
        if (b == 0xED) hi_ = 0x9F;  // surrogates are not evidence
      } else {
        need_ = 3;
        cp_ = b & 0x07;
        length_ = 4;
        if (b == 0xF0) lo_ = 0x90;
        if (b == 0xF4) hi_ = 0x8F;
      }
      return;
    }
    contradictions_++;  // stray continuation byte, C0, C1, F5..FF
  }

  // A character with no byte in the candidate charset: breaks any sequence.
  void Foreign() {
    if (need_ > 0) Abandon();
  }

  void Finish() {
    if (need_ > 0) Abandon();
  }

  double evidence() const { return evidence_; }
  uint32_t sequences() const { return sequences_; }
  uint32_t contradictions() const { return contradictions_; }
  // The first plausible sequence (else the first with any plausibility).
  size_t first_pos() const { return first_len_ != 0 ? first_pos_ : any_pos_; }
  size_t first_len() const { return first_len_ != 0 ? first_len_ : any_len_; }

 private:
  void Complete() {
    double p = CodePointPlausibility(cp_);
    double weight = p * (length_ == 2 ? 1.0 : length_ == 3 ? 1.5 : 2.0);
    evidence_ += weight;
    sequences_++;
    if (first_len_ == 0 && p >= 0.5) {
      first_pos_ = start_;
      first_len_ = end_ - start_;
    }
    // Evidence made only of unlikely characters can still add up to a
    // suspicion; its sample then shows the first of them.
    if (any_len_ == 0 && p > 0) {
      any_pos_ = start_;
      any_len_ = end_ - start_;
    }
  }
  // A sequence broken before its end: its lead and the continuation bytes
  // it had consumed are all high bytes outside a valid sequence.
  void Abandon() {
    contradictions_ += length_ - need_;
    need_ = 0;
  }

  unsigned need_ = 0;
  unsigned length_ = 0;
  uint32_t cp_ = 0;
  uint8_t lo_ = 0x80, hi_ = 0xBF;
  size_t start_ = 0, end_ = 0;
  double evidence_ = 0;
  uint32_t sequences_ = 0;
  uint32_t contradictions_ = 0;
  size_t first_pos_ = 0, first_len_ = 0;
  size_t any_pos_ = 0, any_len_ = 0;
};

// Reverse tables: Unicode code point (below kReverseLimit) -> byte of a
// single-byte charset, 0 when the charset has no such character.
constexpr uint32_t kReverseLimit = 0x2200;

struct ReverseTable {
  explicit ReverseTable(CharsetId id, bool identity_latin1) {
    bytes.fill(0);
    const Charset& cs = GetCharset(id);
    for (int b = 0x80; b < 256; b++) {
      uint16_t cp = cs.to_unicode[b];
      if (cp != kNoCodePoint && cp < kReverseLimit) bytes[cp] = static_cast<uint8_t>(b);
    }
    // ISO-8859-1 decoders (not MariaDB's) turn 0x80..0x9F into U+0080..U+009F:
    // accept both readings of those bytes.
    if (identity_latin1) {
      for (uint32_t cp = 0x80; cp < 0x100; cp++) bytes[cp] = static_cast<uint8_t>(cp);
    }
  }
  std::array<uint8_t, kReverseLimit> bytes;
};

struct Candidate {
  CharsetId id;
  ReverseTable table;
};

const std::array<Candidate, 3>& Candidates() {
  static const std::array<Candidate, 3> candidates = {
      Candidate{CharsetId::kLatin1, ReverseTable(CharsetId::kLatin1, true)},
      Candidate{CharsetId::kCp1251, ReverseTable(CharsetId::kCp1251, false)},
      Candidate{CharsetId::kCp1250, ReverseTable(CharsetId::kCp1250, false)},
  };
  return candidates;
}

// Decodes one UTF-8 character at value[i] (REQUIRES: value is valid UTF-8).
inline uint32_t DecodeAt(const unsigned char* p, size_t i, size_t* len) {
  unsigned c = p[i];
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if (c < 0xE0) {
    *len = 2;
    return ((c & 0x1F) << 6) | (p[i + 1] & 0x3F);
  }
  if (c < 0xF0) {
    *len = 3;
    return ((c & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
  }
  *len = 4;
  return ((c & 0x07) << 18) | ((p[i + 1] & 0x3F) << 12) | ((p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F);
}

double Score(const SequenceScorer& s) { return s.evidence() - kContradictionCost * s.contradictions(); }

bool Decide(const SequenceScorer& s, double min_evidence, bool allow_contradictions) {
  if (s.evidence() < min_evidence) return false;
  if (!allow_contradictions && s.contradictions() > 0) return false;
  return Score(s) >= 0;
}

void Fill(const SequenceScorer& s, bool suspected, MojibakeKind kind, CharsetId via, MojibakeResult* r) {
  r->suspected = suspected;
  r->kind = suspected ? kind : MojibakeKind::kNone;
  r->via = via;
  r->evidence = s.evidence();
  r->sequences = s.sequences();
  r->contradictions = s.contradictions();
  r->score = Score(s);
  r->evidence_pos = s.first_pos();
  r->evidence_len = static_cast<uint8_t>(s.first_len());
}

}  // namespace

double CodePointPlausibility(uint32_t cp) {
  if (cp < 0x80) return 0.0;  // overlong: impossible from a valid sequence
  if (cp < 0xA0) return 0.0;  // C1 controls
  if (cp < 0xC0) return 0.6;  // NBSP, (c), degree, guillemets...
  if (cp < 0x100) return (cp == 0xD7 || cp == 0xF7) ? 0.6 : 1.0;  // Latin-1 letters
  if (cp < 0x180) return 1.0;                                     // Latin Extended-A
  if (cp < 0x250) {  // Latin Extended-B: Romanian s/t comma, Vietnamese o/u horn
    if ((cp >= 0x218 && cp <= 0x21B) || (cp >= 0x1A0 && cp <= 0x1B0)) return 1.0;
    return 0.5;
  }
  if (cp < 0x300) return (cp == 0x2C6 || cp == 0x2DC) ? 0.5 : 0.2;  // IPA, spacing modifiers
  if (cp < 0x370) return 0.3;                                       // combining marks
  if (cp < 0x400) return (cp >= 0x386 && cp <= 0x3CE) ? 1.0 : 0.3;  // Greek
  if (cp < 0x460) return 1.0;                                       // Cyrillic
  if (cp < 0x490) return 0.2;                                       // archaic Cyrillic
  if (cp < 0x500) return (cp <= 0x491) ? 1.0 : 0.5;                 // Ukrainian ghe, other Cyrillic
  if (cp < 0x530) return 0.2;
  if (cp < 0x590) return 0.7;                                       // Armenian
  if (cp < 0x600) return (cp >= 0x5D0 && cp <= 0x5EA) ? 1.0 : 0.2;  // Hebrew letters / points
  if (cp < 0x700) return (cp >= 0x621 && cp <= 0x64A) ? 1.0 : 0.5;  // Arabic
  if (cp < 0x800) return 0.3;                                       // Syriac, Thaana, NKo
  // Three-byte sequences.
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0.0;
  if (cp >= 0xE000 && cp <= 0xF8FF) return 0.1;  // private use
  if (cp >= 0xFFF0 && cp < 0x10000) return 0.1;  // specials
  if (cp >= 0x2000 && cp <= 0x206F) return 1.0;  // general punctuation
  if (cp >= 0x20A0 && cp <= 0x20CF) return 1.0;  // currency
  if (cp >= 0x2100 && cp <= 0x2BFF) return 0.8;  // letterlike, arrows, maths, shapes, dingbats
  if (cp >= 0x0900 && cp <= 0x0E7F) return 1.0;  // Indic, Thai
  if (cp >= 0x10A0 && cp <= 0x10FF) return 1.0;  // Georgian
  if (cp >= 0x1E00 && cp <= 0x1EFF) return 1.0;  // Latin Extended Additional (Vietnamese)
  if (cp >= 0x3000 && cp <= 0x9FFF) return 1.0;  // CJK, kana
  if (cp >= 0xAC00 && cp <= 0xD7A3) return 1.0;  // Hangul
  if (cp >= 0xFF00 && cp <= 0xFFEF) return 1.0;  // full-width forms
  if (cp < 0x10000) return 0.5;
  // Four-byte sequences.
  if (cp >= 0x1F000 && cp <= 0x1FAFF) return 1.0;  // emoji, symbols
  if (cp >= 0x20000 && cp <= 0x3FFFF) return 0.8;  // CJK extensions
  return 0.3;
}

MojibakeResult DetectDoubleEncoding(const Charset& client, std::string_view value) {
  MojibakeResult result;
  const auto* p = reinterpret_cast<const unsigned char*>(value.data());
  const size_t n = value.size();
  size_t first = AsciiPrefixLength(value.data(), n);
  if (first == n) return result;

  switch (client.kind) {
    case CharsetKind::kSingleByte:
    case CharsetKind::kEastAsian: {
      // Case A: read the raw bytes as UTF-8.
      SequenceScorer s;
      for (size_t i = first; i < n; i++) s.Feed(p[i], i, 1);
      s.Finish();
      bool east_asian = client.kind == CharsetKind::kEastAsian;
      bool suspected = east_asian ? Decide(s, kMinEvidenceEastAsian, false) : Decide(s, kMinEvidence, true);
      Fill(s, suspected,
           east_asian ? MojibakeKind::kUtf8SentAsEastAsian : MojibakeKind::kUtf8SentAsSingleByte, client.id,
           &result);
      return result;
    }
    case CharsetKind::kUtf8: {
      // Case B: only text that is valid UTF-8 can have been re-encoded.
      if (!ScanUtf8(value.data() + first, n - first, true).valid) return result;
      bool have = false;
      for (const Candidate& c : Candidates()) {
        SequenceScorer s;
        size_t len = 0;
        for (size_t i = first; i < n; i += len) {
          uint32_t cp = DecodeAt(p, i, &len);
          if (cp < 0x80) {
            s.Feed(static_cast<uint8_t>(cp), i, len);
          } else if (cp < kReverseLimit && c.table.bytes[cp] != 0) {
            s.Feed(c.table.bytes[cp], i, len);
          } else {
            s.Foreign();
          }
        }
        s.Finish();
        bool suspected = Decide(s, kMinEvidence, true);
        double score = Score(s);
        // Keep the first suspected candidate; among unsuspected ones, the best score.
        if (suspected || !have || (!result.suspected && score > result.score)) {
          Fill(s, suspected, MojibakeKind::kAlreadyDoubleEncoded, c.id, &result);
          have = true;
        }
        if (suspected) break;
      }
      return result;
    }
    default:
      return result;
  }
}

}  // namespace encoding
}  // namespace lockdiag
