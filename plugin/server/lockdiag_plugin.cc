// lockdiag_plugin.cc: what the server sees of lockdiag.so: its plugins,
// system variables and status variables. Only declarations and their small
// callbacks live here; the work is in audit_adapter.cc, is_tables.cc and the
// core.
//
// Plugins in this library (INSTALL SONAME 'lockdiag' installs them all):
//   LOCKDIAG          audit plugin: receives the events; owns the variables
//   LOCKDIAG_TABLES   INFORMATION_SCHEMA.LOCKDIAG_TABLES
//   LOCKDIAG_LOCK_ORDER  INFORMATION_SCHEMA.LOCKDIAG_LOCK_ORDER
//   LOCKDIAG_PATTERNS    INFORMATION_SCHEMA.LOCKDIAG_PATTERNS
//   LOCKDIAG_INCIDENTS   INFORMATION_SCHEMA.LOCKDIAG_INCIDENTS
//   LOCKDIAG_ENCODING INFORMATION_SCHEMA.LOCKDIAG_ENCODING
//   LOCKDIAG_CONNECTIONS INFORMATION_SCHEMA.LOCKDIAG_CONNECTIONS
#include "server/server_includes.h"
// The core after the server headers (see audit_adapter.cc).
#include <atomic>

#include "server/audit_adapter.h"
#include "server/drop_log.h"
#include "server/is_tables.h"
#include "server/plugin_state.h"
#include "core/lock/session.h"
#include "server/session_registry.h"
#include "server/state_adapter.h"
#include "server/sysvar_checks.h"
#include "server/trail_adapter.h"
#include "server/version_guard.h"

namespace lockdiag::server {
namespace {

constexpr unsigned kVersion = 0x0001;
constexpr const char* kVersionString = "0.1";

// --- system variables (the server prefixes them with "lockdiag_") ----------
// Each variable mirrors into GlobalConfig(), which is what the core reads.
my_bool sv_enabled = 1;
unsigned long long sv_max_tables = Config::kDefaultMaxTables;
unsigned long sv_history_size = Config::kDefaultHistorySize;
char* sv_ignore_schemas = nullptr;
my_bool sv_reset = 0;
my_bool sv_encoding_checks = 1;
char* sv_log_file = nullptr;
unsigned long long sv_log_rotate_size = 1000000;
unsigned int sv_log_rotations = 9;
my_bool sv_log_rotate_now = 0;
char* sv_state_file = nullptr;
unsigned int sv_state_save_interval = 60;
my_bool sv_state_save_now = 0;
my_bool sv_log_syslog = 0;

// When the audit plugin started (Lockdiag_started) and when lockdiag_reset
// last ran (Lockdiag_last_reset; 0: not since it started), so that
// monitoring tells a reset from a restart. Atomic: SHOW STATUS reads them
// while a SET GLOBAL or an INSTALL writes them.
std::atomic<Timestamp> g_started{0};
std::atomic<Timestamp> g_last_reset{0};

TrailSettings CurrentTrailSettings() {
  return TrailSettings{sv_log_file, sv_log_rotate_size, sv_log_rotations, sv_log_syslog != 0};
}

StateSettings CurrentStateSettings() { return StateSettings{sv_state_file, sv_state_save_interval}; }

void UpdateEnabled(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  const bool was = *static_cast<my_bool*>(var) != 0;
  *static_cast<my_bool*>(var) = *static_cast<const my_bool*>(save);
  const bool now = *static_cast<const my_bool*>(save) != 0;
  GlobalConfig().enabled.store(now, std::memory_order_relaxed);
  try {
    if (was != now) TrailLifecycle(now ? "enabled" : "disabled", kVersionString);
  } catch (...) {
    // Out of memory: the trail misses the line; the setting is made.
  }
}
void UpdateMaxTables(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  *static_cast<unsigned long long*>(var) = *static_cast<const unsigned long long*>(save);
  GlobalConfig().max_tables.store(*static_cast<const unsigned long long*>(save), std::memory_order_relaxed);
}
void UpdateHistorySize(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  *static_cast<unsigned long*>(var) = *static_cast<const unsigned long*>(save);
  GlobalConfig().history_size.store(*static_cast<const unsigned long*>(save), std::memory_order_relaxed);
}
void UpdateIgnoreSchemas(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  // PLUGIN_VAR_MEMALLOC with an update function: the variable owns a copy
  // made with my_strdup, which the server frees with my_free at UNINSTALL
  // (as its own update_func_str does).
  const char* value = *static_cast<char* const*>(save);
  char* old = *static_cast<char**>(var);
  *static_cast<char**>(var) = value ? my_strdup(PSI_NOT_INSTRUMENTED, value, MYF(0)) : nullptr;
  my_free(old);
  try {
    GlobalConfig().SetIgnoreSchemas(value ? value : "");
  } catch (...) {
    // Out of memory: the previous list stays in force.
  }
}
void UpdateReset(MYSQL_THD, st_mysql_sys_var*, void*, const void* save) {
  // A trigger, not a setting: SET GLOBAL lockdiag_reset=ON clears everything
  // and the variable reads OFF again.
  if (*static_cast<const my_bool*>(save)) {
    GlobalAnalyzer().Reset();
    GlobalEncodingStore().Reset();
    g_last_reset.store(NowMicros(), std::memory_order_relaxed);
    sql_print_information("lockdiag: lockdiag_reset cleared every finding, incident and count");
    try {
      GlobalConnectionStore().Reset(NowMicros());
      TrailLifecycle("reset", kVersionString);
      // The saved state is cleared too: the housekeeping thread saves the
      // empty stores at once (the ids go on growing).
      StateRequestSave();
    } catch (...) {
      // Out of memory: the connection history stays; the reset happened.
    }
  }
}
// The trail's variables: a string (PLUGIN_VAR_MEMALLOC, copied as for
// lockdiag_ignore_schemas), two numbers, and a trigger.
void UpdateLogFile(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  const char* value = *static_cast<char* const*>(save);
  char* old = *static_cast<char**>(var);
  *static_cast<char**>(var) = value ? my_strdup(PSI_NOT_INSTRUMENTED, value, MYF(0)) : nullptr;
  my_free(old);
  try {
    TrailConfigure(CurrentTrailSettings());
  } catch (...) {
    // Out of memory: the trail keeps its previous file.
  }
}
void UpdateLogRotateSize(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  *static_cast<unsigned long long*>(var) = *static_cast<const unsigned long long*>(save);
  try {
    TrailConfigure(CurrentTrailSettings());
  } catch (...) {
  }
}
void UpdateLogRotations(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  *static_cast<unsigned int*>(var) = *static_cast<const unsigned int*>(save);
  try {
    TrailConfigure(CurrentTrailSettings());
  } catch (...) {
  }
}
void UpdateLogRotateNow(MYSQL_THD, st_mysql_sys_var*, void*, const void* save) {
  if (*static_cast<const my_bool*>(save)) TrailRotateNow();
}
// The state file's variables: a string (copied as for lockdiag_log_file) and
// the save interval.
void UpdateStateFile(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  const char* value = *static_cast<char* const*>(save);
  char* old = *static_cast<char**>(var);
  *static_cast<char**>(var) = value ? my_strdup(PSI_NOT_INSTRUMENTED, value, MYF(0)) : nullptr;
  my_free(old);
  try {
    StateConfigure(CurrentStateSettings());
  } catch (...) {
    // Out of memory: the keeper keeps its previous file.
  }
}
void UpdateStateSaveInterval(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  *static_cast<unsigned int*>(var) = *static_cast<const unsigned int*>(save);
  try {
    StateConfigure(CurrentStateSettings());
  } catch (...) {
  }
}
void UpdateStateSaveNow(MYSQL_THD, st_mysql_sys_var*, void*, const void* save) {
  if (*static_cast<const my_bool*>(save)) StateRequestSave();
}
void UpdateLogSyslog(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  // Only the setting changes here: the writer thread opens and closes the
  // syslog connection, never this connection thread.
  *static_cast<my_bool*>(var) = *static_cast<const my_bool*>(save);
  try {
    TrailConfigure(CurrentTrailSettings());
  } catch (...) {
  }
}
void UpdateEncodingChecks(MYSQL_THD, st_mysql_sys_var*, void* var, const void* save) {
  *static_cast<my_bool*>(var) = *static_cast<const my_bool*>(save);
  GlobalEncodingChecker().set_enabled(*static_cast<const my_bool*>(save) != 0);
}

MYSQL_SYSVAR_BOOL(enabled, sv_enabled, PLUGIN_VAR_OPCMDARG,
                  "Record locking and encoding events. OFF makes every event return at once; "
                  "what was recorded stays readable.",
                  nullptr, UpdateEnabled, 1);
MYSQL_SYSVAR_ULONGLONG(max_tables, sv_max_tables, PLUGIN_VAR_RQCMDARG,
                       "Most tables tracked at once (memory bound). Events on further tables are "
                       "counted in Lockdiag_dropped_events and otherwise ignored.",
                       CheckRange<unsigned long long>, UpdateMaxTables, Config::kDefaultMaxTables, 1,
                       1ULL << 32, 1);
MYSQL_SYSVAR_ULONG(history_size, sv_history_size, PLUGIN_VAR_RQCMDARG,
                   "Number of lock-related errors kept in INFORMATION_SCHEMA.LOCKDIAG_INCIDENTS.",
                   CheckRange<unsigned long>, UpdateHistorySize, Config::kDefaultHistorySize, 0, 1000000, 1);
MYSQL_SYSVAR_STR(ignore_schemas, sv_ignore_schemas, PLUGIN_VAR_RQCMDARG | PLUGIN_VAR_MEMALLOC,
                 "Comma-separated schemas whose tables lockdiag does not record; '' records every "
                 "schema; NULL is refused.",
                 CheckNotNull, UpdateIgnoreSchemas, Config::kDefaultIgnoreSchemas);
MYSQL_SYSVAR_BOOL(reset, sv_reset, PLUGIN_VAR_OPCMDARG | PLUGIN_VAR_NOCMDOPT,
                  "Setting it to ON clears all recorded data and counters; it always reads OFF.", nullptr,
                  UpdateReset, 0);

MYSQL_SYSVAR_BOOL(encoding_checks, sv_encoding_checks, PLUGIN_VAR_OPCMDARG,
                  "Check the character sets of the strings write statements carry "
                  "(INFORMATION_SCHEMA.LOCKDIAG_ENCODING).",
                  nullptr, UpdateEncodingChecks, 1);

MYSQL_SYSVAR_STR(log_file, sv_log_file, PLUGIN_VAR_RQCMDARG | PLUGIN_VAR_MEMALLOC,
                 "The audit trail: each new finding, lock incident, encoding finding, refused "
                 "connection and lifecycle event as one JSON line. Empty (the default): off. A relative "
                 "name is under the datadir.",
                 nullptr, UpdateLogFile, "");
MYSQL_SYSVAR_ULONGLONG(log_rotate_size, sv_log_rotate_size, PLUGIN_VAR_RQCMDARG,
                       "Rotate lockdiag_log_file when it would grow past this many bytes (0: never).",
                       CheckRange<unsigned long long>, UpdateLogRotateSize, 1000000, 0, 1ULL << 40, 1);
MYSQL_SYSVAR_UINT(log_rotations, sv_log_rotations, PLUGIN_VAR_RQCMDARG,
                  "Rotated trail files kept (FILE.1 .. FILE.N); 0 truncates the file instead.",
                  CheckRange<unsigned int>, UpdateLogRotations, 9, 0, 999, 1);
MYSQL_SYSVAR_BOOL(log_rotate_now, sv_log_rotate_now, PLUGIN_VAR_OPCMDARG | PLUGIN_VAR_NOCMDOPT,
                  "Setting it to ON rotates lockdiag_log_file now; it always reads OFF.", nullptr,
                  UpdateLogRotateNow, 0);
MYSQL_SYSVAR_BOOL(log_syslog, sv_log_syslog, PLUGIN_VAR_OPCMDARG,
                  "Also send the audit trail's lines to syslog (ident lockdiag, facility LOG_USER), "
                  "with or without lockdiag_log_file.",
                  nullptr, UpdateLogSyslog, 0);

MYSQL_SYSVAR_STR(state_file, sv_state_file, PLUGIN_VAR_RQCMDARG | PLUGIN_VAR_MEMALLOC,
                 "Where lockdiag keeps what it recorded across restarts and re-installs: saved every "
                 "lockdiag_state_save_interval seconds, at UNINSTALL and at shutdown, loaded at INSTALL and "
                 "start-up. A relative name is under the datadir; empty: nothing is kept.",
                 nullptr, UpdateStateFile, "lockdiag.state");
MYSQL_SYSVAR_UINT(state_save_interval, sv_state_save_interval, PLUGIN_VAR_RQCMDARG,
                  "Seconds between two saves of lockdiag_state_file (0: only at UNINSTALL, shutdown and "
                  "lockdiag_reset). After a crash, what was recorded since the last save is lost.",
                  CheckRange<unsigned int>, UpdateStateSaveInterval, 60, 0, 86400, 1);
MYSQL_SYSVAR_BOOL(state_save_now, sv_state_save_now, PLUGIN_VAR_OPCMDARG | PLUGIN_VAR_NOCMDOPT,
                  "Setting it to ON saves lockdiag_state_file now (on lockdiag's own thread: watch "
                  "Lockdiag_state_saves); it always reads OFF.",
                  nullptr, UpdateStateSaveNow, 0);

st_mysql_sys_var* lockdiag_system_variables[] = {
    MYSQL_SYSVAR(enabled),
    MYSQL_SYSVAR(max_tables),
    MYSQL_SYSVAR(history_size),
    MYSQL_SYSVAR(ignore_schemas),
    MYSQL_SYSVAR(reset),
    MYSQL_SYSVAR(encoding_checks),
    MYSQL_SYSVAR(log_file),
    MYSQL_SYSVAR(log_rotate_size),
    MYSQL_SYSVAR(log_rotations),
    MYSQL_SYSVAR(log_rotate_now),
    MYSQL_SYSVAR(log_syslog),
    MYSQL_SYSVAR(state_file),
    MYSQL_SYSVAR(state_save_interval),
    MYSQL_SYSVAR(state_save_now),
    nullptr,
};

// --- status variables --------------------------------------------------------
// One SHOW_FUNC builds the Lockdiag_* array from a single read of each store,
// in the scratch buffer the server passes (SHOW_VAR_FUNC_BUFF_SIZE bytes).
constexpr int kCountCount = 24;
constexpr int kTimeCount = 4;  // Lockdiag_connections_peak_time, _started, _last_reset, _state_last_save
constexpr int kStatusCount = kCountCount + kTimeCount;
int ShowStatus(MYSQL_THD, SHOW_VAR* var, void* buff, system_status_var*, enum_var_type) {
  struct Scratch {
    SHOW_VAR vars[kStatusCount + 1];
    unsigned long long values[kCountCount];
    char times[kTimeCount][32];
  };
  static_assert(sizeof(Scratch) <= SHOW_VAR_FUNC_BUFF_SIZE, "scratch buffer too small");
  auto* s = static_cast<Scratch*>(buff);
  AnalyzerStatus st;
  encoding::EncodingStoreStatus enc;
  ConnectionStatus conn;
  uint64_t conn_bytes = 0;
  Trail::Status trail;
  StateKeeper::Status state;
  uint64_t dropped = 0;
  try {
    st = GlobalAnalyzer().Status();
    enc = GlobalEncodingStore().Status();
    conn = GlobalConnectionStore().Status();
    conn_bytes = GlobalConnectionStore().memory_bytes();
    trail = TrailStatus();
    state = StateStatus();
    dropped = DroppedEvents();
  } catch (...) {
    // Out of memory while counting findings: show what the counters say.
  }
  const struct {
    const char* name;
    unsigned long long value;
  } rows[kCountCount] = {
      // 1 while lockdiag records (its audit plugin runs and lockdiag_enabled
      // is ON): monitoring alerts on 0.
      {"active",
       AuditPluginRunning() && GlobalConfig().enabled.load(std::memory_order_relaxed) ? 1ULL : 0ULL},
      {"statements", st.statements},
      {"table_lock_events", st.table_lock_events},
      {"transactions", st.transactions},
      {"tracked_tables", st.tracked_tables},
      {"patterns", st.patterns},
      // The rows of LOCKDIAG_PATTERNS by SEVERITY, and the lock errors by
      // kind since start or reset: what monitoring alerts on.
      {"findings_high", st.findings_high},
      {"findings_medium", st.findings_medium},
      {"findings_low", st.findings_low},
      {"deadlocks", st.deadlocks},
      {"lock_wait_timeouts", st.lock_wait_timeouts},
      {"duplicate_keys", st.duplicate_keys},
      {"cluster_conflicts", st.cluster_conflicts},
      {"memory_bytes", st.memory_bytes + enc.memory_bytes + conn_bytes},
      {"dropped_events", dropped},
      {"encoding_findings", enc.findings},
      {"bytes_scanned", enc.bytes_scanned},
      {"connections_current", conn.current},
      {"connections_peak", conn.peak},
      {"connections_refused", conn.refused},
      {"log_written", trail.written},
      {"log_dropped", trail.dropped},
      {"state_saves", state.saves},
      {"state_save_errors", state.save_errors},
  };
  for (int i = 0; i < kCountCount; ++i) {
    s->values[i] = rows[i].value;
    s->vars[i] = {rows[i].name, reinterpret_cast<char*>(&s->values[i]), SHOW_ULONGLONG};
  }
  // Times in UTC, empty when there is none: when the peak was reached, when
  // the plugin started, when lockdiag_reset last ran, when the state file
  // was last saved.
  const struct {
    const char* name;
    Timestamp value;
  } times[kTimeCount] = {
      {"connections_peak_time", conn.peak_time},
      {"started", g_started.load(std::memory_order_relaxed)},
      {"last_reset", g_last_reset.load(std::memory_order_relaxed)},
      {"state_last_save", state.last_save},
  };
  for (int i = 0; i < kTimeCount; ++i) {
    char* out = s->times[i];
    out[0] = '\0';
    if (times[i].value != 0) snprintf(out, sizeof s->times[i], "%s", UtcDateTime(times[i].value).c_str());
    s->vars[kCountCount + i] = {times[i].name, out, SHOW_CHAR};
  }
  s->vars[kStatusCount] = {nullptr, nullptr, SHOW_UNDEF};
  var->type = SHOW_ARRAY;
  var->value = reinterpret_cast<char*>(s->vars);
  return 0;
}

SHOW_VAR lockdiag_status_variables[] = {{"Lockdiag", reinterpret_cast<char*>(&ShowStatus), SHOW_FUNC},
                                        {nullptr, nullptr, SHOW_UNDEF}};

// --- plugin init / deinit ----------------------------------------------------
int AuditInit(void* p) {
  if (WrongServerVersion()) return 1;  // its THD layout is not ours: do not start
  try {
    g_started.store(NowMicros(), std::memory_order_relaxed);
    g_last_reset.store(0, std::memory_order_relaxed);
    // Variables given at start-up (--lockdiag-...) were stored before init.
    Config& c = GlobalConfig();
    c.enabled.store(sv_enabled != 0);
    c.max_tables.store(sv_max_tables);
    c.history_size.store(sv_history_size);
    c.SetIgnoreSchemas(sv_ignore_schemas ? sv_ignore_schemas : Config::kDefaultIgnoreSchemas);
    GlobalEncodingChecker().set_enabled(sv_encoding_checks != 0);
  } catch (...) {
    return 1;  // out of memory: the INSTALL fails with the server's error
  }
  // The stores start with what the state file kept (empty without one),
  // before the first event: the server sends none before init returns.
  // (The library may have stayed loaded since an earlier UNINSTALL: the
  // server reuses a loaded library, and glibc keeps one loaded while a
  // thread has thread_local state in it; StateStart empties the stores
  // first.)
  try {
    StateStart(CurrentStateSettings(), kVersionString);
  } catch (...) {
    return 1;  // StateStart undid its own part
  }
  bool registered = false;
  try {
    registered = RegistryInit(p);
  } catch (...) {
  }
  if (!registered) {
    StateStop();
    return 1;
  }
  try {
    TrailStart(CurrentTrailSettings(), kVersionString);
  } catch (...) {
    RegistryDeinit(p);  // TrailStart undid its own part
    StateStop();
    return 1;
  }
  sql_print_information(
      "lockdiag %s: started (lockdiag_enabled=%s, lockdiag_max_tables=%llu, lockdiag_history_size=%lu, "
      "lockdiag_encoding_checks=%s, lockdiag_log_file='%s', lockdiag_log_syslog=%s, "
      "lockdiag_state_file='%s', lockdiag_state_save_interval=%u)",
      kVersionString, sv_enabled ? "ON" : "OFF", sv_max_tables, sv_history_size,
      sv_encoding_checks ? "ON" : "OFF", sv_log_file != nullptr ? sv_log_file : "",
      sv_log_syslog ? "ON" : "OFF", sv_state_file != nullptr ? sv_state_file : "", sv_state_save_interval);
  return 0;
}

int AuditDeinit(void* p) {
  TrailStop(kVersionString);  // never throws: the writer must stop before dlclose
  RegistryDeinit(p);
  // Last: no session of this instance records any more, so the final save
  // holds everything it recorded.
  try {
    StateStop();
  } catch (...) {
    // Out of memory copying the settings: the thread is joined; the last
    // save is lost (the periodic one stays).
  }
  sql_print_information("lockdiag %s: stopped", kVersionString);
  return 0;
}

st_mysql_audit audit_descriptor = {
    MYSQL_AUDIT_INTERFACE_VERSION,
    nullptr,  // release_thd: nothing is held between statements
    NotifyEvent,
    {MYSQL_AUDIT_GENERAL_CLASSMASK | MYSQL_AUDIT_CONNECTION_CLASSMASK | MYSQL_AUDIT_TABLE_CLASSMASK}};

st_mysql_information_schema is_descriptor = {MYSQL_INFORMATION_SCHEMA_INTERFACE_VERSION};

constexpr const char* kAuthor = "lockdiag developers";

}  // namespace
}  // namespace lockdiag::server

using namespace lockdiag::server;

// One INFORMATION_SCHEMA table of the library.
constexpr st_maria_plugin InfoSchemaPlugin(const char* name, const char* description, int (*init)(void*)) {
  return {MYSQL_INFORMATION_SCHEMA_PLUGIN,
          &is_descriptor,
          name,
          kAuthor,
          description,
          PLUGIN_LICENSE_GPL,
          init,
          nullptr,
          kVersion,
          nullptr,
          nullptr,
          kVersionString,
          MariaDB_PLUGIN_MATURITY_GAMMA};
}

maria_declare_plugin(lockdiag){MYSQL_AUDIT_PLUGIN,
                               &audit_descriptor,
                               "LOCKDIAG",
                               kAuthor,
                               "Records non-uniform locking patterns and encoding mismatches",
                               PLUGIN_LICENSE_GPL,
                               AuditInit,
                               AuditDeinit,
                               kVersion,
                               lockdiag_status_variables,
                               lockdiag_system_variables,
                               kVersionString,
                               MariaDB_PLUGIN_MATURITY_GAMMA},
    InfoSchemaPlugin("LOCKDIAG_TABLES", "Per-table access and lock-error counts recorded by lockdiag",
                     InitTablesTable),
    InfoSchemaPlugin("LOCKDIAG_LOCK_ORDER",
                     "Ordered pairs of tables locked in one transaction, and how often in reverse",
                     InitLockOrderTable),
    InfoSchemaPlugin("LOCKDIAG_PATTERNS",
                     "Non-uniform locking patterns lockdiag detected, with evidence and advice",
                     InitPatternsTable),
    InfoSchemaPlugin("LOCKDIAG_INCIDENTS",
                     "The last lock-related errors with the transaction that ran into them",
                     InitIncidentsTable),
    InfoSchemaPlugin("LOCKDIAG_ENCODING",
                     "Character-set mismatches and suspected mojibake in written strings", InitEncodingTable),
    InfoSchemaPlugin("LOCKDIAG_CONNECTIONS",
                     "Connection attempts per account and outcome, with concurrency and refusals",
                     InitConnectionsTable) maria_declare_plugin_end;
