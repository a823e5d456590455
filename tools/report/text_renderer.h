// text_renderer.h: the terminal report (the default --format=text).
//
// Sections, in this order: the findings (ranked), the busiest and the most
// conflicted tables, encoding issues, connections. Every line fits
// kReportWidth columns. With `color`, severities and headings carry ANSI
// colours; the caller decides (a terminal, no --no-color, no NO_COLOR).
#ifndef LOCKDIAG_REPORT_TEXT_RENDERER_H_
#define LOCKDIAG_REPORT_TEXT_RENDERER_H_

#include <string>

#include "model.h"

namespace lockdiag::report {

std::string RenderText(const Report& r, bool color);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_TEXT_RENDERER_H_
