// wrong_version_plugin.cc: lockdiag_wrong_version.so, a stand-in for a
// lockdiag built for another server version. Its one plugin runs lockdiag's
// own version guard (plugin/server/version_guard.cc, compiled with
// LOCKDIAG_TEST_BUILT_FOR) in its init, so the mtr test
// lockdiag_version.refused sees the refusal and its error-log line in a real
// server. Test-only: never installed.
#include "server/server_includes.h"
// server_includes.h first: the server headers need my_global.h before all else.
#include "server/version_guard.h"

namespace {

int Init(void*) { return lockdiag::server::WrongServerVersion() ? 1 : 0; }

st_mysql_daemon descriptor = {MYSQL_DAEMON_INTERFACE_VERSION};

}  // namespace

maria_declare_plugin(lockdiag_wrong_version){MYSQL_DAEMON_PLUGIN,
                                             &descriptor,
                                             "LOCKDIAG_WRONG_VERSION",
                                             "lockdiag",
                                             "lockdiag's version guard, built for another server version",
                                             PLUGIN_LICENSE_GPL,
                                             Init,
                                             nullptr,
                                             0x0001,
                                             nullptr,
                                             nullptr,
                                             "0.1",
                                             MariaDB_PLUGIN_MATURITY_GAMMA} maria_declare_plugin_end;
