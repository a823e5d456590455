#include "core/lock/digest_texts.h"

#include "core/common/text.h"

namespace lockdiag {
namespace {

int64_t Footprint(size_t text) { return static_cast<int64_t>(64 + sizeof(std::string) + text + 1); }

}  // namespace

bool DigestTexts::Add(uint64_t digest, std::string_view text, uint64_t limit) {
  if (digest == 0) return true;
  text = Utf8Head(text, kMaxStoredText);
  return texts_.Update(digest, [&](auto& texts) {
    if (texts.find(digest) != texts.end()) return true;
    if (!texts_.budget().TryClaim(limit, Footprint(text.size()))) return false;
    texts.emplace(digest, std::string(text));
    return true;
  });
}

std::string DigestTexts::Lookup(uint64_t digest) const {
  std::string text;
  texts_.Lookup(digest, &text);  // stays "" when unknown
  return text;
}

void DigestTexts::Save(StateEncoder* out) const {
  texts_.ForEachKeyed([&](uint64_t digest, const std::string& text) {
    out->Item();
    out->U64(digest);
    out->Str(text);
  });
  out->EndItems();
}

bool DigestTexts::Load(StateDecoder* in, uint64_t limit, uint64_t* dropped) {
  while (in->NextItem()) {
    const uint64_t digest = in->U64();
    std::string text = in->Str(kMaxStoredText);
    if (digest == 0) in->Fail();  // not written by Save()
    if (!in->ok()) break;
    const int64_t bytes = Footprint(text.size());
    if (!texts_.Restore(digest, std::move(text), limit, bytes)) ++*dropped;
  }
  return in->ok();
}

void DigestTexts::Reset() {
  texts_.Clear([](const std::string& text) { return Footprint(text.size()); });
}

}  // namespace lockdiag
