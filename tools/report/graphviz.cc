#include "graphviz.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace lockdiag::report {
namespace {

std::string FindOnPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "";
  for (size_t start = 0; start <= p.size();) {
    size_t colon = p.find(':', start);
    if (colon == std::string::npos) colon = p.size();
    std::string candidate = p.substr(start, colon - start) + "/" + name;
    if (colon > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return "";
}

}  // namespace

GraphPicture RenderSvg(const std::string& dot_source) {
  GraphPicture pic;
  std::string dot = FindOnPath("dot");
  if (dot.empty()) {
    pic.missing =
        "The lock-order graph is not shown: Graphviz's dot was not found on PATH when this page was made "
        "(install the Debian package graphviz, or run lockdiag-report --format=dot and render it elsewhere).";
    return pic;
  }
  // The source goes through a file: feeding dot's stdin while reading its
  // stdout from one thread could block on a full pipe.
  char in_name[] = "/tmp/lockdiag-report-XXXXXX";
  int fd = mkstemp(in_name);
  if (fd < 0 || write(fd, dot_source.data(), dot_source.size()) != static_cast<ssize_t>(dot_source.size())) {
    if (fd >= 0) close(fd), unlink(in_name);
    pic.missing = "The lock-order graph is not shown: no temporary file for Graphviz could be written.";
    return pic;
  }
  close(fd);
  std::string cmd = "'" + dot + "' -Tsvg '" + in_name + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  if (p) {
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  }
  int status = p ? pclose(p) : -1;
  unlink(in_name);
  if (status != 0 || out.find("<svg") == std::string::npos) {
    pic.missing = "The lock-order graph is not shown: Graphviz's dot failed: " + out.substr(0, 300);
    return pic;
  }
  pic.rendered = true;
  pic.svg = std::move(out);
  return pic;
}

}  // namespace lockdiag::report
