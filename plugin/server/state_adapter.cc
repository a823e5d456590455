// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/state_adapter.h"
// The core after the server headers (see audit_adapter.cc).
#include <string>

#include "core/common/thread_annotations.h"
#include "server/drop_log.h"
#include "server/plugin_state.h"

namespace lockdiag::server {
namespace {

StateKeeper& Keeper() {
  static StateKeeper keeper(StateStores{&GlobalAnalyzer(), &GlobalEncodingStore(), &GlobalConnectionStore()});
  return keeper;
}

// Orders StateStart and StateStop, which the server may run for two
// instances without its plugin lock; counts the instances running.
Mutex g_state_mu;
int g_running GUARDED_BY(g_state_mu) = 0;

// The keeper's messages go to the error log (sql_print_* may be called from
// any thread).
void ToErrorLog(StateKeeper::Level level, const std::string& message) {
  switch (level) {
    case StateKeeper::Level::kInfo:
      sql_print_information("%s", message.c_str());
      break;
    case StateKeeper::Level::kWarning:
      sql_print_warning("%s", message.c_str());
      break;
    case StateKeeper::Level::kError:
      sql_print_error("%s", message.c_str());
      break;
  }
}

std::string PathOf(const StateSettings& s) {
  // A relative name is under the datadir: the server's working directory.
  return s.path != nullptr ? s.path : "";
}

}  // namespace

void StateStart(const StateSettings& s, const char* version) {
  MutexLock lock(&g_state_mu);
  if (g_running++ > 0) return;  // an older instance still runs: its stores are the newest
  try {
    GlobalAnalyzer().Reset();
    GlobalEncodingStore().Reset();
    GlobalConnectionStore().Clear();
    StateKeeper::Settings settings;
    settings.path = PathOf(s);
    settings.interval_seconds = s.interval_seconds;
    settings.version = version;
    settings.log = ToErrorLog;
    // Once a second: fold idle connections' batches in, so that what they
    // published shows (and its findings reach the trail) within about a
    // second (connection_batch.h); then the error log's note when a bound
    // drops events.
    settings.tick = [] {
      try {
        GlobalAnalyzer().FlushBatches();
      } catch (...) {
        // Out of memory: the batches stay; the next tick or reader folds them.
      }
      LogNewDrops();
    };
    Keeper().Load(settings);
    Keeper().Start(std::move(settings));
  } catch (...) {
    --g_running;
    throw;
  }
}

void StateConfigure(const StateSettings& s) { Keeper().Configure(PathOf(s), s.interval_seconds); }

void StateRequestSave() { Keeper().RequestSave(); }

void StateStop() {
  MutexLock lock(&g_state_mu);
  if (--g_running > 0) return;  // a newer instance runs on
  // Joins the thread (no thread of this library may outlive dlclose), then
  // saves what the stores hold now.
  Keeper().Stop(/*final_save=*/true);
}

StateKeeper::Status StateStatus() { return Keeper().status(); }

}  // namespace lockdiag::server
