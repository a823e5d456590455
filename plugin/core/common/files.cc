#include "core/common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace lockdiag {
namespace {

std::string Describe(const char* what, const std::string& path) {
  return std::string(what) + " " + path + ": " + std::strerror(errno);
}

// DirectoryOf: the directory holding `path` ("." for a bare name).
std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

bool WriteFully(int fd, std::string_view bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFileAtomically(const std::string& path, std::string_view bytes, std::string* error) {
  const std::string tmp = path + ".tmp";
  // A leftover of a crash mid-save (or anything planted there) goes first:
  // O_EXCL then refuses to write through whatever takes its place.
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
    *error = Describe("cannot remove", tmp);
    return false;
  }
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *error = Describe("cannot create", tmp);
    return false;
  }
  if (!WriteFully(fd, bytes) || ::fsync(fd) != 0) {
    *error = Describe("cannot write", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return false;
  }
  if (::close(fd) != 0) {
    *error = Describe("cannot close", tmp);
    ::unlink(tmp.c_str());
    return false;
  }
  // rename() replaces a symlink at `path` itself, never its target.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    *error = Describe("cannot rename to", path);
    ::unlink(tmp.c_str());
    return false;
  }
  // The rename is durable once the directory is.
  const std::string dir = DirectoryOf(path);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

ReadOutcome ReadWholeFile(const std::string& path, uint64_t max_bytes, std::string* bytes,
                          std::string* error) {
  bytes->clear();
  // O_NONBLOCK: a FIFO in the file's place must not hang the reader.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return ReadOutcome::kMissing;
    *error = errno == ELOOP ? path + " is a symlink" : Describe("cannot open", path);
    return ReadOutcome::kFailed;
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *error = path + " is not a regular file";
    ::close(fd);
    return ReadOutcome::kFailed;
  }
  // A file another user planted (where others can write) is not ours to trust.
  if (st.st_uid != ::geteuid()) {
    *error = path + " is owned by another user (uid " + std::to_string(st.st_uid) + ")";
    ::close(fd);
    return ReadOutcome::kFailed;
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    *error = path + " is larger than " + std::to_string(max_bytes) + " bytes";
    ::close(fd);
    return ReadOutcome::kFailed;
  }
  bytes->resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < bytes->size()) {
    const ssize_t n = ::read(fd, bytes->data() + got, bytes->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = Describe("cannot read", path);
      ::close(fd);
      return ReadOutcome::kFailed;
    }
    if (n == 0) break;  // shrank meanwhile: what was read is checked as it is
    got += static_cast<size_t>(n);
  }
  bytes->resize(got);
  ::close(fd);
  return ReadOutcome::kRead;
}

std::string SetAside(const std::string& path, int64_t now_micros, std::string* error) {
  const time_t seconds = static_cast<time_t>(now_micros / 1000000);
  tm t{};
  gmtime_r(&seconds, &t);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &t);
  std::string to = path + ".bad-" + stamp;
  // Two bad files in one second keep both.
  for (int i = 1; ::access(to.c_str(), F_OK) == 0 && i < 100; ++i)
    to = path + ".bad-" + stamp + "-" + std::to_string(i);
  if (std::rename(path.c_str(), to.c_str()) != 0) {
    *error = Describe("cannot rename", path);
    return "";
  }
  return to;
}

}  // namespace lockdiag
