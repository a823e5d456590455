// cluster_conflict.h: telling a Galera cluster conflict from an InnoDB
// deadlock. On a node of a cluster both reach the client as ER_LOCK_DEADLOCK
// (1213); what tells them apart is the THD's wsrep state at the moment the
// server raises the error (docs/cluster.md, "What the server exposes"):
//
//   brute-force abort   a write set replicated from another node needed the
//                       transaction's row locks: the victim's
//                       wsrep_trx().bf_aborted() is set while its statement
//                       fails, and THD::wsrep_aborter (the applier's thread
//                       id) when the transaction was aborted while idle;
//   certification       the transaction's own write set lost certification
//   failure             at COMMIT: the client state's current_error() is
//                       e_deadlock_error and no brute-force abort is marked;
//   InnoDB deadlock     none of these (current_error() is e_success).
//
// Both fields are cleared as the statement ends, so the ERROR event, raised
// while they are set, is where they are read; the STATUS event only repeats.
//
// REQUIRES: the THD of the calling connection thread, at one of its audit
// events.
#ifndef LOCKDIAG_SERVER_CLUSTER_CONFLICT_H_
#define LOCKDIAG_SERVER_CLUSTER_CONFLICT_H_

#include <cstdint>

class THD;
struct mysql_event_general;

namespace lockdiag::server {

// ClusterConflictCode: the core's code (core/lock/lock_errors.h) for the
// ER_LOCK_DEADLOCK the server is raising on `thd`: kErrClusterBruteForceAbort,
// kErrClusterCertificationFailure, or 0 when it is no cluster conflict.
uint32_t ClusterConflictCode(THD* thd);

// OnClusterConflictError: a GENERAL_ERROR event. Records a cluster conflict
// in the connection's Session once per statement; when the transaction was
// aborted while idle, the server refuses the client's next command before
// it runs (no STATUS event follows, and no text is known), so the command's
// end is recorded here.
void OnClusterConflictError(THD* thd, const mysql_event_general* ev);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_CLUSTER_CONFLICT_H_
