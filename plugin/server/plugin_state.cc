#include "server/plugin_state.h"

namespace lockdiag::server {
namespace {
Config g_config;
Analyzer g_analyzer(&g_config);
encoding::EncodingStore g_encoding_store;
encoding::EncodingChecker g_encoding_checker(&g_encoding_store);
ConnectionStore g_connections;
}  // namespace

Config& GlobalConfig() { return g_config; }
Analyzer& GlobalAnalyzer() { return g_analyzer; }
encoding::EncodingStore& GlobalEncodingStore() { return g_encoding_store; }
encoding::EncodingChecker& GlobalEncodingChecker() { return g_encoding_checker; }
ConnectionStore& GlobalConnectionStore() { return g_connections; }

}  // namespace lockdiag::server
