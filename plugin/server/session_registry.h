// session_registry.h: finds the core Session of a connection (THD).
//
// Sessions hang off the THD through the thd_specifics service, so the hot
// path finds its Session with one pointer read and no lock. A registry also
// keeps every live Session in a set, so that when the audit plugin goes away
// (deinit) the Sessions of connections still open are freed.
//
// One registry exists per installed instance of the LOCKDIAG audit plugin.
// UNINSTALL is deferred by the server until no connection holds the plugin,
// so an old instance can be de-initialised after a new INSTALL has already
// initialised the next one in the same loaded library: each instance frees
// only its own registry, and events go to the newest instance.
//
// Locking: a registry's set is guarded by its mutex, taken at a connection's
// first event and at its disconnect, never per statement. The current
// registry pointer is an atomic swapped at init/deinit.
#ifndef LOCKDIAG_SERVER_SESSION_REGISTRY_H_
#define LOCKDIAG_SERVER_SESSION_REGISTRY_H_

#include "core/lock/session.h"

namespace lockdiag::server {

// RegistryInit creates the registry of a new plugin instance and makes it
// current; false on failure (the plugin then refuses to load). `plugin` is
// what the server passes to init/deinit: for audit plugins 10.11 passes NULL
// to both, so instances are matched first-in first-out, which is the order
// the server de-initialises them in (an older instance is always reaped
// before a newer one).
bool RegistryInit(void* plugin);
// RegistryDeinit frees every Session of that instance's registry.
void RegistryDeinit(void* plugin);

// SessionFor returns the Session of `thd`, creating it on first use; nullptr
// when no registry is current or out of memory.
Session* SessionFor(MYSQL_THD thd, unsigned long thread_id);
// RefreshIdentity updates the Session's user and host (after COM_CHANGE_USER).
void RefreshIdentity(MYSQL_THD thd);
// EndSession publishes what the connection had open and frees its Session.
void EndSession(MYSQL_THD thd);

// AuditPluginRunning: an instance of the LOCKDIAG audit plugin is
// initialised (its events feed the tables).
bool AuditPluginRunning();

// Number of live Sessions of the current registry (for Lockdiag_memory_bytes).
unsigned long LiveSessions();

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_SESSION_REGISTRY_H_
