// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/is_tables.h"
// The core after the server headers (see audit_adapter.cc).
#include "core/audit/connection_store.h"
#include "core/lock/incidents.h"
#include "core/lock/lock_errors.h"
#include "server/plugin_state.h"
#include "server/session_registry.h"
#include "server/version_guard.h"

namespace lockdiag::server {
namespace {

// Reading any LOCKDIAG_* table needs PROCESS, as InnoDB's I_S tables do: the
// tables show other users' statements. Without it the query fails with
// ER_SPECIFIC_ACCESS_DENIED_ERROR naming PROCESS.
bool DeniedWithoutProcess(THD* thd) { return check_global_access(thd, PROCESS_ACL, false) != 0; }

// Guarded: every fill goes through it. It checks PROCESS first; a fill runs
// in the user's query, so running out of memory while copying a snapshot
// fails that query with the server's own error, and no exception ever
// reaches the server.
// WarnIfNotFed: an empty LOCKDIAG_* table must not read as "no problem"
// when nothing is filling it: the LOCKDIAG audit plugin is not running (not
// installed, or disabled at start-up by a bad lockdiag_* option) or
// lockdiag_enabled is OFF. The query gets a warning that says so.
void WarnIfNotFed(THD* thd) {
  if (!AuditPluginRunning()) {
    push_warning(thd, Sql_condition::WARN_LEVEL_WARN, ER_UNKNOWN_ERROR,
                 "lockdiag: the LOCKDIAG audit plugin is not running, so nothing is being recorded "
                 "(see SHOW PLUGINS and the error log)");
  } else if (!GlobalConfig().enabled.load(std::memory_order_relaxed)) {
    push_warning(thd, Sql_condition::WARN_LEVEL_WARN, ER_UNKNOWN_ERROR,
                 "lockdiag: lockdiag_enabled is OFF, so nothing new is being recorded");
  }
}

template <int (*Rows)(THD*, TABLE_LIST*)>
int Guarded(THD* thd, TABLE_LIST* tables, Item*) {
  if (DeniedWithoutProcess(thd)) return 1;
  WarnIfNotFed(thd);
  try {
    return Rows(thd, tables);
  } catch (...) {
    my_error(ER_OUT_OF_RESOURCES, MYF(0));
    return 1;
  }
}

void StoreName(Field* f, const std::string& s) { f->store(s.data(), s.size(), system_charset_info); }
void StoreCount(Field* f, uint64_t n) { f->store(static_cast<longlong>(n), true); }
// StoreNullableName: NULL for an empty name (an unknown table).
void StoreNullableName(Field* f, const std::string& s) {
  if (s.empty()) {
    f->set_null();
  } else {
    f->set_notnull();
    StoreName(f, s);
  }
}

// Stores a core Timestamp (µs since the epoch, UTC) as a DATETIME in the
// session's time zone, like NOW() would show it.
void StoreTime(THD* thd, Field* f, Timestamp micros) {
  MYSQL_TIME t;
  thd->variables.time_zone->gmt_sec_to_TIME(&t, static_cast<my_time_t>(micros / 1000000));
  f->store_time(&t);
}

// ColumnCount: the columns of an I_S table's field array (it ends with CEnd()).
template <size_t N>
constexpr size_t ColumnCount(const ST_FIELD_INFO (&)[N]) {
  return N - 1;
}

// --- LOCKDIAG_TABLES -------------------------------------------------------
// Each table's column enum names its columns in order; its last enumerator,
// the count, is checked against the table's field array.
enum TablesColumn {
  kTSchema,
  kTName,
  kTPlainReads,
  kTSharedReads,
  kTExclusiveReads,
  kTWrites,
  kTLockTables,
  kTTransactions,
  kTUnlockedReadWrite,
  kTLockedReadWrite,
  kTDuplicateKeyErrors,
  kTDeadlocks,
  kTLockWaitTimeouts,
  kTCompareAndSetWrites,
  kTFirstSeen,
  kTLastSeen,
  kTCount
};

}  // namespace
}  // namespace lockdiag::server

namespace Show {
static ST_FIELD_INFO lockdiag_encoding_fields[] = {Column("USER", Varchar(USERNAME_CHAR_LENGTH), NOT_NULL),
                                                   Column("HOST", Varchar(HOSTNAME_LENGTH), NOT_NULL),
                                                   Column("CLIENT_CHARSET", CSName(), NOT_NULL),
                                                   Column("TABLE_SCHEMA", Name(), NOT_NULL),
                                                   Column("TABLE_NAME", Name(), NOT_NULL),
                                                   Column("COLUMN_NAME", Name(), NULLABLE),
                                                   Column("COLUMN_CHARSET", Varchar(2 * 64 + 1), NOT_NULL),
                                                   Column("ISSUE", Varchar(32), NOT_NULL),
                                                   Column("OCCURRENCES", ULonglong(), NOT_NULL),
                                                   Column("FIRST_SEEN", Datetime(0), NOT_NULL),
                                                   Column("LAST_SEEN", Datetime(0), NOT_NULL),
                                                   Column("SAMPLE", Varchar(128), NOT_NULL),
                                                   Column("STATEMENT_DIGEST", Varchar(1024), NOT_NULL),
                                                   CEnd()};

static ST_FIELD_INFO lockdiag_lock_order_fields[] = {Column("FIRST_SCHEMA", Name(), NOT_NULL),
                                                     Column("FIRST_TABLE", Name(), NOT_NULL),
                                                     Column("SECOND_SCHEMA", Name(), NOT_NULL),
                                                     Column("SECOND_TABLE", Name(), NOT_NULL),
                                                     Column("TRANSACTIONS", ULonglong(), NOT_NULL),
                                                     Column("REVERSE_TRANSACTIONS", ULonglong(), NOT_NULL),
                                                     Column("SAMPLE_DIGEST", Varchar(1024), NOT_NULL),
                                                     Column("LAST_SEEN", Datetime(0), NOT_NULL),
                                                     CEnd()};

static ST_FIELD_INFO lockdiag_patterns_fields[] = {Column("PATTERN_ID", ULonglong(), NOT_NULL),
                                                   Column("PATTERN", Varchar(32), NOT_NULL),
                                                   Column("SEVERITY", Varchar(8), NOT_NULL),
                                                   Column("OBJECTS", Varchar(1024), NOT_NULL),
                                                   Column("OCCURRENCES", ULonglong(), NOT_NULL),
                                                   Column("RELATED_ERRORS", ULonglong(), NOT_NULL),
                                                   Column("FIRST_SEEN", Datetime(0), NOT_NULL),
                                                   Column("LAST_SEEN", Datetime(0), NOT_NULL),
                                                   Column("EVIDENCE", Varchar(2048), NOT_NULL),
                                                   Column("ADVICE", Varchar(512), NOT_NULL),
                                                   CEnd()};

static ST_FIELD_INFO lockdiag_incidents_fields[] = {Column("INCIDENT_ID", ULonglong(), NOT_NULL),
                                                    Column("TIME", Datetime(0), NOT_NULL),
                                                    Column("THREAD_ID", ULonglong(), NOT_NULL),
                                                    Column("USER", Varchar(USERNAME_CHAR_LENGTH), NOT_NULL),
                                                    Column("HOST", Varchar(HOSTNAME_LENGTH), NOT_NULL),
                                                    Column("ERROR_CODE", ULong(), NOT_NULL),
                                                    Column("ERROR_NAME", Varchar(64), NOT_NULL),
                                                    Column("TABLE_SCHEMA", Name(), NULLABLE),
                                                    Column("TABLE_NAME", Name(), NULLABLE),
                                                    Column("STATEMENT_DIGEST", Varchar(512), NOT_NULL),
                                                    Column("TRANSACTION_HISTORY", Varchar(512), NOT_NULL),
                                                    Column("PATTERN_ID", ULonglong(), NULLABLE),
                                                    Column("RETRIED", Varchar(3), NULLABLE),
                                                    Column("CONFLICT_KIND", Varchar(32), NULLABLE),
                                                    CEnd()};

static ST_FIELD_INFO lockdiag_tables_fields[] = {
    Column("TABLE_SCHEMA", Name(), NOT_NULL),
    Column("TABLE_NAME", Name(), NOT_NULL),
    Column("PLAIN_READS", ULonglong(), NOT_NULL),  // not READS: a reserved word
    Column("SHARED_READS", ULonglong(), NOT_NULL),
    Column("EXCLUSIVE_READS", ULonglong(), NOT_NULL),
    Column("WRITES", ULonglong(), NOT_NULL),
    Column("LOCK_TABLES", ULonglong(), NOT_NULL),
    Column("TRANSACTIONS", ULonglong(), NOT_NULL),
    Column("UNLOCKED_READ_WRITE_TRANSACTIONS", ULonglong(), NOT_NULL),
    Column("LOCKED_READ_WRITE_TRANSACTIONS", ULonglong(), NOT_NULL),
    Column("DUPLICATE_KEY_ERRORS", ULonglong(), NOT_NULL),
    Column("DEADLOCKS", ULonglong(), NOT_NULL),
    Column("LOCK_WAIT_TIMEOUTS", ULonglong(), NOT_NULL),
    Column("COMPARE_AND_SET_WRITES", ULonglong(), NOT_NULL),
    Column("FIRST_SEEN", Datetime(0), NOT_NULL),
    Column("LAST_SEEN", Datetime(0), NOT_NULL),
    CEnd()};

static ST_FIELD_INFO lockdiag_connections_fields[] = {Column("USER", Varchar(USERNAME_CHAR_LENGTH), NOT_NULL),
                                                      Column("HOST", Varchar(HOSTNAME_LENGTH), NOT_NULL),
                                                      Column("OUTCOME", Varchar(64), NOT_NULL),
                                                      Column("ATTEMPTS", ULonglong(), NOT_NULL),
                                                      Column("FIRST_SEEN", Datetime(0), NOT_NULL),
                                                      Column("LAST_SEEN", Datetime(0), NOT_NULL),
                                                      Column("CURRENT", ULonglong(), NULLABLE),
                                                      Column("PEAK_CONCURRENT", ULonglong(), NULLABLE),
                                                      Column("TOTAL_SECONDS", ULonglong(), NULLABLE),
                                                      CEnd()};
}  // namespace Show

namespace lockdiag::server {
namespace {

static_assert(kTCount == ColumnCount(Show::lockdiag_tables_fields));

int FillTablesRows(THD* thd, TABLE_LIST* tables) {
  TABLE* table = tables->table;
  Field** f = table->field;
  for (const TableRow& r : GlobalAnalyzer().SnapshotTables()) {
    auto n = [&](AccessKind k) { return r.accesses[static_cast<int>(k)]; };
    StoreName(f[kTSchema], r.schema);
    StoreName(f[kTName], r.table);
    StoreCount(f[kTPlainReads], n(AccessKind::kRead));
    StoreCount(f[kTSharedReads], n(AccessKind::kReadShared));
    StoreCount(f[kTExclusiveReads], n(AccessKind::kReadExclusive));
    StoreCount(f[kTWrites], n(AccessKind::kWrite));
    StoreCount(f[kTLockTables], n(AccessKind::kLockTablesRead) + n(AccessKind::kLockTablesWrite));
    StoreCount(f[kTTransactions], r.transactions);
    StoreCount(f[kTUnlockedReadWrite], r.unlocked_read_write_transactions);
    StoreCount(f[kTLockedReadWrite], r.locked_read_write_transactions);
    StoreCount(f[kTDuplicateKeyErrors], r.duplicate_key_errors);
    StoreCount(f[kTDeadlocks], r.deadlocks);
    StoreCount(f[kTLockWaitTimeouts], r.lock_wait_timeouts);
    StoreCount(f[kTCompareAndSetWrites], r.compare_and_set_writes);
    StoreTime(thd, f[kTFirstSeen], r.first_seen);
    StoreTime(thd, f[kTLastSeen], r.last_seen);
    if (schema_table_store_record(thd, table)) return 1;
  }
  return 0;
}

// --- LOCKDIAG_LOCK_ORDER -----------------------------------------------------
enum LockOrderColumn {
  kOFirstSchema,
  kOFirstTable,
  kOSecondSchema,
  kOSecondTable,
  kOTransactions,
  kOReverseTransactions,
  kOSampleDigest,
  kOLastSeen,
  kOCount
};
static_assert(kOCount == ColumnCount(Show::lockdiag_lock_order_fields));

int FillLockOrderRows(THD* thd, TABLE_LIST* tables) {
  TABLE* table = tables->table;
  Field** f = table->field;
  for (const LockOrderRow& r : GlobalAnalyzer().SnapshotLockOrder()) {
    StoreName(f[kOFirstSchema], r.first_schema);
    StoreName(f[kOFirstTable], r.first_table);
    StoreName(f[kOSecondSchema], r.second_schema);
    StoreName(f[kOSecondTable], r.second_table);
    StoreCount(f[kOTransactions], r.transactions);
    StoreCount(f[kOReverseTransactions], r.reverse_transactions);
    StoreName(f[kOSampleDigest], r.sample_digest);
    StoreTime(thd, f[kOLastSeen], r.last_seen);
    if (schema_table_store_record(thd, table)) return 1;
  }
  return 0;
}

// --- LOCKDIAG_PATTERNS -------------------------------------------------------
enum PatternColumn {
  kPId,
  kPPattern,
  kPSeverity,
  kPObjects,
  kPOccurrences,
  kPRelatedErrors,
  kPFirstSeen,
  kPLastSeen,
  kPEvidence,
  kPAdvice,
  kPCount
};
static_assert(kPCount == ColumnCount(Show::lockdiag_patterns_fields));

int FillPatternsRows(THD* thd, TABLE_LIST* tables) {
  TABLE* table = tables->table;
  Field** f = table->field;
  for (const PatternRow& r : GlobalAnalyzer().SnapshotPatterns()) {
    StoreCount(f[kPId], r.id);
    StoreName(f[kPPattern], r.pattern);
    StoreName(f[kPSeverity], r.severity);
    StoreName(f[kPObjects], r.objects);
    StoreCount(f[kPOccurrences], r.occurrences);
    StoreCount(f[kPRelatedErrors], r.related_errors);
    StoreTime(thd, f[kPFirstSeen], r.first_seen);
    StoreTime(thd, f[kPLastSeen], r.last_seen);
    StoreName(f[kPEvidence], r.evidence);
    StoreName(f[kPAdvice], r.advice);
    if (schema_table_store_record(thd, table)) return 1;
  }
  return 0;
}

// --- LOCKDIAG_INCIDENTS ------------------------------------------------------
enum IncidentColumn {
  kIId,
  kITime,
  kIThreadId,
  kIUser,
  kIHost,
  kIErrorCode,
  kIErrorName,
  kISchema,
  kITable,
  kIStatementDigest,
  kITransactionHistory,
  kIPatternId,
  kIRetried,
  kIConflictKind,
  kICount
};
static_assert(kICount == ColumnCount(Show::lockdiag_incidents_fields));

int FillIncidentsRows(THD* thd, TABLE_LIST* tables) {
  TABLE* table = tables->table;
  Field** f = table->field;
  for (const IncidentRow& r : GlobalAnalyzer().SnapshotIncidents()) {
    StoreCount(f[kIId], r.id);
    StoreTime(thd, f[kITime], r.time);
    StoreCount(f[kIThreadId], r.thread_id);
    StoreName(f[kIUser], r.user);
    StoreName(f[kIHost], r.host);
    // A cluster conflict's own code stands for the 1213 the client saw.
    StoreCount(f[kIErrorCode], ClientErrorCode(r.error_code));
    StoreName(f[kIErrorName], r.error_name);
    StoreNullableName(f[kISchema], r.table_schema);
    StoreNullableName(f[kITable], r.table_name);
    StoreName(f[kIStatementDigest], r.statement_digest);
    StoreName(f[kITransactionHistory], r.transaction_history);
    if (r.pattern_id == 0) {
      f[kIPatternId]->set_null();
    } else {
      f[kIPatternId]->set_notnull();
      StoreCount(f[kIPatternId], r.pattern_id);
    }
    // RETRIED: NULL until the connection's next transaction has ended.
    if (r.retried == IncidentRow::Retried::kUnknown) {
      f[kIRetried]->set_null();
    } else {
      f[kIRetried]->set_notnull();
      StoreName(f[kIRetried], r.retried == IncidentRow::Retried::kYes ? "YES" : "NO");
    }
    // CONFLICT_KIND: which cluster conflict it was; NULL for other errors.
    if (const char* kind = ClusterConflictKind(r.error_code)) {
      f[kIConflictKind]->set_notnull();
      StoreName(f[kIConflictKind], kind);
    } else {
      f[kIConflictKind]->set_null();
    }
    if (schema_table_store_record(thd, table)) return 1;
  }
  return 0;
}

// --- LOCKDIAG_ENCODING -----------------------------------------------------
enum EncodingColumn {
  kEUser,
  kEHost,
  kEClientCharset,
  kESchema,
  kETable,
  kEColumn,
  kEColumnCharset,
  kEIssue,
  kEOccurrences,
  kEFirstSeen,
  kELastSeen,
  kESample,
  kEStatementDigest,
  kECount
};
static_assert(kECount == ColumnCount(Show::lockdiag_encoding_fields));

int FillEncodingRows(THD* thd, TABLE_LIST* tables) {
  TABLE* table = tables->table;
  Field** f = table->field;
  for (const encoding::EncodingRow& r : GlobalEncodingStore().Snapshot()) {
    StoreName(f[kEUser], r.user);
    StoreName(f[kEHost], r.host);
    StoreName(f[kEClientCharset], r.client_charset);
    StoreName(f[kESchema], r.schema);
    StoreName(f[kETable], r.table);
    if (r.column_is_null) {
      f[kEColumn]->set_null();
    } else {
      StoreNullableName(f[kEColumn], r.column);
    }
    StoreName(f[kEColumnCharset], r.column_charset);
    const char* issue = encoding::IssueName(r.issue);
    f[kEIssue]->store(issue, strlen(issue), system_charset_info);
    StoreCount(f[kEOccurrences], r.occurrences);
    StoreTime(thd, f[kEFirstSeen], r.first_seen);
    StoreTime(thd, f[kELastSeen], r.last_seen);
    StoreName(f[kESample], r.sample);
    StoreName(f[kEStatementDigest], r.statement_digest);
    if (schema_table_store_record(thd, table)) return 1;
  }
  return 0;
}

// --- LOCKDIAG_CONNECTIONS -----------------------------------------------------
enum ConnectionColumn {
  kCUser,
  kCHost,
  kCOutcome,
  kCAttempts,
  kCFirstSeen,
  kCLastSeen,
  kCCurrent,
  kCPeakConcurrent,
  kCTotalSeconds,
  kCCount
};
static_assert(kCCount == ColumnCount(Show::lockdiag_connections_fields));

int FillConnectionsRows(THD* thd, TABLE_LIST* tables) {
  TABLE* table = tables->table;
  Field** f = table->field;
  for (const ConnectionRow& r : GlobalConnectionStore().Snapshot()) {
    StoreName(f[kCUser], r.user);
    StoreName(f[kCHost], r.host);
    StoreName(f[kCOutcome], ConnectionErrorName(r.outcome));
    StoreCount(f[kCAttempts], r.attempts);
    StoreTime(thd, f[kCFirstSeen], r.first_seen);
    StoreTime(thd, f[kCLastSeen], r.last_seen);
    // Refused attempts were never connected: no concurrency, no time.
    for (auto [col, value] : {std::pair{kCCurrent, r.current}, std::pair{kCPeakConcurrent, r.peak_concurrent},
                              std::pair{kCTotalSeconds, r.total_micros / 1000000}}) {
      if (r.outcome != 0) {
        f[col]->set_null();
      } else {
        f[col]->set_notnull();
        StoreCount(f[col], value);
      }
    }
    if (schema_table_store_record(thd, table)) return 1;
  }
  return 0;
}

// InitTable: the init function of one I_S plugin: its columns and its
// (guarded) fill function.
template <ST_FIELD_INFO* Fields, int (*Rows)(THD*, TABLE_LIST*)>
int InitTable(void* p) {
  if (WrongServerVersion()) return 1;  // the fill functions read this server's THD
  auto* schema = static_cast<ST_SCHEMA_TABLE*>(p);
  schema->fields_info = Fields;
  schema->fill_table = Guarded<Rows>;
  return 0;
}

}  // namespace

int InitLockOrderTable(void* p) { return InitTable<Show::lockdiag_lock_order_fields, FillLockOrderRows>(p); }
int InitPatternsTable(void* p) { return InitTable<Show::lockdiag_patterns_fields, FillPatternsRows>(p); }
int InitIncidentsTable(void* p) { return InitTable<Show::lockdiag_incidents_fields, FillIncidentsRows>(p); }
int InitEncodingTable(void* p) { return InitTable<Show::lockdiag_encoding_fields, FillEncodingRows>(p); }
int InitTablesTable(void* p) { return InitTable<Show::lockdiag_tables_fields, FillTablesRows>(p); }
int InitConnectionsTable(void* p) {
  return InitTable<Show::lockdiag_connections_fields, FillConnectionsRows>(p);
}

}  // namespace lockdiag::server
