// state_keeper.h: lockdiag's housekeeping thread, and the state file it
// keeps (state_file.h).
//
//   StateKeeper keeper(stores);
//   keeper.Load(settings);         // at INSTALL, before the first event
//   keeper.Start(settings);        // the thread: saves every interval, ticks each second
//   keeper.RequestSave();          // after lockdiag_reset: save soon (never on the caller's thread)
//   keeper.Stop(/*final_save=*/true);  // at UNINSTALL / shutdown: join, then one last save
//
// Every file operation runs on the keeper's thread, or in Load() and Stop()
// (INSTALL, UNINSTALL and shutdown), never on a connection thread.
//
// A state file that cannot be read, is corrupt, or comes from another
// format version is reported (Settings::log), renamed aside
// (`path`.bad-<time>) and lockdiag starts empty. When it cannot even be
// renamed, the keeper does not save over it for as long as it runs
// (`Status::blocked`): what a person may still recover is never overwritten.
//
// Thread-safety: every public method is thread-safe. Locking rules: mu_
// guards the settings, the requests and the status; it is never held while
// the state is encoded or written (the thread copies what it needs first),
// and never together with any store's lock. Start(), Stop() and Load() are
// ordered by the caller (the plugin's lifecycle mutex); saves never overlap:
// only the thread saves while it runs, and Stop() saves after joining it.
#ifndef LOCKDIAG_CORE_AUDIT_STATE_KEEPER_H_
#define LOCKDIAG_CORE_AUDIT_STATE_KEEPER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "core/audit/state_file.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

class StateKeeper {
 public:
  enum class Level { kInfo, kWarning, kError };
  struct Settings {
    std::string path;               // "" : no state file
    uint64_t interval_seconds = 0;  // 0: save only on Stop() and RequestSave()
    std::string version;            // the lockdiag version written into the file
    // Where the keeper's messages go (the server's error log); called from
    // the keeper's thread or from Load() / Stop().
    std::function<void(Level, const std::string&)> log;
    // Called once a second on the keeper's thread (the drop notes).
    std::function<void()> tick;
  };
  struct Status {
    uint64_t saves = 0;        // Lockdiag_state_saves
    uint64_t save_errors = 0;  // Lockdiag_state_save_errors
    Timestamp last_save = 0;   // when the last save finished (0: none yet)
    uint64_t last_save_micros = 0;
    uint64_t last_save_bytes = 0;
    bool blocked = false;  // a bad file could not be set aside: no saves
  };

  explicit StateKeeper(StateStores stores) : stores_(stores) {}
  ~StateKeeper() { Stop(false); }
  StateKeeper(const StateKeeper&) = delete;
  StateKeeper& operator=(const StateKeeper&) = delete;

  // Load reads `s.path` into the (empty) stores; a missing file is a first
  // start. Blocks on the file: call at INSTALL only.
  void Load(const Settings& s) EXCLUDES(mu_);
  // Start runs the thread with `s`; Configure changes the settings of a
  // running keeper (SET GLOBAL lockdiag_state_*).
  void Start(Settings s) EXCLUDES(mu_);
  void Configure(std::string path, uint64_t interval_seconds) EXCLUDES(mu_);
  // RequestSave asks the thread to save now (no-op when not running).
  void RequestSave() EXCLUDES(mu_);
  // Stop joins the thread, then saves once more when `final_save`.
  void Stop(bool final_save) EXCLUDES(mu_);

  Status status() const EXCLUDES(mu_);

 private:
  void Run() EXCLUDES(mu_);
  // Save writes the stores to `path`; returns whether it did.
  bool Save(const std::string& path, const std::string& version,
            const std::function<void(Level, const std::string&)>& log, SaveKind kind) EXCLUDES(mu_);
  void Log(const Settings& s, Level level, const std::string& message) const {
    if (s.log) s.log(level, message);
  }

  const StateStores stores_;
  mutable Mutex mu_;
  std::condition_variable_any wake_;
  Settings settings_ GUARDED_BY(mu_);
  bool running_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool save_requested_ GUARDED_BY(mu_) = false;
  Status status_ GUARDED_BY(mu_);
  bool failing_ GUARDED_BY(mu_) = false;      // the last save failed
  std::string blocked_path_ GUARDED_BY(mu_);  // the bad file that could not be set aside
  std::thread thread_;                        // touched by Start() and Stop() only
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_AUDIT_STATE_KEEPER_H_
