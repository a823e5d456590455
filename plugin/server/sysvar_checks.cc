// server_includes.h first, as in every adapter file.
#include "server/server_includes.h"
// Own header after the server headers it relies on.
#include "server/sysvar_checks.h"

#include <type_traits>

namespace lockdiag::server {
namespace {

// The layout MYSQL_SYSVAR_UINT / _ULONG / _ULONGLONG declare (plugin.h's
// DECLARE_MYSQL_SYSVAR_SIMPLE; sql_plugin.cc reads its limits the same way).
template <typename T>
struct SimpleSysvar {
  MYSQL_PLUGIN_VAR_HEADER;
  T* value;
  T def_val;
  T min_val;
  T max_val;
  T blk_sz;
};

}  // namespace

template <typename T>
int CheckRange(MYSQL_THD, st_mysql_sys_var* var, void* save, st_mysql_value* value) {
  static_assert(std::is_unsigned_v<T>, "lockdiag's numeric variables are unsigned");
  const auto* limits = reinterpret_cast<const SimpleSysvar<T>*>(var);
  long long raw = 0;
  if (value->val_int(value, &raw) != 0) return 1;       // NULL
  if (raw < 0 && !value->is_unsigned(value)) return 1;  // below any minimum
  const unsigned long long v = static_cast<unsigned long long>(raw);
  if (v < limits->min_val || v > limits->max_val) return 1;
  *static_cast<T*>(save) = static_cast<T>(v);
  return 0;
}

template int CheckRange<unsigned int>(MYSQL_THD, st_mysql_sys_var*, void*, st_mysql_value*);
template int CheckRange<unsigned long>(MYSQL_THD, st_mysql_sys_var*, void*, st_mysql_value*);
template int CheckRange<unsigned long long>(MYSQL_THD, st_mysql_sys_var*, void*, st_mysql_value*);

int CheckNotNull(MYSQL_THD thd, st_mysql_sys_var*, void* save, st_mysql_value* value) {
  char buf[256];
  int length = sizeof buf;
  const char* s = value->val_str(value, buf, &length);
  if (s == nullptr) return 1;
  // val_str may return `buf`: the update runs after this frame is gone, so
  // the value is copied into the statement's memory (as check_func_str does).
  s = thd_strmake(thd, s, static_cast<size_t>(length));
  if (s == nullptr) return 1;
  *static_cast<const char**>(save) = s;
  return 0;
}

}  // namespace lockdiag::server
