#include "table_ref.h"

#include "digest.h"

namespace lockdiag {

uint64_t TableHash(std::string_view schema, std::string_view table) {
  // NUL cannot occur in identifiers: ("ab", "c") and ("a", "bc") differ.
  uint64_t h = HashBytes(table, HashBytes(std::string_view("\0", 1), HashBytes(schema)));
  return h == 0 ? 1 : h;
}

std::string QualifiedName(std::string_view schema, std::string_view table) {
  std::string name;
  name.reserve(schema.size() + table.size() + 1);
  name.append(schema).push_back('.');
  name.append(table);
  return name;
}

}  // namespace lockdiag
