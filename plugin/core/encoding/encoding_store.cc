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

FindingKey KeyOf(const EncodingRow& row) {
  return FindingKey{row.user,   row.host,           row.client_charset, row.schema, row.table,
                    row.column, row.column_is_null, row.column_charset, row.issue};
}

// CountExisting counts one occurrence at `now` in the row of `k` (hash `h`)
// if `rows` holds it; false when it does not.
bool CountExisting(std::unordered_multimap<uint64_t, EncodingRow>& rows, uint64_t h, const FindingKey& k,
                   Timestamp now) {
  auto range = rows.equal_range(h);
  for (auto it = range.first; it != range.second; ++it) {
    EncodingRow& row = it->second;
    if (!Matches(row, k)) continue;
    row.occurrences++;
    if (now > row.last_seen) row.last_seen = now;
    if (now < row.first_seen) row.first_seen = now;
    return true;
  }
  return false;
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

int64_t EncodingStore::Footprint(const EncodingRow& row) {
  // The node (hash, pointers, the row) plus every string's heap buffer.
  size_t bytes = sizeof(EncodingRow) + 4 * sizeof(void*) + sizeof(uint64_t);
  for (const std::string* s : {&row.user, &row.host, &row.client_charset, &row.schema, &row.table,
                               &row.column, &row.column_charset, &row.sample, &row.statement_digest}) {
    if (s->capacity() > 15) bytes += s->capacity() + 1;
  }
  return static_cast<int64_t>(bytes);
}

bool EncodingStore::Record(const FindingKey& key, std::string_view sample, std::string_view digest,
                           Timestamp now, uint64_t hint) {
  findings_.Add(1, hint);
  const uint64_t h = HashKey(key);
  if (rows_.Update(h, [&](RowMap& rows) { return CountExisting(rows, h, key, now); })) return true;
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
  const int64_t footprint = Footprint(row);
  EncodingListener* listener = listener_.load(std::memory_order_acquire);
  EncodingRow told;
  if (listener != nullptr) told = row;

  bool inserted = false;
  const bool kept = rows_.Update(h, [&](RowMap& rows) {
    // Another thread may have created the row meanwhile.
    if (CountExisting(rows, h, key, now)) return true;
    if (!rows_.budget().TryClaim(max_rows_.load(std::memory_order_relaxed), footprint,
                                 max_memory_.load(std::memory_order_relaxed)))
      return false;
    rows.emplace(h, std::move(row));
    inserted = true;
    return true;
  });
  if (!kept) dropped_.Add(1, hint);
  if (inserted && listener != nullptr) listener->OnNewEncodingRow(told);
  return kept;
}

std::vector<EncodingRow> EncodingStore::Snapshot() const {
  std::vector<EncodingRow> out;
  out.reserve(rows_.count() + 16);
  rows_.ForEach([&](const EncodingRow& row) { out.push_back(row); });
  return out;
}

EncodingStoreStatus EncodingStore::Status() const {
  EncodingStoreStatus s;
  s.findings = findings_.Sum();
  s.bytes_scanned = bytes_scanned_.Sum();
  s.rows = rows_.count();
  s.memory_bytes = rows_.memory_bytes();
  s.dropped = dropped_.Sum();
  return s;
}

void EncodingStore::Save(StateEncoder* out) const {
  rows_.ForEach([&](const EncodingRow& row) {
    out->Item();
    for (const std::string* t : {&row.user, &row.host, &row.client_charset, &row.schema, &row.table,
                                 &row.column, &row.column_charset, &row.sample, &row.statement_digest}) {
      out->Str(*t);
    }
    out->Bool(row.column_is_null);
    out->U64(static_cast<uint64_t>(row.issue));
    out->U64(row.occurrences);
    out->I64(row.first_seen);
    out->I64(row.last_seen);
  });
  out->EndItems();
}

bool EncodingStore::Load(StateDecoder* in, uint64_t* dropped) {
  while (in->NextItem()) {
    EncodingRow row;
    for (std::string* t : {&row.user, &row.host, &row.client_charset, &row.schema, &row.table, &row.column,
                           &row.column_charset}) {
      *t = in->Str(kMaxNameBytes);
    }
    row.sample = in->Str(kStateMaxText);
    row.statement_digest = in->Str(kStateMaxText);
    row.column_is_null = in->Bool();
    const uint64_t issue = in->U64();
    if (issue >= kIssueCount) in->Fail();
    row.issue = static_cast<Issue>(issue);
    row.occurrences = in->U64();
    row.first_seen = in->I64();
    row.last_seen = in->I64();
    if (!in->ok()) break;
    const FindingKey key = KeyOf(row);
    const uint64_t h = HashKey(key);
    const int64_t footprint = Footprint(row);
    const bool kept = rows_.Update(h, [&](RowMap& rows) {
      auto range = rows.equal_range(h);
      for (auto it = range.first; it != range.second; ++it) {
        if (Matches(it->second, key)) return false;  // twice in the file: not written by Save()
      }
      if (!rows_.budget().TryClaim(max_rows_.load(std::memory_order_relaxed), footprint,
                                   max_memory_.load(std::memory_order_relaxed)))
        return false;
      rows.emplace(h, std::move(row));
      return true;
    });
    if (!kept) {
      ++*dropped;
      dropped_.Add(1, 0);
    }
  }
  return in->ok();
}

void EncodingStore::Reset() {
  rows_.Clear([](const EncodingRow& row) { return Footprint(row); });
  findings_.Reset();
  bytes_scanned_.Reset();
  dropped_.Reset();
}

}  // namespace encoding
}  // namespace lockdiag
