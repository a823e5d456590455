// result_set.h: the rows of one query as text, as the client library hands
// them over, so that turning them into the model (snapshot.h) needs no server.
#ifndef LOCKDIAG_REPORT_RESULT_SET_H_
#define LOCKDIAG_REPORT_RESULT_SET_H_

#include <optional>
#include <string>
#include <vector>

namespace lockdiag::report {

struct ResultSet {
  std::vector<std::string> columns;                           // upper-case names
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt is SQL NULL
};

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_RESULT_SET_H_
