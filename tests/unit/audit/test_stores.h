// test_stores.h: one of each store the state file keeps, as the plugin
// holds them, for the state file's tests and benchmark.
#ifndef LOCKDIAG_TESTS_UNIT_AUDIT_TEST_STORES_H_
#define LOCKDIAG_TESTS_UNIT_AUDIT_TEST_STORES_H_

#include "core/audit/connection_store.h"
#include "core/audit/state_file.h"
#include "core/encoding/encoding_store.h"
#include "core/lock/analyzer.h"
#include "core/lock/config.h"

namespace lockdiag::testing {

struct Stores {
  Config config;
  Analyzer analyzer{&config};
  encoding::EncodingStore encoding;
  ConnectionStore connections;
  StateStores view() { return StateStores{&analyzer, &encoding, &connections}; }
};

}  // namespace lockdiag::testing

#endif  // LOCKDIAG_TESTS_UNIT_AUDIT_TEST_STORES_H_
