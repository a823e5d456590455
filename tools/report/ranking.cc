#include "ranking.h"

#include <algorithm>
#include <tuple>

namespace lockdiag::report {

bool FindingBefore(const ReportFinding& a, const ReportFinding& b) {
  const Finding& x = a.finding;
  const Finding& y = b.finding;
  // Negated counts sort "more" first while the names sort ascending.
  return std::make_tuple(-static_cast<int>(x.severity), ~x.related_errors, ~x.occurrences, x.pattern,
                         x.objects) < std::make_tuple(-static_cast<int>(y.severity), ~y.related_errors,
                                                      ~y.occurrences, y.pattern, y.objects);
}

void RankReport(Report* r) {
  std::stable_sort(r->findings.begin(), r->findings.end(), FindingBefore);

  auto& busy = r->busiest_tables;
  std::stable_sort(busy.begin(), busy.end(), [](const auto& a, const auto& b) {
    return std::tie(b.row.transactions, a.row.table) < std::tie(a.row.transactions, b.row.table);
  });
  if (busy.size() > kTopTables) busy.resize(kTopTables);

  auto& conf = r->conflicted_tables;
  conf.erase(std::remove_if(conf.begin(), conf.end(), [](const auto& t) { return t.row.Conflicts() == 0; }),
             conf.end());
  std::stable_sort(conf.begin(), conf.end(), [](const auto& a, const auto& b) {
    uint64_t ca = a.row.Conflicts(), cb = b.row.Conflicts();
    return std::tie(cb, a.row.table) < std::tie(ca, b.row.table);
  });
  if (conf.size() > kTopTables) conf.resize(kTopTables);

  std::stable_sort(r->encoding.begin(), r->encoding.end(), [](const auto& a, const auto& b) {
    return std::tie(b.row.occurrences, a.row.table, a.row.column, a.row.issue) <
           std::tie(a.row.occurrences, b.row.table, b.row.column, b.row.issue);
  });

  std::stable_sort(r->connections.begin(), r->connections.end(), [](const auto& a, const auto& b) {
    bool ra = a.row.Refused(), rb = b.row.Refused();
    return std::tie(rb, b.row.attempts, a.row.user, a.row.host) <
           std::tie(ra, a.row.attempts, b.row.user, b.row.host);
  });
}

}  // namespace lockdiag::report
