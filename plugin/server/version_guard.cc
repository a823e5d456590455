#include "server/server_includes.h"
// server_includes.h comes first: it sets up the server's headers.
#include "server/version_guard.h"

#include <string>

#include "core/common/server_version.h"

namespace lockdiag::server {
namespace {

// The version of the headers lockdiag was compiled from. tests/version_guard
// compiles this file into a stand-in plugin that claims another version
// (LOCKDIAG_TEST_BUILT_FOR), to watch the refusal inside a real server.
#ifdef LOCKDIAG_TEST_BUILT_FOR
constexpr const char* kBuiltFor = LOCKDIAG_TEST_BUILT_FOR;
#else
constexpr const char* kBuiltFor = MYSQL_SERVER_VERSION;
#endif

}  // namespace

bool WrongServerVersion() {
  // server_version is what the running mariadbd says it is.
  const std::string built(ServerVersionNumber(kBuiltFor));
  const std::string running(ServerVersionNumber(server_version));
  if (SameServerVersion(kBuiltFor, server_version)) return false;
  if (using_custom_server_version) {
    sql_print_warning(
        "lockdiag: built for MariaDB %s; this server was started with a custom --version ('%s'), so "
        "lockdiag cannot check that it is the same server version",
        built.c_str(), server_version);
    return false;
  }
  sql_print_error(
      "lockdiag: built for MariaDB %s, this server is %s: rebuild lockdiag for %s (docs/packaging.md)",
      built.c_str(), running.empty() ? server_version : running.c_str(),
      running.empty() ? "it" : running.c_str());
  return true;
}

}  // namespace lockdiag::server
