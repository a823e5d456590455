#include "core/audit/trail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/common/files.h"

namespace lockdiag {

Trail::~Trail() { Stop(); }

void Trail::Configure(Settings settings) {
  MutexLock lock(&mu_);
  settings_ = std::move(settings);
  settings_version_++;
  stopping_ = false;
  if (!writer_.joinable()) writer_ = std::thread([this] { Run(); });
  wake_.notify_all();
}

bool Trail::enabled() const {
  MutexLock lock(&mu_);
  return Active(settings_) && writer_.joinable() && !stopping_;
}

bool Trail::Append(std::string line) {
  MutexLock lock(&mu_);
  if (!Active(settings_) || stopping_ || !writer_.joinable()) return false;
  if (queue_.size() >= kMaxQueuedLines || queued_bytes_ + line.size() > kMaxQueuedBytes) {
    status_.dropped++;
    return false;
  }
  queued_bytes_ += line.size() + 1;
  queue_.push_back(std::move(line));
  wake_.notify_one();
  return true;
}

void Trail::RotateNow() {
  MutexLock lock(&mu_);
  rotate_requested_ = true;
  wake_.notify_all();
}

void Trail::Flush() {
  MutexLock lock(&mu_);
  while (writer_.joinable() && (!queue_.empty() || writing_)) idle_.wait(mu_);
}

void Trail::Stop() {
  std::thread writer;
  {
    MutexLock lock(&mu_);
    if (!writer_.joinable()) return;
    stopping_ = true;
    wake_.notify_all();
    writer = std::move(writer_);
  }
  writer.join();
}

Trail::Status Trail::status() const {
  MutexLock lock(&mu_);
  return status_;
}

void Trail::Run() {
  std::deque<std::string> batch;
  for (;;) {
    Settings settings;
    uint64_t version = 0;
    bool rotate = false;
    bool stop = false;
    {
      MutexLock lock(&mu_);
      writing_ = false;
      idle_.notify_all();
      while (queue_.empty() && !rotate_requested_ && !stopping_ && opened_version_ == settings_version_)
        wake_.wait(mu_);
      batch.swap(queue_);
      queued_bytes_ = 0;
      writing_ = !batch.empty();
      settings = settings_;
      version = settings_version_;
      rotate = rotate_requested_;
      rotate_requested_ = false;
      stop = stopping_;
    }
    // Everything below runs without the Mutex: connection threads append
    // meanwhile into the fresh queue.
    std::string error;
    if (version != opened_version_) {
      CloseFile();
      UseSink(settings.sink);
      opened_version_ = version;
    }
    if (rotate && !settings.path.empty()) Rotate(settings);
    uint64_t written = 0;
    uint64_t lost = 0;
    if (!batch.empty()) {
      if (!settings.path.empty()) {
        written = WriteLines(batch, settings, &error);
        lost = batch.size() - written;
      }
      if (sink_ != nullptr) {
        for (const std::string& line : batch) sink_->Write(line);
        if (settings.path.empty()) written = batch.size();
      } else if (settings.path.empty()) {
        lost = batch.size();  // queued before the last destination went away
      }
    }
    batch.clear();
    // The error log hears of a failure once (again when its reason
    // changes), and once of the recovery: not once per line.
    if (settings.on_error != nullptr) {
      if (!error.empty() && (!failing_ || error != last_reported_)) {
        settings.on_error(error.c_str());
      } else if (error.empty() && failing_ && written > 0) {
        settings.on_error(nullptr);
      }
    }
    if (!error.empty()) {
      failing_ = true;
      last_reported_ = error;
    } else if (written > 0) {
      failing_ = false;
    }
    {
      MutexLock lock(&mu_);
      status_.written += written;
      status_.dropped += lost;
      if (!error.empty()) {
        status_.open_failures++;
        status_.last_error = std::move(error);
      }
      if (stop && queue_.empty()) {
        writing_ = false;
        idle_.notify_all();
        break;
      }
    }
  }
  CloseFile();
  UseSink(nullptr);
}

void Trail::UseSink(TrailSink* sink) {
  if (sink == sink_) return;
  if (sink_ != nullptr) sink_->Close();
  sink_ = sink;
}

bool Trail::OpenFile(const Settings& s, std::string* error) {
  if (fd_ >= 0) return true;
  // O_NOFOLLOW: a symlink in the file's place is an error, not a redirection
  // of the server's writes. 0600: the trail names users, hosts and tables.
  // O_NONBLOCK: a FIFO in the file's place must not hang the writer (and
  // with it UNINSTALL); it is then refused as not a regular file.
  fd_ = ::open(s.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
  if (fd_ < 0) {
    *error = "cannot open " + s.path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = s.path + " is not a regular file";
    CloseFile();
    return false;
  }
  // A file someone else created in its place (in a directory others can
  // write, such as /tmp) would let its owner read every line, whatever its
  // mode: O_CREAT reuses an existing file, and O_NOFOLLOW stops only links.
  if (st.st_uid != ::geteuid()) {
    *error = s.path + " is owned by another user (uid " + std::to_string(st.st_uid) + ")";
    CloseFile();
    return false;
  }
  file_size_ = static_cast<uint64_t>(st.st_size);
  return true;
}

void Trail::CloseFile() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  file_size_ = 0;
}

void Trail::Rotate(const Settings& s) {
  CloseFile();
  if (s.rotations == 0) {
    // No old files kept: start the file again (not through a symlink).
    const int fd = ::open(s.path.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd >= 0) ::close(fd);
    return;
  }
  for (unsigned i = s.rotations; i > 1; --i) {
    const std::string from = s.path + "." + std::to_string(i - 1);
    const std::string to = s.path + "." + std::to_string(i);
    std::rename(from.c_str(), to.c_str());
  }
  std::rename(s.path.c_str(), (s.path + ".1").c_str());
}

bool Trail::WriteAll(const std::string& buf, const Settings& s, std::string* error) {
  if (!OpenFile(s, error)) return false;
  if (!WriteFully(fd_, buf)) {
    *error = "cannot write " + s.path + ": " + std::strerror(errno);
    CloseFile();
    return false;
  }
  file_size_ += buf.size();
  return true;
}

uint64_t Trail::WriteLines(const std::deque<std::string>& lines, const Settings& s, std::string* error) {
  // Lines go out in buffers of whole lines; a rotation falls between lines.
  std::string buf;
  uint64_t written = 0;
  uint64_t in_buf = 0;
  for (const std::string& line : lines) {
    if (s.rotate_size > 0 && file_size_ + buf.size() + line.size() + 1 > s.rotate_size &&
        file_size_ + buf.size() > 0) {
      if (!buf.empty()) {
        if (!WriteAll(buf, s, error)) return written;
        written += in_buf;
        buf.clear();
        in_buf = 0;
      }
      Rotate(s);
    }
    buf += line;
    buf += '\n';
    in_buf++;
  }
  if (!buf.empty() && WriteAll(buf, s, error)) written += in_buf;
  return written;
}

}  // namespace lockdiag
