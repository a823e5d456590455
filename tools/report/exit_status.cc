#include "exit_status.h"

namespace lockdiag::report {

int ExitStatusFor(const Report& r, std::optional<Severity> fail_on) {
  if (!fail_on) return kExitClean;
  for (const auto& f : r.findings)
    if (f.finding.severity >= *fail_on) return kExitFindings;
  return kExitClean;
}

}  // namespace lockdiag::report
