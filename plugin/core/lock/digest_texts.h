// digest_texts.h: the normalised text of each statement digest, so that
// snapshots can show SAMPLE_DIGEST and EVIDENCE as text while the aggregates
// keep only 64-bit digests.
//
// Sessions send the text of a digest the first time they publish it, so a
// text is copied once per connection and digest, not per statement. Texts
// are cut to kMaxStoredText bytes.
//
// Thread-safety: every public method is thread-safe. Locking rules: kShards
// shards by digest, each behind its own Mutex; Add() takes one shard lock,
// Lookup() one, Snapshot-free (lookups only).
#ifndef LOCKDIAG_CORE_LOCK_DIGEST_TEXTS_H_
#define LOCKDIAG_CORE_LOCK_DIGEST_TEXTS_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/common/entry_budget.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

class DigestTexts {
 public:
  static constexpr unsigned kShards = 16;
  static constexpr size_t kMaxStoredText = 256;

  // Add remembers the text of `digest` unless it is known already; new texts
  // are kept while fewer than `limit` are held. Returns false when the text
  // was new and there was no room (the caller counts a dropped event).
  bool Add(uint64_t digest, std::string_view text, uint64_t limit);

  // Lookup returns the text of `digest`; "" when unknown (or digest 0).
  std::string Lookup(uint64_t digest) const;

  uint64_t count() const { return budget_.count(); }
  uint64_t memory_bytes() const { return budget_.bytes(); }
  void Reset();

 private:
  struct Shard {
    mutable Mutex mu;
    std::unordered_map<uint64_t, std::string> texts GUARDED_BY(mu);
  };
  std::array<Shard, kShards> shards_;
  EntryBudget budget_;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_DIGEST_TEXTS_H_
