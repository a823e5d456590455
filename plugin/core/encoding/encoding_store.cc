// encoding_store.cc: the sharded, bounded findings aggregate.
#include "core/encoding/encoding_store.h"

#include "core/common/hash.h"
#include "core/common/text.h"

namespace lockdiag {
namespace encoding {
namespace {

// Name: a name as a row keeps it (cut at a character boundary).
std::string_view Name(std::string_view s) { return Utf8Head(s, kMaxNameBytes); }

uint64_t HashKey(const FindingKey& k) {
  FieldHasher h;
  for (std::string_view s : {k.user, k.host, k.client_charset, k.schema, k.table}) h.Field(Name(s));
  h.Field(k.column_is_null ? std::string_view() : Name(k.column));
  h.Field(Name(k.column_charset));
  h.Number(static_cast<uint64_t>(k.issue) + (k.column_is_null ? 0x100 : 0));
  return h.value();
}

bool Matches(const EncodingRow& row, const FindingKey& k) {
  return row.issue == k.issue && row.column_is_null == k.column_is_null && row.user == Name(k.user) &&
         row.host == Name(k.host) && row.client_charset == Name(k.client_charset) &&
         row.schema == Name(k.schema) && row.table == Name(k.table) &&
         (k.column_is_null || row.column == Name(k.column)) && row.column_charset == Name(k.column_charset);
}

}  // namespace

const char* IssueName(Issue issue) {
  switch (issue) {
    case Issue::kCharsetMismatch:
      return "CHARSET_MISMATCH";
    case Issue::kLossyConversion:
      return "LOSSY_CONVERSION";
    case Issue::kSuspectedDoubleEncoding:
      return "SUSPECTED_DOUBLE_ENCODING";
    case Issue::kInvalidClientBytes:
      return "INVALID_CLIENT_BYTES";
    case Issue::kCollationConflict:
      return "COLLATION_CONFLICT";
  }
  return "UNKNOWN";
}

size_t EncodingStore::Footprint(const EncodingRow& row) {
  // The node (hash, pointers, the row) plus every string's heap buffer.
  size_t bytes = sizeof(EncodingRow) + 4 * sizeof(void*) + sizeof(uint64_t);
  for (const std::string* s : {&row.user, &row.host, &row.client_charset, &row.schema, &row.table,
                               &row.column, &row.column_charset, &row.sample, &row.statement_digest}) {
    if (s->capacity() > 15) bytes += s->capacity() + 1;
  }
  return bytes;
}

bool EncodingStore::Record(const FindingKey& key, std::string_view sample, std::string_view digest,
                           Timestamp now, uint64_t hint) {
  findings_.Add(1, hint);
  const uint64_t h = HashKey(key);
  Shard& shard = shards_[h % kShards];
  {
    MutexLock lock(&shard.mu);
    auto range = shard.rows.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
      EncodingRow& row = it->second;
      if (!Matches(row, key)) continue;
      row.occurrences++;
      if (now > row.last_seen) row.last_seen = now;
      if (now < row.first_seen) row.first_seen = now;
      return true;
    }
  }
  // A new row: build it outside the lock (allocations), then reserve room.
  EncodingRow row;
  row.user = Name(key.user);
  row.host = Name(key.host);
  row.client_charset = Name(key.client_charset);
  row.schema = Name(key.schema);
  row.table = Name(key.table);
  row.column_is_null = key.column_is_null;
  if (!key.column_is_null) row.column = Name(key.column);
  row.column_charset = Name(key.column_charset);
  row.issue = key.issue;
  row.occurrences = 1;
  row.first_seen = now;
  row.last_seen = now;
  row.sample = Utf8Head(sample, kMaxSampleChars);
  row.statement_digest = Utf8Head(digest, kMaxDigestChars);
  const size_t footprint = Footprint(row);

  MutexLock lock(&shard.mu);
  // Another thread may have created the row meanwhile.
  auto range = shard.rows.equal_range(h);
  for (auto it = range.first; it != range.second; ++it) {
    EncodingRow& existing = it->second;
    if (!Matches(existing, key)) continue;
    existing.occurrences++;
    if (now > existing.last_seen) existing.last_seen = now;
    if (now < existing.first_seen) existing.first_seen = now;
    return true;
  }
  const uint64_t rows = rows_.fetch_add(1, std::memory_order_relaxed) + 1;
  const uint64_t memory = memory_bytes_.fetch_add(footprint, std::memory_order_relaxed) + footprint;
  if (rows > max_rows_.load(std::memory_order_relaxed) ||
      memory > max_memory_.load(std::memory_order_relaxed)) {
    rows_.fetch_sub(1, std::memory_order_relaxed);
    memory_bytes_.fetch_sub(footprint, std::memory_order_relaxed);
    dropped_.Add(1, hint);
    return false;
  }
  shard.rows.emplace(h, std::move(row));
  return true;
}

std::vector<EncodingRow> EncodingStore::Snapshot() const {
  std::vector<EncodingRow> out;
  out.reserve(rows_.load(std::memory_order_relaxed) + 16);
  for (const Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    for (const auto& [hash, row] : shard.rows) out.push_back(row);
  }
  return out;
}

EncodingStoreStatus EncodingStore::Status() const {
  EncodingStoreStatus s;
  s.findings = findings_.Sum();
  s.bytes_scanned = bytes_scanned_.Sum();
  s.rows = rows_.load(std::memory_order_relaxed);
  s.memory_bytes = memory_bytes_.load(std::memory_order_relaxed);
  s.dropped = dropped_.Sum();
  return s;
}

void EncodingStore::Reset() {
  for (Shard& shard : shards_) {
    MutexLock lock(&shard.mu);
    for (const auto& [hash, row] : shard.rows) {
      rows_.fetch_sub(1, std::memory_order_relaxed);
      memory_bytes_.fetch_sub(Footprint(row), std::memory_order_relaxed);
    }
    shard.rows.clear();
  }
  findings_.Reset();
  bytes_scanned_.Reset();
  dropped_.Reset();
}

}  // namespace encoding
}  // namespace lockdiag
