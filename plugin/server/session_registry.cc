// server_includes.h first: the server headers need my_global.h before all else.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/session_registry.h"

#include <atomic>
#include <memory>
#include <new>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/common/thread_annotations.h"
#include "server/plugin_state.h"

namespace lockdiag::server {
namespace {

struct Registry {
  // Constant after RegistryInit.
  MYSQL_THD_KEY_T key;

  Mutex mu;
  // Every live Session, by the THD it belongs to. The THD's own slot is the
  // fast path; this map finds a Session whose slot the server wiped:
  // COM_CHANGE_USER and COM_RESET_CONNECTION re-initialise the THD's plugin
  // variables, thd_specifics included.
  std::unordered_map<const void*, Session*> sessions GUARDED_BY(mu);
  // The number of entries in `sessions`, atomic so that LiveSessions() (a
  // status variable) reads it without taking mu.
  std::atomic<unsigned long> live{0};
};

// The newest instance's registry: read by every event without a lock,
// swapped at init/deinit.
std::atomic<Registry*> g_current{nullptr};

// Which registry belongs to which plugin instance; touched at init/deinit only.
Mutex g_instances_mu;
std::vector<std::pair<void*, Registry*>> g_instances GUARDED_BY(g_instances_mu);

void SetIdentityFromThd(Session* s, THD* thd) {
  const Security_context* sctx = thd->security_ctx;
  auto view = [](const char* p) { return p ? std::string_view(p) : std::string_view(); };
  s->SetIdentity(view(sctx ? sctx->user : nullptr), view(sctx ? sctx->host_or_ip : nullptr));
}

}  // namespace

bool RegistryInit(void* plugin) {
  auto* reg = new (std::nothrow) Registry;
  if (reg == nullptr) return false;
  if (thd_key_create(&reg->key) != 0) {
    delete reg;
    return false;
  }
  try {
    MutexLock lock(&g_instances_mu);
    g_instances.emplace_back(plugin, reg);
  } catch (...) {
    delete reg;
    return false;
  }
  g_current.store(reg, std::memory_order_release);
  return true;
}

void RegistryDeinit(void* plugin) {
  Registry* reg = nullptr;
  {
    MutexLock lock(&g_instances_mu);
    for (auto it = g_instances.begin(); it != g_instances.end(); ++it) {
      if (it->first == plugin) {
        reg = it->second;
        g_instances.erase(it);
        break;
      }
    }
  }
  if (reg == nullptr) return;
  Registry* expected = reg;
  g_current.compare_exchange_strong(expected, nullptr, std::memory_order_acq_rel);
  // No connection holds this instance any more (the server waits for that
  // before deinit), so no event can be inside one of these Sessions.
  {
    MutexLock lock(&reg->mu);
    for (auto& [thd, s] : reg->sessions) delete s;
    reg->sessions.clear();
  }
  thd_key_delete(&reg->key);
  delete reg;
}

Session* SessionFor(MYSQL_THD thd, unsigned long thread_id) {
  Registry* reg = g_current.load(std::memory_order_acquire);
  if (reg == nullptr) return nullptr;
  void* p = thd_getspecific(thd, reg->key);
  if (p != nullptr) return static_cast<Session*>(p);
  // No Session in the slot: the connection's first event, or the server
  // wiped the slot (change user, reset connection). In the second case the
  // old Session ends as at a disconnect: the server rolled its transaction
  // back.
  std::unique_ptr<Session> fresh(new (std::nothrow) Session(&GlobalAnalyzer(), thread_id));
  if (fresh == nullptr) return nullptr;
  std::unique_ptr<Session> stale;
  try {
    MutexLock lock(&reg->mu);
    Session*& slot = reg->sessions[thd];
    if (slot != nullptr) {
      stale.reset(slot);
    } else {
      reg->live.fetch_add(1, std::memory_order_relaxed);
    }
    slot = fresh.get();
  } catch (...) {
    return nullptr;
  }
  Session* s = fresh.release();  // the map owns it now
  thd_setspecific(thd, reg->key, s);
  SetIdentityFromThd(s, static_cast<THD*>(thd));
  if (stale != nullptr) stale->OnDisconnect();
  return s;
}

void RefreshIdentity(MYSQL_THD thd) {
  // After COM_CHANGE_USER the slot is empty: SessionFor ends the old
  // Session and starts one under the new account.
  Registry* reg = g_current.load(std::memory_order_acquire);
  if (reg == nullptr) return;
  if (Session* s = SessionFor(thd, static_cast<THD*>(thd)->thread_id))
    SetIdentityFromThd(s, static_cast<THD*>(thd));
}

void EndSession(MYSQL_THD thd) {
  Registry* reg = g_current.load(std::memory_order_acquire);
  if (reg == nullptr) return;
  std::unique_ptr<Session> owned;
  {
    MutexLock lock(&reg->mu);
    auto it = reg->sessions.find(thd);
    if (it == reg->sessions.end()) return;
    owned.reset(it->second);
    reg->sessions.erase(it);
  }
  reg->live.fetch_sub(1, std::memory_order_relaxed);
  thd_setspecific(thd, reg->key, nullptr);
  owned->OnDisconnect();
}

bool AuditPluginRunning() { return g_current.load(std::memory_order_acquire) != nullptr; }

unsigned long LiveSessions() {
  Registry* reg = g_current.load(std::memory_order_acquire);
  return reg == nullptr ? 0 : reg->live.load(std::memory_order_relaxed);
}

}  // namespace lockdiag::server
