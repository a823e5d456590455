// table_ref.h: how the shared aggregates name a table.
//
// Aggregates are keyed by a 64-bit hash of (schema, table) so that lookups on
// the publish path neither allocate nor compare strings; every entry also
// keeps the names, checks them on lookup, and treats a hash collision as "no
// room" (counted in Lockdiag_dropped_events) rather than mixing two tables.
//
// Pure, thread-safe.
#ifndef LOCKDIAG_CORE_LOCK_TABLE_REF_H_
#define LOCKDIAG_CORE_LOCK_TABLE_REF_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace lockdiag {

// TableHash: hash of (schema, table), never 0.
uint64_t TableHash(std::string_view schema, std::string_view table);

// QualifiedName: "schema.table" (each part in backticks, SQL-style, when it
// holds anything but letters, digits, _ and $), as the OBJECTS and TRANSACTION_HISTORY
// columns show tables.
std::string QualifiedName(std::string_view schema, std::string_view table);

// TableNames: the names an aggregate entry keeps for its table.
struct TableNames {
  std::string schema;
  std::string table;

  bool Is(std::string_view s, std::string_view t) const { return schema == s && table == t; }
  std::string Qualified() const { return QualifiedName(schema, table); }
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_TABLE_REF_H_
