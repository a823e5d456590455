// encoding_checker.cc: turns a statement's values and diagnostics into findings.
#include "core/encoding/encoding_checker.h"

#include "core/common/hash.h"
#include "core/common/text.h"

#include "core/encoding/charsets.h"
#include "core/encoding/mojibake.h"
#include "core/encoding/sample.h"
#include "core/encoding/scan.h"
#include "core/encoding/server_message.h"

namespace lockdiag {
namespace encoding {
namespace {

// The canonical name when the charset is known, else what the adapter passed.
std::string_view DisplayName(const Charset& cs, std::string_view given) {
  return cs.kind == CharsetKind::kUnknown ? given : std::string_view(cs.name);
}

// Per-statement de-duplication of (column, issue): a small fixed set of
// hashes; when it is full, findings are recorded without de-duplication.
class SeenSet {
 public:
  // Returns true the first time (column of `v`, issue) is offered.
  bool FirstTime(const WrittenValue& v, Issue issue) {
    FieldHasher hasher;
    for (std::string_view s : {v.schema, v.table, v.column}) hasher.Field(s);
    hasher.Number(static_cast<uint64_t>(issue) + 1);
    const uint64_t h = hasher.value();
    for (size_t i = 0; i < size_; i++) {
      if (seen_[i] == h) return false;
    }
    if (size_ < kCapacity) seen_[size_++] = h;
    return true;
  }

 private:
  static constexpr size_t kCapacity = 64;
  uint64_t seen_[kCapacity];
  size_t size_ = 0;
};

// Builds the key of a finding about value `v`.
FindingKey KeyFor(const WriteContext& ctx, const Charset& client, const WrittenValue& v,
                  const Charset& column, Issue issue) {
  FindingKey key;
  key.user = ctx.user;
  key.host = ctx.host;
  key.client_charset = DisplayName(client, ctx.client_charset);
  key.schema = v.schema;
  key.table = v.table;
  key.column = v.column;
  key.column_is_null = v.column.empty();
  key.column_charset = DisplayName(column, v.column_charset);
  key.issue = issue;
  return key;
}

}  // namespace

CheckSummary EncodingChecker::CheckWrite(const WriteContext& ctx) {
  CheckSummary summary;
  if (!enabled() || ctx.value_count == 0) return summary;
  const Charset& client = LookupCharset(ctx.client_charset);
  std::string_view cached_name;
  const Charset* column = nullptr;
  SeenSet seen;
  SampleBuffer sample;
  Timestamp now = ctx.now;
  auto record = [&](const WrittenValue& v, const Charset& col, Issue issue, std::string_view evidence) {
    if (!seen.FirstTime(v, issue)) return;
    if (now == 0) now = NowMicros();
    store_->Record(KeyFor(ctx, client, v, col, issue), evidence, ctx.statement_digest, now,
                   ctx.connection_id);
    summary.findings++;
  };

  for (size_t i = 0; i < ctx.value_count; i++) {
    const WrittenValue& v = ctx.values[i];
    if (v.column_charset.empty()) continue;  // not a character column
    if (column == nullptr || v.column_charset.data() != cached_name.data() ||
        v.column_charset.size() != cached_name.size()) {
      if (column == nullptr || v.column_charset != cached_name) column = &LookupCharset(v.column_charset);
      cached_name = v.column_charset;
    }
    if (column->kind == CharsetKind::kBinary) continue;  // stored as sent: nothing to convert or lose
    // A binary client's bytes are not converted: judge them in the column's charset.
    const Charset& effective = client.kind == CharsetKind::kBinary ? *column : client;
    // A huge value is read up to a bound (scan.h, kMaxCheckedValueBytes).
    const std::string_view value = v.value.substr(0, CheckedPrefixLength(effective, v.value));
    summary.bytes_scanned += value.size();

    if (ConversionCanLose(client.id, column->id)) {
      sample.Clear();
      sample.Append(client.name);
      sample.Append(" -> ");
      sample.Append(column->name);
      record(v, *column, Issue::kCharsetMismatch, sample.view());
    }

    // Fast path: ASCII is valid and unambiguous in every client charset
    // lockdiag judges (swe7, whose 0x7F is undefined, is not worth a scan).
    if (AsciiPrefixLength(value.data(), value.size()) == value.size()) continue;

    ScanResult scan = ScanValue(effective, value);
    if (!scan.valid) {
      FormatSample(scan.error_pos, value.substr(scan.error_pos, scan.error_len), &sample);
      record(v, *column, Issue::kInvalidClientBytes, sample.view());
    }
    MojibakeResult mojibake = DetectDoubleEncoding(effective, value);
    if (mojibake.suspected) {
      FormatSample(mojibake.evidence_pos, value.substr(mojibake.evidence_pos, mojibake.evidence_len),
                   &sample);
      record(v, *column, Issue::kSuspectedDoubleEncoding, sample.view());
    }
  }
  store_->CountBytesScanned(summary.bytes_scanned, ctx.connection_id);
  return summary;
}

namespace {

// The longest collation name quoted in COLUMN_CHARSET (a collation name is at
// most 64 bytes in MariaDB).
constexpr size_t kMaxCollationName = 64;

// IsLossyConversionCode / IsCollationConflictCode: the server conditions
// RecordServerWarning turns into each issue.
bool IsLossyConversionCode(uint32_t code) {
  return code == kErTruncatedWrongValueForField || code == kErInvalidCharacterString ||
         code == kWarnDataTruncated || code == kErDataTooLong;
}
bool IsCollationConflictCode(uint32_t code) {
  return code == kErCantAggregate2Collations || code == kErCantAggregate3Collations ||
         code == kErCantAggregateNCollations;
}

// LossyConversion fills `key` and `sample` for a conversion warning (1366,
// 1300, 1265, 1406) about the statement's values; false when the condition
// is not an encoding finding (a number or a date, or a truncation that no
// conversion caused).
bool LossyConversion(const WriteContext& ctx, const Charset& client, uint32_t code, std::string_view message,
                     FindingKey* key, SampleBuffer* sample) {
  key->issue = Issue::kLossyConversion;
  ColumnMessage m;
  const bool parsed = ParseColumnMessage(message, &m);
  if (parsed && code == kErTruncatedWrongValueForField && !m.string_value) return false;  // a number or date
  // Find the column among the statement's values; note whether any value
  // written to it is not pure ASCII.
  const WrittenValue* target = nullptr;
  bool non_ascii = false;
  if (parsed && !m.column.empty()) {
    for (size_t i = 0; i < ctx.value_count; i++) {
      const WrittenValue& v = ctx.values[i];
      if (EqualsIgnoreCase(v.column, m.column) && (m.table.empty() || EqualsIgnoreCase(v.table, m.table))) {
        if (target == nullptr) target = &v;
        if (AsciiPrefixLength(v.value.data(), v.value.size()) != v.value.size()) non_ascii = true;
      }
    }
  }
  const Charset* column = target ? &LookupCharset(target->column_charset) : nullptr;
  if (code == kWarnDataTruncated || code == kErDataTooLong) {
    // Only a truncation caused by a conversion is an encoding finding. ASCII
    // converts to as many characters and (but for the wide charsets) as many
    // bytes, so an all-ASCII value cut short is simply too long for the
    // column.
    if (!parsed || !column || target->column_charset.empty() || column->kind == CharsetKind::kBinary ||
        client.kind == CharsetKind::kBinary || column->id == client.id ||
        (!non_ascii && column->kind != CharsetKind::kWide)) {
      return false;
    }
  }
  if (parsed) {
    if (!m.column.empty()) {
      key->column = m.column;
      key->column_is_null = false;
    }
    if (!m.table.empty()) key->table = m.table;
    if (!m.schema.empty()) key->schema = m.schema;
    if (target != nullptr) {
      if (m.table.empty()) key->table = target->table;
      if (m.schema.empty()) key->schema = target->schema;
    }
  }
  if (column != nullptr) {
    key->column_charset = DisplayName(*column, target->column_charset);
  } else if (parsed && !m.charset.empty()) {
    key->column_charset = m.charset;  // 1300 names the charset it checked against
  }
  if (parsed && m.value_len > 0) {
    sample->Append("value: ");
    sample->AppendHexBytes(m.value_bytes());
    if (m.value_truncated && m.value_len < kMaxSampleDataBytes) sample->Append(" ...");
  } else {
    sample->Append("code ");
    sample->AppendNumber(code);
  }
  return true;
}

// CollationConflict fills `key` and `sample` for an illegal mix of
// collations (1267, 1270, 1271). The operands' collations go to
// COLUMN_CHARSET ("a,b", written into `operands`); coercibilities and the
// operation to SAMPLE. Both are server metadata, not user data.
void CollationConflict(const WriteContext& ctx, uint32_t code, std::string_view message, FindingKey* key,
                       SampleBuffer* sample, std::string* operands) {
  key->issue = Issue::kCollationConflict;
  if (ctx.value_count > 0) {
    key->schema = ctx.values[0].schema;
    key->table = ctx.values[0].table;
  }
  CollationMessage m;
  if (ParseCollationMessage(message, &m)) {
    for (int i = 0; i < m.operands; i++) {
      if (i > 0) operands->push_back(',');
      operands->append(m.collation[i].substr(0, kMaxCollationName));
      if (i > 0) sample->Append(" vs ");
      sample->Append(m.coercibility[i].substr(0, 16));
    }
    if (!m.operation.empty()) {
      sample->Append(m.operands > 0 ? " for '" : "for '");
      sample->Append(m.operation.substr(0, 24));
      sample->Append("'");
    }
  } else {
    sample->Append("code ");
    sample->AppendNumber(code);
  }
  key->column_charset = *operands;
}

}  // namespace

bool EncodingChecker::RecordServerWarning(const WriteContext& ctx, uint32_t code, std::string_view message) {
  if (!enabled()) return false;
  const bool lossy = IsLossyConversionCode(code);
  if (!lossy && !IsCollationConflictCode(code)) return false;
  const Charset& client = LookupCharset(ctx.client_charset);
  SampleBuffer sample;
  FindingKey key;
  key.user = ctx.user;
  key.host = ctx.host;
  key.client_charset = DisplayName(client, ctx.client_charset);
  key.schema = ctx.default_schema;
  key.column_is_null = true;
  std::string operands;  // COLUMN_CHARSET of a collation conflict; outlives `key`'s view of it
  if (lossy) {
    if (!LossyConversion(ctx, client, code, message, &key, &sample)) return false;
  } else {
    CollationConflict(ctx, code, message, &key, &sample, &operands);
  }
  const Timestamp now = ctx.now != 0 ? ctx.now : NowMicros();
  return store_->Record(key, sample.view(), ctx.statement_digest, now, ctx.connection_id);
}

}  // namespace encoding
}  // namespace lockdiag
