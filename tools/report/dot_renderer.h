// dot_renderer.h: --format=dot, the lock-order graph for Graphviz.
//
// Tables are nodes; each observed order "A locked before B" is an edge A -> B
// labelled with its TRANSACTIONS (per server when several were read) and
// drawn thicker the more transactions took it. Edges of a pair seen in both
// orders (an inversion) and edges of a LOCK_ORDER_CYCLE finding are red.
#ifndef LOCKDIAG_REPORT_DOT_RENDERER_H_
#define LOCKDIAG_REPORT_DOT_RENDERER_H_

#include <string>

#include "model.h"

namespace lockdiag::report {

std::string RenderDot(const Report& r);

// DotQuote: `s` as a DOT double-quoted string, quotes and backslashes escaped.
std::string DotQuote(const std::string& s);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_DOT_RENDERER_H_
