// options.h: lockdiag-report's command line, parsed without side effects.
//
// The connection options are the mariadb client's: -h, -P, -u, -p (a bare
// -p or --password prompts, as the client does), -S, --defaults-file. What
// they leave unset comes from the [client] groups of the option files, which
// libmariadb reads (mariadb_reader.h).
#ifndef LOCKDIAG_REPORT_OPTIONS_H_
#define LOCKDIAG_REPORT_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "model.h"

namespace lockdiag::report {

enum class Format { kText, kJson, kDot, kHtml };

struct Endpoint {
  std::string host;   // empty: the option files' or libmariadb's default
  unsigned port = 0;  // 0: likewise
};

struct Options {
  std::optional<std::string> host, user, password, socket, defaults_file;
  unsigned port = 0;
  bool prompt_password = false;   // -p or --password without a value
  std::vector<Endpoint> servers;  // --servers; empty: the one server of -h/-P/-S
  Format format = Format::kText;
  std::optional<Severity> fail_on = Severity::kHigh;  // nullopt: --fail-on=NONE
  bool no_color = false;
  bool help = false, version = false;
};

// ParseOptions: `args` without the program name. Returns the options, or
// sets `*error` to a one-line message (without the program name) and
// returns nullopt.
std::optional<Options> ParseOptions(const std::vector<std::string>& args, std::string* error);

// ParseServers: "h1:3306,h2,h3:3307" (a host without a port uses -P's or the
// default); nullopt and `*error` for an empty item or a bad port.
std::optional<std::vector<Endpoint>> ParseServers(const std::string& list, std::string* error);

// HelpText: --help, written like the man page.
std::string HelpText();

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_OPTIONS_H_
