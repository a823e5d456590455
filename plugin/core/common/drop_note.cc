#include "core/common/drop_note.h"

namespace lockdiag {

std::string DropNote::Due(uint64_t total, Timestamp now) {
  // A counter smaller than last time was reset to zero and counted `total`
  // new drops since.
  unnoted_ += total >= last_seen_ ? total - last_seen_ : total;
  last_seen_ = total;
  if (unnoted_ == 0) return {};
  if (ever_noted_ && now - last_note_ < kInterval) return {};
  std::string text = "lockdiag: ";
  if (!ever_noted_) {
    text += "a bound is full: " + std::to_string(unnoted_) + " " + what_ + " dropped (" + counter_ + " = " +
            std::to_string(total) + "); further drops are noted at most once an hour";
  } else {
    text += std::to_string(unnoted_) + " more " + what_ + " dropped since " + UtcDateTime(last_note_) +
            " UTC (" + counter_ + " = " + std::to_string(total) + ")";
  }
  ever_noted_ = true;
  last_note_ = now;
  unnoted_ = 0;
  return text;
}

}  // namespace lockdiag
