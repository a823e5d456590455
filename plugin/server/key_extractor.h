// key_extractor.h: which rows a statement addresses, as (column, value)
// hashes, read from the statement's parse tree while it runs.
//
// For reads, UPDATE and DELETE: the equality predicates of the WHERE clause
// (`col = const`, `const = col`, `col IN (const, ...)`, under AND).
// For INSERT and REPLACE: the inserted values, column by column.
// Constants include bound prepared-statement parameters. Values are hashed
// (core KeyHash) and never stored.
//
// REQUIRES: called at a table-lock event of the running statement, when its
// items are alive (they are destroyed before the STATUS event).
#ifndef LOCKDIAG_SERVER_KEY_EXTRACTOR_H_
#define LOCKDIAG_SERVER_KEY_EXTRACTOR_H_

#include <cstdint>

class THD;
struct TABLE;

namespace lockdiag::server {

// ExtractKeys writes up to `max` hashes for accesses to `table` (which may be
// null when the handle was not found; INSERT without a column list then
// yields nothing) and returns how many it wrote.
uint32_t ExtractKeys(THD* thd, TABLE* table, bool is_insert, uint64_t* out, uint32_t max);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_KEY_EXTRACTOR_H_
