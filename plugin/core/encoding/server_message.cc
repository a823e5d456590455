// server_message.cc: parsers for the server's English message texts.
#include "core/encoding/server_message.h"

namespace lockdiag {
namespace encoding {
namespace {

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Unescapes the server's `%T` rendering (\xHH for bytes it cannot show).
void SetValue(std::string_view quoted, bool plain_hex_allowed, ColumnMessage* out) {
  out->value_len = 0;
  out->value_truncated = false;
  // The server shows at most a few characters and marks the cut with "..."
  // (convert_to_printable): a marker, not bytes of the value.
  bool cut = false;
  if (quoted.size() > 3 && quoted.substr(quoted.size() - 3) == "...") {
    quoted.remove_suffix(3);
    cut = true;
  }
  bool plain_hex = plain_hex_allowed && !quoted.empty() && quoted.size() % 2 == 0;
  for (char c : quoted) plain_hex = plain_hex && HexValue(c) >= 0;
  auto push = [out](char c) {
    if (out->value_len == sizeof out->value_buf) {
      out->value_truncated = true;
      return;
    }
    out->value_buf[out->value_len++] = c;
  };
  if (plain_hex) {  // MySQL-style "Invalid utf8mb4 character string: 'F09F98'"
    for (size_t i = 0; i + 1 < quoted.size(); i += 2) {
      push(static_cast<char>(HexValue(quoted[i]) * 16 + HexValue(quoted[i + 1])));
    }
    out->value_truncated = out->value_truncated || cut;
    return;
  }
  for (size_t i = 0; i < quoted.size(); i++) {
    if (quoted[i] == '\\' && i + 3 < quoted.size() && quoted[i + 1] == 'x' && HexValue(quoted[i + 2]) >= 0 &&
        HexValue(quoted[i + 3]) >= 0) {
      push(static_cast<char>(HexValue(quoted[i + 2]) * 16 + HexValue(quoted[i + 3])));
      i += 3;
    } else {
      push(quoted[i]);
    }
  }
  out->value_truncated = out->value_truncated || cut;
}

// Reads one quoted name (`name` or 'name') at s[*i]; advances past it.
bool ReadQuoted(std::string_view s, size_t* i, std::string_view* name) {
  if (*i >= s.size() || (s[*i] != '`' && s[*i] != '\'')) return false;
  char q = s[*i];
  size_t end = s.find(q, *i + 1);
  if (end == std::string_view::npos) return false;
  *name = s.substr(*i + 1, end - *i - 1);
  *i = end + 1;
  return true;
}

// Parses "`db`.`t`.`c`" or "'c'" at s[i].
bool ReadColumn(std::string_view s, size_t i, ColumnMessage* out) {
  std::string_view parts[3];
  int n = 0;
  while (n < 3 && ReadQuoted(s, &i, &parts[n])) {
    n++;
    if (i < s.size() && s[i] == '.') {
      i++;
    } else {
      break;
    }
  }
  if (n == 0) return false;
  out->column = parts[n - 1];
  if (n >= 2) out->table = parts[n - 2];
  if (n == 3) out->schema = parts[0];
  return true;
}

}  // namespace

bool ParseColumnMessage(std::string_view message, ColumnMessage* out) {
  *out = ColumnMessage();
  constexpr std::string_view kForColumn = "' for column ";
  if (StartsWith(message, "Incorrect ")) {
    out->string_value = StartsWith(message, "Incorrect string value: '");
    size_t open = message.find(": '");
    size_t close = message.rfind(kForColumn);
    if (open == std::string_view::npos || close == std::string_view::npos || close < open + 3) return false;
    SetValue(message.substr(open + 3, close - open - 3), false, out);
    return ReadColumn(message, close + kForColumn.size(), out);
  }
  if (StartsWith(message, "Invalid ")) {
    constexpr std::string_view kCharacterString = " character string: '";
    size_t cs_end = message.find(kCharacterString);
    // "Invalid character string: ..." names no charset: not the server's
    // shape (the charset would otherwise start past its own end).
    if (cs_end == std::string_view::npos || cs_end < 8) return false;
    out->charset = message.substr(8, cs_end - 8);
    size_t start = cs_end + kCharacterString.size();
    size_t close = message.rfind('\'');
    if (close == std::string_view::npos || close < start) return false;
    SetValue(message.substr(start, close - start), true, out);
    return true;
  }
  for (std::string_view prefix :
       {std::string_view("Data truncated for column "), std::string_view("Data too long for column ")}) {
    if (StartsWith(message, prefix)) return ReadColumn(message, prefix.size(), out);
  }
  return false;
}

bool ParseCollationMessage(std::string_view message, CollationMessage* out) {
  *out = CollationMessage();
  constexpr std::string_view kPrefix = "Illegal mix of collations ";
  if (!StartsWith(message, kPrefix)) return false;
  size_t i = kPrefix.size();
  // Operands: "(coll,COERCIBILITY)" separated by ", " or " and ".
  while (i < message.size() && message[i] == '(' && out->operands < CollationMessage::kMaxOperands) {
    size_t comma = message.find(',', i);
    size_t close = message.find(')', i);
    if (comma == std::string_view::npos || close == std::string_view::npos || comma > close) return false;
    out->collation[out->operands] = message.substr(i + 1, comma - i - 1);
    out->coercibility[out->operands] = message.substr(comma + 1, close - comma - 1);
    out->operands++;
    i = close + 1;
    if (StartsWith(message.substr(i), ", ")) {
      i += 2;
    } else if (StartsWith(message.substr(i), " and ")) {
      i += 5;
    } else if (i < message.size() && message[i] == ' ') {
      i += 1;
    }
  }
  constexpr std::string_view kOperation = "for operation '";
  size_t op = message.find(kOperation, i > 0 ? i - 1 : 0);
  if (op != std::string_view::npos) {
    size_t start = op + kOperation.size();
    size_t close = message.rfind('\'');
    if (close != std::string_view::npos && close >= start)
      out->operation = message.substr(start, close - start);
  }
  return true;
}

}  // namespace encoding
}  // namespace lockdiag
