// digest_texts.h: the normalised text of each statement digest, so that
// snapshots can show SAMPLE_DIGEST and EVIDENCE as text while the aggregates
// keep only 64-bit digests.
//
// Sessions send the text of a digest the first time they publish it, so a
// text is copied once per connection and digest, not per statement. Texts
// are cut to kMaxStoredText bytes.
//
// Thread-safety: every public method is thread-safe. Locking rules: texts
// live in a ShardedMap (sharded_map.h) keyed by digest, kShards shards each
// behind its own Mutex; Add() and Lookup() take one shard lock, Reset() each
// in turn. There is no snapshot (lookups only).
#ifndef LOCKDIAG_CORE_LOCK_DIGEST_TEXTS_H_
#define LOCKDIAG_CORE_LOCK_DIGEST_TEXTS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/common/sharded_map.h"
#include "core/common/state_codec.h"

namespace lockdiag {

class DigestTexts {
 public:
  static constexpr unsigned kShards = 16;
  static constexpr size_t kMaxStoredText = 256;

  // Add remembers the text of `digest` unless it is known already; new texts
  // are kept while fewer than `limit` are held. Returns false when the text
  // was new and there was no room (the caller counts a dropped event).
  [[nodiscard]] bool Add(uint64_t digest, std::string_view text, uint64_t limit);

  // Lookup returns the text of `digest`; "" when unknown (or digest 0).
  std::string Lookup(uint64_t digest) const;

  uint64_t count() const { return texts_.count(); }
  uint64_t memory_bytes() const { return texts_.memory_bytes(); }
  // Reset forgets every text and gives the budget back.
  void Reset();

  // Save appends every text to `out`, one shard lock at a time. Load adds
  // the texts `in` holds while fewer than `limit` are held (the others
  // counted in *dropped); false when `in` is corrupt.
  void Save(StateEncoder* out) const;
  [[nodiscard]] bool Load(StateDecoder* in, uint64_t limit, uint64_t* dropped);

 private:
  ShardedMap<std::string, kShards> texts_;  // by digest; one budget entry per text
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_DIGEST_TEXTS_H_
