// errors.h: the one-line messages of exit status 2, from the server's error.
#ifndef LOCKDIAG_REPORT_ERRORS_H_
#define LOCKDIAG_REPORT_ERRORS_H_

#include <string>

namespace lockdiag::report {

// ConnectError: "cannot connect to SERVER: MESSAGE".
std::string ConnectError(const std::string& server, const std::string& message);

// QueryError: what a failed LOCKDIAG_* query means for the reader: the plugin
// is not installed (1109, unknown table), the account lacks PROCESS (1227),
// or else the server's message as it is.
std::string QueryError(const std::string& server, unsigned error_code, const std::string& message);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_ERRORS_H_
