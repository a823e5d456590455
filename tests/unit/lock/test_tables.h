// test_tables.h: the TxnTable of a test table, as a Session would record it.
//
//   TxnTable orders = TestTable("orders");   // s.orders, with its TableHash
#ifndef LOCKDIAG_TESTS_UNIT_LOCK_TEST_TABLES_H_
#define LOCKDIAG_TESTS_UNIT_LOCK_TEST_TABLES_H_

#include <string>

#include "core/lock/table_ref.h"
#include "core/lock/transaction_record.h"

namespace lockdiag::testing {

// TestTable: table `name` of schema "s", no accesses.
inline TxnTable TestTable(const std::string& name) {
  TxnTable t;
  t.schema = "s";
  t.table = name;
  t.hash = TableHash(t.schema, t.table);
  return t;
}

}  // namespace lockdiag::testing

#endif  // LOCKDIAG_TESTS_UNIT_LOCK_TEST_TABLES_H_
