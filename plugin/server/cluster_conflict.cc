// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/cluster_conflict.h"
// The core after the server headers (their macros must come first).
#include "core/lock/lock_errors.h"
#include "core/lock/session.h"
#include "server/plugin_state.h"
#include "server/session_registry.h"

namespace lockdiag::server {

uint32_t ClusterConflictCode(THD* thd) {
#ifdef WITH_WSREP
  // wsrep_on is the session's copy of the global switch: OFF on a server
  // that is no cluster node, where every 1213 is InnoDB's.
  if (!thd->variables.wsrep_on) return 0;
  if (thd->wsrep_trx().bf_aborted() || thd->wsrep_aborter != 0) return kErrClusterBruteForceAbort;
  if (thd->wsrep_cs().current_error() == wsrep::e_deadlock_error) return kErrClusterCertificationFailure;
#else
  (void)thd;
#endif
  return 0;
}

void OnClusterConflictError(THD* thd, const mysql_event_general* ev) {
  if (static_cast<uint32_t>(ev->general_error_code) != kErrLockDeadlock) return;
  const uint32_t code = ClusterConflictCode(thd);
  if (code == 0) return;
  Session* session = SessionFor(thd, ev->general_thread_id);
  if (session == nullptr) {
    GlobalAnalyzer().CountDropped(1, ev->general_thread_id);
    return;
  }
  if (session->StatementHasLockError()) return;
  session->OnError(code, {}, {});
  // The command was refused at dispatch, before it had a text: the server
  // goes straight to the next command, without a STATUS event. (A statement
  // the abort interrupted has its text and ends with a STATUS event.)
  if (ev->general_query != nullptr && ev->general_query_length != 0) return;
  StatementEnd end;
  end.error_code = code;
  end.outcome = TxnOutcome::kRollback;
  end.autocommit = !(thd->variables.option_bits & OPTION_NOT_AUTOCOMMIT);
  end.isolation = static_cast<Isolation>(thd->tx_isolation);
  session->OnStatementEnd(end);
}

}  // namespace lockdiag::server
