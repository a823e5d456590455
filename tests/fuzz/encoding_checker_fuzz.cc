// encoding_checker_fuzz.cc: a statement's values and the server's warnings
// through the EncodingChecker (core/encoding/encoding_checker.h) into a
// store, the way the adapter passes them.
//
// Input (FuzzedDataProvider): the client charset, up to 8 values (each with
// its column's charset, names and bytes), then up to 4 warnings (a code and
// a message). Charset names are mostly real ones, sometimes raw bytes.
// Invariants:
//   * CheckWrite counts at most three findings per value (mismatch, invalid
//     bytes, double encoding) and scans at most the values' bytes;
//   * a sample never holds a value as text: INVALID_CLIENT_BYTES and
//     SUSPECTED_DOUBLE_ENCODING samples are "pos <n>: " and hex, LOSSY_
//     CONVERSION samples "value: " and hex, or "code <n>"; all within
//     kMaxSampleChars;
//   * names are kept as passed, cut at a character within kMaxNameBytes,
//     and COLUMN_NAME is NULL exactly for a value passed without a column;
//   * RecordServerWarning records only for the codes it documents, and the
//     store's status agrees with its snapshot.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/text.h"
#include "core/encoding/encoding_checker.h"
#include "core/encoding/encoding_store.h"
#include "fuzz_check.h"

namespace {

using namespace lockdiag::encoding;

constexpr const char* kNames[] = {"utf8mb4", "utf8mb3", "utf8",  "latin1", "cp1251",
                                  "cp1250",  "sjis",    "gbk",   "big5",   "euckr",
                                  "ujis",    "ucs2",    "utf16", "utf32",  "binary",
                                  "ascii",   "koi8r",   "swe7",  "",       "utf8mb4_unicode_ci"};
constexpr uint32_t kCodes[] = {1366, 1300, 1265, 1406, 1267, 1270, 1271, 1062, 0};

std::string CharsetName(FuzzedDataProvider* in) {
  if (in->ConsumeIntegralInRange<int>(0, 7) == 0) return in->ConsumeRandomLengthString(40);
  return kNames[in->ConsumeIntegralInRange<size_t>(0, sizeof kNames / sizeof kNames[0] - 1)];
}

bool IsHexSample(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    if (!hex && c != ' ' && !(c == '.' && s.substr(s.size() - 4) == " ...")) return false;
  }
  return true;
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

void CheckSample(const EncodingRow& row) {
  FUZZ_CHECK(row.sample.size() <= kMaxSampleChars);
  std::string_view s = row.sample;
  switch (row.issue) {
    case Issue::kInvalidClientBytes:
    case Issue::kSuspectedDoubleEncoding: {
      FUZZ_CHECK(StartsWith(s, "pos "));
      const size_t colon = s.find(": ");
      FUZZ_CHECK(colon != std::string_view::npos);
      for (char c : s.substr(4, colon - 4)) FUZZ_CHECK(c >= '0' && c <= '9');
      FUZZ_CHECK(IsHexSample(s.substr(colon + 2)));
      break;
    }
    case Issue::kLossyConversion:
      if (StartsWith(s, "value: ")) {
        FUZZ_CHECK(IsHexSample(s.substr(7)));
      } else {
        FUZZ_CHECK(StartsWith(s, "code "));
      }
      break;
    default:
      break;
  }
}

// The store keeps a name as Utf8Head(name, kMaxNameBytes).
bool KeptFromOne(const std::string& kept, const std::vector<std::string>& passed) {
  for (const std::string& p : passed) {
    if (kept == lockdiag::Utf8Head(p, kMaxNameBytes)) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  EncodingStore store;
  EncodingChecker checker(&store);

  const std::string client = CharsetName(&in);
  const size_t count = in.ConsumeIntegralInRange<size_t>(0, 8);
  std::vector<std::string> charsets, schemas, tables, columns, values;
  for (size_t i = 0; i < count; ++i) {
    charsets.push_back(CharsetName(&in));
    schemas.push_back(in.ConsumeBool() ? "shop" : in.ConsumeRandomLengthString(300));
    tables.push_back(in.ConsumeBool() ? "poems" : in.ConsumeRandomLengthString(300));
    columns.push_back(in.ConsumeBool() ? "title" : in.ConsumeRandomLengthString(300));
    values.push_back(in.ConsumeRandomLengthString(200));
  }
  std::vector<WrittenValue> written;
  uint64_t value_bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    written.push_back(WrittenValue{schemas[i], tables[i], columns[i], charsets[i], values[i]});
    value_bytes += values[i].size();
  }
  WriteContext ctx;
  ctx.user = "app";
  ctx.host = "10.0.0.7";
  ctx.client_charset = client;
  ctx.statement_digest = "insert into poems ( title ) values (?)";
  ctx.connection_id = 42;
  ctx.now = 1000;
  ctx.values = written.data();
  ctx.value_count = written.size();

  const CheckSummary summary = checker.CheckWrite(ctx);
  FUZZ_CHECK(summary.findings <= 3 * count);
  FUZZ_CHECK(summary.bytes_scanned <= value_bytes);

  const int warnings = in.ConsumeIntegralInRange<int>(0, 4);
  for (int w = 0; w < warnings; ++w) {
    const uint32_t code = kCodes[in.ConsumeIntegralInRange<size_t>(0, sizeof kCodes / sizeof kCodes[0] - 1)];
    const std::string message = in.ConsumeRandomLengthString(300);
    const bool recorded = checker.RecordServerWarning(ctx, code, message);
    if (recorded) FUZZ_CHECK(code != 1062 && code != 0);
  }

  const std::vector<EncodingRow> rows = store.Snapshot();
  FUZZ_CHECK(store.Status().rows == rows.size());
  schemas.push_back("");
  tables.push_back("");
  columns.push_back("");
  for (const EncodingRow& row : rows) {
    CheckSample(row);
    FUZZ_CHECK(row.schema.size() <= kMaxNameBytes && row.table.size() <= kMaxNameBytes);
    FUZZ_CHECK(row.column.size() <= kMaxNameBytes && row.column_charset.size() <= kMaxNameBytes);
    if (row.issue != Issue::kLossyConversion && row.issue != Issue::kCollationConflict) {
      // Names from the values themselves (a warning's names come from its message).
      FUZZ_CHECK(KeptFromOne(row.schema, schemas) && KeptFromOne(row.table, tables));
      FUZZ_CHECK(row.column_is_null ? row.column.empty() : KeptFromOne(row.column, columns));
    }
  }
  return 0;
}
