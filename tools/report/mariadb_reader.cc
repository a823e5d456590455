#include "mariadb_reader.h"

#include <mysql.h>

#include <memory>

#include "errors.h"
#include "snapshot.h"

namespace lockdiag::report {
namespace {

struct Closer {
  void operator()(MYSQL* m) const { mysql_close(m); }
};
struct Freer {
  void operator()(MYSQL_RES* r) const { mysql_free_result(r); }
};

std::optional<ResultSet> Query(MYSQL* m, const char* sql) {
  if (mysql_query(m, sql) != 0) return std::nullopt;
  std::unique_ptr<MYSQL_RES, Freer> res(mysql_store_result(m));
  if (!res) return std::nullopt;
  ResultSet rs;
  unsigned n = mysql_num_fields(res.get());
  MYSQL_FIELD* fields = mysql_fetch_fields(res.get());
  for (unsigned i = 0; i < n; ++i) rs.columns.emplace_back(fields[i].name);
  while (MYSQL_ROW row = mysql_fetch_row(res.get())) {
    unsigned long* len = mysql_fetch_lengths(res.get());
    std::vector<std::optional<std::string>> r;
    for (unsigned i = 0; i < n; ++i)
      r.push_back(row[i] ? std::optional<std::string>(std::string(row[i], len[i])) : std::nullopt);
    rs.rows.push_back(std::move(r));
  }
  return rs;
}

}  // namespace

std::string ServerName(const Options& o, const Endpoint& e) {
  std::string host = !e.host.empty() ? e.host : o.host.value_or("localhost");
  unsigned port = e.port ? e.port : o.port;
  if (host == "localhost" && port == 0) return "localhost";
  return host + ":" + std::to_string(port ? port : 3306);
}

std::optional<ServerSnapshot> ReadServer(const Options& o, const Endpoint& e,
                                         const std::optional<std::string>& password, std::string* error) {
  std::string name = ServerName(o, e);
  std::unique_ptr<MYSQL, Closer> m(mysql_init(nullptr));
  if (!m) {
    *error = ConnectError(name, "out of memory");
    return std::nullopt;
  }
  // As the mariadb client: --defaults-file replaces the usual files, and the
  // [client] groups fill in what the command line leaves out.
  if (o.defaults_file) mysql_optionsv(m.get(), MYSQL_READ_DEFAULT_FILE, o.defaults_file->c_str());
  mysql_optionsv(m.get(), MYSQL_READ_DEFAULT_GROUP, "client");
  // Names come back in utf8mb4 whatever the option files say.
  mysql_optionsv(m.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const char* host = !e.host.empty() ? e.host.c_str() : o.host ? o.host->c_str() : nullptr;
  unsigned port = e.port ? e.port : o.port;
  // With several servers, a socket would point every one of them at the local
  // server, and libmariadb reads "localhost" as "the socket": each HOST:PORT
  // of --servers is reached over TCP.
  const char* socket = o.servers.empty() && o.socket ? o.socket->c_str() : nullptr;
  if (!o.servers.empty()) {
    unsigned tcp = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(m.get(), MYSQL_OPT_PROTOCOL, &tcp);
  }
  if (!mysql_real_connect(m.get(), host, o.user ? o.user->c_str() : nullptr,
                          password ? password->c_str() : nullptr, nullptr, port, socket, 0)) {
    *error = ConnectError(name, mysql_error(m.get()));
    return std::nullopt;
  }
  ServerSnapshot snap;
  snap.server = name;
  for (Source s : kAllSources) {
    auto rs = Query(m.get(), QueryOf(s));
    if (!rs) {
      *error = QueryError(name, mysql_errno(m.get()), mysql_error(m.get()));
      return std::nullopt;
    }
    AddRows(s, *rs, &snap);
  }
  return snap;
}

}  // namespace lockdiag::report
