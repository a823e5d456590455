// merge.h: one Report from the snapshots of one or more servers.
//
//   std::vector<ServerSnapshot> snaps = ...;   // one per server, in --servers order
//   Report r = BuildReport(snaps);              // merged and ranked (ranking.h)
//
// Findings with the same PATTERN and OBJECTS on several servers become one
// ReportFinding that names each server (Sighting) and sums the counts. The
// lock-order graph is the union of every server's LOCKDIAG_LOCK_ORDER. A pair
// of tables locked A then B only on some servers and B then A only on others
// is a LOCK_ORDER_INVERSION that no server can see alone: the merged view
// adds it (cross_server), HIGH, "seen across servers".
#ifndef LOCKDIAG_REPORT_MERGE_H_
#define LOCKDIAG_REPORT_MERGE_H_

#include <vector>

#include "model.h"

namespace lockdiag::report {

// BuildReport: merges, links incidents to findings (by PATTERN_ID on the
// same server), builds the graph and ranks everything (RankReport).
Report BuildReport(const std::vector<ServerSnapshot>& snaps);

// CrossServerInversions: the findings only the merged view has (see above).
// Exposed for its unit test.
std::vector<ReportFinding> CrossServerInversions(const std::vector<ServerSnapshot>& snaps);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_MERGE_H_
