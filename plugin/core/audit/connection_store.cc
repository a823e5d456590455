#include "core/audit/connection_store.h"

#include <algorithm>

#include "core/common/text.h"

namespace lockdiag {

std::string ConnectionErrorName(uint32_t code) {
  switch (code) {
    case 0:
      return "CONNECTED";
    case 1040:
      return "ER_CON_COUNT_ERROR";
    case 1044:
      return "ER_DBACCESS_DENIED_ERROR";
    case 1045:
      return "ER_ACCESS_DENIED_ERROR";
    case 1049:
      return "ER_BAD_DB_ERROR";
    case 1129:
      return "ER_HOST_IS_BLOCKED";
    case 1130:
      return "ER_HOST_NOT_PRIVILEGED";
    case 1203:
      return "ER_TOO_MANY_USER_CONNECTIONS";
    case 1226:
      return "ER_USER_LIMIT_REACHED";
    case 1251:
      return "ER_NOT_SUPPORTED_AUTH_MODE";
    case 1275:
      return "ER_SERVER_IS_IN_SECURE_AUTH_MODE";
    case 4151:
      return "ER_ACCOUNT_HAS_BEEN_LOCKED";
    default:
      return "ERROR_" + std::to_string(code);
  }
}

const char* ConnectionLimitOf(uint32_t code) {
  switch (code) {
    case 1040:
      return "max_connections";
    case 1203:
      return "max_user_connections";
    case 1226:
      // MAX_USER_CONNECTIONS / MAX_CONNECTIONS_PER_HOUR ... of the account
      // (GRANT ... WITH), or the max_user_connections variable.
      return "max_user_connections";
    case 1129:
      return "max_connect_errors";
    default:
      return nullptr;
  }
}

ConnectionStore::Entry* ConnectionStore::FindOrAdd(const Key& key, Timestamp now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxEntries) return nullptr;
    it = entries_.emplace(key, Entry{}).first;
    ConnectionRow& r = it->second.row;
    r.user = std::get<0>(key);
    r.host = std::get<1>(key);
    r.outcome = std::get<2>(key);
    r.first_seen = now;
    name_bytes_ += r.user.size() + r.host.size();
  }
  return &it->second;
}

void ConnectionStore::EndLive(std::unordered_map<uint64_t, Live>::iterator it, Timestamp now) {
  auto e = entries_.find(it->second.key);
  // The entry is gone only after a Reset that could not keep it (never:
  // Reset keeps the entries of live connections); be safe anyway.
  if (e != entries_.end()) {
    ConnectionRow& r = e->second.row;
    if (r.current > 0) r.current--;
    r.total_micros += static_cast<uint64_t>(std::max<Timestamp>(0, now - it->second.since));
  }
  live_.erase(it);
}

ConnectOutcome ConnectionStore::OnConnect(uint64_t thread_id, std::string_view user, std::string_view host,
                                          uint32_t status, Timestamp now) {
  ConnectOutcome out;
  out.limit = ConnectionLimitOf(status);
  Key key{std::string(Utf8Head(user, kMaxName)), std::string(Utf8Head(host, kMaxName)), status};
  MutexLock lock(&mu_);
  if (status != 0) refused_++;
  if (status == 0) {
    // A change of user ends the session of the old account.
    auto old = live_.find(thread_id);
    if (old != live_.end()) EndLive(old, now);
  }
  Entry* e = FindOrAdd(key, now);
  if (e == nullptr) {
    dropped_++;  // the account's row is not kept; the connection still counts
  } else {
    ConnectionRow& r = e->row;
    r.attempts++;
    r.last_seen = now;
    if (status == 0) {
      r.current++;
      r.peak_concurrent = std::max(r.peak_concurrent, r.current);
    }
  }
  if (status == 0) live_[thread_id] = Live{std::move(key), now};
  if (live_.size() > peak_) {
    peak_ = live_.size();
    peak_time_ = now;
  }
  out.current = live_.size();
  out.peak = peak_;
  out.peak_time = peak_time_;
  return out;
}

void ConnectionStore::OnDisconnect(uint64_t thread_id, Timestamp now) {
  MutexLock lock(&mu_);
  auto it = live_.find(thread_id);
  if (it != live_.end()) EndLive(it, now);
}

std::vector<ConnectionRow> ConnectionStore::Snapshot() const {
  MutexLock lock(&mu_);
  std::vector<ConnectionRow> rows;
  rows.reserve(entries_.size());
  for (const auto& [key, e] : entries_) rows.push_back(e.row);
  return rows;
}

ConnectionStatus ConnectionStore::Status() const {
  MutexLock lock(&mu_);
  ConnectionStatus st;
  st.current = live_.size();
  st.peak = peak_;
  st.peak_time = peak_time_;
  st.refused = refused_;
  st.dropped = dropped_;
  return st;
}

uint64_t ConnectionStore::memory_bytes() const {
  MutexLock lock(&mu_);
  // Node estimates: a map node with its key and row, a hash node with a key.
  return entries_.size() * (sizeof(Key) + sizeof(Entry) + 48) + live_.size() * (sizeof(Live) + 48) +
         2 * name_bytes_;
}

void ConnectionStore::Reset(Timestamp now) {
  MutexLock lock(&mu_);
  std::map<Key, Entry> kept;
  for (const auto& [thread_id, l] : live_) {
    auto it = entries_.find(l.key);
    if (it == entries_.end() || kept.count(l.key) != 0) continue;
    ConnectionRow row = it->second.row;
    // Only what is true now survives: the open sessions.
    row.attempts = 0;
    row.total_micros = 0;
    row.peak_concurrent = row.current;
    kept.emplace(l.key, Entry{row});
  }
  entries_ = std::move(kept);
  name_bytes_ = 0;
  for (const auto& [key, e] : entries_) name_bytes_ += e.row.user.size() + e.row.host.size();
  peak_ = live_.size();
  peak_time_ = peak_ > 0 ? now : 0;
  refused_ = 0;
  dropped_ = 0;
}

void ConnectionStore::Save(StateEncoder* out) const {
  MutexLock lock(&mu_);
  out->U64(peak_);
  out->I64(peak_time_);
  out->U64(refused_);
  for (const auto& [key, e] : entries_) {
    out->Item();
    const ConnectionRow& r = e.row;
    out->Str(r.user);
    out->Str(r.host);
    out->U32(r.outcome);
    out->U64(r.attempts);
    out->I64(r.first_seen);
    out->I64(r.last_seen);
    out->U64(r.peak_concurrent);
    out->U64(r.total_micros);
  }
  out->EndItems();
}

bool ConnectionStore::Load(StateDecoder* in) {
  const uint64_t peak = in->U64();
  const Timestamp peak_time = in->I64();
  const uint64_t refused = in->U64();
  std::vector<ConnectionRow> rows;
  while (in->NextItem()) {
    ConnectionRow r;
    r.user = in->Str(kMaxName);
    r.host = in->Str(kMaxName);
    r.outcome = in->U32();
    r.attempts = in->U64();
    r.first_seen = in->I64();
    r.last_seen = in->I64();
    r.peak_concurrent = in->U64();
    r.total_micros = in->U64();
    if (in->ok()) rows.push_back(std::move(r));
  }
  if (!in->ok()) return false;
  MutexLock lock(&mu_);
  for (ConnectionRow& r : rows) {
    Key key{r.user, r.host, r.outcome};
    if (entries_.size() >= kMaxEntries || entries_.count(key) != 0) {
      ++dropped_;
      continue;
    }
    // Sessions of the saved run are over: none is current.
    name_bytes_ += r.user.size() + r.host.size();
    entries_.emplace(std::move(key), Entry{std::move(r)});
  }
  if (peak > peak_) {
    peak_ = peak;
    peak_time_ = peak_time;
  }
  refused_ += refused;
  return true;
}

void ConnectionStore::Clear() {
  MutexLock lock(&mu_);
  entries_.clear();
  live_.clear();
  name_bytes_ = 0;
  peak_ = 0;
  peak_time_ = 0;
  refused_ = 0;
  dropped_ = 0;
}

}  // namespace lockdiag
