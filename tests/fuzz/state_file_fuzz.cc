// state_file_fuzz.cc: DecodeState (core/audit/state_file.h) on arbitrary
// bytes, into fresh stores.
//
// The file's CRC-32 would refuse almost every mutation before the sections
// are read, so an input that starts with the magic is decoded twice: as it
// is, and with its length and checksum made right (what a bug in a writer,
// not a flipped bit, would produce).
// Invariants:
//   * a refused file loads nothing: every store is left empty, and the error
//     says why;
//   * a file that loads saves back to bytes that load again, to the same
//     rows (compared as text, store by store), and that saved file is
//     accepted as it is;
//   * nothing is dropped when the rows are loaded a second time into stores
//     of the same bounds.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "../unit/audit/filled_stores.h"
#include "core/audit/state_file.h"
#include "fuzz_check.h"

namespace {

using lockdiag::DecodeState;
using lockdiag::EncodeState;
using lockdiag::StateLoad;
using lockdiag::testing::StoreRows;
using lockdiag::testing::Stores;
using lockdiag::testing::StoresEmpty;

constexpr char kMagic[] = "LOCKDIAG-STATE\n";  // and its NUL: 16 bytes
constexpr size_t kHeaderBytes = 16 + 4 + 8;
constexpr size_t kTrailerBytes = 4;

void PutLittleEndian(std::string* s, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) (*s)[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// Sealed: `file` with the payload length and the CRC-32 that fit its size.
std::string Sealed(std::string_view file) {
  std::string out(file);
  PutLittleEndian(&out, 20, out.size() - kHeaderBytes - kTrailerBytes, 8);
  const size_t body = out.size() - kTrailerBytes;
  const uLong crc =
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(body));
  PutLittleEndian(&out, body, crc, 4);
  return out;
}

void CheckDecode(std::string_view file) {
  Stores first;
  const StateLoad load = DecodeState(file, first.view());
  if (!load.ok) {
    FUZZ_CHECK(!load.error.empty());
    FUZZ_CHECK(StoresEmpty(&first));
    return;
  }
  const std::string saved = EncodeState(first.view(), 1000, "fuzz");
  Stores second;
  const StateLoad again = DecodeState(saved, second.view());
  FUZZ_CHECK(again.ok);
  FUZZ_CHECK(again.dropped == 0);
  FUZZ_CHECK(again.saved_at == 1000 && again.saved_by == "fuzz");
  FUZZ_CHECK(StoreRows(&second) == StoreRows(&first));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  CheckDecode(file);
  if (size >= kHeaderBytes + kTrailerBytes && std::memcmp(data, kMagic, sizeof kMagic) == 0) {
    CheckDecode(Sealed(file));
  }
  return 0;
}
