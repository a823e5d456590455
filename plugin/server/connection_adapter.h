// connection_adapter.h: the audit CONNECTION events (connect, change of
// user, disconnect) into the core ConnectionStore, and refusals by a limit
// into the CONNECTION_LIMIT_REACHED finding.
#ifndef LOCKDIAG_SERVER_CONNECTION_ADAPTER_H_
#define LOCKDIAG_SERVER_CONNECTION_ADAPTER_H_

#include <mysql/plugin.h>
#include <mysql/plugin_audit.h>

namespace lockdiag::server {

// OnConnectionEvent records a CONNECT or CHANGE_USER attempt and its status,
// or a DISCONNECT. Never throws.
void OnConnectionEvent(MYSQL_THD thd, const mysql_event_connection* ev);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_CONNECTION_ADAPTER_H_
