// sysvar_checks.h: the check functions of lockdiag's system variables, so
// that SET GLOBAL refuses a value out of a variable's range with
// ER_WRONG_VALUE_FOR_VAR instead of the server's default, which clamps it
// to the bound with a warning (an error only under STRICT_ALL_TABLES).
//
//   MYSQL_SYSVAR_ULONGLONG(max_tables, ..., CheckRange<unsigned long long>, Update..., def, min, max, 1);
//
// A check function returns non-zero to refuse; the server then raises
// ER_WRONG_VALUE_FOR_VAR ("Variable 'lockdiag_max_tables' can't be set to
// the value of '0'") itself (sys_var::check in sql/set_var.cc). Start-up
// options do not pass through check functions: the server clamps those with
// a warning in the error log (docs/audit.md).
#ifndef LOCKDIAG_SERVER_SYSVAR_CHECKS_H_
#define LOCKDIAG_SERVER_SYSVAR_CHECKS_H_

#include <mysql/plugin.h>

namespace lockdiag::server {

// CheckRange: for a MYSQL_SYSVAR_UINT / _ULONG / _ULONGLONG of type T;
// refuses NULL, negative values and values outside [min, max] as declared.
template <typename T>
int CheckRange(MYSQL_THD thd, st_mysql_sys_var* var, void* save, st_mysql_value* value);

extern template int CheckRange<unsigned int>(MYSQL_THD, st_mysql_sys_var*, void*, st_mysql_value*);
extern template int CheckRange<unsigned long>(MYSQL_THD, st_mysql_sys_var*, void*, st_mysql_value*);
extern template int CheckRange<unsigned long long>(MYSQL_THD, st_mysql_sys_var*, void*, st_mysql_value*);

// CheckNotNull: for a PLUGIN_VAR_MEMALLOC string; refuses NULL, accepts
// every string ('' included) as the server's own check would.
int CheckNotNull(MYSQL_THD thd, st_mysql_sys_var* var, void* save, st_mysql_value* value);

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_SYSVAR_CHECKS_H_
