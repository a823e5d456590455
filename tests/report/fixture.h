// fixture.h: fixed data for the report's unit and snapshot tests: two
// servers as a replica pair would look, with every table non-empty.
//   db1: an inversion (poems/stats) it saw both ways, a duplicate-key
//        finding with linked incidents, a 3-table cycle, encoding, refusals;
//        locks shop.orders -> shop.customers only
//   db2: the same duplicate-key finding, a MEDIUM and a LOW one; locks
//        shop.customers -> shop.orders only (the cross-server inversion)
#ifndef LOCKDIAG_TESTS_REPORT_FIXTURE_H_
#define LOCKDIAG_TESTS_REPORT_FIXTURE_H_

#include <string>
#include <vector>

#include "model.h"

namespace lockdiag::report::testing {

ServerSnapshot Db1();
ServerSnapshot Db2();
inline std::vector<ServerSnapshot> BothServers() { return {Db1(), Db2()}; }
// Named: an empty snapshot of server `name`.
inline ServerSnapshot Named(const std::string& name) {
  ServerSnapshot s;
  s.server = name;
  return s;
}

}  // namespace lockdiag::report::testing

#endif  // LOCKDIAG_TESTS_REPORT_FIXTURE_H_
