// encoding_store.h: the aggregate behind INFORMATION_SCHEMA.LOCKDIAG_ENCODING.
//
// One row per (user, host, client charset, schema, table, column, column
// charset, issue), counting occurrences between FIRST_SEEN and LAST_SEEN and
// keeping the first occurrence's redacted SAMPLE and statement digest text.
//
//   EncodingStore store;
//   FindingKey key{"app", "10.0.0.7", "latin1", "shop", "poems", "title", false, "utf8mb4",
//                  Issue::kSuspectedDoubleEncoding};
//   store.Record(key, "pos 2: C3 A8", "insert into poems values (?)", NowMicros(), connection_id);
//   for (const EncodingRow& row : store.Snapshot()) { ... }
//
// Thread-safety: every public method is thread-safe.
// Locking rules:
//   * Rows live in a ShardedMap (sharded_map.h) of kShards shards, each an
//     unordered_multimap (64-bit hash of the key -> row, rows whose hashes
//     collide side by side) behind its own Mutex, chosen by that hash. Record()
//     hashes outside the lock, then holds one shard lock for one lookup and
//     either an update (no allocation) or an insertion (allocates the row's
//     strings); it never holds two shard locks.
//   * Snapshot() and Reset() take each shard lock in turn; a writer waits at
//     most for one shard's copy. A Record() racing with Reset() may land in a
//     shard already cleared (it is new data, so it stays).
//   * Bounds: rows and their bytes are claimed from the map's EntryBudget
//     (entry_budget.h: lock-free, shared by all shards) before an insertion
//     and released by Reset(), so both bounds are global and exact; a new row
//     that does not fit is dropped and counted in dropped()
//     (Lockdiag_dropped_events); existing rows keep counting.
//   * Status counters are ShardedCounter (no lock).
#ifndef LOCKDIAG_CORE_ENCODING_ENCODING_STORE_H_
#define LOCKDIAG_CORE_ENCODING_ENCODING_STORE_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/common/sharded_counter.h"
#include "core/common/sharded_map.h"
#include "core/common/state_codec.h"

namespace lockdiag {
namespace encoding {

// Issue: the ISSUE column.
enum class Issue : uint8_t {
  kCharsetMismatch,          // CHARSET_MISMATCH
  kLossyConversion,          // LOSSY_CONVERSION
  kSuspectedDoubleEncoding,  // SUSPECTED_DOUBLE_ENCODING
  kInvalidClientBytes,       // INVALID_CLIENT_BYTES
  kCollationConflict,        // COLLATION_CONFLICT
};
inline constexpr unsigned kIssueCount = 5;
static_assert(static_cast<unsigned>(Issue::kCollationConflict) + 1 == kIssueCount,
              "kIssueCount must count every Issue");

// IssueName: the ISSUE column's text, e.g. "SUSPECTED_DOUBLE_ENCODING".
const char* IssueName(Issue issue);

// Longest name kept (user, host, charset, schema, table, column); longer
// ones are cut (identifiers are at most 64 characters, i.e. 256 bytes).
inline constexpr size_t kMaxNameBytes = 256;
// Longest SAMPLE kept, in characters of the formatted text.
inline constexpr size_t kMaxSampleChars = 80;
// Longest STATEMENT_DIGEST kept.
inline constexpr size_t kMaxDigestChars = 1024;

// FindingKey: the identity of a row, as views (nothing is copied unless a
// new row is created). `column_is_null` makes COLUMN_NAME NULL.
struct FindingKey {
  std::string_view user;
  std::string_view host;
  std::string_view client_charset;
  std::string_view schema;
  std::string_view table;
  std::string_view column;
  bool column_is_null = false;
  std::string_view column_charset;
  Issue issue = Issue::kCharsetMismatch;
};

// EncodingRow: one row of INFORMATION_SCHEMA.LOCKDIAG_ENCODING, by value.
struct EncodingRow {
  std::string user;            // USER
  std::string host;            // HOST
  std::string client_charset;  // CLIENT_CHARSET
  std::string schema;          // TABLE_SCHEMA ("" when unknown)
  std::string table;           // TABLE_NAME ("" when unknown)
  std::string column;          // COLUMN_NAME; NULL when column_is_null
  bool column_is_null = false;
  std::string column_charset;             // COLUMN_CHARSET ("" when unknown; for
                                          // COLLATION_CONFLICT the operands, e.g.
                                          // "latin1_swedish_ci,utf8mb4_general_ci")
  Issue issue = Issue::kCharsetMismatch;  // ISSUE: IssueName(issue)
  uint64_t occurrences = 0;               // OCCURRENCES
  Timestamp first_seen = 0;               // FIRST_SEEN, microseconds UTC
  Timestamp last_seen = 0;                // LAST_SEEN, microseconds UTC
  std::string sample;                     // SAMPLE, e.g. "pos 2: C3 A8" (redacted)
  std::string statement_digest;           // STATEMENT_DIGEST (normalised text)
};

// Values of the encoding status variables.
struct EncodingStoreStatus {
  uint64_t findings = 0;       // Lockdiag_encoding_findings: occurrences recorded or dropped
  uint64_t bytes_scanned = 0;  // Lockdiag_bytes_scanned
  uint64_t rows = 0;           // rows held now
  uint64_t memory_bytes = 0;   // their estimated footprint
  uint64_t dropped = 0;        // new rows refused by the bounds (add to Lockdiag_dropped_events)
};

// EncodingListener is told of each new row (the audit trail listens); called
// on the recording thread with no lock held; must not block.
class EncodingListener {
 public:
  virtual ~EncodingListener() = default;
  virtual void OnNewEncodingRow(const EncodingRow& row) = 0;
};

class EncodingStore {
 public:
  static constexpr unsigned kShards = 16;
  static constexpr uint64_t kDefaultMaxRows = 10000;
  static constexpr uint64_t kDefaultMaxMemoryBytes = 16ull << 20;

  EncodingStore() = default;
  EncodingStore(const EncodingStore&) = delete;
  EncodingStore& operator=(const EncodingStore&) = delete;

  // Bounds; may be changed at any time (relaxed atomics). Lowering them does
  // not evict rows, it only refuses new ones until Reset().
  void SetMaxRows(uint64_t n) { max_rows_.store(n, std::memory_order_relaxed); }
  void SetMaxMemoryBytes(uint64_t n) { max_memory_.store(n, std::memory_order_relaxed); }

  // Record adds one occurrence of `key` at `now`. A new row copies the key
  // (names cut to kMaxNameBytes), `sample` (cut to kMaxSampleChars) and
  // `digest` (cut to kMaxDigestChars); an existing row only counts and moves
  // LAST_SEEN (it keeps its first sample and digest). `hint` spreads the
  // counters (pass the connection id). Returns false when the row was new and
  // did not fit in the bounds (counted as dropped).
  bool Record(const FindingKey& key, std::string_view sample, std::string_view digest, Timestamp now,
              uint64_t hint);

  // SetListener installs (nullptr removes) the listener of new rows.
  void SetListener(EncodingListener* listener) { listener_.store(listener, std::memory_order_release); }

  // CountBytesScanned adds to Lockdiag_bytes_scanned.
  void CountBytesScanned(uint64_t n, uint64_t hint) { bytes_scanned_.Add(n, hint); }

  // Snapshot copies every row (order unspecified).
  std::vector<EncodingRow> Snapshot() const;

  EncodingStoreStatus Status() const;

  // Reset forgets every row and zeroes the counters (lockdiag_reset).
  void Reset();

  // Save appends every row to `out`, one shard lock at a time. Load adds the
  // rows `in` holds within the bounds (the others counted in *dropped and in
  // Status().dropped); false when `in` is corrupt (the caller then resets
  // the store). The counters are not saved: they count since the start.
  void Save(StateEncoder* out) const;
  [[nodiscard]] bool Load(StateDecoder* in, uint64_t* dropped);

 private:
  using RowMap = std::unordered_multimap<uint64_t, EncodingRow>;  // by HashKey

  static int64_t Footprint(const EncodingRow& row);

  // The rows; its budget() holds the row count and bytes, claimed by
  // Record() before it inserts, from any shard.
  ShardedMap<EncodingRow, kShards, RowMap> rows_;
  std::atomic<uint64_t> max_rows_{kDefaultMaxRows};
  std::atomic<EncodingListener*> listener_{nullptr};
  std::atomic<uint64_t> max_memory_{kDefaultMaxMemoryBytes};
  ShardedCounter findings_;
  ShardedCounter bytes_scanned_;
  ShardedCounter dropped_;
};

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ENCODING_ENCODING_STORE_H_
