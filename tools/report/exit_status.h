// exit_status.h: what lockdiag-report's exit status says, for scripts and
// monitoring (docs/report.md, "Exit status").
#ifndef LOCKDIAG_REPORT_EXIT_STATUS_H_
#define LOCKDIAG_REPORT_EXIT_STATUS_H_

#include <optional>

#include "model.h"

namespace lockdiag::report {

inline constexpr int kExitClean = 0;     // no finding at or above --fail-on
inline constexpr int kExitFindings = 1;  // at least one
inline constexpr int kExitError = 2;     // usage, connection, privilege, plugin missing

// ExitStatusFor: kExitFindings when a finding is at least as severe as
// `fail_on`; `fail_on` nullopt (--fail-on=NONE) never fails.
int ExitStatusFor(const Report& r, std::optional<Severity> fail_on);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_EXIT_STATUS_H_
