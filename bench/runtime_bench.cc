// Runtime benchmarks (not part of the test run). bench/run.sh prints the
// ratios between them, each measured in the same run.
//
//   build/bench/pier_runtime_bench --benchmark_filter=JsonEcho
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "pier/runtime.h"

namespace {

std::filesystem::path Plugin(const std::string& name) {
  return std::filesystem::path(PIER_PLUGIN_DIR) / (name + ".wasm");
}

pier::Runtime& SharedRuntime() {
  static auto* runtime = pier::Runtime::Create().value().release();
  return *runtime;
}

std::unique_ptr<pier::Plugin> Load(const std::string& name, pier::InstanceMode mode, bool snapshot = true) {
  pier::PluginOptions options;
  options.instance_mode = mode;
  options.snapshot = snapshot;
  options.log_level = pier::LogLevel::kOff;
  return SharedRuntime().LoadFile(Plugin(name), options).value();
}

void Call(benchmark::State& state, pier::Plugin& plugin, std::string_view fn, std::string_view input) {
  for (auto _ : state) {
    auto r = plugin.Call(fn, input);
    if (!r.ok() || !r->is_output()) {
      state.SkipWithError(r.ok() ? r->Describe().c_str() : r.status().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->output().data());
  }
}

constexpr std::string_view kSmallJson = R"({"track":"Blue in Green","artist":"Miles Davis","year":1959})";

// A small JSON echo: parse and re-serialise in the guest. Fresh: a new
// instance per call, from the snapshot (the default) or running _initialize.
void BM_JsonEcho(benchmark::State& state, const std::string& plugin, pier::InstanceMode mode, bool snapshot) {
  auto p = Load(plugin, mode, snapshot);
  if (mode == pier::InstanceMode::kFreshPerCall && snapshot && !p->snapshot().active) {
    state.SkipWithError(("no snapshot: " + p->snapshot().refused).c_str());
    return;
  }
  Call(state, *p, "json_echo", kSmallJson);
}
BENCHMARK_CAPTURE(BM_JsonEcho, cpp_pooled, "cpp_test", pier::InstanceMode::kPooled, true);
BENCHMARK_CAPTURE(BM_JsonEcho, cpp_fresh, "cpp_test", pier::InstanceMode::kFreshPerCall, true);
BENCHMARK_CAPTURE(BM_JsonEcho, cpp_fresh_initialize, "cpp_test", pier::InstanceMode::kFreshPerCall, false);
BENCHMARK_CAPTURE(BM_JsonEcho, go_pooled, "go_test", pier::InstanceMode::kPooled, true);
BENCHMARK_CAPTURE(BM_JsonEcho, go_fresh, "go_test", pier::InstanceMode::kFreshPerCall, true);
BENCHMARK_CAPTURE(BM_JsonEcho, go_fresh_initialize, "go_test", pier::InstanceMode::kFreshPerCall, false);

// The same bytes echoed without JSON work: what the host adds to a call.
void BM_PlainEcho(benchmark::State& state, const std::string& plugin) {
  auto p = Load(plugin, pier::InstanceMode::kPooled);
  Call(state, *p, "echo", kSmallJson);
}
BENCHMARK_CAPTURE(BM_PlainEcho, cpp_pooled, "cpp_test");
BENCHMARK_CAPTURE(BM_PlainEcho, go_pooled, "go_test");

// The floor of a call: the raw C plugin's smallest export, warm.
void BM_MinimalCall(benchmark::State& state) {
  auto p = Load("c_raw", pier::InstanceMode::kPooled);
  Call(state, *p, "greet", "x");
}
BENCHMARK(BM_MinimalCall);

// 1 MiB in and out, 8 bytes per host call: input_load_u64 + store_u64 = 262,144 host calls.
void BM_HostCalls1MiB(benchmark::State& state) {
  auto p = Load("c_raw", pier::InstanceMode::kPooled);
  const std::string mib(1 << 20, 'm');
  Call(state, *p, "copy64", mib);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * (1 << 20));
  state.counters["host_calls"] = benchmark::Counter(static_cast<double>(state.iterations()) * 2 * (1 << 17),
                                                    benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_HostCalls1MiB)->Unit(benchmark::kMillisecond);

// Loading the Go plugin in a new process-like runtime: compiling from Wasm
// versus deserializing from the on-disk module cache.
void BM_GoLoad(benchmark::State& state, bool cached) {
  const auto dir = std::filesystem::temp_directory_path() / "pier-bench-cache";
  std::filesystem::remove_all(dir);
  std::ifstream in(Plugin("go_test"), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  const std::span<const uint8_t> wasm(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (cached) {  // warm the disk cache once
    auto r = pier::Runtime::Create({.cache_dir = dir}).value();
    r->Load(wasm, {}).value();
  }
  for (auto _ : state) {
    pier::RuntimeOptions options;
    if (cached) options.cache_dir = dir;
    auto runtime = pier::Runtime::Create(options).value();
    auto plugin = runtime->Load(wasm, {});
    if (!plugin.ok()) {
      state.SkipWithError(plugin.status().ToString().c_str());
      return;
    }
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK_CAPTURE(BM_GoLoad, compile, false)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK_CAPTURE(BM_GoLoad, cached, true)->Unit(benchmark::kMillisecond)->Iterations(10);

}  // namespace

BENCHMARK_MAIN();
