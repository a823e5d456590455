// session_registry.h: finds the core Session of a connection (THD).
//
// Sessions hang off the THD through the thd_specifics service, so the hot
// path finds its Session with one pointer read and no lock. The registry also
// keeps every live Session in a list, so that when the audit plugin is
// uninstalled (deinit) the Sessions of connections that are still open are
// freed: the server defers UNINSTALL until no connection runs inside the
// plugin, but idle connections still point at their Session.
//
// Locking: the list is protected by its mutex, taken at a connection's first
// event and at its disconnect, never per statement.
#ifndef LOCKDIAG_SERVER_SESSION_REGISTRY_H_
#define LOCKDIAG_SERVER_SESSION_REGISTRY_H_

#include <mysql/plugin.h>

#include "session.h"

namespace lockdiag::server {

// Init creates the THD key; false on failure (the plugin then refuses to load).
bool SessionRegistryInit();
// Deinit frees every Session still registered and forgets the key.
void SessionRegistryDeinit();

// SessionFor returns the Session of `thd`, creating it on first use; nullptr
// when out of memory (the event is then counted as dropped).
Session* SessionFor(MYSQL_THD thd, unsigned long thread_id);
// EndSession publishes what the connection had open and frees its Session.
void EndSession(MYSQL_THD thd);

// Number of live Sessions (for Lockdiag_memory_bytes).
unsigned long LiveSessions();

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_SESSION_REGISTRY_H_
