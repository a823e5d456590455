// graphviz.h: DOT to SVG with Graphviz's `dot`, for the HTML page and tests.
#ifndef LOCKDIAG_REPORT_GRAPHVIZ_H_
#define LOCKDIAG_REPORT_GRAPHVIZ_H_

#include <string>

#include "html_renderer.h"

namespace lockdiag::report {

// RenderSvg: runs `dot -Tsvg` (found on PATH) on `dot_source`. When dot is
// not installed or fails, the picture is not rendered and `missing` says so
// in one sentence, naming the Debian package. Blocks until dot has finished.
GraphPicture RenderSvg(const std::string& dot_source);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_GRAPHVIZ_H_
