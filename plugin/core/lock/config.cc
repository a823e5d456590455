#include "core/lock/config.h"

#include "core/common/text.h"

namespace lockdiag {

void Config::SetIgnoreSchemas(std::string_view csv) {
  auto list = std::make_shared<SchemaList>();
  size_t pos = 0;
  while (pos <= csv.size()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string_view::npos) comma = csv.size();
    std::string_view item = csv.substr(pos, comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) list->emplace_back(item);
    pos = comma + 1;
  }
  {
    MutexLock lock(&mu_);
    ignore_ = std::move(list);
  }
  ignore_version_.fetch_add(1, std::memory_order_acq_rel);
}

std::shared_ptr<const Config::SchemaList> Config::ignore_schemas() const {
  MutexLock lock(&mu_);
  return ignore_;
}

bool Config::IsIgnored(const SchemaList& list, std::string_view schema) {
  for (const std::string& s : list) {
    if (EqualsIgnoreCase(s, schema)) return true;
  }
  return false;
}

}  // namespace lockdiag
