// state_adapter.h: the state file (lockdiag_state_file) and lockdiag's
// housekeeping thread as the plugin drives them (core/audit/state_keeper.h
// does the work).
//
// At the first INSTALL of the audit plugin (or server start-up) StateStart
// empties the stores, loads the saved state into them and starts the
// thread, which saves every lockdiag_state_save_interval seconds; the last
// instance's StateStop saves once more (UNINSTALL, shutdown). The same
// thread writes the error log's note when a bound drops events
// (drop_log.h), once a second at most. A new instance
// initialised while an old one still runs (session_registry.h) keeps the
// stores as they are: they are newer than the file.
#ifndef LOCKDIAG_SERVER_STATE_ADAPTER_H_
#define LOCKDIAG_SERVER_STATE_ADAPTER_H_

#include <cstdint>

#include "core/audit/state_keeper.h"

namespace lockdiag::server {

struct StateSettings {
  const char* path = nullptr;  // lockdiag_state_file; empty or null: off
  uint64_t interval_seconds = 0;
};

void StateStart(const StateSettings& s, const char* version);
// StateConfigure applies changed settings (SET GLOBAL lockdiag_state_*).
void StateConfigure(const StateSettings& s);
// StateRequestSave: save soon, on the housekeeping thread (lockdiag_reset).
void StateRequestSave();
void StateStop();
StateKeeper::Status StateStatus();

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_STATE_ADAPTER_H_
