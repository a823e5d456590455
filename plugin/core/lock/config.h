// config.h: the knobs an administrator turns (system variables), as the core
// sees them.
#ifndef LOCKDIAG_CORE_LOCK_CONFIG_H_
#define LOCKDIAG_CORE_LOCK_CONFIG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/thread_annotations.h"

namespace lockdiag {

// Config is thread-safe. Numeric knobs are atomics read with relaxed order on
// the hot path (a stale value for one statement is harmless). The schema
// ignore list is an immutable vector swapped under a mutex; readers cache it
// and refresh it only when `ignore_version()` changes, so the per-event cost
// is one relaxed load.
class Config {
 public:
  static constexpr uint64_t kDefaultMaxTables = 10000;
  static constexpr uint64_t kDefaultHistorySize = 1000;
  static constexpr const char* kDefaultIgnoreSchemas = "mysql,information_schema,performance_schema,sys";

  Config() { SetIgnoreSchemas(kDefaultIgnoreSchemas); }

  std::atomic<bool> enabled{true};
  std::atomic<uint64_t> max_tables{kDefaultMaxTables};
  std::atomic<uint64_t> history_size{kDefaultHistorySize};

  using SchemaList = std::vector<std::string>;

  // SetIgnoreSchemas parses a comma-separated list ("a, b ,c"); blanks are
  // dropped, names compared case-insensitively (as schema names are on
  // lower_case_table_names servers and in the defaults).
  void SetIgnoreSchemas(std::string_view csv) EXCLUDES(mu_);
  std::shared_ptr<const SchemaList> ignore_schemas() const EXCLUDES(mu_);
  uint64_t ignore_version() const { return ignore_version_.load(std::memory_order_acquire); }

  // IsIgnored: true when `schema` is in `list` (case-insensitive).
  static bool IsIgnored(const SchemaList& list, std::string_view schema);

 private:
  mutable Mutex mu_;
  std::shared_ptr<const SchemaList> ignore_ GUARDED_BY(mu_);
  std::atomic<uint64_t> ignore_version_{0};
};

}  // namespace lockdiag

#endif  // LOCKDIAG_CORE_LOCK_CONFIG_H_
