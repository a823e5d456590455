// encoding_checker.h: the statement-level API the server adapter calls.
//
// The adapter turns a write statement into a WriteContext (plain views; the
// checker copies nothing unless it creates a row) and calls CheckWrite; it
// passes the statement's warnings and errors to RecordServerWarning. All
// decisions are made here; the adapter makes none.
//
//   EncodingChecker checker(&store);
//   WrittenValue values[] = {{"shop", "poems", "title", "utf8mb4", title_bytes}};
//   WriteContext ctx;
//   ctx.user = "app"; ctx.host = "10.0.0.7"; ctx.client_charset = "latin1";
//   ctx.statement_digest = "insert into poems ( title ) values (?)";
//   ctx.connection_id = 42;
//   ctx.values = values; ctx.value_count = 1;
//   checker.CheckWrite(ctx);                                   // after parsing, per statement
//   checker.RecordServerWarning(ctx, 1366, message_text);      // per warning/error event
//
// WHAT THE ADAPTER PASSES, AND WHEN
//   CheckWrite: once per INSERT / UPDATE / REPLACE / LOAD DATA statement (and
//   per EXECUTE of a prepared one), before or after execution (the verdict
//   does not depend on the outcome):
//     * user, host: the connection's account (USER, HOST columns).
//     * client_charset: thd->variables.character_set_client->cs_name (the
//       current one, not general_charset: after SET NAMES they differ).
//     * statement_digest: the normalised statement text (DigestStatement()
//       from digest.h, or the server's digest text); copied only into new rows.
//     * values: one WrittenValue per string literal / string parameter written
//       into a character column: the target schema, table and column name,
//       the column's charset (cs_name or collation name; "" or "binary" for
//       non-character columns, which are skipped), and the value's bytes
//       exactly as the client sent them (for literals: the bytes between the
//       quotes of the statement text, unescaped; for prepared statements: the
//       parameter's bytes before conversion). Pass each value once per row;
//       NULLs and numbers are not passed. A literal not tied to one column
//       (e.g. in a WHERE clause) may be passed with an empty column name: its
//       findings get COLUMN_NAME NULL.
//     * now: the statement's timestamp (0: the checker reads NowMicros() once,
//       only if it records something).
//     * connection_id: spreads counters over shards.
//   RecordServerWarning: for every MYSQL_AUDIT_GENERAL_WARNING/ERROR event of
//   the statement whose code is 1366, 1300, 1265, 1406 (LOSSY_CONVERSION) or
//   1267, 1270, 1271 (COLLATION_CONFLICT); the message text is the event's
//   general_command. Other codes are ignored (returns false), so the adapter
//   may pass every code. Pass the same WriteContext (values may be empty):
//   the checker looks the column named in the message up in `values` to find
//   its charset, and counts 1265/1406 only when that column is a character
//   column whose charset differs from the client's (i.e. a conversion took
//   place); without `values` they are ignored. For COLLATION_CONFLICT the
//   TABLE_SCHEMA/TABLE_NAME come from values[0] if any, else from
//   default_schema / "".
//
// COST
//   Per statement: one charset-name lookup for the client (a few short
//   compares) and one per distinct column charset (cached while consecutive
//   values share it). Per value: ConversionCanLose (one bit test) and the
//   vectorised ASCII test; pure-ASCII values stop there. No allocation unless
//   a new row is created. OCCURRENCES counts statements: within one
//   CheckWrite a (column, issue) pair is recorded once, however many rows.
//
// Thread-safety: EncodingChecker is thread-safe (its only state is the store
// pointer and atomics); many connections call it at once.
#ifndef LOCKDIAG_CORE_ENCODING_ENCODING_CHECKER_H_
#define LOCKDIAG_CORE_ENCODING_ENCODING_CHECKER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/common/clock.h"
#include "core/encoding/encoding_store.h"

namespace lockdiag {
namespace encoding {

// WrittenValue: one string value written into one column.
struct WrittenValue {
  std::string_view schema;
  std::string_view table;
  std::string_view column;          // "" = not tied to one column (COLUMN_NAME NULL)
  std::string_view column_charset;  // cs_name or collation name; "" = not a character column
  std::string_view value;           // the bytes as the client sent them
};

// WriteContext: one statement, as the adapter sees it. Views must stay valid
// for the duration of the call only.
struct WriteContext {
  std::string_view user;
  std::string_view host;
  std::string_view client_charset;    // character_set_client's cs_name
  std::string_view statement_digest;  // normalised text for STATEMENT_DIGEST
  std::string_view default_schema;    // the connection's current schema ("" if none)
  uint64_t connection_id = 0;
  Timestamp now = 0;  // 0: read the clock once, when needed
  const WrittenValue* values = nullptr;
  size_t value_count = 0;
};

// CheckSummary: what one CheckWrite found (for tests and the adapter's logs).
struct CheckSummary {
  uint32_t findings = 0;       // rows recorded or counted (after per-statement dedup)
  uint64_t bytes_scanned = 0;  // value bytes looked at
};

class EncodingChecker {
 public:
  // REQUIRES: store outlives the checker.
  explicit EncodingChecker(EncodingStore* store) : store_(store) {}
  EncodingChecker(const EncodingChecker&) = delete;
  EncodingChecker& operator=(const EncodingChecker&) = delete;

  // lockdiag_encoding_checks: when false, CheckWrite and RecordServerWarning
  // return at once.
  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }
  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }

  // CheckWrite records CHARSET_MISMATCH, INVALID_CLIENT_BYTES and
  // SUSPECTED_DOUBLE_ENCODING findings for the statement's values.
  CheckSummary CheckWrite(const WriteContext& ctx);

  // RecordServerWarning records LOSSY_CONVERSION (1366 "Incorrect string
  // value", 1300, and 1265/1406 when caused by a conversion) and
  // COLLATION_CONFLICT (1267, 1270, 1271). Returns true when it recorded.
  bool RecordServerWarning(const WriteContext& ctx, uint32_t code, std::string_view message);

  EncodingStore* store() const { return store_; }

 private:
  EncodingStore* const store_;
  std::atomic<bool> enabled_{true};
};

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ENCODING_ENCODING_CHECKER_H_
