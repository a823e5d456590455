// encoding_adapter.h: feeds the encoding checker (core/encoding) from the
// server: the string values a write statement carries, the target columns'
// character sets, the connection's client character set, and the server's
// conversion warnings and collation errors.
//
// Per-statement state (the values found at the write's table-lock event,
// needed again for the warnings the statement raises) is kept per thread:
// a statement runs on one thread from its first event to its STATUS event.
#ifndef LOCKDIAG_SERVER_ENCODING_ADAPTER_H_
#define LOCKDIAG_SERVER_ENCODING_ADAPTER_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

class THD;
struct TABLE;

namespace lockdiag::server {

// OnWriteTarget: the statement locked `table` to write it (INSERT, REPLACE,
// UPDATE). Collects the string literals and parameters written into its
// character columns and checks them.
void EncodingOnWriteTarget(THD* thd, TABLE* table);

// OnLockedTablesStatement: the STATUS event of a statement run under LOCK
// TABLES, whose text is `text`: for INSERT / REPLACE ... VALUES, checks the
// string literals of its text (such statements fire no table-lock event,
// and their items are gone by then).
void EncodingOnLockedTablesStatement(THD* thd, std::string_view text);

// OnServerCondition: a warning or error event of the running statement.
void EncodingOnServerCondition(THD* thd, uint32_t code, const char* message, size_t length);

// OnStatementEnd: forget the statement's values.
void EncodingOnStatementEnd(THD* thd);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_ENCODING_ADAPTER_H_
