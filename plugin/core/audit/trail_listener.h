// trail_listener.h: turns the cores' news (a new finding, an incident, a new
// encoding finding) into lines of the audit trail.
//
//   TrailListener listener(&trail);
//   analyzer.SetListener(&listener);
//   encoding_store.SetListener(&listener);
//
// Thread-safety: as Trail's; the lines are built on the calling thread (a
// rare event: a new finding, a lock error) and queued, never written there.
#ifndef LOCKDIAG_CORE_AUDIT_TRAIL_LISTENER_H_
#define LOCKDIAG_CORE_AUDIT_TRAIL_LISTENER_H_

#include "core/audit/trail.h"
#include "core/encoding/encoding_store.h"
#include "core/lock/analyzer.h"

namespace lockdiag {

class TrailListener : public AnalyzerListener, public encoding::EncodingListener {
 public:
  // REQUIRES: trail outlives the listener.
  explicit TrailListener(Trail* trail) : trail_(trail) {}

  void OnNewFinding(const PatternRow& row) override;
  void OnIncident(const IncidentRow& row) override;
  void OnNewEncodingRow(const encoding::EncodingRow& row) override;

 private:
  Trail* const trail_;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_AUDIT_TRAIL_LISTENER_H_
