#include "options.h"

#include <cstdlib>

namespace lockdiag::report {
namespace {

std::optional<unsigned> ParsePort(const std::string& s) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 5)
    return std::nullopt;
  unsigned long v = std::strtoul(s.c_str(), nullptr, 10);
  if (v == 0 || v > 65535) return std::nullopt;
  return static_cast<unsigned>(v);
}

}  // namespace

std::optional<std::vector<Endpoint>> ParseServers(const std::string& list, std::string* error) {
  std::vector<Endpoint> out;
  size_t start = 0;
  while (true) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) {
      *error = "--servers: empty server name in '" + list + "'";
      return std::nullopt;
    }
    Endpoint e;
    size_t colon = item.rfind(':');
    e.host = item.substr(0, colon);
    if (colon != std::string::npos) {
      auto port = ParsePort(item.substr(colon + 1));
      if (!port || e.host.empty()) {
        *error = "--servers: '" + item + "' is not host:port";
        return std::nullopt;
      }
      e.port = *port;
    }
    out.push_back(e);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<Options> ParseOptions(const std::vector<std::string>& args, std::string* error) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    // The value of an option: "--name=value", "-xvalue" or the next argument.
    auto value = [&](const std::string& long_name, char short_name, std::string* v) -> bool {
      if (a.rfind("--" + long_name + "=", 0) == 0) {
        *v = a.substr(long_name.size() + 3);
        return true;
      }
      if (a == "--" + long_name || (short_name && a == std::string("-") + short_name)) {
        if (i + 1 >= args.size()) {
          *error = "option '" + a + "' needs a value";
          return false;
        }
        *v = args[++i];
        return true;
      }
      if (short_name && a.size() > 2 && a[0] == '-' && a[1] == short_name) {
        *v = a.substr(2);
        return true;
      }
      return false;
    };
    std::string v;
    if (a == "--help" || a == "-?") {
      o.help = true;
    } else if (a == "--version" || a == "-V") {
      o.version = true;
    } else if (a == "--no-color") {
      o.no_color = true;
    } else if (a == "-p" || a == "--password") {
      // As the client: no value means "ask", never "take the next argument".
      o.prompt_password = true;
      o.password.reset();
    } else if (a.rfind("--password=", 0) == 0 || (a.rfind("-p", 0) == 0 && a.size() > 2 && a[1] == 'p')) {
      o.password = a[1] == 'p' ? a.substr(2) : a.substr(11);
      o.prompt_password = false;
    } else if (value("host", 'h', &v)) {
      o.host = v;
    } else if (value("port", 'P', &v)) {
      auto port = ParsePort(v);
      if (!port) {
        *error = "--port: '" + v + "' is not a port number";
        return std::nullopt;
      }
      o.port = *port;
    } else if (value("user", 'u', &v)) {
      o.user = v;
    } else if (value("socket", 'S', &v)) {
      o.socket = v;
    } else if (value("defaults-file", 0, &v)) {
      o.defaults_file = v;
    } else if (value("servers", 0, &v)) {
      auto servers = ParseServers(v, error);
      if (!servers) return std::nullopt;
      o.servers = *servers;
    } else if (value("format", 0, &v)) {
      if (v == "text")
        o.format = Format::kText;
      else if (v == "json")
        o.format = Format::kJson;
      else if (v == "dot")
        o.format = Format::kDot;
      else if (v == "html")
        o.format = Format::kHtml;
      else {
        *error = "--format: '" + v + "' is not one of text, json, dot, html";
        return std::nullopt;
      }
    } else if (value("fail-on", 0, &v)) {
      if (v == "NONE" || v == "none") {
        o.fail_on.reset();
      } else if (auto s = ParseSeverity(v)) {
        o.fail_on = *s;
      } else {
        *error = "--fail-on: '" + v + "' is not one of HIGH, MEDIUM, LOW, NONE";
        return std::nullopt;
      }
    } else {
      if (!error->empty()) return std::nullopt;  // value() reported a missing value
      *error = "unknown option '" + a + "' (see lockdiag-report --help)";
      return std::nullopt;
    }
    if (!error->empty()) return std::nullopt;
  }
  return o;
}

std::string HelpText() {
  return R"(NAME
    lockdiag-report - report what the lockdiag plugin found on MariaDB servers

SYNOPSIS
    lockdiag-report [connection options] [--format=text|json|dot|html]
                    [--servers=HOST[:PORT],...] [--fail-on=HIGH|MEDIUM|LOW|NONE] [--no-color]

DESCRIPTION
    Reads the INFORMATION_SCHEMA.LOCKDIAG_* tables of one server, or of several
    with --servers, and prints one report: the findings ranked by severity (with
    their tables, counts, linked errors, evidence and advice), the busiest and the
    most conflicted tables, encoding issues and connections (refusals first).
    Findings of several servers are merged and name the server that saw them; a
    pair of tables locked in one order on one server and in the other order on
    another is reported as a LOCK_ORDER_INVERSION "seen across servers".
    Reading the tables needs the PROCESS privilege.

OPTIONS
    -h, --host=HOST        server host (as the mariadb client)
    -P, --port=PORT        server TCP port
    -u, --user=USER        user name
    -p, --password[=PASS]  password; without a value, asked on the terminal
    -S, --socket=PATH      Unix socket
    --defaults-file=FILE   read only this option file; otherwise the [client],
                           [client-server] and [client-mariadb] groups of the
                           usual option files give what the command line does not
    --servers=LIST         comma-separated HOST[:PORT] to read and merge; the other
                           connection options apply to each
    --format=FORMAT        text (default: a terminal report, 100 columns, coloured
                           on a terminal), json (one document, docs/report.md),
                           dot (the lock-order graph for Graphviz), html (one
                           self-contained page with the graph as SVG, made with
                           Graphviz's dot)
    --fail-on=SEVERITY     exit 1 when a finding is at least this severe: HIGH
                           (default), MEDIUM, LOW (any finding) or NONE (never)
    --no-color             no colour, even on a terminal (so does NO_COLOR)
    --help                 this text;  --version  the version

EXIT STATUS
    0   no finding at or above --fail-on
    1   at least one finding at or above --fail-on
    2   usage error, cannot connect, missing PROCESS privilege, or lockdiag not
        installed on a server (one line on stderr says which)

EXAMPLES
    lockdiag-report -u monitor -p
    lockdiag-report --defaults-file=/etc/mysql/debian.cnf --fail-on=MEDIUM
    lockdiag-report --format=html -h db1 > lockdiag.html
    lockdiag-report --format=dot | dot -Tpng > lock-order.png
    lockdiag-report --servers=db1:3306,db2:3306 --format=json

SEE ALSO
    lockdiag-report(1), docs/report.md, docs/tables.md, docs/patterns.md
)";
}

}  // namespace lockdiag::report
