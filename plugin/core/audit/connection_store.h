// connection_store.h: who connected, who was refused, and how many were
// connected at once (INFORMATION_SCHEMA.LOCKDIAG_CONNECTIONS and the
// Lockdiag_connections_* status variables).
//
// The adapter reports every connection attempt (the audit CONNECT event and
// its status: 0, or the error the login failed with), every change of user
// and every disconnect:
//
//   ConnectionStore store;
//   store.OnConnect(thread_id, "app", "10.0.0.7", 0, now);     // connected
//   store.OnConnect(thread_id, "app", "10.0.0.7", 1040, now);  // refused: max_connections
//   store.OnDisconnect(thread_id, now);
//   for (const ConnectionRow& r : store.Snapshot()) ...
//
// One entry per (user, host, outcome). Only names and addresses are kept:
// the audit API passes no password, and nothing here would take one.
// A disconnect is matched with its connection by thread id; connections
// opened before lockdiag was installed (or while it was disabled) have no
// entry, and their disconnects are ignored.
//
// Thread-safety: every method is thread-safe. Locking rules: one Mutex
// guards everything; it is taken once per connection attempt, change of user
// and disconnect (never per statement) and by snapshots, and never held while
// another lockdiag lock is taken. Connection churn, not statement rate, is
// what it costs; docs/audit.md has the figures.
#ifndef LOCKDIAG_CORE_AUDIT_CONNECTION_STORE_H_
#define LOCKDIAG_CORE_AUDIT_CONNECTION_STORE_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "core/common/clock.h"
#include "core/common/state_codec.h"
#include "core/common/thread_annotations.h"

namespace lockdiag {

// ConnectionErrorName: "ER_CON_COUNT_ERROR" for 1040, ...; "ERROR_<n>" for
// codes not listed.
std::string ConnectionErrorName(uint32_t code);

// The server variable whose limit refused a connection with `code`
// ("max_connections", ...), nullptr when the code is no limit.
const char* ConnectionLimitOf(uint32_t code);

// One row of LOCKDIAG_CONNECTIONS.
struct ConnectionRow {
  std::string user;
  std::string host;
  uint32_t outcome = 0;  // 0: connected; else the error code
  uint64_t attempts = 0;
  Timestamp first_seen = 0;
  Timestamp last_seen = 0;
  // Connected rows only.
  uint64_t current = 0;
  uint64_t peak_concurrent = 0;
  uint64_t total_micros = 0;  // time spent connected by the sessions that ended
};

struct ConnectionStatus {
  uint64_t current = 0;
  uint64_t peak = 0;
  Timestamp peak_time = 0;  // when the peak was first reached (0: none yet)
  uint64_t refused = 0;     // attempts that failed, whatever the error
  uint64_t dropped = 0;     // attempts not recorded because the store was full
};

// What OnConnect saw, for the caller's findings.
struct ConnectOutcome {
  const char* limit = nullptr;  // the limit that refused it (ConnectionLimitOf), or nullptr
  uint64_t current = 0;         // connections open at that moment
  uint64_t peak = 0;
  Timestamp peak_time = 0;
};

class ConnectionStore {
 public:
  // Bound on (user, host, outcome) entries (past it an attempt is counted in
  // `dropped`); live connections are bounded by the server's
  // max_connections and always tracked, with or without their row.
  static constexpr size_t kMaxEntries = 10000;
  static constexpr size_t kMaxName = 128;  // longest USER / HOST kept (bytes, cut at a character)

  // OnConnect: an attempt by `thread_id` as user@host that ended with
  // `status` (0: connected). A status of 0 for a thread id already connected
  // is a change of user: the old session ends first.
  ConnectOutcome OnConnect(uint64_t thread_id, std::string_view user, std::string_view host, uint32_t status,
                           Timestamp now) EXCLUDES(mu_);
  void OnDisconnect(uint64_t thread_id, Timestamp now) EXCLUDES(mu_);

  std::vector<ConnectionRow> Snapshot() const EXCLUDES(mu_);
  ConnectionStatus Status() const EXCLUDES(mu_);
  uint64_t memory_bytes() const EXCLUDES(mu_);

  // Reset forgets the history (attempts, refusals, peaks, times); the
  // connections open now stay counted, as they are (the peak is theirs, at
  // `now`).
  void Reset(Timestamp now) EXCLUDES(mu_);
  // Clear forgets everything, the open sessions too (a new INSTALL: the
  // disconnects of sessions opened under an earlier instance never come).
  void Clear() EXCLUDES(mu_);

  // Save appends the rows, the peak and the refusals to `out`. Load adds
  // the rows `in` holds (none current: those sessions are over), up to
  // kMaxEntries (the others counted as dropped), keeps the higher peak and
  // adds the refusals; false, with nothing added, when `in` is corrupt.
  void Save(StateEncoder* out) const EXCLUDES(mu_);
  [[nodiscard]] bool Load(StateDecoder* in) EXCLUDES(mu_);

 private:
  using Key = std::tuple<std::string, std::string, uint32_t>;  // user, host, outcome
  struct Entry {
    ConnectionRow row;
  };
  struct Live {
    Key key;
    Timestamp since = 0;
  };
  Entry* FindOrAdd(const Key& key, Timestamp now) REQUIRES(mu_);
  void EndLive(std::unordered_map<uint64_t, Live>::iterator it, Timestamp now) REQUIRES(mu_);

  mutable Mutex mu_;
  std::map<Key, Entry> entries_ GUARDED_BY(mu_);
  std::unordered_map<uint64_t, Live> live_ GUARDED_BY(mu_);  // by thread id
  uint64_t peak_ GUARDED_BY(mu_) = 0;
  Timestamp peak_time_ GUARDED_BY(mu_) = 0;
  uint64_t refused_ GUARDED_BY(mu_) = 0;
  uint64_t dropped_ GUARDED_BY(mu_) = 0;
  uint64_t name_bytes_ GUARDED_BY(mu_) = 0;
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_AUDIT_CONNECTION_STORE_H_
