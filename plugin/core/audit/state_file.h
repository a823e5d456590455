// state_file.h: the state file (lockdiag_state_file): what lockdiag has
// recorded, kept across restarts and re-installs. docs/audit.md ("The state
// file") documents the format; this is its one implementation.
//
//   StateStores stores{&analyzer, &encoding, &connections};
//   std::string bytes = EncodeState(stores, NowMicros());      // then WriteFileAtomically
//   StateLoad result = DecodeState(bytes, stores);             // into empty stores
//   if (!result.ok) { /* log result.error, SetAside() the file */ }
//
// Layout (integers little-endian):
//   magic    16 bytes "LOCKDIAG-STATE\n\0"
//   version  u32      kStateFormatVersion; another version is refused
//   length   u64      bytes of the payload
//   payload           sections: varint tag, varint length, the bytes
//   crc32    u32      zlib's CRC-32 of everything before it
// Sections (state_codec.h encodes their fields): kMeta (when it was saved,
// by which lockdiag), kAnalyzer (Analyzer::SaveState), kEncoding
// (EncodingStore::Save), kConnections (ConnectionStore::Save). A reader
// skips a section whose tag it does not know, so a later lockdiag may add
// sections without a new version; changing a section's fields needs one.
//
// Thread-safety: EncodeState reads the stores as their snapshots do (one
// shard or one lock at a time) and may run while connections record.
// DecodeState must run before the stores receive events (at INSTALL).
#ifndef LOCKDIAG_CORE_AUDIT_STATE_FILE_H_
#define LOCKDIAG_CORE_AUDIT_STATE_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/audit/connection_store.h"
#include "core/common/clock.h"
#include "core/encoding/encoding_store.h"
#include "core/lock/analyzer.h"

namespace lockdiag {

inline constexpr uint32_t kStateFormatVersion = 1;
// Largest state file read (the bounded stores stay far below it: 10,000
// tables and 10,000 findings take a few MiB).
inline constexpr uint64_t kMaxStateFileBytes = 1ull << 30;

struct StateStores {
  Analyzer* analyzer;
  encoding::EncodingStore* encoding;
  ConnectionStore* connections;
};

// Ids (PATTERN_ID, INCIDENT_ID) never name two things, across restarts
// and crashes: a save made while lockdiag runs on (periodic, requested)
// records next ids kIdsReservedWhileRunning past the current ones, so that
// after a crash the next run starts past any id the crashed run handed out
// since (to the tables or the trail) unless it handed out more than that
// between two saves. The last save (UNINSTALL, shutdown) records them
// exactly: after a clean restart the ids go on without a gap.
enum class SaveKind { kFinal, kWhileRunning };
inline constexpr uint64_t kIdsReservedWhileRunning = 1u << 20;

// EncodeState: the whole file, saved at `now` by lockdiag `version`.
std::string EncodeState(const StateStores& stores, Timestamp now, std::string_view version,
                        SaveKind kind = SaveKind::kFinal);

struct StateLoad {
  bool ok = false;
  std::string error;     // why the file was refused (when !ok)
  uint64_t dropped = 0;  // entries that did not fit the current bounds
  Timestamp saved_at = 0;
  std::string saved_by;  // the lockdiag version that wrote it
};

// DecodeState checks the file and loads it into the (empty) stores. On a
// refusal every store is left empty: a bad file loads nothing, not half.
StateLoad DecodeState(std::string_view file, const StateStores& stores);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_AUDIT_STATE_FILE_H_
