// server_version.h: is the running server the version lockdiag was compiled
// for?
//
// lockdiag reads the server's own structures (THD, LEX, TABLE), whose layout
// changes between releases, so a lockdiag.so built for 10.11.18 must not run
// inside 10.11.19 even though the audit plugin interface would accept it.
// The plugin compares its compiled-in MYSQL_SERVER_VERSION with the running
// server's `server_version` and refuses to start when the numbers differ.
//
//   SameServerVersion("10.11.18-MariaDB", "10.11.18-MariaDB-0+deb12u1-log")  // true
//   SameServerVersion("10.11.18-MariaDB", "10.11.19-MariaDB-0+deb12u1")      // false
//
// Pure, header-only (no server header), thread-safe.
#ifndef LOCKDIAG_CORE_COMMON_SERVER_VERSION_H_
#define LOCKDIAG_CORE_COMMON_SERVER_VERSION_H_

#include <string_view>

namespace lockdiag {

// ServerVersionNumber: the leading "X.Y.Z" of a server version string
// ("10.11.18-MariaDB-log" -> "10.11.18"). Empty when the string does not
// start with three dot-separated numbers, or when a fourth number follows
// ("10.11.18.1"): a version that cannot be read is never taken as a match.
[[nodiscard]] inline std::string_view ServerVersionNumber(std::string_view version) {
  size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (i >= version.size() || version[i] != '.') return {};
      ++i;
    }
    const size_t start = i;
    while (i < version.size() && version[i] >= '0' && version[i] <= '9') ++i;
    if (i == start) return {};
  }
  if (i < version.size() && version[i] == '.') return {};
  return version.substr(0, i);
}

// SameServerVersion: true when both strings start with the same readable
// X.Y.Z; suffixes ("-MariaDB", "-0+deb12u1", "-log", "-debug") are ignored,
// since they do not change the server's structures in a release build.
[[nodiscard]] inline bool SameServerVersion(std::string_view built, std::string_view running) {
  const std::string_view a = ServerVersionNumber(built);
  return !a.empty() && a == ServerVersionNumber(running);
}

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_COMMON_SERVER_VERSION_H_
