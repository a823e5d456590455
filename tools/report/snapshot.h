// snapshot.h: the LOCKDIAG_* query results of one server as a ServerSnapshot.
//
// Columns are found by name, not position, so that a column added to a table
// does not break the tool. LOCKDIAG_TABLES' plain-read column is found by
// shape (see TablesFrom) because `READS` is a reserved word and is being
// renamed (issue 10); both names are read.
#ifndef LOCKDIAG_REPORT_SNAPSHOT_H_
#define LOCKDIAG_REPORT_SNAPSHOT_H_

#include "model.h"
#include "result_set.h"

namespace lockdiag::report {

// The query of each table; QueryOf(kTables) is `SELECT *` (see above).
enum class Source { kPatterns, kIncidents, kTables, kLockOrder, kEncoding, kConnections };
inline constexpr Source kAllSources[] = {Source::kPatterns,  Source::kIncidents, Source::kTables,
                                         Source::kLockOrder, Source::kEncoding,  Source::kConnections};
const char* QueryOf(Source s);

// AddRows: converts `rows` of table `s` and appends them to `snap`.
// Missing columns read as empty or 0; numbers that do not parse read as 0.
void AddRows(Source s, const ResultSet& rows, ServerSnapshot* snap);

// SplitObjects: "a.b,c.d" -> {"a.b", "c.d"} (blanks around names dropped).
std::vector<std::string> SplitObjects(const std::string& objects);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_SNAPSHOT_H_
