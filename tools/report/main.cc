// lockdiag-report: reads the LOCKDIAG_* tables of one or more servers and
// prints one report (lockdiag-report --help, docs/report.md). This file only
// wires the pieces: options, the reader, the merge, a renderer, the exit status.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "dot_renderer.h"
#include "exit_status.h"
#include "graphviz.h"
#include "html_renderer.h"
#include "json_renderer.h"
#include "mariadb_reader.h"
#include "merge.h"
#include "options.h"
#include "password_prompt.h"
#include "text_renderer.h"

using namespace lockdiag::report;

namespace {

int Fail(const std::string& message) {
  std::cerr << "lockdiag-report: " << message << "\n";
  return kExitError;
}

// Colour only for a person at a terminal (https://no-color.org).
bool UseColor(const Options& o) {
  const char* no_color = std::getenv("NO_COLOR");
  return !o.no_color && !(no_color && *no_color) && isatty(STDOUT_FILENO);
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  auto opts = ParseOptions(std::vector<std::string>(argv + 1, argv + argc), &error);
  if (!opts) return Fail(error);
  if (opts->help) {
    std::cout << HelpText();
    return kExitClean;
  }
  if (opts->version) {
    std::cout << "lockdiag-report " LOCKDIAG_VERSION "\n";
    return kExitClean;
  }
  std::optional<std::string> password = opts->password;
  if (opts->prompt_password) password = PromptPassword();

  std::vector<Endpoint> endpoints = opts->servers;
  if (endpoints.empty()) endpoints.push_back(Endpoint{});
  std::vector<ServerSnapshot> snaps;
  for (const auto& e : endpoints) {
    auto snap = ReadServer(*opts, e, password, &error);
    if (!snap) return Fail(error);
    snaps.push_back(std::move(*snap));
  }
  Report report = BuildReport(snaps);

  switch (opts->format) {
    case Format::kText:
      std::cout << RenderText(report, UseColor(*opts));
      break;
    case Format::kJson:
      std::cout << RenderJson(report);
      break;
    case Format::kDot:
      std::cout << RenderDot(report);
      break;
    case Format::kHtml: {
      GraphPicture pic = RenderSvg(RenderDot(report));
      if (!pic.rendered) std::cerr << "lockdiag-report: warning: " << pic.missing << "\n";
      std::cout << RenderHtml(report, pic);
      break;
    }
  }
  std::cout.flush();
  if (!std::cout) return Fail("cannot write the report to standard output");
  return ExitStatusFor(report, opts->fail_on);
}
