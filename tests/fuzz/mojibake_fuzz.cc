// mojibake_fuzz.cc: the double-encoding heuristic (core/encoding/mojibake.h)
// on arbitrary bytes for every client charset.
//
// Input: one byte choosing the client charset (its id, modulo
// kCharsetCount), then the value.
// Invariants:
//   * never suspected for pure ASCII, nor for binary, unknown or wide
//     clients;
//   * a suspicion meets the thresholds the header states (evidence >=
//     kMinEvidence, or kMinEvidenceEastAsian with no contradiction; score =
//     evidence - kContradictionCost * contradictions >= 0), names the case
//     that fits the client's kind and the charset it went through, and its
//     evidence lies in the value (1..12 bytes) and is itself valid, non-ASCII
//     UTF-8 (case A: the raw bytes; case B: the characters);
//   * case B is suspected only in valid UTF-8;
//   * the verdict does not depend on where the value starts: an ASCII byte
//     put in front moves the evidence by one byte and changes nothing else;
//   * CodePointPlausibility is within 0..1.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/encoding/charsets.h"
#include "core/encoding/mojibake.h"
#include "core/encoding/scan.h"
#include "fuzz_check.h"

namespace {

using namespace lockdiag::encoding;

bool ValidNonAsciiUtf8(std::string_view s) {
  const ScanResult r = ScanUtf8(s.data(), s.size(), true);
  return r.valid && !r.ascii;
}

void CheckSuspicion(const Charset& client, std::string_view value, const MojibakeResult& r) {
  FUZZ_CHECK(r.kind != MojibakeKind::kNone);
  FUZZ_CHECK(r.sequences >= 1);
  FUZZ_CHECK(r.score >= 0);
  FUZZ_CHECK(std::fabs(r.score - (r.evidence - kContradictionCost * r.contradictions)) < 1e-9);
  FUZZ_CHECK(r.evidence_len >= 1 && r.evidence_len <= 12);
  FUZZ_CHECK(r.evidence_pos + r.evidence_len <= value.size());
  FUZZ_CHECK(ValidNonAsciiUtf8(value.substr(r.evidence_pos, r.evidence_len)));
  switch (client.kind) {
    case CharsetKind::kSingleByte:
      FUZZ_CHECK(r.kind == MojibakeKind::kUtf8SentAsSingleByte && r.via == client.id);
      FUZZ_CHECK(r.evidence >= kMinEvidence);
      break;
    case CharsetKind::kEastAsian:
      FUZZ_CHECK(r.kind == MojibakeKind::kUtf8SentAsEastAsian && r.via == client.id);
      FUZZ_CHECK(r.evidence >= kMinEvidenceEastAsian && r.contradictions == 0);
      break;
    case CharsetKind::kUtf8:
      FUZZ_CHECK(r.kind == MojibakeKind::kAlreadyDoubleEncoded);
      FUZZ_CHECK(r.via == CharsetId::kLatin1 || r.via == CharsetId::kCp1251 || r.via == CharsetId::kCp1250);
      FUZZ_CHECK(r.evidence >= kMinEvidence);
      FUZZ_CHECK(ScanUtf8(value.data(), value.size(), true).valid);
      break;
    default:
      FUZZ_CHECK(false);  // never suspected for binary, unknown or wide clients
  }
}

bool SameVerdict(const MojibakeResult& a, const MojibakeResult& b, size_t shift) {
  return a.suspected == b.suspected && a.kind == b.kind && a.via == b.via && a.evidence == b.evidence &&
         a.sequences == b.sequences && a.contradictions == b.contradictions && a.score == b.score &&
         (!a.suspected || (a.evidence_pos + shift == b.evidence_pos && a.evidence_len == b.evidence_len));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const Charset& client = GetCharset(static_cast<CharsetId>(data[0] % kCharsetCount));
  const std::string_view value(reinterpret_cast<const char*>(data + 1), size - 1);
  const MojibakeResult r = DetectDoubleEncoding(client, value);
  if (AsciiPrefixLength(value.data(), value.size()) == value.size()) FUZZ_CHECK(!r.suspected);
  if (r.suspected) CheckSuspicion(client, value, r);

  const std::string shifted = "a" + std::string(value);
  FUZZ_CHECK(SameVerdict(r, DetectDoubleEncoding(client, shifted), 1));

  if (size >= 5) {
    uint32_t cp = 0;
    for (int k = 1; k <= 4; ++k) cp = (cp << 8) | data[k];
    const double p = CodePointPlausibility(cp % 0x110000);
    FUZZ_CHECK(p >= 0.0 && p <= 1.0);
  }
  return 0;
}
