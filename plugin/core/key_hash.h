// key_hash.h: the hash of one (column, value) pair a statement used to
// address rows. Only hashes are kept, never values.
#ifndef LOCKDIAG_CORE_KEY_HASH_H_
#define LOCKDIAG_CORE_KEY_HASH_H_

#include <cstdint>
#include <string_view>

namespace lockdiag {

// KeyHash hashes `column` case-insensitively (column names are) and `value`
// byte for byte. Thread-safe, allocation-free.
uint64_t KeyHash(std::string_view column, std::string_view value);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_KEY_HASH_H_
