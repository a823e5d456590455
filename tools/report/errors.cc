#include "errors.h"

namespace lockdiag::report {
namespace {
// The server's codes, spelled out: the tool does not include mysqld_error.h
// for two numbers.
constexpr unsigned kErUnknownTable = 1109;
constexpr unsigned kErSpecificAccessDenied = 1227;
}  // namespace

std::string ConnectError(const std::string& server, const std::string& message) {
  return "cannot connect to " + server + ": " + message;
}

std::string QueryError(const std::string& server, unsigned error_code, const std::string& message) {
  if (error_code == kErUnknownTable)
    return "lockdiag is not installed on " + server + " (INSTALL SONAME 'lockdiag'): " + message;
  if (error_code == kErSpecificAccessDenied)
    return "reading lockdiag's tables on " + server +
           " needs the PROCESS privilege (GRANT PROCESS ON *.* TO ...): " + message;
  return "reading lockdiag's tables on " + server + " failed: " + message;
}

}  // namespace lockdiag::report
