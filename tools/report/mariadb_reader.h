// mariadb_reader.h: the only code that talks to a server (libmariadb).
//
// Connects as the mariadb client does (option files' [client] groups, then
// the command line), runs the six LOCKDIAG_* queries of snapshot.h and
// returns the snapshot. Everything else of the tool works on the snapshot.
#ifndef LOCKDIAG_REPORT_MARIADB_READER_H_
#define LOCKDIAG_REPORT_MARIADB_READER_H_

#include <optional>
#include <string>

#include "model.h"
#include "options.h"

namespace lockdiag::report {

// ServerName: how the report names `e`: "host:port", or "localhost" when
// the connection goes through a socket (no host, or localhost with -S).
std::string ServerName(const Options& o, const Endpoint& e);

// ReadServer: the snapshot of `e`, connecting with `o`'s credentials and
// `password` (already prompted for). On failure nullopt and `*error`, a
// one-line message (errors.h).
std::optional<ServerSnapshot> ReadServer(const Options& o, const Endpoint& e,
                                         const std::optional<std::string>& password, std::string* error);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_MARIADB_READER_H_
