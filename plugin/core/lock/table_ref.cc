#include "core/lock/table_ref.h"

#include "core/common/hash.h"

namespace lockdiag {

uint64_t TableHash(std::string_view schema, std::string_view table) {
  // NUL cannot occur in identifiers: ("ab", "c") and ("a", "bc") differ.
  uint64_t h = Fnv1a(table, FnvByte(Fnv1a(schema), 0));
  return h == 0 ? 1 : h;
}

namespace {

// An identifier needs quoting in a list of names when it holds anything but
// letters, digits, '_' and '$' (bytes >= 0x80 are letters of UTF-8 names):
// a '.', ',' or ' ' would make "schema.table, ..." ambiguous.
bool NeedsQuotes(std::string_view id) {
  if (id.empty()) return true;
  for (unsigned char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '$' || c >= 0x80;
    if (!plain) return true;
  }
  return false;
}

void AppendIdentifier(std::string* out, std::string_view id) {
  if (!NeedsQuotes(id)) {
    out->append(id);
    return;
  }
  // As SQL quotes it: in backticks, a backtick doubled.
  out->push_back('`');
  for (char c : id) {
    if (c == '`') out->push_back('`');
    out->push_back(c);
  }
  out->push_back('`');
}

}  // namespace

std::string QualifiedName(std::string_view schema, std::string_view table) {
  std::string name;
  name.reserve(schema.size() + table.size() + 1);
  AppendIdentifier(&name, schema);
  name.push_back('.');
  AppendIdentifier(&name, table);
  return name;
}

}  // namespace lockdiag
