#include "snapshot.h"

#include <cstdlib>

namespace lockdiag::report {
namespace {

// One row with lookup by column name.
class Row {
 public:
  Row(const ResultSet& rs, size_t i) : rs_(rs), i_(i) {}
  std::optional<std::string> Get(const std::string& column) const {
    for (size_t c = 0; c < rs_.columns.size(); ++c)
      if (rs_.columns[c] == column && c < rs_.rows[i_].size()) return rs_.rows[i_][c];
    return std::nullopt;
  }
  std::string Str(const std::string& column) const { return Get(column).value_or(""); }
  std::optional<uint64_t> OptNum(const std::string& column) const {
    auto v = Get(column);
    if (!v) return std::nullopt;
    return std::strtoull(v->c_str(), nullptr, 10);
  }
  uint64_t Num(const std::string& column) const { return OptNum(column).value_or(0); }
  // The table named by two columns, "schema.table"; empty when both are NULL.
  std::string Table(const std::string& schema_col, const std::string& table_col) const {
    auto s = Get(schema_col), t = Get(table_col);
    if (!s && !t) return "";
    return s.value_or("") + "." + t.value_or("");
  }

 private:
  const ResultSet& rs_;
  size_t i_;
};

// The plain-read column of LOCKDIAG_TABLES: PLAIN_READS, and `READS` on a
// server that runs a lockdiag from before the rename (the report reads both).
// Any column ending in READS that is not one of the locking reads is it.
std::string PlainReadsColumn(const ResultSet& rs) {
  for (const auto& c : rs.columns) {
    bool ends_in_reads = c.size() >= 5 && c.compare(c.size() - 5, 5, "READS") == 0;
    if (ends_in_reads && c != "SHARED_READS" && c != "EXCLUSIVE_READS") return c;
  }
  return "READS";
}

void AddOne(Source s, const Row& r, const std::string& plain_reads, ServerSnapshot* snap) {
  switch (s) {
    case Source::kPatterns: {
      Finding f;
      f.pattern_id = r.Num("PATTERN_ID");
      f.pattern = r.Str("PATTERN");
      f.severity = ParseSeverity(r.Str("SEVERITY")).value_or(Severity::kLow);
      f.objects = SplitObjects(r.Str("OBJECTS"));
      f.occurrences = r.Num("OCCURRENCES");
      f.related_errors = r.Num("RELATED_ERRORS");
      f.first_seen = r.Str("FIRST_SEEN");
      f.last_seen = r.Str("LAST_SEEN");
      f.evidence = r.Str("EVIDENCE");
      f.advice = r.Str("ADVICE");
      snap->findings.push_back(std::move(f));
      break;
    }
    case Source::kIncidents: {
      Incident i;
      i.incident_id = r.Num("INCIDENT_ID");
      i.time = r.Str("TIME");
      i.user = r.Str("USER");
      i.host = r.Str("HOST");
      i.error_code = r.Num("ERROR_CODE");
      i.error_name = r.Str("ERROR_NAME");
      i.table = r.Table("TABLE_SCHEMA", "TABLE_NAME");
      i.statement_digest = r.Str("STATEMENT_DIGEST");
      i.transaction_history = r.Str("TRANSACTION_HISTORY");
      i.pattern_id = r.OptNum("PATTERN_ID");
      i.retried = r.Str("RETRIED");
      i.conflict_kind = r.Str("CONFLICT_KIND");
      snap->incidents.push_back(std::move(i));
      break;
    }
    case Source::kTables: {
      TableRow t;
      t.table = r.Table("TABLE_SCHEMA", "TABLE_NAME");
      t.plain_reads = r.Num(plain_reads);
      t.shared_reads = r.Num("SHARED_READS");
      t.exclusive_reads = r.Num("EXCLUSIVE_READS");
      t.writes = r.Num("WRITES");
      t.lock_tables = r.Num("LOCK_TABLES");
      t.transactions = r.Num("TRANSACTIONS");
      t.unlocked_read_write_transactions = r.Num("UNLOCKED_READ_WRITE_TRANSACTIONS");
      t.locked_read_write_transactions = r.Num("LOCKED_READ_WRITE_TRANSACTIONS");
      t.duplicate_key_errors = r.Num("DUPLICATE_KEY_ERRORS");
      t.deadlocks = r.Num("DEADLOCKS");
      t.lock_wait_timeouts = r.Num("LOCK_WAIT_TIMEOUTS");
      t.compare_and_set_writes = r.Num("COMPARE_AND_SET_WRITES");
      t.first_seen = r.Str("FIRST_SEEN");
      t.last_seen = r.Str("LAST_SEEN");
      snap->tables.push_back(std::move(t));
      break;
    }
    case Source::kLockOrder: {
      LockOrderRow l;
      l.first = r.Table("FIRST_SCHEMA", "FIRST_TABLE");
      l.second = r.Table("SECOND_SCHEMA", "SECOND_TABLE");
      l.transactions = r.Num("TRANSACTIONS");
      l.reverse_transactions = r.Num("REVERSE_TRANSACTIONS");
      l.sample_digest = r.Str("SAMPLE_DIGEST");
      l.last_seen = r.Str("LAST_SEEN");
      snap->lock_order.push_back(std::move(l));
      break;
    }
    case Source::kEncoding: {
      EncodingRow e;
      e.user = r.Str("USER");
      e.host = r.Str("HOST");
      e.client_charset = r.Str("CLIENT_CHARSET");
      e.table = r.Table("TABLE_SCHEMA", "TABLE_NAME");
      e.column = r.Str("COLUMN_NAME");
      e.column_charset = r.Str("COLUMN_CHARSET");
      e.issue = r.Str("ISSUE");
      e.occurrences = r.Num("OCCURRENCES");
      e.first_seen = r.Str("FIRST_SEEN");
      e.last_seen = r.Str("LAST_SEEN");
      e.sample = r.Str("SAMPLE");
      e.statement_digest = r.Str("STATEMENT_DIGEST");
      snap->encoding.push_back(std::move(e));
      break;
    }
    case Source::kConnections: {
      ConnectionRow c;
      c.user = r.Str("USER");
      c.host = r.Str("HOST");
      c.outcome = r.Str("OUTCOME");
      c.attempts = r.Num("ATTEMPTS");
      c.first_seen = r.Str("FIRST_SEEN");
      c.last_seen = r.Str("LAST_SEEN");
      c.current = r.OptNum("CURRENT");
      c.peak_concurrent = r.OptNum("PEAK_CONCURRENT");
      c.total_seconds = r.OptNum("TOTAL_SECONDS");
      snap->connections.push_back(std::move(c));
      break;
    }
  }
}

}  // namespace

const char* QueryOf(Source s) {
  switch (s) {
    case Source::kPatterns:
      return "SELECT * FROM information_schema.LOCKDIAG_PATTERNS ORDER BY PATTERN_ID";
    case Source::kIncidents:
      return "SELECT * FROM information_schema.LOCKDIAG_INCIDENTS ORDER BY INCIDENT_ID DESC";
    case Source::kTables:
      return "SELECT * FROM information_schema.LOCKDIAG_TABLES";
    case Source::kLockOrder:
      return "SELECT * FROM information_schema.LOCKDIAG_LOCK_ORDER";
    case Source::kEncoding:
      return "SELECT * FROM information_schema.LOCKDIAG_ENCODING";
    case Source::kConnections:
      return "SELECT * FROM information_schema.LOCKDIAG_CONNECTIONS";
  }
  return "";
}

void AddRows(Source s, const ResultSet& rows, ServerSnapshot* snap) {
  std::string plain_reads = PlainReadsColumn(rows);
  for (size_t i = 0; i < rows.rows.size(); ++i) AddOne(s, Row(rows, i), plain_reads, snap);
}

std::vector<std::string> SplitObjects(const std::string& objects) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= objects.size()) {
    size_t comma = objects.find(',', start);
    if (comma == std::string::npos) comma = objects.size();
    std::string name = objects.substr(start, comma - start);
    size_t b = name.find_first_not_of(' '), e = name.find_last_not_of(' ');
    if (b != std::string::npos) out.push_back(name.substr(b, e - b + 1));
    start = comma + 1;
  }
  return out;
}

}  // namespace lockdiag::report
