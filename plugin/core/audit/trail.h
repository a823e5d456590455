// trail.h: the audit trail file (lockdiag_log_file): one JSON object per
// line, appended by a background thread so that no connection thread ever
// waits for the disk.
//
//   Trail trail;
//   trail.Configure({"/var/lib/mysql/lockdiag.log", 1 << 20, 9});  // starts the writer
//   trail.Append(line);          // any thread: queues, or counts a drop
//   trail.RotateNow();           // lockdiag_log_rotate_now
//   trail.Stop();                // writes what is queued, joins the writer
//
// The queue holds at most kMaxQueuedLines lines (and kMaxQueuedBytes bytes);
// Append never waits for the writer: a full queue drops the line and counts
// it (Lockdiag_log_dropped). The file is opened with O_APPEND | O_NOFOLLOW
// and mode 0600 (only the server's account reads it): a symlink planted in
// its place is refused, not followed, and so is an existing file owned by
// another user; the failure is counted in open_failures (and written to the
// error log by the adapter). Rotation as in
// server_audit: past rotate_size bytes the file becomes FILE.1, FILE.1
// becomes FILE.2 ... up to FILE.<rotations>, and a new FILE starts.
//
// A TrailSink (Settings::sink) receives every line as well, on the writer
// thread only: lockdiag_log_syslog's SyslogSink (syslog_sink.h). With a sink
// and no path the lines go to the sink alone.
//
// Thread-safety: every method is thread-safe. Locking rules: one Mutex
// guards the queue and the settings; Append holds it for a push, the writer
// holds it only to swap the queue out, never while it writes. It is never
// held while another lockdiag lock is taken.
#ifndef LOCKDIAG_CORE_AUDIT_TRAIL_H_
#define LOCKDIAG_CORE_AUDIT_TRAIL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <string>
#include <thread>

#include "core/common/thread_annotations.h"

namespace lockdiag {

// TrailSink: a second destination of the trail's lines.
class TrailSink {
 public:
  virtual ~TrailSink() = default;
  // Write takes one line (without its newline). Called on the writer thread
  // only, never with the Trail's Mutex held; it must not throw.
  virtual void Write(const std::string& line) = 0;
  // Close: the trail no longer uses the sink (another sink or none was
  // configured, or the trail stopped). Called on the writer thread.
  virtual void Close() {}
};

class Trail {
 public:
  static constexpr size_t kMaxQueuedLines = 10000;
  static constexpr size_t kMaxQueuedBytes = 16 << 20;

  struct Settings {
    std::string path;          // empty: the trail is off
    uint64_t rotate_size = 0;  // bytes; 0: never rotate by size
    unsigned rotations = 9;    // FILE.1 .. FILE.<rotations> kept (0: truncate instead)
    // Called on the writer thread, without the Mutex, when opening or
    // writing fails (the message) and when it works again after a failure
    // (nullptr): the adapter writes it to the error log.
    void (*on_error)(const char* message) = nullptr;
    // Also receives every line (null: none). Not owned. REQUIRES: it
    // outlives the writer's use of it, that is the next Configure() that
    // replaces it, followed by a Flush(), or Stop().
    TrailSink* sink = nullptr;
  };
  struct Status {
    uint64_t written = 0;        // lines written to the file (to the sink, without a file)
    uint64_t dropped = 0;        // lines dropped (queue full, trail failing)
    uint64_t open_failures = 0;  // times the file could not be opened or written
    std::string last_error;      // the last such failure, for the error log
  };

  Trail() = default;
  Trail(const Trail&) = delete;
  Trail& operator=(const Trail&) = delete;
  ~Trail();

  // Configure applies new settings (the writer reopens the file before its
  // next line) and starts the writer thread if it is not running.
  void Configure(Settings settings) EXCLUDES(mu_);
  // Append queues one line (without its newline); false when it was dropped.
  bool Append(std::string line) EXCLUDES(mu_);
  void RotateNow() EXCLUDES(mu_);
  // Flush waits until every line queued so far is written (tests).
  void Flush() EXCLUDES(mu_);
  // Stop writes what is queued and joins the writer; Configure starts it again.
  void Stop() EXCLUDES(mu_);
  Status status() const EXCLUDES(mu_);
  bool enabled() const EXCLUDES(mu_);

 private:
  void Run();
  // The writer's file: opened lazily, reopened after a settings change.
  bool OpenFile(const Settings& s, std::string* error);
  void CloseFile();
  void Rotate(const Settings& s);
  // WriteLines writes `lines` (rotating where needed) and returns how many
  // were written; *error says why the rest were not.
  uint64_t WriteLines(const std::deque<std::string>& lines, const Settings& s, std::string* error);
  bool WriteAll(const std::string& buf, const Settings& s, std::string* error);
  // UseSink closes the previous sink when the settings name another.
  void UseSink(TrailSink* sink);
  // Active: there is somewhere to write to.
  static bool Active(const Settings& s) { return !s.path.empty() || s.sink != nullptr; }

  mutable Mutex mu_;
  std::condition_variable_any wake_;
  std::condition_variable_any idle_;
  std::deque<std::string> queue_ GUARDED_BY(mu_);
  size_t queued_bytes_ GUARDED_BY(mu_) = 0;
  Settings settings_ GUARDED_BY(mu_);
  uint64_t settings_version_ GUARDED_BY(mu_) = 0;
  bool rotate_requested_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  bool writing_ GUARDED_BY(mu_) = false;  // the writer holds a batch
  Status status_ GUARDED_BY(mu_);
  std::thread writer_ GUARDED_BY(mu_);

  // Only the writer thread touches these.
  int fd_ = -1;
  uint64_t file_size_ = 0;
  uint64_t opened_version_ = ~uint64_t{0};
  bool failing_ = false;       // the last write failed (report the recovery once)
  std::string last_reported_;  // the failure the error log was told of
  TrailSink* sink_ = nullptr;  // the sink the writer last wrote to
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_AUDIT_TRAIL_H_
