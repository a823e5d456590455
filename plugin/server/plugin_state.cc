#include "plugin_state.h"

namespace lockdiag::server {
namespace {
Config g_config;
Analyzer g_analyzer(&g_config);
}  // namespace

Config& GlobalConfig() { return g_config; }
Analyzer& GlobalAnalyzer() { return g_analyzer; }

}  // namespace lockdiag::server
