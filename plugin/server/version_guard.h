// version_guard.h: lockdiag refuses to start inside a server of another
// version than the one it was compiled for (see core/common/server_version.h
// for why), with one error-log line that says what to do.
#ifndef LOCKDIAG_SERVER_VERSION_GUARD_H_
#define LOCKDIAG_SERVER_VERSION_GUARD_H_

namespace lockdiag::server {

// WrongServerVersion: true, after logging the refusal, when the running
// server is not the version lockdiag was built for; every plugin init of the
// library returns 1 then. A server started with a custom --version string
// cannot be checked: that is logged as a warning and lockdiag starts.
[[nodiscard]] bool WrongServerVersion();

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_VERSION_GUARD_H_
