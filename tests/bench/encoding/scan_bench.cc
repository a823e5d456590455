// scan_bench.cc: throughput of the encoding scanners (bytes/s via
// SetBytesProcessed), against a plain byte loop; and the per-statement cost
// of CheckWrite on ASCII values. docs/benchmarks-encoding.md has the figures.
#include <benchmark/benchmark.h>

#include <string>

#include "bench_inputs.h"
#include "core/encoding/charsets.h"
#include "core/encoding/encoding_checker.h"
#include "core/encoding/mojibake.h"
#include "core/encoding/scan.h"

namespace lockdiag {
namespace encoding {
namespace {

void BM_AsciiPrefix_Vector(benchmark::State& state) {
  std::string s = AsciiText(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(AsciiPrefixLength(s.data(), s.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.size()));
  state.SetLabel(ScanImplementation());
}
BENCHMARK(BM_AsciiPrefix_Vector)->Arg(64)->Arg(1024)->Arg(64 << 10);

void BM_AsciiPrefix_ByteLoop(benchmark::State& state) {
  std::string s = AsciiText(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(AsciiPrefixLengthScalar(s.data(), s.size()));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.size()));
}
BENCHMARK(BM_AsciiPrefix_ByteLoop)->Arg(64)->Arg(1024)->Arg(64 << 10);

void BM_Utf8Validate_Ascii(benchmark::State& state) {
  std::string s = AsciiText(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(ScanUtf8(s.data(), s.size(), true));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.size()));
}
BENCHMARK(BM_Utf8Validate_Ascii)->Arg(64 << 10);

void BM_Utf8Validate_Mixed(benchmark::State& state) {
  std::string s = MixedUtf8Text(static_cast<size_t>(state.range(0)));
  if (!ScanUtf8(s.data(), s.size(), true).valid) state.SkipWithError("input is not valid UTF-8");
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(ScanUtf8(s.data(), s.size(), true));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.size()));
  state.SetLabel(ScanImplementation());
}
BENCHMARK(BM_Utf8Validate_Mixed)->Arg(1024)->Arg(64 << 10);

void BM_Utf8Validate_Mixed_Scalar(benchmark::State& state) {
  std::string s = MixedUtf8Text(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(ScanUtf8Scalar(s.data(), s.size(), true));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.size()));
}
BENCHMARK(BM_Utf8Validate_Mixed_Scalar)->Arg(1024)->Arg(64 << 10);

void BM_Mojibake_Mixed_Utf8Client(benchmark::State& state) {
  std::string s = MixedUtf8Text(static_cast<size_t>(state.range(0)));
  const Charset& utf8 = LookupCharset("utf8mb4");
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.data());
    benchmark::DoNotOptimize(DetectDoubleEncoding(utf8, s));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(s.size()));
}
BENCHMARK(BM_Mojibake_Mixed_Utf8Client)->Arg(1024)->Arg(64 << 10);

// One INSERT of `range(0)` ASCII string values (about 40 bytes each) from a
// utf8mb4 client into utf8mb4 columns: what every clean write pays.
void BM_CheckWrite_AsciiStatement(benchmark::State& state) {
  EncodingStore store;
  EncodingChecker checker(&store);
  std::string text = AsciiText(40);
  std::vector<WrittenValue> values(static_cast<size_t>(state.range(0)),
                                   WrittenValue{"site", "poems", "title", "utf8mb4", text});
  WriteContext ctx;
  ctx.user = "poet";
  ctx.host = "localhost";
  ctx.client_charset = "utf8mb4";
  ctx.values = values.data();
  ctx.value_count = values.size();
  for (auto _ : state) benchmark::DoNotOptimize(checker.CheckWrite(ctx));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_CheckWrite_AsciiStatement)->Arg(1)->Arg(10);

// The same with a finding on every statement (latin1 client sending UTF-8):
// the price of recording into the store.
void BM_CheckWrite_DoubleEncodedStatement(benchmark::State& state) {
  EncodingStore store;
  EncodingChecker checker(&store);
  WrittenValue value{"site", "poems", "title", "utf8mb4", "Po\xC3\xA8me d'automne"};
  WriteContext ctx;
  ctx.user = "poet";
  ctx.host = "localhost";
  ctx.client_charset = "latin1";
  ctx.now = 1;
  ctx.values = &value;
  ctx.value_count = 1;
  for (auto _ : state) benchmark::DoNotOptimize(checker.CheckWrite(ctx));
}
BENCHMARK(BM_CheckWrite_DoubleEncodedStatement);

}  // namespace
}  // namespace encoding
}  // namespace lockdiag
