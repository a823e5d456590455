// state_codec.h: the byte encoding of the state file's sections
// (docs/audit.md, "The state file"): what each store writes in Save() and
// reads back in Load().
//
//   StateEncoder out;
//   out.U64(row.transactions);
//   out.Str(row.schema);
//   StateDecoder in(bytes);
//   row.transactions = in.U64();
//   row.schema = in.Str(kMaxName);
//   if (!in.ok()) { /* the section is corrupt: load nothing of it */ }
//
// Integers are LEB128 varints (signed ones zigzag-encoded), strings a varint
// length and the bytes, booleans one byte. The decoder never reads past its
// input and never allocates more than the input could hold: a length or a
// count larger than what is left, or than the caller's maximum, fails the
// decoder, and every later read then returns zero or empty. Callers check
// ok() once, after a section, instead of after every field.
//
// Not thread-safe: one encoder or decoder per thread.
#ifndef LOCKDIAG_CORE_COMMON_STATE_CODEC_H_
#define LOCKDIAG_CORE_COMMON_STATE_CODEC_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lockdiag {

// Longest strings a loader accepts: a name (an identifier is at most 64
// characters of up to 4 bytes; user and host names are shorter) and any other
// text (a statement digest, an EVIDENCE or a detail). Longer ones mean a
// corrupt file.
inline constexpr size_t kStateMaxName = 1024;
inline constexpr size_t kStateMaxText = 64 * 1024;

class StateEncoder {
 public:
  void U64(uint64_t v);
  void I64(int64_t v) { U64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void U32(uint32_t v) { U64(v); }
  void Bool(bool v) { bytes_.push_back(v ? 1 : 0); }
  void Str(std::string_view s);
  // Array writes a fixed-size array with its length, so that a build whose
  // array has another size (a new AccessKind) refuses the file.
  template <typename T, size_t N>
  void Array(const std::array<T, N>& a) {
    U64(N);
    for (const T& v : a) U64(static_cast<uint64_t>(v));
  }
  // A sequence of items of unknown length (a store's shards stream one at a
  // time without counting first): Item() before each, EndItems() after the
  // last; the decoder's NextItem() reads the marks.
  void Item() { Bool(true); }
  void EndItems() { Bool(false); }
  // Bytes appends raw bytes (a nested section that is already encoded).
  void Bytes(std::string_view s) { bytes_.append(s); }

  const std::string& bytes() const { return bytes_; }
  std::string Take() { return std::move(bytes_); }
  size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

class StateDecoder {
 public:
  explicit StateDecoder(std::string_view bytes) : p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  uint64_t U64();
  int64_t I64() {
    const uint64_t u = U64();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  // U32 fails the decoder on a value that does not fit.
  uint32_t U32();
  bool Bool();
  // Str fails the decoder on a length over `max_bytes` or over what is left.
  std::string Str(size_t max_bytes);
  // Count reads a number of items that follow, each at least `min_item_bytes`
  // long; fails on a count over `max_items` or one the bytes left cannot hold.
  size_t Count(size_t max_items, size_t min_item_bytes = 1);
  // Array reads what Encoder::Array wrote into `a`; fails unless the length
  // is N and every value fits T.
  template <typename T, size_t N>
  void Array(std::array<T, N>* a) {
    if (U64() != N) {
      Fail();
      return;
    }
    for (T& v : *a) {
      const uint64_t x = U64();
      v = static_cast<T>(x);
      if (static_cast<uint64_t>(v) != x) Fail();
    }
  }
  // NextItem: true while another item of an Item()/EndItems() sequence
  // follows.
  bool NextItem() { return ok_ && Bool(); }
  // Bytes reads `n` raw bytes (a nested section).
  std::string_view Bytes(size_t n);
  // Fail marks the input corrupt (a value the caller found impossible).
  void Fail() {
    ok_ = false;
    p_ = end_;
  }

  bool ok() const { return ok_; }
  bool done() const { return p_ == end_; }
  size_t left() const { return static_cast<size_t>(end_ - p_); }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_STATE_CODEC_H_
