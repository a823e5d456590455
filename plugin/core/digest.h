// digest.h: statement fingerprints, so that one code path is one digest.
//
// Literals become `?`, lists of literals become `(...)`, comments go, runs of
// white space become one space, and everything outside quoted identifiers is
// lower-cased: `SELECT * FROM t WHERE id = 5` and
// `select *  from t where id=7 -- retry` both digest to
// `select * from t where id = ?`.
//
//   std::string text;
//   uint64_t d = DigestStatement("SELECT 1", &text);   // text == "select ?"
//
// Pure functions, thread-safe.
#ifndef LOCKDIAG_CORE_DIGEST_H_
#define LOCKDIAG_CORE_DIGEST_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace lockdiag {

// The longest normalised text kept; longer statements are digested over
// their first kMaxDigestInput bytes and their text ends in "...".
inline constexpr size_t kMaxDigestText = 1024;
inline constexpr size_t kMaxDigestInput = 64 * 1024;

// DigestStatement normalises `sql` into `*normalized` (replacing its content;
// reuse the string to avoid allocations) and returns a 64-bit hash of it,
// never 0. Invalid or unterminated input is digested as far as it goes.
uint64_t DigestStatement(std::string_view sql, std::string* normalized);

// HashBytes: 64-bit FNV-1a; the hash used for digests and table names.
uint64_t HashBytes(std::string_view bytes, uint64_t seed = 14695981039346656037ull);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_DIGEST_H_
