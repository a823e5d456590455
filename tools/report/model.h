// model.h: what lockdiag-report knows about one server and about the merged
// view of several, as plain values copied out of the LOCKDIAG_* tables.
//
// Nothing here talks to a server: snapshot.h fills a ServerSnapshot from
// query results, merge.h turns snapshots into a Report, and the renderers
// read a Report. Plain structs, no invariants beyond what each field says;
// not thread-safe (nothing in the tool is shared between threads).
#ifndef LOCKDIAG_REPORT_MODEL_H_
#define LOCKDIAG_REPORT_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lockdiag::report {

// Severity: the scale of docs/patterns.md; a larger value is more severe, so
// `a >= b` reads "a is at least as severe as b".
enum class Severity { kLow = 1, kMedium = 2, kHigh = 3 };

// SeverityName: "HIGH", "MEDIUM", "LOW".
const char* SeverityName(Severity s);
// ParseSeverity: the name, in any case; nullopt for anything else.
std::optional<Severity> ParseSeverity(const std::string& name);

// One row of LOCKDIAG_PATTERNS.
struct Finding {
  uint64_t pattern_id = 0;
  std::string pattern;  // LOCK_ORDER_INVERSION, ...
  Severity severity = Severity::kLow;
  std::vector<std::string> objects;  // schema.table, in the server's canonical order
  uint64_t occurrences = 0;
  uint64_t related_errors = 0;
  std::string first_seen, last_seen, evidence, advice;
};

// One row of LOCKDIAG_INCIDENTS.
struct Incident {
  uint64_t incident_id = 0;
  std::string time, user, host;
  uint64_t error_code = 0;
  std::string error_name;
  std::string table;  // schema.table, empty when the server did not know it
  std::string statement_digest, transaction_history;
  std::optional<uint64_t> pattern_id;
  std::string retried;  // YES, NO or empty (not known yet)
  // Galera: BRUTE_FORCE_ABORT or CERTIFICATION_FAILURE for a CLUSTER_CONFLICT;
  // empty for other errors (and from a lockdiag without the column).
  std::string conflict_kind;
};

// One row of LOCKDIAG_TABLES.
struct TableRow {
  std::string table;  // schema.table
  uint64_t plain_reads = 0, shared_reads = 0, exclusive_reads = 0, writes = 0, lock_tables = 0;
  uint64_t transactions = 0, unlocked_read_write_transactions = 0, locked_read_write_transactions = 0;
  uint64_t duplicate_key_errors = 0, deadlocks = 0, lock_wait_timeouts = 0, compare_and_set_writes = 0;
  std::string first_seen, last_seen;
  // Conflicts: the lock errors raised on the table, what "most conflicted" ranks by.
  uint64_t Conflicts() const { return duplicate_key_errors + deadlocks + lock_wait_timeouts; }
};

// One row of LOCKDIAG_LOCK_ORDER.
struct LockOrderRow {
  std::string first, second;  // schema.table
  uint64_t transactions = 0, reverse_transactions = 0;
  std::string sample_digest, last_seen;
};

// One row of LOCKDIAG_ENCODING.
struct EncodingRow {
  std::string user, host, client_charset, table, column, column_charset, issue;
  uint64_t occurrences = 0;
  std::string first_seen, last_seen, sample, statement_digest;
};

// One row of LOCKDIAG_CONNECTIONS.
struct ConnectionRow {
  std::string user, host, outcome;
  uint64_t attempts = 0;
  std::string first_seen, last_seen;
  std::optional<uint64_t> current, peak_concurrent, total_seconds;  // NULL for refusals
  bool Refused() const { return outcome != "CONNECTED"; }
};

// ServerSnapshot: everything read from one server.
struct ServerSnapshot {
  std::string server;  // how the report names it: host:port, or localhost for a socket
  std::vector<Finding> findings;
  std::vector<Incident> incidents;
  std::vector<TableRow> tables;
  std::vector<LockOrderRow> lock_order;
  std::vector<EncodingRow> encoding;
  std::vector<ConnectionRow> connections;
};

// Where a merged finding was seen: one entry per server that has the row.
struct Sighting {
  std::string server;
  uint64_t pattern_id = 0;  // the server's PATTERN_ID; 0 for findings of the merged view
  uint64_t occurrences = 0, related_errors = 0;
};

// ReportFinding: a finding of the merged view. Rows of several servers with
// the same PATTERN and OBJECTS are one ReportFinding (counts summed).
struct ReportFinding {
  Finding finding;                            // pattern_id is 0 when more than one server saw it
  std::vector<Sighting> seen_on;              // in the order of the servers
  std::vector<Incident> incidents;            // linked by PATTERN_ID, newest first
  std::vector<std::string> incident_servers;  // parallel to incidents
  bool cross_server = false;                  // detected only by merging (no single server has the row)
};

// A directed edge of the lock-order graph: `transactions` locked `from` then `to`.
struct GraphEdge {
  std::string from, to;
  uint64_t transactions = 0;
  std::vector<std::pair<std::string, uint64_t>> per_server;  // server, transactions (> 0 only)
  std::string sample_digest;
  bool inverted = false;  // the reverse edge exists too (on any server)
  bool in_cycle = false;  // part of a LOCK_ORDER_CYCLE finding's OBJECTS
};

// A row of a per-server table, with the server that has it.
template <typename Row>
struct OnServer {
  std::string server;
  Row row;
};

// Report: what the renderers show, already merged and ranked (ranking.h).
struct Report {
  std::vector<std::string> servers;
  std::vector<ReportFinding> findings;  // most severe first
  std::vector<OnServer<TableRow>> busiest_tables, conflicted_tables;
  std::vector<OnServer<EncodingRow>> encoding;
  std::vector<OnServer<ConnectionRow>> connections;  // refusals first
  std::vector<std::string> graph_nodes;              // sorted
  std::vector<GraphEdge> graph_edges;                // sorted by (from, to)
};

}  // namespace lockdiag::report

#endif  // LOCKDIAG_REPORT_MODEL_H_
