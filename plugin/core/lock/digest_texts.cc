#include "core/lock/digest_texts.h"

#include "core/common/text.h"

namespace lockdiag {
namespace {

int64_t Footprint(size_t text) { return static_cast<int64_t>(64 + sizeof(std::string) + text + 1); }

}  // namespace

bool DigestTexts::Add(uint64_t digest, std::string_view text, uint64_t limit) {
  if (digest == 0) return true;
  text = Utf8Head(text, kMaxStoredText);
  Shard& shard = shards_[digest % kShards];
  MutexLock lock(&shard.mu);
  if (shard.texts.find(digest) != shard.texts.end()) return true;
  if (!budget_.TryClaim(limit, Footprint(text.size()))) return false;
  shard.texts.emplace(digest, std::string(text));
  return true;
}

std::string DigestTexts::Lookup(uint64_t digest) const {
  const Shard& shard = shards_[digest % kShards];
  MutexLock lock(&shard.mu);
  auto it = shard.texts.find(digest);
  return it == shard.texts.end() ? std::string() : it->second;
}

void DigestTexts::Reset() {
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    int64_t bytes = 0;
    for (const auto& [digest, text] : shard.texts) bytes += Footprint(text.size());
    budget_.Release(shard.texts.size(), bytes);
    shard.texts.clear();
  }
}

}  // namespace lockdiag
