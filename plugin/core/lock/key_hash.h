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
#ifndef LOCKDIAG_CORE_LOCK_KEY_HASH_H_
#define LOCKDIAG_CORE_LOCK_KEY_HASH_H_

#include <cstdint>
#include <string_view>

#include "core/common/hash.h"

namespace lockdiag {

// KeyHash returns the hash of the pair (lower-cased column, value).
inline uint64_t KeyHash(std::string_view column, std::string_view value) {
  // The field separator makes ("ab", "c") and ("a", "bc") differ; FNV's low
  // bits mix poorly, so Fmix64 finishes.
  FieldHasher h;
  h.FieldLower(column);
  h.Bytes(value);
  return Fmix64(h.value());
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_KEY_HASH_H_
