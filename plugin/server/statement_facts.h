// statement_facts.h: what the running statement's parse tree and the THD say
// that the lock analysis needs beyond table locks and keys: how a write
// computes its values (WriteForm), whether a read found rows, whether the
// statement controls the transaction, whether the connection is a backup.
//
// REQUIRES: WriteFormOf at a table-lock event of the running statement (its
// items are alive then); the others at its STATUS event.
#ifndef LOCKDIAG_SERVER_STATEMENT_FACTS_H_
#define LOCKDIAG_SERVER_STATEMENT_FACTS_H_

#include "core/lock/access_kind.h"
#include "core/lock/session.h"

class THD;
struct TABLE;

namespace lockdiag::server {

// WriteFormOf: the form of the running write statement's write to `table`
// (INSERT, upsert, compare-and-set, self-relative or plain; see
// core/lock/access_kind.h).
WriteForm WriteFormOf(THD* thd, TABLE* table);

// FoundNothing: the statement that just ended returned no row (rows sent to
// the client, and FOUND_ROWS() for SELECT ... INTO).
bool FoundNothing(THD* thd);

// TransactionControlOf: BEGIN / COMMIT / ROLLBACK (and their XA forms).
TxnControl TransactionControlOf(THD* thd);

// LooksLikeBackup: the statement is one a backup tool runs and applications
// do not: mariadb-dump's and mysqldump's `SELECT /*!40001 SQL_NO_CACHE */`
// and `LOCK TABLES ... READ /*!32311 LOCAL */`, FLUSH TABLES WITH READ LOCK,
// BACKUP STAGE.
bool LooksLikeBackup(THD* thd, std::string_view text);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_STATEMENT_FACTS_H_
