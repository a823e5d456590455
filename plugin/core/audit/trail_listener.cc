#include "core/audit/trail_listener.h"

#include "core/audit/trail_lines.h"

namespace lockdiag {

// The trail is off by default: check before building a line.
void TrailListener::OnNewFinding(const PatternRow& row) {
  if (trail_->enabled()) (void)trail_->Append(FindingLine(NowMicros(), row));
}

void TrailListener::OnIncident(const IncidentRow& row) {
  if (trail_->enabled()) (void)trail_->Append(IncidentLine(row));
}

void TrailListener::OnNewEncodingRow(const encoding::EncodingRow& row) {
  if (trail_->enabled()) (void)trail_->Append(EncodingLine(row));
}

}  // namespace lockdiag
