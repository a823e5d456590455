// ranking.h: the order in which a report shows things, the same in every format.
//
// Findings: SEVERITY (HIGH first), then RELATED_ERRORS, then OCCURRENCES
// (more first), then PATTERN and OBJECTS (so equal findings keep a stable
// order). Tables: the busiest by TRANSACTIONS, the most conflicted by lock
// errors (tables without any are left out). Encoding issues by OCCURRENCES.
// Connections: refusals first, then by ATTEMPTS.
#ifndef LOCKDIAG_REPORT_RANKING_H_
#define LOCKDIAG_REPORT_RANKING_H_

#include <cstddef>

#include "model.h"

namespace lockdiag::report {

// How many rows the two table lists keep.
inline constexpr size_t kTopTables = 10;

// RankReport: sorts every list of `r` as above and cuts the table lists.
void RankReport(Report* r);

// FindingBefore: the order of findings (a strict weak order).
bool FindingBefore(const ReportFinding& a, const ReportFinding& b);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_RANKING_H_
