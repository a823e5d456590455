// digest.h: statement fingerprints, so that one code path is one digest.
//
// Literals become `?` (NULL too, except in IS [NOT] NULL and NOT NULL), lists
// of literals (IN lists, VALUES rows, any parenthesised list holding only
// literals) become `(...)`, multi-row VALUES become one `(...)`, and rows of
// VALUES spelled like the row before them go (`(?, now()), (?, now())` is
// `(?, now())`); comments go (the content of executable comments
// `/*! ... */`, `/*M! ... */` stays, as the server runs it); white space is
// re-laid out by fixed rules; everything outside quoted identifiers is
// lower-cased; backticks around plain identifiers go. So
// `SELECT * FROM t WHERE id = 5` and `select *  from `t` where id=-7 -- retry`
// both digest to `select * from t where id = ?`.
//
//   std::string text;                                   // reuse it: no allocation
//   uint64_t d = DigestStatement("SELECT 1", &text);    // text == "select ?"
//
// Input is treated as bytes (the client's character set is not known here):
// bytes >= 0x80 are identifier characters, control bytes are white space, and
// unterminated strings, comments and quoted identifiers end at the end of the
// input. The normaliser makes one pass over the input and never allocates
// once `*normalized` has kMaxDigestText + 8 bytes of capacity.
//
// The digest, its inputs and figures against pt-query-digest: docs/digests.md.
//
// Pure functions, thread-safe.
#ifndef LOCKDIAG_CORE_LOCK_DIGEST_H_
#define LOCKDIAG_CORE_LOCK_DIGEST_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace lockdiag {

// The longest normalised text kept; statements whose text would be longer end
// in "..." (the digest is then a hash of that prefix). At most
// kMaxDigestInput bytes of the input are tokenised, not counting literal
// content (string literals, and everything inside a list of literals), which
// is read to its end: a statement made long by its values (a blob, a batch of
// rows, a long IN list) keeps the digest of its short spellings. Input past
// kMaxDigestScan bytes (the server's default max_allowed_packet) is never
// read. Past either bound the text ends in "..." as well.
inline constexpr size_t kMaxDigestText = 1024;
inline constexpr size_t kMaxDigestInput = 64 * 1024;
inline constexpr size_t kMaxDigestScan = 16 * 1024 * 1024;

// DigestStatement normalises `sql` into `*normalized` (replacing its content)
// and returns a 64-bit hash (Fnv1a, core/common/hash.h) of the normalised
// text, never 0. Never fails:
// invalid or unterminated input is digested as far as it goes.
uint64_t DigestStatement(std::string_view sql, std::string* normalized);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_DIGEST_H_
