// server_message_fuzz.cc: the parsers of the server's messages
// (core/encoding/server_message.h).
//
// Two inputs from each fuzz input:
//   1. the bytes as a message. Invariants: every view the parsers return
//      lies inside the message (they are documented as views into it); the
//      unescaped value holds at most 16 bytes; the charset of a 1300 message
//      is the text between "Invalid " and " character string: '"; at most
//      three collation operands.
//   2. a message the server would write, built from the fuzz input: "
//      Incorrect string value: '<value as %T renders it>' for column
//      `<schema>`.`<table>`.`<column>` at row 1". Invariant: the parser gives
//      back exactly those names and the first 16 bytes of the value, and says
//      whether it kept all of them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/encoding/server_message.h"
#include "fuzz_check.h"

namespace {

using namespace lockdiag::encoding;

bool Inside(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

void CheckAnyMessage(std::string_view message) {
  ColumnMessage m;
  if (ParseColumnMessage(message, &m)) {
    FUZZ_CHECK(Inside(m.schema, message) && Inside(m.table, message) && Inside(m.column, message));
    FUZZ_CHECK(Inside(m.charset, message));
    FUZZ_CHECK(m.value_len <= sizeof m.value_buf);
    if (!m.charset.empty()) {
      constexpr std::string_view kInvalid = "Invalid ";
      FUZZ_CHECK(message.substr(0, kInvalid.size()) == kInvalid);
      FUZZ_CHECK(message.substr(kInvalid.size(), m.charset.size()) == m.charset);
      FUZZ_CHECK(message.substr(kInvalid.size() + m.charset.size(), 20) == " character string: '");
    }
  }
  CollationMessage c;
  if (ParseCollationMessage(message, &c)) {
    FUZZ_CHECK(c.operands >= 0 && c.operands <= CollationMessage::kMaxOperands);
    for (int i = 0; i < c.operands; ++i) {
      FUZZ_CHECK(Inside(c.collation[i], message) && Inside(c.coercibility[i], message));
    }
    FUZZ_CHECK(Inside(c.operation, message));
  }
}

// A name the server quotes with backticks: no backtick and no quote in it
// (the parser finds the value's end by the last "' for column ").
std::string Name(std::string_view bytes) {
  std::string out;
  for (char c : bytes) {
    if (c != '`' && c != '\'') out.push_back(c);
  }
  return out.empty() ? "n" : out;
}

// The server's %T rendering: printable characters as they are, other bytes
// as \xHH. Letters and digits only stay, so that no "..." or "\x" of the
// value's own can look like the server's marks.
std::string Render(std::string_view value) {
  std::string out;
  char buf[8];
  for (unsigned char c : value) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out.push_back(static_cast<char>(c));
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

void CheckRoundTrip(std::string_view in) {
  // Fields split at 0x00: value, schema, table, column.
  std::string_view f[4];
  for (int k = 0; k < 4; ++k) {
    const size_t z = in.find('\0');
    f[k] = in.substr(0, z);
    in = z == std::string_view::npos ? std::string_view() : in.substr(z + 1);
  }
  const std::string schema = Name(f[1]), table = Name(f[2]), column = Name(f[3]);
  const std::string message = "Incorrect string value: '" + Render(f[0]) + "' for column `" + schema + "`.`" +
                              table + "`.`" + column + "` at row 1";
  ColumnMessage m;
  FUZZ_CHECK(ParseColumnMessage(message, &m));
  FUZZ_CHECK(m.string_value);
  FUZZ_CHECK(m.schema == schema && m.table == table && m.column == column);
  const size_t kept = f[0].size() < sizeof m.value_buf ? f[0].size() : sizeof m.value_buf;
  FUZZ_CHECK(m.value_bytes() == f[0].substr(0, kept));
  FUZZ_CHECK(m.value_truncated == (f[0].size() > sizeof m.value_buf));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  CheckAnyMessage(in);
  CheckRoundTrip(in);
  return 0;
}
