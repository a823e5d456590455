// plugin_state.h: the process-wide core objects the plugin's parts share.
//
// They are statics of lockdiag.so: constructed when the server dlopen()s the
// library and destroyed at dlclose(), so they outlive every plugin of the
// library (audit and INFORMATION_SCHEMA plugins can be installed one by one).
#ifndef LOCKDIAG_SERVER_PLUGIN_STATE_H_
#define LOCKDIAG_SERVER_PLUGIN_STATE_H_

#include "core/audit/connection_store.h"
#include "core/lock/analyzer.h"
#include "core/lock/config.h"
#include "core/encoding/encoding_checker.h"
#include "core/encoding/encoding_store.h"

namespace lockdiag::server {

Config& GlobalConfig();
Analyzer& GlobalAnalyzer();
encoding::EncodingStore& GlobalEncodingStore();
encoding::EncodingChecker& GlobalEncodingChecker();
ConnectionStore& GlobalConnectionStore();

}  // namespace lockdiag::server

#endif  // LOCKDIAG_SERVER_PLUGIN_STATE_H_
