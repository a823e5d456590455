// json_renderer.h: --format=json, one document whose schema docs/report.md
// documents (schema_version 1). Keys are only ever added, never renamed or
// removed, within one schema_version.
#ifndef LOCKDIAG_REPORT_JSON_RENDERER_H_
#define LOCKDIAG_REPORT_JSON_RENDERER_H_

#include <string>

#include "model.h"

namespace lockdiag::report {

inline constexpr int kJsonSchemaVersion = 1;

// RenderJson: the document, pretty-printed, ending in '\n'.
std::string RenderJson(const Report& r);

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_JSON_RENDERER_H_
