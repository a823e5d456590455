#include "core/audit/state_file.h"

#include <zlib.h>

#include <cstring>

#include "core/common/state_codec.h"

namespace lockdiag {
namespace {

constexpr char kMagic[16] = {'L', 'O', 'C', 'K', 'D', 'I', 'A',  'G',
                             '-', 'S', 'T', 'A', 'T', 'E', '\n', '\0'};
constexpr size_t kHeaderBytes = sizeof kMagic + 4 + 8;
constexpr size_t kTrailerBytes = 4;

enum SectionTag : uint64_t { kMeta = 1, kAnalyzer = 2, kEncoding = 3, kConnections = 4 };

void PutLittleEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

uint64_t GetLittleEndian(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in[at + i])) << (8 * i);
  return v;
}

uint32_t Crc32(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes uInt lengths: feed large inputs in slices.
  while (!bytes.empty()) {
    const size_t n = bytes.size() < (1u << 30) ? bytes.size() : (1u << 30);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(n));
    bytes.remove_prefix(n);
  }
  return static_cast<uint32_t>(crc);
}

void PutSection(StateEncoder* payload, SectionTag tag, const std::string& bytes) {
  payload->U64(tag);
  payload->U64(bytes.size());
  payload->Bytes(bytes);
}

void ResetAll(const StateStores& stores) {
  stores.analyzer->Reset();
  stores.encoding->Reset();
  stores.connections->Clear();
}

StateLoad Refuse(const StateStores& stores, std::string why) {
  ResetAll(stores);
  StateLoad r;
  r.error = std::move(why);
  return r;
}

}  // namespace

std::string EncodeState(const StateStores& stores, Timestamp now, std::string_view version, SaveKind kind) {
  StateEncoder payload;
  {
    StateEncoder meta;
    meta.I64(now);
    meta.Str(version);
    PutSection(&payload, kMeta, meta.bytes());
  }
  {
    StateEncoder s;
    stores.analyzer->SaveState(&s, kind == SaveKind::kFinal ? 0 : kIdsReservedWhileRunning);
    PutSection(&payload, kAnalyzer, s.bytes());
  }
  {
    StateEncoder s;
    stores.encoding->Save(&s);
    PutSection(&payload, kEncoding, s.bytes());
  }
  {
    StateEncoder s;
    stores.connections->Save(&s);
    PutSection(&payload, kConnections, s.bytes());
  }
  std::string file(kMagic, sizeof kMagic);
  PutLittleEndian(&file, kStateFormatVersion, 4);
  PutLittleEndian(&file, payload.size(), 8);
  file += payload.bytes();
  PutLittleEndian(&file, Crc32(file), 4);
  return file;
}

StateLoad DecodeState(std::string_view file, const StateStores& stores) {
  if (file.size() < kHeaderBytes + kTrailerBytes || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0)
    return Refuse(stores, "not a lockdiag state file");
  const uint64_t version = GetLittleEndian(file, sizeof kMagic, 4);
  if (version != kStateFormatVersion) {
    return Refuse(stores, "state format version " + std::to_string(version) +
                              ", this lockdiag reads version " + std::to_string(kStateFormatVersion));
  }
  const uint64_t length = GetLittleEndian(file, sizeof kMagic + 4, 8);
  if (length != file.size() - kHeaderBytes - kTrailerBytes)
    return Refuse(stores, "truncated or extended (" + std::to_string(file.size()) + " bytes)");
  const size_t body = file.size() - kTrailerBytes;
  if (Crc32(file.substr(0, body)) != GetLittleEndian(file, body, 4))
    return Refuse(stores, "checksum mismatch (the file is corrupt)");

  StateLoad r;
  StateDecoder payload(file.substr(kHeaderBytes, length));
  while (payload.ok() && !payload.done()) {
    const uint64_t tag = payload.U64();
    const std::string_view bytes = payload.Bytes(payload.Count(SIZE_MAX));
    if (!payload.ok()) break;
    StateDecoder in(bytes);
    bool ok = true;
    switch (tag) {
      case kMeta:
        r.saved_at = in.I64();
        r.saved_by = in.Str(kStateMaxName);
        break;
      case kAnalyzer:
        ok = stores.analyzer->LoadState(&in, &r.dropped);
        break;
      case kEncoding:
        ok = stores.encoding->Load(&in, &r.dropped);
        break;
      case kConnections:
        ok = stores.connections->Load(&in);
        break;
      default:
        continue;  // a section of a later lockdiag
    }
    // A section must decode to its last byte: anything else is corrupt.
    if (!ok || !in.ok() || !in.done()) {
      return Refuse(stores, "section " + std::to_string(tag) + " is corrupt");
    }
  }
  if (!payload.ok()) return Refuse(stores, "the sections are corrupt");
  r.ok = true;
  return r;
}

}  // namespace lockdiag
