// files.h: the few file operations lockdiag's background threads do (the
// audit trail and the state file), with the safety rules they share: never
// follow a symlink planted in a file's place, never hang on a FIFO, never
// use a file another user owns, create files private to the server (0600),
// and say what failed in words.
//
// Blocking I/O: call these from lockdiag's own threads (the trail writer,
// the housekeeper) or from INSTALL / UNINSTALL, never from a connection
// thread's statement.
#ifndef LOCKDIAG_CORE_COMMON_FILES_H_
#define LOCKDIAG_CORE_COMMON_FILES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace lockdiag {

// WriteFully writes all of `bytes` to `fd`, retrying short writes and
// EINTR; false (errno set) on an error.
bool WriteFully(int fd, std::string_view bytes);

// WriteFileAtomically replaces `path` with `bytes`: written to `path`.tmp
// (created afresh, 0600, never through a symlink), fsync'ed, renamed over
// `path` and the directory fsync'ed, so that a crash at any moment leaves
// either the old file or the new one. False, with `*error` set, when any
// step fails (`path` is then untouched).
bool WriteFileAtomically(const std::string& path, std::string_view bytes, std::string* error);

enum class ReadOutcome { kRead, kMissing, kFailed };
// ReadWholeFile reads a regular file of at most `max_bytes`, owned by the
// process's effective user (not through a symlink); kMissing when there is
// none, kFailed with `*error` otherwise.
ReadOutcome ReadWholeFile(const std::string& path, uint64_t max_bytes, std::string* bytes,
                          std::string* error);

// SetAside renames `path` to `path`.bad-<UTC time> so that a file lockdiag
// cannot use is kept for a person to look at; returns the new name, or ""
// with `*error` set.
std::string SetAside(const std::string& path, int64_t now_micros, std::string* error);

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_FILES_H_
