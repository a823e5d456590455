// wrap.h: fits prose to the report's 100 columns.
#ifndef LOCKDIAG_REPORT_WRAP_H_
#define LOCKDIAG_REPORT_WRAP_H_

#include <string>

namespace lockdiag::report {

inline constexpr size_t kReportWidth = 100;

// Wrap: `text` broken at blanks into lines of at most `width` bytes, each
// starting with `indent` (the first with `first_indent`), each ending in
// '\n'. A word longer than a line (a long digest) is cut, so no line is ever
// wider than `width`. Counts bytes: names and digests are mostly ASCII, and a
// cut never splits a UTF-8 sequence.
std::string Wrap(const std::string& text, const std::string& first_indent, const std::string& indent,
                 size_t width = kReportWidth);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_WRAP_H_
