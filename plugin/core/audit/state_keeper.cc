#include "core/audit/state_keeper.h"

#include <chrono>
#include <utility>

#include "core/common/files.h"

namespace lockdiag {

void StateKeeper::Load(const Settings& s) {
  if (s.path.empty()) return;
  std::string bytes, error;
  const ReadOutcome read = ReadWholeFile(s.path, kMaxStateFileBytes, &bytes, &error);
  if (read == ReadOutcome::kMissing) {
    Log(s, Level::kInfo, "lockdiag: no state file " + s.path + " yet: starting empty");
    return;
  }
  if (read == ReadOutcome::kRead) {
    const Timestamp started = NowMicros();
    const StateLoad load = DecodeState(bytes, stores_);
    if (load.ok) {
      Log(s, Level::kInfo,
          "lockdiag: loaded " + s.path + " (saved " + UtcDateTime(load.saved_at) + " UTC by lockdiag " +
              load.saved_by + ", " + std::to_string(bytes.size()) + " bytes, in " +
              std::to_string((NowMicros() - started) / 1000) + " ms" +
              (load.dropped > 0 ? ", " + std::to_string(load.dropped) +
                                      " entries over the current bounds dropped (Lockdiag_dropped_events)"
                                : std::string()) +
              ")");
      return;
    }
    error = s.path + ": " + load.error;
  }
  // Unusable: keep it for a person, start empty, and never save over it.
  std::string aside_error;
  const std::string aside = SetAside(s.path, NowMicros(), &aside_error);
  if (!aside.empty()) {
    Log(s, Level::kWarning,
        "lockdiag: cannot load the state file (" + error + "); it was renamed to " + aside +
            " and lockdiag starts empty");
    return;
  }
  Log(s, Level::kError,
      "lockdiag: cannot load the state file (" + error + ") nor rename it (" + aside_error +
          "); lockdiag starts empty and will not save over it: move it away and reinstall the plugin");
  MutexLock lock(&mu_);
  blocked_path_ = s.path;
  status_.blocked = true;
}

void StateKeeper::Start(Settings s) {
  MutexLock lock(&mu_);
  settings_ = std::move(s);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  save_requested_ = false;
  thread_ = std::thread([this] { Run(); });
}

void StateKeeper::Configure(std::string path, uint64_t interval_seconds) {
  MutexLock lock(&mu_);
  settings_.path = std::move(path);
  settings_.interval_seconds = interval_seconds;
  wake_.notify_all();
}

void StateKeeper::RequestSave() {
  MutexLock lock(&mu_);
  if (!running_) return;
  save_requested_ = true;
  wake_.notify_all();
}

void StateKeeper::Stop(bool final_save) {
  std::thread thread;
  Settings settings;
  {
    MutexLock lock(&mu_);
    if (!running_) return;
    stopping_ = true;
    wake_.notify_all();
    thread = std::move(thread_);
  }
  thread.join();
  {
    MutexLock lock(&mu_);
    running_ = false;
    settings = settings_;
  }
  if (final_save && !settings.path.empty())
    Save(settings.path, settings.version, settings.log, SaveKind::kFinal);
}

StateKeeper::Status StateKeeper::status() const {
  MutexLock lock(&mu_);
  return status_;
}

void StateKeeper::Run() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_save = Clock::now();
  for (;;) {
    Settings settings;
    bool save = false;
    {
      MutexLock lock(&mu_);
      // Wake once a second for the tick; earlier when asked to save or stop.
      const Clock::time_point until = Clock::now() + std::chrono::seconds(1);
      while (!stopping_ && !save_requested_ && Clock::now() < until) wake_.wait_until(mu_, until);
      if (stopping_) return;
      settings = settings_;
      const bool due = settings.interval_seconds > 0 &&
                       Clock::now() - last_save >= std::chrono::seconds(settings.interval_seconds);
      save = save_requested_ || due;
      save_requested_ = false;
    }
    // Without the Mutex: the stores are read one shard at a time meanwhile.
    if (settings.tick) settings.tick();
    if (save && !settings.path.empty()) {
      Save(settings.path, settings.version, settings.log, SaveKind::kWhileRunning);
      last_save = Clock::now();
    }
  }
}

bool StateKeeper::Save(const std::string& path, const std::string& version,
                       const std::function<void(Level, const std::string&)>& log, SaveKind kind) {
  {
    MutexLock lock(&mu_);
    if (!blocked_path_.empty() && blocked_path_ == path) return false;
  }
  const Timestamp started = NowMicros();
  std::string error;
  bool ok = false;
  size_t bytes = 0;
  try {
    const std::string file = EncodeState(stores_, started, version, kind);
    bytes = file.size();
    ok = WriteFileAtomically(path, file, &error);
  } catch (const std::exception& e) {
    error = std::string("out of memory encoding the state (") + e.what() + ")";
  }
  const Timestamp finished = NowMicros();
  bool first_error = false;
  {
    MutexLock lock(&mu_);
    if (ok) {
      status_.saves++;
      status_.last_save = finished;
      status_.last_save_micros = static_cast<uint64_t>(finished - started);
      status_.last_save_bytes = bytes;
    } else {
      // The error log hears of the first failure of a run of them.
      first_error = !failing_;
      status_.save_errors++;
    }
    failing_ = !ok;
  }
  if (!ok && first_error && log) log(Level::kWarning, "lockdiag: cannot save the state file: " + error);
  return ok;
}

}  // namespace lockdiag
