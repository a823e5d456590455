// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/audit_adapter.h"
// The core after the server headers: they define macros (min, max) that the
// standard headers the core includes must not see first.
#include "server/cluster_conflict.h"
#include "server/connection_adapter.h"
#include "server/encoding_adapter.h"
#include "server/key_extractor.h"
#include "server/plugin_state.h"
#include "core/lock/lock_errors.h"
#include "core/lock/session.h"
#include "server/session_registry.h"
#include "server/statement_facts.h"

namespace lockdiag::server {
namespace {

// The statement kinds whose table locks lockdiag classifies. DDL, SHOW and
// administrative statements also lock tables, but they are not the
// application's data access, so they are left out (their events still count
// in Lockdiag_table_lock_events).
bool StatementClassOf(enum_sql_command cmd, StatementClass* out) {
  switch (cmd) {
    case SQLCOM_SELECT:
    case SQLCOM_DO:
    case SQLCOM_SET_OPTION:
    case SQLCOM_CALL:
    case SQLCOM_EXECUTE:
    case SQLCOM_EXECUTE_IMMEDIATE:
      *out = StatementClass::kRead;
      return true;
    case SQLCOM_INSERT:
    case SQLCOM_INSERT_SELECT:
    case SQLCOM_UPDATE:
    case SQLCOM_UPDATE_MULTI:
    case SQLCOM_DELETE:
    case SQLCOM_DELETE_MULTI:
    case SQLCOM_REPLACE:
    case SQLCOM_REPLACE_SELECT:
    case SQLCOM_LOAD:
      *out = StatementClass::kModify;
      return true;
    case SQLCOM_LOCK_TABLES:
      *out = StatementClass::kLockTables;
      return true;
    default:
      return false;
  }
}

LockStrength StrengthOf(thr_lock_type t) {
  if (t >= TL_FIRST_WRITE) return LockStrength::kWriteLock;
  if (t == TL_READ_WITH_SHARED_LOCKS) return LockStrength::kSharedRead;
  return LockStrength::kPlainRead;
}

bool SerializableTxn(THD* thd) {
  return thd->tx_isolation == ISO_SERIALIZABLE &&
         (thd->variables.option_bits & (OPTION_NOT_AUTOCOMMIT | OPTION_BEGIN));
}

bool HoldsNamedLock(THD* thd) { return thd->ull_hash.records > 0; }

// The open handle of db.table with the strongest lock in this statement (the
// audit event names the table but not the lock type); nullptr if none.
TABLE* FindLockedTable(THD* thd, const MYSQL_CONST_LEX_STRING& db, const MYSQL_CONST_LEX_STRING& name) {
  TABLE* best = nullptr;
  for (TABLE* t = thd->open_tables; t != nullptr; t = t->next) {
    const TABLE_SHARE* s = t->s;
    if (s == nullptr || s->db.length != db.length || s->table_name.length != name.length) continue;
    if (memcmp(s->db.str, db.str, db.length) != 0 || memcmp(s->table_name.str, name.str, name.length) != 0)
      continue;
    if (best == nullptr || t->reginfo.lock_type > best->reginfo.lock_type) best = t;
  }
  return best;
}

bool IsInsert(enum_sql_command cmd) { return cmd == SQLCOM_INSERT || cmd == SQLCOM_REPLACE; }

void OnTableLock(THD* thd, const mysql_event_table* ev) {
  Session* session = SessionFor(thd, ev->thread_id);
  if (session == nullptr) {
    GlobalAnalyzer().CountDropped(1, ev->thread_id);
    return;
  }
  StatementClass cls;
  thr_lock_type lock = ev->read_only ? TL_READ : TL_WRITE;
  // No statement is running: an event-scheduler job reads mysql.event
  // (Event_db_repository::load_named_event) before its body runs, on a new
  // THD whose LEX was never initialised (no lex_start): nothing in it may be
  // read. Seen as a crash in ExtractKeys during the mtr suite.
  if (thd->query() == nullptr || !StatementClassOf(thd->lex->sql_command, &cls)) {
    GlobalAnalyzer().CountTableLockEvent(ev->thread_id);
    return;
  }
  TABLE* table = FindLockedTable(thd, ev->database, ev->table);
  if (table != nullptr) lock = table->reginfo.lock_type;
  AccessEvent access;
  access.schema = {ev->database.str, ev->database.length};
  access.table = {ev->table.str, ev->table.length};
  access.under_named_lock = HoldsNamedLock(thd);
  access.isolation = static_cast<Isolation>(thd->tx_isolation);
  access.isolation_known = true;
  // A table the statement locks only for its triggers, stored functions or
  // foreign keys (prelocking): written or read by that code, not by the
  // statement's own clauses, so it gets neither the statement's class nor
  // its keys and values.
  const TABLE_LIST* tl = table != nullptr ? table->pos_in_table_list : nullptr;
  if (tl != nullptr && tl->prelocking_placeholder != TABLE_LIST::PRELOCK_NONE) {
    access.kind = StrengthOf(lock) == LockStrength::kWriteLock ? AccessKind::kWrite : AccessKind::kRead;
    session->OnTableAccess(access);
    return;
  }
  access.kind = ClassifyAccess(StrengthOf(lock), cls, SerializableTxn(thd));
  if (access.kind == AccessKind::kWrite) access.form = WriteFormOf(thd, table);
  access.transactional = table != nullptr && table->file != nullptr && table->file->has_transactions();
  // Which rows: only for the accesses read-modify-write detection compares
  // (reads of any kind, and writes); the source of INSERT ... SELECT and the
  // like have no keys of their own.
  uint64_t keys[Session::kMaxKeysPerAccess];
  const enum_sql_command cmd = thd->lex->sql_command;
  // The INSERT / REPLACE target is the statement's first table; its VALUES
  // belong to no other.
  const bool insert_target = IsInsert(cmd) && access.kind == AccessKind::kWrite;
  const bool primary_target =
      thd->lex->query_tables != nullptr && table != nullptr && thd->lex->query_tables->table == table;
  if (insert_target && !primary_target) {
    session->OnTableAccess(access);
    return;
  }
  if (cls != StatementClass::kLockTables && (cmd != SQLCOM_INSERT_SELECT && cmd != SQLCOM_REPLACE_SELECT)) {
    access.key_count = ExtractKeys(thd, table, insert_target, keys, Session::kMaxKeysPerAccess);
    access.keys = keys;
  }
  session->OnTableAccess(access);
  if (access.kind == AccessKind::kWrite) EncodingOnWriteTarget(thd, table);
}

// Statements run under LOCK TABLES fire no table-lock event: their tables are
// read from the statement's table list, which is still there at STATUS time.
void AccessesUnderLockTables(THD* thd, Session* session) {
  StatementClass cls;
  if (thd->locked_tables_mode != LTM_LOCK_TABLES || thd->lex == nullptr) return;
  if (!StatementClassOf(thd->lex->sql_command, &cls) || cls == StatementClass::kLockTables) return;
  for (TABLE_LIST* tl = thd->lex->query_tables; tl != nullptr; tl = tl->next_global) {
    if (tl->db.str == nullptr || tl->table_name.str == nullptr || tl->is_anonymous_derived_table() ||
        tl->view)
      continue;
    AccessEvent access;
    access.schema = {tl->db.str, tl->db.length};
    access.table = {tl->table_name.str, tl->table_name.length};
    access.kind = ClassifyAccess(StrengthOf(tl->lock_type), StatementClass::kLockTables, false);
    access.under_named_lock = HoldsNamedLock(thd);
    session->OnTableAccess(access);
  }
}

bool CommandIs(const mysql_event_general* ev, const char* name) {
  size_t n = strlen(name);
  return ev->general_command_length == n && memcmp(ev->general_command, name, n) == 0;
}

// RunsNoStatement: the STATUS event of a command that is no statement to
// record. A disconnect is handled by the CONNECTION event; a PREPARE runs
// nothing.
bool RunsNoStatement(const mysql_event_general* ev) {
  // A connection pool's ping before each use, and a cursor's fetches and
  // resets, are not statements either (Lockdiag_statements counts statements).
  return CommandIs(ev, "Quit") || CommandIs(ev, "Prepare") || CommandIs(ev, "Close stmt") ||
         CommandIs(ev, "Ping") || CommandIs(ev, "Reset stmt") || CommandIs(ev, "Fetch");
}

// StatementEndOf: the statement's end as the core takes it, from the STATUS
// event and the THD's state after the statement.
StatementEnd StatementEndOf(THD* thd, const mysql_event_general* ev) {
  StatementEnd end;
  end.text = {ev->general_query ? ev->general_query : "", ev->general_query ? ev->general_query_length : 0};
  end.error_code = static_cast<uint32_t>(ev->general_error_code);
  end.transaction_open = thd->in_active_multi_stmt_transaction();
  const enum_sql_command cmd = thd->lex ? thd->lex->sql_command : SQLCOM_END;
  end.outcome =
      (cmd == SQLCOM_ROLLBACK || cmd == SQLCOM_XA_ROLLBACK) ? TxnOutcome::kRollback : TxnOutcome::kCommit;
  end.isolation = static_cast<Isolation>(thd->tx_isolation);
  end.xa =
      thd->transaction->xid_state.is_explicit_XA() || cmd == SQLCOM_XA_COMMIT || cmd == SQLCOM_XA_ROLLBACK;
  end.autocommit = !(thd->variables.option_bits & OPTION_NOT_AUTOCOMMIT);
  end.under_lock_tables = thd->locked_tables_mode != LTM_NONE;
  // A procedure's statements end with STATUS events of their own, and the
  // CALL's repeats their error: the Session counts it once.
  end.in_stored_procedure = thd->spcont != nullptr;
  end.control = TransactionControlOf(thd);
  end.found_nothing = FoundNothing(thd);
  end.found_rows = !end.found_nothing;
  end.backup_statement = LooksLikeBackup(thd, end.text);
  // utime_after_lock is set when the statement's table locks are granted
  // (equal to start_utime until then); both are microsecond_interval_timer().
  end.lock_wait_micros =
      thd->utime_after_lock > thd->start_utime ? thd->utime_after_lock - thd->start_utime : 0;
  // start_time is the wall clock at the statement's dispatch, unless SET
  // TIMESTAMP fixed it (user_time): then it says nothing about when.
  end.start_time = thd->user_time.val != 0 ? 0
                                           : static_cast<Timestamp>(thd->start_time) * 1000000 +
                                                 static_cast<Timestamp>(thd->start_time_sec_part);
  return end;
}

// NameMetadataLockTimeout: a statement that timed out waiting for a metadata
// lock (a backup's LOCK TABLES ... READ on InnoDB, a DDL) never opened its
// tables, so no table-lock event named them and ER_LOCK_WAIT_TIMEOUT names
// none either: without this its incident has no table, and neither counts
// as a writer the backup blocked nor links to BACKUP_BLOCKS_WRITERS. Such a
// statement never reached mysql_lock_tables(), which sets utime_after_lock
// (an InnoDB row-lock timeout did, and its tables were named). The table it
// waited for is the first one without a metadata-lock ticket: open_tables()
// takes them in table-list order. A CALL repeats the error of its procedure's
// statement, which was named at that statement's own end.
void NameMetadataLockTimeout(THD* thd, const StatementEnd& end, Session* session) {
  if (end.error_code != ER_LOCK_WAIT_TIMEOUT || thd->utime_after_lock != thd->start_utime ||
      thd->lex == nullptr || thd->lex->sql_command == SQLCOM_CALL || thd->locked_tables_mode != LTM_NONE)
    return;
  for (TABLE_LIST* tl = thd->lex->query_tables; tl != nullptr; tl = tl->next_global) {
    if (tl->db.str == nullptr || tl->table_name.str == nullptr || tl->is_anonymous_derived_table() ||
        tl->mdl_request.ticket != nullptr)
      continue;
    session->OnError(end.error_code, {tl->db.str, tl->db.length},
                     {tl->table_name.str, tl->table_name.length});
    return;
  }
}

// EndFinishedEventJob: an event-scheduler job's THD ends without a
// disconnect event: its Session is freed whenever no transaction is left
// open, so none outlives the job.
void EndFinishedEventJob(THD* thd, const StatementEnd& end) {
  if (thd->system_thread == SYSTEM_THREAD_EVENT_WORKER && !end.transaction_open && !end.under_lock_tables)
    EndSession(thd);
}

// OnServerCondition: a GENERAL_ERROR or GENERAL_WARNING event, whose
// general_command holds the condition's message text. Only the encoding
// checker reads these: lock errors are taken from the STATUS event's error
// code instead, as the server can raise one deadlock more than once on its
// way out.
// The exception: a cluster conflict (cluster_conflict.h) must be told from a
// deadlock while the server raises it.
void OnServerCondition(THD* thd, const mysql_event_general* ev) {
  if (ev->event_subclass == MYSQL_AUDIT_GENERAL_ERROR) OnClusterConflictError(thd, ev);
  EncodingOnServerCondition(thd, static_cast<uint32_t>(ev->general_error_code), ev->general_command,
                            ev->general_command_length);
}

// OnStatementStatus: a GENERAL_STATUS event, the end of a statement.
void OnStatementStatus(THD* thd, const mysql_event_general* ev) {
  // Statements of triggers and stored functions run inside another statement
  // (and fire STATUS events of their own): their tables are locked, and
  // reported, as part of the outer statement, which ends later.
  if (thd->in_sub_stmt != 0) return;
  EncodingOnStatementEnd(thd);
  if (RunsNoStatement(ev)) return;
  Session* session = SessionFor(thd, ev->general_thread_id);
  if (session == nullptr) {
    GlobalAnalyzer().CountDropped(1, ev->general_thread_id);
    return;
  }
  AccessesUnderLockTables(thd, session);
  StatementEnd end = StatementEndOf(thd, ev);
  // A cluster conflict no ERROR event named (its fields still set).
  if (end.error_code == kErrLockDeadlock && !session->StatementHasLockError()) {
    const uint32_t cluster = ClusterConflictCode(thd);
    if (cluster != 0) end.error_code = cluster;
  }
  EncodingOnLockedTablesStatement(thd, end.text);
  NameMetadataLockTimeout(thd, end, session);
  session->OnStatementEnd(end);
  EndFinishedEventJob(thd, end);
}

void OnGeneral(THD* thd, const mysql_event_general* ev) {
  switch (ev->event_subclass) {
    case MYSQL_AUDIT_GENERAL_ERROR:
    case MYSQL_AUDIT_GENERAL_WARNING:
      OnServerCondition(thd, ev);
      return;
    case MYSQL_AUDIT_GENERAL_STATUS:
      OnStatementStatus(thd, ev);
      return;
    default:
      return;
  }
}

}  // namespace

void NotifyEvent(MYSQL_THD mysql_thd, unsigned int event_class, const void* event) {
  THD* thd = static_cast<THD*>(mysql_thd);
  if (thd == nullptr) return;
  // A disconnect frees the connection's Session even while lockdiag is
  // disabled: it happens once per connection and must not leak (and a
  // connection recorded as open must be recorded as closed).
  if (event_class == MYSQL_AUDIT_CONNECTION_CLASS &&
      static_cast<const mysql_event_connection*>(event)->event_subclass ==
          MYSQL_AUDIT_CONNECTION_DISCONNECT) {
    try {
      EndSession(thd);
    } catch (...) {
      GlobalAnalyzer().CountDropped(1, thd->thread_id);
    }
    OnConnectionEvent(thd, static_cast<const mysql_event_connection*>(event));
    return;
  }
  // Disabled: return before touching anything else (the floor cost that
  // docs/benchmarks.md measures as "plugin installed, disabled").
  if (!GlobalConfig().enabled.load(std::memory_order_relaxed)) return;
  // Client connections and event-scheduler jobs (application logic) are
  // recorded; replication appliers, delayed-insert handlers and other system
  // threads are not: they replay or serve work already seen where it was
  // issued, and they end without the disconnect event that frees a Session.
  if (thd->system_thread != NON_SYSTEM_THREAD && thd->system_thread != SYSTEM_THREAD_EVENT_WORKER) return;
  try {
    switch (event_class) {
      case MYSQL_AUDIT_TABLE_CLASS: {
        auto* ev = static_cast<const mysql_event_table*>(event);
        if (ev->event_subclass == MYSQL_AUDIT_TABLE_LOCK) OnTableLock(thd, ev);
        break;
      }
      case MYSQL_AUDIT_GENERAL_CLASS:
        OnGeneral(thd, static_cast<const mysql_event_general*>(event));
        break;
      case MYSQL_AUDIT_CONNECTION_CLASS:
        OnConnectionEvent(thd, static_cast<const mysql_event_connection*>(event));
        break;
      default:
        break;
    }
  } catch (...) {
    // Out of memory inside the core: lose the event, never the statement.
    GlobalAnalyzer().CountDropped(1, thd->thread_id);
  }
}

}  // namespace lockdiag::server
