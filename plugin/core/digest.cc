#include "digest.h"

#include <cctype>

namespace lockdiag {
namespace {

bool IsIdentChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

// Appends `c`, folding white space into one space and dropping a space before
// `,` and `)` and after `(`, so layout differences do not split digests.
void Put(std::string* out, char c) {
  if (c == ' ') {
    if (out->empty() || out->back() == ' ' || out->back() == '(') return;
  } else if ((c == ',' || c == ')') && !out->empty() && out->back() == ' ') {
    out->pop_back();
  }
  out->push_back(c);
}

// Collapses "(?, ?, ?)" just written into "(...)", and "(...),(...)" into
// "(...)": IN lists and multi-row VALUES of any length are one digest.
void CollapseList(std::string* out) {
  size_t open = out->rfind('(');
  if (open == std::string::npos) return;
  bool only_literals = open + 1 < out->size() - 1;
  for (size_t i = open + 1; i + 1 < out->size() && only_literals; ++i) {
    char c = (*out)[i];
    only_literals = c == '?' || c == ',' || c == ' ' || c == '.';
  }
  if (!only_literals) return;
  out->resize(open);
  // A previous "(...)," row: drop this one.
  if (out->size() >= 6 && out->compare(out->size() - 6, 6, "(...),") == 0) {
    out->pop_back();
    return;
  }
  if (out->size() >= 7 && out->compare(out->size() - 7, 7, "(...), ") == 0) {
    out->resize(out->size() - 2);
    return;
  }
  out->append("(...)");
}

}  // namespace

uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t DigestStatement(std::string_view sql, std::string* out) {
  out->clear();
  if (sql.size() > kMaxDigestInput) sql = sql.substr(0, kMaxDigestInput);
  const size_t n = sql.size();
  size_t i = 0;
  while (i < n && out->size() < kMaxDigestText) {
    unsigned char c = sql[i];
    if (std::isspace(c)) {
      Put(out, ' ');
      ++i;
    } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
      // Comment; MariaDB's executable comments /*! ... */ and /*M! ... */ keep
      // their content, as the server runs it.
      if (i + 2 < n && (sql[i + 2] == '!' || sql[i + 2] == 'M')) {
        i += 3;
        while (i < n && std::isdigit(static_cast<unsigned char>(sql[i]))) ++i;
        if (i < n && sql[i - 1] == 'M' && sql[i] == '!') ++i;
        continue;
      }
      size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? n : end + 2;
      Put(out, ' ');
    } else if (c == '*' && i + 1 < n && sql[i + 1] == '/') {
      i += 2;  // end of an executable comment
    } else if (c == '#' || (c == '-' && i + 2 < n && sql[i + 1] == '-' &&
                            std::isspace(static_cast<unsigned char>(sql[i + 2])))) {
      size_t end = sql.find('\n', i);
      i = end == std::string_view::npos ? n : end + 1;
      Put(out, ' ');
    } else if (c == '\'' || c == '"') {
      // String literal; backslash escapes and doubled quotes.
      ++i;
      while (i < n) {
        if (sql[i] == '\\' && i + 1 < n) {
          i += 2;
        } else if (sql[i] == static_cast<char>(c)) {
          if (i + 1 < n && sql[i + 1] == static_cast<char>(c)) {
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          ++i;
        }
      }
      Put(out, '?');
    } else if (c == '`') {
      // Quoted identifier: kept verbatim, case and all.
      size_t start = i++;
      while (i < n && !(sql[i] == '`' && (i + 1 >= n || sql[i + 1] != '`'))) i += sql[i] == '`' ? 2 : 1;
      if (i < n) ++i;
      for (size_t k = start; k < i && out->size() < kMaxDigestText; ++k) out->push_back(sql[k]);
    } else if (std::isdigit(c) ||
               (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1])))) {
      // Number (integer, decimal, exponent, 0x.. hex, 0b.. bits). A digit run
      // glued to letters ("t1", "2fa") is an identifier.
      size_t start = i;
      while (i < n && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '.' || sql[i] == '_' ||
                       ((sql[i] == '+' || sql[i] == '-') && (sql[i - 1] == 'e' || sql[i - 1] == 'E'))))
        ++i;
      bool is_ident = !out->empty() && IsIdentChar(static_cast<unsigned char>(out->back()));
      if (is_ident) {
        for (size_t k = start; k < i; ++k)
          out->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[k]))));
      } else {
        // A sign directly before a number in operand position is part of it.
        if (out->size() >= 2 && out->back() == '-') {
          char before = (*out)[out->size() - 2];
          if (before == '(' || before == ',' || before == '=' || before == ' ') out->pop_back();
        }
        Put(out, '?');
      }
    } else if ((c == 'x' || c == 'X' || c == 'b' || c == 'B') && i + 1 < n && sql[i + 1] == '\'' &&
               (out->empty() || !IsIdentChar(static_cast<unsigned char>(out->back())))) {
      // x'ABCD' / b'0101' literals.
      size_t end = sql.find('\'', i + 2);
      i = end == std::string_view::npos ? n : end + 1;
      Put(out, '?');
    } else if (c == ')') {
      Put(out, ')');
      ++i;
      CollapseList(out);
    } else if (IsIdentChar(c)) {
      while (i < n && IsIdentChar(static_cast<unsigned char>(sql[i])) && out->size() < kMaxDigestText) {
        out->push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i]))));
        ++i;
      }
    } else {
      // Operators: a space on each side of comparison and arithmetic signs,
      // none around dots.
      if (c == '=' || c == '<' || c == '>' || c == '!' || c == '+' || c == '-' || c == '*' || c == '/' ||
          c == '%') {
        if (!out->empty() && out->back() != ' ' && out->back() != '(' &&
            !std::ispunct(static_cast<unsigned char>(out->back())))
          out->push_back(' ');
        else if (!out->empty() && (out->back() == '?' || out->back() == ')' || out->back() == '`'))
          out->push_back(' ');
        out->push_back(static_cast<char>(c));
        ++i;
        while (i < n && (sql[i] == '=' || sql[i] == '>' || sql[i] == '<')) out->push_back(sql[i++]);
        if (i < n && !std::isspace(static_cast<unsigned char>(sql[i]))) {
          // Keep a unary minus glued to the number that follows (handled above).
          if (!(c == '-' && std::isdigit(static_cast<unsigned char>(sql[i])))) out->push_back(' ');
        }
      } else if (c == ';' && i + 1 >= n) {
        ++i;  // a trailing semicolon does not change the statement
      } else {
        Put(out, static_cast<char>(c));
        ++i;
      }
    }
  }
  while (!out->empty() && out->back() == ' ') out->pop_back();
  if (out->size() >= kMaxDigestText) {
    out->resize(kMaxDigestText - 3);
    out->append("...");
  }
  uint64_t h = HashBytes(*out);
  return h == 0 ? 1 : h;
}

}  // namespace lockdiag
