// html_renderer.h: --format=html, one self-contained page (no script, no
// link to anything outside it) that reads the same offline: the findings,
// the lock-order graph as inline SVG, the tables, encoding and connections.
#ifndef LOCKDIAG_REPORT_HTML_RENDERER_H_
#define LOCKDIAG_REPORT_HTML_RENDERER_H_

#include <string>

#include "model.h"

namespace lockdiag::report {

// The graph as the page shows it: Graphviz's SVG, or why there is none.
struct GraphPicture {
  bool rendered = false;
  std::string svg;      // when rendered: `dot -Tsvg` output (its XML prolog is dropped)
  std::string missing;  // when not: one sentence for the reader ("Graphviz's dot was not found ...")
};

std::string RenderHtml(const Report& r, const GraphPicture& graph);

// HtmlEscape: & < > " as entities.
std::string HtmlEscape(const std::string& s);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_HTML_RENDERER_H_
