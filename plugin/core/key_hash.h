// key_hash.h: the hash of one (column, value) pair of a statement, which is
// all lockdiag keeps of the rows a transaction touched.
//
// The adapter calls KeyHash for each equality predicate of a read
// (`col = const`, each element of `col IN (...)`) and for each key value of a
// write (an INSERT's values for unique-key columns, the equality predicates of
// an UPDATE or DELETE), and passes the hashes in AccessEvent::keys. A write
// "uses the same rows" as an earlier read when one of its hashes equals one
// of the read's.
//
//   uint64_t keys[] = {KeyHash("id", "42")};
//   AccessEvent a{"shop", "orders", AccessKind::kRead, keys, 1, false};
//
// Contract:
//   * `column` is the bare column name; it is compared case-insensitively
//     (ASCII), as MariaDB compares column names.
//   * `value` is hashed byte for byte. The adapter must render one value the
//     same way wherever it appears: a literal 42, the string '42' and a
//     prepared statement's parameter 42 should all be passed as "42". Values
//     whose collation ignores case should be passed folded.
//   * The value is never stored, only this 64-bit hash.
//
// Pure, allocation-free, thread-safe.
#ifndef LOCKDIAG_CORE_KEY_HASH_H_
#define LOCKDIAG_CORE_KEY_HASH_H_

#include <cstdint>
#include <string_view>

namespace lockdiag {

// KeyHash returns the hash of the pair (lower-cased column, value).
inline uint64_t KeyHash(std::string_view column, std::string_view value) {
  constexpr uint64_t kPrime = 1099511628211ull;
  uint64_t h = 14695981039346656037ull;
  for (char c : column) {
    h ^= static_cast<unsigned char>((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
    h *= kPrime;
  }
  // A byte no column name contains separates the two, so ("ab", "c") and
  // ("a", "bc") differ.
  h ^= 0xff;
  h *= kPrime;
  for (char c : value) {
    h ^= static_cast<unsigned char>(c);
    h *= kPrime;
  }
  // FNV's low bits mix poorly; finish with MurmurHash3's fmix64.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_KEY_HASH_H_
