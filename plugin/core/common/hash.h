// hash.h: the hash functions every part of lockdiag uses, in one place.
//
// Nothing here is persisted or shown: the values key in-memory maps and
// shards, so they may change between versions. Two families:
//   * Fnv1a / FieldHasher: byte-wise 64-bit FNV-1a, for names, digests and
//     composite keys (FieldHasher separates fields so that ("ab", "c") and
//     ("a", "bc") differ);
//   * Fmix64 / HashCombine / HashWords: word-wise mixing, for keys built from
//     other 64-bit hashes and for the raw statement text cache, where speed
//     matters more than FNV's simplicity.
//
//   uint64_t h = Fnv1a("select ?");
//   FieldHasher f;  f.Field("shop");  f.Field("orders");  uint64_t k = f.value();
//   uint64_t pair = HashCombine(HashCombine(table, read_digest), write_digest);
//
// Pure, allocation-free, thread-safe.
#ifndef LOCKDIAG_CORE_COMMON_HASH_H_
#define LOCKDIAG_CORE_COMMON_HASH_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace lockdiag {

inline constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ull;
inline constexpr uint64_t kFnvPrime = 1099511628211ull;

// FnvByte folds one byte into an FNV-1a state.
inline uint64_t FnvByte(uint64_t h, unsigned char c) { return (h ^ c) * kFnvPrime; }

// Fnv1a: 64-bit FNV-1a of `bytes`, continuing from `seed`.
inline uint64_t Fnv1a(std::string_view bytes, uint64_t seed = kFnvOffsetBasis) {
  uint64_t h = seed;
  for (unsigned char c : bytes) h = FnvByte(h, c);
  return h;
}

// Fmix64: MurmurHash3's finaliser. FNV's low bits mix poorly; keys whose low
// bits pick a shard or a bucket pass through it.
inline uint64_t Fmix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// HashCombine: a hash of the pair (seed, v); order matters.
inline uint64_t HashCombine(uint64_t seed, uint64_t v) {
  return Fmix64(seed ^ (v + 0x9e3779b97f4a7c15ull + (seed << 6) + (seed >> 2)));
}

// HashWords: a fast hash of `bytes`, eight at a time (the raw-text cache of a
// connection hashes every statement it runs with it).
inline uint64_t HashWords(std::string_view bytes) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  return Fmix64(h ^ tail);
}

// FieldHasher: FNV-1a over a sequence of fields, each ended by a byte (0xff)
// that no UTF-8 text contains.
class FieldHasher {
 public:
  void Field(std::string_view s) { h_ = FnvByte(Fnv1a(s, h_), 0xff); }
  // FieldLower: Field() of the ASCII-lower-cased text (column names).
  void FieldLower(std::string_view s) {
    for (char c : s)
      h_ = FnvByte(h_, static_cast<unsigned char>((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c));
    h_ = FnvByte(h_, 0xff);
  }
  void Bytes(std::string_view s) { h_ = Fnv1a(s, h_); }
  void Number(uint64_t v) { h_ = FnvByte(h_ ^ v, 0); }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = kFnvOffsetBasis;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_HASH_H_
