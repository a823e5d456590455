#include "key_hash.h"

#include "digest.h"

namespace lockdiag {

uint64_t KeyHash(std::string_view column, std::string_view value) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : column) {
    h ^= (c >= 'A' && c <= 'Z') ? c + 32 : c;
    h *= 1099511628211ull;
  }
  h ^= 0xff;  // separator: ("ab","c") and ("a","bc") differ
  h *= 1099511628211ull;
  return HashBytes(value, h);
}

}  // namespace lockdiag
