// server_wf_bench.cc: the server's own well-formedness check on the same
// inputs as scan_bench.cc: my_charset_utf8mb4_general_ci's
// well_formed_char_length(), linked from Debian's libmariadbd.a (see
// cmake/MariaDBStrings.cmake). Compiled to nothing without it.
#ifdef LOCKDIAG_HAVE_MARIADB_STRINGS

#include <my_global.h>
#include <m_ctype.h>

#include <benchmark/benchmark.h>

#include <string>

#include "bench_inputs.h"

namespace lockdiag {
namespace encoding {
namespace {

void RunServerWellFormed(benchmark::State& state, const std::string& s) {
  CHARSET_INFO* cs = &my_charset_utf8mb4_general_ci;
  for (auto _ : state) {
    MY_STRCOPY_STATUS status;
    benchmark::DoNotOptimize(s.data());
    size_t n = cs->cset->well_formed_char_length(cs, s.data(), s.data() + s.size(), s.size(), &status);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(status.m_well_formed_error_pos);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.size()));
}

void BM_Server_Utf8mb4WellFormed_Ascii(benchmark::State& state) {
  RunServerWellFormed(state, AsciiText(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_Server_Utf8mb4WellFormed_Ascii)->Arg(64 << 10);

void BM_Server_Utf8mb4WellFormed_Mixed(benchmark::State& state) {
  RunServerWellFormed(state, MixedUtf8Text(static_cast<size_t>(state.range(0))));
}
BENCHMARK(BM_Server_Utf8mb4WellFormed_Mixed)->Arg(1024)->Arg(64 << 10);

}  // namespace
}  // namespace encoding
}  // namespace lockdiag

#endif  // LOCKDIAG_HAVE_MARIADB_STRINGS
