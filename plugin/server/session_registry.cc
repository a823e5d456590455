// server_includes.h first: the server headers need my_global.h before all else.
#include "server_includes.h"
// Own header after the server headers it relies on.
#include "session_registry.h"

#include <atomic>
#include <mutex>
#include <new>
#include <unordered_set>

#include "plugin_state.h"

namespace lockdiag::server {
namespace {

MYSQL_THD_KEY_T g_key;
bool g_key_valid = false;

std::mutex g_mu;  // guards g_sessions
std::unordered_set<Session*> g_sessions;
std::atomic<unsigned long> g_live{0};

}  // namespace

bool SessionRegistryInit() {
  if (thd_key_create(&g_key) != 0) return false;
  g_key_valid = true;
  return true;
}

void SessionRegistryDeinit() {
  std::lock_guard<std::mutex> lock(g_mu);
  for (Session* s : g_sessions) delete s;
  g_sessions.clear();
  g_live.store(0, std::memory_order_relaxed);
  if (g_key_valid) thd_key_delete(&g_key);
  g_key_valid = false;
}

Session* SessionFor(MYSQL_THD thd, unsigned long thread_id) {
  if (!g_key_valid) return nullptr;
  void* p = thd_getspecific(thd, g_key);
  if (p != nullptr) return static_cast<Session*>(p);
  Session* s = new (std::nothrow) Session(&GlobalAnalyzer(), thread_id);
  if (s == nullptr) return nullptr;
  try {
    std::lock_guard<std::mutex> lock(g_mu);
    g_sessions.insert(s);
  } catch (...) {
    delete s;
    return nullptr;
  }
  g_live.fetch_add(1, std::memory_order_relaxed);
  thd_setspecific(thd, g_key, s);
  return s;
}

void EndSession(MYSQL_THD thd) {
  if (!g_key_valid) return;
  Session* s = static_cast<Session*>(thd_getspecific(thd, g_key));
  if (s == nullptr) return;
  thd_setspecific(thd, g_key, nullptr);
  {
    std::lock_guard<std::mutex> lock(g_mu);
    g_sessions.erase(s);
  }
  g_live.fetch_sub(1, std::memory_order_relaxed);
  s->OnDisconnect();
  delete s;
}

unsigned long LiveSessions() { return g_live.load(std::memory_order_relaxed); }

}  // namespace lockdiag::server
