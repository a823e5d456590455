// server_message.h: reads the facts lockdiag needs out of the server's
// English warning and error texts (lc_messages=en_US, the default). With
// another message language the parsers return false and the finding is
// recorded without a column (see encoding_checker.h).
//
//   ColumnMessage m;
//   ParseColumnMessage("Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column "
//                      "`db`.`t`.`c` at row 1", &m);
//   // m.schema == "db", m.table == "t", m.column == "c", m.value_bytes == "\xF0\x9F\x98\x80"
//
// Pure functions, thread-safe; results are views into the message or small
// fixed buffers, no allocation.
#ifndef LOCKDIAG_CORE_ENCODING_SERVER_MESSAGE_H_
#define LOCKDIAG_CORE_ENCODING_SERVER_MESSAGE_H_

#include <cstdint>
#include <string_view>

namespace lockdiag {
namespace encoding {

// Server codes lockdiag reads (mysqld_error.h names).
inline constexpr uint32_t kErTruncatedWrongValueForField = 1366;  // Incorrect string value
inline constexpr uint32_t kErInvalidCharacterString = 1300;
inline constexpr uint32_t kWarnDataTruncated = 1265;
inline constexpr uint32_t kErDataTooLong = 1406;
inline constexpr uint32_t kErCantAggregate2Collations = 1267;
inline constexpr uint32_t kErCantAggregate3Collations = 1270;
inline constexpr uint32_t kErCantAggregateNCollations = 1271;

// ColumnMessage: what 1366 / 1265 / 1406 / 1300 messages say.
struct ColumnMessage {
  bool string_value = false;  // 1366: "Incorrect string value" (not integer, date...)
  std::string_view schema;    // "" when the message names only the column
  std::string_view table;
  std::string_view column;   // "" when no column is named (1300)
  std::string_view charset;  // 1300: "Invalid <charset> character string"
  // The quoted value, unescaped (\xHH -> byte), at most 16 bytes.
  char value_buf[16];
  size_t value_len = 0;
  bool value_truncated = false;
  std::string_view value_bytes() const { return std::string_view(value_buf, value_len); }
};

// ParseColumnMessage fills `out` from a 1366, 1300, 1265 or 1406 message.
// Returns false when the text has none of the expected shapes.
bool ParseColumnMessage(std::string_view message, ColumnMessage* out);

// CollationMessage: the operands of an "Illegal mix of collations" error.
struct CollationMessage {
  static constexpr int kMaxOperands = 3;
  std::string_view collation[kMaxOperands];     // e.g. "latin1_swedish_ci"
  std::string_view coercibility[kMaxOperands];  // e.g. "IMPLICIT"
  int operands = 0;                             // 0 for 1271
  std::string_view operation;                   // e.g. "=", "UNION"
};

// ParseCollationMessage fills `out` from a 1267, 1270 or 1271 message.
bool ParseCollationMessage(std::string_view message, CollationMessage* out);

}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_ENCODING_SERVER_MESSAGE_H_
