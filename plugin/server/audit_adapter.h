// audit_adapter.h: turns the server's audit events into core Session calls.
//
// This is the only code that reads THD, LEX and TABLE. It decides nothing:
// it reads what the server knows (lock types, statement kind, transaction
// state, isolation) into plain core structs and hands them on.
#ifndef LOCKDIAG_SERVER_AUDIT_ADAPTER_H_
#define LOCKDIAG_SERVER_AUDIT_ADAPTER_H_

#include <mysql/plugin.h>

namespace lockdiag::server {

// The audit plugin's event_notify. Never throws, never fails the statement.
void NotifyEvent(MYSQL_THD thd, unsigned int event_class, const void* event);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_AUDIT_ADAPTER_H_
