// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/connection_adapter.h"
// The core after the server headers (see audit_adapter.cc).
#include <string>
#include <string_view>

#include "server/plugin_state.h"
#include "server/trail_adapter.h"

namespace lockdiag::server {
namespace {

std::string_view View(const char* p, unsigned int length) {
  return p == nullptr ? std::string_view() : std::string_view(p, length);
}

// LimitDetail: what the finding's evidence says of one refusal, from the
// server's variables as they are now.
std::string LimitDetail(const char* limit, const ConnectOutcome& seen, std::string_view user,
                        std::string_view host) {
  std::string d;
  if (std::string_view(limit) == "max_connections") {
    d = "max_connections = " + std::to_string(max_connections) + "; ";
  } else if (std::string_view(limit) == "max_connect_errors") {
    d = "max_connect_errors = " + std::to_string(max_connect_errors) + "; ";
  }
  d += std::to_string(seen.current) + " connection(s) open at the last refusal, peak " +
       std::to_string(seen.peak) + " at " + UtcDateTime(seen.peak_time) +
       " UTC (connections lockdiag saw open)";
  d += "; last refused: " + std::string(user) + "@" + std::string(host);
  if (std::string_view(limit) == "max_connections") {
    // Past max_connections + 1 the server refuses before a session exists:
    // no plugin hears of those, only this counter.
    d += "; Connection_errors_max_connections = " + std::to_string(connection_errors_max_connection) +
         " (the server's count, including the refusals before any session existed)";
  }
  return d;
}

}  // namespace

void OnConnectionEvent(MYSQL_THD mysql_thd, const mysql_event_connection* ev) {
  try {
    ConnectionStore& store = GlobalConnectionStore();
    const Timestamp now = NowMicros();
    switch (ev->event_subclass) {
      case MYSQL_AUDIT_CONNECTION_DISCONNECT:
        store.OnDisconnect(ev->thread_id, now);
        return;
      case MYSQL_AUDIT_CONNECTION_CONNECT:
      case MYSQL_AUDIT_CONNECTION_CHANGE_USER:
        break;
      default:
        return;
    }
    // The account as the client named it; the host as resolved, else the
    // address. The audit API carries no password.
    std::string_view user = View(ev->user, ev->user_length);
    std::string_view host = View(ev->host, ev->host_length);
    if (host.empty()) host = View(ev->ip, ev->ip_length);
    if (ev->event_subclass == MYSQL_AUDIT_CONNECTION_CHANGE_USER) {
      // The CHANGE_USER event names the account the connection had before
      // (sql_audit.h fills it from the saved context); the THD's context
      // holds the account it changes to, or tried to.
      const Security_context* sctx = static_cast<THD*>(mysql_thd)->security_ctx;
      if (sctx != nullptr && sctx->user != nullptr) {
        user = sctx->user;
        host = sctx->host_or_ip != nullptr ? std::string_view(sctx->host_or_ip) : host;
      }
    }
    const uint32_t status = static_cast<uint32_t>(ev->status);
    const ConnectOutcome seen = store.OnConnect(ev->thread_id, user, host, status, now);
    if (status != 0) TrailRefusedConnection(user, host, status, seen.limit);
    if (seen.limit != nullptr)
      GlobalAnalyzer().ReportConnectionLimit(seen.limit, status, LimitDetail(seen.limit, seen, user, host),
                                             now);
  } catch (...) {
    // Out of memory: lose the event, never the connection.
    GlobalAnalyzer().CountDropped(1, ev->thread_id);
  }
}

}  // namespace lockdiag::server
