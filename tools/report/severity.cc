#include <algorithm>
#include <cctype>

#include "model.h"

namespace lockdiag::report {

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kHigh:
      return "HIGH";
    case Severity::kMedium:
      return "MEDIUM";
    case Severity::kLow:
      return "LOW";
  }
  return "LOW";
}

std::optional<Severity> ParseSeverity(const std::string& name) {
  std::string up = name;
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  for (Severity s : {Severity::kHigh, Severity::kMedium, Severity::kLow})
    if (up == SeverityName(s)) return s;
  return std::nullopt;
}

}  // namespace lockdiag::report
